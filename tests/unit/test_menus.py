"""Menus as each channel lets a customer tap them, and numbered text where nothing else fits."""

from __future__ import annotations

from atende.channels.whatsapp.send import interactive
from atende.domain.menus import Choice, Menu, lay_out
from atende.domain.model import Channel

YES_NO = Menu(
    "Sua conexão voltou?", (Choice("voltou", "Sim, voltou!"), Choice("nao_voltou", "Não, continua"))
)
MAIN = Menu(
    "Como posso ajudar?",
    (
        Choice("segunda_via", "2ª via de boleto ou PIX"),
        Choice("suporte", "Internet sem conexão ou lenta"),
        Choice("negociar", "Negociar débitos"),
        Choice("planos", "Planos e upgrade"),
    ),
)


def test_whatsapp_gets_reply_buttons_for_up_to_three_short_options():
    laid = lay_out(YES_NO, Channel.WHATSAPP)
    assert laid.text == "Sua conexão voltou?"  # no numbers beside the buttons
    assert laid.content == {
        "buttons": [{"id": "voltou", "title": "Sim, voltou!"}, {"id": "nao_voltou", "title": "Não, continua"}]
    }


def test_whatsapp_gets_a_list_past_three_with_long_titles_shortened_and_kept_whole_beneath():
    laid = lay_out(MAIN, Channel.WHATSAPP)
    rows = laid.content["sections"][0]["rows"]
    assert laid.content["type"] == "list" and laid.content["button"] == "Ver opções"
    assert rows[0] == {"id": "segunda_via", "title": "2ª via de boleto ou PIX"}
    assert rows[1] == {
        "id": "suporte",
        "title": "Internet sem conexão…",
        "description": "Internet sem conexão ou lenta",
    }
    built = interactive(laid.text, laid.content)  # what the Graph API receives: within every limit
    assert built["type"] == "list" and len(built["action"]["sections"][0]["rows"]) == 4


def test_a_list_row_does_not_repeat_its_short_title_beneath_it():
    offers = Menu(
        "Escolha:",
        (
            Choice("avista", "À vista: R$ 159,80 (sem multa nem juros)", short="À vista"),
            Choice("fatura", "2ª via de 10/2026 (R$ 79,90)", short="2ª via de 10/2026"),
            Choice("2x", "2x de R$ 81,50: total R$ 163,00", short="Em 2x"),
            Choice("atendente", "Falar com um atendente"),
        ),
    )
    rows = lay_out(offers, Channel.WHATSAPP).content["sections"][0]["rows"]
    assert [r.get("description") for r in rows] == [
        "R$ 159,80 (sem multa nem juros)",
        "R$ 79,90",
        "2x de R$ 81,50: total R$ 163,00",
        None,
    ]


def test_too_many_options_or_ids_that_repeat_go_as_numbered_text_which_every_channel_reads():
    eleven = Menu("Escolha", tuple(Choice(str(i), f"Opção {i}") for i in range(11)))
    assert lay_out(eleven, Channel.WHATSAPP).content is None
    assert lay_out(eleven, Channel.WHATSAPP).text.splitlines()[1:3] == ["1 - Opção 0", "2 - Opção 1"]
    twins = Menu("Escolha", (Choice("a", "Um"), Choice("a", "Dois")))
    assert lay_out(twins, Channel.MESSENGER).content is None


def test_messenger_and_instagram_get_quick_replies_only_when_every_title_fits_or_has_a_short_one():
    assert lay_out(MAIN, Channel.INSTAGRAM).content is None  # "Internet sem conexão ou lenta" is 29 long
    shortened = Menu(
        MAIN.body,
        (
            Choice("segunda_via", "2ª via de boleto ou PIX", "2ª via"),
            Choice("suporte", MAIN.choices[1].title, "Sem internet"),
        ),
    )
    assert lay_out(shortened, Channel.MESSENGER).content == {
        "quick_replies": [
            {"title": "2ª via", "payload": "segunda_via"},
            {"title": "Sem internet", "payload": "suporte"},
        ]
    }
    assert lay_out(YES_NO, Channel.INSTAGRAM).text == "Sua conexão voltou?"


def test_web_chat_draws_its_own_buttons():
    laid = lay_out(MAIN, Channel.WEBCHAT)
    assert [b["id"] for b in laid.content["buttons"]] == ["segunda_via", "suporte", "negociar", "planos"]
