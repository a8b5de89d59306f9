"""The engine on the repository's real schemas: a copy of the curated package with one defect
injected per case must fail at the right path:line:column, through the CLI, without a crash."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from conflictdata.cli import main
from conflictdata.tools import validate


@pytest.fixture
def pkg(tmp_path, root):
    shutil.copy(root / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(root / "schemas", tmp_path / "schemas")
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    return tmp_path


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def inject(pkg, table, pick, field, value):
    """Set ``field`` of the first data row for which ``pick(row_dict)`` holds; return the
    physical line (1-based) and column of that cell in the rewritten file."""
    path = pkg / "seeds" / f"{table}.csv"
    rows = _rows(path)
    header = rows[0]
    for i, r in enumerate(rows[1:], start=1):  # noqa: B007 - i, the row found, is used after
        if pick(dict(zip(header, r, strict=True))):
            r[header.index(field)] = value
            break
    else:
        pytest.skip(f"no {table} row fits this case in the current seeds")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows[:i])
    _write(path, rows)
    return buf.getvalue().count("\n") + 1, header.index(field) + 1


CASES = [
    ("events", lambda r: True, "event_type", "airstrke", "E204"),
    ("events", lambda r: r["date_precision"] == "day", "date_end", "2025-02-30", "E203"),
    ("events", lambda r: True, "source_id", "no-such-source", "E401"),
    (
        "events",
        lambda r: r["record_status"] == "active",
        "record_status",
        "superseded",
        "E303:superseded_by",
    ),
    ("actors", lambda r: True, "actor_id", "act-x", "E205"),
    (
        "statements",
        lambda r: r["date_precision"] == "day" and r["date_start"] == r["date_end"],
        "date_start",
        "1999-01-01",
        "E305:date_end",
    ),
    ("figures", lambda r: r["count_qualifier"] == "exact", "count_best", "", "E303"),
    ("deployments", lambda r: True, "latitude", "91", "E207"),
    ("event_actors", lambda r: True, "event_id", "evt-9999", "E401"),
]


@pytest.mark.parametrize("table,pick,field,value,code", CASES)
def test_injected_defect_is_located(pkg, capsys, table, pick, field, value, code):
    code, _, at = code.partition(":")
    line, col = inject(pkg, table, pick, field, value)
    if at:  # the finding belongs to another cell of the row
        col = _rows(pkg / "seeds" / f"{table}.csv")[0].index(at) + 1
    report = validate(pkg / "datapackage.json")
    got = [(f.path, f.line, f.column) for f in report.findings if f.code == code]
    assert (f"seeds/{table}.csv", line, col) in got, report.format_text()
    assert main(["validate", str(pkg / "datapackage.json")]) == 1
    assert f"seeds/{table}.csv:{line}:" in capsys.readouterr().out


def test_answering_event_dated_before_what_it_answers(pkg):
    path = pkg / "seeds" / "events.csv"
    rows = _rows(path)
    h = rows[0]
    idx = {
        n: h.index(n)
        for n in ("event_id", "in_response_to_event_id", "date_start", "date_end", "date_precision")
    }
    answering = [r for r in rows[1:] if r[idx["in_response_to_event_id"]]]
    if not answering:
        pytest.skip("no event answers another in the current seeds")
    r = answering[0]
    ref = next(x for x in rows[1:] if x[idx["event_id"]] == r[idx["in_response_to_event_id"]])
    if not ref[idx["date_start"]]:  # notBefore needs the referenced start: give it one
        ref[idx["date_start"]] = ref[idx["date_end"]] or "2025-06-13"
    r[idx["date_start"]] = r[idx["date_end"]] = "1990-01-01"
    r[idx["date_precision"]] = "day"
    _write(path, rows)
    report = validate(pkg / "datapackage.json")
    assert any(f.code == "E403" and f.key == r[idx["event_id"]] for f in report.findings), (
        report.format_text()
    )


def test_superseded_by_cycle(pkg):
    path = pkg / "seeds" / "events.csv"
    rows = _rows(path)
    h = rows[0]
    a, b = rows[1], rows[2]
    for x, y in ((a, b), (b, a)):
        x[h.index("record_status")] = "superseded"
        x[h.index("superseded_by")] = y[h.index("event_id")]
    _write(path, rows)
    report = validate(pkg / "datapackage.json")
    cycle = [f for f in report.findings if f.code == "E402"]
    assert {f.key for f in cycle} == {a[h.index("event_id")], b[h.index("event_id")]}, (
        report.format_text()
    )
    assert all(f.field == "superseded_by" for f in cycle)
