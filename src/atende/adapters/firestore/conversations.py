"""The conversation aggregate as a `conversations/{id}` document, and back (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import seconds, ts
from atende.domain.conversation import Conversation, Handoff, VisitorView
from atende.domain.model import Channel, ConversationStatus, Priority, SenderType
from atende.domain.session import FlowState, Session


def to_doc(conv: Conversation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "channel": str(conv.channel),
        "accountId": conv.account_id,
        "contactId": conv.contact_id,
        "participants": [conv.contact_id],
        "senderId": conv.sender_id,
        "status": str(conv.status),
        "userType": conv.persona,
        "assignee": conv.assignee,
        "lastMessage": conv.last_message,
        "lastMessageAt": ts(conv.last_message_at),
        "lastMessageSender": str(conv.last_message_sender) if conv.last_message_sender else None,
        "lastInboundAt": ts(conv.last_inbound_at),
        "attendant": session_doc(conv.session),
        "labels": list(conv.labels),
        "unreadCount": conv.unread_count,
    }
    optional = {
        "team": conv.team,
        "queue": conv.queue,
        "priority": str(conv.priority) if conv.priority else None,
        "waitingSince": ts(conv.waiting_since),
        "handoff": _handoff_doc(conv.handoff) if conv.handoff else None,
        "recipientPhone": conv.recipient_phone,
        "openedBy": conv.opened_by,
        "assignedAt": ts(conv.assigned_at),
        "snoozedUntil": ts(conv.snoozed_until),
        "csatAskedAt": ts(conv.csat_asked_at),
        "csat": conv.csat_score,
        "csatAt": ts(conv.csat_at),
        "typingUntil": ts(conv.typing_until),
        "typingBy": conv.typing_by,
        "firstResponseAt": ts(conv.first_response_at),
        "resolvedAt": ts(conv.resolved_at),
        "resolvedBy": conv.resolved_by,
        "openedAt": ts(conv.opened_at),
        "contactName": conv.contact_name,
        "awaitingReplySince": ts(conv.awaiting_reply_since),
        "lastCampaignId": conv.last_campaign_id,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def visitor_view_doc(view: VisitorView) -> dict[str, Any]:
    """`conversations/{id}/public/state`, the one document of a conversation a web-chat visitor reads."""
    doc = {"answeredBy": view.answered_by, "typingUntil": ts(view.typing_until), "typingBy": view.typing_by}
    return {k: v for k, v in doc.items() if v is not None}


def from_doc(conv_id: str, doc: dict[str, Any]) -> Conversation:
    handoff = doc.get("handoff")
    sender = doc.get("lastMessageSender")
    return Conversation(
        id=conv_id,
        channel=Channel(doc["channel"]),
        account_id=doc.get("accountId", ""),
        contact_id=doc.get("contactId", ""),
        sender_id=doc.get("senderId", ""),
        status=ConversationStatus(doc.get("status") or ConversationStatus.BOT),
        persona=doc.get("userType") or "cliente",
        team=doc.get("team"),
        queue=doc.get("queue"),
        priority=Priority(doc["priority"]) if doc.get("priority") else None,
        assignee=doc.get("assignee"),
        waiting_since=seconds(doc.get("waitingSince")),
        handoff=Handoff(
            reason=handoff.get("reason", ""),
            intent=handoff.get("intent"),
            sentiment=handoff.get("sentiment"),
            at=seconds(handoff.get("at")) or 0.0,
        )
        if isinstance(handoff, dict)
        else None,
        last_message=doc.get("lastMessage"),
        last_message_at=seconds(doc.get("lastMessageAt")),
        last_message_sender=SenderType(sender) if sender else None,
        last_inbound_at=seconds(doc.get("lastInboundAt")),
        recipient_phone=doc.get("recipientPhone"),
        opened_by=doc.get("openedBy"),
        session=session_from_doc(doc.get("attendant")),
        assigned_at=seconds(doc.get("assignedAt")),
        labels=tuple(doc.get("labels") or ()),
        snoozed_until=seconds(doc.get("snoozedUntil")),
        csat_asked_at=seconds(doc.get("csatAskedAt")),
        csat_score=doc.get("csat") if isinstance(doc.get("csat"), int) else None,
        csat_at=seconds(doc.get("csatAt")),
        typing_until=seconds(doc.get("typingUntil")),
        typing_by=doc.get("typingBy"),
        awaiting_reply_since=seconds(doc.get("awaitingReplySince")),
        first_response_at=seconds(doc.get("firstResponseAt")),
        resolved_at=seconds(doc.get("resolvedAt")),
        resolved_by=doc.get("resolvedBy"),
        opened_at=seconds(doc.get("openedAt")),
        unread_count=int(doc.get("unreadCount") or 0),
        contact_name=doc.get("contactName"),
        last_campaign_id=doc.get("lastCampaignId"),
    )


def _handoff_doc(handoff: Handoff) -> dict[str, Any]:
    return {
        "reason": handoff.reason,
        "intent": handoff.intent,
        "sentiment": handoff.sentiment,
        "at": ts(handoff.at),
    }


def session_doc(session: Session) -> dict[str, Any]:
    flow = session.flow
    return {
        "customerId": session.customer_id,
        "verifiedAt": session.verified_at,
        "verificationFailures": session.verification_failures,
        "flow": {
            "flow": flow.flow,
            "step": flow.step,
            "vars": flow.vars,
            "stack": [{"flow": f, "step": s} for f, s in flow.stack],
            "retries": flow.retries,
        }
        if flow
        else None,
        "awaitingInput": session.awaiting_input,
        "sentiments": [{"s": s, "at": at} for s, at in session.sentiments],
        "introduced": session.introduced,
    }


def session_from_doc(doc: dict[str, Any] | None) -> Session:
    doc = doc or {}
    flow = doc.get("flow")
    verified_at = doc.get("verifiedAt")
    return Session(
        customer_id=doc.get("customerId"),
        verified_at=float(verified_at) if verified_at is not None else None,
        verification_failures=int(doc.get("verificationFailures") or 0),
        flow=FlowState(
            flow=flow["flow"],
            step=flow.get("step", ""),
            vars=dict(flow.get("vars") or {}),
            stack=tuple((s["flow"], s["step"]) for s in flow.get("stack") or []),
            retries=int(flow.get("retries") or 0),
        )
        if isinstance(flow, dict) and flow.get("flow")
        else None,
        awaiting_input=bool(doc.get("awaitingInput")),
        sentiments=tuple((s["s"], float(s["at"])) for s in doc.get("sentiments") or []),
        introduced=bool(doc.get("introduced")),
    )
