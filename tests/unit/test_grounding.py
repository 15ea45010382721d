"""The grounding check: figures in a generated answer must come from tool results or context."""

from __future__ import annotations

from datetime import date

import pytest

from atende.engines.grounding import Evidence, brl_cents, check

TOOLS = {
    "invoice": {
        "amount": "99.90",
        "amount_brl": "R$ 99,90",
        "due_date": "2025-03-10",
        "due_date_br": "10/03/2025",
        "digitable_line": "23790.00009 00000.000000 10012.025038 1 10160000009990",
    },
    "protocol": "20250310004217",
    "total": 159.8,
}
EVIDENCE = Evidence.of([TOOLS, "Planos: Fibra 300 Mega: R$ 79,90 por mês"], today=date(2025, 3, 1))


@pytest.mark.parametrize(
    "answer",
    [
        "Sua fatura de R$ 99,90 vence em 10/03/2025.",
        "Vence dia 10/03, valor R$ 99.90.",
        "Vence em 10 de março de 2025.",
        "Linha: 23790.00009 00000.000000 10012.025038 1 10160000009990",
        "Protocolo 20250310004217. Total em atraso: R$ 159,80.",
        "O plano de 300 Mega custa R$ 79,90. Hoje é 01/03/2025.",
        "Reinicie o roteador e aguarde 2 minutos.",
        "It is due on March 10, 2025.",
    ],
)
def test_figures_from_the_evidence_pass(answer):
    assert check(answer, EVIDENCE).ok, check(answer, EVIDENCE)


@pytest.mark.parametrize(
    ("answer", "invented"),
    [
        ("Sua fatura é de R$ 120,00.", "R$ 120,00"),
        ("Vence em 11/03/2025.", "11/03/2025"),
        ("Seu protocolo é 20250310004218.", "20250310004218"),
        ("Com desconto fica 149,90 reais.", "149,90 reais"),
        ("Pague até 15 de abril.", "15 de abril"),
    ],
)
def test_invented_figures_are_named(answer, invented):
    report = check(answer, EVIDENCE)
    assert not report.ok and report.ungrounded == (invented,)


def test_brazilian_amounts():
    assert brl_cents("1.234,56") == 123456
    assert brl_cents("99.90") == 9990
    assert brl_cents("1.000") == 100000
