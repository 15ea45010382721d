"""Who a web-chat visitor is: an anonymous id, or an identity the site proved with its secret.

A site with logged-in customers signs each customer's identifier (an e-mail, a phone in E.164 or a CPF)
with HMAC-SHA256 and its secret, on its own server; the widget passes both. A matching hash (compared in
constant time) makes the visitor *verified*: their visitor id derives from the identifier, so every device
of that customer resumes the same conversation, and their contact is linked through the identifier, so
history and the ERP lookup span channels. Anything else is anonymous, with a random id that only the
token minted for it can name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass, replace

from atende.domain import cpf
from atende.domain.contacts import identity_key
from atende.domain.model import Channel, conversation_doc_id
from atende.domain.phone import to_e164

ANONYMOUS_ID_CHARS = 22  # 131 bits from [A-Za-z0-9]: unguessable, and plain in document ids
VERIFIED_PREFIX = "v-"
VERIFIED_ID_CHARS = 22  # of base32(HMAC-SHA256): 110 bits
_ALPHABET = string.ascii_letters + string.digits
_EMAIL = re.compile(r"^[^@\s/]{1,64}@[^@\s/]{1,255}\.[^@\s/.]{2,63}$")  # keys are document ids: no '/'
_HEX_HASH = re.compile(r"^[0-9a-fA-F]{64}$")
VISITOR_ID = re.compile(rf"^([A-Za-z0-9]{{{ANONYMOUS_ID_CHARS}}}|v-[a-z2-7]{{{VERIFIED_ID_CHARS}}})$")
MAX_IDENTIFIER_CHARS = 320


class IdentityRefused(Exception):
    """The session may not be opened under what the page claimed; `reason` is shown (pt-BR)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def anonymous_visitor_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ANONYMOUS_ID_CHARS))


def identity_hash(secret: str, identifier: str) -> str:
    """What the site's server computes: hex HMAC-SHA256 of the identifier, with the site's secret."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def hash_matches(secret: str, identifier: str, given: str) -> bool:
    """Constant time, whatever the given hash (wrong length, not hex): never a hint of how close it was."""
    if not secret:
        return False
    expected = identity_hash(secret, identifier).encode()
    candidate = given.strip().lower().encode() if _HEX_HASH.fullmatch(given.strip()) else b""
    return hmac.compare_digest(expected, candidate)


def verified_visitor_id(secret: str, identifier: str) -> str:
    """The same for every session of one identifier on one site; says nothing of the identifier.

    Keyed by the site's secret under a label of its own, so it is not the hash the page holds."""
    digest = hmac.new(secret.encode(), b"atende-visitor\x1f" + identifier.encode(), hashlib.sha256).digest()
    return VERIFIED_PREFIX + base64.b32encode(digest).decode().lower()[:VERIFIED_ID_CHARS]


def contact_identity(identifier: str) -> str | None:
    """The contact identity key a verified identifier proves: `email:`, `phone:+E164` or `cpf:<digits>`.

    A phone must be written with its country code (`+55…`), so it is never taken for a CPF; any other
    identifier (the site's own user id) verifies the visitor but links no contact."""
    text = identifier.strip()
    if _EMAIL.fullmatch(text):
        return identity_key("email", text)
    if text.startswith("+"):
        phone = to_e164(text)
        return f"phone:{phone}" if phone else None
    if cpf.is_valid(text) and re.fullmatch(r"[\d.\-\s]+", text):
        return f"cpf:{cpf.digits(text)}"
    return None


@dataclass(frozen=True, kw_only=True)
class VisitorClaims:
    """The custom token's claims: what `firestore.rules` and every later request trust."""

    site: str
    visitor_id: str
    verified: bool

    @property
    def conversation_id(self) -> str:
        return conversation_doc_id(Channel.WEBCHAT, self.site, self.visitor_id)

    @property
    def uid(self) -> str:
        return f"wc:{self.site}:{self.visitor_id}"

    def as_token_claims(self) -> dict[str, object]:
        return {
            "site": self.site,
            "visitorId": self.visitor_id,
            "conversationId": self.conversation_id,
            "verified": self.verified,
        }

    @classmethod
    def from_token(cls, uid: str, claims: dict[str, object]) -> VisitorClaims | None:
        """None unless the token is a visitor's and every claim agrees with the others (and the uid)."""
        site, visitor_id = claims.get("site"), claims.get("visitorId")
        if (
            not isinstance(site, str)
            or not isinstance(visitor_id, str)
            or not VISITOR_ID.fullmatch(visitor_id)
        ):
            return None
        found = cls(site=site, visitor_id=visitor_id, verified=claims.get("verified") is True)
        if uid != found.uid or claims.get("conversationId") != found.conversation_id:
            return None
        if found.verified != visitor_id.startswith(VERIFIED_PREFIX):
            return None
        return found


@dataclass(frozen=True, kw_only=True)
class IdentityClaim:
    """What the page said about its visitor at `POST /session`."""

    identifier: str | None = None
    identifier_hash: str | None = None


def decide_visitor(
    *,
    site: str,
    enforce: bool,
    require: bool,
    secret: str,
    claim: IdentityClaim,
    resumed: VisitorClaims | None,
) -> tuple[VisitorClaims, str | None]:
    """Who this session is, and the contact identity it proves (None when anonymous or not linkable).

    A hash that does not match is always refused; an identifier without a hash is refused where the site
    enforces identity (and ignored elsewhere: the visitor stays anonymous, never under that identity); a
    site that requires identity opens no anonymous session. A resumed anonymous session keeps its id."""
    identifier = (claim.identifier or "").strip()
    if len(identifier) > MAX_IDENTIFIER_CHARS:
        raise IdentityRefused("identity_refused", "Identificação inválida")
    if identifier and claim.identifier_hash:
        if not hash_matches(secret, identifier, claim.identifier_hash):
            raise IdentityRefused("identity_refused", "Não foi possível confirmar sua identidade")
        visitor = VisitorClaims(site=site, visitor_id=verified_visitor_id(secret, identifier), verified=True)
        return visitor, contact_identity(identifier)
    if identifier and enforce:
        raise IdentityRefused("identity_refused", "Este site exige identificação confirmada")
    if require:
        raise IdentityRefused("identity_required", "Entre na sua conta no site para conversar conosco")
    if resumed is not None and resumed.site == site and not resumed.verified:
        return resumed, None
    return VisitorClaims(site=site, visitor_id=anonymous_visitor_id(), verified=False), None


@dataclass(frozen=True, kw_only=True)
class Visitor:
    """A visitor as the `visitors` collection keeps them: who they are to the site, and what they told."""

    claims: VisitorClaims
    identity: str | None = None  # the contact identity key the site proved (verified visitors only)
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    last_seen_at: float = 0.0

    @property
    def doc_id(self) -> str:
        return doc_id(self.claims.site, self.claims.visitor_id)

    def told(self, *, name: str | None, email: str | None, phone: str | None) -> Visitor:
        """What a form added; what they said before stays unless they say something new."""
        return replace(self, name=name or self.name, email=email or self.email, phone=phone or self.phone)


def doc_id(site: str, visitor_id: str) -> str:
    """`visitors/{site}_{visitorId}`: the visitor id alone is not unique across sites."""
    return f"{site}_{visitor_id}"
