# Identities. Every function dir runs as its own service account with only the
# grants listed in local.function_dirs; nothing runs as the default compute
# service account.

resource "google_service_account" "function" {
  for_each = local.function_dirs

  project      = var.project_id
  account_id   = "atende-${replace(each.key, "_", "-")}"
  display_name = "Atende ${each.key} functions"
  description  = each.value.description

  depends_on = [google_project_service.this]
}

# Project-level roles that have no narrower resource (Firestore access).
resource "google_project_iam_member" "function" {
  for_each = merge([
    for dir, cfg in local.function_dirs : {
      for role in cfg.project_roles : "${dir}/${role}" => { dir = dir, role = role }
    }
  ]...)

  project = var.project_id
  role    = each.value.role
  member  = google_service_account.function[each.value.dir].member
}

# Publish rights are granted per topic, not project-wide.
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = merge([
    for dir, cfg in local.function_dirs : {
      for topic in cfg.publishes_to : "${dir}/${topic}" => { dir = dir, topic = topic }
    }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.this[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.function[each.value.dir].member
}

# Identity Pub/Sub uses to sign the OIDC token of push deliveries.
resource "google_service_account" "pubsub_push" {
  project      = var.project_id
  account_id   = "atende-pubsub-push"
  display_name = "Atende Pub/Sub push invoker"
  description  = "OIDC identity of the push subscriptions; may only invoke the consumer functions"

  depends_on = [google_project_service.this]
}

# Identity Cloud Tasks uses to sign the OIDC token of campaign tasks.
resource "google_service_account" "tasks_invoker" {
  project      = var.project_id
  account_id   = "atende-tasks-invoker"
  display_name = "Atende Cloud Tasks invoker"
  description  = "OIDC identity of atende-campaigns tasks; may only invoke the campaign_send function"

  depends_on = [google_project_service.this]
}

# Identity Cloud Build uses to build the function images (new projects no
# longer give the default build identity the needed permissions).
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "atende-build"
  display_name = "Atende function builds"
  description  = "Cloud Build identity for the Cloud Functions builds"

  depends_on = [google_project_service.this]
}

# What a function build needs, instead of roles/cloudbuild.builds.builder (which
# may act as service accounts): write its logs, push the image to the
# gcf-artifacts repository Cloud Functions creates, and read the sources.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

# Sources only: our source bucket and the gcf-v2-sources-* bucket Cloud Functions
# copies them into; never the media bucket with customers' files.
resource "google_project_iam_member" "build_source_reader" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = google_service_account.build.member

  condition {
    title       = "function-sources-only"
    description = "Atende function sources and the Cloud Functions staging bucket"
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.project_id}-atende-functions-source\") || resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")"
  }
}

# Who read or wrote which stored object (customers' media, function sources):
# the access log of both buckets.
resource "google_project_iam_audit_config" "storage_data_access" {
  count = var.enable_storage_data_access_logs ? 1 : 0

  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# The Pub/Sub service agent mints the push SA's OIDC tokens.
resource "google_service_account_iam_member" "pubsub_push_token_creator" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# The functions that enqueue campaign tasks create tasks carrying the tasks-invoker identity.
resource "google_service_account_iam_member" "automation_acts_as_tasks_invoker" {
  for_each = toset(["automation", "outbound", "console"])

  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.function[each.key].member
}
