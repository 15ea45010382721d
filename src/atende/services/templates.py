"""WhatsApp templates: Meta's catalog copied per number into `templates`, created there, previewed here.

The copy is what the inbox's template picker and campaigns read; `sync` makes
it Meta's again (new, changed, re-reviewed templates; those Meta no longer has
become `DELETED`). A template created here is `PENDING` until Meta reviews it,
and a later sync brings its verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.model import Channel
from atende.domain.templates import CatalogFailed, MessageTemplate, TemplateDraft, TemplateInvalid


class TemplateCatalog(Protocol):
    """Meta's side: the WABA's `message_templates` edge."""

    def list(self, waba_id: str, account_id: str) -> list[dict[str, Any]]: ...

    def create(self, waba_id: str, account_id: str, request: Mapping[str, Any]) -> dict[str, Any]: ...


class TemplateStore(Protocol):
    def replace(self, account_id: str, templates: Sequence[MessageTemplate]) -> int:
        """Write these; mark the account's others `DELETED`; returns how many were marked."""

    def put(self, template: MessageTemplate) -> None: ...

    def list(self, account_id: str | None) -> list[MessageTemplate]: ...


class TemplateService:
    def __init__(
        self, catalog: TemplateCatalog, store: TemplateStore, channels: Callable[[], ChannelRegistry]
    ) -> None:
        self._catalog = catalog
        self._store = store
        self._channels = channels

    def sync(self, account_id: str | None = None) -> dict[str, dict[str, int]]:
        """Per WhatsApp number (with its WABA configured): how many templates it has, how many went away."""
        report: dict[str, dict[str, int]] = {}
        for config in self._numbers(account_id):
            assert config.waba_id is not None
            items = self._catalog.list(config.waba_id, config.account_id)
            templates = [MessageTemplate.from_graph(config.account_id, i) for i in items if i.get("name")]
            gone = self._store.replace(config.account_id, templates)
            report[config.account_id] = {"templates": len(templates), "deleted": gone}
        return report

    def propose(self, account_id: str, draft: TemplateDraft) -> MessageTemplate:
        """Checked and stored as PENDING, for the console, which cannot call Meta (no token): campaign_send
        `create`s it from a task. Refused here: a broken draft, a number without WABA, a name in use."""
        template = draft.template(account_id)
        self._number(account_id)
        taken = next((t for t in self._store.list(account_id) if t.id == template.id), None)
        if taken is not None and taken.status not in ("REJECTED", "DELETED"):
            said = f"Já existe o modelo {draft.name} em {draft.language} neste número"
            raise TemplateInvalid(said, {"name": said})
        self._store.put(template)
        return template

    def create(self, account_id: str, draft: TemplateDraft) -> MessageTemplate:
        """Submitted to Meta for review; a refusal is kept as REJECTED with Meta's words, for the list."""
        config = self._number(account_id)
        request = draft.request()
        assert config.waba_id is not None
        try:
            answer = self._catalog.create(config.waba_id, account_id, request)
        except CatalogFailed as refused:
            rejected = draft.template(account_id, {"status": "REJECTED"})
            self._store.put(replace(rejected, rejected_reason=str(refused)))
            raise
        template = draft.template(account_id, answer)
        self._store.put(template)
        return template

    def list(self, account_id: str | None = None) -> list[MessageTemplate]:
        return self._store.list(account_id)

    def preview(self, account_id: str, name: str, language: str, params: Sequence[str]) -> str:
        found = next(
            (t for t in self._store.list(account_id) if (t.name, t.language) == (name, language)), None
        )
        if found is None:
            raise TemplateInvalid(f"Modelo {name} ({language}) não encontrado neste número")
        found.check_params(params)
        return found.preview(params)

    def _numbers(self, account_id: str | None) -> list[ChannelConfig]:
        numbers = [
            c
            for c in self._channels().all()
            if c.channel == Channel.WHATSAPP and c.waba_id and account_id in (None, c.account_id)
        ]
        if account_id is not None and not numbers:
            raise TemplateInvalid(f"Número {account_id} sem conta do WhatsApp Business (waba_id) configurada")
        return numbers

    def _number(self, account_id: str) -> ChannelConfig:
        return self._numbers(account_id)[0]
