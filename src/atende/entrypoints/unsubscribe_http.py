"""Flask ⇄ the `unsubscribe` function, where follow-up e-mails' links land.

`GET ?e=…&s=…` shows a confirmation button (mail scanners follow links, people press buttons); `POST` to
the same URL (the button, or a mail client's one-click List-Unsubscribe-Post, RFC 8058) stops follow-up
e-mail to that address. Only a link we signed (`services/unsubscribe.py`) does anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

import flask

from atende.services.entities import EntityIntake
from atende.services.unsubscribe import UnsubscribeLinks

log = logging.getLogger(__name__)


def handle(
    request: flask.Request, intake: Callable[[], EntityIntake], links: Callable[[], UnsubscribeLinks]
) -> flask.Response:
    encoded, signed = request.args.get("e", ""), request.args.get("s", "")
    address = links().verified(encoded, signed)
    if address is None:
        return _page(400, "Link inválido", "Este link de descadastro não é válido.")
    if request.method == "GET":
        action = escape(f"?e={encoded}&s={signed}", quote=True)
        return _page(
            200,
            "Cancelar e-mails",
            f"Não receber mais e-mails de acompanhamento em <b>{escape(address)}</b>?"
            f'<form method="post" action="{action}"><button type="submit">Sim, cancelar</button></form>',
        )
    intake().unsubscribe(address)
    log.info("unsubscribe: unsubscribed an address from e-mail")
    return _page(200, "Pronto", f"Você não receberá mais nossos e-mails em <b>{escape(address)}</b>.")


def _page(status: int, title: str, body: str) -> flask.Response:
    html = (
        f'<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>{title}</title>'
        f"<body><h1>{title}</h1><p>{body}</p></body></html>"
    )
    return flask.Response(html, status=status, content_type="text/html; charset=utf-8")
