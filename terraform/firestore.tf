# Firestore (native mode), its security rules and composite indexes.
#
# Rules come from ../firestore.rules and indexes from ../firestore.indexes.json
# (the files the Firebase emulator and `firebase deploy` use), so there is a
# single source of truth for both.

locals {
  firestore_database     = "(default)"
  firestore_indexes_file = "${path.module}/../firestore.indexes.json"
  firestore_indexes = fileexists(local.firestore_indexes_file) ? try(
    jsondecode(file(local.firestore_indexes_file)).indexes, []
  ) : []
}

resource "google_firestore_database" "this" {
  count = var.create_firestore_database ? 1 : 0

  project                 = var.project_id
  name                    = local.firestore_database
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  # `terraform destroy` only forgets the database; the data is never deleted.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.this]
}

resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id

  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/../firestore.rules")
    }
  }

  # A ruleset in use by the release cannot be deleted: create the new one first.
  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_project_service.this, google_firestore_database.this]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = "cloud.firestore"
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"
}

resource "google_firestore_index" "this" {
  for_each = {
    for idx in local.firestore_indexes :
    join("/", concat(
      [idx.collectionGroup, try(idx.queryScope, "COLLECTION")],
      [for f in idx.fields : "${f.fieldPath}:${try(f.order, f.arrayConfig, "")}"],
    )) => idx
  }

  project     = var.project_id
  database    = local.firestore_database
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields

    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }

  depends_on = [google_firestore_database.this]
}

# Channel-health buckets (`channel_health/{account}/hours/{hour}`) are removed by Firestore a week after
# their hour (`expireAt`); nobody reads older ones (docs/reports.md).
resource "google_firestore_field" "health_hours_ttl" {
  project    = var.project_id
  database   = local.firestore_database
  collection = "hours"
  field      = "expireAt"

  ttl_config {}

  depends_on = [google_firestore_database.this]
}

# Dead letters kept for the console (`dead_letters/{id}`) are removed 30 days after they were first seen
# (`expireAt`); the dead-letter topics' own retention is a week (pubsub.tf).
resource "google_firestore_field" "dead_letters_ttl" {
  project    = var.project_id
  database   = local.firestore_database
  collection = "dead_letters"
  field      = "expireAt"

  ttl_config {}

  # TTL fields need no single-field index.
  index_config {}

  depends_on = [google_firestore_database.this]
}

# The report counters are summed, never filtered on: no single-field indexes on their maps, so each
# increment costs one index entry per naming field instead of one per counter.
resource "google_firestore_field" "metrics_counters_unindexed" {
  for_each = toset(["c", "t", "hour"])

  project    = var.project_id
  database   = local.firestore_database
  collection = "metrics"
  field      = each.value

  index_config {}

  depends_on = [google_firestore_database.this]
}
