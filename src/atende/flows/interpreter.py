"""Runs a flow: says its messages, waits at questions and menus, calls tools, hands off.

One call handles one inbound message: `start` a flow, or `resume` the one the
conversation is in with the customer's answer. Execution continues through
messages, tool calls and branches until the flow needs the customer again (a
question or a menu), ends, or hands off; the returned `FlowState` is what the
conversation document keeps until the next message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from atende.domain import cpf as cpf_rules
from atende.domain.menus import Choice, Menu
from atende.domain.session import FlowState
from atende.erp.tools import parse_birth_date
from atende.flows.library import WAITING, FlowError, FlowLibrary
from atende.flows.text import contains_keyword, pick, plain, render
from atende.templating import evaluate, fill

MAX_STEPS = 60  # a loop in an admin's flow must not spin a function instance
MAX_RETRIES = 2  # after this many answers we could not use, a person takes over
SECRET_VARS = ("cpf", "second_factor")  # never kept on the conversation beyond the identity check

COMMON: dict[str, dict[str, str]] = {
    "not_understood": {
        "pt": "Desculpe, não entendi. ",
        "en": "Sorry, I didn't get that. ",
    },
    "erp_error": {
        "pt": "Não consegui consultar nosso sistema agora.",
        "en": "I couldn't reach our system right now.",
    },
}
_NUMBER = re.compile(r"^\D{0,12}?(\d{1,2})(?:\s*[.)\-:]?)?\s*(?:\ufe0f?\u20e3)?\s*$")


class ToolRunner(Protocol):
    customer_id: str | None

    def call(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FlowInput:
    text: str | None = None
    choice_id: str | None = None  # id of a WhatsApp interactive reply or button payload


@dataclass
class FlowOutcome:
    messages: list[str] = field(default_factory=list)
    state: FlowState | None = None  # None: the flow is over
    handoff: dict[str, str] | None = None  # {"team": ..., "reason": ...}
    matched: bool = True  # False: the answer did not fit the question; nothing advanced
    sensitive_input: bool = False  # the answer was an identity factor: logs must not keep it
    menu: Menu | None = None  # the options of the question the last message asks, to tap

    @property
    def tappable(self) -> Menu | None:
        """The whole answer as one menu: everything said before the question, then the question."""
        if self.menu is None or not self.messages:
            return None
        return Menu("\n\n".join([*self.messages[:-1], self.menu.body]), self.menu.choices)

    @property
    def text(self) -> str:
        return "\n\n".join(m for m in self.messages if m)

    @property
    def awaiting_input(self) -> bool:
        return self.state is not None


Validator = Callable[[str], str | None]


def _cpf(text: str) -> str | None:
    found = cpf_rules.find(text)
    return found if found and cpf_rules.is_valid(found) else None


def _second_factor(text: str) -> str | None:
    if parse_birth_date(text):
        return text.strip()
    return text.strip() if len("".join(c for c in text if c.isdigit())) >= 10 else None


VALIDATORS: dict[str, Validator] = {
    "cpf": _cpf,
    "second_factor": _second_factor,
    "text": lambda t: t.strip() or None,
}


class Interpreter:
    def __init__(
        self,
        library: FlowLibrary,
        tools: ToolRunner,
        globals_: dict[str, Any],
        language: str = "pt",
    ) -> None:
        self._lib = library
        self._tools = tools
        self._globals = globals_
        self._lang = language

    # -- entry points --------------------------------------------------------------------------------

    def start(self, flow_id: str, message: FlowInput) -> FlowOutcome:
        outcome = FlowOutcome()
        flow = self._lib.get(flow_id)
        state = FlowState(flow=flow_id, step=flow["start"], vars={"_trigger": message.text or ""})
        return self._run(state, outcome, prefill=message)

    def resume(self, state: FlowState, message: FlowInput) -> FlowOutcome:
        """Feed the customer's answer to the question the flow is waiting at."""
        outcome = FlowOutcome()
        step = self._step(state)
        if step["type"] not in WAITING:
            return self._run(state, outcome)
        accepted, following = self._accept(step, state, message, outcome)
        if not accepted:
            outcome.matched = False
            outcome.state = replace(state, retries=state.retries + 1)
            return outcome
        return self._run(following, outcome)

    def reprompt(self, state: FlowState, retries_exhausted_team: str) -> FlowOutcome:
        """The question again after an answer we could not use; a person after MAX_RETRIES of them."""
        step = self._step(state)
        if state.retries > MAX_RETRIES:
            return FlowOutcome(
                handoff={"team": step.get("team", retries_exhausted_team), "reason": "flow_not_understood"}
            )
        invalid = step.get("invalid")
        if invalid:  # the step's own words for what was wrong with the answer
            return FlowOutcome([render(invalid, self._values(state), self._lang)], state)
        sorry = pick(COMMON["not_understood"], self._lang)
        asked = self._prompt(step, state)
        again = Menu(f"{sorry}{asked.body}", asked.choices)
        return FlowOutcome([again.numbered()], state, menu=again if again.choices else None)

    def offers_options(self, state: FlowState) -> bool:
        """Whether the flow is waiting at a menu or a choice (not at an open question)."""
        return self._step(state)["type"] in ("menu", "choose")

    def answers_exactly(self, state: FlowState, message: FlowInput) -> bool:
        """A tapped option, its number or its very words: no keyword guessing."""
        return _match(self._choices(self._step(state), state), message, self._lang, guess=False) is not None

    # -- execution -----------------------------------------------------------------------------------

    def _step(self, state: FlowState) -> dict[str, Any]:
        try:
            return self._lib.get(state.flow)["steps"][state.step]
        except KeyError:
            raise FlowError(f"flow state points at a missing step {state.flow}.{state.step}") from None

    def _values(self, state: FlowState) -> dict[str, Any]:
        return {**self._globals, "verified": bool(self._tools.customer_id), **state.vars}

    def _say(self, outcome: FlowOutcome, template: Any, state: FlowState) -> None:
        text = render(template, self._values(state), self._lang)
        if text:
            outcome.messages.append(text)

    def _goto(self, state: FlowState, step_name: str | None) -> FlowState | None:
        """Move to a step of the current flow; with none, the flow returns to its caller or ends."""
        if step_name:
            return replace(state, step=step_name, retries=0)
        if state.stack:
            (flow, step), rest = state.stack[-1], state.stack[:-1]
            return replace(state, flow=flow, step=step, stack=rest, retries=0)
        return None

    def _run(
        self, state: FlowState | None, outcome: FlowOutcome, prefill: FlowInput | None = None
    ) -> FlowOutcome:
        for _ in range(MAX_STEPS):
            if state is None:
                outcome.state = None
                return outcome
            step = self._step(state)
            kind = step["type"]
            if kind in WAITING:
                if prefill and step.get("prefill") and prefill.text:
                    accepted, following = self._accept(step, state, prefill, outcome)
                    if accepted:
                        state = following
                        continue
                asked = self._prompt(step, state)
                if asked.numbered():
                    outcome.messages.append(asked.numbered())
                    outcome.menu = asked if asked.choices else None
                outcome.state = state
                return outcome
            state = getattr(self, f"_do_{kind}")(step, state, outcome)
        raise FlowError(f"flow {state.flow if state else '?'} ran {MAX_STEPS} steps without waiting")

    def _do_message(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        self._say(outcome, step.get("text"), state)
        listing = step.get("list")
        if listing:
            items = evaluate(listing["items"], self._values(state)) or []
            lines = [render(listing["item"], {**self._values(state), **item}, self._lang) for item in items]
            if lines:
                outcome.messages.append("\n".join(lines))
        self._say(outcome, step.get("footer"), state)
        return self._goto(state, step.get("next"))

    def _do_tool(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        values = self._values(state)
        args = {name: fill(pick(arg, self._lang), values) for name, arg in step.get("args", {}).items()}
        result = self._tools.call(step["tool"], args)
        state = replace(state, vars={**state.vars, step["save"]: result})
        if "error" in result:
            if step.get("on_error"):
                return self._goto(state, step["on_error"])
            self._say(outcome, COMMON["erp_error"], state)
            outcome.handoff = {"team": step.get("team", "support"), "reason": f"tool_error:{result['error']}"}
            return None
        return self._goto(state, step.get("next"))

    def _do_verify(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        result = self._tools.call(
            "verify_identity",
            {"cpf": state.vars.get("cpf", ""), "second_factor": state.vars.get("second_factor", "")},
        )
        kept = {k: v for k, v in state.vars.items() if k not in SECRET_VARS}
        state = replace(state, vars={**kept, step.get("save", "verificacao"): result})
        if result.get("verified"):
            return self._goto(state, step.get("next"))
        if result.get("error") == "too_many_attempts" or result.get("attempts_left") == 0:
            return self._goto(state, step.get("on_locked") or step.get("on_fail"))
        return self._goto(state, step.get("on_fail"))

    def _do_branch(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        values = self._values(state)
        for case in step.get("cases", []):
            if _holds(case, values):
                return self._goto(state, case["next"])
        return self._goto(state, step.get("else"))

    def _do_subflow(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        target = self._lib.get(step["flow"])
        back = (state.flow, step["next"]) if step.get("next") else None
        stack = (*state.stack, back) if back else state.stack
        return replace(state, flow=target["id"], step=target["start"], stack=stack, retries=0)

    def _do_return(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        return self._goto(state, None)

    def _do_goto(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        target = self._lib.get(step["flow"])
        return replace(state, flow=target["id"], step=step.get("step") or target["start"], retries=0)

    def _do_handoff(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        self._say(outcome, step.get("text"), state)
        outcome.handoff = {"team": step.get("team", "support"), "reason": step.get("reason", "flow_handoff")}
        return None

    def _do_end(self, step: dict[str, Any], state: FlowState, outcome: FlowOutcome) -> FlowState | None:
        self._say(outcome, step.get("text"), state)
        return None

    # -- questions and menus -------------------------------------------------------------------------

    def _choices(self, step: dict[str, Any], state: FlowState) -> list[dict[str, Any]]:
        """Numbered options: a menu's own, or a choose step's items followed by its extras."""
        if step["type"] == "menu":
            return list(step["options"])
        values = self._values(state)
        items = evaluate(step["items"], values) or []
        dynamic = [
            {
                "id": str(item.get("id", i)),
                "label": render(step["label"], {**values, **item}, self._lang),
                "short": render(step["short"], {**values, **item}, self._lang) if step.get("short") else None,
                "item": item,
            }
            for i, item in enumerate(items)
        ]
        return dynamic + list(step.get("extra", []))

    def _prompt(self, step: dict[str, Any], state: FlowState) -> Menu:
        """The question, with the options of menus and choices (numbered in text, tappable where the
        channel allows: domain/menus.py)."""
        values = self._values(state)
        text = render(step.get("text"), values, self._lang)
        if step["type"] == "ask":
            return Menu(text, ())
        choices = tuple(
            Choice(
                id=str(o.get("id") if o.get("id") is not None else n),
                title=render(o["label"], values, self._lang),
                short=render(o["short"], values, self._lang) if o.get("short") else None,
            )
            for n, o in enumerate(self._choices(step, state), 1)
        )
        return Menu(text, choices)

    def _accept(
        self, step: dict[str, Any], state: FlowState, message: FlowInput, outcome: FlowOutcome
    ) -> tuple[bool, FlowState | None]:
        """Whether the answer fits the question, and the state it leads to (None: the flow is over)."""
        if step["type"] == "ask":
            value = VALIDATORS[step.get("expect", "text")](message.text or "")
            if value is None:
                return False, None
            outcome.sensitive_input = outcome.sensitive_input or bool(step.get("sensitive"))
            return True, self._goto(
                replace(state, vars={**state.vars, step["save"]: value}), step.get("next")
            )
        chosen = _match(self._choices(step, state), message, self._lang)
        if chosen is None:
            return False, None
        if step["type"] == "choose" and "item" in chosen:
            state = replace(state, vars={**state.vars, step["save"]: chosen["item"]})
        if chosen.get("handoff"):
            self._say(outcome, chosen.get("text"), state)
            outcome.handoff = {
                "team": chosen["handoff"].get("team", "support"),
                "reason": chosen["handoff"].get("reason", "menu_choice"),
            }
            return True, None
        if chosen.get("flow"):
            target = self._lib.get(chosen["flow"])
            first = chosen.get("step") or target["start"]
            return True, replace(state, flow=target["id"], step=first, stack=(), retries=0)
        return True, self._goto(state, chosen.get("next") or step.get("next"))


def _match(
    options: list[dict[str, Any]], message: FlowInput, language: str, *, guess: bool = True
) -> dict[str, Any] | None:
    """The option the customer picked: by the tapped id, the number, the label, and (`guess`) a keyword."""
    if message.choice_id:
        by_id = next((o for o in options if str(o.get("id")) == message.choice_id), None)
        if by_id:
            return by_id
    text = message.text or ""
    number = _NUMBER.match(text.strip())
    if number and 1 <= int(number.group(1)) <= len(options):
        return options[int(number.group(1)) - 1]
    said = plain(text)
    if not said:
        return None
    exact = next((o for o in options if said == plain(pick(o["label"], language))), None)
    if exact or not guess:
        return exact
    # The start of one option's words ("Fibra 1 Giga" for "Fibra 1 Giga: 1000 Mega por R$ 149,90")
    started = [o for o in options if len(said) >= 5 and plain(pick(o["label"], language)).startswith(said)]
    if len(started) == 1:
        return started[0]
    scored = [(contains_keyword(text, o.get("keywords", [])), -i) for i, o in enumerate(options)]
    best, index = max(scored)
    return options[-index] if best else None


def _holds(case: dict[str, Any], values: dict[str, Any]) -> bool:
    value = evaluate(case["if"], values)
    if "equals" in case:
        result = value == case["equals"]
    elif "in" in case:
        result = value in case["in"]
    else:
        result = bool(value)
    return not result if case.get("not") else result
