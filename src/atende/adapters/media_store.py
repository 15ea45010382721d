"""Where media files live: Cloud Storage in production, a local folder under `make dev`.

Both hand out short-lived URLs: a V4 signed URL for Cloud Storage (signed
through the IAM API when the function's credentials hold no private key, as on
Cloud Functions), and an HMAC-signed `/media/...` URL locally that the dev
stack's server checks with the same secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote


def local_signature(path: str, expires: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def local_url_valid(path: str, expires: str, signature: str, secret: str, now: float | None = None) -> bool:
    try:
        deadline = int(expires)
    except ValueError:
        return False
    if deadline < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(local_signature(path, deadline, secret), signature)


class LocalMediaStore:
    def __init__(self, root: Path, base_url: str, secret: str) -> None:
        self._root = root
        self._base_url = base_url.rstrip("/")
        self._secret = secret

    def put(self, path: str, data: bytes, content_type: str) -> None:
        target = self.file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.with_name(target.name + ".meta.json").write_text(json.dumps({"contentType": content_type}))

    def url(self, path: str, ttl_s: int) -> str:
        expires = int(time.time() + ttl_s)
        signature = local_signature(path, expires, self._secret)
        return f"{self._base_url}/media/{quote(path)}?expires={expires}&signature={signature}"

    def file(self, path: str) -> Path:
        target = (self._root / path).resolve()
        if self._root.resolve() not in target.parents:
            raise ValueError(f"media path escapes the store: {path}")
        return target

    def read(self, path: str) -> tuple[bytes, str]:
        target = self.file(path)
        meta = target.with_name(target.name + ".meta.json")
        content_type = (
            json.loads(meta.read_text())["contentType"] if meta.exists() else "application/octet-stream"
        )
        return target.read_bytes(), content_type


class GcsMediaStore:
    def __init__(self, bucket: str, client: Any = None) -> None:
        from google.cloud import storage

        self._client = client or storage.Client()
        self._bucket = self._client.bucket(bucket)

    def put(self, path: str, data: bytes, content_type: str) -> None:
        self._bucket.blob(path).upload_from_string(data, content_type=content_type)

    def url(self, path: str, ttl_s: int) -> str:
        blob = self._bucket.blob(path)
        credentials = self._client._credentials
        kwargs: dict[str, Any] = {"version": "v4", "expiration": timedelta(seconds=ttl_s), "method": "GET"}
        if not hasattr(credentials, "sign_bytes"):  # runtime credentials: sign through IAM signBlob
            import google.auth.transport.requests

            credentials.refresh(google.auth.transport.requests.Request())
            kwargs |= {
                "service_account_email": credentials.service_account_email,
                "access_token": credentials.token,
            }
        return blob.generate_signed_url(**kwargs)
