"""A local stand-in for a third-party ISP ERP's REST API, to test the generic REST adapter.

It speaks a plausible dialect of the Brazilian ISP ERPs (Portuguese field
names, `registros` envelopes, dd/mm/aaaa dates, "99,90" amounts, one-letter
status codes, a bearer token, an Idempotency-Key header on writes) over the
same seeded back office as the demo ERP, so a test can check that the REST
adapter, driven only by its mapping file, sees the same customers, invoices
and protocols as the demo ERP does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer
from werkzeug.wrappers import Request, Response

from atende.dev.standin_http import json_response as _json
from atende.dev.standin_http import route
from atende.dev.standin_http import serve as _serve
from atende.domain import cpf as cpf_rules
from atende.erp.demo import DemoErp
from atende.erp.types import (
    Customer,
    ErpError,
    Invoice,
    InvoiceStatus,
    Ticket,
    VisitSlot,
)

TOKEN = "standin-erp-token"
STATUS_CODES = {"active": "A", "blocked": "CM", "cancelled": "C"}
INVOICE_CODES = {
    InvoiceStatus.OPEN: "A",
    InvoiceStatus.OVERDUE: "V",
    InvoiceStatus.PAID: "R",
    InvoiceStatus.NEGOTIATED: "N",
}


def _brl(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _dt(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _cliente(c: Customer) -> dict[str, Any]:
    phone = c.phones[0] if c.phones else ""
    return {
        "id": int(c.id),
        "razao": c.name,
        "cnpj_cpf": cpf_rules.formatted(c.cpf),
        "data_nascimento": _d(c.birth_date),
        "telefone_celular": f"({phone[3:5]}) {phone[5:10]}-{phone[10:]}"
        if phone.startswith("+55")
        else phone,
        "email": c.email or "",
        "id_plano": c.plan_id,
        "status_internet": STATUS_CODES.get(c.status, "A"),
        "cidade": c.city,
        "bairro": c.neighbourhood,
        "endereco": c.address,
    }


def _fatura(i: Invoice) -> dict[str, Any]:
    return {
        "id": i.id,
        "competencia": i.reference[5:] + "/" + i.reference[:4],
        "valor": _brl(i.amount),
        "data_vencimento": _d(i.due_date),
        "status": INVOICE_CODES[i.status],
        "linha_digitavel": i.digitable_line,
        "pix_copia_cola": i.pix_code,
        "data_pagamento": _d(i.paid_at),
    }


def _agenda(s: VisitSlot) -> dict[str, Any]:
    return {"id": s.id, "inicio": _dt(s.start), "fim": _dt(s.end)}


def _chamado(t: Ticket) -> dict[str, Any]:
    return {
        "protocolo": t.protocol,
        "assunto": t.subject,
        "situacao": {"open": "aberto", "closed": "fechado"}.get(t.status, t.status),
        "data_abertura": _dt(t.opened_at),
        "agendamento": _agenda(t.visit) if t.visit else None,
    }


class ErpStandIn:
    """WSGI app over a DemoErp; `requests` records (method, path, headers) for tests."""

    _routes = Map(
        [
            Rule("/api/v1/clientes", endpoint="clientes", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>", endpoint="cliente", methods=["GET"]),
            Rule("/api/v1/planos", endpoint="planos", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>/faturas", endpoint="faturas", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>/pagamentos", endpoint="pagamentos", methods=["GET"]),
            Rule("/api/v1/manutencoes", endpoint="manutencoes", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>/agenda", endpoint="agenda", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>/chamados", endpoint="chamados", methods=["GET"]),
            Rule("/api/v1/chamados", endpoint="abrir_chamado", methods=["POST"]),
            Rule("/api/v1/clientes/<cid>/negociacao/ofertas", endpoint="ofertas", methods=["GET"]),
            Rule("/api/v1/clientes/<cid>/negociacao", endpoint="negociar", methods=["POST"]),
            Rule("/api/v1/clientes/<cid>/desbloqueio-confianca", endpoint="desbloqueio", methods=["POST"]),
            Rule("/api/v1/clientes/<cid>/alteracao-plano", endpoint="alterar_plano", methods=["POST"]),
        ]
    )

    def __init__(self, erp: DemoErp | None = None, token: str = TOKEN) -> None:
        self.erp = erp or DemoErp()
        self.token = token
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.fail_with: int | None = None  # answer every request with this HTTP status (outage drills)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append((request.method, request.full_path.rstrip("?"), dict(request.headers)))
        if self.fail_with:
            response: Any = _json({"erro": "indisponível"}, self.fail_with)
        elif request.headers.get("Authorization") != f"Bearer {self.token}":
            response = _json({"erro": "token inválido"}, 401)
        else:
            try:
                response = route(self, self._routes, request)
            except ErpError as exc:
                response = _json({"erro": str(exc)}, 422)
        return response(environ, start_response)

    def _customer(self, cid: str) -> Customer:
        customer = self.erp.get_customer(cid)
        if customer is None:
            raise ErpError("cliente não encontrado")
        return customer

    def _key(self, request: Request) -> str:
        return request.headers.get("Idempotency-Key") or request.headers.get("X-Request-Id") or "sem-chave"

    def _http_clientes(self, request: Request) -> Response:
        customer = self.erp.find_customer_by_cpf(request.args.get("cpf_cnpj", ""))
        registros = [_cliente(customer)] if customer else []
        return _json({"total": len(registros), "registros": registros})

    def _http_cliente(self, request: Request, cid: str) -> Response:
        customer = self.erp.get_customer(cid)
        return _json({"registro": _cliente(customer)}) if customer else _json({"erro": "não encontrado"}, 404)

    def _http_planos(self, request: Request) -> Response:
        return _json(
            {
                "registros": [
                    {
                        "id": p.id,
                        "descricao": p.name,
                        "download": f"{p.download_mbps} Mbps",
                        "upload": p.upload_mbps,
                        "valor": _brl(p.price),
                        "obs": p.description,
                    }
                    for p in self.erp.plans()
                ]
            }
        )

    def _http_faturas(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        return _json({"registros": [_fatura(i) for i in self.erp.invoices(cid)]})

    def _http_pagamentos(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        return _json(
            {
                "registros": [
                    {
                        "id_fatura": p.invoice_id,
                        "valor_pago": _brl(p.amount),
                        "data": _d(p.paid_at),
                        "forma": p.method,
                    }
                    for p in self.erp.payments(cid)
                ]
            }
        )

    def _http_manutencoes(self, request: Request) -> Response:
        found = self.erp.outages(request.args.get("cidade", ""), request.args.get("bairro", ""))
        return _json(
            {
                "registros": [
                    {
                        "id": o.id,
                        "cidade": o.city,
                        "bairros": ";".join(o.neighbourhoods),
                        "descricao": o.description,
                        "inicio": _dt(o.started_at),
                        "previsao_normalizacao": _dt(o.estimated_end),
                    }
                    for o in found
                ]
            }
        )

    def _http_agenda(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        return _json({"horarios": [_agenda(s) for s in self.erp.visit_slots(cid)]})

    def _http_chamados(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        return _json({"registros": [_chamado(t) for t in self.erp.tickets(cid)]})

    def _http_abrir_chamado(self, request: Request) -> Response:
        body = request.get_json(force=True)
        cid = str(body.get("id_cliente"))
        self._customer(cid)
        ticket = self.erp.open_ticket(
            cid, body.get("assunto", ""), body.get("mensagem", ""), body.get("id_agenda"), self._key(request)
        )
        return _json({"chamado": _chamado(ticket)}, 201)

    def _http_ofertas(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        return _json(
            {
                "ofertas": [
                    {
                        "codigo": o.id,
                        "descricao": o.description,
                        "parcelas": o.installments,
                        "valor_parcela": _brl(o.installment_amount),
                        "valor_total": _brl(o.total),
                        "desconto": _brl(o.discount),
                    }
                    for o in self.erp.negotiation_offers(cid)
                ]
            }
        )

    def _http_negociar(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        body = request.get_json(force=True)
        agreement = self.erp.accept_offer(cid, str(body.get("codigo_oferta")), self._key(request))
        return _json(
            {
                "acordo": {
                    "protocolo": agreement.protocol,
                    "codigo_oferta": agreement.offer_id,
                    "primeira_parcela": _fatura(agreement.first_invoice),
                }
            },
            201,
        )

    def _http_desbloqueio(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        result = self.erp.trust_unlock(cid, self._key(request))
        return _json(
            {
                "liberado": "S" if result.granted else "N",
                "motivo": result.reason,
                "liberado_ate": _d(result.until),
                "proximo_desbloqueio": _d(result.next_eligible),
                "protocolo": result.protocol or "",
            }
        )

    def _http_alterar_plano(self, request: Request, cid: str) -> Response:
        self._customer(cid)
        body = request.get_json(force=True)
        change = self.erp.request_plan_change(cid, str(body.get("id_plano")), self._key(request))
        return _json(
            {
                "protocolo": change.protocol,
                "id_plano": change.plan_id,
                "data_efetiva": _d(change.effective_date),
            },
            201,
        )


def serve(standin: ErpStandIn, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """Start serving in a daemon thread; `server.server_port` is the port, `.shutdown()` stops it."""
    return _serve(standin, host, port, "erp-standin")
