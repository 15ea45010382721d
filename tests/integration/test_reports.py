"""Reports on the real Firestore emulator: a history written through the real services (inbound, inbox,
the tick's idle close) is counted as worked out by hand, a redelivery adds nothing, and `reports_api` on the
running stack shows each supervisor their own teams' figures only and refuses agents.

The figures are checked in a project of its own on the emulator: the stack's tick closes the bot's idle
conversations of its own project as they come (at today's date), which would move the history's automatic
resolutions. The history `reports_api` reads is written to the stack's project, dated March 2026 so the
counters the other tests' traffic writes (dated today) never mix with it; there only what the tick cannot
change is checked.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import httpx
import pytest
from google.cloud import firestore

from atende.adapters.firestore.report_readers import FirestoreReportReader
from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.domain.model import Role
from atende.domain.staff import Actor
from atende.services.reports import Reports
from tests.report_history import DAY1, History, agent, seed

pytestmark = pytest.mark.integration
ADMIN = Actor(uid="admin", role=Role.ADMIN)
PERIOD = {"from": "2026-03-10", "to": "2026-03-13"}


@pytest.fixture(scope="module")
def own_db(stack) -> firestore.Client:
    return firestore.Client(project=f"demo-atende-reports-{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def reader(own_db) -> FirestoreReportReader:
    seed(History(lambda: FirestoreUnitOfWork(own_db)), agent("ana-reports", "support"))
    return FirestoreReportReader(own_db)


@pytest.fixture(scope="module")
def history(firestore_db) -> History:
    """The same history in the stack's project, for `reports_api`."""
    h = History(lambda: FirestoreUnitOfWork(firestore_db))
    seed(h, agent("ana-reports", "support"))
    return h


def test_the_seeded_history_counts_as_worked_out_by_hand(reader):
    reports = Reports(lambda: reader, today=lambda: date(2026, 3, 13))
    total = reports.report(ADMIN, first_day=PERIOD["from"], last_day=PERIOD["to"], by="day").total().summary()
    assert (total["in"], total["outBot"], total["outPeople"], total["opened"]) == (3, 3, 2, 3)
    assert (total["handoffs"], total["handoffReasons"]["explicitRequest"], total["assigned"]) == (1, 1, 1)
    assert (total["autoResolved"], total["resolvedByPeople"]) == (2, 1)
    assert total["autoResolutionRate"] == pytest.approx(2 / 3)
    assert total["handoffRate"] == pytest.approx(1 / 3)
    assert (total["frtBot"]["n"], total["frtBot"]["p50"], total["frtBot"]["p90"]) == (3, 5, 10)
    assert (total["frtPeople"]["p50"], total["frtPeople"]["mean"]) == (240, 237)
    assert (total["resolutionPeople"]["p50"], total["resolutionBot"]["p90"]) == (1200, 10)
    # each document read once: 2 teams × 1 `all` document on day 1, sales' on day 4 (the idle closes)
    loaded = reports.report(ADMIN, first_day=PERIOD["from"], last_day=PERIOD["to"], by="day").to_json()
    assert loaded["documentsRead"] == 3


def test_a_redelivered_message_adds_nothing(own_db):
    later = History(lambda: FirestoreUnitOfWork(own_db))
    later.clock.now = DAY1 + 20 * 86400  # 2026-03-30: a day of its own
    message = later.message("5511900000077", "oi")
    later.inbound.handle(message)
    day_doc = own_db.collection("metrics").document("2026-03-30_sales_all_all")

    def received() -> int:
        return int(((day_doc.get().to_dict() or {}).get("c") or {}).get("in", 0))

    before = received()
    later.inbound.handle(message)
    later.inbound.handle(message)
    assert received() == before >= 1


def _get(stack, path: str, token: str | None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{stack.functions_url}/reports_api/{path}", params=params, headers=headers, timeout=15)


def test_reports_api_shows_each_supervisor_their_teams_only(stack, staff, history):
    support, sales = staff("supervisor", ["support"]), staff("supervisor", ["sales"])
    mine = _get(stack, "report", support.id_token, by="team", **PERIOD)
    assert mine.status_code == 200, mine.text
    assert [(r["key"], r["in"], r["resolvedByPeople"]) for r in mine.json()["rows"]] == [("support", 1, 1)]
    theirs = _get(stack, "report", sales.id_token, by="team", **PERIOD).json()
    assert [(r["key"], r["in"], r["outBot"]) for r in theirs["rows"]] == [("sales", 2, 2)]
    refused = _get(stack, "report", sales.id_token, team="support", **PERIOD)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_reports_api_refuses_agents_and_strangers(stack, staff, history):
    ana = staff("agent", ["support"])
    assert _get(stack, "report", ana.id_token, **PERIOD).status_code == 403
    assert _get(stack, "report.csv", ana.id_token, **PERIOD).status_code == 403
    assert _get(stack, "report", None, **PERIOD).status_code == 401


def test_an_admin_exports_the_csv(stack, staff, history):
    admin = staff("admin", [])
    r = _get(stack, "report.csv", admin.id_token, by="day", **PERIOD)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    first_day = next(csv.DictReader(io.StringIO(r.text)))
    assert (first_day["day"], first_day["in"], first_day["outPeople"], first_day["resolvedByPeople"]) == (
        "2026-03-10",
        "3",
        "2",
        "1",
    )
