"""`atende build`: stage each function directory for deployment, and build the npm projects.

Cloud Functions deploys a folder: its main.py, the shared `atende` package
beside it, and a requirements.txt. Terraform zips build/functions/<dir>/.
Development-only code (the dev stack, training data) is left out.
`--web` only installs and builds the npm projects (firebase-tools, web/inbox, web/widget); `make dev` and
`make test` run it, and it does nothing when the stamps say nothing changed.
"""

from __future__ import annotations

import argparse
import shutil
import tomllib
from pathlib import Path

from atende.dev import node_build, prereqs
from atende.dev.paths import repo_root
from atende.topology import FUNCTIONS

_NEVER_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "dev")


def excluded(directory: str, names: list[str]) -> set[str]:
    """Dev-only code, and the triage model's training and evaluation sets (`triage/data`); the flows'
    own data (`flows/data`, the repo's flows) ships: the local engine answers with it."""
    ignored = set(_NEVER_SHIPPED(directory, names))
    if Path(directory).name == "triage" and "data" in names:
        ignored.add("data")
    return ignored


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("build", help="stage each function for deployment under build/functions/")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--web", action="store_true", help="only npm ci / npm run build where needed")
    parser.set_defaults(func=run)


def stage(out: Path) -> list[Path]:
    root = repo_root()
    requirements = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    staged = []
    for directory in sorted({f.directory for f in FUNCTIONS}):
        target = out / directory
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copy2(root / "functions" / directory / "main.py", target / "main.py")
        shutil.copytree(root / "src" / "atende", target / "atende", ignore=excluded)
        (target / "requirements.txt").write_text("\n".join(requirements) + "\n")
        staged.append(target)
    return staged


def build_web() -> int:
    problems = prereqs.node_missing()
    if problems:
        print(f"error: {problems[0]}")
        return 1
    try:
        for line in node_build.ensure_all():
            print(line, flush=True)
    except node_build.NodeBuildError as exc:
        print(f"error: {exc}")
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    code = build_web()
    if args.web or code != 0:
        return code
    for path in stage(args.out or repo_root() / "build" / "functions"):
        print(f"staged {path}")
    return 0
