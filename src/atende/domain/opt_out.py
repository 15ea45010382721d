"""Opt-out from proactive messages: what the customer said, what it changes, and how we confirm it.

A customer stops follow-ups and campaigns by sending one of the stop words alone (SAIR, PARAR, STOP,
CANCELAR) on any channel, and takes them back with VOLTAR; an e-mail's unsubscribe link stops e-mail only.
Only a message that is the keyword and nothing else counts: "quero cancelar meu plano" is a request for
the attendant, not an opt-out. Replies to the customer's own messages are never affected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

STOP_WORDS = frozenset({"sair", "parar", "stop", "cancelar", "descadastrar", "unsubscribe"})
START_WORDS = frozenset({"voltar", "start"})
EMAIL = "email"

CONFIRMATIONS = {
    "pt": {
        "out": "Pronto, você não receberá mais mensagens automáticas nossas. Para voltar a receber, "
        "envie VOLTAR. Se precisar de algo, é só escrever.",
        "in": "Combinado, você voltará a receber nossos lembretes. Para parar, envie SAIR.",
    },
    "en": {
        "out": "Done, you will no longer get automatic messages from us. To receive them again, send "
        "VOLTAR. If you need anything, just write.",
        "in": "All set, you will get our reminders again. To stop them, send SAIR.",
    },
}


class Command(StrEnum):
    OUT = "out"
    IN = "in"


def command_in(text: str | None) -> Command | None:
    """The opt-out or opt-in command a whole message is, if it is one (case, accents, punctuation
    and surrounding spaces ignored)."""
    if not text or len(text) > 40:
        return None
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    word = re.sub(r"[^a-z]", "", folded)
    if word in STOP_WORDS:
        return Command.OUT
    if word in START_WORDS:
        return Command.IN
    return None


def confirmation(command: Command, language: str) -> str:
    return CONFIRMATIONS.get(language, CONFIRMATIONS["pt"])[command]


@dataclass(frozen=True, kw_only=True)
class OptOut:
    """What the contact refused: everything proactive (`all`), or only some channels (e-mail)."""

    all: bool = False
    channels: tuple[str, ...] = ()
    at: float | None = None
    keyword: str | None = None  # the word that did it, or "unsubscribe_link"

    def covers(self, channel: str) -> bool:
        return self.all or channel in self.channels

    def stopped(self, *, keyword: str, at: float, channel: str | None = None) -> OptOut:
        """`channel` None stops everything; otherwise that channel is added."""
        if channel is None:
            return OptOut(all=True, channels=self.channels, at=at, keyword=keyword)
        channels = self.channels if channel in self.channels else (*self.channels, channel)
        return OptOut(all=self.all, channels=channels, at=at, keyword=keyword)
