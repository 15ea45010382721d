"""`atende users`: create staff accounts and change their role, teams or access.

Against the Auth emulator when FIREBASE_AUTH_EMULATOR_HOST is set (as `make dev` does for its own
process; from another shell, export FIREBASE_AUTH_EMULATOR_HOST=127.0.0.1:9099 and
FIRESTORE_EMULATOR_HOST=127.0.0.1:8080), else against the project with Application Default Credentials.
"""

from __future__ import annotations

import argparse
import os
import sys

from atende.domain.staff import StaffMember
from atende.users.accounts import ROLES, TEAMS, UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="manage the people who sign in to the inbox")
    parser.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-atende"))
    commands = parser.add_subparsers(dest="users_command", required=True)

    create = commands.add_parser("create", help="create a user with a role, teams and a capacity")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, help=" | ".join(ROLES))
    create.add_argument("--teams", default="", help=f"comma-separated: {','.join(TEAMS)}")
    create.add_argument("--capacity", type=int, default=3, help="open conversations at once (default 3)")
    create.set_defaults(func=_create)

    commands.add_parser("list", help="list every user").set_defaults(func=_list)

    set_role = commands.add_parser("set-role", help="change a user's role (their tokens are revoked)")
    set_role.add_argument("email")
    set_role.add_argument("role", help=" | ".join(ROLES))
    set_role.set_defaults(func=_set_role)

    set_teams = commands.add_parser("set-teams", help="change a user's teams (their tokens are revoked)")
    set_teams.add_argument("email")
    set_teams.add_argument("teams", help=f"comma-separated: {','.join(TEAMS)}")
    set_teams.set_defaults(func=_set_teams)

    disable = commands.add_parser("disable", help="stop a user from signing in (their tokens are revoked)")
    disable.add_argument("email")
    disable.set_defaults(func=_disable)


def _teams(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _accounts(args: argparse.Namespace):
    from atende.adapters.firebase_users import staff_accounts

    return staff_accounts(args.project)


def _describe(p: StaffMember) -> str:
    teams = ",".join(p.teams) or "-"
    state = "disabled" if p.disabled else p.availability
    return f"{p.email:<32} {p.role:<10} {teams:<32} capacity {p.capacity:<3} {state:<8} {p.display_name}"


def _run(action) -> int:
    try:
        print(action())
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _create(args: argparse.Namespace) -> int:
    def create() -> str:
        p = _accounts(args).create(
            args.email, args.password, args.name, args.role, _teams(args.teams), args.capacity
        )
        return f"created {p.email} (uid {p.uid}): role {p.role}, teams {','.join(p.teams) or '-'}"

    return _run(create)


def _list(args: argparse.Namespace) -> int:
    return _run(lambda: "\n".join(_describe(p) for p in _accounts(args).list()) or "no users")


def _set_role(args: argparse.Namespace) -> int:
    return _run(lambda: "updated " + _describe(_accounts(args).set_role(args.email, args.role)))


def _set_teams(args: argparse.Namespace) -> int:
    return _run(lambda: "updated " + _describe(_accounts(args).set_teams(args.email, _teams(args.teams))))


def _disable(args: argparse.Namespace) -> int:
    return _run(lambda: "disabled " + _describe(_accounts(args).disable(args.email)))
