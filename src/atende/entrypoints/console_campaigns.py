"""`console_api`'s campaigns and templates (docs/campaigns.md): request bodies checked for shape, answers as
the console's pages read them (times in epoch milliseconds). Admins and supervisors; `console_http` checks
the role before any body is read, and `CampaignConsole` again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from pydantic import Field

from atende.domain.audience import ImportReport, Problem
from atende.domain.campaign import PERSONAL, Campaign, Send, TemplateChoice
from atende.domain.staff import Actor
from atende.domain.templates import BODY_MAX, BUTTONS_MAX, MessageTemplate, TemplateDraft
from atende.entrypoints.staff_http import Invalid, StrictBody, body, number_arg
from atende.services.campaign_console import CampaignConsole, Draft, Progress
from atende.services.campaigns import Sample


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


class TemplatePick(StrictBody):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=16)
    params: list[str] = Field(default_factory=list, max_length=20)
    personalised: int | None = Field(default=None, ge=1, le=20)  # 1-based, as `--personalise`


class AudienceFilter(StrictBody):
    labels: list[str] = Field(default_factory=list, max_length=30)
    persona: str | None = Field(default=None, max_length=32)


class CampaignPreview(StrictBody):
    """What the form's preview sends: the number, the template, the audience and the instruction."""

    accountId: str = Field(min_length=1, max_length=64)
    template: TemplatePick
    csv: str | None = None
    filter: AudienceFilter | None = None
    personalise: str | None = Field(default=None, max_length=500)  # how the engine writes the parameter


class NewCampaign(CampaignPreview):
    name: str = Field(min_length=1, max_length=120)
    scheduledAt: int | None = Field(default=None, ge=0)  # epoch ms; none: at once
    ratePerSecond: float | None = Field(default=None, gt=0, le=1000)
    start: bool = False


class Csv(StrictBody):
    csv: str = Field(max_length=8 * 1024 * 1024)


class SyncRequest(StrictBody):
    accountId: str | None = Field(default=None, max_length=64)


class NewTemplate(StrictBody):
    """Its shape only (400); Meta's rules are `TemplateDraft.problems`, answered per field (422)."""

    accountId: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(default="pt_BR", max_length=16)
    category: str = Field(max_length=20)
    body: str = Field(max_length=BODY_MAX * 2)
    examples: list[str] = Field(default_factory=list, max_length=50)
    header: str | None = Field(default=None, max_length=200)
    footer: str | None = Field(default=None, max_length=200)
    buttons: list[str] = Field(default_factory=list, max_length=BUTTONS_MAX * 2)


def template_json(t: MessageTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "accountId": t.account_id,
        "name": t.name,
        "language": t.language,
        "category": t.category,
        "status": t.status,
        "body": t.body,
        "params": t.param_count,
        "rejectedReason": t.rejected_reason,
        "syncedAt": _ms(t.synced_at),
    }


def campaign_json(c: Campaign) -> dict[str, Any]:
    personalised = c.template.personalised
    return {
        "id": c.id,
        "name": c.name,
        "accountId": c.account_id,
        "status": str(c.status),
        "template": {
            "name": c.template.name,
            "language": c.template.language,
            "params": list(c.template.params),
            "personalised": None if personalised is None else personalised + 1,
            "body": c.template.body,
        },
        "audience": dict(c.audience),
        "ratePerSecond": c.rate_per_second,
        "total": c.total,
        "createdBy": c.created_by,
        "scheduledAt": _ms(c.scheduled_at),
        "startedAt": _ms(c.started_at),
        "finishedAt": _ms(c.finished_at),
    }


def send_json(s: Send) -> dict[str, Any]:
    return {
        "contactId": s.contact_id,
        "phone": s.recipient.phone,
        "name": s.recipient.name,
        "seq": s.seq,
        "status": str(s.status),
        "reason": s.reason,
        "messageId": s.message_id,
        "repliedAt": _ms(s.replied_at),
        "personal": s.recipient.variables.get(PERSONAL),  # the parameter the engine wrote, once sent
    }


def sample_json(s: Sample) -> dict[str, Any]:
    return {"phone": s.recipient.phone, "name": s.recipient.name, "personal": s.personal, "text": s.text}


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "line": p.line,
        "value": p.value,
        "reason": "duplicate" if p.duplicate_of is not None else "invalid",
        "duplicateOf": p.duplicate_of,
    }


def report_json(r: ImportReport) -> dict[str, Any]:
    problems = sorted([*r.invalid, *r.duplicates], key=lambda p: p.line)
    return {"summary": r.summary, "problems": [_problem(p) for p in problems]}


def progress_json(p: Progress) -> dict[str, Any]:
    return {
        "campaign": campaign_json(p.campaign),
        "counts": dict(p.counts),
        "done": p.done,
        "percent": round(p.share * 100, 1),
        "perSecond": round(p.per_second, 2),
    }


def _create_template(c: CampaignConsole, a: Actor, r: flask.Request) -> Any:
    b: NewTemplate = body(NewTemplate, r)
    draft = TemplateDraft.from_dict(b.model_dump(exclude={"accountId"}))
    return {"template": template_json(c.request_creation(a, b.accountId, draft))}


def _draft(b: CampaignPreview, **more: Any) -> Draft:
    if (b.csv is None) == (b.filter is None):
        raise Invalid("Informe o público: um arquivo CSV ou filtros de contatos")
    t = b.template
    return Draft(
        account_id=b.accountId,
        template=TemplateChoice(
            t.name, t.language, tuple(t.params), None if t.personalised is None else t.personalised - 1
        ),
        csv=b.csv,
        where=None if b.filter is None else {"labels": b.filter.labels, "persona": b.filter.persona},
        personalise=b.personalise if t.personalised is not None else None,
        **more,
    )


def _create(c: CampaignConsole, a: Actor, r: flask.Request) -> Any:
    b: NewCampaign = body(NewCampaign, r)
    draft = _draft(
        b,
        name=b.name,
        scheduled_at=None if b.scheduledAt is None else b.scheduledAt / 1000,
        rate_per_second=b.ratePerSecond,
    )
    campaign, report = c.create(a, draft, start=b.start)
    return {"campaign": campaign_json(campaign), "audience": report_json(report) if report else None}


def _preview(c: CampaignConsole, a: Actor, r: flask.Request) -> Any:
    return {"samples": [sample_json(s) for s in c.preview(a, _draft(body(CampaignPreview, r)))]}


def _sends(c: CampaignConsole, a: Actor, r: flask.Request, campaign_id: str) -> Any:
    page, following = c.recipients(
        a,
        campaign_id,
        r.args.get("status") or None,
        number_arg(r, "cursor", int),
        number_arg(r, "pageSize", int),
    )
    return {"items": [send_json(s) for s in page], "next": following}


def _list(c: CampaignConsole, a: Actor, r: flask.Request) -> Any:
    found = c.list(a)
    return {
        "campaigns": [
            {**campaign_json(x), "done": n, "percent": round(100 * n / x.total, 1) if x.total else 100.0}
            for x, n in found
        ]
    }


CampaignHandler = Callable[..., Any]
ACCEPTED = {"POST /templates"}  # 202: Meta reviews the template later
CAMPAIGN_ROUTES: dict[str, CampaignHandler] = {
    "GET /templates": lambda c, a, r: {
        "templates": [template_json(t) for t in c.templates(a, r.args.get("accountId") or None)]
    },
    "POST /templates": _create_template,
    "POST /templates/sync": lambda c, a, r: {
        "requestedAt": _ms(c.request_sync(a, body(SyncRequest, r).accountId))
    },
    "GET /campaigns": _list,
    "POST /campaigns": _create,
    "POST /campaigns/preview": _preview,
    "POST /campaigns/audience": lambda c, a, r: report_json(c.check_audience(a, body(Csv, r).csv)),
    "GET /campaigns/<campaign_id>": lambda c, a, r, campaign_id: progress_json(c.progress(a, campaign_id)),
    "GET /campaigns/<campaign_id>/sends": _sends,
    "POST /campaigns/<campaign_id>/<action>": lambda c, a, r, campaign_id, action: {
        "campaign": campaign_json(c.move(a, campaign_id, action))
    },
}
