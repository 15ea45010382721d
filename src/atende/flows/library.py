"""The set of flows in force: the repo's JSON defaults with admins' Firestore overrides laid on top.

A flow is checked when loaded (known step types, every `next` pointing at a
step that exists, every `flow` at a flow that exists), so a broken edit by an
admin is refused and logged, and the repo's version keeps answering.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atende.flows.text import contains_keyword

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
WAITING = frozenset({"ask", "menu", "choose"})
STEP_TYPES = WAITING | {"message", "tool", "verify", "branch", "subflow", "return", "goto", "handoff", "end"}
_STEP_REFS = ("next", "else", "on_fail", "on_error", "on_locked")


class FlowError(ValueError):
    """A flow definition that cannot run."""


def _step_targets(step: dict[str, Any]) -> list[str]:
    targets = [step[k] for k in _STEP_REFS if isinstance(step.get(k), str)]
    for case in step.get("cases", []):
        targets.append(case.get("next"))
    for option in [*step.get("options", []), *step.get("extra", [])]:
        if option.get("next"):
            targets.append(option["next"])
    return targets


def _flow_targets(step: dict[str, Any]) -> list[str]:
    found = [step["flow"]] if step.get("flow") else []
    return found + [o["flow"] for o in [*step.get("options", []), *step.get("extra", [])] if o.get("flow")]


def validate(flow: Mapping[str, Any]) -> None:
    """Raise FlowError when the flow cannot run on its own (flow references are checked by the library)."""
    steps = flow.get("steps")
    if not flow.get("id") or not isinstance(steps, dict) or not steps:
        raise FlowError("a flow needs an id and a non-empty steps map")
    if flow.get("start") not in steps:
        raise FlowError(f"flow {flow['id']}: start step {flow.get('start')!r} does not exist")
    for name, step in steps.items():
        kind = step.get("type")
        if kind not in STEP_TYPES:
            raise FlowError(f"flow {flow['id']}, step {name}: unknown type {kind!r}")
        for target in _step_targets(step):
            if target not in steps:
                raise FlowError(f"flow {flow['id']}, step {name}: goes to missing step {target!r}")
        if kind == "menu" and not step.get("options"):
            raise FlowError(f"flow {flow['id']}, step {name}: a menu needs options")
        if kind in ("ask", "choose", "tool") and not step.get("save"):
            raise FlowError(f"flow {flow['id']}, step {name}: {kind} needs `save`")


class FlowLibrary:
    def __init__(self, flows: Mapping[str, dict[str, Any]]) -> None:
        for flow in flows.values():
            validate(flow)
        for flow in flows.values():
            for name, step in flow["steps"].items():
                for target in _flow_targets(step):
                    if target not in flows:
                        raise FlowError(f"flow {flow['id']}, step {name}: goes to missing flow {target!r}")
        self._flows = dict(flows)

    @classmethod
    def defaults(cls, directory: Path = DATA_DIR) -> FlowLibrary:
        flows = {}
        for path in sorted(directory.glob("*.json")):
            flow = json.loads(path.read_text(encoding="utf-8"))
            flows[flow["id"]] = flow
        return cls(flows)

    def with_overrides(self, overrides: Mapping[str, dict[str, Any]]) -> FlowLibrary:
        """This library with admins' versions of some flows; a broken override is skipped and logged."""
        flows = dict(self._flows)
        for flow_id, doc in overrides.items():
            if doc.get("enabled") is False:
                continue
            candidate = {**flows, flow_id: {**doc, "id": flow_id}}
            try:
                FlowLibrary(candidate)
            except (FlowError, KeyError, TypeError, AttributeError) as exc:
                log.error("flow override %s ignored: %s", flow_id, exc)
                continue
            flows = candidate
        return FlowLibrary(flows)

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
