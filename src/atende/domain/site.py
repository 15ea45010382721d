"""A site that installed the web-chat snippet: where it may be embedded, whether it proves who its visitors
are, how the widget looks, and how much one visitor or one address may send (docs/webchat.md).

The site key is public (it is in the snippet); everything a visitor may do is decided from this record
and the visitor's token, never from what the page says about itself.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

SITE_KEY = re.compile(r"^[a-z0-9-]{3,40}$")
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
LANGUAGES = ("pt-BR", "en", "es")


def valid_site_key(key: str) -> bool:
    return bool(SITE_KEY.fullmatch(key))


def secret_env(key: str) -> str:
    """Each site's identity secret reaches `webchat` as its own variable (Secret Manager in production,
    terraform/secrets.tf `webchat_sites`); it is never in the site's document."""
    return "WEBCHAT_SECRET_" + key.upper().replace("-", "_")


def _checked(info: ValidationInfo) -> bool:
    """An admin's change (`Site.checked`) is refused where a stored document is only read leniently."""
    return bool(info.context and info.context.get("checked"))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if _checked(info) and isinstance(data, dict) and cls.model_config.get("extra") != "allow":
            known = {n for name, f in cls.model_fields.items() for n in (name, f.alias) if n}
            unknown = sorted(set(data) - known)
            if unknown:
                raise ValueError(f"campo desconhecido: {', '.join(map(str, unknown))}")
        return data


class RateLimits(_Model):
    """Fixed windows; the defaults are the contract's (docs/webchat.md, "Rate limits")."""

    messages_per_minute: int = Field(20, alias="messagesPerMinute", ge=1, le=1000)
    messages_per_day: int = Field(200, alias="messagesPerDay", ge=1, le=100_000)
    requests_per_minute_per_ip: int = Field(60, alias="requestsPerMinutePerIp", ge=1, le=10_000)
    sessions_per_minute_per_ip: int = Field(10, alias="sessionsPerMinutePerIp", ge=1, le=1000)


class Appearance(_Model):
    """What the widget shows; the snippet may override each of these in the page."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="allow")

    primary_color: str = Field("#0b6bcb", alias="primaryColor", pattern=r"^#[0-9a-fA-F]{6}$")
    position: str = Field("right", pattern=r"^(left|right)$")
    greeting: str = Field("Olá! Como podemos ajudar?", max_length=300)
    language: str = "pt-BR"
    title: str = Field("Atendimento", max_length=80)

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str, info: ValidationInfo) -> str:
        if value in LANGUAGES:
            return value
        if _checked(info):
            raise ValueError(f"idioma desconhecido {value!r} (use {', '.join(LANGUAGES)})")
        return "pt-BR"


class PreChatField(_Model):
    name: str = Field(pattern=r"^(name|email|phone)$")
    required: bool = False


class PreChatForm(_Model):
    enabled: bool = False
    fields: tuple[PreChatField, ...] = ()


class Site(_Model):
    key: str = Field(pattern=SITE_KEY.pattern)
    name: str = ""
    origins: tuple[str, ...] = ()
    enforce_identity: bool = Field(False, alias="enforceIdentity")
    require_identity: bool = Field(False, alias="requireIdentity")
    appearance: Appearance = Appearance()
    pre_chat_form: PreChatForm = Field(PreChatForm(), alias="preChatForm")
    rate_limits: RateLimits = Field(RateLimits(), alias="rateLimits")

    @field_validator("origins")
    @classmethod
    def _exact_origins(cls, origins: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """An origin is scheme://host[:port], compared exactly: no wildcards, no trailing slash."""
        wrong = [o for o in origins if not ORIGIN.fullmatch(o)]
        if wrong and _checked(info):
            raise ValueError(f"origem inválida {wrong[0]!r} (use esquema://host[:porta], sem barra no fim)")
        return tuple(o for o in origins if o not in wrong)

    @classmethod
    def checked(cls, key: str, doc: dict[str, Any]) -> Site:
        """A site as an admin sends it: what a stored document would silently lose (an unknown key, an
        origin that can never match, an unknown language) is refused instead."""
        return cls.model_validate({**doc, "key": key}, context={"checked": True})

    def document(self) -> dict[str, Any]:
        """`sites/{key}` as stored: every setting written out, defaults included (the key is the id)."""
        return self.model_dump(by_alias=True, exclude={"key"}, mode="json")

    def allows(self, origin: str | None) -> bool:
        return bool(origin) and origin in self.origins

    def public(self, *, available: bool) -> dict[str, Any]:
        """What `GET /sites/{key}` answers: nothing a visitor could use against the site."""
        return {
            "siteKey": self.key,
            "name": self.name,
            "appearance": self.appearance.model_dump(by_alias=True),
            "preChatForm": self.pre_chat_form.model_dump(by_alias=True),
            "identity": {"enforced": self.enforce_identity, "required": self.require_identity},
            "available": available,
        }
