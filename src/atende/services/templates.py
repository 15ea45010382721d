"""WhatsApp templates: Meta's catalog copied per number into `templates`, created there, previewed here.

The copy is what the inbox's template picker and campaigns read; `sync` makes
it Meta's again (new, changed, re-reviewed templates; those Meta no longer has
become `DELETED`). A template created here is `PENDING` until Meta reviews it,
and a later sync brings its verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.model import Channel
from atende.domain.templates import MessageTemplate, TemplateInvalid, creation_request


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

    def create(
        self, account_id: str, *, name: str, language: str, category: str, body: str, examples: Sequence[str]
    ) -> MessageTemplate:
        config = self._number(account_id)
        request = creation_request(
            name=name, language=language, category=category, body=body, examples=examples
        )
        assert config.waba_id is not None
        answer = self._catalog.create(config.waba_id, account_id, request)
        template = MessageTemplate(
            account_id=account_id,
            name=name,
            language=language,
            category=str(answer.get("category") or category),
            status=str(answer.get("status") or "PENDING"),
            components=tuple(request["components"]),
            meta_id=str(answer["id"]) if answer.get("id") is not None else None,
        )
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
