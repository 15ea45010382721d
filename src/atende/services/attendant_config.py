"""What the business tunes without a deploy: routing thresholds, its own profile, opening hours, the flows.

Each comes from the repo's defaults with a Firestore document laid on top
(`config/routing`, `config/business`, `config/hours`, `flows/{id}`), read at most once per
TTL per function instance: an admin's change is live within seconds, and a
burst of messages costs no extra reads. Each is validated (pydantic) when read:
a broken document is logged with the field it got wrong and the defaults keep
answering.
"""

from __future__ import annotations

import json
import logging
import string
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from atende.domain.hours import OpeningHours
from atende.domain.routing import RoutingPolicy
from atende.flows.library import FlowLibrary
from atende.triage.policy import default_policy, policy_with_overrides

log = logging.getLogger(__name__)

BUSINESS_DEFAULTS = Path(__file__).with_name("defaults") / "business.json"
DEFAULT_TTL_S = 30.0
T = TypeVar("T")


class ConfigSource(Protocol):
    def document(self, collection: str, doc_id: str) -> dict[str, Any] | None: ...

    def collection(self, name: str) -> dict[str, dict[str, Any]]: ...


Text = str | dict[str, str]  # one text, or one per language
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]  # "08:00": compared as text
Weekday = Literal["0", "1", "2", "3", "4", "5", "6"]  # 0 = Monday


Language = Literal["pt", "en"]
PersonaText = Annotated[str, Field(min_length=1, max_length=500)]
GREETING_FIELDS = frozenset({"name", "business"})


class PersonaTexts(BaseModel):
    """A persona's texts per language (`engines/personas.py`); a field left out keeps the default's."""

    model_config = ConfigDict(extra="forbid")

    tone: dict[Language, PersonaText] = {}
    job: dict[Language, PersonaText] = {}
    greeting: dict[Language, PersonaText] = {}

    @field_validator("greeting")
    @classmethod
    def _placeholders(cls, texts: dict[str, str]) -> dict[str, str]:
        """`{name}` (", Carla" or nothing) and `{business}` are filled in with str.format; nothing else."""
        for text in texts.values():
            try:
                used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            except ValueError as exc:
                raise ValueError(f"greeting {text!r}: {exc}") from None
            if not used <= GREETING_FIELDS:
                raise ValueError(f"greeting may use only {{name}} and {{business}}, not {sorted(used)}")
        return texts


class BusinessProfile(BaseModel):
    """The keys code reads; others (a PIX key, an address) are kept for the flows' texts to use."""

    model_config = ConfigDict(extra="allow")

    name: str
    segment: Text = ""
    hours: str = ""
    hours_en: str = ""
    opening_hours: dict[Weekday, tuple[Clock, Clock]] = {}
    tone: Text = ""
    plans: list[str] = []
    personas: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")], PersonaTexts] = {}


def business_profile(document: dict[str, Any]) -> dict[str, Any]:
    """The document as it is, once it is known to be a usable profile (raises ValidationError)."""
    BusinessProfile.model_validate(document)
    return document


def opening_hours(document: dict[str, Any]) -> OpeningHours:
    """`config/hours` as the functions use it (raises ValidationError)."""
    return OpeningHours.model_validate(document)


def default_business() -> dict[str, Any]:
    data = json.loads(BUSINESS_DEFAULTS.read_text(encoding="utf-8"))
    data.pop("_about", None)
    return business_profile(data)


class AttendantConfig:
    def __init__(
        self,
        source: ConfigSource | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._business_defaults = default_business()
        self._flow_defaults = FlowLibrary.defaults()

    def _cached(self, key: str, load: Callable[[], T], fallback: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self._ttl:
                return hit[1]
        try:
            value = load()
        except ValidationError as exc:  # an admin's mistake: say which field, keep answering
            log.error("config %s ignored, the defaults answer: %s", key, exc)
            value = fallback()
        except Exception:  # an unreachable Firestore must not silence the bot either
            log.exception("config %s could not be loaded; using the defaults", key)
            value = fallback()
        with self._lock:
            self._cache[key] = (now, value)
        return value

    def routing_policy(self) -> RoutingPolicy:
        return self._cached(
            "routing",
            lambda: policy_with_overrides(self._document("config", "routing")),
            default_policy,
        )

    def business(self) -> dict[str, Any]:
        return self._cached(
            "business",
            lambda: business_profile(
                {**self._business_defaults, **(self._document("config", "business") or {})}
            ),
            lambda: dict(self._business_defaults),
        )

    def hours(self) -> OpeningHours:
        """`config/hours`; without it (or when it is broken), the business profile's `opening_hours`."""

        def load() -> OpeningHours:
            document = self._document("config", "hours")
            return opening_hours(document) if document else OpeningHours.from_business(self.business())

        return self._cached("hours", load, lambda: OpeningHours.from_business(self.business()))

    def flows(self) -> FlowLibrary:
        return self._cached(
            "flows",
            lambda: self._flow_defaults.with_overrides(
                self._source.collection("flows") if self._source else {}
            ),
            lambda: self._flow_defaults,
        )

    def _document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        if self._source is None:
            return None
        doc = self._source.document(collection, doc_id)
        if doc:
            doc = {
                k: v for k, v in doc.items() if not k.startswith("_") and k not in ("updatedAt", "updatedBy")
            }
        return doc
