"""Reports on in-memory fakes: a seeded history counted as worked out by hand, once per event whatever the
redeliveries, read only by the people it concerns; the live board and channel health rules."""

from __future__ import annotations

from datetime import date

import pytest

from atende.domain.board import ServiceLevel, board
from atende.domain.channel_health import ChannelSignal, Health, HourCounts, Signal, State
from atende.domain.conversation import BOT_IDLE_CLOSE_S, Conversation, Handoff
from atende.domain.errors import WorkflowRefused
from atende.domain.metrics import bucket, handoff_reason
from atende.domain.model import Availability, Channel, ConversationStatus, Role
from atende.domain.reports import Histogram
from atende.domain.staff import Actor, StaffMember
from atende.services.board import ChannelHealthPanel, LiveBoard
from atende.services.reports import InvalidPeriod, Reports
from tests.fakes import FakeReportReader, FakeUnitOfWork
from tests.report_history import DAY1, History, agent, seed

ADMIN = Actor(uid="admin", role=Role.ADMIN)
SUPPORT_SUPERVISOR = Actor(uid="sup", role=Role.SUPERVISOR, teams=("support",))
SALES_SUPERVISOR = Actor(uid="sal", role=Role.SUPERVISOR, teams=("sales",))
ANA = agent("ana", "support")


@pytest.fixture(scope="module")
def history() -> History:
    h = History(FakeUnitOfWork())
    seed(h, ANA)
    return h


@pytest.fixture
def reports(history: History) -> Reports:
    store = history.uow().store
    return Reports(lambda: FakeReportReader(store), today=lambda: date(2026, 3, 13))


def test_the_seeded_history_counts_as_worked_out_by_hand(reports):
    r = reports.report(ADMIN, first_day="2026-03-10", last_day="2026-03-13", by="day").to_json()
    total = r["total"]
    assert (total["in"], total["outBot"], total["outPeople"], total["opened"]) == (3, 3, 2, 3)
    assert total["handoffs"] == 1 and total["handoffRate"] == pytest.approx(1 / 3)
    assert total["handoffReasons"]["explicitRequest"] == 1 and sum(total["handoffReasons"].values()) == 1
    assert (total["autoResolved"], total["resolvedByPeople"]) == (2, 1)
    assert total["autoResolutionRate"] == pytest.approx(2 / 3)
    assert total["assigned"] == 1
    # the bot answered after 2, 3 and 8 s: buckets ≤5 s (two) and ≤10 s (one)
    assert (total["frtBot"]["n"], total["frtBot"]["p50"], total["frtBot"]["p90"]) == (3, 5, 10)
    assert total["frtBot"]["mean"] == pytest.approx(13 / 3)
    assert (total["frtPeople"]["n"], total["frtPeople"]["p50"], total["frtPeople"]["mean"]) == (1, 240, 237)
    assert (total["resolutionPeople"]["p50"], total["resolutionPeople"]["mean"]) == (1200, 1200)
    resolution_bot = total["resolutionBot"]
    assert (resolution_bot["n"], resolution_bot["p50"], resolution_bot["p90"]) == (2, 5, 10)
    assert total["csat"]["n"] == 0 and total["csat"]["mean"] is None
    days = {d["day"]: d for d in r["days"]}
    assert set(days) == {"2026-03-10", "2026-03-13"}
    assert (days["2026-03-10"]["in"], days["2026-03-10"]["autoResolved"]) == (3, 0)
    assert (days["2026-03-13"]["in"], days["2026-03-13"]["autoResolved"]) == (0, 2)
    hours = {h["hour"]: h for h in r["hours"]}
    assert (hours["09"]["in"], hours["09"]["outPeople"], hours["09"]["handoffs"]) == (2, 2, 1)
    assert hours["10"]["in"] == 1


def test_figures_per_team_agent_and_intent(reports):
    by_team = dict(reports.report(ADMIN, first_day="2026-03-10", last_day="2026-03-13", by="team").rows())
    assert (by_team["sales"].count("in"), by_team["sales"].count("autoResolved")) == (2, 2)
    assert (by_team["support"].count("in"), by_team["support"].count("resolvedByPeople")) == (1, 1)
    by_agent = dict(reports.report(ADMIN, first_day="2026-03-10", last_day="2026-03-10", by="agent").rows())
    assert set(by_agent) == {"ana"}
    ana = by_agent["ana"].summary()
    assert ana["outPeople"] == 2 and ana["frtPeople"]["p50"] == 240
    by_intent = dict(reports.report(ADMIN, first_day="2026-03-10", last_day="2026-03-10", by="intent").rows())
    assert by_intent["greeting"].count("in") == 1 and by_intent["human_request"].count("handoffs") == 1
    assert by_intent["financial"].count("in") == 1


def test_a_supervisor_reads_only_their_teams_and_an_agent_nothing(reports):
    support = reports.report(SUPPORT_SUPERVISOR, first_day="2026-03-10", last_day="2026-03-13", by="day")
    assert support.total().count("in") == 1 and {d.team for d in support.documents} == {"support"}
    sales = reports.report(SALES_SUPERVISOR, first_day="2026-03-10", last_day="2026-03-13", by="channel")
    assert sales.total().count("in") == 2
    with pytest.raises(WorkflowRefused) as refused:
        reports.report(SALES_SUPERVISOR, first_day=None, last_day=None, by="day", team="support")
    assert refused.value.forbidden
    with pytest.raises(WorkflowRefused) as refused:
        reports.report(ANA, first_day="2026-03-10", last_day="2026-03-13", by="day")
    assert refused.value.forbidden


def test_a_redelivered_message_is_counted_once():
    h = History(FakeUnitOfWork())
    message = h.say("5511900000009", "oi", answered_after=1)
    for _ in range(3):
        h.inbound.handle(message)
    store = h.uow().store
    assert sum(t.counts.get("in", 0) for t in store.tallies) == 1
    assert sum(t.counts.get("outBot", 0) for t in store.tallies) == 1
    assert [s.signal for s in store.signals] == [Signal.RECEIVED]


def test_the_csv_has_a_line_per_day_and_value(reports):
    text = reports.report(ADMIN, first_day="2026-03-10", last_day="2026-03-13", by="team").to_csv()
    lines = text.strip().split("\r\n")
    header = lines[0].split(",")
    assert header[:4] == ["day", "team", "in", "outBot"]
    assert "frtBot_p50" in header and "handoffReasons_explicitRequest" in header
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    assert [(r["day"], r["team"], r["in"]) for r in rows] == [
        ("2026-03-10", "sales", "2"),
        ("2026-03-10", "support", "1"),
        ("2026-03-13", "sales", "0"),
    ]


def test_periods_the_report_refuses(reports):
    for first, last, by in (("2026-03-12", "2026-03-10", "day"), ("2025-01-01", "2026-03-10", "day"),
                            ("10/03/2026", None, "day"), (None, None, "week")):  # fmt: skip
        with pytest.raises(InvalidPeriod):
            reports.report(ADMIN, first_day=first, last_day=last, by=by)
    default = reports.report(ADMIN, first_day=None, last_day=None, by="day")
    assert (default.first_day, default.last_day) == ("2026-03-07", "2026-03-13")


def test_percentiles_come_from_buckets_that_add_up_over_days():
    day1 = Histogram({bucket(40): 1, bucket(200): 1}, 2, 240)
    day2 = Histogram({bucket(200): 2, bucket(4000): 1}, 3, 4400)
    both = day1 + day2
    assert (both.quantile(0.5), both.quantile(0.9), both.mean) == (240, 5400, 928)
    assert Histogram().quantile(0.5) is None
    assert Histogram({bucket(10**7): 1}, 1, 10**7).quantile(0.5) == float("inf")


def test_handoff_reasons_group_the_codes_the_domain_records():
    assert handoff_reason("below_threshold") == "lowConfidence"
    assert handoff_reason("explicit_request") == "explicitRequest"
    assert handoff_reason("cancellation") == "cancellation"
    assert handoff_reason("repeated_frustration") == "frustration"
    assert handoff_reason("attendant_error") == handoff_reason("tool_error:timeout") == "failure"
    assert handoff_reason("identity_not_confirmed") == "other"


def _conv(cid: str, status: ConversationStatus, *, team: str = "support", **kw) -> Conversation:
    return Conversation(
        id=cid, channel=Channel.WHATSAPP, account_id="1", contact_id="c", sender_id="s", status=status,
        team=team, **kw,
    )  # fmt: skip


def test_the_board_shows_queues_loads_and_what_breaks_the_service_level():
    now = DAY1
    handed = Handoff(reason="explicit_request", intent=None, sentiment=None, at=now - 400)
    conversations = [
        _conv("w1", ConversationStatus.WAITING, waiting_since=now - 100),
        _conv("w2", ConversationStatus.WAITING, waiting_since=now - 600),
        _conv("w3", ConversationStatus.WAITING, waiting_since=now - 200),
        _conv("s1", ConversationStatus.IN_SERVICE, assignee="ana", handoff=handed, opened_at=now - 500),
        _conv("s2", ConversationStatus.IN_SERVICE, assignee="ana", handoff=handed,
              first_response_at=now - 390, opened_at=now - 9000),
    ]  # fmt: skip
    people = [
        StaffMember(uid="ana", display_name="Ana", email="a@x", role=Role.AGENT, teams=("support",),
                    availability=Availability.ONLINE, capacity=3, open_count=2),
    ]  # fmt: skip
    levels = {"support": ServiceLevel.from_doc({"firstResponseS": 300, "resolutionS": 3600})}
    b = board(conversations, people, levels, now)
    [queue] = b.queues
    assert (queue.team, queue.channel, queue.waiting, queue.oldest_wait_s, queue.median_wait_s) == (
        "support", "whatsapp", 3, 600, 200
    )
    assert [(x.conversation_id, x.kind) for x in b.breaches] == [
        ("s2", "resolution"),
        ("w2", "firstResponse"),
        ("s1", "firstResponse"),
    ]
    assert [(p.uid, p.open, p.capacity, p.availability) for p in b.people] == [("ana", 2, 3, "online")]


def test_the_live_board_is_for_supervisors_of_the_team_and_admins(history):
    store = history.uow().store
    live = LiveBoard(lambda: FakeReportReader(store, {"support": ServiceLevel(), "sales": ServiceLevel()}))
    assert live.board(ADMIN).queues == [] and live.board(SUPPORT_SUPERVISOR).breaches == []
    with pytest.raises(WorkflowRefused):
        live.board(ANA)


def test_channel_health_state_follows_the_last_hour():
    def health(**counts: int) -> State:
        return Health(
            channel="whatsapp", account_id="1", last_hour=HourCounts(**counts), last_day=HourCounts(**counts),
            last_received_at=None, last_sent_at=None, last_error=None,
        ).state  # fmt: skip

    assert health() == State.OK
    assert health(sent=50, failed=4) == State.OK
    assert health(sent=40, failed=5) == State.DEGRADED
    assert health(sent=1, rejected=1) == State.DEGRADED
    assert health(failed=2, unknown=1) == State.OFFLINE
    assert health(sent=1, failed=3) == State.DEGRADED
    assert health(failed=1) == State.OK  # a one-off failure
    assert health(sent=3, forged=4) == State.OK  # a few probes of the public URL
    assert health(sent=3, forged=5) == State.DEGRADED  # e.g. a wrong app secret: Meta's calls all refused
    assert health(sent=3, dead_letters=1) == State.DEGRADED


def test_the_health_panel_counts_each_account_and_is_for_admins(history):
    store = history.uow().store
    now = DAY1 + 3 * 86400 + 7200
    uow = history.uow()
    with uow:
        uow.metrics.signal(ChannelSignal(channel="whatsapp", account_id=history.account, signal=Signal.FAILED,
                                         at=now - 60, code="131000"))  # fmt: skip
        uow.commit()
    panel = ChannelHealthPanel(lambda: FakeReportReader(store), lambda: history.channels, clock=lambda: now)
    accounts = {(h.account_id): h for h in panel.panel(ADMIN)}
    mine = accounts[history.account]
    assert mine.last_hour.failed == 1 and mine.last_error == "131000"
    assert mine.last_received_at == DAY1 + 3908  # Pedro's message, handled 8 s after he wrote
    assert "webhook" in accounts
    with pytest.raises(WorkflowRefused):
        panel.panel(SUPPORT_SUPERVISOR)



def test_a_customer_coming_back_opens_a_new_episode_timed_from_its_own_handoff():
    h = History(FakeUnitOfWork())
    joao = h.say("5511900000005", "quero falar com um atendente", answered_after=1)
    h.inbox.take(ANA, joao.conversation_id)
    h.clock.now += 100
    h.write(ANA, joao.conversation_id, "Oi!")
    h.clock.now += 100
    h.inbox.resolve(ANA, joao.conversation_id)
    h.clock.now += 3600  # an hour later he writes again, and asks for a person again
    h.say("5511900000005", "quero falar com um atendente de novo", answered_after=2)
    h.inbox.take(ANA, joao.conversation_id)
    h.clock.now += 50
    h.write(ANA, joao.conversation_id, "De volta!")
    h.clock.now += 10
    h.write(ANA, joao.conversation_id, "Mais alguma coisa?")
    reports = Reports(lambda: FakeReportReader(h.uow().store), today=lambda: date(2026, 3, 10))
    summary = reports.report(ADMIN, first_day=None, last_day=None, by="day").total().summary()
    assert (summary["opened"], summary["handoffs"], summary["resolvedByPeople"]) == (2, 2, 1)
    # one first answer per episode, each timed from its own handoff: 100 s, then 50 s
    assert summary["frtPeople"]["n"] == 2 and summary["frtPeople"]["mean"] == 75
    assert summary["outPeople"] == 3


def test_the_bot_closes_only_conversations_silent_for_three_days():
    h = History(FakeUnitOfWork())
    maria = h.say("5511900000006", "oi", answered_after=1)
    h.clock.now += BOT_IDLE_CLOSE_S - 10
    assert h.closer.run() == 0
    h.clock.now += 20
    assert h.closer.run() == 1 and h.closer.run() == 0
    closed = h.uow().store.conversation(maria.conversation_id)
    assert (closed.status, closed.resolved_by) == (ConversationStatus.RESOLVED, "bot")
    assert sum(t.counts.get("autoResolved", 0) for t in h.uow().store.tallies) == 1
