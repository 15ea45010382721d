"""Campaigns over the in-memory fakes: each recipient once, whatever the queue, a pause or a crash does."""

# ruff: noqa: RUF059  (each test unpacks the whole world and uses part of it)

from __future__ import annotations

import pytest

from atende.domain.audience import read_csv
from atende.domain.campaign import CampaignStatus, Recipient, SendStatus, TemplateChoice, slots
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.contact import Contact
from atende.domain.errors import WorkflowRefused
from atende.domain.events import StatusUpdate
from atende.domain.model import Channel
from atende.domain.opt_out import Command
from atende.domain.templates import MessageTemplate
from atende.retrying import Backoff
from atende.services.campaigns import Audience, CampaignService
from atende.services.deliveries import Deliveries
from atende.services.outbound import OutboundService
from tests.fakes import (
    FakeCampaignStore,
    FakeSender,
    FakeTaskQueue,
    FakeUnitOfWork,
    Store,
    Versioned,
    outbound_messages,
)

ACCOUNT = "106540352242922"
PROMO = MessageTemplate(
    account_id=ACCOUNT,
    name="promo_fibra",
    language="pt_BR",
    category="MARKETING",
    status="APPROVED",
    components=({"type": "BODY", "text": "Olá {{1}}, fibra de {{2}} por R$ 99!"},),
)
CSV = "nome;telefone\nMaria;(11) 98765-4321\nJoão;+55 21 99876-5432\nAna;11 8765-4321\nZé;123\n"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(request):
    store = Store()
    uow = FakeUnitOfWork(store)
    clock = Clock()
    sender = FakeSender()
    deliveries = Deliveries(uow, clock=clock)
    outbound = OutboundService(deliveries, {"whatsapp": sender}, Backoff(1, 0), sleep=lambda s: None)
    queue = FakeTaskQueue()
    channels = ChannelRegistry([ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN", campaign_rate=50)])
    service = CampaignService(
        uow=uow,
        store=FakeCampaignStore(store, templates=[PROMO]),
        queue=queue,
        outbound=lambda: outbound,
        channels=lambda: channels,
        clock=clock,
        personaliser=getattr(request, "param", None),
    )
    return store, service, queue, sender, clock, deliveries


def _create(service, csv=CSV):
    return service.create(
        name="Black Friday",
        account_id=ACCOUNT,
        template=TemplateChoice("promo_fibra", "pt_BR", ("cliente", "500 Mega")),
        audience=Audience(csv=read_csv(csv)),
        created_by="admin",
    )


def _run(service, queue):
    """The queue runs every task it holds, in order, as Cloud Tasks would."""
    results = []
    for task in queue.take():
        if "finish" in task.payload:
            service.check_finished(task.payload["campaignId"])
        else:
            results.append(service.dispatch(task.payload["campaignId"], task.payload["contactId"]))
    return results


def test_csv_import_reports_invalid_and_duplicate_numbers():
    report = read_csv(CSV)
    assert [r.phone for r in report.rows] == ["+5511987654321", "+5521998765432"]
    assert [(p.line, p.reason) for p in report.duplicates] == [(4, "duplicate of line 2")]
    assert [(p.line, p.value) for p in report.invalid] == [(5, "123")]
    assert report.summary == {"rows": 4, "valid": 2, "invalid": 1, "duplicates": 1}


def test_each_recipient_gets_the_template_once_paced_at_the_number_rate(world):
    store, service, queue, sender, clock, _ = world
    campaign = _create(service)
    assert campaign.rate_per_second == 50  # the number's tier
    service.start(campaign.id)
    sends = [t for t in queue.tasks if "contactId" in t.payload]
    assert [round(t.run_at - clock.now, 3) for t in sends] == [1.0, 1.02]  # 1 s to create the tasks
    assert _run(service, queue) == ["send", "send"]
    assert sorted(m.recipient_phone for m in sender.sent) == ["+5511987654321", "+5521998765432"]
    body = sender.sent[0].content
    assert (body["name"], body["params"][1]) == ("promo_fibra", "500 Mega")
    assert {m.campaign_id for m in outbound_messages(store)} == {campaign.id}
    assert service.progress(campaign.id)[1]["sent"] == 2


def test_a_crash_then_resume_or_a_task_run_again_sends_nothing_twice(world):
    store, service, queue, sender, clock, _ = world
    campaign = _create(service)
    service.start(campaign.id)
    tasks = queue.take()
    first = tasks[0].payload
    assert service.dispatch(first["campaignId"], first["contactId"]) == "send"
    # the dispatcher dies here: every other task is lost; a resume enqueues what is still queued
    service.resume(campaign.id)
    resumed = [t for t in queue.tasks if "contactId" in t.payload]
    assert [t.payload["contactId"] for t in resumed] == [tasks[1].payload["contactId"]]
    _run(service, queue)
    queue.tasks = [t for t in tasks if "contactId" in t.payload]  # and the lost tasks turn up after all
    assert _run(service, queue) == ["done", "done"]
    assert len(sender.sent) == 2
    assert service.progress(campaign.id)[0].status == CampaignStatus.FINISHED


def test_pause_keeps_sends_queued_and_resume_sends_them(world):
    store, service, queue, sender, clock, _ = world
    campaign = _create(service)
    service.start(campaign.id)
    service.pause(campaign.id)
    assert _run(service, queue) == ["wait", "wait"]
    assert sender.sent == []
    assert service.progress(campaign.id)[1]["queued"] == 2
    service.resume(campaign.id)
    clock.now += 10
    assert _run(service, queue) == ["send", "send"]
    assert service.progress(campaign.id)[0].status == CampaignStatus.FINISHED


def test_cancel_drops_what_was_not_sent(world):
    store, service, queue, sender, clock, _ = world
    campaign = _create(service)
    service.start(campaign.id)
    service.cancel(campaign.id)
    assert _run(service, queue) == ["drop", "drop"]
    counts = service.progress(campaign.id)[1]
    assert (counts.get("cancelled"), counts.get("queued")) == (2, 0)
    with pytest.raises(WorkflowRefused):
        service.resume(campaign.id)


def test_an_opted_out_contact_is_skipped_at_send_time(world):
    store, service, queue, sender, clock, _ = world
    campaign = _create(service)
    service.start(campaign.id)
    maria = next(s for s in service._store.sends(campaign.id, 10) if s.recipient.wa_id == "5511987654321")
    said_stop = Contact(id=maria.contact_id).commanded(Command.OUT, "SAIR", clock())  # after the import
    store.contacts[maria.contact_id] = Versioned(said_stop, 1)
    assert sorted(_run(service, queue)) == ["send", "skip"]
    assert store.send(campaign.id, maria.contact_id).status == SendStatus.SKIPPED
    assert [m.recipient_phone for m in sender.sent] == ["+5521998765432"]


def test_statuses_move_the_send_and_the_counts(world):
    store, service, queue, sender, clock, deliveries = world
    campaign = _create(service, "telefone\n5511987654321\n")
    service.start(campaign.id)
    _run(service, queue)
    message = outbound_messages(store)[0]
    deliveries.apply_status(
        StatusUpdate(
            channel=Channel.WHATSAPP,
            account_id=ACCOUNT,
            provider_message_id=message.provider_message_id,
            status="read",
            timestamp=clock.now + 5,
            message_id=message.id,
        )
    )
    send = store.send(campaign.id, message.contact_id)
    assert send.status == SendStatus.READ
    counts = service.progress(campaign.id)[1]
    assert (counts["read"], counts.get("sent", 0), counts.get("sending", 0)) == (1, 0, 0)


def test_a_recipient_written_to_less_than_6_s_ago_waits(world):
    store, service, queue, sender, clock, _ = world
    first = _create(service, "telefone\n5511987654321\n")
    second = _create(service, "telefone\n5511987654321\n")
    service.start(first.id)
    _run(service, queue)
    service.start(second.id)
    assert _run(service, queue) == ["too_soon"]
    clock.now += 6
    service.resume(second.id)
    assert _run(service, queue) == ["send"]


def test_only_an_approved_template_with_all_its_parameters():
    store = Store()
    service = CampaignService(
        uow=FakeUnitOfWork(store),
        store=FakeCampaignStore(store, templates=[PROMO]),
        queue=FakeTaskQueue(),
        outbound=lambda: None,
        channels=lambda: ChannelRegistry(),
    )
    with pytest.raises(ValueError, match="2 parâmetro"):
        service.create(
            name="x",
            account_id=ACCOUNT,
            template=TemplateChoice("promo_fibra", "pt_BR", ("só um",)),
            audience=Audience(csv=read_csv(CSV)),
            created_by="a",
        )
    with pytest.raises(WorkflowRefused, match="não está aprovado"):
        service.create(
            name="x",
            account_id=ACCOUNT,
            template=TemplateChoice("nao_existe", "pt_BR", ()),
            audience=Audience(csv=read_csv(CSV)),
            created_by="a",
        )


def test_slots_keep_the_rate():
    times = slots(100.0, 81, 80.0)
    assert times[0] == 100.0 and times[-1] == pytest.approx(101.0)


def test_a_scheduled_campaign_waits_for_its_time_then_finishes(world):
    store, service, queue, sender, clock, _ = world
    campaign = service.create(
        name="Natal",
        account_id=ACCOUNT,
        template=TemplateChoice("promo_fibra", "pt_BR", ("cliente", "500 Mega")),
        audience=Audience(csv=read_csv("telefone\n5511987654321\n")),
        created_by="admin",
        scheduled_at=clock.now + 3600,
    )
    assert service.start(campaign.id).status == CampaignStatus.SCHEDULED
    assert min(t.run_at for t in queue.tasks) == clock.now + 3600  # Cloud Tasks holds them until then
    assert _run(service, queue) == ["wait"]  # a task run early (it never is) sends nothing
    clock.now += 3600
    service.resume(campaign.id)
    assert _run(service, queue) == ["send"]
    assert service.progress(campaign.id)[0].status == CampaignStatus.FINISHED


def test_gemini_writes_the_personalised_parameter_and_a_failure_falls_back_to_the_first_name():
    from atende.dev.gemini_standin import error, running, text
    from atende.engines.gemini import GeminiEngine
    from atende.services.campaigns import EnginePersonaliser

    with running() as gemini:
        gemini.then(text("Maria, a fibra de 500 Mega\nchegou ao seu bairro!"), error(400))
        writer = EnginePersonaliser(GeminiEngine("key", "gemini-2.5-flash", base_url=gemini.url, attempts=1))
        maria = Recipient(
            contact_id="c1", wa_id="5511987654321", name="Maria Silva", variables={"bairro": "Centro"}
        )
        assert writer.personalise(maria, "uma frase sobre a fibra no bairro") == (
            "Maria, a fibra de 500 Mega chegou ao seu bairro!"  # one line, as WhatsApp requires
        )
        assert writer.personalise(maria, "outra") == "Maria"
        asked = str(gemini.requests[0]["body"])
        assert "bairro: Centro" in asked and "uma frase sobre a fibra no bairro" in asked


class CountingWriter:
    """A personaliser that says how often it was asked (an engine call costs money and time)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def personalise(self, recipient: Recipient, instruction: str) -> str:
        self.asked.append(recipient.contact_id)
        return f"{recipient.name}, {instruction} #{len(self.asked)}"


WRITER = CountingWriter()


@pytest.mark.parametrize("world", [WRITER], indirect=True)
def test_the_personalised_parameter_is_written_at_dispatch_once_and_a_redelivered_task_reuses_it(world):
    store, service, queue, sender, clock, _ = world
    writer = WRITER
    campaign = service.create(
        name="Black Friday",
        account_id=ACCOUNT,
        template=TemplateChoice("promo_fibra", "pt_BR", ("cliente", "500 Mega"), personalised=0),
        audience=Audience(csv=read_csv(CSV)),
        created_by="admin",
        personalise="a fibra chegou",
    )
    assert writer.asked == []  # creating a campaign of any size calls no engine
    service.start(campaign.id)
    tasks = [t for t in queue.tasks if "contactId" in t.payload]
    assert _run(service, queue) == ["send", "send"]
    assert len(writer.asked) == 2
    firsts = sorted(m.content["params"][0] for m in sender.sent)
    assert firsts == ["João, a fibra chegou #2", "Maria, a fibra chegou #1"]  # paced in CSV order
    stored = {
        s.value.recipient.variables["_personal"] for k, s in store.sends.items() if k.startswith(campaign.id)
    }
    assert stored == set(firsts)  # kept on the send record with the message
    again = tasks[0].payload
    assert service.dispatch(again["campaignId"], again["contactId"]) == "done"
    assert len(writer.asked) == 2 and len(sender.sent) == 2  # a redelivery neither asks again nor resends


FOUR = CSV.replace("Zé;123\n", "Bia;11 97777-0000\nCaio;11 96666-0000\n")  # four valid numbers
PREVIEWER = CountingWriter()


@pytest.mark.parametrize("world", [PREVIEWER], indirect=True)
def test_a_preview_writes_the_first_three_messages_with_the_dispatch_personaliser_and_stores_nothing(world):
    store, service, queue, sender, clock, _ = world
    samples = service.preview(
        account_id=ACCOUNT,
        template=TemplateChoice("promo_fibra", "pt_BR", ("-", "500 Mega"), personalised=0),
        audience=Audience(csv=read_csv(FOUR)),
        personalise="a fibra chegou",
    )
    assert [s.recipient.name for s in samples] == ["Maria", "João", "Bia"]  # the first three valid ones
    assert len(PREVIEWER.asked) == 3  # one engine call each, no more, though the CSV has more
    assert samples[0].personal == "Maria, a fibra chegou #1"
    assert samples[0].text == "Olá Maria, a fibra chegou #1, fibra de 500 Mega por R$ 99!"
    assert (store.campaigns, store.sends, store.audit_logs, queue.tasks) == ({}, {}, {}, [])


def test_a_template_without_a_personalised_parameter_previews_too_without_the_engine(world):
    store, service, queue, sender, clock, _ = world
    samples = service.preview(
        account_id=ACCOUNT,
        template=TemplateChoice("promo_fibra", "pt_BR", ("cliente", "500 Mega")),
        audience=Audience(csv=read_csv(CSV)),
    )
    assert [(s.recipient.phone, s.personal, s.text) for s in samples] == [
        ("+5511987654321", None, "Olá cliente, fibra de 500 Mega por R$ 99!"),
        ("+5521998765432", None, "Olá cliente, fibra de 500 Mega por R$ 99!"),
    ]
    with pytest.raises(WorkflowRefused, match="não está aprovado"):
        service.preview(
            account_id=ACCOUNT,
            template=TemplateChoice("nao_existe", "pt_BR", ()),
            audience=Audience(csv=read_csv(CSV)),
        )
    assert store.campaigns == {} and store.sends == {}
