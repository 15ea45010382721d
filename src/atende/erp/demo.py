"""The demo ERP: a small ISP back office seeded from JSON, for demos and tests.

It behaves like the real systems the attendant talks to: it generates the
month's invoices with boleto lines and PIX codes, computes debts with fine and
interest, grants a trust unlock at most once per cooldown, books visit slots
and answers each mutation idempotently (same request id, same protocol).
What customers change (unlocks, tickets, agreements) lives in a `DemoState`
store: memory in unit tests, Firestore when the functions run, so every
function instance sees the same back office.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Protocol

from atende.domain.business_entity import BusinessEntity, EntityContact, EntityKind
from atende.erp.billing_codes import boleto_line, pix_copy_paste
from atende.erp.types import (
    BRT,
    Agreement,
    Customer,
    CustomerStatus,
    ErpError,
    Invoice,
    InvoiceStatus,
    NegotiationOffer,
    Outage,
    Payment,
    Plan,
    PlanChange,
    Ticket,
    UnlockResult,
    VisitSlot,
)

SEED_PATH = Path(__file__).with_name("demo_data.json")
ENTITIES = "entities"  # the demo state's document holding when the demo's entities' clock started
CENT = Decimal("0.01")

State = dict[str, Any]


class DemoState(Protocol):
    def read(self, customer_id: str) -> State: ...

    def mutate(self, customer_id: str, change: Callable[[State], State]) -> State:
        """Apply `change` to the customer's state atomically and return the new state."""


class MemoryDemoState:
    def __init__(self) -> None:
        self._data: dict[str, State] = {}
        self._lock = threading.Lock()

    def read(self, customer_id: str) -> State:
        with self._lock:
            return json.loads(json.dumps(self._data.get(customer_id, {})))

    def mutate(self, customer_id: str, change: Callable[[State], State]) -> State:
        with self._lock:
            current = json.loads(json.dumps(self._data.get(customer_id, {})))
            self._data[customer_id] = change(current)
            return self._data[customer_id]


def load_seed(path: Path = SEED_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def protocol_for(request_id: str, day: date) -> str:
    """Deterministic per request, so a retried mutation reports the protocol it already got."""
    n = int(hashlib.sha256(request_id.encode()).hexdigest(), 16) % 1_000_000
    return f"{day:%Y%m%d}{n:06d}"


def _add_months(day: date, months: int, due_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, due_day)


@dataclass(frozen=True)
class _Seeded:
    customer: Customer
    due_day: int
    billing_months: int
    unpaid_months: int
    tickets: tuple[dict[str, Any], ...]


class DemoErp:
    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        state: DemoState | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(BRT),
    ) -> None:
        seed = seed or load_seed()
        self._billing = seed["billing"]
        self._unlock = seed["trust_unlock"]
        self._windows = seed["visit_windows"]
        self._visit_days = int(seed["visit_days_ahead"])
        self._plans = {p["id"]: _plan(p) for p in seed["plans"]}
        self._customers = {c["id"]: _seeded(c) for c in seed["customers"]}
        self._outages = seed["outages"]
        self._entities = seed.get("business_entities", [])
        self._state = state or MemoryDemoState()
        self._now = now

    # -- reads ---------------------------------------------------------------------------------------

    def business_entities(self) -> list[BusinessEntity]:
        """Maria's pending PIX payment, the upgrade proposal sent to João, a sign-up whose installation is
        not confirmed, a prospect: their `since` counts from when the demo was first asked (kept in the
        demo state), so each has one follow-up window, like a real ERP's records."""
        anchor = self._state.read(ENTITIES).get("anchor")
        if anchor is None:
            now = self._now().timestamp()
            anchor = self._state.mutate(ENTITIES, lambda s: s if "anchor" in s else {**s, "anchor": now})[
                "anchor"
            ]
        return [self._entity(raw, float(anchor)) for raw in self._entities]

    def _entity(self, raw: dict[str, Any], anchor: float) -> BusinessEntity:
        since = anchor - float(raw["since_hours_ago"]) * 3600
        contact = EntityContact(**raw.get("contact", {}))
        customer = self._customers.get(raw.get("customer_id", ""))
        if customer is not None:
            c = customer.customer
            contact = EntityContact(name=c.name, phone=c.phones[0] if c.phones else None, email=c.email)
        return BusinessEntity(
            kind=EntityKind(raw["kind"]),
            external_id=raw["external_id"],
            status=raw["status"],
            since=since,
            updated_at=since,
            contact=contact,
            data=dict(raw.get("data", {})),
            source="erp",
        )

    def find_customer_by_cpf(self, cpf: str) -> Customer | None:
        digits = "".join(c for c in cpf if c.isdigit())
        found = next((s for s in self._customers.values() if s.customer.cpf == digits), None)
        return self._current(found.customer) if found else None

    def get_customer(self, customer_id: str) -> Customer | None:
        found = self._customers.get(customer_id)
        return self._current(found.customer) if found else None

    def plans(self) -> list[Plan]:
        return list(self._plans.values())

    def invoices(self, customer_id: str) -> list[Invoice]:
        seeded = self._seeded(customer_id)
        state = self._state.read(customer_id)
        return sorted(
            self._billed(seeded) + _agreement_invoices(state), key=lambda i: i.due_date, reverse=True
        )

    def payments(self, customer_id: str) -> list[Payment]:
        return [
            Payment(i.id, i.amount, i.paid_at, "boleto")
            for i in self.invoices(customer_id)
            if i.status == InvoiceStatus.PAID and i.paid_at
        ]

    def outages(self, city: str, neighbourhood: str) -> list[Outage]:
        now = self._now()
        found = []
        for o in self._outages:
            places = {n.casefold() for n in o["neighbourhoods"]}
            if o["city"].casefold() == city.casefold() and (
                not neighbourhood or neighbourhood.casefold() in places
            ):
                found.append(
                    Outage(
                        o["id"],
                        o["city"],
                        tuple(o["neighbourhoods"]),
                        o["description"],
                        _hour(now - timedelta(hours=o["started_hours_ago"])),
                        _hour(now + timedelta(hours=o["estimated_hours_left"])),
                    )
                )
        return found

    def visit_slots(self, customer_id: str) -> list[VisitSlot]:
        self._seeded(customer_id)
        taken = {t["visit"]["id"] for t in self._state.read(customer_id).get("tickets", []) if t.get("visit")}
        return [s for s in self._all_slots() if s.id not in taken]

    def tickets(self, customer_id: str) -> list[Ticket]:
        seeded = self._seeded(customer_id)
        today = self._now().date()
        old = [
            Ticket(
                t["protocol"],
                t["subject"],
                t["status"],
                datetime.combine(today - timedelta(days=t["opened_days_ago"]), time(9), BRT),
            )
            for t in seeded.tickets
        ]
        return [_ticket(t) for t in self._state.read(customer_id).get("tickets", [])] + old

    def negotiation_offers(self, customer_id: str) -> list[NegotiationOffer]:
        overdue = [i for i in self.invoices(customer_id) if i.status == InvoiceStatus.OVERDUE]
        if not overdue:
            return []
        today = self._now().date()
        principal = sum((i.amount for i in overdue), Decimal("0"))
        fine = money(principal * Decimal(self._billing["fine_pct"]) / 100)
        interest = money(
            sum(
                (
                    i.amount * Decimal(self._billing["daily_interest_pct"]) / 100 * (today - i.due_date).days
                    for i in overdue
                ),
                Decimal("0"),
            )
        )
        full = principal + fine + interest

        def offer(offer_id: str, description: str, n: int, total: Decimal) -> NegotiationOffer:
            # Rounded down: the instalments never add up to more than the offer's charges.
            installment = (total / n).quantize(CENT, rounding=ROUND_DOWN)
            return NegotiationOffer(
                offer_id, description, n, installment, installment * n, money(full - installment * n)
            )

        fine_pct = f"{Decimal(self._billing['fine_pct']).normalize():f}".replace(".", ",")
        return [
            offer("avista", "sem multa nem juros", 1, principal),
            offer("2x", f"multa de {fine_pct}%, sem juros", 2, principal + fine),
            offer("3x", f"multa de {fine_pct}% e juros de atraso", 3, full),
        ]

    # -- mutations -----------------------------------------------------------------------------------

    def open_ticket(
        self, customer_id: str, subject: str, description: str, slot_id: str | None, request_id: str
    ) -> Ticket:
        self._seeded(customer_id)
        slot = next((s for s in self.visit_slots(customer_id) if s.id == slot_id), None) if slot_id else None
        if slot_id and slot is None and not self._replayed(customer_id, "tickets", request_id):
            raise ErpError(f"visit slot {slot_id} is not available")
        now = self._now().replace(second=0, microsecond=0)
        entry = {
            "request_id": request_id,
            "protocol": protocol_for(request_id, now.date()),
            "subject": subject,
            "description": description,
            "status": "open",
            "opened_at": now.isoformat(),
            "visit": {"id": slot.id, "start": slot.start.isoformat(), "end": slot.end.isoformat()}
            if slot
            else None,
        }
        return _ticket(self._record(customer_id, "tickets", entry))

    def accept_offer(self, customer_id: str, offer_id: str, request_id: str) -> Agreement:
        replay = self._replayed(customer_id, "agreements", request_id)
        if replay:
            return _agreement(replay)
        offer = next((o for o in self.negotiation_offers(customer_id) if o.id == offer_id), None)
        if offer is None:
            raise ErpError(f"no negotiation offer {offer_id} for this customer")
        today = self._now().date()
        protocol = protocol_for(request_id, today)
        due = today + timedelta(days=3)
        first = self._invoice(
            f"AC{protocol}", f"{due:%Y-%m}", offer.installment_amount, due, InvoiceStatus.OPEN
        )
        entry = {
            "request_id": request_id,
            "protocol": protocol,
            "offer_id": offer.id,
            "installments": offer.installments,
            "settles": [i.id for i in self.invoices(customer_id) if i.status == InvoiceStatus.OVERDUE],
            "first_invoice": _invoice_json(first),
        }
        return _agreement(self._record(customer_id, "agreements", entry))

    def trust_unlock(self, customer_id: str, request_id: str) -> UnlockResult:
        seeded = self._seeded(customer_id)
        state = self._state.read(customer_id)
        replay = self._replayed(customer_id, "unlocks", request_id)
        if replay:
            return _unlock(replay)
        today = self._now().date()
        last = max((date.fromisoformat(u["at"]) for u in state.get("unlocks", [])), default=None)
        cooldown = int(self._unlock["cooldown_days"])
        if self._current(seeded.customer).status != CustomerStatus.BLOCKED:
            return UnlockResult(False, "not_blocked")
        if last and (today - last).days < cooldown:
            return UnlockResult(False, "used_recently", next_eligible=last + timedelta(days=cooldown))
        entry = {
            "request_id": request_id,
            "at": today.isoformat(),
            "until": (today + timedelta(days=int(self._unlock["days"]))).isoformat(),
            "protocol": protocol_for(request_id, today),
        }
        return _unlock(self._record(customer_id, "unlocks", entry))

    def request_plan_change(self, customer_id: str, plan_id: str, request_id: str) -> PlanChange:
        self._seeded(customer_id)
        if plan_id not in self._plans:
            raise ErpError(f"unknown plan {plan_id}")
        today = self._now().date()
        entry = {
            "request_id": request_id,
            "protocol": protocol_for(request_id, today),
            "plan_id": plan_id,
            "effective_date": (today + timedelta(days=1)).isoformat(),
        }
        saved = self._record(customer_id, "plan_changes", entry)
        return PlanChange(saved["protocol"], saved["plan_id"], date.fromisoformat(saved["effective_date"]))

    # -- internals -----------------------------------------------------------------------------------

    def _seeded(self, customer_id: str) -> _Seeded:
        try:
            return self._customers[customer_id]
        except KeyError:
            raise ErpError(f"unknown customer {customer_id}") from None

    def _replayed(self, customer_id: str, kind: str, request_id: str) -> dict[str, Any] | None:
        return next(
            (e for e in self._state.read(customer_id).get(kind, []) if e.get("request_id") == request_id),
            None,
        )

    def _record(self, customer_id: str, kind: str, entry: dict[str, Any]) -> dict[str, Any]:
        def change(state: State) -> State:
            entries = state.setdefault(kind, [])
            if not any(e.get("request_id") == entry["request_id"] for e in entries):
                entries.append(entry)
            return state

        saved = self._state.mutate(customer_id, change)
        return next(e for e in saved[kind] if e["request_id"] == entry["request_id"])

    def _current(self, customer: Customer) -> Customer:
        """Apply what customers changed: an unlock or an agreement in instalments reactivates (the debt
        is rescheduled); a one-payment deal is a cheaper bill, and only paying it would; a plan change
        shows."""
        state = self._state.read(customer.id)
        today = self._now().date()
        status = customer.status
        unlocked = any(date.fromisoformat(u["until"]) >= today for u in state.get("unlocks", []))
        rescheduled = any(int(a.get("installments", 2)) > 1 for a in state.get("agreements", []))
        if status == CustomerStatus.BLOCKED and (unlocked or rescheduled):
            status = CustomerStatus.ACTIVE
        plan_id = customer.plan_id
        for change in state.get("plan_changes", []):
            if date.fromisoformat(change["effective_date"]) <= today:
                plan_id = change["plan_id"]
        return Customer(**{**customer.__dict__, "status": status, "plan_id": plan_id})

    def _invoice(
        self,
        invoice_id: str,
        reference: str,
        amount: Decimal,
        due: date,
        status: str,
        paid_at: date | None = None,
    ) -> Invoice:
        b = self._billing
        return Invoice(
            id=invoice_id,
            reference=reference,
            amount=amount,
            due_date=due,
            status=status,
            digitable_line=boleto_line(b["bank"], "".join(c for c in invoice_id if c.isdigit()), amount, due),
            pix_code=pix_copy_paste(b["pix_key"], amount, b["merchant"], b["city"], invoice_id),
            paid_at=paid_at,
        )

    def _billed(self, seeded: _Seeded) -> list[Invoice]:
        today = self._now().date()
        customer = seeded.customer
        plan = self._plans[customer.plan_id]
        first_future = date(today.year, today.month, seeded.due_day)
        if first_future < today:
            first_future = _add_months(first_future, 1, seeded.due_day)
        dues = [_add_months(first_future, -k, seeded.due_day) for k in range(seeded.billing_months)]
        settled = {i for a in self._state.read(customer.id).get("agreements", []) for i in a["settles"]}
        past = sorted((d for d in dues if d < today), reverse=True)
        unpaid = set(past[: seeded.unpaid_months])
        invoices = []
        for due in dues:
            invoice_id = f"{customer.id}{due:%Y%m}"
            if due >= today:
                status, paid_at = InvoiceStatus.OPEN, None
            elif invoice_id in settled:
                status, paid_at = InvoiceStatus.NEGOTIATED, None
            elif due in unpaid:
                status, paid_at = InvoiceStatus.OVERDUE, None
            else:
                status, paid_at = InvoiceStatus.PAID, due - timedelta(days=2)
            invoices.append(self._invoice(invoice_id, f"{due:%Y-%m}", plan.price, due, status, paid_at))
        return invoices

    def _all_slots(self) -> list[VisitSlot]:
        day = self._now().date()
        slots: list[VisitSlot] = []
        while len({s.start.date() for s in slots}) < self._visit_days:
            day += timedelta(days=1)
            if day.weekday() == 6:
                continue  # no visits on Sundays
            for start, end in self._windows:
                s, e = (datetime.combine(day, time.fromisoformat(t), BRT) for t in (start, end))
                slots.append(VisitSlot(f"{day:%Y%m%d}-{start[:2]}", s, e))
        return slots


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _plan(raw: dict[str, Any]) -> Plan:
    return Plan(
        raw["id"],
        raw["name"],
        raw["download_mbps"],
        raw["upload_mbps"],
        Decimal(raw["price"]),
        raw.get("description", ""),
    )


def _seeded(raw: dict[str, Any]) -> _Seeded:
    customer = Customer(
        id=raw["id"],
        name=raw["name"],
        cpf=raw["cpf"],
        birth_date=date.fromisoformat(raw["birth_date"]),
        phones=tuple(raw["phones"]),
        plan_id=raw["plan_id"],
        status=raw["status"],
        city=raw["city"],
        neighbourhood=raw["neighbourhood"],
        email=raw.get("email"),
        address=raw.get("address", ""),
    )
    return _Seeded(
        customer, raw["due_day"], raw["billing_months"], raw["unpaid_months"], tuple(raw["tickets"])
    )


def _invoice_json(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "reference": invoice.reference,
        "amount": str(invoice.amount),
        "due_date": invoice.due_date.isoformat(),
        "status": invoice.status,
        "digitable_line": invoice.digitable_line,
        "pix_code": invoice.pix_code,
    }


def _invoice_from_json(raw: dict[str, Any]) -> Invoice:
    return Invoice(
        raw["id"],
        raw["reference"],
        Decimal(raw["amount"]),
        date.fromisoformat(raw["due_date"]),
        raw["status"],
        raw["digitable_line"],
        raw["pix_code"],
    )


def _agreement_invoices(state: State) -> list[Invoice]:
    return [_invoice_from_json(a["first_invoice"]) for a in state.get("agreements", [])]


def _agreement(raw: dict[str, Any]) -> Agreement:
    return Agreement(raw["protocol"], raw["offer_id"], _invoice_from_json(raw["first_invoice"]))


def _unlock(raw: dict[str, Any]) -> UnlockResult:
    return UnlockResult(True, "granted", until=date.fromisoformat(raw["until"]), protocol=raw["protocol"])


def _ticket(raw: dict[str, Any]) -> Ticket:
    visit = raw.get("visit")
    return Ticket(
        raw["protocol"],
        raw["subject"],
        raw["status"],
        datetime.fromisoformat(raw["opened_at"]),
        VisitSlot(visit["id"], datetime.fromisoformat(visit["start"]), datetime.fromisoformat(visit["end"]))
        if visit
        else None,
    )
