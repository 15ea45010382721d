"""What became of each accepted inbound message, for the chaos and soak benchmarks.

A message accepted by a webhook (200) must end in exactly one of: replied once
(its reply `sent` or beyond, one send recorded by the Graph stand-in), failed
visibly (`failed`/`unknown` with a reason an agent can read), stuck (its reply
still `queued`/`sending`), or lost (never stored, or stored with no reply).
Doubled is counted apart: a reply the stand-in recorded more than once,
whatever its status says.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from atende.dev.simulator import payloads as sim
from atende.domain.message import reply_id_for
from atende.domain.model import message_doc_id

TEXT = "oi, preciso da segunda via do boleto"
SENT_OR_BEYOND = frozenset({"sent", "delivered", "read", "played"})
FAILED = frozenset({"failed", "unknown"})
IN_FLIGHT = frozenset({"queued", "sending"})


class Outcome(StrEnum):
    REPLIED = "replied"
    FAILED_VISIBLY = "failed visibly"
    FAILED_SILENTLY = "failed without a reason"
    STUCK = "stuck"
    NOT_STORED = "lost: never stored"
    NO_REPLY = "lost: stored, no reply"


@dataclass(frozen=True)
class Sent:
    """One inbound message the bench sent, from a customer who sends nothing else."""

    channel: str
    provider_id: str
    recipient: str  # the id the reply is addressed to, without WhatsApp's '+'

    @property
    def message_id(self) -> str:
        return message_doc_id(self.channel, self.provider_id)

    @property
    def reply_id(self) -> str:
        return reply_id_for(self.message_id)


def text_message(i: int, run: str, channel: str) -> tuple[Sent, dict[str, Any]]:
    """A signed-ready text from a new customer, unique to `run` (a short hex string) and `i`."""
    provider_id = f"wamid.{run}.{i}" if channel == "whatsapp" else f"m_{run}.{i}"
    digits = f"{int(run, 16) % 10**6:06d}{i:06d}"
    customer = sim.Customer(f"c{i}", f"Cliente {i}", f"+55{digits}", f"71{digits}", f"178{digits}")
    sent = Sent(channel, provider_id, customer.id_on(channel))
    return sent, sim.inbound(channel, customer, provider_id, "text", text=TEXT)


@dataclass(frozen=True)
class Observed:
    """What Firestore and the stand-in show for one accepted message."""

    stored: bool
    reply_status: str | None  # None: no reply document
    reply_reason: str | None  # the reply's error text, when it has one
    sends: int  # sends the Graph stand-in recorded for this reply


def classify(seen: Observed) -> Outcome:
    if not seen.stored:
        return Outcome.NOT_STORED
    if seen.reply_status is None:
        return Outcome.NO_REPLY
    if seen.reply_status in IN_FLIGHT:
        return Outcome.STUCK
    if seen.reply_status in FAILED:
        return Outcome.FAILED_VISIBLY if seen.reply_reason else Outcome.FAILED_SILENTLY
    if seen.reply_status in SENT_OR_BEYOND:
        return Outcome.REPLIED
    return Outcome.NO_REPLY  # received, or a status we do not know: nobody will answer it


@dataclass(frozen=True)
class Tally:
    accepted: int
    outcomes: Counter[Outcome]
    doubled: int  # replies the stand-in recorded more than once
    replied_unrecorded: int  # `sent` in Firestore, but the stand-in never saw it
    doubled_replied: int = 0  # doubled replies whose status is sent or beyond: not "replied once"

    @property
    def stored(self) -> int:
        return self.accepted - self.outcomes[Outcome.NOT_STORED]

    @property
    def lost(self) -> int:
        return self.outcomes[Outcome.NOT_STORED] + self.outcomes[Outcome.NO_REPLY]

    @property
    def passed(self) -> bool:
        """Nothing stuck, doubled, lost or failed without telling anyone why."""
        return not (
            self.outcomes[Outcome.STUCK]
            or self.doubled
            or self.lost
            or self.outcomes[Outcome.FAILED_SILENTLY]
            or self.replied_unrecorded
        )

    def rows(self) -> list[tuple[str, int]]:
        o = self.outcomes
        return [
            ("accepted (webhook 200)", self.accepted),
            ("stored once", self.stored),
            ("replied once", o[Outcome.REPLIED] - self.doubled_replied),
            ("failed visibly (failed/unknown + reason)", o[Outcome.FAILED_VISIBLY]),
            ("failed without a reason", o[Outcome.FAILED_SILENTLY]),
            ("stuck (queued/sending at the end)", o[Outcome.STUCK]),
            ("lost: never stored", o[Outcome.NOT_STORED]),
            ("lost: stored, never answered", o[Outcome.NO_REPLY]),
            ("doubled (> 1 send for one reply)", self.doubled),
            ("sent, but never reached the stand-in", self.replied_unrecorded),
        ]


def tally(observed: Iterable[Observed]) -> Tally:
    outcomes: Counter[Outcome] = Counter()
    accepted = doubled = doubled_replied = unrecorded = 0
    for seen in observed:
        accepted += 1
        outcome = classify(seen)
        outcomes[outcome] += 1
        doubled += seen.sends > 1
        doubled_replied += outcome is Outcome.REPLIED and seen.sends > 1
        unrecorded += outcome is Outcome.REPLIED and seen.sends == 0
    return Tally(accepted, outcomes, doubled, unrecorded, doubled_replied)


def sends_by_recipient(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """The stand-in's send records per recipient (each bench customer gets exactly one reply)."""
    counts: Counter[str] = Counter()
    for record in records:
        body = record["body"]
        recipient = body.get("to") or (body.get("recipient") or {}).get("id")
        counts[str(recipient).lstrip("+")] += 1
    return counts


def _reason(doc: dict[str, Any]) -> str | None:
    error = doc.get("error")
    if not isinstance(error, dict):
        return None
    return error.get("agentMessage") or error.get("message") or None


def observe(db: Any, sent: list[Sent], sends: Counter[str]) -> list[Observed]:
    """Read each message and its reply from Firestore (batched), with the stand-in's send counts."""
    messages = db.collection("messages")
    found: dict[str, dict[str, Any]] = {}
    ids = [doc_id for s in sent for doc_id in (s.message_id, s.reply_id)]
    for chunk in range(0, len(ids), 300):
        refs = [messages.document(i) for i in ids[chunk : chunk + 300]]
        for snap in db.get_all(refs, field_paths=["status", "error"]):
            if snap.exists:
                found[snap.id] = snap.to_dict() or {}
    seen = []
    for s in sent:
        reply = found.get(s.reply_id)
        seen.append(
            Observed(
                stored=s.message_id in found,
                reply_status=None if reply is None else str(reply.get("status")),
                reply_reason=None if reply is None else _reason(reply),
                sends=sends[s.recipient],
            )
        )
    return seen


def settled(seen: list[Observed]) -> bool:
    """Every message stored and its reply out of queued/sending: nothing more will happen by itself."""
    return all(s.stored and s.reply_status is not None and s.reply_status not in IN_FLIGHT for s in seen)


def wait_for_end(
    db: Any, sent: list[Sent], records: Any, deadline: float, poll_s: float = 2.0
) -> list[Observed]:
    """Poll until every message settled or the deadline; `records()` gives the stand-in's sends."""
    while True:
        seen = observe(db, sent, sends_by_recipient(records()))
        if settled(seen) or time.time() >= deadline:
            return seen
        time.sleep(poll_s)


def print_table(title: str, result: Tally) -> None:
    print(f"\n{title}")
    print(f"  {'outcome':<46}{'messages':>10}")
    print("  " + "-" * 56)
    for label, value in result.rows():
        print(f"  {label:<46}{value:>10}")
