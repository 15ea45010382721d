"""What a person does in the inbox (docs/inbox.md): each action is one transaction that checks who is
asking against the conversation as it is now, applies the domain rule, and leaves its timeline line and
audit entry in the same commit. Agent messages then go to `outbound` exactly as the bot's replies do.
"""

from __future__ import annotations

import logging
import mimetypes
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from atende.domain import csat, metrics
from atende.domain.contact import Contact
from atende.domain.contacts import address_on, unreachable_reason
from atende.domain.content import AnyContent, Audio, Document, Image, Template, Text, Video
from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.media import SIGNATURES, KeptMedia
from atende.domain.menus import lay_out
from atende.domain.message import Message, agent_message_id
from atende.domain.model import Availability, Channel, Direction, MessageStatus, Priority
from atende.domain.staff import Actor, StaffMember
from atende.domain.teams import BUILTIN_TEAMS
from atende.engines.personas import language_of
from atende.erp.port import Erp
from atende.services import crm, timeline
from atende.services.audit import AuditEntry
from atende.services.contacts import CannotContinue, ContactService
from atende.services.crm import CrmEventPublisher
from atende.services.distribution import Distribution
from atende.services.links import fresh_links
from atende.services.media import MediaStore
from atende.services.ports import OutboundQueue
from atende.services.read_receipts import ReadReceipt
from atende.services.unit_of_work import Conflict, UnitOfWork, atomically

log = logging.getLogger(__name__)

OUTGOING_MEDIA_TTL_S = 7 * 24 * 3600  # the platform fetches the file when it sends: a week is plenty
TEXT_MAX = 4096
LABEL_MAX = 40
LABELS_MAX = 20
# What an agent may attach: the platforms' own limits (WhatsApp's are the tightest we send to).
UPLOAD_LIMITS: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 5 * 2**20),
    "image/png": ("image", 5 * 2**20),
    "image/webp": ("image", 5 * 2**20),
    "application/pdf": ("document", 16 * 2**20),
    "audio/mpeg": ("audio", 16 * 2**20),
    "audio/ogg": ("audio", 16 * 2**20),
    "audio/aac": ("audio", 16 * 2**20),
    "video/mp4": ("video", 16 * 2**20),
}
MEDIA_CONTENT: dict[str, type[Image | Document | Audio | Video]] = {
    "image": Image,
    "document": Document,
    "audio": Audio,
    "video": Video,
}
STATUS_NAMES = {
    "bot": "robô",
    "waiting": "fila",
    "in_service": "em atendimento",
    "snoozed": "adiada",
    "resolved": "encerrada",
}


SOMEONE_ELSES = "Esta conversa está com outra pessoa"


class NotFound(Exception):
    """No such conversation or message; `reason` is shown as is (pt-BR)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WindowClosed(WorkflowRefused):
    """Only an approved template may go now (or nothing, on Messenger after 7 days)."""


class InvalidInput(WorkflowRefused):
    """What was sent cannot be acted on whatever the conversation's state (empty text, a file type not
    accepted): the inbox shows it as the person's mistake (400), not as a conflict with someone else."""


@dataclass(frozen=True, kw_only=True)
class TemplateChoice:
    name: str
    language: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Draft:
    """What an agent typed or picked: text, a file uploaded before (`media_id`), or a template."""

    text: str | None = None
    media_id: str | None = None
    template: TemplateChoice | None = None


@dataclass(frozen=True, kw_only=True)
class Upload:
    media_id: str
    kind: str
    mime_type: str
    size: int
    url: str


@dataclass(frozen=True, kw_only=True)
class ContactContext:
    """The context panel: who the customer is, what the ERP knows once verified, and their history."""

    conversation: Conversation
    contact: Contact | None
    customer: dict[str, object] | None = None  # ERP data, only for a verified customer
    history: list[tuple[Conversation, list[Message]]] = field(default_factory=list)


class InboxService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        outbound: OutboundQueue,
        contacts: ContactService,
        distribution: Distribution,
        media: MediaStore,
        erp: Callable[[], Erp] | None = None,
        clock: Callable[[], float] = time.time,
        crm_events: CrmEventPublisher | None = None,  # `conversation.resolved` for the CRM webhook
        known_teams: Callable[[], Collection[str]] = lambda: BUILTIN_TEAMS,
    ) -> None:
        self._uow = uow
        self._known_teams = known_teams
        self._outbound = outbound
        self._contacts = contacts
        self._distribution = distribution
        self._media = media
        self._erp = erp
        self._clock = clock
        self._crm = crm_events

    # -- moves ----------------------------------------------------------------------------------------------

    def take(self, actor: Actor, conversation_id: str) -> Conversation:
        return self._move(
            actor,
            conversation_id,
            "take",
            check=actor.may_handle,
            refusal="Esta conversa não é da sua equipe",
            change=lambda c, _: c.assign(actor.uid, self._clock()),
            text=lambda c: _took(actor),
        )

    def assign(self, actor: Actor, conversation_id: str, agent_id: str) -> Conversation:
        def change(c: Conversation, uow: UnitOfWork) -> Conversation:
            person = self._colleague(uow, agent_id)
            if not person.works_in(c.team):  # another team's person: that is a transfer
                raise WorkflowRefused(f"{person.display_name} não faz parte da equipe desta conversa")
            return c.assign(agent_id, self._clock())

        return self._move(
            actor,
            conversation_id,
            "assign",
            check=actor.may_direct,
            refusal="Só supervisores e administradores atribuem conversas a outras pessoas",
            change=change,
            text=lambda c: f"{_name(actor)} atribuiu a conversa",
            details={"assignee": agent_id},
        )

    def transfer(
        self,
        actor: Actor,
        conversation_id: str,
        *,
        team: str | None = None,
        agent_id: str | None = None,
        note: str | None = None,
    ) -> Conversation:
        """`note`: what the person tells whoever takes it next, on the transfer's timeline line."""
        if not team and not agent_id:
            raise InvalidInput("Escolha uma pessoa ou uma equipe para transferir")
        if team and team not in self._known_teams():
            raise NotFound("Equipe não encontrada")  # a queue nobody works would swallow the customer

        def change(c: Conversation, uow: UnitOfWork) -> Conversation:
            now = self._clock()
            if agent_id:
                person = self._colleague(uow, agent_id)
                target_team = team or (c.team if person.works_in(c.team) else (person.teams or (None,))[0])
                if target_team is None or not person.works_in(target_team):
                    raise WorkflowRefused(f"{person.display_name} não faz parte dessa equipe")
                return c.assign(agent_id, now, team=target_team)
            assert team is not None
            return c.to_team(team, now)

        return self._move(
            actor,
            conversation_id,
            "transfer",
            check=actor.may_handle,
            refusal="Só quem atende a conversa (ou a supervisão) pode transferi-la",
            change=change,
            text=lambda c: (
                f"{_name(actor)} transferiu a conversa" + (f" para a equipe {c.team}" if not agent_id else "")
            ),
            details={k: v for k, v in (("toTeam", team), ("toAgent", agent_id), ("note", note)) if v},
        )

    def snooze(self, actor: Actor, conversation_id: str, until: float) -> Conversation:
        return self._move(
            actor,
            conversation_id,
            "snooze",
            check=actor.may_handle,
            refusal="Só quem atende a conversa pode adiá-la",
            change=lambda c, _: c.snooze(until, self._clock()),
            text=lambda c: f"{_name(actor)} adiou a conversa",
        )

    def resolve(self, actor: Actor, conversation_id: str) -> Conversation:
        """Resolved, and the customer asked to rate the help on the same channel (domain/csat.py), in the
        same commit."""
        asked: list[Message] = []

        def change(c: Conversation, uow: UnitOfWork) -> Conversation:
            now = self._clock()
            asked.clear()  # a retried commit builds it again
            resolved = c.resolve(actor.uid, now)
            question = _satisfaction_question(uow, resolved, now)
            if question is None:
                return resolved
            uow.messages.add(question)
            asked.append(question)
            return resolved.csat_asked(now)

        after = self._move(
            actor,
            conversation_id,
            "resolve",
            check=actor.may_handle,
            refusal="Só quem atende a conversa (ou a supervisão) pode encerrá-la",
            change=change,
            text=lambda c: f"{_name(actor)} encerrou a conversa",
        )
        for question in asked:
            self._outbound.enqueue(question.id, question.conversation_id)
        crm.tell(self._crm, crm.resolved(after))
        return after

    def reopen(self, actor: Actor, conversation_id: str) -> Conversation:
        return self._move(
            actor,
            conversation_id,
            "reopen",
            check=actor.may_see,
            refusal="Esta conversa não é da sua equipe",
            change=lambda c, _: c.reopen(self._clock()),
            text=lambda c: f"{_name(actor)} reabriu a conversa",
        )

    def back_to_bot(self, actor: Actor, conversation_id: str) -> Conversation:
        return self._move(
            actor,
            conversation_id,
            "back_to_bot",
            check=actor.may_handle,
            refusal="Só quem atende a conversa pode devolvê-la ao robô",
            change=lambda c, _: c.back_to_bot(),
            text=lambda c: f"{_name(actor)} devolveu a conversa ao robô",
        )

    def relabel(self, actor: Actor, conversation_id: str, add: list[str], remove: list[str]) -> Conversation:
        labels = [label.strip() for label in add if label.strip()]
        if any(len(label) > LABEL_MAX for label in labels):
            raise InvalidInput(f"Etiquetas têm no máximo {LABEL_MAX} caracteres")

        def change(c: Conversation, _: UnitOfWork) -> Conversation:
            changed = c.relabel(labels, remove)
            if len(changed.labels) > LABELS_MAX:
                raise WorkflowRefused(f"No máximo {LABELS_MAX} etiquetas por conversa")
            return changed

        return self._move(
            actor,
            conversation_id,
            "labels",
            check=actor.may_see,
            refusal="Esta conversa não é da sua equipe",
            change=change,
            text=lambda c: f"{_name(actor)} alterou as etiquetas",
        )

    def prioritise(self, actor: Actor, conversation_id: str, priority: Priority) -> Conversation:
        return self._move(
            actor,
            conversation_id,
            "priority",
            check=actor.may_see,
            refusal="Esta conversa não é da sua equipe",
            change=lambda c, _: c.prioritised(priority),
            text=lambda c: (
                f"{_name(actor)} mudou a prioridade para "
                + ("alta" if priority == Priority.HIGH else "normal")
            ),
        )

    def continue_on(
        self, actor: Actor, conversation_id: str, channel: Channel, account_id: str | None = None
    ) -> Conversation:
        """The contact's conversation on another channel (opened for this person if it is new)."""
        with self._uow() as uow:
            current = self._conversation(uow, conversation_id)
        actor.check(actor.may_handle(current), "Só quem atende a conversa pode continuar em outro canal")
        try:
            found = self._contacts.continue_on(current.contact_id, channel, account_id)
        except CannotContinue as cannot:
            raise WorkflowRefused(cannot.reason) from cannot
        other = found.conversation
        # The bot's, queued or resolved: this person carries on there; a colleague holding it keeps it.
        if not other.is_open:
            other = self._move(
                actor,
                other.id,
                "continue_on",
                check=lambda c: True,  # checked on the conversation it continues
                refusal="",
                change=lambda c, _: c.continued_by(actor.uid, self._clock(), team=current.team),
                text=lambda c: f"{_name(actor)} continuou o atendimento neste canal",
                details={"from": conversation_id},
            )
        return other

    def _move(
        self,
        actor: Actor,
        conversation_id: str,
        action: str,
        *,
        check: Callable[[Conversation], bool],
        refusal: str,
        change: Callable[[Conversation, UnitOfWork], Conversation],
        text: Callable[[Conversation], str],
        details: dict[str, object] | None = None,
    ) -> Conversation:
        author = _author(actor)

        def step(uow: UnitOfWork) -> tuple[Conversation, Conversation]:
            before = self._conversation(uow, conversation_id)
            actor.check(check(before), refusal)
            after = change(before, uow)
            now = self._clock()
            uow.conversations.save(before, after)
            uow.metrics.count(metrics.tallies(before, after, now))
            timeline.recount(uow, before, after, now)
            timeline.record(
                uow,
                author=author,
                action=action,
                before=before,
                after=after,
                text=text(after),
                now=now,
                details=details,
            )
            uow.commit()
            return before, after

        before, after = atomically(self._uow, step)
        self._distribute_after(before, after)
        return after

    def _distribute_after(self, before: Conversation, after: Conversation) -> None:
        """A conversation joined a queue, or someone's room grew: the queue may move."""
        teams = {after.team} if after.assignee is None and after.status == "waiting" else set()
        if before.is_open and not (after.is_open and after.assignee == before.assignee):
            teams.add(before.team)
        self._distribution.run_teams(t for t in teams if t)

    # -- messages -------------------------------------------------------------------------------------------

    def send(self, actor: Actor, conversation_id: str, client_id: str, draft: Draft) -> Message:
        """A person's message, queued for `outbound`; the same `client_id` never makes a second one."""
        now = self._clock()
        content, text, media = self._content(draft, conversation_id, now)

        def step(uow: UnitOfWork) -> tuple[Message, bool]:
            conversation = self._conversation(uow, conversation_id)
            actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
            existing = _sent_before(uow, actor, client_id, conversation)
            if existing is not None:
                return existing, False
            actor.check(actor.may_handle(conversation), SOMEONE_ELSES)
            _check_window(conversation, now, is_template=draft.template is not None)
            contact = uow.contacts.get(conversation.contact_id)
            address = address_on(conversation.channel, list(contact.identities) if contact else [])
            if address is None:
                raise WorkflowRefused(unreachable_reason(conversation.channel))
            message = Message.by_agent(
                client_id=client_id,
                author_id=actor.uid,
                author_name=actor.name,
                conversation_id=conversation.id,
                contact_id=conversation.contact_id,
                channel=conversation.channel,
                account_id=conversation.account_id,
                recipient=address,
                window_from=conversation.last_inbound_at,
                content=content,
                text=text,
                now=now,
                media=media,
            )
            uow.messages.add(message)
            after = conversation.agent_replied(text or f"[{content.kind}]", now)
            if contact is not None and not contact.accepts_proactive(str(conversation.channel)):
                after = after.silence_closed()  # said stop: no follow-up (services/followups.py)
            if conversation.assignee is None:  # answering an unassigned conversation takes it
                after = after.assign(actor.uid, now)
            uow.conversations.save(conversation, after)
            uow.metrics.count(metrics.tallies(conversation, after, now, person_message=message))
            timeline.recount(uow, conversation, after, now)
            if conversation.assignee is None:
                timeline.record(
                    uow,
                    author=_author(actor),
                    action="take",
                    before=conversation,
                    after=after,
                    text=_took(actor),
                    now=now,
                )
            uow.commit()
            return message, True

        message, created = atomically(self._uow, step)
        if created or message.status == MessageStatus.QUEUED:
            self._outbound.enqueue(message.id, message.conversation_id)
        return message

    def note(self, actor: Actor, conversation_id: str, client_id: str, text: str) -> Message:
        text = _checked_text(text)

        def step(uow: UnitOfWork) -> Message:
            conversation = self._conversation(uow, conversation_id)
            actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
            existing = _sent_before(uow, actor, client_id, conversation)
            if existing is not None:
                return existing
            note = Message.note(
                client_id=client_id,
                author_id=actor.uid,
                author_name=actor.name,
                conversation_id=conversation.id,
                contact_id=conversation.contact_id,
                channel=conversation.channel,
                account_id=conversation.account_id,
                text=text,
                now=self._clock(),
            )
            uow.messages.add(note)
            uow.commit()
            return note

        return atomically(self._uow, step)

    def retry(self, actor: Actor, message_id: str) -> Message:
        """Send a failed (or unknown-outcome) agent message again: a person decided it should go."""

        def step(uow: UnitOfWork) -> Message:
            message = uow.messages.get(message_id)
            if message is None:
                raise NotFound("Mensagem não encontrada")
            conversation = self._conversation(uow, message.conversation_id)
            actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
            actor.check(actor.may_handle(conversation), SOMEONE_ELSES)
            now = self._clock()
            try:
                queued = message.queued_again(now, actor.uid)
            except ValueError as wrong:
                raise WorkflowRefused(
                    "Só mensagens de atendentes que falharam podem ser reenviadas"
                ) from wrong
            # The same rule as `send`: a message the window no longer lets through is refused here, not
            # queued only to fail again.
            _check_window(conversation, now, is_template=message.kind == "template")
            uow.messages.save(message, queued)
            uow.commit()
            return queued

        queued = atomically(self._uow, step)
        self._outbound.enqueue(queued.id, queued.conversation_id)
        return queued

    def typing(self, actor: Actor, conversation_id: str) -> None:
        """Shown to a web-chat visitor; only the person answering may say so, and a lost race (a customer
        message stored at the same moment) is not worth a retry: the next keystroke says it again."""
        with self._uow() as uow:
            conversation = self._conversation(uow, conversation_id)
            actor.check(actor.may_handle(conversation), "Só quem atende a conversa pode escrever nela")
            uow.conversations.save(conversation, conversation.typing(_name(actor), self._clock()))
            try:
                uow.commit()
            except Conflict:
                log.info("typing on %s lost a race; the next keystroke repeats it", conversation_id)

    def read(self, actor: Actor, conversation_id: str) -> Conversation:
        """Opened by a person: nothing unread, and the customer sees their last message was read."""

        def step(uow: UnitOfWork) -> tuple[Conversation, list[Message]]:
            conversation = self._conversation(uow, conversation_id)
            actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
            recent = uow.messages.latest(conversation_id=conversation_id, limit=10)
            if conversation.unread_count:
                conversation_read = conversation.read()
                uow.conversations.save(conversation, conversation_read)
                uow.commit()
                return conversation_read, recent
            return conversation, recent

        conversation, recent = atomically(self._uow, step)
        last = next((m for m in recent if m.direction == Direction.INBOUND and m.provider_message_id), None)
        if last is not None and last.provider_message_id:
            receipt = ReadReceipt(
                channel=str(conversation.channel),
                account_id=conversation.account_id,
                recipient_id=conversation.sender_id,
                provider_message_id=last.provider_message_id,
            )
            try:
                self._outbound.request_read(receipt.encode())
            except Exception:  # the customer's ticks are a courtesy: the agent's work must not stop
                log.warning("read receipt for %s not queued", conversation_id, exc_info=True)
        return conversation

    # -- people ---------------------------------------------------------------------------------------------

    def set_availability(
        self, actor: Actor, availability: Availability, agent_id: str | None = None
    ) -> StaffMember:
        uid = agent_id or actor.uid
        actor.check(actor.may_speak_for(uid), "Só a supervisão muda a disponibilidade de outra pessoa")

        def step(uow: UnitOfWork) -> StaffMember:
            member = self._colleague(uow, uid)
            now = self._clock()
            changed = member.available_as(availability, now)
            uow.staff.save(member, changed)
            uow.audit_logs.add(  # who put whom online (or away) is for the admins to see, like any change
                AuditEntry(
                    action="availability",
                    actor_uid=actor.uid,
                    actor_role=str(actor.role),
                    collection="users",
                    target_id=uid,
                    at=now,
                    before={"availability": str(member.availability)},
                    after={"availability": str(availability)},
                )
            )
            uow.commit()
            return changed

        member = atomically(self._uow, step)
        if availability == Availability.ONLINE:
            self._distribution.run_teams(member.teams)
        return member

    # -- files and context ----------------------------------------------------------------------------------

    def upload(
        self, actor: Actor, conversation_id: str, data: bytes, mime_type: str, filename: str
    ) -> Upload:
        with self._uow() as uow:
            conversation = self._conversation(uow, conversation_id)
        actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
        kind, limit = UPLOAD_LIMITS.get(mime_type, ("", 0))
        if not kind:
            raise InvalidInput(
                "Tipo de arquivo não aceito: envie imagem (JPEG, PNG, WebP), PDF, áudio ou vídeo"
            )
        if not data:
            raise InvalidInput("O arquivo está vazio")
        if len(data) > limit:
            raise InvalidInput(f"Arquivo grande demais: o limite para {kind} é {limit // 2**20} MB")
        if not SIGNATURES.get(mime_type, lambda _: True)(data):
            raise InvalidInput("O conteúdo do arquivo não corresponde ao tipo informado")
        extension = mimetypes.guess_extension(mime_type) or ""
        safe = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "._-"))[:80]
        safe = safe or "arquivo"
        if mimetypes.guess_type(safe)[0] != mime_type:  # `send` knows the file's kind by its name alone
            safe += extension
        path = f"outgoing/{conversation.id}/{uuid.uuid4().hex}/{safe}"
        self._media.put(path, data, mime_type)
        return Upload(
            media_id=path,
            kind=kind,
            mime_type=mime_type,
            size=len(data),
            url=self._media.url(path, OUTGOING_MEDIA_TTL_S),
        )

    def links(self, actor: Actor, message_ids: Sequence[str]) -> dict[str, str]:
        """Fresh links to the files of these messages, for those of conversations the person may see; the
        rest are left out as if they did not exist (nothing tells whether an id is someone else's)."""
        ids = list(dict.fromkeys(message_ids))
        with self._uow() as uow:
            uow.prefetch(messages=ids)
            messages = [m for i in ids if (m := uow.messages.get(i)) is not None and m.file_path]
            conversation_ids = {m.conversation_id for m in messages}
            uow.prefetch(conversations=conversation_ids)
            visible = {
                c.id
                for i in conversation_ids
                if (c := uow.conversations.get(i)) is not None and actor.may_see(c)
            }
        return fresh_links((m for m in messages if m.conversation_id in visible), self._media)

    def context(self, actor: Actor, conversation_id: str) -> ContactContext:
        with self._uow() as uow:
            conversation = self._conversation(uow, conversation_id)
            actor.check(actor.may_see(conversation), "Esta conversa não é da sua equipe")
            contact = uow.contacts.get(conversation.contact_id)
            others = [
                c
                for c in uow.conversations.of_contact(conversation.contact_id, 10)
                if c.id != conversation.id
            ]
            history = [(c, uow.messages.latest(conversation_id=c.id, limit=30)) for c in others]
        session = conversation.session.as_of(self._clock())
        customer = self._customer(session.customer_id) if session.customer_id else None
        return ContactContext(conversation=conversation, contact=contact, customer=customer, history=history)

    def _customer(self, customer_id: str) -> dict[str, object] | None:
        if self._erp is None:
            return None
        try:
            erp = self._erp()
            found = erp.get_customer(customer_id)
            if found is None:
                return None
            return {
                "customer": found.for_staff(),
                "plan": next((p for p in erp.plans() if p.id == found.plan_id), None),
                "invoices": erp.invoices(customer_id),
                "tickets": erp.tickets(customer_id),
            }
        except Exception:  # the panel shows what it can; the ERP being down must not hide the conversation
            log.warning("ERP lookup failed for the context panel", exc_info=True)
            return {"unavailable": True}

    # -- helpers --------------------------------------------------------------------------------------------

    def _conversation(self, uow: UnitOfWork, conversation_id: str) -> Conversation:
        found = uow.conversations.get(conversation_id)
        if found is None:
            raise NotFound("Conversa não encontrada")
        return found

    def _colleague(self, uow: UnitOfWork, uid: str) -> StaffMember:
        found = uow.staff.get(uid)
        if found is None or found.disabled:
            raise NotFound("Pessoa não encontrada")
        return found

    def _content(
        self, draft: Draft, conversation_id: str, now: float
    ) -> tuple[AnyContent, str | None, KeptMedia | None]:
        """What the message says, and the file it carries as kept: the link goes to the platform in the
        content, and the path stays on `media` so the inbox and the widget can ask for a fresh link later."""
        chosen = sum(x is not None for x in (draft.media_id, draft.template))
        if chosen > 1 or (chosen == 0 and not (draft.text or "").strip()):
            raise InvalidInput("Envie um texto, um arquivo ou um modelo")
        if draft.template is not None:
            t = draft.template
            return Template(name=t.name, language=t.language, params=t.params), None, None
        if draft.media_id is not None:
            path = draft.media_id
            if not path.startswith(f"outgoing/{conversation_id}/") or ".." in path.split("/"):
                raise InvalidInput("Arquivo não encontrado: envie-o novamente")
            mime = mimetypes.guess_type(path)[0] or ""
            kind = UPLOAD_LIMITS.get(mime, ("document", 0))[0]
            caption = _checked_text(draft.text) if draft.text else None
            url = self._media.url(path, OUTGOING_MEDIA_TTL_S)
            content = MEDIA_CONTENT[kind](
                url=url, mime_type=mime or None, filename=path.rsplit("/", 1)[-1], caption=caption
            )
            kept = KeptMedia.stored(
                path=path,
                mime_type=mime or "application/octet-stream",
                url=url,
                url_expires_at=now + OUTGOING_MEDIA_TTL_S,
            )
            return content, caption, kept
        text = _checked_text(draft.text)
        return Text(), text, None


def _checked_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A mensagem está vazia")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"Mensagem longa demais: no máximo {TEXT_MAX} caracteres")
    return text


def _sent_before(uow: UnitOfWork, actor: Actor, client_id: str, conversation: Conversation) -> Message | None:
    """The message this `client_id` already made (a retried request), which must be on this conversation:
    a browser reusing an id elsewhere would otherwise be told its new message was sent."""
    existing = uow.messages.get(agent_message_id(actor.uid, client_id))
    if existing is not None and existing.conversation_id != conversation.id:
        raise InvalidInput("clientId já usado em outra conversa: gere um novo para cada mensagem")
    return existing


def _satisfaction_question(uow: UnitOfWork, conv: Conversation, now: float) -> Message | None:
    """Asked only where it reaches the customer as free text (inside the channel's window; web chat
    always) and never of someone who refused proactive messages."""
    if not conv.window(now, is_template=False, by_human=False).allowed:
        return None
    contact = uow.contacts.get(conv.contact_id)
    if contact is None or not contact.accepts_proactive(str(conv.channel)):
        return None
    language = language_of(contact.profile)
    laid = lay_out(csat.question(language), conv.channel, language)
    return Message.followup(
        message_id=f"csat_{conv.id}_{int(now)}",
        rule="csat",
        conversation_id=conv.id,
        contact_id=conv.contact_id,
        channel=conv.channel,
        account_id=conv.account_id,
        recipient=conv.address(contact.identities),
        window_from=conv.last_inbound_at,
        content=Text.model_validate(laid.content) if laid.content else Text(),
        text=laid.text,
        now=now,
    )


def _check_window(conversation: Conversation, now: float, *, is_template: bool) -> None:
    """What a person may send now (domain/window.py); refused before anything is queued."""
    decision = conversation.window(now, is_template=is_template, by_human=True)
    if not decision.allowed:
        raise WindowClosed(decision.reason or "Fora da janela de atendimento")


def _took(actor: Actor) -> str:
    return f"{_name(actor)} assumiu a conversa"


def _name(actor: Actor) -> str:
    return actor.name or actor.uid


def _author(actor: Actor) -> timeline.Author:
    return timeline.Author(uid=actor.uid, role=str(actor.role), name=_name(actor))
