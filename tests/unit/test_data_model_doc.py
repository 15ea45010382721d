"""docs/data-model.md against the code without an emulator: the collections the code names, the rules,
the indexes; and the checker the end-to-end test uses, on documents made up here."""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.data_model_doc import Finding, check_document, parse

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "atende"
# Calls whose first argument names a collection: client.collection(X), client.collection_group(X), and
# the configuration source's document(collection, doc_id).
COLLECTION_CALLS = {"collection", "collection_group"}
TWO_ARGUMENT_CALLS = {"document", "_document"}


def _constants(tree: ast.Module) -> dict[str, str]:
    """UPPER_CASE = "text" at module or class level."""
    found: dict[str, str] = {}
    for node in [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.isupper()
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    return found


def collection_names() -> dict[str, set[str]]:
    """Every collection the code under src/ names → where (module, and the constant when there is one)."""
    modules = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SRC.rglob("*.py")}
    constants = {path: _constants(tree) for path, tree in modules.items()}
    everywhere: dict[str, set[str]] = {}
    for table in constants.values():
        for name, value in table.items():
            everywhere.setdefault(name, set()).add(value)
    registry = SRC / "adapters" / "firestore" / "collections.py"  # the one place names are declared
    used: dict[str, set[str]] = {
        v: {f"{registry.relative_to(REPO)} ({k})"} for k, v in constants[registry].items()
    }
    for path, tree in modules.items():
        where = str(path.relative_to(REPO))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            wanted = called in COLLECTION_CALLS or (called in TWO_ARGUMENT_CALLS and len(node.args) == 2)
            if not wanted or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                used.setdefault(arg.value, set()).add(where)
                continue
            name = arg.id if isinstance(arg, ast.Name) else arg.attr if isinstance(arg, ast.Attribute) else ""
            if not name.isupper():
                continue  # a parameter or a variable: its caller names the collection
            own = constants[path].get(name)
            for value in {own} if own else everywhere.get(name, set()):
                used.setdefault(value, set()).add(f"{where} ({name})")
    return used


def test_the_page_follows_its_own_conventions():
    model = parse()
    assert model.problems == []
    assert {"messages", "conversations", "contacts"} <= set(model.tables)


def test_every_collection_the_code_names_is_documented():
    model = parse()
    used = collection_names()
    assert {"messages", "conversations", "contacts", "config", "flows"} <= set(used), (
        f"the scan of src/ found only {sorted(used)}: has the way collections are named changed?"
    )
    undocumented = {
        name: sorted(where) for name, where in used.items() if not model.documents_collection(name)
    }
    assert undocumented == {}, f"collections named in src/ but not in docs/data-model.md: {undocumented}"


def test_every_collection_the_rules_guard_is_documented():
    model = parse()
    rules = (REPO / "firestore.rules").read_text(encoding="utf-8")
    guarded = set(re.findall(r"match /([a-z_]+)/\{\w+\}\s*\{", rules))  # /collection/{docId} {
    assert {"conversations", "messages"} <= guarded
    missing = {c for c in guarded if not model.documents_collection(c) and not model.planned.get(c)}
    assert missing == set(), f"collections in firestore.rules missing from docs/data-model.md: {missing}"


def test_every_index_is_documented():
    text = parse().text
    section = text.split("## Queries and indexes", 1)[1].split("\n## ", 1)[0]
    rows = {
        (cells[0].strip("` "), cells[1].strip())
        for line in section.splitlines()
        if line.startswith("| `") and len(cells := [c.strip() for c in line.strip("|").split("|")]) >= 3
    }
    indexes = json.loads((REPO / "firestore.indexes.json").read_text(encoding="utf-8"))["indexes"]
    for index in indexes:
        fields = ", ".join(
            f"`{f['fieldPath']}` "
            + ("array-contains" if "arrayConfig" in f else "asc" if f.get("order") == "ASCENDING" else "desc")
            for f in index["fields"]
        )
        assert (index["collectionGroup"], fields) in rows, (
            f"index {index['collectionGroup']} ({fields}) is not in the indexes table of docs/data-model.md"
        )


def _repo_file(name: str) -> Path:
    found = sorted(SRC.rglob(name))
    assert found, f"{name} not found under src/atende"
    return found[0]


def _defaults() -> list[tuple[str, str, dict]]:
    """The repo's defaults have the shape an admin's Firestore override has."""
    flows = _repo_file("menu.json").parent
    return [
        (
            "config/routing",
            "policy_defaults.json",
            json.loads(_repo_file("policy_defaults.json").read_text()),
        ),
        ("config/business", "business.json", json.loads(_repo_file("business.json").read_text())),
        ("config/followups", "followups.json", json.loads(_repo_file("followups.json").read_text())),
        *(("flows", p.name, json.loads(p.read_text())) for p in sorted(flows.glob("*.json"))),
        *(
            ("channels", f"channels.json[{i}]", c)
            for i, c in enumerate(json.loads(_repo_file("channels.json").read_text()))
        ),
    ]


@pytest.mark.parametrize(
    ("table", "source", "doc"), _defaults(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_repo_defaults_have_the_documented_shape_of_their_overrides(table, source, doc):
    spec = parse().tables[table]
    doc = {k: v for k, v in doc.items() if not k.startswith("_")}  # comments; the functions ignore them
    assert check_document(spec, doc) == [], source


# -- the checker itself ------------------------------------------------------------------------------

SAMPLE = """
## Collections written today

### `things`

| field | type | written by | read by | meaning |
| --- | --- | --- | --- | --- |
| `name` | string | a | b | |
| `statusAt?` | map | a | b | |
| `statusAt.<status>` | timestamp | a | b | |
| `media?` | map or null | a | b | |
| `media.status` | string | a | b | |
| `calls` | array of map | a | b | |
| `calls[].ok` | bool | a | b | |
| `content?` | open map | a | b | |
| `content.url?` | string | a | b | |
"""


def findings(doc: dict) -> set[Finding]:
    model = parse(SAMPLE)
    assert model.problems == []
    return set(check_document(model.tables["things"], doc))


def test_a_document_as_documented_passes():
    now = datetime.now(UTC)
    doc = {
        "name": "x",
        "statusAt": {"sent": now, "read": now},
        "media": None,
        "calls": [{"ok": True}],
        "content": {"url": "https://x", "anything": {"deep": 1}},
    }
    assert findings(doc) == set()


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"calls": []}, Finding("things", "name", "missing (documented as always present)")),
        ({"name": 1, "calls": []}, Finding("things", "name", "is number, documented as string")),
        ({"name": "x", "calls": [], "extra": 1}, Finding("things", "extra", "undocumented")),
        (
            {"name": "x", "calls": [], "statusAt": {"sent": "yesterday"}},
            Finding("things", "statusAt.<status>", "is string, documented as timestamp"),
        ),
        (
            {"name": "x", "calls": [], "media": {}},
            Finding("things", "media.status", "missing (documented as always present)"),
        ),
        (
            {"name": "x", "calls": [{"ok": True, "ms": 3}]},
            Finding("things", "calls[].ms", "undocumented"),
        ),
        (
            {"name": "x", "calls": [{}]},
            Finding("things", "calls[].ok", "missing (documented as always present)"),
        ),
        (
            {"name": "x", "calls": [], "content": {"url": 3}},
            Finding("things", "content.url", "is number, documented as string"),
        ),
    ],
)
def test_each_disagreement_is_named(doc, expected):
    assert findings(doc) == {expected}


def test_malformed_rows_are_reported():
    model = parse(SAMPLE + "| `orphan.child` | string | a | b | |\n| `when` | date | a | b | |\n")
    assert len(model.problems) == 2
