"""Each function can be packaged on its own and imports from its staged folder alone."""

from __future__ import annotations

import subprocess
import sys

from atende.dev.build import stage
from atende.topology import FUNCTIONS


def test_every_function_is_staged_with_package_and_requirements(tmp_path):
    staged = {p.name: p for p in stage(tmp_path)}
    assert set(staged) == {f.directory for f in FUNCTIONS}
    for path in staged.values():
        assert (path / "main.py").is_file() and (path / "atende" / "__init__.py").is_file()
        assert "functions-framework" in (path / "requirements.txt").read_text()
        assert not (path / "atende" / "dev").exists()  # dev-only code does not ship
        assert not (path / "atende" / "triage" / "data").exists()  # nor the training and evaluation sets
        assert (path / "atende" / "flows" / "data" / "menu.json").is_file()  # the repo's flows do
        assert (path / "atende" / "triage" / "model" / "threshold_table.json").is_file()


def test_staged_webhook_function_loads_without_firestore_or_genai(tmp_path):
    """Cold start: the webhook must not import Firestore or google-genai."""
    path = stage(tmp_path)[0].parent / "webhooks"
    code = (
        "import sys, runpy; sys.path.insert(0, '.'); runpy.run_path('main.py'); "
        "bad = [m for m in sys.modules if m.startswith(('google.cloud.firestore', 'google.genai'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
