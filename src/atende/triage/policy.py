"""The routing policy shipped with the repo.

Lives next to the model rather than in `atende.domain` because reading a file
is I/O; the domain module only knows how to interpret the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from atende.domain.routing import RoutingPolicy

DEFAULTS_PATH = Path(__file__).resolve().parent / "policy_defaults.json"


def default_policy_dict() -> dict[str, Any]:
    return json.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def write_thresholds(routing: Mapping[str, Any]) -> None:
    """Lay a training run's routing thresholds (`default_threshold`, `intent_thresholds`) on the defaults."""
    doc = {**default_policy_dict(), **routing}
    DEFAULTS_PATH.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    default_policy.cache_clear()


@lru_cache(maxsize=1)
def default_policy() -> RoutingPolicy:
    return RoutingPolicy.from_dict(default_policy_dict())


def policy_with_overrides(overrides: Mapping[str, Any] | None) -> RoutingPolicy:
    """Defaults with an operator's config document (e.g. from Firestore) laid on top."""
    base = default_policy()
    return base.merged(overrides) if overrides else base
