"""Composition root: builds each function's service once per instance.

Imports happen inside the builders so that a function pays only for what it
uses: the webhook functions never load Firestore or google-genai.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from atende.config import Settings

if TYPE_CHECKING:
    from google.cloud import firestore

    from atende.adapters.channel_store import CachedRegistry, TokenProvider
    from atende.adapters.firebase_auth import FirebaseIdentity
    from atende.adapters.pubsub import PubSubPublisher
    from atende.channels.meta.adapter import MetaChannels
    from atende.channels.parsing import ParseResult
    from atende.entrypoints.reports_http import ReportServices
    from atende.erp.demo import DemoErp
    from atende.erp.port import Erp
    from atende.services.campaign_console import CampaignConsole
    from atende.services.campaigns import CampaignService, CampaignStore, Personaliser, TaskQueue
    from atende.services.channel_ports import ChannelSender
    from atende.services.contacts import ContactService
    from atende.services.crm import CrmWebhook
    from atende.services.dead_letter_console import DeadLetterConsole
    from atende.services.deliveries import Deliveries
    from atende.services.distribution import Distribution
    from atende.services.entities import EntityIntake
    from atende.services.followups import EntitySource, Followups, Mailer
    from atende.services.idle_close import IdleCloser
    from atende.services.inbound import InboundService
    from atende.services.inbox import InboxService
    from atende.services.media import MediaService, MediaStore
    from atende.services.outbound import OutboundService
    from atende.services.settings.channels import SecretStore
    from atende.services.settings.console import Console
    from atende.services.status import StatusService
    from atende.services.sweeper import SendSweeper
    from atende.services.templates import TemplateService
    from atende.services.unit_of_work import UnitOfWork
    from atende.services.unsubscribe import UnsubscribeLinks
    from atende.services.webchat import WebChatService
    from atende.services.webhook import WebhookReceiver


@cache
def settings() -> Settings:
    return Settings.from_env()


@cache
def publisher() -> PubSubPublisher:
    from atende.adapters.pubsub import PubSubPublisher

    return PubSubPublisher(settings().project)


def unit_of_work() -> UnitOfWork:
    from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork

    return FirestoreUnitOfWork(firestore_client())


@cache
def deliveries() -> Deliveries:
    from atende.services.deliveries import Deliveries

    return Deliveries(unit_of_work)


@cache
def firestore_client() -> firestore.Client:
    from google.cloud import firestore

    return firestore.Client(project=settings().project)


@cache
def channel_registry() -> CachedRegistry:
    """Channel configurations: the ATENDE_CHANNELS JSON, overridden by Firestore `channels/` docs."""
    import os

    from atende.adapters.channel_store import CachedRegistry, configs_from_env, configs_from_firestore

    client = firestore_client()
    return CachedRegistry(lambda: configs_from_env(os.environ), lambda: configs_from_firestore(client))


def _receiver(channel: str, parse: Callable[[Any], ParseResult]) -> WebhookReceiver:
    from atende.services.webhook import WebhookReceiver

    s = settings()
    s.require_secrets(f"webhook_{channel}", "meta_app_secret", "meta_verify_token")
    return WebhookReceiver(channel, parse, publisher(), s.meta_app_secret, s.meta_verify_token)


@cache
def whatsapp_receiver() -> WebhookReceiver:
    from atende.channels.whatsapp.webhook import parse

    return _receiver("whatsapp", parse)


@cache
def messenger_receiver() -> WebhookReceiver:
    from atende.channels.messenger.webhook import parse

    return _receiver("messenger", parse)


@cache
def instagram_receiver() -> WebhookReceiver:
    from atende.channels.instagram.webhook import parse

    return _receiver("instagram", parse)


@cache
def inbound_service() -> InboundService:
    from atende.adapters.firestore_config import FirestoreConfigSource
    from atende.engines.select import engine_from_settings
    from atende.services.attendant_config import AttendantConfig
    from atende.services.inbound import InboundService

    s = settings()
    config = AttendantConfig(FirestoreConfigSource(firestore_client()), s.config_ttl_s)
    return InboundService(
        uow=unit_of_work,
        engine=engine_from_settings(s, config.flows),
        outbound=publisher(),
        config=config,
        erp=erp(),
        channels=channel_registry().current,
        crm=crm_events(),
    )


def crm_events() -> PubSubPublisher | None:
    """Events for the CRM webhook are published only when one is configured (`CRM_EVENTS=1`, set by
    Terraform with `crm_webhook_url`): otherwise they would cost a publish and a push for nothing."""
    import os

    return publisher() if os.environ.get("CRM_EVENTS") == "1" else None


def erp() -> Erp:
    """A REST ERP through its mapping file when configured, else the demo ERP kept in Firestore."""
    s = settings()
    if s.erp_mapping:
        from atende.erp.rest import RestErp, load_mapping

        return RestErp(load_mapping(s.erp_mapping), s.erp_base_url or None, s.erp_token)
    return demo_erp()


def demo_erp() -> DemoErp:
    from atende.adapters.firestore_demo_erp import FirestoreDemoState
    from atende.erp.demo import DemoErp

    return DemoErp(state=FirestoreDemoState(firestore_client()))


@cache
def tokens() -> TokenProvider:
    """Per-account tokens: each channel configuration names the env var (secret) holding its token.

    Checked once per instance, before anything is sent: a configured channel without its token
    stops the function with a message naming both, rather than failing every send.
    """
    import os

    from atende.adapters.channel_store import TokenProvider

    provider = TokenProvider(channel_registry().current, os.environ)
    provider.require_all()
    return provider


@cache
def meta() -> MetaChannels:
    """Meta's senders and media source, sharing one Graph client per instance."""
    from atende.channels.meta.adapter import connect

    s = settings()
    media_hosts = tuple(h.strip() for h in s.media_allowed_hosts.split(",") if h.strip())
    return connect(s.graph_api_base_url, s.graph_api_version, tokens(), media_hosts, s.graph_read_timeout_s)


@cache
def senders() -> Mapping[str, ChannelSender]:
    """Each channel's sender, by the name messages carry: Meta's three, and web chat's (nothing to call)."""
    from atende.channels.webchat.sender import WebChatSender

    return {**meta().senders, WebChatSender.channel: WebChatSender(deliveries())}


@cache
def outbound_service() -> OutboundService:
    from atende.retrying import Backoff
    from atende.services.outbound import OutboundService

    s = settings()
    return OutboundService(deliveries(), senders(), Backoff(s.outbound_max_attempts, s.outbound_backoff_s))


@cache
def send_sweeper() -> SendSweeper:
    from atende.services.sweeper import SendSweeper

    return SendSweeper(deliveries(), publisher())


@cache
def status_service() -> StatusService:
    from atende.services.status import StatusService

    return StatusService(deliveries())


@cache
def contact_service() -> ContactService:
    from atende.services.contacts import ContactService

    return ContactService(unit_of_work, channel_registry().current)


@cache
def media_store() -> MediaStore:
    from pathlib import Path

    from atende.adapters.media_store import GcsMediaStore, LocalMediaStore

    s = settings()
    if s.media_bucket:
        return GcsMediaStore(s.media_bucket)
    # `make dev`: a folder the dev stack serves under /media, with HMAC-signed URLs
    s.require_secrets("media_fetch", "media_url_secret")
    return LocalMediaStore(Path(s.media_dir or ".dev/media"), s.media_base_url, s.media_url_secret)


@cache
def media_service() -> MediaService:
    from atende.services.media import MediaService

    store = media_store()  # its missing key stops the instance before any token is looked up
    return MediaService(deliveries(), meta().media, store, settings().media_url_ttl_s)


@cache
def distribution() -> Distribution:
    from atende.services.distribution import Distribution

    return Distribution(unit_of_work)


@cache
def idle_closer() -> IdleCloser:
    from atende.services.idle_close import IdleCloser

    return IdleCloser(unit_of_work, crm_events=crm_events())


@cache
def inbox_service() -> InboxService:
    from atende.adapters.firestore.settings import FirestoreSettingsStore
    from atende.services.inbox import InboxService
    from atende.services.settings.store import known_teams

    return InboxService(
        uow=unit_of_work,
        outbound=publisher(),
        contacts=contact_service(),
        distribution=distribution(),
        media=media_store(),
        erp=erp,
        crm_events=crm_events(),
        known_teams=partial(known_teams, FirestoreSettingsStore(firestore_client())),
    )


@cache
def identity() -> FirebaseIdentity:
    from atende.adapters.firebase_auth import FirebaseIdentity

    s = settings()
    return FirebaseIdentity(s.project, check_revoked=s.production)


@cache
def secret_store() -> SecretStore:
    """Channel tokens: Secret Manager in production; locally the env file the dev stack loads."""
    import os
    from pathlib import Path

    from atende.adapters.secret_store import EnvFileSecretStore, SecretManagerSecretStore

    s = settings()
    if s.production:
        return SecretManagerSecretStore(s.project)
    return EnvFileSecretStore(Path(os.environ.get("ATENDE_SECRETS_FILE") or ".dev/secrets.env"))


@cache
def console() -> Console:
    import os

    from atende.adapters.channel_store import configs_from_env
    from atende.adapters.firebase_users import AuditedDirectory, FirebaseIdentities, firebase_app
    from atende.adapters.firestore.settings import FirestoreLogReader, FirestoreSettingsStore
    from atende.services.settings.console import Console
    from atende.services.settings.store import known_teams
    from atende.users.accounts import StaffAccounts

    db = firestore_client()
    store = FirestoreSettingsStore(db)
    identities = FirebaseIdentities(firebase_app(settings().project))
    teams = partial(known_teams, store)
    return Console.build(
        store,
        FirestoreLogReader(db),
        secret_store(),
        lambda actor: StaffAccounts(identities, AuditedDirectory(store, actor), teams),
        campaigns=campaign_console(),
        dead_letters=dead_letter_console(),
        deployed_channels=lambda: configs_from_env(os.environ),
    )


def dead_letter_console() -> DeadLetterConsole:
    """The console's dead letters: kept by `dead_letters`, replayed to their topic through the publisher."""
    from atende.adapters.firestore.dead_letters import FirestoreLetterReader
    from atende.services.dead_letter_console import DeadLetterConsole

    return DeadLetterConsole(unit_of_work, FirestoreLetterReader(firestore_client()), publisher())


def campaign_console() -> CampaignConsole:
    """The console's campaigns and templates: the CLI's services (the queue to start campaigns and to ask
    campaign_send for a template sync; the console reads no channel token)."""
    from atende.services.campaign_console import CampaignConsole

    return CampaignConsole(
        campaigns=campaign_service(),
        store=campaign_store(),
        templates=template_service(),
        queue=task_queue(),
        uow=unit_of_work,
    )


@cache
def report_services() -> ReportServices:
    """Reports, live board and channel health over one reader (each request opens its own counter)."""
    from datetime import datetime

    from atende.adapters.firestore.report_readers import FirestoreReportReader
    from atende.domain.metrics import TZ
    from atende.entrypoints.reports_http import ReportServices
    from atende.services.board import ChannelHealthPanel, LiveBoard
    from atende.services.reports import Reports

    def reader() -> FirestoreReportReader:
        return FirestoreReportReader(firestore_client())

    reports = Reports(reader, today=lambda: datetime.now(TZ).date())
    board = LiveBoard(reader)
    health = ChannelHealthPanel(reader, channel_registry().current)
    return ReportServices(
        reports=lambda: reports, board=lambda: board, health=lambda: health, identity=identity
    )


@cache
def inbox_origins() -> tuple[str, ...]:
    import os

    return tuple(o.strip() for o in os.environ.get("INBOX_ORIGINS", "").split(",") if o.strip())


@cache
def followups() -> Followups:
    """The tick's follow-ups: rules from config/followups over the defaults, entities pushed to `events`
    and, with the demo ERP, the ERP's own."""
    from atende.adapters.firestore_config import FirestoreConfigSource
    from atende.adapters.firestore_entities import ErpEntities, FirestoreTemplates, StoredEntities
    from atende.services.attendant_config import AttendantConfig
    from atende.services.followups import Followups

    s = settings()
    config = AttendantConfig(FirestoreConfigSource(firestore_client()), s.config_ttl_s)
    sources: list[EntitySource] = [StoredEntities(unit_of_work)]
    if not s.erp_mapping:  # the demo ERP lists its own entities; a business with a REST ERP pushes them
        sources.append(ErpEntities(demo_erp().business_entities))
    return Followups(
        uow=unit_of_work,
        policy=config.followups,
        sources=sources,
        outbound=publisher(),
        templates=FirestoreTemplates(firestore_client()),
        mailer=mailer,
        unsubscribe_url=unsubscribe_links().url_for,
    )


@cache
def campaign_store() -> CampaignStore:
    from atende.adapters.firestore.campaigns import FirestoreCampaignStore

    return FirestoreCampaignStore(firestore_client())


@cache
def task_queue() -> TaskQueue:
    """The atende-campaigns queue (Terraform sets the variables); locally, the stand-in the stack runs."""
    import os

    from atende.adapters.cloud_tasks import CloudTasksQueue

    queue = os.environ.get("CLOUD_TASKS_QUEUE") or (
        f"projects/{settings().project}/locations/local/queues/atende-campaigns"
    )
    return CloudTasksQueue(
        queue,
        os.environ.get("CAMPAIGN_SEND_URL", "http://127.0.0.1:5001/campaign_send"),
        os.environ.get("CLOUD_TASKS_INVOKER_SA") or None,
        os.environ.get("CLOUD_TASKS_BASE_URL") or None,
    )


def personaliser() -> Personaliser:
    """Gemini writes each recipient's personalised parameter when there is a key; else the local engine."""
    s = settings()
    if not s.gemini_api_key:
        from atende.services.campaigns import LocalPersonaliser

        return LocalPersonaliser()
    from atende.engines.gemini import GeminiEngine
    from atende.services.campaigns import EnginePersonaliser

    engine = GeminiEngine(s.gemini_api_key, s.gemini_model, base_url=s.gemini_base_url or None)
    return EnginePersonaliser(engine)


@cache
def campaign_service() -> CampaignService:
    from atende.services.campaigns import CampaignService
    from atende.services.crm import CampaignsToCrm

    return CampaignService(
        uow=unit_of_work,
        store=campaign_store(),
        queue=task_queue(),
        outbound=outbound_service,
        channels=channel_registry().current,
        personaliser=personaliser(),
        events=CampaignsToCrm(crm_events()) if crm_events() else None,
    )


@cache
def mailer() -> Mailer | None:
    """SendGrid when a key is configured; without one, follow-up e-mails are recorded as failed."""
    s = settings()
    if not s.sendgrid_api_key:
        return None
    from atende.adapters.sendgrid_mail import SendGridMailer

    return SendGridMailer(s.sendgrid_api_key, s.sendgrid_host, s.mail_from)


@cache
def unsubscribe_links() -> UnsubscribeLinks:
    from atende.services.unsubscribe import UnsubscribeLinks

    s = settings()
    s.require_secrets("unsubscribe", "unsubscribe_secret")
    return UnsubscribeLinks(s.unsubscribe_secret, s.unsubscribe_url)


def events_secret() -> str:
    """What businesses sign their pushes to `events` with; production refuses to start without it."""
    s = settings()
    s.require_secrets("events", "events_secret")
    return s.events_secret


@cache
def entity_intake() -> EntityIntake:
    from atende.services.entities import EntityIntake

    return EntityIntake(unit_of_work)


@cache
def template_service() -> TemplateService:
    """Meta's template catalog with the token of each number (checked when a number is used)."""
    import os

    from atende.adapters.channel_store import TokenProvider
    from atende.adapters.firestore.templates import FirestoreTemplateStore
    from atende.channels.meta.templates import catalog
    from atende.services.templates import TemplateService

    s = settings()
    registry = channel_registry().current
    meta = catalog(s.graph_api_base_url, s.graph_api_version, TokenProvider(registry, os.environ))
    return TemplateService(meta, FirestoreTemplateStore(firestore_client()), registry)


@cache
def crm_webhook() -> CrmWebhook:
    """The business's CRM endpoint (`CRM_WEBHOOK_URL`, unset: events are dropped) and its HMAC secret."""
    import os

    from atende.adapters.crm import FirestoreCrmRecords, HttpCrmPoster
    from atende.services.crm import CrmWebhook

    url = os.environ.get("CRM_WEBHOOK_URL", "")
    secret = os.environ.get("CRM_WEBHOOK_SECRET", "")
    if url and not secret:
        raise RuntimeError("CRM_WEBHOOK_URL is set without CRM_WEBHOOK_SECRET: events would go unsigned")
    from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork

    records = FirestoreCrmRecords(lambda: FirestoreUnitOfWork(firestore_client()))
    return CrmWebhook(url=url, secret=secret, poster=HttpCrmPoster(), records=records)


def webchat_service() -> WebChatService:
    import os

    from atende.adapters.firestore.rate_limits import FirestoreRateCounter
    from atende.adapters.firestore.sites import FirestoreSites
    from atende.adapters.firestore.visitors import FirestoreVisitors
    from atende.domain.site import secret_env
    from atende.services.webchat import WebChatService

    client = firestore_client()
    return WebChatService(
        sites=FirestoreSites(client),
        visitors=FirestoreVisitors(client),
        counter=FirestoreRateCounter(client),
        tokens=identity(),
        publisher=publisher(),
        media=media_store(),
        uow=unit_of_work,
        secret_for=lambda site: os.environ.get(secret_env(site), ""),
        available=_someone_available,
    )


def _someone_available() -> bool:
    """Opening hours (`config/business`) and at least one person online, for the widget's status line."""
    from datetime import datetime

    from atende.adapters.firestore_config import FirestoreConfigSource
    from atende.engines.personas import is_open
    from atende.erp.types import BRT
    from atende.services.attendant_config import AttendantConfig

    business = AttendantConfig(FirestoreConfigSource(firestore_client()), 0).business()
    if not is_open(business, datetime.now(BRT)):
        return False
    with unit_of_work() as uow:
        return bool(uow.staff.online())


def start(**services: Callable[[], object]) -> None:
    """In production, build the service of the function this instance runs (`FUNCTION_TARGET`) as it
    starts, so a missing secret or token stops the instance with a message naming it, instead of the
    first request failing. In dev and tests, services are built on first use."""
    import os

    build = services.get(os.environ.get("FUNCTION_TARGET", ""))
    if build is not None and settings().production:
        build()
