"""The business's settings documents: routing thresholds, business profile and personas, opening hours,
follow-up rules, teams and their service levels, canned responses.

Each write is checked by the loader the functions themselves use (`policy_with_overrides`,
`business_profile`, `opening_hours`, `FollowupPolicy.with_overrides`, `Team.from_doc`), so what the
console accepts is what the bot can run with; the document and its `audit_logs` entry (before and after)
go in one commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from atende.domain.followups import FollowupPolicy
from atende.domain.hours import OpeningHours
from atende.domain.staff import Actor
from atende.domain.teams import BUILTIN_TEAMS, Team
from atende.engines.personas import personas
from atende.services.attendant_config import business_profile, default_business, opening_hours
from atende.services.audit import AuditEntry
from atende.services.settings.errors import NotFound, SettingRefused, refused
from atende.services.settings.store import TEAMS, Doc, SettingsStore, known_teams, only_admins
from atende.triage import threshold_table
from atende.triage.policy import default_policy, policy_with_overrides

CONFIG = "config"
CANNED = "canned_responses"
META = ("updatedAt", "updatedBy")


def plain(doc: Doc | None) -> Doc:
    """A settings document without who changed it last, or keys starting with `_` (comments)."""
    return {k: v for k, v in (doc or {}).items() if k not in META and not k.startswith("_")}


class CannedResponse(BaseModel):
    """What `firestore.rules` accepted from admins before the console, now checked here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)
    teams: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=20)


class SettingsWriter:
    """Writes one settings document for an admin, stamped and audited."""

    def __init__(self, store: SettingsStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def write(
        self,
        actor: Actor,
        collection: str,
        doc_id: str,
        change: Callable[[Doc | None], Doc | None],
        action: str = "settings.update",
    ) -> Doc | None:
        only_admins(actor)
        now = self.clock()

        def stamped(before: Doc | None) -> Doc | None:
            after = change(before)
            if after is None:
                return None
            return {**after, "updatedAt": datetime.fromtimestamp(now, UTC), "updatedBy": actor.uid}

        def audit(before: Doc | None, after: Doc | None) -> AuditEntry:
            return AuditEntry(
                action=action if after is not None else "settings.delete",
                actor_uid=actor.uid,
                actor_role=str(actor.role),
                collection=collection,
                target_id=doc_id,
                at=now,
                before=before,
                after=after,
            )

        return self.store.change(collection, doc_id, stamped, audit)[1]

    def check_teams(self, teams: list[str] | tuple[str, ...], where: str) -> None:
        unknown = sorted(set(teams) - known_teams(self.store))
        if unknown:
            raise SettingRefused(f"{where}: equipe(s) inexistente(s): {', '.join(unknown)}")


class SettingsDocuments:
    def __init__(self, writer: SettingsWriter) -> None:
        self.writer = writer
        self.store = writer.store

    # -- routing ----------------------------------------------------------------------------------------

    def routing(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        overrides = plain(self.store.get(CONFIG, "routing"))
        try:
            effective = policy_with_overrides(overrides).to_dict()
            problem = None
        except ValidationError as e:  # written before the console checked it: the functions ignore it
            effective, problem = default_policy().to_dict(), refused(e, "config/routing").reason
        return {
            "overrides": overrides,
            "effective": effective,
            "defaults": default_policy().to_dict(),
            "problem": problem,
        }

    def set_routing(self, actor: Actor, overrides: Doc) -> dict[str, Any]:
        try:
            policy = policy_with_overrides(overrides)
        except ValidationError as e:
            raise refused(e, "Política de roteamento") from None
        self.writer.check_teams([*policy.teams.values(), policy.default_team], "teams")
        self.writer.write(actor, CONFIG, "routing", lambda _: dict(overrides))
        return self.routing(actor)

    def routing_table(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        return threshold_table.committed()

    # -- business profile and personas ------------------------------------------------------------------

    def business(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        overrides = plain(self.store.get(CONFIG, "business"))
        effective = {**default_business(), **overrides}
        return {"overrides": overrides, "effective": effective, "personas": personas(effective)}

    def set_business(self, actor: Actor, overrides: Doc) -> dict[str, Any]:
        self._check_business(overrides)
        self.writer.write(actor, CONFIG, "business", lambda _: dict(overrides))
        return self.business(actor)

    def set_persona(self, actor: Actor, name: str, texts: Doc | None) -> dict[str, Any]:
        """One persona's texts in `config/business` `personas` (None: back to the defaults)."""

        def change(before: Doc | None) -> Doc:
            doc = plain(before)
            chosen = {**(doc.get("personas") or {})}
            if texts is None:
                if name not in chosen:
                    raise NotFound(f"A persona {name} não tem textos próprios")
                chosen.pop(name)
            else:
                chosen[name] = texts
            doc = {**doc, "personas": chosen}
            self._check_business(doc)
            return doc

        self.writer.write(actor, CONFIG, "business", change)
        return self.business(actor)

    @staticmethod
    def _check_business(overrides: Doc) -> None:
        try:
            business_profile({**default_business(), **overrides})
        except ValidationError as e:
            raise refused(e, "Perfil do negócio") from None

    # -- opening hours ----------------------------------------------------------------------------------

    def hours(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        stored = plain(self.store.get(CONFIG, "hours"))
        business = {**default_business(), **plain(self.store.get(CONFIG, "business"))}
        problem = None
        try:
            hours = opening_hours(stored) if stored else OpeningHours.from_business(business)
        except ValidationError as e:  # written by hand: the functions fall back to the profile's hours
            problem, stored = refused(e, "config/hours").reason, {}
            hours = OpeningHours.from_business(business)
        return {
            "hours": hours.model_dump(mode="json"),
            "source": "config/hours" if stored else "config/business",
            "openNow": hours.is_open(self.writer.clock()),
            "problem": problem,
        }

    def set_hours(self, actor: Actor, document: Doc) -> dict[str, Any]:
        try:
            checked = opening_hours(document)
        except ValidationError as e:
            raise refused(e, "Horário de atendimento") from None
        self.writer.write(actor, CONFIG, "hours", lambda _: checked.model_dump(mode="json"))
        return self.hours(actor)

    # -- follow-up rules -------------------------------------------------------------------------------

    def followups(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        overrides = plain(self.store.get(CONFIG, "followups"))
        defaults = FollowupPolicy.defaults().model_dump(mode="json")
        try:
            effective = FollowupPolicy.with_overrides(overrides).model_dump(mode="json")
            problem = None
        except ValidationError as e:  # written by hand: the tick ignores it and runs the defaults
            effective, problem = defaults, refused(e, "config/followups").reason
        return {
            "overrides": overrides,
            "effective": effective,
            "defaults": defaults,
            "overridden": _overridden(overrides),
            "problem": problem,
        }

    def set_followups(self, actor: Actor, overrides: Doc) -> dict[str, Any]:
        self._check_followups(overrides)
        self.writer.write(actor, CONFIG, "followups", lambda _: dict(overrides))
        return self.followups(actor)

    def reset_followup_rule(self, actor: Actor, rule_id: str) -> dict[str, Any]:
        """Drops one rule's override: the repo's rule is back, the other rules' changes stay."""

        def change(before: Doc | None) -> Doc:
            doc = plain(before)
            rules = {**(doc.get("rules") or {})}
            if rule_id not in rules:
                raise NotFound(f"A regra {rule_id} já é a padrão")
            rules.pop(rule_id)
            doc = {**doc, "rules": rules}
            self._check_followups(doc)
            return doc

        self.writer.write(actor, CONFIG, "followups", change)
        return self.followups(actor)

    @staticmethod
    def _check_followups(overrides: Doc) -> None:
        try:
            FollowupPolicy.with_overrides(overrides)
        except ValidationError as e:
            raise refused(e, "Regras de acompanhamento") from None

    # -- teams ------------------------------------------------------------------------------------------

    def teams(self, actor: Actor) -> list[dict[str, Any]]:
        only_admins(actor)
        stored = self.store.all(TEAMS)
        ids = sorted(set(BUILTIN_TEAMS) | set(stored))
        return [{"id": i, **plain(stored.get(i)), "builtin": i in BUILTIN_TEAMS} for i in ids]

    def set_team(self, actor: Actor, team_id: str, document: Doc) -> dict[str, Any]:
        try:
            team = Team.from_doc(document)
        except ValidationError as e:
            raise refused(e, f"Equipe {team_id}") from None
        after = self.writer.write(actor, TEAMS, team_id, lambda _: team.model_dump(exclude_none=True))
        return {"id": team_id, **plain(after)}

    # -- canned responses -------------------------------------------------------------------------------

    def canned(self, actor: Actor) -> list[dict[str, Any]]:
        only_admins(actor)
        return [{"shortcut": k, **plain(v)} for k, v in sorted(self.store.all(CANNED).items())]

    def set_canned(self, actor: Actor, shortcut: str, document: Doc) -> dict[str, Any]:
        try:
            canned = CannedResponse.model_validate(document)
        except ValidationError as e:
            raise refused(e, f"Resposta rápida /{shortcut}") from None
        self.writer.check_teams(canned.teams, "teams")
        after = self.writer.write(
            actor, CANNED, shortcut, lambda _: {"shortcut": shortcut, **canned.model_dump()}
        )
        return {"shortcut": shortcut, **plain(after)}

    def remove_canned(self, actor: Actor, shortcut: str) -> None:
        def change(before: Doc | None) -> None:
            if before is None:
                raise NotFound(f"Não existe a resposta rápida /{shortcut}")

        self.writer.write(actor, CANNED, shortcut, change)


def _overridden(overrides: Doc) -> dict[str, Any]:
    """Which keys the admin's document sets: the send window's, and each rule's."""
    rules = overrides.get("rules") if isinstance(overrides.get("rules"), dict) else {}
    window = overrides.get("send_window") if isinstance(overrides.get("send_window"), dict) else {}
    return {
        "send_window": sorted(window),
        "rules": {rule_id: sorted(changes or {}) for rule_id, changes in rules.items()},
    }
