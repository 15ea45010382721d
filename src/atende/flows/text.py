"""Text helpers for flows: bilingual strings rendered as templates, forgiving matching of answers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from atende import templating

LANGUAGES = ("pt", "en")


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """Lowercase without accents or extra spaces: how answers and keywords are compared.

    Cached: every message is compared with every flow's keywords, which are the same few hundred strings.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", stripped)).strip()


def pick(text: Any, language: str) -> str:
    """A flow text is a string or {"pt": ..., "en": ...}; Portuguese is the fallback."""
    if isinstance(text, dict):
        return str(text.get(language) or text.get("pt") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


def render(template: Any, values: dict[str, Any], language: str) -> str:
    """A flow text in the contact's language with `{{ ... }}` filled in; a missing value renders empty."""
    return templating.render(pick(template, language), values).strip()


def contains_keyword(text: str, keywords: list[str]) -> int:
    """Length of the longest keyword found as whole words in `text` (0: none)."""
    haystack = f" {plain(text)} "
    best = 0
    for keyword in keywords:
        needle = plain(keyword)
        if needle and f" {needle} " in haystack:
            best = max(best, len(needle))
    return best
