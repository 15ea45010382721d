"""Live board benchmark: how soon a conversation handed to a team shows on a supervisor's open board.

    .venv/bin/python bench/bench_board.py [--count 30] [--rate 2]

Needs a built web app (`.venv/bin/atende build --web`) and Debian's chromium. Starts its own stack on
free ports, signs a supervisor in through the real UI in headless Chromium, opens the console's live
board, then writes `--count` waiting conversations of the supervisor's team, `--rate` a second, as
`ai_reply` stores a handoff. A MutationObserver in the page stamps the moment the board's waiting count
reaches each new value; latency = that moment − the start of the write that made it (same machine clock).
The board is one listener on the team's queue plus the arithmetic of src/atende/domain/board.py, done in
the browser, so this is Firestore's listener latency plus one render.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "inbox" / "dist"
CHROMIUM = "/usr/bin/chromium"
OBSERVER = """
() => {
  window.__counts = {};
  const kpi = document.querySelector('[data-testid="kpi-waiting"]');
  const stamp = () => {
    const n = Number(kpi.textContent);
    if (!(n in window.__counts)) window.__counts[n] = performance.timeOrigin + performance.now();
  };
  new MutationObserver(stamp).observe(kpi, { childList: true, subtree: true, characterData: true });
}
"""


def waiting(i: int) -> dict:
    now = datetime.now(UTC)
    return {
        "channel": "whatsapp",
        "accountId": "106540352242922",
        "contactId": f"c_board{i}",
        "senderId": f"55118{i:08d}",
        "contactName": f"Cliente {i:04d}",
        "status": "waiting",
        "team": "support",
        "queue": "support",
        "waitingSince": now,
        "handoff": {"at": now, "reason": "explicit_request", "team": "support"},
        "lastMessage": "quero falar com um atendente",
        "lastMessageAt": now,
        "userType": "cliente",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--rate", type=float, default=2.0)
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        print("web/inbox is not built: .venv/bin/atende build --web", file=sys.stderr)
        return 2

    from google.cloud import firestore
    from playwright.sync_api import sync_playwright

    from atende.adapters.firebase_users import staff_accounts
    from atende.dev.stack import Stack, StackConfig

    config = StackConfig.on_free_ports(f"demo-bench-board-{uuid.uuid4().hex[:6]}", sweep_interval_s=3600)
    with Stack(config) as stack, sync_playwright() as p:
        db = firestore.Client(project=config.project)
        staff_accounts(config.project, db).create(
            "supervisora@bench.atende.dev",
            "bench-password",
            "Supervisora Bench",
            "supervisor",
            ["support"],
            5,
        )
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 850})
        page.goto(stack.inbox_url)
        page.get_by_label("E-mail").fill("supervisora@bench.atende.dev")
        page.get_by_label("Senha").fill("bench-password")
        page.get_by_role("button", name="Entrar").click()
        page.get_by_role("navigation", name="Conversas").wait_for(timeout=30_000)
        page.goto(f"{stack.inbox_url}/console/board")
        page.get_by_test_id("kpi-waiting").get_by_text("0", exact=True).wait_for(timeout=30_000)
        page.evaluate(OBSERVER)

        started: dict[int, float] = {}
        begin = time.time()
        for i in range(1, args.count + 1):
            delay = begin + (i - 1) / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            started[i] = time.time() * 1000
            db.collection("conversations").document(f"whatsapp_board_{i}").set(waiting(i))
        deadline = time.time() + 20
        while time.time() < deadline and str(args.count) not in page.evaluate("window.__counts"):
            time.sleep(0.2)
        counts = {int(k): v for k, v in page.evaluate("window.__counts").items()}
        latencies = [counts[i] - t0 for i, t0 in started.items() if i in counts]
        # a count skipped (two arrivals in one snapshot) was shown when the next one was
        missed = [i for i in started if i not in counts]
        for i in missed:
            later = [counts[j] for j in counts if j > i]
            if later:
                latencies.append(min(later) - started[i])
        browser.close()
    print("Live board: handed off → counted on the supervisor's open board (ms)")
    print(f"  {'handoffs':>8} {'rate/s':>6} {'p50':>6} {'p95':>6} {'max':>6} {'never shown':>11}")
    never = args.count - len(latencies)
    print(
        f"  {args.count:>8} {args.rate:>6.1f} {statistics.median(latencies):>6.0f} "
        f"{percentile(latencies, 0.95):>6.0f} {max(latencies):>6.0f} {never:>11}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
