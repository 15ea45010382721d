"""The live board's rules exist twice, by design: the console computes them in the browser from its live
listeners (web/inbox/src/console/board.js) and `reports_api` in Python (src/atende/domain/board.py). Both
run the same cases (tests/fixtures/board_cases.json) here, so a rule changed on one side fails until the
other follows. The JS side runs under plain node: board.js imports nothing that needs a browser or
Firebase."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from atende.adapters.firestore import conversations, users
from atende.domain.board import ServiceLevel, board

ROOT = Path(__file__).resolve().parents[2]
CASES_PATH = ROOT / "tests" / "fixtures" / "board_cases.json"
BOARD_JS = ROOT / "web" / "inbox" / "src" / "console" / "board.js"
CASES = json.loads(CASES_PATH.read_text(encoding="utf-8"))["cases"]
TIMES = ("waitingSince", "openedAt", "firstResponseAt")


def _at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _stored(conv: dict[str, Any]) -> dict[str, Any]:
    """A case's conversation as Firestore hands it to the Python side (times as datetimes)."""
    doc = {k: _at(v) if k in TIMES else v for k, v in conv.items() if k != "id"}
    if "handoff" in doc:
        doc["handoff"] = {**doc["handoff"], "at": _at(doc["handoff"]["at"])}
    return doc


def python_board(case: dict[str, Any]) -> dict[str, Any]:
    b = board(
        [conversations.from_doc(c["id"], _stored(c)) for c in case["conversations"]],
        [users.from_doc(p["id"], p) for p in case["people"]],
        {team: ServiceLevel.from_doc(level) for team, level in case["levels"].items()},
        case["now"] / 1000,
    )
    return {
        "queues": [
            {"team": q.team, "channel": q.channel, "waiting": q.waiting, "oldestS": q.oldest_wait_s,
             "medianS": q.median_wait_s}
            for q in b.queues
        ],
        "breaches": [
            {"id": x.conversation_id, "kind": x.kind, "waitedS": x.waited_s, "limitS": x.limit_s}
            for x in b.breaches
        ],
        "people": [
            {"uid": p.uid, "name": p.name, "availability": p.availability, "open": p.open,
             "capacity": p.capacity}
            for p in b.people
        ],
    }  # fmt: skip


JS_RUNNER = """
import { readFileSync } from 'node:fs';
const { board } = await import(process.argv[1]);
const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
console.log(JSON.stringify(cases.map((c) => {
  const b = board(c.conversations, c.people, c.levels, c.now);
  return {
    queues: b.queues,
    breaches: b.breaches.map((x) => ({
      id: x.conversation.id, kind: x.kind, waitedS: x.waitedS, limitS: x.limitS,
    })),
    people: b.people.map(({ uid, name, availability, open, capacity }) => ({
      uid, name, availability, open, capacity,
    })),
  };
})));
"""


@pytest.fixture(scope="module")
def js_boards() -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "node is needed to run the console's board.js (make test installs it with the web apps)"
    out = subprocess.run(
        [node, "--input-type=module", "-e", JS_RUNNER, BOARD_JS.as_uri(), str(CASES_PATH)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_python_board_follows_the_cases(case: dict[str, Any]) -> None:
    assert python_board(case) == case["expected"]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["name"] for c in CASES])
def test_the_browser_board_follows_the_same_cases(index: int, js_boards: list[dict[str, Any]]) -> None:
    assert js_boards[index] == CASES[index]["expected"]
