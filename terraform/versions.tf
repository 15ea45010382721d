terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region

  # Firebase Rules (and a few other APIs) refuse user ADC credentials without a
  # quota project; bill the calls to the target project.
  user_project_override = true
  billing_project       = var.project_id

  default_labels = local.labels
}
