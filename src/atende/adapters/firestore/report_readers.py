"""What `reports_api` reads: the metrics documents of a date range, the live board's conversations and
people, and the channel-health buckets (docs/reports.md lists each query and the index it uses)."""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud import firestore

from atende.adapters.firestore import conversations as conversation_doc
from atende.adapters.firestore import metrics as metrics_doc
from atende.adapters.firestore import users as user_doc
from atende.adapters.firestore.codec import seconds
from atende.adapters.firestore.collections import CHANNEL_HEALTH, CONVERSATIONS, HOURS, METRICS, TEAMS, USERS
from atende.domain.board import ServiceLevel
from atende.domain.conversation import Conversation
from atende.domain.model import ConversationStatus
from atende.domain.reports import Daily
from atende.domain.staff import StaffMember
from atende.services.board import HealthHour

IN_LIMIT = 30  # values of one `in` filter


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + IN_LIMIT] for i in range(0, len(values), IN_LIMIT)]


class FirestoreReportReader:
    """Metrics, board and health reads; also counts the documents it read (the benchmark prints it)."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client
        self.documents_read = 0

    def daily(
        self, *, dimension: str, first_day: str, last_day: str, teams: Sequence[str] | None
    ) -> list[Daily]:
        """Composite index (dimension, team, day), or (dimension, day) for every team."""
        base = (
            self._db.collection(METRICS)
            .where(filter=firestore.FieldFilter("dimension", "==", dimension))
            .where(filter=firestore.FieldFilter("day", ">=", first_day))
            .where(filter=firestore.FieldFilter("day", "<=", last_day))
        )
        queries = (
            [base]
            if teams is None
            else [base.where(filter=firestore.FieldFilter("team", "in", list(c))) for c in _chunks(teams)]
        )
        found = [metrics_doc.from_doc(s.to_dict() or {}) for q in queries for s in q.stream()]
        self.documents_read += len(found)
        return found

    def teams(self) -> dict[str, ServiceLevel]:
        snaps = list(self._db.collection(TEAMS).stream())
        self.documents_read += len(snaps)
        return {s.id: ServiceLevel.from_doc((s.to_dict() or {}).get("serviceLevel")) for s in snaps}

    def open_conversations(self, teams: Sequence[str]) -> list[Conversation]:
        """The console's own queries: (team in …, status ==) on the (team, status, waitingSince) index."""
        found: list[Conversation] = []
        for status in (ConversationStatus.WAITING, ConversationStatus.IN_SERVICE):
            for chunk in _chunks(teams):
                query = (
                    self._db.collection(CONVERSATIONS)
                    .where(filter=firestore.FieldFilter("team", "in", list(chunk)))
                    .where(filter=firestore.FieldFilter("status", "==", str(status)))
                )
                found += [conversation_doc.from_doc(s.id, s.to_dict() or {}) for s in query.stream()]
        self.documents_read += len(found)
        return found

    def people(self, teams: Sequence[str]) -> list[StaffMember]:
        found: dict[str, StaffMember] = {}
        for chunk in _chunks(teams):
            query = self._db.collection(USERS).where(
                filter=firestore.FieldFilter("teams", "array_contains_any", list(chunk))
            )
            found |= {s.id: user_doc.from_doc(s.id, s.to_dict() or {}) for s in query.stream()}
        self.documents_read += len(found)
        return list(found.values())

    def latest_hours(self, key: str, limit: int) -> list[HealthHour]:
        query = (
            self._db.collection(CHANNEL_HEALTH)
            .document(key)
            .collection(HOURS)
            .order_by("hour", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        snaps = list(query.stream())
        self.documents_read += len(snaps)
        return [
            HealthHour(
                hour=s.id,
                counts=metrics_doc.hour_counts(doc := s.to_dict() or {}),
                last_received_at=seconds(doc.get("lastReceivedAt")),
                last_sent_at=seconds(doc.get("lastSentAt")),
                last_error=doc.get("lastError"),
            )
            for s in snaps
        ]
