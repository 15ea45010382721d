"""HTTP: the console's settings (users, teams, hours, routing, flows, channels, …), admins only."""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.console_http import handle

wiring.start(console_api=wiring.console)


@functions_framework.http
def console_api(request: flask.Request) -> flask.Response:
    return handle(request, wiring.console, wiring.identity, wiring.inbox_origins())
