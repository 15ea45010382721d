"""The message as a `messages/{id}` document, and back (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from atende.adapters.firestore.codec import seconds, ts
from atende.adapters.firestore.statuses import status_doc, status_from_doc
from atende.domain.contacts import Address
from atende.domain.content import AnyContent, MessageContext, PlatformError, content_from_doc
from atende.domain.media import KeptMedia, MediaStatus
from atende.domain.message import Message, SendError, SendEvent, SendStep, Turn
from atende.domain.model import Channel, Direction, MessageKind, MessageStatus, Route, SenderType, Visibility
from atende.domain.routing import RoutingDecision
from atende.domain.triage import Triage


def to_doc(message: Message) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "conversationId": message.conversation_id,
        "contactId": message.contact_id,
        "channel": str(message.channel),
        "accountId": message.account_id,
        "direction": str(message.direction),
        "senderType": str(message.sender_type),
        "sender": message.sender,
        "isAutomation": message.is_automation,
        "kind": str(message.kind),
        "text": message.text,
        "content": message.content.to_doc(),
        "status": str(message.status),
        "timestamp": ts(message.timestamp),
        "visibility": str(message.visibility),
    }
    if message.from_platform:  # a message the platform brought us (the customer's, or an echo)
        doc |= {
            "senderName": message.sender_name,
            "echo": message.echo,
            "context": message.context.to_doc(),
            "errors": [e.to_doc() for e in message.errors],
        }
    optional: dict[str, Any] = {
        "providerMessageId": message.provider_message_id,
        "media": media_doc(message.media) if message.media else None,
        "recipient": {"id": message.recipient.recipient_id, "phone": message.recipient.phone}
        if message.recipient
        else None,
        "replyTo": message.reply_to,
        "statusAt": {str(s): ts(at) for s, at in message.status_at.items()} or None,
        "engine": message.engine,
        "handled": message.handled or None,
        "replyMessageId": message.reply_message_id,
        "triage": triage_doc(message.triage) if message.triage else None,
        "decision": decision_doc(message.decision) if message.decision else None,
        "secondOpinion": triage_doc(message.second_opinion) if message.second_opinion else None,
        "sendingUntil": ts(message.sending_until),
        "sendClaim": message.send_claim,
        "sendAttempts": message.send_attempts or None,
        "error": error_doc(message.error) if message.error else None,
        "parkedStatuses": [status_doc(u) for u in message.parked] or None,
        "sendHistory": [send_event_doc(e) for e in message.send_history] or None,
        "sweepAt": ts(message.sweep_due_at()),
        "authorId": message.author_id,
        "authorName": message.author_name,
        "event": message.event,
        "followupRule": message.followup_rule,
        "campaignId": message.campaign_id,
        "campaignName": message.campaign_name,
    }
    if message.direction == Direction.OUTBOUND and not message.echo:
        # outbound judges the window from this without reading the conversation
        doc["windowFrom"] = ts(message.window_from)
    return doc | {k: v for k, v in optional.items() if v is not None}


def from_doc(message_id: str, doc: dict[str, Any]) -> Message:
    recipient = doc.get("recipient")
    error = doc.get("error")
    return Message(
        id=message_id,
        conversation_id=doc["conversationId"],
        contact_id=doc.get("contactId", ""),
        channel=Channel(doc["channel"]),
        account_id=doc.get("accountId", ""),
        direction=Direction(doc.get("direction") or Direction.OUTBOUND),
        sender_type=SenderType(doc.get("senderType") or SenderType.BOT),
        sender=doc.get("sender") or "",
        sender_name=doc.get("senderName"),
        is_automation=bool(doc.get("isAutomation")),
        echo=bool(doc.get("echo")),
        kind=MessageKind(doc.get("kind") or MessageKind.TEXT),
        text=doc.get("text"),
        content=_content(doc),
        context=MessageContext.from_doc(doc.get("context") or {}),
        errors=tuple(PlatformError.from_doc(e) for e in doc.get("errors") or []),
        provider_message_id=doc.get("providerMessageId"),
        media=_media(doc.get("media")),
        status=MessageStatus(doc.get("status") or MessageStatus.QUEUED),
        status_at={MessageStatus(s): seconds(at) or 0.0 for s, at in (doc.get("statusAt") or {}).items()},
        timestamp=seconds(doc.get("timestamp")) or 0.0,
        recipient=Address(recipient.get("id", ""), recipient.get("phone")) if recipient else None,
        reply_to=doc.get("replyTo"),
        window_from=seconds(doc.get("windowFrom")),
        engine=doc.get("engine"),
        handled=bool(doc.get("handled")),
        reply_message_id=doc.get("replyMessageId"),
        triage=_triage(doc.get("triage")),
        decision=_decision(doc.get("decision")),
        second_opinion=_triage(doc.get("secondOpinion")),
        sending_until=seconds(doc.get("sendingUntil")),
        send_claim=doc.get("sendClaim"),
        send_attempts=int(doc.get("sendAttempts") or 0),
        error=_error(error) if isinstance(error, dict) else None,
        parked=tuple(
            status_from_doc(doc["channel"], doc.get("providerMessageId") or "", s)
            for s in doc.get("parkedStatuses") or []
        ),
        send_history=tuple(_send_event(e) for e in doc.get("sendHistory") or []),
        author_id=doc.get("authorId"),
        author_name=doc.get("authorName"),
        visibility=Visibility(doc.get("visibility") or Visibility.PUBLIC),
        event=doc.get("event"),
        followup_rule=doc.get("followupRule"),
        campaign_id=doc.get("campaignId"),
        campaign_name=doc.get("campaignName"),
    )


def _content(doc: dict[str, Any]) -> AnyContent:
    """What was sent, by kind; a map no model accepts (written by an older version) is kept as unsupported
    rather than stopping the message's life."""
    try:
        return content_from_doc(doc.get("kind") or MessageKind.TEXT, doc.get("content") or {})
    except ValidationError:
        return content_from_doc(MessageKind.UNSUPPORTED, {})


def turn_from_doc(doc: dict[str, Any]) -> Turn:
    return Turn(
        direction=Direction(doc.get("direction") or Direction.INBOUND),
        sender_type=SenderType(doc.get("senderType") or SenderType.CONTACT),
        text=doc.get("text"),
        timestamp=seconds(doc.get("timestamp")) or 0.0,
    )


def media_doc(media: KeptMedia) -> dict[str, Any]:
    doc = {
        "status": str(media.status),
        "path": media.path,
        "mimeType": media.mime_type,
        "size": media.size,
        "sha256": media.sha256,
        "url": media.url,
        "urlExpiresAt": media.url_expires_at,
        "reason": media.reason,
        "retryable": media.retryable,
    }
    return {k: v for k, v in doc.items() if v is not None}


def _media(doc: Any) -> KeptMedia | None:
    if not isinstance(doc, dict) or not doc.get("status"):
        return None
    return KeptMedia(
        status=MediaStatus(doc["status"]),
        path=doc.get("path"),
        mime_type=doc.get("mimeType"),
        size=doc.get("size"),
        sha256=doc.get("sha256"),
        url=doc.get("url"),
        url_expires_at=doc.get("urlExpiresAt"),
        reason=doc.get("reason"),
        retryable=doc.get("retryable"),
    )


def triage_doc(triage: Triage) -> dict[str, Any]:
    return {"intent": triage.intent, "sentiment": triage.sentiment, "confidence": round(triage.confidence, 4)}


def error_doc(error: SendError) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "retryable": error.retryable,
        "source": error.source,
    }
    optional = {
        "details": error.details,
        "httpStatus": error.http_status,
        "attempts": error.attempts,
        "agentMessage": error.agent_text,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def send_event_doc(event: SendEvent) -> dict[str, Any]:
    doc: dict[str, Any] = {"at": ts(event.at), "step": str(event.step)}
    return doc | ({"reason": event.reason} if event.reason is not None else {})


def _send_event(doc: dict[str, Any]) -> SendEvent:
    return SendEvent(seconds(doc.get("at")) or 0.0, SendStep(doc["step"]), doc.get("reason"))


def decision_doc(decision: RoutingDecision) -> dict[str, Any]:
    return {
        "route": str(decision.route),
        "reason": decision.reason,
        "team": decision.team,
        "threshold": decision.threshold,
    }


def _triage(doc: Any) -> Triage | None:
    if not isinstance(doc, dict):
        return None
    return Triage(doc["intent"], doc["sentiment"], float(doc["confidence"]))


def _decision(doc: Any) -> RoutingDecision | None:
    if not isinstance(doc, dict):
        return None
    return RoutingDecision(
        route=Route(doc["route"]),
        reason=doc["reason"],
        team=doc.get("team"),
        threshold=float(doc["threshold"]),
    )


def _error(doc: dict[str, Any]) -> SendError:
    return SendError(
        code=doc.get("code"),
        message=doc.get("message") or "",
        source=doc.get("source") or "platform",
        retryable=bool(doc.get("retryable")),
        details=doc.get("details"),
        http_status=doc.get("httpStatus"),
        attempts=doc.get("attempts"),
        agent_text=doc.get("agentMessage"),
    )
