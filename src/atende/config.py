"""Settings from the environment, with the dev defaults documented in the README.

Secrets arrive as environment variables in every deployment (Secret Manager
mounts them so), which keeps this the only place that reads configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_GRAPH_API_BASE_URL = "https://graph.facebook.com"


@dataclass(frozen=True)
class Settings:
    project: str
    meta_app_secret: str
    meta_verify_token: str
    whatsapp_token: str
    graph_api_base_url: str
    graph_api_version: str
    gemini_api_key: str
    gemini_model: str
    gemini_base_url: str
    outbound_max_attempts: int
    outbound_backoff_s: float
    # Media: a Cloud Storage bucket in production; locally a folder served by the dev stack.
    media_bucket: str = ""
    media_dir: str = ""
    media_base_url: str = ""
    media_url_secret: str = ""
    media_url_ttl_s: int = 3600
    media_allowed_hosts: str = ""  # comma-separated; empty: Meta's media hosts only
    # The business's ERP: the demo ERP unless a REST mapping file is given (see atende.erp.rest).
    erp_mapping: str = ""
    erp_base_url: str = ""
    erp_token: str = ""
    config_ttl_s: float = 30.0  # how long an instance trusts config/* and flows/* before rereading

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            project=env.get("GOOGLE_CLOUD_PROJECT") or "demo-atende",
            meta_app_secret=env.get("META_APP_SECRET", ""),
            meta_verify_token=env.get("META_VERIFY_TOKEN", ""),
            whatsapp_token=env.get("WHATSAPP_TOKEN", ""),
            graph_api_base_url=(env.get("GRAPH_API_BASE_URL") or DEFAULT_GRAPH_API_BASE_URL).rstrip("/"),
            graph_api_version=env.get("GRAPH_API_VERSION") or "v25.0",
            gemini_api_key=env.get("GEMINI_API_KEY", ""),
            gemini_model=env.get("GEMINI_MODEL") or "gemini-2.5-flash",
            gemini_base_url=env.get("GEMINI_BASE_URL", ""),
            outbound_max_attempts=int(env.get("OUTBOUND_MAX_ATTEMPTS") or 4),
            outbound_backoff_s=float(env.get("OUTBOUND_BACKOFF_S") or 0.5),
            media_bucket=env.get("MEDIA_BUCKET", ""),
            media_dir=env.get("MEDIA_DIR", ""),
            media_base_url=(env.get("MEDIA_BASE_URL") or "").rstrip("/"),
            media_url_secret=env.get("MEDIA_URL_SECRET") or env.get("META_APP_SECRET", ""),
            media_url_ttl_s=int(env.get("MEDIA_URL_TTL_S") or 3600),
            media_allowed_hosts=env.get("MEDIA_ALLOWED_HOSTS", ""),
            erp_mapping=env.get("ERP_MAPPING", ""),
            erp_base_url=env.get("ERP_BASE_URL", ""),
            erp_token=env.get("ERP_TOKEN", ""),
            config_ttl_s=float(env.get("ATENDE_CONFIG_TTL_S") or 30),
        )
