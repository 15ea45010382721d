"""Distribution on the real Firestore emulator: runs racing each other never give a person more than their
capacity nor a conversation to two people, and the tick wakes snoozes whose time came and hands them out."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.cloud import firestore

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.domain.conversation import Conversation
from atende.domain.model import Availability, Channel, ConversationStatus, Priority, Role
from atende.domain.staff import StaffMember
from atende.services.distribution import Distribution

pytestmark = pytest.mark.integration
ACCOUNT = "106540352242922"


@pytest.fixture
def db(stack) -> firestore.Client:
    return firestore.Client(project=f"demo-atende-dist-{uuid.uuid4().hex[:6]}")


def uow(db: firestore.Client):
    return lambda: FirestoreUnitOfWork(db)


def agent(uid: str, team: str, capacity: int, *, online: bool = True) -> StaffMember:
    return StaffMember(
        uid=uid,
        display_name=uid.title(),
        email=f"{uid}@test.atende.dev",
        role=Role.AGENT,
        teams=(team,),
        availability=Availability.ONLINE if online else Availability.AWAY,
        capacity=capacity,
    )


def queued(team: str, waited_s: float, **kw) -> Conversation:
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    return Conversation(
        id=f"whatsapp_{ACCOUNT}_{wa_id}",
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        contact_id=f"c_{wa_id}",
        sender_id=wa_id,
        status=kw.pop("status", ConversationStatus.WAITING),
        team=team,
        queue=team,
        priority=kw.pop("priority", Priority.NORMAL),
        waiting_since=time.time() - waited_s,
        last_message_at=time.time() - waited_s,
        **kw,
    )


def put(db: firestore.Client, *items: StaffMember | Conversation) -> None:
    with FirestoreUnitOfWork(db) as u:
        for item in items:
            (u.staff if isinstance(item, StaffMember) else u.conversations).add(item)
        u.commit()


def test_racing_runs_never_exceed_capacity_nor_assign_twice(db):
    team = "support"
    people = [agent("ana", team, 2), agent("bruno", team, 1), agent("dora", team, 3, online=False)]
    queue = [queued(team, 600 - i) for i in range(8)]
    put(db, *people, *queue)

    runs = [Distribution(uow(db)) for _ in range(4)]
    with ThreadPoolExecutor(len(runs)) as pool:
        made = [pair for result in pool.map(lambda d: d.run(team), runs) for pair in result]

    assert len(made) == 3 and len({conv for conv, _ in made}) == 3  # no conversation given twice
    convs = {s.id: s.to_dict() for s in db.collection("conversations").stream()}
    held = Counter(c["assignee"] for c in convs.values() if c.get("assignee"))
    assert held == Counter({"ana": 2, "bruno": 1})  # dora is away
    users = {s.id: s.to_dict() for s in db.collection("users").stream()}
    assert {uid: users[uid]["openCount"] for uid in held} == dict(held)
    oldest = sorted(queue, key=lambda c: c.waiting_since or 0)[:3]
    assert {c.id for c in oldest} == {conv for conv, _ in made}  # the longest waiting went first
    assignments = [a for a in db.collection("audit_logs").stream() if a.get("action") == "assign"]
    assert len(assignments) == 3


def test_the_tick_wakes_snoozes_due_and_hands_the_queue_out_high_priority_first(db):
    team = "billing"
    due = queued(team, 100, status=ConversationStatus.SNOOZED, snoozed_until=time.time() - 1)
    later = queued(team, 100, status=ConversationStatus.SNOOZED, snoozed_until=time.time() + 3600)
    urgent = queued(team, 10, priority=Priority.HIGH)
    put(db, agent("carla", team, 1), due, later, urgent)

    woken, assigned = Distribution(uow(db)).tick()

    assert (woken, assigned) == (1, 1)
    status = {s.id: (s.get("status"), s.get("assignee")) for s in db.collection("conversations").stream()}
    assert status[urgent.id] == ("in_service", "carla")  # high priority beats the longer wait
    assert status[due.id] == ("waiting", None)
    assert status[later.id] == ("snoozed", None)
