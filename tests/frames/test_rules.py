"""validate_frames agrees with the CSV validator on the rule-by-rule cases of
support.validate: the small package that uses every constraint and rule kind (composite
primary and foreign keys, booleans, unique non-key fields), one broken cell at a time."""

from __future__ import annotations

import copy
import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.profiles import examples
from support.validate import (
    FIELD_CASES,
    ROW_CASES,
    ROWS,
    SCHEMAS,
    csv_text,
    with_cell,
    write_rules_package,
)

from conflictdata.tools import read_package, validate, validate_frames

#: These tests load the curated release, built once per session (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("curated_build")


def _frames(rows: dict[str, list[dict[str, str]]]) -> dict[str, pd.DataFrame]:
    """Each table as the text a CSV holds (the CSV writer's own quoting, read back)."""
    return {
        t: pd.read_csv(
            io.StringIO(csv_text(t, rows.get(t, []))),
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
        for t in SCHEMAS
    }


def _errors(report) -> set[tuple]:
    return {
        (f.table, f.key, f.code, f.field, f.value or None)
        for f in report.findings
        if f.severity == "error"
    }


def _agree(tmp_path, rows) -> set[tuple]:
    desc = write_rules_package(tmp_path, rows)
    csv_report = validate(desc)
    frame_report = validate_frames(_frames(rows), package=read_package(desc))
    assert _errors(frame_report) == _errors(csv_report), csv_report.format_text()
    return _errors(csv_report)


def test_clean_package_agrees(tmp_path):
    assert _agree(tmp_path, ROWS) == set()


@pytest.mark.parametrize("table,row,field,value,code", FIELD_CASES)
def test_field_cases_agree(tmp_path, table, row, field, value, code):
    if value == "NaN":  # a NaN cell is a value (E206, E207, E230), a NaN in pandas missing
        pytest.skip("a DataFrame cannot tell NaN from a missing value")
    errors = _agree(tmp_path, with_cell(table, row, **{field: value}))
    assert code in {e[2] for e in errors}


@pytest.mark.parametrize("changes,row,code,field", ROW_CASES)
def test_row_cases_agree(tmp_path, changes, row, code, field):
    errors = _agree(tmp_path, with_cell("events", row, **changes))
    assert (code, field) in {(e[2], e[3]) for e in errors}


@pytest.mark.parametrize(
    "table,row,changes",
    [
        ("events", 2, {"source_id": "SRC-009"}),
        ("actors", 1, {"parent_actor_id": "act-9999"}),
        ("role_notes", 0, {"role": "initiator", "event_id": "evt-0002"}),
        ("role_notes", 1, {"role": "target"}),
        ("actors", 0, {"parent_actor_id": "act-0002"}),
        ("events", 0, {"in_response_to_event_id": "evt-0001"}),
        ("events", 1, {"date_start": "2025-05-01", "date_end": "2025-05-31"}),
        ("events", 1, {"date_start": "2025-05-01", "date_end": "", "date_precision": "month"}),
        ("event_roles", 1, {"role": "initiator"}),
        ("event_roles", 1, {"role": ""}),
        ("events", 0, {"date_end": "junk"}),
    ],
)
def test_cross_table_cases_agree(tmp_path, table, row, changes):
    _agree(tmp_path, with_cell(table, row, **changes))


_TRICKY = [
    "",
    " ",
    "x",
    "0",
    "-1",
    "2",
    "1.5",
    "1e3",
    "NaN",
    "true",
    "0",
    "yes",
    "2025-06-13",
    "2025-06-30",
    "2025-02-30",
    "2025-06-01",
    "1899-12-31",
    "13-06-2025",
    "evt-0001",
    "evt-0002",
    "evt-9999",
    "act-0001",
    "act-0002",
    "SRC-001",
    "SRC-9",
    "airstrike",
    "interception",
    "day",
    "month",
    "year",
    "unknown",
    "exact",
    "initiator",
    "target",
    "95",
    "-180.5",
    "https://example.org/a",
    "Ünïcödé",
]


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_cells_agree(tmp_path, data):
    rows = copy.deepcopy(ROWS)
    for _ in range(data.draw(st.integers(1, 4))):
        table = data.draw(st.sampled_from(sorted(t for t in rows if rows[t])))
        i = data.draw(st.integers(0, len(rows[table]) - 1))
        name = data.draw(st.sampled_from([f["name"] for f in SCHEMAS[table]["fields"]]))
        rows[table][i][name] = data.draw(st.sampled_from(_TRICKY))
    _agree(tmp_path, rows)
