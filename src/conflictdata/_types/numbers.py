"""The numeric Table Schema types, integer and number, read as frictionless 5 reads them:
an integer is Python's ``int()`` of the stripped cell, a number ``Decimal()`` (``float()``
with ``floatNumber``), after ``bareNumber``, ``groupChar`` and ``decimalChar``.

Vectorised: one RE2 test takes the ordinary cells (ASCII digits, Arrow casts them exactly);
a superset test picks the few other cells that could still be values, and only those
(deduplicated) go through the Python reader, which is the definition. Typed values: int64
(an integer beyond it is refused: :class:`~conflictdata.errors.RefusedCellsError`), float64 with ``-0`` as ``0``
(NaN kept: it fails every bound and equals nothing, as in frictionless)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util.text import kind, short_repr
from ..errors import RefusedCellsError
from .kernels import np_mask, take_rows
from .spec import At, Read, ValueType

__all__ = ["INT64_MAX", "IntegerType", "NumberType"]

INT64_MAX = 2**63 - 1
_INTEGER_RE = r"^-?[0-9]{1,18}$"
_NUMBER_RE = r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?$"
#: the characters Python's str.strip() removes (str.isspace), as an RE2 class
_WS = (
    r"[\t-\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
    r"\x{205f}\x{3000}]*"
)
#: cells int() could accept (a superset: the Python reader decides)
_INTEGER_MAYBE = rf"^{_WS}[+-]?[\p{{Nd}}_]+{_WS}$"
#: cells Decimal()/float() could accept once underscores are gone (a superset)
_NUMBER_MAYBE = (
    rf"(?i)^{_WS}[+-]?(?:[\p{{Nd}}.]*\p{{Nd}}[\p{{Nd}}.]*(?:e[+-]?\p{{Nd}}+)?"
    rf"|s?nan\p{{Nd}}*|inf|infinity){_WS}$"
)
#: what frictionless strips from a cell when bareNumber is false
_NOT_BARE = re.compile(r"((^[^-\d]*)|(\D*$))")


def _python_pass(
    t: _Numeric, s: pa.ChunkedArray | pa.Array, idx: np.ndarray
) -> tuple[np.ndarray, list[Any]]:
    """The cells at ``idx`` through the Python reader, each distinct text once: (ok mask
    over ``idx``, values)."""
    read = t.reader
    texts = take_rows(s, idx).to_pylist()
    memo: dict[str, Any] = {}
    vals = []
    for text in texts:
        if text not in memo:
            memo[text] = read(text)
        vals.append(memo[text])
    return np.array([v is not None for v in vals], dtype=bool), vals


def _preprocess(t: _Numeric, s: pa.ChunkedArray) -> pa.ChunkedArray:
    """bareNumber: false strips leading non-digits (but '-') and trailing non-digits; a
    number's groupChar is dropped and its decimalChar becomes '.'. (A cell with a '.' when
    decimalChar is another character is no number: see :func:`_dot_refused`.)"""
    if not t.bare_number:
        s = pc.replace_substring_regex(s, rf"^{_WS}", "")
        s = pc.replace_substring_regex(s, r"^[^-\p{Nd}]+", "")
        s = pc.replace_substring_regex(s, r"\P{Nd}+$", "")
    if isinstance(t, NumberType):
        group, decimal = t.group_char, t.decimal_char
        if group:
            s = pc.replace_substring(s, group, "")
        if decimal != ".":
            s = pc.replace_substring(s, decimal, ".")
    return s


def _dot_refused(t: _Numeric, s: pa.ChunkedArray) -> np.ndarray | None:
    """Cells frictionless rejects for holding '.' when decimalChar is another character
    (after groupChar is dropped), or None."""
    if not isinstance(t, NumberType) or t.decimal_char == ".":
        return None
    group = t.group_char
    t = pc.replace_substring(s, group, "") if group else s
    return np_mask(pc.match_substring(t, "."))


def _cast(s: pa.ChunkedArray, valid: np.ndarray, to: pa.DataType) -> np.ndarray:
    """The ``valid`` cells cast to ``to`` (0 elsewhere), casting only those."""
    res = np.zeros(len(valid), dtype=to.to_pandas_dtype())
    if valid.all():
        return np.asarray(pc.cast(s, to).to_numpy(zero_copy_only=False))
    if valid.any():
        res[valid] = pc.cast(s.filter(pa.array(valid)), to).to_numpy(zero_copy_only=False)
    return res


def _read(
    t: _Numeric, s: pa.ChunkedArray, present: np.ndarray, strict: str, maybe: str, to: pa.DataType
) -> tuple[np.ndarray, np.ndarray]:
    """(valid mask, values as numpy ``to``) of a numeric column."""
    p = _preprocess(t, s)
    valid = present & np_mask(pc.match_substring_regex(p, strict))
    dot = _dot_refused(t, s)
    if dot is not None:
        valid &= ~dot
    vals = _cast(p, valid, to)
    rest = present & ~valid
    if rest.any():
        cand = np.flatnonzero(rest)
        sub = take_rows(p, cand)
        if isinstance(t, NumberType):
            sub = pc.replace_substring(sub, "_", "")
        maybe_ok = np_mask(pc.match_substring_regex(sub, maybe))
        if dot is not None:
            maybe_ok &= ~dot[cand]
        cand = cand[maybe_ok]
        if len(cand):
            ok, got = _python_pass(t, s, cand)
            hit = cand[ok]
            values = [v for v, o in zip(got, ok, strict=True) if o]
            valid[hit] = True
            if isinstance(t, IntegerType):
                big = [v for v in values if not -INT64_MAX - 1 <= v <= INT64_MAX]
                if big:
                    raise RefusedCellsError(
                        "integer beyond 64 bits",
                        str(big[0]),
                        "the validator compares integers as int64",
                    )
                vals[hit] = np.array(values, dtype=np.int64)
            else:
                snan = [v for v in values if isinstance(v, Decimal) and v.is_snan()]
                if snan:
                    raise RefusedCellsError(
                        "signalling NaN", str(snan[0]), "frictionless 5 raises on comparing it"
                    )
                vals[hit] = np.array([float(v) for v in values], dtype=np.float64)
    return valid, vals


def _integer_reader(bare: bool) -> Callable[[Any], Any]:
    """frictionless 5's integer value reader: ``int()`` of the stripped text."""
    pattern = None if bare else _NOT_BARE

    def read_int(cell: Any) -> Any:
        if isinstance(cell, str):
            cell = cell.strip()
            if pattern:
                cell = pattern.sub("", cell)
            try:
                return int(cell)
            except ValueError:
                return None
        if isinstance(cell, bool):
            return None
        if isinstance(cell, int):
            return cell
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        return None

    return read_int


def _number_reader(t: NumberType) -> Callable[[Any], Any]:
    """frictionless 5's number value reader: ``Decimal()`` (``float()`` with floatNumber) of
    the stripped text after bareNumber, groupChar and decimalChar."""
    pattern = None if t.bare_number else _NOT_BARE
    group, decimal = t.group_char, t.decimal_char
    primary: Any = float if t.float_number else Decimal

    def read_number(cell: Any) -> Any:
        if isinstance(cell, str):
            cell = cell.strip()
            if pattern:
                cell = pattern.sub("", cell)
            if group:
                cell = cell.replace(group, "")
            if decimal != "." and "." in cell:
                return None
            cell = cell.replace(decimal, ".")
            try:
                return primary(cell)
            except (ValueError, InvalidOperation):
                return None
        if isinstance(cell, bool):
            return None
        if isinstance(cell, int):
            return cell
        if isinstance(cell, float):
            return primary(str(cell)) if primary is Decimal else cell
        return None

    return read_number


def _flag(options: Mapping[str, Any], key: str, at: At, default: bool) -> bool:
    v = options.get(key, default)
    if not isinstance(v, bool):
        raise at.bad(f"{key} must be true or false, not {kind(v)} {short_repr(v)}")
    return v


def _char(options: Mapping[str, Any], key: str, at: At, default: str) -> str:
    """decimalChar or groupChar: frictionless strips the cell before replacing them, the
    same unless the character holds whitespace (a lone whitespace groupChar is still the
    same): read are 1 to 8 characters without whitespace (groupChar: or one whitespace)."""
    if key not in options:
        return default
    v = options[key]
    if not isinstance(v, str):
        raise at.bad(f"{key} must be a string, not {kind(v)} {short_repr(v)}")
    if (
        (not v and key == "decimalChar")
        or len(v) > 8
        or (any(ch.isspace() for ch in v) and (key == "decimalChar" or len(v) > 1))
    ):
        raise at.refuse(
            f"field.{key}",
            v,
            "read: 1 to 8 characters without whitespace (groupChar: or one whitespace character)",
        )
    return v


_BOUNDED = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
)


@dataclass(frozen=True)
class _Numeric(ValueType):
    """What integer and number share: ``bareNumber`` and the vectorised reading."""

    constraints: ClassVar[tuple[str, ...]] = _BOUNDED
    checks_example: ClassVar[bool] = True

    bare_number: bool = True

    @functools.cached_property
    def reader(self) -> Callable[[Any], Any]:
        """The Python reader of one cell or descriptor value, as frictionless 5's field
        class defines it (None: not a value): the reference for the vectorised path."""
        raise NotImplementedError

    def value(self, v: Any) -> Any:
        return None if isinstance(v, (dict, list)) else self.reader(v)

    def exact(self, s: pa.ChunkedArray | pa.Array, idx: np.ndarray) -> list[Any]:
        """The exact Python values (int, Decimal or float; None: not a value) of the cells
        at ``idx``: for the few comparisons float64 cannot settle (ties, long decimals)."""
        read = self.reader
        return [None if v is None else read(v) for v in take_rows(s, idx).to_pylist()]


@dataclass(frozen=True)
class IntegerType(_Numeric):
    """``integer``: Python's ``int()`` of the stripped cell (after bareNumber), as int64."""

    name: ClassVar[str] = "integer"
    options: ClassVar[tuple[str, ...]] = ("bareNumber",)

    @classmethod
    def from_descriptor(cls, fmt: str, options: Mapping[str, Any], at: At) -> IntegerType:
        return cls(format=fmt, bare_number=_flag(options, "bareNumber", at, True))

    @functools.cached_property
    def reader(self) -> Callable[[Any], Any]:
        return _integer_reader(self.bare_number)

    @property
    def what(self) -> str:
        return "an integer"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        maybe = _INTEGER_MAYBE if self.bare_number else r"\p{Nd}"
        valid, vals = _read(self, s, present, _INTEGER_RE, maybe, pa.int64())
        return Read(valid, pa.array(vals, pa.int64(), mask=~valid), self.what)

    def value(self, v: Any) -> Any:
        """An integer, or None; one beyond int64 cannot be compared (refused)."""
        got = super().value(v)
        if got is not None and not -INT64_MAX - 1 <= got <= INT64_MAX:
            raise RefusedCellsError("integer beyond 64 bits", got, "beyond int64")
        return got

    def scalar_type(self) -> pa.DataType:
        return pa.int64()

    def read_typed(self, arr: pa.Array) -> Read | None:
        """Integers, and floats that are whole numbers (any other float is not a value)."""
        t = arr.type
        if pa.types.is_integer(t):
            if pa.types.is_uint64(t) and len(arr) and (pc.max(arr).as_py() or 0) > INT64_MAX:
                raise RefusedCellsError("integer beyond 64 bits", pc.max(arr).as_py(), "")
            typed = pc.cast(arr, pa.int64())
            return Read(np_mask(pc.is_valid(typed)), typed, self.what)
        if pa.types.is_floating(t):
            whole = np_mask(pc.equal(pc.round(arr), arr)) & np_mask(
                pc.less_equal(pc.abs(arr), 2.0**63 - 1024)
            )
            vals = pc.if_else(pa.array(whole), arr, pa.scalar(None, arr.type))
            return Read(whole, pc.cast(vals, pa.int64()), self.what)
        return None

    def arrow_type(self) -> pa.DataType:
        return pa.int64()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.Int64Dtype()


@dataclass(frozen=True)
class NumberType(_Numeric):
    """``number``: Python's ``Decimal()`` (``float()`` with floatNumber) of the stripped
    cell, after bareNumber, groupChar and decimalChar; float64 values, ``-0`` as ``0``
    (NaN kept: it fails every bound and equals nothing, as in frictionless)."""

    name: ClassVar[str] = "number"
    options: ClassVar[tuple[str, ...]] = ("bareNumber", "floatNumber", "decimalChar", "groupChar")

    float_number: bool = False
    decimal_char: str = "."
    group_char: str = ""

    @classmethod
    def from_descriptor(cls, fmt: str, options: Mapping[str, Any], at: At) -> NumberType:
        return cls(
            format=fmt,
            bare_number=_flag(options, "bareNumber", at, True),
            float_number=_flag(options, "floatNumber", at, False),
            decimal_char=_char(options, "decimalChar", at, "."),
            group_char=_char(options, "groupChar", at, ""),
        )

    @functools.cached_property
    def reader(self) -> Callable[[Any], Any]:
        return _number_reader(self)

    @property
    def what(self) -> str:
        return "a number"

    @property
    def exact_values(self) -> bool:
        """Read as Decimal: float64 settles every comparison but ties and long cells."""
        return not self.float_number

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        maybe = _NUMBER_MAYBE if self.bare_number else r"\p{Nd}"
        valid, vals = _read(self, s, present, _NUMBER_RE, maybe, pa.float64())
        vals = vals + 0.0  # -0 is 0: equal as keys, as Decimal('-0') == 0
        return Read(valid, pa.array(vals, pa.float64(), mask=~valid), self.what)

    def scalar_type(self) -> pa.DataType:
        return pa.float64()

    def array(self, values: list[Any]) -> pa.Array:
        return pa.array([float(v) for v in values], pa.float64())

    def read_typed(self, arr: pa.Array) -> Read | None:
        t = arr.type
        if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)):
            return None
        typed = pc.add(pc.cast(arr, pa.float64()), 0.0)
        return Read(np_mask(pc.is_valid(typed)), typed, self.what)

    def write(self, arr: pa.Array) -> pa.Array:
        """The shortest text that reads back as the same float (Arrow writes it so), in the
        field's decimalChar."""
        text = pc.cast(arr, pa.string())
        if self.decimal_char != ".":
            text = pc.replace_substring(text, ".", self.decimal_char)
        return text

    def arrow_type(self) -> pa.DataType:
        return pa.float64()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.Float64Dtype()
