"""The inbox server: files from the build, index.html for the app's own routes, the stack's config."""

from __future__ import annotations

from pathlib import Path

from werkzeug.test import Client

from atende.dev.inbox_server import app

CONFIG = {"apiBase": "http://127.0.0.1:1/inbox_api", "locale": "pt-BR"}


def test_built_files_are_served_and_unknown_paths_get_the_app(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log('inbox')")
    (tmp_path / "config.json").write_text('{"stale": true}')
    client = Client(app(CONFIG, tmp_path))

    assert client.get("/assets/app.js").text == "console.log('inbox')"
    for path in ("/", "/c/abc123", "/settings/profile"):
        page = client.get(path)
        assert page.status_code == 200 and "id=app" in page.text, path
    assert client.get("/config.json").json == CONFIG


def test_without_a_build_the_page_says_how_to_make_one(tmp_path: Path):
    page = Client(app(CONFIG, tmp_path / "dist")).get("/")
    assert page.status_code == 503
    assert "atende build --web" in page.text
