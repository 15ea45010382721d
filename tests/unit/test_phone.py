"""Brazilian mobiles are one person with or without the ninth digit."""

from __future__ import annotations

import pytest

from atende.domain.phone import to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5511987654321", "+5511987654321"),
        ("551187654321", "+5511987654321"),  # WhatsApp's legacy form without the 9
        ("+55 (11) 98765-4321", "+5511987654321"),
        ("55 21 9876-5432", "+5521998765432"),
        ("552133334444", "+552133334444"),  # a landline (starts with 3) keeps 8 digits
        ("491234567890", "+491234567890"),  # other countries untouched
        ("16505551234", "+16505551234"),
        ("", None),
        (None, None),
        ("12345", None),
        ("US.13491208655302741918", None),
    ],
)
def test_to_e164(raw, expected):
    assert to_e164(raw) == expected
