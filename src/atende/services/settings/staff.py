"""People, as the console changes them: through `StaffAccounts`, the same rules as `atende users`
(claims and the users document agree; a change of role or teams revokes the person's refresh tokens),
with a directory that writes each change's `audit_logs` entry in the same commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atende.domain.staff import Actor, StaffMember
from atende.services.settings.errors import SettingRefused
from atende.services.settings.store import only_admins
from atende.users.accounts import StaffAccounts

Accounts = Callable[[Actor], StaffAccounts]  # the service whose directory audits as this person


def member_json(p: StaffMember) -> dict[str, Any]:
    return {
        "uid": p.uid,
        "email": p.email,
        "displayName": p.display_name,
        "role": str(p.role),
        "teams": list(p.teams),
        "capacity": p.capacity,
        "availability": str(p.availability),
        "openCount": p.open_count,
        "disabled": p.disabled,
    }


class StaffSettings:
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    def list(self, actor: Actor) -> list[dict[str, Any]]:
        only_admins(actor)
        return [member_json(p) for p in self.accounts(actor).list()]

    def invite(
        self, actor: Actor, email: str, name: str, role: str, teams: list[str], capacity: int
    ) -> dict[str, Any]:
        only_admins(actor)
        profile, link = self.accounts(actor).invite(email, name, role, teams, capacity)
        return {"user": member_json(profile), "passwordLink": link}

    def update(
        self,
        actor: Actor,
        uid: str,
        *,
        role: str | None = None,
        teams: list[str] | None = None,
        capacity: int | None = None,
    ) -> dict[str, Any]:
        only_admins(actor)
        if uid == actor.uid and role is not None and role != str(actor.role):
            raise SettingRefused("Você não pode mudar o próprio papel; peça a outro administrador")
        accounts = self.accounts(actor)
        email = accounts.profile(uid).email
        if role is not None or teams is not None:
            accounts.change_access(email, role=role, teams=teams)
        if capacity is not None:
            accounts.set_capacity(email, capacity)
        return member_json(accounts.profile(uid))

    def disable(self, actor: Actor, uid: str) -> dict[str, Any]:
        only_admins(actor)
        if uid == actor.uid:
            raise SettingRefused("Você não pode desativar a própria conta")
        accounts = self.accounts(actor)
        return member_json(accounts.disable(accounts.profile(uid).email))
