# Web chat (docs/webchat.md): the widget's static files, served from a Cloud
# Storage bucket behind Cloud CDN (modules/static_site), with the config.json that
# points them at the webchat function; the webchat function's files and
# signatures; and the TTL that empties its rate-limit counters.

# The widget's files: loaded by every page of every site that installs the snippet, so served to any
# origin (the panel is import()ed, which needs CORS). config.json is cached for 5 minutes because the
# loader fetches it on every page view of those sites.
module "widget" {
  source = "./modules/static_site"

  project_id           = var.project_id
  name                 = "atende-widget"
  bucket_name          = "${var.project_id}-atende-widget"
  location             = var.region
  labels               = local.labels
  domain               = var.widget_domain
  cors_origins         = ["*"]
  config_cache_control = "public, max-age=300"
  config_json = jsonencode({
    apiUrl   = google_cloudfunctions2_function.this["webchat"].url
    firebase = local.firebase_web_config["widget"]
  })

  depends_on = [google_project_service.this]
}

# The widget's hosting moved into the static_site module: the same resources, under new addresses.
moved {
  from = google_storage_bucket.widget
  to   = module.widget.google_storage_bucket.this
}

moved {
  from = google_storage_bucket_iam_member.widget_public
  to   = module.widget.google_storage_bucket_iam_member.public
}

moved {
  from = google_compute_backend_bucket.widget
  to   = module.widget.google_compute_backend_bucket.this
}

moved {
  from = google_compute_url_map.widget
  to   = module.widget.google_compute_url_map.this
}

moved {
  from = google_compute_managed_ssl_certificate.widget
  to   = module.widget.google_compute_managed_ssl_certificate.this
}

moved {
  from = google_compute_ssl_policy.widget
  to   = module.widget.google_compute_ssl_policy.this
}

moved {
  from = google_compute_target_https_proxy.widget
  to   = module.widget.google_compute_target_https_proxy.this
}

moved {
  from = google_compute_global_address.widget
  to   = module.widget.google_compute_global_address.this
}

moved {
  from = google_compute_global_forwarding_rule.widget
  to   = module.widget.google_compute_global_forwarding_rule.this
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
