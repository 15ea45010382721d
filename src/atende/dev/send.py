"""`atende send TEXT`: play a WhatsApp customer against the running stack and show the answer."""

from __future__ import annotations

import argparse
import os
import time

import httpx

from atende.dev.payloads import post_signed, whatsapp_text
from atende.dev.stack import DEV_SECRETS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("send", help="send a signed WhatsApp text to the running local stack")
    parser.add_argument("text")
    parser.add_argument("--from", dest="wa_id", default="5511987654321")
    parser.add_argument("--name", default="Maria Silva")
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('FUNCTIONS_PORT', 5001)}")
    parser.add_argument(
        "--graph",
        default=os.environ.get("GRAPH_API_BASE_URL")
        or f"http://127.0.0.1:{os.environ.get('GRAPH_STANDIN_PORT', 5002)}",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    secret = os.environ.get("META_APP_SECRET") or DEV_SECRETS["META_APP_SECRET"]
    with httpx.Client(timeout=10) as client:
        before = len(client.get(f"{args.graph}/_standin/sent").json()["sent"])
        started = time.perf_counter()
        response = post_signed(
            client,
            f"{args.url}/webhook_whatsapp",
            whatsapp_text(args.text, wa_id=args.wa_id, name=args.name),
            secret,
        )
        print(f"webhook: HTTP {response.status_code} in {(time.perf_counter() - started) * 1000:.0f} ms")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            sent = client.get(f"{args.graph}/_standin/sent").json()["sent"]
            if len(sent) > before:
                body = sent[-1]["body"]
                print(f"answer after {(time.perf_counter() - started) * 1000:.0f} ms:")
                print("  " + (body.get("text") or {}).get("body", str(body)))
                return 0
            time.sleep(0.1)
    print("no answer within 15 s (is `make dev` running?)")
    return 1
