"""Every golden dialogue, played through the real attendant: each bot line exactly as the file says.

A failure prints the difference as a diff of the conversation (`-` the file, `+` the bot now), so it
shows the first line where the bot said something else (README.md: how to read, fix or add one).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pytest

from atende.domain.menus import (
    QUICK_REPLIES_MAX,
    QUICK_REPLY_TITLE_MAX,
    WHATSAPP_BUTTON_TITLE_MAX,
    WHATSAPP_BUTTONS_MAX,
    WHATSAPP_ROW_DESCRIPTION_MAX,
    WHATSAPP_ROW_TITLE_MAX,
    WHATSAPP_ROWS_MAX,
)
from atende.domain.message import Message
from atende.domain.model import Channel
from atende.triage import classify
from tests.dialogues.script import dialogue_files, parse, play, render


@pytest.mark.parametrize("path", list(dialogue_files()), ids=lambda p: p.stem)
def test_the_bot_says_exactly_what_the_dialogue_says(path: Path) -> None:
    dialogue = parse(path)
    expected = render(dialogue.turns, dialogue.header)
    played = render(play(dialogue, classify), dialogue.header)
    if played != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), played.splitlines(), "the dialogue file", "the bot now", lineterm=""
        )
        pytest.fail(f"{path.name}:\n" + "\n".join(diff), pytrace=False)


def _tappable(reply: Message) -> dict[str, Any]:
    return dict(reply.content.model_extra or {}) if reply.content else {}


@pytest.mark.parametrize("path", list(dialogue_files()), ids=lambda p: p.stem)
def test_every_menu_goes_out_tappable_within_the_platforms_limits(path: Path) -> None:
    """WhatsApp: reply buttons (≤ 3) or a list (≤ 10 rows); Messenger and Instagram: quick replies;
    web chat: its own buttons. Every menu of these conversations fits, so none is numbered text."""
    dialogue = parse(path)
    sent: list[Message] = []
    play(dialogue, classify, sent)
    for reply in sent:
        tappable, text = _tappable(reply), reply.text or ""
        assert not re.search(r"^1 - ", text, re.MULTILINE), f"numbered menu instead of taps:\n{text}"
        if dialogue.channel == Channel.WHATSAPP and "buttons" in tappable:
            titles = [b["title"] for b in tappable["buttons"]]
            assert 1 <= len(titles) <= WHATSAPP_BUTTONS_MAX
            assert all(len(t) <= WHATSAPP_BUTTON_TITLE_MAX for t in titles), titles
        if dialogue.channel == Channel.WHATSAPP and tappable.get("type") == "list":
            rows = [r for section in tappable["sections"] for r in section["rows"]]
            assert 1 <= len(rows) <= WHATSAPP_ROWS_MAX
            assert all(len(r["title"]) <= WHATSAPP_ROW_TITLE_MAX for r in rows), rows
            assert all(len(r.get("description", "")) <= WHATSAPP_ROW_DESCRIPTION_MAX for r in rows), rows
        if dialogue.channel in (Channel.MESSENGER, Channel.INSTAGRAM) and tappable:
            titles = [q["title"] for q in tappable["quick_replies"]]
            assert 1 <= len(titles) <= QUICK_REPLIES_MAX
            assert all(len(t) <= QUICK_REPLY_TITLE_MAX for t in titles), titles
        if tappable:
            ids = [c.get("id") or c.get("payload") for c in _choices(tappable)]
            assert len(ids) == len(set(ids)), f"two options share an id: {ids}"


def _choices(tappable: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [r for section in tappable.get("sections", []) for r in section["rows"]]
    return [*tappable.get("buttons", []), *rows, *tappable.get("quick_replies", [])]
