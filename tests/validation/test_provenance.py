"""Provenance (--sources-dir): every excerpt occurs in its source's text."""

from __future__ import annotations

from support.validate import (
    SOURCE_TEXT,
    column_of,
    located,
    validate_rows,
    with_cell,
    write_rules_package,
)

from conflictdata.tools import validate

EV = "seeds/events.csv"


def test_excerpt_not_in_source_text(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    rows = with_cell("events", 2, source_excerpt="Israel struck Iraq's nuclear facilities")
    report = validate_rows(tmp_path, rows, sources_dir=tmp_path / "texts")
    assert located(report, "E404") == [(EV, 4, column_of("events", "source_excerpt"))]


def test_excerpt_with_ellipsis_for_an_omission(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    rows = with_cell("events", 2, source_excerpt="Israel struck ... on Friday")
    report = validate_rows(tmp_path, rows, sources_dir=tmp_path / "texts")
    assert report.findings == []
    rows = with_cell("events", 2, source_excerpt="on Friday ... Israel struck")
    report = validate(write_rules_package(tmp_path, rows), sources_dir=tmp_path / "texts")
    assert located(report, "E404") == [(EV, 4, column_of("events", "source_excerpt"))]


def test_sources_without_text_are_findings(tmp_path):
    """A cited source with no text is E405 at its row; nothing checked at all is E406."""
    (tmp_path / "texts").mkdir()
    report = validate_rows(
        tmp_path, with_cell("events", 2, source_excerpt="anything"), sources_dir=tmp_path / "texts"
    )
    assert located(report, "E405") == [("seeds/sources.csv", 2, 1)]
    assert [(f.path, f.line) for f in report.findings if f.code == "E406"] == [
        (str(tmp_path / "texts"), None)
    ]
    assert not report.valid and report.stats["provenance"]["excerpts_checked"] == 0


def test_missing_sources_dir_cannot_run(tmp_path, capsys):
    from conflictdata.cli import main

    desc = write_rules_package(tmp_path)
    assert main(["validate", str(desc), "--sources-dir", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err
