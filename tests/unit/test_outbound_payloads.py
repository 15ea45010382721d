"""What goes out to Meta, per platform: the documented request bodies, limits checked before any call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from atende.channels.meta import errors
from atende.channels.meta.graph import GraphClient, GraphError
from atende.channels.meta.senders import InstagramSender, MessengerSender, WhatsAppSender
from atende.channels.whatsapp.send import payload
from atende.domain.errors import SendFailed
from atende.domain.message import OutgoingMessage
from atende.domain.outgoing import OutgoingRejected
from atende.domain.window import WindowDecision

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta-restfb" / "whatsapp"


def wa(kind: str = "text", text: str | None = "Olá", phone: str | None = "+5511987654321", **content: Any):
    return OutgoingMessage(
        id="m1",
        conversation_id="c1",
        channel="whatsapp",
        account_id="106540352242922",
        recipient_id="5511987654321",
        recipient_phone=phone,
        kind=kind,
        text=text,
        content=content,
    )


def fb(kind: str = "text", text: str | None = "Olá", window: WindowDecision | None = None, **content: Any):
    return OutgoingMessage(
        id="m1",
        conversation_id="c1",
        channel="messenger",
        account_id="1234567890",
        recipient_id="PSID1",
        recipient_phone=None,
        kind=kind,
        text=text,
        content=content,
        window=window,
    )


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_bytes())


class Graph:
    """Records calls and answers like Meta would (a light double of GraphClient)."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.response = response

    def post(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((path, token, body))
        return self.response


# --- WhatsApp -----------------------------------------------------------------------------------------


def test_text_to_a_phone_matches_the_documented_shape():
    expected = fixture("send-message-phone-only.json")
    body = payload(wa(text=expected["text"]["body"], phone=expected["to"]))
    assert {k: body[k] for k in expected} == {**expected, "text": {**expected["text"], "preview_url": True}}
    assert body["to"].startswith("+")


def test_username_only_contact_is_addressed_by_recipient():
    expected = fixture("send-message-recipient-only.json")
    message = OutgoingMessage(
        id="m",
        conversation_id="c",
        channel="whatsapp",
        account_id="1",
        recipient_id=expected["recipient"],
        recipient_phone=None,
        kind="text",
        text=expected["text"]["body"],
    )
    body = payload(message)
    assert body["recipient"] == expected["recipient"] and "to" not in body


@pytest.mark.parametrize(
    "name", ["message-response.json", "message-response-bsuid.json", "message-response-phone-precedence.json"]
)
def test_the_wamid_is_read_from_every_response_shape(name):
    graph = Graph(fixture(name))
    assert WhatsAppSender(graph, "tok").send(wa()) == "wamid.foobar"  # type: ignore[arg-type]
    path, token, _ = graph.calls[0]
    assert (path, token) == ("106540352242922/messages", "tok")


def test_image_by_link_with_caption_and_document_with_filename():
    image = payload(wa("image", "Segue a fatura", url="https://x/y.jpg"))
    assert image["type"] == "image" and image["image"] == {
        "link": "https://x/y.jpg",
        "caption": "Segue a fatura",
    }
    doc = payload(wa("document", None, media_id="123", filename="boleto.pdf"))
    assert doc["document"] == {"id": "123", "filename": "boleto.pdf"}


def test_template_with_positional_and_named_parameters():
    body = payload(
        wa("template", None, name="fatura_vencida", language="pt_BR", params=["Maria", "R$ 99,90"])
    )
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "fatura_vencida",
        "language": {"code": "pt_BR"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Maria"}, {"type": "text", "text": "R$ 99,90"}],
            }
        ],
    }
    named = payload(wa("template", None, name="boas_vindas", params={"nome": "João"}))
    assert named["template"]["components"][0]["parameters"] == [
        {"type": "text", "parameter_name": "nome", "text": "João"}
    ]


def test_reply_buttons():
    buttons = [{"id": "2via", "title": "Segunda via"}, {"id": "suporte", "title": "Suporte técnico"}]
    body = payload(wa("interactive", "Como posso ajudar?", type="button", buttons=buttons))
    assert body["interactive"] == {
        "type": "button",
        "body": {"text": "Como posso ajudar?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "2via", "title": "Segunda via"}},
                {"type": "reply", "reply": {"id": "suporte", "title": "Suporte técnico"}},
            ]
        },
    }


def test_list_message():
    rows = [{"id": f"p{i}", "title": f"Plano {i}00 Mega", "description": "Fibra"} for i in range(1, 4)]
    body = payload(
        wa(
            "interactive",
            "Escolha um plano",
            type="list",
            button="Planos",
            sections=[{"title": "Fibra", "rows": rows}],
        )
    )
    action = body["interactive"]["action"]
    assert body["interactive"]["type"] == "list" and action["button"] == "Planos"
    assert action["sections"][0]["rows"][0] == {"id": "p1", "title": "Plano 100 Mega", "description": "Fibra"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"type": "button", "buttons": [{"id": str(i), "title": f"B{i}"} for i in range(4)]}, "no máximo 3"),
        (
            {"type": "button", "buttons": [{"id": "a", "title": "Um título longo demais p/ botão"}]},
            "20 caracteres",
        ),
        (
            {"type": "list", "sections": [{"rows": [{"id": str(i), "title": f"R{i}"} for i in range(11)]}]},
            "no máximo 10",
        ),
        ({"type": "button", "buttons": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}, "únicos"),
        (
            {"type": "list", "sections": [{"rows": [{"id": "1", "title": "x", "description": "d" * 73}]}]},
            "72",
        ),
    ],
)
def test_limits_are_refused_before_calling_meta(content, reason):
    graph = Graph({})
    with pytest.raises(OutgoingRejected, match=reason):
        WhatsAppSender(graph, "t").send(wa("interactive", "Escolha", **content))  # type: ignore[arg-type]
    assert graph.calls == []


def test_template_without_a_name_is_refused():
    with pytest.raises(OutgoingRejected, match="nome do modelo"):
        payload(wa("template", None))


def test_quick_replies_become_buttons_then_a_list_on_whatsapp():
    few = payload(
        wa("text", "Sim?", quick_replies=[{"title": "Sim", "payload": "S"}, {"title": "Não", "payload": "N"}])
    )
    assert few["interactive"]["type"] == "button"
    many = payload(
        wa(
            "text",
            "Dia?",
            quick_replies=[{"title": d, "payload": d} for d in ["SEG", "TER", "QUA", "QUI", "SEX"]],
        )
    )
    assert many["interactive"]["type"] == "list"


def test_whatsapp_mark_as_read():
    graph = Graph({"success": True})
    WhatsAppSender(graph, "t").mark_read("106540352242922", "5511987654321", "wamid.X")  # type: ignore[arg-type]
    assert graph.calls[0][2] == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}


# --- Messenger and Instagram ------------------------------------------------------------------------


def test_messenger_text_inside_the_window_is_a_response():
    graph = Graph({"recipient_id": "PSID1", "message_id": "m_abc"})
    sender = MessengerSender(graph, lambda channel, account: f"{channel}-{account}")  # type: ignore[arg-type]
    assert sender.send(fb(window=WindowDecision(True, messaging_type="RESPONSE"))) == "m_abc"
    path, token, body = graph.calls[0]
    assert (path, token) == ("1234567890/messages", "messenger-1234567890")
    assert body == {"recipient": {"id": "PSID1"}, "messaging_type": "RESPONSE", "message": {"text": "Olá"}}


def test_messenger_human_agent_tag_outside_24h():
    body = MessengerSender(Graph({}), "t").payload(  # type: ignore[arg-type]
        fb(window=WindowDecision(True, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT"))
    )
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_messenger_attachment_and_quick_replies():
    sender = MessengerSender(Graph({}), "t")  # type: ignore[arg-type]
    image = sender.payload(fb("image", None, url="https://cdn/x.png"))
    assert image["message"] == {
        "attachment": {"type": "image", "payload": {"url": "https://cdn/x.png", "is_reusable": True}}
    }
    doc = sender.payload(fb("document", None, url="https://cdn/b.pdf"))
    assert doc["message"]["attachment"]["type"] == "file"
    quick = sender.payload(
        fb("interactive", "Escolha", type="button", buttons=[{"id": "a", "title": "Fatura"}])
    )
    assert quick["message"] == {
        "text": "Escolha",
        "quick_replies": [{"content_type": "text", "title": "Fatura", "payload": "a"}],
    }


def test_messenger_and_instagram_limits():
    with pytest.raises(OutgoingRejected, match="2000"):
        MessengerSender(Graph({}), "t").payload(fb(text="x" * 2001))  # type: ignore[arg-type]
    with pytest.raises(OutgoingRejected, match="1000"):
        InstagramSender(Graph({}), "t").payload(fb(text="x" * 1001))  # type: ignore[arg-type]
    with pytest.raises(OutgoingRejected, match="no máximo 13"):
        MessengerSender(Graph({}), "t").payload(  # type: ignore[arg-type]
            fb(quick_replies=[{"title": str(i), "payload": str(i)} for i in range(14)])
        )
    with pytest.raises(OutgoingRejected, match=r"WhatsApp|canal"):
        MessengerSender(Graph({}), "t").payload(fb("template", None, name="x"))  # type: ignore[arg-type]


def test_messenger_mark_seen():
    graph = Graph({"recipient_id": "PSID1"})
    InstagramSender(graph, "t").mark_read("17841400000000001", "IGSID1", "mid")  # type: ignore[arg-type]
    path, _, body = graph.calls[0]
    assert path == "17841400000000001/messages"
    assert body == {"recipient": {"id": "IGSID1"}, "sender_action": "mark_seen"}


# --- error codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "code", "http", "retry"),
    [
        ("whatsapp", 131047, 400, False),
        ("whatsapp", 130429, 429, True),
        ("whatsapp", 131056, 400, True),
        ("whatsapp", 190, 401, False),
        ("messenger", 1, 500, True),
        ("messenger", 2, 503, True),
        ("messenger", 4, 400, True),
        ("messenger", 17, 400, True),
        ("messenger", 613, 400, True),
        ("messenger", 10, 403, False),
        ("messenger", 230, 403, False),
        ("messenger", 190, 401, False),
        ("messenger", 368, 403, False),
        ("messenger", 551, 400, False),
        ("instagram", 1545041, 400, False),
        ("instagram", 999999, 500, True),  # unknown code, server error
        ("instagram", 999999, 400, False),  # unknown code, client error
        ("messenger", None, None, True),  # network failure
    ],
)
def test_error_codes_per_platform(channel, code, http, retry):
    assert errors.rule(channel, GraphError(http, code, "x")).retry is retry


def test_meta_refusal_reaches_the_service_as_a_send_failure_with_the_platform_table_applied():
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"message": "blocked", "code": 551, "error_data": {"details": "left the Page"}}}
        return httpx.Response(400, json=body)

    client = GraphClient(
        "https://graph.test", "v25.0", http=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with pytest.raises(SendFailed) as caught:
        MessengerSender(client, "t").send(fb(window=WindowDecision(True, messaging_type="RESPONSE")))
    error = caught.value.error
    assert (error.code, error.http_status, error.details, error.source) == (
        551,
        400,
        "left the Page",
        "platform",
    )
    assert error.retryable is False and error.agent_text == "Cliente indisponível no Messenger"


def test_throttling_is_transient_and_carries_retry_after():
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"message": "Rate limit hit", "code": 130429}}
        return httpx.Response(429, json=body, headers={"Retry-After": "2.5"})

    client = GraphClient(
        "https://graph.test", "v25.0", http=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with pytest.raises(SendFailed) as caught:
        WhatsAppSender(client, "t").send(wa())
    assert caught.value.transient is True and caught.value.retry_after_s == 2.5


def test_a_send_without_a_token_never_reaches_meta():
    graph = Graph({})
    with pytest.raises(SendFailed) as caught:
        WhatsAppSender(graph, lambda channel, account: "").send(wa())  # type: ignore[arg-type]
    assert (
        graph.calls == [] and caught.value.transient is False and caught.value.error.code == "missing_token"
    )
