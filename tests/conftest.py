"""Shared fixtures.

`stack` starts the real Firestore, Pub/Sub and Auth emulators, the functions and the inbox server
once per test session, through the same code as `make dev`, on free ports. `staff` creates a signed-in
user with a role and teams.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def stack() -> Iterator[object]:
    from atende.dev import prereqs
    from atende.dev.stack import Stack, StackConfig

    problems = prereqs.missing()
    if problems and not os.environ.get("CI"):
        pytest.skip("local stack unavailable: " + "; ".join(problems))
    config = StackConfig.on_free_ports(
        "demo-atende-test",
        # ATENDE_CONFIG_TTL_S: a setting changed through console_api reaches ai_reply within a second.
        extra_env={"OUTBOUND_BACKOFF_S": "0.05", "GRAPH_READ_TIMEOUT_S": "3", "ATENDE_CONFIG_TTL_S": "1"},
        sweep_interval_s=2,  # the send sweeper's tick (a minute in `make dev` and in production)
    )
    os.environ.pop("GRAPH_API_BASE_URL", None)
    with Stack(config) as running:
        yield running


@pytest.fixture(scope="session")
def firestore_db(stack):
    from google.cloud import firestore

    return firestore.Client(project=stack.config.project)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


@dataclass(frozen=True)
class Staff:
    uid: str
    email: str
    password: str
    id_token: str


@pytest.fixture(scope="session")
def staff(stack, firestore_db) -> Callable[..., Staff]:
    """`staff("agent", ["support"], capacity=3)`: a new user with those claims and a fresh ID token."""
    from atende.adapters.firebase_users import staff_accounts
    from atende.dev.auth_emulator import sign_in

    accounts = staff_accounts(stack.config.project, firestore_db)
    serial = itertools.count(1)

    def create(role: str, teams: list[str], capacity: int = 3, name: str | None = None) -> Staff:
        n = next(serial)
        email, password = f"{role}{n}-{os.getpid()}@test.atende.dev", "test-password"
        profile = accounts.create(email, password, name or f"{role.title()} {n}", role, teams, capacity)
        return Staff(profile.uid, email, password, sign_in(stack.auth_url, email, password))

    return create
