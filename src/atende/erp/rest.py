"""A generic REST ERP adapter, configured by a mapping file instead of code.

Brazilian ISPs run a handful of ERPs (and many in-house ones), each with its
own REST dialect. A mapping file (JSON) says, per operation of the ERP port,
which method and path to call, which query or body to send (Jinja2 templates
over the operation's arguments, see `atende.templating`), where the answer sits
in the response and how each field of our domain types is read from it (JMESPath
expressions, with the converters below as functions). Adding an ERP is writing
a mapping, not an adapter. A mapping is validated when loaded, naming the field
it gets wrong. Times without an offset are read in `utc_offset_hours` (Brasília,
-3, unless the mapping says otherwise).

    {"base_url": "...", "auth": {"header": "Authorization", "template": "Bearer {{ token }}"},
     "values": {"status": {"A": "active", "CM": "blocked"}},
     "operations": {"invoices": {"method": "GET", "path": "/clientes/{{ customer_id }}/faturas",
                                 "result": "registros[*]",
                                 "fields": {"amount": "brl(valor)",
                                            "due_date": "date(vencimento, '%d/%m/%Y')",
                                            "status": "table(situacao, 'status')"}}}}
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import quote

import httpx
from jmespath import functions as jp
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from atende import templating
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


class Operation(NamedTuple):
    result: type  # the domain type each answer becomes
    many: bool  # a list of them?
    args: tuple[str, ...]  # what its templates may use


OPERATIONS: dict[str, Operation] = {
    "find_customer_by_cpf": Operation(Customer, False, ("cpf", "cpf_formatted")),
    "get_customer": Operation(Customer, False, ("customer_id",)),
    "plans": Operation(Plan, True, ()),
    "invoices": Operation(Invoice, True, ("customer_id",)),
    "payments": Operation(Payment, True, ("customer_id",)),
    "outages": Operation(Outage, True, ("city", "neighbourhood")),
    "visit_slots": Operation(VisitSlot, True, ("customer_id",)),
    "tickets": Operation(Ticket, True, ("customer_id",)),
    "open_ticket": Operation(
        Ticket, False, ("customer_id", "subject", "description", "slot_id", "request_id")
    ),
    "negotiation_offers": Operation(NegotiationOffer, True, ("customer_id",)),
    "accept_offer": Operation(Agreement, False, ("customer_id", "offer_id", "request_id")),
    "trust_unlock": Operation(UnlockResult, False, ("customer_id", "request_id")),
    "request_plan_change": Operation(PlanChange, False, ("customer_id", "plan_id", "request_id")),
}
STANDIN_MAPPING = Path(__file__).with_name("mappings") / "standin.json"  # the example, for the stand-in ERP


def _phone(value: Any) -> str | None:
    """ERPs store national numbers ("(11) 98765-4321"); contacts are keyed in E.164."""
    digits = "".join(c for c in str(value) if c.isdigit())
    return to_e164("55" + digits if len(digits) in (10, 11) else digits)


def _brl(value: Any) -> Decimal:
    text = str(value).strip().replace("R$", "").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


def _blank_is_none(convert: Callable[..., Any]) -> Callable[..., Any]:
    """A converter of a value the ERP left out (null, absent or "") gives None, not an error."""

    @functools.wraps(convert)
    def wrapper(self: Any, value: Any, *args: Any) -> Any:
        return None if value is None or value == "" else convert(self, value, *args)

    return wrapper


_ANY = {"types": []}
_ANY_AND_OPTIONS = {"types": [], "variadic": True}  # `date(x)` or `date(x, '%d/%m/%Y')`


class Converters(jp.Functions):
    """The functions a field spec may call on what it found, besides JMESPath's own.

    `date(x)` reads ISO; `date(x, '%d/%m/%Y')` a strptime format; likewise `datetime`. `table(x, 'name')`
    looks `x` up in the mapping's `values.name` (`"*"`: any other value). A default is JMESPath's `||`.
    """

    def __init__(self, value_maps: dict[str, dict[str, Any]], tz: tzinfo) -> None:
        super().__init__()
        self._maps = value_maps
        self._tz = tz

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_digits(self, value: Any) -> str:
        return "".join(c for c in str(value) if c.isdigit())

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_phone(self, value: Any) -> str | None:
        return _phone(value)

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_brl(self, value: Any) -> Decimal:
        return _brl(value)

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_decimal(self, value: Any) -> Decimal:
        return Decimal(str(value))

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_int(self, value: Any) -> int:
        return int(value)

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_str(self, value: Any) -> str:
        return str(value)

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_bool(self, value: Any) -> bool:
        return str(value).strip().lower() in ("1", "true", "s", "sim", "y", "yes")

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_upper(self, value: Any) -> str:
        return str(value).upper()

    @jp.signature(_ANY)
    @_blank_is_none
    def _func_lower(self, value: Any) -> str:
        return str(value).lower()

    @jp.signature(_ANY_AND_OPTIONS)
    @_blank_is_none
    def _func_date(self, value: Any, *fmt: str) -> date:
        return datetime.strptime(str(value), fmt[0]).date() if fmt else date.fromisoformat(str(value)[:10])

    @jp.signature(_ANY_AND_OPTIONS)
    @_blank_is_none
    def _func_datetime(self, value: Any, *fmt: str) -> datetime:
        moment = datetime.strptime(str(value), fmt[0]) if fmt else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=self._tz)

    @jp.signature(_ANY, {"types": ["string"]})
    @_blank_is_none
    def _func_format(self, value: Any, fmt: str) -> str:
        return value.strftime(fmt)

    @jp.signature(_ANY, {"types": ["string"]})
    @_blank_is_none
    def _func_table(self, value: Any, name: str) -> Any:
        table = self._maps[name]
        return table.get(str(value), table.get("*", value))

    @jp.signature(_ANY_AND_OPTIONS)
    @_blank_is_none
    def _func_split(self, value: Any, *separator: str) -> list[str]:
        return [part.strip() for part in str(value).split(separator[0] if separator else ",") if part.strip()]


# -- the mapping file ------------------------------------------------------------------------------


def _path(expression: str) -> str:
    templating.check_path(expression, Converters.FUNCTION_TABLE)
    return expression


def _template(source: str) -> str:
    templating.check(source)
    return source


JsonPath = Annotated[str, AfterValidator(_path)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # a misspelt key is refused, not ignored


class Nested(_Part):
    """A nested domain object, e.g. a ticket's visit slot: where it sits and how its fields are read."""

    path: JsonPath
    fields: dict[str, FieldSpec]


FieldSpec = JsonPath | Nested
Nested.model_rebuild()


class Auth(_Part):
    header: str = "Authorization"
    template: Annotated[str, AfterValidator(_template)] = "Bearer {{ token }}"


class OperationMapping(_Part):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: Annotated[str, AfterValidator(_template)]
    query: dict[str, Any] = {}
    body: Any = None  # a JSON template; sent only when the mapping has one
    result: JsonPath = "@"  # where the answer (or, for lists, the items) sits
    fields: dict[str, FieldSpec]
    not_found_status: list[int] = [404]
    idempotency_header: str = "Idempotency-Key"  # "" when the ERP has none


class ErpMapping(_Part):
    about: str = Field("", alias="_about")  # what the mapping is for, for people
    base_url: str = ""
    auth: Auth | None = None
    values: dict[str, dict[str, Any]] = {}
    utc_offset_hours: float = -3
    operations: dict[str, OperationMapping]

    @model_validator(mode="after")
    def _fits_the_port(self) -> ErpMapping:
        """Names and fields the adapter can actually use: an unknown one is a typo, found now."""
        if self.auth:
            _only_names(self.auth.template, {"token"}, "auth.template")
        for name, op in self.operations.items():
            if name not in OPERATIONS:
                raise ValueError(
                    f"operations.{name}: not an operation of the ERP port ({', '.join(OPERATIONS)})"
                )
            args = set(OPERATIONS[name].args)
            for where, template in _templates(op.path, op.query, op.body, f"operations.{name}"):
                _only_names(template, args, where)
            _check_fields(OPERATIONS[name].result, op.fields, f"operations.{name}.fields", self.values)
        return self


def _templates(path: str, query: Any, body: Any, prefix: str) -> list[tuple[str, str]]:
    found = [(f"{prefix}.path", path)]

    def walk(value: Any, where: str) -> None:
        if isinstance(value, str):
            templating.check(value)
            found.append((where, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}.{i}")

    walk(query, f"{prefix}.query")
    walk(body, f"{prefix}.body")
    return found


def _only_names(template: str, allowed: set[str], where: str) -> None:
    unknown = templating.undeclared(template) - allowed
    if unknown:
        raise ValueError(f"{where}: uses {sorted(unknown)}; it can use {sorted(allowed) or 'nothing'}")


def _check_fields(cls: type, fields: dict[str, Any], where: str, values: dict[str, Any]) -> None:
    hints = typing.get_type_hints(cls)
    for name, spec in fields.items():
        if name not in hints:
            raise ValueError(f"{where}.{name}: {cls.__name__} has no such field ({', '.join(hints)})")
        if isinstance(spec, Nested):
            nested = _dataclass_in(hints[name])
            if nested is None:
                raise ValueError(f"{where}.{name}: not a nested object")
            _check_fields(nested, spec.fields, f"{where}.{name}.fields", values)
            continue
        for table in [args[-1] for called, args in templating.path_calls(spec) if called == "table"]:
            if table not in values:
                raise ValueError(f"{where}.{name}: no table {table!r} in `values`")
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in fields and _required(f)]
    if missing:
        raise ValueError(f"{where}: {cls.__name__} needs {', '.join(missing)}")


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _dataclass_in(hint: Any) -> type | None:
    return next((a for a in (*typing.get_args(hint), hint) if dataclasses.is_dataclass(a)), None)


def load_mapping(path: str | Path) -> ErpMapping:
    """The mapping file, validated (pydantic's ValidationError names the field it got wrong)."""
    return ErpMapping.model_validate_json(Path(path).read_text(encoding="utf-8"))


# -- the adapter -----------------------------------------------------------------------------------


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
        mapping: ErpMapping,
        base_url: str | None = None,
        token: str = "",
        timeout_s: float = 8.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._ops = mapping.operations
        tz = timezone(timedelta(hours=mapping.utc_offset_hours))
        self._functions = Converters(mapping.values, tz)
        headers = {"Accept": "application/json"}
        if mapping.auth and token:
            headers[mapping.auth.header] = templating.render(
                mapping.auth.template, {"token": token}, strict=True
            )
        self._http = httpx.Client(
            base_url=(base_url or mapping.base_url).rstrip("/"),
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
        cls, many, _ = OPERATIONS[operation]
        headers = {}
        if args.get("request_id") and op.idempotency_header:
            headers[op.idempotency_header] = str(args["request_id"])
        in_path = {k: quote("" if v is None else str(v), safe="") for k, v in args.items()}
        try:
            response = self._http.request(
                op.method,
                templating.render(op.path, in_path, strict=True),
                params={k: v for k, v in self._fill(op.query, args).items() if v not in (None, "")},
                json=self._fill(op.body, args) if "body" in op.model_fields_set else None,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise ErpError(f"{operation}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code in op.not_found_status and not many:
            return None
        if response.status_code >= 400:
            raise ErpError(f"{operation}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            document = response.json()
        except ValueError as exc:
            raise ErpError(f"{operation}: the ERP did not answer JSON") from exc
        try:
            found = self._read(document, op.result)
            if many:
                items = [] if found is None else (found if isinstance(found, list) else [found])
                return [self._build(cls, item, op.fields) for item in items]
            return None if found is None else self._build(cls, found, op.fields)
        except (KeyError, ValueError, TypeError, AttributeError, InvalidOperation) as exc:
            raise ErpError(f"{operation}: unexpected response shape: {exc}") from exc

    @staticmethod
    def _fill(template: Any, args: dict[str, Any]) -> Any:
        return templating.fill(template, args, strict=True)

    def _read(self, data: Any, path: str) -> Any:
        return templating.json_path(path, self._functions)(data)

    def _build(self, cls: type, data: Any, fields: dict[str, FieldSpec]) -> Any:
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            spec = fields.get(f.name)
            if spec is None:
                continue
            values[f.name] = _coerce(self._value(data, spec, hints[f.name]), hints[f.name])
        return cls(**values)

    def _value(self, data: Any, spec: FieldSpec, hint: Any) -> Any:
        if isinstance(spec, Nested):
            found = self._read(data, spec.path)
            return None if found is None else self._build(_dataclass_in(hint), found, spec.fields)
        found = self._read(data, spec)
        return None if found == "" else found
