"""HTTP: the inbox's actions (take, assign, transfer, send, …), each checked against the caller's token."""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.inbox_http import handle

wiring.start(inbox_api=wiring.inbox_service)


@functions_framework.http
def inbox_api(request: flask.Request) -> flask.Response:
    return handle(request, wiring.inbox_service, wiring.identity, wiring.inbox_origins())
