"""Layer 2, each field: one test per field rule; each breaks one cell of a clean package
and checks the finding's code, path, line and column."""

from __future__ import annotations

import pytest
from support.validate import (
    FIELD_CASES,
    column_of,
    located,
    validate_rows,
    with_cell,
    write_rules_package,
)

from conflictdata.tools import validate


@pytest.mark.parametrize("table,row,field,value,code", FIELD_CASES)
def test_field_rule_fires_at_the_cell(tmp_path, table, row, field, value, code):
    report = validate_rows(tmp_path, with_cell(table, row, **{field: value}))
    got = located(report, code)
    assert (f"seeds/{table}.csv", row + 2, column_of(table, field)) in got, report.format_text()
    hit = next(f for f in report.findings if f.code == code)
    assert hit.severity == "error" and hit.table == table and hit.field == field
    assert hit.value == value
    assert not report.valid


def test_valid_edge_values_pass(tmp_path):
    rows = with_cell("events", 1, low="0", best="007", high="1000000")
    rows["events"][0].update(
        latitude="-90", longitude="1e2", date_start="2024-02-29", date_end="2024-02-29"
    )
    rows["sources"][1]["trusted"] = "FALSE"
    report = validate_rows(tmp_path, rows)
    assert report.findings == [], report.format_text()


def test_duplicate_id_message_names_first_line_and_key(tmp_path):
    report = validate_rows(tmp_path, with_cell("events", 2, event_id="evt-0001"))
    (f,) = [f for f in report.findings if f.code == "E211"]
    assert "line 2" in f.message and f.key == "evt-0001" and f.line == 4


def test_composite_primary_key_duplicate(tmp_path):
    rows = with_cell("event_roles", 2, event_id="evt-0001", role="target")
    report = validate_rows(tmp_path, rows)
    assert located(report, "E211") == [("seeds/event_roles.csv", 4, 1)]


def test_finding_carries_row_key(tmp_path):
    report = validate_rows(tmp_path, with_cell("events", 2, event_type="bombing"))
    (f,) = report.findings
    assert f.key == "evt-0003" and f.value == "bombing"


def test_pattern_is_a_full_match_even_without_anchors(tmp_path):
    import copy

    from support.validate import SCHEMAS

    schemas = copy.deepcopy(SCHEMAS)
    schemas["sources"]["fields"][0]["constraints"]["pattern"] = "SRC-[0-9]{3}"
    rows = with_cell("sources", 1, source_id="SRC-0021")
    rows["actors"][1]["source_id"] = "SRC-0021"
    report = validate(write_rules_package(tmp_path, rows, schemas=schemas))
    assert located(report, "E205") == [("seeds/sources.csv", 3, 1)]


def test_pattern_re2_cannot_compile_is_refused(tmp_path):
    """A lookahead is not RE2: refused when the schema is read (no backtracking fallback)."""
    import copy

    from support.validate import SCHEMAS

    from conflictdata.errors import DescriptorError

    schemas = copy.deepcopy(SCHEMAS)
    schemas["actors"]["fields"][1]["constraints"]["pattern"] = "(?!x)[A-Za-z]+"
    with pytest.raises(DescriptorError, match=r"schemas/actors.json: field 'name'.*pattern"):
        validate(write_rules_package(tmp_path, schemas=schemas))
