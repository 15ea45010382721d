"""Flask ⇄ webhook receiver, for every Meta channel's HTTP function."""

from __future__ import annotations

import flask

from atende.services.webhook import MAX_BODY_BYTES, Reply, WebhookReceiver, too_large


def handle(receiver: WebhookReceiver, request: flask.Request) -> flask.Response:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        reply = too_large(receiver.channel, request.content_length or 0)  # refuse before reading it
    else:
        reply = receiver.handle(request.method, request.args, request.headers, request.get_data(cache=False))
    return _to_flask(reply)


def _to_flask(reply: Reply) -> flask.Response:
    return flask.Response(reply.body, status=reply.status, content_type=reply.content_type)
