"""`reports_api`'s HTTP side on fakes: a report as JSON or CSV for whoever may read it, 403 for an agent,
401 without a token, CORS only for the console's origin."""

from __future__ import annotations

import csv
import io
from datetime import date

import flask
import pytest

from atende.adapters.firebase_auth import Unauthenticated
from atende.domain.board import ServiceLevel
from atende.domain.staff import Actor
from atende.entrypoints.reports_http import ReportServices, handle
from atende.services.board import ChannelHealthPanel, LiveBoard
from atende.services.reports import Reports
from tests.fakes import FakeReportReader, FakeUnitOfWork
from tests.report_history import History, seed
from tests.unit.test_report_figures import ADMIN, ANA, SALES_SUPERVISOR, SUPPORT_SUPERVISOR

ORIGIN = "http://console.test"
PEOPLE = {a.uid: a for a in (ADMIN, ANA, SALES_SUPERVISOR, SUPPORT_SUPERVISOR)}
app = flask.Flask(__name__)


class TokensAreUids:
    def verify(self, authorization: str | None) -> Actor:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or token not in PEOPLE:
            raise Unauthenticated("Entre novamente: sessão ausente")
        return PEOPLE[token]


@pytest.fixture(scope="module")
def services() -> ReportServices:
    h = History(FakeUnitOfWork())
    seed(h, ANA)
    store = h.uow().store

    def reader() -> FakeReportReader:
        return FakeReportReader(store, {"support": ServiceLevel(), "sales": ServiceLevel()})

    reports = Reports(reader, today=lambda: date(2026, 3, 13))
    board, health = LiveBoard(reader), ChannelHealthPanel(reader, lambda: h.channels)
    return ReportServices(
        reports=lambda: reports, board=lambda: board, health=lambda: health, identity=TokensAreUids
    )


def get(services: ReportServices, path: str, who: Actor | None, method: str = "GET") -> flask.Response:
    headers = {"Origin": ORIGIN, **({"Authorization": f"Bearer {who.uid}"} if who else {})}
    with app.test_request_context(path, method=method, headers=headers):
        return handle(flask.request, services, (ORIGIN,))


def test_a_supervisor_gets_their_teams_report(services):
    r = get(services, "/report?from=2026-03-10&to=2026-03-13&by=channel", SUPPORT_SUPERVISOR)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == ORIGIN
    body = r.get_json()
    assert body["teams"] == ["support"] and body["total"]["in"] == 1
    assert [row["key"] for row in body["rows"]] == ["whatsapp"]


def test_the_csv_export_downloads_as_a_file(services):
    r = get(services, "/report.csv?from=2026-03-10&to=2026-03-13&by=day", ADMIN)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="atende-day-2026-03-10-2026-03-13.csv"'
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(row["day"], row["in"], row["autoResolved"]) for row in rows] == [
        ("2026-03-10", "3", "0"),
        ("2026-03-13", "0", "2"),
    ]


def test_refusals(services):
    assert get(services, "/report", ANA).status_code == 403
    assert get(services, "/report?team=support", SALES_SUPERVISOR).status_code == 403
    assert get(services, "/health", SUPPORT_SUPERVISOR).status_code == 403
    assert get(services, "/report", None).status_code == 401
    assert get(services, "/report?from=2026-13-01", ADMIN).status_code == 400
    assert get(services, "/report?by=week", ADMIN).status_code == 400
    assert get(services, "/nothing", ADMIN).status_code == 404
    assert get(services, "/report", ADMIN, method="POST").status_code == 405
    other = app.test_request_context("/report", headers={"Origin": "http://evil.test"})
    with other:
        assert "Access-Control-Allow-Origin" not in handle(flask.request, services, (ORIGIN,)).headers


def test_board_and_health(services):
    board = get(services, "/board", SUPPORT_SUPERVISOR).get_json()
    assert board["ok"] and board["queues"] == [] and board["breaches"] == []
    accounts = get(services, "/health", ADMIN).get_json()["accounts"]
    assert {a["state"] for a in accounts} == {"ok"} and any(a["accountId"] == "webhook" for a in accounts)
