"""The tool layer: the only door from a conversation to the ERP.

Flows and Gemini both act through it. It is bound to the customer the
conversation verified (CPF with valid check digits + birth date or the phone
on file); until then only public tools answer (plans) and `verify_identity`.
No tool takes a CPF or a customer id, so a message asking about somebody
else's account has nothing to ask with. Results are plain JSON with amounts
and dates both raw and formatted for Brazil, so templates and the model can
quote them verbatim (which is what the grounding check then looks for).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from atende.domain import cpf as cpf_rules
from atende.domain.phone import to_e164
from atende.erp.port import Erp
from atende.erp.types import (
    Customer,
    ErpError,
    Invoice,
    InvoiceStatus,
    Outage,
    Ticket,
    VisitSlot,
    today_brt,
)

log = logging.getLogger(__name__)

MAX_VERIFICATION_FAILURES = 3
PENDING = (InvoiceStatus.OVERDUE, InvoiceStatus.OPEN)
WEEKDAYS_PT = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def brl(value: Decimal) -> str:
    """R$ 1.234,56."""
    whole, cents = f"{value:,.2f}".split(".")
    return f"R$ {whole.replace(',', '.')},{cents}"


def br_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def slot_view(slot: VisitSlot) -> dict[str, Any]:
    day = slot.start.weekday()
    return {
        "id": slot.id,
        "label": f"{WEEKDAYS_PT[day]} {slot.start:%d/%m}, das {slot.start:%H}h às {slot.end:%H}h",
        "label_en": f"{WEEKDAYS_EN[day]} {slot.start:%d/%m}, {slot.start:%H:%M}-{slot.end:%H:%M}",
    }


def invoice_view(invoice: Invoice, with_codes: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": invoice.id,
        "reference": invoice.reference,
        "reference_br": f"{invoice.reference[5:]}/{invoice.reference[:4]}",
        "amount": str(invoice.amount),
        "amount_brl": brl(invoice.amount),
        "due_date": invoice.due_date.isoformat(),
        "due_date_br": br_date(invoice.due_date),
        "status": invoice.status,
    }
    if with_codes:
        view |= {"digitable_line": invoice.digitable_line, "pix_code": invoice.pix_code}
    return view


def _outage_view(o: Outage) -> dict[str, Any]:
    return {
        "id": o.id,
        "description": o.description,
        "started_at": o.started_at.isoformat(),
        "started_at_br": f"{o.started_at:%d/%m/%Y %H:%M}",
        "estimated_end": o.estimated_end.isoformat() if o.estimated_end else None,
        "estimated_end_br": f"{o.estimated_end:%d/%m/%Y %H:%M}" if o.estimated_end else "",
        "estimated_end_label": _moment_label(o.estimated_end) if o.estimated_end else "",
    }


def _moment_label(moment: datetime) -> str:
    """As people say it: "24/11, às 13h", "24/11, às 13h30"."""
    minutes = f"{moment:%M}" if moment.minute else ""
    return f"{moment:%d/%m}, às {moment:%H}h{minutes}"


def _ticket_view(t: Ticket) -> dict[str, Any]:
    return {
        "protocol": t.protocol,
        "subject": t.subject,
        "status": t.status,
        "opened_at_br": f"{t.opened_at:%d/%m/%Y}",
        "visit": slot_view(t.visit) if t.visit else None,
    }


def parse_birth_date(raw: str) -> date | None:
    """dd/mm/aaaa, dd-mm-aa, ddmmaaaa or aaaa-mm-dd, as people type them."""
    text = raw.strip()
    iso = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    else:
        found = re.search(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4}|\d{2})(?!\d)", text)
        compact = re.fullmatch(r"(\d{2})(\d{2})(\d{4})", text)
        match = found or compact
        if not match:
            return None
        d, m, y = (int(g) for g in match.groups())
        if y < 100:
            y += 1900 if y > today_brt().year % 100 else 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


def second_factor_matches(customer: Customer, raw: str) -> bool:
    born = parse_birth_date(raw)
    if born is not None:
        return born == customer.birth_date
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) < 10:
        return False
    typed = to_e164("55" + digits if len(digits) in (10, 11) else digits)
    return typed is not None and typed in customer.phones


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments
    needs_customer: bool = True


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]
    ok: bool
    error: str | None = None
    ms: float = 0.0


def _schema(**props: tuple[str, str]) -> dict[str, Any]:
    """A JSON Schema object from name=(type, description); every property required unless typed 'type?'."""
    properties = {n: {"type": t.rstrip("?"), "description": d} for n, (t, d) in props.items()}
    required = [n for n, (t, _) in props.items() if not t.endswith("?")]
    return {"type": "object", "properties": properties, "required": required}


SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "verify_identity",
        "Confirma a identidade do cliente com o CPF e um segundo fator (data de nascimento ou telefone "
        "cadastrado). Obrigatório antes de qualquer dado pessoal.",
        _schema(
            cpf=("string", "CPF informado pelo cliente"),
            second_factor=("string", "Data de nascimento (dd/mm/aaaa) ou telefone cadastrado"),
        ),
        needs_customer=False,
    ),
    ToolSpec(
        "list_plans",
        "Planos de internet oferecidos, com velocidades e preços.",
        _schema(),
        needs_customer=False,
    ),
    ToolSpec(
        "get_account", "Resumo da conta do cliente verificado: plano, situação, faturas pendentes.", _schema()
    ),
    ToolSpec(
        "list_invoices", "Faturas recentes do cliente verificado (abertas, vencidas e pagas).", _schema()
    ),
    ToolSpec(
        "get_invoice_copy",
        "Segunda via: linha digitável do boleto e código PIX copia e cola. Sem invoice_id, a fatura "
        "pendente mais urgente.",
        _schema(invoice_id=("string?", "Id da fatura, se o cliente escolheu uma")),
    ),
    ToolSpec("payment_status", "Pagamentos registrados e faturas ainda pendentes.", _schema()),
    ToolSpec("check_outage", "Verifica manutenção ou falha em andamento na região do cliente.", _schema()),
    ToolSpec("list_visit_slots", "Horários disponíveis para visita técnica.", _schema()),
    ToolSpec(
        "open_technical_ticket",
        "Abre chamado técnico, opcionalmente com visita em um horário disponível; devolve o protocolo.",
        _schema(
            description=("string", "O problema, nas palavras do cliente"),
            slot_id=("string?", "Id de um horário de list_visit_slots"),
        ),
    ),
    ToolSpec("list_negotiation_offers", "Opções de negociação dos débitos vencidos.", _schema()),
    ToolSpec(
        "accept_negotiation_offer",
        "Fecha o acordo escolhido; devolve protocolo e boleto/PIX da primeira parcela.",
        _schema(offer_id=("string", "Id de list_negotiation_offers")),
    ),
    ToolSpec(
        "trust_unlock",
        "Desbloqueio de confiança (uma vez a cada 30 dias, para clientes bloqueados).",
        _schema(),
    ),
    ToolSpec(
        "request_plan_change",
        "Solicita a troca de plano do cliente verificado; devolve o protocolo.",
        _schema(plan_id=("string", "Id de list_plans")),
    ),
    ToolSpec(
        "request_human",
        "Transfere a conversa para uma pessoa da equipe (pedido do cliente, assunto sensível ou dúvida).",
        _schema(
            reason=("string", "Motivo, em poucas palavras"),
            team=("string?", "billing, support, sales ou retention"),
        ),
        needs_customer=False,
    ),
)


@dataclass
class CustomerTools:
    erp: Erp
    request_id: str  # the inbound message id: makes every mutation idempotent
    customer_id: str | None = None
    verification_failures: int = 0
    calls: list[ToolCall] = field(default_factory=list)
    # (tool, result) pairs: the evidence answers are grounded in
    results: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    handoff: dict[str, str] | None = None
    verified_now: bool = False
    today: Callable[[], date] = today_brt

    def specs(self) -> tuple[ToolSpec, ...]:
        return SPECS

    def call(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a tool; never raises: failures come back as {"error": ...} for the caller to act on."""
        args = dict(args or {})
        spec = next((s for s in SPECS if s.name == name), None)
        started = time.perf_counter()
        if spec is None:
            result: dict[str, Any] = {"error": "unknown_tool"}
        elif spec.needs_customer and not self.customer_id:
            result = {
                "error": "identity_not_verified",
                "hint": "peça o CPF e a data de nascimento e chame verify_identity",
            }
        else:
            try:
                result = getattr(self, f"_{name}")(**{k: v for k, v in args.items() if v not in (None, "")})
            except ErpError as exc:
                log.warning("tool %s: ERP error: %s", name, exc)
                result = {"error": "erp_unavailable"}
            except TypeError as exc:
                result = {"error": "bad_arguments", "detail": str(exc)[:200]}
        ms = round((time.perf_counter() - started) * 1000, 1)
        self.calls.append(
            ToolCall(name, _loggable(name, args), "error" not in result, result.get("error"), ms)
        )
        if name != "verify_identity":
            self.results.append((name, result))
        return result

    # -- identity ------------------------------------------------------------------------------------

    def _verify_identity(self, cpf: str = "", second_factor: str = "") -> dict[str, Any]:
        if self.verification_failures >= MAX_VERIFICATION_FAILURES:
            return {"verified": False, "error": "too_many_attempts"}
        digits = cpf_rules.digits(cpf)
        if not cpf_rules.is_valid(digits):
            return {"verified": False, "reason": "invalid_cpf"}  # a typo: not counted as an attempt
        customer = self.erp.find_customer_by_cpf(digits)
        if customer and self.customer_id and customer.id != self.customer_id:
            return {"verified": False, "reason": "conversation_verified_for_another_customer"}
        if customer is None or not second_factor_matches(customer, second_factor):
            self.verification_failures += 1
            left = MAX_VERIFICATION_FAILURES - self.verification_failures
            return {"verified": False, "reason": "mismatch", "attempts_left": left}
        self.customer_id = customer.id
        self.verification_failures = 0
        self.verified_now = True
        return {"verified": True, "first_name": customer.first_name}

    # -- reads ---------------------------------------------------------------------------------------

    def _customer(self) -> Customer:
        customer = self.erp.get_customer(self.customer_id or "")
        if customer is None:
            raise ErpError("verified customer no longer found")
        return customer

    def _list_plans(self) -> dict[str, Any]:
        plans = self.erp.plans()
        current = next((p for p in plans if self.customer_id and p.id == self._customer().plan_id), None)
        views = [
            {
                "id": p.id,
                "name": p.name,
                "download_mbps": p.download_mbps,
                "upload_mbps": p.upload_mbps,
                "price": str(p.price),
                "price_brl": brl(p.price),
                "description": p.description,
                "current": p is current,
            }
            for p in plans
        ]
        faster = [
            v
            for v, p in zip(views, plans, strict=True)
            if current and p.download_mbps > current.download_mbps
        ]
        return {
            "plans": views,
            "current_plan": current.name if current else None,
            "upgrades": faster if current else views,
        }

    def _get_account(self) -> dict[str, Any]:
        customer = self._customer()
        plan = next((p for p in self.erp.plans() if p.id == customer.plan_id), None)
        pending = [i for i in self.erp.invoices(customer.id) if i.status in PENDING]
        overdue = [i for i in pending if i.status == InvoiceStatus.OVERDUE]
        return {
            "first_name": customer.first_name,
            "name": customer.name,
            "cpf_masked": cpf_rules.masked(customer.cpf),
            "status": customer.status,
            "blocked": customer.status == "blocked",
            "city": customer.city,
            "neighbourhood": customer.neighbourhood,
            "plan": {"id": plan.id, "name": plan.name, "price_brl": brl(plan.price)} if plan else None,
            "paid_up": not overdue,
            "overdue_count": len(overdue),
            "overdue_total": str(sum((i.amount for i in overdue), Decimal("0"))),
            "overdue_total_brl": brl(sum((i.amount for i in overdue), Decimal("0"))),
            "overdue": [invoice_view(i) for i in sorted(overdue, key=lambda i: i.due_date)],
            "next_open": invoice_view(
                min((i for i in pending if i.status == InvoiceStatus.OPEN), key=lambda i: i.due_date)
            )
            if len(pending) > len(overdue)
            else None,
        }

    def _list_invoices(self) -> dict[str, Any]:
        invoices = self.erp.invoices(self._customer().id)
        return {
            "invoices": [invoice_view(i) for i in invoices],
            "pending": [invoice_view(i) for i in invoices if i.status in PENDING],
        }

    def _get_invoice_copy(self, invoice_id: str | None = None) -> dict[str, Any]:
        invoices = self.erp.invoices(self._customer().id)
        if invoice_id:
            chosen = next((i for i in invoices if i.id == invoice_id), None)
        else:  # the oldest overdue first (it is what blocks the service), else the next to fall due
            pending = sorted(
                (i for i in invoices if i.status in PENDING),
                key=lambda i: (i.status != InvoiceStatus.OVERDUE, i.due_date),
            )
            chosen = pending[0] if pending else None
        if chosen is None:
            return {"found": False}
        others = [invoice_view(i) for i in invoices if i.status in PENDING and i.id != chosen.id]
        return {"found": True, "invoice": invoice_view(chosen, with_codes=True), "other_pending": others}

    def _payment_status(self) -> dict[str, Any]:
        customer = self._customer()
        payments = self.erp.payments(customer.id)[:3]
        pending = [invoice_view(i) for i in self.erp.invoices(customer.id) if i.status in PENDING]
        return {
            "recent_payments": [
                {"invoice_id": p.invoice_id, "amount_brl": brl(p.amount), "paid_at_br": br_date(p.paid_at)}
                for p in payments
            ],
            "pending": pending,
        }

    def _check_outage(self) -> dict[str, Any]:
        customer = self._customer()
        outages = self.erp.outages(customer.city, customer.neighbourhood)
        return {
            "city": customer.city,
            "neighbourhood": customer.neighbourhood,
            "outage": bool(outages),
            "outages": [_outage_view(o) for o in outages],
        }

    def _list_visit_slots(self) -> dict[str, Any]:
        slots = self.erp.visit_slots(self._customer().id)[:6]
        return {"slots": [slot_view(s) for s in slots]}

    def _list_negotiation_offers(self) -> dict[str, Any]:
        customer = self._customer()
        offers = self.erp.negotiation_offers(customer.id)
        overdue = [i.amount for i in self.erp.invoices(customer.id) if i.status == InvoiceStatus.OVERDUE]
        return {
            "overdue_count": len(overdue),  # what the offers settle, beside what each one charges
            "overdue_total_brl": brl(sum(overdue, Decimal("0"))),
            "offers": [
                {
                    "id": o.id,
                    "description": o.description,
                    "installments": o.installments,
                    "installment_amount_brl": brl(o.installment_amount),
                    "total_brl": brl(o.total),
                    "discount_brl": brl(o.discount),
                    "has_discount": o.discount > 0,
                }
                for o in offers
            ]
        }

    # -- mutations -----------------------------------------------------------------------------------

    def _request(self, name: str) -> str:
        return f"{self.request_id}:{name}"

    def _open_technical_ticket(self, description: str = "", slot_id: str | None = None) -> dict[str, Any]:
        subject = "Suporte técnico: sem conexão ou lentidão"
        ticket = self.erp.open_ticket(
            self._customer().id, subject, description[:500], slot_id, self._request("ticket")
        )
        return {"ticket": _ticket_view(ticket)}

    def _accept_negotiation_offer(self, offer_id: str = "") -> dict[str, Any]:
        agreement = self.erp.accept_offer(self._customer().id, offer_id, self._request("agreement"))
        return {
            "protocol": agreement.protocol,
            "offer_id": agreement.offer_id,
            "first_invoice": invoice_view(agreement.first_invoice, with_codes=True),
        }

    def _trust_unlock(self) -> dict[str, Any]:
        result = self.erp.trust_unlock(self._customer().id, self._request("unlock"))
        return {
            "granted": result.granted,
            "reason": result.reason,
            "until_br": br_date(result.until),
            "next_eligible_br": br_date(result.next_eligible),
            "protocol": result.protocol or "",
        }

    def _request_plan_change(self, plan_id: str = "") -> dict[str, Any]:
        change = self.erp.request_plan_change(self._customer().id, plan_id, self._request("plan"))
        plan = next((p for p in self.erp.plans() if p.id == change.plan_id), None)
        return {
            "protocol": change.protocol,
            "plan_name": plan.name if plan else change.plan_id,
            "price_brl": brl(plan.price) if plan else "",
            "effective_date_br": br_date(change.effective_date),
        }

    def _request_human(self, reason: str = "", team: str | None = None) -> dict[str, Any]:
        self.handoff = {"reason": reason or "requested_by_assistant", "team": team or ""}
        return {"ok": True}


def _loggable(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """What a log may keep of the arguments: never a full CPF nor the second factor."""
    if name != "verify_identity":
        return args
    return {"cpf": cpf_rules.masked(str(args.get("cpf", ""))), "second_factor": "***"}
