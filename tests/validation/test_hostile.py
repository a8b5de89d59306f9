"""Hostile packages: every case is run as the real CLI in a subprocess and must end with a
located finding (exit 1) or one line on stderr (exit 2), never a traceback, never a row lost
without a finding, never a byte of a file the package does not own."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import Ran, run_cli
from support.profiles import examples
from support.validate import ROWS, SCHEMAS, csv_text, located, with_cell, write_rules_package

from conflictdata._read.csv import parse_csv_bytes
from conflictdata.tools import validate

EV = "seeds/events.csv"
GOOD = csv_text("events", ROWS["events"])  # header + 4 rows


def run(*args: str, cwd: Path | None = None) -> Ran:
    return run_cli("validate", *args, cwd=cwd)


def refused(proc: Ran, *words: str) -> str:
    """Exit 2, one line on stderr naming ``words``, nothing on stdout, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def findings(proc: Ran) -> list[str]:
    """Exit 1 and the located finding lines (``path:line[:col]: CODE ...``)."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr + proc.stdout and proc.stderr == ""
    return proc.stdout.strip().splitlines()[:-1]


# -- line endings: no row lost without a finding ---------------------------------------------


def test_cr_only_file_is_rejected_with_a_finding_on_it(tmp_path):
    desc = write_rules_package(tmp_path, raw={"events": GOOD.replace("\n", "\r")})
    out = findings(run(str(desc)))
    assert any(line.startswith(f"{EV}:1: E116 ") for line in out), out
    report = validate(desc)
    assert report.stats["tables"]["events"]["read"] is False


def test_one_cr_after_the_header_drops_no_row_silently(tmp_path):
    lines = GOOD.splitlines(keepends=True)
    text = lines[0].rstrip("\n") + "\r" + "".join(lines[1:])
    desc = write_rules_package(tmp_path, raw={"events": text})
    out = findings(run(str(desc)))
    assert any(line.startswith(f"{EV}:1: E116 ") for line in out), out


def test_lone_cr_inside_a_data_line_is_located(tmp_path):
    lines = GOOD.splitlines(keepends=True)
    lines[2] = lines[2].replace(",SRC-001,", ",SRC-001\r,", 1)
    desc = write_rules_package(tmp_path, raw={"events": "".join(lines)})
    report = validate(desc)
    assert located(report, "E115") == [(EV, 3, None)]
    assert report.stats["tables"]["events"]["rows"] == 3  # the other rows are all read
    assert any(f.startswith(f"{EV}:3: E115 ") for f in findings(run(str(desc))))


def test_crlf_and_a_cr_inside_quotes_lose_nothing(tmp_path):
    rows = with_cell("events", 1, source_excerpt="one\rtwo")
    text = csv_text("events", rows["events"], newline="\r\n", quote_all=True)
    report = validate(write_rules_package(tmp_path, raw={"events": text}))
    assert report.valid and report.stats["tables"]["events"]["rows"] == 4


def _reference_rows(data: bytes) -> tuple[int, set[int]] | None:
    """What the reader must do, computed the slow way: records are split at LF outside
    quotes; a record holding a CR outside quotes that no LF follows (but for the file's last
    byte) is reported (E115) and skipped, or the whole file (E116) if it is the header.
    Returns (rows read, lines reported) or None for an E116 file."""
    text = data.decode()
    records, cur, quoted, start_line, line = [], [], False, 1, 1
    for ch in text:
        cur.append(ch)
        if ch == '"':
            quoted = not quoted
        if ch == "\n":
            line += 1
            if not quoted:
                records.append(("".join(cur), start_line))
                cur, start_line = [], line
    if cur:
        records.append(("".join(cur), start_line))
    rows, reported = 0, set()
    for k, (rec, first) in enumerate(records):
        quoted, lone_at = False, None
        for i, ch in enumerate(rec):
            if ch == '"':
                quoted = not quoted
            elif (
                ch == "\r"
                and not quoted
                and rec[i + 1 : i + 2] != "\n"
                and not (k == len(records) - 1 and i == len(rec) - 1)
            ):
                lone_at = first + rec[:i].count("\n")
                break
        if lone_at is not None:
            if k == 0:
                return None
            reported.add(lone_at)
        elif k > 0 and rec.strip("\r\n").strip(","):  # only commas: a blank row (E109)
            rows += 1
    return rows, reported


@settings(max_examples=examples(120))
@given(
    cells=st.lists(
        st.lists(
            st.sampled_from(["a", "b", "", "x y", "c\rd", "e\nf", "g\r\nh"]), min_size=2, max_size=2
        ),
        min_size=0,
        max_size=6,
    ),
    ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=7, max_size=7),
    last=st.booleans(),
)
def test_mixed_line_endings_lose_no_row_without_a_finding(cells, ends, last):
    def cell(c: str) -> str:  # quoted when it holds a line feed: a bare CR may stay bare
        return f'"{c}"' if "\n" in c else c

    parts = ["k,v"] + [",".join(cell(c) for c in r) for r in cells]
    text = "".join(p + ends[i % len(ends)] for i, p in enumerate(parts))
    if not last:
        text = text[: -len(ends[(len(parts) - 1) % len(ends)])]
    data = text.encode()
    found: list[tuple[str, int]] = []
    parsed = parse_csv_bytes(data, lambda code, **kw: found.append((code, kw["line"])))
    expected = _reference_rows(data)
    if expected is None:
        assert parsed is None and [c for c, _ in found] == ["E116"], found
        return
    rows, reported = expected
    assert parsed is not None and parsed.data.num_rows == rows, (found, data)
    assert {line for code, line in found if code == "E115"} == reported, (found, data)
    assert {code for code, _ in found} <= {"E115", "E109"}, found
    if not found:  # a clean file reads exactly as Python's csv module reads it
        got = [[parsed.data.column(i)[r].as_py() for i in range(2)] for r in range(rows)]
        assert got == list(csv.reader(io.StringIO(text, newline="")))[1:]


# -- size bounds -----------------------------------------------------------------------------


def test_million_column_header_is_a_finding(tmp_path):
    header = ",".join(f"c{i}" for i in range(1_000_000))
    desc = write_rules_package(tmp_path, raw={"events": header + "\n1,2\n"})
    out = findings(run(str(desc)))
    assert any(line.startswith(f"{EV}:1: E117 ") for line in out), out[:5]
    assert len(out) < 20


def test_row_of_more_than_the_limit_is_a_finding(tmp_path, monkeypatch):
    import conflictdata._read.csv as files_layer

    monkeypatch.setattr(files_layer, "ROW_LIMIT", 2000)
    rows = with_cell("events", 2, source_excerpt="x" * 5000)
    report = validate(write_rules_package(tmp_path, rows))
    assert located(report, "E118") == [(EV, 4, None)]
    assert report.stats["tables"]["events"]["rows"] == 3


# -- malformed schemas: one line, exit 2, naming file, field and key -------------------------


def _schema_case(tmp_path: Path, table: str, change) -> Path:
    import copy

    schemas = copy.deepcopy(SCHEMAS)
    change(schemas[table])
    return write_rules_package(tmp_path, schemas=schemas)


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


SCHEMA_CASES = {
    "constraints-list": (
        "events",
        lambda s: _field(s, "low").update(constraints=[1]),
        ["schemas/events.json", "'low'", "constraints"],
    ),
    "primary-key-5": (
        "events",
        lambda s: s.update(primaryKey=5),
        ["schemas/events.json", "primaryKey"],
    ),
    "name-is-list": (
        "events",
        lambda s: s["fields"][1].update(name=["a", "b"]),
        ["schemas/events.json", "fields[1]", "name"],
    ),
    "unknown-type": (
        "events",
        lambda s: _field(s, "low").update(type="decimal"),
        ["schemas/events.json", "'low'", "type"],
    ),
    "enum-string": (
        "events",
        lambda s: _field(s, "event_type")["constraints"].update(enum="airstrike"),
        ["schemas/events.json", "'event_type'", "enum"],
    ),
    "minimum-abc": (
        "events",
        lambda s: _field(s, "low")["constraints"].update(minimum="abc"),
        ["schemas/events.json", "'low'", "minimum"],
    ),
    "date-minimum": (
        "events",
        lambda s: _field(s, "date_start")["constraints"].update(minimum="2025-02-30"),
        ["schemas/events.json", "'date_start'", "minimum"],
    ),
    "re2-lookahead": (
        "events",
        lambda s: _field(s, "source_excerpt").update(constraints={"pattern": "(?=a)a+"}),
        ["schemas/events.json", "'source_excerpt'", "pattern"],
    ),
    "catastrophic": (
        "events",
        lambda s: _field(s, "source_excerpt").update(constraints={"pattern": "(a+)+\\1$"}),
        ["schemas/events.json", "pattern"],
    ),
    "pattern-escapes-anchor": (
        "events",
        lambda s: _field(s, "source_excerpt").update(constraints={"pattern": "a)|(b"}),
        ["schemas/events.json", "pattern"],
    ),
    "pattern-number": (
        "events",
        lambda s: _field(s, "source_excerpt").update(constraints={"pattern": 5}),
        ["schemas/events.json", "pattern"],
    ),
    "unknown-constraint": (
        "events",
        lambda s: _field(s, "low")["constraints"].update(exclusiveMinimum=0),
        ["schemas/events.json", "'low'", "exclusiveMinimum"],
    ),
    "required-string": (
        "events",
        lambda s: _field(s, "low")["constraints"].update(required="yes"),
        ["schemas/events.json", "'low'", "required"],
    ),
    "maxlength-negative": (
        "sources",
        lambda s: _field(s, "title")["constraints"].update(maxLength=-1),
        ["schemas/sources.json", "'title'", "maxLength"],
    ),
    "fields-dict": (
        "events",
        lambda s: s.update(fields={"a": 1}),
        ["schemas/events.json", "fields"],
    ),
    "field-twice": (
        "events",
        lambda s: s["fields"].append(dict(s["fields"][1])),
        ["schemas/events.json", "'event_type'", "twice"],
    ),
    "foreign-keys-string": (
        "events",
        lambda s: s.update(foreignKeys="x"),
        ["schemas/events.json", "foreignKeys"],
    ),
    "rowcheck-fields-string": (
        "events",
        lambda s: s["rowChecks"][0].update(fields="low"),
        ["schemas/events.json", "rowChecks", "fields"],
    ),
    "rowcheck-cases-list": (
        "events",
        lambda s: s["rowChecks"][3].update(cases=[1]),
        ["schemas/events.json", "rowChecks", "cases"],
    ),
    "relation-start-list": (
        "events",
        lambda s: s["relationChecks"][0].update(start=["a"]),
        ["schemas/events.json", "relationChecks", "start"],
    ),
    "minimum-beyond-int64": (
        "events",
        lambda s: _field(s, "low")["constraints"].update(minimum=10**30),
        ["unsupported", "'events'", "'low'", "minimum"],
    ),
    "minimum-infinite": (
        "events",
        lambda s: _field(s, "latitude")["constraints"].update(minimum=1e400),
        ["schemas/events.json", "Infinity"],
    ),
    "minimum-on-text": (
        "events",
        lambda s: _field(s, "source_excerpt").update(constraints={"minimum": "a"}),
        ["schemas/events.json", "'source_excerpt'", "minimum"],
    ),
    "maxlength-huge": (
        "sources",
        lambda s: _field(s, "title")["constraints"].update(maxLength=10**30),
        ["schemas/sources.json", "'title'", "maxLength"],
    ),
    "ordered-int-and-date": (
        "events",
        lambda s: s["rowChecks"][0].update(fields=["low", "date_start"]),
        ["schemas/events.json", "ordered", "'low'"],
    ),
    "datespan-on-integers": (
        "events",
        lambda s: s["rowChecks"][5].update(start="low"),
        ["schemas/events.json", "dateSpan", "'low'"],
    ),
    "notbefore-on-integer": (
        "events",
        lambda s: s["relationChecks"][0].update(start="low"),
        ["schemas/events.json", "notBefore", "'low'"],
    ),
    "missing-values-string": (
        "events",
        lambda s: s.update(missingValues=""),
        ["schemas/events.json", "missingValues"],
    ),
}


def refused_or_found(proc: Ran, *words: str) -> str:
    """A one-line refusal (exit 2) naming ``words``, or, for what frictionless reports as a
    metadata error, a located descriptor finding (E0xx, exit 1) naming them."""
    if proc.returncode == 2:
        return refused(proc, *words)
    lines = [ln for ln in findings(proc) if ": E0" in ln]
    assert lines and all(w in lines[0] for w in words), (words, proc.stdout[-2000:])
    return lines[0]


@pytest.mark.parametrize("case", list(SCHEMA_CASES))
def test_malformed_schema_value_is_one_line(tmp_path, case):
    table, change, words = SCHEMA_CASES[case]
    refused_or_found(run(str(_schema_case(tmp_path, table, change))), *words)


def test_an_enum_item_twice_is_read_as_frictionless_reads_it(tmp_path):
    change = lambda s: _field(s, "event_type")["constraints"].update(enum=["airstrike"] * 2)  # noqa: E731
    proc = run(str(_schema_case(tmp_path, "events", change)))
    assert proc.returncode == 1 and "E204" in proc.stdout and ": E0" not in proc.stdout


def test_deeply_nested_schema_is_one_line(tmp_path):
    desc = write_rules_package(tmp_path)
    (tmp_path / "schemas" / "events.json").write_text("[" * 100_000 + "]" * 100_000)
    refused(run(str(desc)), "events", "nested")


def test_duplicate_json_key_is_refused(tmp_path):
    desc = write_rules_package(tmp_path)
    p = tmp_path / "schemas" / "events.json"
    p.write_text(p.read_text().replace('"primaryKey"', '"primaryKey": "low", "primaryKey"'))
    refused(run(str(desc)), "events", "primaryKey", "twice")


@pytest.mark.parametrize("how", ["name", "path"])
def test_resource_listed_twice_is_found_or_refused(tmp_path, how):
    desc = write_rules_package(tmp_path)
    d = json.loads(desc.read_text())
    extra = dict(d["resources"][0])
    if how == "name":
        extra["path"] = "seeds/actors.csv"
    else:
        extra["name"] = "sources_again"
    d["resources"].append(extra)
    desc.write_text(json.dumps(d))
    if how == "name":  # frictionless' package-error: a finding, the first one still read
        (line,) = [ln for ln in findings(run(str(desc))) if ": E0" in ln]
        assert "E001" in line and "not unique" in line
    else:
        refused(run(str(desc)), "also the path")


# -- paths: confined to the package; the content of other files never shown ------------------

SECRET = "TOP-SECRET-VALUE-4711"


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text(f"event_id\n{SECRET}\n")
    return secret


def _with_path(desc: Path, index: int, key: str, value: str) -> None:
    d = json.loads(desc.read_text())
    d["resources"][index][key] = value
    desc.write_text(json.dumps(d))


@pytest.mark.parametrize("key", ["path", "schema"])
@pytest.mark.parametrize(
    "kind", ["absolute", "dotdot", "proc", "symlink", "dot", "backslash", "url", "empty-part"]
)
def test_path_outside_the_package_is_refused(tmp_path, kind, key):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    desc = write_rules_package(pkg)
    secret = _outside(tmp_path)
    value = {
        "absolute": str(secret),
        "dotdot": "../outside/secret.csv",
        "proc": "/proc/self/environ",
        "symlink": "seeds/link.csv",
        "dot": "./seeds/events.csv",
        "backslash": "seeds\\events.csv",
        "url": "https://example.org/events.csv",
        "empty-part": "seeds//events.csv",
    }[kind]
    if kind == "symlink":
        os.symlink(secret, pkg / "seeds" / "link.csv")
    _with_path(desc, 2, key, value)
    env = {**os.environ, "SECRET_FOR_TEST": SECRET}
    proc = run_cli("validate", desc, "--format", "json", env=env)
    assert SECRET not in proc.stdout + proc.stderr
    shown = value.replace("\\", "\\\\")
    if key == "path" and kind in ("absolute", "dotdot", "proc"):
        # frictionless' own resource-error ("path ... is not safe"): a located finding, the
        # other resources validated, nothing of this one read
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        found = json.loads(proc.stdout)["findings"]
        (bad,) = [f for f in found if f["code"] == "E002"]
        assert (
            bad["message"].endswith(" is not safe")
            and f"path {value[:40]!r}"[:-1] in bad["message"]
        )
        assert json.loads(proc.stdout)["stats"]["tables"], "the other resources were validated"
        return
    line = refused(proc)
    assert shown in line, line


def test_symlinked_folder_inside_the_package_is_fine(tmp_path):
    desc = write_rules_package(tmp_path)
    os.symlink(tmp_path / "seeds", tmp_path / "alias")
    _with_path(desc, 2, "path", "alias/events.csv")
    assert validate(desc).valid


def test_build_refuses_the_same_paths(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    desc = write_rules_package(pkg)
    _with_path(desc, 0, "path", str(_outside(tmp_path)))
    proc = run_cli("build", desc, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))


def test_fifo_seed_is_not_read(tmp_path):
    desc = write_rules_package(tmp_path)
    (tmp_path / "seeds" / "events.csv").unlink()
    os.mkfifo(tmp_path / "seeds" / "events.csv")
    out = findings(run(str(desc)))
    assert any(line.startswith(f"{EV}: E101 ") for line in out), out


def test_build_publishes_no_empty_table_from_a_cr_only_file(tmp_path):
    desc = write_rules_package(tmp_path, raw={"events": GOOD.replace("\n", "\r")})
    proc = run_cli("build", desc, "--out", tmp_path / "out")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert f"{EV}:1: E116" in proc.stdout
    assert not list((tmp_path / "out").rglob("*.parquet")) if (tmp_path / "out").exists() else True


# -- IDs: one spelling per number ------------------------------------------------------------


def test_two_spellings_of_one_id_name_both_lines(tmp_path):
    rows = with_cell("events", 2, event_id="evt-00001")  # line 4; evt-0001 is line 2
    out = findings(run(str(write_rules_package(tmp_path, rows))))
    (line,) = [x for x in out if " E213 " in x]
    assert line.startswith(f"{EV}:4:1: E213 [event_id, column A] 'evt-00001'") and "line 2" in line
    assert "'evt-0001'" in line


def test_a_non_canonical_id_alone_is_an_error(tmp_path):
    rows = with_cell("events", 3, event_id="evt-00004")
    report = validate(write_rules_package(tmp_path, rows))
    assert located(report, "E213") == [(EV, 5, 1)]
    assert not report.valid


@pytest.mark.parametrize(
    "value,bad",
    [
        ("evt-10000", False),
        ("evt-0042", False),
        ("evt-012345", True),
        ("evt-" + "0" + "1" * 20, True),
        ("evt-" + "1" * 21, False),
    ],
)
def test_id_spelling_rule(tmp_path, value, bad):
    rows = with_cell("events", 3, event_id=value)
    report = validate(write_rules_package(tmp_path, rows))
    assert located(report, "E213") == ([(EV, 5, 1)] if bad else [])


def test_non_canonical_foreign_key_is_flagged_too(tmp_path):
    import copy

    schemas = copy.deepcopy(SCHEMAS)
    _field(schemas["events"], "in_response_to_event_id")["constraints"] = {
        "pattern": "^evt-[0-9]{4,}$"
    }
    rows = with_cell("events", 1, in_response_to_event_id="evt-00001")
    report = validate(write_rules_package(tmp_path, rows, schemas=schemas))
    assert located(report, "E213") == [(EV, 3, 12)]
    assert located(report, "E401") == [(EV, 3, 12)]


# -- lints: formulas hidden behind whitespace or invisible characters; invisible text --------

EXC = 14  # the column of events.source_excerpt


@pytest.mark.parametrize(
    "text",
    [
        " =cmd|' /C calc'!A0",
        "\t=1+1",
        "\n+SUM(A1)",
        "\u00a0@x",
        "\u200b=1+1",
        "\ufeff-2+3*cmd",
        "\u202e =HYPERLINK(1)",
        " \u2060\t=x",
    ],
)
def test_hidden_formula_is_w505(tmp_path, text):
    desc = write_rules_package(tmp_path, with_cell("events", 1, source_excerpt=text))
    report = validate(desc)
    assert located(report, "W505") == [(EV, 3, EXC)], report.format_text()
    assert report.valid  # a warning
    proc = run(str(desc))
    assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr
    assert any(line.startswith(f"{EV}:3:{EXC}: W505 ") for line in proc.stdout.splitlines())


@pytest.mark.parametrize("text", [" -3.5", "\u200b+12", " a=b", "x =y", "=plain", " "])
def test_no_hidden_formula(tmp_path, text):
    report = validate(write_rules_package(tmp_path, with_cell("events", 1, source_excerpt=text)))
    assert located(report, "W505") == []


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\u2060", "\ufeff"]
)
def test_invisible_characters_are_w506(tmp_path, char):
    text = f"Israel{char} struck"
    report = validate(write_rules_package(tmp_path, with_cell("events", 2, source_excerpt=text)))
    (f,) = [f for f in report.findings if f.code == "W506"]
    assert (f.path, f.line, f.column) == (EV, 4, EXC)
    assert f"U+{ord(char):04X}" in f.message


def test_plain_unicode_text_has_no_w506(tmp_path):
    rows = with_cell("events", 2, source_excerpt="Téhéran — “quoted” 東京 \u00a0ok")
    assert located(validate(write_rules_package(tmp_path, rows)), "W506") == []


@settings(max_examples=examples(200))
@given(
    cells=st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("a =é\u2014\u201c")
                + list(
                    "\u202a\u202e\u2066\u2069\u200b\u200d\u2060\ufeff\u2061"
                    "\u200a\u200e\u2028\ufefe\uffbf"
                )
            ),
            max_size=5,
        ),
        max_size=20,
    ),
    split=st.integers(0, 20),
)
def test_invisible_rows_match_a_per_cell_reference(cells, split):
    import pyarrow as pa

    from conflictdata._types.kernels import INVISIBLE, invisible_rows

    arr = pa.chunked_array(
        [pa.array(cells[:split], pa.string()), pa.array(cells[split:], pa.string())]
    )
    expected = [i for i, c in enumerate(cells) if any(ch in INVISIBLE for ch in c)]
    assert invisible_rows(arr).tolist() == expected


# -- --sources-dir ---------------------------------------------------------------------------


def test_sources_dir_without_the_texts_is_never_valid(tmp_path):
    desc = write_rules_package(tmp_path)
    (tmp_path / "texts").mkdir()
    out = findings(run(str(desc), "--sources-dir", str(tmp_path / "texts")))
    assert any(line.startswith("seeds/sources.csv:2:1: E405 ") for line in out), out
    assert any(" E406 " in line for line in out), out


def test_sources_dir_source_missing_one_text(tmp_path):
    from support.validate import SOURCE_TEXT

    rows = with_cell("events", 3, source_id="SRC-002")
    desc = write_rules_package(tmp_path, rows)
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "SRC-001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    report = validate(desc, sources_dir=tmp_path / "texts")
    assert located(report, "E405") == [("seeds/sources.csv", 3, 1)]
    assert located(report, "E406") == []
    assert report.stats["provenance"]["excerpts_checked"] == 3


@pytest.mark.parametrize("source_id", ["../secret", "/etc/passwd", "sub/x", ".hidden"])
def test_sources_dir_never_reads_outside_the_folder(tmp_path, source_id):
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET)
    rows = with_cell("events", 0, source_id=source_id)
    (tmp_path / "pkg").mkdir()
    desc = write_rules_package(tmp_path / "pkg", rows)
    (tmp_path / "pkg" / "texts").mkdir()
    (tmp_path / "pkg" / "texts" / "sub").mkdir()
    os.symlink(outside, tmp_path / "pkg" / "texts" / "sub" / "x.txt")
    proc = run(str(desc), "--sources-dir", str(tmp_path / "pkg" / "texts"), "--format", "json")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert SECRET not in proc.stdout
    report = json.loads(proc.stdout)
    assert source_id not in report["stats"]["provenance"]["sources_with_text"]


def test_symlinked_text_inside_sources_dir_leaving_it_is_not_read(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("Israel struck Iran's nuclear facilities")
    desc = write_rules_package(tmp_path)
    (tmp_path / "texts").mkdir()
    os.symlink(outside, tmp_path / "texts" / "SRC-001.txt")
    report = validate(desc, sources_dir=tmp_path / "texts")
    assert located(report, "E405") == [("seeds/sources.csv", 2, 1)]


def test_wide_id_pattern_keeps_its_own_zeros(tmp_path):
    import copy

    schemas = copy.deepcopy(SCHEMAS)
    _field(schemas["events"], "event_id")["constraints"]["pattern"] = "^evt-[0-9]{22,}$"
    ids = [
        "evt-" + "0" * 21 + "1",
        "evt-" + "0" * 22 + "2",
        "evt-" + "0" * 20 + "33",
        "evt-" + "9" * 23,
    ]
    rows = copy.deepcopy(ROWS)
    for r, i in zip(rows["events"], ids, strict=True):
        r["event_id"] = i
    rows["events"][1]["in_response_to_event_id"] = ids[0]
    report = validate(write_rules_package(tmp_path, rows, schemas=schemas))
    assert located(report, "E213") == [(EV, 3, 1)]


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3)
    ),
    max_leaves=6,
) | st.sampled_from(
    [
        "integer",
        "number",
        "boolean",
        "any",
        "string",
        "date",
        "geopoint",
        "uri",
        "uuid",
        "email",
        ",",
        ".",
        "NaN",
        "01",
        "1e400",
        "sNaN",
        "-0",
    ]
)
_SCHEMA_KEYS = [
    "fields",
    "primaryKey",
    "foreignKeys",
    "rowChecks",
    "relationChecks",
    "missingValues",
    "title",
    "description",
    "$schema",
    "uniqueKeys",
]
_FIELD_KEYS = [
    "name",
    "type",
    "title",
    "description",
    "format",
    "constraints",
    "enumDescriptions",
    "trueValues",
    "falseValues",
    "bareNumber",
    "floatNumber",
    "decimalChar",
    "groupChar",
    "example",
    "rdfType",
    "missingValues",
    "required",
]
_CONSTRAINT_KEYS = [
    "required",
    "unique",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "exclusiveMinimum",
    "exclusiveMaximum",
]


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from(sorted(SCHEMAS)),
    where=st.integers(0, 2),
    index=st.integers(0, 20),
    key=st.integers(0, 20),
    value=_json_values,
)
def test_any_malformed_schema_value_is_a_descriptor_error(
    tmp_path, table, where, index, key, value
):
    """Put any JSON value at any schema, field or constraint key: a Report or one-line
    DescriptorError, never another exception."""
    import copy

    from conflictdata.errors import DescriptorError

    schemas = copy.deepcopy(SCHEMAS)
    s = schemas[table]
    if where == 0:
        s[_SCHEMA_KEYS[key % len(_SCHEMA_KEYS)]] = value
    else:
        f = s["fields"][index % len(s["fields"])]
        if where == 1:
            f[_FIELD_KEYS[key % len(_FIELD_KEYS)]] = value
        else:
            f.setdefault("constraints", {})[_CONSTRAINT_KEYS[key % len(_CONSTRAINT_KEYS)]] = value
    desc = write_rules_package(tmp_path, schemas=schemas)
    try:
        report = validate(desc)
    except DescriptorError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
    else:  # a metadata error frictionless reports: located, one line each
        for f in report.findings:
            if f.code.startswith("E0"):
                assert f.table and "\n" not in f.format_text()


@pytest.mark.parametrize(
    "key,value,word",
    [
        ("encoding", "no-such-codec", "encoding"),
        ("dialect", {"delimiter": ";;"}, "delimiter"),
        ("dialect", "x", "dialect"),
    ],
)
def test_unsupported_encoding_or_dialect_is_refused(tmp_path, key, value, word):
    desc = write_rules_package(tmp_path)
    d = json.loads(desc.read_text())
    d["resources"][2][key] = value
    desc.write_text(json.dumps(d))
    refused(run(str(desc)), "'events'", word)


def test_empty_missing_values_means_every_cell_is_a_value(tmp_path):
    import copy

    schemas = copy.deepcopy(SCHEMAS)
    schemas["actors"]["missingValues"] = []
    report = validate(write_rules_package(tmp_path, schemas=schemas))
    assert located(report, "E401") == [("seeds/actors.csv", 2, 3)]  # '' is a value here


@settings(max_examples=examples(150))
@given(
    text=st.lists(
        st.sampled_from([",", ";", '"', "\n", "\r", "\r\n", "a", "1", " "]), max_size=40
    ).map("".join),
    delimiter=st.sampled_from([",", ";"]),
)
def test_spec_reading_is_pythons_csv_and_loses_no_record(text, delimiter):
    """Without the policy a declared dialect reads exactly as Python's csv module (so
    frictionless) reads it: every record after the header is a row (its first cells, one
    per label) or a blank row (E109), none lost, and no parse ever crashes."""
    from conflictdata._tableschema.model import Dialect

    d = Dialect(
        delimiter=delimiter,
        header_rows=(1,),
        declared=frozenset({"delimiter", "quoteChar", "skipInitialSpace", "headerRows"}),
    )
    data = f"k{delimiter}v\n{text}".encode()
    found: list[tuple[str, Any]] = []
    parsed = parse_csv_bytes(
        data,
        lambda code, **kw: found.append((code, kw.get("row"))),
        strict=False,
        dialect=d,
        nfields=2,
    )
    records = list(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=delimiter))[1:]
    assert parsed is not None
    blank = [r for c, r in found if c == "E109"]
    assert parsed.data.num_rows + len(blank) == len(records), (found, records)
    for i in range(parsed.data.num_rows):
        want = records[int(parsed.rows[i]) - 2]
        got = [parsed.data.column(k)[i].as_py() for k in range(2)]
        assert got == ([*want, "", ""])[:2]
    assert {c for c, _ in found} <= {"E108", "E109"}
