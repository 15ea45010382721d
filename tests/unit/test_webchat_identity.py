"""Who a web-chat visitor is (domain/visitor.py) and what a site allows (domain/site.py): the HMAC rules,
the derived ids, the token claims the rules trust, and a site document an admin got wrong."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from atende.adapters.firestore import sites as site_doc
from atende.domain.site import Site
from atende.domain.visitor import (
    VISITOR_ID,
    IdentityClaim,
    IdentityRefused,
    VisitorClaims,
    anonymous_visitor_id,
    contact_identity,
    decide_visitor,
    hash_matches,
    identity_hash,
    verified_visitor_id,
)

SECRET = "segredo-do-site"


def test_the_hash_is_the_hex_hmac_sha256_a_site_computes_with_any_library():
    expected = hmac.new(SECRET.encode(), b"maria@exemplo.com", hashlib.sha256).hexdigest()
    assert identity_hash(SECRET, "maria@exemplo.com") == expected
    assert hash_matches(SECRET, "maria@exemplo.com", expected)
    assert hash_matches(SECRET, "maria@exemplo.com", expected.upper())  # hex in either case


@pytest.mark.parametrize(
    "given",
    ["", "nothex", "ab" * 31, "ab" * 33, identity_hash("outro", "maria@exemplo.com"), "ã" * 64],
)
def test_anything_but_the_exact_hash_is_refused(given):
    assert not hash_matches(SECRET, "maria@exemplo.com", given)


def test_no_secret_verifies_nobody():
    assert not hash_matches("", "maria@exemplo.com", identity_hash("", "maria@exemplo.com"))


def test_a_verified_id_is_stable_per_identifier_and_site_secret_and_reveals_neither():
    one = verified_visitor_id(SECRET, "maria@exemplo.com")
    assert one == verified_visitor_id(SECRET, "maria@exemplo.com")
    assert one != verified_visitor_id(SECRET, "joao@exemplo.com")
    assert one != verified_visitor_id("outro-site", "maria@exemplo.com")
    assert VISITOR_ID.fullmatch(one) and one.startswith("v-") and "maria" not in one
    assert identity_hash(SECRET, "maria@exemplo.com")[:22] not in one  # not the hash the page holds


def test_anonymous_ids_are_random_plain_and_never_look_verified():
    ids = {anonymous_visitor_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(VISITOR_ID.fullmatch(i) and not i.startswith("v-") and i.isalnum() for i in ids)


@pytest.mark.parametrize(
    ("identifier", "key"),
    [
        ("Maria@Exemplo.com", "email:maria@exemplo.com"),
        ("+55 (11) 8765-4321", "phone:+5511987654321"),  # the ninth digit, as WhatsApp's contacts
        ("111.444.777-35", "cpf:11144477735"),
        ("11144477735", "cpf:11144477735"),
        ("11144477736", None),  # wrong check digits: not a CPF, and no "+": not a phone
        ("cliente-8731", None),  # the site's own user id verifies the visitor, links no contact
        ("a/b@exemplo.com", None),  # never a '/' in a document id
    ],
)
def test_a_proven_identifier_links_the_contact_by_its_kind(identifier, key):
    assert contact_identity(identifier) == key


def test_the_token_claims_must_agree_with_each_other_and_the_uid():
    claims = VisitorClaims(site="loja", visitor_id=anonymous_visitor_id(), verified=False)
    token = claims.as_token_claims()
    assert VisitorClaims.from_token(claims.uid, token) == claims
    assert token["conversationId"] == f"webchat_loja_{claims.visitor_id}"
    assert VisitorClaims.from_token("wc:loja:other", token) is None
    assert VisitorClaims.from_token(claims.uid, {**token, "conversationId": "webchat_loja_x"}) is None
    assert VisitorClaims.from_token(claims.uid, {**token, "verified": True}) is None  # not a v- id
    assert VisitorClaims.from_token(claims.uid, {"role": "admin"}) is None  # a staff token


def test_a_resumed_session_keeps_its_visitor_only_on_its_own_site_and_while_anonymous():
    mine = VisitorClaims(site="loja", visitor_id=anonymous_visitor_id(), verified=False)
    decide = dict(enforce=False, require=False, secret=SECRET, claim=IdentityClaim())
    assert decide_visitor(site="loja", resumed=mine, **decide)[0] == mine
    assert decide_visitor(site="banco", resumed=mine, **decide)[0].visitor_id != mine.visitor_id
    proven = VisitorClaims(site="loja", visitor_id=verified_visitor_id(SECRET, "x@y.com"), verified=True)
    assert decide_visitor(site="loja", resumed=proven, **decide)[0].verified is False  # logged out: anonymous


def test_an_identifier_too_long_is_refused():
    with pytest.raises(IdentityRefused):
        decide_visitor(
            site="loja",
            enforce=False,
            require=False,
            secret=SECRET,
            claim=IdentityClaim(identifier="x" * 400, identifier_hash="00"),
            resumed=None,
        )


def test_a_site_keeps_only_exact_origins_and_an_unusable_document_is_no_site():
    site = site_doc.from_doc(
        "loja",
        {"origins": ["https://loja.example", "https://*.loja.example", "https://loja.example/", "*"]},
    )
    assert site is not None and site.origins == ("https://loja.example",)
    assert site.allows("https://loja.example") and not site.allows(None)
    assert site_doc.from_doc("loja", {"origins": "https://loja.example"}) is None
    assert site_doc.from_doc("loja", {"appearance": {"primaryColor": "red"}}) is None
    assert site_doc.from_doc(
        "loja", {**Site(key="loja", origins=("https://loja.example",)).document()}
    ) == Site(key="loja", origins=("https://loja.example",))
