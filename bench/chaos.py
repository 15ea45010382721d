"""Chaos: signed messages keep arriving while workers die, Graph fails or stalls, and poison hits a consumer.

    .venv/bin/python bench/chaos.py [--seconds 50] [--rate 8] [--grace 130] [--seed 7]

The whole local stack on free ports (loopback only), its send sweeper ticking
every 10 s and the Graph client's read timeout at 5 s (both to keep the run
short). After a warm-up that is not counted, a stream of signed texts from new
customers (WhatsApp, one in four on Messenger) is sent at `--rate` for
`--seconds`; a refused webhook is posted again, as Meta redelivers, and every
send is answered with Meta's status webhooks. Meanwhile, at random moments
(`--seed`):

- a gunicorn worker of the functions server is killed (SIGKILL); gunicorn starts another;
  once, every worker is killed while a (slow) send is in flight;
- the Graph stand-in answers a burst of 500s, a burst of 429s with `Retry-After`, and a
  burst of slow answers (the send is taken at once, the answer comes after the client's timeout);
- poison is published straight to the inbound topic: malformed JSON, JSON that is not an
  object, a status event on the wrong topic, an event with wrong-typed fields, and one whose
  timestamp no datetime can hold.

Then it waits, up to `--grace` seconds after the last message, until every accepted
message is stored and its reply has left `queued`/`sending` (kills stop early enough
for a lease to expire and a sweep to follow before that deadline), and prints what
became of each accepted message. PASS needs nothing stuck, doubled, lost, or failed
without a reason; the exit status is 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from google.cloud import firestore, pubsub_v1

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import MetaStatuses, Poster
from outcomes import Outcome, print_table, sends_by_recipient, tally, wait_for_end
from stack_procs import workers
from stream import StreamStats, messages, send_stream

from atende import topics
from atende.dev.graph_standin import Fault
from atende.dev.simulator import payloads as sim
from atende.dev.stack import Stack, StackConfig
from atende.services.outbound import LEASE_S

GRAPH_TIMEOUT_S = 5.0  # the Graph client's read timeout in this stack (GRAPH_READ_TIMEOUT_S)
SERVER_ERROR = Fault(500, {"error": {"message": "An unknown error has occurred.", "code": 1}})
THROTTLED = Fault(
    429,
    {"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
    headers={"Retry-After": "1"},
)
KINDS = {  # what --skip names
    "kill a worker": "kill",
    "kill mid-send": "kill",
    "Graph 500 burst": "500",
    "Graph 429 burst": "429",
    "Graph slow burst": "slow",
    "poison to ai_reply": "poison",
}
SWEEP_EVERY_S = 10.0  # the dev stack's sweeper tick (60 s in `make dev`), when it has one


def poison_sender(run: str) -> str:
    return f"5599{int(run, 16) % 10**7:07d}"


def poison(run: str) -> dict[str, bytes]:
    """Events no consumer can process, by what is wrong with them."""
    inbound = {
        "type": "inbound_message",
        "channel": "whatsapp",
        "account_id": sim.ACCOUNTS["whatsapp"],
        "provider_message_id": f"wamid.poison.{run}",
        "sender": {"id": poison_sender(run)},
        "timestamp": time.time(),
        "kind": "text",
        "content": {"body": "oi"},
        "text": "oi",
    }
    status = {
        "type": "status_update",
        "channel": "whatsapp",
        "account_id": sim.ACCOUNTS["whatsapp"],
        "provider_message_id": f"wamid.poison.{run}.status",
        "status": "read",
        "timestamp": time.time(),
    }
    as_json = lambda event: json.dumps(event).encode()  # noqa: E731
    return {
        "malformed JSON": b'{"type": "inbound_message", "channel": ',
        "JSON that is not an object": b"[1, 2, 3]",
        "a status event on the inbound topic": as_json(status),
        "wrong-typed fields": as_json(inbound | {"timestamp": "ontem", "sender": {"id": 5511}}),
        "timestamp out of range (1e30)": as_json(
            inbound | {"provider_message_id": f"wamid.poison.{run}.ts", "timestamp": 1e30}
        ),
    }


@dataclass
class Injection:
    at_s: float
    what: str
    act: Callable[[], str]  # does it, says what it did
    done: str = ""


class Chaos:
    """The faults, each at its moment from the stream's start, run from one thread."""

    def __init__(self, stack: Stack, rng: random.Random, slow_s: float, run: str) -> None:
        self.stack = stack
        self.rng = rng
        self.slow_s = slow_s
        self.run = run
        self.plan: list[Injection] = []
        self._thread: threading.Thread | None = None

    def slow(self) -> Fault:
        """Meta takes the send at once but answers after the client stopped waiting."""
        return Fault(0, {}, answer_delay_s=self.slow_s)

    def kill_worker(self) -> str:
        alive = workers(self.stack)
        if not alive:
            return "no worker alive"
        pid = self.rng.choice(alive)
        os.kill(pid, signal.SIGKILL)
        return f"SIGKILL worker {pid}"

    def kill_mid_send(self) -> str:
        """Make the next send slow, then kill every worker while it waits: one of them held it."""
        assert self.stack.graph is not None
        self.stack.graph.fail_next(self.slow())
        time.sleep(3)
        alive = workers(self.stack)
        for pid in alive:
            os.kill(pid, signal.SIGKILL)
        return f"a slow send, then SIGKILL workers {', '.join(map(str, alive))}"

    def graph_faults(self, fault: Fault, count: int) -> Callable[[], str]:
        def act() -> str:
            assert self.stack.graph is not None
            self.stack.graph.fail_next(*[fault] * count)
            late = max(fault.delay_s, fault.answer_delay_s)
            return f"next {count} Graph calls: {fault.status or 'OK'} after {late:g} s"

        return act

    def feed_poison(self) -> str:
        publisher = pubsub_v1.PublisherClient()
        topic = publisher.topic_path(self.stack.config.project, topics.INBOUND)
        events = poison(self.run)
        publisher.api.publish(
            topic=topic,
            messages=[
                pubsub_v1.types.PubsubMessage(data=data, ordering_key=f"poison:{self.run}:{n}")
                for n, data in enumerate(events.values())
            ],
        )
        return f"published {len(events)} to {topics.INBOUND}: " + "; ".join(events)

    def schedule(self, seconds: float, kills: int, kill_until_s: float, skip: set[str]) -> None:
        def at(low: float, high: float) -> float:
            return self.rng.uniform(low * seconds, high * seconds)

        plan = [
            Injection(self.rng.uniform(3, kill_until_s), "kill a worker", self.kill_worker)
            for _ in range(kills)
        ]
        plan += [
            Injection(at(0.1, 0.7), "Graph 500 burst", self.graph_faults(SERVER_ERROR, 6)),
            Injection(at(0.1, 0.7), "Graph 429 burst", self.graph_faults(THROTTLED, 6)),
            Injection(at(0.1, 0.7), "Graph slow burst", self.graph_faults(self.slow(), 2)),
            Injection(self.rng.uniform(3, kill_until_s - 3), "kill mid-send", self.kill_mid_send),
            Injection(at(0.2, 0.6), "poison to ai_reply", self.feed_poison),
        ]
        self.plan = sorted((i for i in plan if KINDS[i.what] not in skip), key=lambda i: i.at_s)

    def start(self) -> None:
        t0 = time.perf_counter()

        def run() -> None:
            for injection in self.plan:
                delay = t0 + injection.at_s - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                try:
                    injection.done = injection.act()
                except Exception as exc:  # a failed injection is reported, never fatal
                    injection.done = f"could not: {exc!r}"

        self._thread = threading.Thread(target=run, name="chaos", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=50.0, help="how long messages keep arriving")
    parser.add_argument("--rate", type=float, default=8.0, help="inbound messages per second")
    parser.add_argument(
        "--grace", type=float, default=130.0, help="max seconds after the last message for the end state"
    )
    parser.add_argument("--kills", type=int, default=4, help="gunicorn workers killed")
    parser.add_argument("--slow-s", type=float, default=GRAPH_TIMEOUT_S + 2, help="a slow Graph answer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated faults to leave out, of: {', '.join(sorted(set(KINDS.values())))}",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the functions")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="atende-chaos-"))
    config = StackConfig.on_free_ports(
        "demo-atende-chaos",
        workers=args.workers,
        state_dir=state,
        sweep_interval_s=SWEEP_EVERY_S,
        extra_env={"GRAPH_READ_TIMEOUT_S": f"{GRAPH_TIMEOUT_S:g}"},
    )
    rng = random.Random(args.seed)
    print(f"starting the stack (logs in {state}/logs)…", flush=True)
    with Stack(config) as stack:
        assert stack.graph is not None
        graph = stack.graph
        poster = Poster(stack.functions_url)
        db = firestore.Client(project=config.project)
        meta = MetaStatuses(poster)  # Meta's sent/delivered/read for every send, as the platform does
        graph.on_sent.append(meta.on_sent)

        warm = messages(uuid.uuid4().hex[:6], 12)
        warm_sent = send_stream(poster, warm, 6.0, StreamStats())
        warm_seen = wait_for_end(db, warm_sent, lambda: list(graph.sent), time.time() + 60)
        print(f"warm-up: {tally(warm_seen).outcomes.most_common()} (not counted)", flush=True)

        run = uuid.uuid4().hex[:6]
        items = messages(run, int(args.rate * args.seconds))
        # A send claimed just before a kill stays `sending` for its lease; kills stop early enough that
        # the lease ends before the deadline, so a sweeper (when there is one) has its chance.
        kill_until = max(6.0, min(args.seconds - 5, args.seconds + args.grace - LEASE_S - 20))
        chaos = Chaos(stack, rng, args.slow_s, run)
        chaos.schedule(args.seconds, args.kills, kill_until, set(filter(None, args.skip.split(","))))
        stats = StreamStats()
        print(
            f"chaos: {len(items)} messages at {args.rate:g}/s for {args.seconds:g} s; "
            f"{len(chaos.plan)} injections; the send sweeper ticks every {SWEEP_EVERY_S:g} s",
            flush=True,
        )
        started = time.time()
        chaos.start()
        accepted = send_stream(poster, items, args.rate, stats)
        chaos.join()
        load_end = time.time()
        print(f"stream done in {load_end - started:.0f} s; waiting for the end state…", flush=True)
        deadline = load_end + args.grace
        seen = wait_for_end(db, accepted, lambda: list(graph.sent), deadline)
        time.sleep(3)  # late duplicates; then anything a sweep put back in flight must settle too
        seen = wait_for_end(db, accepted, lambda: list(graph.sent), max(time.time(), deadline))
        settled_at = time.time()
        meta.close()
        live_workers = len(workers(stack))
        left_faults = len(graph.faults)
        stray = sends_by_recipient(graph.sent)[poison_sender(run)]

    print("\ninjected (seconds from the stream's start):")
    for injection in chaos.plan:
        print(f"  {injection.at_s:6.1f}  {injection.what:<22} {injection.done}")
    result = tally(seen)
    print_table(
        f"chaos run {run}: {len(items)} messages offered, end state after {settled_at - load_end:.0f} s "
        f"(deadline {args.grace:g} s)",
        result,
    )
    print(f"\n  webhook answers refused (then redelivered)      {stats.refused:>10}")
    print(f"  messages never accepted after 4 tries          {stats.given_up:>10}")
    print(f"  workers alive at the end / configured          {live_workers:>7} / {args.workers}")
    print(f"  Graph faults queued but never consumed         {left_faults:>10}")
    print(f"  replies sent to the poison sender              {stray:>10}")
    print(f"  status webhooks refused (not redelivered)      {meta.failed:>10}")
    print(
        f"\n{'PASS' if result.passed else 'FAIL'}: stuck {result.outcomes[Outcome.STUCK]}, "
        f"doubled {result.doubled}, lost {result.lost}, "
        f"failed without a reason {result.outcomes[Outcome.FAILED_SILENTLY]}"
    )
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
