"""Logging for the functions: JSON lines with `severity` on Cloud Functions, readable lines locally.

Cloud Logging turns a JSON line on stderr into a structured entry, which is
what the log-based metrics and alerts key on; Python's default (WARNING, no
handler) would silently drop every deliberate, logged ignore.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_CONFIGURED = "_atende_configured"


class CloudLoggingFormatter(JsonFormatter):
    """Cloud Logging's field names (`severity`, `time`); `extra={...}` fields become structured fields.

    A traceback stays inside `message`, the field Error Reporting and the Logs Explorer summary read.
    """

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{message}{name}",
            style="{",
            rename_fields={"levelname": "severity", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        for key in ("exc_info", "stack_info"):
            if log_data.get(key):
                log_data["message"] = f"{log_data['message']}\n{log_data.pop(key)}"
        return log_data


def configure(env: dict[str, str] | None = None) -> None:
    """Idempotent: every function's entry point calls it; only the first call installs a handler."""
    env = dict(os.environ if env is None else env)
    root = logging.getLogger()
    if getattr(root, _CONFIGURED, False):
        return
    handler = logging.StreamHandler(sys.stderr)
    if env.get("K_SERVICE") or env.get("LOG_FORMAT") == "json":
        handler.setFormatter(CloudLoggingFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(env.get("LOG_LEVEL", "INFO"))
    setattr(root, _CONFIGURED, True)
