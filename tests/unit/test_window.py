"""The customer-service windows: what may go out, and what an agent is told when it may not."""

from __future__ import annotations

import pytest

from atende.domain import window
from atende.domain.window import decide

NOW = 1_800_000_000.0
HOUR = 3600.0


@pytest.mark.parametrize(
    ("channel", "hours_ago", "template", "human", "allowed"),
    [
        ("whatsapp", 1, False, False, True),
        ("whatsapp", 23.9, False, True, True),
        ("whatsapp", 24, False, True, False),  # the window is closed at exactly 24 h
        ("whatsapp", 30, True, False, True),  # an approved template always may
        ("whatsapp", None, True, False, True),
        ("whatsapp", None, False, True, False),
        ("messenger", 2, False, False, True),
        ("messenger", 30, False, False, False),  # the bot may not use HUMAN_AGENT
        ("messenger", 30, False, True, True),
        ("instagram", 24 * 7 - 1, False, True, True),
        ("instagram", 24 * 7, False, True, False),
        ("instagram", 1, True, True, False),  # no templates outside WhatsApp
        ("messenger", None, False, True, False),
        ("webchat", None, False, False, True),
    ],
)
def test_window_rules(channel, hours_ago, template, human, allowed):
    last = None if hours_ago is None else NOW - hours_ago * HOUR
    decision = decide(channel, last, NOW, is_template=template, by_human=human)
    assert decision.allowed is allowed
    assert (decision.reason is None) is allowed


def test_whatsapp_outside_the_window_tells_the_agent_to_use_a_template():
    decision = decide("whatsapp", NOW - 25 * HOUR, NOW)
    assert decision.reason == "Fora da janela de 24 horas: envie um modelo aprovado"


def test_messenger_inside_24h_is_a_plain_response():
    decision = decide("messenger", NOW - HOUR, NOW)
    assert (decision.messaging_type, decision.tag) == ("RESPONSE", None)


def test_messenger_human_reply_after_24h_is_tagged_human_agent():
    decision = decide("instagram", NOW - 48 * HOUR, NOW, by_human=True)
    assert (decision.messaging_type, decision.tag) == (window.MESSAGE_TAG, window.HUMAN_AGENT)


def test_after_seven_days_only_the_customer_can_reopen_messenger():
    decision = decide("messenger", NOW - 8 * 24 * HOUR, NOW, by_human=True)
    assert not decision.allowed and "7 dias" in (decision.reason or "")


def test_a_clock_skewed_future_inbound_counts_as_just_now():
    assert decide("whatsapp", NOW + 60, NOW).allowed
