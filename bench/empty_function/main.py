"""The baseline: an empty functions-framework HTTP function, served exactly like ours."""

import flask
import functions_framework


@functions_framework.http
def empty(request: flask.Request) -> str:
    request.get_data()
    return "ok"
