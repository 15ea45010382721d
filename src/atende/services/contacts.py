"""Continue a customer's conversation on another channel they have, within that channel's rules."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from atende.domain import window
from atende.domain.channels import ChannelRegistry
from atende.domain.contacts import Address, address_on, unreachable_reason
from atende.domain.model import Channel
from atende.domain.records import Conversation


class CannotContinue(Exception):
    """The contact cannot be reached on that channel; `reason` is shown to the agent (pt-BR)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ContactsRepository(Protocol):
    def contact_identities(self, contact_id: str) -> list[str] | None:
        """Every identity key of the contact, or None when there is no such contact."""

    def find_conversation(self, contact_id: str, channel: str, account_id: str | None) -> Conversation | None:
        """The contact's most recent conversation on that channel (and account, if given)."""

    def open_conversation(
        self, contact_id: str, channel: str, account_id: str, address: Address
    ) -> Conversation: ...


@dataclass(frozen=True)
class Continuation:
    conversation: Conversation
    created: bool
    window: window.WindowDecision  # may the agent write freely now, or only a template?


class ContactService:
    def __init__(
        self,
        repo: ContactsRepository,
        channels: Callable[[], ChannelRegistry],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._channels = channels
        self._clock = clock

    def continue_on(
        self, contact_id: str, channel: Channel | str, account_id: str | None = None
    ) -> Continuation:
        channel = Channel(channel)
        identities = self._repo.contact_identities(contact_id)
        if identities is None:
            raise CannotContinue("Contato não encontrado")
        address = address_on(channel, identities)
        if address is None:
            raise CannotContinue(unreachable_reason(channel))
        conversation = self._repo.find_conversation(contact_id, str(channel), account_id)
        created = conversation is None
        if conversation is None:
            account = account_id or getattr(self._channels().first(channel), "account_id", None)
            if not account:
                raise CannotContinue(f"Nenhuma conta de {channel} configurada para iniciar a conversa")
            conversation = self._repo.open_conversation(contact_id, str(channel), account, address)
        decision = window.decide(channel, conversation.last_inbound_at, self._clock(), by_human=True)
        return Continuation(conversation, created, decision)
