"""The port the console's settings are kept behind, and who may change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from atende.domain.model import Role
from atende.domain.staff import Actor
from atende.domain.teams import BUILTIN_TEAMS
from atende.services.audit import AuditEntry

TEAMS = "teams"

Doc = dict[str, Any]
Change = Callable[[Doc | None], Doc | None]  # the document as it is → as it will be (None: removed)
Audit = Callable[[Doc | None, Doc | None], AuditEntry]


class SettingsStore(Protocol):
    """Firestore's settings documents (`config/*`, `teams`, `flows`, `canned_responses`, `channels`,
    `users`)."""

    def get(self, collection: str, doc_id: str) -> Doc | None: ...

    def all(self, collection: str) -> dict[str, Doc]: ...

    def change(
        self, collection: str, doc_id: str, change: Change, audit: Audit
    ) -> tuple[Doc | None, Doc | None]:
        """Read the document, apply `change` and write the result with `audit(before, after)`, in one
        commit (a concurrent change makes it run again on fresh data); returns (before, after)."""


def only_admins(actor: Actor) -> None:
    """Settings are the business's: supervisors direct people, they do not change how the service runs."""
    actor.check(actor.role == Role.ADMIN, "Somente administradores mudam as configurações")


def known_teams(store: SettingsStore) -> set[str]:
    """The product's teams and those an admin added (`teams/{id}`): the one answer to which team a person,
    a route, a canned response or a transfer may name, for the console, the inbox and the users CLI."""
    return set(BUILTIN_TEAMS) | set(store.all(TEAMS))
