"""`atende campaign create|start|pause|resume|cancel|status|list`, against Firestore and the campaign queue.

Locally, with the dev stack's variables exported (FIRESTORE_EMULATOR_HOST, CLOUD_TASKS_BASE_URL…);
in production, with Application Default Credentials and the queue's variables (README).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from atende.campaigns.progress import line
from atende.domain.audience import read_csv
from atende.domain.campaign import CampaignStatus, TemplateChoice, pending
from atende.domain.errors import WorkflowRefused
from atende.domain.templates import TemplateInvalid


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaign", help="campaigns: WhatsApp templates sent at the number's rate")
    commands = parser.add_subparsers(dest="action", required=True)

    create = commands.add_parser("create", help="a draft with its audience (a CSV file, or contact filters)")
    create.add_argument("--name", required=True)
    create.add_argument("--account", required=True, help="the WhatsApp number (phone_number_id)")
    create.add_argument("--template", required=True)
    create.add_argument("--language", default="pt_BR")
    create.add_argument("--param", action="append", default=[], help="each body parameter, in order")
    create.add_argument("--personalise", type=int, help="1-based parameter written per recipient")
    create.add_argument("--instruction", default="{{ first_name }}", help="how the local engine writes it")
    audience = create.add_mutually_exclusive_group(required=True)
    audience.add_argument("--csv", type=Path, help="a CSV with a phone column (phone, telefone, celular…)")
    audience.add_argument("--label", action="append", help="contacts with any of these labels")
    audience.add_argument("--persona", help="contacts of this persona")
    create.add_argument("--rate", type=float, help="messages/s (default: the number's tier, else 80)")
    create.add_argument("--at", help="schedule, ISO with offset: 2026-12-01T09:00-03:00")
    create.add_argument("--by", default="cli")
    create.add_argument("--start", action="store_true", help="start it at once")
    create.set_defaults(func=_create)

    for action in ("start", "pause", "resume", "cancel"):
        sub = commands.add_parser(action, help=f"{action} a campaign")
        sub.add_argument("campaign")
        sub.set_defaults(func=_move)
    status = commands.add_parser("status", help="progress, once or --watch until it ends")
    status.add_argument("campaign")
    status.add_argument("--watch", action="store_true")
    status.add_argument("--every", type=float, default=1.0)
    status.set_defaults(func=_status)
    listing = commands.add_parser("list", help="the latest campaigns")
    listing.set_defaults(func=_list)


def _create(args: argparse.Namespace) -> int:
    from atende import wiring
    from atende.services.campaigns import Audience

    if args.csv:
        report = read_csv(args.csv.read_text(encoding="utf-8-sig"))
        print(
            "CSV: {rows} linhas, {valid} válidas, {invalid} inválidas, {duplicates} duplicadas".format(
                **report.summary
            )
        )
        for problem in [*report.invalid, *report.duplicates]:
            reason = "inválido" if problem.reason == "invalid" else problem.reason.replace(
                "duplicate of line", "repetido da linha"
            )
            print(f"  linha {problem.line}: {problem.value!r} {reason}")
        audience = Audience(csv=report)
    else:
        audience = Audience(where={"labels": args.label or [], "persona": args.persona})
    personalised = args.personalise - 1 if args.personalise else None
    try:
        campaign = wiring.campaign_service().create(
            name=args.name,
            account_id=args.account,
            template=TemplateChoice(args.template, args.language, tuple(args.param), personalised),
            audience=audience,
            created_by=args.by,
            rate_per_second=args.rate,
            scheduled_at=datetime.fromisoformat(args.at).timestamp() if args.at else None,
            personalise=args.instruction if personalised is not None else None,
        )
        print(f"campanha {campaign.id}: {campaign.total} destinatários, {campaign.rate_per_second:g}/s")
        if args.start:
            wiring.campaign_service().start(campaign.id)
            print("iniciada")
    except (WorkflowRefused, TemplateInvalid, ValueError) as refused:
        print(f"erro: {refused}", file=sys.stderr)
        return 1
    return 0


def _move(args: argparse.Namespace) -> int:
    from atende import wiring

    try:
        campaign = getattr(wiring.campaign_service(), args.action)(args.campaign)
    except WorkflowRefused as refused:
        print(f"erro: {refused}", file=sys.stderr)
        return 1
    print(f"campanha {campaign.id}: {campaign.status}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from atende import wiring

    service = wiring.campaign_service()
    before: tuple[float, int] | None = None
    while True:
        campaign, counts = service.progress(args.campaign)
        done, now = campaign.total - pending(counts), time.monotonic()
        rate = (done - before[1]) / (now - before[0]) if before and now > before[0] else None
        before = (now, done)
        sys.stdout.write("\r" + line(campaign.total, counts, rate, str(campaign.status)))
        sys.stdout.flush()
        over = campaign.status in (CampaignStatus.FINISHED, CampaignStatus.CANCELLED) or pending(counts) == 0
        if not args.watch or (over and campaign.status != CampaignStatus.RUNNING):
            break
        time.sleep(args.every)
    print()
    return 0


def _list(args: argparse.Namespace) -> int:
    from atende import wiring

    for campaign in wiring.campaign_store().all(50):
        print(f"{campaign.id}  {campaign.status:<9}  {campaign.total:>6}  {campaign.name}")
    return 0
