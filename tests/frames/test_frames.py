"""Frames in memory: pandera schemas and models from the schemas, load(validate=True),
validate_frames on partial packages and hand-built frames, and plain loading without pandera."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import conflictdata as cd
from conflictdata.errors import MissingDependencyError, UnknownTableError, ValidationError
from conflictdata.tools import Report, read_package

pdx = pytest.importorskip("pandera.pandas")
from pandera.typing import DataFrame, Series  # noqa: E402

from conflictdata.models import Events  # noqa: E402

#: These tests load the curated release, built once per session (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("curated_build")


@pytest.mark.processes
def test_plain_load_imports_no_pandera():
    code = (
        "import sys, conflictdata as cd; cd.load('events'); cd.load_all(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandera' "
        "or m.startswith('conflictdata._frames')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.processes
def test_missing_pandera_is_an_install_hint():
    code = (
        "import sys; sys.modules['pandera'] = None; import conflictdata as cd\n"
        "try:\n    cd.load('events', validate=True)\n"
        "except cd.MissingDependencyError as e:\n    print('hint:', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'conflictdata[pandera]'" in out
    assert issubclass(MissingDependencyError, ImportError)


def test_every_loaded_table_validates():
    frames = cd.load_all(validate=True)
    for name in frames:
        assert cd.load(name, validate=True).equals(frames[name])
        cd.tools.pandera_schema(name).validate(frames[name], lazy=True)


def test_validate_true_raises_with_every_failure_located():
    from conflictdata._frames.pandera_schemas import validate_loaded
    from conflictdata._loader.releases import open_release

    table = open_release().table("events")
    df = cd.load("events")
    df.loc[1, "event_id"] = "EV-1"
    df.loc[2, "title"] = None
    df.loc[3, "latitude"] = 35.5
    with pytest.raises(ValidationError) as exc:
        validate_loaded(table, df)
    report = exc.value.report
    assert isinstance(report, cd.tools.Report) and not report.valid
    got = {(f.code, f.key, f.field) for f in report.findings}
    assert ("E205", "EV-1", "event_id") in got
    assert ("E201", "evt-0003", "title") in got
    assert ("E302", "evt-0004", "longitude") in got
    assert all(f.line is None and f.table == "events" for f in report.findings)
    text = str(exc.value)
    assert "events[EV-1].event_id: E205 value 'EV-1' does not match the pattern" in text
    assert "(hint: " in text


def test_wrong_dtype_is_a_column_finding():
    from conflictdata._frames.pandera_schemas import report_from_schema_errors, schema_for
    from conflictdata._loader.releases import open_release

    table = open_release().table("figures")
    df = cd.load("figures")
    df["count_best"] = df["count_best"].astype("float64")
    with pytest.raises(pdx.errors.SchemaErrors) as exc:
        schema_for(table).validate(df, lazy=True)
    report = report_from_schema_errors(table, df, exc.value)
    assert [(f.code, f.field) for f in report.findings] == [("E202", "count_best")]


def test_checks_are_named_with_finding_codes():
    schema = cd.tools.pandera_schema("events")
    names = [c.name for c in schema.checks]
    names += [c.name for col in schema.columns.values() for c in col.checks]
    codes = {n.split(":")[0] for n in names}
    assert {
        "E201",
        "E204",
        "E205",
        "E206",
        "E207",
        "E208",
        "E209",
        "E211",
        "E212",
        "E301",
        "E302",
        "E303",
        "E304",
        "E305",
        "E401",
        "E402",
        "E403",
    } <= codes
    assert len(names) == len(set(names))
    assert schema.columns["event_type"].dtype.type == cd.load("events")["event_type"].dtype
    assert not schema.columns["title"].nullable and schema.columns["notes"].nullable


def test_models_are_the_pandera_schemas(package):
    from conflictdata.models import MODELS

    assert set(MODELS) == set(package.tables)
    for name, model in MODELS.items():
        mine, theirs = model.to_schema(), cd.tools.pandera_schema(name)
        assert [c.name for c in mine.checks] == [c.name for c in theirs.checks]
        assert list(mine.columns) == list(theirs.columns)
        for col, c in theirs.columns.items():
            m = mine.columns[col]
            assert (m.dtype, m.nullable) == (c.dtype, c.nullable)
            assert [k.name for k in m.checks] == [k.name for k in c.checks]
            # the generated field says the same as the schema
            annotated = model.__fields__[col][1]
            assert (annotated.title, annotated.description) == (c.title, c.description)
            assert annotated.nullable == c.nullable
            assert getattr(model, col) == col


def test_generated_fields_have_the_schema_dtypes(package):
    import pandera.pandas as pandera

    from conflictdata._tableschema.dtypes import pandas_dtype
    from conflictdata.models import MODELS

    for name, model in MODELS.items():
        plain = pandera.DataFrameModel.build_schema_.__func__(model)  # type: ignore[attr-defined]  # the annotations alone: the base's classmethod function, which a bound method has but its stub does not
        for f in package.tables[name].fields:  # the dtypes cd.load gives
            assert plain.columns[f.name].dtype == pandera.Column(pandas_dtype(f)).dtype


def test_models_module_is_current(root):
    from conflictdata._frames.render_models import render_models

    committed = (root / "src" / "conflictdata" / "models.py").read_text(encoding="utf-8")
    assert committed == render_models(read_package(root / "datapackage.json")), (
        "src/conflictdata/models.py is stale: run `conflictdata models`"
    )


def test_models_check_detects_staleness(root, tmp_path):
    from conflictdata.cli import main

    out = tmp_path / "models.py"
    out.write_text("stale\n", encoding="utf-8")
    args = ["models", str(root / "datapackage.json"), "--out", str(out)]
    assert main([*args, "--check"]) == 1
    assert out.read_text(encoding="utf-8") == "stale\n"
    assert main(args) == 0
    assert main([*args, "--check"]) == 0


def test_models_work_as_annotations_and_extend():
    @pdx.check_types
    def first_wave(events: DataFrame[Events]) -> DataFrame[Events]:
        return events.head(3)

    events = cd.load("events")
    assert len(first_wave(events)) == 3
    bad = events.copy()
    bad.loc[0, "date_precision"] = "unknown"  # the row has dates: E304
    with pytest.raises(pdx.errors.SchemaError, match="E304"):
        first_wave(bad)

    class EventsWithYear(Events):
        year: Series[int]

    assert "year" in EventsWithYear.to_schema().columns
    EventsWithYear.validate(events.assign(year=2025))
    with pytest.raises(pdx.errors.SchemaError, match="year"):
        EventsWithYear.validate(events)


def test_validate_frames_reads_missing_tables_from_the_release():
    events = cd.load("events")
    events.loc[0, "source_id"] = "no-such-source"
    report = cd.tools.validate_frames({"events": events})
    assert [(f.code, f.key, f.field) for f in report.findings] == [
        ("E401", "evt-0001", "source_id")
    ]
    assert report.stats["references"]["sources"] == "release"


def test_validate_frames_reads_hand_built_frames_like_csv():
    rows = cd.load("figures").astype(object).where(lambda d: d.notna(), None)
    rows.loc[0, "count_best"] = "12x"
    rows = rows.drop(columns=["notes"]).assign(extra=1)
    report = cd.tools.validate_frames({"figures": rows})
    got = sorted((f.code, f.field) for f in report.findings)
    assert ("E202", "count_best") in got
    assert ("E111", "notes") in got and ("E112", None) in got
    bad = next(f for f in report.findings if f.code == "E202")
    assert bad.value == "12x" and bad.message == "'12x' is not an integer"


def test_validate_frames_names_unknown_tables():
    with pytest.raises(UnknownTableError, match="no table 'evnts'"):
        cd.tools.validate_frames({"evnts": pd.DataFrame()})


def test_validation_error_lists_at_most_the_rule_limit():
    from conflictdata._frames.pandera_schemas import validate_loaded
    from conflictdata._loader.releases import open_release

    table = open_release().table("actors")
    df = cd.load("actors")
    big = pd.concat([df] * 80, ignore_index=True)  # 1,120 rows: every ID repeated
    with pytest.raises(ValidationError) as exc:
        validate_loaded(table, big)
    report = exc.value.report
    assert isinstance(report, Report)
    dups = [f for f in report.findings if f.code == "E211"]
    assert len(dups) == 1000 and report.stats["suppressed"]["E211"] == len(big) - len(df) - 1000
    assert "… and " in str(exc.value)
    assert f"E211 x{len(big) - len(df) - 1000}" in str(exc.value)


def test_a_frame_changed_in_place_between_validations_is_read_again() -> None:
    """pandera's checks share one reading of the frame within a validation, never across."""
    import pandera.errors

    import conflictdata as cd
    from conflictdata.tools import pandera_schema

    df = cd.load("events")
    schema = pandera_schema("events")
    schema.validate(df, lazy=True, inplace=True)
    df.loc[df.index[0], "event_id"] = df["event_id"].iloc[1]
    with pytest.raises(pandera.errors.SchemaErrors, match="E210"):
        schema.validate(df, lazy=True, inplace=True)
