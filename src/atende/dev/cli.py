"""`atende dev`: run the whole stack in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading

from atende.dev import demo_site, inbox_server
from atende.dev.seed import DemoUser, seed_demo
from atende.dev.stack import Stack, StackConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dev", help="run the local stack (emulators, functions, stand-ins)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    config = StackConfig.from_env()
    print("Starting Atende locally (Firestore, Pub/Sub and Auth emulators, functions, inbox)…", flush=True)
    try:
        stack = Stack(config).start()
    except RuntimeError as exc:
        print(f"error: {exc}", flush=True)
        return 1
    try:
        users = _seed(stack)
        print(_banner(stack, users), flush=True)
        while not stop.wait(1.0):
            dead = [c.name for c in stack.children if not c.alive()]
            if dead:
                print(
                    f"error: {', '.join(dead)} stopped unexpectedly; see {config.state_dir}/logs", flush=True
                )
                return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()
    return 0


def _seed(stack: Stack) -> list[DemoUser]:
    from google.cloud import firestore

    from atende.adapters.firebase_users import staff_accounts

    db = firestore.Client(project=stack.config.project)
    return seed_demo(staff_accounts(stack.config.project, db), db, stack.demo_site_origins)


def _banner(stack: Stack, users: list[DemoUser]) -> str:
    c = stack.config
    graph = stack.graph_url + ("  (local stand-in: open it to see what was sent)" if stack.graph else "")
    simulator = (
        f"{stack.graph_url}/simulator  (play the customer on WhatsApp, Messenger or Instagram)"
        if stack.graph
        else "off (GRAPH_API_BASE_URL points to an external Graph API)"
    )
    sendgrid = stack.env["SENDGRID_API_HOST"] + (
        "  (local stand-in: follow-up e-mails)" if stack.sendgrid else ""
    )
    built = (inbox_server.INBOX / "dist" / "index.html").is_file()
    inbox = stack.inbox_url + ("" if built else "  (not built yet: .venv/bin/atende build --web)")
    widget_built = (demo_site.WIDGET_DIST / "atende-widget.js").is_file()
    demo = stack.demo_site_url + (
        "  (Conecta Fibra with the web chat; customers log in with the e-mails shown there)"
        if widget_built
        else "  (widget not built yet: .venv/bin/atende build --web)"
    )
    people = "\n".join(f"    {u.email:<24} {u.password:<18} {u.role:<10} {','.join(u.teams)}" for u in users)
    return f"""
Atende is running (project {c.project}).
  Inbox            {inbox}
  Sign in as (e-mail, password, role, teams):
{people}
  Web-chat demo    {demo}
  Functions        {stack.functions_url}/<function>   e.g. {stack.functions_url}/webhook_whatsapp
  Firestore        {stack.env["FIRESTORE_EMULATOR_HOST"]}
  Pub/Sub          {stack.env["PUBSUB_EMULATOR_HOST"]}
  Auth emulator    {stack.auth_url}
  Graph API        {graph}
  Simulator        {simulator}
  SendGrid         {sendgrid}
  Cloud Tasks      {stack.env["CLOUD_TASKS_BASE_URL"]}  (atende-campaigns stand-in; `atende campaign …`)
  Logs             {c.state_dir}/logs
Try it:  .venv/bin/atende send "preciso da segunda via do boleto"
         .venv/bin/atende tick   (follow-ups now, between 08:00 and 20:00 in São Paulo)
Ctrl-C stops everything.
"""
