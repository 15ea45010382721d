"""Where the repository is, for the dev stack and the build step (never used by deployed code)."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """ATENDE_ROOT, else the checkout this (editable) package lives in."""
    if os.environ.get("ATENDE_ROOT"):
        return Path(os.environ["ATENDE_ROOT"]).resolve()
    return Path(__file__).resolve().parents[3]
