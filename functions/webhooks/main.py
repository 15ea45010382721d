"""Meta webhook HTTP functions: verify, publish to Pub/Sub, acknowledge.

Deliberately light: no Firestore, no google-genai (cold start).
"""

import flask
import functions_framework

from atende import wiring
from atende.entrypoints.http import handle

wiring.start(
    webhook_whatsapp=wiring.whatsapp_receiver,
    webhook_messenger=wiring.messenger_receiver,
    webhook_instagram=wiring.instagram_receiver,
)


@functions_framework.http
def webhook_whatsapp(request: flask.Request) -> flask.Response:
    return handle(wiring.whatsapp_receiver(), request)


@functions_framework.http
def webhook_messenger(request: flask.Request) -> flask.Response:
    return handle(wiring.messenger_receiver(), request)


@functions_framework.http
def webhook_instagram(request: flask.Request) -> flask.Response:
    return handle(wiring.instagram_receiver(), request)
