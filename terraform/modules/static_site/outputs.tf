output "bucket" {
  description = "Bucket to upload the site's built files to (`atende deploy web`)."
  value       = google_storage_bucket.this.name
}

output "base_url" {
  description = "Where the site's files are served from, with a trailing slash: the domain when there is one, else the bucket's public URL."
  value       = var.domain == "" ? "https://storage.googleapis.com/${google_storage_bucket.this.name}/" : "https://${var.domain}/"
}

output "ip_address" {
  description = "Address to point the domain's A record at (null without a domain)."
  value       = var.domain == "" ? null : google_compute_global_address.this[0].address
}
