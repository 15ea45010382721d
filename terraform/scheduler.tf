# Cloud Scheduler publishes a tick to atende-automation-tick; the
# automation_tick function consumes it through its push subscription (with the
# same dead-letter and retry settings as every other consumer).

resource "google_cloud_scheduler_job" "automation_tick" {
  project     = var.project_id
  name        = "atende-automation-tick"
  description = "Runs the Atende automations"
  region      = var.region
  schedule    = var.automation_schedule
  time_zone   = var.automation_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.this["automation_tick"].id
    data       = base64encode(jsonencode({ kind = "automation_tick" }))
    attributes = {
      source = "cloud-scheduler"
    }
  }

  depends_on = [google_project_service.this]
}

# The send sweeper (src/atende/services/sweeper.py) runs on every tick of the same topic and function;
# this job ticks every minute so a stalled or failed send is looked at again within a minute of being due.
resource "google_cloud_scheduler_job" "send_sweep" {
  project     = var.project_id
  name        = "atende-send-sweep"
  description = "Re-queues stalled and retryable outgoing messages; fails for good those past their limits"
  region      = var.region
  schedule    = var.send_sweep_schedule
  time_zone   = var.automation_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.this["automation_tick"].id
    data       = base64encode(jsonencode({ kind = "send_sweep" }))
    attributes = {
      source = "cloud-scheduler"
    }
  }

  depends_on = [google_project_service.this]
}
