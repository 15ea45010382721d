"""How the console shows a dead letter: what an admin reads in the list row and in the detail."""

from __future__ import annotations

import json

import pytest

from atende.domain.dead_letter import StoredLetter
from atende.entrypoints.console_dead_letters import detail, summary


def letter(data: bytes, size: int | None = None) -> StoredLetter:
    return StoredLetter(
        id="d_0123abcd",
        pubsub_id="1",
        topic="inbound-events",
        subscription="ai-reply",
        consumer="ai_reply",
        attempts=5,
        data=data,
        attributes={},
        size=len(data) if size is None else size,
        first_seen_at=1_700_000_000.0,
    )


def test_a_message_payload_is_shown_by_its_words_and_in_full_as_indented_json() -> None:
    event = {"type": "message", "text": "minha   internet\ncaiu", "conversation_id": "c1", "ids": ["x"] * 50}
    shown = detail(letter(json.dumps(event).encode()))
    assert shown["preview"] == "message: «minha internet caiu»"
    assert shown["payloadFormat"] == "json"
    assert json.loads(shown["payload"]) == event and "\n  " in shown["payload"]


@pytest.mark.parametrize(
    ("data", "shape", "payload"),
    [
        (b"msg-123 not json", "text", "msg-123 not json"),
        (b"null", "json", "null"),
        (b"\xff\xfe\x00", "base64", "//4A"),
    ],
)
def test_text_json_and_bytes_are_each_shown_as_what_they_are(data: bytes, shape: str, payload: str) -> None:
    shown = detail(letter(data))
    assert (shown["payloadFormat"], shown["payload"]) == (shape, payload)


def test_bytes_that_are_not_text_are_previewed_by_their_size() -> None:
    assert summary(letter(b"\xff\xfe\x00"))["preview"] == "(3 bytes)"


def test_a_truncated_letter_cut_inside_a_character_still_reads_as_text() -> None:
    whole = ("não " * 100).encode()
    cut = whole[: whole.index("ã".encode()) + 1]  # half of "ã"
    shown = detail(letter(cut, size=len(whole)))
    assert shown["payloadFormat"] == "text" and shown["payload"] == "n"
    assert shown["truncated"] and not shown["replayable"]
