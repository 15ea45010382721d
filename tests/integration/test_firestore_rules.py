"""firestore.rules from a user's point of view: REST calls as signed-in roles against the emulator.

The Python client always acts as the admin identity (it bypasses rules), so
these requests go over REST with the unsigned tokens the emulator accepts.
"""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.integration


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def as_role(project: str, role: str | None) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": f"user-{role}",
        "user_id": f"user-{role}",
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }
    if role:
        claims["role"] = role
    return {"Authorization": "Bearer " + _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + "."}


@pytest.fixture(scope="module")
def rest(stack, firestore_db):
    project = stack.config.project
    base = (
        f"http://{stack.env['FIRESTORE_EMULATOR_HOST']}/v1/projects/{project}/databases/(default)/documents"
    )
    seeded = uuid.uuid4().hex
    for collection in (
        "conversations",
        "messages",
        "contacts",
        "ia_logs",
        "config",
        "flows",
        "channels",
        "contact_identities",
    ):
        firestore_db.collection(collection).document(seeded).set({"x": 1})

    def call(
        method: str, collection: str, role: str | None, doc: str = seeded, body: dict | None = None
    ) -> int:
        headers = as_role(project, role) if role != "anonymous" else {}
        url = f"{base}/{collection}/{doc}"
        return httpx.request(method, url, headers=headers, json=body, timeout=10).status_code

    return call


READS = [
    # collection, role, allowed?
    ("conversations", "agent", True),
    ("conversations", "supervisor", True),
    ("conversations", "admin", True),
    ("conversations", "anonymous", False),
    ("conversations", None, False),
    ("messages", "agent", True),
    ("messages", None, False),
    ("contacts", "agent", True),
    ("contacts", "anonymous", False),
    ("ia_logs", "admin", True),
    ("ia_logs", "supervisor", False),
    ("ia_logs", "agent", False),
    ("config", "agent", True),
    ("config", "anonymous", False),
    ("flows", "supervisor", True),
    ("flows", None, False),
    ("channels", "admin", True),
    ("channels", "agent", False),
    ("contact_identities", "admin", False),
    ("contact_identities", "agent", False),
]


@pytest.mark.parametrize(("collection", "role", "allowed"), READS)
def test_who_may_read_what(rest, collection, role, allowed):
    assert rest("GET", collection, role) == (200 if allowed else 403)


WRITE = {"fields": {"defaultThreshold": {"doubleValue": 0.8}}}


@pytest.mark.parametrize(
    ("collection", "role", "allowed"),
    [
        ("config", "admin", True),
        ("config", "supervisor", False),
        ("config", "agent", False),
        ("flows", "admin", True),
        ("flows", "agent", False),
        ("messages", "agent", False),
        ("messages", "admin", False),  # messages are written by the functions only
        ("conversations", "agent", False),
        ("ia_logs", "admin", False),
        ("contacts", "anonymous", False),
    ],
)
def test_who_may_write_what(rest, collection, role, allowed):
    assert rest("PATCH", collection, role, doc=f"w-{uuid.uuid4().hex}", body=WRITE) == (
        200 if allowed else 403
    )
