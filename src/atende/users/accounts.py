"""Creating and changing staff accounts: the rules, over two ports (the identity provider, the directory).

The custom claims are what firestore.rules and inbox_api trust; the `users/{uid}` document mirrors
them for display and distribution. Every change of role or teams writes both and revokes the user's
refresh tokens, so the new claims apply at the next token refresh instead of within the hour.
"""

from __future__ import annotations

import re
from typing import Protocol

from atende.domain.model import Role
from atende.domain.staff import StaffMember

ROLES = tuple(str(r) for r in Role)
TEAMS = ("support", "billing", "sales", "retention")
MIN_PASSWORD = 6  # Firebase Auth's own minimum
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A request the CLI answers with a clear message and a non-zero exit."""


class Identities(Protocol):
    """Firebase Auth (the emulator in dev)."""

    def create(self, email: str, password: str, display_name: str) -> str: ...
    def uid_for(self, email: str) -> str | None: ...
    def set_claims(self, uid: str, role: str, teams: tuple[str, ...]) -> None: ...
    def disable(self, uid: str) -> None: ...
    def revoke_tokens(self, uid: str) -> None: ...


class Directory(Protocol):
    """The `users` collection."""

    def add(self, profile: StaffMember) -> None: ...
    def get(self, uid: str) -> StaffMember | None: ...
    def change(
        self,
        uid: str,
        *,
        role: str | None = None,
        teams: tuple[str, ...] | None = None,
        disabled: bool | None = None,
    ) -> None: ...
    def all(self) -> list[StaffMember]: ...


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def check_teams(teams: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [t for t in teams if t not in TEAMS]
    if unknown:
        raise UserError(f"unknown team(s) {', '.join(unknown)}: use {', '.join(TEAMS)}")
    return tuple(dict.fromkeys(teams))


class StaffAccounts:
    def __init__(self, identities: Identities, directory: Directory) -> None:
        self.identities = identities
        self.directory = directory

    def create(
        self, email: str, password: str, name: str, role: str, teams: list[str], capacity: int
    ) -> StaffMember:
        email = email.strip().lower()
        if not EMAIL.match(email):
            raise UserError(f"{email!r} is not an e-mail address")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"the password is too weak: at least {MIN_PASSWORD} characters")
        if not name.strip():
            raise UserError("a display name is required")
        if capacity < 0:
            raise UserError("the capacity cannot be negative")
        role, checked = check_role(role), check_teams(teams)
        if self.identities.uid_for(email) is not None:
            raise UserError(f"a user with the e-mail {email} already exists")
        uid = self.identities.create(email, password, name.strip())
        self.identities.set_claims(uid, role, checked)
        profile = StaffMember(
            uid=uid, email=email, display_name=name.strip(), role=Role(role), teams=checked, capacity=capacity
        )
        self.directory.add(profile)
        return profile

    def set_role(self, email: str, role: str) -> StaffMember:
        return self._change(email, role=check_role(role))

    def set_teams(self, email: str, teams: list[str]) -> StaffMember:
        return self._change(email, teams=check_teams(teams))

    def disable(self, email: str) -> StaffMember:
        uid = self._uid(email)
        self.identities.disable(uid)
        self.identities.revoke_tokens(uid)
        self.directory.change(uid, disabled=True)
        return self._profile(uid)

    def list(self) -> list[StaffMember]:
        return sorted(self.directory.all(), key=lambda p: p.email)

    def _change(self, email: str, *, role: str | None = None, teams: tuple[str, ...] | None = None):
        uid = self._uid(email)
        current = self._profile(uid)
        new_role, new_teams = role or current.role, current.teams if teams is None else teams
        self.identities.set_claims(uid, new_role, new_teams)
        self.directory.change(uid, role=new_role, teams=new_teams)
        self.identities.revoke_tokens(uid)
        return self._profile(uid)

    def _uid(self, email: str) -> str:
        uid = self.identities.uid_for(email.strip().lower())
        if uid is None:
            raise UserError(f"no user with the e-mail {email}")
        return uid

    def _profile(self, uid: str) -> StaffMember:
        profile = self.directory.get(uid)
        if profile is None:
            raise UserError(
                f"the user {uid} has no users document: create it again with `atende users create`"
            )
        return profile
