"""docs/data-model.md as data: its field tables parsed, and Firestore documents checked against them.

The page's conventions (see its "How to read the tables"): one `| field | type | … |` table per
collection (`### \\`messages\\``) or single document (`### \\`config/routing\\``); dotted paths, `<name>`
for map keys that vary, `[]` for array elements, a trailing `?` for a field only some documents have;
types `string`, `number`, `bool`, `timestamp`, `null`, `map`, `open map`, `array of <type>`, `any`,
joined with `or`. Tables under the "Planned by the next issues" heading describe what nothing writes yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"
SCALARS = frozenset({"string", "number", "bool", "timestamp", "bytes", "null", "map", "open map", "any"})
MAPS = frozenset({"map", "open map"})
_HEADING = re.compile(r"^### `([^`]+)`")


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]  # ("statusAt", "<status>"), ("toolsCalled[]", "name")
    types: tuple[str, ...]
    optional: bool
    line: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def varying(self) -> bool:
        return any(_is_placeholder(s) for s in self.path)

    def element_type(self) -> str | None:
        return next((t.removeprefix("array of ") for t in self.types if t.startswith("array of ")), None)


@dataclass
class TableSpec:
    """One collection (`messages`) or one document (`config/routing`) of the page."""

    name: str
    planned: bool
    line: int
    fields: dict[tuple[str, ...], FieldSpec] = field(default_factory=dict)

    def lookup(self, path: tuple[str, ...]) -> FieldSpec | None:
        """The row for a concrete path: an exact row first, else one whose `<name>` segments match."""
        exact = self.fields.get(path)
        if exact is not None:
            return exact
        return next(
            (
                spec
                for spec in self.fields.values()
                if spec.varying
                and len(spec.path) == len(path)
                and all(p == c or _is_placeholder(p) for p, c in zip(spec.path, path, strict=True))
            ),
            None,
        )


@dataclass
class DataModel:
    tables: dict[str, TableSpec]  # written today, by name
    planned: dict[str, TableSpec]
    problems: list[str]  # rows that do not follow the conventions
    text: str

    def table_for(self, collection: str, doc_id: str) -> TableSpec | None:
        return self.tables.get(f"{collection}/{doc_id}") or self.tables.get(collection)

    def documents_collection(self, collection: str) -> bool:
        return any(name == collection or name.startswith(collection + "/") for name in self.tables)


def _is_placeholder(segment: str) -> bool:
    return segment.startswith("<") and segment.rstrip("[]").endswith(">")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _parse_type(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(" or "))


def _type_problem(types: tuple[str, ...]) -> str | None:
    for t in types:
        base = t.removeprefix("array of ")
        if base not in SCALARS and not (t.startswith("array of ") and base == "string"):
            return f"unknown type {t!r}"
    return None


def parse(text: str | None = None) -> DataModel:
    text = DOC.read_text(encoding="utf-8") if text is None else text
    tables: dict[str, TableSpec] = {}
    planned: dict[str, TableSpec] = {}
    problems: list[str] = []
    in_planned = False
    current: TableSpec | None = None
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            in_planned = line.startswith("## Planned")
            current, header = None, None
            continue
        if line.startswith("### "):
            match = _HEADING.match(line)
            header = None
            current = TableSpec(match.group(1), in_planned, number) if match else None
            if current is not None:
                (planned if in_planned else tables).setdefault(current.name, current)
                current = (planned if in_planned else tables)[current.name]
            continue
        if current is None or not line.startswith("|"):
            header = None if not line.startswith("|") else header
            continue
        cells = _cells(line)
        if header is None:
            header = cells if cells and cells[0] == "field" else []
            continue
        if not header or set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells, strict=False))
        raw = row["field"].strip("`")
        segments = raw.split(".")
        optional = segments[-1].endswith("?")
        if any(s.endswith("?") for s in segments[:-1]):
            problems.append(f"line {number}: only the last segment of `{raw}` may carry `?`")
        path = tuple(s.rstrip("?") for s in segments)
        types = _parse_type(row.get("type", ""))
        problem = _type_problem(types)
        if problem:
            problems.append(f"line {number}: `{raw}`: {problem}")
        if path in current.fields:
            problems.append(f"line {number}: `{raw}` is listed twice in `{current.name}`")
        current.fields[path] = FieldSpec(path, types, optional, number)
    for table in (*tables.values(), *planned.values()):
        problems.extend(_orphan_rows(table))
    return DataModel(tables, planned, problems, text)


def _orphan_rows(table: TableSpec) -> Iterator[str]:
    """A nested row needs a parent row of a map type (or an array of maps, for `[]`)."""
    for spec in table.fields.values():
        if len(spec.path) < 2:
            continue
        last = spec.path[-2]
        parent_path = (*spec.path[:-2], last.removesuffix("[]"))
        parent = table.fields.get(parent_path)
        wanted = (
            {parent.element_type()} if parent and last.endswith("[]") else set(parent.types if parent else ())
        )
        if parent is None or not wanted & MAPS:
            yield f"line {spec.line}: `{spec.dotted}` in `{table.name}` has no parent map row"


# -- checking documents ---------------------------------------------------------------------------------


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "timestamp"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        kinds = sorted({type_of(v) for v in value})
        return f"array of {' or '.join(kinds)}" if kinds else "array"
    return type(value).__name__


def _fits(value: Any, wanted: str) -> bool:
    if wanted == "any":
        return True
    if wanted.startswith("array of "):
        element = wanted.removeprefix("array of ")
        return isinstance(value, list) and all(_fits(v, element) for v in value)
    actual = type_of(value)
    return actual == wanted or (actual == "map" and wanted == "open map")


def compatible(value: Any, types: tuple[str, ...]) -> bool:
    return any(_fits(value, t) for t in types)


@dataclass(frozen=True)
class Finding:
    """One disagreement between a document and the page."""

    table: str
    path: str
    problem: str  # "undocumented", "type <actual>, documented <types>", "missing"


def check_document(table: TableSpec, doc: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    _walk(table, (), doc, findings, open_map=False)
    for spec in table.fields.values():
        if spec.optional or spec.varying:
            continue
        for parent in _parents(doc, spec.path[:-1]):
            if isinstance(parent, dict) and spec.path[-1] not in parent:
                findings.append(Finding(table.name, spec.dotted, "missing (documented as always present)"))
    return findings


def _walk(
    table: TableSpec, prefix: tuple[str, ...], mapping: dict[str, Any], out: list[Finding], open_map: bool
) -> None:
    for key, value in mapping.items():
        path = (*prefix, key)
        spec = table.lookup(path)
        if spec is None:
            if not open_map:  # inside an open map, keys nobody listed are the platform's business
                out.append(Finding(table.name, ".".join(path), "undocumented"))
            continue
        if not compatible(value, spec.types):
            documented = " or ".join(spec.types)
            out.append(Finding(table.name, spec.dotted, f"is {type_of(value)}, documented as {documented}"))
            continue
        if isinstance(value, dict):
            _walk(table, path, value, out, open_map="open map" in spec.types)
        elif isinstance(value, list) and spec.element_type() in MAPS:
            element_path = (*prefix, key + "[]")
            for item in value:
                _walk(table, element_path, item, out, open_map=spec.element_type() == "open map")


def _parents(value: Any, segments: tuple[str, ...]) -> Iterator[Any]:
    """Every value at `segments` in the document (arrays of maps fan out)."""
    if not segments:
        yield value
        return
    if not isinstance(value, dict):
        return
    head, rest = segments[0], segments[1:]
    if head.endswith("[]"):
        items = value.get(head[:-2])
        for item in items if isinstance(items, list) else []:
            yield from _parents(item, rest)
    else:
        yield from _parents(value.get(head), rest)
