"""The demo ERP's business rules, the REST adapter against a stand-in ERP, and the tool layer's binding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from atende.dev.erp_standin import TOKEN, ErpStandIn, serve
from atende.erp.billing_codes import _crc16, boleto_line, due_factor, pix_copy_paste
from atende.erp.demo import DemoErp
from atende.erp.rest import STANDIN_MAPPING, ErpMapping, RestErp, load_mapping
from atende.erp.tools import CustomerTools, parse_birth_date
from atende.erp.types import BRT, CustomerStatus, ErpError, InvoiceStatus

MAPPING = load_mapping(STANDIN_MAPPING)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 20, 10, 0, tzinfo=BRT))


@pytest.fixture
def erp(clock) -> DemoErp:
    return DemoErp(now=clock)


# -- demo ERP ---------------------------------------------------------------------------------------


def test_maria_is_paid_up_with_one_invoice_to_come(erp):
    maria = erp.find_customer_by_cpf("111.111.111-11")
    assert maria.name == "Maria Silva" and maria.status == CustomerStatus.ACTIVE
    invoices = erp.invoices(maria.id)
    assert [i.status for i in invoices] == ["open", "paid", "paid", "paid"]
    assert invoices[0].due_date == date(2025, 4, 10) and invoices[0].amount == Decimal("99.90")


def test_joao_is_blocked_with_two_overdue_invoices_and_offers(erp):
    joao = erp.find_customer_by_cpf("22222222222")
    assert joao.status == CustomerStatus.BLOCKED
    overdue = [i for i in erp.invoices(joao.id) if i.status == InvoiceStatus.OVERDUE]
    assert [i.due_date for i in overdue] == [date(2025, 3, 5), date(2025, 2, 5)]
    offers = {o.id: o for o in erp.negotiation_offers(joao.id)}
    assert offers["avista"].total == Decimal("159.80")  # fine and interest waived
    assert offers["3x"].installments == 3 and offers["3x"].total > offers["2x"].total > offers["avista"].total
    assert offers["avista"].discount > 0


def test_trust_unlock_once_per_30_days(erp, clock):
    first = erp.trust_unlock("1002", "req-1")
    assert first.granted and first.until == date(2025, 3, 23)
    assert erp.get_customer("1002").status == CustomerStatus.ACTIVE
    assert erp.trust_unlock("1002", "req-1") == first  # a redelivered request gets the same answer

    clock.now += timedelta(days=10)  # the unlock has expired and the debt is still there
    assert erp.get_customer("1002").status == CustomerStatus.BLOCKED
    again = erp.trust_unlock("1002", "req-2")
    assert not again.granted and again.reason == "used_recently" and again.next_eligible == date(2025, 4, 19)

    clock.now += timedelta(days=21)
    assert erp.trust_unlock("1002", "req-3").granted


def test_trust_unlock_is_only_for_blocked_customers(erp):
    result = erp.trust_unlock("1001", "req")
    assert not result.granted and result.reason == "not_blocked"


def test_agreement_settles_the_overdue_invoices_and_reactivates(erp):
    offer = next(o for o in erp.negotiation_offers("1002") if o.id == "2x")
    agreement = erp.accept_offer("1002", "2x", "req-a")
    assert agreement.first_invoice.amount == offer.installment_amount
    statuses = {i.id: i.status for i in erp.invoices("1002")}
    assert InvoiceStatus.OVERDUE not in statuses.values()
    assert list(statuses.values()).count(InvoiceStatus.NEGOTIATED) == 2
    assert erp.get_customer("1002").status == CustomerStatus.ACTIVE
    assert erp.accept_offer("1002", "2x", "req-a").protocol == agreement.protocol


def test_a_one_payment_deal_keeps_the_connection_suspended_until_it_is_paid(erp):
    erp.accept_offer("1002", "avista", "req-a")
    assert erp.get_customer("1002").status == CustomerStatus.BLOCKED
    assert InvoiceStatus.OVERDUE not in {i.status for i in erp.invoices("1002")}


@pytest.mark.parametrize("days_late", range(0, 40, 3))
def test_instalments_never_add_up_to_more_than_the_debt_with_its_charges(erp, clock, days_late):
    clock.now += timedelta(days=days_late)
    offers = {o.id: o for o in erp.negotiation_offers("1002")}
    principal = Decimal("159.80")
    fine = Decimal("3.20")  # 2 % of the debt, the only charge of the offer "sem juros"
    assert offers["avista"].total == principal
    assert offers["2x"].total <= principal + fine and "sem juros" in offers["2x"].description
    assert "multa de 2%" in offers["2x"].description and "juros" in offers["3x"].description
    for offer in offers.values():
        assert offer.installment_amount * offer.installments == offer.total


def test_visit_slots_skip_sundays_and_a_booked_slot_disappears(erp):
    slots = erp.visit_slots("1001")
    assert all(s.start.weekday() != 6 for s in slots)
    ticket = erp.open_ticket("1001", "Sem conexão", "caiu", slots[0].id, "req-t")
    assert ticket.visit == slots[0] and ticket.protocol.startswith("20250320")
    assert slots[0] not in erp.visit_slots("1001")
    with pytest.raises(ErpError):
        erp.open_ticket("1001", "Sem conexão", "de novo", slots[0].id, "req-u")


def test_outages_by_neighbourhood(erp):
    assert erp.outages("Belo Horizonte", "savassi")[0].id == "OUT-0417"
    assert erp.outages("Belo Horizonte", "Pampulha") == []


# -- billing codes ------------------------------------------------------------------------------------


def test_boleto_line_carries_amount_due_factor_and_check_digits():
    line = boleto_line("237", "12345", Decimal("99.90"), date(2025, 3, 10))
    groups = line.split(" ")
    assert len("".join(groups).replace(".", "")) == 47
    assert groups[4] == f"{due_factor(date(2025, 3, 10)):04d}0000009990"
    assert due_factor(date(2025, 2, 22)) == 1000  # the factor restarted in February 2025


def test_pix_code_ends_with_a_valid_crc():
    code = pix_copy_paste(
        "financeiro@conectafibra.com.br", Decimal("99.90"), "Conecta Fibra", "São Paulo", "F1"
    )
    assert code.startswith("000201") and "540599.90" in code and "5913CONECTA FIBRA" in code
    assert code[-8:-4] == "6304" and _crc16(code[:-4]) == code[-4:]


# -- REST adapter --------------------------------------------------------------------------------------


@pytest.fixture
def rest(clock) -> Iterator[tuple[RestErp, ErpStandIn]]:
    standin = ErpStandIn(DemoErp(now=clock))
    server = serve(standin)
    adapter = RestErp(MAPPING, f"http://127.0.0.1:{server.server_port}", TOKEN)
    yield adapter, standin
    adapter.close()
    server.shutdown()


READS = [
    ("find_customer_by_cpf", ("111.111.111-11",)),
    ("find_customer_by_cpf", ("529.982.247-25",)),
    ("get_customer", ("1002",)),
    ("plans", ()),
    ("invoices", ("1002",)),
    ("payments", ("1001",)),
    ("outages", ("Belo Horizonte", "Savassi")),
    ("visit_slots", ("1003",)),
    ("tickets", ("1001",)),
    ("negotiation_offers", ("1002",)),
]


@pytest.mark.parametrize(("operation", "args"), READS)
def test_rest_adapter_reads_what_the_demo_erp_holds(rest, erp, operation, args):
    adapter, _ = rest
    assert getattr(adapter, operation)(*args) == getattr(erp, operation)(*args)


def test_rest_adapter_mutations_match_and_are_idempotent(rest, erp):
    adapter, standin = rest
    slot = erp.visit_slots("1003")[1].id
    assert adapter.trust_unlock("1002", "k1") == erp.trust_unlock("1002", "k1")
    assert adapter.accept_offer("1002", "3x", "k2") == erp.accept_offer("1002", "3x", "k2")
    assert adapter.open_ticket("1003", "Sem sinal", "d", slot, "k3") == erp.open_ticket(
        "1003", "Sem sinal", "d", slot, "k3"
    )
    assert adapter.request_plan_change("1001", "fibra-1000", "k4") == erp.request_plan_change(
        "1001", "fibra-1000", "k4"
    )
    method, path, headers = standin.requests[-1]
    assert (method, path) == ("POST", "/api/v1/clientes/1001/alteracao-plano")
    assert headers["Idempotency-Key"] == "k4" and headers["Authorization"] == f"Bearer {TOKEN}"


def test_rest_adapter_unknown_customer_and_errors(rest):
    adapter, standin = rest
    assert adapter.get_customer("999") is None
    assert adapter.find_customer_by_cpf("123.456.789-09") is None
    standin.fail_with = 503
    with pytest.raises(ErpError):
        adapter.invoices("1001")


# -- tool layer ---------------------------------------------------------------------------------------


def test_tools_see_nothing_personal_before_verification(erp):
    tools = CustomerTools(erp, "m1")
    assert tools.call("get_invoice_copy")["error"] == "identity_not_verified"
    assert tools.call("list_plans")["plans"]  # public
    assert tools.call("verify_identity", {"cpf": "111.111.111-12", "second_factor": "12/03/1985"})[
        "reason"
    ] == ("invalid_cpf")
    wrong = tools.call("verify_identity", {"cpf": "222.222.222-22", "second_factor": "12/03/1985"})
    assert wrong == {"verified": False, "reason": "mismatch", "attempts_left": 2}
    assert tools.customer_id is None


def test_verification_binds_the_conversation_to_one_customer(erp):
    tools = CustomerTools(erp, "m1")
    assert tools.call("verify_identity", {"cpf": "11111111111", "second_factor": "1985-03-12"})["verified"]
    other = tools.call("verify_identity", {"cpf": "222.222.222-22", "second_factor": "25/07/1990"})
    assert other["verified"] is False and tools.customer_id == "1001"
    assert tools.call("get_account")["name"] == "Maria Silva"
    assert tools.calls[0].args == {"cpf": "***.***.***-11", "second_factor": "***"}


def test_phone_on_file_is_a_second_factor_and_attempts_are_limited(erp):
    assert CustomerTools(erp, "m").call(
        "verify_identity", {"cpf": "222.222.222-22", "second_factor": "21 99876-5432"}
    )["verified"]
    tools = CustomerTools(erp, "m", verification_failures=2)
    tools.call("verify_identity", {"cpf": "222.222.222-22", "second_factor": "01/01/2000"})
    locked = tools.call("verify_identity", {"cpf": "222.222.222-22", "second_factor": "25/07/1990"})
    assert locked["error"] == "too_many_attempts" and tools.customer_id is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/03/1985", date(1985, 3, 12)),
        ("12-03-85", date(1985, 3, 12)),
        ("12031985", date(1985, 3, 12)),
        ("nasci em 1985-03-12", date(1985, 3, 12)),
        ("31/02/1990", None),
        ("ontem", None),
    ],
)
def test_birth_dates_as_people_type_them(typed, expected):
    assert parse_birth_date(typed) == expected


def test_erp_outage_becomes_an_error_result_not_an_exception(rest):
    adapter, standin = rest
    tools = CustomerTools(adapter, "m", customer_id="1001")
    standin.fail_with = 500
    assert tools.call("get_account") == {"error": "erp_unavailable"}


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("path", "/faturas/{{ customer }}", "operations.invoices.path: uses ['customer']"),
        ("path", "/faturas/{customer_id}", "{{ customer_id }}"),
        ("fields", {"amuont": "brl(valor)"}, "operations.invoices.fields.amuont"),
        ("fields", {"amount": "brl(valor"}, "operations.invoices.fields.amount"),
        ("fields", {"status": "table(status, 'nope')"}, "no table 'nope'"),
        ("fields", {"status": "situation(status)"}, "no function situation"),
        ("method", "FETCH", "operations.invoices.method"),
    ],
)
def test_a_broken_mapping_is_refused_naming_the_field(key, value, named):
    raw = json.loads(STANDIN_MAPPING.read_text(encoding="utf-8"))
    op = raw["operations"]["invoices"]
    op[key] = {**op[key], **value} if isinstance(value, dict) else value
    with pytest.raises(ValueError) as refused:
        ErpMapping.model_validate(raw)
    assert named in str(refused.value)


def test_a_mapping_for_an_operation_the_port_lacks_is_refused():
    raw = json.loads(STANDIN_MAPPING.read_text(encoding="utf-8"))
    raw["operations"]["invoice"] = raw["operations"].pop("invoices")
    with pytest.raises(ValueError, match=r"operations\.invoice: not an operation"):
        ErpMapping.model_validate(raw)
