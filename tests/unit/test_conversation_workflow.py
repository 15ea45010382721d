"""The people's workflow on a conversation (docs/inbox.md), and who may touch it, with no storage at all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from atende.domain.content import Text
from atende.domain.conversation import BOT_IDLE_CLOSE_S, Conversation, VisitorView
from atende.domain.errors import WorkflowRefused
from atende.domain.events import InboundMessage, Sender
from atende.domain.followups import FollowupPolicy
from atende.domain.model import Availability, Channel, ConversationStatus, Priority, Role
from atende.domain.routing import Route, RoutingContext, RoutingPolicy, decide
from atende.domain.staff import Actor, StaffMember, next_in_line
from atende.triage import Triage

NOW = 1_800_000_000.0
BOT, WAITING, IN_SERVICE = ConversationStatus.BOT, ConversationStatus.WAITING, ConversationStatus.IN_SERVICE
SNOOZED, RESOLVED = ConversationStatus.SNOOZED, ConversationStatus.RESOLVED


def customer_writes(at: float, *, echo: bool = False) -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        provider_message_id=f"wamid.{at}",
        sender=Sender(id="5511999990001"),
        timestamp=at,
        text="oi",
        content=Text(),
        echo=echo,
    )


def queued(**kw) -> Conversation:
    return Conversation(
        id="whatsapp_106540352242922_5511999990001",
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        contact_id="c_1",
        sender_id="5511999990001",
        status=WAITING,
        team="support",
        queue="support",
        waiting_since=NOW - 300,
        last_inbound_at=NOW - 300,
        **kw,
    )


def taken(uid: str = "ana") -> Conversation:
    return queued().assign(uid, NOW)


def test_a_bot_conversation_stays_open_for_its_48_hour_follow_up_and_closes_a_day_after_it():
    quiet_since = NOW - FollowupPolicy.defaults().rules["followup_48h"].delay_s
    bot = replace(queued(), status=ConversationStatus.BOT, queue=None, waiting_since=None)
    silent = replace(bot, last_message_at=quiet_since)
    assert silent.close_idle(NOW) == silent  # still active: the follow-up goes out on it
    followed_up = replace(bot, last_message_at=NOW)  # the follow-up, unanswered
    assert followed_up.close_idle(NOW + 23 * 3600).status == ConversationStatus.BOT
    closed = followed_up.close_idle(NOW + BOT_IDLE_CLOSE_S)
    assert (closed.status, closed.resolved_by) == (ConversationStatus.RESOLVED, "bot")


def test_taking_gives_it_a_person_and_silences_the_bot():
    c = taken()
    assert (c.status, c.assignee, c.assigned_at, c.team) == (IN_SERVICE, "ana", NOW, "support")
    assert c.is_open
    with pytest.raises(WorkflowRefused, match="já está com essa pessoa"):
        c.assign("ana", NOW + 1)


def test_an_assignment_to_another_team_moves_its_queue_too():
    c = taken().assign("carla", NOW + 5, team="billing")
    assert (c.assignee, c.team, c.queue) == ("carla", "billing", "billing")


def test_a_transfer_to_a_team_puts_it_back_in_that_queue_with_nobody_holding_it():
    c = taken().to_team("billing", NOW + 10)
    assert (c.status, c.assignee, c.team, c.queue, c.waiting_since) == (
        WAITING,
        None,
        "billing",
        "billing",
        NOW + 10,
    )
    assert not c.is_open
    with pytest.raises(WorkflowRefused, match="já está na fila"):
        c.to_team("billing", NOW + 11)


def test_nothing_moves_a_resolved_conversation_but_reopening():
    c = taken().resolve("ana", NOW + 60)
    assert (c.status, c.resolved_at, c.resolved_by) == (RESOLVED, NOW + 60, "ana")
    assert not c.is_open
    for move in (
        lambda: c.assign("bruno", NOW),
        lambda: c.to_team("billing", NOW),
        lambda: c.snooze(NOW + 3600, NOW),
        lambda: c.resolve("ana", NOW),
    ):
        with pytest.raises(WorkflowRefused):
            move()
    reopened = c.reopen(NOW + 70)
    assert (reopened.status, reopened.assignee, reopened.resolved_at) == (IN_SERVICE, "ana", None)
    with pytest.raises(WorkflowRefused, match="Só conversas encerradas"):
        reopened.reopen(NOW + 80)


def test_reopening_a_conversation_nobody_held_queues_it_again():
    c = replace(queued(), status=RESOLVED, resolved_at=NOW).reopen(NOW + 5)
    assert (c.status, c.waiting_since) == (WAITING, NOW + 5)


def test_a_snooze_needs_a_future_time_and_a_person_side_conversation():
    with pytest.raises(WorkflowRefused, match="futuro"):
        taken().snooze(NOW - 1, NOW)
    with pytest.raises(WorkflowRefused, match="Só conversas com uma pessoa"):
        replace(queued(), status=BOT).snooze(NOW + 60, NOW)
    c = taken().snooze(NOW + 3600, NOW)
    assert (c.status, c.snoozed_until, c.assignee) == (SNOOZED, NOW + 3600, "ana")
    assert c.is_open  # a snoozed conversation still takes its person's room


def test_a_snooze_ends_when_its_time_comes_back_with_its_person_or_in_the_queue():
    held = taken().snooze(NOW + 3600, NOW)
    assert held.wake(NOW + 3599) == held
    assert (held.wake(NOW + 3600).status, held.wake(NOW + 3600).snoozed_until) == (IN_SERVICE, None)
    unheld = queued().snooze(NOW + 60, NOW)
    woken = unheld.wake(NOW + 61)
    assert (woken.status, woken.waiting_since) == (WAITING, NOW + 61)
    assert taken().wake(NOW + 10**6) == taken()  # only snoozed conversations wake


def test_the_customer_writing_wakes_a_snooze_but_the_business_echo_does_not():
    snoozed = taken().snooze(NOW + 3600, NOW)
    assert snoozed.receive(customer_writes(NOW + 5, echo=True)).status == SNOOZED
    woken = snoozed.receive(customer_writes(NOW + 5))
    assert (woken.status, woken.assignee, woken.snoozed_until) == (IN_SERVICE, "ana", None)


def test_a_snoozed_conversation_keeps_the_bot_silent_like_one_in_service():
    urgent = Triage(intent="human_request", sentiment="frustrated", confidence=0.99)
    for status in (IN_SERVICE, SNOOZED):
        assert decide(urgent, RoutingContext(status), RoutingPolicy()).route == Route.SILENT


def test_unread_counts_customer_messages_until_someone_reads():
    c = taken().receive(customer_writes(NOW + 1)).receive(customer_writes(NOW + 2))
    c = c.receive(customer_writes(NOW + 3, echo=True))
    assert c.unread_count == 2
    assert c.read().unread_count == 0


def test_the_first_response_is_the_first_agent_message_only():
    c = taken().agent_replied("Olá, sou a Ana", NOW + 30).agent_replied("Pode me passar o CPF?", NOW + 90)
    assert c.first_response_at == NOW + 30
    assert (c.last_message, c.last_message_at) == ("Pode me passar o CPF?", NOW + 90)


def test_back_to_the_bot_forgets_the_person_and_the_queue():
    c = taken().back_to_bot()
    assert (c.status, c.assignee, c.queue, c.waiting_since) == (BOT, None, None, None)
    with pytest.raises(WorkflowRefused, match="robô já atende"):
        c.back_to_bot()


def test_labels_keep_their_order_without_duplicates_and_priority_is_set():
    c = queued(labels=("vip",)).relabel(["fatura", "vip", "fatura"], []).relabel(["2via"], ["vip"])
    assert c.labels == ("fatura", "2via")
    assert c.prioritised(Priority.HIGH).priority == Priority.HIGH


def test_the_timeline_state_names_what_changed():
    before, after = queued(), taken()
    assert before.workflow_state()["status"] == "waiting" and before.workflow_state()["assignee"] is None
    assert after.workflow_state() | {"status": "in_service", "assignee": "ana"} == after.workflow_state()


ANA = Actor(uid="ana", role=Role.AGENT, teams=("support",))
CARLA = Actor(uid="carla", role=Role.AGENT, teams=("billing",))
SUPERVISOR = Actor(uid="sup", role=Role.SUPERVISOR, teams=("support",))
OTHER_SUPERVISOR = Actor(uid="sup2", role=Role.SUPERVISOR, teams=("billing",))
ADMIN = Actor(uid="admin", role=Role.ADMIN)


def test_who_sees_directs_and_handles_a_conversation():
    c = taken("bruno")
    assert [a.may_see(c) for a in (ANA, CARLA, SUPERVISOR, OTHER_SUPERVISOR, ADMIN)] == [
        True,
        False,
        True,
        False,
        True,
    ]
    # someone else's conversation: only whoever directs the team handles it
    assert [a.may_handle(c) for a in (ANA, CARLA, SUPERVISOR, OTHER_SUPERVISOR, ADMIN)] == [
        False,
        False,
        True,
        False,
        True,
    ]
    # held by Carla of billing: she works on it, but billing's supervisor does not direct support's work
    moved = taken("carla")
    assert CARLA.may_see(moved) and CARLA.may_handle(moved) and not OTHER_SUPERVISOR.may_direct(moved)
    assert ANA.may_speak_for("ana") and not ANA.may_speak_for("bruno") and SUPERVISOR.may_speak_for("ana")


def member(uid: str, *, capacity: int, open_count: int = 0, online: bool = True, **kw) -> StaffMember:
    return StaffMember(
        uid=uid,
        display_name=uid,
        email=f"{uid}@atende.dev",
        role=Role.AGENT,
        teams=("support",),
        availability=Availability.ONLINE if online else Availability.AWAY,
        capacity=capacity,
        open_count=open_count,
        **kw,
    )


def test_next_in_line_shares_by_capacity_and_skips_who_cannot_take_one():
    people = {"big": member("big", capacity=4), "small": member("small", capacity=2)}
    turns = []
    for i in range(6):
        chosen = next_in_line("support", people.values())
        assert chosen is not None
        turns.append(chosen.uid)
        people[chosen.uid] = chosen.took_one(NOW + i)
    assert turns.count("big") == 4 and turns.count("small") == 2
    assert next_in_line("support", people.values()) is None  # everyone full
    assert next_in_line("billing", [member("x", capacity=3)]) is None
    assert next_in_line("support", [member("away", capacity=3, online=False)]) is None
    assert next_in_line("support", [member("off", capacity=3, disabled=True)]) is None
    assert next_in_line("support", [member("zero", capacity=0)]) is None


def test_continuing_from_another_channel_takes_it_whatever_state_it_was_in():
    bots = replace(queued(), status=BOT, team=None, queue=None)
    for before in (bots, taken("bruno").resolve("bruno", NOW)):
        c = before.continued_by("ana", NOW + 5, team="support")
        assert (c.status, c.assignee, c.team, c.resolved_at, c.resolved_by) == (
            IN_SERVICE,
            "ana",
            "support",
            None,
            None,
        )


def test_the_customer_writing_after_a_resolve_starts_afresh_with_the_bot():
    c = taken().resolve("ana", NOW + 60).receive(customer_writes(NOW + 3600))
    assert (c.status, c.assignee, c.assigned_at, c.resolved_at, c.resolved_by) == (
        BOT,
        None,
        None,
        None,
        None,
    )
    assert not c.is_open


def test_a_web_chat_visitor_sees_who_answers_and_who_types_and_nothing_else():
    web = replace(queued(labels=("caloteiro",)), channel=Channel.WEBCHAT)
    assert web.seen_by_visitor() == VisitorView(answered_by="queue")
    typing = web.assign("ana", NOW).typing("Ana", NOW)
    assert typing.seen_by_visitor() == VisitorView("person", typing_until=NOW + 6, typing_by="Ana")
    assert queued().seen_by_visitor() is None  # other channels have no visitor
