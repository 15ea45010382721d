"""Inbox benchmark: how fast what the pipeline stores shows up in an open inbox, how long a full list takes
to appear, and what the browser downloads before it can sign in.

    .venv/bin/python bench/bench_inbox.py [--seconds 10] [--conversations 1000]

Needs a built inbox (`.venv/bin/atende build --web`) and Debian's chromium. Starts its own stack on free
ports (emulators, Auth emulator, functions, inbox server), signs an agent in through the real UI in
headless Chromium and measures there:

1. Stored → visible: messages are written to `messages` for the open conversation, as `ai_reply` stores
   them, at 1, 10 and 50 per second; a MutationObserver in the page stamps the moment each message's
   element appears. Latency = appearance − the start of the write (same machine clock). p50/p95/max.
   Beside it: when the document reached the page's listener (`onSnapshot`, so the rest is rendering)
   and how long the write itself took (the writer's share).
2. First render of the list: from navigation to the list showing all N open conversations of the team,
   against the same with 10 conversations (ratio, same run).
3. JS at sign-in: the gzipped bytes of the scripts the sign-in page loads (index.html's module and its
   preloads), and of the inbox chunk loaded after it.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "inbox" / "dist"
CHROMIUM = "/usr/bin/chromium"
OBSERVER = """
() => {
  window.__seen = {};
  window.__atendeTrace = {};
  const stamp = (el, at) => {
    const id = el.getAttribute && el.getAttribute('data-message-id');
    if (id && !(id in window.__seen)) window.__seen[id] = at;
  };
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        stamp(node, at);
        node.querySelectorAll('[data-message-id]').forEach((el) => stamp(el, at));
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}
"""


def gzipped_kb(paths: list[Path]) -> float:
    return sum(len(gzip.compress(p.read_bytes(), 9)) for p in paths) / 1024


def sign_in_scripts() -> tuple[list[Path], list[Path]]:
    html = (DIST / "index.html").read_text()
    initial = {DIST / m.lstrip("/") for m in re.findall(r'(?:src|href)="(/assets/[^"]+\.js)"', html)}
    later = [p for p in (DIST / "assets").glob("*.js") if p not in initial]
    return sorted(initial), later


def conversation_doc(i: int, team: str) -> dict:
    now = datetime.now(UTC)
    return {
        "channel": "whatsapp",
        "accountId": "106540352242922",
        "contactId": f"c_bench{i}",
        "senderId": f"55119{i:08d}",
        "contactName": f"Cliente {i:04d}",
        "status": "waiting" if i % 3 == 0 else "in_service",
        "team": team,
        "queue": team,
        "waitingSince": now,
        "lastMessage": "minha internet está lenta desde ontem",
        "lastMessageAt": now,
        "lastInboundAt": now,
        "labels": [],
        "unreadCount": 1,
        "userType": "cliente",
    }


def message_doc(conversation_id: str, n: int) -> dict:
    return {
        "conversationId": conversation_id,
        "contactId": "c_bench0",
        "channel": "whatsapp",
        "accountId": "106540352242922",
        "direction": "inbound",
        "senderType": "contact",
        "sender": "5511900000000",
        "kind": "text",
        "text": f"mensagem {n}",
        "content": {},
        "status": "received",
        "visibility": "public",
        "timestamp": datetime.now(UTC),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--parts", default="latency,list", help="latency, list or both (comma-separated)")
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        print("web/inbox is not built: .venv/bin/atende build --web", file=sys.stderr)
        return 2

    from google.cloud import firestore
    from playwright.sync_api import sync_playwright

    from atende.adapters.firebase_users import staff_accounts
    from atende.dev.stack import Stack, StackConfig

    initial, later = sign_in_scripts()
    print("JS the sign-in page loads (gzipped)")
    print(
        f"  sign-in: {gzipped_kb(initial):.0f} KB in {len(initial)} file(s); inbox chunk after sign-in: "
        f"{gzipped_kb(later):.0f} KB"
    )

    config = StackConfig.on_free_ports(f"demo-bench-inbox-{uuid.uuid4().hex[:6]}", sweep_interval_s=3600)
    with Stack(config) as stack, sync_playwright() as p:
        db = firestore.Client(project=config.project)
        accounts = staff_accounts(config.project, db)
        accounts.create("agente@bench.atende.dev", "bench-password", "Agente Bench", "agent", ["support"], 5)
        accounts.create("lista@bench.atende.dev", "bench-password", "Lista Bench", "agent", ["billing"], 5)
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

        def signed_in_page(email: str):
            page = browser.new_page(viewport={"width": 1366, "height": 850})
            page.on(
                "console", lambda m: m.type == "error" and print("  browser:", m.text[:300], file=sys.stderr)
            )
            page.goto(stack.inbox_url)
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Senha").fill("bench-password")
            page.get_by_role("button", name="Entrar").click()
            page.get_by_role("navigation", name="Conversas").wait_for(timeout=30_000)
            return page

        parts = set(args.parts.split(","))
        # 1. stored -> visible
        conv_id = "whatsapp_106540352242922_bench"
        db.collection("conversations").document(conv_id).set(conversation_doc(0, "support"))
        page = signed_in_page("agente@bench.atende.dev")
        page.goto(f"{stack.inbox_url}/c/{conv_id}")
        if "latency" not in parts:
            rates: tuple[int, ...] = ()
        else:
            rates = (1, 10, 50)
        page.get_by_test_id("timeline").wait_for(timeout=30_000)
        page.evaluate(OBSERVER)
        print("\nStored → visible in the open conversation (ms)")
        print(
            f"  {'rate/s':>6} {'messages':>8} {'p50':>6} {'p95':>6} {'max':>6} {'missing':>7}"
            f" {'snapshot p50':>12} {'p95':>6} {'write p50':>9} {'p95':>6}"
        )
        for rate in rates:
            written: dict[str, float] = {}
            durations: list[float] = []
            count = max(5, int(rate * args.seconds))
            refs = [
                db.collection("messages").document(f"bench_{rate}_{n}_{uuid.uuid4().hex[:6]}")
                for n in range(count)
            ]
            start = time.time()
            lock = threading.Lock()

            def write(
                ref,
                n: int,
                written: dict[str, float] = written,
                lock: threading.Lock = lock,
                durations: list[float] = durations,
            ) -> None:
                t0 = time.time() * 1000
                ref.set(message_doc(conv_id, n))
                with lock:
                    written[ref.id] = t0
                    durations.append(time.time() * 1000 - t0)

            threads = []
            for n, ref in enumerate(refs):
                delay = start + n / rate - time.time()
                if delay > 0:
                    time.sleep(delay)
                thread = threading.Thread(target=write, args=(ref, n))
                thread.start()
                threads.append(thread)
            for thread in threads:
                thread.join()
            deadline = time.time() + 15
            while time.time() < deadline:
                seen = page.evaluate("window.__seen")
                if all(k in seen for k in written):
                    break
                time.sleep(0.2)
            seen = page.evaluate("window.__seen")
            snapped = page.evaluate("window.__atendeTrace")
            latencies = [seen[k] - t0 for k, t0 in written.items() if k in seen]
            arrivals = [snapped[k] - t0 for k, t0 in written.items() if k in snapped]
            missing = len(written) - len(latencies)
            print(
                f"  {rate:>6} {len(written):>8} {statistics.median(latencies):>6.0f} "
                f"{percentile(latencies, 0.95):>6.0f} {max(latencies):>6.0f} {missing:>7}"
                f" {statistics.median(arrivals):>12.0f} {percentile(arrivals, 0.95):>6.0f}"
                f" {statistics.median(durations):>9.0f} {percentile(durations, 0.95):>6.0f}"
            )
        page.close()

        # 2. first render of the list: N conversations against 10
        if "list" not in parts:
            browser.close()
            return 0
        print("\nFirst render of the list (navigation → every open conversation listed)")
        timings = {}
        for team, n in (("billing", 10), ("billing", args.conversations)):
            batch = db.batch()
            existing = timings.get("seeded", 0)
            for i in range(existing, n):
                batch.set(
                    db.collection("conversations").document(f"whatsapp_bench_list_{i}"),
                    conversation_doc(i, team),
                )
                if (i + 1) % 400 == 0:
                    batch.commit()
                    batch = db.batch()
            batch.commit()
            timings["seeded"] = n
            runs = []
            page = signed_in_page("lista@bench.atende.dev")
            for _ in range(3):
                t0 = time.perf_counter()
                page.reload()
                try:
                    page.get_by_text(f"{n} conversas").wait_for(timeout=180_000)
                except Exception:
                    page.screenshot(path="/tmp/bench-list-timeout.png")
                    raise
                runs.append((time.perf_counter() - t0) * 1000)
            page.close()
            timings[n] = statistics.median(runs)
            print(f"  {n:>5} conversations: median of 3 {timings[n]:>6.0f} ms")
        print(f"  ratio {args.conversations}/10: {timings[args.conversations] / timings[10]:.2f}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
