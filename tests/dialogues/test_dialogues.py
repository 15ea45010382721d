"""Every golden dialogue, played through the real attendant: each bot line exactly as the file says.

A failure prints the whole conversation as expected and as played, so the diff shows the first
line where the bot said something else (README.md: how to read, fix or add one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from atende.triage import classify
from tests.dialogues.script import dialogue_files, parse, play, render


@pytest.mark.parametrize("path", list(dialogue_files()), ids=lambda p: p.stem)
def test_the_bot_says_exactly_what_the_dialogue_says(path: Path) -> None:
    dialogue = parse(path)
    played = play(dialogue, classify)
    assert render(played, dialogue.header) == render(dialogue.turns, dialogue.header)
