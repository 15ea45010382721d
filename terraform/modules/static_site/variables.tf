variable "project_id" {
  description = "Project that holds the bucket and the load balancer."
  type        = string
}

variable "name" {
  description = "Name of the load balancer's resources (backend bucket, URL map, certificate, proxy, address, rule), e.g. atende-inbox."
  type        = string
}

variable "bucket_name" {
  description = "Name of the bucket that holds the site's files."
  type        = string
}

variable "location" {
  description = "Location of the bucket."
  type        = string
}

variable "labels" {
  description = "Labels of the bucket."
  type        = map(string)
  default     = {}
}

variable "domain" {
  description = "Domain served over HTTPS by the load balancer (managed certificate); empty: no load balancer, the bucket alone."
  type        = string
  default     = ""
}

variable "single_page_app" {
  description = "Answer index.html for / and for any path that is not a file, so a client-side route survives a reload."
  type        = bool
  default     = false
}

variable "cors_origins" {
  description = "Origins allowed to read the files with CORS (GET, HEAD); empty: no CORS."
  type        = list(string)
  default     = []
}

variable "extra_response_headers" {
  description = "Response headers (\"Name: value\") the load balancer adds to every response, after the ones every site gets (nosniff, HSTS, Referrer-Policy)."
  type        = list(string)
  default     = []
}

variable "config_json" {
  description = "Content of config.json, the runtime configuration the site's JavaScript fetches (where the functions are, the Firebase web configuration)."
  type        = string
}

variable "config_cache_control" {
  description = "Cache-Control of config.json: how long a change (a new API key, a moved function) may take to reach browsers."
  type        = string
  default     = "no-store"
}
