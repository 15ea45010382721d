"""Every golden dialogue, played through the real attendant: each bot line exactly as the file says.

A failure prints the difference as a diff of the conversation (`-` the file, `+` the bot now), so it
shows the first line where the bot said something else (README.md: how to read, fix or add one).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

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
