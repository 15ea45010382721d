"""Follow-up e-mail through SendGrid's v3 API (the `sendgrid` client); `host` points it at the local
stand-in in `make dev` and the tests (`atende.dev.sendgrid_standin`)."""

from __future__ import annotations

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Category, Content, Header, Mail

from atende.services.followups import Mail as FollowupMail
from atende.services.followups import MailFailed


class SendGridMailer:
    def __init__(self, api_key: str, host: str, sender: str) -> None:
        self._client = SendGridAPIClient(api_key=api_key, host=host)
        self._sender = sender

    def send(self, mail: FollowupMail) -> str:
        message = Mail(from_email=self._sender, to_emails=mail.to, subject=mail.subject)
        message.add_content(Content("text/plain", mail.text))
        message.add_content(Content("text/html", mail.html))
        message.add_category(Category(mail.category))
        # RFC 8058 one-click unsubscribe: mail clients show their own button, which POSTs to our link
        message.add_header(Header("List-Unsubscribe", f"<{mail.unsubscribe_url}>"))
        message.add_header(Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        try:
            response = self._client.send(message)
        except HTTPError as exc:
            raise MailFailed(f"SendGrid {exc.status_code}: {exc.body!r:.300}") from exc
        except OSError as exc:  # unreachable or timed out: it may have gone, so it is never re-sent
            raise MailFailed(f"SendGrid unreachable: {exc}") from exc
        return str(response.headers.get("X-Message-Id") or "")
