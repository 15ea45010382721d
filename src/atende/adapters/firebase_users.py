"""Staff accounts on Firebase Auth (firebase-admin) and their `users/{uid}` documents in Firestore.

With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin talks to the Auth emulator and needs no
credentials; in production it uses Application Default Credentials.
"""

from __future__ import annotations

from typing import Any

import firebase_admin
import firebase_admin.exceptions
from firebase_admin import auth
from google.cloud import firestore

from atende.adapters.firestore import users as user_doc
from atende.domain.staff import StaffMember
from atende.users.accounts import StaffAccounts, UserError

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
            raise UserError(f"a user with the e-mail {email} already exists") from exc
        except (ValueError, firebase_admin.exceptions.InvalidArgumentError) as exc:
            raise UserError(f"Firebase Auth refused the account: {exc}") from exc
        return user.uid

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
    ) -> None:
        fields: dict[str, Any] = {}
        if role is not None:
            fields["role"] = role
        if teams is not None:
            fields["teams"] = list(teams)
        if disabled is not None:
            fields["disabled"] = disabled
        self.db.collection(USERS).document(uid).update(fields)

    def all(self) -> list[StaffMember]:
        return [user_doc.from_doc(s.id, s.to_dict() or {}) for s in self.db.collection(USERS).stream()]


def staff_accounts(project: str, db: firestore.Client | None = None) -> StaffAccounts:
    """The StaffAccounts service on Firebase Auth and Firestore for `project`."""
    return StaffAccounts(
        FirebaseIdentities(firebase_app(project)), FirestoreDirectory(db or firestore.Client(project=project))
    )
