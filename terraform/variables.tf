variable "project_id" {
  description = "Google Cloud project that hosts Atende."
  type        = string
}

variable "region" {
  description = "Region for Cloud Functions, Pub/Sub storage, Cloud Tasks, Cloud Scheduler and the source bucket."
  type        = string
  default     = "southamerica-east1"
}

variable "firestore_location" {
  description = "Location of the Firestore (default) database. Cannot be changed after creation."
  type        = string
  default     = "southamerica-east1"
}

variable "create_firestore_database" {
  description = "Create the Firestore (default) database. Set to false when the project already has one (e.g. created from the Firebase console)."
  type        = bool
  default     = true
}

variable "build_dir" {
  description = "Directory holding the staged function sources written by `atende build` (one sub-directory per function dir). Defaults to <repo>/build/functions."
  type        = string
  default     = null
}

variable "webhook_min_instances" {
  description = "Warm instances kept for each Meta webhook function (Meta retries slow webhooks and eventually disables them)."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_min_instances >= 0
    error_message = "webhook_min_instances must be >= 0."
  }
}

variable "webhook_max_instances" {
  description = "Maximum instances for each webhook function."
  type        = number
  default     = 20

  validation {
    condition     = var.webhook_max_instances >= 1
    error_message = "webhook_max_instances must be >= 1."
  }
}

variable "worker_max_instances" {
  description = "Maximum instances for each Pub/Sub-driven function (ai_reply, outbound, message_status, automation_tick)."
  type        = number
  default     = 10

  validation {
    condition     = var.worker_max_instances >= 1
    error_message = "worker_max_instances must be >= 1."
  }
}

variable "enable_gemini" {
  description = "Create the Gemini API key secret and mount it as GEMINI_API_KEY in ai_reply (replies, triage) and outbound and console (personalised campaign parameters, and their preview). Its value must be set before the functions are deployed."
  type        = bool
  default     = true
}

variable "gemini_model" {
  description = "Gemini model used by ai_reply and campaign_send (GEMINI_MODEL)."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "erp_mapping" {
  description = "Mapping file of the business's REST ERP (ERP_MAPPING, a path inside the deployed package, e.g. atende/erp/mappings/<erp>.json). Empty: the seeded demo ERP."
  type        = string
  default     = ""
}

variable "erp_base_url" {
  description = "Base URL of the business's REST ERP (ERP_BASE_URL); overrides the mapping file's own."
  type        = string
  default     = ""
}

variable "enable_erp_token" {
  description = "Create the ERP API token secret and mount it as ERP_TOKEN in ai_reply."
  type        = bool
  default     = false
}

variable "graph_api_version" {
  description = "Meta Graph API version used by the outbound functions (GRAPH_API_VERSION)."
  type        = string
  default     = "v25.0"
}

variable "channel_tokens" {
  description = "Access tokens of further channel accounts (Pages, Instagram accounts, more WhatsApp numbers), as the environment variable names their channel configurations give in token_env. Each becomes a secret atende-<name in lower-kebab-case> mounted in the outbound functions. Only WHATSAPP_TOKEN, MESSENGER_PAGE_TOKEN and INSTAGRAM_TOKEN, optionally with an _UPPER_SNAKE suffix, are accepted: the application never reads any other name as a token."
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([
      for env in var.channel_tokens :
      can(regex("^(INSTAGRAM_TOKEN|MESSENGER_PAGE_TOKEN|WHATSAPP_TOKEN)(_[A-Z0-9_]+)?$", env)) && env != "WHATSAPP_TOKEN"
    ])
    error_message = "Each entry must be WHATSAPP_TOKEN_<SUFFIX>, MESSENGER_PAGE_TOKEN[_<SUFFIX>] or INSTAGRAM_TOKEN[_<SUFFIX>] (WHATSAPP_TOKEN itself is built in)."
  }
}

variable "pubsub_kms_key_name" {
  description = "Cloud KMS key (projects/P/locations/L/cryptoKeys/K, in var.region) that encrypts every Atende topic (CMEK). Null: Google-managed keys, the default choice. The Pub/Sub service agent is granted encrypt/decrypt on the key."
  type        = string
  default     = null
}

variable "enable_storage_data_access_logs" {
  description = "Record reads and writes of Cloud Storage objects (the media and source buckets) in Cloud Audit Logs (Data Access). This takes over the project's audit config for storage.googleapis.com; set to false if it is managed elsewhere."
  type        = bool
  default     = true
}

variable "campaign_max_dispatches_per_second" {
  description = "Rate limit of the atende-campaigns Cloud Tasks queue (tasks per second; Cloud Tasks allows at most 500). Null: src/atende/campaign_queue.json, which the local stand-in reads too. Set it to the sum of the campaign rates of your WhatsApp numbers; each campaign paces itself at its number's rate."
  type        = number
  default     = null

  validation {
    condition     = var.campaign_max_dispatches_per_second == null || try(var.campaign_max_dispatches_per_second > 0 && var.campaign_max_dispatches_per_second <= 500, false)
    error_message = "campaign_max_dispatches_per_second must be in (0, 500]."
  }
}

variable "campaign_max_concurrent_dispatches" {
  description = "Maximum tasks of the atende-campaigns queue in flight at once (Cloud Tasks allows at most 5000). Null: src/atende/campaign_queue.json."
  type        = number
  default     = null

  validation {
    condition     = var.campaign_max_concurrent_dispatches == null || try(var.campaign_max_concurrent_dispatches >= 1 && var.campaign_max_concurrent_dispatches <= 5000, false)
    error_message = "campaign_max_concurrent_dispatches must be in [1, 5000]."
  }
}

variable "automation_schedule" {
  description = "Cron schedule of the automation tick."
  type        = string
  default     = "*/15 * * * *"
}

variable "send_sweep_schedule" {
  description = "Cron schedule of the send sweeper (stalled and retryable sends); keep it at most a minute apart."
  type        = string
  default     = "* * * * *"
}

variable "automation_time_zone" {
  description = "Time zone the automation schedule is evaluated in."
  type        = string
  default     = "America/Sao_Paulo"
}

variable "labels" {
  description = "Extra labels merged into the app = \"atende\" label on every resource that supports labels."
  type        = map(string)
  default     = {}
}

variable "media_url_ttl_seconds" {
  description = "How long a signed URL to a customer's media file stays valid."
  type        = number
  default     = 3600
}

variable "media_retention_days" {
  description = "Days after which stored customer media is deleted."
  type        = number
  default     = 365
}

variable "inbox_origins" {
  description = "Origins (scheme://host[:port]) the agents' inbox is served from besides https://<inbox_domain> (added on its own); the staff functions answer their CORS requests and the inbox's browser key accepts them as referrers."
  type        = list(string)
  default     = []
}

variable "crm_webhook_url" {
  description = "The business's CRM endpoint for Atende's signed events (conversation created, handed off, campaign finished). Empty: no events are sent. When set, put the shared HMAC secret in the atende-crm-webhook-secret secret (docs/crm-webhook.md)."
  type        = string
  default     = ""

  validation {
    condition     = var.crm_webhook_url == "" || can(regex("^https://", var.crm_webhook_url))
    error_message = "crm_webhook_url must be an https:// URL (or empty)."
  }
}

variable "webchat_sites" {
  description = "Site keys (sites/{key} in Firestore) whose identity secret the webchat function reads; each gets the secret atende-webchat-secret-<key>."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for site in var.webchat_sites : can(regex("^[a-z0-9-]{3,40}$", site))])
    error_message = "A site key is 3 to 40 lower-case letters, digits or hyphens."
  }
}

variable "widget_domain" {
  description = "Domain (e.g. chat.example.com) that serves the widget's static files through Cloud CDN; empty: the bucket alone (served from storage.googleapis.com)."
  type        = string
  default     = ""
}

variable "enable_sendgrid" {
  description = "Create the SendGrid API key secret (follow-up e-mails); without it those e-mails are recorded as failed"
  type        = bool
  default     = true
}

variable "mail_from" {
  description = "Sender address of follow-up e-mails (a verified SendGrid sender)"
  type        = string
  default     = "contato@example.com"
}

variable "inbox_domain" {
  description = "Domain (e.g. atendimento.example.com) that serves the agents' inbox and console over HTTPS through Cloud CDN. Its origin is added to inbox_origins. Empty: the inbox is not served (it must be at the root of a domain)."
  type        = string
  default     = ""
}

variable "inbox_locale" {
  description = "Language of the inbox and the console (config.json locale): pt-BR or en."
  type        = string
  default     = "pt-BR"

  validation {
    condition     = contains(["pt-BR", "en"], var.inbox_locale)
    error_message = "inbox_locale must be pt-BR or en."
  }
}
