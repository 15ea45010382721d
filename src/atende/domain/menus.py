"""A question with options, laid out the way each channel lets a customer tap an answer.

Typing "2" works everywhere, but a customer on WhatsApp expects reply buttons or a list, and one on
Messenger or Instagram quick replies; a tapped option comes back with its id, which routes exactly
(no guessing from free text). Each platform caps how many options and how long a title may be, so
a menu that does not fit goes out as numbered text, the one layout every channel and every window
accepts. The limits are the platforms' published ones (WhatsApp interactive messages, Messenger quick
replies); web chat draws its own buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atende.domain.model import Channel

WHATSAPP_BODY_MAX = 1024  # an interactive message's body; plain text allows 4096
WHATSAPP_BUTTONS_MAX, WHATSAPP_BUTTON_TITLE_MAX = 3, 20
WHATSAPP_ROWS_MAX, WHATSAPP_ROW_TITLE_MAX, WHATSAPP_ROW_DESCRIPTION_MAX = 10, 24, 72
QUICK_REPLIES_MAX, QUICK_REPLY_TITLE_MAX = 13, 20  # Messenger and Instagram
WEBCHAT_BUTTONS_MAX, WEBCHAT_TITLE_MAX = 10, 80
LIST_BUTTON = {"pt": "Ver opções", "en": "See options"}


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    short: str | None = None  # a title that fits a button, when the whole one does not


@dataclass(frozen=True)
class Menu:
    """What the customer is asked (everything said before it included) and the options to tap."""

    body: str
    choices: tuple[Choice, ...]

    def numbered(self) -> str:
        return "\n".join([self.body, *(f"{n} - {c.title}" for n, c in enumerate(self.choices, 1))]).strip()


@dataclass(frozen=True)
class Laid:
    text: str  # the message's text: the body, or the numbered menu when nothing else fits
    content: dict[str, Any] | None  # what the channel's sender builds buttons, a list or quick replies from


def lay_out(menu: Menu, channel: Channel, language: str = "pt") -> Laid:
    if menu.choices and len({c.id for c in menu.choices}) == len(menu.choices):
        content = _tappable(menu, channel, language)
        if content is not None:
            return Laid(menu.body, content)
    return Laid(menu.numbered(), None)


def _tappable(menu: Menu, channel: Channel, language: str) -> dict[str, Any] | None:
    choices = menu.choices
    if channel == Channel.WHATSAPP:
        if not menu.body or len(menu.body) > WHATSAPP_BODY_MAX:
            return None
        titles = [_fit(c, WHATSAPP_BUTTON_TITLE_MAX) for c in choices]
        if len(choices) <= WHATSAPP_BUTTONS_MAX and all(titles):
            return {"buttons": [{"id": c.id, "title": t} for c, t in zip(choices, titles, strict=True)]}
        if len(choices) <= WHATSAPP_ROWS_MAX:
            rows = [_row(c) for c in choices]
            if all(rows):
                label = LIST_BUTTON.get(language, LIST_BUTTON["pt"])
                return {"type": "list", "button": label, "sections": [{"rows": rows}]}
        return None
    if channel in (Channel.MESSENGER, Channel.INSTAGRAM):
        titles = [_fit(c, QUICK_REPLY_TITLE_MAX) for c in choices]
        if len(choices) <= QUICK_REPLIES_MAX and all(titles):
            pairs = zip(choices, titles, strict=True)
            return {"quick_replies": [{"title": t, "payload": c.id} for c, t in pairs]}
        return None
    fits = len(choices) <= WEBCHAT_BUTTONS_MAX and all(len(c.title) <= WEBCHAT_TITLE_MAX for c in choices)
    if channel == Channel.WEBCHAT and fits:
        return {"buttons": [{"id": c.id, "title": c.title} for c in choices]}
    return None


def _fit(choice: Choice, limit: int) -> str | None:
    """The whole title if it fits, else the short one if that does."""
    for title in (choice.title, choice.short):
        if title and len(title) <= limit:
            return title
    return None


def _row(choice: Choice) -> dict[str, str] | None:
    """A list row: the title, or the short title with the whole one beneath as its description."""
    if len(choice.title) <= WHATSAPP_ROW_TITLE_MAX:
        return {"id": choice.id, "title": choice.title}
    short = choice.short or _clipped(choice.title, WHATSAPP_ROW_TITLE_MAX)
    if len(short) > WHATSAPP_ROW_TITLE_MAX or len(choice.title) > WHATSAPP_ROW_DESCRIPTION_MAX:
        return None
    return {"id": choice.id, "title": short, "description": _beneath(short, choice.title)}


def _beneath(short: str, title: str) -> str:
    """The whole title under the short one, without saying the short one twice ("À vista" over
    "À vista: R$ 159,80" reads "R$ 159,80")."""
    if title.casefold().startswith(short.casefold()):
        rest = title[len(short) :].lstrip(" :—-–,")
        if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
            rest = rest[1:-1]  # "2ª via de 10/2026 (R$ 79,90)" under "2ª via de 10/2026": "R$ 79,90"
        if rest:
            return rest[0].upper() + rest[1:]
    return title


_DANGLING = frozenset(
    {
        "a",
        "o",
        "as",
        "os",
        "e",
        "ou",
        "de",
        "da",
        "do",
        "das",
        "dos",
        "com",
        "para",
        "por",
        "em",
        "no",
        "na",
        "the",
        "and",
        "or",
        "of",
        "to",
        "for",
        "with",
        "in",
    }
)


def _clipped(text: str, limit: int) -> str:
    """Cut at a word boundary, with an ellipsis, never after a dangling little word: "Internet sem
    conexão…", not "Internet sem conexão ou…"."""
    words: list[str] = []
    for word in text.split():
        if len(" ".join([*words, word])) + 1 > limit:
            break
        words.append(word)
    while words and words[-1].casefold().strip(",;:-") in _DANGLING:
        words.pop()
    return f"{' '.join(words).rstrip(',;:-')}…" if words else text[: limit - 1] + "…"
