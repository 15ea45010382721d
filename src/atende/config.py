"""Settings from the environment, with the dev defaults documented in the README.

Secrets arrive as environment variables in every deployment (Secret Manager
mounts them so), which keeps this the only place that reads configuration.
A malformed value (`OUTBOUND_MAX_ATTEMPTS=four`, a base URL without a scheme)
stops the function at its first request with an error naming the variable,
instead of surfacing later as a confusing failure deep in a send.

Production is where Cloud Run runs the code: `K_SERVICE` is set by the platform
on every Cloud Functions (2nd gen) instance, however it was deployed, and only
`ATENDE_DEV=1` (set by the dev stack) opts out. There a function whose
required secrets are missing refuses to build its service (`require_secrets`)
instead of failing closed on every request.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, Field, TypeAdapter
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_GRAPH_API_BASE_URL = "https://graph.facebook.com"
_HTTP_URL = TypeAdapter(AnyHttpUrl)


def _base_url(value: str) -> str:
    """An http(s) URL (or empty: not set), kept as written minus a trailing slash, for joining paths."""
    if value:
        _HTTP_URL.validate_python(value)
    return value.rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_base_url)]


class MissingSecrets(RuntimeError):
    """A production function started without a secret it cannot work without."""


class Settings(BaseSettings):
    # An empty variable counts as unset, so `FOO=` in a .env or Terraform gets the default, as before.
    model_config = SettingsConfigDict(frozen=True, env_ignore_empty=True, extra="ignore")

    project: str = Field("demo-atende", validation_alias="GOOGLE_CLOUD_PROJECT")
    meta_app_secret: str = Field("", validation_alias="META_APP_SECRET", repr=False)
    meta_verify_token: str = Field("", validation_alias="META_VERIFY_TOKEN", repr=False)
    whatsapp_token: str = Field("", validation_alias="WHATSAPP_TOKEN", repr=False)
    graph_api_base_url: BaseUrl = Field(DEFAULT_GRAPH_API_BASE_URL, validation_alias="GRAPH_API_BASE_URL")
    graph_api_version: str = Field("v25.0", validation_alias="GRAPH_API_VERSION")
    # How long a send waits for Meta's answer before its outcome is unknown (channels/meta/graph.py).
    graph_read_timeout_s: float = Field(30.0, validation_alias="GRAPH_READ_TIMEOUT_S", gt=0)
    gemini_api_key: str = Field("", validation_alias="GEMINI_API_KEY", repr=False)
    gemini_model: str = Field("gemini-2.5-flash", validation_alias="GEMINI_MODEL")
    gemini_base_url: BaseUrl = Field("", validation_alias="GEMINI_BASE_URL")
    outbound_max_attempts: int = Field(4, validation_alias="OUTBOUND_MAX_ATTEMPTS", ge=1)
    outbound_backoff_s: float = Field(0.5, validation_alias="OUTBOUND_BACKOFF_S", ge=0)
    # Media: a Cloud Storage bucket in production; locally a folder served by the dev stack.
    media_bucket: str = Field("", validation_alias="MEDIA_BUCKET")
    media_dir: str = Field("", validation_alias="MEDIA_DIR")
    media_base_url: BaseUrl = Field("", validation_alias="MEDIA_BASE_URL")
    # Signs local media links (no bucket); its own key, never another secret's.
    media_url_secret: str = Field("", validation_alias="MEDIA_URL_SECRET", repr=False)
    media_url_ttl_s: int = Field(3600, validation_alias="MEDIA_URL_TTL_S", gt=0)
    # Comma-separated; empty: Meta's media hosts only.
    media_allowed_hosts: str = Field("", validation_alias="MEDIA_ALLOWED_HOSTS")
    # The business's ERP: the demo ERP unless a REST mapping file is given (see atende.erp.rest).
    erp_mapping: str = Field("", validation_alias="ERP_MAPPING")
    erp_base_url: BaseUrl = Field("", validation_alias="ERP_BASE_URL")
    erp_token: str = Field("", validation_alias="ERP_TOKEN", repr=False)
    # The `events` function: the HMAC secret businesses sign their pushes with.
    events_secret: str = Field("", validation_alias="EVENTS_SECRET", repr=False)
    # Follow-up e-mails' unsubscribe links: their own key, and the `unsubscribe` function's public URL.
    unsubscribe_secret: str = Field("", validation_alias="UNSUBSCRIBE_SECRET", repr=False)
    unsubscribe_url: BaseUrl = Field("http://127.0.0.1:5001/unsubscribe", validation_alias="UNSUBSCRIBE_URL")
    # Follow-up e-mail (SendGrid); the dev stack points the client's host at its stand-in.
    sendgrid_api_key: str = Field("", validation_alias="SENDGRID_API_KEY", repr=False)
    sendgrid_host: BaseUrl = Field("https://api.sendgrid.com", validation_alias="SENDGRID_API_HOST")
    mail_from: str = Field("contato@conectafibra.example.com.br", validation_alias="MAIL_FROM")
    # How long an instance trusts config/* and flows/* before rereading.
    config_ttl_s: float = Field(30.0, validation_alias="ATENDE_CONFIG_TTL_S", ge=0)

    # Set by Cloud Run on every deployed instance; ATENDE_DEV=1 marks the dev stack.
    k_service: str = Field("", validation_alias="K_SERVICE")
    dev: bool = Field(False, validation_alias="ATENDE_DEV")

    @property
    def production(self) -> bool:
        return bool(self.k_service) and not self.dev

    def require_secrets(self, service: str, *fields: str) -> None:
        """In production, stop `service` at start-up naming every required secret that is unset."""
        if not self.production:
            return
        missing = [str(type(self).model_fields[f].validation_alias) for f in fields if not getattr(self, f)]
        if missing:
            raise MissingSecrets(
                f"{service} cannot start in production ({self.k_service}): missing secret(s) "
                f"{', '.join(missing)}; add a version to each (terraform/README.md)"
            )

    @classmethod
    def from_env(cls) -> Settings:
        """The settings in force: the process environment over the defaults (raises ValidationError)."""
        return cls()
