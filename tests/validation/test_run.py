"""The whole run on the small package: clean means no findings; every layer reports in one
run; the per-rule limit counts the rest."""

from __future__ import annotations

import threading

import pytest
from support.validate import (
    ROWS,
    SOURCE_TEXT,
    located,
    validate_rows,
    with_cell,
    write_rules_package,
)

from conflictdata._validation import run
from conflictdata.tools import validate


def test_clean_package_has_no_findings(tmp_path):
    report = validate_rows(tmp_path)
    assert report.findings == []
    assert report.valid and report.errors == 0 and report.warnings == 0
    assert report.stats["tables"]["events"]["rows"] == len(ROWS["events"])


def test_clean_package_with_sources_dir_has_no_findings(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    report = validate_rows(tmp_path, sources_dir=tmp_path / "texts")
    assert report.findings == []
    assert report.stats["provenance"]["excerpts_checked"] == len(ROWS["events"])


def test_all_findings_across_tables_in_one_run(tmp_path):
    rows = with_cell("events", 0, event_type="bombing")
    rows["actors"][1]["parent_actor_id"] = "act-9999"
    rows["sources"][0]["title"] = "A"
    report = validate_rows(tmp_path, rows)
    assert [(f.path, f.code) for f in report.findings] == [
        ("seeds/actors.csv", "E401"),
        ("seeds/events.csv", "E204"),
        ("seeds/sources.csv", "E208"),
    ]


def test_per_rule_limit_counts_the_rest(tmp_path):
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["events"] = [
        {**ROWS["events"][0], "event_id": f"evt-{i:04d}", "event_type": "bad"} for i in range(1, 31)
    ]
    report = validate(write_rules_package(tmp_path, rows), max_per_rule=10)
    assert len(located(report, "E204")) == 10
    assert report.stats["suppressed"] == {"E204": 20}
    assert "E204 x20" in report.summary()


def test_a_parsed_package_validates_like_its_descriptor(tmp_path):
    """validate() takes an already read Package (as the build passes its own) and finds the
    same as from the descriptor path."""
    from conflictdata.tools import read_package

    desc = write_rules_package(tmp_path, with_cell("events", 1, low="two", source_excerpt=" x"))
    by_path = validate(desc)
    by_package = validate(read_package(desc))
    assert by_path.errors == 1 and by_path.warnings >= 1
    assert by_package.findings == by_path.findings


def test_the_hook_may_hand_back_a_wait_called_after_the_tables_checks(tmp_path, monkeypatch):
    """What ``on_table`` returns is called once, in the thread that read the table, after
    that table's checks and before the next table is read (the build writes a table while
    it is checked, and waits here); an exception it raises ends the validation."""
    events: list[tuple[str, str, int]] = []
    checks = run.check_lints

    def check_lints(td, out):
        checks(td, out)
        events.append(("checked", td.schema.name, threading.get_ident()))

    def hook(schema, columns):
        events.append(("hook", schema.name, threading.get_ident()))
        return lambda: events.append(("wait", schema.name, threading.get_ident()))

    monkeypatch.setattr(run, "check_lints", check_lints)
    report = validate_rows(tmp_path, on_table=hook)
    assert report.valid
    tables = list(report.stats["tables"])
    assert sorted({name for _, name, _ in events}) == sorted(tables)
    for name in tables:
        mine = [(what, ident) for what, n, ident in events if n == name]
        assert [what for what, _ in mine] == ["hook", "checked", "wait"]
        assert len({ident for _, ident in mine}) == 1
    # one table at a time here (small files): each waits before the next is hooked
    kinds = [what for what, _, _ in events]
    assert kinds == ["hook", "checked", "wait"] * len(tables)

    def failing(schema, columns):
        def wait():
            raise RuntimeError(f"writing {schema.name} failed")

        return wait

    with pytest.raises(RuntimeError, match=r"writing .* failed"):
        validate_rows(tmp_path / "again", on_table=failing)
