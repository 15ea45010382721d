"""A sample internet provider's site ("Conecta Fibra") with the web-chat snippet installed.

What a business does with the widget, locally: the page carries the snippet, the widget's files
(web/widget/dist) are served under /widget/ with the `config.json` that points them at this stack, and a
demo customer who logs in is recognised by the chat: the page hands the widget their CPF and its
HMAC-SHA256 with the site's secret, computed here on the server as docs/webchat-install.md tells a
business to do (a CPF makes the conversation the ERP customer's: the bot answers about invoices at
once). The login itself is a signed cookie; it is a demo, not an example of authentication.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import BaseWSGIServer
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from atende.dev import inbox_server
from atende.dev.paths import repo_root
from atende.dev.standin_http import json_response, serve

WIDGET_DIST = repo_root() / "web" / "widget" / "dist"
COOKIE = "provedor_exemplo_cliente"


# For tests and benchmarks, run in a host page: the claims of the visitor the widget signed in (its
# Firebase user as persisted in IndexedDB), i.e. its visitorId and conversationId.
VISITOR_CLAIMS_JS = """async () => {
  const open = indexedDB.open('firebaseLocalStorageDb');
  const db = await new Promise((ok, ko) => { open.onsuccess = () => ok(open.result); open.onerror = ko; });
  const store = db.transaction('firebaseLocalStorage').objectStore('firebaseLocalStorage');
  const all = store.getAll();
  const rows = await new Promise((ok, ko) => { all.onsuccess = () => ok(all.result); all.onerror = ko; });
  const user = rows.map((row) => row.value).find((v) => v && v.stsTokenManager);
  const payload = user.stsTokenManager.accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload));
}"""


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    email: str  # what they log in with
    cpf: str  # what the site signs for the chat
    password: str


# The demo ERP's customers (src/atende/erp/demo_data.json).
CUSTOMERS = (
    DemoCustomer("Maria Silva", "maria.silva@example.com", "11111111111", "cliente123"),
    DemoCustomer("João Santos", "joao.santos@example.com", "22222222222", "cliente123"),
    DemoCustomer("Ana Costa", "ana.costa@example.com", "52998224725", "cliente123"),
)


@dataclass(frozen=True)
class DemoSiteConfig:
    site_key: str
    secret: str  # the site's identity secret (HMAC key), never sent to the browser
    widget_config: dict[str, Any]  # /widget/config.json: apiUrl, firebase, emulators


def identifier_hash(secret: str, identifier: str) -> str:
    """What the business's server computes: hex HMAC-SHA256 of the identifier with the site's secret."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def widget_config(project: str, functions_url: str, auth_url: str, host: str, firestore_port: int) -> dict:
    """The same Firebase web config and emulators as the inbox's, and where the webchat function is."""
    inbox = inbox_server.browser_config(project, auth_url, host, firestore_port, functions_url)
    firebase = {k: inbox[k] for k in ("firebase", "emulators")}
    return {"apiUrl": f"{functions_url}/webchat", **firebase}


class DemoSite:
    def __init__(self, config: DemoSiteConfig, dist: Path = WIDGET_DIST) -> None:
        self.config = config
        self.dist = dist
        self.templates = Environment(
            loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html"])
        )
        files = SharedDataMiddleware(self._not_built, {"/widget": str(dist)})
        self.files = _cross_origin(files)

    def _signed(self, email: str) -> str:
        return f"{email}|{identifier_hash(self.config.secret + ':cookie', email)}"

    def _customer(self, request: Request) -> DemoCustomer | None:
        email, _, mac = (request.cookies.get(COOKIE) or "").partition("|")
        if not email or not hmac.compare_digest(self._signed(email), f"{email}|{mac}"):
            return None
        return next((c for c in CUSTOMERS if c.email == email), None)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/widget/config.json":
            response = json_response(self.config.widget_config)
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Cache-Control"] = "no-cache"
        elif request.path.startswith("/widget/"):
            return self.files(environ, start_response)
        elif request.path == "/entrar" and request.method == "POST":
            response = self._login(request)
        elif request.path == "/sair" and request.method == "POST":
            response = redirect("/", 303)
            response.delete_cookie(COOKIE)
        elif request.path == "/":
            response = self._page(request)
        else:
            response = Response("Página não encontrada", status=404, content_type="text/plain; charset=utf-8")
        return response(environ, start_response)

    def _login(self, request: Request) -> Response:
        email = (request.form.get("email") or "").strip().lower()
        password = request.form.get("password") or ""
        customer = next((c for c in CUSTOMERS if c.email == email and c.password == password), None)
        if customer is None:
            return self._page(request, error="E-mail ou senha incorretos.", status=401)
        response = redirect("/", 303)
        response.set_cookie(COOKIE, self._signed(customer.email), httponly=True, samesite="Lax")
        return response

    def _page(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        customer = self._customer(request)
        settings: dict[str, Any] = {"siteKey": self.config.site_key}
        if customer:
            settings["user"] = {
                "identifier": customer.cpf,
                "identifierHash": identifier_hash(self.config.secret, customer.cpf),
                "name": customer.name,
                "email": customer.email,
            }
        html = self.templates.get_template("demo_site.html").render(
            customer=customer,
            customers=CUSTOMERS,
            error=error,
            site_key=self.config.site_key,
            widget_settings=json.dumps(settings, ensure_ascii=False).replace("</", "<\\/"),
            built=(self.dist / "atende-widget.js").is_file(),
        )
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _not_built(environ: dict, start_response: Any) -> Any:
        body = "web/widget is not built: run .venv/bin/atende build --web"
        return Response(body, status=404, content_type="text/plain")(environ, start_response)


def _cross_origin(app: Any) -> Any:
    """The widget's files may be loaded from any site (a CDN does the same): import() needs CORS."""

    def with_cors(environ: dict, start_response: Any) -> Any:
        def start(status: str, headers: list, *rest: Any) -> Any:
            headers = [*headers, ("Access-Control-Allow-Origin", "*"), ("Cache-Control", "no-cache")]
            return start_response(status, headers, *rest)

        return app(environ, start)

    return with_cors


def start(config: DemoSiteConfig, host: str, port: int) -> BaseWSGIServer:
    return serve(DemoSite(config), host, port, "demo-site", quiet=True)
