"""npm projects (firebase-tools, the inbox, the web-chat widget): `npm ci` and `npm run build` when needed.

A stamp beside each output records the hash of what produced it: `npm ci` runs again only when
package-lock.json changed, `npm run build` only when the project's sources did.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from atende.dev.paths import repo_root

PROJECTS = ("tools/firebase", "web/inbox", "web/widget")
SHARED = "web/shared"  # plain modules both web apps import (fresh-links.js): a change rebuilds both
NOT_SOURCES = {"node_modules", "dist"}
INSTALL_STAMP = ".atende-npm-ci"
BUILD_STAMP = ".atende-build"


class NodeBuildError(RuntimeError):
    pass


def _digest(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _sources(project: Path) -> list[Path]:
    return [
        p
        for p in project.rglob("*")
        if p.is_file() and not NOT_SOURCES.intersection(p.relative_to(project).parts)
    ]


def _fresh(stamp: Path, digest: str) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == digest


def _npm(project: Path, *args: str) -> None:
    done = subprocess.run(["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"], cwd=project)
    if done.returncode != 0:
        raise NodeBuildError(f"`npm {' '.join(args)}` failed in {project} (exit {done.returncode})")


def ensure(project: Path) -> list[str]:
    """Install and build one project if its stamps are stale; returns what was done, for the log."""
    done = []
    lock = project / "package-lock.json"
    if not lock.is_file():
        raise NodeBuildError(f"{project}/package-lock.json is missing: run `npm install` there and commit it")
    lock_digest = _digest([lock], project)
    install_stamp = project / "node_modules" / INSTALL_STAMP
    if not _fresh(install_stamp, lock_digest):
        _npm(project, "ci")
        install_stamp.parent.mkdir(exist_ok=True)  # a project without dependencies gets no node_modules
        install_stamp.write_text(lock_digest)
        done.append("npm ci")
    if "build" in json.loads((project / "package.json").read_text()).get("scripts", {}):
        build_digest = _digest(_sources(project), project)
        shared = project.parent.parent / SHARED
        if project.parent.name == "web" and shared.is_dir():
            build_digest += ":" + _digest(_sources(shared), shared)
        build_stamp = project / "dist" / BUILD_STAMP
        if not _fresh(build_stamp, build_digest):
            _npm(project, "run", "build")
            build_stamp.parent.mkdir(exist_ok=True)
            build_stamp.write_text(build_digest)
            done.append("npm run build")
    return done


def ensure_all(root: Path | None = None) -> list[str]:
    """Every npm project present; a missing one (e.g. web/inbox before it exists) is reported, not fatal."""
    root = root or repo_root()
    lines = []
    for name in PROJECTS:
        project = root / name
        if not (project / "package.json").is_file():
            lines.append(f"{name}: not in this checkout, skipped")
            continue
        done = ensure(project)
        lines.append(f"{name}: {', '.join(done) if done else 'up to date'}")
    return lines
