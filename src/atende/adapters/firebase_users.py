"""Staff accounts on Firebase Auth (firebase-admin) and their `users/{uid}` documents in Firestore.

With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin talks to the Auth emulator and needs no
credentials; in production it uses Application Default Credentials.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import firebase_admin
import firebase_admin.exceptions
from firebase_admin import auth
from google.cloud import firestore

from atende.adapters.firestore import users as user_doc
from atende.adapters.firestore.settings import FirestoreSettingsStore
from atende.domain.staff import Actor, StaffMember
from atende.services.audit import AuditEntry
from atende.services.settings.store import Doc, SettingsStore, known_teams
from atende.users.accounts import StaffAccounts, UserError, UserExists

USERS = "users"


def firebase_app(project: str) -> firebase_admin.App:
    """The default firebase-admin app, created once per process for `project`."""
    try:
        return firebase_admin.get_app()
    except ValueError:
        return firebase_admin.initialize_app(options={"projectId": project})


class FirebaseIdentities:
    def __init__(self, app: firebase_admin.App) -> None:
        self.app = app

    def create(self, email: str, password: str, display_name: str) -> str:
        try:
            user = auth.create_user(email=email, password=password, display_name=display_name, app=self.app)
        except auth.EmailAlreadyExistsError as exc:
            raise UserExists(
                f"a user with the e-mail {email} already exists", f"Já existe uma conta com o e-mail {email}"
            ) from exc
        except (ValueError, firebase_admin.exceptions.InvalidArgumentError) as exc:
            raise UserError(
                f"Firebase Auth refused the account: {exc}", f"O Firebase Auth recusou a conta: {exc}"
            ) from exc
        return user.uid

    def password_reset_link(self, email: str) -> str:
        return auth.generate_password_reset_link(email, app=self.app)

    def uid_for(self, email: str) -> str | None:
        try:
            return auth.get_user_by_email(email, app=self.app).uid
        except auth.UserNotFoundError:
            return None

    def set_claims(self, uid: str, role: str, teams: tuple[str, ...]) -> None:
        auth.set_custom_user_claims(uid, {"role": role, "teams": list(teams)}, app=self.app)

    def disable(self, uid: str) -> None:
        auth.update_user(uid, disabled=True, app=self.app)

    def revoke_tokens(self, uid: str) -> None:
        auth.revoke_refresh_tokens(uid, app=self.app)


class FirestoreDirectory:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def add(self, profile: StaffMember) -> None:
        doc = {**user_doc.to_doc(profile), "createdAt": firestore.SERVER_TIMESTAMP}
        self.db.collection(USERS).document(profile.uid).set(doc)

    def get(self, uid: str) -> StaffMember | None:
        snapshot = self.db.collection(USERS).document(uid).get()
        return user_doc.from_doc(snapshot.id, snapshot.to_dict() or {}) if snapshot.exists else None

    def change(
        self,
        uid: str,
        *,
        role: str | None = None,
        teams: tuple[str, ...] | None = None,
        disabled: bool | None = None,
        capacity: int | None = None,
    ) -> None:
        self.db.collection(USERS).document(uid).update(_changed(role, teams, disabled, capacity))

    def all(self) -> list[StaffMember]:
        return [user_doc.from_doc(s.id, s.to_dict() or {}) for s in self.db.collection(USERS).stream()]


def _changed(
    role: str | None, teams: tuple[str, ...] | None, disabled: bool | None, capacity: int | None
) -> dict[str, Any]:
    fields = {"role": role, "teams": list(teams) if teams is not None else None}
    fields |= {"disabled": disabled, "capacity": capacity}
    return {k: v for k, v in fields.items() if v is not None}


class AuditedDirectory:
    """The `users` collection as the console changes it: each write with its `audit_logs` entry (who,
    before, after) in one commit. Firebase Auth (claims, disabling) is changed just before, outside that
    commit: Auth and Firestore share no transaction."""

    def __init__(self, store: SettingsStore, actor: Actor, clock: Callable[[], float] = time.time) -> None:
        self.store, self.actor, self.clock = store, actor, clock

    def _write(self, uid: str, action: str, change: Callable[[Doc | None], Doc]) -> None:
        now = self.clock()

        def audit(before: Doc | None, after: Doc | None) -> AuditEntry:
            return AuditEntry(
                action=action,
                actor_uid=self.actor.uid,
                actor_role=str(self.actor.role),
                collection=USERS,
                target_id=uid,
                at=now,
                before=before,
                after=after,
            )

        self.store.change(USERS, uid, change, audit)

    def add(self, profile: StaffMember) -> None:
        created = datetime.fromtimestamp(self.clock(), UTC)
        self._write(profile.uid, "users.invite", lambda _: {**user_doc.to_doc(profile), "createdAt": created})

    def get(self, uid: str) -> StaffMember | None:
        doc = self.store.get(USERS, uid)
        return user_doc.from_doc(uid, doc) if doc is not None else None

    def change(
        self,
        uid: str,
        *,
        role: str | None = None,
        teams: tuple[str, ...] | None = None,
        disabled: bool | None = None,
        capacity: int | None = None,
    ) -> None:
        fields = _changed(role, teams, disabled, capacity)
        action = "users.disable" if disabled else "users.update"
        self._write(uid, action, lambda before: {**(before or {}), **fields})

    def all(self) -> list[StaffMember]:
        return [user_doc.from_doc(uid, doc) for uid, doc in self.store.all(USERS).items()]


def staff_accounts(project: str, db: firestore.Client | None = None) -> StaffAccounts:
    """The StaffAccounts service on Firebase Auth and Firestore for `project`."""
    db = db or firestore.Client(project=project)
    teams = partial(known_teams, FirestoreSettingsStore(db))
    return StaffAccounts(FirebaseIdentities(firebase_app(project)), FirestoreDirectory(db), teams)
