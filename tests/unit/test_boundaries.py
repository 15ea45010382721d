"""Meta stays behind its adapter: only `atende.channels.meta` speaks Graph, and services import no adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "atende"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_the_meta_package_imports_the_graph_client():
    meta = SRC / "channels" / "meta"
    users = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if meta not in path.parents and any(m.startswith("atende.channels.meta.graph") for m in imports(path))
    }
    assert users == set()


@pytest.mark.parametrize("service", ["outbound.py", "media.py", "channel_ports.py"])
def test_sending_and_media_services_know_no_adapter_or_platform(service):
    modules = imports(SRC / "services" / service)
    assert not [m for m in modules if m.startswith(("atende.adapters", "atende.channels"))]
