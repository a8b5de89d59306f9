"""The command's output under pressure (issue 18): output paths that cannot be written are one
line and exit 2, a reader that closes the pipe ends the output quietly, and no amount of
findings makes the output unbounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support.cli import Ran, run_cli
from support.validate import ROWS, write_rules_package

from conflictdata._checks.findings import make_finding
from conflictdata._checks.report import LIST_PER_CODE, OUTPUT_LIMIT, Report
from conflictdata._util.text import SHOWN_LIMIT
from conflictdata.cli import main


def command(*args: str, **kw) -> Ran:
    proc = run_cli(*args, **kw)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    return proc


def one_line_refusal(proc: Ran, *words: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-500:])
    (line,) = proc.stderr.strip().split("\n")
    for w in words:
        assert w in line, (w, line)
    return line


# -- output paths ----------------------------------------------------------------------------


@pytest.mark.parametrize("cmd", ["codebook", "models", "findings"])
def test_generated_file_out_a_folder_is_refused(tmp_path: Path, root: Path, cmd: str) -> None:
    args = [cmd, "--out", str(tmp_path)]
    if cmd != "findings":
        args.insert(1, str(root / "datapackage.json"))
    one_line_refusal(command(*args), "is a folder")
    assert list(tmp_path.iterdir()) == []


def test_report_out_a_folder_or_no_parent_is_refused(tmp_path: Path) -> None:
    one_line_refusal(command("report", "--out", str(tmp_path)), "is a folder")
    missing = tmp_path / "no" / "such" / "r.html"
    one_line_refusal(command("report", "--out", str(missing)), "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    """A write the file system refuses (here: a path under a regular file) is exit 2."""
    (tmp_path / "file").write_text("x")
    code = main(["findings", "--out", str(tmp_path / "file" / "findings.md")])
    assert code == 2


# -- a closed pipe ---------------------------------------------------------------------------


def _many_findings(tmp_path: Path) -> Path:
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["events"] = [
        {**ROWS["events"][0], "event_id": f"evt-{i:04d}", "event_type": "bad"}
        for i in range(1, 3000)
    ]
    return write_rules_package(tmp_path, rows)


@pytest.mark.processes
@pytest.mark.parametrize("fmt", ["json", "text", "github"])
def test_a_reader_that_closes_the_pipe_ends_the_output_quietly(tmp_path: Path, fmt: str) -> None:
    """`validate --format json | head`: no BrokenPipeError, the verdict still the exit code."""
    desc = _many_findings(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "conflictdata", "validate", str(desc), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.read(200)
    proc.stdout.close()  # what `head -c 200` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1  # findings: exit 1, as with the whole output read
    assert head and err == "", err[-2000:]


# -- bounded output ----------------------------------------------------------------------------


def _finding(code: str, i: int, message: str = "m", path: str = "t.csv"):
    return make_finding(code, table="t", path=path, line=i + 2, column=1, message=message)


def test_findings_over_the_per_code_cap_are_counted_not_printed() -> None:
    report = Report([_finding("E204", i) for i in range(LIST_PER_CODE + 250)])
    for text in (report.format_text(), report.format_github()):
        lines = text.strip().split("\n")
        assert len(lines) == LIST_PER_CODE + 1
        assert lines[-1].endswith("not listed (over the per-rule limit): E204 x250")
    doc = json.loads(report.format_json())
    assert len(doc["findings"]) == LIST_PER_CODE and doc["stats"]["suppressed"] == {"E204": 250}


def test_the_output_stops_at_its_byte_bound() -> None:
    """Long messages of many codes: listed until OUTPUT_LIMIT bytes, the rest counted."""
    long = "v" * 5000
    codes = ["E201", "E202", "E204", "E205", "E206", "E207", "E208"]
    report = Report([_finding(c, i, long) for c in codes for i in range(LIST_PER_CODE)])
    for text in (report.format_text(), report.format_github(), report.format_json()):
        assert len(text.encode()) <= OUTPUT_LIMIT + (64 << 10)  # the summary and stats beside
    summary = report.format_text().strip().split("\n")[-1]
    left = Counter(
        {
            c: int(n.replace(",", ""))
            for c, n in (p.split(" x") for p in summary.split(": ")[-1].split(", "))
        }
    )
    listed = len(report.format_text().strip().split("\n")) - 1
    assert listed + sum(left.values()) == len(codes) * LIST_PER_CODE


def test_a_long_value_is_shown_as_a_prefix_with_its_length() -> None:
    f = _finding("E113", 0, "column 1 is '" + "x" * 10**6 + "'", path="p" * 10**5 + ".csv")
    (line, _summary) = Report([f]).format_text().strip().split("\n")
    assert len(line) < 3 * SHOWN_LIMIT
    assert f"… ({10**6 + 14:,} characters)" in line
    doc = json.loads(Report([f]).format_json())
    assert len(doc["findings"][0]["message"]) < SHOWN_LIMIT + 50


def test_a_thousand_failing_fields_print_a_bounded_output(tmp_path: Path) -> None:
    """A 4 MB CSV with 1,000 failing fields printed 268 MB of findings."""
    n, rows = 1000, 400
    (tmp_path / "t.csv").write_text(
        ",".join(f"f{i}" for i in range(n)) + "\n" + (",".join("x" * n) + "\n") * rows
    )
    fields = [{"name": f"f{i}", "type": "integer"} for i in range(n)]
    res = {"name": "t", "path": "t.csv", "schema": {"fields": fields}}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "w", "resources": [res]}))
    proc = command("validate", str(tmp_path / "datapackage.json"))
    assert proc.returncode == 1
    lines = proc.stdout.strip().split("\n")
    assert len(lines) == LIST_PER_CODE + 1
    assert lines[-1].endswith(f"E202 x{n * rows - LIST_PER_CODE:,}")  # kept or not, counted


# -- stdout that cannot encode -------------------------------------------------------------------


@pytest.mark.processes
def test_a_terminal_that_cannot_encode_the_text_gets_escapes(tmp_path: Path) -> None:
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["events"] = [{**ROWS["events"][0], "event_type": "café ☕"}]
    desc = write_rules_package(tmp_path, rows)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}  # a real process: its stdout is ASCII
    cmd = [sys.executable, "-m", "conflictdata", "validate", str(desc)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1 and "caf\\xe9 \\u2615" in proc.stdout


def test_a_usage_error_quotes_the_arguments_on_one_line() -> None:
    """argparse printed unrecognised arguments raw: a file name holding a newline and
    ``::error`` became a workflow command."""
    proc = command("validate", "x", "\n::error file=INJECTED::y\x1b[2J")
    assert proc.returncode == 2 and proc.stdout == ""
    usage, error = proc.stderr.strip().split("\n")
    assert usage.startswith("usage: ") and error.startswith("conflictdata: error: ")
    assert "\\n::error" in error and "\x1b" not in error


def test_an_empty_out_is_refused(tmp_path: Path) -> None:
    one_line_refusal(command("report", "--out", ""), "--out is empty")
