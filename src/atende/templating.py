"""Templates and paths over JSON-like data: the one syntax admins and mapping files write.

Flow texts, flow conditions and tool arguments (`atende.flows`), and an ERP
mapping's URL, query, body and auth header (`atende.erp.rest`) are Jinja2
templates, `Olá, {{ contact.first_name }}!`, rendered in a sandbox: a dot reads
a key of the data and nothing else (no methods, no `__class__`), so text from
a Firestore document cannot reach Python internals. Values are read out of an
ERP's JSON answers with JMESPath (`registros[*]`, `agendamento.inicio`).

Two strictnesses, because a missing value means different things:
- lenient (flows): a value a customer's data may lack, e.g. the visit of a
  ticket opened without one, renders as nothing, as `None` does;
- strict (ERP mappings): every name is an argument the adapter always passes,
  so an unknown one is a typo, refused when the mapping is loaded
  (`undeclared`) and raised if it ever renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import jmespath
from jinja2 import (
    ChainableUndefined,
    StrictUndefined,
    Template,
    TemplateError,
    Undefined,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jmespath.exceptions import JMESPathError
from jmespath.functions import Functions

__all__ = [
    "SecurityError",
    "TemplateError",
    "check",
    "check_path",
    "evaluate",
    "fill",
    "json_path",
    "path_calls",
    "render",
    "undeclared",
]

# `{name}` or `{a.b}` outside `{{ }}`: the placeholder syntax before templates were Jinja2. A text still
# written that way would reach customers with its braces, so it is refused when checked.
_OLD_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*[A-Za-z_][\w.]*\s*\}(?!\})")
_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>.*?)\}\}\s*$", re.DOTALL)


def _blank(value: Any) -> Any:
    """What `{{ x }}` prints: nothing for None, a map or a list (never `None` or a dict's repr)."""
    return "" if value is None or isinstance(value, dict | list) else value


class _DataSandbox(SandboxedEnvironment):
    """A sandbox where `a.b` and `a['b']` on a mapping are only its keys, and an unsafe attribute raises."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping):
            return obj[argument] if argument in obj else self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed")


def _environment(undefined: type) -> _DataSandbox:
    return _DataSandbox(undefined=undefined, finalize=_blank, keep_trailing_newline=True, autoescape=False)


_ENVIRONMENTS = {False: _environment(ChainableUndefined), True: _environment(StrictUndefined)}


@lru_cache(maxsize=2048)
def _template(source: str, strict: bool) -> Template:
    return _ENVIRONMENTS[strict].from_string(source)


@lru_cache(maxsize=1024)
def _expression(source: str, strict: bool) -> Callable[..., Any]:
    return _ENVIRONMENTS[strict].compile_expression(source, undefined_to_none=False)


def render(source: str, values: Mapping[str, Any], *, strict: bool = False) -> str:
    """The template with `values` filled in."""
    return _template(source, strict).render(values)


def evaluate(expression: str, values: Mapping[str, Any], *, strict: bool = False) -> Any:
    """A Jinja2 expression (`conta.paid_up`, `agenda.slots`, `x > 3`) as a value; missing: None (or, strict,
    UndefinedError)."""
    value = _expression(expression, strict)(values)
    if isinstance(value, Undefined):
        if strict:
            raise UndefinedError(f"{expression.strip()!r} is undefined")
        return None
    return value


def fill(template: Any, values: Mapping[str, Any], *, strict: bool = False) -> Any:
    """Render every string inside maps and lists; a string that is one `{{ expression }}` keeps its type.

    So `{"slot_id": "{{ horario.id }}"}` passes the id itself (or None), not its text.
    """
    if isinstance(template, dict):
        return {k: fill(v, values, strict=strict) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values, strict=strict) for v in template]
    if isinstance(template, str):
        whole = _WHOLE_EXPRESSION.match(template)
        if whole and "{{" not in whole["expr"] and "}}" not in whole["expr"]:
            return evaluate(whole["expr"], values, strict=strict)
        return render(template, values, strict=strict)
    return template


@lru_cache(maxsize=4096)  # flows are rechecked at every config refresh; their texts rarely change
def check(source: str, *, expression: bool = False) -> None:
    """Raise ValueError when a template (or a bare expression) cannot be compiled or uses the old `{x}`."""
    environment = _ENVIRONMENTS[False]
    try:
        if expression:
            parser = Parser(environment, source, state="variable")
            parser.parse_expression()
            if not parser.stream.eos:
                raise ValueError(f"{source!r}: more than one expression")
            return
        environment.parse(source)
    except TemplateError as exc:
        raise ValueError(f"{source!r}: {exc.message or exc}") from None
    old = _OLD_PLACEHOLDER.search(source)
    if old:
        name = old.group().strip("{} ")
        raise ValueError(f"{source!r}: placeholders are written {{{{ {name} }}}}, not {old.group()}")


def undeclared(source: str) -> set[str]:
    """The variables a template reads, for checking them against what its renderer will pass."""
    tree: nodes.Template = _ENVIRONMENTS[True].parse(source)
    return meta.find_undeclared_variables(tree)


@lru_cache(maxsize=1024)
def _compiled_path(expression: str) -> Any:
    return jmespath.compile(expression)


def check_path(expression: str, functions: Mapping[str, Any]) -> None:
    """Raise ValueError when a JMESPath expression does not compile or calls a function not in `functions`."""
    try:
        _compiled_path(expression)
    except JMESPathError as exc:
        raise ValueError(f"{expression!r}: {exc}") from None
    unknown = sorted({name for name, _ in path_calls(expression)} - set(functions))
    if unknown:
        raise ValueError(
            f"{expression!r}: no function {', '.join(unknown)} (there are {', '.join(functions)})"
        )


def path_calls(expression: str) -> list[tuple[str, list[Any]]]:
    """Each function a JMESPath expression calls, with its literal arguments (None where not literal)."""
    calls: list[tuple[str, list[Any]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("type") == "function_expression":
                literal = [c.get("value") if c.get("type") == "literal" else None for c in node["children"]]
                calls.append((node["value"], literal))
            walk(node.get("children", []))

    walk(_compiled_path(expression).parsed)
    return calls


def json_path(expression: str, functions: Functions | None = None) -> Callable[[Any], Any]:
    """A JMESPath expression as a function of a decoded JSON document (with extra functions, if given)."""
    compiled = _compiled_path(expression)
    options = jmespath.Options(custom_functions=functions) if functions else None
    return lambda data: compiled.search(data, options=options)
