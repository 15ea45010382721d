"""HTTP: the console's reports, live board and channel health, each checked against the caller's token."""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.reports_http import handle

wiring.start(reports_api=wiring.report_services)


@functions_framework.http
def reports_api(request: flask.Request) -> flask.Response:
    return handle(request, wiring.report_services(), wiring.inbox_origins())
