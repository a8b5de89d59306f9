"""Layer 5, lints: whitespace, NFC, formulas, invisible characters and unused sources."""

from __future__ import annotations

import pytest
from support.validate import (
    column_of,
    located,
    validate_rows,
    with_cell,
)

EV = "seeds/events.csv"


LINT_CASES = [
    ({"source_excerpt": " leading"}, "W501"),
    ({"source_excerpt": "trailing\n"}, "W501"),
    ({"source_excerpt": "nbsp\u00a0"}, "W501"),
    ({"source_excerpt": "Cafe\u0301"}, "W502"),
    ({"source_excerpt": '=HYPERLINK("x")'}, "W503"),
    ({"source_excerpt": "+1 555"}, "W503"),
    ({"source_excerpt": "-cmd|' /C calc'!A0"}, "W503"),
    ({"source_excerpt": "@SUM(A1)"}, "W503"),
]


@pytest.mark.parametrize("changes,code", LINT_CASES)
def test_lint_warns_at_the_cell(tmp_path, changes, code):
    report = validate_rows(tmp_path, with_cell("events", 1, **changes))
    assert located(report, code) == [(EV, 3, column_of("events", "source_excerpt"))]
    assert report.valid and report.warnings == 1 and report.errors == 0


def test_lints_leave_numbers_and_nfc_text_alone(tmp_path):
    rows = with_cell(
        "events", 0, latitude="-35.5", longitude="-51", source_excerpt="Café naïve 北京 — “quoted”"
    )
    rows["actors"][0]["name"] = "-5"
    report = validate_rows(tmp_path, rows)
    assert report.findings == [], report.format_text()


def test_unused_source(tmp_path):
    rows = with_cell("actors", 1, source_id="SRC-001")
    report = validate_rows(tmp_path, rows)
    assert located(report, "W504") == [("seeds/sources.csv", 3, 1)]
    assert report.valid
