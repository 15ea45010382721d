"""The WhatsApp Business Account's `message_templates` edge: list every template (paged), create one.

Templates belong to the WABA, not to a phone number, and are reached with the
token of a number of that WABA (the system user's token has both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from atende.channels.meta.graph import GraphClient, GraphError
from atende.channels.meta.senders import Tokens, token_for
from atende.domain.templates import CatalogFailed

FIELDS = "id,name,language,category,status,components,rejected_reason"
PAGE = 100


def catalog(base_url: str, version: str, tokens: Tokens) -> MetaTemplates:
    """The template catalog over its own Graph client (the CLI and the console use it, not the senders)."""
    return MetaTemplates(GraphClient(base_url, version), tokens)


class MetaTemplates:
    def __init__(self, graph: GraphClient, tokens: Tokens) -> None:
        self._graph = graph
        self._tokens = tokens

    def list(self, waba_id: str, account_id: str) -> list[dict[str, Any]]:
        """Every template of the WABA, following the `after` cursor page by page."""
        token = token_for(self._tokens, "whatsapp", account_id)
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = {"fields": FIELDS, "limit": PAGE} | ({"after": after} if after else {})
            path = f"{waba_id}/message_templates?{urlencode(query)}"
            page = self._call(lambda path=path: self._graph.get(path, token))
            found += [t for t in page.get("data") or [] if isinstance(t, dict)]
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return found

    def create(self, waba_id: str, account_id: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """Meta answers `{id, status, category}`; the status is usually PENDING until reviewed."""
        token = token_for(self._tokens, "whatsapp", account_id)
        return self._call(lambda: self._graph.post(f"{waba_id}/message_templates", token, dict(request)))

    @staticmethod
    def _call(call: Any) -> dict[str, Any]:
        try:
            return call()
        except GraphError as error:
            said = f"Meta recusou ({error.code}, HTTP {error.http_status}): {error.message}"
            raise CatalogFailed(said) from error
