"""Findings a person can act on: each text line names the field and the spreadsheet column, a
row's structural cause comes first and says where the row goes wrong, what follows from it
is folded under it (strict policy) and linked to it (JSON), one problem is one line, and ID
hints name the next free ID."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conflictdata._checks.findings import column_letter
from conflictdata.cli import main
from conflictdata.tools import validate

EV = "seeds/events.csv"


@pytest.fixture
def repo(tmp_path: Path, root: Path) -> Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "schemas", dest / "schemas")
    shutil.copytree(root / "seeds", dest / "seeds")
    return dest


def _edit(repo: Path, name: str, line: int, old: str, new: str) -> None:
    path = repo / "seeds" / name
    lines = path.read_text("utf-8").split("\n")
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), "utf-8")


def _add_event(repo: Path, row: str) -> None:
    path = repo / EV
    path.write_text(path.read_text("utf-8") + row + "\n", "utf-8")


#: A row a contributor adds with an unquoted comma in location_text (column L).
COMMA_ROW = (
    "evt-0011,,,,airstrike,occurred,Strike on Tehran,2025-06-14,2025-06-14,day,,"
    "Tehran, Iran,IRN,,,locality,000_63162909b2063bbe,"
    "Israel conducted a targeted strike,,active,"
)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["validate", *argv, "--against", "none"])
    return code, capsys.readouterr().out.splitlines()


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 12, 26, 27, 52, 703)] == [
        "A",
        "L",
        "Z",
        "AA",
        "AZ",
        "AAA",
    ]


def test_an_unquoted_comma_is_one_finding_that_says_where(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_event(repo, COMMA_ROW)
    code, out = _run(capsys, str(repo / "datapackage.json"))
    assert code == 1
    row = [x for x in out if x.startswith((f"{EV}:12:", "    "))]
    assert len(row) == 2, out
    cause, folded = row
    assert cause.startswith(
        f"{EV}:12:22: E108 [column V] 22 cells, but the header has 21: the first 21 are "
        "checked; from country_iso3 (column M) on the cells look shifted one to the right "
        "(' Iran' is in M): an unquoted comma in location_text (column L)?"
    )
    assert '("Tehran, Iran")' in cause  # the hint shows the cell as it should be written
    assert folded.startswith("    and 9 more on this row that it probably causes (")
    assert folded.endswith("--format json lists every one)")


def test_json_keeps_every_finding_linked_to_its_cause(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_event(repo, COMMA_ROW)
    assert main(["validate", str(repo / "datapackage.json"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    row = [f for f in doc["findings"] if f["line"] == 12]
    (cause,) = [f for f in row if f["code"] == "E108"]
    assert row[0] is cause and cause["cause"] is None  # the structural cause first
    rest = row[1:]
    assert len(rest) == 9
    link = {"code": "E108", "path": EV, "line": 12, "column": 22}
    assert all(f["cause"] == link for f in rest)
    assert [f["field"] for f in rest][:2] == ["country_iso3", "country_iso3"]


def test_under_the_spec_policy_every_finding_is_listed_cause_first(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_event(repo, COMMA_ROW)
    code, out = _run(capsys, str(repo / "datapackage.json"), "--policy", "spec")
    row = [x for x in out if x.startswith(f"{EV}:12:")]
    assert code == 1 and len(row) == 10
    assert " E108 " in row[0] and not any(x.startswith("    ") for x in out)


def test_a_row_with_a_cell_too_few_says_so(repo: Path) -> None:
    path = repo / "seeds" / "figures.csv"
    lines = path.read_text("utf-8").split("\n")
    cells = lines[2].split(",")
    lines[2] = ",".join(cells[:3] + cells[4:])  # count_low's cell and its comma gone
    path.write_text("\n".join(lines), "utf-8")
    report = validate(repo / "datapackage.json")
    row = [f for f in report.findings if f.path == "seeds/figures.csv" and f.line == 3]
    cause = row[0]
    assert cause.code == "E124" and cause.cause is None
    assert "the row has 13 cells, the header 14" in cause.message
    assert "shifted one to the left" in cause.message
    assert all(f.cause == cause.ref() for f in row[1:])
    text = report.format_text()
    assert "more on this row that it probably causes" in text
    assert len([x for x in text.splitlines() if x.startswith("seeds/figures.csv:3:")]) == 1


def test_a_reused_id_is_one_finding_naming_the_next_free_id(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(repo, "events.csv", 5, "evt-0004,", "evt-0003,")
    code, out = _run(capsys, str(repo / "datapackage.json"))
    lines = [x for x in out if x.startswith(f"{EV}:5:1:")]
    assert code == 1
    assert len(lines) == 1 and " E211 [event_id, column A] " in lines[0]
    assert "give the row the next free ID, evt-0011" in lines[0]
    report = validate(repo / "datapackage.json")
    (e210,) = [f for f in report.findings if f.code == "E210"]
    (e211,) = [f for f in report.findings if f.code == "E211"]
    assert e210.cause == e211.ref()


def test_the_next_free_id_counts_released_ids(repo: Path, curated_releases: Path) -> None:
    """An ID deleted since the release is never reused: the next free ID is past it."""
    release = curated_releases / "0.1.0"
    path = repo / EV
    lines = path.read_text("utf-8").split("\n")
    path.write_text("\n".join(x for x in lines if not x.startswith("evt-0010,")), "utf-8")
    _edit(repo, "events.csv", 5, "evt-0004,", "evt-0003,")
    report = validate(repo / "datapackage.json", against=release)
    (e211,) = [f for f in report.findings if f.code == "E211"]
    assert "the next free ID, evt-0011" in e211.hint


def test_an_enum_value_that_is_also_a_dangling_key_is_one_finding(repo: Path) -> None:
    _edit(repo, "events.csv", 5, ",missile_attack,", ",missile_atack,")
    report = validate(repo / "datapackage.json")
    (e204,) = [f for f in report.findings if f.code == "E204"]
    (e401,) = [f for f in report.findings if f.code == "E401"]
    assert e401.cause == e204.ref()
    text = [x for x in report.format_text().splitlines() if x.startswith(f"{EV}:5:")]
    assert len(text) == 1 and " E204 [event_type, column E] " in text[0]


def test_references_read_as_english(repo: Path) -> None:
    _edit(repo, "event_actors.csv", 2, "evt-0001", "evt-0099")
    report = validate(repo / "datapackage.json")
    (f,) = [f for f in report.findings if f.code == "E401"]
    assert "is not an events.event_id" in f.message
