"""Safe answers built only from tool results, for when a generated answer cannot be trusted.

If Gemini writes a figure no tool gave it, the customer still gets what the
tools did return (the boleto line, the protocol, the outage forecast) in a
fixed template, in their language. Every value comes from the tool result,
so these answers pass the grounding check by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Result = dict[str, Any]


def _invoice_codes(inv: Result, en: bool) -> str:
    if en:
        return (
            f"Invoice {inv['reference_br']}: {inv['amount_brl']}, due on {inv['due_date_br']}.\n\n"
            f"Boleto digitable line:\n{inv['digitable_line']}\n\nPIX copy and paste:\n{inv['pix_code']}"
        )
    return (
        f"Fatura {inv['reference_br']}: {inv['amount_brl']}, vencimento em {inv['due_date_br']}.\n\n"
        f"Linha digitável do boleto:\n{inv['digitable_line']}\n\nPIX copia e cola:\n{inv['pix_code']}"
    )


def _invoice_copy(r: Result, en: bool) -> str | None:
    return _invoice_codes(r["invoice"], en) if r.get("found") else None


def _account(r: Result, en: bool) -> str:
    plan = (r.get("plan") or {}).get("name", "")
    if r.get("paid_up"):
        return f"Plan {plan}: all paid up ✅" if en else f"Plano {plan}: tudo em dia ✅"
    count, total = r["overdue_count"], r["overdue_total_brl"]
    if en:
        return f"Plan {plan}: {count} overdue invoice{'' if count == 1 else 's'}, {total} in total."
    if count == 1:
        return f"Plano {plan}: uma fatura em atraso, de {total}."
    return f"Plano {plan}: {count} faturas em atraso, somando {total}."


def _invoices(r: Result, en: bool) -> str | None:
    lines = [
        f"• {i['reference_br']}: {i['amount_brl']} ({i['due_date_br']}, {i['status']})" for i in r["pending"]
    ]
    return "\n".join(lines) or None


def _outage(r: Result, en: bool) -> str:
    if not r.get("outage"):
        return (
            f"No outages in {r['neighbourhood']} right now."
            if en
            else f"Nenhuma falha em {r['neighbourhood']} agora."
        )
    o, place = r["outages"][0], r["neighbourhood"]
    if en:
        return f"Maintenance in {place}: {o['description']}. Expected back: {o['estimated_end_br']}."
    return f"Manutenção em {place}: {o['description']}. Previsão: {o['estimated_end_br']}."


def _ticket(r: Result, en: bool) -> str:
    t = r["ticket"]
    visit = t.get("visit")
    when = f" {'Visit' if en else 'Visita'}: {visit['label_en' if en else 'label']}." if visit else ""
    return (
        f"Ticket opened, protocol {t['protocol']}." if en else f"Chamado aberto, protocolo {t['protocol']}."
    ) + when


def _agreement(r: Result, en: bool) -> str:
    head = (
        f"Agreement made, protocol {r['protocol']}." if en else f"Acordo fechado, protocolo {r['protocol']}."
    )
    return f"{head}\n\n{_invoice_codes(r['first_invoice'], en)}"


def _unlock(r: Result, en: bool) -> str:
    if r.get("granted"):
        if en:
            return f"Connection unlocked on trust until {r['until_br']} (protocol {r['protocol']})."
        return f"Conexão liberada em confiança até {r['until_br']} (protocolo {r['protocol']})."
    if r.get("reason") == "used_recently":
        if en:
            return f"The trust unlock was already used; the next one is available on {r['next_eligible_br']}."
        return (
            f"O desbloqueio de confiança já foi usado; o próximo fica disponível em {r['next_eligible_br']}."
        )
    return (
        "Your connection is not blocked for payment."
        if en
        else "Sua conexão não está bloqueada por pagamento."
    )


def _plan_change(r: Result, en: bool) -> str:
    plan, protocol, start = r["plan_name"], r["protocol"], r["effective_date_br"]
    if en:
        return f"Plan change to {plan} registered, protocol {protocol}, from {start}."
    return f"Troca para o {plan} registrada, protocolo {protocol}, a partir de {start}."


def _plans(r: Result, en: bool) -> str:
    return "\n".join(f"• {p['name']}: {p['price_brl']}" for p in r["plans"])


def _offers(r: Result, en: bool) -> str | None:
    """Each offer with what it adds to the debt, as the negotiation flow says it."""
    lines = []
    for o in r["offers"]:
        if o["installments"] == 1:
            terms = f"{'In one payment' if en else 'À vista'}: {o['total_brl']}"
        else:
            each = f"{o['installments']} x" if en else f"{o['installments']}x de"
            terms = f"{each} {o['installment_amount_brl']}: total {o['total_brl']}"
        lines.append(f"• {terms} ({o['description']})")
    return "\n".join(lines) or None


def _slots(r: Result, en: bool) -> str | None:
    return "\n".join(f"• {s['label_en' if en else 'label']}" for s in r["slots"]) or None


RENDERERS: dict[str, Callable[[Result, bool], str | None]] = {
    "get_invoice_copy": _invoice_copy,
    "get_account": _account,
    "list_invoices": _invoices,
    "check_outage": _outage,
    "open_technical_ticket": _ticket,
    "accept_negotiation_offer": _agreement,
    "trust_unlock": _unlock,
    "request_plan_change": _plan_change,
    "list_plans": _plans,
    "list_negotiation_offers": _offers,
    "list_visit_slots": _slots,
}


def from_tool_results(results: list[tuple[str, Result]], language: str) -> str | None:
    """The latest result of each tool, rendered; None when no tool returned anything presentable."""
    latest: dict[str, Result] = {}
    for name, result in results:
        if "error" not in result and name in RENDERERS:
            latest.pop(name, None)
            latest[name] = result
    parts = [RENDERERS[name](result, language == "en") for name, result in latest.items()]
    text = "\n\n".join(p for p in parts if p)
    return text or None
