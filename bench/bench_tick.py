"""Tick benchmark: the follow-ups of one tick over many conversations of which few are due.

    .venv/bin/python bench/bench_tick.py [--conversations 100000] [--due-pct 1]

Starts the real Firestore emulator on a free port, seeds the conversations with batched writes (500 per
commit): `--due-pct` of them silent for 49 h after our message (due for `followup_48h`), the rest either
answered by the customer or silent for less than 48 h. Then one tick of `Followups.run()` runs in this
process, with every gRPC call counted by the dev cost meter (`atende.dev.cost_meter`): documents read
(returned by queries, found or missing in gets, one per empty query), documents written, wall time. A
second tick right after shows what a tick costs when nothing is due. The target: reads ≤ 1.2 × due.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from atende.dev import cost_meter

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "106540352242922"
BATCH = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--due-pct", type=float, default=1.0)
    args = parser.parse_args()

    from atende.dev.processes import Child, free_port, wait_http

    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="bench-tick-"))
    env = {**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
    emulator = Child(
        "firestore-emulator",
        ["gcloud", "emulators", "firestore", "start", f"--host-port=127.0.0.1:{port}"],
        env,
        logs / "firestore.log",
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", emulator, 90)
        os.environ["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{port}"
        meter = cost_meter.install(logs / "meter")  # before the client opens its channel
        return run(args.conversations, args.due_pct, meter, logs / "meter")
    finally:
        emulator.stop()


def run(total: int, due_pct: float, meter: cost_meter.Meter, meter_dir: Path) -> int:
    from google.cloud import firestore

    from atende.adapters.firestore import conversations as conversation_doc
    from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
    from atende.adapters.firestore_entities import FirestoreTemplates, StoredEntities
    from atende.domain.conversation import Conversation
    from atende.domain.followups import FollowupPolicy
    from atende.domain.model import Channel
    from atende.services.followups import Followups

    db = firestore.Client(project=f"bench-tick-{uuid.uuid4().hex[:6]}")
    now = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo")).timestamp()  # inside the window
    due = round(total * due_pct / 100)
    db.collection("templates").document(f"{ACCOUNT}_retomar_atendimento_pt_BR").set(
        {"accountId": ACCOUNT, "name": "retomar_atendimento", "language": "pt_BR", "status": "APPROVED"}
    )

    started = time.perf_counter()
    batch, pending = db.batch(), 0
    for i in range(total):
        wa_id = f"55119{i:08d}"
        if i < due:  # silent for 49 h after our message
            quiet: float | None = now - 49 * 3600
        elif i % 2:  # silent for a day only
            quiet = now - 24 * 3600
        else:  # the customer answered last
            quiet = None
        conversation = Conversation(
            id=f"whatsapp_{ACCOUNT}_{wa_id}",
            channel=Channel.WHATSAPP,
            account_id=ACCOUNT,
            contact_id=f"c_{wa_id}",
            sender_id=wa_id,
            contact_name=f"Cliente {i}",
            last_inbound_at=now - 50 * 3600,
            last_message_at=quiet or now - 3600,
            awaiting_reply_since=quiet,
        )
        batch.set(
            db.collection("conversations").document(conversation.id), conversation_doc.to_doc(conversation)
        )
        pending += 1
        if pending == BATCH:
            batch.commit()
            batch, pending = db.batch(), 0
    if pending:
        batch.commit()
    seeded_s = time.perf_counter() - started

    class Outbox:
        enqueued = 0

        def enqueue(self, message_id: str, ordering_key: str) -> None:
            Outbox.enqueued += 1

        def request_read(self, receipt: bytes) -> None:
            pass

    uow = lambda: FirestoreUnitOfWork(db)  # noqa: E731
    followups = Followups(
        uow=uow,
        policy=FollowupPolicy.defaults,
        sources=[StoredEntities(uow)],
        outbound=Outbox(),
        templates=FirestoreTemplates(db),
        clock=lambda: now,
        batch=max(500, due + 100),
    )
    rows = []
    for label in ("tick with items due", "tick right after (nothing due)"):
        meter.flush()
        before = cost_meter.Totals.of(cost_meter.read(meter_dir))
        started = time.perf_counter()
        counts = followups.run()
        wall = time.perf_counter() - started
        meter.flush()
        after = cost_meter.Totals.of(cost_meter.read(meter_dir))
        sent = sum(v for k, v in counts.items() if k.endswith(":sent"))
        rows.append((label, sent, after.reads - before.reads, after.writes - before.writes, wall))

    print(f"\nconversations {total:,}, due {due:,} ({due_pct} %), seeded in {seeded_s:.1f} s\n")
    print(f"| {'tick':<32} | {'sent':>6} | {'reads':>7} | {'reads/due':>9} | {'writes':>7} | {'wall s':>7} |")
    print(f"|{'-' * 34}|{'-' * 8}|{'-' * 9}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for label, sent, reads, writes, wall in rows:
        ratio = f"{reads / due:.3f}" if due else "-"
        print(f"| {label:<32} | {sent:>6} | {reads:>7.0f} | {ratio:>9} | {writes:>7.0f} | {wall:>7.2f} |")
    first_reads = rows[0][2]
    ok = rows[0][1] == due and first_reads <= 1.2 * due and Outbox.enqueued == due
    print(f"\nhanded to outbound: {Outbox.enqueued}; target reads <= 1.2 x due: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
