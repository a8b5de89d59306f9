"""Layer 1: hostile files get findings at the right physical line, never a crash; a descriptor
that cannot be read exits 2 with one line on stderr. Includes hypothesis property tests."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import Ran, run_cli
from support.profiles import examples
from support.validate import ROWS, csv_text, located, with_cell, write_rules_package

from conflictdata.cli import main
from conflictdata.tools import validate

EV = "seeds/events.csv"
HEADER = csv_text("events", [])
GOOD = csv_text("events", ROWS["events"])  # header + 4 rows, lines 1-5
LINES = GOOD.splitlines(keepends=True)


def events_file(tmp_path, content: bytes | str | None):
    return validate(write_rules_package(tmp_path, raw={"events": content}))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_missing_file(tmp_path, capsys):
    desc = write_rules_package(tmp_path, raw={"role_notes": None})
    report = validate(desc)
    assert located(report, "E100") == [("seeds/role_notes.csv", None, None)]
    code, out, _ = cli(capsys, str(desc))
    assert code == 1 and "seeds/role_notes.csv: E100" in out


def test_empty_file(tmp_path):
    report = events_file(tmp_path, b"")
    assert located(report, "E102") == [(EV, 1, None)]
    assert not report.valid


def test_blank_only_file_is_empty(tmp_path):
    report = events_file(tmp_path, b"\r\n\n  \n")
    assert [f.code for f in report.findings if f.path == EV] == ["E102"]


def test_header_only_is_zero_rows(tmp_path):
    report = validate(write_rules_package(tmp_path, raw={"role_notes": csv_text("role_notes", [])}))
    assert report.findings == []
    assert report.stats["tables"]["role_notes"]["rows"] == 0


def test_header_only_without_final_newline(tmp_path):
    text = csv_text("role_notes", []).rstrip("\n")
    report = validate(write_rules_package(tmp_path, raw={"role_notes": text}))
    assert report.findings == []


def test_bom_is_an_error_but_the_rest_is_checked(tmp_path):
    bad = GOOD.replace("airstrike", "airstrke", 1)
    report = events_file(tmp_path, b"\xef\xbb\xbf" + bad.encode())
    assert located(report, "E103") == [(EV, 1, 1)]
    assert located(report, "E204") == [(EV, 2, 2)]
    assert not located(report, "E111")  # the header is read without the BOM


def test_crlf_is_read_and_lines_count_but_is_warned_once(tmp_path):
    """CRLF line ends are read (the row is located right); under the policy one warning per
    file names `conflictdata fix` (issue 23: they no longer pass silently)."""
    rows = with_cell("events", 2, event_type="airstrke")
    text = csv_text("events", rows["events"], newline="\r\n")
    report = events_file(tmp_path, text)
    assert [(f.code, f.line, f.column) for f in report.findings] == [
        ("W507", 1, None),
        ("E204", 4, 2),
    ]
    assert "conflictdata fix" in report.findings[0].hint
    spec = validate(write_rules_package(tmp_path, raw={"events": text}), policy="spec")
    assert [f.code for f in spec.findings] == ["E204"]


def test_quoted_newlines_shift_physical_lines(tmp_path):
    rows = with_cell("events", 0, source_excerpt="line one\nline two\r\nline three")
    rows["events"][1]["source_excerpt"] = 'said "x",\n\nthen'
    rows["events"][3]["event_type"] = "airstrke"
    text = csv_text("events", rows["events"])
    report = events_file(tmp_path, text)
    # header 1, row 1 lines 2-4, row 2 lines 5-7, row 3 line 8, row 4 line 9; the CRLF in
    # row 1's cell is warned (git's eol=lf, and `conflictdata fix`, make it LF)
    assert [(f.code, f.line) for f in report.findings] == [("W507", 3), ("E204", 9)]


def test_invalid_utf8_located_and_other_rows_checked(tmp_path):
    lines = list(LINES)
    lines[3] = lines[3].replace("Israel", "Isra\udcffel")
    data = "".join(lines).encode("utf-8", "surrogateescape")
    data = data.replace(b"airstrike", b"airstrke", 1)  # line 2
    report = events_file(tmp_path, data)
    assert located(report, "E104") == [(EV, 4, 14)]
    assert located(report, "E204") == [(EV, 2, 2)]


def test_latin1_file(tmp_path):
    rows = with_cell("events", 1, source_excerpt="Téhéran")
    data = csv_text("events", rows["events"]).encode("latin-1")
    report = events_file(tmp_path, data)
    assert located(report, "E104") == [(EV, 3, 14)]


def test_utf16_file_with_a_bom_is_read_as_utf16(tmp_path):
    """frictionless' detector reads a UTF-16 byte order mark without a declared encoding."""
    bad = GOOD.replace("airstrike", "airstrke", 1)
    report = events_file(tmp_path, bad.encode("utf-16"))
    assert [(f.code, f.line, f.row) for f in report.findings if f.path == EV] == [("E204", 2, 2)]


def test_nul_byte(tmp_path):
    data = "".join(
        [*LINES[:2], LINES[2].replace("interception", "inter\x00ception"), *LINES[3:]]
    ).encode()
    report = events_file(tmp_path, data)
    assert located(report, "E105") == [(EV, 3, 2)]


def test_unclosed_quote(tmp_path):
    lines = list(LINES)
    lines[3] = lines[3].replace("Israel struck", '"Israel struck')
    report = events_file(tmp_path, "".join(lines))
    assert located(report, "E106") == [(EV, 4, None)]
    assert not any(f.code == "E108" for f in report.findings)
    assert located(report, "E204") == []  # rows before it are clean and were read


def test_quote_inside_unquoted_cell(tmp_path):
    lines = list(LINES)
    lines[2] = lines[2].replace("officials said", 'officials "said"')
    lines[2] = lines[2].replace('""missiles,"" officials "said"', "x").replace('"The', "The")
    lines[2] = lines[2].replace('down x"', "down x")
    lines[4] = lines[4].replace("airstrike", "airstrke")
    text = "".join(lines)
    text = text.replace("Israel struck Iran's", 'Israel "struck" Iran\'s', 1)  # line 2
    report = events_file(tmp_path, text)
    assert located(report, "E107") == [(EV, 2, None)]
    assert located(report, "E204") == [(EV, 5, 2)]


def test_text_after_closing_quote(tmp_path):
    lines = list(LINES)
    lines[2] = lines[2].replace('officials said"', 'officials said" later')
    report = events_file(tmp_path, "".join(lines))
    assert located(report, "E107") == [(EV, 3, None)]


def test_ragged_rows(tmp_path):
    lines = list(LINES)
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    lines[3] = lines[3].replace(",SRC-001,", ",")
    lines[4] = lines[4].replace("airstrike", "airstrke")
    report = events_file(tmp_path, "".join(lines))
    n = len(HEADER.strip().split(","))
    assert located(report, "E108") == [(EV, 3, n + 1)]
    # the short row: one E124 per missing cell, the last field's
    assert [(f.line, f.column, f.field, f.row) for f in report.findings if f.code == "E124"] == [
        (4, n, "source_excerpt", 4)
    ]
    assert located(report, "E204") == [(EV, 5, 2)]  # the readable rows are still checked


def test_ragged_row_after_multiline_cell(tmp_path):
    rows = with_cell("events", 0, source_excerpt="a\nb\nc")
    lines = csv_text("events", rows["events"]).splitlines(keepends=True)
    # header, row1 = 3 lines (2-4), row2 line 5, row3 line 6
    lines[5] = lines[5].rstrip("\n") + ",x\n"
    report = events_file(tmp_path, "".join(lines))
    assert [(f.code, f.line) for f in report.findings if f.path == EV] == [("E108", 6)]


def test_stray_carriage_return(tmp_path):
    lines = list(LINES)
    lines[2] = lines[2].replace("interception", "inter\rception")
    lines[3] = lines[3].replace("airstrike", "airstrke")
    report = events_file(tmp_path, "".join(lines))
    assert [(f.code, f.line) for f in report.findings if f.path == EV] == [("E115", 3), ("E204", 4)]


def test_blank_line(tmp_path):
    report = events_file(tmp_path, "".join([*LINES[:3], "\n", *LINES[3:]]))
    # as frictionless: blank-row, and primary-key for the key it lacks
    assert [(f.code, f.line, f.row) for f in report.findings] == [("E109", 4, 4), ("E212", 4, 4)]


def test_header_duplicate_name(tmp_path):
    text = (
        HEADER.rstrip("\n")
        + ",event_type\n"
        + "".join(line.rstrip("\n") + ",x\n" for line in LINES[1:])
    )
    report = events_file(tmp_path, text)
    # the 15th label is beyond the 14 fields: an extra label, as frictionless says
    assert located(report, "E112") == [(EV, 1, 15)]
    text = HEADER.replace("date_start", "event_type", 1) + "".join(LINES[1:])
    report = validate(write_rules_package(tmp_path / "two", raw={"events": text}))
    assert [(f.column, f.field) for f in report.findings if f.code == "E110"] == [(3, "date_start")]


def test_header_missing_name(tmp_path):
    text = (
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != 4)
            for line in GOOD.replace('""missiles,""', "missiles").splitlines()
        )
        + "\n"
    )
    report = events_file(tmp_path, text)
    # by position, as frictionless: the last field has no column; the labels from the
    # fifth on name the wrong fields
    (f,) = [f for f in report.findings if f.code == "E111"]
    assert (f.line, f.field) == (1, "source_excerpt")
    assert [g.column for g in report.findings if g.code == "E113"] == list(range(5, 14))


def test_header_extra_and_misspelt_name(tmp_path):
    text = GOOD.replace("source_excerpt", "source_exerpt", 1)
    report = events_file(tmp_path, text)
    assert located(report, "E113") == [(EV, 1, 14)]
    (f,) = [f for f in report.findings if f.code == "E113"]
    assert f.field == "source_excerpt" and "did you mean 'source_excerpt'" in f.hint
    assert [f.code for f in report.findings] == ["E113"]  # its cells still checked


def test_header_reordered(tmp_path):
    lines = [
        line.rstrip("\n").split(",")
        for line in GOOD.replace('""missiles,""', "missiles").splitlines()
    ]
    for cells in lines:
        cells[1], cells[2] = cells[2], cells[1]
    report = events_file(tmp_path, "\n".join(",".join(c) for c in lines) + "\n")
    # by position, as frictionless: both labels are wrong, and the cells are checked as
    # the fields of their position (a date is no event_type)
    assert located(report, "E113") == [(EV, 1, 2), (EV, 1, 3)]
    assert {"E113", "E202", "E204"} <= {f.code for f in report.findings}


def test_one_megabyte_cell(tmp_path):
    big = "x" * 1_000_000
    rows = with_cell("events", 2, source_excerpt=big)
    report = events_file(tmp_path, csv_text("events", rows["events"]))
    assert located(report, "E114") == [(EV, 4, 14)]
    (f,) = [f for f in report.findings if f.code == "E114"]
    assert len(f.value) < 300  # the finding does not carry the megabyte


def test_seeds_are_not_modified(tmp_path):
    desc = write_rules_package(tmp_path, with_cell("events", 0, event_type="x"))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.rglob("*.*")}
    validate(desc)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.rglob("*.*")}
    assert before == after


# -- could not run: exit 2, one line, no traceback -------------------------------------------


def _run_cli(*args: str, cwd=None) -> Ran:
    return run_cli("validate", *args, cwd=cwd)


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "not-json",
        "schema-not-json",
        "bad-rowcheck",
        "bad-pattern",
    ],
)
def test_unreadable_descriptor_exits_2(tmp_path, case):
    desc = write_rules_package(tmp_path)
    if case == "missing":
        desc = tmp_path / "nope.json"
    elif case == "not-json":
        desc.write_text('{"name": "t", "resources": [')
    elif case == "schema-missing":
        (tmp_path / "schemas" / "events.json").unlink()
    elif case == "schema-not-json":
        (tmp_path / "schemas" / "events.json").write_text("{nope")
    elif case == "no-resources":
        desc.write_text('{"name": "t"}')
    elif case == "bad-rowcheck":
        import json

        p = tmp_path / "schemas" / "events.json"
        s = json.loads(p.read_text())
        s["rowChecks"].append({"check": "ordered", "fields": ["low", "nosuch"]})
        p.write_text(json.dumps(s))
    elif case == "bad-pattern":
        import json

        p = tmp_path / "schemas" / "events.json"
        s = json.loads(p.read_text())
        s["fields"][0]["constraints"]["pattern"] = "evt-([0-9]"
        p.write_text(json.dumps(s))
    proc = _run_cli(str(desc))
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""


@pytest.mark.parametrize("case,code", [("schema-missing", "E005"), ("no-resources", "E001")])
def test_descriptor_errors_frictionless_reports_are_findings(tmp_path, case, code):
    """A schema file that is not there (frictionless: schema-error, "cannot retrieve
    metadata") or a descriptor without resources (package-error): a located finding, exit 1;
    the other tables are still validated."""
    desc = write_rules_package(tmp_path)
    if case == "schema-missing":
        (tmp_path / "schemas" / "events.json").unlink()
    else:
        desc.write_text('{"name": "t"}')
    proc = _run_cli(str(desc))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert f": {code} " in proc.stdout, proc.stdout


def test_default_descriptor_in_current_folder(tmp_path):
    write_rules_package(tmp_path)
    proc = _run_cli(cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("valid:")


def test_hostile_file_cli_exit_1_no_traceback(tmp_path):
    desc = write_rules_package(tmp_path, raw={"events": b'\xef\xbb\xbfevent_id,\x00\xff\n"a,b\n'})
    proc = _run_cli(str(desc))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "seeds/events.csv:1:1: E103" in proc.stdout


# -- properties ------------------------------------------------------------------------------

_cell_text = st.lists(st.sampled_from([*list("ab é,\"'\n\r"), "\r\n"]), max_size=12).map("".join)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    excerpts=st.lists(_cell_text, min_size=1, max_size=8),
    bad=st.integers(0, 7),
    newline=st.sampled_from(["\n", "\r\n"]),
    data=st.data(),
)
def test_physical_lines_with_embedded_newlines(tmp_path, excerpts, bad, newline, data):
    bad %= len(excerpts)
    rows = [
        {**ROWS["events"][0], "event_id": f"evt-{i + 1:04d}", "source_excerpt": e.strip() or "x"}
        for i, e in enumerate(excerpts)
    ]
    rows[bad]["event_type"] = "airstrke"
    if data.draw(st.booleans()):  # a NUL forces the careful row-by-row path
        rows[-1]["source_excerpt"] += "\x00"
    quote_all = data.draw(st.booleans())  # csv.writer leaves a lone CR unquoted otherwise
    if not quote_all:
        for r in rows:
            r["source_excerpt"] = r["source_excerpt"].replace("\r\n", "\n").replace("\r", "")
    before = csv_text("events", rows[:bad], newline=newline, quote_all=quote_all)
    expected_line = before.count("\n") + 1
    text = csv_text("events", rows, newline=newline, quote_all=quote_all)
    report = events_file(tmp_path, text)
    enum = [f for f in report.findings if f.code == "E204"]
    assert [(f.line, f.column) for f in enum] == [(expected_line, 2)], report.format_text()


@settings(max_examples=examples(80), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=300), prefix=st.booleans())
def test_random_bytes_never_crash(tmp_path, blob, prefix):
    data = (HEADER.encode() if prefix else b"") + blob
    report = events_file(tmp_path, data)
    nlines = data.count(b"\n") + 1
    for f in report.findings:
        assert f.path is None or f.path.startswith("seeds/")
        if f.path == EV:
            assert f.line is None or 1 <= f.line <= nlines, f
    assert report.to_dict()["valid"] == report.valid


@pytest.mark.parametrize(
    "data,fast",
    [
        (b"a,b\n1,2\n3,4,5\n6\n7,8\n", True),  # ragged rows
        (b"a,b\n1,\xff2\n3,4\n", True),  # invalid UTF-8
        (b"a,b\n1,2\x00\n3,4\n", True),  # NUL
        (b'a,b\n1,"x\ny"\n3,4,5\n\n6,7\n', True),  # quoted newline, ragged, blank
        (b'a,b\n1,x"y\n3,4\n', False),  # misplaced quote: row by row
    ],
)
def test_common_defects_keep_the_vectorised_path(data, fast):
    """A big file with a ragged row or a bad byte must not fall back to row-by-row parsing."""
    from conflictdata._read.csv import parse_csv_bytes

    found = []
    parsed = parse_csv_bytes(data, lambda code, **kw: found.append((code, kw["line"])))
    assert parsed is not None and parsed.fast is fast and found
