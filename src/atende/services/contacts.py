"""A contact across channels: attach another identity, continue the conversation on another channel."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from atende.domain import window
from atende.domain.channels import ChannelRegistry
from atende.domain.contacts import address_on, unreachable_reason
from atende.domain.conversation import Conversation
from atende.domain.model import Channel
from atende.services.unit_of_work import UnitOfWork, atomically


class CannotContinue(Exception):
    """The contact cannot be reached on that channel; `reason` is shown to the agent (pt-BR)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class Continuation:
    conversation: Conversation
    created: bool
    window: window.WindowDecision  # may the agent write freely now, or only a template?


class ContactService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        channels: Callable[[], ChannelRegistry],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow
        self._channels = channels
        self._clock = clock

    def link_identity(self, contact_id: str, key: str) -> bool:
        """Attach an identity (e.g. `messenger:<PSID>`, `email:<x>`) unless another contact owns it."""

        def step(uow: UnitOfWork) -> bool:
            uow.prefetch(contacts=[contact_id], identities=[key])
            owner = uow.identities.owners([key]).get(key)
            contact = uow.contacts.get(contact_id)
            if contact is None or (owner is not None and owner != contact_id):
                return False
            uow.identities.claim(key, contact_id)
            uow.contacts.save(contact, contact.with_identity(key))
            uow.commit()
            return True

        return atomically(self._uow, step)

    def continue_on(
        self, contact_id: str, channel: Channel | str, account_id: str | None = None
    ) -> Continuation:
        channel = Channel(channel)

        def step(uow: UnitOfWork) -> tuple[Conversation, bool]:
            contact = uow.contacts.get(contact_id)
            if contact is None:
                raise CannotContinue("Contato não encontrado")
            address = address_on(channel, list(contact.identities))
            if address is None:
                raise CannotContinue(unreachable_reason(channel))
            existing = uow.conversations.latest_of(contact_id, str(channel), account_id)
            if existing is not None:
                return existing, False
            account = account_id or getattr(self._channels().first(channel), "account_id", None)
            if not account:
                raise CannotContinue(f"Nenhuma conta de {channel} configurada para iniciar a conversa")
            opened = Conversation.opened_by_agent(
                contact_id=contact_id, channel=channel, account_id=account, address=address
            )
            found = uow.conversations.get(opened.id)
            if found is not None:
                return found, False
            uow.conversations.add(opened)
            uow.commit()
            return opened, True

        conversation, created = atomically(self._uow, step)
        decision = conversation.window(self._clock(), by_human=True)
        return Continuation(conversation=conversation, created=created, window=decision)
