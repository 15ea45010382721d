"""Creating and changing staff accounts: the rules, over two ports (the identity provider, the directory).

The custom claims are what firestore.rules and inbox_api trust; the `users/{uid}` document mirrors
them for display and distribution. Every change of role or teams writes both and revokes the user's
refresh tokens, so the new claims apply at the next token refresh instead of within the hour.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection
from typing import Protocol

from atende.domain.model import Role
from atende.domain.staff import StaffMember
from atende.domain.teams import BUILTIN_TEAMS

ROLES = tuple(str(r) for r in Role)
TEAMS = BUILTIN_TEAMS
MIN_PASSWORD = 6  # Firebase Auth's own minimum
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A request refused with a clear message: in English for the CLI, `reason` in pt-BR for the console."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class UserExists(UserError):
    pass


class NoSuchUser(UserError):
    pass


class Identities(Protocol):
    """Firebase Auth (the emulator in dev)."""

    def create(self, email: str, password: str, display_name: str) -> str: ...
    def password_reset_link(self, email: str) -> str: ...
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
        capacity: int | None = None,
    ) -> None: ...
    def all(self) -> list[StaffMember]: ...


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(
            f"unknown role {role!r}: use one of {', '.join(ROLES)}",
            f"Papel desconhecido: {role}; use {', '.join(ROLES)}",
        )
    return role


def check_teams(teams: list[str] | tuple[str, ...], known: Collection[str] = TEAMS) -> tuple[str, ...]:
    unknown = [t for t in teams if t not in known]
    if unknown:
        raise UserError(
            f"unknown team(s) {', '.join(unknown)}: use {', '.join(sorted(known))}",
            f"Equipe(s) inexistente(s): {', '.join(unknown)}",
        )
    return tuple(dict.fromkeys(teams))


def check_capacity(capacity: int) -> int:
    if capacity < 0:
        raise UserError("the capacity cannot be negative", "A capacidade não pode ser negativa")
    return capacity


class StaffAccounts:
    def __init__(
        self,
        identities: Identities,
        directory: Directory,
        known_teams: Callable[[], Collection[str]] = lambda: TEAMS,
    ) -> None:
        self.identities = identities
        self.directory = directory
        self.known_teams = known_teams

    def create(
        self, email: str, password: str, name: str, role: str, teams: list[str], capacity: int
    ) -> StaffMember:
        email = email.strip().lower()
        if not EMAIL.match(email):
            raise UserError(f"{email!r} is not an e-mail address", f"{email} não é um endereço de e-mail")
        if len(password) < MIN_PASSWORD:
            raise UserError(
                f"the password is too weak: at least {MIN_PASSWORD} characters",
                f"Senha fraca demais: pelo menos {MIN_PASSWORD} caracteres",
            )
        if not name.strip():
            raise UserError("a display name is required", "Informe o nome")
        check_capacity(capacity)
        role, checked = check_role(role), check_teams(teams, self.known_teams())
        if self.identities.uid_for(email) is not None:
            raise UserExists(
                f"a user with the e-mail {email} already exists", f"Já existe uma conta com o e-mail {email}"
            )
        uid = self.identities.create(email, password, name.strip())
        self.identities.set_claims(uid, role, checked)
        profile = StaffMember(
            uid=uid, email=email, display_name=name.strip(), role=Role(role), teams=checked, capacity=capacity
        )
        self.directory.add(profile)
        return profile

    def invite(
        self, email: str, name: str, role: str, teams: list[str], capacity: int
    ) -> tuple[StaffMember, str]:
        """An account with a random password nobody knows, and the link where the person chooses theirs."""
        profile = self.create(email, secrets.token_urlsafe(24), name, role, teams, capacity)
        return profile, self.identities.password_reset_link(profile.email)

    def set_role(self, email: str, role: str) -> StaffMember:
        return self.change_access(email, role=role)

    def set_teams(self, email: str, teams: list[str]) -> StaffMember:
        return self.change_access(email, teams=teams)

    def change_access(
        self, email: str, *, role: str | None = None, teams: list[str] | None = None
    ) -> StaffMember:
        """Role and/or teams: claims, then the users document, then the refresh tokens revoked, once."""
        return self._change(
            email,
            role=check_role(role) if role is not None else None,
            teams=check_teams(teams, self.known_teams()) if teams is not None else None,
        )

    def set_capacity(self, email: str, capacity: int) -> StaffMember:
        """How many conversations at once: distribution's business only, so no token is revoked."""
        uid = self._uid(email)
        self.directory.change(uid, capacity=check_capacity(capacity))
        return self.profile(uid)

    def disable(self, email: str) -> StaffMember:
        uid = self._uid(email)
        self.identities.disable(uid)
        self.identities.revoke_tokens(uid)
        self.directory.change(uid, disabled=True)
        return self.profile(uid)

    def list(self) -> list[StaffMember]:
        return sorted(self.directory.all(), key=lambda p: p.email)

    def _change(self, email: str, *, role: str | None = None, teams: tuple[str, ...] | None = None):
        uid = self._uid(email)
        current = self.profile(uid)
        new_role, new_teams = role or current.role, current.teams if teams is None else teams
        self.identities.set_claims(uid, new_role, new_teams)
        self.directory.change(uid, role=new_role, teams=new_teams)
        self.identities.revoke_tokens(uid)
        return self.profile(uid)

    def _uid(self, email: str) -> str:
        uid = self.identities.uid_for(email.strip().lower())
        if uid is None:
            raise NoSuchUser(f"no user with the e-mail {email}", f"Não existe conta com o e-mail {email}")
        return uid

    def profile(self, uid: str) -> StaffMember:
        profile = self.directory.get(uid)
        if profile is None:
            raise NoSuchUser(
                f"the user {uid} has no users document: create it again with `atende users create`",
                f"A conta {uid} não tem documento em users; crie-a de novo",
            )
        return profile
