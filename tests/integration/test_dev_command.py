"""`make dev` runs `atende dev`: it serves the functions and the inbox, seeds the demo users, prints where
to sign in, and leaves nothing behind when stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from atende.dev.auth_emulator import sign_in
from atende.dev.processes import free_port

pytestmark = pytest.mark.integration


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_dev_serves_and_sigterm_stops_every_child(tmp_path: Path):
    ports = {
        name: free_port()
        for name in (
            "FIRESTORE_PORT",
            "PUBSUB_PORT",
            "FUNCTIONS_PORT",
            "GRAPH_STANDIN_PORT",
            "AUTH_PORT",
            "INBOX_PORT",
        )
    }
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "GOOGLE_CLOUD_PROJECT": "demo-atende-devcmd",
        "DEMO_SITE_PORT": str(demo_site_port := free_port()),
    }
    env.pop("GRAPH_API_BASE_URL", None)
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "atende.cli", "dev"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 120
        while "Atende is running" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.3)
        handshake = httpx.get(
            f"http://127.0.0.1:{ports['FUNCTIONS_PORT']}/webhook_whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "dev-verify-token", "hub.challenge": "ok"},
        )
        assert handshake.text == "ok"
        banner = log.read_text()
        inbox = f"http://127.0.0.1:{ports['INBOX_PORT']}"
        assert f"Inbox            {inbox}" in banner
        assert "ana@atende.dev" in banner and "atende-agente" in banner
        config = httpx.get(f"{inbox}/config.json").json()
        assert config["emulators"]["auth"] == f"http://127.0.0.1:{ports['AUTH_PORT']}"
        token = sign_in(config["emulators"]["auth"], "ana@atende.dev", "atende-agente")
        assert token
        site = httpx.get(
            f"http://127.0.0.1:{ports['FUNCTIONS_PORT']}/webchat/sites/demo",
            headers={"Origin": f"http://localhost:{demo_site_port}"},
        )
        assert site.status_code == 200 and site.json()["identity"]["enforced"] is True  # the seeded demo site
        assert all(port_open(p) for p in ports.values())
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0, log.read_text()
    time.sleep(1)
    still_open = [name for name, port in ports.items() if port_open(port)]
    assert still_open == [], f"left running: {still_open}\n{log.read_text()}"
