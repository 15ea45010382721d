"""Stored outgoing message → WhatsApp Cloud API send request, checked against WhatsApp's limits first.

A message Meta would refuse (4 buttons, a 25-character button title, a list of
11 rows) is refused here with a reason an agent understands, without spending a
call. Limits: text 4096, caption 1024, buttons ≤ 3 with titles ≤ 20, list ≤ 10
rows with titles ≤ 24 and descriptions ≤ 72, list button ≤ 20.
"""

from __future__ import annotations

from typing import Any

from atende.channels.sending import choices
from atende.domain.message import OutgoingMessage
from atende.domain.outgoing import OutgoingRejected, require, within

MEDIA_KINDS = {"image", "audio", "video", "document", "sticker"}
TEXT_MAX = 4096
CAPTION_MAX = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
MAX_ROWS = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
LIST_BUTTON_MAX = 20
DEFAULT_LANGUAGE = "pt_BR"


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The request body; phones go out with '+' so Meta never prefixes our own country code.

    Our message id rides along as `biz_opaque_callback_data`, which Meta hands back on every status:
    a status then finds its message without looking up the provider id.
    """
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "biz_opaque_callback_data": message.id,
    }
    if message.recipient_phone:
        body["to"] = message.recipient_phone
    else:  # username-era contact known only by its business-scoped user id
        body["recipient"] = message.recipient_id
    return body | _content(message)


def _content(message: OutgoingMessage) -> dict[str, Any]:
    kind, content = message.kind, message.content or {}
    if kind == "text" and not choices(content):
        return {
            "type": "text",
            "text": {"body": within(message.text, TEXT_MAX, "Texto"), "preview_url": True},
        }
    if kind in ("text", "interactive"):
        return {"type": "interactive", "interactive": interactive(message.text, content)}
    if kind in MEDIA_KINDS:
        return {"type": kind, kind: _media(kind, message.text, content)}
    if kind == "template":
        return {"type": "template", "template": template(content)}
    if kind == "location":
        require(
            content.get("latitude") is not None and content.get("longitude") is not None,
            "Localização: latitude e longitude obrigatórias",
        )
        keys = ("latitude", "longitude", "name", "address")
        return {"type": "location", "location": {k: content[k] for k in keys if content.get(k) is not None}}
    if kind == "reaction":
        require(content.get("message_id"), "Reação: mensagem de origem obrigatória")
        return {
            "type": "reaction",
            "reaction": {"message_id": content["message_id"], "emoji": content.get("emoji", "")},
        }
    raise OutgoingRejected(f"Tipo de mensagem não suportado no WhatsApp: {kind}")


def _media(kind: str, caption: str | None, content: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {}
    if content.get("media_id"):
        media["id"] = str(content["media_id"])
    elif content.get("url"):
        media["link"] = str(content["url"])
    else:
        raise OutgoingRejected("Mídia: envie um arquivo ou um link")
    caption = caption or content.get("caption")
    if caption and kind in ("image", "video", "document"):
        media["caption"] = within(caption, CAPTION_MAX, "Legenda")
    if kind == "document" and content.get("filename"):
        media["filename"] = str(content["filename"])
    return media


def interactive(body_text: str | None, content: dict[str, Any]) -> dict[str, Any]:
    """Reply buttons (≤ 3) or a list (≤ 10 rows); quick replies become buttons, or a list past 3."""
    options = choices(content)
    require(options, "Escolhas: informe ao menos uma opção")
    result: dict[str, Any] = {"body": {"text": within(body_text or content.get("body"), TEXT_MAX, "Texto")}}
    if content.get("footer"):
        result["footer"] = {"text": within(content["footer"], 60, "Rodapé")}
    as_list = content.get("type") == "list" or (len(options) > MAX_BUTTONS and not content.get("buttons"))
    if not as_list:
        require(len(options) <= MAX_BUTTONS, f"Botões: no máximo {MAX_BUTTONS} (tem {len(options)})")
        buttons = [
            {
                "type": "reply",
                "reply": {"id": o["id"], "title": within(o.get("title"), BUTTON_TITLE_MAX, "Botão")},
            }
            for o in options
        ]
        _unique([o["id"] for o in options])
        return result | {"type": "button", "action": {"buttons": buttons}}
    sections = content.get("sections") or [
        {"title": content.get("section_title") or "Opções", "rows": options}
    ]
    rows = [row for section in sections for row in section.get("rows") or []]
    require(len(rows) <= MAX_ROWS, f"Lista: no máximo {MAX_ROWS} opções (tem {len(rows)})")
    _unique([str(r.get("id")) for r in rows])
    built = []
    for section in sections:
        items = []
        for row in section.get("rows") or []:
            item = {"id": str(row["id"]), "title": within(row.get("title"), ROW_TITLE_MAX, "Opção")}
            if row.get("description"):
                item["description"] = within(row["description"], ROW_DESCRIPTION_MAX, "Descrição da opção")
            items.append(item)
        entry: dict[str, Any] = {"rows": items}
        if section.get("title"):
            entry["title"] = within(section["title"], ROW_TITLE_MAX, "Seção")
        built.append(entry)
    label = within(content.get("button") or "Ver opções", LIST_BUTTON_MAX, "Botão da lista")
    return result | {"type": "list", "action": {"button": label, "sections": built}}


def _unique(ids: list[str]) -> None:
    require(len(set(ids)) == len(ids), "Escolhas: os identificadores das opções devem ser únicos")


def template(content: dict[str, Any]) -> dict[str, Any]:
    """`params` (list, or dict for named parameters) fill the body; `components` pass through as given."""
    require(content.get("name"), "Modelo: informe o nome do modelo aprovado")
    built: dict[str, Any] = {
        "name": str(content["name"]),
        "language": {"code": str(content.get("language") or DEFAULT_LANGUAGE)},
    }
    if content.get("components"):
        built["components"] = content["components"]
        return built
    params = content.get("params")
    if isinstance(params, dict):
        values = [{"type": "text", "parameter_name": str(k), "text": str(v)} for k, v in params.items()]
    else:
        values = [{"type": "text", "text": str(v)} for v in params or []]
    for value in values:
        require(value["text"].strip(), "Modelo: parâmetros não podem ser vazios")
    if values:
        built["components"] = [{"type": "body", "parameters": values}]
    return built

