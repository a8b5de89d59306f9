"""Small, complete data packages written into tmp_path for the build and diff tests.

Two tables shaped like the real ones: ``sources`` and ``events`` (enum, date, nullable
integer and number, boolean, record_status + superseded_by tombstones, foreign keys).
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

#: Build with validation once the validator exists (issue 3); the build tests do not depend on it.
HAVE_VALIDATE = importlib.util.find_spec("conflictdata._validation.run") is not None

SOURCES_SCHEMA: dict[str, Any] = {
    "title": "Sources",
    "description": "Documents the facts come from.",
    "fields": [
        {
            "name": "source_id",
            "type": "string",
            "title": "Source ID",
            "description": "Stable ID.",
            "constraints": {"required": True, "unique": True, "pattern": "^SRC-[0-9]{3}$"},
        },
        {
            "name": "title",
            "type": "string",
            "title": "Title",
            "description": "Document title.",
            "constraints": {"required": True},
        },
        {
            "name": "published",
            "type": "date",
            "title": "Published",
            "description": "Publication date.",
        },
    ],
    "primaryKey": ["source_id"],
}

EVENTS_SCHEMA: dict[str, Any] = {
    "title": "Events",
    "description": "Things that happened.",
    "fields": [
        {
            "name": "event_id",
            "type": "string",
            "title": "Event ID",
            "description": "Stable ID.",
            "constraints": {"required": True, "unique": True, "pattern": "^EV-[0-9]{4}$"},
        },
        {
            "name": "source_id",
            "type": "string",
            "title": "Source",
            "description": "Cited source.",
            "constraints": {"required": True},
        },
        {
            "name": "event_type",
            "type": "string",
            "title": "Type",
            "description": "Kind of event.",
            "constraints": {"required": True, "enum": ["strike", "interception", "deployment"]},
            "enumDescriptions": {
                "strike": "An attack.",
                "interception": "A weapon stopped.",
                "deployment": "Forces moved.",
            },
        },
        {"name": "date_start", "type": "date", "title": "Start", "description": "First day."},
        {
            "name": "fatalities",
            "type": "integer",
            "title": "Fatalities",
            "description": "Deaths.",
            "constraints": {"minimum": 0},
        },
        {
            "name": "latitude",
            "type": "number",
            "title": "Latitude",
            "description": "WGS84.",
            "constraints": {"minimum": -90, "maximum": 90},
        },
        {"name": "confirmed", "type": "boolean", "title": "Confirmed", "description": "Confirmed?"},
        {
            "name": "record_status",
            "type": "string",
            "title": "Status",
            "description": "Lifecycle.",
            "constraints": {"required": True, "enum": ["active", "retracted", "superseded"]},
            "enumDescriptions": {
                "active": "In use.",
                "retracted": "Withdrawn.",
                "superseded": "Replaced by superseded_by.",
            },
        },
        {
            "name": "superseded_by",
            "type": "string",
            "title": "Superseded by",
            "description": "The row replacing this one.",
        },
    ],
    "primaryKey": ["event_id"],
    "foreignKeys": [
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}},
        {"fields": ["superseded_by"], "reference": {"resource": "", "fields": ["event_id"]}},
    ],
    "rowChecks": [
        {
            "check": "when",
            "field": "record_status",
            "description": "superseded rows name their replacement",
            "cases": {
                "superseded": {"present": ["superseded_by"]},
                "active": {"absent": ["superseded_by"]},
            },
        }
    ],
}

SOURCES = [
    {"source_id": "SRC-001", "title": "A report, with a comma", "published": "2025-06-14"},
    {"source_id": "SRC-002", "title": "Line one\nline two", "published": ""},
]

EVENTS = [
    {
        "event_id": "EV-0003",
        "source_id": "SRC-001",
        "event_type": "interception",
        "date_start": "2025-06-13",
        "fatalities": "",
        "latitude": "",
        "confirmed": "",
        "record_status": "active",
        "superseded_by": "",
    },
    {
        "event_id": "EV-0001",
        "source_id": "SRC-001",
        "event_type": "strike",
        "date_start": "2025-06-13",
        "fatalities": "3",
        "latitude": "35.7",
        "confirmed": "true",
        "record_status": "active",
        "superseded_by": "",
    },
    {
        "event_id": "EV-0002",
        "source_id": "SRC-002",
        "event_type": "strike",
        "date_start": "",
        "fatalities": "0",
        "latitude": "32.08",
        "confirmed": "false",
        "record_status": "active",
        "superseded_by": "",
    },
]


def write_events_package(
    root: Path,
    *,
    version: str = "1.0.0",
    sources: list[dict[str, str]] | None = None,
    events: list[dict[str, str]] | None = None,
    events_schema: dict[str, Any] | None = None,
) -> Path:
    """Write descriptor, schemas and CSVs under ``root``; return the descriptor path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    schemas = {"sources": SOURCES_SCHEMA, "events": events_schema or EVENTS_SCHEMA}
    rows = {
        "sources": SOURCES if sources is None else sources,
        "events": EVENTS if events is None else events,
    }
    for name, schema in schemas.items():
        (root / "schemas" / f"{name}.json").write_text(
            json.dumps(schema, indent=2), encoding="utf-8"
        )
        names = [f["name"] for f in schema["fields"]]
        with open(root / "seeds" / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
            w.writeheader()
            for r in rows[name]:
                w.writerow({k: r.get(k, "") for k in names})
    descriptor = {
        "name": "conflictdata",
        "title": "Test package",
        "version": version,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "contributors": [{"title": "tests", "role": "author"}],
        "sources": [{"title": "unit tests"}],
        "resources": [
            {
                "name": n,
                "path": f"seeds/{n}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": f"schemas/{n}.json",
                "profile": "tabular-data-resource",
            }
            for n in schemas
        ],
    }
    path = root / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return path


def with_changes(rows: list[dict[str, str]], **changes: dict[str, str]) -> list[dict[str, str]]:
    """A copy of ``rows`` with fields of the rows named by ID (``EV_0001={...}``) changed."""
    out = []
    for r in rows:
        key = (r.get("event_id") or r.get("source_id", "")).replace("-", "_")
        out.append({**r, **changes.get(key, {})})
    return out


def event(event_id: str, **fields: str) -> dict[str, str]:
    base = {
        "event_id": event_id,
        "source_id": "SRC-001",
        "event_type": "strike",
        "date_start": "2025-06-14",
        "fatalities": "",
        "latitude": "",
        "confirmed": "",
        "record_status": "active",
        "superseded_by": "",
    }
    return {**base, **fields}
