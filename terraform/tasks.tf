# Cloud Tasks queue for campaigns: rate-limited fan-out of outgoing messages.
# Tasks target the outbound function with an OIDC token of the tasks-invoker
# service account (iam.tf), which is the only identity allowed to invoke it
# besides the Pub/Sub push identity.

resource "google_cloud_tasks_queue" "campaigns" {
  project  = var.project_id
  name     = "atende-campaigns"
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.campaign_max_dispatches_per_second
    max_concurrent_dispatches = var.campaign_max_concurrent_dispatches
  }

  # Bounded retries with exponential backoff (5 s doubling up to 300 s).
  # Cloud Tasks gives up once a task has had max_attempts attempts AND
  # max_retry_duration has passed since its first attempt (both limits).
  retry_config {
    max_attempts       = 5
    max_retry_duration = "900s"
    min_backoff        = "5s"
    max_backoff        = "300s"
    max_doublings      = 4
  }

  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.this]
}

# The automation functions may enqueue into this queue only.
resource "google_cloud_tasks_queue_iam_member" "automation_enqueuer" {
  project  = var.project_id
  location = google_cloud_tasks_queue.campaigns.location
  name     = google_cloud_tasks_queue.campaigns.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.function["automation"].member
}
