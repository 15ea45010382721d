"""`atende doctor`: check (and where possible install) what `make dev` and `make test` need.

Python packages come from the venv the Makefile builds; system tools come from
Debian when we are root; the Google emulators cannot, so we say exactly what
to run instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess

from atende.dev import prereqs

CHROMIUM = "/usr/bin/chromium"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check the tools the local stack and the tests need")
    parser.add_argument("--for", dest="purpose", choices=["dev", "test"], default="test")
    parser.add_argument("--install", action="store_true", help="apt-get install what Debian has (root only)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = prereqs.missing()
    if args.purpose == "test":
        if shutil.which("terraform") is None:
            problems.append(
                "terraform is missing (make test runs `terraform fmt -check`): install "
                "Terraform >= 1.5 from https://developer.hashicorp.com/terraform/install"
            )
        if not os.path.exists(CHROMIUM):
            if args.install and os.geteuid() == 0 and _apt_install("chromium"):
                print("installed chromium from Debian")
            else:
                problems.append("Debian's chromium is missing (browser tests): apt-get install -y chromium")
    for problem in problems:
        print(f"missing: {problem}")
    if not problems:
        print("all prerequisites present")
    return 1 if problems else 0


def _apt_install(package: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    return (
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], env=env
        ).returncode
        == 0
    )
