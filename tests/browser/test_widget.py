"""The web-chat widget in a real (headless) Chromium, on host pages served by the dev stack's demo site.

A visitor asks for a second copy of the invoice and goes through the flow; the history survives a reload
and shows in a second tab; an agent's reply sent through inbox_api appears, with read ticks on the
visitor's messages; offline and back, nothing is missed or doubled; a forged identity is refused; the
visitor's own Firebase session cannot read another visitor's conversation; and the widget survives a host
page with hostile CSS. Screenshots go to tests/browser/artifacts/ (not committed).

Host pages: the demo site's own page (for the logged-in customer), and pages this module serves from a
server of its own, on another origin, as a business's site loads the widget from a CDN (both are allowed
origins of the seeded site `demo`); the widget's files and every API call are real. Whether a person is
available depends on the time of day and who is online, so each browser profile states it: the `available`
flag of `GET /sites/demo` is set by the test, nothing else.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from google.cloud.firestore_v1.base_query import FieldFilter
from werkzeug.wrappers import Response

from atende.dev.demo_site import VISITOR_CLAIMS_JS
from atende.dev.polling import wait_until
from atende.dev.seed import demo_site
from atende.dev.standin_http import serve
from tests.media_files import picture, stack_media

pytestmark = [pytest.mark.browser, pytest.mark.integration]
ARTIFACTS = Path(__file__).with_name("artifacts")
SITE = "demo"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
TEXTBOX = "Escreva sua mensagem"
HOSTILE_CSS = """
* { all: unset !important; font-size: 3px !important; line-height: 1 !important; }
html, body { display: block !important; background: #ff00ff !important; color: #00ff00 !important; }
div, button, section, aside, iframe, [class*="aw-"] { display: none !important; opacity: 0 !important; }
atende-widget { display: none !important; position: absolute !important; left: -9999px !important; }
:root { --aw-accent: #000 !important; }
button { pointer-events: none !important; visibility: hidden !important; }
svg { width: 1px !important; height: 1px !important; }
"""


class HostPages:
    """A business's site on an origin of its own: each page carries the snippet pointing at the demo site."""

    def __init__(self, widget_base: str) -> None:
        self.widget_base = widget_base
        self.pages: dict[str, str] = {}
        self.server = serve(self._app, "127.0.0.1", 0, "widget-host-pages", quiet=True)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def _app(self, environ: dict, start_response):
        html = self.pages.get(environ.get("PATH_INFO", ""))
        response = Response(html or "", status=200 if html else 404, content_type="text/html; charset=utf-8")
        return response(environ, start_response)

    def add(self, css: str = "", settings: dict | None = None) -> str:
        path = f"/{uuid.uuid4().hex[:8]}"
        snippet = json.dumps({"siteKey": SITE, **(settings or {})})
        self.pages[path] = f"""<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Loja</title>
<style>{css}</style></head><body><h1>Página do cliente</h1><p>Conteúdo da página.</p>
<script>window.AtendeWidget = {snippet};</script>
<script src="{self.widget_base}/widget/atende-widget.js" async></script></body></html>"""
        return self.origin + path


@pytest.fixture(scope="module")
def pages(stack, firestore_db):
    from atende.dev.seed import seed_demo_site

    script = httpx.get(f"{stack.demo_site_url}/widget/atende-widget.js", timeout=10)
    if script.status_code != 200:
        if os.environ.get("CI"):
            pytest.fail("web/widget is not built: `make test` builds it (atende build --web)")
        pytest.skip("web/widget is not built: run `.venv/bin/atende build --web`")
    host = HostPages(stack.demo_site_url)
    seed_demo_site(firestore_db, (*stack.demo_site_origins, host.origin))
    yield host
    host.server.shutdown()
    host.server.server_close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def new_context(browser, *, available: bool = True, mobile: bool = False, site: dict | None = None):
    """A browser profile: its own visitor; `site` changes what GET /sites/demo answers (the pre-chat form)."""
    viewport = {"width": 375, "height": 740} if mobile else {"width": 1280, "height": 800}
    context = browser.new_context(viewport=viewport, locale="pt-BR", is_mobile=mobile, has_touch=mobile)

    def availability(route):
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), **(site or {}), "available": available})

    context.route("**/webchat/sites/**", availability)
    context.on("console", lambda m: m.type in ("error", "warning") and print("browser:", m.text[:500]))
    return context


def close(context) -> None:
    context.unroute_all(behavior="ignoreErrors")  # a site fetch still in flight must not fail the test
    context.close()


def host_page(context, pages: HostPages, *, css: str = "", settings: dict | None = None):
    page = context.new_page()
    page.goto(pages.add(css, settings))
    return page


def in_conversation(claims: dict) -> FieldFilter:
    return FieldFilter("conversationId", "==", claims["conversationId"])


class Widget:
    def __init__(self, page) -> None:
        self.page = page
        self.launcher = page.locator("atende-widget .aw-launcher")
        self.panel = page.get_by_test_id("atende-panel")

    def open(self) -> Widget:
        self.launcher.click()
        self.panel.wait_for(state="visible", timeout=20_000)
        return self

    def send(self, text: str) -> None:
        box = self.page.get_by_role("textbox", name=TEXTBOX)
        box.fill(text)
        box.press("Enter")

    def business(self, text: str):
        return self.panel.locator("[data-side='business'][data-message-id]", has_text=text)

    def visitor(self, text: str):
        return self.panel.locator("[data-side='visitor']", has_text=text)

    def stored_from_visitor(self, text: str):
        return self.panel.locator("[data-side='visitor'][data-message-id]", has_text=text)

    def say(self, text: str, expect: str):
        """Send, then wait for the stored copy and for the answer that contains `expect`."""
        self.send(text)
        self.stored_from_visitor(text).wait_for(timeout=20_000)
        answer = self.business(expect).last
        answer.wait_for(timeout=30_000)
        return answer

    def session(self) -> dict:
        """The visitor's session as the persisted Firebase user's claims say (read in the page)."""
        return self.page.evaluate(VISITOR_CLAIMS_JS)


def test_a_visitor_gets_the_invoice_copy_and_keeps_it_after_a_reload_and_in_a_second_tab(
    browser, pages, firestore_db
):
    context = new_context(browser)
    page = host_page(context, pages)
    widget = Widget(page)
    widget.launcher.wait_for(state="visible", timeout=10_000)
    shot(page, "01-launcher")
    widget.open()

    first = widget.say("preciso da segunda via do boleto", "CPF")
    # the bot speaks as the site, in its greeting and in its replies alike
    greeting = widget.panel.locator("[data-greeting] .aw-sender").inner_text()
    assert greeting == first.locator(".aw-sender").inner_text() == "Conecta Fibra"
    shot(page, "01b-the-bot-speaks-as-the-site")
    widget.say("111.111.111-11", "data de nascimento")
    widget.say("12/03/1985", "Tudo em dia")
    answer = widget.business("Tudo em dia").last
    assert "R$ 99,90" in answer.inner_text()
    shot(page, "02-open-panel-desktop")

    sent = ["preciso da segunda via do boleto", "111.111.111-11", "12/03/1985"]
    for text in sent:  # the pending copy was replaced by the stored one: shown once, with its tick
        assert widget.visitor(text).count() == 1
        assert widget.stored_from_visitor(text).locator("[data-state='stored']").count() == 1
    assert widget.panel.locator("[data-pending]").count() == 0
    claims = widget.session()
    conversation = firestore_db.collection("conversations").document(claims["conversationId"]).get()
    assert conversation.get("channel") == "webchat"

    # the bot's replies were read in the open panel: the receipts reached the messages
    replies = firestore_db.collection("messages").where(
        filter=FieldFilter("conversationId", "==", claims["conversationId"])
    )
    wait_until(
        lambda: all(
            d.get("status") == "read" for d in replies.stream() if d.to_dict().get("direction") == "outbound"
        ),
        what="the bot's replies marked read by the widget",
    )

    page.reload()
    widget = Widget(page).open()
    widget.business("Tudo em dia").wait_for(timeout=20_000)
    for text in sent:
        assert widget.visitor(text).count() == 1

    second = Widget(context.new_page())
    second.page.goto(page.url)
    second.open()
    second.business("Tudo em dia").wait_for(timeout=20_000)
    for text in sent:
        assert second.visitor(text).count() == 1
    assert second.session()["visitorId"] == claims["visitorId"]
    close(context)


def test_an_agents_reply_through_the_inbox_appears_and_the_visitors_messages_turn_read(
    browser, pages, stack, staff, http, firestore_db
):
    context = new_context(browser)
    widget = Widget(host_page(context, pages)).open()
    widget.say("quero falar com um atendente", "")
    conversation_id = widget.session()["conversationId"]

    widget.panel.get_by_text("Aguardando um atendente").wait_for(timeout=20_000)  # the public view: queued

    # an agent typing in the inbox (inbox_api `typing`): shown until it lapses, 6 s after
    admin = staff("admin", [], name="Rita Atendente")
    headers = {"Authorization": f"Bearer {admin.id_token}"}
    typing = http.post(
        f"{stack.functions_url}/inbox_api/typing", json={"conversationId": conversation_id}, headers=headers
    )
    assert typing.status_code == 200, typing.text
    indicator = widget.page.get_by_test_id("typing")
    indicator.get_by_text("Rita Atendente está digitando").wait_for(timeout=10_000)
    indicator.wait_for(state="hidden", timeout=15_000)
    reply = f"Oi! Aqui é a Rita, já vou verificar. ({uuid.uuid4().hex[:4]})"
    body = {"conversationId": conversation_id, "clientId": str(uuid.uuid4()), "text": reply}
    assert http.post(f"{stack.functions_url}/inbox_api/send", json=body, headers=headers).status_code == 200
    agent = widget.business(reply)
    agent.wait_for(timeout=20_000)
    assert "Rita Atendente" in agent.locator(".aw-sender").inner_text()
    widget.page.get_by_test_id("who-answers").get_by_text("Rita").wait_for(timeout=10_000)

    read = {"conversationId": conversation_id}
    assert http.post(f"{stack.functions_url}/inbox_api/read", json=read, headers=headers).status_code == 200
    widget.stored_from_visitor("quero falar com um atendente").locator("[data-state='read']").wait_for(
        timeout=20_000
    )
    assert widget.business(reply).count() == 1
    close(context)


def test_offline_and_back_the_visitor_misses_nothing_and_sees_nothing_twice(browser, pages, firestore_db):
    context = new_context(browser)
    widget = Widget(host_page(context, pages)).open()
    widget.say("oi, tudo bem?", "")
    claims = widget.session()

    context.set_offline(True)
    widget.page.get_by_text("Sem conexão. Suas mensagens").wait_for(timeout=10_000)
    widget.send("mensagem escrita sem conexão")
    widget.visitor("mensagem escrita sem conexão").wait_for(timeout=10_000)
    missed = []
    for n in range(3):
        ref = firestore_db.collection("messages").document(f"wc_test_{uuid.uuid4().hex}")
        now = datetime.now(UTC)
        ref.set(
            {
                "conversationId": claims["conversationId"], "channel": "webchat", "accountId": SITE,
                "direction": "outbound", "senderType": "agent", "sender": "agent", "authorName": "Bia",
                "kind": "text", "text": f"resposta enquanto offline {n}", "content": {}, "status": "sent",
                "visibility": "public", "timestamp": now, "createdAt": now,
            }
        )  # fmt: skip
        missed.append(ref.id)
    context.set_offline(False)

    for message_id in missed:
        widget.panel.locator(f"[data-message-id='{message_id}']").wait_for(timeout=60_000)
    widget.stored_from_visitor("mensagem escrita sem conexão").wait_for(timeout=60_000)
    assert widget.panel.locator("[data-pending]").count() == 0
    for message_id in missed:
        assert widget.panel.locator(f"[data-message-id='{message_id}']").count() == 1
    assert widget.visitor("mensagem escrita sem conexão").count() == 1
    assert widget.visitor("oi, tudo bem?").count() == 1
    stored = firestore_db.collection("messages").where(
        filter=FieldFilter("conversationId", "==", claims["conversationId"])
    )
    texts = [d.get("text") for d in stored.stream()]
    assert texts.count("mensagem escrita sem conexão") == 1
    close(context)


def test_a_logged_in_customer_is_recognised_and_a_forged_identity_is_refused(browser, pages, stack):
    context = new_context(browser)
    page = context.new_page()
    page.goto(stack.demo_site_url)
    page.get_by_label("E-mail").fill("maria.silva@example.com")
    page.get_by_label("Senha").fill("cliente123")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_text("Olá, Maria!").wait_for(timeout=10_000)
    with page.expect_response(lambda r: "/webchat/session" in r.url) as answer:
        widget = Widget(page).open()
    assert answer.value.status == 200 and answer.value.json()["verified"] is True
    # recognised: the bot goes straight to her invoice, no CPF asked
    answer = widget.say("preciso da segunda via do boleto", "Tudo em dia, Maria")
    assert "R$ 99,90" in answer.inner_text()
    shot(page, "06-demo-site-logged-in")
    close(context)

    context = new_context(browser)
    forged = {"user": {"identifier": "maria.silva@example.com", "identifierHash": "0" * 64, "name": "Maria"}}
    page = host_page(context, pages, settings=forged)
    with page.expect_response(lambda r: "/webchat/session" in r.url) as answer:
        widget = Widget(page).open()
    assert answer.value.status == 403
    page.get_by_test_id("identity-refused").wait_for(timeout=10_000)
    assert page.get_by_role("textbox", name=TEXTBOX).count() == 0
    assert widget.panel.locator("[data-message-id]").count() == 0
    close(context)


def test_a_visitor_cannot_read_another_visitors_conversation_through_the_sdk(browser, pages):
    first = new_context(browser)
    one = Widget(host_page(first, pages)).open()
    one.say("meu segredo: pedido 4242", "")
    theirs = one.session()["conversationId"]

    second = new_context(browser)
    other = Widget(host_page(second, pages)).open()
    other.say("olá", "")
    mine = other.session()["conversationId"]
    assert mine != theirs

    probe = """async (conversationId) => {
      const url = performance.getEntriesByType('resource').map((e) => e.name)
        .find((n) => n.includes('/chunks/panel-'));
      const panel = await import(url);
      const config = await (await fetch(new URL('../config.json', url))).json();
      const { db } = panel.firebaseFor('demo', config);
      return await new Promise((resolve) => {
        const seen = [];
        const stop = panel.watchConversation(db, conversationId, {
          conversation: () => {},
          messages: (list) => { stop(); resolve({ read: list.map((m) => m.text) }); },
          error: (e) => { stop(); resolve({ error: e.code }); },
        });
      });
    }"""
    assert other.page.evaluate(probe, theirs) == {"error": "permission-denied"}
    own = other.page.evaluate(probe, mine)
    assert "olá" in own["read"]
    close(first)
    close(second)


def test_the_widget_survives_a_hostile_host_page(browser, pages):
    context = new_context(browser)
    page = host_page(context, pages, css=HOSTILE_CSS)
    widget = Widget(page)
    widget.launcher.wait_for(state="visible", timeout=10_000)
    box = widget.launcher.bounding_box()
    assert box["width"] >= 56 and box["height"] >= 56
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800
    widget.open()
    widget.say("oi", "")
    greeting = widget.panel.locator("[data-greeting] .aw-text")
    size = greeting.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 14
    panel = widget.panel.bounding_box()
    assert panel["width"] >= 320 and panel["height"] >= 400
    shot(page, "05-hostile-host-page")
    close(context)


def test_keyboard_mobile_layout_and_the_offline_form(browser, pages):
    context = new_context(browser, available=False, mobile=True)
    page = host_page(context, pages)
    widget = Widget(page)
    widget.launcher.focus()
    page.keyboard.press("Enter")
    widget.panel.wait_for(state="visible", timeout=20_000)
    form = page.get_by_test_id("offline-form")
    form.wait_for(timeout=10_000)
    size = "el => [getComputedStyle(el).width, getComputedStyle(el).height]"  # not mid-animation
    assert widget.panel.evaluate(size) == ["375px", "740px"]  # full screen on a phone
    focused = "() => document.querySelector('atende-widget').shadowRoot.activeElement?.outerHTML || ''"
    for _ in range(12):  # the focus stays inside the open panel
        page.keyboard.press("Tab")
        assert page.evaluate(focused)
    shot(page, "04-offline-form-mobile")

    page.get_by_label("Nome").fill("Carlos Pereira")
    page.get_by_label("Telefone").fill("(11) 98888-7777")
    page.get_by_role("textbox", name="Mensagem").fill("Quero mudar meu plano para 1 Giga, me liguem amanhã.")
    page.get_by_role("button", name="Enviar mensagem").click()
    page.get_by_role("status").filter(has_text="Recebemos sua mensagem").wait_for(timeout=20_000)

    page.keyboard.press("Escape")
    widget.panel.wait_for(state="hidden", timeout=5_000)
    assert "aw-launcher" in page.evaluate(focused)
    close(context)


def test_a_photo_is_sent_and_shown_and_a_file_of_another_type_is_refused_before_any_upload(browser, pages):
    context = new_context(browser)
    widget = Widget(host_page(context, pages)).open()
    picker = widget.panel.get_by_test_id("attachment-input")
    uploads = []
    posted = lambda r: "/webchat/uploads" in r.url and r.method == "POST"  # noqa: E731 (not the preflight)
    widget.page.on("request", lambda r: posted(r) and uploads.append(r))

    picker.set_input_files({"name": "notas.txt", "mimeType": "text/plain", "buffer": b"nada"})
    widget.panel.get_by_role("alert").get_by_text("Envie uma imagem (JPG, PNG ou WebP) ou um PDF").wait_for()
    assert uploads == []

    picker.set_input_files({"name": "roteador.png", "mimeType": "image/png", "buffer": PNG})
    widget.panel.get_by_text("roteador.png").wait_for()
    widget.send("foto do roteador")
    stored = widget.stored_from_visitor("foto do roteador")
    stored.wait_for(timeout=20_000)
    image = stored.locator("img")
    image.wait_for(timeout=10_000)
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
    assert len(uploads) == 1
    close(context)


def test_the_host_pages_api_a_pre_chat_form_in_spanish_and_bot_buttons(browser, pages, firestore_db):
    fields = [{"name": "name", "required": True}, {"name": "email"}]
    unnamed = {"name": "", "appearance": {**demo_site(()).appearance.model_dump(by_alias=True), "title": ""}}
    form = {"preChatForm": {"enabled": True, "fields": fields}, **unnamed}
    context = new_context(browser, site=form)
    page = host_page(context, pages, settings={"language": "es"})
    page.get_by_role("button", name="Abrir el chat").wait_for(timeout=10_000)
    calls = """() => {
      window.seen = [];
      AtendeWidget.on('message', (m) => window.seen.push(m.text));
      AtendeWidget.on('message', () => { throw new Error('a broken handler of the page'); });
      AtendeWidget.setUser(42);
      AtendeWidget.on('message');
      AtendeWidget.open();
      return 'no exception';
    }"""
    assert page.evaluate(calls) == "no exception"
    widget = Widget(page)
    widget.panel.wait_for(state="visible", timeout=20_000)
    page.get_by_role("textbox", name="Nombre").fill("Lucía")
    with page.expect_request(lambda r: "/webchat/session" in r.url and r.method == "POST") as session:
        page.get_by_role("button", name="Iniciar conversación").click()
    assert session.value.post_data_json["name"] == "Lucía"
    box = page.get_by_role("textbox", name="Escribe tu mensaje")
    box.fill("hola")
    box.press("Enter")
    widget.stored_from_visitor("hola").wait_for(timeout=20_000)
    claims = widget.session()

    menu = firestore_db.collection("messages").document(f"wc_test_{uuid.uuid4().hex}")
    now = datetime.now(UTC)
    menu.set(
        {
            "conversationId": claims["conversationId"], "channel": "webchat", "accountId": SITE,
            "direction": "outbound", "senderType": "bot", "sender": "bot", "kind": "text",
            "text": "¿Qué necesitas?", "status": "sent", "visibility": "public", "timestamp": now,
            "createdAt": now, "content": {"buttons": [{"id": "fatura", "title": "Segunda via"},
                                                      {"id": "suporte", "title": "Suporte técnico"}]},
        }
    )  # fmt: skip
    options = widget.panel.get_by_role("group", name="Opciones")
    menu_row = widget.business("¿Qué necesitas?")
    # a site with neither name nor title: the bot is the translated "virtual assistant", greeting and replies
    assert menu_row.locator(".aw-sender").inner_text() == "Asistente virtual"
    assert widget.panel.locator("[data-greeting] .aw-sender").inner_text() == "Asistente virtual"
    options.get_by_role("button", name="Segunda via").click()
    tapped = widget.stored_from_visitor("Segunda via")
    tapped.wait_for(timeout=20_000)
    stored = firestore_db.collection("messages").document(tapped.get_attribute("data-message-id")).get()
    assert stored.get("content")["id"] == "fatura" and stored.get("kind") == "interactive"
    assert options.get_by_role("button", name="Suporte técnico").is_disabled()  # answered: no second tap
    page.wait_for_function("window.seen.includes('¿Qué necesitas?')")
    close(context)


def test_the_open_panel_on_a_phone(browser, pages):
    context = new_context(browser, mobile=True)
    widget = Widget(host_page(context, pages)).open()
    widget.say("qual o valor do plano de 1 giga?", "")
    shot(widget.page, "03-open-panel-mobile")
    close(context)


def test_photos_whose_stored_links_expired_still_show(browser, pages, stack, firestore_db):
    context = new_context(browser)
    widget = Widget(host_page(context, pages)).open()
    picker = widget.panel.get_by_test_id("attachment-input")
    for name, colour in (("antiga", (0, 120, 200)), ("recente", (230, 120, 0))):
        photo = picture(160, 90, colour)
        picker.set_input_files({"name": f"{name}.png", "mimeType": "image/png", "buffer": photo})
        widget.panel.get_by_text(f"{name}.png").wait_for()
        widget.send(f"foto {name}")
        widget.stored_from_visitor(f"foto {name}").locator("img").wait_for(timeout=20_000)
    claims = widget.session()
    docs = firestore_db.collection("messages").where(filter=in_conversation(claims)).get()
    by_text = {d.get("text"): d for d in docs}
    # Their links expire, as the stack signs them: a week ago for the first photo, just now for the second.
    store = stack_media(stack)
    week_ago = datetime.now(UTC) - timedelta(days=8)
    expired = {}
    for text, update in (
        ("foto antiga", {"timestamp": week_ago, "createdAt": week_ago}),
        ("foto recente", {}),
    ):
        doc = by_text[text]
        expired[text] = store.url(doc.get("content")["media_id"], -60)
        doc.reference.update({**update, "content.url": expired[text]})
    widget.page.reload()
    asked = []  # the panel, and so any call it makes, loads only once opened
    widget.page.on("request", lambda r: "/webchat/links" in r.url and r.method == "POST" and asked.append(r))
    widget.open()
    for text in ("foto antiga", "foto recente"):
        image = widget.stored_from_visitor(text).locator("img")
        image.wait_for(timeout=20_000)
        image.scroll_into_view_if_needed()  # loaded lazily
        widget.page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=20_000
        )
        assert image.evaluate("img => img.naturalWidth") == 160
        assert image.get_attribute("src") != expired[text]
    assert 1 <= len(asked) <= 2  # the old one when shown, the other when it failed to load
    widget.stored_from_visitor("foto antiga").scroll_into_view_if_needed()
    shot(widget.page, "expired-links")
    close(context)
