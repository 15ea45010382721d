"""The chaos and soak benchmarks' verdict: what each accepted message became, and when the run fails."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from outcomes import Observed, Outcome, sends_by_recipient, settled, tally, text_message


def seen(status: str | None, sends: int = 1, reason: str | None = None, stored: bool = True) -> Observed:
    return Observed(stored=stored, reply_status=status, reply_reason=reason, sends=sends)


def test_a_clean_run_passes_and_counts_each_message_once() -> None:
    result = tally([seen("read"), seen("sent"), seen("failed", 0, "Meta recusou")])
    assert result.passed
    assert dict(result.rows())["replied once"] == 2
    assert dict(result.rows())["failed visibly (failed/unknown + reason)"] == 1
    assert result.stored == 3


def test_stuck_doubled_lost_or_silent_failures_fail_the_run() -> None:
    for bad in (
        seen("sending"),
        seen("queued", 0),
        seen("sent", 2),
        seen("unknown", 2, "tempo esgotado"),
        seen(None),
        seen(None, 0, stored=False),
        seen("failed", 0),
        seen("sent", 0),
    ):
        assert not tally([seen("read"), bad]).passed, bad


def test_a_doubled_reply_is_not_replied_once() -> None:
    result = tally([seen("delivered", 2)])
    assert result.doubled == 1
    assert dict(result.rows())["replied once"] == 0


def test_an_ambiguous_send_marked_unknown_with_a_reason_is_a_visible_failure() -> None:
    result = tally([seen("unknown", 1, "resultado desconhecido")])
    assert result.outcomes[Outcome.FAILED_VISIBLY] == 1
    assert result.passed


def test_settled_waits_for_every_message_to_be_stored_and_its_reply_to_leave_flight() -> None:
    assert settled([seen("read"), seen("failed", 0, "x")])
    assert not settled([seen("read"), seen("sending")])
    assert not settled([seen(None, 0, stored=False)])


def test_each_bench_customer_is_one_recipient_on_the_stand_in() -> None:
    wa, _ = text_message(3, "a1b2c3", "whatsapp")
    fb, _ = text_message(4, "a1b2c3", "messenger")
    records = [
        {"body": {"messaging_product": "whatsapp", "to": f"+{wa.recipient}"}},
        {"body": {"messaging_product": "whatsapp", "to": wa.recipient}},
        {"body": {"recipient": {"id": fb.recipient}}},
    ]
    counts = sends_by_recipient(records)
    assert counts[wa.recipient] == 2
    assert counts[fb.recipient] == 1
    assert wa.reply_id == f"{wa.message_id}_r"
