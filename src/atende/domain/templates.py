"""WhatsApp message templates: what Meta approved, how many parameters each takes, and its preview.

Meta keeps the templates (the WABA's `message_templates` edge); Atende keeps a
copy per number (`templates/<accountId>_<name>_<language>`) so the inbox and
campaigns can offer, check and preview them without calling Meta.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")  # Meta: lowercase letters, digits and underscores
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
BODY_MAX = 1024


class TemplateInvalid(ValueError):
    """A template Meta would refuse, said in pt-BR for the admin."""


class CatalogFailed(RuntimeError):
    """Meta's template catalog could not be read or written (its error, for the admin)."""


@dataclass(frozen=True, kw_only=True)
class MessageTemplate:
    account_id: str
    name: str
    language: str
    category: str
    status: str
    components: tuple[Mapping[str, Any], ...] = ()
    meta_id: str | None = None
    rejected_reason: str | None = None
    synced_at: float | None = None  # when Atende last copied it from Meta
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.account_id}_{self.name}_{self.language}"

    @property
    def body(self) -> str:
        return next((str(c.get("text") or "") for c in self.components if c.get("type") == "BODY"), "")

    @property
    def param_count(self) -> int:
        return body_params(self.body)

    @property
    def approved(self) -> bool:
        return self.status == "APPROVED"

    def preview(self, params: Sequence[str]) -> str:
        return render(self.body, params)

    def check_params(self, params: Sequence[str]) -> None:
        if len(params) != self.param_count:
            raise TemplateInvalid(
                f"O modelo {self.name} pede {self.param_count} parâmetro(s); foram dados {len(params)}"
            )

    @classmethod
    def from_graph(cls, account_id: str, item: Mapping[str, Any]) -> MessageTemplate:
        """One entry of the `message_templates` edge, as Meta returns it."""
        return cls(
            account_id=account_id,
            name=str(item["name"]),
            language=str(item.get("language") or ""),
            category=str(item.get("category") or ""),
            status=str(item.get("status") or ""),
            components=tuple(item.get("components") or ()),
            meta_id=str(item["id"]) if item.get("id") is not None else None,
            rejected_reason=item.get("rejected_reason") if item.get("rejected_reason") != "NONE" else None,
        )


def body_params(body: str) -> int:
    """How many parameters a body takes: its highest `{{n}}`."""
    return max((int(n) for n in PLACEHOLDER.findall(body)), default=0)


def render(body: str, params: Sequence[str]) -> str:
    """The body as the customer will read it; a placeholder without its parameter stays visible."""

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return str(params[index]) if 0 <= index < len(params) else match.group(0)

    return PLACEHOLDER.sub(fill, body)


def creation_request(
    *, name: str, language: str, category: str, body: str, examples: Sequence[str] = ()
) -> dict[str, Any]:
    """The body of a POST to `message_templates`, checked as Meta checks it; examples fill `{{n}}`."""
    if not NAME.fullmatch(name):
        raise TemplateInvalid("Nome do modelo: só letras minúsculas, números e _")
    if category not in CATEGORIES:
        raise TemplateInvalid(f"Categoria: uma de {', '.join(CATEGORIES)}")
    if not body.strip() or len(body) > BODY_MAX:
        raise TemplateInvalid(f"Texto do modelo: de 1 a {BODY_MAX} caracteres")
    count = body_params(body)
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if numbers != list(range(1, count + 1)):
        raise TemplateInvalid("Parâmetros: numere-os em sequência, {{1}}, {{2}}, …")
    if len(examples) != count:
        raise TemplateInvalid(f"Dê um exemplo para cada um dos {count} parâmetro(s)")
    component: dict[str, Any] = {"type": "BODY", "text": body}
    if count:
        component["example"] = {"body_text": [list(examples)]}
    return {"name": name, "language": language, "category": category, "components": [component]}
