"""`atende deploy web`: which objects each web app puts in its bucket, with which headers, in which order
(web_release.plan, deploy_web.publish), over an in-memory object store. No Google Cloud call."""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from atende.dev import deploy_web
from atende.dev.paths import repo_root
from atende.dev.web_release import IMMUTABLE, REVALIDATE, SHORT, plan
from tests.fakes import FakeObjectStore, StoredObject

INBOX_FILES = {
    "index.html": "<!doctype html><script type=module src=/assets/index-CMT8wT0z.js></script>",
    "assets/index-CMT8wT0z.js": "import './paged--2PfXSQ9.js';",
    "assets/paged--2PfXSQ9.js": "export {};",
    "assets/index-D6bnZ2uB.css": "body{}",
    "favicon.svg": "<svg/>",
    "config.json": '{"firebase": {"apiKey": "from-a-dev-build"}}',
    ".atende-build": "stamp",
}
WIDGET_FILES = {
    "atende-widget.js": "(function(){})();",
    "chunks/panel-BX7utN47.js": "export {};",
    ".atende-build": "stamp",
}
PROJECT = "acme-atende"
OUTPUTS = {
    "project_id": PROJECT,
    "inbox": {
        "bucket": "acme-atende-atende-inbox",
        "url": "https://atendimento.acme.com.br/",
        "ip": "1.2.3.4",
    },
    "widget": {"bucket": "acme-atende-atende-widget", "url": "https://chat.acme.com.br/atende-widget.js"},
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    write(tmp_path / "web" / "inbox" / "dist", INBOX_FILES)
    write(tmp_path / "web" / "widget" / "dist", WIDGET_FILES)
    return tmp_path


def headers(uploads) -> dict[str, tuple[str, str]]:
    return {u.name: (u.content_type, u.cache_control) for u in uploads}


def test_hashed_files_are_kept_a_year_and_the_inbox_page_is_revalidated(checkout: Path):
    inbox, _ = deploy_web.web_apps(checkout)
    assert headers(plan(inbox)) == {
        "assets/index-CMT8wT0z.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/paged--2PfXSQ9.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/index-D6bnZ2uB.css": ("text/css; charset=utf-8", IMMUTABLE),
        "favicon.svg": ("image/svg+xml", "public, max-age=3600"),
        "index.html": ("text/html; charset=utf-8", REVALIDATE),
    }  # no config.json (Terraform's), no build stamp
    assert REVALIDATE == "no-cache" and IMMUTABLE == "public, max-age=31536000, immutable"


def test_the_widget_loader_is_cached_five_minutes_and_its_panel_a_year(checkout: Path):
    _, widget = deploy_web.web_apps(checkout)
    assert headers(plan(widget)) == {
        "chunks/panel-BX7utN47.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "atende-widget.js": ("text/javascript; charset=utf-8", SHORT),
    }
    assert SHORT == "public, max-age=300"


def test_a_file_outside_the_hashed_directory_is_not_immutable_even_if_it_looks_hashed(checkout: Path):
    write(checkout / "web" / "inbox" / "dist", {"robots-AbCdEf12.txt": "User-agent: *"})
    inbox, _ = deploy_web.web_apps(checkout)
    assert headers(plan(inbox))["robots-AbCdEf12.txt"] == (
        "text/plain; charset=utf-8",
        "public, max-age=3600",
    )


def test_publish_fills_both_buckets_entry_points_last_and_leaves_config_json_alone(checkout: Path):
    apps = deploy_web.web_apps(checkout)
    targets = deploy_web.buckets(OUTPUTS, PROJECT, apps)
    terraform_config = StoredObject(b'{"apiUrl": "https://x"}', "application/json", "public, max-age=300")
    store = FakeObjectStore(buckets={targets["widget"]: {"config.json": terraform_config}})
    lines: list[str] = []

    assert deploy_web.publish(apps, targets, store, lines.append) == 7

    inbox, widget = store.buckets[targets["inbox"]], store.buckets[targets["widget"]]
    assert set(inbox) == {name for name in INBOX_FILES if name not in {"config.json", ".atende-build"}}
    assert set(widget) == {"config.json", "atende-widget.js", "chunks/panel-BX7utN47.js"}
    assert widget["config.json"] is terraform_config
    assert inbox["index.html"].data == INBOX_FILES["index.html"].encode()
    inbox_order = [name for bucket, name in store.written if bucket == targets["inbox"]]
    assert inbox_order[-1] == "index.html" and inbox_order[-2] == "favicon.svg"  # after every hashed file
    assert [name for bucket, name in store.written if bucket == targets["widget"]][-1] == "atende-widget.js"
    assert lines == [
        f"inbox: 5 files to gs://{targets['inbox']}",
        f"widget: 2 files to gs://{targets['widget']}",
    ]


def test_a_missing_build_uploads_nothing(checkout: Path):
    (checkout / "web" / "widget" / "dist" / "atende-widget.js").unlink()
    store = FakeObjectStore()
    apps = deploy_web.web_apps(checkout)
    with pytest.raises(FileNotFoundError, match=r"atende-widget\.js"):
        deploy_web.publish(apps, deploy_web.buckets(OUTPUTS, PROJECT, apps), store, print)
    assert store.written == []


def test_the_terraform_state_must_be_the_named_projects(checkout: Path):
    apps = deploy_web.web_apps(checkout)
    with pytest.raises(deploy_web.DeployError, match="state is for acme-atende, not other-project"):
        deploy_web.buckets(OUTPUTS, "other-project", apps)
    with pytest.raises(deploy_web.DeployError, match="no bucket"):
        deploy_web.buckets({"project_id": PROJECT, "widget": OUTPUTS["widget"]}, PROJECT, apps)


def test_the_command_uploads_to_the_buckets_terraform_reports(checkout, monkeypatch, capsys):
    store = FakeObjectStore()
    seen: dict[str, object] = {}

    def outputs(directory: Path) -> dict:
        seen["terraform_dir"] = directory
        return OUTPUTS

    def object_store(project: str) -> FakeObjectStore:
        seen["project"] = project
        return store

    monkeypatch.setattr(deploy_web, "repo_root", lambda: checkout)
    monkeypatch.setattr(deploy_web, "terraform_outputs", outputs)
    monkeypatch.setattr(deploy_web, "GcsObjectStore", object_store)
    args = argparse.Namespace(project=PROJECT, terraform_dir=None, no_build=True)

    assert deploy_web.run(args) == 0
    assert seen == {"terraform_dir": checkout / "terraform", "project": PROJECT}
    assert {bucket for bucket, _ in store.written} == {
        OUTPUTS["inbox"]["bucket"],
        OUTPUTS["widget"]["bucket"],
    }
    out = capsys.readouterr().out
    assert (
        "inbox:  https://atendimento.acme.com.br/" in out
        and "https://chat.acme.com.br/atende-widget.js" in out
    )


def test_the_real_builds_have_their_entry_points_and_hash_every_other_file():
    """The Vite configs (web/inbox, web/widget) write what the cache rules assume: anything else than an
    entry point is content-hashed in the app's hashed directory, so nothing is cached an hour by mistake."""
    apps = deploy_web.web_apps(repo_root())
    if not all((app.dist / name).is_file() for app in apps for name in app.entry_points):
        pytest.skip("the web apps are not built (atende build --web)")
    for app in apps:
        uploads = plan(app)
        assert {u.name for u in uploads if u.cache_control != IMMUTABLE} == set(app.entry_points), app.name


class _UploadRecorder(BaseHTTPRequestHandler):
    """The one call of Cloud Storage's JSON API that GcsObjectStore makes: a multipart object upload."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        metadata = json.loads(body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
        reply = json.dumps({**metadata, "bucket": self.path.split("/")[5], "generation": "1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


def test_the_cloud_storage_adapter_sends_each_files_headers_as_object_metadata(checkout: Path):
    """google-cloud-storage against a local recorder of its upload call: the metadata a browser will get."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    _UploadRecorder.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UploadRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = storage.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": f"http://127.0.0.1:{server.server_port}"},
        )
        _, widget = deploy_web.web_apps(checkout)
        loader = next(u for u in plan(widget) if u.name == "atende-widget.js")
        deploy_web.GcsObjectStore(PROJECT, client).upload("acme-atende-atende-widget", loader)
    finally:
        server.shutdown()
        server.server_close()

    [(path, body)] = _UploadRecorder.received
    assert path.startswith("/upload/storage/v1/b/acme-atende-atende-widget/o?uploadType=multipart")
    metadata = json.loads(body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
    assert metadata["name"] == "atende-widget.js"
    assert metadata["contentType"] == "text/javascript; charset=utf-8"
    assert metadata["cacheControl"] == "public, max-age=300"
    assert WIDGET_FILES["atende-widget.js"].encode() in body
