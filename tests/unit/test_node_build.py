"""npm projects are installed and built again only when their lockfile or their sources changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from atende.dev.node_build import NodeBuildError, ensure, ensure_all

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")

BUILD = "node -e \"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/index.html',require('fs').readFileSync('src/app.js'))\""  # noqa: E501


def project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text("v1")
    (root / "package.json").write_text(
        json.dumps({"name": "p", "version": "1.0.0", "scripts": {"build": BUILD}})
    )
    lock = {
        "name": "p",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "p", "version": "1.0.0"}},
    }
    (root / "package-lock.json").write_text(json.dumps(lock))
    return root


def test_only_what_changed_runs_again(tmp_path: Path):
    p = project(tmp_path / "inbox")
    assert ensure(p) == ["npm ci", "npm run build"]
    assert ensure(p) == []

    (p / "src" / "app.js").write_text("v2")
    assert ensure(p) == ["npm run build"]
    assert (p / "dist" / "index.html").read_text() == "v2"

    lock = json.loads((p / "package-lock.json").read_text())
    (p / "package-lock.json").write_text(json.dumps(lock, indent=2))
    assert ensure(p) == ["npm ci", "npm run build"]  # the lockfile is a source of the build too


def test_a_project_without_its_lockfile_is_an_error_and_an_absent_one_is_skipped(tmp_path: Path):
    p = project(tmp_path / "tools" / "firebase")
    (p / "package-lock.json").unlink()
    with pytest.raises(NodeBuildError, match=r"package-lock\.json is missing"):
        ensure(p)
    (p / "package.json").unlink()
    assert ensure_all(tmp_path) == [
        "tools/firebase: not in this checkout, skipped",
        "web/inbox: not in this checkout, skipped",
        "web/widget: not in this checkout, skipped",
    ]


def test_a_web_app_builds_again_when_a_module_it_shares_with_the_other_changes(tmp_path: Path):
    app = project(tmp_path / "web" / "widget")
    shared = tmp_path / "web" / "shared"
    shared.mkdir()
    (shared / "fresh-links.js").write_text("export const BATCH = 50;")
    assert ensure(app) == ["npm ci", "npm run build"]
    assert ensure(app) == []
    (shared / "fresh-links.js").write_text("export const BATCH = 40;")
    assert ensure(app) == ["npm run build"]
