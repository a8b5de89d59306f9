"""The schema model is complete and typed: each field's type is one frozen object carrying
its options, and every bound, enum item and option is read by that type when the
descriptor is read; nothing outside the schema-reading code goes back to the descriptor."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from support.paths import PKG

from conflictdata._tableschema.fields import read_field
from conflictdata._types.cells import TYPES, BooleanType, NumberType
from conflictdata._types.spec import ValueType
from conflictdata.errors import DescriptorError, UnsupportedFeatureError
from conflictdata.tools import Field

#: descriptor keys of constraints and type options: read in _tableschema/ (and by the type
#: classes, from the options it hands them), never looked up anywhere else
_KEYS = (
    "constraints|minimum|maximum|exclusiveMinimum|exclusiveMaximum|enum|pattern|minLength|"
    "maxLength|trueValues|falseValues|decimalChar|groupChar|bareNumber|floatNumber"
)
_LOOKUP = re.compile(rf"(\[|\.get\(|\bin\s)\s*[\"']({_KEYS})[\"']")


def test_a_field_keeps_no_raw_descriptor():
    assert "raw" not in {f.name for f in dataclasses.fields(Field)}
    assert not hasattr(read_field({"name": "a"}, "t"), "raw")


def test_nothing_outside_the_schema_reader_looks_up_descriptor_keys():
    """A grep of the source: no module outside _tableschema/ indexes a dict by a constraint
    or type option key (they are read once, into the typed model)."""
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith("_tableschema/"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _LOOKUP.search(line) or re.search(r"\b(f|field|fld)\.raw\b", line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []


def test_the_grep_sees_a_lookup():
    assert _LOOKUP.search('c = f.raw.get("constraints") or {}')
    assert _LOOKUP.search("lo = c['exclusiveMinimum']")
    assert not _LOOKUP.search("options.get(key)")


def test_every_type_is_one_frozen_class_with_its_own_reader():
    assert set(TYPES) == {
        "string",
        "integer",
        "number",
        "boolean",
        "date",
        "datetime",
        "time",
        "year",
        "yearmonth",
        "any",
        "object",
        "array",
        "geopoint",
        "duration",
    }
    for name, cls in TYPES.items():
        assert issubclass(cls, ValueType) and cls.name == name
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]  # set by @dataclass, absent from typeshed's DataclassInstance
        for method in ("read", "value", "scalar_type", "arrow_type", "pandas_dtype", "what"):
            assert getattr(cls, method) is not getattr(ValueType, method), (name, method)


def test_bounds_are_read_by_the_fields_type():
    f = read_field(
        {
            "name": "n",
            "type": "number",
            "decimalChar": ",",
            "groupChar": ".",
            "constraints": {"minimum": "1.000,5", "exclusiveMaximum": 2000, "maximum": "2.000"},
        },
        "t",
        version="v2",
    )
    assert isinstance(f.value_type, NumberType)
    assert f.value_type.decimal_char == "," and f.value_type.group_char == "."
    assert f.minimum is not None and f.maximum is not None and f.exclusive_maximum is not None
    assert (f.minimum.value, f.minimum.written) == (Decimal("1000.5"), "1.000,5")
    assert f.exclusive_maximum.value == 2000 and f.maximum.value == Decimal("2000")
    assert f.minimum.scalar.equals(pa.scalar(1000.5))
    assert [b.key for b in f.bounds] == ["minimum", "maximum", "exclusiveMaximum"]
    d = read_field(
        {
            "name": "d",
            "type": "date",
            "format": "%d/%m/%Y",
            "constraints": {"minimum": "01/06/2025", "exclusiveMinimum": "02/06/2025"},
        },
        "t",
        version="v2",
    )
    assert d.minimum is not None and d.exclusive_minimum is not None
    assert d.minimum.scalar.equals(pa.scalar(__import__("datetime").date(2025, 6, 1)))
    assert d.exclusive_minimum.value == d.minimum.value + 1


def test_enum_items_are_typed_and_options_carried():
    b = read_field(
        {
            "name": "b",
            "type": "boolean",
            "trueValues": ["yes"],
            "falseValues": ["no"],
            "constraints": {"enum": [True, "no", "maybe"]},
        },
        "t",
    )
    assert isinstance(b.value_type, BooleanType)
    assert b.value_type.true_values == ("yes",) and b.value_type.false_values == ("no",)
    assert b.enum_values == (True, False)  # "maybe" is no boolean: it matches nothing
    i = read_field({"name": "i", "type": "integer", "constraints": {"enum": ["01", 2, 3.0]}}, "t")
    assert i.enum_values == (1, 2, 3)
    y = read_field({"name": "y", "type": "yearmonth", "constraints": {"enum": ["2025-06"]}}, "t")
    assert y.enum_values == (2025 * 12 + 5,)


@pytest.mark.parametrize(
    "desc,error,text",
    [
        ({"type": "number", "constraints": {"minimum": "1,5"}}, DescriptorError, "not a valid"),
        (
            {"type": "date", "format": "%d/%m/%Y", "constraints": {"maximum": "2025-06-01"}},
            DescriptorError,
            "in the field's format '%d/%m/%Y'",
        ),
        (
            {"type": "integer", "constraints": {"minimum": 2**70}},
            UnsupportedFeatureError,
            "beyond int64",
        ),
        ({"type": "number", "decimalChar": " "}, UnsupportedFeatureError, "decimalChar"),
        ({"type": "boolean", "trueValues": []}, DescriptorError, "trueValues"),
    ],
)
def test_a_bound_or_option_the_type_cannot_read_is_one_line(desc, error, text):
    with pytest.raises(error, match=re.escape(text)) as exc:
        read_field({"name": "a", **desc}, "t", resource="r")
    assert "\n" not in str(exc.value)
