"""Layer 3, each row: the row rules (ordered, together, when, dateSpan) at the cell."""

from __future__ import annotations

import pytest
from support.validate import (
    ROW_CASES,
    column_of,
    located,
    validate_rows,
    with_cell,
)

EV = "seeds/events.csv"


@pytest.mark.parametrize("changes,row,code,field", ROW_CASES)
def test_row_check_fires_at_the_cell(tmp_path, changes, row, code, field):
    report = validate_rows(tmp_path, with_cell("events", row, **changes))
    assert located(report, code) == [(EV, row + 2, column_of("events", field))], (
        report.format_text()
    )


def test_row_checks_skip_nulls_and_invalid_values(tmp_path):
    # best empty: low <= high still holds; an invalid date is E202 only, not also E301
    rows = with_cell("events", 1, best="", count_qualifier="", low="1", high="2")
    rows["events"][0]["date_end"] = "junk"
    report = validate_rows(tmp_path, rows)
    assert [f.code for f in report.findings] == ["E202"], report.format_text()
