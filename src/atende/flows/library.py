"""The set of flows in force: the repo's JSON defaults with admins' Firestore overrides laid on top.

A flow is checked when loaded, by the models below: known step types with the
fields each needs, templates that compile, every `next` pointing at a step that
exists, every `flow` at a flow that exists. A broken edit by an admin is
refused and logged naming the field, and the repo's version keeps answering.
The flows themselves stay plain JSON-like dicts: that is what Firestore holds
and what the interpreter walks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from atende import templating
from atende.flows.text import contains_keyword

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
WAITING = frozenset({"ask", "menu", "choose"})


class FlowError(ValueError):
    """A flow definition that cannot run."""


def _template(text: str | dict[str, str]) -> str | dict[str, str]:
    for source in text.values() if isinstance(text, dict) else [text]:
        templating.check(source)
    return text


def _expression(source: str) -> str:
    templating.check(source, expression=True)
    return source


Text = Annotated[str | dict[str, str], AfterValidator(_template)]  # one text, or one per language
Expression = Annotated[str, AfterValidator(_expression)]  # e.g. `conta.paid_up`, `agenda.slots`


class _Part(BaseModel):
    """A misspelt key is refused rather than ignored; keys starting with `_` are comments."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # built on first use

    @model_validator(mode="before")
    @classmethod
    def _drop_comments(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("_"))}
        return data


class Handoff(_Part):
    team: str = "support"
    reason: str = "menu_choice"


class Option(_Part):
    id: str | int | None = None
    label: Text
    short: Text | None = None  # a title that fits a reply button or quick reply (≤ 20 characters)
    keywords: list[str] = []
    next: str | None = None
    flow: str | None = None
    step: str | None = None
    handoff: Handoff | None = None
    text: Text | None = None


class Case(_Part):
    if_: Expression = Field(alias="if")
    equals: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    not_: bool = Field(False, alias="not")
    next: str


class Listing(_Part):
    items: Expression
    item: Text


class _Waiting(_Part):
    text: Text | None = None
    invalid: Text | None = None  # said instead of the question after an answer that did not fit
    prefill: bool = False  # the message that started the flow may already answer it
    team: str | None = None
    next: str | None = None


class Ask(_Waiting):
    type: Literal["ask"]
    save: str
    expect: Literal["text", "cpf", "second_factor"] = "text"
    sensitive: bool = False


class Menu(_Waiting):
    type: Literal["menu"]
    options: list[Option] = Field(min_length=1)


class Choose(_Waiting):
    type: Literal["choose"]
    items: Expression
    label: Text
    short: Text | None = None  # each item's title where a button or list row cannot hold the label
    save: str
    extra: list[Option] = []


class Message(_Part):
    type: Literal["message"]
    text: Text | None = None
    list: Listing | None = None
    footer: Text | None = None
    next: str | None = None


class Tool(_Part):
    type: Literal["tool"]
    tool: str
    args: dict[str, Text | bool | int | float | None] = {}  # texts are templates; the rest pass as is
    save: str
    team: str | None = None
    next: str | None = None
    on_error: str | None = None


class Verify(_Part):
    type: Literal["verify"]
    save: str | None = None
    next: str | None = None
    on_fail: str | None = None
    on_locked: str | None = None


class Branch(_Part):
    type: Literal["branch"]
    cases: list[Case] = []
    else_: str | None = Field(None, alias="else")


class Subflow(_Part):
    type: Literal["subflow"]
    flow: str
    next: str | None = None


class Return(_Part):
    type: Literal["return"]


class Goto(_Part):
    type: Literal["goto"]
    flow: str
    step: str | None = None


class Handover(_Part):
    type: Literal["handoff"]
    text: Text | None = None
    team: str | None = None
    reason: str | None = None


class End(_Part):
    type: Literal["end"]
    text: Text | None = None


Step = Annotated[
    Ask | Menu | Choose | Message | Tool | Verify | Branch | Subflow | Return | Goto | Handover | End,
    Field(discriminator="type"),
]


class Flow(BaseModel):
    """One flow; other top-level keys (`updatedAt`, `updatedBy` of an admin's edit) are kept, not read."""

    model_config = ConfigDict(extra="allow", defer_build=True)  # built when an override is first checked

    id: str = Field(min_length=1)
    title: Text | None = None
    intents: list[str] = []
    triggers: list[str] = []
    priority: int = 0
    enabled: bool = True
    start: str
    steps: dict[str, Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _steps_exist(self) -> Flow:
        if self.start not in self.steps:
            raise ValueError(f"start step {self.start!r} does not exist")
        for name, step in self.steps.items():
            for target in _step_targets(step):
                if target not in self.steps:
                    raise ValueError(f"step {name}: goes to missing step {target!r}")
        return self


def _options(step: Step) -> list[Option]:
    return [*getattr(step, "options", []), *getattr(step, "extra", [])]


def _step_targets(step: Step) -> list[str]:
    named = [getattr(step, k, None) for k in ("next", "else_", "on_fail", "on_error", "on_locked")]
    cases = [case.next for case in getattr(step, "cases", [])]
    return [t for t in [*named, *cases, *(o.next for o in _options(step))] if t]


def _flow_targets(step: Step) -> list[str]:
    return [t for t in [getattr(step, "flow", None), *(o.flow for o in _options(step))] if t]


def _check(flow: Mapping[str, Any], flow_ids: Collection[str]) -> None:
    """FlowError naming the flow, step and field when the flow cannot run among `flow_ids`."""
    try:
        model = Flow.model_validate(flow)
    except ValidationError as exc:
        raise FlowError(f"flow {flow.get('id', '?')}: {_describe(exc)}") from None
    for name, step in model.steps.items():
        for target in _flow_targets(step):
            if target not in flow_ids:
                raise FlowError(f"flow {model.id}, step {name}: goes to missing flow {target!r}")


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "union_tag_invalid":
            problems.append(f"{where}: unknown type {error['ctx']['tag']!r}")
        else:
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


class FlowLibrary:
    def __init__(self, flows: Mapping[str, dict[str, Any]]) -> None:
        """Every flow checked, FlowError on the first that cannot run."""
        for flow in flows.values():
            _check(flow, flows.keys())
        self._flows = dict(flows)

    @classmethod
    def _unchecked(cls, flows: dict[str, dict[str, Any]]) -> FlowLibrary:
        library = cls.__new__(cls)
        library._flows = flows
        return library

    @classmethod
    def defaults(cls, directory: Path = DATA_DIR) -> FlowLibrary:
        """The repo's flows as they are: the unit tests check them, so a cold start builds no models."""
        flows = {}
        for path in sorted(directory.glob("*.json")):
            flow = json.loads(path.read_text(encoding="utf-8"))
            flows[flow["id"]] = flow
        return cls._unchecked(flows)

    def with_overrides(self, overrides: Mapping[str, dict[str, Any]]) -> FlowLibrary:
        """This library with admins' versions of some flows; a broken override is skipped and logged.

        Only the overrides need checking: they replace flows by id and never remove one, so what the
        other flows point at still exists. Skipping one can strand an override that pointed at it,
        hence the rounds.
        """
        pending = {k: {**doc, "id": k} for k, doc in overrides.items() if doc.get("enabled") is not False}
        while True:
            known = self._flows.keys() | pending.keys()
            broken = {}
            for flow_id, flow in pending.items():
                try:
                    _check(flow, known)
                except FlowError as exc:
                    broken[flow_id] = exc
            if not broken:
                return FlowLibrary._unchecked({**self._flows, **pending})
            for flow_id, exc in broken.items():
                log.error("flow override %s ignored: %s", flow_id, exc)
                del pending[flow_id]

    def check_override(self, flow_id: str, flow: Mapping[str, Any]) -> dict[str, Any]:
        """`flow` as it would be stored under `flow_id` beside this library's flows, or FlowError naming
        the flow, step and field: what `with_overrides` would log and skip, said before it is saved."""
        candidate = {**flow, "id": flow_id}
        _check(candidate, self._flows.keys() | {flow_id})
        return candidate

    def get(self, flow_id: str) -> dict[str, Any]:
        return self._flows[flow_id]

    def __contains__(self, flow_id: str) -> bool:
        return flow_id in self._flows

    def ids(self) -> list[str]:
        return sorted(self._flows)

    def select(self, text: str | None, intent: str | None) -> str | None:
        """The flow a new message starts: the longest trigger phrase it contains, else its intent's flow."""
        best: tuple[int, int, str] | None = None
        for flow in self._flows.values():
            hit = contains_keyword(text or "", flow.get("triggers", []))
            if hit:
                candidate = (hit, int(flow.get("priority", 0)), flow["id"])
                best = max(best, candidate) if best else candidate
        if best:
            return best[2]
        if intent:
            by_intent = [f for f in self._flows.values() if intent in f.get("intents", [])]
            if by_intent:
                return max(by_intent, key=lambda f: int(f.get("priority", 0)))["id"]
        return None
