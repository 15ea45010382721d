"""The `atende` console script.

Each subcommand lives in its own module and registers itself through a
`register(subparsers)` function; they are imported lazily so that
`atende triage` does not pay for the dev stack's imports and vice versa.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module that defines `register(subparsers)`.
SUBCOMMANDS: dict[str, str] = {
    "dev": "atende.dev.cli",
    "send": "atende.dev.send",
    "doctor": "atende.dev.doctor",
    "build": "atende.dev.build",
    "deploy": "atende.dev.deploy_web",
    "triage": "atende.triage.cli",
    "users": "atende.users.cli",
    "tick": "atende.dev.tick",
    "campaign": "atende.campaigns.cli",
    "templates": "atende.campaigns.templates_cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="atende", description="Atende command line")
    subparsers = parser.add_subparsers(dest="command", required=True)
    wanted = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    for name, module in SUBCOMMANDS.items():
        if wanted is None or name == wanted:
            importlib.import_module(module).register(subparsers)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
