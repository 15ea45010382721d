"""Media fetching rules: platform size caps, only Meta's hosts, failures recorded on the message."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from atende.adapters.media_store import LocalMediaStore, local_url_valid
from atende.channels.meta.graph import GraphClient
from atende.channels.meta.media import MetaMediaSource
from atende.domain.contacts import Address
from atende.domain.content import Audio, Document, Image, Location, Share, StoryMention, Text
from atende.domain.errors import MediaFailed, MediaTooLarge
from atende.domain.events import InboundMessage, Sender
from atende.domain.media import KeptMedia, MediaStatus
from atende.domain.message import Message
from atende.domain.model import Channel
from atende.services.channel_ports import MediaFile, MediaSource
from atende.services.deliveries import Deliveries
from atende.services.media import MediaJob, MediaService
from tests.fakes import FakeMediaSource, FakeUnitOfWork, RecordingSleep, Versioned

MB = 1024 * 1024


class Stored:
    """Message m1 in an in-memory store, reached through the real Deliveries, as media_fetch reaches it."""

    def __init__(self, media: KeptMedia) -> None:
        self.uow = FakeUnitOfWork()
        inbound = InboundMessage(
            channel=Channel.WHATSAPP,
            account_id="acc",
            provider_message_id="wamid.1",
            sender=Sender(id="5511987654321"),
            timestamp=time.time(),
            content=Image(media_id="1"),
        )
        message = replace(Message.received(inbound, contact_id="c"), id="m1", media=media)
        self.uow.store.messages["m1"] = Versioned(message, 1)
        self.deliveries = Deliveries(self.uow)

    @property
    def media(self) -> KeptMedia | None:
        return self.uow.store.message("m1").media


def service(source: MediaSource, repo: Stored, tmp_path) -> MediaService:
    store = LocalMediaStore(tmp_path, "http://dev", "secret")
    return MediaService(repo.deliveries, source, store, sleep=RecordingSleep())


def pending() -> Stored:
    return Stored(KeptMedia.pending())


def job(**kw: Any) -> MediaJob:
    return MediaJob(**{"message_id": "m1", "channel": "whatsapp", "account_id": "acc", "kind": "image", **kw})


# --- the service: limits, retries, and what ends up on the message -----------------------------------


def test_media_is_kept_and_linked_with_a_short_lived_url(tmp_path):
    source, repo = FakeMediaSource(MediaFile(b"jpeg", "image/jpeg")), pending()
    assert service(source, repo, tmp_path).fetch(job(media_id="123")) == "stored"
    assert source.calls == [
        {"channel": "whatsapp", "account_id": "acc", "media_id": "123", "url": None, "max": 5 * MB}
    ]
    media = repo.media
    assert (
        media and media.status == MediaStatus.STORED and media.size == 4 and media.mime_type == "image/jpeg"
    )
    path, query = (media.url or "").split("/media/")[1].split("?")
    params = dict(p.split("=") for p in query.split("&"))
    assert local_url_valid(path, params["expires"], params["signature"], "secret")
    assert not local_url_valid(path, params["expires"], params["signature"], "other")


def test_a_file_over_the_platform_limit_is_refused_with_the_limit_named(tmp_path):
    source, repo = FakeMediaSource(MediaFile(b"\0" * (600 * 1024), "image/webp")), pending()
    assert service(source, repo, tmp_path).fetch(job(kind="sticker", media_id="1")) == "failed"
    assert repo.media == KeptMedia.failed(
        "Arquivo maior que o limite do WhatsApp para sticker (500 KB)", retryable=False
    )


def test_a_transient_failure_is_retried_then_the_file_is_kept(tmp_path):
    source, repo = FakeMediaSource(fail=[MediaFailed(True, "HTTP 503")]), pending()
    url = "https://scontent.xx.fbcdn.net/a"
    assert service(source, repo, tmp_path).fetch(job(channel="messenger", url=url)) == "stored"
    assert len(source.calls) == 2 and repo.media == replace(repo.media, status=MediaStatus.STORED)


def test_transient_failures_until_the_attempts_run_out_are_recorded_as_retryable(tmp_path):
    source, repo = FakeMediaSource(fail=[MediaFailed(True, "timeout")] * 5), pending()
    assert service(source, repo, tmp_path).fetch(
        job(channel="instagram", url="https://cdninstagram.com/a")
    ) == ("failed")
    assert len(source.calls) == 3
    assert repo.media == KeptMedia.failed("Não foi possível baixar a mídia: timeout", retryable=True)


def test_a_permanent_failure_is_recorded_at_once(tmp_path):
    source, repo = FakeMediaSource(fail=[MediaFailed(False, "Invalid OAuth access token")]), pending()
    assert service(source, repo, tmp_path).fetch(job(media_id="1")) == "failed"
    assert len(source.calls) == 1 and repo.media and repo.media.retryable is False


# --- Meta's side: WhatsApp's media protocol, Meta's hosts only, the size cap while streaming -----------


class Meta:
    """Meta's media endpoints as an httpx transport: no network, the real GraphClient."""

    def __init__(self, info: dict[str, Any] | None = None, body: bytes = b"data", status: int = 200) -> None:
        self.info, self.body, self.status = info or {}, body, status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "graph.test":
            return httpx.Response(200, json=self.info)
        return httpx.Response(self.status, content=self.body, headers={"Content-Type": "image/jpeg"})

    def source(self, tokens: Any = "tok") -> MetaMediaSource:
        client = httpx.Client(transport=httpx.MockTransport(self))
        return MetaMediaSource(GraphClient("https://graph.test", "v25.0", http=client), tokens)


def test_whatsapp_media_id_is_resolved_and_downloaded_with_the_account_token(tmp_path):
    meta = Meta({"url": "https://lookaside.fbsbx.com/x", "mime_type": "image/png", "file_size": 4})
    got = meta.source(lambda channel, account: f"token-{account}").download(
        "whatsapp", "acc", media_id="123", url=None, max_bytes=MB
    )
    assert got == MediaFile(b"data", "image/png")
    assert [str(r.url) for r in meta.requests] == [
        "https://graph.test/v25.0/123",
        "https://lookaside.fbsbx.com/x",
    ]
    assert {r.headers["Authorization"] for r in meta.requests} == {"Bearer token-acc"}


def test_a_declared_size_over_the_limit_is_refused_without_downloading():
    meta = Meta({"url": "https://lookaside.fbsbx.com/x", "file_size": 600 * 1024})
    with pytest.raises(MediaTooLarge):
        meta.source().download("whatsapp", "acc", media_id="1", url=None, max_bytes=500 * 1024)
    assert len(meta.requests) == 1  # the lookup only


def test_a_download_that_grows_past_the_limit_is_stopped():
    meta = Meta(body=b"\0" * 2048)
    with pytest.raises(MediaTooLarge):
        meta.source().download("messenger", "p", media_id=None, url="https://cdn.fbcdn.net/a", max_bytes=1024)


def test_only_meta_hosts_are_fetched(tmp_path):
    meta, repo = Meta(), pending()
    url = "http://169.254.169.254/latest/meta-data"
    assert service(meta.source(), repo, tmp_path).fetch(job(channel="messenger", url=url)) == "failed"
    assert meta.requests == [] and repo.media and "fora da Meta" in (repo.media.reason or "")
    assert repo.media and repo.media.retryable is False


@pytest.mark.parametrize(("status", "transient"), [(503, True), (429, True), (404, False)])
def test_a_cdn_error_is_transient_only_when_the_server_says_so(status, transient):
    meta = Meta(status=status)
    with pytest.raises(MediaFailed) as failed:
        meta.source().download(
            "instagram", "ig", media_id=None, url="https://cdninstagram.com/a", max_bytes=MB
        )
    assert failed.value.transient is transient


def test_whatsapp_media_without_a_token_fails_for_good_without_calling_meta():
    meta = Meta({"url": "https://lookaside.fbsbx.com/x"})
    with pytest.raises(MediaFailed) as failed:
        meta.source("").download("whatsapp", "acc", media_id="1", url=None, max_bytes=MB)
    assert meta.requests == [] and failed.value.transient is False


def test_a_redelivered_job_does_nothing(tmp_path):
    source, repo = FakeMediaSource(), Stored(KeptMedia(status=MediaStatus.STORED, path="x"))
    assert service(source, repo, tmp_path).fetch(job(media_id="1")) == "skipped" and source.calls == []


@pytest.mark.parametrize(
    ("channel", "content", "wanted"),
    [
        (Channel.WHATSAPP, Audio(media_id="1", voice=True), True),
        (Channel.MESSENGER, Image(url="https://x"), True),
        (Channel.MESSENGER, Text(url="https://x"), False),  # a legacy link, not media
        (Channel.WHATSAPP, Location(), False),
        (Channel.WHATSAPP, Share(url="https://x"), False),  # no Instagram share on WhatsApp
        (Channel.INSTAGRAM, StoryMention(url="https://cdninstagram.com/s"), True),
        (Channel.WHATSAPP, Image(mime_type="image/jpeg"), False),  # nowhere to fetch it from
    ],
)
def test_which_messages_get_a_media_job(channel, content, wanted):
    message = InboundMessage(
        channel=channel,
        account_id="acc",
        provider_message_id="p1",
        sender=Sender(id="s"),
        timestamp=1.0,
        content=content,
    )
    job = MediaJob.for_message(message)
    assert (job is not None) is wanted
    if job is not None:
        assert (job.kind, job.media_id, job.url) == (str(content.kind), content.media_id, content.url)


def test_local_store_refuses_paths_outside_its_folder(tmp_path):
    with pytest.raises(ValueError):
        LocalMediaStore(tmp_path, "http://dev", "s").file("../etc/passwd")


def _webchat_upload(path: str) -> Message:
    inbound = InboundMessage(
        channel=Channel.WEBCHAT,
        account_id="loja",
        provider_message_id="wc_v1_1",
        sender=Sender(id="v1"),
        timestamp=time.time(),
        content=Image(media_id=path, url="https://storage.test/old"),
    )
    return Message.received(inbound, contact_id="c")


def test_a_message_shows_a_file_of_ours_only_when_it_was_kept_or_is_the_visitors_own_upload():
    kept = KeptMedia.stored(path="whatsapp/acc/m1.jpg", mime_type="image/jpeg", url="u", url_expires_at=0)
    whatsapp = Stored(KeptMedia.pending()).uow.store.message("m1")
    assert whatsapp.file_path is None  # not downloaded yet: the media id is Meta's, not a file of ours
    assert whatsapp.with_media(kept).file_path == "whatsapp/acc/m1.jpg"
    assert whatsapp.with_media(KeptMedia.failed("x", retryable=False)).file_path is None

    assert (
        _webchat_upload("webchat/loja/v1/" + "a" * 32 + ".png").file_path
        == "webchat/loja/v1/" + "a" * 32 + ".png"
    )
    # a path outside the visitor's own folder is never theirs to show, whatever the message claims
    assert _webchat_upload("webchat/loja/v2/" + "a" * 32 + ".png").file_path is None
    assert _webchat_upload("outgoing/webchat_loja_v1/x/y.png").file_path is None


def agents_pdf(conversation_id: str, path: str, now: float = 0.0) -> Message:
    """An agent's PDF on web chat, as the inbox writes it: the file kept, its path on `media`."""
    return Message.by_agent(
        client_id=f"f-{conversation_id}",
        author_id="ana",
        author_name="Ana",
        conversation_id=conversation_id,
        contact_id="c",
        channel=Channel.WEBCHAT,
        account_id="loja",
        recipient=Address("v1"),
        window_from=None,
        content=Document(url="https://storage.test/old", filename=path.rsplit("/", 1)[-1]),
        text=None,
        now=now,
        media=KeptMedia.stored(path=path, mime_type="application/pdf", url="x", url_expires_at=now),
    )


def test_an_agents_attachment_shows_the_file_kept_for_it():
    sent = agents_pdf("webchat_loja_v1", "outgoing/webchat_loja_v1/h/b.pdf")
    assert sent.file_path == "outgoing/webchat_loja_v1/h/b.pdf"
    assert replace(sent, media=None).file_path is None  # written before its path was kept: nothing to renew
