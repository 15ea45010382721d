"""Files for the tests that show media: pictures big enough to see, and the dev stack's own media store
(the folder it serves under /media, with links signed by its secret, so a test can sign one in the past)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from atende.adapters.media_store import LocalMediaStore


def picture(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def stack_media(stack) -> LocalMediaStore:
    env = stack.env
    return LocalMediaStore(Path(env["MEDIA_DIR"]), env["MEDIA_BASE_URL"], env["MEDIA_URL_SECRET"])
