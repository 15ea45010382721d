"""Web-chat widget benchmark: what a host page downloads before and after the chat is opened, how soon the
launcher shows, and how fast a stored reply appears in the open widget.

    .venv/bin/python bench/bench_widget.py [--runs 15] [--replies 40] [--rate 2]

Needs a built widget (`.venv/bin/atende build --web`) and Debian's chromium. Starts its own stack on free
ports (emulators, Auth emulator, functions, demo site), seeds the demo site, and measures in headless
Chromium on the demo site's home page (Conecta Fibra, the snippet installed):

1. JS before the first open and in total after opening: every script the page requested from the widget
   (`/widget/…`), its body as served, gzipped (level 9). Budgets: 30 KB and 180 KB.
2. Launcher visible after the script loaded: from the loader's `responseEnd` (Resource Timing) to the first
   animation frame where the launcher has a size; a fresh browser profile per run; median and max of N.
   Budget: 300 ms.
3. Stored → visible: with the widget open on a conversation, agent replies are written to `messages` as
   `outbound` stores them, at `--rate` per second; a MutationObserver in the widget's shadow root stamps the
   moment each one appears. Latency = appearance − the start of the write (same machine clock). p50/p95/max.
   Budget: p95 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "widget" / "dist"
CHROMIUM = "/usr/bin/chromium"
SITE = "demo"
LAUNCHER_CLOCK = """
(() => {
  const tick = () => {
    const host = document.querySelector('atende-widget');
    const launcher = host && host.shadowRoot && host.shadowRoot.querySelector('.aw-launcher');
    if (launcher && launcher.getBoundingClientRect().width > 0) window.__launcherAt = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""
OBSERVER = """
() => {
  window.__seen = {};
  const root = document.querySelector('atende-widget').shadowRoot;
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
  }).observe(root, { childList: true, subtree: true });
}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def reply_doc(conversation_id: str, n: int) -> dict:
    now = datetime.now(UTC)
    return {
        "conversationId": conversation_id,
        "channel": "webchat",
        "accountId": SITE,
        "direction": "outbound",
        "senderType": "agent",
        "sender": "agent",
        "authorName": "Bench",
        "kind": "text",
        "text": f"resposta {n}",
        "content": {},
        "status": "sent",
        "visibility": "public",
        "timestamp": now,
        "createdAt": now,
    }


def someone_available(route) -> None:
    """The chat view, whatever the hour: nobody online would show the offline form first."""
    response = route.fetch()
    route.fulfill(response=response, json={**response.json(), "available": True})


def close(context) -> None:
    context.unroute_all(behavior="ignoreErrors")  # a site fetch still in flight must not fail the run
    context.close()


class Scripts:
    """The widget's scripts a page requested, with their bodies as served (gzipped here)."""

    def __init__(self, page) -> None:
        self.bodies: dict[str, bytes] = {}
        page.on("response", self._record)

    def _record(self, response) -> None:
        if "/widget/" in response.url and response.url.endswith(".js") and response.ok:
            self.bodies[response.url] = response.body()

    def kb(self) -> float:
        return sum(len(gzip.compress(body, 9)) for body in self.bodies.values()) / 1024

    def names(self) -> str:
        return ", ".join(url.rsplit("/widget/", 1)[1] for url in sorted(self.bodies))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="page loads for the launcher's time")
    parser.add_argument("--replies", type=int, default=40, help="replies written for the latency")
    parser.add_argument("--rate", type=float, default=2.0, help="replies per second")
    args = parser.parse_args()
    if not (DIST / "atende-widget.js").exists():
        print("web/widget is not built: .venv/bin/atende build --web", file=sys.stderr)
        return 2

    from google.cloud import firestore
    from playwright.sync_api import sync_playwright

    from atende.dev.demo_site import VISITOR_CLAIMS_JS
    from atende.dev.seed import seed_demo_site
    from atende.dev.stack import Stack, StackConfig

    config = StackConfig.on_free_ports(f"demo-bench-widget-{uuid.uuid4().hex[:6]}", sweep_interval_s=3600)
    with Stack(config) as stack, sync_playwright() as p:
        db = firestore.Client(project=config.project)
        seed_demo_site(db, stack.demo_site_origins)
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        url = f"{stack.demo_site_url}/"  # the demo site's home page, with the snippet

        def fresh_page():
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR")
            context.route("**/webchat/sites/**", someone_available)
            page = context.new_page()
            page.on(
                "console", lambda m: m.type == "error" and print("  browser:", m.text[:300], file=sys.stderr)
            )
            return context, page

        # 1. bytes before and after opening
        context, page = fresh_page()
        scripts = Scripts(page)
        page.goto(url)
        launcher = page.locator("atende-widget .aw-launcher")
        launcher.wait_for(state="visible", timeout=15_000)
        page.wait_for_load_state("networkidle")
        before, before_names = scripts.kb(), scripts.names()
        launcher.click()
        page.get_by_role("textbox", name="Escreva sua mensagem").wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        after, after_names = scripts.kb(), scripts.names()
        print("Widget JS the page requested (gzipped, level 9)")
        print(f"  {'before the first open':<24} {before:>6.1f} KB  (budget 30)   {before_names}")
        print(f"  {'in total after opening':<24} {after:>6.1f} KB  (budget 180)  {after_names}")

        # 3. stored -> visible, on the conversation this visitor opens by writing once
        box = page.get_by_role("textbox", name="Escreva sua mensagem")
        box.fill("olá, quero testar o chat")
        box.press("Enter")
        page.locator("atende-widget [data-side='visitor'][data-message-id]").wait_for(timeout=30_000)
        conversation_id = page.evaluate(VISITOR_CLAIMS_JS)["conversationId"]
        page.evaluate(OBSERVER)
        written: dict[str, float] = {}
        lock = threading.Lock()

        def write(ref, n: int) -> None:
            t0 = time.time() * 1000
            ref.set(reply_doc(conversation_id, n))
            with lock:
                written[ref.id] = t0

        threads = []
        start = time.time()
        for n in range(args.replies):
            delay = start + n / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            ref = db.collection("messages").document(f"bench_widget_{n}_{uuid.uuid4().hex[:6]}")
            thread = threading.Thread(target=write, args=(ref, n))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        deadline = time.time() + 15
        while time.time() < deadline and not all(k in page.evaluate("window.__seen") for k in written):
            time.sleep(0.2)
        seen = page.evaluate("window.__seen")
        latencies = [seen[k] - t0 for k, t0 in written.items() if k in seen]
        close(context)

        # 2. launcher visible after the script loaded, fresh profile each time
        timings = []
        for _ in range(args.runs):
            context, page = fresh_page()
            page.add_init_script(LAUNCHER_CLOCK)
            page.goto(url)
            page.wait_for_function("window.__launcherAt !== undefined", timeout=15_000)
            timings.append(
                page.evaluate(
                    """() => window.__launcherAt - performance.getEntriesByType('resource')
                         .find((e) => e.name.endsWith('/atende-widget.js')).responseEnd"""
                )
            )
            close(context)
        print("\nLauncher visible after the loader script arrived (ms)")
        print(
            f"  runs {len(timings)}: median {statistics.median(timings):.0f}, max {max(timings):.0f}"
            "  (budget 300)"
        )
        print(f"\nStored → visible in the open widget (ms), {args.replies} replies at {args.rate:g}/s")
        print(f"  {'p50':>6} {'p95':>6} {'max':>6} {'missing':>7}")
        print(
            f"  {statistics.median(latencies):>6.0f} {percentile(latencies, 0.95):>6.0f} "
            f"{max(latencies):>6.0f} {len(written) - len(latencies):>7}   (budget p95 1000)"
        )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
