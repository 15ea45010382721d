"""The scripted flows as admins edit them (`flows/{id}` over the repo's `flows/data/*.json`).

An edit is checked by the flow library's own loader against the flows in force, so a saved flow is
one the local engine runs: a broken one is refused here instead of being logged and skipped by
`ai_reply`. The preview runs flows on the server with the interpreter the local engine uses, against
the demo ERP in memory: nothing is sent, stored, or asked of the business's real ERP.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from atende.domain.staff import Actor
from atende.engines.local import DEFAULT_FLOW, flow_values
from atende.erp.demo import DemoErp
from atende.erp.tools import CustomerTools
from atende.flows.interpreter import FlowInput, FlowOutcome, Interpreter
from atende.flows.library import FlowError, FlowLibrary
from atende.services.attendant_config import default_business
from atende.services.settings.documents import CONFIG, SettingsWriter, plain
from atende.services.settings.errors import NotFound, SettingRefused
from atende.services.settings.store import Doc, only_admins

FLOWS = "flows"


class FlowSettings:
    def __init__(self, writer: SettingsWriter) -> None:
        self.writer = writer
        self.store = writer.store

    def _overrides(self) -> dict[str, Doc]:
        return {k: plain(v) for k, v in self.store.all(FLOWS).items()}

    def _in_force(self, overrides: dict[str, Doc] | None = None) -> FlowLibrary:
        """The library `ai_reply` runs: the repo's flows with the admins' valid versions."""
        return FlowLibrary.defaults().with_overrides(self._overrides() if overrides is None else overrides)

    def list(self, actor: Actor) -> list[dict[str, Any]]:
        only_admins(actor)
        overrides, library, repo = self._overrides(), self._in_force(), FlowLibrary.defaults()
        return [
            {
                "id": flow_id,
                "title": library.get(flow_id).get("title"),
                "source": "console" if self._runs(flow_id, overrides, library) else "repo",
                "edited": flow_id in overrides,
                "problem": self._problem(flow_id, overrides, library),
                "inRepo": flow_id in repo,
            }
            for flow_id in library.ids()
        ]

    def get(self, actor: Actor, flow_id: str) -> dict[str, Any]:
        only_admins(actor)
        overrides, library, repo = self._overrides(), self._in_force(), FlowLibrary.defaults()
        if flow_id not in library:
            raise NotFound(f"Não existe o fluxo {flow_id}")
        return {
            "id": flow_id,
            "flow": library.get(flow_id),
            "edited": overrides.get(flow_id),
            "repo": repo.get(flow_id) if flow_id in repo else None,
            "problem": self._problem(flow_id, overrides, library),
        }

    @staticmethod
    def _runs(flow_id: str, overrides: dict[str, Doc], library: FlowLibrary) -> bool:
        edited = overrides.get(flow_id)
        return edited is not None and edited.get("enabled") is not False and library.get(flow_id) == {
            **edited,
            "id": flow_id,
        }

    def _problem(self, flow_id: str, overrides: dict[str, Doc], library: FlowLibrary) -> str | None:
        """Why an admin's version written before the console checked it is being ignored."""
        edited = overrides.get(flow_id)
        if edited is None or edited.get("enabled") is False or self._runs(flow_id, overrides, library):
            return None
        try:
            library.check_override(flow_id, edited)
        except FlowError as e:
            return str(e)
        return None

    def set_flow(self, actor: Actor, flow_id: str, flow: Doc) -> dict[str, Any]:
        library = self._in_force()
        try:
            checked = library.check_override(flow_id, plain(flow))
        except FlowError as e:
            raise SettingRefused(f"Fluxo recusado: {e}") from None
        self.writer.write(actor, FLOWS, flow_id, lambda _: checked)
        return self.get(actor, flow_id)

    def set_step(self, actor: Actor, flow_id: str, step_id: str, step: Doc) -> dict[str, Any]:
        """One step of the flow in force replaced (or added); the rest of the flow as it runs now."""
        only_admins(actor)
        library = self._in_force()
        if flow_id not in library:
            raise NotFound(f"Não existe o fluxo {flow_id}")
        current = library.get(flow_id)
        return self.set_flow(actor, flow_id, {**current, "steps": {**current["steps"], step_id: step}})

    def reset(self, actor: Actor, flow_id: str) -> None:
        """Drop the admin's version: the repo's answers again (a flow only the console added is gone)."""
        only_admins(actor)
        overrides = self._overrides()
        if flow_id not in overrides:
            raise NotFound(f"O fluxo {flow_id} não foi editado")
        rest = self._in_force({k: v for k, v in overrides.items() if k != flow_id})
        remaining = {i: rest.get(i) for i in rest.ids()}
        try:
            FlowLibrary(remaining)
        except FlowError as e:
            raise SettingRefused(f"Outros fluxos dependem deste: {e}") from None
        self.writer.write(actor, FLOWS, flow_id, lambda _: None)

    def preview(
        self,
        actor: Actor,
        messages: Sequence[str],
        *,
        flow_id: str | None = None,
        draft: Doc | None = None,
        persona: str = "cliente",
        language: str = "pt",
    ) -> list[dict[str, Any]]:
        """What the bot would answer to `messages`, one turn each, with `draft` (unsaved) in force."""
        only_admins(actor)
        library = self._in_force()
        if draft is not None:
            if not flow_id:
                raise SettingRefused("Diga qual fluxo o rascunho substitui (flowId)")
            try:
                library = library.with_overrides({flow_id: library.check_override(flow_id, plain(draft))})
            except FlowError as e:
                raise SettingRefused(f"Fluxo recusado: {e}") from None
        if flow_id and flow_id not in library:
            raise NotFound(f"Não existe o fluxo {flow_id}")
        business = {**default_business(), **plain(self.store.get(CONFIG, "business"))}
        return run_preview(library, messages, flow_id, business, persona, language)


def run_preview(
    library: FlowLibrary,
    messages: Sequence[str],
    flow_id: str | None,
    business: dict[str, Any],
    persona: str,
    language: str,
) -> list[dict[str, Any]]:
    """The local engine's turn by turn: start a flow (the one asked for, else the one the message names,
    else the menu), feed each answer to the question it waits at, ask again after an answer that does
    not fit. Tools run on a fresh in-memory demo ERP (its customers: docs/flows.md)."""
    tools = CustomerTools(DemoErp(), request_id=f"preview-{uuid.uuid4().hex}")
    interpreter = Interpreter(library, tools, flow_values(None, persona, business, language), language)
    turns: list[dict[str, Any]] = []
    state = None
    for n, text in enumerate(messages):
        said = FlowInput(text)
        if state is None:
            chosen = flow_id if n == 0 and flow_id else library.select(text, None) or DEFAULT_FLOW
            outcome: FlowOutcome = interpreter.start(chosen, said)
        else:
            outcome = interpreter.resume(state, said)
            if not outcome.matched:
                outcome = interpreter.reprompt(outcome.state or state, "support")
        state = None if outcome.handoff else outcome.state
        choices = outcome.menu.choices if outcome.menu else ()
        turns.append(
            {
                "message": text,
                "replies": outcome.messages,
                "handoff": outcome.handoff,
                "flow": state.flow if state else None,
                "step": state.step if state else None,
                "tools": [c.name for c in tools.calls],
                # what WhatsApp shows as buttons or a list, Messenger and Instagram as quick replies
                "options": [{"id": c.id, "title": c.title} for c in choices],
            }
        )
        tools.calls.clear()
    return turns
