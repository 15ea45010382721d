"""Handle one inbound message: store it once, answer it at most once.

Pub/Sub delivers at least once and Meta redelivers for days, so every step is
keyed: the message by its provider id, the reply by the message's id. A
redelivery finds both and only re-hands the reply to outbound, which itself
refuses to send a message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from atende.domain.events import InboundMessage
from atende.engines.base import ReplyEngine, ReplyRequest
from atende.services.ports import OutboundQueue, Repository

log = logging.getLogger(__name__)

HISTORY_TURNS = 10


@dataclass(frozen=True)
class InboundOutcome:
    stored: bool  # False: a redelivery of a message we already had
    reply_message_id: str | None


def reply_id_for(message_id: str) -> str:
    return f"{message_id}_r"


class InboundService:
    def __init__(self, repo: Repository, engine: ReplyEngine, outbound: OutboundQueue) -> None:
        self._repo = repo
        self._engine = engine
        self._outbound = outbound

    def handle(self, message: InboundMessage) -> InboundOutcome:
        record = self._repo.record_inbound(message)
        if record.handled:
            log.info("redelivery of %s: already handled", message.message_id)
            if record.reply_message_id:  # the first attempt may have died before handing it on
                self._outbound.enqueue(record.reply_message_id, message.ordering_key)
            return InboundOutcome(record.created, record.reply_message_id)
        if message.echo:
            self._repo.mark_handled(message.message_id)
            return InboundOutcome(record.created, None)
        history = self._repo.recent_turns(record.conversation.id, HISTORY_TURNS)
        answer = self._engine.reply(ReplyRequest(message, record.conversation, record.contact, history))
        if not answer.text:
            self._repo.mark_handled(message.message_id)
            return InboundOutcome(record.created, None)
        reply_id = reply_id_for(message.message_id)
        if not self._repo.create_reply(message, record, reply_id, answer.text, answer.meta):
            log.info("reply %s already exists; not producing another", reply_id)
        self._outbound.enqueue(reply_id, message.ordering_key)
        return InboundOutcome(record.created, reply_id)
