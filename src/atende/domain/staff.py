"""The business's people: who may touch which conversation, and who takes the next one from the queue.

Access is decided here, from the signed-in person's role and teams (their token's claims), so the
server's checks and `firestore.rules` say the same thing (docs/inbox.md): an agent works on their
teams' conversations and on those assigned to them; a supervisor also directs their teams' work; an
admin may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.model import Availability, Role


@dataclass(frozen=True, kw_only=True)
class Actor:
    """The person behind one request, as their verified token says."""

    uid: str
    role: Role
    teams: tuple[str, ...] = ()
    name: str | None = None

    def may_see(self, conversation: Conversation) -> bool:
        return (
            self.role == Role.ADMIN
            or conversation.team in self.teams
            or (conversation.assignee is not None and conversation.assignee == self.uid)
        )

    def may_direct(self, conversation: Conversation) -> bool:
        """Supervisors direct their teams' work (assign to others); admins everyone's."""
        return self.role == Role.ADMIN or (self.role == Role.SUPERVISOR and conversation.team in self.teams)

    def may_handle(self, conversation: Conversation) -> bool:
        """Actions on a conversation someone has: its person, or whoever directs their team."""
        if conversation.assignee in (None, self.uid):
            return self.may_see(conversation)
        return self.may_direct(conversation)

    def may_speak_for(self, other_uid: str) -> bool:
        return other_uid == self.uid or self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def may_run_campaigns(self) -> bool:
        """Campaigns and templates are marketing's and billing's, who are admins or supervisors; agents
        answer the conversations a campaign opens, they never send one."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    def check(self, allowed: bool, reason: str) -> None:
        if not allowed:
            raise WorkflowRefused(reason, forbidden=True)


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    """A person's working state (`users/{uid}`): what distribution weighs."""

    uid: str
    display_name: str
    email: str
    role: Role
    teams: tuple[str, ...] = ()
    availability: Availability = Availability.AWAY
    capacity: int = 0
    open_count: int = 0
    disabled: bool = False
    last_assigned_at: float | None = None
    last_seen_at: float | None = None
    created_at: float | None = None

    @property
    def id(self) -> str:
        return self.uid

    @property
    def has_room(self) -> bool:
        return (
            not self.disabled and self.availability == Availability.ONLINE and self.open_count < self.capacity
        )

    def took_one(self, at: float) -> StaffMember:
        return replace(self, open_count=self.open_count + 1, last_assigned_at=at)

    def freed_one(self) -> StaffMember:
        return replace(self, open_count=max(0, self.open_count - 1))

    def available_as(self, availability: Availability, at: float) -> StaffMember:
        return replace(self, availability=availability, last_seen_at=at)

    def works_in(self, team: str | None) -> bool:
        return team is not None and team in self.teams


def next_in_line(team: str, people: Iterable[StaffMember]) -> StaffMember | None:
    """Who of `team` takes the next waiting conversation.

    The least loaded relative to their capacity goes first, so over a shift each person's share follows
    their capacity (round-robin weighted by capacity); among equals, whoever was given one longest ago.
    """
    free = [p for p in people if p.works_in(team) and p.has_room]
    if not free:
        return None
    return min(free, key=lambda p: (p.open_count / p.capacity, p.last_assigned_at or 0.0, p.uid))
