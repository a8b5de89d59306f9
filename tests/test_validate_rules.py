"""One test per validation rule (layers 2-5): each breaks one cell of a clean package and
checks the finding's code, path, line and column; the clean package has no findings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictdata.validator import validate
from validate_support import (
    ROWS,
    SOURCE_TEXT,
    column_of,
    located,
    with_cell,
    write_package,
)

EV = "seeds/events.csv"


def run(tmp_path, rows=None, **kw):
    return validate(write_package(tmp_path, rows), **kw)


def test_clean_package_has_no_findings(tmp_path):
    report = run(tmp_path)
    assert report.findings == []
    assert report.valid and report.errors == 0 and report.warnings == 0
    assert report.stats["tables"]["events"]["rows"] == len(ROWS["events"])


def test_clean_package_with_sources_dir_has_no_findings(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    report = run(tmp_path, sources_dir=tmp_path / "texts")
    assert report.findings == []
    assert report.stats["provenance"]["excerpts_checked"] == len(ROWS["events"])


# -- layer 2 ---------------------------------------------------------------------------------

FIELD_CASES = [
    # (table, row, field, bad value, code)
    ("actors", 1, "name", "", "E201"),
    ("events", 1, "low", "two", "E202"),
    ("events", 1, "low", "2.0", "E202"),
    ("events", 1, "low", "+2", "E202"),
    ("events", 0, "latitude", "35,7", "E202"),
    ("events", 0, "latitude", "NaN", "E202"),
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


@pytest.mark.parametrize("table,row,field,value,code", FIELD_CASES)
def test_field_rule_fires_at_the_cell(tmp_path, table, row, field, value, code):
    report = run(tmp_path, with_cell(table, row, **{field: value}))
    got = located(report, code)
    assert (f"seeds/{table}.csv", row + 2, column_of(table, field)) in got, report.format_text()
    hit = next(f for f in report.findings if f.code == code)
    assert hit.severity == "error" and hit.table == table and hit.field == field
    assert hit.value == value
    assert not report.valid


def test_valid_edge_values_pass(tmp_path):
    rows = with_cell("events", 1, low="0", best="007", high="1000000")
    rows["events"][0].update(latitude="-90", longitude="1e2", date_start="2024-02-29",
                             date_end="2024-02-29")
    rows["sources"][1]["trusted"] = "FALSE"
    report = run(tmp_path, rows)
    assert report.findings == [], report.format_text()


def test_duplicate_id_message_names_first_line_and_key(tmp_path):
    report = run(tmp_path, with_cell("events", 2, event_id="evt-0001"))
    (f,) = [f for f in report.findings if f.code == "E211"]
    assert "line 2" in f.message and f.key == "evt-0001" and f.line == 4


def test_composite_primary_key_duplicate(tmp_path):
    rows = with_cell("event_roles", 2, event_id="evt-0001", role="target")
    report = run(tmp_path, rows)
    assert located(report, "E211") == [("seeds/event_roles.csv", 4, 1)]


def test_finding_carries_row_key(tmp_path):
    report = run(tmp_path, with_cell("events", 2, event_type="bombing"))
    (f,) = report.findings
    assert f.key == "evt-0003" and f.value == "bombing"


def test_pattern_is_a_full_match_even_without_anchors(tmp_path):
    from validate_support import SCHEMAS
    import copy

    schemas = copy.deepcopy(SCHEMAS)
    schemas["sources"]["fields"][0]["constraints"]["pattern"] = "SRC-[0-9]{3}"
    rows = with_cell("sources", 1, source_id="SRC-0021")
    rows["actors"][1]["source_id"] = "SRC-0021"
    report = validate(write_package(tmp_path, rows, schemas=schemas))
    assert located(report, "E205") == [("seeds/sources.csv", 3, 1)]


def test_pattern_re2_cannot_compile_is_refused(tmp_path):
    """A lookahead is not RE2: refused when the schema is read (no backtracking fallback)."""
    from validate_support import SCHEMAS
    import copy

    from conflictdata.errors import DescriptorError

    schemas = copy.deepcopy(SCHEMAS)
    schemas["actors"]["fields"][1]["constraints"]["pattern"] = "(?!x)[A-Za-z]+"
    with pytest.raises(DescriptorError, match=r"schemas/actors.json: field 'name'.*pattern"):
        validate(write_package(tmp_path, schemas=schemas))


# -- layer 3 ---------------------------------------------------------------------------------

ROW_CASES = [
    ({"date_start": "2025-06-14", "date_precision": "year", "date_end": "2025-06-13"},
     0, "E301", "date_end"),
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


@pytest.mark.parametrize("changes,row,code,field", ROW_CASES)
def test_row_check_fires_at_the_cell(tmp_path, changes, row, code, field):
    report = run(tmp_path, with_cell("events", row, **changes))
    assert located(report, code) == [(EV, row + 2, column_of("events", field))], \
        report.format_text()


def test_row_checks_skip_nulls_and_invalid_values(tmp_path):
    # best empty: low <= high still holds; an invalid date is E202 only, not also E301
    rows = with_cell("events", 1, best="", count_qualifier="", low="1", high="2")
    rows["events"][0]["date_end"] = "junk"
    report = run(tmp_path, rows)
    assert [f.code for f in report.findings] == ["E202"], report.format_text()


# -- layer 4 ---------------------------------------------------------------------------------


def test_foreign_key_to_other_table(tmp_path):
    report = run(tmp_path, with_cell("events", 2, source_id="SRC-009"))
    assert located(report, "E401") == [(EV, 4, column_of("events", "source_id"))]


def test_self_referencing_foreign_key(tmp_path):
    report = run(tmp_path, with_cell("actors", 1, parent_actor_id="act-9999"))
    assert located(report, "E401") == [("seeds/actors.csv", 3, 3)]


def test_multi_field_foreign_key(tmp_path):
    report = run(tmp_path, with_cell("role_notes", 0, role="initiator", event_id="evt-0002"))
    assert located(report, "E401") == [("seeds/role_notes.csv", 2, 2)]
    # every part present and matching one row is fine; a partly empty key is not checked
    report = run(tmp_path, with_cell("role_notes", 1, role="target"))
    assert report.findings == []


def test_cycle_reports_every_row_on_it(tmp_path):
    rows = with_cell("actors", 0, parent_actor_id="act-0002")  # act-1 -> act-2 -> act-1
    report = run(tmp_path, rows)
    got = located(report, "E402")
    assert got == [("seeds/actors.csv", 2, 3), ("seeds/actors.csv", 3, 3)]
    assert "act-0001 → act-0002 → act-0001" in report.findings[0].message


def test_self_loop_and_tail_into_cycle(tmp_path):
    rows = with_cell("events", 0, in_response_to_event_id="evt-0001")  # self loop
    rows["events"][2]["in_response_to_event_id"] = "evt-0002"  # a tail: evt-3 -> evt-2 -> evt-1
    report = run(tmp_path, rows)
    lines = [f.line for f in report.findings if f.code == "E402"]
    assert lines == [2], report.format_text()  # only the row on the cycle, not the tail


def test_long_chain_is_not_a_cycle(tmp_path):
    n = 300
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["actors"] = [
        {"actor_id": f"act-{i:04d}", "name": "x", "source_id": "SRC-001",
         "parent_actor_id": f"act-{i - 1:04d}" if i > 1 else ""}
        for i in range(1, n + 1)
    ]
    rows["actors"][0]["source_id"] = "SRC-002"
    report = run(tmp_path, rows)
    assert report.findings == [], report.format_text()[:2000]
    rows["actors"][0]["parent_actor_id"] = f"act-{n:04d}"  # close the chain into one big cycle
    report = validate(write_package(tmp_path, rows))
    assert len(located(report, "E402")) == n


def test_not_before(tmp_path):
    rows = with_cell("events", 1, date_start="2025-05-01", date_end="2025-05-31")
    report = run(tmp_path, rows)
    assert located(report, "E403") == [(EV, 3, column_of("events", "date_end"))]
    # without an end date, the start date is used
    rows["events"][1].update(date_end="", date_precision="month")
    report = validate(write_package(tmp_path, rows))
    assert (EV, 3, column_of("events", "date_start")) in located(report, "E403")


# -- layer 5 ---------------------------------------------------------------------------------

LINT_CASES = [
    ({"source_excerpt": " leading"}, "W501"),
    ({"source_excerpt": "trailing\n"}, "W501"),
    ({"source_excerpt": "nbsp\u00a0"}, "W501"),
    ({"source_excerpt": "Cafe\u0301"}, "W502"),
    ({"source_excerpt": "=HYPERLINK(\"x\")"}, "W503"),
    ({"source_excerpt": "+1 555"}, "W503"),
    ({"source_excerpt": "-cmd|' /C calc'!A0"}, "W503"),
    ({"source_excerpt": "@SUM(A1)"}, "W503"),
]


@pytest.mark.parametrize("changes,code", LINT_CASES)
def test_lint_warns_at_the_cell(tmp_path, changes, code):
    report = run(tmp_path, with_cell("events", 1, **changes))
    assert located(report, code) == [(EV, 3, column_of("events", "source_excerpt"))]
    assert report.valid and report.warnings == 1 and report.errors == 0


def test_lints_leave_numbers_and_nfc_text_alone(tmp_path):
    rows = with_cell("events", 0, latitude="-35.5", longitude="-51",
                     source_excerpt="Café naïve 北京 — “quoted”")
    rows["actors"][0]["name"] = "-5"
    report = run(tmp_path, rows)
    assert report.findings == [], report.format_text()


def test_unused_source(tmp_path):
    rows = with_cell("actors", 1, source_id="SRC-001")
    report = run(tmp_path, rows)
    assert located(report, "W504") == [("seeds/sources.csv", 3, 1)]
    assert report.valid


# -- provenance ------------------------------------------------------------------------------


def test_excerpt_not_in_source_text(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    rows = with_cell("events", 2, source_excerpt="Israel struck Iraq's nuclear facilities")
    report = run(tmp_path, rows, sources_dir=tmp_path / "texts")
    assert located(report, "E404") == [(EV, 4, column_of("events", "source_excerpt"))]


def test_excerpt_with_ellipsis_for_an_omission(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    rows = with_cell("events", 2, source_excerpt="Israel struck ... on Friday")
    report = run(tmp_path, rows, sources_dir=tmp_path / "texts")
    assert report.findings == []
    rows = with_cell("events", 2, source_excerpt="on Friday ... Israel struck")
    report = validate(write_package(tmp_path, rows), sources_dir=tmp_path / "texts")
    assert located(report, "E404") == [(EV, 4, column_of("events", "source_excerpt"))]


def test_sources_without_text_are_findings(tmp_path):
    """A cited source with no text is E405 at its row; nothing checked at all is E406."""
    (tmp_path / "texts").mkdir()
    report = run(tmp_path, with_cell("events", 2, source_excerpt="anything"),
                 sources_dir=tmp_path / "texts")
    assert located(report, "E405") == [("seeds/sources.csv", 2, 1)]
    assert [(f.path, f.line) for f in report.findings if f.code == "E406"] == [
        (str(tmp_path / "texts"), None)]
    assert not report.valid and report.stats["provenance"]["excerpts_checked"] == 0


# -- all at once -----------------------------------------------------------------------------


def test_all_findings_across_tables_in_one_run(tmp_path):
    rows = with_cell("events", 0, event_type="bombing")
    rows["actors"][1]["parent_actor_id"] = "act-9999"
    rows["sources"][0]["title"] = "A"
    report = run(tmp_path, rows)
    assert [(f.path, f.code) for f in report.findings] == [
        ("seeds/actors.csv", "E401"),
        ("seeds/events.csv", "E204"),
        ("seeds/sources.csv", "E208"),
    ]


def test_per_rule_limit_counts_the_rest(tmp_path):
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["events"] = [
        {**ROWS["events"][0], "event_id": f"evt-{i:04d}", "event_type": "bad"}
        for i in range(1, 31)
    ]
    report = validate(write_package(tmp_path, rows), max_per_rule=10)
    assert len(located(report, "E204")) == 10
    assert report.stats["suppressed"] == {"E204": 20}
    assert "E204 x20" in report.summary()


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",))))
def test_nfc_candidates_never_miss_non_nfc_text(text):
    """The byte-level shortcut may flag NFC text too, but never misses text that is not NFC."""
    import unicodedata

    import pyarrow as pa

    from conflictdata.nfc import non_nfc_candidates

    flagged = len(non_nfc_candidates(pa.chunked_array([pa.array([text])]))) > 0
    if not unicodedata.is_normalized("NFC", text):
        assert flagged
    if all(ord(c) < 0x300 for c in text):
        assert not flagged


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.text(alphabet=st.characters(max_codepoint=0x2FFFF,
                                                     exclude_categories=("Cs",)), max_size=6),
                      max_size=12),
       split=st.integers(0, 12))
def test_suspect_rows_cover_every_non_nfc_cell(cells, split):
    import unicodedata

    import pyarrow as pa

    from conflictdata.nfc import non_nfc_candidates

    arr = pa.chunked_array([pa.array(cells[:split], pa.string()),
                            pa.array(cells[split:], pa.string())])
    flagged = set(non_nfc_candidates(arr).tolist())
    assert {i for i, c in enumerate(cells) if not unicodedata.is_normalized("NFC", c)} <= flagged


def test_missing_sources_dir_cannot_run(tmp_path, capsys):
    from conflictdata.cli import main

    desc = write_package(tmp_path)
    assert main(["validate", str(desc), "--sources-dir", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err
