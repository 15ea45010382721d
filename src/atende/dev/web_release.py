"""What `atende deploy web` uploads: every built file of a web app with its Content-Type and Cache-Control,
in an order that never serves a page whose files are not there yet.

A file whose name carries its content hash never changes, so browsers and the CDN keep it for a year. The
entry points (the inbox's index.html, the widget's loader, whose URL is in every business's snippet) must
be seen fresh soon after a deploy, so they are uploaded last and cached briefly or revalidated. config.json
is Terraform's (it writes the deployment's values there), so a built copy is never uploaded over it.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SHORT = "public, max-age=300"
DEFAULT = "public, max-age=3600"
CONFIG = "config.json"

# Vite/Rollup's [hash]: 8 URL-safe characters before the extension, after a dash.
_HASHED = re.compile(r"-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")

# The types browsers are strict about (module scripts and stylesheets under nosniff), spelt out rather than
# left to the platform's mimetypes table.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class WebApp:
    """A built web app: its files under `dist`, the directory its hashed files are written to, and its
    entry points with their Cache-Control. `name` is also the Terraform output that names its bucket."""

    name: str
    dist: Path
    hashed_dir: str
    entry_points: dict[str, str]


@dataclass(frozen=True)
class Upload:
    name: str  # object name in the bucket: the path under dist, with forward slashes
    path: Path
    content_type: str
    cache_control: str


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def cache_control(app: WebApp, name: str) -> str:
    if name in app.entry_points:
        return app.entry_points[name]
    if name.startswith(f"{app.hashed_dir}/") and _HASHED.search(name):
        return IMMUTABLE
    return DEFAULT


def plan(app: WebApp) -> list[Upload]:
    """The uploads of one app, hashed files first and entry points last. Dotfiles (the build's stamp) and
    config.json stay behind."""
    if not app.dist.is_dir():
        raise FileNotFoundError(f"{app.dist} does not exist: build the web apps first (atende build --web)")
    names = sorted(
        path.relative_to(app.dist).as_posix()
        for path in app.dist.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(app.dist).parts)
    )
    missing = set(app.entry_points) - set(names)
    if missing:
        raise FileNotFoundError(f"{app.dist} has no {', '.join(sorted(missing))}: is the build complete?")
    uploads = [
        Upload(name, app.dist / name, content_type(name), cache_control(app, name))
        for name in names
        if name != CONFIG
    ]
    return sorted(uploads, key=lambda u: (u.name in app.entry_points, u.cache_control != IMMUTABLE))
