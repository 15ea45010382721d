"""TOTP second factor on the running stack, over Identity Platform's REST calls as the Firebase JS SDK
makes them (the Auth emulator behind the local TOTP stand-in): an agent enrols, then signing in needs
the code, a wrong code is refused, and inbox_api accepts the token the right code gives."""

from __future__ import annotations

import time

import pytest
from firebase_admin import auth

from atende.adapters.firebase_users import firebase_app
from atende.dev.auth_emulator import sign_in
from atende.dev.totp_standin import code_matches, token_claims, totp_code

pytestmark = pytest.mark.integration
KEY = {"key": "demo-api-key"}


def wrong_code(secret: str) -> str:
    """A code no clock skew makes right (the stand-in, like production, accepts 5 steps either side)."""
    code = int(totp_code(secret, time.time()))
    while code_matches(secret, f"{code:06d}", time.time(), 6):
        code = (code + 1) % 1_000_000
    return f"{code:06d}"


def test_an_agent_enrols_totp_and_then_needs_the_code_to_sign_in(stack, http, staff):
    ana = staff("agent", ["support"], name="Ana TOTP")
    v1 = f"{stack.auth_url}/identitytoolkit.googleapis.com/v1/accounts"
    v2 = f"{stack.auth_url}/identitytoolkit.googleapis.com/v2/accounts"

    def post(url: str, body: dict) -> dict:
        answer = http.post(url, params=KEY, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # Identity Platform enrols second factors for verified e-mails only
    unverified = http.post(
        f"{v2}/mfaEnrollment:start", params=KEY, json={"idToken": ana.id_token, "totpEnrollmentInfo": {}}
    )
    assert unverified.status_code == 400 and unverified.json()["error"]["message"].startswith(
        "UNVERIFIED_EMAIL"
    )
    auth.update_user(ana.uid, email_verified=True, app=firebase_app(stack.config.project))
    token = sign_in(stack.auth_url, ana.email, ana.password)

    info = post(f"{v2}/mfaEnrollment:start", {"idToken": token, "totpEnrollmentInfo": {}})["totpSessionInfo"]
    assert {k: info[k] for k in ("verificationCodeLength", "hashingAlgorithm", "periodSec")} == {
        "verificationCodeLength": 6,
        "hashingAlgorithm": "SHA1",
        "periodSec": 30,
    }
    secret, session = info["sharedSecretKey"], info["sessionInfo"]
    wrong = http.post(
        f"{v2}/mfaEnrollment:finalize",
        params=KEY,
        json={
            "idToken": token,
            "totpVerificationInfo": {"sessionInfo": session, "verificationCode": wrong_code(secret)},
        },
    )
    assert (wrong.status_code, wrong.json()["error"]["message"]) == (400, "INVALID_CODE")
    enrolled = post(
        f"{v2}/mfaEnrollment:finalize",
        {
            "idToken": token,
            "displayName": "Autenticador",
            "totpVerificationInfo": {
                "sessionInfo": session,
                "verificationCode": totp_code(secret, time.time()),
            },
        },
    )
    [factor] = post(f"{v1}:lookup", {"idToken": enrolled["idToken"]})["users"][0]["mfaInfo"]
    assert factor["totpInfo"] == {} and factor["displayName"] == "Autenticador" and "phoneInfo" not in factor

    # signing in again: the password alone is not enough
    first = post(
        f"{v1}:signInWithPassword", {"email": ana.email, "password": ana.password, "returnSecureToken": True}
    )
    assert "idToken" not in first
    assert [(f["mfaEnrollmentId"], f["totpInfo"]) for f in first["mfaInfo"]] == [
        (factor["mfaEnrollmentId"], {})
    ]

    def second_factor(code: str):
        body = {
            "mfaPendingCredential": first["mfaPendingCredential"],
            "mfaEnrollmentId": factor["mfaEnrollmentId"],
            "totpVerificationInfo": {"verificationCode": code},
        }
        return http.post(f"{v2}/mfaSignIn:finalize", params=KEY, json=body)

    refused = second_factor(wrong_code(secret))
    assert (refused.status_code, refused.json()["error"]["message"]) == (400, "INVALID_CODE")
    signed_in = second_factor(totp_code(secret, time.time()))
    assert signed_in.status_code == 200, signed_in.text
    mfa_token = signed_in.json()["idToken"]
    claims = token_claims(mfa_token)
    assert claims["firebase"]["second_factor_identifier"] == factor["mfaEnrollmentId"]
    assert claims["role"] == "agent"

    # inbox_api takes the token the second factor gave
    answer = http.post(
        f"{stack.functions_url}/inbox_api/availability",
        json={"availability": "busy"},
        headers={"Authorization": f"Bearer {mfa_token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["availability"] == "busy"

    # removing the factor: the password is enough again
    post(f"{v2}/mfaEnrollment:withdraw", {"idToken": mfa_token, "mfaEnrollmentId": factor["mfaEnrollmentId"]})
    assert sign_in(stack.auth_url, ana.email, ana.password)
