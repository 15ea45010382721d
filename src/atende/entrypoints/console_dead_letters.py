"""`console_api`'s dead letters (README, "Dead letters"): the list, one letter with its payload as an admin
reads it (pretty JSON when it is JSON, text, or base64 for bytes that are not text), replay and discard.
Times in epoch milliseconds, as the console's pages read them."""

from __future__ import annotations

import base64
import codecs
import json
from collections.abc import Callable
from typing import Any

import flask

from atende.domain.dead_letter import LetterState, StoredLetter
from atende.domain.staff import Actor
from atende.entrypoints.staff_http import Invalid, number_arg
from atende.services.dead_letter_console import DeadLetterConsole
from atende.services.settings.errors import NotFound

PREVIEW_CHARS = 160
LETTER_ID = r"d_[0-9a-f]{8,64}"


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


NOT_JSON = object()  # a payload that is text but not JSON (JSON's own `null` is None)


def _decoded(letter: StoredLetter) -> tuple[str | None, Any]:
    """The payload as text (None when it is not UTF-8; a cut last character of a truncated one is
    dropped) and as parsed JSON (`NOT_JSON` when it is not), read once for both the list row and the
    detail."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(letter.data, final=not letter.truncated)
    except UnicodeDecodeError:
        return None, NOT_JSON
    try:
        return text, json.loads(text)
    except ValueError:
        return text, NOT_JSON


def _preview(text: str | None, payload: Any, size: int) -> str:
    """What an admin scanning the list needs: a message's own words when the payload carries them (an
    inbound event's envelope would fill the column with ids), else the payload's start."""
    if text is None:
        return f"({size} bytes)"
    words = payload.get("text") if isinstance(payload, dict) else None
    if isinstance(words, str) and words.strip():
        kind = payload.get("type")
        text = f"{kind}: «{words}»" if isinstance(kind, str) else f"«{words}»"
    return " ".join(text.split())[:PREVIEW_CHARS]


def summary(letter: StoredLetter, decoded: tuple[str | None, Any] | None = None) -> dict[str, Any]:
    text, payload = decoded or _decoded(letter)
    preview = _preview(text, payload, letter.size)
    return {
        "id": letter.id,
        "consumer": letter.consumer,
        "topic": letter.topic,
        "subscription": letter.subscription,
        "attempts": letter.attempts,
        "channel": letter.channel,
        "accountId": letter.account_id,
        "firstSeenAt": _ms(letter.first_seen_at),
        "state": str(letter.state),
        "replays": letter.replays,
        "replayedAt": _ms(letter.replayed.at) if letter.replayed else None,
        "replayedBy": letter.replayed.uid if letter.replayed else None,
        "replayedByName": letter.replayed.name if letter.replayed else None,
        "discardedAt": _ms(letter.discarded.at) if letter.discarded else None,
        "discardedBy": letter.discarded.uid if letter.discarded else None,
        "discardedByName": letter.discarded.name if letter.discarded else None,
        "size": letter.size,
        "truncated": letter.truncated,
        "replayable": letter.not_replayable is None,
        "notReplayableReason": letter.not_replayable,
        "preview": preview,
    }


def detail(letter: StoredLetter) -> dict[str, Any]:
    text, parsed = decoded = _decoded(letter)
    if text is None:
        shown, shape = base64.b64encode(letter.data).decode(), "base64"
    elif parsed is NOT_JSON:
        shown, shape = text, "text"
    else:
        shown, shape = json.dumps(parsed, indent=2, ensure_ascii=False), "json"
    return {
        **summary(letter, decoded),
        "payload": shown,
        "payloadFormat": shape,
        "attributes": dict(letter.attributes),
    }


def _list(d: DeadLetterConsole, a: Actor, r: flask.Request) -> Any:
    state = r.args.get("state") or None
    if state is not None and state not in set(LetterState):
        raise Invalid(f"Estado desconhecido: {state}")
    letters, following = d.list(
        a,
        consumer=r.args.get("consumer") or None,
        state=state,
        page_size=number_arg(r, "pageSize", int),
        cursor=r.args.get("cursor") or None,
    )
    return {"items": [summary(letter) for letter in letters], "next": following}


def _replay(d: DeadLetterConsole, a: Actor, r: flask.Request, letter_id: str) -> Any:
    force = r.args.get("force") in ("1", "true")
    return {"letter": summary(d.replay(a, letter_id, force=force))}


Handler = Callable[..., Any]

ROUTES: dict[str, Handler] = {
    "GET /dead-letters": _list,
    "GET /dead-letters/<letter_id>": lambda d, a, r, letter_id: {"letter": detail(d.get(a, letter_id))},
    "POST /dead-letters/<letter_id>/replay": _replay,
    "POST /dead-letters/<letter_id>/discard": lambda d, a, r, letter_id: {
        "letter": summary(d.discard(a, letter_id))
    },
}


def _with_console(handler: Handler) -> Handler:
    def call(c: Any, a: Actor, r: flask.Request, **ids: str) -> Any:
        if c.dead_letters is None:
            raise NotFound("Mensagens com falha não configuradas nesta função")
        return handler(c.dead_letters, a, r, **ids)

    return call


DEAD_LETTER_ROUTES: dict[str, Handler] = {route: _with_console(h) for route, h in ROUTES.items()}
