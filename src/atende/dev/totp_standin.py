"""A local stand-in for Identity Platform's TOTP second factor, in front of the Firebase Auth emulator.

The emulator (firebase-tools) only knows SMS as a second factor and refuses `totpEnrollmentInfo` and
`totpVerificationInfo`. This proxy sits on the port the browser and the functions use, answers exactly
the TOTP calls in Identity Platform's wire format and forwards everything else to the emulator as it is:

- `v2/accounts/mfaEnrollment:start` with `totpEnrollmentInfo`: a new shared secret (`totpSessionInfo`),
  for a confirmed e-mail address only (`UNVERIFIED_EMAIL` otherwise, as Identity Platform);
- `v2/accounts/mfaEnrollment:finalize` with `totpVerificationInfo`: checks the code, then enrols a phone
  factor with a made-up number on the emulator (its own SMS flow, code read from its verification-code
  list) and answers the emulator's tokens;
- `v2/accounts/mfaSignIn:finalize` with `totpVerificationInfo`: checks the code against that factor's
  secret, then completes the emulator's SMS sign-in underneath and answers its tokens;
- any emulator answer listing `mfaInfo` shows those phone factors as `totpInfo: {}`, so the SDK offers
  TOTP. Withdrawing a factor is the emulator's own call.

The secrets live in memory, as long as the emulator's accounts (it runs without import/export). Tokens
say `sign_in_second_factor: phone` where Identity Platform's say `totp`; nothing of ours reads it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from werkzeug.wrappers import Request, Response

PERIOD_S = 30
DIGITS = 6
# Identity Platform's totpProviderConfig.adjacentIntervals, as terraform/auth.tf sets it.
ADJACENT_INTERVALS = 5
ENROLMENT_WINDOW_S = 600  # how long a started enrolment may be finalized
V1 = "/identitytoolkit.googleapis.com/v1/"
V2 = "/identitytoolkit.googleapis.com/v2/accounts/"
KEY = {"key": "totp-stand-in"}  # the emulator wants an API key, any will do
# Headers each hop sets for itself (httpx decodes the body, so its encoding and length go too).
NOT_RELAYED = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-encoding",
    "content-length",
    "host",
    "accept-encoding",
}


def totp_code(secret: str, at: float, period_s: int = PERIOD_S, digits: int = DIGITS) -> str:
    """RFC 6238 (HMAC-SHA1) for a base32 secret, as authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at // period_s)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_matches(secret: str, code: str, at: float, adjacent_intervals: int) -> bool:
    """The code of the current 30-second step or of up to `adjacent_intervals` steps either side.

    Identity Platform's `totpProviderConfig.adjacentIntervals` means the same.
    """
    steps = range(-adjacent_intervals, adjacent_intervals + 1)
    return any(hmac.compare_digest(totp_code(secret, at + step * PERIOD_S), code.strip()) for step in steps)


def new_secret() -> str:
    """160 random bits in unpadded base32, the length Identity Platform hands out."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def token_claims(id_token: str) -> dict[str, Any]:
    """The payload of an emulator ID token (unsigned JWTs: nothing to verify)."""
    try:
        payload = id_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}


def pending_credential_claims(credential: str) -> dict[str, Any]:
    """The emulator's `mfaPendingCredential` is base64 JSON naming the user (`localId`) and `projectId`."""
    try:
        return json.loads(base64.b64decode(credential))
    except (ValueError, binascii.Error):
        return {}


def error(message: str, status: int = 400) -> Response:
    """Identity Platform's error body; the SDK maps `message` (e.g. INVALID_CODE) to its auth/ codes."""
    body = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": "global", "reason": "invalid"}],
    }
    return Response(json.dumps({"error": body}), status=status, content_type="application/json")


@dataclass(frozen=True)
class PendingEnrolment:
    uid: str
    secret: str
    expires_at: float


@dataclass(frozen=True)
class TotpFactor:
    uid: str
    secret: str


class TotpStandIn:
    """WSGI app: the TOTP calls answered here, the rest proxied to the emulator at `emulator_url`."""

    def __init__(self, emulator_url: str) -> None:
        self.emulator = httpx.Client(base_url=emulator_url, timeout=30)
        self._pending: dict[str, PendingEnrolment] = {}  # sessionInfo -> enrolment being set up
        self._factors: dict[str, TotpFactor] = {}  # the emulator's mfaEnrollmentId -> TOTP factor
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        body = self._json(request)
        call = request.path.removeprefix(V2) if request.path.startswith(V2) else ""
        totp = {
            "mfaEnrollment:start": ("totpEnrollmentInfo", self._start_enrolment),
            "mfaEnrollment:finalize": ("totpVerificationInfo", self._finalize_enrolment),
            "mfaSignIn:finalize": ("totpVerificationInfo", self._finalize_sign_in),
        }.get(call)
        if totp is None or totp[0] not in body:
            response = self._forward(request)
            if call == "mfaEnrollment:withdraw" and response.status_code == 200:
                with self._lock:
                    self._factors.pop(body.get("mfaEnrollmentId", ""), None)
            return response(environ, start_response)
        response = totp[1](body)
        origin = request.headers.get("Origin")
        if origin:  # as the emulator's cors({origin: true})
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response(environ, start_response)

    # -- the TOTP calls ---------------------------------------------------------------------------------

    def _start_enrolment(self, body: dict[str, Any]) -> Response:
        id_token = body.get("idToken", "")
        looked_up = self.emulator.post(f"{V1}accounts:lookup", params=KEY, json={"idToken": id_token})
        if looked_up.status_code != 200:
            return self._relay(looked_up)  # a missing, expired or revoked ID token
        user = looked_up.json()["users"][0]
        if not user.get("emailVerified"):  # Identity Platform enrols second factors for verified e-mails only
            return error("UNVERIFIED_EMAIL : Need to verify email first before enrolling second factors.")
        uid = user["localId"]
        session, secret = secrets.token_urlsafe(24), new_secret()
        expires_at = time.time() + ENROLMENT_WINDOW_S
        with self._lock:
            self._pending[session] = PendingEnrolment(uid, secret, expires_at)
        info = {
            "sharedSecretKey": secret,
            "verificationCodeLength": DIGITS,
            "hashingAlgorithm": "SHA1",
            "periodSec": PERIOD_S,
            "sessionInfo": session,
            "finalizeEnrollmentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at)),
        }
        return Response(json.dumps({"totpSessionInfo": info}), content_type="application/json")

    def _finalize_enrolment(self, body: dict[str, Any]) -> Response:
        id_token = body.get("idToken", "")
        verification = body["totpVerificationInfo"] or {}
        with self._lock:
            pending = self._pending.get(verification.get("sessionInfo", ""))
        if pending is None or pending.uid != token_claims(id_token).get("user_id"):
            return error("INVALID_SESSION_INFO")
        if time.time() > pending.expires_at:
            return error("SESSION_EXPIRED")
        if not code_matches(
            pending.secret,
            str(verification.get("verificationCode", "")),
            time.time(),
            ADJACENT_INTERVALS,
        ):
            return error("INVALID_CODE")
        phone = "+1555" + "".join(secrets.choice("0123456789") for _ in range(7))  # never dialled
        started = self._emulator_call(
            "mfaEnrollment:start", {"idToken": id_token, "phoneEnrollmentInfo": {"phoneNumber": phone}}
        )
        if started.status_code != 200:
            return self._relay(started)  # e.g. an ID token revoked meanwhile
        session = started.json()["phoneSessionInfo"]["sessionInfo"]
        finalized = self._emulator_call(
            "mfaEnrollment:finalize",
            {
                "idToken": id_token,
                "displayName": body.get("displayName"),
                "phoneVerificationInfo": {
                    "sessionInfo": session,
                    "code": self._sms_code(token_claims(id_token).get("aud", ""), session),
                },
            },
        )
        if finalized.status_code == 200:
            enrolment_id = token_claims(finalized.json()["idToken"])["firebase"]["second_factor_identifier"]
            with self._lock:
                self._pending.pop(verification["sessionInfo"], None)
                self._factors[enrolment_id] = TotpFactor(pending.uid, pending.secret)
        return self._relay(finalized)

    def _finalize_sign_in(self, body: dict[str, Any]) -> Response:
        pending_credential = body.get("mfaPendingCredential", "")
        enrolment_id = body.get("mfaEnrollmentId", "")
        with self._lock:
            factor = self._factors.get(enrolment_id)
        pending = pending_credential_claims(pending_credential)
        if factor is None or factor.uid != pending.get("localId"):
            return error("MFA_ENROLLMENT_NOT_FOUND")
        code = str((body["totpVerificationInfo"] or {}).get("verificationCode", ""))
        if not code_matches(factor.secret, code, time.time(), ADJACENT_INTERVALS):
            return error("INVALID_CODE")
        started = self._emulator_call(
            "mfaSignIn:start",
            {
                "mfaPendingCredential": pending_credential,
                "mfaEnrollmentId": enrolment_id,
                "phoneSignInInfo": {},
            },
        )
        if started.status_code != 200:
            return self._relay(started)
        session = started.json()["phoneResponseInfo"]["sessionInfo"]
        verification = {"sessionInfo": session, "code": self._sms_code(pending.get("projectId", ""), session)}
        return self._relay(
            self._emulator_call(
                "mfaSignIn:finalize",
                {"mfaPendingCredential": pending_credential, "phoneVerificationInfo": verification},
            )
        )

    # -- the emulator underneath ------------------------------------------------------------------------

    def _emulator_call(self, method: str, body: dict[str, Any]) -> httpx.Response:
        return self.emulator.post(f"{V2}{method}", params=KEY, json=body)

    def _sms_code(self, project: str, session: str) -> str:
        """The code the emulator 'sent' for `session`, from its list of verification codes."""
        listed = self.emulator.get(f"/emulator/v1/projects/{project}/verificationCodes").json()
        return next(c["code"] for c in listed["verificationCodes"] if c["sessionInfo"] == session)

    def _forward(self, request: Request) -> Response:
        answer = self.emulator.request(
            request.method,
            request.full_path if request.query_string else request.path,
            headers={k: v for k, v in request.headers.items() if k.lower() not in NOT_RELAYED},
            content=request.get_data(),
        )
        return self._relay(answer)

    def _relay(self, answer: httpx.Response) -> Response:
        content = answer.content
        if "json" in answer.headers.get("content-type", "") and b"mfaInfo" in content:
            content = json.dumps(self._as_totp(answer.json())).encode()
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in NOT_RELAYED]
        return Response(content, status=answer.status_code, headers=headers)

    def _as_totp(self, data: Any) -> Any:
        """Every `mfaInfo` entry that is one of our TOTP factors, as Identity Platform lists TOTP."""
        if isinstance(data, list):
            return [self._as_totp(item) for item in data]
        if not isinstance(data, dict):
            return data
        with self._lock:
            factors = set(self._factors)
        shown = {key: self._as_totp(value) for key, value in data.items()}
        if isinstance(data.get("mfaInfo"), list):
            shown["mfaInfo"] = [
                {
                    **{k: v for k, v in entry.items() if k not in ("phoneInfo", "unobfuscatedPhoneInfo")},
                    "totpInfo": {},
                }
                if entry.get("mfaEnrollmentId") in factors
                else entry
                for entry in data["mfaInfo"]
            ]
        return shown

    @staticmethod
    def _json(request: Request) -> dict[str, Any]:
        if request.method != "POST" or "json" not in (request.content_type or ""):
            return {}
        parsed = request.get_json(silent=True, cache=True)
        return parsed if isinstance(parsed, dict) else {}
