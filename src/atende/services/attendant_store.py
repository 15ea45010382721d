"""Persistence the attendant needs beyond the spine's repository: session, cross-channel context, AI logs."""

from __future__ import annotations

from typing import Any, Protocol

from atende.domain.records import Turn


class AttendantStore(Protocol):
    def attendant_state(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's `attendant` map (flow state, verification, recent sentiments)."""

    def contact_turns(self, contact_id: str, limit: int) -> list[Turn]:
        """The contact's latest messages on every channel, oldest first."""

    def finish_without_reply(
        self,
        message_id: str,
        conversation_id: str,
        inbound_fields: dict[str, Any],
        conversation_fields: dict[str, Any],
    ) -> None:
        """Mark the message handled with what was decided, and update the conversation, in one write."""

    def link_customer(self, contact_id: str, fields: dict[str, Any]) -> None:
        """Remember on the contact which ERP customer it proved to be (and its plan), for later context."""

    def write_ia_log(self, log_id: str, entry: dict[str, Any]) -> None: ...
