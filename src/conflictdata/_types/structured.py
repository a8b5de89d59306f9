"""The Table Schema types whose cells are structured values — object and array (JSON), and
geopoint (a longitude and a latitude, in three spellings) — read exactly as frictionless 5
reads them: Python's ``json.loads`` and ``Decimal``.

Vectorised where the cells are ordinary: a geopoint ``lon, lat`` of plain decimals is read
from the column with Arrow (its two numbers, their range, one text per point); a cell that
cannot be an object or an array (its first character is not ``{`` or ``[``) is rejected
without parsing. The rest — JSON, and geopoints in other spellings — go through the Python
reader frictionless calls, once per distinct text. Typed values are texts that are equal
exactly when frictionless finds the values equal: a point's two exact decimals; a JSON
value with its keys sorted and its numbers as exact fractions (``1``, ``1.0`` and ``true``
are equal in Python, so there). Objects and arrays cannot be keys (frictionless cannot hash
them). A release keeps each cell's text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import RefusedCellsError
from .kernels import np_mask, take_rows
from .spec import At, Read, ValueType
from .temporal import exact_decimal

__all__ = ["ArrayType", "GeopointType", "ObjectType"]

#: JSON nested deeper than this is compared by nobody here: refused (json.loads itself
#: stops near 1000 levels, frictionless' reader then says "not a value")
_MAX_DEPTH = 200


class _Unequal(Exception):
    """A value holding NaN: Python finds it equal to nothing but itself (the same object)."""


def _json_key(v: Any, depth: int = 0) -> str:
    """A JSON value as one text per value Python's ``==`` finds equal: objects with sorted
    keys, numbers (booleans among them) as exact fractions, infinities by sign."""
    if depth > _MAX_DEPTH:
        raise RefusedCellsError("JSON value", None, f"nested more than {_MAX_DEPTH} levels")
    if isinstance(v, dict):
        items = sorted((k, _json_key(x, depth + 1)) for k, x in v.items())
        return "{" + ",".join(f"{json.dumps(k)}:{x}" for k, x in items) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_json_key(x, depth + 1) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    if v is None:
        return "null"
    if isinstance(v, float):
        if v != v:
            raise _Unequal
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
    f = Fraction(v)
    return f"{f.numerator}/{f.denominator}"


def _loads(cell: str) -> Any:
    try:
        return json.loads(cell)
    except Exception:
        return _NOT


_NOT = object()


@dataclass(frozen=True)
class _Json(ValueType):
    """What object and array share: ``json.loads`` of the cell, kept when it is the type's
    Python class; lengths are its items; an enum compares with ``==``."""

    constraints: ClassVar[tuple[str, ...]] = (
        "required",
        "unique",
        "minLength",
        "maxLength",
        "enum",
    )
    checks_example: ClassVar[bool] = True
    keyable: ClassVar[bool] = False
    stores_text: ClassVar[bool] = True
    #: the Python class of a value, and the character a cell of one starts with
    pyclass: ClassVar[type[dict[Any, Any]] | type[list[Any]]]
    opener: ClassVar[str]

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        return fmt  # frictionless reads no format for these types

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        """Each distinct text parsed once, by ``json.loads`` (what frictionless calls); a
        cell whose first character other than JSON whitespace is not the type's opener is
        no value, without parsing."""
        n = len(present)
        ok = np.zeros(n, dtype=bool)
        lengths = np.zeros(n, dtype=np.int64)
        keys = np.full(n, None, dtype=object)
        stripped = pc.utf8_ltrim(s, characters=" \t\n\r")
        maybe = present & np_mask(pc.starts_with(stripped, self.opener))
        idx = np.flatnonzero(maybe)
        if len(idx):
            cells = take_rows(s, idx)
            distinct = pc.unique(cells)
            got = [self._one(c) for c in distinct.to_pylist()]
            where = np.asarray(
                pc.index_in(cells, value_set=distinct).to_numpy(zero_copy_only=False)
            )
            for k, (good, length, key) in enumerate(got):
                rows = idx[where == k]
                ok[rows], lengths[rows], keys[rows] = good, length, key
        typed = pa.array(keys.tolist(), pa.string())
        return Read(ok, typed, self.what, lengths=lengths)

    def _one(self, cell: str) -> tuple[bool, int, str | None]:
        v = _loads(cell)
        if not isinstance(v, self.pyclass):
            return False, 0, None
        try:
            return True, len(v), _json_key(v)
        except _Unequal:
            return True, len(v), None  # a value, equal to no enum item

    def value(self, v: Any) -> Any:
        """frictionless' reader of a descriptor value (an enum item, an example): a JSON
        object (array) as it is, or a text that parses to one; its key, or None."""
        if isinstance(v, str):
            v = _loads(v)
        if not isinstance(v, self.pyclass):
            return None
        try:
            return _json_key(v)
        except _Unequal:
            return None

    def scalar_type(self) -> pa.DataType:
        return pa.string()

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class ObjectType(_Json):
    """``object``: a cell ``json.loads`` reads as a JSON object (a Python dict); its length
    is its number of keys."""

    name: ClassVar[str] = "object"
    pyclass = dict
    opener: ClassVar[str] = "{"

    @property
    def what(self) -> str:
        return "a JSON object"


@dataclass(frozen=True)
class ArrayType(_Json):
    """``array``: a cell ``json.loads`` reads as a JSON array (a Python list); its length is
    its number of items. ``arrayItem`` (a type for the items, Table Schema v2) is not read."""

    name: ClassVar[str] = "array"
    options: ClassVar[tuple[str, ...]] = ("arrayItem",)
    pyclass = list
    opener: ClassVar[str] = "["

    @classmethod
    def from_descriptor(cls, fmt: str, options: Any, at: At) -> ArrayType:
        if options.get("arrayItem"):
            raise at.refuse("field.arrayItem", options["arrayItem"], "items are not typed here")
        return cls(format=fmt)

    @property
    def what(self) -> str:
        return "a JSON array"


# -- geopoint -----------------------------------------------------------------------------------


class _Point(NamedTuple):
    lon: Any
    lat: Any


def _point(cell: Any, fmt: str) -> _Point | None:
    """frictionless 5's geopoint reader, line for line: a text split at its comma (default),
    a JSON array of two, or a JSON object of exactly lon and lat, read by ``Decimal``; then
    the longitude within ±180 and the latitude within ±90 (NaN fails)."""
    if isinstance(cell, str):
        try:
            if fmt == "default":
                lon, lat = cell.split(",")
                lon, lat = lon.strip(), lat.strip()
            elif fmt == "array":
                lon, lat = json.loads(cell)
            elif fmt == "object":
                cell = json.loads(cell)
                if len(cell) != 2:
                    return None
                lon, lat = cell["lon"], cell["lat"]
            else:
                return None  # frictionless: an unknown format reads no value
            cell = _Point(Decimal(lon), Decimal(lat))
        except Exception:
            return None
    try:
        cell = _Point(*cell)
        if cell.lon > 180 or cell.lon < -180:
            return None
        if cell.lat > 90 or cell.lat < -90:
            return None
    except Exception:
        return None
    return cell


def _exact(v: Any) -> str:
    """A coordinate (a Decimal, or a JSON number of a descriptor's enum) as one text per
    number, as ``==`` compares a Decimal with a float or an int: exactly."""
    if isinstance(v, float):
        v = Decimal(v)  # exact: the float's binary value
    elif isinstance(v, int):
        v = Decimal(v)
    if not isinstance(v, Decimal) or not v.is_finite():
        raise RefusedCellsError("geopoint", v, "a coordinate that is not a finite number")
    if v.adjusted() < -400:
        raise RefusedCellsError("geopoint", str(v), "a coordinate below 1e-400")
    return exact_decimal(v)


def _point_key(p: _Point) -> str:
    return f"{_exact(p.lon)},{_exact(p.lat)}"


#: the ordinary default spelling: two plain decimals of at most 3 + 12 digits, spaces around
def _plain(k: int) -> str:
    return rf"(?P<s{k}>-?)(?P<w{k}>[0-9]{{1,3}})(?:\.(?P<f{k}>[0-9]{{1,12}}))?"


_FAST_POINT = rf"^ *{_plain(1)} *, *{_plain(2)} *$"


def _canonical(sign: pa.Array, whole: pa.Array, frac: pa.Array) -> pa.Array:
    """:func:`exact_decimal` of ``sign whole . frac`` texts, in Arrow: the digits without
    leading and trailing zeros, and the power of ten (``0``: zero)."""
    frac = pc.fill_null(frac, "")
    digits = pc.binary_join_element_wise(whole, frac, "")
    digits = pc.utf8_ltrim(digits, characters="0")
    kept = pc.utf8_rtrim(digits, characters="0")
    exp = pc.subtract(
        pc.subtract(pc.utf8_length(digits), pc.utf8_length(kept)), pc.utf8_length(frac)
    )
    text = pc.binary_join_element_wise(
        pc.fill_null(sign, ""), kept, pa.scalar("e"), pc.cast(exp, pa.string()), ""
    )
    return pc.if_else(pc.equal(pc.utf8_length(kept), 0), pa.scalar("0"), text)


@dataclass(frozen=True)
class GeopointType(ValueType):
    """``geopoint``: a longitude and a latitude, ``lon, lat`` (default), ``[lon, lat]``
    (array) or ``{"lon": .., "lat": ..}`` (object), read as frictionless reads them, within
    ±180 and ±90. Equal when both numbers are (``1.0, 2`` is ``1,2.00``). Stored as text."""

    name: ClassVar[str] = "geopoint"
    constraints: ClassVar[tuple[str, ...]] = ("required", "unique", "enum")
    checks_example: ClassVar[bool] = True
    stores_text: ClassVar[bool] = True

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        return fmt  # any: frictionless reads no value for a format it does not know

    @property
    def what(self) -> str:
        return {
            "array": "a point [longitude, latitude]",
            "object": 'a point {"lon": longitude, "lat": latitude}',
        }.get(self.format, "a point: longitude, latitude")

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        n = len(present)
        ok = np.zeros(n, dtype=bool)
        keys = np.full(n, None, dtype=object)
        fast = np.zeros(n, dtype=bool)
        if self.format == "default":
            fast = present & np_mask(pc.match_substring_regex(s, _FAST_POINT))
            idx = np.flatnonzero(fast)
            if len(idx):
                g = pc.extract_regex(take_rows(s, idx), _FAST_POINT)
                cols = {k: g.field(k) for k in ("s1", "w1", "f1", "s2", "w2", "f2")}
                lon = _canonical(cols["s1"], cols["w1"], cols["f1"])
                lat = _canonical(cols["s2"], cols["w2"], cols["f2"])
                inside = np_mask(
                    pc.less_equal(pc.abs(_as_float(cols["s1"], cols["w1"], cols["f1"])), 180.0)
                ) & np_mask(
                    pc.less_equal(pc.abs(_as_float(cols["s2"], cols["w2"], cols["f2"])), 90.0)
                )
                ok[idx[inside]] = True
                key = pc.binary_join_element_wise(lon, lat, ",")
                keys[idx[inside]] = np.asarray(key.to_numpy(zero_copy_only=False), dtype=object)[
                    inside
                ]
        rest = np.flatnonzero(present & ~fast)
        if len(rest):
            cells = take_rows(s, rest)
            distinct = pc.unique(cells)
            got = []
            for c in distinct.to_pylist():
                p = _point(c, self.format)
                got.append(None if p is None else _point_key(p))
            where = np.asarray(
                pc.index_in(cells, value_set=distinct).to_numpy(zero_copy_only=False)
            )
            vals = np.asarray(got, dtype=object)[where]
            keys[rest] = vals
            ok[rest] = np.array([v is not None for v in vals], dtype=bool)
        return Read(ok, pa.array(keys.tolist(), pa.string()), self.what)

    def value(self, v: Any) -> Any:
        """frictionless' reader of an enum item: a text in the field's format, or a pair."""
        p = _point(v, self.format)
        return None if p is None else _point_key(p)

    def scalar_type(self) -> pa.DataType:
        return pa.string()

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.StringDtype("pyarrow")


def _as_float(sign: pa.Array, whole: pa.Array, frac: pa.Array) -> pa.Array:
    """The plain decimal as a float64: exact enough to compare with 180 and 90, as it has
    at most 15 significant digits."""
    text = pc.binary_join_element_wise(
        pc.fill_null(sign, ""), whole, pa.scalar("."), pc.fill_null(frac, ""), ""
    )
    text = pc.replace_substring_regex(text, r"\.$", "")
    return pc.cast(text, pa.float64())
