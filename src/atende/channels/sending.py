"""What every platform's send payload shares."""

from __future__ import annotations

from typing import Any


def choices(content: dict[str, Any]) -> list[dict[str, str]]:
    """Neutral options (id, title, description) from buttons, list rows or quick replies."""
    if content.get("quick_replies"):
        return [
            {"id": str(q.get("payload") or q.get("title")), "title": str(q.get("title") or "")}
            for q in content["quick_replies"]
        ]
    if content.get("type") == "list":
        return [dict(row) for section in content.get("sections") or [] for row in section.get("rows") or []]
    return [dict(b) for b in content.get("buttons") or []]
