"""A small release with a column of every Table Schema type, built into a temporary folder for
the tests that read releases with other tools (Croissant, Dask, Spark, the README examples)."""

from __future__ import annotations

import copy
import os
from pathlib import Path

from conflictdata._tools.build import build_release as build_into
from support.events import EVENTS, EVENTS_SCHEMA, HAVE_VALIDATE, event, write_events_package

#: A fixed build time: 2025-06-15T15:06:40Z.
EPOCH = "1750000000"

#: The build tests' events, with a datetime column too, so that every type is read.
SCHEMA = copy.deepcopy(EVENTS_SCHEMA)
SCHEMA["fields"].insert(
    4,
    {
        "name": "reported_at",
        "type": "datetime",
        "title": "Reported",
        "description": "When reported.",
    },
)
ROWS = [
    {**EVENTS[0], "reported_at": "2025-06-13T21:30:00Z"},
    {**EVENTS[1], "reported_at": ""},
    {**EVENTS[2], "reported_at": "2025-06-14T08:00:05Z"},
    event("EV-0004", fatalities="12", latitude="-3.25", confirmed="true", event_type="deployment"),
]


def build_typed_release(root: Path, descriptor: Path | None = None) -> Path:
    """Build the typed test package (or ``descriptor``) under ``root``; the release folder."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        desc = descriptor or write_events_package(root / "pkg", events=ROWS, events_schema=SCHEMA)
        return build_into(desc, root / "releases", validate=HAVE_VALIDATE, progress=False).path
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
