"""Inbox benchmark: how fast what the pipeline stores shows up in an open inbox, how long a full list takes
to appear, and what the browser downloads before it can sign in.

    .venv/bin/python bench/bench_inbox.py [--seconds 10] [--spread 20] [--conversations 1000]

Needs a built inbox (`.venv/bin/atende build --web`) and Debian's chromium. Starts its own stack on free
ports (emulators, Auth emulator, functions, inbox server), signs an agent in through the real UI in
headless Chromium and measures there:

1. Stored → visible: messages are written as `ai_reply` stores them (the message and its conversation's
   `lastMessage` in one batch) at 1, 10 and 50 per second, either all into the open conversation or
   spread over 20 conversations of the agent's team (`--spread`, the open one among them), as a business
   receives them. A MutationObserver in the page stamps the moment each message's element appears in
   the open timeline, and the moment each other conversation's row shows the new text in the list.
   Latency = appearance − the start of the write (same machine clock). p50/p95/max. Beside it: when the
   document reached the page's listener (`onSnapshot`, so the rest is rendering) and how long the write
   itself took (the writer's share).
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
OBSERVER = r"""
() => {
  window.__seen = {};
  window.__atendeTrace = {};
  const stamp = (el, at) => {
    const id = el.getAttribute && el.getAttribute('data-message-id');
    if (id && !(id in window.__seen)) window.__seen[id] = at;
  };
  window.__listed = {};
  const list = document.querySelector('nav[aria-label="Conversas"]');
  const token = (text, at) => {
    for (const m of (text || '').matchAll(/\[(bm[0-9a-z_]+)\]/g)) {
      if (!(m[1] in window.__listed)) window.__listed[m[1]] = at;
    }
  };
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    for (const record of records) {
      if (list && list.contains(record.target)) token(record.target.textContent, at);
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        stamp(node, at);
        node.querySelectorAll('[data-message-id]').forEach((el) => stamp(el, at));
      }
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
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


def message_doc(conversation_id: str, token: str) -> dict:
    return {
        "conversationId": conversation_id,
        "contactId": "c_bench0",
        "channel": "whatsapp",
        "accountId": "106540352242922",
        "direction": "inbound",
        "senderType": "contact",
        "sender": "5511900000000",
        "kind": "text",
        "text": f"mensagem [{token}]",
        "content": {},
        "status": "received",
        "visibility": "public",
        "timestamp": datetime.now(UTC),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_rate(db, page, rate: int, seconds: float, spread: list[str]) -> None:
    """Write `rate` messages a second round-robin over `spread` for `seconds`, then print how long each took
    to show: in the open timeline (the first conversation) and in the list (the others' rows)."""
    from google.cloud import firestore

    written: dict[str, tuple[str, float]] = {}  # token -> (conversation, write start)
    durations: list[float] = []
    lock = threading.Lock()

    def write(conv_id: str, token: str) -> None:
        batch = db.batch()
        ref = db.collection("messages").document(token)
        batch.set(ref, message_doc(conv_id, token))
        batch.update(
            db.collection("conversations").document(conv_id),
            {
                "lastMessage": f"mensagem [{token}]",
                "lastMessageAt": firestore.SERVER_TIMESTAMP,
                "unreadCount": firestore.Increment(1),
            },
        )
        t0 = time.time() * 1000
        batch.commit()
        with lock:
            written[token] = (conv_id, t0)
            durations.append(time.time() * 1000 - t0)

    # One writer per conversation, as Pub/Sub's ordering key gives ai_reply: a conversation's messages are
    # stored one after the other, different conversations' at the same time.
    count = max(5, int(rate * seconds))
    start = time.time()
    schedule: dict[str, list[tuple[float, str]]] = {c: [] for c in spread}
    for n in range(count):
        schedule[spread[n % len(spread)]].append((start + n / rate, f"bm{rate}_{n}_{uuid.uuid4().hex[:6]}"))

    def writer(conv_id: str) -> None:
        for due, token in schedule[conv_id]:
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            write(conv_id, token)

    threads = [threading.Thread(target=writer, args=(c,)) for c in spread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    open_id = spread[0]

    def shown() -> tuple[dict, dict]:
        return page.evaluate("window.__seen"), page.evaluate("window.__listed")

    deadline = time.time() + 15
    while time.time() < deadline:
        seen, listed = shown()
        if all((t in seen) if c == open_id else (t in listed) for t, (c, _) in written.items()):
            break
        time.sleep(0.2)
    seen, listed = shown()
    snapped = page.evaluate("window.__atendeTrace")
    # A row shows only its newest message: one that arrived in the same snapshot as a newer one was
    # shown when (and as) the newer one was.
    for conv_id in spread[1:]:
        shown_by_then = None
        for _, token in reversed(schedule[conv_id]):
            if token in listed:
                shown_by_then = listed[token] if shown_by_then is None else min(shown_by_then, listed[token])
            elif shown_by_then is not None:
                listed[token] = shown_by_then
    for where, stamps, mine in (
        ("timeline", seen, lambda c: c == open_id),
        ("list", listed, lambda c: c != open_id),
    ):
        tokens = [t for t, (c, _) in written.items() if mine(c)]
        if not tokens:
            continue
        latencies = [stamps[t] - written[t][1] for t in tokens if t in stamps]
        arrivals = [snapped[t] - written[t][1] for t in tokens if t in snapped]
        print(
            f"  {rate:>6} {where:>8} {len(tokens):>5} {fmt(latencies, 0.5)} {fmt(latencies, 0.95)}"
            f" {fmt(latencies, 1.0)} {len(tokens) - len(latencies):>7}"
            f" {fmt(arrivals, 0.5, 12)} {fmt(arrivals, 0.95)}"
            f" {fmt(durations, 0.5, 9)} {fmt(durations, 0.95)}"
        )


def fmt(values: list[float], q: float, width: int = 6) -> str:
    return f"{percentile(values, q):>{width}.0f}" if values else f"{'-':>{width}}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--spread", type=int, default=20, help="conversations the messages arrive in")
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
        open_id = "whatsapp_106540352242922_bench0"
        spread = [open_id] + [f"whatsapp_106540352242922_bench{i}" for i in range(1, args.spread)]
        for i, conv_id in enumerate(spread):
            db.collection("conversations").document(conv_id).set(conversation_doc(i, "support"))
        page = signed_in_page("agente@bench.atende.dev")
        page.goto(f"{stack.inbox_url}/c/{open_id}")
        rates: tuple[int, ...] = (1, 10, 50) if "latency" in parts else ()
        page.get_by_test_id("timeline").wait_for(timeout=30_000)
        page.evaluate(OBSERVER)
        print(f"\nStored → visible, messages spread over {len(spread)} conversation(s) (ms)")
        print(
            f"  {'rate/s':>6} {'where':>8} {'seen':>5} {'p50':>6} {'p95':>6} {'max':>6} {'missing':>7}"
            f" {'snapshot p50':>12} {'p95':>6} {'write p50':>9} {'p95':>6}"
        )
        for rate in rates:
            measure_rate(db, page, rate, args.seconds, spread)
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
