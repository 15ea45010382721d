"""Flask ⇄ the inbox's actions (`inbox_api`, docs/inbox.md): CORS, the caller's token, one validated
body per action, and each refusal as a status and a pt-BR message the inbox shows as is."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import flask
from pydantic import Field

from atende.adapters.firebase_auth import Unauthenticated
from atende.adapters.firestore import contacts as contact_doc
from atende.adapters.firestore import conversations as conversation_doc
from atende.adapters.firestore import messages as message_doc
from atende.adapters.firestore import users as user_doc
from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.message import Message
from atende.domain.model import Availability, Channel, MessageId, Priority
from atende.domain.staff import Actor
from atende.entrypoints.staff_http import Identity, Invalid, StrictBody, error, json_ms, with_cors
from atende.entrypoints.staff_http import body as _body
from atende.services.inbox import (
    ContactContext,
    Draft,
    InboxService,
    InvalidInput,
    NotFound,
    TemplateChoice,
    WindowClosed,
)
from atende.services.links import MAX_LINKS
from atende.services.unit_of_work import Conflict

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 17 * 2**20  # the largest file accepted (16 MB) plus the form's own bytes
Id = Field(min_length=1, max_length=400, pattern=r"^[^/]+$")


class OnConversation(StrictBody):
    conversationId: str = Id


class Assign(OnConversation):
    agentId: str = Id


class Transfer(OnConversation):
    team: str | None = Field(default=None, max_length=60)
    agentId: str | None = Field(default=None, max_length=400)
    note: str | None = Field(default=None, max_length=1000)


class ContinueOn(OnConversation):
    channel: Channel
    accountId: str | None = Field(default=None, max_length=200)


class Snooze(OnConversation):
    until: int = Field(gt=0, description="epoch milliseconds")


class Labels(OnConversation):
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)


class SetPriority(OnConversation):
    priority: Priority


class Attachment(StrictBody):
    mediaId: str = Field(min_length=1, max_length=400)
    caption: str | None = Field(default=None, max_length=1024)


class TemplateBody(StrictBody):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=15)
    params: list[str] = Field(default_factory=list, max_length=20)


class Send(OnConversation):
    clientId: str = Field(min_length=1, max_length=100)
    text: str | None = Field(default=None, max_length=4096)
    attachment: Attachment | None = None
    template: TemplateBody | None = None


class Note(OnConversation):
    clientId: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=4096)


class Retry(StrictBody):
    messageId: str = Id


class Links(StrictBody):
    messageIds: list[MessageId] = Field(min_length=1, max_length=MAX_LINKS)


class SetAvailability(StrictBody):
    availability: Availability
    agentId: str | None = Field(default=None, max_length=400)


def conversation_json(c: Conversation) -> dict[str, Any]:
    doc = conversation_doc.to_doc(c)
    doc.pop("attendant", None)  # the bot's private memory: not the inbox's business
    return {"id": c.id, **json_ms(doc)}


def message_json(m: Message) -> dict[str, Any]:
    return {"id": m.id, **json_ms(message_doc.to_doc(m))}


def context_json(ctx: ContactContext) -> dict[str, Any]:
    contact = ctx.contact
    return {
        "conversation": conversation_json(ctx.conversation),
        "contact": {"id": contact.id, **json_ms(contact_doc.to_doc(contact))} if contact else None,
        "customer": json_ms(_plain(ctx.customer)) if ctx.customer else None,
        "history": [
            {"conversation": conversation_json(c), "messages": [message_json(m) for m in messages]}
            for c, messages in ctx.history
        ],
    }


def _plain(value: Any) -> Any:
    """ERP records (dataclasses) as JSON. A calendar date (a due date, a birthday) travels as ISO
    `YYYY-MM-DD`: Flask's default would send it as midnight GMT, which a browser in Brazil shows as the
    day before."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


Action = Callable[[InboxService, Actor, flask.Request], dict[str, Any]]


def _move(call: Callable[[InboxService, Actor, Any], Conversation], model: type[StrictBody]) -> Action:
    def action(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
        conversation = call(service, actor, _body(model, request))
        return {"conversationId": conversation.id, "conversation": conversation_json(conversation)}

    return action


def _send(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    b: Send = _body(Send, request)
    draft = Draft(
        text=b.attachment.caption if b.attachment else b.text,
        media_id=b.attachment.mediaId if b.attachment else None,
        template=TemplateChoice(
            name=b.template.name, language=b.template.language, params=tuple(b.template.params)
        )
        if b.template
        else None,
    )
    return _message(service.send(actor, b.conversationId, b.clientId, draft))


def _message(message: Message) -> dict[str, Any]:
    return {"messageId": message.id, "message": message_json(message)}


def _note(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    b: Note = _body(Note, request)
    return _message(service.note(actor, b.conversationId, b.clientId, b.text))


def _retry(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    b: Retry = _body(Retry, request)
    return _message(service.retry(actor, b.messageId))


def _availability(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    b: SetAvailability = _body(SetAvailability, request)
    member = service.set_availability(actor, b.availability, b.agentId)
    return {"user": {"uid": member.uid, **json_ms(user_doc.to_doc(member))}}


def _typing(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    service.typing(actor, _body(OnConversation, request).conversationId)
    return {}


def _upload(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    file = request.files.get("file")
    conversation_id = request.form.get("conversationId", "")
    if file is None or not conversation_id or "/" in conversation_id:
        raise Invalid("Envie o arquivo (campo file) e a conversa (campo conversationId)")
    data = file.read(MAX_UPLOAD_BYTES + 1)
    upload = service.upload(actor, conversation_id, data, file.mimetype or "", file.filename or "")
    return {
        "mediaId": upload.media_id,
        "kind": upload.kind,
        "mimeType": upload.mime_type,
        "size": upload.size,
        "url": upload.url,
    }


def _links(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    return {"links": service.links(actor, _body(Links, request).messageIds)}


def _context(service: InboxService, actor: Actor, request: flask.Request) -> dict[str, Any]:
    b: OnConversation = _body(OnConversation, request)
    return context_json(service.context(actor, b.conversationId))


ACTIONS: dict[str, Action] = {
    "take": _move(lambda s, a, b: s.take(a, b.conversationId), OnConversation),
    "assign": _move(lambda s, a, b: s.assign(a, b.conversationId, b.agentId), Assign),
    "transfer": _move(
        lambda s, a, b: s.transfer(a, b.conversationId, team=b.team, agent_id=b.agentId, note=b.note),
        Transfer,
    ),
    "continue_on": _move(
        lambda s, a, b: s.continue_on(a, b.conversationId, b.channel, b.accountId), ContinueOn
    ),
    "snooze": _move(lambda s, a, b: s.snooze(a, b.conversationId, b.until / 1000), Snooze),
    "resolve": _move(lambda s, a, b: s.resolve(a, b.conversationId), OnConversation),
    "reopen": _move(lambda s, a, b: s.reopen(a, b.conversationId), OnConversation),
    "back_to_bot": _move(lambda s, a, b: s.back_to_bot(a, b.conversationId), OnConversation),
    "labels": _move(lambda s, a, b: s.relabel(a, b.conversationId, b.add, b.remove), Labels),
    "priority": _move(lambda s, a, b: s.prioritise(a, b.conversationId, b.priority), SetPriority),
    "read": _move(lambda s, a, b: s.read(a, b.conversationId), OnConversation),
    "typing": _typing,
    "send": _send,
    "note": _note,
    "retry": _retry,
    "availability": _availability,
    "upload": _upload,
    "context": _context,
    "links": _links,
}


def handle(
    request: flask.Request,
    service: Callable[[], InboxService],
    identity: Callable[[], Identity],
    origins: tuple[str, ...],
) -> flask.Response:
    return with_cors(request, origins, "POST, OPTIONS", lambda: _dispatch(request, service, identity))


def _dispatch(
    request: flask.Request, service: Callable[[], InboxService], identity: Callable[[], Identity]
) -> tuple[dict[str, Any], int]:
    if request.method != "POST":
        return error(405, "invalid", "Use POST")
    action = ACTIONS.get(request.path.strip("/"))
    if action is None:
        return error(404, "not_found", "Ação desconhecida")
    limit = MAX_UPLOAD_BYTES if request.path.strip("/") == "upload" else MAX_JSON_BYTES
    if (request.content_length or 0) > limit:
        return error(413, "invalid", "Requisição grande demais")
    try:
        actor = identity().verify(request.headers.get("Authorization"))
        return {"ok": True, **action(service(), actor, request)}, 200
    except Unauthenticated as e:
        return error(401, "unauthenticated", e.reason)
    except (Invalid, InvalidInput) as e:
        return error(400, "invalid", e.reason)
    except NotFound as e:
        return error(404, "not_found", e.reason)
    except WindowClosed as e:
        return error(422, "window_closed", e.reason)
    except WorkflowRefused as e:
        return error(403, "forbidden", e.reason) if e.forbidden else error(409, "conflict", e.reason)
    except Conflict:  # others kept changing it while every retry ran: the person may simply try again
        return error(409, "conflict", "A conversa mudou enquanto você agia; tente novamente")
    except Exception:  # still a JSON answer with CORS headers, so the inbox shows it instead of a CORS error
        log.exception("inbox_api %s failed", request.path)
        return error(500, "internal", "Erro interno; tente novamente em instantes")
