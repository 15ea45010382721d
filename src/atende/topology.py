"""Which functions exist, where their code lives, and which topic feeds which function.

One table used by the dev stack, the deployment build step and the tests that
hold Terraform to the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

from atende import topics


@dataclass(frozen=True)
class Function:
    target: str
    directory: str  # under functions/
    signature: str  # "http" or "cloudevent"


@dataclass(frozen=True)
class Consumer:
    """A push subscription delivering a topic to a CloudEvent function, with a dead-letter topic."""

    target: str
    topic: str

    @property
    def subscription(self) -> str:
        return f"{self.topic}-{self.target.replace('_', '-')}"

    @property
    def dead_letter_topic(self) -> str:
        return self.topic + topics.DEAD_LETTER_SUFFIX


FUNCTIONS: tuple[Function, ...] = (
    Function("webhook_whatsapp", "webhooks", "http"),
    Function("webhook_messenger", "webhooks", "http"),
    Function("webhook_instagram", "webhooks", "http"),
    Function("ai_reply", "ai_reply", "cloudevent"),
    Function("outbound", "outbound", "cloudevent"),
    Function("message_status", "outbound", "cloudevent"),
    Function("media_fetch", "outbound", "cloudevent"),
    Function("campaign_send", "outbound", "http"),  # target of the atende-campaigns Cloud Tasks queue
    Function("automation_tick", "automation", "cloudevent"),
    Function("crm_webhook", "automation", "cloudevent"),
    Function("dead_letters", "automation", "cloudevent"),
    Function("inbox_api", "inbox", "http"),
    Function("events", "events", "http"),
    Function("unsubscribe", "automation", "http"),
    Function("console_api", "console", "http"),
    Function("reports_api", "reports", "http"),
    Function("webchat", "webchat", "http"),
)

CONSUMERS: tuple[Consumer, ...] = (
    Consumer("ai_reply", topics.INBOUND),
    Consumer("outbound", topics.OUTBOUND),
    Consumer("message_status", topics.STATUS),
    Consumer("media_fetch", topics.MEDIA),
    Consumer("automation_tick", topics.AUTOMATION_TICK),
    Consumer("crm_webhook", topics.CRM),
)

# Every dead-letter topic is pushed to `dead_letters` (docs/reports.md, "Channel health"). These push
# subscriptions have no dead-letter topic of their own: Pub/Sub retries them for the week it keeps them.
DEAD_LETTERS = "dead_letters"
DEAD_LETTER_CONSUMERS: tuple[Consumer, ...] = tuple(
    Consumer(DEAD_LETTERS, c.dead_letter_topic) for c in CONSUMERS
)

# HTTP functions only Cloud Tasks calls (with the tasks-invoker's OIDC token): never public.
TASK_TARGETS: tuple[str, ...] = ("campaign_send",)

MAX_DELIVERY_ATTEMPTS = 5
