"""Field types integer, number, boolean, string (formats), any and typed keys, read as
frictionless 5 reads them: each small package is validated by ours and by
``frictionless.validate`` in-process and the (row, field, error type) sets must agree;
refused features must exit 2 in one line naming resource and field."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.profiles import examples

from conflictdata._checks.findings import FRICTIONLESS
from conflictdata._tableschema.fields import read_field
from conflictdata.errors import DescriptorError, UnsupportedFeatureError
from conflictdata.tools import validate

frictionless = pytest.importorskip("frictionless")

#: frictionless errors about a whole row carry no field name; ours name the key's field
_ROW_ERRORS = {"primary-key", "foreign-key", "blank-row"}


def _package(
    root: Path,
    tables: dict[str, tuple[list[dict[str, Any]], list[str]]],
    pk: dict[str, Any] | None = None,
    fks: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """A package of inline-schema resources; each table: (fields, CSV lines after header)."""
    resources = []
    for name, (fields, lines) in tables.items():
        schema: dict[str, Any] = {"fields": fields}
        if pk and name in pk:
            schema["primaryKey"] = pk[name]
        if fks and name in fks:
            schema["foreignKeys"] = fks[name]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f["name"] for f in fields])
        (root / f"{name}.csv").write_text(buf.getvalue() + "".join(r + "\n" for r in lines))
        resources.append({"name": name, "path": f"{name}.csv", "schema": schema})
    (root / "datapackage.json").write_text(
        json.dumps({"name": "p", "resources": resources, **(extra or {})})
    )
    return root / "datapackage.json"


def _theirs(path: Path) -> set[tuple[str, int | None, str | None, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(path))
    got = set()
    for task in report.tasks:
        for e in task.errors:
            name = None if e.type in _ROW_ERRORS else getattr(e, "field_name", None)
            got.add((task.name, getattr(e, "row_number", None), name, e.type))
    assert not report.errors, report.errors
    return got


def _ours(path: Path) -> set[tuple[str, int | None, str | None, str]]:
    report = validate(path, policy="spec")
    got = set()
    for f in report.findings:
        if f.severity == "warning":  # lints (W5xx): no frictionless counterpart
            continue
        kinds = FRICTIONLESS.get(f.code, ())
        assert kinds, f
        kind = kinds[0]
        got.add((f.table, f.row, None if kind in _ROW_ERRORS else f.field, kind))
    return got


def agree(tmp_path: Path, *args: Any, **kw: Any) -> set[tuple[Any, ...]]:
    """Ours and frictionless' findings on the package, as one set (asserted equal)."""
    path = _package(tmp_path, *args, **kw)
    ours, theirs = _ours(path), _theirs(path)
    assert ours == theirs, {"ours only": ours - theirs, "theirs only": theirs - ours}
    return ours


def one(fields: list[dict[str, Any]], lines: list[str]) -> dict[str, Any]:
    return {"t": (fields, lines)}


INTEGER_CELLS = [
    "1",
    "+1",
    " 2",
    "1_000",
    "01",
    "9" * 18,
    "-0",
    "\uff11\uff12",
    "1.0",
    "1e3",
    "_1",
    "1__0",
    "0x10",
    "\u0663",
    "1 ",
    "x",
    "-",
    "--1",
    "1_",
]
NUMBER_CELLS = [
    "1.5",
    "NaN",
    "nan",
    "INF",
    "-INF",
    "Infinity",
    "-infinity",
    "+1.5",
    ".5",
    "5.",
    "1e5",
    "1_0",
    "nan123",
    "1e1_0",
    " 1 ",
    "1.",
    "1..",
    "1e",
    "e1",
    "1_000.000_1",
    "\u0661.\u0665",
    "0x1",
    "inf",
    "+nan",
    "-nan",
    "-0",
    "In_f",
    "1e400",
    "x",
]


def test_integer_cells_as_frictionless(tmp_path):
    got = agree(tmp_path, one([{"name": "a", "type": "integer"}], INTEGER_CELLS))
    bad = {INTEGER_CELLS[r - 2] for _, r, _, _ in got}
    assert bad == {"1.0", "1e3", "_1", "1__0", "0x10", "x", "-", "--1", "1_"}


def test_number_cells_as_frictionless(tmp_path):
    got = agree(tmp_path, one([{"name": "a", "type": "number"}], NUMBER_CELLS))
    assert {NUMBER_CELLS[r - 2] for _, r, _, _ in got} == {"1..", "1e", "e1", "0x1", "x"}


@pytest.mark.parametrize(
    "props,cells",
    [
        ({"decimalChar": ","}, ['"1,5"', "1.5", "2", '"1,5,"']),
        ({"groupChar": ","}, ['"1,000.5"', '",1,"', "2", '"1,,0"']),
        ({"groupChar": ".", "decimalChar": ","}, ['"1.000,5"', "2", "1.5"]),
        ({"bareNumber": False}, ["$1.5", "1.5%", "-$1", "$-1", "EUR 7", "x", "1.5.", "--1"]),
        ({"bareNumber": True}, ["$1.5", "1.5"]),
        ({"floatNumber": True}, ["nan", "sNaN", "nan123", "inf", "1_0", "infinity", "1__0"]),
    ],
)
def test_number_properties_as_frictionless(tmp_path, props, cells):
    agree(tmp_path, one([{"name": "a", "type": "number", **props}], cells))


def test_integer_bare_number_false_as_frictionless(tmp_path):
    cells = ["$1", "1%", "a1b", "-1x", "x-1", "1.5", "\u20ac 3 \u20ac", "--1", "$-$", "-x"]
    agree(tmp_path, one([{"name": "a", "type": "integer", "bareNumber": False}], cells))


CELL = st.text(
    alphabet=st.sampled_from(list("0123456789+-_.eE naifINFx$,%\u0663\uff11")), max_size=8
)


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(CELL, min_size=1, max_size=30),
    st.sampled_from(
        [
            {},
            {"bareNumber": False},
            {"decimalChar": ","},
            {"groupChar": ","},
            {"floatNumber": True},
            {"groupChar": " ", "decimalChar": ","},
        ]
    ),
)
def test_readers_equal_frictionless_readers(cells, props):
    """The vectorised readers give the frictionless field readers' verdict and value."""
    from frictionless.fields import IntegerField, NumberField

    s = pa.chunked_array([pa.array(cells, pa.string())])
    present = np.array([c != "" for c in cells])
    for ftype, theirs_cls in (("integer", IntegerField), ("number", NumberField)):
        p = props if ftype == "number" else {k: v for k, v in props.items() if k == "bareNumber"}
        desc = {"name": "a", "type": ftype, **p}
        theirs = theirs_cls.from_descriptor(desc).create_value_reader()
        f = read_field(desc, "t")
        try:
            r = f.value_type.read(s, present)
        except Exception as exc:  # RefusedCellsError: beyond int64, or a signalling NaN
            big = [theirs(c) for c in cells if c]
            assert any(
                v is not None and (not isinstance(v, int) or abs(v) >= 2**63 or v != v) for v in big
            ), exc
            continue
        assert r.typed is not None  # numbers compare as numbers
        typed = r.typed.to_pylist()
        for c, ok, v in zip(cells, r.ok.tolist(), typed, strict=True):
            want = theirs(c) if c else None
            assert ok == (want is not None), (ftype, p, c, want)
            if want is not None:  # that is, ok
                w = float(want)
                assert v == w or (v != v and w != w), (ftype, p, c, v, want)


def test_bounds_typed_exclusive_and_nan(tmp_path):
    fields = [
        {
            "name": "a",
            "type": "number",
            "constraints": {"minimum": "1.5", "maximum": 10, "exclusiveMaximum": 10},
        }
    ]
    got = agree(
        tmp_path,
        one(fields, ["1.4", "1.5", "1.50", "10", "NaN", "9.99", "INF", "1.4999999999999999999"]),
        extra={"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"},
    )
    assert {r for _, r, _, _ in got} == {2, 5, 6, 8, 9}


def test_exclusive_bounds_need_v2(tmp_path):
    fields = [{"name": "a", "type": "integer", "constraints": {"exclusiveMinimum": 1}}]
    path = _package(tmp_path, one(fields, ["1"]))
    assert _metadata(path) == ({"E006"}, {"field-error"})
    assert any("v2" in f.message for f in validate(path).findings)


def test_typed_enum(tmp_path):
    agree(
        tmp_path,
        {
            "n": (
                [{"name": "a", "type": "number", "constraints": {"enum": [1.5, "2", "x"]}}],
                ["1.50", "2.0", "x", "NaN", "3"],
            ),
            "i": (
                [
                    {
                        "name": "a",
                        "type": "integer",
                        "constraints": {"enum": [1, "2", 3.0, 4.5, True]},
                    }
                ],
                ["01", "2", "3", "4", "x", "5"],
            ),
            "b": (
                [{"name": "a", "type": "boolean", "constraints": {"enum": ["1"]}}],
                ["true", "0", "TRUE"],
            ),
            "y": (
                [{"name": "a", "type": "any", "constraints": {"enum": [1, "2"]}}],
                ["1", "2", "x"],
            ),
        },
    )


def test_typed_unique_and_primary_keys(tmp_path):
    got = agree(
        tmp_path,
        {
            "u": (
                [{"name": "a", "type": "number", "constraints": {"unique": True}}],
                [
                    "1.5",
                    "1.50",
                    "NaN",
                    "nan",
                    "-0",
                    "0",
                    "inf",
                    "Infinity",
                    "x",
                    "x",
                    "1e0",
                    "1",
                    "0.10000000000000000001",
                    "0.1",
                ],
            ),
            "b": (
                [{"name": "a", "type": "boolean", "constraints": {"unique": True}}],
                ["true", "1", "x", "x"],
            ),
            "p": ([{"name": "a", "type": "integer"}], ["1", "x", "y", "01", "2"]),
            "c": (
                [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}],
                ["1,x", "01,x", ",x", ",x", "z,x", "w,x", "2,"],
            ),
            "y": (
                [{"name": "a", "type": "any", "constraints": {"unique": True}}],
                ["1", "01", "1"],
            ),
        },
        pk={"p": ["a"], "c": ["a", "b"]},
    )
    assert ("u", 3, "a", "unique-error") in got and ("u", 15, "a", "unique-error") not in got
    assert ("p", 5, None, "primary-key") in got and ("p", 3, None, "primary-key") in got


def test_typed_foreign_keys(tmp_path):
    def fk(fields, res, ref):
        return {
            "fields": fields,
            "reference": {"resource": res, "fields": ref},
        }

    agree(
        tmp_path,
        {
            "o": (
                [{"name": "k", "type": "integer"}, {"name": "l", "type": "string"}],
                ["1,", "1,x", ",x", "x,y", "3,z"],
            ),
            "n": ([{"name": "k", "type": "number"}], ["1.0", "2.5", "NaN"]),
            "t": (
                [
                    {"name": "a", "type": "integer"},
                    {"name": "b", "type": "boolean"},
                    {"name": "c", "type": "string"},
                    {"name": "d", "type": "number"},
                ],
                ["01,true,1,1", "3,false,2,2.50", "x,,,NaN", "1,1,x,-0", ",,,"],
            ),
            "s": (
                [{"name": "a", "type": "integer"}, {"name": "p", "type": "integer"}],
                ["1,", "2,01", "3,4"],
            ),
            "c": (
                [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}],
                ["1,", "01,x", ",x", "x,x", "3,", "3,z"],
            ),
        },
        fks={
            "t": [
                fk(["a"], "o", ["k"]),
                fk(["b"], "o", ["k"]),
                fk(["c"], "o", ["k"]),
                fk(["d"], "n", ["k"]),
            ],
            "s": [fk(["p"], "", ["a"])],
            "c": [fk(["a", "b"], "o", ["k", "l"])],
        },
    )


@pytest.mark.parametrize(
    "fmt,cells",
    [
        ("uri", ["http://x", "x", "mailto:a@b", "a:b", "http://", "1a:b", "a+b-c.d:", ":x"]),
        (
            "uuid",
            [
                "2bc1c94f-0deb-43e9-92a1-4775189ec9f8",
                "{2bc1c94f0deb43e992a14775189ec9f8}",
                "urn:uuid:2bc1c94f-0deb-43e9-92a1-4775189ec9f8",
                "x",
                "2BC1C94F-0DEB-43E9-92A1-4775189EC9F8",
                "+bc1c94f0deb43e992a14775189ec9f8",
                "2bc1c94f0deb43e992a14775189ec9f",
                "{{2bc1c94f0deb43e992a14775189ec9f8}",
            ],
        ),
        (
            "email",
            [
                "a@b.co",
                "a@b",
                "x",
                "a.b@c.example.org",
                "a@localhost",
                "a+b@c.io",
                "a@b..c",
                "a@" + "x" * 70 + ".com",
                "a@b\u00fc.com",
                "\u00c4@b.com",
                "a@b.c0m",
                "a@-b.com",
                "a@b-.com",
                "a@b.co_m",
                "a@@b.co",
                "a.@b.co",
                "x" * 65 + "@b.co",
                "A@B.CO",
                "a@1.2",
                "\u00e9l\u00e8ve@\u00e9cole.fr",
                "a@b.co.",
                "_@b.co",
            ],
        ),
        (
            "binary",
            [
                "YQ==",
                "a",
                "ab",
                "abc",
                "a b c d",
                "!!!!",
                "YQ",
                "YQ=x",
                "YWI=YWI=",
                "Y=Q==",
                "\u00e9YQ==",
            ],
        ),
    ],
)
def test_string_formats(tmp_path, fmt, cells):
    """uri: rfc3986 finds a scheme; uuid: uuid.UUID accepts it; email: validators.email."""
    got = agree(tmp_path, one([{"name": "a", "type": "string", "format": fmt}], cells))
    assert got


def test_any_type_every_cell_valid(tmp_path):
    got = agree(
        tmp_path,
        one(
            [{"name": "a", "type": "any", "constraints": {"required": True}}, {"name": "b"}],
            ["1,", "x,", '"",b', "{},"],
        ),
    )
    assert got == {("t", 4, "a", "constraint-error")}


@pytest.mark.parametrize(
    "field,words",
    [
        ({"type": "string", "format": "wkt"}, ["string format", "'wkt'"]),
        ({"type": "integer", "missingValues": ["-"]}, ["missingValues"]),
        ({"type": "array", "arrayItem": {"type": "integer"}}, ["arrayItem"]),
        ({"type": "geojson"}, ["field type", "'geojson'"]),
        ({"type": "object", "constraints": {"unique": True}}, ["unique", "TypeError"]),
    ],
)
def test_refused_field_features(tmp_path, field, words):
    path = _package(tmp_path, one([{"name": "a", **field}], ["1"]))
    with pytest.raises(UnsupportedFeatureError) as exc:
        validate(path)
    text = str(exc.value)
    assert "\n" not in text and "resource 't'" in text and "field 'a'" in text
    for w in words:
        assert w in text


@pytest.mark.parametrize(
    "field",
    [
        {"type": "integer", "groupChar": ","},
        {"type": "integer", "trueValues": ["y"]},
        {"type": "integer", "foo": 1, "unit": "m", "dimension": "x", "primarykey": True},
        {"type": "integer", "format": "x"},
        {"type": "integer", "pattern": "[0-9]+"},  # outside constraints: not a constraint
    ],
)
def test_field_keys_frictionless_ignores_are_ignored(tmp_path, field):
    assert agree(tmp_path, one([{"name": "a", **field}], ["1", "2"])) == set()


def _metadata(path: Path) -> tuple[set[str], set[str]]:
    """Our descriptor codes and frictionless' metadata error types."""
    ours = {f.code for f in validate(path).findings if f.code.startswith("E0")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(path))
    return ours, {e.type for e in report.errors}


@pytest.mark.parametrize(
    "field,words",
    [
        ({"type": "integer", "constraints": {"pattern": "1"}}, ["'pattern'", "integer"]),
        ({"type": "integer", "constraints": {"minLength": 1}}, ["'minLength'", "integer"]),
        ({"type": "boolean", "constraints": {"minimum": 1}}, ["'minimum'", "boolean"]),
        ({"type": "integer", "required": True}, ["required"]),
        ({"type": "integer", "example": "x"}, ["example"]),
        ({"type": "string", "format": "foo"}, ["format"]),
    ],
)
def test_field_errors_as_frictionless(tmp_path, field, words):
    """What frictionless calls a field-error is a located finding, E006, naming the field;
    the run goes on (exit 1)."""
    path = _package(tmp_path, one([{"name": "a", **field}], ["1"]))
    assert _metadata(path) == ({"E006"}, {"field-error"})
    (f,) = [f for f in validate(path).findings if f.code == "E006"]
    assert f.table == "t" and f.field == "a"
    for w in words:
        assert w in f.message


@pytest.mark.parametrize(
    "field,words",
    [
        ({"type": "integer", "constraints": {"minimum": 1.5}}, ["minimum"]),
        ({"type": "number", "constraints": {"minimum": True}}, ["minimum"]),
    ],
)
def test_bounds_frictionless_cannot_compare_are_refused(tmp_path, field, words):
    """A bound that is no value of the type: frictionless raises on comparing it."""
    path = _package(tmp_path, one([{"name": "a", **field}], ["1"]))
    with pytest.raises(DescriptorError) as exc:
        validate(path)
    for w in words:
        assert w in str(exc.value)


def test_schema_keys_the_specs_do_not_define_are_ignored(tmp_path):
    path = _package(tmp_path, one([{"name": "a"}], ["1"]))
    d = json.loads(path.read_text())
    d["resources"][0]["schema"]["uniqueKeys"] = [["a"]]
    d["resources"][0]["schema"]["primaryKeys"] = ["a"]
    path.write_text(json.dumps(d))
    assert agree_path(path) == set()


def test_fields_match_other_than_exact_is_refused(tmp_path):
    path = _package(tmp_path, one([{"name": "a"}], ["1"]))
    d = json.loads(path.read_text())
    d["resources"][0]["schema"]["fieldsMatch"] = "subset"
    path.write_text(json.dumps(d))
    with pytest.raises(UnsupportedFeatureError, match="fieldsMatch"):
        validate(path)


def agree_path(path: Path) -> set[tuple[Any, ...]]:
    ours, theirs = _ours(path), _theirs(path)
    assert ours == theirs, {"ours only": ours - theirs, "theirs only": theirs - ours}
    return ours


@pytest.mark.parametrize(
    "cell,feature", [("9" * 30, "integer beyond 64 bits"), ("sNaN", "signalling NaN")]
)
def test_values_not_compared_exactly_are_refused(tmp_path, cell, feature):
    ftype = "integer" if feature.startswith("integer") else "number"
    path = _package(tmp_path, one([{"name": "a", "type": ftype}], ["1", cell]))
    with pytest.raises(UnsupportedFeatureError, match=feature) as exc:
        validate(path)
    assert "resource 't'" in str(exc.value) and "field 'a'" in str(exc.value)


def test_non_finite_numbers_are_a_policy_finding(tmp_path):
    """E230 under this project's policy only: NaN/INF are valid spec numbers."""
    path = _package(
        tmp_path,
        one(
            [{"name": "a", "type": "number"}, {"name": "b", "type": "integer"}],
            ["1.5,1", "NaN,2", "-inf,3", "Infinity,4", "x,5"],
        ),
    )
    assert not validate(path, policy="spec").findings or all(
        f.code != "E230" for f in validate(path, policy="spec").findings
    )
    got = [
        (f.code, f.row, f.value)
        for f in validate(path, policy="strict").findings
        if f.code == "E230"
    ]
    assert got == [("E230", 3, "NaN"), ("E230", 4, "-inf"), ("E230", 5, "Infinity")]


def test_number_keys_compare_exactly_beyond_float64(tmp_path):
    """Decimals that float64 cannot tell apart are still different keys (frictionless
    compares Decimal values)."""
    fk = {"fields": ["a"], "reference": {"resource": "r", "fields": ["k"]}}
    got = agree(
        tmp_path,
        {
            "r": ([{"name": "k", "type": "number"}], ["0.1", "0.30000000000000000001"]),
            "t": (
                [{"name": "a", "type": "number"}],
                ["0.10000000000000000001", "0.1", "0.3", "0.30000000000000000001", "0.100"],
            ),
        },
        fks={"t": [fk]},
    )
    assert {r for _, r, _, _ in got} == {2, 4}


def test_required_primary_key_parts(tmp_path):
    """A required key field's empty cell is a constraint-error (E201); a row whose key is
    all empty also a primary-key error (E212); a partly empty key is compared with None."""
    req = {"required": True}
    got = agree(
        tmp_path,
        {
            "s": ([{"name": "a", "constraints": req}, {"name": "b"}], ["1,x", ",y"]),
            "c": (
                [{"name": "a", "constraints": req}, {"name": "b", "constraints": req}],
                ["1,x", ",y", "1,", "1,"],
            ),
        },
        pk={"s": ["a"], "c": ["a", "b"]},
    )
    assert ("s", 3, None, "primary-key") in got and ("c", 5, None, "primary-key") in got


EMAIL_CHARS = st.sampled_from([*list('ab.@-_"\\ éÄāK1!+'), "\n", "\t"])


@settings(max_examples=examples(300))
@given(st.lists(st.text(EMAIL_CHARS, max_size=12), min_size=1, max_size=20))
def test_email_reader_equals_validators_email(cells):
    """The vectorised email check gives validators.email's verdict (frictionless' own)."""
    import validators

    f = read_field({"name": "a", "format": "email"}, "t")
    present = np.array([c != "" for c in cells])
    r = f.value_type.read(pa.chunked_array([pa.array(cells, pa.string())]), present)
    for c, ok in zip(cells, r.ok.tolist(), strict=True):
        assert ok == (bool(c) and validators.email(c) is True), repr(c)


def test_whitespace_group_char_as_frictionless(tmp_path):
    agree(
        tmp_path,
        one([{"name": "a", "type": "number", "groupChar": " "}], ["1 000", " 1 000 ", "1  0", "x"]),
    )
    with pytest.raises(UnsupportedFeatureError, match="decimalChar"):
        validate(
            _package(tmp_path, one([{"name": "a", "type": "number", "decimalChar": " "}], ["1 5"]))
        )


@settings(max_examples=examples(300))
@given(
    st.lists(
        st.text(st.sampled_from(list("QUJD+/=a !\u00e9")), max_size=10), min_size=1, max_size=20
    )
)
def test_binary_reader_equals_b64decode(cells):
    """format binary: frictionless' test is base64.b64decode(cell) not raising."""
    import base64

    def theirs(c: str) -> bool:
        try:
            base64.b64decode(c)
        except Exception:
            return False
        return True

    f = read_field({"name": "a", "format": "binary"}, "t")
    present = np.array([c != "" for c in cells])
    r = f.value_type.read(pa.chunked_array([pa.array(cells, pa.string())]), present)
    for c, ok in zip(cells, r.ok.tolist(), strict=True):
        assert ok == (bool(c) and theirs(c)), repr(c)


def test_foreign_keys_across_types_compare_as_python_does(tmp_path):
    """Text never equals a typed value, None equals None, a date never equals a number:
    a composite key (1, None) finds (1.000, None) whatever the part types."""
    fk = lambda f, r: {"fields": f, "reference": {"resource": "r", "fields": r}}  # noqa: E731
    agree(
        tmp_path,
        {
            "r": (
                [
                    {"name": "k", "type": "number"},
                    {"name": "l", "type": "integer"},
                    {"name": "d", "type": "date"},
                ],
                ["1.000,x,2020-01-01", "2,3,"],
            ),
            "t": (
                [
                    {"name": "a", "type": "integer"},
                    {"name": "b", "type": "string", "format": "email"},
                    {"name": "c", "type": "integer"},
                ],
                ["1,1,1", "2,3,2", "2,,", "5,x@y.co,"],
            ),
        },
        fks={"t": [fk(["a", "b"], ["k", "l"]), fk(["c"], ["d"])]},
    )


def test_formatted_text_cells_not_of_the_format_are_not_compared(tmp_path):
    got = agree(
        tmp_path,
        one(
            [
                {
                    "name": "a",
                    "type": "string",
                    "format": "email",
                    "constraints": {"unique": True, "maxLength": 2, "pattern": "x"},
                }
            ],
            ["1", "1", "a@b.co", "a@b.co"],
        ),
    )
    assert {(r, k) for _, r, _, k in got} == {
        (2, "type-error"),
        (3, "type-error"),
        (4, "constraint-error"),
        (5, "constraint-error"),
        (5, "unique-error"),
    }


def test_reference_cycles_are_policy(tmp_path):
    fields = [{"name": "a", "type": "integer"}, {"name": "p", "type": "integer"}]
    fks = {"t": [{"fields": ["p"], "reference": {"resource": "", "fields": ["a"]}}]}
    path = _package(tmp_path, one(fields, ["1,2", "2,1"]), fks=fks)
    assert validate(path, policy="spec").findings == []
    assert [f.code for f in validate(path, policy="strict").findings] == ["E402", "E402"]


def test_date_enum_unique_and_keys_compare_typed_dates(tmp_path):
    """td.typed of a temporal field is its comparable value for enum, unique and keys."""
    fk = {"fields": ["d"], "reference": {"resource": "r", "fields": ["k"]}}
    agree(
        tmp_path,
        {
            "r": ([{"name": "k", "type": "date"}], ["2020-01-01", "2020-01-02"]),
            "t": (
                [
                    {
                        "name": "d",
                        "type": "date",
                        "constraints": {
                            "enum": ["2020-01-01", "2020-01-03", "bad"],
                            "unique": True,
                        },
                    }
                ],
                ["2020-01-01", "2020-01-03", "2020-01-01", "2020-02-30", "x"],
            ),
        },
        fks={"t": [fk]},
    )
