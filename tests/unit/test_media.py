"""Media fetching rules: platform size caps, only Meta's hosts, failures recorded on the message."""

from __future__ import annotations

from typing import Any

import pytest

from atende.adapters.graph import GraphError, TooLarge
from atende.adapters.media_store import LocalMediaStore, local_url_valid
from atende.domain.content import Audio, Image, Location, Share, StoryMention, Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel
from atende.services.media import MediaJob, MediaService


class Repo:
    def __init__(self) -> None:
        self.media: dict[str, Any] = {"status": "pending"}

    def media_state(self, message_id: str) -> dict[str, Any]:
        return self.media

    def set_media(self, message_id: str, media: dict[str, Any]) -> None:
        self.media = media


class Graph:
    def __init__(
        self, info: dict[str, Any] | None = None, body: bytes = b"data", fail: list[Exception] | None = None
    ):
        self.info = info or {}
        self.body = body
        self.fail = fail or []
        self.downloads: list[tuple[str, str | None, int]] = []

    def get(self, path: str, token: str, *, channel: str | None = None) -> dict[str, Any]:
        return self.info

    def download(self, url: str, token: str | None, max_bytes: int) -> tuple[bytes, str]:
        self.downloads.append((url, token, max_bytes))
        if self.fail:
            raise self.fail.pop(0)
        if len(self.body) > max_bytes:
            raise TooLarge("big")
        return self.body, "image/jpeg"


def service(graph: Graph, repo: Repo, tmp_path) -> MediaService:
    store = LocalMediaStore(tmp_path, "http://dev", "secret")
    return MediaService(repo, graph, store, lambda c, a: f"token-{a}", sleep=lambda s: None)  # type: ignore[arg-type]


def job(**kw: Any) -> MediaJob:
    return MediaJob(**{"message_id": "m1", "channel": "whatsapp", "account_id": "acc", "kind": "image", **kw})


def test_whatsapp_media_is_resolved_downloaded_with_the_token_and_kept(tmp_path):
    graph = Graph({"url": "https://lookaside.fbsbx.com/x", "mime_type": "image/jpeg", "file_size": 4})
    repo = Repo()
    assert service(graph, repo, tmp_path).fetch(job(media_id="123")) == "stored"
    assert graph.downloads == [("https://lookaside.fbsbx.com/x", "token-acc", 5 * 1024 * 1024)]
    assert (
        repo.media["status"] == "stored"
        and repo.media["size"] == 4
        and repo.media["mimeType"] == "image/jpeg"
    )
    path, query = repo.media["url"].split("/media/")[1].split("?")
    params = dict(p.split("=") for p in query.split("&"))
    assert local_url_valid(path, params["expires"], params["signature"], "secret")
    assert not local_url_valid(path, params["expires"], params["signature"], "other")


def test_declared_size_over_the_whatsapp_limit_is_refused_without_downloading(tmp_path):
    graph = Graph({"url": "https://lookaside.fbsbx.com/x", "file_size": 600 * 1024})
    repo = Repo()
    assert service(graph, repo, tmp_path).fetch(job(kind="sticker", media_id="1")) == "failed"
    assert graph.downloads == [] and "500 KB" in repo.media["reason"]


def test_only_meta_hosts_are_fetched(tmp_path):
    repo = Repo()
    graph = Graph()
    assert (
        service(graph, repo, tmp_path).fetch(job(channel="messenger", url="http://169.254.169.254/x"))
        == "failed"
    )
    assert graph.downloads == [] and "fora da Meta" in repo.media["reason"]


def test_transient_download_errors_are_retried_then_recorded(tmp_path):
    repo = Repo()
    graph = Graph(fail=[GraphError(503, None, "busy")])
    assert (
        service(graph, repo, tmp_path).fetch(job(channel="messenger", url="https://scontent.xx.fbcdn.net/a"))
        == "stored"
    )
    graph = Graph(fail=[GraphError(None, None, "timeout")] * 3)
    assert (
        service(graph, repo := Repo(), tmp_path).fetch(
            job(channel="instagram", url="https://cdninstagram.com/a")
        )
        == "failed"
    )
    assert repo.media["retryable"] is True and len(graph.downloads) == 3


def test_a_redelivered_job_does_nothing(tmp_path):
    repo = Repo()
    repo.media = {"status": "stored", "path": "x"}
    graph = Graph()
    assert service(graph, repo, tmp_path).fetch(job(media_id="1")) == "skipped" and graph.downloads == []


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
