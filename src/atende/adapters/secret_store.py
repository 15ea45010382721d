"""Where the console puts channel tokens: Secret Manager in production, an env file in development.

Both are keyed by the environment variable a channel configuration names (`token_env`), which is how
the functions read the token: in production Terraform mounts secret `atende-<name in kebab case>` as
that variable (terraform/secrets.tf, `channel_tokens`), in `make dev` the stack loads the env file into
the functions' environment when it starts. Either way a new token reaches the functions' next
instances, not the running ones (docs/console.md).
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

from atende.services.settings.errors import SettingRefused

SECRET_MANAGER = "https://secretmanager.googleapis.com/v1"
_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def secret_id(name: str) -> str:
    """`WHATSAPP_TOKEN_SUPORTE` → `atende-whatsapp-token-suporte`, as terraform/secrets.tf names it."""
    return "atende-" + name.lower().replace("_", "-")


class EnvFileSecretStore:
    """`NAME=value` lines in a file only its owner reads; a variable already in the environment counts
    as set (the dev defaults)."""

    def __init__(self, path: Path, environ: dict[str, str] | None = None) -> None:
        self.path = path
        self.environ = os.environ if environ is None else environ

    def read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        lines = (_LINE.match(line) for line in self.path.read_text(encoding="utf-8").splitlines())
        return {m.group(1): m.group(2) for m in lines if m}

    def put(self, name: str, value: str) -> None:
        if "\n" in value or "\r" in value:
            raise SettingRefused("O token não pode ter quebras de linha")
        values = {**self.read(), name: value}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(f"{k}={v}\n" for k, v in sorted(values.items()))

    def has(self, name: str) -> bool:
        return bool(self.read().get(name) or self.environ.get(name))


class SecretManagerSecretStore:
    """Secret Manager's REST API with the function's own credentials (no client library needed): a new
    version of an existing secret. The secret itself is Terraform's, so an account whose variable is not
    in `channel_tokens` is refused with what to add."""

    def __init__(self, project: str, session: Any | None = None) -> None:
        self.project = project
        self._session = session

    @property
    def session(self) -> Any:
        if self._session is None:
            import google.auth
            from google.auth.transport.requests import AuthorizedSession

            credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
            self._session = AuthorizedSession(credentials)
        return self._session

    def _url(self, name: str) -> str:
        return f"{SECRET_MANAGER}/projects/{self.project}/secrets/{secret_id(name)}"

    def put(self, name: str, value: str) -> None:
        data = base64.b64encode(value.encode()).decode()
        response = self.session.post(f"{self._url(name)}:addVersion", json={"payload": {"data": data}})
        if response.status_code == 404:
            raise SettingRefused(
                f"O segredo {secret_id(name)} não existe: inclua {name} em channel_tokens no Terraform"
            )
        response.raise_for_status()

    def has(self, name: str) -> bool:
        response = self.session.get(f"{self._url(name)}/versions/latest")
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return response.json().get("state") == "ENABLED"
