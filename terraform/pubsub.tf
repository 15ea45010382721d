# Topics, dead-letter topics and the push subscriptions that deliver to the
# consumer functions.
#
# We deliberately do not use the functions' event_trigger: Eventarc would own
# the subscription, and we need the dead-letter policy, ordering and retries in
# Terraform. Each consumer instead gets a push subscription `<topic>-<target>`
# (the names in src/atende/topology.py, which the dev stack also uses) that
# calls its function's run.app URL with an OIDC token. The
# `/projects/P/topics/T` path suffix lets functions-framework fill in the
# CloudEvent source.

locals {
  week = "604800s"
}

# Encryption: Google-managed keys by default (Pub/Sub, Cloud Storage, Firestore and
# Secret Manager all encrypt at rest). Customer-supplied keys (CSEK) do not exist for
# Pub/Sub; customer-managed keys (CMEK) are an opt-in through var.pubsub_kms_key_name.

resource "google_pubsub_topic" "this" {
  # checkov:skip=CKV_GCP_83:Google-managed keys are the chosen default; CMEK is optional via var.pubsub_kms_key_name
  for_each = local.topics

  project      = var.project_id
  name         = each.value
  labels       = local.labels
  kms_key_name = var.pubsub_kms_key_name

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.this, google_kms_crypto_key_iam_member.pubsub]
}

# CMEK, when chosen: Pub/Sub encrypts with the key as its service agent.
resource "google_kms_crypto_key_iam_member" "pubsub" {
  count = var.pubsub_kms_key_name == null ? 0 : 1

  crypto_key_id = var.pubsub_kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = local.pubsub_service_agent
}

# One dead-letter topic per topic; topic retention allows a replay (seek) even
# after a message has been acked on the inspect subscription.
resource "google_pubsub_topic" "dead_letter" {
  # checkov:skip=CKV_GCP_83:Google-managed keys are the chosen default; CMEK is optional via var.pubsub_kms_key_name
  for_each = local.topics

  project                    = var.project_id
  name                       = "${each.value}${local.dead_letter_suffix}"
  labels                     = local.labels
  message_retention_duration = local.week
  kms_key_name               = var.pubsub_kms_key_name

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.this, google_kms_crypto_key_iam_member.pubsub]
}

# Pull subscription on each dead-letter topic so that dead-lettered messages
# are kept (7 days) for inspection and replay instead of being dropped.
resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each = local.topics

  project                    = var.project_id
  name                       = "${each.value}${local.dead_letter_suffix}-inspect"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = local.week

  # A pull subscription nobody reads would otherwise expire after 31 days.
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.consumers

  project                    = var.project_id
  name                       = "${local.topics[each.value]}-${replace(each.key, "_", "-")}"
  topic                      = google_pubsub_topic.this[each.value].id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = local.week
  enable_message_ordering    = true

  expiration_policy {
    ttl = ""
  }

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.this[each.key].service_config[0].uri}/projects/${var.project_id}/topics/${local.topics[each.value]}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.this[each.key].service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value].id
    max_delivery_attempts = 5
  }

  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "60s"
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.pubsub_push,
    google_service_account_iam_member.pubsub_push_token_creator,
  ]
}

# The Pub/Sub service agent forwards undeliverable messages: it must publish to
# the dead-letter topics and subscribe (acknowledge) on the source
# subscriptions, or the dead-letter policy silently does nothing.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.topics

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.key].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.consumers

  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Every dead-letter topic is also pushed to the `dead_letters` function, which
# writes each message to omni_logs and counts it in channel health (docs/reports.md).
# No dead-letter policy here: a message it cannot record yet is retried for the
# week the subscription keeps it. Subscription names as in topology.py's
# DEAD_LETTER_CONSUMERS: "<topic>-dlq-dead-letters".
resource "google_pubsub_subscription" "dead_letters" {
  for_each = local.topics

  project                    = var.project_id
  name                       = "${each.value}${local.dead_letter_suffix}-dead-letters"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = local.week

  expiration_policy {
    ttl = ""
  }

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.this["dead_letters"].service_config[0].uri}/projects/${var.project_id}/topics/${each.value}${local.dead_letter_suffix}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.this["dead_letters"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.dead_letters_push,
    google_service_account_iam_member.pubsub_push_token_creator,
  ]
}

resource "google_cloud_run_v2_service_iam_member" "dead_letters_push" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this["dead_letters"].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}
