"""What one Firestore or Pub/Sub call costs the Python client in CPU, against the real emulators.

    .venv/bin/python bench/bench_client_calls.py [--calls 300]

The calls the functions make, each repeated alone: a get of a small and of a
reply-sized document, a batch get, commits of 1 and 5 writes, a guarded update,
a query, a transaction (begin, batch get, commit) and one Publish. Prints the
calling thread's CPU and the whole process's (gRPC's own threads included) per
call, so a proposed cut in bench_cost.py's table can be priced in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

from atende.dev.processes import Child, free_port, wait_http

REPLY = {
    "conversationId": "whatsapp_106540352242922_5521900000001",
    "contactId": "c_0123456789abcdef0123",
    "channel": "whatsapp",
    "accountId": "106540352242922",
    "direction": "outbound",
    "senderType": "bot",
    "sender": "bot",
    "isAutomation": True,
    "kind": "text",
    "text": "Segue a segunda via do seu boleto. " * 8,
    "content": {},
    "recipient": {"id": "5521900000001", "phone": "+5521900000001"},
    "replyTo": "whatsapp_wamid.HBgLNTUyMTkwMDAwMDAxFQIAEhgUM0EwQjk5",
    "status": "sent",
    "statusAt": {"queued": 1, "sending": 2, "sent": 3},
    "engine": {"engine": "local", "flow": "boleto", "step": "start", "route": "auto"},
    "providerMessageId": "wamid.STANDIN00000001",
}


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(label: str, call: Callable[[], object], calls: int) -> None:
    for _ in range(20):
        call()
    thread, process = time.thread_time(), process_cpu()
    for _ in range(calls):
        call()
    thread_ms = (time.thread_time() - thread) / calls * 1000
    process_ms = (process_cpu() - process) / calls * 1000
    print(f"  {label:<48}{thread_ms:>8.2f}{process_ms:>10.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="atende-calls-"))
    fs_port, ps_port = free_port(), free_port()
    env = dict(os.environ)
    emulators = [
        Child("firestore", ["gcloud", "emulators", "firestore", "start", f"--host-port=127.0.0.1:{fs_port}"],
              env, logs / "firestore.log"),
        Child("pubsub", ["gcloud", "beta", "emulators", "pubsub", "start", f"--host-port=127.0.0.1:{ps_port}",
                         "--project=demo-atende-bench"], env, logs / "pubsub.log"),
    ]  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{fs_port}/", emulators[0], 90)
        wait_http(f"http://127.0.0.1:{ps_port}/", emulators[1], 90)
        os.environ["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{fs_port}"
        os.environ["PUBSUB_EMULATOR_HOST"] = f"127.0.0.1:{ps_port}"
        from google.cloud import firestore, pubsub_v1

        from atende import topics
        from atende.adapters.pubsub import PubSubPublisher

        db = firestore.Client(project="demo-atende-bench")
        messages = db.collection("messages")
        messages.document("reply").set(REPLY)
        messages.document("alias").set({"messageId": "reply", "channel": "whatsapp"})
        ids = count()

        def commit(writes: int) -> Callable[[], None]:
            def call() -> None:
                batch, n = db.batch(), next(ids)
                for k in range(writes):
                    batch.set(
                        db.collection("w").document(f"{n}-{k}"), {"a": 1, "at": firestore.SERVER_TIMESTAMP}
                    )
                batch.commit()

            return call

        @firestore.transactional
        def transaction(txn: firestore.Transaction) -> None:
            list(db.get_all([db.collection("n").document(str(k)) for k in range(5)], transaction=txn))
            txn.set(db.collection("w").document(f"t{next(ids)}"), {"a": 1})

        def guarded_update() -> None:
            snap = messages.document("alias").get()
            messages.document("alias").update(
                {"n": 1}, option=db.write_option(last_update_time=snap.update_time)
            )

        query = messages.where(filter=firestore.FieldFilter("channel", "==", "whatsapp")).limit(10)
        publisher = pubsub_v1.PublisherClient()
        publisher.create_topic(name=publisher.topic_path("demo-atende-bench", topics.OUTBOUND))
        outbound = PubSubPublisher("demo-atende-bench", publisher)

        print(f"CPU per call, {args.calls} calls each (ms)")
        print(f"  {'call':<48}{'thread':>8}{'process':>10}")
        measure("get, small document", lambda: messages.document("alias").get(), args.calls)
        measure("get, reply-sized document", lambda: messages.document("reply").get(), args.calls)
        get_all = lambda: list(db.get_all([db.collection("n").document(str(k)) for k in range(5)]))  # noqa: E731
        measure("batch get of 5 missing documents", get_all, args.calls)
        measure("query returning 2 documents", lambda: list(query.stream()), args.calls)
        measure("commit of 1 write", commit(1), args.calls)
        measure("commit of 5 writes", commit(5), args.calls)
        measure("get + update guarded by its update time", guarded_update, args.calls)
        measure(
            "transaction: begin, batch get of 5, commit", lambda: transaction(db.transaction()), args.calls
        )
        measure("Pub/Sub Publish of one message", lambda: outbound.enqueue("m_r", "k"), args.calls)
    finally:
        for child in emulators:
            child.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
