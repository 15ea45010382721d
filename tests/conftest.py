"""Shared fixtures.

`stack` starts the real Firestore and Pub/Sub emulators and the functions once
per test session, through the same code as `make dev`, on free ports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
        extra_env={
            "OUTBOUND_BACKOFF_S": "0.05",
            "GRAPH_READ_TIMEOUT_S": "3",
            "FIREBASE_AUTH_EMULATOR_HOST": os.environ.get("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099"),
            "INBOX_ORIGINS": "http://inbox.test",
        },
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
