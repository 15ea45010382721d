# Inbound media (photos, voice notes, documents) fetched from Meta by the
# media_fetch consumer (outbound dir). Private: people view files through
# short-lived V4 signed URLs, which the outbound service account signs for
# itself through the IAM API (it holds no key).

locals {
  media_bucket = "${var.project_id}-atende-media"
}

resource "google_storage_bucket" "media" {
  # checkov:skip=CKV_GCP_62:object access is recorded by Cloud Audit Logs data-access logs (iam.tf storage_data_access), not legacy usage logs
  # checkov:skip=CKV_GCP_78:files are written once; versioning would keep customers' files past media_retention_days and erasure requests
  project                     = var.project_id
  name                        = local.media_bucket
  location                    = var.region
  labels                      = local.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  lifecycle_rule {
    condition {
      age = var.media_retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.this]
}

# media_fetch writes files and signs viewing URLs.
resource "google_storage_bucket_iam_member" "media_writer" {
  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.function["outbound"].member
}

# ai_reply may read a customer's file (e.g. to show it to the AI).
resource "google_storage_bucket_iam_member" "media_reader" {
  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.function["ai_reply"].member
}

# Signing URLs without a key: the outbound identity may call signBlob as itself only.
resource "google_service_account_iam_member" "media_url_signer" {
  service_account_id = google_service_account.function["outbound"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.function["outbound"].member
}
