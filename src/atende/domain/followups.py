"""Follow-up rules as data: which silence or which business fact earns a nudge, after how long, on which
channel, in which words, and when sending is allowed at all.

The repo's defaults (`defaults/followups.json`, the five triggers of the product brief) are laid under an
admin's `config/followups` rule by rule; both are validated here, and a broken document leaves the
defaults in force (`services/attendant_config.py`). What a rule says is decided here; finding what is due
and sending it is `services/followups.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from atende import templating
from atende.domain.model import stable_id

DEFAULTS = Path(__file__).with_name("defaults") / "followups.json"
CONVERSATION = "conversation"  # the 48 h rule reads conversations; the others business entities
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Literal["0", "1", "2", "3", "4", "5", "6"]  # 0 = Monday
RuleId = Literal[
    "followup_48h",
    "followup_proposta",
    "followup_pagamento",
    "followup_onboarding",
    "followup_prospector_recrutamento",
]


class Route(StrEnum):
    """Where a follow-up goes."""

    CONVERSATION = "conversation"  # the conversation that went quiet
    PREFERRED = "preferred"  # the entity's preferred channel, else the contact's last conversation
    EMAIL = "email"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateRef(_Strict):
    """The approved WhatsApp template used when the 24 h window is closed; params are templates too."""

    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=15)
    params: tuple[str, ...] = ()


class Texts(_Strict):
    pt: str = Field(min_length=1, max_length=4096)
    en: str | None = Field(None, max_length=4096)

    def of(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.pt


class Rule(_Strict):
    enabled: bool = True
    source: Literal["conversation", "proposal", "payment", "signup", "prospect"]
    statuses: tuple[str, ...] = ()  # entity statuses the rule applies to (empty for conversations)
    delay_hours: float = Field(gt=0, le=24 * 90)
    channel: Route
    # per persona (`cliente`, `prestador`, `prospector`, `admin`), with `default` for the others
    messages: dict[str, Texts]
    subject: Texts | None = None  # e-mail
    call_to_action: Texts | None = None  # e-mail: the button's label
    call_to_action_url: str | None = None  # e-mail: where the button leads (a template)
    template: TemplateRef | None = None

    @field_validator("messages")
    @classmethod
    def _has_default(cls, messages: dict[str, Texts]) -> dict[str, Texts]:
        if "default" not in messages:
            raise ValueError("messages needs a `default` entry")
        for texts in messages.values():
            for text in (texts.pt, texts.en):
                if text:
                    templating.check(text)
        return messages

    @property
    def delay_s(self) -> float:
        return self.delay_hours * 3600

    def text(self, persona: str, language: str, values: dict[str, Any]) -> str:
        texts = self.messages.get(persona) or self.messages["default"]
        return templating.render(texts.of(language), values).strip()


class SendWindow(_Strict):
    """When follow-ups may go out: business days, between `start` and `end` local time, never on a
    holiday. Outside it a due follow-up waits for the next tick inside it."""

    timezone: str = "America/Sao_Paulo"
    start: Clock = "08:00"
    end: Clock = "20:00"
    weekdays: tuple[Weekday, ...] = ("0", "1", "2", "3", "4", "5")
    holidays: tuple[date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # a KeyError, which pydantic would not report
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    def allows(self, at: float) -> bool:
        local = datetime.fromtimestamp(at, ZoneInfo(self.timezone))
        return (
            str(local.weekday()) in self.weekdays
            and local.date() not in self.holidays
            and self.start <= local.strftime("%H:%M") < self.end
        )

    def next_opening(self, at: float) -> float:
        """The first moment at or after `at` when sending is allowed (at most two weeks ahead)."""
        zone = ZoneInfo(self.timezone)
        local = datetime.fromtimestamp(at, zone)
        hour, minute = (int(x) for x in self.start.split(":"))
        for days in range(15):
            day = (local + timedelta(days=days)).date()
            opening = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()
            candidate = max(opening, at)
            if self.allows(candidate):
                return candidate
        return at


class FollowupPolicy(_Strict):
    send_window: SendWindow = SendWindow()
    rules: dict[RuleId, Rule]

    def closed_on(self, days: Iterable[date]) -> FollowupPolicy:
        """The same rules with more holidays (the business's own, from its opening hours)."""
        extra = tuple(d for d in days if d not in self.send_window.holidays)
        if not extra:
            return self
        window = self.send_window.model_copy(update={"holidays": (*self.send_window.holidays, *extra)})
        return self.model_copy(update={"send_window": window})

    def enabled(self) -> list[tuple[str, Rule]]:
        return [(rule_id, rule) for rule_id, rule in self.rules.items() if rule.enabled]

    @classmethod
    def with_overrides(cls, override: dict[str, Any] | None) -> FollowupPolicy:
        """The defaults with an admin's document laid on top: `send_window` key by key, each rule key by
        key (a rule's `messages` persona by persona). Raises ValidationError for a broken document."""
        base = _default_document()
        if not override:
            return cls.model_validate(base)
        merged = {
            "send_window": {**base["send_window"], **(override.get("send_window") or {})},
            "rules": dict(base["rules"]),
        }
        for rule_id, changes in (override.get("rules") or {}).items():
            rule = {**base["rules"].get(rule_id, {}), **(changes or {})}
            if "messages" in (changes or {}) and rule_id in base["rules"]:
                rule["messages"] = {**base["rules"][rule_id]["messages"], **changes["messages"]}
            merged["rules"][rule_id] = rule
        unknown = set(override) - {"send_window", "rules"}
        if unknown:
            merged["unknown"] = sorted(unknown)  # refused by extra="forbid", naming the key
        return cls.model_validate(merged)

    @classmethod
    def defaults(cls) -> FollowupPolicy:
        return cls.model_validate(_default_document())


@cache
def _default_document() -> dict[str, Any]:
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    data.pop("_about", None)
    return data


def record_id(rule: str, entity_id: str, window: str) -> str:
    """`followups/<rule>_<entity>_<window>`: its existence means this follow-up was decided once."""
    return f"{rule}_{entity_id}_{window}"


def message_id_for(record: str) -> str:
    return stable_id("fu", record)


class Outcome(StrEnum):
    SENT = "sent"  # queued for outbound (or handed to the mailer)
    SKIPPED = "skipped"  # decided once and never sent: opted out, unreachable, no approved template
    FAILED = "failed"  # an e-mail the provider refused (never retried: at most once)
    SENDING = "sending"  # an e-mail recorded before the provider call


@dataclass(frozen=True, kw_only=True)
class FollowupRecord:
    """`followups/{id}`: created in the same commit as the follow-up, so it exists at most once."""

    id: str
    rule: str
    entity: str  # the conversation or business entity id
    window: str
    status: Outcome
    at: float
    channel: str | None = None
    reason: str | None = None  # why skipped or failed
    message_id: str | None = None  # the queued message (chat channels)
    provider_id: str | None = None  # the e-mail provider's id

    def ended(
        self, status: Outcome, at: float, *, provider_id: str | None = None, reason: str | None = None
    ) -> FollowupRecord:
        return replace(self, status=status, at=at, provider_id=provider_id, reason=reason)


def first_name(name: str | None) -> str:
    return (name or "").split(" ")[0]


def brl(amount: Any) -> str:
    """R$ amounts as people in Brazil write them: 1.234,50."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount or "")
    whole = f"{value.quantize(Decimal('0.01')):,.2f}"
    return whole.replace(",", "_").replace(".", ",").replace("_", ".")
