# Web chat (docs/webchat.md): the widget's static files, served from a Cloud
# Storage bucket behind Cloud CDN; the webchat function's files and signatures;
# and the TTL that empties its rate-limit counters.

locals {
  widget_bucket = "${var.project_id}-atende-widget"
}

# The widget bundle is public by nature (every site's pages load it), so this
# bucket, and only this one, is readable by anyone. Nothing private is ever put
# in it: customers' files live in the media bucket.
resource "google_storage_bucket" "widget" {
  # checkov:skip=CKV_GCP_62:public static files of the widget; reads are logged by the CDN load balancer, not bucket usage logs
  # checkov:skip=CKV_GCP_78:each release is uploaded under its own versioned path (widget/<version>/), so object versioning adds nothing
  # checkov:skip=CKV_GCP_114:the widget bundle is loaded by every site that installs the snippet, so it must be public
  project                     = var.project_id
  name                        = local.widget_bucket
  location                    = var.region
  labels                      = local.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
  force_destroy               = false

  cors {
    origin          = ["*"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }

  depends_on = [google_project_service.this]
}

resource "google_storage_bucket_iam_member" "widget_public" {
  # checkov:skip=CKV_GCP_28:the widget's JavaScript and CSS are meant to be loaded by any visitor's browser
  bucket = google_storage_bucket.widget.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

# Cloud CDN in front of the bucket, on the operator's domain (managed certificate).
resource "google_compute_backend_bucket" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project     = var.project_id
  name        = "atende-widget"
  bucket_name = google_storage_bucket.widget.name
  enable_cdn  = true

  cdn_policy {
    cache_mode       = "CACHE_ALL_STATIC"
    default_ttl      = 3600
    max_ttl          = 86400
    client_ttl       = 3600
    negative_caching = true
  }

  depends_on = [google_project_service.this]
}

resource "google_compute_url_map" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project         = var.project_id
  name            = "atende-widget"
  default_service = google_compute_backend_bucket.widget[0].id
}

resource "google_compute_managed_ssl_certificate" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project = var.project_id
  name    = "atende-widget"

  managed {
    domains = [var.widget_domain]
  }
}

resource "google_compute_ssl_policy" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project         = var.project_id
  name            = "atende-widget"
  profile         = "RESTRICTED"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project          = var.project_id
  name             = "atende-widget"
  url_map          = google_compute_url_map.widget[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.widget[0].id]
  ssl_policy       = google_compute_ssl_policy.widget[0].id
}

resource "google_compute_global_address" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project = var.project_id
  name    = "atende-widget"
}

resource "google_compute_global_forwarding_rule" "widget" {
  count = var.widget_domain == "" ? 0 : 1

  project               = var.project_id
  name                  = "atende-widget"
  target                = google_compute_target_https_proxy.widget[0].id
  ip_address            = google_compute_global_address.widget[0].address
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# Visitors' photos and PDFs: webchat creates them under webchat/<site>/<visitor>/
# in the media bucket and signs viewing links for them.
resource "google_storage_bucket_iam_member" "webchat_files" {
  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.function["webchat"].member
}

# signBlob as itself only: the visitors' custom tokens and the files' signed URLs.
resource "google_service_account_iam_member" "webchat_signer" {
  service_account_id = google_service_account.function["webchat"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.function["webchat"].member
}

# Rate-limit counters (rate_limits/{id}.expireAt) are deleted once their window is over.
resource "google_firestore_field" "rate_limits_ttl" {
  project    = var.project_id
  database   = local.firestore_database
  collection = "rate_limits"
  field      = "expireAt"

  ttl_config {}

  # TTL fields need no single-field index.
  index_config {}

  depends_on = [google_firestore_database.this]
}
