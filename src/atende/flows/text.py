"""Text helpers for flows: bilingual strings, `{path}` templates, forgiving matching of answers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][\w.]*)\}")
LANGUAGES = ("pt", "en")


def plain(text: str) -> str:
    """Lowercase without accents or extra spaces: how answers and keywords are compared."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", stripped)).strip()


def pick(text: Any, language: str) -> str:
    """A flow text is a string or {"pt": ..., "en": ...}; Portuguese is the fallback."""
    if isinstance(text, dict):
        return str(text.get(language) or text.get("pt") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


def lookup(data: Any, path: str) -> Any:
    """`a.b.0.c` into nested dicts and lists; None when any step is missing."""
    current = data
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def render(template: Any, values: dict[str, Any], language: str) -> str:
    """Fill `{path}` placeholders; a missing value renders empty rather than leaking the placeholder."""

    def fill(match: re.Match[str]) -> str:
        value = lookup(values, match.group(1))
        return "" if value is None or isinstance(value, dict | list) else str(value)

    return _PLACEHOLDER.sub(fill, pick(template, language)).strip()


def contains_keyword(text: str, keywords: list[str]) -> int:
    """Length of the longest keyword found as whole words in `text` (0: none)."""
    haystack = f" {plain(text)} "
    best = 0
    for keyword in keywords:
        needle = plain(keyword)
        if needle and f" {needle} " in haystack:
            best = max(best, len(needle))
    return best
