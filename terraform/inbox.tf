# The agents' inbox and the console (web/inbox, docs/inbox.md): a single-page app served from a bucket
# behind Cloud CDN on inbox_domain (modules/static_site), with the config.json that points it at
# inbox_api, reports_api and console_api. `atende deploy web` uploads the built files.

locals {
  # The origins the staff functions answer with CORS, and the inbox key's referrers: the inbox's own
  # domain, plus any other place it is served from (var.inbox_origins).
  inbox_origins = distinct(concat(var.inbox_domain == "" ? [] : ["https://${var.inbox_domain}"], var.inbox_origins))
}

module "inbox" {
  source = "./modules/static_site"

  project_id      = var.project_id
  name            = "atende-inbox"
  bucket_name     = "${var.project_id}-atende-inbox"
  location        = var.region
  labels          = local.labels
  domain          = var.inbox_domain
  single_page_app = true

  # The inbox is never framed (clickjacking), loads no plugin, and its relative URLs are its own. Scripts,
  # styles and connections are left open: the Firebase SDK's sign-in may load Google's scripts and frames.
  extra_response_headers = [
    "Content-Security-Policy: frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    "X-Frame-Options: DENY",
  ]

  # Fetched once per page load, with cache: 'no-store' (web/inbox/src/config.js).
  config_cache_control = "no-store"
  config_json = jsonencode({
    firebase   = local.firebase_web_config["inbox"]
    apiBase    = google_cloudfunctions2_function.this["inbox_api"].url
    reportsApi = google_cloudfunctions2_function.this["reports_api"].url
    consoleApi = google_cloudfunctions2_function.this["console_api"].url
    locale     = var.inbox_locale
    # the console's install snippet for each web-chat site (docs/console.md, "Web-chat sites")
    widgetScript = "${module.widget.base_url}atende-widget.js"
  })

  depends_on = [google_project_service.this]
}
