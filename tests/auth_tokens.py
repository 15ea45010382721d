"""Firebase ID tokens as the Auth emulator issues them (unsigned), for tests that act as a signed-in person.

The Firestore emulator and firebase-admin (with FIREBASE_AUTH_EMULATOR_HOST set) accept them, so rules
and `inbox_api` can be tested per role without creating users.
"""

from __future__ import annotations

import base64
import json
import time


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def id_token(project: str, uid: str, **claims: object) -> str:
    now = int(time.time())
    body = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "password", "identities": {}},
        **claims,
    }
    return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(body) + "."


def bearer(project: str, uid: str, **claims: object) -> dict[str, str]:
    return {"Authorization": "Bearer " + id_token(project, uid, **claims)}
