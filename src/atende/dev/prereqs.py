"""Check for the Google emulators, Java, Node and firebase-tools, and say how to install what is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from atende.dev import auth_emulator

APT_HINT = (
    "apt-get install -y google-cloud-cli google-cloud-cli-firestore-emulator "
    "google-cloud-cli-pubsub-emulator openjdk-17-jre-headless"
)
GCLOUD_HINT = "gcloud components install cloud-firestore-emulator pubsub-emulator beta"


def missing() -> list[str]:
    """Human-readable problems; empty when the stack can start."""
    problems: list[str] = []
    if shutil.which("java") is None:
        problems.append("Java (17+) is missing. Install it: apt-get install -y openjdk-17-jre-headless")
    problems += node_missing()
    if not auth_emulator.firebase_bin().exists():
        problems.append(
            "firebase-tools (the Auth emulator) is not installed: run `make dev` or "
            "`.venv/bin/atende build --web` (npm ci in tools/firebase)"
        )
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return [*problems, f"gcloud is missing. Install the Google Cloud CLI with its emulators: {APT_HINT}"]
    sdk = _sdk_root(gcloud)
    hint = APT_HINT if _from_apt() else GCLOUD_HINT
    for component in ("cloud-firestore-emulator", "pubsub-emulator"):
        if sdk is None or not (sdk / "platform" / component).is_dir():
            problems.append(f"the gcloud component {component} is missing. Install it: {hint}")
    return problems


def node_missing() -> list[str]:
    """Node 20+ and npm build the inbox and run firebase-tools."""
    hint = "install Node.js 20 or newer with npm (https://nodejs.org, or apt-get install -y nodejs npm)"
    if shutil.which("node") is None or shutil.which("npm") is None:
        return [f"Node.js or npm is missing: {hint}"]
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    return [] if major >= 20 else [f"Node.js {version or '?'} is too old: {hint}"]


def _sdk_root(gcloud: str) -> Path | None:
    root = Path(gcloud).resolve().parent.parent
    return root if (root / "platform").is_dir() else None


def _from_apt() -> bool:
    try:
        return subprocess.run(["dpkg", "-s", "google-cloud-cli"], capture_output=True).returncode == 0
    except OSError:
        return False
