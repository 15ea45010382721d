"""Golden dialogues: the file format, and a conversation played through the real attendant.

A dialogue file (README.md beside this module) is a header, then customer lines (`>`), the bot's
exact reply (`<`), the conversation's state (`=`) and what happens around the chat (`!`). `play`
runs the customer's side through `InboundService` with the local engine, the committed triage
model and the demo ERP, on the in-memory fakes of our ports, under a fixed clock; `transcript`
writes what came back in the same format, so a test compares two texts and a failure reads as
a diff of the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from atende.domain.content import (
    Audio,
    Document,
    Image,
    Interactive,
    Location,
    MessageContext,
    Sticker,
    Text,
    Video,
)
from atende.domain.events import InboundMessage, Sender
from atende.domain.message import Message
from atende.domain.model import Channel
from atende.domain.triage import Triage
from atende.erp.demo import DemoErp
from atende.erp.types import BRT
from tests.fakes import FakeUnitOfWork, local_attendant

HERE = Path(__file__).parent
# A Tuesday morning, inside the business's opening hours (services/defaults/business.json).
START = datetime(2026, 11, 24, 10, 0, tzinfo=BRT)
STEP = timedelta(seconds=30)  # between one customer line and the next
AGENT = "ana@atende.dev"

# The demo ERP's customers (erp/demo_data.json) as they write to us, one address per channel.
CONTACTS: dict[str, dict[str, str]] = {
    "Maria Silva": {"phone": "+5511987654321", "psid": "7001", "igsid": "8001", "visitor": "v-maria"},
    "João Santos": {"phone": "+5521998765432", "psid": "7002", "igsid": "8002", "visitor": "v-joao"},
    "Ana Costa": {"phone": "+5531991234567", "psid": "7003", "igsid": "8003", "visitor": "v-ana"},
    "Pedro Alves": {"phone": "+5541990001111", "psid": "7004", "igsid": "8004", "visitor": "v-pedro"},
}
ACCOUNTS = {
    Channel.WHATSAPP: "106540352242922",
    Channel.MESSENGER: "200000000000001",
    Channel.INSTAGRAM: "300000000000001",
    Channel.WEBCHAT: "demo",
}
MEDIA = {"imagem": Image, "áudio": Audio, "vídeo": Video, "documento": Document, "figurinha": Sticker}
_TAP = re.compile(r"^\[toca (?P<id>[^\]]+)\]$")
_LOCATION = re.compile(r"^\[localização(?: (?P<label>.+))?\]$")
_TAPPABLE = re.compile(r"^\[(?:botão|linha|resposta rápida) (?P<id>[^\]]+)\] (?P<title>.+?)(?: — .*)?$")
_MEDIA = re.compile(r"^\[(?P<kind>" + "|".join(MEDIA) + r")(?: (?P<caption>.+))?\]$")


@dataclass
class Turn:
    """One customer line (or an event), and what is expected after it."""

    said: str  # the customer's line, or the `!` event
    event: bool = False
    reply: list[str] = field(default_factory=list)  # the bot's reply, line by line; empty: silence
    state: list[str] = field(default_factory=list)  # `=` lines


@dataclass
class Dialogue:
    path: Path
    header: dict[str, str]
    turns: list[Turn]

    @property
    def contact(self) -> str:
        return self.header["contact"]

    @property
    def channel(self) -> Channel:
        return Channel(self.header.get("channel", "whatsapp"))


def parse(path: Path) -> Dialogue:
    header: dict[str, str] = {}
    turns: list[Turn] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):  # a blank line inside a reply is written `<`
            continue
        mark, rest = line[:1], line[2:] if line[1:2] == " " else line[1:]
        if not turns and mark not in "<>=!":
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"{path.name}:{number}: a header line is `key: value`")
            header[key.strip()] = value.strip()
        elif mark in "!>":
            turns.append(Turn(rest, event=mark == "!"))
        elif mark == "<" and turns:
            turns[-1].reply.append(rest)
        elif mark == "=" and turns:
            turns[-1].state.append(rest)
        else:
            raise ValueError(f"{path.name}:{number}: lines start with >, <, = or ! (or # for a comment)")
    if "contact" not in header or header["contact"] not in CONTACTS:
        raise ValueError(f"{path.name}: the header names a contact, one of {', '.join(CONTACTS)}")
    return Dialogue(path, header, turns)


def render(turns: list[Turn], header: dict[str, str]) -> str:
    """A dialogue in the file's own format (comments and spacing aside): what the tests compare."""
    lines = [f"{key}: {value}" for key, value in header.items()]
    for turn in turns:
        lines.append("")
        lines.append(f"{'!' if turn.event else '>'} {turn.said}")
        lines += [f"< {line}".rstrip() for line in turn.reply]
        lines += [f"= {line}" for line in turn.state]
    return "\n".join(lines) + "\n"


def reply_lines(reply: Message) -> list[str]:
    """The bot's message as the customer sees it: its text, then what can be tapped."""
    lines = (reply.text or "").split("\n")
    tappable = reply.content.model_extra if reply.content and reply.content.model_extra else {}
    for button in tappable.get("buttons", []):
        lines.append(f"[botão {button['id']}] {button['title']}")
    if tappable.get("type") == "list":
        lines.append(f"[lista: {tappable['button']}]")
        for row in (r for section in tappable["sections"] for r in section["rows"]):
            below = f" — {row['description']}" if row.get("description") else ""
            lines.append(f"[linha {row['id']}] {row['title']}{below}")
    for quick in tappable.get("quick_replies", []):
        lines.append(f"[resposta rápida {quick['payload']}] {quick['title']}")
    return lines


def _titles(reply: Message | None) -> dict[str, str]:
    """What the customer can tap on the bot's last message: id → title."""
    found: dict[str, str] = {}
    for line in reply_lines(reply) if reply else []:
        if match := _TAPPABLE.match(line):
            found[match["id"]] = match["title"]
    return found


class Chat:
    """One customer talking to the attendant, with everything around it in memory."""

    def __init__(self, dialogue: Dialogue, classify: Callable[[str], Triage]) -> None:
        self.now = START
        self.uow = FakeUnitOfWork()
        self.service = local_attendant(
            self.uow,
            erp=DemoErp(now=lambda: self.now),
            classify=classify,
            clock=lambda: self.now.timestamp(),
        )
        self.channel = dialogue.channel
        self.name = dialogue.contact
        self.stem = dialogue.path.stem
        self.count = 0
        self.last_reply: Message | None = None
        self.conversation_id: str | None = None

    def sender(self) -> Sender:
        ids = CONTACTS[self.name]
        if self.channel == Channel.WHATSAPP:
            return Sender(id=ids["phone"].lstrip("+"), name=self.name, phone=ids["phone"])
        key = {Channel.MESSENGER: "psid", Channel.INSTAGRAM: "igsid", Channel.WEBCHAT: "visitor"}
        return Sender(id=ids[key[self.channel]], name=self.name)

    def message(self, said: str) -> InboundMessage:
        self.count += 1
        text, content = self._content(said)
        return InboundMessage(
            channel=self.channel,
            account_id=ACCOUNTS[self.channel],
            provider_message_id=f"{self.stem}.{self.count}",  # so protocols are the same every run
            sender=self.sender(),
            timestamp=self.now.timestamp(),
            text=text,
            content=content,
            # The widget always shows the site's greeting above the first message (docs/webchat.md).
            context=MessageContext(greeted=True if self.channel == Channel.WEBCHAT else None),
        )

    def _content(self, said: str) -> tuple[str | None, Any]:
        if tap := _TAP.match(said):
            titles = _titles(self.last_reply)
            if tap["id"] not in titles:
                raise AssertionError(f"nothing to tap with id {tap['id']!r}; offered: {sorted(titles)}")
            title = titles[tap["id"]]
            if self.channel in (Channel.MESSENGER, Channel.INSTAGRAM):
                return title, Interactive(type="quick_reply", payload=tap["id"], title=title)
            return title, Interactive(type="button_reply", id=tap["id"], title=title)
        if place := _LOCATION.match(said):
            return place["label"], Location(latitude=-23.5874, longitude=-46.6376, name=place["label"])
        if media := _MEDIA.match(said):
            caption = media["caption"]
            return caption, MEDIA[media["kind"]](media_id=f"media-{self.count}", caption=caption)
        return said, Text()

    def say(self, said: str) -> list[str]:
        message = self.message(said)
        outcome = self.service.handle(message)
        self.conversation_id = message.conversation_id
        self.now += STEP
        if not outcome.reply_message_id:
            return []
        self.last_reply = self.uow.store.message(outcome.reply_message_id)
        return reply_lines(self.last_reply)

    def happen(self, event: str) -> None:
        """`! pessoa assume`, `! volta ao robô`, `! passam 3 h`: what staff and time do meanwhile."""
        store = self.uow.store
        record = store.conversations[self.conversation_id or ""]
        conv = record.value
        if event == "pessoa assume":
            record.value = conv.assign(AGENT, self.now.timestamp())
        elif event == "volta ao robô":
            record.value = conv.back_to_bot()
        elif hours := re.match(r"^passam (\d+) h$", event):
            self.now += timedelta(hours=int(hours[1]))
        else:
            raise ValueError(f"unknown event {event!r}")

    def state(self) -> str:
        conv = self.uow.store.conversations[self.conversation_id or ""].value
        team = f" {conv.team}" if conv.status in ("waiting", "in_service") and conv.team else ""
        return f"{conv.status}{team}"


def play(
    dialogue: Dialogue, classify: Callable[[str], Triage], sent: list[Message] | None = None
) -> list[Turn]:
    """The conversation as it happens now, turn by turn, for each line the customer said; the bot's
    messages themselves are appended to `sent`, when given."""
    chat = Chat(dialogue, classify)
    played = []
    for turn in dialogue.turns:
        if turn.event:
            chat.happen(turn.said)
            reply: list[str] = []
        else:
            reply = chat.say(turn.said)
            if reply and sent is not None and chat.last_reply is not None:
                sent.append(chat.last_reply)
        state = [chat.state()] if turn.state else []
        played.append(replace(turn, reply=reply, state=state))
    return played


def dialogue_files() -> Iterator[Path]:
    yield from sorted(HERE.glob("*.dialogue"))


if __name__ == "__main__":  # draft: print what the bot says now, to read before pasting into a file
    import sys

    from atende.triage import classify

    for name in sys.argv[1:]:
        found = parse(Path(name))
        print(render(play(found, classify), found.header), end="")
