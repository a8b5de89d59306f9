"""Small data packages in tmp_path for the validate tests: schemas that use every constraint
and rule kind the engine supports, clean rows, and helpers to break one cell at a time."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMAS: dict[str, dict[str, Any]] = {
    "sources": {
        "fields": [
            {
                "name": "source_id",
                "type": "string",
                "constraints": {"required": True, "pattern": "^SRC-[0-9]{3}$"},
            },
            {"name": "title", "type": "string", "constraints": {"minLength": 2, "maxLength": 40}},
            {"name": "trusted", "type": "boolean"},
            {"name": "url", "type": "string", "constraints": {"unique": True}},
        ],
        "primaryKey": "source_id",
    },
    "actors": {
        "fields": [
            {
                "name": "actor_id",
                "type": "string",
                "constraints": {"required": True, "pattern": "^act-[0-9]{4,}$"},
            },
            {"name": "name", "type": "string", "constraints": {"required": True}},
            {"name": "parent_actor_id", "type": "string"},
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
        ],
        "primaryKey": "actor_id",
        "foreignKeys": [
            {"fields": "parent_actor_id", "reference": {"resource": "", "fields": "actor_id"}},
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}},
        ],
    },
    "events": {
        "fields": [
            {
                "name": "event_id",
                "type": "string",
                "constraints": {"required": True, "pattern": "^evt-[0-9]{4,}$"},
            },
            {
                "name": "event_type",
                "type": "string",
                "constraints": {"required": True, "enum": ["airstrike", "interception"]},
            },
            {"name": "date_start", "type": "date", "constraints": {"minimum": "1900-01-01"}},
            {"name": "date_end", "type": "date"},
            {
                "name": "date_precision",
                "type": "string",
                "constraints": {"required": True, "enum": ["day", "month", "year", "unknown"]},
            },
            {"name": "low", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "best", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "high", "type": "integer", "constraints": {"maximum": 1000000}},
            {
                "name": "count_qualifier",
                "type": "string",
                "constraints": {"enum": ["exact", "unknown"]},
            },
            {"name": "latitude", "type": "number", "constraints": {"minimum": -90, "maximum": 90}},
            {
                "name": "longitude",
                "type": "number",
                "constraints": {"minimum": -180, "maximum": 180},
            },
            {"name": "in_response_to_event_id", "type": "string"},
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
            {"name": "source_excerpt", "type": "string"},
        ],
        "primaryKey": "event_id",
        "foreignKeys": [
            {
                "fields": "in_response_to_event_id",
                "reference": {"resource": "", "fields": "event_id"},
            },
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}},
        ],
        "rowChecks": [
            {"check": "ordered", "fields": ["date_start", "date_end"], "description": "d"},
            {"check": "ordered", "fields": ["low", "best", "high"], "description": "d"},
            {"check": "together", "fields": ["latitude", "longitude"], "description": "d"},
            {
                "check": "when",
                "field": "date_precision",
                "description": "d",
                "cases": {
                    "unknown": {"absent": ["date_start", "date_end"]},
                    "day": {"present": ["date_start", "date_end"]},
                },
            },
            {
                "check": "when",
                "field": "count_qualifier",
                "description": "d",
                "cases": {"exact": {"present": ["best"]}},
            },
            {
                "check": "dateSpan",
                "start": "date_start",
                "end": "date_end",
                "precision": "date_precision",
                "description": "d",
            },
        ],
        "relationChecks": [
            {
                "check": "notBefore",
                "foreignKey": "in_response_to_event_id",
                "start": "date_start",
                "end": "date_end",
                "description": "d",
            },
        ],
    },
    "event_roles": {
        "fields": [
            {"name": "event_id", "type": "string", "constraints": {"required": True}},
            {
                "name": "role",
                "type": "string",
                "constraints": {"required": True, "enum": ["initiator", "target"]},
            },
            {"name": "actor_id", "type": "string"},
        ],
        "primaryKey": ["event_id", "role"],
        "foreignKeys": [
            {"fields": "event_id", "reference": {"resource": "events", "fields": "event_id"}},
            {"fields": "actor_id", "reference": {"resource": "actors", "fields": "actor_id"}},
        ],
    },
    "role_notes": {
        "fields": [
            {"name": "note_id", "type": "string", "constraints": {"required": True}},
            {"name": "event_id", "type": "string"},
            {"name": "role", "type": "string"},
            {"name": "text", "type": "string"},
        ],
        "primaryKey": "note_id",
        "foreignKeys": [
            {
                "fields": ["event_id", "role"],
                "reference": {"resource": "event_roles", "fields": ["event_id", "role"]},
            },
        ],
    },
}

EVENT = {
    "event_id": "evt-0001",
    "event_type": "airstrike",
    "date_start": "2025-06-13",
    "date_end": "2025-06-13",
    "date_precision": "day",
    "low": "",
    "best": "",
    "high": "",
    "count_qualifier": "",
    "latitude": "35.7",
    "longitude": "51.4",
    "in_response_to_event_id": "",
    "source_id": "SRC-001",
    "source_excerpt": "Israel struck Iran's nuclear facilities",
}

ROWS: dict[str, list[dict[str, str]]] = {
    "sources": [
        {
            "source_id": "SRC-001",
            "title": "Article",
            "trusted": "true",
            "url": "https://example.org/a",
        },
        {"source_id": "SRC-002", "title": "Second", "trusted": "0", "url": ""},
    ],
    "actors": [
        {"actor_id": "act-0001", "name": "Iran", "parent_actor_id": "", "source_id": "SRC-001"},
        {
            "actor_id": "act-0002",
            "name": "IRGC",
            "parent_actor_id": "act-0001",
            "source_id": "SRC-002",
        },
    ],
    "events": [
        EVENT,
        {
            **EVENT,
            "event_id": "evt-0002",
            "event_type": "interception",
            "date_start": "2025-06-01",
            "date_end": "2025-06-30",
            "date_precision": "month",
            "low": "2",
            "best": "3",
            "high": "40",
            "count_qualifier": "exact",
            "latitude": "",
            "longitude": "",
            "in_response_to_event_id": "evt-0001",
            "source_excerpt": 'The U.S. helped shoot down "missiles," officials said',
        },
        {
            **EVENT,
            "event_id": "evt-0003",
            "date_start": "2025-01-01",
            "date_end": "2025-12-31",
            "date_precision": "year",
            "latitude": "-3.5",
            "longitude": "-60",
        },
        {
            **EVENT,
            "event_id": "evt-0004",
            "date_start": "",
            "date_end": "",
            "date_precision": "unknown",
        },
    ],
    "event_roles": [
        {"event_id": "evt-0001", "role": "initiator", "actor_id": "act-0001"},
        {"event_id": "evt-0001", "role": "target", "actor_id": "act-0002"},
        {"event_id": "evt-0002", "role": "target", "actor_id": ""},
    ],
    "role_notes": [
        {"note_id": "n1", "event_id": "evt-0001", "role": "target", "text": "ok"},
        {"note_id": "n2", "event_id": "", "role": "", "text": ""},
    ],
}

SOURCE_TEXT = (
    "WASHINGTON — Israel struck Iran’s nuclear\nfacilities on Friday. The U.S. helped shoot "
    "down “missiles,” officials said … and more."
)


def csv_text(
    table: str, rows: list[dict[str, str]], newline: str = "\n", quote_all: bool = False
) -> str:
    names = [f["name"] for f in SCHEMAS[table]["fields"]]
    buf = io.StringIO()
    w = csv.writer(
        buf, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    w.writerow(names)
    for r in rows:
        w.writerow([r.get(n, "") for n in names])
    return buf.getvalue()


def write_rules_package(
    root: Path,
    rows: dict[str, list[dict[str, str]]] | None = None,
    raw: Mapping[str, bytes | str | None] | None = None,
    schemas: dict[str, dict[str, Any]] | None = None,
    policy: str | None = "strict",
) -> Path:
    """Write descriptor, schemas and CSVs under ``root``; return the descriptor path.

    ``raw[table]`` replaces that table's file verbatim (None: leave the file out). The
    package declares ``policy`` as this repository's does (None: declares none)."""
    rows = copy.deepcopy(ROWS if rows is None else rows)
    schemas = copy.deepcopy(SCHEMAS if schemas is None else schemas)
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    resources = []
    for name, schema in schemas.items():
        (root / "schemas" / f"{name}.json").write_text(json.dumps(schema, indent=1))
        resources.append(
            {"name": name, "path": f"seeds/{name}.csv", "schema": f"schemas/{name}.json"}
        )
        target = root / "seeds" / f"{name}.csv"
        if raw and name in raw:
            content = raw[name]
            if content is None:
                continue
            target.write_bytes(content.encode() if isinstance(content, str) else content)
        else:
            target.write_bytes(csv_text(name, rows.get(name, [])).encode())
    desc: dict[str, Any] = {"name": "t", "version": "0.0.1", "resources": resources}
    if policy is not None:
        desc["conflictdata"] = {"policy": policy}
    (root / "datapackage.json").write_text(json.dumps(desc, indent=1))
    return root / "datapackage.json"


def validate_rows(
    root: Path, rows: dict[str, list[dict[str, str]]] | None = None, **kw: Any
) -> Any:
    """The report of validating a rules package of ``rows`` (the clean rows by default) written
    in ``root``; ``kw`` goes to ``validate``."""
    from conflictdata.tools import validate

    return validate(write_rules_package(root, rows), **kw)


def with_cell(table: str, index: int, **changes: str) -> dict[str, list[dict[str, str]]]:
    """The clean rows with row ``index`` of ``table`` changed."""
    rows = copy.deepcopy(ROWS)
    rows[table][index] = {**rows[table][index], **changes}
    return rows


def located(report: Any, code: str) -> list[tuple[str | None, int | None, int | None]]:
    return [(f.path, f.line, f.column) for f in report.findings if f.code == code]


def codes(report: Any) -> list[str]:
    return sorted(f.code for f in report.findings)


def column_of(table: str, field: str) -> int:
    return [f["name"] for f in SCHEMAS[table]["fields"]].index(field) + 1


#: One broken cell per field rule (layer 2): (table, row, field, bad value, code).
FIELD_CASES = [
    ("actors", 1, "name", "", "E201"),
    ("events", 1, "low", "two", "E202"),
    ("events", 1, "low", "2.0", "E202"),
    ("events", 1, "low", "2e0", "E202"),
    ("events", 0, "latitude", "35,7", "E202"),
    ("events", 0, "latitude", "1..5", "E202"),
    ("events", 0, "latitude", "NaN", "E206"),
    ("sources", 1, "trusted", "yes", "E202"),
    ("events", 0, "date_end", "2025/06/13", "E202"),
    ("events", 0, "date_end", "13-06-2025", "E202"),
    ("events", 0, "date_end", "2025-02-30", "E203"),
    ("events", 0, "date_end", "2025-13-01", "E203"),
    ("events", 0, "date_end", "2023-02-29", "E203"),
    ("events", 0, "event_type", "airstrke", "E204"),
    ("events", 0, "event_type", "Airstrike", "E204"),
    ("events", 0, "event_type", "airstrike ", "E204"),
    ("events", 2, "event_id", "evt-03", "E205"),
    ("events", 2, "event_id", "evt-0003\n", "E205"),
    ("events", 2, "event_id", "xevt-0003", "E205"),
    ("events", 1, "best", "-1", "E206"),
    ("events", 2, "date_start", "1899-12-31", "E206"),
    ("events", 0, "latitude", "90.5", "E207"),
    ("sources", 0, "title", "A", "E208"),
    ("sources", 0, "title", "x" * 41, "E209"),
    ("sources", 1, "url", "https://example.org/a", "E210"),
    ("events", 1, "event_id", "evt-0001", "E211"),
    ("events", 3, "event_id", "", "E212"),
]

#: One broken row per row rule (layer 3): (changes to the events row, row, code, field).
ROW_CASES = [
    (
        {"date_start": "2025-06-14", "date_precision": "year", "date_end": "2025-06-13"},
        0,
        "E301",
        "date_end",
    ),
    ({"low": "5"}, 1, "E301", "best"),
    ({"best": "", "low": "50", "count_qualifier": ""}, 1, "E301", "high"),
    ({"longitude": ""}, 0, "E302", "longitude"),
    ({"latitude": "", "longitude": "51.4"}, 0, "E302", "latitude"),
    ({"date_end": ""}, 0, "E303", "date_end"),
    ({"best": "", "low": "", "high": ""}, 1, "E303", "best"),
    ({"date_start": "2025-06-13"}, 3, "E304", "date_start"),
    ({"date_end": "2025-06-14"}, 0, "E305", "date_end"),
    ({"date_start": "2025-06-02"}, 1, "E305", "date_start"),
    ({"date_end": "2025-06-29"}, 1, "E305", "date_end"),
    ({"date_end": "2025-07-31"}, 1, "E305", "date_end"),
    ({"date_start": "2025-02-01"}, 2, "E305", "date_start"),
    ({"date_end": "2026-12-31"}, 2, "E305", "date_end"),
]
