"""Report renderings (text, JSON shape, GitHub annotations), the generated findings table, the
CLI exit codes, and the repository's own seeds validating clean."""

from __future__ import annotations

import json
import re

import pytest
from support.validate import with_cell, write_rules_package

import conflictdata
from conflictdata._checks.findings import RULES, Finding, make_finding
from conflictdata._tools.docs import render_findings_doc
from conflictdata.cli import main
from conflictdata.tools import Report, validate

FINDING_KEYS = [
    "code",
    "severity",
    "table",
    "path",
    "line",
    "column",
    "field",
    "key",
    "value",
    "message",
    "hint",
    "row",
    "cause",
]


@pytest.fixture
def broken(tmp_path):
    rows = with_cell("events", 2, event_type="airstrke")
    rows["events"][1]["source_excerpt"] = " padded"
    return write_rules_package(tmp_path, rows)


def test_json_shape_exactly(broken, capsys):
    assert main(["validate", str(broken), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["valid", "errors", "warnings", "findings", "stats"]
    assert doc["valid"] is False and doc["errors"] == 1 and doc["warnings"] == 1
    assert all(list(f) == FINDING_KEYS for f in doc["findings"])
    first = doc["findings"][0]
    assert first["code"] == "W501" and first["line"] == 3 and first["column"] == 14
    err = doc["findings"][1]
    assert err == {
        "code": "E204",
        "severity": "error",
        "table": "events",
        "path": "seeds/events.csv",
        "line": 4,
        "column": 2,
        "field": "event_type",
        "key": "evt-0003",
        "value": "airstrke",
        "message": err["message"],
        "hint": RULES["E204"].hint,
        "row": 4,
        "cause": None,
    }
    assert "airstrke" in err["message"] and "airstrike" in err["message"]
    assert isinstance(doc["stats"], dict) and doc["stats"]["tables"]["events"]["rows"] == 4


def test_text_format(broken, capsys):
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"seeds/events\.csv:3:14: W501 \[source_excerpt, column N\] .+ \(hint: .+\)", out[0]
    )
    assert out[1].startswith(
        "seeds/events.csv:4:2: E204 [event_type, column B] value 'airstrke' is not one of: "
    )
    assert out[-1].startswith("INVALID: 1 error, 1 warning")


def test_warnings_only_exit_0(tmp_path, capsys):
    desc = write_rules_package(tmp_path, with_cell("events", 0, source_excerpt="=1+1"))
    assert main(["validate", str(desc)]) == 0
    out = capsys.readouterr().out
    assert "W503" in out and out.splitlines()[-1].startswith("valid: 0 errors, 1 warning")


def test_github_format(broken, capsys):
    assert main(["validate", str(broken), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::warning file=seeds/events.csv,line=3,col=14,title=W501::")
    assert lines[1].startswith("::error file=seeds/events.csv,line=4,col=2,title=E204::")
    assert "::value not allowed: value 'airstrke' is not one of" in lines[1]
    assert lines[-1].startswith("INVALID: 1 error")


def test_github_escaping():
    f = make_finding(
        "E108", table="t", path="a,b:c.csv", line=3, column=None, message="50% done\r\nnext"
    )
    out = Report([f]).format_github().splitlines()[0]
    assert out.startswith("::error file=a%2Cb%3Ac.csv,line=3,title=E108::")
    assert "50%25 done\\r\\nnext (hint: " in out  # line breaks shown, as in every format
    assert "\n" not in out


def test_findings_sorted_by_path_line_column_code():
    def f(path, line, col, code):
        return make_finding(code, table="t", path=path, line=line, column=col, message="m")

    r = Report(
        [
            f("b.csv", 1, 1, "E204"),
            f("a.csv", 10, 1, "E204"),
            f("a.csv", 2, 5, "E301"),
            f("a.csv", 2, 5, "E204"),
            f("a.csv", None, None, "E100"),
        ]
    )
    assert [(x.path, x.line, x.column, x.code) for x in r.findings] == [
        ("a.csv", None, None, "E100"),
        ("a.csv", 2, 5, "E204"),
        ("a.csv", 2, 5, "E301"),
        ("a.csv", 10, 1, "E204"),
        ("b.csv", 1, 1, "E204"),
    ]


def test_registry_is_consistent():
    for code, rule in RULES.items():
        assert re.fullmatch(r"[EW][0-5][0-9]{2}", code)
        assert rule.severity == ("warning" if code[0] == "W" else "error")
        assert rule.layer == int(code[1]) and rule.title and rule.description and rule.hint
    assert isinstance(Finding.__dataclass_fields__, dict)


def test_every_code_is_emitted_somewhere_in_the_engine():
    """A code in the registry that no module emits would be documentation of nothing."""
    from pathlib import Path

    pkg = Path(conflictdata.__file__).parent
    engine = [pkg / "_read", pkg / "_checks", pkg / "_validation"]
    src = "".join(
        p.read_text() for d in engine for p in d.glob("*.py") if p.name not in ("findings.py",)
    )
    missing = [c for c in RULES if f'"{c}"' not in src]
    assert missing == []


def test_findings_doc_is_current(root):
    path = root / "docs" / "findings.md"
    assert path.read_text(encoding="utf-8") == render_findings_doc(), (
        "docs/findings.md is stale: run `conflictdata findings`"
    )
    assert main(["findings", "--out", str(path), "--check"]) == 0
    for code in RULES:
        assert f"| {code} |" in render_findings_doc()


def test_findings_check_detects_stale_file(tmp_path, capsys):
    out = tmp_path / "findings.md"
    out.write_text("old\n")
    assert main(["findings", "--out", str(out), "--check"]) == 1
    assert out.read_text() == "old\n"
    assert main(["findings", "--out", str(out)]) == 0
    assert out.read_text() == render_findings_doc()


def test_library_api_from_package(broken):
    report = conflictdata.tools.validate(broken)
    assert isinstance(report, conflictdata.tools.Report) and not report.valid
    assert report.to_dict()["errors"] == report.errors == 1


# -- the repository's own data ---------------------------------------------------------------


def test_repository_seeds_validate_clean(root, capsys):
    report = validate(root / "datapackage.json")
    assert report.findings == [], report.format_text()
    assert report.stats["rows"] > 0
    assert main(["validate", str(root / "datapackage.json")]) == 0


def test_repository_excerpts_occur_in_the_article(root):
    from conftest import _sources_dir

    folder = _sources_dir()
    if folder is None:
        pytest.skip("the curators' source texts are not on this machine")
    report = validate(root / "datapackage.json", sources_dir=folder)
    assert report.findings == [], report.format_text()
    assert report.stats["provenance"]["excerpts_checked"] > 0
