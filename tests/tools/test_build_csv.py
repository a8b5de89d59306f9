"""The CSV copy every release carries (``csv/<table>.csv`` and ``csv/datapackage.json``):
what ``frictionless`` and this package's validator accept, the same values as the Parquet
files, one dialect, ISO dates, byte-reproducible; a differential test (hypothesis draws the
tables) against frictionless reading the CSV back; and a real spreadsheet opening it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.events import EVENTS, EVENTS_SCHEMA, SOURCES, event, write_events_package
from support.paths import REPO
from support.profiles import examples
from support.regex import match_in

from conflictdata._tableschema.tables import table_schema_from_dict
from conflictdata._tools.csv_copy import DIALECT, csv_schema, write_csv
from conflictdata.errors import BuildError
from conflictdata.tools import build_release, validate

#: Cells a spreadsheet, R or Stata must read whole: commas, quotes, line breaks, non-ASCII.
AWKWARD = 'Tehran, "Fordow"\nsecond line — Натанз, 伊朗 ✈'


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("csv")
    sources = [{**SOURCES[0], "title": AWKWARD}, SOURCES[1]]
    rows = [*EVENTS, event("EV-0010", fatalities="12", latitude="-3.25", confirmed="true")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1750000000")
        built = build_release(
            write_events_package(base / "pkg", sources=sources, events=rows),
            base / "out",
            progress=False,
        )
    return built.path


def test_frictionless_and_this_validator_accept_the_copy(release: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(release / "csv" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    ours = validate(release / "csv" / "datapackage.json")
    assert ours.valid and not ours.findings, ours.format_text()


def test_the_copy_holds_the_parquet_values_in_one_dialect(release: Path) -> None:
    desc = json.loads((release / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    main = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["version"] == main["version"] and desc["created"] == main["created"]
    assert desc["licenses"] == main["licenses"]
    assert [r["name"] for r in desc["resources"]] == [r["name"] for r in main["resources"]]
    for res in desc["resources"]:
        data = (release / "csv" / res["path"]).read_bytes()
        assert res["path"] == f"{res['name']}.csv" and res["format"] == "csv"
        assert res["encoding"] == "utf-8" and res["dialect"] == DIALECT
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + __import__("hashlib").sha256(data).hexdigest()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data.replace(b'\r\n"', b"")
        data.decode("utf-8")
        assert res["schema"]["missingValues"] == [""]
        # the values: read back as the CSV schema says, equal to the Parquet table's
        parquet = pq.read_table(release / f"{res['name']}.parquet")
        assert _read_back(release / "csv", res) == parquet.to_pylist()
    events = (release / "csv" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert events[0].startswith('"event_id","source_id","event_type","date_start"')
    assert events[1].startswith('"EV-0001","SRC-001","strike",2025-06-13,3,35.7,true,"active",')
    assert re.search(r",2025-06-14,12,-3\.25,true,", events[-1])  # ISO date, bare values
    sources = (release / "csv" / "sources.csv").read_text(encoding="utf-8")
    assert '"Tehran, ""Fordow""\nsecond line — Натанз, 伊朗 ✈"' in sources


def _read_back(folder: Path, res: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a CSV resource read by frictionless, in Python values like Arrow's."""
    frictionless = pytest.importorskip("frictionless")
    res = copy.deepcopy(res)
    res["schema"].pop("foreignKeys", None)  # the values only: keys are validate()'s to check
    resource = frictionless.Resource.from_descriptor(res, basepath=str(folder))
    types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    out = []
    for row in resource.read_rows():
        out.append({k: _plain(v, types[k]) for k, v in row.items()})
    return out


def _plain(value: Any, ftype: str) -> Any:
    if value is None:
        return None
    if ftype == "number":
        return float(value)
    return value


def test_a_field_spelled_its_own_way_is_written_as_it_declares(tmp_path: Path) -> None:
    """Dates in a %-format, booleans spelled yes/no, a decimal comma: each cell is written as
    its field's type spells it, so the copy's schema is the release's (a bound or an enum
    item spelled in the field's format still reads), and frictionless reads it back."""
    schema = copy.deepcopy(EVENTS_SCHEMA)
    fields = {f["name"]: f for f in schema["fields"]}
    fields["date_start"].update(format="%d/%m/%Y", constraints={"minimum": "01/01/1900"})
    fields["confirmed"].update(trueValues=["yes"], falseValues=["no"])
    fields["latitude"].update(decimalChar=",")
    rows = [
        {
            **r,
            "date_start": "13/06/2025" if r["date_start"] else "",
            "confirmed": {"true": "yes", "false": "no"}.get(r["confirmed"], ""),
            "latitude": r["latitude"].replace(".", ","),
        }
        for r in EVENTS
    ]
    built = build_release(
        write_events_package(tmp_path / "pkg", events=rows, events_schema=schema),
        tmp_path / "out",
        progress=False,
    )
    desc = json.loads((built.path / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    release = json.loads((built.path / "datapackage.json").read_text(encoding="utf-8"))
    copied, declared = desc["resources"][1]["schema"], release["resources"][1]["schema"]
    assert copied["fields"] == declared["fields"]
    assert copied["missingValues"] == [""]
    text = (built.path / "csv" / "events.csv").read_text(encoding="utf-8")
    assert '"EV-0001","SRC-001","strike","13/06/2025",3,"35,7","yes","active",' in text
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(built.path / "csv" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    parquet = pq.read_table(built.path / "events.parquet")
    assert _read_back(built.path / "csv", desc["resources"][1]) == parquet.to_pylist()


def test_an_empty_text_value_is_refused_not_turned_into_a_missing_one(tmp_path: Path) -> None:
    """Where "" is a value (not among missingValues), the copy could not tell it from a
    missing cell: the build says so instead of losing the difference."""
    schema = table_schema_from_dict(
        "t",
        "t.csv",
        {"fields": [{"name": "id", "type": "string"}, {"name": "s", "type": "string"}]},
    )
    table = pa.table({"id": ["a", "b"], "s": pa.array(["", None], pa.string())})
    with pytest.raises(BuildError, match=r"unsupported: .*field 's': 1 empty text value"):
        write_csv(table, schema, tmp_path / "t.csv")


# ---------------------------------------------------------------- differential, drawn tables

_SCHEMA = table_schema_from_dict(
    "t",
    "t.parquet",
    {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True}},
            {"name": "text", "type": "string"},
            {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b, c", 'd "e"']}},
            {"name": "n", "type": "integer"},
            {"name": "x", "type": "number"},
            {"name": "flag", "type": "boolean"},
            {"name": "day", "type": "date"},
            {"name": "at", "type": "datetime"},
            {"name": "clock", "type": "time"},
        ],
        "primaryKey": ["id"],
    },
)
_ARROW = _SCHEMA.arrow_schema()
_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12
).filter(lambda s: "\x00" not in s)
_row = st.fixed_dictionaries(
    {
        "text": st.none() | _text,
        "kind": st.none() | st.sampled_from(["a", "b, c", 'd "e"']),
        "n": st.none() | st.integers(-(2**63), 2**63 - 1),
        "x": st.none() | st.floats(allow_nan=False, allow_infinity=False),
        "flag": st.none() | st.booleans(),
        "day": st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        "at": st.none()
        | st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)).map(
            lambda d: d.replace(microsecond=0, tzinfo=dt.UTC)
        ),
        "clock": st.none() | st.times().map(lambda t: t.replace(microsecond=0)),
    }
)


@settings(
    max_examples=examples(60),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(_row, max_size=8))
def test_frictionless_reads_back_what_was_written(tmp_path: Path, rows: list[dict]) -> None:
    """Whatever typed values a table holds, frictionless reads the copy back to them: the
    dialect, quoting and spellings the descriptor declares are the ones written."""
    pytest.importorskip("frictionless")
    data = [{"id": i, **r} for i, r in enumerate(rows)]
    table = pa.Table.from_pylist(data, schema=_ARROW) if data else _ARROW.empty_table()
    folder = tmp_path / f"t{abs(hash(repr(rows)))}"
    folder.mkdir()
    size, digest = write_csv(table, _SCHEMA, folder / "t.csv")
    res = {
        "name": "t",
        "path": "t.csv",
        "format": "csv",
        "encoding": "utf-8",
        "dialect": DIALECT,
        "bytes": size,
        "hash": f"sha256:{digest}",
        "schema": csv_schema(_SCHEMA),
    }
    got = _read_back(folder, res)
    assert got == [{**r, "x": r["x"]} for r in table.to_pylist()]
    shutil.rmtree(folder)


@settings(
    max_examples=examples(40),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(_row, max_size=12), batch=st.integers(1, 5))
def test_the_copy_is_the_same_bytes_whatever_its_batch_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[dict], batch: int
) -> None:
    """The copy is spelled and written a batch of rows at a time (its memory is one batch):
    the bytes are those of the whole table written at once, whatever the batch size."""
    from conflictdata._tools import csv_copy

    data = [{"id": i, **r} for i, r in enumerate(rows)]
    table = pa.Table.from_pylist(data, schema=_ARROW) if data else _ARROW.empty_table()
    monkeypatch.setattr(csv_copy, "_BATCH_ROWS", 1 << 30)
    whole = write_csv(table, _SCHEMA, tmp_path / "whole.csv")
    monkeypatch.setattr(csv_copy, "_BATCH_ROWS", batch)
    batched = write_csv(table, _SCHEMA, tmp_path / "batched.csv")
    assert batched == whole
    assert (tmp_path / "batched.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


def test_an_empty_text_value_in_a_later_batch_is_counted_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conflictdata._tools import csv_copy

    monkeypatch.setattr(csv_copy, "_BATCH_ROWS", 2)
    schema = table_schema_from_dict(
        "t",
        "t.csv",
        {"fields": [{"name": "id", "type": "string"}, {"name": "s", "type": "string"}]},
    )
    table = pa.table({"id": list("abcde"), "s": pa.array(["x", None, "", "y", ""], pa.string())})
    with pytest.raises(BuildError, match=r"field 's': 2 empty text value"):
        write_csv(table, schema, tmp_path / "t.csv")
    assert not (tmp_path / "t.csv").exists()


# ---------------------------------------------------------------- README and a spreadsheet


def _readme_line(prefix: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(prefix)]
    assert lines, f"README shows no line starting {prefix!r}"
    return lines[0]


def test_readme_reads_the_copy_from_r_stata_and_a_spreadsheet() -> None:
    r = _readme_line("events <- readr::read_csv(")
    assert 'na = ""' in r and "build/releases/0.1.0/csv/events.csv" in r
    stata = _readme_line("import delimited")
    assert "bindquote(strict)" in stata and "encoding(utf-8)" in stata
    calc = _readme_line("soffice --calc")
    assert '--infilter="CSV:44,34,76,1"' in calc


@pytest.mark.processes
def test_a_spreadsheet_opens_the_copy_whole(release: Path, tmp_path: Path) -> None:
    """LibreOffice, with the README's import options, reads every text cell whole: the
    commas, quotes, line break and non-ASCII title come back as written."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    options = match_in(r'--infilter="([^"]+)"', _readme_line("soffice --calc")).group(1)
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            f"--infilter={options}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true",
            "--outdir",
            str(tmp_path / "calc"),
            str(release / "csv" / "sources.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    import csv

    with open(tmp_path / "calc" / "sources.csv", encoding="utf-8", newline="") as f:
        back = list(csv.DictReader(f))
    assert [r["source_id"] for r in back] == ["SRC-001", "SRC-002"]
    assert [r["title"] for r in back] == [AWKWARD, "Line one\nline two"]
