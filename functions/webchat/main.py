"""HTTP: the web-chat widget's sessions, messages, files and receipts (docs/webchat.md)."""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.webchat_http import handle

wiring.start(webchat=wiring.webchat_service)


@functions_framework.http
def webchat(request: flask.Request) -> flask.Response:
    return handle(request, wiring.webchat_service, wiring.identity)
