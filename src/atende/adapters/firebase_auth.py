"""Who is calling: a Firebase ID token verified with firebase-admin, read as an `Actor` (staff) or as a
web-chat visitor's claims; and the custom tokens that make visitors.

With FIREBASE_AUTH_EMULATOR_HOST set (`make dev`, tests) firebase-admin accepts the Auth emulator's
unsigned tokens; in production it checks Google's signature, the project and the expiry. The role and
teams come from the custom claims `atende users` sets, the same claims `firestore.rules` trusts.
"""

from __future__ import annotations

import os
from typing import Any

import firebase_admin
from firebase_admin import auth

from atende.domain.model import Role
from atende.domain.staff import Actor
from atende.domain.visitor import VisitorClaims

APP_NAME = "atende-inbox"


class Unauthenticated(Exception):
    """No token, a bad or expired one, or a user without a role: 401, with `reason` shown (pt-BR)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FirebaseIdentity:
    """`check_revoked` (production): a disabled account or one whose role or teams changed (`atende users`
    revokes its refresh tokens) is refused at its next request, for one Auth lookup per call, instead of
    acting for up to an hour on the token it already has."""

    def __init__(self, project: str, *, check_revoked: bool = False) -> None:
        self._check_revoked = check_revoked
        if os.environ.get("FIREBASE_AUTH_EMULATOR_HOST") and not project.startswith("demo-"):
            # The variable makes firebase-admin accept unsigned tokens: anyone could claim to be an admin.
            raise RuntimeError(
                f"FIREBASE_AUTH_EMULATOR_HOST is set for project {project!r}: "
                "the Auth emulator is only for demo-* projects"
            )
        try:
            self._app = firebase_admin.get_app(f"{APP_NAME}-{project}")  # one app per project verified
        except ValueError:
            self._app = firebase_admin.initialize_app(
                options={"projectId": project}, name=f"{APP_NAME}-{project}"
            )

    def verify(self, authorization: str | None) -> Actor:
        claims = self._claims(authorization, check_revoked=self._check_revoked)
        try:
            role = Role(claims.get("role"))
        except ValueError as e:
            raise Unauthenticated(
                "Sua conta ainda não tem um papel no Atende; fale com um administrador"
            ) from e
        teams = claims.get("teams") or []
        return Actor(
            uid=str(claims["uid"]),
            role=role,
            teams=tuple(str(t) for t in teams if isinstance(t, str)),
            name=claims.get("name") or claims.get("email"),
        )

    def verify_visitor(self, authorization: str | None) -> VisitorClaims:
        """A web-chat visitor's ID token (from the custom token `mint_visitor` made). Not checked for
        revocation: a visitor has nothing an administrator revokes, and the lookup would cost a call."""
        claims = self._claims(authorization, check_revoked=False)
        visitor = VisitorClaims.from_token(str(claims.get("uid", "")), claims)
        if visitor is None:
            raise Unauthenticated("Sessão de visitante inválida: recarregue a página")
        return visitor

    def mint_visitor(self, visitor: VisitorClaims) -> str:
        """A custom token the widget exchanges (signInWithCustomToken) for the visitor's ID token. Signed
        through IAM in production (the function's account may sign as itself); unsigned for the emulator."""
        token = auth.create_custom_token(visitor.uid, visitor.as_token_claims(), app=self._app)
        return token.decode() if isinstance(token, bytes) else token

    def _claims(self, authorization: str | None, *, check_revoked: bool) -> dict[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Entre novamente: sessão ausente")
        try:
            return auth.verify_id_token(token.strip(), app=self._app, check_revoked=check_revoked)
        except (auth.RevokedIdTokenError, auth.UserDisabledError) as e:
            raise Unauthenticated("Sua sessão foi encerrada por um administrador: entre novamente") from e
        except (
            ValueError,
            auth.InvalidIdTokenError,
            auth.ExpiredIdTokenError,
            auth.CertificateFetchError,
        ) as e:
            raise Unauthenticated("Entre novamente: sessão inválida ou expirada") from e
