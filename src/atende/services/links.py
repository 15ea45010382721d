"""Fresh links to the files messages show (`POST /links` of `inbox_api` and `webchat`).

The link written on a message when it was stored is signed and expires (a week at most, an hour for the
platforms' media); the file stays. Whoever may see a message asks for a new short-lived link to its file
(`Message.file_path`) when the one it holds is old or fails to load.
"""

from __future__ import annotations

from collections.abc import Iterable

from atende.domain.message import Message
from atende.services.media import MediaStore

LINK_TTL_S = 3600  # long enough to look at a conversation; a page open longer asks again
MAX_LINKS = 50  # one request's worth: a screenful of files


def fresh_links(messages: Iterable[Message], store: MediaStore) -> dict[str, str]:
    """A new link for each message that shows a file of ours; the others are left out."""
    return {m.id: store.url(path, LINK_TTL_S) for m in messages if (path := m.file_path)}
