"""Meta Graph API over HTTP.

The base URL is configurable so the dev stack and the tests reach a local
stand-in through this same client: the code that talks to Meta in production
is the code under test.

A failure is `ambiguous` when the request may have reached Meta (a read or write
timeout, a connection dropped before the answer): retrying it could deliver a
message twice, so the caller must not (docs/architecture.md, "At most once").
A failure to connect, or to get a connection from the pool, never left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from atende.domain.errors import MediaTooLarge


@dataclass(eq=False)  # not frozen: raising through a context manager sets __traceback__
class GraphError(Exception):
    """A failed Graph call, with what Meta said (or what the network did)."""

    http_status: int | None
    code: int | None
    message: str
    details: str | None = None
    retry_after_s: float | None = None
    ambiguous: bool = False  # the request may have been processed: its outcome is unknown

    def __str__(self) -> str:
        return f"Graph error {self.code} (HTTP {self.http_status}): {self.message}"


# Meta documents no deadline for its send endpoints. Connecting is quick or broken (5 s, retried safely:
# nothing left); an answer may be slow under load and giving up on it makes the send's outcome unknown,
# which costs an agent's attention, so the read timeout is well past Meta's slow tail (30 s) and still far
# inside the outbound function's timeout.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
WRITE_TIMEOUT_S = 10.0
POOL_TIMEOUT_S = 5.0
_NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def timeouts(read_s: float = READ_TIMEOUT_S) -> httpx.Timeout:
    return httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=read_s, write=WRITE_TIMEOUT_S, pool=POOL_TIMEOUT_S)


class GraphClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        timeout: httpx.Timeout | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/{version}"
        self._http = http or httpx.Client(
            timeout=timeout or timeouts(), limits=httpx.Limits(max_connections=50)
        )

    def post(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, token, json=body)

    def get(self, path: str, token: str) -> dict[str, Any]:
        return self._call("GET", path, token)

    def _call(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(
                method,
                f"{self._base}/{path.lstrip('/')}",
                headers={"Authorization": f"Bearer {token}"},
                **kwargs,
            )
        except _NEVER_LEFT as exc:
            raise GraphError(None, None, f"not sent ({type(exc).__name__}): {exc}") from exc
        except httpx.TimeoutException as exc:
            raise GraphError(None, None, f"no answer ({type(exc).__name__}): {exc}", ambiguous=True) from exc
        except httpx.TransportError as exc:
            lost = f"answer lost ({type(exc).__name__}): {exc}"
            raise GraphError(None, None, lost, ambiguous=True) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400 or "error" in data:
            raise _error_from(response, data)
        return data

    def download(
        self, url: str, token: str | None, max_bytes: int, timeout_s: float = 40.0
    ) -> tuple[bytes, str | None]:
        """Stream a media file, stopping as soon as it exceeds `max_bytes` (raises MediaTooLarge)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with self._http.stream("GET", url, headers=headers, timeout=timeout_s) as response:
                if response.status_code >= 400:
                    response.read()
                    raise GraphError(
                        response.status_code, None, f"download failed: HTTP {response.status_code}"
                    )
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > max_bytes:
                    raise MediaTooLarge(f"{declared} bytes > {max_bytes}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(f"more than {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("Content-Type")
        except httpx.TimeoutException as exc:
            raise GraphError(None, None, f"download timeout: {exc}") from exc
        except httpx.TransportError as exc:
            raise GraphError(None, None, f"download network error: {exc}") from exc


def _error_from(response: httpx.Response, data: dict[str, Any]) -> GraphError:
    err = data.get("error") if isinstance(data.get("error"), dict) else {}
    retry_after = response.headers.get("Retry-After")
    try:
        code = int(err["code"]) if "code" in err else None
    except (TypeError, ValueError):
        code = None
    return GraphError(
        http_status=response.status_code,
        code=code,
        message=str(err.get("message") or response.reason_phrase or "error"),
        details=(err.get("error_data") or {}).get("details")
        if isinstance(err.get("error_data"), dict)
        else None,
        retry_after_s=float(retry_after)
        if retry_after and retry_after.replace(".", "", 1).isdigit()
        else None,
    )
