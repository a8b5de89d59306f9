"""The temporal types (date, datetime, time, year, yearmonth) read as frictionless 5 reads
them: each cell list is validated by both, in-process, and the flagged rows must agree;
typed values compare as instants; what is not implemented is refused in one line."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.cli import run_cli
from support.profiles import examples
from support.validate import write_rules_package

from conflictdata._checks.findings import FRICTIONLESS
from conflictdata._tableschema.fields import read_field as _field_from_dict
from conflictdata._tableschema.tables import table_schema_from_dict
from conflictdata._types.temporal import NAIVE
from conflictdata.errors import BuildError, DescriptorError, UnsupportedFeatureError
from conflictdata.tools import validate

frictionless = pytest.importorskip("frictionless")


def _package(
    root: Path, fields: list[dict[str, Any]], rows: list[list[str]], **schema: Any
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows([[f["name"] for f in fields], *rows])
    return write_rules_package(
        root, raw={"t": buf.getvalue()}, schemas={"t": {"fields": fields, **schema}}, policy=None
    )


def _ours(desc: Path) -> set[tuple[int | None, str | None, str]]:
    report = validate(desc)
    return {(f.row, f.field, FRICTIONLESS.get(f.code, (f.code,))[0]) for f in report.findings}


def _theirs(desc: Path) -> set[tuple[int | None, str | None, str]]:
    report = frictionless.validate(str(desc))
    assert not report.errors, report.errors
    return {
        (getattr(e, "row_number", None), getattr(e, "field_name", None), e.type)
        for t in report.tasks
        for e in t.errors
    }


def _both(
    tmp_path: Path, ftype: str, cells: list[str], fmt: str | None = None, **constraints: Any
) -> set[tuple[int | None, str | None, str]]:
    field: dict[str, Any] = {"name": "a", "type": ftype}
    if fmt is not None:
        field["format"] = fmt
    if constraints:
        field["constraints"] = constraints
    desc = _package(tmp_path, [field], [[c] for c in cells])
    ours, theirs = _ours(desc), _theirs(desc)
    assert ours == theirs, (sorted(ours), sorted(theirs))
    return ours


CASES = {
    ("date", None): [
        "2020-01-05",
        "2020-1-5",
        "2020-01- 5",
        "２０２０-01-05",
        "0000-01-01",
        "2020-02-30",
        "2020-01-05T00:00:00",
        " 2020-01-05",
        "2020-01-05 ",
        "20200105",
        "2020-13-01",
        "2020-00-10",
        "2020-10-00",
        "2020-01-05Z",
        "1-01-01",
        "2024-02-29",
        "2023-02-29",
    ],
    ("datetime", None): [
        "2020-01-05T10:00:00Z",
        "2020-01-05T10:00:00",
        "2020-01-05 10:00:00",
        "2020-01-05x10:00:00",
        "2020-01-05T10:00:00+01:00",
        "2020-01-05T10:00:00+0100",
        "2020-01-05T10:00:00+01",
        "2020-01-05T10:00:00.123456789Z",
        "2020-01-05T10:00:00,5",
        "2020-01-05T25:61:99Z",
        "2020-01-05T23:59:60Z",
        "2020-01-05T24:00:00",
        "2020-01-05T24:00:01",
        "2020-01-05T10:00:00z",
        "2020-01-05T10:00:00-00:00",
        "2020-01-05T10:00:00+24:00",
        "2020-01-05T10:00:00+23:60",
        "20200105T1000+01:00",
        "2020-W01-1T10:00:00",
        "2020-01-05T10:00",
        "2020-1-05T10:00:00",
        "0000-01-01T00:00:00",
        "9999-12-31T24:00:00",
        "2020-01-05T10:00:00.",
        "2020-01-05T10:00:00Z ",
        "2020-01-05T10:00:00 Z",
        "2020-01-05é10:00:00",
        "2020-02-30T10:00:00",
    ],
    ("time", None): [
        "10:00:00",
        "24:00:00",
        "10:00:00Z",
        "10:00:00+01:00",
        "10:00",
        "25:00:00",
        "10:60:00",
        "10:00:00.5",
        "1000+01:00",
        "10:00:00,123",
        "10:00:00+2400",
        " 10:00:00",
        "23:59:60",
    ],
    ("date", "%d/%m/%Y"): [
        "05/01/2020",
        "5/1/2020",
        "31/02/2020",
        "05/01/20",
        "05/1/2020 ",
        "2020-01-05",
        " 5/01/2020",
        "05/01/２０２０",
    ],
    ("date", "%d %b %Y"): [
        "05 Jan 2020",
        "5 jan 2020",
        "05 JAN 2020",
        "05 January 2020",
        "05  Jan 2020",
        "05\tJan 2020",
        "05Jan 2020",
    ],
    ("datetime", "%Y-%m-%d %H:%M"): [
        "2020-01-05 10:00",
        "2020-01-05 9:5",
        "2020-01-05  10:00",
        "2020-01-05T10:00",
        "2020-01-05 24:00",
        "2020-01-05 10:00:00",
    ],
    ("datetime", "%d %B %Y %I:%M %p"): [
        "05 January 2020 10:00 PM",
        "05 january 2020 12:00 am",
        "5 JANUARY 2020 1:00 pm",
        "05 January 2020 13:00 PM",
        "05 Jan 2020 10:00 PM",
    ],
    ("datetime", "%Y-%m-%d %H:%M %z"): [
        "2020-01-05 10:00 +0100",
        "2020-01-05 10:00 Z",
        "2020-01-05 10:00 z",
        "2020-01-05 10:00 +01:00",
        "2020-01-05 10:00 +013045",
        "2020-01-05 10:00 +2400",
    ],
    ("datetime", "%y%m%dT%H%M%S.%f"): [
        "200105T100000.5",
        "690105T100000.123456",
        "200105T100000.1234567",
        "200105T1000.5",
    ],
    ("time", "%I:%M %p"): ["10:00 PM", "12:30 AM", "10:00", "12:00 pm"],
    ("date", "%Q"): ["2020-01-05", "x"],
    ("date", "%Y %Y"): ["2020 2020"],
    ("year", None): [
        "2020",
        "0000",
        "99",
        "12345",
        " 123",
        "+123",
        "1_00",
        "２０２０",
        "-123",
        "123 ",
    ],
    ("yearmonth", None): [
        "2020-01",
        "2020-1",
        "2020-13",
        "2020-00",
        "02020-001",
        "12345-12",
        " 2020-01",
        "2020-01-01",
        "-2020-01",
        "2020",
        "+2020-+1",
    ],
}


@pytest.mark.parametrize("key", list(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_cells_are_read_as_frictionless_reads_them(tmp_path, key):
    _both(tmp_path, key[0], CASES[key], key[1])


def test_the_clock_is_checked(tmp_path):
    got = _both(tmp_path, "datetime", ["2020-01-05T25:61:99Z", "2020-01-05T10:00:00Z"])
    assert got == {(2, "a", "type-error")}


def test_unique_datetimes_compare_instants(tmp_path):
    got = _both(
        tmp_path,
        "datetime",
        [
            "2020-01-05T10:00:00+01:00",
            "2020-01-05T09:00:00Z",
            "2020-01-05T09:00:00",
            "2020-01-05T09:00:00.000000",
            "2020-01-05T09:00:00.0000001Z",
        ],
        unique=True,
    )
    assert got == {(3, "a", "unique-error"), (5, "a", "unique-error"), (6, "a", "unique-error")}


def test_time_enum_is_typed(tmp_path):
    _both(tmp_path, "time", ["09:00:00", "10:00:00+01:00", "08:00:00Z"], enum=["09:00:00Z"])


def test_typed_datetimes_are_instants_and_naive_ones_apart():
    f = _field_from_dict({"name": "a", "type": "datetime"}, "t")
    r = f.value_type.read(
        pa.chunked_array(
            [pa.array(["2020-01-05T10:00:00+01:00", "2020-01-05T09:00:00Z", "2020-01-05T09:00:00"])]
        ),
        np.ones(3, dtype=bool),
    )
    assert r.typed is not None  # dates and times compare as instants
    codes = r.typed.cast(pa.int64()).to_pylist()
    instant = int(dt.datetime(2020, 1, 5, 9, tzinfo=dt.UTC).timestamp()) * 10**6
    assert codes == [instant, instant, instant + NAIVE]


def test_datetime_bounds_compare_instants(tmp_path):
    got = _both(
        tmp_path,
        "datetime",
        ["2021-01-01T00:00:00Z", "2019-12-31T23:30:00-01:00", "2019-12-31T23:30:00Z"],
        minimum="2020-01-01T00:00:00Z",
        maximum="2020-12-31T23:59:59+00:00",
    )
    assert got == {(2, "a", "constraint-error"), (4, "a", "constraint-error")}


def test_time_bounds_compare_offsets(tmp_path):
    got = _both(
        tmp_path,
        "time",
        ["09:00:00Z", "10:00:00+01:00", "08:59:59Z", "10:30:00+02:00"],
        minimum="09:00:00Z",
    )
    assert got == {(4, "a", "constraint-error"), (5, "a", "constraint-error")}
    _both(tmp_path / "naive", "time", ["09:00:00", "08:00:00"], minimum="08:30:00")


def test_year_and_yearmonth_bounds(tmp_path):
    _both(tmp_path, "year", ["1999", "2000", "2021"], minimum=2000, maximum="2020")
    _both(
        tmp_path,
        "yearmonth",
        ["2019-12", "2020-1", "2020-02"],
        minimum="2020-01",
        maximum="2020-01",
    )


def test_a_bound_is_read_in_the_fields_format(tmp_path):
    got = _both(tmp_path, "date", ["31/12/2019", "01/01/2020"], "%d/%m/%Y", minimum="1/1/2020")
    assert got == {(2, "a", "constraint-error")}
    # frictionless cannot read '2020-01-01' in %d/%m/%Y and stops with a TypeError: refused
    with pytest.raises(DescriptorError, match="in the field's format '%d/%m/%Y'"):
        _field_from_dict(
            {
                "name": "a",
                "type": "date",
                "format": "%d/%m/%Y",
                "constraints": {"minimum": "2020-01-01"},
            },
            "t",
        )


def test_date_unique_is_typed(tmp_path):
    _both(tmp_path, "date", ["2020-01-05", "2020-1-5"], unique=True)


#: cells of format "any" in the shapes real packages hold, and a few dateutil reads or not
ANY_CELLS = [
    "1958-03",
    "1958-03-15",
    "1959",
    "1993-Jan",
    "2020-02-30",
    "2020-13",
    "2020-02",
    "0005-05",
    "0999-01-01",
    "March 5 2020",
    "5/6/2020",
    "13/13/2020",
    "2020-05-06T10:00:00+02:00",
    "2020-05-06 10:00",
    "10:30",
    "7pm",
    "Jan",
    "x",
    "",
    "２０２０-01-05",
]


@pytest.mark.parametrize("ftype", ["date", "datetime", "time"])
def test_format_any_is_read_as_dateutil_reads_it(tmp_path, ftype):
    """frictionless reads format "any" with dateutil's parse: a month or a year alone is read
    on today's day (so a bound or a key of one is too)."""
    _both(tmp_path, ftype, ANY_CELLS, "any")
    _both(tmp_path / "u", ftype, ["2020-05", "2020-05-05", "May 2020"], "any", unique=True)
    _both(tmp_path / "e", ftype, ["1958-03", "1958", "1958-03-05"], "any", enum=["1958-03"])
    if ftype != "time":
        _both(tmp_path / "m", ftype, ["1958-03", "1958-02", "1959"], "any", minimum="1958-03")


@pytest.mark.parametrize(
    "fmt,feature",
    [
        ("%j/%Y", "format directive"),
        ("%c", "format directive"),
        ("%d/%m/%Y ü", "format"),
    ],
)
def test_unsupported_formats_are_refused(fmt, feature):
    with pytest.raises(UnsupportedFeatureError, match=f"^unsupported: {feature} .*field 'a'"):
        _field_from_dict({"name": "a", "type": "datetime", "format": fmt}, "t")


def test_naive_against_aware_bound_is_refused_in_one_line(tmp_path):
    desc = _package(
        tmp_path,
        [{"name": "a", "type": "datetime", "constraints": {"minimum": "2020-01-01T00:00:00Z"}}],
        [["2021-01-01T00:00:00Z"], ["2019-01-01T00:00:00"]],
    )
    with pytest.raises(UnsupportedFeatureError, match="data row 2,"):
        validate(desc)
    with pytest.raises(TypeError):  # frictionless itself has no answer
        frictionless.validate(str(desc))
    proc = run_cli("validate", desc, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert len(lines) == 1 and "unsupported: constraints.minimum" in lines[0], lines
    assert "Traceback" not in proc.stderr


def _ordered_package(tmp_path: Path, rows: list[list[str]]) -> Path:
    fields = [{"name": "start", "type": "datetime"}, {"name": "end", "type": "datetime"}]
    return _package(
        tmp_path,
        fields,
        rows,
        rowChecks=[{"check": "ordered", "fields": ["start", "end"], "description": "d"}],
    )


def test_ordered_datetimes_compare_instants(tmp_path):
    desc = _ordered_package(
        tmp_path,
        [
            ["2020-01-05T10:00:00+01:00", "2020-01-05T09:30:00Z"],  # 09:00Z then 09:30Z: fine
            ["2020-01-05T10:00:00Z", "2020-01-05T10:30:00+01:00"],  # 10:00Z then 09:30Z: not
            ["2020-01-05T10:00:00", "2020-01-05T10:30:00"],
        ],
    )
    found = [(f.code, f.row, f.field) for f in validate(desc).findings]
    assert found == [("E301", 3, "end")]


def test_ordered_naive_against_aware_is_refused(tmp_path):
    desc = _ordered_package(tmp_path, [["2020-01-05T10:00:00", "2020-01-05T10:30:00Z"]])
    with pytest.raises(UnsupportedFeatureError, match="rowChecks ordered"):
        validate(desc)


def test_not_before_datetimes_compare_instants(tmp_path):
    schemas = {
        "a": {
            "fields": [{"name": "id", "type": "string"}, {"name": "at", "type": "datetime"}],
            "primaryKey": "id",
        },
        "b": {
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "a_id", "type": "string"},
                {"name": "at", "type": "datetime"},
            ],
            "primaryKey": "id",
            "foreignKeys": [{"fields": "a_id", "reference": {"resource": "a", "fields": "id"}}],
            "relationChecks": [
                {"check": "notBefore", "foreignKey": "a_id", "start": "at", "description": "d"}
            ],
        },
    }
    raw = {
        "a": "id,at\nx,2020-01-05T10:00:00+01:00\n",
        "b": "id,a_id,at\n1,x,2020-01-05T09:30:00Z\n2,x,2020-01-05T09:30:00+01:00\n",
    }
    desc = write_rules_package(tmp_path, raw=raw, schemas=schemas, policy=None)
    found = [(f.code, f.table, f.row) for f in validate(desc).findings]
    assert found == [("E403", "b", 3)]


# -- the vectorised readers against Python's own parsers, on generated strings ---------------

_DIGITS = st.text("0123456789", min_size=1, max_size=3)
_PIECES = st.sampled_from(
    [
        "2020",
        "1999",
        "0000",
        "9999",
        "-",
        ":",
        "T",
        " ",
        "t",
        "Z",
        "z",
        "+",
        ".",
        ",",
        "01",
        "12",
        "13",
        "24",
        "29",
        "30",
        "31",
        "59",
        "60",
        "00",
        "W",
        "٣",
        "\t",
        "Jan",
        "pm",
        "AM",
        "x",
    ]
)
_STRINGS = st.lists(st.one_of(_PIECES, _DIGITS), max_size=9).map("".join)


def _iso_like(draw_date: bool) -> st.SearchStrategy[str]:
    two = st.integers(0, 99).map(lambda v: f"{v:02d}")
    tail = st.tuples(
        st.sampled_from(["", ".", ",", ".5", ",123", ".1234567"]),
        st.sampled_from(
            ["", "Z", "z", "+01:00", "-0530", "+01", "+24:00", "-00:00", "+0060", " ", "+1:00"]
        ),
    )
    time = st.tuples(
        two, st.sampled_from([":", ""]), two, st.sampled_from([":", ""]), two, tail
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]}{t[4]}{t[5][0]}{t[5][1]}")
    if not draw_date:
        return time
    date = st.tuples(
        st.integers(0, 10000).map(lambda v: f"{v:04d}"), two, two, st.sampled_from(["-", ""])
    ).map(lambda t: f"{t[0]}{t[3]}{t[1]}{t[3]}{t[2]}")
    return st.tuples(date, st.sampled_from(["T", " ", "x", "", "é"]), time).map("".join)


def _code(v: Any) -> int | None:
    """The typed code of a Python value as temporal.py defines it."""
    if v is None:
        return None
    if isinstance(v, tuple):  # frictionless' yearmonth
        return v[0] * 12 + v[1] - 1
    if isinstance(v, int):
        return v
    if isinstance(v, dt.datetime):
        off = v.utcoffset()
        wall = (v.replace(tzinfo=None) - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
        return wall + NAIVE if off is None else wall - off // dt.timedelta(microseconds=1)
    if isinstance(v, dt.time):
        off = v.utcoffset()
        tod = ((v.hour * 60 + v.minute) * 60 + v.second) * 10**6 + v.microsecond
        return tod + NAIVE if off is None else tod - off // dt.timedelta(microseconds=1)
    return (v - dt.date(1970, 1, 1)).days


def _agree(ftype: str, fmt: str, cells: list[str]) -> None:
    d: dict[str, Any] = {"name": "a", "type": ftype}
    if fmt != "default":
        d["format"] = fmt
    f = _field_from_dict(d, "t")
    reader = getattr(frictionless.fields, f"{ftype.capitalize()}Field")(
        name="a", format=fmt
    ).create_value_reader()
    half = len(cells) // 2  # two chunks, as the CSV reader gives them
    col = pa.chunked_array(
        [pa.array(cells[:half], pa.string()), pa.array(cells[half:], pa.string()).slice(0)],
        pa.string(),
    )
    r = f.value_type.read(col, np.ones(len(cells), dtype=bool))
    assert r.typed is not None  # dates and times compare as instants
    got = r.typed.cast(pa.int32() if ftype == "date" else pa.int64()).to_pylist()
    assert list(r.ok) == [g is not None for g in got]
    want = [_code(reader(c)) for c in cells]
    assert got == want, [(c, g, w) for c, g, w in zip(cells, got, want, strict=True) if g != w]


@settings(max_examples=examples(150))
@given(st.lists(st.one_of(_iso_like(True), _STRINGS), min_size=1, max_size=20))
def test_default_datetime_reader_agrees_with_frictionless(cells):
    _agree("datetime", "default", cells)


@settings(max_examples=examples(100))
@given(st.lists(st.one_of(_iso_like(False), _STRINGS), min_size=1, max_size=20))
def test_default_time_reader_agrees_with_frictionless(cells):
    _agree("time", "default", cells)


@settings(max_examples=examples(100))
@given(st.lists(_STRINGS, min_size=1, max_size=20))
def test_default_date_reader_agrees_with_frictionless(cells):
    _agree("date", "default", cells)


_YEARISH = st.lists(
    st.one_of(
        _STRINGS,
        st.sampled_from(
            [
                "2020",
                "0000",
                " 123",
                "+123",
                "1_00",
                "-123",
                "123 ",
                "٢٠٢٠",
                "2020-01",
                "2020-1",
                "2020-13",
                " 2020-01",
                "+2020-+1",
                "02020-001",
                "1-1",
                "2020--1",
            ]
        ),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=examples(100))
@given(st.sampled_from(["year", "yearmonth"]), _YEARISH)
def test_year_and_yearmonth_readers_agree_with_frictionless(ftype, cells):
    _agree(ftype, "default", cells)


_FORMATS = [
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M",
    "%d %b %Y %I:%M %p",
    "%Y%m%d%H%M%S",
    "%y-%m-%dT%H:%M:%S.%f%z",
    "%H:%M %p",
    "%B %d, %Y",
    "%Y-%m-%d %H:%M:%S %z",
]


@settings(max_examples=examples(150))
@given(
    st.sampled_from(_FORMATS),
    st.sampled_from(["date", "datetime", "time"]),
    st.lists(
        st.one_of(
            _STRINGS,
            st.datetimes(
                timezones=st.sampled_from(
                    [None, dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
                )
            ),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_strptime_formats_agree_with_python(fmt, ftype, values):
    cells = [v if isinstance(v, str) else v.strftime(fmt) for v in values]
    _agree(ftype, fmt, cells)


# -- the build ------------------------------------------------------------------------------------


def test_build_converts_temporal_types():
    from conflictdata._tools.convert import convert_table

    schema = table_schema_from_dict(
        "t",
        "t.csv",
        {
            "fields": [
                {"name": "d", "type": "date", "format": "%d/%m/%Y"},
                {"name": "dt", "type": "datetime"},
                {"name": "t", "type": "time"},
                {"name": "y", "type": "year"},
                {"name": "ym", "type": "yearmonth"},
            ]
        },
    )
    cols = {
        "d": ["05/01/2020", ""],
        "dt": ["2020-01-05T10:00:00+01:00", ""],
        "t": ["24:00:00", ""],
        "y": ["0999", ""],
        "ym": ["2020-1", ""],
    }
    table = convert_table(schema, {k: pa.chunked_array([pa.array(v)]) for k, v in cols.items()})
    assert table.to_pylist()[0] == {
        "d": dt.date(2020, 1, 5),
        "dt": dt.datetime(2020, 1, 5, 9, tzinfo=dt.UTC),
        "t": dt.time(0, 0),
        "y": 999,
        "ym": "2020-01",
    }
    assert table.to_pylist()[1] == dict.fromkeys(cols)
    assert [f.type for f in table.schema] == [
        pa.date32(),
        pa.timestamp("s", tz="UTC"),
        pa.time64("us"),
        pa.int64(),
        pa.string(),
    ]


@pytest.mark.parametrize(
    "ftype,cell,why",
    [
        ("datetime", "2020-01-05T10:00:00", "no UTC offset"),
        ("datetime", "2020-01-05T10:00:00.5Z", "fractions of a second"),
        ("time", "10:00:00+01:00", "with a UTC offset"),
        ("date", "2020-02-30", "not a date"),
    ],
)
def test_build_refuses_what_its_types_cannot_hold(ftype, cell, why):
    from conflictdata._tools.convert import convert_table

    schema = table_schema_from_dict("t", "t.csv", {"fields": [{"name": "a", "type": ftype}]})
    with pytest.raises(BuildError, match=why):
        convert_table(schema, {"a": pa.chunked_array([pa.array([cell])])})


def test_new_types_have_their_stored_types():
    import pandas as pd

    got = {
        t: (
            _field_from_dict({"name": "a", "type": t}, "x").arrow_type(),
            _field_from_dict({"name": "a", "type": t}, "x").pandas_dtype(),
        )
        for t in ("time", "year", "yearmonth")
    }
    assert got == {
        "time": (pa.time64("us"), pd.ArrowDtype(pa.time64("us"))),
        "year": (pa.int64(), pd.Int64Dtype()),
        "yearmonth": (pa.string(), pd.StringDtype("pyarrow")),
    }


# -- frictionless' own test cases for these fields -----------------------------------------------


def _spec_cases() -> list[tuple[str, str, str]]:
    """(type, format, cell) of frictionless' field tests (fields/__spec__), text cells only,
    formats this reader implements."""
    import importlib

    out = []
    for ftype in ("date", "datetime", "time", "year", "yearmonth"):
        mod = importlib.import_module(f"frictionless.fields.__spec__.test_{ftype}")
        for name in dir(mod):
            fn = getattr(mod, name)
            for mark in getattr(fn, "pytestmark", []):
                if mark.name != "parametrize" or "source" not in mark.args[0]:
                    continue
                keys = [k.strip() for k in mark.args[0].split(",")]
                for row in mark.args[1]:
                    case = dict(zip(keys, row, strict=True))
                    fmt = case.get("format", "default")
                    if isinstance(case["source"], str) and fmt != "any":
                        out.append((ftype, fmt, case["source"]))
    return out


def test_frictionless_field_cases():
    cases = _spec_cases()
    assert len(cases) > 40
    for ftype, fmt, cell in cases:
        f = _field_from_dict({"name": "a", "type": ftype, "format": fmt}, "t")
        theirs = frictionless.Field.from_descriptor(
            {"name": "a", "type": ftype, "format": fmt}
        ).read_cell(cell)[0]
        r = f.value_type.read(pa.chunked_array([pa.array([cell])]), np.array([cell != ""]))
        assert r.typed is not None  # dates and times compare as instants
        got = r.typed.cast(pa.int32() if ftype == "date" else pa.int64()).to_pylist()[0]
        assert got == _code(theirs), (ftype, fmt, cell, got, theirs)


@pytest.mark.parametrize(
    "ftype,key,value",
    [("date", "pattern", "2020.*"), ("year", "minLength", 3), ("datetime", "maxLength", 30)],
)
def test_text_constraints_do_not_apply_to_temporal_types(tmp_path, ftype, key, value):
    desc = _package(
        tmp_path, [{"name": "a", "type": ftype, "constraints": {key: value}}], [["2021"]]
    )
    theirs = frictionless.validate(str(desc))
    types = [e.type for e in theirs.errors] + [e.type for t in theirs.tasks for e in t.errors]
    assert types == ["field-error"]
    (f,) = validate(desc).findings
    assert f.code == "E006" and f"constraint {key!r} is not supported by type" in f.message


def test_sliced_and_chunked_columns_read_the_same():
    cells = [
        "x",
        "2020-01-05T10:00:00Z",
        "2020-01-05 10:00:00+01:00",
        "2020-01-05T25:00:00",
        "2020-01-05T10:00:00.5",
        "2020-W01-1T10:00:00",
        "bad",
    ]
    f = _field_from_dict({"name": "a", "type": "datetime"}, "t")
    whole = f.value_type.read(pa.chunked_array([pa.array(cells[1:])]), np.ones(6, dtype=bool))
    parts = pa.chunked_array(
        [pa.array(cells).slice(1, 2), pa.array([], pa.string()), pa.array(cells).slice(3)]
    )
    split = f.value_type.read(parts, np.ones(6, dtype=bool))
    assert split.typed is not None and whole.typed is not None
    assert split.typed.equals(whole.typed) and list(split.ok) == list(whole.ok)
    assert list(whole.ok) == [True, True, False, True, True, False]
