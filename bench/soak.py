"""Soak: the local stack at a steady rate for a long time; memory of each process, errors, lost and doubled.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 20] [--every 30] [--statuses]

The whole local stack on free ports (loopback only). After a warm-up that is
not counted, signed texts from new customers (WhatsApp, one in four on
Messenger) arrive at `--rate` per second for `--minutes`; a refused webhook is
posted again, as Meta redelivers. With `--statuses` every reply is answered
with Meta's status webhooks too (sent, delivered, read).

Every `--every` seconds it prints the resident memory (RSS) of each process —
the Firestore and Pub/Sub emulators (gcloud's wrapper and its JVM), the gunicorn
master and each worker, and this process, which holds the Graph stand-in (and
its record of every send) and the load — with the webhook errors so far,
sends the stand-in recorded, the backlog (accepted minus sends) and replies failed.
At the end it waits for the backlog (up to `--drain` s), prints what became of
each accepted message (lost and doubled must be 0) and the memory at the
start, middle and end with each process's growth.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from google.cloud import firestore

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import MetaStatuses, Poster
from outcomes import Outcome, Sent, print_table, tally, wait_for_end
from stack_procs import memory
from stream import StreamStats, message, messages, send_stream

from atende.dev.stack import Stack, StackConfig

MB = 1024 * 1024


def failed_replies(db: firestore.Client) -> str:
    """Messages `failed` or `unknown` in all of Firestore (one count query)."""
    query = db.collection("messages").where(
        filter=firestore.FieldFilter("status", "in", ["failed", "unknown"])
    )
    try:
        return str(int(query.count().get()[0][0].value))
    except Exception as exc:  # the emulator's aggregation is a convenience here, not the verdict
        return f"n/a ({type(exc).__name__})"


def column(process: str) -> str:
    """A process's name short enough for a column: `w1234` for a worker."""
    short = process.replace("gunicorn worker ", "w").replace("gunicorn ", "").replace("-emulator", "")
    return short.split(" (")[0]


def memory_table(samples: list[tuple[float, dict[str, int]]]) -> None:
    (t0, start), (tm, middle), (t1, end) = samples[0], samples[len(samples) // 2], samples[-1]
    print(f"\nResident memory (MB) at the start ({t0:.0f} s), middle ({tm:.0f} s) and end ({t1:.0f} s)")
    print(f"  {'process':<34}{'start':>9}{'middle':>9}{'end':>9}{'growth':>9}{'per min':>9}")
    minutes = max((t1 - t0) / 60, 1e-9)
    for name in sorted(set(start) | set(end), key=lambda n: (n not in start, n)):
        a, m, b = (s.get(name) for s in (start, middle, end))
        cell = lambda v: f"{v / MB:>9.1f}" if v else f"{'-':>9}"  # noqa: E731
        growth = f"{(b - a) / MB:>+9.1f}{(b - a) / MB / minutes:>+9.2f}" if a and b else f"{'':>18}"
        print(f"  {name:<34}{cell(a)}{cell(m)}{cell(b)}{growth}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0, help="inbound messages per second")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between reports")
    parser.add_argument("--drain", type=float, default=180.0, help="max seconds to wait for the backlog")
    parser.add_argument("--statuses", action="store_true", help="answer every reply with Meta's statuses")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the functions")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="atende-soak-"))
    config = StackConfig.on_free_ports("demo-atende-soak", workers=args.workers, state_dir=state)
    total = int(args.rate * args.minutes * 60)
    print(f"starting the stack (logs in {state}/logs)…", flush=True)
    with Stack(config) as stack:
        assert stack.graph is not None
        graph = stack.graph
        poster = Poster(stack.functions_url)
        db = firestore.Client(project=config.project)
        meta = MetaStatuses(poster) if args.statuses else None
        if meta is not None:
            graph.on_sent.append(meta.on_sent)

        warm = send_stream(poster, messages(uuid.uuid4().hex[:6], 20), 10.0, StreamStats())
        wait_for_end(db, warm, lambda: list(graph.sent), time.time() + 60)
        warm_sends = len(graph.sent)

        run = uuid.uuid4().hex[:6]
        stats = StreamStats()
        accepted: list[Sent] = []
        load = threading.Thread(
            target=lambda: accepted.extend(
                send_stream(poster, (message(run, i) for i in range(total)), args.rate, stats, workers=32)
            ),
            name="soak-load",
        )
        print(
            f"soak: {total} messages at {args.rate:g}/s for {args.minutes:g} min"
            f"{', with status webhooks' if meta else ''}; a report every {args.every:g} s",
            flush=True,
        )
        started = time.time()
        samples = [(0.0, memory(stack))]
        load.start()
        names = list(samples[0][1])
        print(
            f"{'t s':>6}{'accepted':>10}{'refused':>9}{'sends':>9}{'backlog':>9}{'failed':>8}  RSS MB: "
            + " ".join(f"{column(n):>10}" for n in names),
            flush=True,
        )
        for tick in itertools.count(1):
            load.join(timeout=max(0.0, started + tick * args.every - time.time()))
            now = time.time() - started
            sizes = memory(stack)
            samples.append((now, sizes))
            names += [n for n in sizes if n not in names]  # a worker gunicorn started again
            sends = len(graph.sent) - warm_sends
            print(
                f"{now:>6.0f}{stats.accepted:>10}{stats.refused:>9}{sends:>9}"
                f"{stats.accepted - sends:>9}{failed_replies(db):>8}  RSS MB: "
                + " ".join(f"{sizes.get(n, 0) / MB:>10.1f}" for n in names),
                flush=True,
            )
            if not load.is_alive():
                break
        load_end = time.time()
        print(f"load done in {load_end - started:.0f} s; waiting for the backlog…", flush=True)
        seen = wait_for_end(db, accepted, lambda: list(graph.sent), load_end + args.drain, poll_s=5)
        drained = max(0.0, max((r["at"] for r in graph.sent), default=load_end) - load_end)  # the last send
        time.sleep(3)  # late duplicates
        seen = wait_for_end(db, accepted, lambda: list(graph.sent), 0)
        if meta is not None:
            meta.close()

    result = tally(seen)
    print_table(
        f"soak run {run}: {total} messages offered at {args.rate:g}/s for {args.minutes:g} min "
        f"(backlog drained {drained:.0f} s after the load)",
        result,
    )
    print(f"\n  webhook answers refused (then redelivered)      {stats.refused:>10}")
    print(f"  messages never accepted after 4 tries          {stats.given_up:>10}")
    if meta is not None:
        print(f"  status webhooks refused                        {meta.failed:>10}")
    memory_table(samples)
    ok = result.lost == 0 and result.doubled == 0 and result.outcomes[Outcome.STUCK] == 0
    print(
        f"\n{'PASS' if ok else 'FAIL'}: lost {result.lost}, doubled {result.doubled}, "
        f"stuck {result.outcomes[Outcome.STUCK]}, failed {result.outcomes[Outcome.FAILED_VISIBLY]}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
