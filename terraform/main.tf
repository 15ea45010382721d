# Shared definitions. Everything else is generated from these maps with
# for_each, so adding a function, topic or consumer is a one-line change here.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  labels = merge(var.labels, { app = "atende" })

  # Topic names. They must equal the constants in src/atende/topics.py
  # (tests/unit/test_terraform.py checks it).
  topics = {
    inbound         = "atende-inbound"
    status          = "atende-status"
    outbound        = "atende-outbound"
    automation_tick = "atende-automation-tick"
    media           = "atende-media"
    crm             = "atende-crm"
  }
  dead_letter_suffix = "-dlq"

  # Pub/Sub consumers: function (target) => key in local.topics it consumes.
  # Each gets its own push subscription with a dead-letter policy (pubsub.tf).
  consumers = {
    ai_reply        = "inbound"
    outbound        = "outbound"
    message_status  = "status"
    automation_tick = "automation_tick"
    media_fetch     = "media"
    crm_webhook     = "crm"
  }

  # Deployed functions, keyed by their entry point (the target defined in
  # functions/<dir>/main.py). Functions of one dir share its source archive and
  # its service account. Only `public` functions accept unauthenticated calls: the
  # webhooks (Meta signs each call), inbox_api, console_api and reports_api (browsers; each call
  # carries a Firebase ID token the function verifies), webchat (any visitor of a site in
  # `sites/`; CORS per site, rate limits, and a visitor token after the session), events (the
  # business signs each push with EVENTS_SECRET) and unsubscribe (links we signed, in follow-up e-mails).
  functions = {
    webhook_whatsapp  = { dir = "webhooks", public = true, sizing = "webhook" }
    webhook_messenger = { dir = "webhooks", public = true, sizing = "webhook" }
    webhook_instagram = { dir = "webhooks", public = true, sizing = "webhook" }
    ai_reply          = { dir = "ai_reply", public = false, sizing = "worker" }
    outbound          = { dir = "outbound", public = false, sizing = "worker" }
    message_status    = { dir = "outbound", public = false, sizing = "worker" }
    media_fetch       = { dir = "outbound", public = false, sizing = "worker" }
    campaign_send     = { dir = "outbound", public = false, sizing = "worker" }
    automation_tick   = { dir = "automation", public = false, sizing = "worker" }
    crm_webhook       = { dir = "automation", public = false, sizing = "worker" }
    dead_letters      = { dir = "automation", public = false, sizing = "worker" }
    inbox_api         = { dir = "inbox", public = true, sizing = "worker" }
    console_api       = { dir = "console", public = true, sizing = "worker" }
    reports_api       = { dir = "reports", public = true, sizing = "worker" }
    webchat           = { dir = "webchat", public = true, sizing = "worker" }
    events            = { dir = "events", public = true, sizing = "worker" }
    unsubscribe       = { dir = "automation", public = true, sizing = "worker" }
  }

  # Webhooks stay warm (Meta expects a fast 200 and disables slow webhooks).
  # Workers keep timeout <= the push ack deadline (60 s) so that Pub/Sub does
  # not redeliver a message that is still being processed.
  function_sizing = {
    webhook = {
      min_instances = var.webhook_min_instances
      max_instances = var.webhook_max_instances
      memory        = "256Mi"
      timeout       = 30
    }
    worker = {
      min_instances = 0
      max_instances = var.worker_max_instances
      memory        = "512Mi"
      timeout       = 60
    }
  }

  function_names = { for target in keys(local.functions) : target => "atende-${replace(target, "_", "-")}" }

  # Deterministic run.app URLs (https://SERVICE-PROJECT_NUMBER.REGION.run.app),
  # usable before the function exists; a function cannot reference its own
  # for_each siblings' attributes in its environment.
  function_run_urls = {
    for target, name in local.function_names :
    target => "https://${name}-${data.google_project.this.number}.${var.region}.run.app"
  }

  # Plain environment shared by every function. Never put credentials here:
  # they go to Secret Manager (secrets.tf) and reach functions only through
  # secret_environment_variables. LOG_EXECUTION_ID is set explicitly because
  # Cloud Functions adds it on its own and would otherwise cause a perma-diff.
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    LOG_EXECUTION_ID     = "true"
  }

  # One entry per function directory (= per deployable archive = per service
  # account): its extra environment and its least-privilege grants.
  function_dirs = {
    webhooks = {
      description   = "Meta webhooks: verify signatures and publish to Pub/Sub"
      project_roles = []
      publishes_to  = ["inbound", "status"]
      env = {
        PUBSUB_TOPIC_INBOUND = local.topics.inbound
        PUBSUB_TOPIC_STATUS  = local.topics.status
      }
    }
    ai_reply = {
      description   = "Inbound messages: persist and draft AI replies"
      project_roles = ["roles/datastore.user"]
      publishes_to  = ["outbound", "media", "crm"]
      env = {
        GEMINI_MODEL          = var.gemini_model
        PUBSUB_TOPIC_OUTBOUND = local.topics.outbound
        PUBSUB_TOPIC_MEDIA    = local.topics.media
        MEDIA_BUCKET          = local.media_bucket
        ERP_MAPPING           = var.erp_mapping
        ERP_BASE_URL          = var.erp_base_url
        CRM_EVENTS            = var.crm_webhook_url != "" ? "1" : "0"
      }
    }
    outbound = {
      description   = "Send outgoing messages through the Graph API and apply delivery statuses"
      project_roles = ["roles/datastore.user"]
      publishes_to  = ["crm"]
      env = {
        GRAPH_API_VERSION      = var.graph_api_version
        MEDIA_BUCKET           = local.media_bucket
        MEDIA_URL_TTL_S        = tostring(var.media_url_ttl_seconds)
        CLOUD_TASKS_QUEUE      = google_cloud_tasks_queue.campaigns.id
        CLOUD_TASKS_INVOKER_SA = google_service_account.tasks_invoker.email
        CAMPAIGN_SEND_URL      = local.function_run_urls.campaign_send
        CRM_EVENTS             = var.crm_webhook_url != "" ? "1" : "0"
        GEMINI_MODEL           = var.gemini_model # campaign_send writes personalised parameters
      }
    }
    inbox = {
      description   = "The agents' inbox actions: verify the caller's Firebase ID token, then act"
      project_roles = ["roles/datastore.user"]
      publishes_to  = ["outbound", "crm"]
      env = {
        PUBSUB_TOPIC_OUTBOUND = local.topics.outbound
        MEDIA_BUCKET          = local.media_bucket
        INBOX_ORIGINS         = join(",", local.inbox_origins)
        ERP_MAPPING           = var.erp_mapping
        ERP_BASE_URL          = var.erp_base_url
        CRM_EVENTS            = var.crm_webhook_url != "" ? "1" : "0"
      }
    }
    console = {
      description   = "The console's settings: people (Firebase Auth admin), teams, hours, routing, flows, channels; campaigns and templates"
      project_roles = ["roles/datastore.user", "roles/firebaseauth.admin"]
      # crm: a campaign cancelled there is a campaign.finished event; every consumed topic: an admin
      # sends a dead letter back to the topic it came from (README, "Dead letters").
      publishes_to = ["crm", "inbound", "status", "outbound", "media", "automation_tick"]
      env = {
        INBOX_ORIGINS = join(",", local.inbox_origins)
        CRM_EVENTS    = var.crm_webhook_url != "" ? "1" : "0"
        GEMINI_MODEL  = var.gemini_model # the campaign preview writes personalised parameters as dispatch does
        # Campaigns started from the console (and template syncs and creations, run by campaign_send) are queue tasks.
        CLOUD_TASKS_QUEUE      = google_cloud_tasks_queue.campaigns.id
        CLOUD_TASKS_INVOKER_SA = google_service_account.tasks_invoker.email
        CAMPAIGN_SEND_URL      = local.function_run_urls.campaign_send
      }
    }
    reports = {
      description   = "The console's reports, live board and channel health: verify the caller's Firebase ID token, then read"
      project_roles = ["roles/datastore.viewer"]
      publishes_to  = []
      env = {
        INBOX_ORIGINS = join(",", local.inbox_origins)
      }
    }
    webchat = {
      description   = "The web-chat widget: visitor sessions (custom tokens), messages, files, receipts"
      project_roles = ["roles/datastore.user"]
      publishes_to  = ["inbound", "status"]
      env = {
        PUBSUB_TOPIC_INBOUND = local.topics.inbound
        PUBSUB_TOPIC_STATUS  = local.topics.status
        MEDIA_BUCKET         = local.media_bucket
      }
    }
    events = {
      description   = "Business entities pushed by the business's systems, signed (HMAC-SHA256)"
      project_roles = ["roles/datastore.user"]
      publishes_to  = []
      env           = {}
    }
    automation = {
      description   = "Periodic automations (send sweep, follow-ups), campaign enqueueing, e-mail unsubscribe links"
      project_roles = ["roles/datastore.user"]
      publishes_to  = ["outbound", "crm"]
      env = {
        CRM_EVENTS             = var.crm_webhook_url != "" ? "1" : "0"
        UNSUBSCRIBE_URL        = local.function_run_urls.unsubscribe
        MAIL_FROM              = var.mail_from
        PUBSUB_TOPIC_OUTBOUND  = local.topics.outbound
        CLOUD_TASKS_QUEUE      = google_cloud_tasks_queue.campaigns.id
        CLOUD_TASKS_INVOKER_SA = google_service_account.tasks_invoker.email
        CAMPAIGN_SEND_URL      = local.function_run_urls.campaign_send
        CRM_WEBHOOK_URL        = var.crm_webhook_url
      }
    }
  }

  required_apis = toset([
    "apikeys.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "cloudtasks.googleapis.com",
    "eventarc.googleapis.com",
    "firebaserules.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "identitytoolkit.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "securetoken.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "this" {
  for_each = local.required_apis

  project = var.project_id
  service = each.value

  # Other workloads in the project may use these APIs too.
  disable_on_destroy = false
}
