"""Logging for the functions: JSON lines with `severity` on Cloud Functions, readable lines locally.

Cloud Logging turns a JSON line on stderr into a structured entry, which is
what the log-based metrics and alerts key on; Python's default (WARNING, no
handler) would silently drop every deliberate, logged ignore.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

_CONFIGURED = "_atende_configured"


class CloudLoggingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
        }
        if record.exc_info:
            entry["message"] += "\n" + self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(env: dict[str, str] | None = None) -> None:
    """Idempotent: every function's entry point calls it; only the first call installs a handler."""
    env = dict(os.environ if env is None else env)
    root = logging.getLogger()
    if getattr(root, _CONFIGURED, False):
        return
    handler = logging.StreamHandler(sys.stderr)
    if env.get("K_SERVICE") or env.get("LOG_FORMAT") == "json":
        formatter = CloudLoggingFormatter()
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(env.get("LOG_LEVEL", "INFO"))
    setattr(root, _CONFIGURED, True)
