"""Firestore implementation of the repository port.

Idempotency is by construction: an inbound message's document id derives from
the platform's message id and is written with a create inside a transaction,
so a redelivery finds it and changes nothing.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from atende.domain import status as status_rules
from atende.domain.channels import ChannelRegistry
from atende.domain.contacts import Address
from atende.domain.events import InboundMessage, StatusUpdate
from atende.domain.media import fetchable
from atende.domain.model import (
    ConversationStatus,
    Direction,
    MessageKind,
    MessageStatus,
    SenderType,
    conversation_doc_id,
    message_doc_id,
    stable_id,
)
from atende.domain.records import Contact, Conversation, InboundRecord, OutgoingMessage, Turn
from atende.domain.window import STANDARD_WINDOW_S

MESSAGES = "messages"
CONVERSATIONS = "conversations"
CONTACTS = "contacts"
IDENTITIES = "contact_identities"
ORPHAN_STATUSES = "status_orphans"
PROVIDER_IDS = "provider_message_ids"  # provider message id -> our message (statuses, echo dedup)
ECHO_CHANNELS = {"messenger", "instagram"}
WATERMARK_SCAN = 50  # outgoing messages a read/delivery watermark may still move forward
GUARDED_WRITE_ATTEMPTS = 10  # then the push fails and Pub/Sub redelivers it
WINDOW_HINT_MARGIN_S = 3600.0  # a reply's windowFrom this close to 24 h old: read the conversation
T = TypeVar("T")


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _seconds(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def identity_keys(message: InboundMessage) -> list[str]:
    """Every identity of the sender, most specific first; each maps to one contact."""
    sender = message.sender
    keys = [f"{message.channel}:{sender.id}"]
    if sender.user_id and sender.user_id != sender.id:
        keys.append(f"{message.channel}_user:{sender.user_id}")
    if sender.phone:
        keys.append(f"phone:{sender.phone}")
    return keys


class FirestoreRepository:
    def __init__(
        self, client: firestore.Client, channels: Callable[[], ChannelRegistry] | None = None
    ) -> None:
        self._db = client
        unconfigured = ChannelRegistry()
        self._channels = channels or (lambda: unconfigured)

    # -- inbound -----------------------------------------------------------------------------------------

    def record_inbound(self, message: InboundMessage) -> InboundRecord:
        return firestore.transactional(self._record_inbound)(self._db.transaction(), message)

    def _record_inbound(self, txn: firestore.Transaction, message: InboundMessage) -> InboundRecord:
        msg_ref = self._db.collection(MESSAGES).document(message.message_id)
        conv_ref = self._db.collection(CONVERSATIONS).document(message.conversation_id)
        keys = identity_keys(message)
        id_refs = [self._db.collection(IDENTITIES).document(k) for k in keys]
        # An echo of our own send is known by the provider id record_sent kept (see _record_sent).
        alias_ref = self._provider_alias(str(message.channel), message.provider_message_id)
        extra = [alias_ref] if message.echo else []
        # Usually the contact is the one derived from the first identity: read it in the same round trip.
        likely_contact = self._db.collection(CONTACTS).document(stable_id("c", keys[0]))
        snaps = {
            s.reference.path: s
            for s in self._db.get_all([msg_ref, conv_ref, *id_refs, likely_contact, *extra], transaction=txn)
        }
        msg_snap, conv_snap = snaps[msg_ref.path], snaps[conv_ref.path]
        own_echo = message.echo and snaps[alias_ref.path].exists
        conv = conv_snap.to_dict() if conv_snap.exists else {}

        contact_id = (
            conv.get("contactId")
            or next((snaps[r.path].get("contactId") for r in id_refs if snaps[r.path].exists), None)
            or stable_id("c", keys[0])
        )
        contact_ref = self._db.collection(CONTACTS).document(contact_id)
        contact_snap = snaps.get(contact_ref.path) or contact_ref.get(transaction=txn)
        contact_doc = contact_snap.to_dict() if contact_snap.exists else {}

        if msg_snap.exists or own_echo:
            existing = msg_snap.to_dict() if msg_snap.exists else {"handled": True}
            return InboundRecord(
                False,
                _conversation(conv_ref.id, conv, message, contact_id),
                _contact(contact_id, contact_doc),
                bool(existing.get("handled")),
                existing.get("replyMessageId"),
            )

        now = firestore.SERVER_TIMESTAMP
        at = _ts(message.timestamp)
        txn.create(msg_ref, _inbound_doc(message, contact_id))
        if message.echo:  # statuses for a reply sent from Meta's inbox find it like one of ours
            txn.set(alias_ref, _alias_doc(msg_ref.id, str(message.channel)))
        newer = (_seconds(conv.get("lastMessageAt")) or 0) <= message.timestamp
        conv_update: dict[str, Any] = {
            "channel": str(message.channel),
            "accountId": message.account_id,
            "contactId": contact_id,
            "participants": [contact_id],
            "senderId": message.sender.id,
            "updatedAt": now,
        }
        channel = self._channels().get(message.channel, message.account_id)
        if not conv_snap.exists:
            if channel.default_team:
                conv_update["team"] = channel.default_team
            conv_update |= {
                "createdAt": now,
                "status": str(ConversationStatus.BOT),
                "userType": contact_doc.get("persona") or channel.default_persona,
                "assignee": None,
            }
        elif conv.get("status") == ConversationStatus.RESOLVED:
            conv_update["status"] = str(ConversationStatus.BOT)  # a new message reopens it
        if newer:
            conv_update |= {
                "lastMessage": _preview(message),
                "lastMessageAt": at,
                "lastMessageSender": str(SenderType.AGENT if message.echo else SenderType.CONTACT),
            }
        # The business's own echoes neither open the customer-service window nor reopen the case.
        if message.echo and conv_update.get("status") == ConversationStatus.BOT and conv_snap.exists:
            del conv_update["status"]
        if not message.echo and (_seconds(conv.get("lastInboundAt")) or 0) < message.timestamp:
            conv_update["lastInboundAt"] = at
        txn.set(conv_ref, conv_update, merge=True)

        contact_update: dict[str, Any] = {
            "identities": firestore.ArrayUnion(keys),
            "updatedAt": now,
            "lastChannel": str(message.channel),
        }
        if message.sender.name and not contact_doc.get("name"):
            contact_update["name"] = message.sender.name
        if message.sender.phone:
            contact_update["phones"] = firestore.ArrayUnion([message.sender.phone])
        if not contact_snap.exists:
            contact_update |= {"createdAt": now, "persona": channel.default_persona}
        txn.set(contact_ref, contact_update, merge=True)
        for ref in id_refs:
            if not snaps[ref.path].exists:
                txn.set(ref, {"contactId": contact_id})

        conv_after = {**conv, **{k: v for k, v in conv_update.items() if k != "updatedAt"}}
        conv_after["lastInboundAt"] = conv_update.get("lastInboundAt", conv.get("lastInboundAt"))
        return InboundRecord(
            True,
            _conversation(conv_ref.id, conv_after, message, contact_id),
            _contact(contact_id, {**contact_doc, "name": contact_doc.get("name") or message.sender.name}),
        )

    def recent_turns(self, conversation_id: str, limit: int) -> list[Turn]:
        return latest_turns(self._db, "conversationId", conversation_id, limit)

    def create_reply(
        self,
        inbound: InboundMessage,
        record: InboundRecord,
        reply_id: str,
        text: str,
        meta: dict[str, Any],
        inbound_fields: dict[str, Any] | None = None,
        conversation_fields: dict[str, Any] | None = None,
    ) -> bool:
        """`inbound_fields` (triage, decision) and `conversation_fields` (attendant session, handoff queue)
        are written in the same batch as the reply, so a redelivery never sees one without the other."""
        now = time.time()
        doc = {
            "conversationId": record.conversation.id,
            "contactId": record.contact.id,
            "channel": str(inbound.channel),
            "accountId": inbound.account_id,
            "direction": str(Direction.OUTBOUND),
            "senderType": str(SenderType.BOT),
            "sender": "bot",
            "isAutomation": True,
            "kind": str(MessageKind.TEXT),
            "text": text,
            "content": {},
            "recipient": {"id": inbound.sender.id, "phone": inbound.sender.phone},
            "replyTo": inbound.message_id,
            # The conversation's lastInboundAt now: outbound can judge the window without re-reading it.
            "windowFrom": _ts(last) if (last := record.conversation.last_inbound_at) is not None else None,
            "status": str(MessageStatus.QUEUED),
            "statusAt": {str(MessageStatus.QUEUED): _ts(now)},
            "timestamp": _ts(now),
            "createdAt": firestore.SERVER_TIMESTAMP,
            "engine": meta,
        }
        batch = self._db.batch()
        batch.create(self._db.collection(MESSAGES).document(reply_id), doc)
        batch.update(
            self._db.collection(MESSAGES).document(inbound.message_id),
            {"replyMessageId": reply_id, "handled": True, **(inbound_fields or {})},
        )
        batch.set(
            self._db.collection(CONVERSATIONS).document(record.conversation.id),
            {
                "lastMessage": text[:200],
                "lastMessageAt": _ts(now),
                "lastMessageSender": str(SenderType.BOT),
                "updatedAt": firestore.SERVER_TIMESTAMP,
            },
            merge=True,
        )
        if conversation_fields:  # update, not a merge: a map such as `attendant` is replaced whole
            conversation = self._db.collection(CONVERSATIONS).document(record.conversation.id)
            batch.update(conversation, conversation_fields)
        try:
            batch.commit()
        except gexc.AlreadyExists:
            return False
        return True

    def mark_handled(self, message_id: str) -> None:
        self._db.collection(MESSAGES).document(message_id).update({"handled": True})

    # -- outbound ----------------------------------------------------------------------------------------

    def claim_for_send(self, message_id: str, lease_s: float) -> OutgoingMessage | None:
        ref = self._db.collection(MESSAGES).document(message_id)
        claimed = self._update_if_unchanged(ref, lambda snap: _claim(snap, lease_s))
        if claimed is None:
            return None
        # lastInboundAt only moves forward: while the reply's windowFrom is inside the 24 h window, so is
        # the conversation's value, and every window decision would come out the same with either.
        hint = claimed.last_inbound_at
        if hint is not None and time.time() - hint < STANDARD_WINDOW_S - WINDOW_HINT_MARGIN_S:
            return claimed
        # Read outside the claim so a busy conversation is not locked; a message that lands
        # meanwhile only moves lastInboundAt forward, which can only open the window further.
        conv = self._db.collection(CONVERSATIONS).document(claimed.conversation_id).get()
        last_inbound = _seconds(conv.get("lastInboundAt")) if conv.exists else None
        return replace(claimed, last_inbound_at=last_inbound)

    def _update_if_unchanged(
        self,
        ref: firestore.DocumentReference,
        decide: Callable[[firestore.DocumentSnapshot], tuple[dict[str, Any] | None, T]],
    ) -> T:
        """A one-document transaction in two round trips instead of three (begin, read, commit), no lock held.

        The write carries the update time we read as its precondition: if anyone wrote the document
        in between, it fails, and the fresh document is decided on again after a jittered pause (so
        writers that collided do not collide again), as a transaction retries.
        """
        for attempt in range(GUARDED_WRITE_ATTEMPTS):
            snap = ref.get()
            changes, result = decide(snap)
            if not changes:
                return result
            try:
                ref.update(changes, option=self._db.write_option(last_update_time=snap.update_time))
            except gexc.FailedPrecondition:
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
                continue
            return result
        raise gexc.Aborted(f"{ref.path} changed under each of {GUARDED_WRITE_ATTEMPTS} attempts")

    def record_sent(self, message_id: str, provider_message_id: str, channel: str | None = None) -> None:
        changes = {
            "status": str(MessageStatus.SENT),
            "providerMessageId": provider_message_id,
            f"statusAt.{MessageStatus.SENT}": _ts(time.time()),
            "sendingUntil": firestore.DELETE_FIELD,
            "error": None,
        }
        ref = self._db.collection(MESSAGES).document(message_id)
        if channel is None:  # a caller that predates per-channel aliases: statuses fall back to orphans
            ref.update(changes)
            return
        if channel not in ECHO_CHANNELS:  # no echo can race us: one batch, alias and message together
            batch = self._db.batch()
            batch.set(self._provider_alias(channel, provider_message_id), _alias_doc(message_id, channel))
            batch.update(ref, changes)
            batch.commit()
            return
        firestore.transactional(self._record_sent)(
            self._db.transaction(), ref, changes, channel, provider_message_id
        )

    def _record_sent(
        self,
        txn: firestore.Transaction,
        ref: firestore.DocumentReference,
        changes: dict[str, Any],
        channel: str,
        provider_message_id: str,
    ) -> None:
        """Messenger/Instagram echo every send back; remember the mid so the echo is not a second copy.

        Both this and the echo's transaction read the alias and the echo's document, so whichever
        commits second sees the other: an echo that raced ahead is removed here.
        """
        alias_ref = self._provider_alias(channel, provider_message_id)
        echo_ref = self._db.collection(MESSAGES).document(message_doc_id(channel, provider_message_id))
        snaps = {s.reference.path: s for s in self._db.get_all([alias_ref, echo_ref], transaction=txn)}
        txn.set(alias_ref, _alias_doc(ref.id, channel))
        echo = snaps[echo_ref.path]
        if echo.exists and echo.get("echo"):
            txn.delete(echo_ref)
        txn.update(ref, changes)

    def _provider_alias(self, channel: str, provider_message_id: str) -> firestore.DocumentReference:
        return self._db.collection(PROVIDER_IDS).document(stable_id("p", channel, provider_message_id))

    def record_failed(self, message_id: str, error: dict[str, Any]) -> None:
        self._db.collection(MESSAGES).document(message_id).update(
            {
                "status": str(MessageStatus.FAILED),
                "error": error,
                f"statusAt.{MessageStatus.FAILED}": _ts(time.time()),
                "sendingUntil": firestore.DELETE_FIELD,
            }
        )

    # -- delivery statuses -------------------------------------------------------------------------------

    def apply_status(self, update: StatusUpdate) -> str:
        """A status for a message we know (the usual case) needs no transaction.

        An alias is written once the send is recorded and the message it names is what a
        transaction would find too; the message's update time guards the write, so statuses racing
        each other are re-read and re-decided, never overwritten backwards. A provider id without a
        message goes through the transaction, whose read of the alias orders the parked status
        against record_sent's alias write (record_sent then takes it).
        """
        alias = self._provider_alias(str(update.channel), update.provider_message_id).get()
        if alias.exists:
            ref = self._db.collection(MESSAGES).document(alias.get("messageId"))
            result = self._update_if_unchanged(ref, lambda snap: _status_change(snap, update))
            if result is not None:
                return result
        return firestore.transactional(self._apply_status)(self._db.transaction(), update)

    def _apply_status(self, txn: firestore.Transaction, update: StatusUpdate) -> str:
        """Point reads only (the provider-id alias, then the message): no query holds locks here."""
        alias = self._provider_alias(str(update.channel), update.provider_message_id).get(transaction=txn)
        snap = None
        if alias.exists:
            snap = self._db.collection(MESSAGES).document(alias.get("messageId")).get(transaction=txn)
        changes, result = _status_change(snap, update) if snap is not None else (None, None)
        if snap is None or changes is None or result is None:
            orphan = self._db.collection(ORPHAN_STATUSES).document(
                stable_id("o", str(update.channel), update.provider_message_id)
            )
            txn.set(
                orphan,
                {
                    "channel": str(update.channel),
                    "providerMessageId": update.provider_message_id,
                    "statuses": firestore.ArrayUnion([_status_doc(update)]),
                    "updatedAt": firestore.SERVER_TIMESTAMP,
                },
                merge=True,
            )
            return "orphan"
        txn.update(snap.reference, changes)
        return result

    def apply_watermark(self, update: StatusUpdate) -> int:
        """Everything we sent on the conversation before the watermark was delivered (or read).

        Messenger names no message here; the watermark is Meta's clock, and our messages are
        stamped when created, which is never later than Meta's, so nothing newer is touched.
        """
        conversation_id = conversation_doc_id(
            str(update.channel), update.account_id, update.recipient_id or ""
        )
        query = (
            self._db.collection(MESSAGES)
            .where(filter=firestore.FieldFilter("conversationId", "==", conversation_id))
            .order_by("timestamp", direction=firestore.Query.DESCENDING)
            .limit(WATERMARK_SCAN)
        )
        batch, count = self._db.batch(), 0
        for snap in query.stream():
            doc = snap.to_dict()
            at = _seconds(doc.get("timestamp")) or 0
            if doc.get("direction") != Direction.OUTBOUND or at > (update.watermark or 0):
                continue
            if doc.get("status") in (
                MessageStatus.QUEUED,
                MessageStatus.SENDING,
            ) or not status_rules.advances(doc.get("status"), update.status):
                continue
            batch.update(
                snap.reference,
                {"status": update.status, f"statusAt.{update.status}": _ts(update.timestamp)},
            )
            count += 1
        if count:
            batch.commit()
        return count

    def take_orphan_statuses(self, channel: str, provider_message_id: str) -> list[StatusUpdate]:
        ref = self._db.collection(ORPHAN_STATUSES).document(stable_id("o", channel, provider_message_id))
        snap = ref.get()
        if not snap.exists:
            return []
        ref.delete()
        return [
            StatusUpdate(channel=snap.get("channel"), provider_message_id=provider_message_id, **s)
            for s in snap.get("statuses")
        ]

    # -- media ---------------------------------------------------------------------------------

    def media_state(self, message_id: str) -> dict[str, Any] | None:
        snap = self._db.collection(MESSAGES).document(message_id).get()
        return (snap.get("media") or {}) if snap.exists else None

    def set_media(self, message_id: str, media: dict[str, Any]) -> None:
        self._db.collection(MESSAGES).document(message_id).update(
            {"media": {**media, "updatedAt": firestore.SERVER_TIMESTAMP}}
        )

    # -- contacts across channels ----------------------------------------------------------------

    def contact_identities(self, contact_id: str) -> list[str] | None:
        snap = self._db.collection(CONTACTS).document(contact_id).get()
        return list(snap.get("identities") or []) if snap.exists else None

    def link_identity(self, contact_id: str, key: str) -> bool:
        """Attach an identity (e.g. `messenger:<PSID>`, `email:<x>`) unless another contact owns it."""
        return firestore.transactional(self._link)(self._db.transaction(), contact_id, key)

    def _link(self, txn: firestore.Transaction, contact_id: str, key: str) -> bool:
        ref = self._db.collection(IDENTITIES).document(key)
        snap = ref.get(transaction=txn)
        if snap.exists and snap.get("contactId") != contact_id:
            return False
        txn.set(ref, {"contactId": contact_id})
        txn.set(
            self._db.collection(CONTACTS).document(contact_id),
            {"identities": firestore.ArrayUnion([key]), "updatedAt": firestore.SERVER_TIMESTAMP},
            merge=True,
        )
        return True

    def find_conversation(self, contact_id: str, channel: str, account_id: str | None) -> Conversation | None:
        query = (
            self._db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("contactId", "==", contact_id))
            .where(filter=firestore.FieldFilter("channel", "==", channel))
        )
        found = [s for s in query.stream() if account_id is None or s.get("accountId") == account_id]
        if not found:
            return None
        snap = max(found, key=lambda s: _seconds(s.to_dict().get("lastInboundAt")) or 0)
        return _stored_conversation(snap.id, snap.to_dict())

    def open_conversation(
        self, contact_id: str, channel: str, account_id: str, address: Address
    ) -> Conversation:
        """The conversation a customer's own message on that channel would land in, created if new."""
        conv_id = conversation_doc_id(channel, account_id, address.recipient_id)
        ref = self._db.collection(CONVERSATIONS).document(conv_id)
        doc = {
            "channel": channel,
            "accountId": account_id,
            "contactId": contact_id,
            "participants": [contact_id],
            "senderId": address.recipient_id,
            "recipientPhone": address.phone,
            "status": str(ConversationStatus.IN_SERVICE),
            "assignee": None,
            "createdAt": firestore.SERVER_TIMESTAMP,
            "updatedAt": firestore.SERVER_TIMESTAMP,
            "openedBy": "agent",
        }
        with contextlib.suppress(gexc.AlreadyExists):
            ref.create(doc)
        return _stored_conversation(conv_id, ref.get().to_dict() or doc)


def _claim(
    snap: firestore.DocumentSnapshot, lease_s: float
) -> tuple[dict[str, Any] | None, OutgoingMessage | None]:
    """queued (or sending with its lease over) → sending; None when it is not ours to send."""
    if not snap.exists:
        return None, None
    doc = snap.to_dict() or {}
    now = time.time()
    state = doc.get("status")
    lease_over = (_seconds(doc.get("sendingUntil")) or 0) < now
    if state != MessageStatus.QUEUED and not (state == MessageStatus.SENDING and lease_over):
        return None, None
    changes = {
        "status": str(MessageStatus.SENDING),
        "sendingUntil": _ts(now + lease_s),
        "sendAttempts": firestore.Increment(1),
        f"statusAt.{MessageStatus.SENDING}": _ts(now),
    }
    recipient = doc.get("recipient") or {}
    return changes, OutgoingMessage(
        id=snap.id,
        conversation_id=doc["conversationId"],
        channel=doc["channel"],
        account_id=doc["accountId"],
        recipient_id=recipient.get("id", ""),
        recipient_phone=recipient.get("phone"),
        kind=doc.get("kind", "text"),
        text=doc.get("text"),
        content=doc.get("content") or {},
        status=str(MessageStatus.SENDING),
        sender_type=doc.get("senderType") or str(SenderType.BOT),
        last_inbound_at=_seconds(doc.get("windowFrom")),
    )


def _status_change(
    snap: firestore.DocumentSnapshot, update: StatusUpdate
) -> tuple[dict[str, Any] | None, str | None]:
    """The write a delivery status makes: its time always, the status itself only forward."""
    if not snap.exists:
        return None, None
    changes: dict[str, Any] = {f"statusAt.{update.status}": _ts(update.timestamp)}
    applied = status_rules.advances(snap.get("status"), update.status)
    if applied:
        changes["status"] = update.status
        if update.status == MessageStatus.FAILED:
            changes["error"] = _platform_error(update.errors)
    return changes, "applied" if applied else "stale"


def _alias_doc(message_id: str, channel: str) -> dict[str, Any]:
    return {"messageId": message_id, "channel": channel, "at": firestore.SERVER_TIMESTAMP}


def latest_turns(db: firestore.Client, field: str, value: str, limit: int) -> list[Turn]:
    """The last `limit` messages whose `field` is `value` (a conversation, a contact), oldest first."""
    query = (
        db.collection(MESSAGES)
        .where(filter=firestore.FieldFilter(field, "==", value))
        .order_by("timestamp", direction=firestore.Query.DESCENDING)
        .limit(limit)
    )
    turns = [
        Turn(d.get("direction"), d.get("senderType"), d.get("text"), _seconds(d.get("timestamp")) or 0)
        for d in query.stream()
    ]
    return turns[::-1]


def _status_doc(update: StatusUpdate) -> dict[str, Any]:
    return {
        "account_id": update.account_id,
        "status": update.status,
        "timestamp": update.timestamp,
        "recipient_id": update.recipient_id,
        "errors": update.errors,
        "pricing": update.pricing,
    }


def _platform_error(errors: list[dict[str, Any]]) -> dict[str, Any]:
    first = errors[0] if errors else {}
    details = (
        first.get("error_data", {}).get("details") if isinstance(first.get("error_data"), dict) else None
    )
    return {
        "code": first.get("code"),
        "message": first.get("title") or first.get("message") or "failed",
        "details": details,
        "retryable": False,
        "source": "platform",
    }


def _inbound_doc(message: InboundMessage, contact_id: str) -> dict[str, Any]:
    # An echo: the business wrote from Meta's own inbox, so it is an agent's outgoing message.
    echo = message.echo
    return {
        "conversationId": message.conversation_id,
        "contactId": contact_id,
        "channel": str(message.channel),
        "accountId": message.account_id,
        "direction": str(Direction.OUTBOUND if echo else Direction.INBOUND),
        "senderType": str(SenderType.AGENT if echo else SenderType.CONTACT),
        "sender": "meta_inbox" if echo else message.sender.id,
        "senderName": message.sender.name,
        "isAutomation": False,
        "echo": echo,
        **(
            {"media": {"status": "pending"}}
            if fetchable(str(message.channel), str(message.kind), message.content)
            else {}
        ),
        "kind": str(message.kind),
        "text": message.text,
        "content": message.content.to_doc(),
        "context": message.context.to_doc(),
        "errors": [error.to_doc() for error in message.errors],
        "providerMessageId": message.provider_message_id,
        "status": str(MessageStatus.SENT if echo else MessageStatus.RECEIVED),
        "timestamp": _ts(message.timestamp),
        "createdAt": firestore.SERVER_TIMESTAMP,
    }


def _preview(message: InboundMessage) -> str:
    return (message.text or f"[{message.kind}]")[:200]


def _conversation(
    conv_id: str, doc: dict[str, Any], message: InboundMessage, contact_id: str
) -> Conversation:
    return Conversation(
        id=conv_id,
        channel=str(message.channel),
        account_id=message.account_id,
        contact_id=contact_id,
        status=ConversationStatus(doc.get("status") or ConversationStatus.BOT),
        last_inbound_at=_seconds(doc.get("lastInboundAt")),
    )


def _contact(contact_id: str, doc: dict[str, Any]) -> Contact:
    return Contact(
        id=contact_id,
        name=doc.get("name"),
        persona=doc.get("persona") or "cliente",
        profile={k: doc[k] for k in ("tier", "plan", "preferences") if k in doc},
    )


def _stored_conversation(conv_id: str, doc: dict[str, Any]) -> Conversation:
    return Conversation(
        id=conv_id,
        channel=doc.get("channel", ""),
        account_id=doc.get("accountId", ""),
        contact_id=doc.get("contactId", ""),
        status=ConversationStatus(doc.get("status") or ConversationStatus.BOT),
        last_inbound_at=_seconds(doc.get("lastInboundAt")),
    )
