"""The web chat's server side on the real local stack: how long a session and a message take at the
`webchat` function, and how long from a visitor's message to the bot's reply recorded `sent` (what the
widget's snapshot then shows).

    .venv/bin/python bench/bench_webchat.py [--visitors 30]

Each visitor is new (a session from its own address, the custom token exchanged at the Auth emulator) and
sends one greeting; the reply is watched in Firestore, as the widget does. Prints p50/p95/max of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid

import httpx
from google.cloud import firestore

from atende.dev.auth_emulator import sign_in_with_custom_token
from atende.dev.polling import wait_until
from atende.dev.seed import DEMO_SITE_KEY, seed_demo_site
from atende.dev.stack import Stack, StackConfig


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {1000 * statistics.median(ordered):.0f} ms, p95 {1000 * p95:.0f} ms, "
        f"max {1000 * ordered[-1]:.0f} ms (n={len(ordered)})"
    )


def run(visitors: int) -> None:
    config = StackConfig.on_free_ports("demo-bench-webchat")
    os.environ.pop("GRAPH_API_BASE_URL", None)
    with Stack(config) as stack, httpx.Client(timeout=15) as http:
        db = firestore.Client(project=config.project)
        seed_demo_site(db, stack.demo_site_origins)
        url = f"{stack.functions_url}/webchat"
        origin = {"Origin": stack.demo_site_origins[0]}
        site = {"site": DEMO_SITE_KEY}
        assert http.get(f"{url}/sites/{DEMO_SITE_KEY}", headers=origin).status_code == 200  # warm
        sessions, messages, replies = [], [], []
        for n in range(visitors):
            started = time.perf_counter()
            answer = http.post(
                f"{url}/session",
                json={"siteKey": DEMO_SITE_KEY},
                headers={**origin, "X-Forwarded-For": f"198.51.100.{n % 250}"},
                params=site,
            )
            sessions.append(time.perf_counter() - started)
            answer.raise_for_status()
            token = sign_in_with_custom_token(stack.auth_url, answer.json()["token"])

            started = time.perf_counter()
            sent = http.post(
                f"{url}/messages",
                json={"clientId": str(uuid.uuid4()), "text": "oi, bom dia"},
                headers={**origin, "Authorization": f"Bearer {token}"},
                params=site,
            )
            messages.append(time.perf_counter() - started)
            sent.raise_for_status()
            stored = db.collection("messages").document(sent.json()["messageId"])
            reply_id = wait_until(
                lambda s=stored: (s.get().to_dict() or {}).get("replyMessageId"), "the reply"
            )
            reply = db.collection("messages").document(reply_id)
            wait_until(
                lambda r=reply: (r.get().to_dict() or {}).get("status") == "sent", "the reply sent", 20, 0.01
            )
            replies.append(time.perf_counter() - started)
    print(f"POST /session                      {summary(sessions)}")
    print(f"POST /messages                     {summary(messages)}")
    print(f"message -> reply recorded sent     {summary(replies)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=30)
    run(parser.parse_args().visitors)
