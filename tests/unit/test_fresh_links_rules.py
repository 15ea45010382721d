"""The fresh-link rules both web apps use (web/shared/fresh-links.js), run under plain node: which stored
links are renewed, how requests are batched, and that a file failing to load is asked for once more but
not forever (a link that keeps failing must not turn into a request loop)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRESH_LINKS_JS = ROOT / "web" / "shared" / "fresh-links.js"

# Runs a scenario against the module and prints what was requested, in order, and the last links seen.
JS_RUNNER = r"""
const { freshLinks, isStale } = await import(process.argv[1]);
const scenario = process.argv[2];
const now = Date.UTC(2026, 10, 28, 12);
const requests = [];
let seen = {};
const tracker = freshLinks({
  request: async (ids) => {
    requests.push(ids);
    return { links: Object.fromEntries(ids.map((id) => [id, `https://new/${id}`])) };
  },
  onChange: (links) => { seen = links; },
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const day = 24 * 3600 * 1000;
if (scenario === 'stale') {
  console.log(JSON.stringify([
    isStale({ expiresAt: now / 1000 + 30 }, now),          // expires within the minute's margin
    isStale({ expiresAt: now / 1000 + 3600 }, now),        // an hour left
    isStale({ sentAtMs: now - 7 * day }, now),             // a week-old upload link
    isStale({ sentAtMs: now - 2 * day }, now),             // two days old
    isStale({}, now),                                      // no time known: renew
  ]));
} else {
  if (scenario === 'batch') {
    const items = Array.from({ length: 120 }, (_, i) => ({ id: `m${i}`, sentAtMs: now - 8 * day }));
    tracker.watch(items, now);
    tracker.watch(items, now);  // the same messages again (a re-render): nothing new is asked
    tracker.watch([{ id: 'fresh', expiresAt: now / 1000 + 3600 }], now);
  } else if (scenario === 'broken') {
    tracker.broken('a', 'https://old/a');   // never asked: asked now
    await tick();
    tracker.broken('a', 'https://old/a');   // the old link failing again after a fresh one came: no news
    tracker.broken('a', 'https://new/a');   // the fresh one fails too: once more is not allowed
    tracker.broken('b', 'https://old/b');
    tracker.broken('b', 'https://old/b');   // asked already, the answer not in yet
  }
  await tick();
  const asked = requests.map((r) => (r.length === 1 ? r[0] : r.length));
  console.log(JSON.stringify({ requests: asked, seen: Object.keys(seen).length }));
}
"""


def run(scenario: str) -> object:
    node = shutil.which("node")
    assert node, "node is needed to run web/shared/fresh-links.js (make test installs it with the web apps)"
    out = subprocess.run(
        [node, "--input-type=module", "-e", JS_RUNNER, FRESH_LINKS_JS.as_uri(), scenario],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_a_link_is_renewed_a_minute_before_it_expires_or_after_six_days_when_its_expiry_is_unknown():
    assert run("stale") == [True, False, True, False, True]


def test_stale_links_go_out_in_batches_of_fifty_and_each_message_is_asked_for_once():
    assert run("batch") == {"requests": [50, 50, 20], "seen": 120}


def test_a_file_that_fails_to_load_is_asked_for_once_more_and_not_again():
    assert run("broken") == {"requests": ["a", "b"], "seen": 2}
