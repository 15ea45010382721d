"""Flask ⇄ the campaign service, for `campaign_send`: the HTTP target of every `atende-campaigns` task.

Cloud Tasks retries any non-2xx answer with the queue's backoff, so the answer
says what another attempt could cure: a recipient written to less than 6 s ago
(429, with `Retry-After`), a failure of Firestore or the network (5xx, raised).
Everything the campaign decided (sent, waiting for a resume, skipped, done
before) is a 200: the task is finished. The queue also carries the console's
requests to sync Meta's template catalog (`templatesSync`: a number, or `*`)
and to submit a template (`templateCreate`), because this function holds the
numbers' tokens and the console does not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import flask

from atende.domain.campaign import RECIPIENT_GAP_S
from atende.domain.templates import CatalogFailed, TemplateDraft, TemplateInvalid
from atende.services.campaign_console import CREATE_TASK, SYNC_TASK
from atende.services.campaigns import CampaignService
from atende.services.templates import TemplateService

log = logging.getLogger(__name__)


def handle(
    request: flask.Request,
    service: Callable[[], CampaignService],
    templates: Callable[[], TemplateService] | None = None,
) -> flask.Response:
    try:
        task = json.loads(request.get_data() or b"{}")
        if isinstance(task, dict) and task.get(SYNC_TASK) and templates is not None:
            return _sync(templates(), str(task[SYNC_TASK]))
        if isinstance(task, dict) and isinstance(task.get(CREATE_TASK), dict) and templates is not None:
            return _create(templates(), task[CREATE_TASK])
        campaign_id = str(task["campaignId"])
        contact_id = str(task.get("contactId") or "")
    except (ValueError, KeyError, TypeError) as exc:
        log.error("campaign task refused: %s", exc)  # never retried: it can never succeed
        return _json({"result": "rejected", "reason": str(exc)}, 200)
    if task.get("finish"):
        return _json({"result": "finished" if service().check_finished(campaign_id) else "pending"})
    result = service().dispatch(campaign_id, contact_id)
    if result == "too_soon":
        return _json({"result": result}, 429, {"Retry-After": str(int(RECIPIENT_GAP_S))})
    return _json({"result": result})


def _sync(templates: TemplateService, scope: str) -> flask.Response:
    """A refused sync (no WABA configured, Meta's error) is logged and not retried: the admin asks again."""
    try:
        report = templates.sync(None if scope == "*" else scope)
    except (TemplateInvalid, CatalogFailed) as refused:
        log.error("template sync %s refused: %s", scope, refused)
        return _json({"result": "refused", "reason": str(refused)})
    log.info("template sync %s: %s", scope, report)
    return _json({"result": "synced"})


def _create(templates: TemplateService, request: dict[str, object]) -> flask.Response:
    """Meta's refusal (a name taken, a rule not checked here) stays on the template as REJECTED; no retry."""
    account_id = str(request["accountId"])
    draft = TemplateDraft.from_dict(request["draft"])  # type: ignore[arg-type]
    try:
        created = templates.create(account_id, draft)
    except (TemplateInvalid, CatalogFailed) as refused:
        log.error("template %s of %s refused: %s", draft.name, account_id, refused)
        return _json({"result": "refused", "reason": str(refused)})
    log.info("template %s submitted to Meta: %s", created.id, created.status)
    return _json({"result": "created"})


def _json(data: dict[str, str], status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    return flask.Response(json.dumps(data), status=status, headers=headers, content_type="application/json")
