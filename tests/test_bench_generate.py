"""bench/generate.py writes valid, deterministic packages from whatever the schemas declare."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pyarrow as pa
import pytest
from support.paths import REPO

from bench import generate as gen
from conflictdata._tableschema.model import TogetherRule, WhenCase, WhenRule


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def pkg200(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen200")
    gen.generate(out, 200, seed=7)
    return out


def _frictionless_errors(descriptor: Path) -> list[str]:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(descriptor)).validate()
    return [f"{task.name}: {err.message}" for task in report.tasks for err in task.errors]


def _conflictdata_report(descriptor: Path):
    mod = pytest.importorskip("conflictdata._validation.run")
    return mod.validate(descriptor)


@pytest.mark.differential
def test_frictionless_finds_the_package_valid(pkg200: Path) -> None:
    assert _frictionless_errors(pkg200 / "datapackage.json") == []


def test_conflictdata_validate_finds_no_errors_and_no_warnings(pkg200: Path) -> None:
    report = _conflictdata_report(pkg200 / "datapackage.json")
    assert [f.to_dict() for f in report.findings] == []
    assert report.stats["rows"] == sum(
        gen.table_sizes(gen.read_package(REPO / "datapackage.json"), 200).values()
    )


def test_every_table_present_with_schema_copies_and_proportional_sizes(pkg200: Path) -> None:
    repo_desc = json.loads((REPO / "datapackage.json").read_text("utf-8"))
    desc = json.loads((pkg200 / "datapackage.json").read_text("utf-8"))
    assert [r["name"] for r in desc["resources"]] == [r["name"] for r in repo_desc["resources"]]
    for res, repo_res in zip(desc["resources"], repo_desc["resources"], strict=True):
        assert (pkg200 / res["schema"]).read_bytes() == (REPO / repo_res["schema"]).read_bytes()
        header = (pkg200 / res["path"]).read_text("utf-8").split("\n", 1)[0].split(",")
        schema = json.loads((REPO / repo_res["schema"]).read_text("utf-8"))
        assert header == [f["name"] for f in schema["fields"]]
    counts = {r["name"]: len(_rows(pkg200 / r["path"])) for r in desc["resources"]}
    assert counts["events"] == 200
    assert counts["event_actors"] == 400 and counts["statements"] == 100
    assert counts["actors"] == 20 and counts["sources"] == 5  # the minimums
    # One crosswalk row per event_type / statement_type value.
    events_schema = json.loads((REPO / "schemas/events.json").read_text("utf-8"))
    stm_schema = json.loads((REPO / "schemas/statements.json").read_text("utf-8"))
    enum = lambda s, name: next(f for f in s["fields"] if f["name"] == name)["constraints"]["enum"]  # noqa: E731
    codes = [r["type_code"] for r in _rows(pkg200 / "seeds/type_crosswalk.csv")]
    assert codes == enum(events_schema, "event_type") + enum(stm_schema, "statement_type")


def test_keys_resolve_self_references_point_back_and_every_source_is_cited(pkg200: Path) -> None:
    pkg = gen.read_package(pkg200 / "datapackage.json")
    data = {name: _rows(pkg200 / t.path) for name, t in pkg.tables.items()}
    cited: set[str] = set()
    for name, t in pkg.tables.items():
        order = {r[t.id_field]: i for i, r in enumerate(data[name])}
        assert len(order) == len(data[name])
        for fk in t.foreign_keys:
            (col,), (ref_col,) = fk.fields, fk.reference_fields
            targets = {r[ref_col] for r in data[fk.resource]}
            used = [r[col] for r in data[name] if r[col] != ""]
            assert set(used) <= targets, (name, col)
            if fk.resource == "sources":
                cited |= set(used)
            if fk.resource == name:  # only to earlier rows: acyclic by construction
                assert all(order[r[col]] < order[r[t.id_field]] for r in data[name] if r[col]), col
        for chk in t.relation_rules:
            by_id = {r[t.id_field]: r for r in data[name]}
            for r in data[name]:
                ref = by_id.get(r[chk.foreign_key])
                mine = (r[chk.end] if chk.end else "") or r[chk.start]
                if ref and mine and ref[chk.start]:
                    assert mine >= ref[chk.start], (name, r[t.id_field])
    assert cited == {r["source_id"] for r in data["sources"]}


def test_when_and_together_rules_hold_and_text_is_clean(pkg200: Path) -> None:
    pkg = gen.read_package(pkg200 / "datapackage.json")
    for name, t in pkg.tables.items():
        rows = _rows(pkg200 / t.path)
        for chk in t.row_rules:
            for r in rows:
                if isinstance(chk, WhenRule):
                    case = next((c for c in chk.cases if c.value == r[chk.field]), WhenCase(""))
                    assert all(r[x] for x in case.present), (name, chk, r)
                    assert not any(r[x] for x in case.absent), (name, chk, r)
                elif isinstance(chk, TogetherRule):
                    assert len({bool(r[x]) for x in chk.fields}) == 1, (name, r)
        for r in rows:
            for v in r.values():
                assert v == v.strip() and unicodedata.is_normalized("NFC", v)
                assert v[:1] not in ("=", "+", "@") and not (
                    v.startswith("-") and not _is_number(v)
                )


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


@pytest.mark.slow
def test_quoted_cells_with_commas_quotes_and_newlines(tmp_path: Path) -> None:
    gen.generate(tmp_path, 2000, seed=1)
    text = (tmp_path / "seeds/events.csv").read_text("utf-8")
    cells = [v for r in _rows(tmp_path / "seeds/events.csv") for v in r.values()]
    assert any("\n" in v and '"' in v and "," in v for v in cells)
    assert sum(1 for v in cells if "\n" in v) < 0.05 * len(cells)
    # Physical lines outnumber records because of the embedded newlines.
    assert text.count("\n") > len(_rows(tmp_path / "seeds/events.csv")) + 1
    assert any(ord(ch) > 127 for ch in text)


@pytest.mark.processes
def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    gen.generate(tmp_path / "a", 300, seed=3)
    gen.generate(tmp_path / "b", 300, seed=3)
    gen.generate(tmp_path / "c", 300, seed=4)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert a["seeds/events.csv"] != c["seeds/events.csv"]


@pytest.mark.processes
def test_polars_and_arrow_writers_write_the_same_bytes(tmp_path: Path) -> None:
    pytest.importorskip("polars")
    cols = [
        pa.array(["plain", 'say "hi"', "a,b", "two\nlines", None, "Tehrān", "", "x\r\ny"]),
        pa.array([1, None, 3, 4, 5, 6, 7, 8], pa.int64()),
        pa.array([31.77, -0.5, None, 90.0, 12.3456, -180.0, 0.25, 1.0]),
        pa.array([True, False, None, True, True, False, True, False]),
    ]
    names = ["text", "n", "x", "flag"]
    gen.generate(tmp_path / "pp", 300, seed=5, engine="polars")
    gen.generate(tmp_path / "pa", 300, seed=5, engine="arrow")
    assert _digests(tmp_path / "pp") == _digests(tmp_path / "pa")
    gen.write_csv(tmp_path / "p.csv", names, cols, engine="polars")
    gen.write_csv(tmp_path / "a.csv", names, cols, engine="arrow")
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()
    back = _rows(tmp_path / "a.csv")
    assert [r["text"] for r in back] == [
        "plain",
        'say "hi"',
        "a,b",
        "two\nlines",
        "",
        "Tehrān",
        "",
        "x\r\ny",
    ]


@pytest.mark.slow
def test_follows_changed_schemas(tmp_path: Path) -> None:
    """New enum values and new fields of every type need no change to the generator."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "schemas", repo / "schemas")
    shutil.copytree(REPO / "seeds", repo / "seeds")
    shutil.copy(REPO / "datapackage.json", repo / "datapackage.json")
    path = repo / "schemas/events.json"
    schema = json.loads(path.read_text("utf-8"))
    for f in schema["fields"]:
        if f["name"] == "event_type":
            f["constraints"]["enum"].append("drone_strike")
            f.setdefault("enumDescriptions", {})["drone_strike"] = "An attack by drones."
    schema["fields"][3:3] = [
        {
            "name": "operation_code",
            "type": "string",
            "title": "Operation code",
            "constraints": {"required": False, "pattern": "^OP-[A-Z]{2}[0-9]{3}$"},
        },
        {
            "name": "recorded_at",
            "type": "datetime",
            "title": "Recorded at",
            "constraints": {"required": True},
        },
        {
            "name": "verified",
            "type": "boolean",
            "title": "Verified",
            "constraints": {"required": False},
        },
        {
            "name": "confidence",
            "type": "number",
            "title": "Confidence",
            "constraints": {"required": False, "minimum": 0, "maximum": 1},
        },
    ]
    path.write_text(json.dumps(schema, indent=2), "utf-8")
    out = tmp_path / "out"
    gen.generate(out, 150, seed=0, repo=repo)
    rows = _rows(out / "seeds/events.csv")
    assert "operation_code" in rows[0] and any(r["operation_code"] for r in rows)
    assert all(r["recorded_at"].endswith("T12:00:00Z") for r in rows)
    assert {r["verified"] for r in rows} == {"true", "false", ""}
    assert all(0 <= float(r["confidence"]) <= 1 for r in rows if r["confidence"])
    assert "drone_strike" in {r["type_code"] for r in _rows(out / "seeds/type_crosswalk.csv")}
    assert _frictionless_errors(out / "datapackage.json") == []
    report = _conflictdata_report(out / "datapackage.json")
    assert [f.to_dict() for f in report.findings] == []


@pytest.mark.processes
def test_command_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench/generate.py"),
            "--events",
            "50",
            "--out",
            str(tmp_path / "p"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "events" in proc.stdout and (tmp_path / "p/datapackage.json").exists()


@pytest.mark.processes
def test_run_measured_reports_the_childs_own_peak_memory() -> None:
    """The child's peak RSS is its own, not inherited from a large parent (bench/_common.py)."""
    from bench._common import run_measured

    ballast = bytearray(300 * 2**20)  # the parent is big...
    small = run_measured([sys.executable, "-c", "pass"])
    big = run_measured([sys.executable, "-c", "x = bytearray(200 * 2**20); print(len(x))"])
    del ballast
    assert small.ok and small.peak_rss_mb < 100  # ...but a small child stays small
    assert big.ok and big.stdout.strip() == str(200 * 2**20) and big.peak_rss_mb >= 200
    assert big.wall_s > 0
    failed = run_measured([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert failed.returncode == 3 and not failed.ok


@pytest.mark.processes
def test_runs_with_deprecation_warnings_as_errors(tmp_path: Path) -> None:
    """No deprecated numpy call (e.g. datetime + a bare integer, deprecated in numpy 2.5)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::DeprecationWarning",
            "-W",
            "error::FutureWarning",
            str(REPO / "bench/generate.py"),
            "--events",
            "60",
            "--out",
            str(tmp_path / "p"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.slow
def test_datetime_bounds_in_utc_are_met_without_timezone_warnings(tmp_path: Path) -> None:
    """A datetime field's minimum/maximum ("...Z") bound the days drawn; numpy is never asked
    to parse a timezone (a warning, and an error under -W error)."""
    import warnings

    repo = tmp_path / "repo"
    shutil.copytree(REPO / "schemas", repo / "schemas")
    shutil.copytree(REPO / "seeds", repo / "seeds")
    shutil.copy(REPO / "datapackage.json", repo / "datapackage.json")
    path = repo / "schemas/events.json"
    schema = json.loads(path.read_text("utf-8"))
    lo, hi = "2024-03-01T15:00:00Z", "2024-03-20T09:00:00Z"
    schema["fields"].insert(
        3,
        {
            "name": "recorded_at",
            "type": "datetime",
            "title": "Recorded at",
            "constraints": {"required": True, "minimum": lo, "maximum": hi},
        },
    )
    for f in schema["fields"]:  # the first date field of the table sets its days
        if f["type"] == "date":
            f.setdefault("constraints", {}).update(
                {"minimum": "2024-03-01", "maximum": "2024-03-20"}
            )
    path.write_text(json.dumps(schema, indent=2), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gen.generate(tmp_path / "out", 80, seed=3, repo=repo)
    got = {r["recorded_at"] for r in _rows(tmp_path / "out/seeds/events.csv")}
    assert got and all(lo <= v <= hi for v in got), sorted(got)[:3] + sorted(got)[-3:]
