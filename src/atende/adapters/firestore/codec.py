"""Value conversions shared by the mappers, and the rule that turns two states into the fields to write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore


def ts(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def seconds(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The update that turns document `before` into `after`, as Firestore field paths.

    Maps are compared one level down (`statusAt.sent`, `attendant.flow`) so that a write touches only
    what changed and a concurrent writer's other keys survive; deeper values are replaced whole.
    """
    update: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new and (key in before) == (key in after):
            continue
        if key not in after:
            update[key] = firestore.DELETE_FIELD
        elif isinstance(old, dict) and isinstance(new, dict) and old and all(_plain(k) for k in old | new):
            for sub in old.keys() | new.keys():
                if sub not in new:
                    update[f"{key}.{sub}"] = firestore.DELETE_FIELD
                elif old.get(sub) != new[sub] or sub not in old:
                    update[f"{key}.{sub}"] = new[sub]
        else:
            update[key] = new
    return update


def _plain(key: str) -> bool:
    """A map key usable unquoted in a field path."""
    return key.replace("_", "a").isalnum() and not key[0].isdigit()
