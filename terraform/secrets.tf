# Secret Manager secrets. Terraform creates the secrets and who may read them;
# their values are added out of band (`gcloud secrets versions add`, see
# README.md) so they never land in Terraform state.

locals {
  # key => secret id, the environment variable it is mounted as, and the function
  # dir (service account) that owns and reads it (`shared_secrets` adds readers). Follow-ups: businesses sign
  # pushes to `events` with EVENTS_SECRET; the automation dir both signs and checks
  # the unsubscribe links (UNSUBSCRIBE_SECRET) and sends e-mail (SENDGRID_API_KEY).
  builtin_secrets = {
    meta_app_secret = {
      secret_id = "atende-meta-app-secret"
      env       = "META_APP_SECRET"
      dir       = "webhooks"
    }
    meta_verify_token = {
      secret_id = "atende-meta-verify-token"
      env       = "META_VERIFY_TOKEN"
      dir       = "webhooks"
    }
    whatsapp_token = {
      secret_id = "atende-whatsapp-token"
      env       = "WHATSAPP_TOKEN"
      dir       = "outbound"
    }
    gemini_api_key = {
      secret_id = "atende-gemini-api-key"
      env       = "GEMINI_API_KEY"
      dir       = "ai_reply"
    }
    erp_token = {
      secret_id = "atende-erp-token"
      env       = "ERP_TOKEN"
      dir       = "ai_reply"
    }
    events_secret = {
      secret_id = "atende-events-secret"
      env       = "EVENTS_SECRET"
      dir       = "events"
    }
    unsubscribe_secret = {
      secret_id = "atende-unsubscribe-secret"
      env       = "UNSUBSCRIBE_SECRET"
      dir       = "automation"
    }
    sendgrid_api_key = {
      secret_id = "atende-sendgrid-api-key"
      env       = "SENDGRID_API_KEY"
      dir       = "automation"
    }
    crm_webhook_secret = {
      secret_id = "atende-crm-webhook-secret"
      env       = "CRM_WEBHOOK_SECRET"
      dir       = "automation"
    }
  }

  optional_secrets = {
    gemini_api_key     = var.enable_gemini
    erp_token          = var.enable_erp_token
    sendgrid_api_key   = var.enable_sendgrid
    crm_webhook_secret = var.crm_webhook_url != ""
  }

  # Secrets another function dir reads too: campaign_send (outbound) writes each recipient's personalised
  # campaign parameter with Gemini as it sends, and console_api writes the same for the new-campaign form's
  # preview (3 recipients at most; docs/campaigns.md). The owner's `dir` stays the first reader.
  shared_secrets = {
    gemini_api_key = ["outbound", "console"]
  }
  secret_readers = {
    for pair in flatten([
      for key, dirs in local.shared_secrets : [for dir in dirs : { key = key, dir = dir }] if contains(keys(local.secrets), key)
    ]) : "${pair.key}/${pair.dir}" => pair
  }

  secrets = merge(
    { for key, s in local.builtin_secrets : key => s if lookup(local.optional_secrets, key, true) },
    # Per-channel tokens: the names a channel's token_env may use (src/atende/domain/channels.py),
    # each its own secret, e.g. WHATSAPP_TOKEN_SUPORTE => atende-whatsapp-token-suporte.
    {
      for env in var.channel_tokens :
      "channel_${lower(env)}" => { secret_id = "atende-${replace(lower(env), "_", "-")}", env = env, dir = "outbound" }
    },
    # Web chat: each site's identity secret (HMAC-SHA256 of its customers' identifiers), e.g. site
    # loja-centro => WEBCHAT_SECRET_LOJA_CENTRO from atende-webchat-secret-loja-centro (docs/webchat.md).
    {
      for site in var.webchat_sites :
      "webchat_${site}" => { secret_id = "atende-webchat-secret-${site}", env = "WEBCHAT_SECRET_${upper(replace(site, "-", "_"))}", dir = "webchat" }
    },
  )
}

resource "google_secret_manager_secret" "this" {
  for_each = local.secrets

  project   = var.project_id
  secret_id = each.value.secret_id
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.this]
}

# Each secret is readable by its owner's runtime service account, and by those `shared_secrets` names.
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.secrets

  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.dir].member
}

resource "google_secret_manager_secret_iam_member" "shared_accessor" {
  for_each = local.secret_readers

  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.value.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.dir].member
}

# The console writes channel tokens (new versions only, never reads a value): every token outbound
# owns, i.e. WHATSAPP_TOKEN and each of var.channel_tokens (not the Gemini key it only reads).
resource "google_secret_manager_secret_iam_member" "console_token_writer" {
  for_each = { for key, s in local.secrets : key => s if s.dir == "outbound" }

  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.key].secret_id
  role      = "roles/secretmanager.secretVersionManager"
  member    = google_service_account.function["console"].member
}

# The console's sites page says whether each web-chat site has its identity secret (versions' metadata,
# never a value: docs/console.md, "Web-chat sites").
resource "google_secret_manager_secret_iam_member" "console_site_secret_viewer" {
  for_each = { for key, s in local.secrets : key => s if s.dir == "webchat" }

  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.key].secret_id
  role      = "roles/secretmanager.viewer"
  member    = google_service_account.function["console"].member
}
