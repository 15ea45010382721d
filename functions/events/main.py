"""HTTP: a business pushes its entities (proposals, payments, sign-ups, prospects), signed."""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.events_http import handle

wiring.start(events=wiring.events_secret)


@functions_framework.http
def events(request: flask.Request) -> flask.Response:
    return handle(request, wiring.entity_intake, wiring.events_secret())
