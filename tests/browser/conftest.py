"""Headless Debian Chromium driven by Playwright (never `playwright install`: nothing downloads)."""

from __future__ import annotations

import os
import shutil

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def inbox_built(stack):
    page = httpx.get(f"{stack.inbox_url}/", timeout=10)
    if page.status_code != 200:
        if os.environ.get("CI"):
            pytest.fail("web/inbox is not built: `make test` builds it (atende build --web)")
        pytest.skip("web/inbox is not built: run `.venv/bin/atende build --web`")
