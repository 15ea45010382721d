"""A campaign at a set rate through the local Cloud Tasks stand-in, with the dispatcher killed midway.

    .venv/bin/python bench/bench_campaign.py [--recipients 10000] [--rate 50] [--crash-at 0.5]

Its own stack on free ports (emulators, functions under gunicorn, Graph and Cloud
Tasks stand-ins, exactly as `make dev`). A campaign of `--recipients` new
customers (a CSV import) goes out at `--rate` messages/s; once `--crash-at` of
them reached the Graph stand-in, the Cloud Tasks stand-in is SIGKILLed (every
task it still held is lost), started again, and the campaign resumed. The run
waits until every send has ended, then prints the rate measured from the Graph
stand-in's receive times (least squares over each phase, the first 5 sends of
the run left out: they also build each worker's clients) and how many
recipients got the message twice or never.

Targets (issue 12): measured rate within ±5 % of the set rate, zero duplicates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from google.cloud import firestore

from atende.adapters.channel_store import configs_from_env
from atende.adapters.cloud_tasks import CloudTasksQueue
from atende.adapters.firestore.campaigns import FirestoreCampaignStore
from atende.adapters.firestore.templates import FirestoreTemplateStore
from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.channels.meta.graph import GraphClient
from atende.channels.meta.templates import MetaTemplates
from atende.dev.polling import wait_until
from atende.dev.stack import Stack, StackConfig
from atende.domain.audience import read_csv
from atende.domain.campaign import TemplateChoice, pending
from atende.domain.channels import ChannelRegistry
from atende.services.campaigns import Audience, CampaignService
from atende.services.templates import TemplateService

ACCOUNT = "106540352242922"
OFFER = TemplateChoice("oferta_fibra", "pt_BR", ("cliente", "Fibra 500 Mega por R$ 99,90."))
TOLERANCE = 0.05


def rate_of(times: list[float]) -> float:
    if len(times) < 3:
        return float("nan")
    return 1 / statistics.linear_regression(range(len(times)), times).slope


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--crash-at", type=float, default=0.5, help="share sent before the kill")
    args = parser.parse_args()

    config = StackConfig.on_free_ports("demo-atende-bench-campaign", sweep_interval_s=10)
    os.environ.pop("GRAPH_API_BASE_URL", None)
    with Stack(config) as stack:
        assert stack.graph is not None
        db = firestore.Client(project=config.project)
        env = stack.env
        registry = ChannelRegistry(configs_from_env({"ATENDE_CHANNELS_FILE": env["ATENDE_CHANNELS_FILE"]}))
        catalog = MetaTemplates(GraphClient(stack.graph_url, "v25.0"), lambda channel, account: "bench")
        TemplateService(catalog, FirestoreTemplateStore(db), lambda: registry).sync()
        queue = CloudTasksQueue(
            env["CLOUD_TASKS_QUEUE"], env["CAMPAIGN_SEND_URL"], None, env["CLOUD_TASKS_BASE_URL"]
        )
        service = CampaignService(
            uow=lambda: FirestoreUnitOfWork(db),
            store=FirestoreCampaignStore(db),
            queue=queue,
            outbound=lambda: None,
            channels=lambda: registry,
        )
        with ThreadPoolExecutor(8) as pool:  # build campaign_send's service in every worker first
            check = {"campaignId": "-", "finish": "1"}
            list(pool.map(lambda _: httpx.post(env["CAMPAIGN_SEND_URL"], json=check, timeout=60), range(8)))

        prefix = "55119" + str(uuid.uuid4().int)[:3]
        phones = [f"{prefix}{i:05d}" for i in range(args.recipients)]
        wanted = {f"+{p}" for p in phones}
        created = time.monotonic()
        campaign = service.create(
            name="bench",
            account_id=ACCOUNT,
            template=OFFER,
            audience=Audience(csv=read_csv("telefone\n" + "\n".join(f"+{p}" for p in phones) + "\n")),
            created_by="bench",
            rate_per_second=args.rate,
        )
        create_s = time.monotonic() - created
        started = time.monotonic()
        service.start(campaign.id)
        enqueue_s = time.monotonic() - started

        def ours() -> list[dict]:
            return [s for s in list(stack.graph.sent) if s["body"].get("to") in wanted]

        crash_after = int(args.recipients * args.crash_at)
        wait_until(lambda: len(ours()) >= crash_after, what="the first part", timeout_s=args.recipients * 2)
        stack.kill_tasks()
        before = sorted(s["at"] for s in ours())
        stack.start_tasks()
        resumed = time.monotonic()
        service.resume(campaign.id)
        resume_s = time.monotonic() - resumed
        counts = wait_until(
            lambda: (lambda c: c if pending(c) == 0 else None)(service.progress(campaign.id)[1]),
            what="every send to end",
            timeout_s=args.recipients * 2,
            interval_s=1.0,
        )
        sent = ours()
        per_phone = Counter(s["body"]["to"] for s in sent)
        after = sorted(s["at"] for s in sent)[len(before) :]
        duplicates = sum(n - 1 for n in per_phone.values() if n > 1)
        missing = len(wanted) - len(per_phone)
        rate_before, rate_after = rate_of(before[5:]), rate_of(after)
        whole = rate_of(sorted(s["at"] for s in sent)[5:])

    pass_before, pass_after = _within(rate_before, args.rate), _within(rate_after, args.rate)
    outcome = f"{counts.get('sent', 0)} / {counts.get('failed', 0)} / {counts.get('skipped', 0)}"
    clean = duplicates == missing == 0
    rows = [
        ("recipients (CSV import)", f"{args.recipients:,}", ""),
        ("set rate", f"{args.rate:g}/s", ""),
        ("create: CSV parsed, send records written", f"{create_s:.1f} s", ""),
        ("start: tasks created", f"{enqueue_s:.1f} s", ""),
        (f"measured rate before the kill ({len(before):,} sends)", f"{rate_before:.1f}/s", pass_before),
        ("resume: tasks created again for what was queued", f"{resume_s:.1f} s", ""),
        (f"measured rate after the resume ({len(after):,} sends)", f"{rate_after:.1f}/s", pass_after),
        ("measured rate, whole run (crash gap included)", f"{whole:.1f}/s", ""),
        ("sent / failed / skipped (counts)", outcome, ""),
        ("duplicates / never sent", f"{duplicates} / {missing}", "PASS" if clean else "FAIL"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n| {'measure':<{width}} | figure | target ±{TOLERANCE:.0%} |")
    print(f"| {'-' * width} | --- | --- |")
    for name, figure, verdict in rows:
        print(f"| {name:<{width}} | {figure} | {verdict} |")
    return 0 if clean and pass_before == pass_after == "PASS" else 1


def _within(measured: float, target: float) -> str:
    return "PASS" if abs(measured - target) <= target * TOLERANCE else "FAIL"


if __name__ == "__main__":
    sys.exit(main())
