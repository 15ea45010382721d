"""The one template syntax of flows and ERP mappings: sandboxed, strict where a missing value is a bug."""

from __future__ import annotations

from datetime import UTC

import pytest

from atende import templating
from atende.erp.rest import Converters

DATA = {
    "conta": {"plan": {"name": "Fibra 500"}, "items": ["a"], "paid_up": False, "visit": None},
    "rede": {"outages": [{"description": "poste caído"}]},
    "_trigger": "minha internet caiu",
}


def test_a_text_reads_keys_of_the_data():
    text = "{{ conta.plan.name }} / {{ rede.outages[0].description }} / {{ _trigger }}"
    assert templating.render(text, DATA) == "Fibra 500 / poste caído / minha internet caiu"


def test_a_dot_on_a_map_is_its_key_never_a_method():
    assert templating.evaluate("conta.items", DATA) == ["a"]  # the key, not dict.items
    assert templating.render("[{{ conta.keys }}]", DATA) == "[]"


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ conta.plan.name.__class__ }}",
        "{{ (1).__class__.__base__ }}",
    ],
)
def test_the_sandbox_refuses_python_internals(attack):
    with pytest.raises(templating.SecurityError):
        templating.render(attack, DATA)


def test_flows_render_a_missing_or_null_value_as_nothing():
    """A ticket opened without a visit has none: the text reads on, as before templates were Jinja2."""
    assert templating.render("Visita: {{ conta.visit.label }}{{ nada.x }}.", DATA) == "Visita: ."
    assert templating.render("{{ conta.visit }}|{{ conta.plan }}", DATA) == "|"  # no None, no dict repr
    assert templating.evaluate("nada.x", DATA) is None


def test_strict_templates_refuse_a_missing_value():
    with pytest.raises(templating.TemplateError, match="customer"):
        templating.render("/clientes/{{ customer }}", {"customer_id": "1"}, strict=True)
    with pytest.raises(templating.TemplateError, match="customer"):
        templating.fill({"id_cliente": "{{ customer }}"}, {"customer_id": "1"}, strict=True)
    assert templating.undeclared("/c/{{ customer_id }}/{{ slot_id }}") == {"customer_id", "slot_id"}


def test_a_lone_expression_keeps_its_type():
    filled = templating.fill(
        {"id": "{{ conta.paid_up }}", "q": ["{{ conta.visit }}", "x{{ _trigger[0] }}"]}, DATA
    )
    assert filled == {"id": False, "q": [None, "xm"]}


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("Olá, {contact.first_name}!", "{{ contact.first_name }}"),
        ("Olá, {{ contact.first_name }!", "unexpected"),
        ("{% for x in y %}", "end of template"),
    ],
)
def test_templates_that_would_reach_a_customer_broken_are_refused(source, problem):
    with pytest.raises(ValueError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        templating.check(source)


def test_conditions_are_single_expressions():
    templating.check("conta.paid_up and not conta.visit", expression=True)
    with pytest.raises(ValueError):
        templating.check("conta.paid_up }} {{ x", expression=True)


def test_json_paths_read_erp_answers():
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert templating.json_path("a.b[1].c")(data) == 2
    assert templating.json_path("a.b[*].c")(data) == [1, 2]
    assert templating.json_path("a.x")(data) is None


def test_json_paths_call_the_mappings_converters_and_unknown_ones_are_refused():
    converters = Converters({"status": {"A": "active", "*": "other"}}, UTC)
    row = {"venc": "10/03/2025", "st": "Z", "v": "1.234,50"}
    read = templating.json_path(
        "[date(venc, '%d/%m/%Y'), table(st, 'status'), brl(v), brl(nada)]", converters
    )
    assert [str(v) for v in read(row)] == ["2025-03-10", "other", "1234.50", "None"]
    with pytest.raises(ValueError, match="no function brazil"):
        templating.check_path("brazil(valor)", Converters.FUNCTION_TABLE)
