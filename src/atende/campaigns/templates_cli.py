"""`atende templates sync|list|create|preview`: templates of the WABA's `message_templates` edge."""

from __future__ import annotations

import argparse
import sys

from atende.domain.templates import CATEGORIES, LANGUAGES, CatalogFailed, TemplateDraft, TemplateInvalid


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("templates", help="WhatsApp templates: sync, list, create, preview")
    commands = parser.add_subparsers(dest="action", required=True)
    sync = commands.add_parser("sync", help="copy Meta's templates of every WhatsApp number into Firestore")
    sync.add_argument("--account", help="only this number (phone_number_id)")
    sync.set_defaults(func=_sync)
    listing = commands.add_parser("list", help="the templates Atende knows, per number")
    listing.add_argument("--account")
    listing.set_defaults(func=_list)
    create = commands.add_parser("create", help="submit a new template to Meta for review")
    create.add_argument("--account", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--language", default="pt_BR", choices=LANGUAGES)
    create.add_argument("--category", default="MARKETING", choices=CATEGORIES)
    create.add_argument("--body", required=True, help="the text, with {{1}}, {{2}}… for parameters")
    create.add_argument("--example", action="append", default=[], help="an example for each parameter")
    create.add_argument("--header", help="a short text above the body")
    create.add_argument("--footer", help="a short text below the body")
    create.add_argument("--button", action="append", default=[], help="a quick-reply button (up to 3)")
    create.set_defaults(func=_create)
    preview = commands.add_parser("preview", help="the body as a customer will read it")
    preview.add_argument("--account", required=True)
    preview.add_argument("--name", required=True)
    preview.add_argument("--language", default="pt_BR")
    preview.add_argument("--param", action="append", default=[])
    preview.set_defaults(func=_preview)


def _sync(args: argparse.Namespace) -> int:
    from atende import wiring

    return _run(lambda: _print_sync(wiring.template_service().sync(args.account)))


def _print_sync(report: dict[str, dict[str, int]]) -> None:
    for account, counts in report.items():
        print(f"{account}: {counts['templates']} modelos, {counts['deleted']} removidos pela Meta")


def _list(args: argparse.Namespace) -> int:
    from atende import wiring

    for t in wiring.template_service().list(args.account):
        columns = f"{t.name:<28} {t.language:<6} {t.category:<14} {t.status:<9}"
        print(f"{t.account_id}  {columns} {t.param_count} parâm.")
    return 0


def _create(args: argparse.Namespace) -> int:
    from atende import wiring

    def create() -> None:
        draft = TemplateDraft(
            name=args.name,
            language=args.language,
            category=args.category,
            body=args.body,
            examples=tuple(args.example),
            header=args.header,
            footer=args.footer,
            buttons=tuple(args.button),
        )
        t = wiring.template_service().create(args.account, draft)
        print(f"{t.name} ({t.language}): {t.status}")

    return _run(create)


def _preview(args: argparse.Namespace) -> int:
    from atende import wiring

    return _run(
        lambda: print(wiring.template_service().preview(args.account, args.name, args.language, args.param))
    )


def _run(action) -> int:  # type: ignore[no-untyped-def]
    try:
        action()
    except (TemplateInvalid, CatalogFailed) as refused:
        print(f"erro: {refused}", file=sys.stderr)
        return 1
    return 0
