# Cloud Functions (2nd gen). `atende build` stages each function dir into
# build/functions/<dir>/ (main.py + the atende package + requirements.txt);
# Terraform zips it, uploads it under a content-addressed name (so a code change
# redeploys) and deploys one function per target in local.functions.

locals {
  build_dir = coalesce(var.build_dir, "${path.module}/../build/functions")
}

resource "google_storage_bucket" "source" {
  # checkov:skip=CKV_GCP_62:object access is recorded by Cloud Audit Logs data-access logs (iam.tf storage_data_access), not legacy usage logs
  project                     = var.project_id
  name                        = "${var.project_id}-atende-functions-source"
  location                    = var.region
  labels                      = local.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.this]
}

data "archive_file" "source" {
  for_each = local.function_dirs

  type        = "zip"
  source_dir  = "${local.build_dir}/${each.key}"
  output_path = "${local.build_dir}/../archives/${each.key}.zip"

  lifecycle {
    precondition {
      condition     = fileexists("${local.build_dir}/${each.key}/main.py")
      error_message = "Missing ${local.build_dir}/${each.key}/main.py: run `atende build` before terraform plan/apply."
    }
  }
}

resource "google_storage_bucket_object" "source" {
  for_each = local.function_dirs

  bucket = google_storage_bucket.source.name
  name   = "${each.key}/${data.archive_file.source[each.key].output_sha256}.zip"
  source = data.archive_file.source[each.key].output_path
}

resource "google_cloudfunctions2_function" "this" {
  for_each = local.functions

  project     = var.project_id
  name        = local.function_names[each.key]
  location    = var.region
  description = local.function_dirs[each.value.dir].description
  labels      = local.labels

  build_config {
    runtime         = "python311"
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source[each.value.dir].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.function[each.value.dir].email
    available_memory               = local.function_sizing[each.value.sizing].memory
    timeout_seconds                = local.function_sizing[each.value.sizing].timeout
    min_instance_count             = local.function_sizing[each.value.sizing].min_instances
    max_instance_count             = local.function_sizing[each.value.sizing].max_instances
    all_traffic_on_latest_revision = true

    # Webhooks must be reachable by Meta; everything else is only called by
    # Pub/Sub push and Cloud Tasks, which count as internal traffic when they
    # target the run.app URL in the same project.
    ingress_settings = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"

    environment_variables = merge(local.common_env, local.function_dirs[each.value.dir].env)

    dynamic "secret_environment_variables" {
      for_each = { for key, s in local.secrets : s.env => key if s.dir == each.value.dir || contains(lookup(local.shared_secrets, key, []), each.value.dir) }

      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.this[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.this,
    google_project_iam_member.build,
    google_project_iam_member.build_source_reader,
    google_secret_manager_secret_iam_member.accessor,
  ]
}

# Invocation rights, granted on each function's underlying Cloud Run service.

# Meta calls the webhooks without Google credentials; they authenticate the
# caller themselves (X-Hub-Signature-256 with META_APP_SECRET).
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = { for target, f in local.functions : target => f if f.public }

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "pubsub_push" {
  for_each = local.consumers

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}

resource "google_cloud_run_v2_service_iam_member" "tasks_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this["campaign_send"].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.tasks_invoker.member
}
