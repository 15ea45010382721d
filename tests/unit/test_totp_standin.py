"""The local TOTP stand-in's checks: RFC 6238 codes, the accepted window, and the refusals that need no
emulator (the whole flow runs against the emulator in tests/integration/test_totp_mfa.py)."""

from __future__ import annotations

import base64

from werkzeug.test import Client

from atende.dev.totp_standin import TotpStandIn, code_matches, new_secret, totp_code
from tests.auth_tokens import id_token

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA1
FINALIZE = "/identitytoolkit.googleapis.com/v2/accounts/mfaEnrollment:finalize"
SIGN_IN = "/identitytoolkit.googleapis.com/v2/accounts/mfaSignIn:finalize"
TOKEN = id_token("demo-atende", "ana")


def test_codes_are_the_rfc_6238_test_vectors():
    assert [totp_code(RFC_SECRET, t) for t in (59, 1111111109, 1234567890, 2000000000)] == [
        "287082",
        "081804",
        "005924",
        "279037",
    ]


def test_a_code_is_good_for_five_steps_either_side_and_no_longer():
    secret, now = new_secret(), 1_800_000_000
    assert code_matches(secret, totp_code(secret, now), now, 5)
    assert code_matches(secret, totp_code(secret, now - 150), now, 5)
    assert code_matches(secret, totp_code(secret, now + 150), now, 5)
    assert not code_matches(secret, totp_code(secret, now - 180), now, 5)
    assert not code_matches(secret, totp_code(secret, now + 180), now, 5)
    assert not code_matches(secret, "", now, 5)


def test_a_secret_is_160_bits_of_unpadded_base32():
    secret = new_secret()
    assert len(secret) == 32 and "=" not in secret
    assert len(base64.b32decode(secret)) == 20


def standin() -> Client:
    return Client(TotpStandIn("http://127.0.0.1:9"))  # these checks come before any call to the emulator


def test_finalizing_an_enrolment_nobody_started_is_refused():
    body = {
        "idToken": TOKEN,
        "totpVerificationInfo": {"sessionInfo": "made-up", "verificationCode": "123456"},
    }
    answer = standin().post(FINALIZE, json=body)
    assert (answer.status_code, answer.get_json()["error"]["message"]) == (400, "INVALID_SESSION_INFO")


def test_an_unknown_factor_cannot_be_signed_in_with():
    body = {
        "mfaPendingCredential": "e30=",
        "mfaEnrollmentId": "x",
        "totpVerificationInfo": {"verificationCode": "1"},
    }
    answer = standin().post(SIGN_IN, json=body, headers={"Origin": "http://127.0.0.1:5173"})
    assert (answer.status_code, answer.get_json()["error"]["message"]) == (400, "MFA_ENROLLMENT_NOT_FOUND")
    assert answer.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
