"""CPF rules and masking of personal data in logs."""

from __future__ import annotations

import pytest

from atende.domain import cpf
from atende.domain.masking import mask_text, mask_value


@pytest.mark.parametrize("valid", ["111.111.111-11", "22222222222", "529.982.247-25", "52998224725"])
def test_valid_cpfs(valid):
    assert cpf.is_valid(valid)


@pytest.mark.parametrize("invalid", ["111.111.111-12", "529.982.247-24", "1234567890", "abc"])
def test_invalid_cpfs(invalid):
    assert not cpf.is_valid(invalid)


def test_find_and_format():
    assert cpf.find("meu cpf é 529.982.247-25, obrigado") == "52998224725"
    assert cpf.formatted("52998224725") == "529.982.247-25"
    assert cpf.masked("52998224725") == "***.***.***-25"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CPF 111.111.111-11", "CPF ***.***.***-11"),
        ("cpf 52998224725 ok", "cpf ***.***.***-25 ok"),
        ("me liga no (11) 98765-4321", "me liga no ***-4321"),
        ("whatsapp +5521998765432", "whatsapp ***-5432"),
        ("fixo 11 3456-7890", "fixo ***-7890"),
        ("maria.silva@example.com", "m***@example.com"),
    ],
)
def test_personal_data_is_masked(text, masked):
    assert mask_text(text) == masked


def test_figures_a_reviewer_needs_stay_readable():
    kept = "R$ 99,90 vence em 10/03/2025, protocolo 20250310004217, linha 23790.00009 1 10160000009990"
    assert mask_text(kept) == kept


def test_structures_are_masked_recursively():
    assert mask_value({"args": ["111.111.111-11", {"email": "a@b.com"}], "n": 3}) == {
        "args": ["***.***.***-11", {"email": "a***@b.com"}],
        "n": 3,
    }
