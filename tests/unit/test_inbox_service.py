"""The inbox's actions on in-memory fakes: who may do what, what each leaves behind, and distribution."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pytest

from atende.domain.channels import ChannelRegistry
from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.model import (
    Availability,
    Channel,
    ConversationStatus,
    Direction,
    MessageStatus,
    Priority,
    Role,
    SenderType,
    Visibility,
)
from atende.domain.opt_out import OptOut
from atende.domain.staff import Actor, StaffMember
from atende.services.contacts import ContactService
from atende.services.distribution import Distribution
from atende.services.inbox import Draft, InboxService, NotFound, TemplateChoice, WindowClosed
from atende.services.read_receipts import ReadReceipt
from atende.services.settings.store import known_teams
from tests.fakes import (
    FakeCrmPublisher,
    FakeMediaStore,
    FakeOutbox,
    FakeSettingsStore,
    FakeUnitOfWork,
    Store,
    Versioned,
)

NOW = 1_800_000_000.0
CONV = "whatsapp_106540352242922_5511999990001"

ANA = Actor(uid="ana", role=Role.AGENT, teams=("support",), name="Ana")
BRUNO = Actor(uid="bruno", role=Role.AGENT, teams=("support",), name="Bruno")
CARLA = Actor(uid="carla", role=Role.AGENT, teams=("billing",), name="Carla")
SUPERVISOR = Actor(uid="sup", role=Role.SUPERVISOR, teams=("support", "billing"), name="Sara")
ADMIN = Actor(uid="admin", role=Role.ADMIN, name="Admin")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def person(actor: Actor, *, capacity: int = 3, online: bool = True, open_count: int = 0) -> StaffMember:
    return StaffMember(
        uid=actor.uid,
        display_name=actor.name or actor.uid,
        email=f"{actor.uid}@atende.dev",
        role=actor.role,
        teams=actor.teams,
        availability=Availability.ONLINE if online else Availability.AWAY,
        capacity=capacity,
        open_count=open_count,
    )


def waiting(conv_id: str = CONV, *, team: str = "support", since: float = NOW - 60, **kw) -> Conversation:
    return Conversation(
        id=conv_id,
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        contact_id="c_1",
        sender_id="5511999990001",
        status=ConversationStatus.WAITING,
        team=team,
        queue=team,
        waiting_since=since,
        last_inbound_at=NOW - 120,
        **kw,
    )


@pytest.fixture
def world():
    store = Store()
    store.contacts["c_1"] = Versioned(
        Contact(id="c_1", name="Maria", identities=("whatsapp:5511999990001",)), 1
    )
    uow = FakeUnitOfWork(store)
    clock = Clock()
    outbox = FakeOutbox()
    distribution = Distribution(uow, clock)
    settings = FakeSettingsStore()
    service = InboxService(
        uow=uow,
        outbound=outbox,
        contacts=ContactService(uow, ChannelRegistry, clock),
        distribution=distribution,
        media=FakeMediaStore(),
        clock=clock,
        crm_events=(crm := FakeCrmPublisher()),
        known_teams=partial(known_teams, settings),
    )

    class World:
        pass

    w = World()
    w.store, w.service, w.outbox, w.clock, w.distribution = store, service, outbox, clock, distribution
    w.crm, w.settings = crm, settings

    def put(*items):
        for item in items:
            table = store.staff if isinstance(item, StaffMember) else store.conversations
            table[item.id] = Versioned(item, 1)

    w.put = put
    return w


def events_of(store: Store, conv_id: str = CONV) -> list[dict]:
    found = [m.value for m in store.messages.values() if m.value.conversation_id == conv_id and m.value.event]
    return [m.event for m in sorted(found, key=lambda m: m.timestamp)]


def test_an_agent_takes_a_waiting_conversation_of_their_team_with_a_timeline_line_and_an_audit_entry(world):
    world.put(waiting(), person(ANA))
    after = world.service.take(ANA, CONV)
    assert after.status == ConversationStatus.IN_SERVICE and after.assignee == "ana"
    assert world.store.member("ana").open_count == 1
    [event] = events_of(world.store)
    assert event["type"] == "take" and event["by"] == "ana"
    assert event["before"]["status"] == "waiting" and event["after"]["assignee"] == "ana"
    [entry] = world.store.audit_logs.values()
    assert (entry.action, entry.actor_uid, entry.target_id) == ("take", "ana", CONV)
    line = next(m.value for m in world.store.messages.values() if m.value.event)
    assert line.visibility == Visibility.INTERNAL and line.sender_type == SenderType.SYSTEM


def test_an_agent_of_another_team_can_neither_take_nor_read_nor_answer_it(world):
    world.put(waiting())
    for act in (
        lambda: world.service.take(CARLA, CONV),
        lambda: world.service.context(CARLA, CONV),
        lambda: world.service.send(CARLA, CONV, "c1", Draft(text="oi")),
        lambda: world.service.note(CARLA, CONV, "c2", "nota"),
    ):
        with pytest.raises(WorkflowRefused) as refused:
            act()
        assert refused.value.forbidden
    assert world.store.conversation(CONV).assignee is None
    assert world.store.audit_logs == {} and world.outbox.queued == []


def test_only_supervisors_and_admins_assign_to_someone_else(world):
    world.put(waiting(), person(ANA), person(BRUNO))
    with pytest.raises(WorkflowRefused):
        world.service.assign(ANA, CONV, "bruno")
    after = world.service.assign(SUPERVISOR, CONV, "bruno")
    assert after.assignee == "bruno" and world.store.member("bruno").open_count == 1


def test_a_transfer_to_a_team_empties_the_hands_of_its_person_and_queues_it_there(world):
    world.put(waiting(), person(ANA, capacity=1))
    world.service.take(ANA, CONV)
    after = world.service.transfer(ANA, CONV, team="billing")
    assert (after.status, after.team, after.assignee) == (ConversationStatus.WAITING, "billing", None)
    assert world.store.member("ana").open_count == 0
    assert not ANA.may_see(after)  # support's agent lost it; billing's has it
    assert CARLA.may_see(after)


def test_a_transfer_to_a_team_that_does_not_exist_is_refused_and_changes_nothing(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    with pytest.raises(NotFound):
        world.service.transfer(ANA, CONV, team="suporte")  # a typo: a queue nobody works
    kept = world.store.conversation(CONV)
    assert (kept.team, kept.assignee) == ("support", "ana")


def test_a_transfer_may_go_to_a_team_as_soon_as_an_admin_adds_it_in_the_console(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    with pytest.raises(NotFound):
        world.service.transfer(ANA, CONV, team="vip")
    world.settings.docs["teams"] = {"vip": {"name": "VIP"}}  # what the console's Teams page writes
    after = world.service.transfer(ANA, CONV, team="vip")
    assert (after.status, after.team, after.assignee) == (ConversationStatus.WAITING, "vip", None)


def test_a_transfer_to_a_colleague_of_another_team_moves_the_team_too(world):
    world.put(waiting(), person(ANA), person(CARLA))
    world.service.take(ANA, CONV)
    after = world.service.transfer(ANA, CONV, agent_id="carla")
    assert (after.assignee, after.team) == ("carla", "billing")
    assert world.store.member("ana").open_count == 0 and world.store.member("carla").open_count == 1
    with pytest.raises(WorkflowRefused):
        world.service.resolve(ANA, CONV)  # no longer hers


def test_resolve_reopen_and_back_to_the_bot(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    resolved = world.service.resolve(ANA, CONV)
    assert resolved.status == ConversationStatus.RESOLVED and resolved.resolved_by == "ana"
    assert world.store.member("ana").open_count == 0
    with pytest.raises(WorkflowRefused):
        world.service.resolve(ANA, CONV)
    reopened = world.service.reopen(ANA, CONV)
    assert reopened.status == ConversationStatus.IN_SERVICE and world.store.member("ana").open_count == 1
    bot = world.service.back_to_bot(ANA, CONV)
    assert (bot.status, bot.assignee) == (ConversationStatus.BOT, None)
    assert [e["type"] for e in events_of(world.store)] == ["take", "resolve", "reopen", "back_to_bot"]
    # the CRM hears of the resolution once (the refused second resolve tells nothing)
    assert [(e.type, e.subject, e.data["resolvedBy"]) for e in world.crm.events] == [
        ("conversation.resolved", CONV, "ana")
    ]


def test_a_snoozed_conversation_wakes_when_its_time_comes_or_when_the_customer_writes(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    snoozed = world.service.snooze(ANA, CONV, NOW + 3600)
    assert snoozed.status == ConversationStatus.SNOOZED
    with pytest.raises(WorkflowRefused):
        world.service.snooze(ANA, CONV, NOW - 1)
    world.clock.now = NOW + 1800
    assert world.distribution.tick() == (0, 0)
    world.clock.now = NOW + 3601
    assert world.distribution.tick()[0] == 1
    assert world.store.conversation(CONV).status == ConversationStatus.IN_SERVICE


def test_labels_and_priority(world):
    world.put(waiting())
    after = world.service.relabel(ANA, CONV, ["vip", "fibra", "vip"], [])
    assert after.labels == ("vip", "fibra")
    after = world.service.relabel(ANA, CONV, [], ["vip"])
    assert after.labels == ("fibra",)
    assert world.service.prioritise(ANA, CONV, Priority.HIGH).priority == Priority.HIGH


def test_an_agent_reply_is_queued_for_outbound_once_per_client_id_and_takes_an_unassigned_conversation(world):
    world.put(waiting(), person(ANA))
    first = world.service.send(ANA, CONV, "draft-1", Draft(text="Olá, Maria! Já vejo isso."))
    again = world.service.send(ANA, CONV, "draft-1", Draft(text="Olá, Maria! Já vejo isso."))
    assert first.id == again.id
    stored = world.store.message(first.id)
    assert (stored.sender_type, stored.author_id, stored.status) == (
        SenderType.AGENT,
        "ana",
        MessageStatus.QUEUED,
    )
    assert stored.recipient and stored.recipient.recipient_id == "5511999990001"
    assert [m for m, _ in world.outbox.queued] == [first.id, first.id]  # a lost push is pushed again
    conv = world.store.conversation(CONV)
    assert conv.assignee == "ana" and conv.first_response_at == NOW and conv.last_message_sender == "agent"


def test_someone_elses_conversation_cannot_be_answered_by_a_colleague(world):
    world.put(waiting(), person(ANA), person(BRUNO))
    world.service.take(ANA, CONV)
    with pytest.raises(WorkflowRefused) as refused:
        world.service.send(BRUNO, CONV, "x", Draft(text="oi"))
    assert refused.value.forbidden


def test_after_the_window_only_a_template_goes(world):
    from dataclasses import replace

    world.put(replace(waiting(), last_inbound_at=NOW - 25 * 3600))
    with pytest.raises(WindowClosed, match="modelo aprovado"):
        world.service.send(ANA, CONV, "t1", Draft(text="Ainda precisa de ajuda?"))
    sent = world.service.send(
        ANA, CONV, "t2", Draft(template=TemplateChoice(name="retomar", language="pt_BR", params=("Maria",)))
    )
    assert world.store.message(sent.id).content.to_doc() == {
        "name": "retomar",
        "language": "pt_BR",
        "params": ["Maria"],
    }


def test_a_private_note_is_internal_and_never_queued(world):
    world.put(waiting())
    note = world.service.note(ANA, CONV, "n1", "Cliente pediu retorno à tarde")
    stored = world.store.message(note.id)
    assert stored.visibility == Visibility.INTERNAL and stored.direction == Direction.INTERNAL
    assert stored.status == MessageStatus.NOTED and world.outbox.queued == []


def test_only_a_failed_agent_message_is_sent_again_on_request(world):
    world.put(waiting())
    sent = world.service.send(ANA, CONV, "d", Draft(text="oi"))
    with pytest.raises(WorkflowRefused):
        world.service.retry(ANA, sent.id)  # still queued
    from atende.domain.message import SendError

    failed = world.store.message(sent.id).failed(SendError(message="x", source="platform"), NOW)
    world.store.messages[sent.id] = Versioned(failed, 9)
    again = world.service.retry(ANA, sent.id)
    assert again.status == MessageStatus.QUEUED and again.send_history[-1].reason == "agent:ana"
    with pytest.raises(NotFound):
        world.service.retry(ANA, "nope")


def test_opening_a_conversation_clears_its_unread_count_and_asks_outbound_for_a_read_receipt(world):
    from atende.domain.message import Message
    from atende.domain.model import MessageKind

    world.put(waiting(unread_count=2))
    inbound = Message(
        id="m_1",
        conversation_id=CONV,
        contact_id="c_1",
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        direction=Direction.INBOUND,
        sender_type=SenderType.CONTACT,
        sender="5511999990001",
        kind=MessageKind.TEXT,
        text="oi",
        timestamp=NOW - 120,
        status=MessageStatus.RECEIVED,
        provider_message_id="wamid.1",
    )
    world.store.messages["m_1"] = Versioned(inbound, 1)
    assert world.service.read(ANA, CONV).unread_count == 0
    [receipt] = world.outbox.receipts
    assert ReadReceipt.decode(receipt).provider_message_id == "wamid.1"


def test_uploads_are_checked_by_type_and_size(world):
    world.put(waiting())
    up = world.service.upload(ANA, CONV, b"%PDF-1.7 ...", "application/pdf", "boleto março.pdf")
    assert up.kind == "document" and up.media_id.endswith("boletomaro.pdf")
    with pytest.raises(WorkflowRefused, match="Tipo de arquivo"):
        world.service.upload(ANA, CONV, b"MZ", "application/x-msdownload", "x.exe")
    with pytest.raises(WorkflowRefused, match="grande demais"):
        world.service.upload(ANA, CONV, b"x" * (5 * 2**20 + 1), "image/png", "big.png")
    sent = world.service.send(ANA, CONV, "f", Draft(media_id=up.media_id, text="Seu boleto"))
    stored = world.store.message(sent.id)
    assert stored.kind == "document" and stored.text == "Seu boleto"


def test_availability_is_ones_own_unless_supervising(world):
    world.put(person(ANA, online=False), person(BRUNO, online=False))
    assert world.service.set_availability(ANA, Availability.ONLINE).availability == Availability.ONLINE
    with pytest.raises(WorkflowRefused):
        world.service.set_availability(ANA, Availability.AWAY, "bruno")
    assert world.service.set_availability(SUPERVISOR, Availability.BUSY, "bruno").availability == "busy"


def test_distribution_weights_by_capacity_skips_people_away_or_full_and_puts_high_priority_first(world):
    conversations = [waiting(f"conv_{i}", since=NOW - 100 + i) for i in range(7)]
    conversations[5] = waiting("conv_5", since=NOW - 1, priority=Priority.HIGH)
    world.put(*conversations, person(ANA, capacity=4), person(BRUNO, capacity=2), person(CARLA, capacity=5))
    world.put(StaffMember(**{**person(SUPERVISOR).__dict__, "availability": Availability.AWAY}))
    made = world.distribution.run("support")
    assert len(made) == 6  # Ana 4 + Bruno 2; Carla is in billing, the supervisor away
    assert made[0][0] == "conv_5"  # high priority first, though it waited least
    assert sorted(uid for _, uid in made).count("ana") == 4
    assert world.store.member("bruno").open_count == 2
    assert world.store.conversation("conv_6").status == ConversationStatus.WAITING  # nobody has room


def test_a_person_coming_online_takes_the_waiting_queue(world):
    world.put(waiting(), person(ANA, online=False))
    world.service.set_availability(ANA, Availability.ONLINE)
    assert world.store.conversation(CONV).assignee == "ana"
    assert events_of(world.store)[-1]["by"] == "distribution"


def test_two_distributions_racing_never_exceed_a_persons_capacity(world):
    world.put(waiting("a"), waiting("b"), person(ANA, capacity=1))
    # Another run assigns "a" to Ana between this run's reads and its commit: the commit conflicts,
    # the step re-runs on fresh state and finds Ana full.
    raced = []

    def rival(store: Store) -> None:
        if not raced:
            raced.append(1)
            conv = store.conversations["a"].value
            store.conversations["a"] = Versioned(conv.assign("ana", NOW), 2)
            member = store.staff["ana"].value
            store.staff["ana"] = Versioned(member.took_one(NOW), 2)

    world.store.commits = 0
    uow = world.service._uow
    uow.before_commit.append(rival)
    assert world.distribution.run("support") == []
    assert world.store.member("ana").open_count == 1
    assert world.store.conversation("b").assignee is None


def test_the_sweeper_never_gives_up_a_template_or_a_human_agent_reply_for_the_24_hour_window(world):
    """Templates go out whatever the window; a person's Messenger reply has 7 days (HUMAN_AGENT)."""
    from dataclasses import replace

    from atende.domain.message import LOST_PUSH_S

    world.put(replace(waiting(), last_inbound_at=NOW - 25 * 3600))
    template = world.service.send(
        ANA, CONV, "t", Draft(template=TemplateChoice(name="retomar", language="pt_BR", params=("Maria",)))
    )
    assert world.store.message(template.id).sweep_due_at() == NOW + LOST_PUSH_S
    messenger = replace(world.store.message(template.id), channel=Channel.MESSENGER, kind="text")
    assert messenger.window_end() == NOW - 25 * 3600 + 7 * 24 * 3600
    bot_reply = replace(messenger, sender_type=SenderType.BOT)
    assert bot_reply.window_end() == NOW - 25 * 3600 + 24 * 3600


def test_the_person_answering_shows_they_are_typing_until_they_send_and_nobody_else_can(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    world.service.typing(ANA, CONV)
    shown = world.store.conversation(CONV)
    assert (shown.typing_by, shown.typing_until) == ("Ana", NOW + 6)
    with pytest.raises(WorkflowRefused):
        world.service.typing(CARLA, CONV)
    world.service.send(ANA, CONV, "t1", Draft(text="Já verifico"))
    assert world.store.conversation(CONV).typing_until is None
    assert not [e for e in events_of(world.store) if e["type"] == "typing"]  # not a timeline event


def test_resolving_asks_the_customer_to_rate_the_help_unless_they_refused_or_the_window_closed(world):
    world.put(waiting(), person(ANA))
    world.service.take(ANA, CONV)
    world.service.resolve(ANA, CONV)
    resolved = world.store.conversation(CONV)
    assert resolved.status == ConversationStatus.RESOLVED and resolved.csat_asked_at == NOW
    [(question_id, _)] = [q for q in world.outbox.queued if q[0].startswith("csat_")]
    question = world.store.message(question_id)
    rows = question.content.to_doc()["sections"][0]["rows"]  # a WhatsApp list of five
    assert [r["id"] for r in rows] == ["csat_5", "csat_4", "csat_3", "csat_2", "csat_1"]
    assert question.followup_rule == "csat" and "Como você avalia" in (question.text or "")

    said_stop = replace(world.store.contacts["c_1"].value, opt_out=OptOut(all=True, at=NOW, keyword="sair"))
    world.store.contacts["c_1"] = Versioned(said_stop, 2)
    world.put(waiting("whatsapp_106540352242922_5511999990002"))
    world.service.take(ANA, "whatsapp_106540352242922_5511999990002")
    world.service.resolve(ANA, "whatsapp_106540352242922_5511999990002")
    assert world.store.conversation("whatsapp_106540352242922_5511999990002").csat_asked_at is None

    world.store.contacts["c_1"] = Versioned(replace(said_stop, opt_out=None), 3)
    late = "whatsapp_106540352242922_5511999990003"
    world.put(replace(waiting(late), last_inbound_at=NOW - 2 * 86400))  # WhatsApp: only templates now
    world.service.take(ANA, late)
    world.service.resolve(ANA, late)
    assert world.store.conversation(late).csat_asked_at is None
