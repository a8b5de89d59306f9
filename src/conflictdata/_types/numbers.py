"""The numeric Table Schema types, integer and number, read as frictionless 5 reads them:
an integer is Python's ``int()`` of the stripped cell, a number ``Decimal()`` (``float()``
with ``floatNumber``), after ``bareNumber``, ``groupChar`` and ``decimalChar``.

Vectorised: one RE2 test takes the ordinary cells (ASCII digits, Arrow casts them exactly);
a superset test picks the few other cells that could still be values, and only those
(deduplicated) go through the Python reader, which is the definition. Typed values: int64
(an integer beyond it is refused: :class:`RefusedCells`), float64 with ``-0`` as ``0``
(NaN kept: it fails every bound and equals nothing, as in frictionless)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .kernels import np_mask, take_rows
from .spec import FieldSpec, Read, RefusedCells

__all__ = [
    "BOUNDS",
    "INT64_MAX",
    "READERS",
    "exact_values",
    "read_integer",
    "read_number",
    "value_reader",
]

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


def _bare(f: FieldSpec) -> bool:
    return f.raw.get("bareNumber", True) is not False


def value_reader(f: FieldSpec) -> Callable[[Any], Any]:
    """The Python reader of one cell or constraint value, as frictionless 5's field
    classes define it (None: not a value of the type). The reference for the vectorised
    path, and the reader of bounds and enum values."""
    pattern = None if _bare(f) else _NOT_BARE
    if f.type == "integer":

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
    raw = f.raw
    process = any(k in raw for k in ("groupChar", "decimalChar", "bareNumber"))
    group, decimal = raw.get("groupChar", ""), raw.get("decimalChar", ".")
    primary: Any = float if raw.get("floatNumber") else Decimal

    def read_number(cell: Any) -> Any:
        if isinstance(cell, str):
            cell = cell.strip()
            if process:
                if pattern:
                    cell = pattern.sub("", cell)
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


def exact_values(f: FieldSpec, s: pa.ChunkedArray | pa.Array, idx: np.ndarray) -> list[Any]:
    """The exact Python values (int, Decimal or float; None: not a value) of the cells at
    ``idx``: for the few comparisons float64 cannot settle (ties, long decimals)."""
    read = value_reader(f)
    return [None if v is None else read(v) for v in take_rows(s, idx).to_pylist()]


def _python_pass(
    f: FieldSpec, s: pa.ChunkedArray | pa.Array, idx: np.ndarray
) -> tuple[np.ndarray, list[Any]]:
    """The cells at ``idx`` through the Python reader, each distinct text once: (ok mask
    over ``idx``, values)."""
    read = value_reader(f)
    texts = take_rows(s, idx).to_pylist()
    memo: dict[str, Any] = {}
    vals = []
    for t in texts:
        if t not in memo:
            memo[t] = read(t)
        vals.append(memo[t])
    return np.array([v is not None for v in vals], dtype=bool), vals


def _preprocess(f: FieldSpec, s: pa.ChunkedArray) -> pa.ChunkedArray:
    """bareNumber: false strips leading non-digits (but '-') and trailing non-digits; a
    number's groupChar is dropped and its decimalChar becomes '.'. (A cell with a '.' when
    decimalChar is another character is no number: see :func:`_dot_refused`.)"""
    if not _bare(f):
        s = pc.replace_substring_regex(s, rf"^{_WS}", "")
        s = pc.replace_substring_regex(s, r"^[^-\p{Nd}]+", "")
        s = pc.replace_substring_regex(s, r"\P{Nd}+$", "")
    if f.type == "number":
        group, decimal = f.raw.get("groupChar", ""), f.raw.get("decimalChar", ".")
        if group:
            s = pc.replace_substring(s, group, "")
        if decimal != ".":
            s = pc.replace_substring(s, decimal, ".")
    return s


def _dot_refused(f: FieldSpec, s: pa.ChunkedArray) -> np.ndarray | None:
    """Cells frictionless rejects for holding '.' when decimalChar is another character
    (after groupChar is dropped), or None."""
    decimal = f.raw.get("decimalChar", ".")
    if decimal == "." or f.type != "number":
        return None
    group = f.raw.get("groupChar", "")
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
    f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray, strict: str, maybe: str, to: pa.DataType
) -> tuple[np.ndarray, np.ndarray]:
    """(valid mask, values as numpy ``to``) of a numeric column."""
    p = _preprocess(f, s)
    valid = present & np_mask(pc.match_substring_regex(p, strict))
    dot = _dot_refused(f, s)
    if dot is not None:
        valid &= ~dot
    vals = _cast(p, valid, to)
    rest = present & ~valid
    if rest.any():
        cand = np.flatnonzero(rest)
        sub = take_rows(p, cand)
        if f.type == "number":
            sub = pc.replace_substring(sub, "_", "")
        maybe_ok = np_mask(pc.match_substring_regex(sub, maybe))
        if dot is not None:
            maybe_ok &= ~dot[cand]
        cand = cand[maybe_ok]
        if len(cand):
            ok, got = _python_pass(f, s, cand)
            hit = cand[ok]
            values = [v for v, o in zip(got, ok) if o]
            valid[hit] = True
            if f.type == "integer":
                big = [v for v in values if not -INT64_MAX - 1 <= v <= INT64_MAX]
                if big:
                    raise RefusedCells(
                        "integer beyond 64 bits",
                        str(big[0]),
                        "the validator compares integers as int64",
                    )
                vals[hit] = np.array(values, dtype=np.int64)
            else:
                snan = [v for v in values if isinstance(v, Decimal) and v.is_snan()]
                if snan:
                    raise RefusedCells(
                        "signalling NaN", str(snan[0]), "frictionless 5 raises on comparing it"
                    )
                vals[hit] = np.array([float(v) for v in values], dtype=np.float64)
    return valid, vals


def read_integer(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    valid, vals = _read(
        f, s, present, _INTEGER_RE, _INTEGER_MAYBE if _bare(f) else r"\p{Nd}", pa.int64()
    )
    return Read(valid, pa.array(vals, pa.int64(), mask=~valid), "an integer")


def read_number(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    valid, vals = _read(
        f, s, present, _NUMBER_RE, _NUMBER_MAYBE if _bare(f) else r"\p{Nd}", pa.float64()
    )
    vals = vals + 0.0  # -0 is 0: equal as keys, as Decimal('-0') == 0
    return Read(valid, pa.array(vals, pa.float64(), mask=~valid), "a number")


def _integer_bound(f: FieldSpec, value: Any) -> Any:
    return pa.scalar(int(value_reader(f)(value)), pa.int64())


def _number_bound(f: FieldSpec, value: Any) -> Any:
    return pa.scalar(float(value_reader(f)(value)), pa.float64())


READERS = {"integer": read_integer, "number": read_number}
BOUNDS = {"integer": _integer_bound, "number": _number_bound}
