"""The Meta adapter as the composition root sees it: the ports it implements, over one Graph client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from atende.channels.meta.graph import READ_TIMEOUT_S, GraphClient, timeouts
from atende.channels.meta.media import META_MEDIA_HOSTS, MetaMediaSource
from atende.channels.meta.senders import Tokens, meta_senders
from atende.services.channel_ports import ChannelSender, MediaSource


@dataclass(frozen=True)
class MetaChannels:
    senders: Mapping[str, ChannelSender]  # by channel name: whatsapp, messenger, instagram
    media: MediaSource


def connect(
    base_url: str,
    version: str,
    tokens: Tokens,
    media_hosts: tuple[str, ...] = (),
    read_timeout_s: float = READ_TIMEOUT_S,
) -> MetaChannels:
    """One HTTP client (and its connection pool) for every send and download of the instance.

    `media_hosts` replaces Meta's media hosts (the dev stack serves media itself); empty keeps them.
    """
    graph = GraphClient(base_url, version, timeouts(read_timeout_s))
    media = MetaMediaSource(graph, tokens, media_hosts or META_MEDIA_HOSTS)
    return MetaChannels(meta_senders(graph, tokens), media)
