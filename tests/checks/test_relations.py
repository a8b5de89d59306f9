"""Layer 4, across tables: foreign keys, cycles of self-references and notBefore."""

from __future__ import annotations

from support.validate import (
    ROWS,
    column_of,
    located,
    validate_rows,
    with_cell,
    write_rules_package,
)

from conflictdata.tools import validate

EV = "seeds/events.csv"


def test_foreign_key_to_other_table(tmp_path):
    report = validate_rows(tmp_path, with_cell("events", 2, source_id="SRC-009"))
    assert located(report, "E401") == [(EV, 4, column_of("events", "source_id"))]


def test_self_referencing_foreign_key(tmp_path):
    report = validate_rows(tmp_path, with_cell("actors", 1, parent_actor_id="act-9999"))
    assert located(report, "E401") == [("seeds/actors.csv", 3, 3)]


def test_multi_field_foreign_key(tmp_path):
    report = validate_rows(
        tmp_path, with_cell("role_notes", 0, role="initiator", event_id="evt-0002")
    )
    assert located(report, "E401") == [("seeds/role_notes.csv", 2, 2)]
    # as in frictionless, a partly empty key is looked up with None for the empty part
    # (no event_roles row has an empty event_id); an all-empty key is not looked up
    report = validate_rows(tmp_path, with_cell("role_notes", 1, role="target"))
    assert located(report, "E401") == [("seeds/role_notes.csv", 3, 2)]
    assert validate_rows(tmp_path).findings == []


def test_cycle_reports_every_row_on_it(tmp_path):
    rows = with_cell("actors", 0, parent_actor_id="act-0002")  # act-1 -> act-2 -> act-1
    report = validate_rows(tmp_path, rows)
    got = located(report, "E402")
    assert got == [("seeds/actors.csv", 2, 3), ("seeds/actors.csv", 3, 3)]
    assert "act-0001 → act-0002 → act-0001" in report.findings[0].message


def test_self_loop_and_tail_into_cycle(tmp_path):
    rows = with_cell("events", 0, in_response_to_event_id="evt-0001")  # self loop
    rows["events"][2]["in_response_to_event_id"] = "evt-0002"  # a tail: evt-3 -> evt-2 -> evt-1
    report = validate_rows(tmp_path, rows)
    lines = [f.line for f in report.findings if f.code == "E402"]
    assert lines == [2], report.format_text()  # only the row on the cycle, not the tail


def test_long_chain_is_not_a_cycle(tmp_path):
    n = 300
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["actors"] = [
        {
            "actor_id": f"act-{i:04d}",
            "name": "x",
            "source_id": "SRC-001",
            "parent_actor_id": f"act-{i - 1:04d}" if i > 1 else "",
        }
        for i in range(1, n + 1)
    ]
    rows["actors"][0]["source_id"] = "SRC-002"
    report = validate_rows(tmp_path, rows)
    assert report.findings == [], report.format_text()[:2000]
    rows["actors"][0]["parent_actor_id"] = f"act-{n:04d}"  # close the chain into one big cycle
    report = validate(write_rules_package(tmp_path, rows))
    assert len(located(report, "E402")) == n


def test_not_before(tmp_path):
    rows = with_cell("events", 1, date_start="2025-05-01", date_end="2025-05-31")
    report = validate_rows(tmp_path, rows)
    assert located(report, "E403") == [(EV, 3, column_of("events", "date_end"))]
    # without an end date, the start date is used
    rows["events"][1].update(date_end="", date_precision="month")
    report = validate(write_rules_package(tmp_path, rows))
    assert (EV, 3, column_of("events", "date_start")) in located(report, "E403")
