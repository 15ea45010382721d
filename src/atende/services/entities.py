"""What the `events` function does with what a business pushes: business entities upserted once and in
order, and an e-mail address unsubscribed from the follow-up e-mails."""

from __future__ import annotations

import time
from collections.abc import Callable

from atende.domain.business_entity import BusinessEntity, Upsert
from atende.domain.contact import Contact
from atende.domain.contacts import identity_key
from atende.domain.model import stable_id
from atende.domain.opt_out import EMAIL
from atende.services.unit_of_work import UnitOfWork, atomically


class EntityIntake:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], float] = time.time) -> None:
        self._uow = uow
        self._clock = clock

    def upsert(self, entity: BusinessEntity) -> Upsert:
        """Created, updated, unchanged (a retry) or stale (older than ours): two senders racing commit
        one after the other, and the loser decides again on what the winner wrote."""

        def step(uow: UnitOfWork) -> Upsert:
            existing = uow.entities.get(entity.id)
            if existing is None:
                uow.entities.add(entity)
                uow.commit()
                return Upsert.CREATED
            after, result = existing.upserted(entity)
            if result == Upsert.UPDATED:
                uow.entities.save(existing, after)
                uow.commit()
            return result

        return atomically(self._uow, step)

    def unsubscribe(self, email: str) -> str:
        """The contact behind the address stops getting e-mail; someone we only knew from a business
        entity becomes a contact so the choice is kept. Returns the contact id."""
        key = identity_key("email", email)
        now = self._clock()

        def step(uow: UnitOfWork) -> str:
            owner = uow.identities.owners([key]).get(key)
            contact = uow.contacts.get(owner) if owner else None
            if contact is None:
                created = Contact.new(stable_id("c", key), persona=None).with_identity(key)
                uow.contacts.add(created.unsubscribed(EMAIL, now))
                uow.identities.claim(key, created.id)
                uow.commit()
                return created.id
            if contact.accepts_proactive(EMAIL):
                uow.contacts.save(contact, contact.unsubscribed(EMAIL, now))
                uow.commit()
            return contact.id

        return atomically(self._uow, step)
