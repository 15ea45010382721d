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
AT_END = re.compile(PLACEHOLDER.pattern + "$")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")  # Meta: lowercase letters, digits and underscores
CATEGORIES = ("MARKETING", "UTILITY")  # authentication templates are one-time codes, not written here
LANGUAGES = ("pt_BR", "en_US", "es")
BODY_MAX = 1024
HEADER_MAX = 60  # Meta's limits for a text header, the footer and a quick-reply button
FOOTER_MAX = 60
BUTTON_MAX = 25
BUTTONS_MAX = 3


class TemplateInvalid(ValueError):
    """A template Meta would refuse, said in pt-BR for the admin; `fields` names each faulty field."""

    def __init__(self, reason: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = dict(fields or {})


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


@dataclass(frozen=True, kw_only=True)
class TemplateDraft:
    """A template to submit to Meta, as the CLI and the console take it; `problems` are Meta's rules, checked
    before Meta sees it so the admin learns each faulty field at once instead of after a review."""

    name: str
    category: str
    body: str
    language: str = "pt_BR"
    examples: tuple[str, ...] = ()  # one per {{n}}: Meta reviews the body with them filled in
    header: str | None = None
    footer: str | None = None
    buttons: tuple[str, ...] = ()  # quick replies

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateDraft:
        """Back from `dataclasses.asdict`, as the draft travels in a campaigns-queue task."""
        lists = {k: tuple(str(x) for x in data.get(k) or ()) for k in ("examples", "buttons")}
        return cls(**{**data, **lists})

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not NAME.fullmatch(self.name):
            found["name"] = "Só letras minúsculas, números e _ (até 512)"
        if self.language not in LANGUAGES:
            found["language"] = f"Um de {', '.join(LANGUAGES)}"
        if self.category not in CATEGORIES:
            found["category"] = f"Uma de {', '.join(CATEGORIES)}"
        body = self.body.strip()
        count = body_params(body)
        if not body or len(self.body) > BODY_MAX:
            found["body"] = f"De 1 a {BODY_MAX} caracteres"
        elif sorted({int(n) for n in PLACEHOLDER.findall(body)}) != list(range(1, count + 1)):
            found["body"] = "Numere os parâmetros em sequência: {{1}}, {{2}}, …"
        elif PLACEHOLDER.match(body) or AT_END.search(body):
            found["body"] = "A Meta recusa um parâmetro no início ou no fim do texto"
        if len(self.examples) != count or not all(e.strip() for e in self.examples):
            found["examples"] = f"Dê um exemplo para cada um dos {count} parâmetro(s)"
        if self.header is not None and not _short_text(self.header, HEADER_MAX):
            found["header"] = f"Até {HEADER_MAX} caracteres, numa linha, sem parâmetros"
        if self.footer is not None and not _short_text(self.footer, FOOTER_MAX):
            found["footer"] = f"Até {FOOTER_MAX} caracteres, numa linha, sem parâmetros"
        texts = [b.strip() for b in self.buttons]
        if len(texts) > BUTTONS_MAX or len(set(texts)) != len(texts):
            found["buttons"] = f"Até {BUTTONS_MAX} respostas rápidas, sem repetir"
        elif not all(_short_text(b, BUTTON_MAX) for b in texts):
            found["buttons"] = f"Cada botão: de 1 a {BUTTON_MAX} caracteres"
        return found

    def request(self) -> dict[str, Any]:
        """The body of a POST to `message_templates`; refused as Meta would refuse it."""
        problems = self.problems()
        if problems:
            raise TemplateInvalid("; ".join(f"{k}: {why}" for k, why in problems.items()), problems)
        components: list[dict[str, Any]] = []
        if self.header:
            components.append({"type": "HEADER", "format": "TEXT", "text": self.header.strip()})
        body: dict[str, Any] = {"type": "BODY", "text": self.body.strip()}
        if self.examples:
            body["example"] = {"body_text": [[e.strip() for e in self.examples]]}
        components.append(body)
        if self.footer:
            components.append({"type": "FOOTER", "text": self.footer.strip()})
        if self.buttons:
            quick = [{"type": "QUICK_REPLY", "text": b.strip()} for b in self.buttons]
            components.append({"type": "BUTTONS", "buttons": quick})
        return {
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "components": components,
        }

    def template(self, account_id: str, answer: Mapping[str, Any] | None = None) -> MessageTemplate:
        """Atende's copy: PENDING (or what Meta `answer`ed) until a sync brings Meta's verdict."""
        answer = answer or {}
        return MessageTemplate(
            account_id=account_id,
            name=self.name,
            language=self.language,
            category=str(answer.get("category") or self.category),
            status=str(answer.get("status") or "PENDING"),
            components=tuple(self.request()["components"]),
            meta_id=str(answer["id"]) if answer.get("id") is not None else None,
        )


def _short_text(text: str, limit: int) -> bool:
    return 0 < len(text.strip()) <= limit and "\n" not in text and PLACEHOLDER.search(text) is None
