"""The Firebase Auth emulator (npm firebase-tools, `tools/firebase`), offline, as a child of the stack.

firebase-tools writes a debug log into its working directory, its settings under XDG_CONFIG_HOME and the
emulator hub's locator file under TMPDIR: all three point into the stack's state folder, so nothing lands
in the user's home and two stacks (make dev and the tests) never share a hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from atende.dev.paths import repo_root
from atende.dev.processes import Child, free_port

TOOLS = repo_root() / "tools" / "firebase"


def firebase_bin() -> Path:
    return TOOLS / "node_modules" / ".bin" / "firebase"


def launch(project: str, host: str, port: int, state: Path, env: dict[str, str]) -> Child:
    """Start `firebase emulators:start --only auth`; the caller waits for it beside the other emulators."""
    home = state / "firebase"
    for sub in ("config", "cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    settings = {
        "emulators": {
            "auth": {"host": host, "port": port},
            # The hub and the logging endpoint are internal; free ports keep parallel stacks apart.
            "hub": {"host": host, "port": free_port()},
            "logging": {"host": host, "port": free_port()},
            "ui": {"enabled": False},
        }
    }
    (home / "firebase.json").write_text(json.dumps(settings, indent=2))
    child_env = {
        **env,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TMPDIR": str(home / "tmp"),
        "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "true",
    }
    return Child(
        "auth-emulator",
        [str(firebase_bin()), "emulators:start", "--only", "auth", "--project", project],
        child_env,
        state / "logs" / "auth.log",
        cwd=home,
    )


def sign_in(auth_url: str, email: str, password: str) -> str:
    """An ID token from the emulator (REST signInWithPassword), as the inbox's JS SDK would get it."""
    response = httpx.post(
        f"{auth_url}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword",
        params={"key": "demo-api-key"},
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["idToken"]


def sign_in_with_custom_token(auth_url: str, custom_token: str) -> str:
    """An ID token for a custom token (REST signInWithCustomToken), as the widget's JS SDK would get it."""
    response = httpx.post(
        f"{auth_url}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken",
        params={"key": "demo-api-key"},
        json={"token": custom_token, "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["idToken"]
