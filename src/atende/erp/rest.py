"""A generic REST ERP adapter, configured by a mapping file instead of code.

Brazilian ISPs run a handful of ERPs (and many in-house ones), each with its
own REST dialect. A mapping file (JSON) says, per operation of the ERP port,
which method and path to call, which query or body to send, where the answer
sits in the response and how each field of our domain types is read from it
(`"path|converter|converter"`). Adding an ERP is writing a mapping, not an
adapter. Times without an offset are read in `utc_offset_hours` (Brasília, -3,
unless the mapping says otherwise).

    {"base_url": "...", "auth": {"header": "Authorization", "template": "Bearer {token}"},
     "values": {"status": {"A": "active", "CM": "blocked"}},
     "operations": {"invoices": {"method": "GET", "path": "/clientes/{customer_id}/faturas",
                                 "result": "registros[*]",
                                 "fields": {"amount": "valor|brl", "due_date": "vencimento|date:%d/%m/%Y"}}}}
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from atende.domain import cpf as cpf_rules
from atende.domain.phone import to_e164
from atende.erp.types import (
    Agreement,
    Customer,
    ErpError,
    Invoice,
    NegotiationOffer,
    Outage,
    Payment,
    Plan,
    PlanChange,
    Ticket,
    UnlockResult,
    VisitSlot,
)

# operation -> (result type, a list of them?)
RESULTS: dict[str, tuple[type, bool]] = {
    "find_customer_by_cpf": (Customer, False),
    "get_customer": (Customer, False),
    "plans": (Plan, True),
    "invoices": (Invoice, True),
    "payments": (Payment, True),
    "outages": (Outage, True),
    "visit_slots": (VisitSlot, True),
    "tickets": (Ticket, True),
    "open_ticket": (Ticket, False),
    "negotiation_offers": (NegotiationOffer, True),
    "accept_offer": (Agreement, False),
    "trust_unlock": (UnlockResult, False),
    "request_plan_change": (PlanChange, False),
}
MISSING = object()
STANDIN_MAPPING = Path(__file__).with_name("mappings") / "standin.json"  # the example, for the stand-in ERP
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load_mapping(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def extract(data: Any, path: str) -> Any:
    """Follow `a.b[0].c` (or `items[*].id`, giving a list) into decoded JSON; MISSING if absent."""
    if not path:
        return data
    current: list[Any] = [data]
    fan_out = False
    for name, index in _STEP.findall(path):
        following: list[Any] = []
        for item in current:
            if name:
                if isinstance(item, dict) and name in item:
                    following.append(item[name])
            elif index == "*":
                fan_out = True
                if isinstance(item, list):
                    following.extend(item)
            elif isinstance(item, list) and int(index) < len(item):
                following.append(item[int(index)])
        current = following
    if fan_out:
        return current
    return current[0] if current else MISSING


def _phone(value: Any) -> str | None:
    """ERPs store national numbers ("(11) 98765-4321"); contacts are keyed in E.164."""
    digits = "".join(c for c in str(value) if c.isdigit())
    return to_e164("55" + digits if len(digits) in (10, 11) else digits)


def _brl(value: Any) -> Decimal:
    text = str(value).strip().replace("R$", "").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


class Converters:
    """The `|name:arg` steps a field spec may apply, in order, to the value found at its path."""

    def __init__(self, value_maps: dict[str, dict[str, Any]], tz: tzinfo) -> None:
        self._maps = value_maps
        self._tz = tz

    def apply(self, value: Any, steps: list[str]) -> Any:
        for step in steps:
            if value is None:
                return None
            name, _, arg = step.partition(":")
            value = self._one(name, arg, value)
        return value

    def _one(self, name: str, arg: str, value: Any) -> Any:
        simple: dict[str, Callable[[Any], Any]] = {
            "digits": lambda v: "".join(c for c in str(v) if c.isdigit()),
            "phone": _phone,
            "brl": _brl,
            "decimal": lambda v: Decimal(str(v)),
            "int": lambda v: int(v),
            "str": lambda v: str(v),
            "bool": lambda v: str(v).strip().lower() in ("1", "true", "s", "sim", "y", "yes"),
            "upper": lambda v: str(v).upper(),
            "lower": lambda v: str(v).lower(),
        }
        if name in simple:
            return simple[name](value)
        if name == "date":
            return datetime.strptime(str(value), arg).date() if arg else date.fromisoformat(str(value)[:10])
        if name == "datetime":
            moment = datetime.strptime(str(value), arg) if arg else datetime.fromisoformat(str(value))
            return moment if moment.tzinfo else moment.replace(tzinfo=self._tz)
        if name == "format":
            return value.strftime(arg)
        if name == "map":
            table = self._maps.get(arg, {})
            return table.get(str(value), table.get("*", value))
        if name == "split":
            return [part.strip() for part in str(value).split(arg or ",") if part.strip()]
        if name == "default":
            return value if value not in ("", None) else arg
        raise ValueError(f"unknown converter {name!r}")


def _coerce(value: Any, hint: Any) -> Any:
    """Bring a converted value to the annotated type (ISO dates, numbers as Decimal, lists as tuples)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    if value is None:
        return None
    if origin is tuple:
        return tuple(value if isinstance(value, list | tuple) else [value])
    if hint is Decimal and not isinstance(value, Decimal):
        return Decimal(str(value))
    if hint is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if hint is date and isinstance(value, datetime):
        return value.date()
    if hint is date and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hint is int and not isinstance(value, int):
        return int(value)
    if hint is str and not isinstance(value, str):
        return str(value)
    return value


class RestErp:
    def __init__(
        self,
        mapping: dict[str, Any],
        base_url: str | None = None,
        token: str = "",
        timeout_s: float = 8.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._mapping = mapping
        self._ops: dict[str, dict[str, Any]] = mapping["operations"]
        tz = timezone(timedelta(hours=float(mapping.get("utc_offset_hours", -3))))
        self._convert = Converters(mapping.get("values", {}), tz)
        headers = {"Accept": "application/json"}
        auth = mapping.get("auth")
        if auth and token:
            headers[auth.get("header", "Authorization")] = auth.get("template", "Bearer {token}").format(
                token=token
            )
        self._http = httpx.Client(
            base_url=(base_url or mapping.get("base_url", "")).rstrip("/"),
            headers=headers,
            timeout=timeout_s,
            transport=transport,
        )

    # -- the port ------------------------------------------------------------------------------------

    def find_customer_by_cpf(self, cpf: str) -> Customer | None:
        digits = cpf_rules.digits(cpf)
        return self._call("find_customer_by_cpf", cpf=digits, cpf_formatted=cpf_rules.formatted(digits))

    def get_customer(self, customer_id: str) -> Customer | None:
        return self._call("get_customer", customer_id=customer_id)

    def plans(self) -> list[Plan]:
        return self._call("plans")

    def invoices(self, customer_id: str) -> list[Invoice]:
        return sorted(self._call("invoices", customer_id=customer_id), key=lambda i: i.due_date, reverse=True)

    def payments(self, customer_id: str) -> list[Payment]:
        return self._call("payments", customer_id=customer_id)

    def outages(self, city: str, neighbourhood: str) -> list[Outage]:
        return self._call("outages", city=city, neighbourhood=neighbourhood)

    def visit_slots(self, customer_id: str) -> list[VisitSlot]:
        return self._call("visit_slots", customer_id=customer_id)

    def tickets(self, customer_id: str) -> list[Ticket]:
        return self._call("tickets", customer_id=customer_id)

    def open_ticket(
        self, customer_id: str, subject: str, description: str, slot_id: str | None, request_id: str
    ) -> Ticket:
        return self._call(
            "open_ticket",
            customer_id=customer_id,
            subject=subject,
            description=description,
            slot_id=slot_id,
            request_id=request_id,
        )

    def negotiation_offers(self, customer_id: str) -> list[NegotiationOffer]:
        return self._call("negotiation_offers", customer_id=customer_id)

    def accept_offer(self, customer_id: str, offer_id: str, request_id: str) -> Agreement:
        return self._call("accept_offer", customer_id=customer_id, offer_id=offer_id, request_id=request_id)

    def trust_unlock(self, customer_id: str, request_id: str) -> UnlockResult:
        return self._call("trust_unlock", customer_id=customer_id, request_id=request_id)

    def request_plan_change(self, customer_id: str, plan_id: str, request_id: str) -> PlanChange:
        return self._call(
            "request_plan_change", customer_id=customer_id, plan_id=plan_id, request_id=request_id
        )

    def close(self) -> None:
        self._http.close()

    # -- the machinery -------------------------------------------------------------------------------

    def _call(self, operation: str, **args: Any) -> Any:
        op = self._ops.get(operation)
        if op is None:
            raise ErpError(f"the ERP mapping has no operation {operation!r}")
        cls, many = RESULTS[operation]
        headers = {}
        if args.get("request_id") and op.get("idempotency_header", "Idempotency-Key"):
            headers[op.get("idempotency_header", "Idempotency-Key")] = str(args["request_id"])
        try:
            response = self._http.request(
                op.get("method", "GET"),
                _PLACEHOLDER.sub(lambda m: quote(str(args.get(m.group(1), "")), safe=""), op["path"]),
                params={k: v for k, v in _fill(op.get("query", {}), args).items() if v not in (None, "")},
                json=_fill(op["body"], args) if "body" in op else None,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise ErpError(f"{operation}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code in op.get("not_found_status", [404]) and not many:
            return None
        if response.status_code >= 400:
            raise ErpError(f"{operation}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            found = extract(response.json(), op.get("result", ""))
        except ValueError as exc:
            raise ErpError(f"{operation}: the ERP did not answer JSON") from exc
        try:
            if many:
                items = [] if found is MISSING else (found if isinstance(found, list) else [found])
                return [self._build(cls, item, op["fields"]) for item in items]
            return None if found in (MISSING, None) else self._build(cls, found, op["fields"])
        except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
            raise ErpError(f"{operation}: unexpected response shape: {exc}") from exc

    def _build(self, cls: type, data: Any, fields: dict[str, Any]) -> Any:
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            spec = fields.get(f.name)
            if spec is None:
                continue
            values[f.name] = _coerce(self._value(data, spec, hints[f.name]), hints[f.name])
        return cls(**values)

    def _value(self, data: Any, spec: Any, hint: Any) -> Any:
        if isinstance(spec, dict):  # a nested domain object, e.g. a ticket's visit slot
            found = extract(data, spec.get("path", ""))
            if found in (MISSING, None):
                return None
            nested = next((a for a in (*typing.get_args(hint), hint) if dataclasses.is_dataclass(a)), None)
            return self._build(nested, found, spec["fields"])
        if spec.startswith("="):
            return spec[1:]
        path, *steps = spec.split("|")
        found = extract(data, path)
        if found is MISSING or found == "":
            return None
        return self._convert.apply(found, steps)


def _fill(template: Any, args: dict[str, Any]) -> Any:
    """Substitute `{name}` placeholders; a value that is only a placeholder keeps the argument's type."""
    if isinstance(template, dict):
        return {k: _fill(v, args) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, args) for v in template]
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return args.get(whole.group(1))
        return _PLACEHOLDER.sub(lambda m: str(args.get(m.group(1), "")), template)
    return template
