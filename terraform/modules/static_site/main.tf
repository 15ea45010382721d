# A static site served from a Cloud Storage bucket behind Cloud CDN and an HTTPS load balancer: the
# agents' inbox and the web-chat widget (../../inbox.tf, ../../webchat.tf). The built files are uploaded
# by `atende deploy web`; config.json, the one file that differs per deployment, is written here.

locals {
  enabled = var.domain == "" ? 0 : 1

  # Added by the load balancer to every response. HSTS: the site is only ever served over HTTPS (port 80
  # answers with a redirect), so browsers may refuse plain HTTP for a year.
  response_headers = concat(
    [
      "X-Content-Type-Options: nosniff",
      "Referrer-Policy: strict-origin-when-cross-origin",
      "Strict-Transport-Security: max-age=31536000; includeSubDomains",
    ],
    var.extra_response_headers,
  )
}

# The files are public by nature (browsers load them), so anyone may read them; only the deployer writes.
# Nothing private is ever put here: config.json holds a browser API key, which identifies the project and
# is no credential (Firestore rules and the functions decide what a caller may do).
resource "google_storage_bucket" "this" {
  # checkov:skip=CKV_GCP_62:public static files; reads are logged by the load balancer (and writes by Cloud Audit Logs), not legacy usage logs
  # checkov:skip=CKV_GCP_78:built files carry a content hash in their names and each deploy re-uploads the rest, so old versions add nothing
  # checkov:skip=CKV_GCP_114:browsers load these files anonymously (through Cloud CDN or directly), so public access cannot be prevented
  project                     = var.project_id
  name                        = var.bucket_name
  location                    = var.location
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
  force_destroy               = false

  dynamic "website" {
    for_each = var.single_page_app ? [1] : []

    content {
      main_page_suffix = "index.html"
      not_found_page   = "index.html"
    }
  }

  dynamic "cors" {
    for_each = length(var.cors_origins) > 0 ? [1] : []

    content {
      origin          = var.cors_origins
      method          = ["GET", "HEAD"]
      response_header = ["Content-Type"]
      max_age_seconds = 3600
    }
  }
}

# Reading by name only (legacyObjectReader: storage.objects.get), except for a single-page app: to a
# caller who may not list, Cloud Storage answers a missing object with 403, not 404, and only a 404 is
# replaced by index.html, which a reload of a client-side route needs. Listing shows the names of the
# built files, which the app's pages name anyway.
resource "google_storage_bucket_iam_member" "public" {
  # checkov:skip=CKV_GCP_28:anonymous browsers (and the load balancer) read the site's files, which hold nothing private
  bucket = google_storage_bucket.this.name
  role   = var.single_page_app ? "roles/storage.objectViewer" : "roles/storage.legacyObjectReader"
  member = "allUsers"

  # Replacing a grant (e.g. the former objectViewer) never leaves the site unreadable in between.
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_storage_bucket_object" "config" {
  bucket        = google_storage_bucket.this.name
  name          = "config.json"
  content       = var.config_json
  content_type  = "application/json"
  cache_control = var.config_cache_control
}

# Cloud CDN in front of the bucket, on the operator's domain. Every object carries its own Cache-Control
# (`atende deploy web`: hashed files a year, entry points and config.json briefly or not at all), so the
# TTLs here only cap it at the maximum and fill in for objects without one.
resource "google_compute_backend_bucket" "this" {
  count = local.enabled

  project                 = var.project_id
  name                    = var.name
  bucket_name             = google_storage_bucket.this.name
  enable_cdn              = true
  compression_mode        = "AUTOMATIC"
  custom_response_headers = local.response_headers

  cdn_policy {
    cache_mode       = "CACHE_ALL_STATIC"
    default_ttl      = 3600
    max_ttl          = 31536000
    client_ttl       = 31536000
    negative_caching = true
  }
}

resource "google_compute_url_map" "this" {
  count = local.enabled

  project         = var.project_id
  name            = var.name
  default_service = google_compute_backend_bucket.this[0].id
}

resource "google_compute_managed_ssl_certificate" "this" {
  count = local.enabled

  project = var.project_id
  name    = var.name

  managed {
    domains = [var.domain]
  }
}

resource "google_compute_ssl_policy" "this" {
  count = local.enabled

  project         = var.project_id
  name            = var.name
  profile         = "RESTRICTED"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "this" {
  count = local.enabled

  project          = var.project_id
  name             = var.name
  url_map          = google_compute_url_map.this[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.this[0].id]
  ssl_policy       = google_compute_ssl_policy.this[0].id
}

resource "google_compute_global_address" "this" {
  count = local.enabled

  project = var.project_id
  name    = var.name
}

resource "google_compute_global_forwarding_rule" "this" {
  count = local.enabled

  project               = var.project_id
  name                  = var.name
  target                = google_compute_target_https_proxy.this[0].id
  ip_address            = google_compute_global_address.this[0].address
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# Port 80 on the same address answers every request with a permanent redirect to HTTPS.
resource "google_compute_url_map" "https_redirect" {
  count = local.enabled

  project = var.project_id
  name    = "${var.name}-https-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "https_redirect" {
  count = local.enabled

  project = var.project_id
  name    = "${var.name}-https-redirect"
  url_map = google_compute_url_map.https_redirect[0].id
}

resource "google_compute_global_forwarding_rule" "https_redirect" {
  count = local.enabled

  project               = var.project_id
  name                  = "${var.name}-https-redirect"
  target                = google_compute_target_http_proxy.https_redirect[0].id
  ip_address            = google_compute_global_address.this[0].address
  port_range            = "80"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
