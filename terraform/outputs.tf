output "webhook_urls" {
  description = "Callback URLs to paste in the Meta app dashboard (WhatsApp, Messenger and Instagram webhooks), keyed by target."
  value = {
    for target, f in google_cloudfunctions2_function.this : target => f.url if local.functions[target].public
  }
}

output "function_uris" {
  description = "run.app URI of every function (Pub/Sub push endpoints and Cloud Tasks targets use these)."
  value       = { for target, f in google_cloudfunctions2_function.this : target => f.service_config[0].uri }
}

output "topics" {
  description = "Pub/Sub topic names."
  value       = { for key, t in google_pubsub_topic.this : key => t.name }
}

output "dead_letter_inspect_subscriptions" {
  description = "Pull subscriptions holding dead-lettered messages (gcloud pubsub subscriptions pull NAME --auto-ack=false)."
  value       = { for key, s in google_pubsub_subscription.dead_letter_inspect : key => s.name }
}

output "secret_ids" {
  description = "Secrets whose values must be added with `gcloud secrets versions add ID --data-file=-` before the functions can start."
  value       = sort([for s in google_secret_manager_secret.this : s.secret_id])
}

output "campaign_queue" {
  description = "Full name of the Cloud Tasks queue used for campaigns."
  value       = google_cloud_tasks_queue.campaigns.id
}

output "service_accounts" {
  description = "Service account emails, per function dir plus the push, tasks and build identities."
  value = merge(
    { for dir, sa in google_service_account.function : dir => sa.email },
    {
      pubsub_push   = google_service_account.pubsub_push.email
      tasks_invoker = google_service_account.tasks_invoker.email
      build         = google_service_account.build.email
    },
  )
}

output "source_bucket" {
  description = "Bucket holding the function source archives."
  value       = google_storage_bucket.source.name
}

output "project_id" {
  description = "Project these outputs belong to (`atende deploy web --project` must name the same)."
  value       = var.project_id
}

output "inbox" {
  description = "The inbox and console: its bucket (`atende deploy web` uploads web/inbox/dist there), its URL, and the address to point inbox_domain's A record at."
  value = {
    bucket = module.inbox.bucket
    url    = var.inbox_domain == "" ? null : module.inbox.base_url
    ip     = module.inbox.ip_address
  }
}

output "widget" {
  description = "The web-chat widget: its bucket (`atende deploy web` uploads web/widget/dist there), the snippet's script URL, and the address to point widget_domain's A record at."
  value = {
    bucket = module.widget.bucket
    url    = "${module.widget.base_url}atende-widget.js"
    ip     = module.widget.ip_address
  }
}
