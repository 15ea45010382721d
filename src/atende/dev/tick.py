"""`atende tick`: fire the automation tick now (send sweep, snoozes, queues, follow-ups), as Cloud
Scheduler's 15-minute job does; against the dev stack's Pub/Sub emulator (`PUBSUB_EMULATOR_HOST`), or a
project's real topic with Application Default Credentials."""

from __future__ import annotations

import argparse
import os

from atende.dev.scheduler import publish_tick


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tick", help="fire one automation tick now (follow-ups included)")
    parser.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-atende"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not os.environ.get("PUBSUB_EMULATOR_HOST") and args.project == "demo-atende":
        os.environ["PUBSUB_EMULATOR_HOST"] = "127.0.0.1:8085"  # `make dev`'s emulator
    message_id = publish_tick(args.project)
    print(f"automation tick published ({message_id}); automation_tick runs it now")
    return 0
