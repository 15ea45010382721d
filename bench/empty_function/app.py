"""Both empty functions in one WSGI app (`/empty/`, `/empty_event/`), served as functions_app serves ours.

The cost benchmark's floor: what gunicorn and functions-framework cost per
webhook call and per Pub/Sub push when the function does nothing.
"""

from pathlib import Path

from functions_framework import create_app
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

SOURCE = str(Path(__file__).with_name("main.py"))

app = DispatcherMiddleware(
    NotFound(),
    {
        "/empty": create_app(target="empty", source=SOURCE, signature_type="http"),
        "/empty_event": create_app(target="empty_event", source=SOURCE, signature_type="cloudevent"),
    },
)
