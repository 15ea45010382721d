"""The baselines: empty functions-framework functions, served exactly like ours.

`empty` is an HTTP function (the webhook's baseline); `empty_event` is a
CloudEvent function, the baseline for a Pub/Sub push: the emulator's push,
functions-framework's CloudEvent conversion, and no work of ours.
"""

import flask
import functions_framework
from cloudevents.http import CloudEvent


@functions_framework.http
def empty(request: flask.Request) -> str:
    request.get_data()
    return "ok"


@functions_framework.cloud_event
def empty_event(cloud_event: CloudEvent) -> None:
    return None
