# Cloud Tasks queue for campaigns: rate-limited fan-out of outgoing messages.
# Tasks target the campaign_send function with an OIDC token of the
# tasks-invoker service account (iam.tf), the only identity allowed to invoke it.
# Its rate limit and retry settings come from src/atende/campaign_queue.json,
# the file the local Cloud Tasks stand-in reads too (README, "Stand-ins").

locals {
  campaign_queue = jsondecode(file("${path.module}/../src/atende/campaign_queue.json"))
}

resource "google_cloud_tasks_queue" "campaigns" {
  project  = var.project_id
  name     = "atende-campaigns" # = campaign_queue.json name (tests/unit/test_terraform.py)
  location = var.region

  rate_limits {
    max_dispatches_per_second = coalesce(var.campaign_max_dispatches_per_second, local.campaign_queue.rate_limits.max_dispatches_per_second)
    max_concurrent_dispatches = coalesce(var.campaign_max_concurrent_dispatches, local.campaign_queue.rate_limits.max_concurrent_dispatches)
  }

  # Bounded retries with exponential backoff. Cloud Tasks gives up once a task
  # has had max_attempts attempts AND max_retry_duration has passed since its
  # first attempt (both limits).
  retry_config {
    max_attempts       = local.campaign_queue.retry_config.max_attempts
    max_retry_duration = local.campaign_queue.retry_config.max_retry_duration
    min_backoff        = local.campaign_queue.retry_config.min_backoff
    max_backoff        = local.campaign_queue.retry_config.max_backoff
    max_doublings      = local.campaign_queue.retry_config.max_doublings
  }

  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.this]
}

# Who may enqueue: the automation functions (scheduled campaigns), campaign_send
# itself (the check that a campaign has finished enqueues itself again) and the
# console (campaigns started, paused and resumed there; template sync requests).
resource "google_cloud_tasks_queue_iam_member" "automation_enqueuer" {
  project  = var.project_id
  location = google_cloud_tasks_queue.campaigns.location
  name     = google_cloud_tasks_queue.campaigns.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.function["automation"].member
}

resource "google_cloud_tasks_queue_iam_member" "outbound_enqueuer" {
  project  = var.project_id
  location = google_cloud_tasks_queue.campaigns.location
  name     = google_cloud_tasks_queue.campaigns.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.function["outbound"].member
}

resource "google_cloud_tasks_queue_iam_member" "console_enqueuer" {
  project  = var.project_id
  location = google_cloud_tasks_queue.campaigns.location
  name     = google_cloud_tasks_queue.campaigns.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.function["console"].member
}
