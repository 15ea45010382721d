"""What a web-chat visitor may do (docs/webchat.md): open or resume a session, send a message or a file,
report what they saw, leave a message when nobody can answer.

Every refusal is a `Refused` with a code the HTTP layer turns into a status, raised before anything is
stored or published; a message accepted is published on `atende-inbound` like a Meta webhook's, and the
rest of the pipeline does not know it came from a browser.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from atende.channels.webchat.inbound import (
    KINDS,
    KeptFile,
    Profile,
    VisitorMessage,
    extension,
    normalize,
    upload_prefix,
)
from atende.domain.events import StatusUpdate, Unpublishable, encode
from atende.domain.media import MB, SIGNATURES
from atende.domain.model import Channel, Visibility
from atende.domain.rate_limits import DAY, MINUTE, Limit, address_key, over
from atende.domain.site import Site, valid_site_key
from atende.domain.visitor import (
    IdentityClaim,
    IdentityRefused,
    Visitor,
    VisitorClaims,
    decide_visitor,
)
from atende.services.links import fresh_links
from atende.services.media import MediaStore
from atende.services.ports import EventPublisher
from atende.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UPLOAD_LIMITS = {"image/jpeg": 5 * MB, "image/png": 5 * MB, "image/webp": 5 * MB, "application/pdf": 10 * MB}
FILE_URL_TTL_S = 7 * 24 * 3600  # older links: the inbox and the widget ask `/links` (services/links.py)
AVAILABILITY_TTL_S = 30.0


class Refused(Exception):
    """Nothing was done; `code` says why (docs/webchat.md), `reason` is shown to the visitor (pt-BR)."""

    def __init__(self, code: str, reason: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.retry_after_s = retry_after_s


class Sites(Protocol):
    def get(self, key: str) -> Site | None: ...


class Visitors(Protocol):
    def get(self, site: str, visitor_id: str) -> Visitor | None: ...

    def save(self, visitor: Visitor) -> None:
        """Create the visitor, or update what they told and when they were last seen."""


class RateCounter(Protocol):
    def count(self, limits: Sequence[Limit], now: float) -> dict[Limit, int]:
        """Count one more of each, atomically across instances; the counts of the current windows."""


class TokenMinter(Protocol):
    def mint_visitor(self, visitor: VisitorClaims) -> str:
        """A Firebase custom token for the visitor's uid with the visitor's claims."""


@dataclass(frozen=True, kw_only=True)
class Session:
    token: str
    visitor: VisitorClaims


@dataclass(frozen=True, kw_only=True)
class Upload:
    path: str
    mime_type: str
    size: int


class WebChatService:
    def __init__(
        self,
        *,
        sites: Sites,
        visitors: Visitors,
        counter: RateCounter,
        tokens: TokenMinter,
        publisher: EventPublisher,
        media: MediaStore,
        uow: Callable[[], UnitOfWork],
        secret_for: Callable[[str], str],
        available: Callable[[], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sites = sites
        self._visitors = visitors
        self._counter = counter
        self._tokens = tokens
        self._publisher = publisher
        self._media = media
        self._uow = uow
        self._secret_for = secret_for
        self._available = available
        self._clock = clock
        self._availability: tuple[float, bool] | None = None

    # -- the site -------------------------------------------------------------------------------------------

    def site(self, key: str | None) -> Site:
        found = self._sites.get(key) if key and valid_site_key(key) else None
        if found is None:
            raise Refused("site_not_found", "Site não encontrado")
        return found

    def appearance(self, site: Site) -> dict[str, object]:
        return site.public(available=self._someone_available())

    def _someone_available(self) -> bool:
        now = self._clock()
        if self._availability is None or now - self._availability[0] > AVAILABILITY_TTL_S:
            try:
                self._availability = (now, self._available())
            except Exception:  # the widget can still open: it offers the offline form when unsure
                log.warning("web chat: availability unknown", exc_info=True)
                return False
        return self._availability[1]

    # -- the session ----------------------------------------------------------------------------------------

    def open_session(
        self,
        site: Site,
        ip: str,
        claim: IdentityClaim,
        profile: Profile,
        *,
        locale: str | None = None,
        resumed: VisitorClaims | None = None,
    ) -> Session:
        now = self._clock()
        self._limit(now, _ip_requests(site, ip), _ip_sessions(site, ip))
        try:
            claims, identity = decide_visitor(
                site=site.key,
                enforce=site.enforce_identity,
                require=site.require_identity,
                secret=self._secret_for(site.key) if claim.identifier else "",
                claim=claim,
                resumed=resumed,
            )
        except IdentityRefused as refused:
            log.info("web chat %s: session refused (%s)", site.key, refused.code)
            raise Refused(refused.code, refused.reason) from refused
        known = self._visitors.get(site.key, claims.visitor_id)
        visitor = known or Visitor(claims=claims, identity=identity)
        visitor = visitor.told(name=profile.name, email=profile.email, phone=profile.phone)
        self._visitors.save(_seen(visitor, now, locale))
        return Session(token=self._tokens.mint_visitor(claims), visitor=claims)

    # -- messages -------------------------------------------------------------------------------------------

    def post(self, site: Site, visitor: VisitorClaims, ip: str, message: VisitorMessage) -> str:
        """The id of the message as it will be stored, once it is published."""
        now = self._clock()
        self._limit(now, _ip_requests(site, ip), *_visitor_messages(site, visitor))
        return self._publish(site, visitor, message, now, self._visitors.get(site.key, visitor.visitor_id))

    def leave_message(
        self, site: Site, visitor: VisitorClaims, ip: str, profile: Profile, text: str, client_id: str | None
    ) -> str:
        """The offline form: kept on the contact, and the conversation handed to a person's queue."""
        now = self._clock()
        self._limit(now, _ip_requests(site, ip), *_visitor_messages(site, visitor))
        known = self._visitors.get(site.key, visitor.visitor_id) or Visitor(claims=visitor)
        told = _seen(known.told(name=profile.name, email=profile.email, phone=profile.phone), now)
        self._visitors.save(told)
        form = VisitorMessage(client_id=client_id or str(uuid.uuid4()), text=text, offline_form=True)
        return self._publish(site, visitor, form, now, told)

    def _publish(
        self, site: Site, visitor: VisitorClaims, message: VisitorMessage, now: float, known: Visitor | None
    ) -> str:
        event = normalize(
            visitor,
            message,
            now,
            profile=Profile(name=known.name, email=known.email, phone=known.phone) if known else Profile(),
            verified_identity=known.identity if known else None,
            greeted=bool(site.appearance.greeting.strip()),
        )
        try:
            encode(event)
        except Unpublishable as e:
            raise Refused("invalid_field", "Mensagem inválida") from e
        self._publisher.publish_all([event])
        return event.message_id

    def attachment(self, visitor: VisitorClaims, path: str) -> KeptFile:
        """A file this visitor uploaded (`/uploads`), by the path it was given; nobody else's."""
        prefix = upload_prefix(visitor)
        name = path[len(prefix) :] if path.startswith(prefix) else ""
        stem, _, ext = name.partition(".")
        mime = next((m for m in KINDS if extension(m) == f".{ext}"), None)
        if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem) or mime is None:
            raise Refused("invalid_field", "Anexo não encontrado: envie o arquivo novamente")
        return KeptFile(path=path, mime_type=mime, url=self._media.url(path, FILE_URL_TTL_S))

    # -- files ----------------------------------------------------------------------------------------------

    def upload(self, site: Site, visitor: VisitorClaims, ip: str, data: bytes, mime_type: str) -> Upload:
        limit = UPLOAD_LIMITS.get(mime_type)
        if limit is None:
            raise Refused("unsupported_type", "Envie uma imagem (JPEG, PNG, WebP) ou um PDF")
        if not data:
            raise Refused("invalid_field", "O arquivo está vazio")
        if len(data) > limit:
            raise Refused("too_large", f"Arquivo grande demais: o limite é {limit // MB} MB")
        if not SIGNATURES[mime_type](data):
            raise Refused("unsupported_type", "O conteúdo do arquivo não corresponde ao tipo informado")
        now = self._clock()
        self._limit(now, _ip_requests(site, ip), _visitor_uploads(site, visitor))
        path = f"{upload_prefix(visitor)}{uuid.uuid4().hex}{extension(mime_type)}"
        self._media.put(path, data, mime_type)
        return Upload(path=path, mime_type=mime_type, size=len(data))

    def links(
        self, site: Site, visitor: VisitorClaims, ip: str, message_ids: Sequence[str]
    ) -> dict[str, str]:
        """Fresh links to the files of the visitor's own public messages; any other id is left out."""
        self._limit(self._clock(), _ip_requests(site, ip))
        ids = list(dict.fromkeys(message_ids))
        with self._uow() as uow:
            uow.prefetch(messages=ids)
            messages = [m for i in ids if (m := uow.messages.get(i)) is not None]
        own = (
            m
            for m in messages
            if m.conversation_id == visitor.conversation_id and m.visibility == Visibility.PUBLIC
        )
        return fresh_links(own, self._media)

    # -- receipts -------------------------------------------------------------------------------------------

    def receipts(
        self, site: Site, visitor: VisitorClaims, ip: str, message_ids: Sequence[str], status: str
    ) -> int:
        """`delivered` or `read` for replies the visitor's widget showed; `message_status` applies them
        (forward only) and ignores any that is not of this visitor's conversation."""
        now = self._clock()
        self._limit(now, _ip_requests(site, ip))
        updates = [
            StatusUpdate(
                channel=Channel.WEBCHAT,
                account_id=site.key,
                provider_message_id=message_id,
                message_id=message_id,
                status=status,
                timestamp=now,
                recipient_id=visitor.visitor_id,
            )
            for message_id in dict.fromkeys(message_ids)
        ]
        self._publisher.publish_all(updates)
        return len(updates)

    # -- helpers --------------------------------------------------------------------------------------------

    def _limit(self, now: float, *limits: Limit) -> None:
        refused = over(self._counter.count(limits, now), now)
        if refused is not None:
            raise Refused(
                "rate_limited",
                "Muitas mensagens em pouco tempo; aguarde um instante",
                retry_after_s=refused.retry_after_s,
            )


def _seen(visitor: Visitor, now: float, locale: str | None = None) -> Visitor:
    return replace(visitor, last_seen_at=now, locale=locale or visitor.locale)


def _ip_requests(site: Site, ip: str) -> Limit:
    return Limit(f"ip:{address_key(ip)}:requests", site.rate_limits.requests_per_minute_per_ip, MINUTE)


def _ip_sessions(site: Site, ip: str) -> Limit:
    return Limit(f"ip:{address_key(ip)}:sessions", site.rate_limits.sessions_per_minute_per_ip, MINUTE)


def _visitor_messages(site: Site, visitor: VisitorClaims) -> tuple[Limit, Limit]:
    key = f"visitor:{site.key}:{visitor.visitor_id}:messages"
    return (
        Limit(key, site.rate_limits.messages_per_minute, MINUTE),
        Limit(key, site.rate_limits.messages_per_day, DAY),
    )


def _visitor_uploads(site: Site, visitor: VisitorClaims) -> Limit:
    key = f"visitor:{site.key}:{visitor.visitor_id}:uploads"
    return Limit(key, site.rate_limits.messages_per_minute, MINUTE)
