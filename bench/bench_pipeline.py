"""Whole-pipeline benchmark: a mixed load on every Meta channel through the real local stack.

    .venv/bin/python bench/bench_pipeline.py [--rate 167] [--seconds 30] [--drain 120]

Inbound messages are built from the RestFB fixture shapes (WhatsApp text, image,
audio, document, location, button/list replies, template button, reaction,
sticker, contacts; Messenger text, quick reply, photo, location; Instagram text
and story reply), each from a new customer, sent signed at a fixed rate to the
webhook functions. Every reply that reaches the Graph stand-in is answered with
the status webhooks Meta would send (WhatsApp: sent, delivered, read; Messenger:
delivery, read; Instagram: read), so the status path carries its real share.
Media are served by the stand-in, so media_fetch runs too.

Reports sustained inbound messages per minute (stored in Firestore, and
answered), inbound → reply latency (p50/p95/p99, from each message's scheduled
send time to the reply's arrival at the stand-in), and checks that nothing was
lost or doubled. Target: 10,000 inbound messages per minute.

The baseline, measured in the same run on the same emulator: pushes per second
the Pub/Sub emulator delivers to an empty CloudEvent function served with the
same gunicorn settings (ordered subscriptions, one ordering key per message, as
many subscriptions as our consumers). Every request the functions serve is
counted from gunicorn's access log, so the deliveries one inbound message costs
(its webhook, the status webhooks, every push) come from the run itself, and

    ceiling inbound/min = push deliveries per second × 60 / deliveries per stored inbound.

The emulator pushes each subscription through two strictly serial loops (pull
one message, POST it, wait for the answer, ack), so a subscription can never
take more than 2 / (its function's service time) pushes per second however
idle the machine is: the per-function table shows how busy those loops were.
"""

from __future__ import annotations

import argparse
import base64
import copy
import http.client
import json
import os
import queue
import shlex
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from google.cloud import firestore, pubsub_v1

from atende.dev import cost_meter
from atende.dev.payloads import encode, signed_headers
from atende.dev.processes import Child, free_port, wait_http
from atende.dev.simulator import payloads as sim
from atende.dev.stack import DEV_SECRETS, Stack, StackConfig, gunicorn_argv
from atende.domain.model import message_doc_id
from atende.topology import CONSUMERS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "meta-restfb"
SECRET = DEV_SECRETS["META_APP_SECRET"]
# method, path as sent, status, microseconds in the worker: one line per webhook call or push.
ACCESS_LOG_FORMAT = "%(m)s %({raw_uri}e)s %(s)s %(D)s"
PUSH_LOOPS = 2  # per subscription in the Pub/Sub emulator (FakePubsubServer.startPushLoops)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# (channel, fixture file, answered?) — the mix, repeated in order.
MIX: list[tuple[str, str, bool]] = [
    ("whatsapp", "whatsapp/webhook-incoming-message-text.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-text.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-image.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-audio.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-document.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-location.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-interactive-btn.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-interactive-list.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-button.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-emoji.json", False),  # a reaction is not answered
    ("whatsapp", "whatsapp/webhook-incoming-message-sticker.json", True),
    ("whatsapp", "whatsapp/webhook-incoming-message-contacts.json", True),
    ("messenger", "webhooks/messaging-message-basic.json", True),
    ("messenger", "webhooks/messaging-message-quickreply.json", True),
    ("messenger", "webhooks/messaging-message-media-attachment.json", True),
    ("messenger", "webhooks/messaging-message-location-attachment.json", True),
    ("instagram", "webhooks/messaging-message-basic.json", True),
    ("instagram", "webhooks/messaging-message-reply-2.json", True),
]


@dataclass
class Sent:
    channel: str
    provider_id: str
    recipient: str
    answered: bool
    scheduled: float  # wall clock, comparable with the stand-in's record["at"]


def load(rel: str) -> dict[str, Any]:
    return json.loads((FIXTURES / rel).read_bytes())


def build(i: int, run: str, media: dict[str, str], graph_url: str) -> tuple[Sent, dict[str, Any]]:
    channel, rel, answered = MIX[i % len(MIX)]
    payload = copy.deepcopy(load(rel))
    now = time.time()
    if channel == "whatsapp":
        wa_id = f"55219{int(run, 36) % 1000:03d}{i:05d}"  # unique per run: a new customer each time
        provider_id = f"wamid.{run}.{i}"
        value = payload["entry"][0]["changes"][0]["value"]
        value["metadata"]["phone_number_id"] = sim.ACCOUNTS["whatsapp"]
        value["contacts"] = [{"profile": {"name": f"Cliente {i}"}, "wa_id": wa_id}]
        message = value["messages"][0]
        message |= {"from": wa_id, "id": provider_id, "timestamp": str(int(now))}
        kind = message["type"]
        if kind in ("image", "audio", "document", "sticker", "video"):
            message[kind]["id"] = media[kind]
        return Sent(channel, provider_id, f"+{wa_id}", answered, now), payload
    account = sim.ACCOUNTS[channel]
    psid = f"{run}{i:010d}"
    provider_id = f"m_{run}.{i}"
    payload["object"] = sim.OBJECTS[channel]
    entry = payload["entry"][0]
    entry |= {"id": account, "time": int(now * 1000)}
    item = entry["messaging"][0]
    item |= {"sender": {"id": psid}, "recipient": {"id": account}, "timestamp": int(now * 1000)}
    item["message"]["mid"] = provider_id
    for attachment in item["message"].get("attachments", []):
        if attachment["type"] == "image":
            attachment["payload"]["url"] = f"{graph_url}/_standin/cdn/{media['image']}"
    return Sent(channel, provider_id, psid, answered, now), payload


class Poster:
    """Keep-alive connections per thread to the functions server."""

    def __init__(self, base_url: str) -> None:
        self._parts = urlsplit(base_url)
        self._local = threading.local()

    def post(self, channel: str, payload: dict[str, Any]) -> int:
        body = encode(payload)
        for _ in range(2):  # a kept-alive connection the server closed while idle: reconnect once
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = http.client.HTTPConnection(self._parts.hostname, self._parts.port, timeout=60)
                self._local.conn = conn
            try:
                conn.request("POST", f"/webhook_{channel}", body=body, headers=signed_headers(body, SECRET))
                response = conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
        return 0


class MetaStatuses:
    """Plays Meta's side after each accepted send: the status webhooks, from a few worker threads."""

    def __init__(self, poster: Poster, workers: int = 6) -> None:
        self._poster = poster
        self._queue: queue.Queue[tuple[str, str, str, str | None] | None] = queue.Queue()
        self.posted = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for t in self._threads:
            t.start()

    def on_sent(self, record: dict[str, Any]) -> None:
        body = record["body"]
        if body.get("messaging_product") == "whatsapp":
            recipient = str(body.get("to")).lstrip("+")
            self._queue.put(("whatsapp", recipient, record["id"], body.get("biz_opaque_callback_data")))
        else:
            channel = "messenger" if record["account"] == sim.ACCOUNTS["messenger"] else "instagram"
            self._queue.put((channel, body["recipient"]["id"], record["id"], None))

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            channel, recipient, provider_id, callback_data = item
            customer = sim.Customer(
                "b", "b", f"+{recipient}" if channel == "whatsapp" else "+0", recipient, recipient
            )
            for state in ("sent", "delivered", "read"):
                payload = sim.status(channel, customer, provider_id, state, callback_data)
                if payload is not None:
                    ok = self._poster.post(channel, payload) == 200
                    with self._lock:
                        self.posted += ok
                        self.failed += not ok

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)


def open_loop(
    poster: Poster, items: list[tuple[Sent, dict[str, Any]]], rate: float, workers: int
) -> list[int]:
    statuses = [0] * len(items)
    t0 = time.perf_counter() + 0.2
    wall0 = time.time() + 0.2
    index = iter(range(len(items)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent, payload = items[i]
            sent.scheduled = wall0 + i / rate
            statuses[i] = poster.post(sent.channel, payload)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def unanswered_note(db: firestore.Client, sent: Sent) -> str:
    """Where an unanswered message stopped: stored, decided, its reply queued or failed."""
    messages = db.collection("messages")
    doc = messages.document(message_doc_id(sent.channel, sent.provider_id)).get().to_dict() or {}
    reply_id = doc.get("replyMessageId")
    reply = (messages.document(reply_id).get().to_dict() or {}) if reply_id else {}
    decision = doc.get("decision") or {}
    return (
        f"{sent.channel} {sent.provider_id} kind={doc.get('kind')} handled={doc.get('handled')} "
        f"route={decision.get('route')}/{decision.get('reason')} reply={reply.get('status')}"
    )


def outbound_states(db: firestore.Client) -> dict[str, int]:
    outbound = db.collection("messages").where(filter=firestore.FieldFilter("direction", "==", "outbound"))
    states: dict[str, int] = {}
    for snap in outbound.select(["status"]).stream():
        states[snap.get("status")] = states.get(snap.get("status"), 0) + 1
    return states


def settle_statuses(db: firestore.Client, deadline: float, quiet_s: float = 5.0) -> dict[str, int]:
    """Wait until every reply is read (or failed), or nothing moved for `quiet_s`, or the deadline."""
    last, since = outbound_states(db), time.time()
    while time.time() < deadline and any(k not in ("read", "failed") for k in last):
        time.sleep(1)
        states = outbound_states(db)
        if states != last:
            last, since = states, time.time()
        elif time.time() - since > quiet_s:
            break
    return last


def cpu_seconds(stack: Stack, extra: list[Child] | None = None) -> dict[str, float]:
    """CPU time used so far by each child process group (emulators include their JVM) and by us."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {child.proc.pid: child.name for child in [*stack.children, *(extra or [])]}
    used = dict.fromkeys([*groups.values(), "bench (load + Graph stand-in)"], 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, pgid, seconds = int(stat.parent.name), int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
        if pgid in groups:
            used[groups[pgid]] += seconds
        elif pid == os.getpid():
            used["bench (load + Graph stand-in)"] += seconds
    return used


def access_log_args(path: Path) -> list[str]:
    return ["--access-logfile", str(path), "--access-logformat", ACCESS_LOG_FORMAT]


@dataclass
class Served:
    """What gunicorn served per function (the first path segment), read from its access log."""

    calls: dict[str, int]
    seconds: dict[str, float]
    errors: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def served(path: Path, offset: int = 0) -> Served:
    calls: dict[str, int] = {}
    seconds: dict[str, float] = {}
    errors: dict[str, int] = {}
    with path.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) != 4 or parts[0] != "POST":
                continue  # readiness probes
            target = parts[1].split("/")[1]
            calls[target] = calls.get(target, 0) + 1
            seconds[target] = seconds.get(target, 0.0) + int(parts[3]) / 1e6
            errors[target] = errors.get(target, 0) + (parts[2] != "200")
    return Served(calls, seconds, errors)


class AccessTail:
    """Counts POST lines as gunicorn appends them, reading only what is new."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0
        self.posts = 0

    def count(self) -> int:
        with self._path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        complete = data.rfind(b"\n") + 1
        self.posts += data[:complete].count(b"POST ")
        self._offset += complete
        return self.posts


@dataclass
class Ceiling:
    pushes_per_s: float
    emulator_cpu_ms: float  # Pub/Sub emulator CPU per message, its publish and its push
    function_cpu_ms: float  # gunicorn + functions-framework CPU per push of an empty function


def push_ceiling(stack: Stack, messages: int, subscriptions: int, body: bytes, depth: int = 20) -> Ceiling:
    """Pushes per second the emulator sustains into an empty CloudEvent function, on this topology.

    Same gunicorn settings as ours; ordered subscriptions with one ordering key per message (one
    conversation each); webhook-sized messages. A feeder keeps about `depth` messages waiting per
    subscription, as a steady pipeline does: the emulator's ordered backlog costs more CPU per pull
    the deeper it is, so a pre-filled backlog of thousands would understate it.
    """
    port = free_port()
    logs = Path(stack.env.get("TMPDIR", "/tmp")) / f"atende-ceiling-{port}"
    logs.mkdir(parents=True, exist_ok=True)
    access = logs / "access.log"
    source = ROOT / "bench" / "empty_function" / "main.py"
    c = stack.config
    app = (
        f"functions_framework:create_app(target='empty_event', source='{source}', "
        "signature_type='cloudevent')"
    )
    child = Child(
        "empty-event",
        gunicorn_argv(c, port, app, *access_log_args(access)),
        {k: v for k, v in stack.env.items() if k != "GUNICORN_CMD_ARGS"},
        logs / "empty-event.log",
    )
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    try:
        wait_http(f"http://{c.host}:{port}/", child, 30)
        tail = AccessTail(access)
        result = Ceiling(float("nan"), float("nan"), float("nan"))
        for attempt, count in enumerate((messages // 5, messages)):  # the first warms the JIT and workers
            run = f"ceiling-{attempt}-{uuid.uuid4().hex[:4]}"
            topics = [publisher.topic_path(c.project, f"{run}-{i}") for i in range(subscriptions)]
            subs = [subscriber.subscription_path(c.project, f"{run}-{i}") for i in range(subscriptions)]
            for topic, sub in zip(topics, subs, strict=True):
                publisher.create_topic(name=topic)
                subscriber.create_subscription(
                    request={
                        "name": sub,
                        "topic": topic,
                        "enable_message_ordering": True,
                        "push_config": {"push_endpoint": f"http://{c.host}:{port}/{topic}"},
                    }
                )
            per_sub = count // subscriptions
            base, published = tail.count(), 0
            cpu_before = cpu_seconds(stack, [child])
            t0 = time.perf_counter()
            deadline = t0 + 120
            while (done := tail.count() - base) < per_sub * subscriptions and time.perf_counter() < deadline:
                top_up = min(per_sub - published, depth - (published - done // subscriptions))
                if top_up > 0:
                    for n, topic in enumerate(topics):
                        batch = [
                            pubsub_v1.types.PubsubMessage(data=body, ordering_key=f"{run}:{n}:{i}")
                            for i in range(published, published + top_up)
                        ]
                        publisher.api.publish(topic=topic, messages=batch)
                    published += top_up
                time.sleep(0.01)
            seconds = time.perf_counter() - t0
            cpu_after = cpu_seconds(stack, [child])
            result = Ceiling(
                done / seconds,
                (cpu_after["pubsub-emulator"] - cpu_before["pubsub-emulator"]) / done * 1000,
                (cpu_after[child.name] - cpu_before[child.name]) / done * 1000,
            )
            for sub in subs:
                subscriber.delete_subscription(subscription=sub)
            for topic in topics:
                publisher.delete_topic(topic=topic)
        return result
    finally:
        child.stop()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rate", type=float, default=167.0, help="inbound messages per second (167 = 10k/min)"
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--drain", type=float, default=180.0, help="max seconds to wait for the backlog")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the functions")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--ceiling-messages", type=int, default=4000, help="pushes for the emulator baseline (0: skip)"
    )
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="atende-bench-"))
    access = state / "logs" / "access.log"
    config = StackConfig.on_free_ports(
        "demo-atende-bench",
        workers=args.workers,
        threads=args.threads,
        state_dir=state,
        extra_env={
            "GUNICORN_CMD_ARGS": shlex.join(access_log_args(access)),
            cost_meter.ENV: str(state / "cost"),  # Firestore calls and CPU per function (bench_cost.py)
        },
    )
    print(f"starting the stack (logs in {config.state_dir}/logs)…", flush=True)
    with Stack(config) as stack:
        assert stack.graph is not None
        poster = Poster(stack.functions_url)
        meta = MetaStatuses(poster)
        stack.graph.on_sent.append(meta.on_sent)
        media = {
            "image": stack.graph.add_media(PNG, "image/png"),
            "audio": stack.graph.add_media(b"OggS" + b"\0" * 2000, "audio/ogg"),
            "document": stack.graph.add_media(b"%PDF-1.4\n" + b"0" * 4000, "application/pdf"),
            "sticker": stack.graph.add_media(b"RIFF" + b"\0" * 1000, "image/webp"),
        }
        warm = [build(i, "w" + uuid.uuid4().hex[:5], media, stack.graph_url) for i in range(len(MIX) * 2)]
        open_loop(poster, warm, 10, 4)
        stack.graph.wait_for(sum(s.answered for s, _ in warm), timeout_s=60)
        time.sleep(2)
        stack.graph.reset()
        consumers = len({c.target for c in CONSUMERS} - {"automation_tick"})
        baseline = Ceiling(float("nan"), float("nan"), float("nan"))
        if args.ceiling_messages:
            print(f"baseline: {args.ceiling_messages} pushes to an empty CloudEvent function…", flush=True)
            baseline = push_ceiling(stack, args.ceiling_messages, consumers, encode(warm[0][1]))

        run = uuid.uuid4().hex[:6]
        total = int(args.rate * args.seconds)
        items = [build(i, run, media, stack.graph_url) for i in range(total)]
        print(
            f"sending {total} inbound messages at {args.rate:.0f}/s ({args.rate * 60:.0f}/min)…", flush=True
        )
        cpu_before = cpu_seconds(stack)
        cost_before = cost_meter.read(state / "cost")
        access_offset = access.stat().st_size
        started = time.time()
        codes = open_loop(poster, items, args.rate, workers=64)
        send_done = time.time()
        expected = sum(s.answered for s, _ in items)
        stack.graph.wait_for(expected, timeout_s=args.drain)
        time.sleep(3)  # let late duplicates surface
        db = firestore.Client(project=config.project)
        states = settle_statuses(db, send_done + args.drain)  # the status webhooks' work is the run's too
        cpu_after = cpu_seconds(stack)
        time.sleep(2 * cost_meter.FLUSH_S)
        cost = cost_meter.Totals.of(cost_meter.minus(cost_meter.read(state / "cost"), cost_before))
        elapsed = time.time() - started
        work = served(access, access_offset)
        refs = [
            db.collection("messages").document(message_doc_id(s.channel, s.provider_id)) for s, _ in items
        ]
        stored_at: list[float] = []
        missing = 0
        for chunk in range(0, len(refs), 300):
            for snap in db.get_all(refs[chunk : chunk + 300]):
                if snap.exists:
                    stored_at.append(snap.create_time.timestamp())
                else:
                    missing += 1
        sends: dict[str, list[float]] = {}
        for record in list(stack.graph.sent):
            body = record["body"]
            recipient = body.get("to") or (body.get("recipient") or {}).get("id")
            sends.setdefault(str(recipient), []).append(record["at"])
        by_recipient = {s.recipient: s for s, _ in items}
        answered = [s for s, _ in items if s.answered]
        latencies = [(min(sends[s.recipient]) - s.scheduled) * 1000 for s in answered if s.recipient in sends]
        unanswered = sum(1 for s in answered if s.recipient not in sends)
        notes = [unanswered_note(db, s) for s in answered if s.recipient not in sends][:5]
        doubled = sum(len(v) - 1 for k, v in sends.items() if k in by_recipient)
        stray = sum(1 for s, _ in items if not s.answered and s.recipient in sends)
        meta.close()

    last_reply = max((max(v) for k, v in sends.items() if k in by_recipient), default=send_done)
    stored_window = (max(stored_at) - started) if stored_at else float("nan")
    replied_window = last_reply - started
    accepted = sum(c == 200 for c in codes)
    sustained = len(stored_at) / stored_window * 60
    per_inbound = work.total / len(stored_at) if stored_at else float("nan")
    ceiling = baseline.pushes_per_s * 60 / per_inbound
    pushed = {c.target for c in CONSUMERS}
    loop_bound = {
        t: PUSH_LOOPS * 60 * len(stored_at) / work.seconds[t] for t in work.calls if t in pushed and stored_at
    }
    stored = max(1, len(stored_at))
    functions_ms = (cpu_after["functions"] - cpu_before["functions"]) * 1000 - cost.meter_cpu_ms
    slowest = min(loop_bound, key=lambda t: loop_bound[t], default="")
    print()
    print(f"{'metric':<50}{'value':>14}")
    print("-" * 64)
    rows = [
        ("offered inbound rate (msg/min)", f"{args.rate * 60:.0f}"),
        ("webhook 200s / sent", f"{accepted}/{total}"),
        ("stored in Firestore per minute (sustained)", f"{sustained:.0f}"),
        (f"emulator ceiling: pushes/s, {consumers} subs → empty fn", f"{baseline.pushes_per_s:.0f}"),
        ("deliveries per stored inbound (webhooks+pushes)", f"{per_inbound:.2f}"),
        ("ceiling inbound/min (pushes/s × 60 / deliveries)", f"{ceiling:.0f}"),
        ("sustained / ceiling", f"{sustained / ceiling:.2f}"),
        (f"{slowest}'s {PUSH_LOOPS} push loops allow (inbound/min)", f"{loop_bound.get(slowest, 0):.0f}"),
        ("answered per minute (sustained)", f"{len(latencies) / replied_window * 60:.0f}"),
        ("inbound → reply p50 (ms)", f"{pct(latencies, 50):.0f}"),
        ("inbound → reply p95 (ms)", f"{pct(latencies, 95):.0f}"),
        ("inbound → reply p99 (ms)", f"{pct(latencies, 99):.0f}"),
        ("backlog drained after the last send (s)", f"{max(0.0, last_reply - send_done):.1f}"),
        ("inbound missing from Firestore", str(missing)),
        ("expected replies not sent", str(unanswered)),
        ("replies doubled", str(doubled)),
        ("reactions answered (should be 0)", str(stray)),
        ("status webhooks posted (failed)", f"{meta.posted} ({meta.failed})"),
        ("Firestore RPCs per stored inbound (this mix)", f"{cost.firestore_rpcs / stored:.1f}"),
        (
            "Firestore doc reads / writes per stored inbound",
            f"{cost.reads / stored:.1f} / {cost.writes / stored:.1f}",
        ),
        ("functions' CPU ms per stored inbound", f"{functions_ms / stored:.1f}"),
        ("outbound statuses in Firestore", ", ".join(f"{k}={v}" for k, v in sorted(states.items()))),
    ]
    for label, value in rows:
        print(f"{label:<50}{value:>14}")
    print(
        f"\nPer function, from gunicorn's access log. The emulator pushes each subscription through "
        f"{PUSH_LOOPS} serial loops,\nso a consumer can take at most {PUSH_LOOPS} × 60 s / its busy "
        "seconds per stored inbound:"
    )
    print(
        f"  {'function':<20}{'per inbound':>12}{'mean ms':>10}{'non-200':>9}{'loops busy':>12}"
        f"{'loops allow/min':>17}"
    )
    for target in sorted(work.calls, key=lambda t: -work.seconds[t]):
        calls, spent = work.calls[target], work.seconds[target]
        busy = allow = ""
        if target in pushed:
            busy = f"{spent / (PUSH_LOOPS * elapsed) * 100:.0f} %"
            allow = f"{loop_bound[target]:.0f}"
        print(
            f"  {target:<20}{calls / max(1, len(stored_at)):>12.2f}{spent / calls * 1000:>10.1f}"
            f"{work.errors[target]:>9}{busy:>12}{allow:>17}"
        )
    print(f"\nCPU seconds while the load ran and drained ({elapsed:.0f} s wall, {os.cpu_count()} cores):")
    total_cpu = sum(cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after)
    for name in sorted(cpu_after, key=lambda k: cpu_before.get(k, 0.0) - cpu_after[k]):
        spent = cpu_after[name] - cpu_before.get(name, 0.0)
        print(f"  {name:<42}{spent:>8.1f}  {spent / total_cpu * 100:>5.1f} %")
    print(
        f"\nBaseline CPU per push of an empty function: Pub/Sub emulator {baseline.emulator_cpu_ms:.2f} ms "
        f"(its publish included), gunicorn + functions-framework {baseline.function_cpu_ms:.2f} ms"
    )
    for note in notes:
        print(f"unanswered: {note}")
    ok = missing == 0 and unanswered == 0 and doubled == 0 and stray == 0
    print("\nnothing lost or doubled" if ok else "\nLOST OR DOUBLED MESSAGES: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
