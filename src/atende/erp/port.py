"""The ERP port: what the attendant may ask of the business's systems.

Every read takes the customer id the conversation was verified for; nothing
here searches by free text, so the tool layer above decides who may be asked
about. Mutations take a `request_id` (derived from the inbound message) so a
redelivered message does not open a second ticket or a second agreement.
"""

from __future__ import annotations

from typing import Protocol

from atende.erp.types import (
    Agreement,
    Customer,
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


class Erp(Protocol):
    def find_customer_by_cpf(self, cpf: str) -> Customer | None: ...

    def get_customer(self, customer_id: str) -> Customer | None: ...

    def plans(self) -> list[Plan]: ...

    def invoices(self, customer_id: str) -> list[Invoice]:
        """Recent invoices, newest first, with their current status."""

    def payments(self, customer_id: str) -> list[Payment]: ...

    def outages(self, city: str, neighbourhood: str) -> list[Outage]:
        """Outages in progress that affect this place."""

    def visit_slots(self, customer_id: str) -> list[VisitSlot]: ...

    def tickets(self, customer_id: str) -> list[Ticket]: ...

    def open_ticket(
        self, customer_id: str, subject: str, description: str, slot_id: str | None, request_id: str
    ) -> Ticket: ...

    def negotiation_offers(self, customer_id: str) -> list[NegotiationOffer]: ...

    def accept_offer(self, customer_id: str, offer_id: str, request_id: str) -> Agreement: ...

    def trust_unlock(self, customer_id: str, request_id: str) -> UnlockResult: ...

    def request_plan_change(self, customer_id: str, plan_id: str, request_id: str) -> PlanChange: ...
