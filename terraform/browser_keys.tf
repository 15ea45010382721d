# The browser API keys of the Firebase JS SDK, one per web app: it names the project to Identity Platform
# (sign-in, TOTP, token refresh) and Firestore (the live listeners). A browser key is public by design: it
# is in every page's config.json. It is no credential; what a caller may read or do is decided by
# firestore.rules and by the functions, which verify each caller's Firebase ID token. The restrictions
# below only narrow what a copied key is good for.
#
# Each key may call the three APIs the SDK calls from a browser and no other.
#
# The inbox's key also names the inbox's origins as the only allowed referrers (its Referrer-Policy,
# strict-origin-when-cross-origin, sends Google's APIs the origin these patterns match).
#
# The widget's key is API-restricted only: the widget runs on every page of every business site that
# pastes the snippet, whose origins are data (sites/{key}.origins, edited in the console), not
# configuration, so a referrer list here would break the chat on each site added after the last apply
# (and on any site whose Referrer-Policy is no-referrer).
# Referrer checks would add little anyway: the Referer header is set by the caller, and only browsers
# are kept from forging it. The webchat function enforces each site's origins itself (CORS, 403).
#
# A deleted key lingers for 30 days and its name cannot be reused meanwhile.

locals {
  browser_key_apis = ["identitytoolkit.googleapis.com", "securetoken.googleapis.com", "firestore.googleapis.com"]

  browser_keys = {
    inbox  = { display_name = "Atende inbox (browser)", referrers = [for origin in local.inbox_origins : "${origin}/*"] }
    widget = { display_name = "Atende web-chat widget (browser)", referrers = [] }
  }

  # The `firebase` object of each app's config.json (web/inbox/src/config.js, web/widget/src/panel/firebase.js).
  firebase_web_config = {
    for app, key in google_apikeys_key.browser : app => {
      apiKey     = key.key_string
      authDomain = "${var.project_id}.firebaseapp.com"
      projectId  = var.project_id
    }
  }
}

resource "google_apikeys_key" "browser" {
  for_each = local.browser_keys

  project      = var.project_id
  name         = "atende-${each.key}-browser"
  display_name = each.value.display_name

  restrictions {
    dynamic "api_targets" {
      for_each = toset(local.browser_key_apis)

      content {
        service = api_targets.value
      }
    }

    dynamic "browser_key_restrictions" {
      for_each = length(each.value.referrers) > 0 ? [1] : []

      content {
        allowed_referrers = each.value.referrers
      }
    }
  }

  depends_on = [google_project_service.this]
}
