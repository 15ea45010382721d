"""On Cloud Functions, log lines must be JSON with a severity so Cloud Logging can index them."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from atende.logs import CloudLoggingFormatter


def test_cloud_format_is_one_json_object_with_severity():
    record = logging.LogRecord("atende.x", logging.WARNING, __file__, 1, "refused %s", ("webhook",), None)
    entry = json.loads(CloudLoggingFormatter().format(record))
    assert entry["severity"] == "WARNING" and entry["message"] == "refused webhook"
    assert entry["logger"] == "atende.x"


def test_exceptions_stay_in_the_same_entry():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("a", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = CloudLoggingFormatter().format(record)
    assert "\n" not in line  # one line per entry, the traceback escaped inside it
    assert "ValueError: boom" in json.loads(line)["message"]


def test_info_lines_reach_cloud_logging_as_json():
    """Python's default drops INFO; a function's deliberate, logged ignores must still be seen."""
    code = "import logging; from atende import logs; logs.configure(); logging.getLogger('a.y').info('ok')"
    env = {**os.environ, "K_SERVICE": "webhook_whatsapp", "LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    entry = json.loads(done.stderr)
    assert (entry["severity"], entry["message"], entry["logger"]) == ("INFO", "ok", "a.y")
    assert entry["time"].startswith("20")
