# Firebase Auth with Identity Platform: the business's people sign in with e-mail and password, and each
# may add a TOTP second factor (an authenticator app) from the inbox header.
#
# One configuration per project; creating it turns Identity Platform on. If it is already on (e.g. from
# the console), import it before the first apply:
#   terraform import google_identity_platform_config.this projects/PROJECT_ID/config
# Settings not named here (authorized domains, templates, SMS) are read back and left as they are.
#
# Client sign-up (`client.permissions.disabled_user_signup`) is left on: per the API's own description it
# would also refuse web-chat visitors, whose first signInWithCustomToken creates their account.
# docs/architecture.md, "Decisions", says why and what turning it off would take.

resource "google_identity_platform_config" "this" {
  project = var.project_id

  sign_in {
    allow_duplicate_emails = false

    email {
      enabled           = true
      password_required = true
    }
  }

  mfa {
    # TOTP only (no SMS). ENABLED lets each person choose; MANDATORY would force everyone to enrol.
    provider_configs {
      state = "ENABLED"

      totp_provider_config {
        # Codes of 5 adjacent 30-second steps either side are accepted (clock skew); the local
        # stand-in (src/atende/dev/totp_standin.py) accepts the same window.
        adjacent_intervals = 5
      }
    }
  }

  depends_on = [google_project_service.this]
}
