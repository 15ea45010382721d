"""MediaSource for Meta's platforms: WhatsApp's media protocol, Messenger/Instagram CDN links, size caps.

WhatsApp sends a media id: it is resolved through the Graph API (with the
account's token) to a short-lived URL, downloaded with the same token.
Messenger and Instagram send a CDN URL that needs no token. Either way only
Meta's hosts are fetched (no SSRF through a webhook), and a download stops as
soon as it passes the size the platform allows for the kind.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from atende.channels.meta.errors import no_token_text, rule
from atende.channels.meta.graph import GraphClient, GraphError
from atende.channels.meta.senders import Tokens, token_for
from atende.domain.errors import MediaFailed, MediaTooLarge, MissingCredentials
from atende.services.channel_ports import MediaFile

META_MEDIA_HOSTS = (
    "fbcdn.net",
    "fbsbx.com",
    "facebook.com",
    "cdninstagram.com",
    "whatsapp.net",
    "instagram.com",
)


class MetaMediaSource:
    def __init__(
        self, graph: GraphClient, tokens: Tokens, allowed_hosts: tuple[str, ...] = META_MEDIA_HOSTS
    ) -> None:
        self._graph = graph
        self._tokens = tokens
        self._allowed_hosts = allowed_hosts

    def download(
        self, channel: str, account_id: str, *, media_id: str | None, url: str | None, max_bytes: int
    ) -> MediaFile:
        try:
            token, mime = None, None
            if media_id:  # WhatsApp: id -> short-lived URL, downloaded with the same token
                token = token_for(self._tokens, channel, account_id)
                info = self._graph.get(media_id, token)
                url, mime = info.get("url"), info.get("mime_type")
                declared = int(info.get("file_size") or 0)
                if declared > max_bytes:
                    raise MediaTooLarge(f"{declared} bytes")
                if not url:
                    raise MediaFailed(True, "a resposta da Meta não trouxe a URL do arquivo")
            host = (urlsplit(str(url)).hostname or "").lower()
            if not any(host == h or host.endswith("." + h) for h in self._allowed_hosts):
                raise MediaFailed(False, f"endereço de mídia fora da Meta ({host or url})")
            data, content_type = self._graph.download(str(url), token, max_bytes)
        except MissingCredentials as missing:
            raise MediaFailed(False, no_token_text(missing)) from missing
        except GraphError as error:
            raise MediaFailed(rule(channel, error).retry, error.message) from error
        return MediaFile(data, mime or content_type)
