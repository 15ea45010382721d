"""What an ISP's ERP knows, in the vocabulary the attendant speaks.

Adapters translate each ERP's own shapes into these; the tool layer turns them
into plain JSON for the flows and for Gemini. Amounts are Decimal (never
float: R$ 0,10 + R$ 0,20 must be R$ 0,30) and dates are dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from atende.domain.cpf import masked as masked_cpf

BRT = timezone(timedelta(hours=-3))  # Brazil has had no daylight saving time since 2019


def today_brt() -> date:
    return datetime.now(BRT).date()


class ErpError(Exception):
    """The ERP could not answer (down, timeout, unexpected shape): a person should take over."""


class CustomerStatus:
    ACTIVE = "active"
    BLOCKED = "blocked"  # suspended for non-payment: the case for a trust unlock
    CANCELLED = "cancelled"


class InvoiceStatus:
    OPEN = "open"
    OVERDUE = "overdue"
    PAID = "paid"
    NEGOTIATED = "negotiated"  # replaced by an agreement's installments


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    download_mbps: int
    upload_mbps: int
    price: Decimal
    description: str = ""


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    cpf: str  # 11 digits
    birth_date: date
    phones: tuple[str, ...]  # E.164
    plan_id: str
    status: str
    city: str
    neighbourhood: str
    email: str | None = None
    address: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]

    def for_staff(self) -> dict[str, object]:
        """What the inbox shows an agent: the birth date and the whole CPF are what a customer proves who
        they are with, so a person at the screen (or anyone reading over a shoulder) must not learn them."""
        return {
            "id": self.id,
            "name": self.name,
            "cpf": masked_cpf(self.cpf),
            "phones": list(self.phones),
            "planId": self.plan_id,
            "status": self.status,
            "city": self.city,
            "neighbourhood": self.neighbourhood,
            "email": self.email,
            "address": self.address,
        }


@dataclass(frozen=True)
class Invoice:
    id: str
    reference: str  # billing month, "2025-03"
    amount: Decimal
    due_date: date
    status: str
    digitable_line: str = ""
    pix_code: str = ""
    paid_at: date | None = None


@dataclass(frozen=True)
class Payment:
    invoice_id: str
    amount: Decimal
    paid_at: date
    method: str


@dataclass(frozen=True)
class Outage:
    id: str
    city: str
    neighbourhoods: tuple[str, ...]
    description: str
    started_at: datetime
    estimated_end: datetime | None = None


@dataclass(frozen=True)
class VisitSlot:
    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Ticket:
    protocol: str
    subject: str
    status: str
    opened_at: datetime
    visit: VisitSlot | None = None


@dataclass(frozen=True)
class NegotiationOffer:
    id: str
    description: str
    installments: int
    installment_amount: Decimal
    total: Decimal
    discount: Decimal = Decimal("0")


@dataclass(frozen=True)
class Agreement:
    protocol: str
    offer_id: str
    first_invoice: Invoice


@dataclass(frozen=True)
class UnlockResult:
    granted: bool
    reason: str  # granted | not_blocked | used_recently | refused
    until: date | None = None
    next_eligible: date | None = None
    protocol: str | None = None


@dataclass(frozen=True)
class PlanChange:
    protocol: str
    plan_id: str
    effective_date: date


@dataclass(frozen=True)
class CustomerAccount:
    """A customer with what is usually asked about together (one ERP round trip where it allows)."""

    customer: Customer
    plan: Plan | None
    invoices: tuple[Invoice, ...] = field(default_factory=tuple)
