"""The temporal Table Schema types — date, datetime, time, year, yearmonth — read exactly as
frictionless 5 reads them: ``datetime.strptime`` for dates and ``%``-formats, dateutil's
``isoparse`` for the default datetime and time, ``int()`` for years and year-months.

Vectorised: the cells of the ordinary shapes are decided from their bytes (numpy, or one RE2
pass built from the very regular expressions Python's ``strptime`` uses, ASCII cells only);
only cells outside those shapes that could still be values (a non-ASCII digit, a week date)
go to the Python parser frictionless calls, one by one, so the answer is the same for every
cell. Typed values: date32 days; datetime and time as ``duration[us]`` codes (see
:func:`code_kind`), years int64, year-months int64 months since year 0."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BuildError, RefusedCellsError, UnsupportedFeatureError
from .kernels import (
    date_shape,
    days_from_civil,
    days_in_month,
    find_all,
    fixed_width_bytes,
    np_mask,
    string_buffers,
    take_rows,
)
from .spec import At, Read, ValueType

__all__ = [
    "NAIVE",
    "DateType",
    "DatetimeType",
    "DurationType",
    "TimeType",
    "YearType",
    "YearmonthType",
    "check_comparable",
    "code_kind",
    "exact_decimal",
    "iso_text",
]
#: Added to the microseconds of a datetime or time without a UTC offset: Python never finds
#: such a value equal to one with an offset, so their codes never meet (and are never ordered
#: against each other: frictionless stops with a TypeError there, so do we).
NAIVE = 1 << 62
_US = 1_000_000
_DAY_US = 86_400 * _US
_CODE = pa.duration("us")


# -- the parts of a column of cells -------------------------------------------------------------


@dataclass
class _Parts:
    """Per cell: read as a value (``ok``), the right shape but no such calendar day
    (``impossible``), and the fields of the value (0 where not ``ok``)."""

    ok: np.ndarray
    impossible: np.ndarray
    y: np.ndarray
    m: np.ndarray
    d: np.ndarray
    hh: np.ndarray
    mi: np.ndarray
    ss: np.ndarray
    us: np.ndarray
    aware: np.ndarray
    off: np.ndarray  # UTC offset in microseconds (0 when naive)

    @classmethod
    def empty(cls, n: int) -> _Parts:
        y, m, d, hh, mi, ss, us, off = (np.zeros(n, dtype=np.int64) for _ in range(8))
        no = [np.zeros(n, dtype=bool) for _ in range(3)]
        return cls(no[0], no[1], y, m, d, hh, mi, ss, us, no[2], off)

    def put(self, idx: np.ndarray, other: _Parts) -> None:
        """Overwrite rows ``idx`` with ``other`` (one row per index)."""
        for k in self.__dataclass_fields__:
            getattr(self, k)[idx] = getattr(other, k)

    def take(self, idx: np.ndarray) -> _Parts:
        """The rows ``idx`` (with repeats) as parts of their own."""
        return _Parts(*(getattr(self, k)[idx] for k in self.__dataclass_fields__))

    def set_value(self, i: int, v: dt.datetime | dt.date | dt.time) -> None:
        """Row ``i`` holds the Python value ``v`` (what frictionless' reader returned)."""
        self.ok[i] = True
        if isinstance(v, (dt.datetime, dt.date)):
            self.y[i], self.m[i], self.d[i] = v.year, v.month, v.day
        if isinstance(v, (dt.datetime, dt.time)):
            self.hh[i], self.mi[i], self.ss[i], self.us[i] = (
                v.hour,
                v.minute,
                v.second,
                v.microsecond,
            )
            off = v.utcoffset()
            if off is not None:
                self.aware[i] = True
                self.off[i] = (off.days * 86_400 + off.seconds) * _US + off.microseconds


def _digits(col: pa.Array) -> np.ndarray:
    """A column of ASCII digit strings (null/empty -> 0) as int64."""
    col = pc.if_else(pc.equal(pc.binary_length(col), 0), pa.scalar(None, pa.string()), col)
    return np.array(
        pc.fill_null(pc.cast(col, pa.int64()), 0).to_numpy(zero_copy_only=False), dtype=np.int64
    )


def _non_ascii(s: pa.ChunkedArray) -> np.ndarray:
    """Cells holding a byte >= 0x80 (read from the UTF-8 bytes with numpy)."""
    out: list[np.ndarray] = []
    for chunk in s.chunks:
        n = len(chunk)
        mask = np.zeros(n, dtype=bool)
        off, data = string_buffers(chunk)
        if len(data):
            pos = find_all(data[off[0] : off[-1]], 0x80, at_least=True)
            if len(pos):
                mask[np.unique(np.searchsorted(off - off[0], pos, side="right") - 1)] = True
        out.append(mask)
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


def _byte_at(s: pa.ChunkedArray, k: int) -> np.ndarray:
    """The byte at offset ``k`` of each cell (-1 where the cell is shorter)."""
    out: list[np.ndarray] = []
    for chunk in s.chunks:
        n = len(chunk)
        res = np.full(n, -1, dtype=np.int64)
        off, data = string_buffers(chunk)
        if len(data):
            long = (off[1:] - off[:-1]) > k
            res[long] = data[off[:-1][long].astype(np.int64) + k]
        out.append(res)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _check_clock(p: _Parts, sel: np.ndarray, *, hour24: bool = False) -> None:
    """Where ``sel``: the value exists (year 1-9999, a real day: else ``impossible``; the
    clock in range, the offset under a day), as ``datetime(...)`` would accept it."""
    real = (
        (p.y >= 1)
        & (p.y <= 9999)
        & (p.m >= 1)
        & (p.m <= 12)
        & (p.d >= 1)
        & (p.d <= days_in_month(p.y, p.m))
    )
    clock = (p.hh <= 23) & (p.mi <= 59) & (p.ss <= 59) & (np.abs(p.off) < _DAY_US)
    if hour24:  # isoparse: 24:00:00 is midnight of the next day
        midnight = (p.hh == 24) & (p.mi == 0) & (p.ss == 0) & (p.us == 0)
        clock |= midnight & (p.mi <= 59) & (np.abs(p.off) < _DAY_US)
        clock &= ~(midnight & (p.y == 9999) & (p.m == 12) & (p.d == 31))  # OverflowError
    p.impossible = sel & ~real
    p.ok = sel & real & clock


def _offset(z: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aware, UTC offset (us) and offset hours of Z / z / ±HH / ±HHMM / ±HH:MM (empty: naive)."""
    zs = pc.replace_substring(pc.fill_null(z, ""), ":", "")
    n = len(zs)
    length = np.asarray(pc.binary_length(zs).to_numpy(zero_copy_only=False), dtype=np.int64)
    aware = length > 0
    sign = np.where(np.asarray(pc.starts_with(zs, "-").to_numpy(zero_copy_only=False)), -1, 1)
    hh = _digits(pc.utf8_slice_codeunits(zs, 1, 3)) if n else np.zeros(0, dtype=np.int64)
    mm = _digits(pc.utf8_slice_codeunits(zs, 3, 5)) if n else np.zeros(0, dtype=np.int64)
    return aware, sign * (hh * 3600 + mm * 60) * _US, hh


# -- isoparse: the default datetime and time ----------------------------------------------------

_ISO_TIME = (
    r"(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<ss>[0-9]{2})(?:[.,](?P<f>[0-9]+))?"
    r"(?P<z>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_ISO_DATETIME = r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})[\x00-\x7f]" + _ISO_TIME


def _iso_fast(s: pa.Array, rx: str, with_date: bool) -> tuple[_Parts, np.ndarray]:
    """Cells of the common ISO shape, read as dateutil's isoparse reads them; and which
    cells have that shape."""
    n = len(s)
    p = _Parts.empty(n)
    if n == 0:
        return p, np.zeros(0, dtype=bool)
    g = pc.extract_regex(s, rx)
    sel = np_mask(pc.is_valid(g))
    if not sel.any():
        return p, sel
    if with_date:
        p.y, p.m, p.d = (_digits(g.field(k)) for k in "ymd")
    else:
        p.y[:], p.m[:], p.d[:] = 2000, 1, 1
    p.hh, p.mi, p.ss = (_digits(g.field(k)) for k in ("hh", "mi", "ss"))
    frac = pc.utf8_rpad(pc.utf8_slice_codeunits(pc.fill_null(g.field("f"), ""), 0, 6), 6, "0")
    p.us = _digits(frac)
    zfield = g.field("z")
    zlen = np.asarray(pc.fill_null(pc.binary_length(zfield), 0).to_numpy(zero_copy_only=False))
    letter = np.asarray(
        pc.fill_null(pc.is_in(zfield, value_set=pa.array(["Z", "z"])), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    aware, off, zh = _offset(pc.if_else(pa.array(letter), pa.scalar("", pa.string()), zfield))
    zm = np.abs(off) // (60 * _US) - zh * 60
    # Z, or an offset of zero, is UTC; any other must have hours <= 23 and minutes <= 59
    bad_zone = aware & (off != 0) & ((zh > 23) | (zm > 59))
    p.aware = letter | (zlen > 0)
    p.off = np.where(letter, 0, off)
    _check_clock(p, sel & ~bad_zone, hour24=True)
    return p, sel


#: Byte widths of the common default datetimes (naive, Z, ±HH, ±HHMM, ±HH:MM) and times.
_DT_WIDTHS = (19, 20, 22, 24, 25)


def _number(b: np.ndarray, i: int, k: int) -> np.ndarray:
    """Columns i..i+k-1 of a byte matrix of ASCII digits as one number per row."""
    res = np.zeros(len(b), dtype=np.int64)
    for j in range(k):
        res = res * 10 + (b[:, i + j].astype(np.int64) - 48)
    return res


def _iso_bytes(s: pa.ChunkedArray, n: int, with_date: bool) -> tuple[_Parts, np.ndarray]:
    """The default datetimes (or times) of the common fixed widths, whole seconds, read from
    their bytes with numpy; and which cells had such a shape (the rest go to the regex)."""
    p = _Parts.empty(n)
    shaped = np.zeros(n, dtype=bool)
    lead = 11 if with_date else 0  # where hh starts
    widths = _DT_WIDTHS if with_date else tuple(w - 11 for w in _DT_WIDTHS)
    digits = [lead, lead + 1, lead + 3, lead + 4, lead + 6, lead + 7]
    if with_date:
        digits += [0, 1, 2, 3, 5, 6, 8, 9]
    for w, (rows, b) in fixed_width_bytes(s, widths).items():
        if not len(rows):
            continue
        good = ((b[:, digits] - np.uint8(48)) <= 9).all(axis=1)
        good &= (b[:, lead + 2] == 58) & (b[:, lead + 5] == 58)
        if with_date:
            good &= (b[:, 4] == 45) & (b[:, 7] == 45) & (b[:, 10] < 0x80)
        zone = w - (lead + 8)  # 0 naive, 1 Z, 3 ±HH, 5 ±HHMM, 6 ±HH:MM
        z0 = lead + 8
        if zone == 1:
            good &= (b[:, z0] == ord("Z")) | (b[:, z0] == ord("z"))
        elif zone:
            zd = [z0 + 1, z0 + 2] + (
                [z0 + 3, z0 + 4] if zone == 5 else [z0 + 4, z0 + 5] if zone == 6 else []
            )
            good &= ((b[:, z0] == 43) | (b[:, z0] == 45)) & ((b[:, zd] - np.uint8(48)) <= 9).all(
                axis=1
            )
            if zone == 6:
                good &= b[:, z0 + 3] == 58
        rows, b = rows[good], b[good]
        if not len(rows):
            continue
        shaped[rows] = True
        if with_date:
            p.y[rows], p.m[rows], p.d[rows] = _number(b, 0, 4), _number(b, 5, 2), _number(b, 8, 2)
        p.hh[rows], p.mi[rows], p.ss[rows] = (
            _number(b, lead, 2),
            _number(b, lead + 3, 2),
            _number(b, lead + 6, 2),
        )
        if zone:
            p.aware[rows] = True
        if zone > 1:
            sign = np.where(b[:, z0] == 45, -1, 1)
            zh = _number(b, z0 + 1, 2)
            zm = (
                _number(b, z0 + 3, 2)
                if zone == 5
                else _number(b, z0 + 4, 2)
                if zone == 6
                else np.zeros(len(rows), dtype=np.int64)
            )
            off = sign * (zh * 3600 + zm * 60) * _US
            p.off[rows] = off
            # isoparse: an offset of zero is UTC; any other needs hours <= 23, minutes <= 59
            bad = (off != 0) & ((zh > 23) | (zm > 59))
            p.hh[rows[bad]] = 99  # out of range: not a value
    if not with_date:
        p.y[shaped], p.m[shaped], p.d[shaped] = 2000, 1, 1
    _check_clock(p, shaped, hour24=True)
    return p, shaped


@functools.cache
def _isoparse() -> Callable[[str], dt.datetime]:
    from dateutil.parser import isoparse

    return isoparse


def _py_datetime_default(cell: str) -> dt.datetime | None:
    """frictionless' datetime reader, format default."""
    try:
        assert cell[16] == ":"
        assert len(cell) >= 19
        return _isoparse()(cell)
    except Exception:
        return None


def _py_time_default(cell: str) -> dt.time | None:
    """frictionless' time reader, format default."""
    try:
        assert cell[5] == ":"
        assert len(cell) >= 8
        return _isoparse()(f"2000-01-01T{cell}").timetz()
    except Exception:
        return None


# -- strptime formats ---------------------------------------------------------------------------

#: Python's strptime directive regexes (3.11+), with \d as ASCII [0-9]: applied to ASCII cells
#: only, where they match exactly what Python's match.
_D = "[0-9]"
_FRAGMENTS = {
    "d": f"3[0-1]|[1-2]{_D}|0[1-9]|[1-9]| [1-9]",
    "f": "[0-9]{1,6}",
    "H": f"2[0-3]|[0-1]{_D}|{_D}",
    "I": "1[0-2]|0[1-9]|[1-9]",
    "m": "1[0-2]|0[1-9]|[1-9]",
    "M": f"[0-5]{_D}|{_D}",
    "S": f"6[0-1]|[0-5]{_D}|{_D}",
    "y": f"{_D}{_D}",
    "Y": f"{_D}{_D}{_D}{_D}",
    "z": f"[+-]{_D}{_D}:?[0-5]{_D}(?::?[0-5]{_D}(?:\\.{_D}{{1,6}})?)?|(?-i:Z)",
}
#: Directives Python's strptime knows that this reader does not implement.
_REFUSED = {
    "G": "ISO year",
    "j": "day of the year",
    "U": "week number",
    "W": "week number",
    "V": "ISO week",
    "u": "weekday number",
    "w": "weekday number",
    "Z": "time zone name",
    "c": "locale date and time",
    "x": "locale date",
    "X": "locale time",
}
_NAMED = ("a", "A", "b", "B", "p")
_PY_DIRECTIVES = set(_FRAGMENTS) | set(_REFUSED) | set(_NAMED) | {"%"}
#: regex characters Python escapes in a format; and what Python's \s matches in ASCII
_REGEX_CHARS = set("\\.^$*+?(){}[]|")
_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_MAX_FORMAT = 200


@functools.cache
def _names() -> dict[str, list[str]]:
    """The locale's day, month and am/pm names, lowercased, as Python's LocaleTime has them."""

    def ampm(hour: int) -> str:
        return _time.strftime("%p", (1999, 3, 17, hour, 44, 55, 2, 76, 0)).lower()

    return {
        "a": [calendar.day_abbr[i].lower() for i in range(7)],
        "A": [calendar.day_name[i].lower() for i in range(7)],
        "b": [calendar.month_abbr[i].lower() for i in range(13)],
        "B": [calendar.month_name[i].lower() for i in range(13)],
        "p": [ampm(1), ampm(22)],
    }


@dataclass(frozen=True)
class _Format:
    """A strptime format as one RE2 expression (``regex``; None: Python rejects the format
    itself, so no cell is a value — ``bad`` says why) and its directives in order."""

    text: str
    regex: str | None
    directives: tuple[str, ...]
    bad: str | None = None


def _literal(c: str) -> str:
    return c if c.isalnum() else f"\\x{{{ord(c):02x}}}"


class _Refused(Exception):
    """A format feature this reader does not implement (made an UnsupportedFeatureError
    naming the field by the caller)."""

    def __init__(self, feature: str, value: str, why: str) -> None:
        super().__init__(why)
        self.feature, self.value, self.why = feature, value, why

    def error(self, at: At) -> UnsupportedFeatureError:
        return at.refuse(self.feature, self.value, self.why)


@functools.lru_cache(maxsize=256)
def compile_format(fmt: str) -> _Format:
    """The format as Python's strptime reads it; _Refused for what this reader refuses."""
    if not fmt.isascii():
        raise _Refused("format", fmt, "a format with non-ASCII characters")
    if len(fmt) > _MAX_FORMAT:
        raise _Refused("format", fmt, f"a format of more than {_MAX_FORMAT} characters")
    parts: list[str] = []
    directives: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "%":
            if i + 1 == n:
                return _Format(fmt, None, (), "stray % in format")
            k = fmt[i + 1]
            if k in _ASCII_SPACE or k in _REGEX_CHARS or k not in _PY_DIRECTIVES:
                return _Format(fmt, None, (), f"{'%' + k!r} is a bad directive")
            if k in _REFUSED:
                raise _Refused(
                    "format directive",
                    "%" + k,
                    f"{_REFUSED[k]}, in format {fmt!r}, is not implemented",
                )
            if k == "%":
                parts.append(_literal("%"))
            else:
                if k in directives:
                    return _Format(fmt, None, (), f"%{k} appears twice")
                directives.append(k)
                if k in _NAMED:
                    names = _names()[k]
                    names = names[1:] if k in "bB" else names
                    if not all(x.isascii() and x for x in names):
                        raise _Refused(
                            "format directive", "%" + k, "the locale's names are not ASCII"
                        )
                    alts = "|".join(
                        "".join(_literal(c) for c in x)
                        for x in sorted(names, key=len, reverse=True)
                    )
                    parts.append(f"(?P<{k}{k}>{alts})" if k.isupper() else f"(?P<{k}>{alts})")
                else:
                    name = f"{k}{k}" if k.isupper() else k  # RE2 groups: case matters, be plain
                    parts.append(f"(?P<{name}>{_FRAGMENTS[k]})")
            i += 2
        elif c in _ASCII_SPACE:
            while i < n and fmt[i] in _ASCII_SPACE:
                i += 1
            parts.append("[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f ]+")
        else:
            parts.append(_literal(c))
            i += 1
    regex = f"(?i)^{''.join(parts)}(?P<rest>(?s:.*))$"
    try:
        pc.extract_regex(pa.array([""], pa.string()), regex)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Refused("format", fmt, "too complex to compile") from None
    return _Format(fmt, regex, tuple(directives))


def _group(k: str) -> str:
    return f"{k}{k}" if k.isupper() else k


def _strptime_fast(s: pa.Array, f: _Format) -> tuple[_Parts, np.ndarray]:
    """ASCII cells read through the format's RE2 expression, as Python's _strptime computes
    them; and the cells this cannot decide (an offset with seconds): Python reads those."""
    n = len(s)
    p = _Parts.empty(n)
    undecided = np.zeros(n, dtype=bool)
    if n == 0 or f.regex is None:
        return p, undecided
    g = pc.extract_regex(s, f.regex)
    sel = np_mask(pc.is_valid(g)) & np_mask(pc.equal(pc.binary_length(g.field("rest")), 0))
    if not sel.any():
        return p, undecided
    p.y[:], p.m[:], p.d[:] = 1900, 1, 1
    names = _names()
    ampm = None
    if "p" in f.directives:
        ampm = np.asarray(
            pc.index_in(pc.utf8_lower(g.field("p")), value_set=pa.array(names["p"]))
            .fill_null(-1)
            .to_numpy(zero_copy_only=False)
        )
    for k in f.directives:
        col = g.field(_group(k))
        if k == "Y":
            p.y = _digits(col)
        elif k == "y":
            v = _digits(col)
            p.y = np.where(v <= 68, v + 2000, v + 1900)
        elif k == "m":
            p.m = _digits(col)
        elif k in "bB":
            p.m = np.asarray(
                pc.index_in(pc.utf8_lower(col), value_set=pa.array(names[k]))
                .fill_null(0)
                .to_numpy(zero_copy_only=False),
                dtype=np.int64,
            )
        elif k == "d":
            p.d = _digits(pc.utf8_trim_whitespace(col))
        elif k == "H":
            p.hh = _digits(col)
        elif k == "I":
            h = _digits(col)
            pm = ampm == 1 if ampm is not None else np.zeros(n, dtype=bool)
            p.hh = np.where(pm, np.where(h != 12, h + 12, h), np.where(h == 12, 0, h))
        elif k == "M":
            p.mi = _digits(col)
        elif k == "S":
            p.ss = _digits(col)
        elif k == "f":
            p.us = _digits(pc.utf8_rpad(pc.fill_null(col, ""), 6, "0"))
        elif k == "z":
            zlen = np.asarray(pc.fill_null(pc.binary_length(col), 0).to_numpy(zero_copy_only=False))
            undecided |= sel & (zlen > 6)
            is_z = np_mask(pc.equal(col, "Z"))
            aware, off, _ = _offset(pc.if_else(pa.array(is_z), pa.scalar("", pa.string()), col))
            p.aware = sel & (aware | is_z)
            p.off = np.where(is_z, 0, off)
    _check_clock(p, sel & ~undecided)
    return p, undecided


def _py_strptime(fmt: str) -> Callable[[str], dt.datetime | None]:
    def read(cell: str) -> dt.datetime | None:
        try:
            return dt.datetime.strptime(cell, fmt)
        except Exception:
            return None

    return read


# -- one column ---------------------------------------------------------------------------------


def _python_rows(
    p: _Parts, s: pa.ChunkedArray, idx: np.ndarray, read: Callable[[str], Any]
) -> None:
    """Rows ``idx`` read with frictionless' own parser (the few cells outside the vectorised
    shapes): each distinct text once, the answers spread back with numpy."""
    if len(idx) == 0:
        return
    cells = take_rows(s, idx)
    distinct = pc.unique(cells)
    q = _Parts.empty(len(distinct))
    for j, cell in enumerate(distinct.to_pylist()):
        v = read(cell) if isinstance(cell, str) else None
        if v is not None:
            q.set_value(j, v)
    where = np.asarray(pc.index_in(cells, value_set=distinct).to_numpy(zero_copy_only=False))
    p.put(idx, q.take(where))


def _parts(t: _Clock, s: pa.ChunkedArray, present: np.ndarray) -> _Parts:
    """The cells of a date, datetime or time column read as frictionless reads them (the
    format was compiled when the type was read)."""
    n = len(present)
    fmt = t.format
    if fmt == "any":
        return _any_parts(t, s, present)
    if t.name == "date" and fmt == "default":
        fmt = "%Y-%m-%d"
    if t.name == "date" and fmt == "%Y-%m-%d":
        shaped, (y, m, d) = date_shape(s)  # YYYY-MM-DD: the bytes decide, no regex
        p = _Parts.empty(n)
        p.y, p.m, p.d = y, m, d
        _check_clock(p, shaped & present)
        rest = np.flatnonzero(present & ~shaped)
        if len(rest):
            sub = take_rows(s, rest)
            q = _column_strptime(pa.chunked_array([sub]), fmt)
            p.put(rest, q)
        return p
    if fmt == "default":
        rx, k, least, read = (
            (_ISO_DATETIME, 16, 19, _py_datetime_default)
            if t.name == "datetime"
            else ("^" + _ISO_TIME, 5, 8, _py_time_default)
        )
        with_date = t.name == "datetime"
        p, shaped = _iso_bytes(s, n, with_date)
        rest = np.flatnonzero(present & ~shaped)
        if len(rest):  # fractions of a second, or not the shape at all
            q, q_shaped = _iso_fast(take_rows(s, rest), rx, with_date)
            p.put(rest, q)
            shaped[rest] = q_shaped
        p.ok &= present
        p.impossible &= present
        other = np.flatnonzero(present & ~shaped)
        if len(other):
            # a shape the fast pass does not know (a week date, 20200105T1000+01:00): ask
            # dateutil, if frictionless' guard lets it (ASCII, long enough, ':' at k)
            sub = pa.chunked_array([take_rows(s, other)])
            length = np.asarray(pc.binary_length(sub).to_numpy(zero_copy_only=False))
            asked = ~_non_ascii(sub) & (length >= least) & (_byte_at(sub, k) == ord(":"))
            _python_rows(p, s, other[asked], read)
        return p
    return _column_strptime(s, fmt, present)


# -- format "any": dateutil's parser --------------------------------------------------------------


def _today() -> dt.datetime:
    """dateutil's default: today at midnight, local time. A part a cell leaves out (the day
    of ``2020-05``, the month and day of ``2020``) is taken from it, so such a value is a
    different date on another day; frictionless reads it so too."""
    return dt.datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)


def _py_any(name: str) -> Callable[[str], Any]:
    """frictionless' reader of format "any": dateutil's ``parse`` (a date: its date, a time:
    its time with its zone), None where it raises."""
    import warnings

    from dateutil.parser import parse

    def read(cell: str) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an unknown zone name: dateutil warns
                v = parse(cell)
            return v.date() if name == "date" else v.timetz() if name == "time" else v
        except Exception:
            return None

    return read


def _any_parts(t: _Clock, s: pa.ChunkedArray, present: np.ndarray) -> _Parts:
    """A column read with format "any" as frictionless reads it (dateutil's ``parse``). The
    ordinary cells are read from their bytes: ``YYYY-MM-DD``, ``YYYY-MM`` and ``YYYY`` with
    a year from 1000, which dateutil reads as that day, that month on today's day (the
    month's last if shorter) and that year on today's month and day, at midnight without a
    zone (a time: midnight); every other cell goes to dateutil itself, once per text."""
    n = len(present)
    p = _Parts.empty(n)
    today = _today()
    shaped = np.zeros(n, dtype=bool)
    for w, (rows, b) in fixed_width_bytes(s, (4, 7, 10)).items():
        if not len(rows):
            continue
        digits = [0, 1, 2, 3] + ([5, 6] if w >= 7 else []) + ([8, 9] if w == 10 else [])
        good = ((b[:, digits] - np.uint8(48)) <= 9).all(axis=1) & (b[:, 0] != 48)
        if w >= 7:
            good &= b[:, 4] == 45
        if w == 10:
            good &= b[:, 7] == 45
        rows, b = rows[good], b[good]
        shaped[rows] = True
        y = _number(b, 0, 4)
        m = _number(b, 5, 2) if w >= 7 else np.full(len(rows), today.month, dtype=np.int64)
        if w == 10:
            d = _number(b, 8, 2)
        else:
            month_ok = (m >= 1) & (m <= 12)
            last = days_in_month(y, np.where(month_ok, m, 1))
            d = np.where(month_ok, np.minimum(today.day, last), 1)
        p.y[rows], p.m[rows], p.d[rows] = y, m, d
    shaped &= present
    _check_clock(p, shaped)
    _python_rows(p, s, np.flatnonzero(present & ~shaped), _py_any(t.name))
    return p


def _column_strptime(s: pa.ChunkedArray, fmt: str, present: np.ndarray | None = None) -> _Parts:
    f = compile_format(fmt)
    n = len(s)
    if present is None:
        present = np.ones(n, dtype=bool)
    if f.regex is None:
        return _Parts.empty(n)
    whole = s.combine_chunks()
    p, undecided = _strptime_fast(whole, f)
    p.ok &= present
    p.impossible &= present
    _python_rows(p, s, np.flatnonzero(present & (_non_ascii(s) | undecided)), _py_strptime(fmt))
    return p


# -- typed values -------------------------------------------------------------------------------


def _days(p: _Parts) -> np.ndarray:
    return days_from_civil(p.y, p.m, p.d)


def _datetime_codes(p: _Parts) -> np.ndarray:
    wall = (_days(p) * 86_400 + p.hh * 3600 + p.mi * 60 + p.ss) * _US + p.us
    return np.where(p.aware, wall - p.off, wall + NAIVE)


def _time_codes(p: _Parts) -> np.ndarray:
    tod = ((p.hh % 24) * 3600 + p.mi * 60 + p.ss) * _US + p.us
    return np.where(p.aware, tod - p.off, tod + NAIVE)


def code_kind(codes: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per value of a datetime or time code column: 1 with a UTC offset, 0 without, -1 null."""
    raw = pc.cast(codes, pa.int64())
    arr = np.asarray(pc.fill_null(raw, -(1 << 63)).to_numpy(zero_copy_only=False))
    return np.where(arr == -(1 << 63), -1, (arr < NAIVE // 2).astype(np.int64))


def check_comparable(
    a: pa.Array | pa.ChunkedArray,
    b: pa.Array | pa.ChunkedArray,
    what: str,
    field: str | None = None,
) -> None:
    """Refuse (UnsupportedFeatureError) to order datetimes with a UTC offset against ones
    without: Python cannot, and frictionless stops with a TypeError."""
    if not (pa.types.is_duration(a.type) and pa.types.is_duration(b.type)):
        return
    ka, kb = code_kind(a), code_kind(b)
    mixed = (ka >= 0) & (kb >= 0) & (ka != kb)
    if mixed.any():
        raise UnsupportedFeatureError(
            what,
            field=field,
            why=f"data row {int(np.flatnonzero(mixed)[0]) + 1} compares a value with "
            "a UTC offset and one without, which Python (and frictionless) cannot order",
        )


_YM_LIMIT = 10**15


def _month_code(y: int, m: int) -> int:
    if abs(y) >= _YM_LIMIT:
        raise RefusedCellsError(
            "yearmonth year", y, f"years of {_YM_LIMIT:,} and beyond are not read"
        )
    return y * 12 + (m - 1)


def _py_year(cell: Any) -> int | None:
    """frictionless' year reader."""
    if not isinstance(cell, int):
        if not isinstance(cell, str) or len(cell) != 4:
            return None
        try:
            cell = int(cell)
        except Exception:
            return None
    return cell if 0 <= cell <= 9999 else None


def _py_yearmonth(cell: Any) -> tuple[int, int] | None:
    """frictionless' yearmonth reader (a string; a two-item list as a bound)."""
    if isinstance(cell, (tuple, list)):
        if len(cell) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in cell):
            return None
        return int(cell[0]), int(cell[1])
    if not isinstance(cell, str):
        return None
    try:
        year, month = cell.split("-")
        y, m = int(year), int(month)
    except Exception:
        return None
    return (y, m) if 1 <= m <= 12 else None


_CODE_TYPES = {"date": pa.date32(), "datetime": _CODE, "time": _CODE}
_WHAT = {"date": "a date", "datetime": "a datetime", "time": "a time"}
_DEFAULT_WHAT = {
    "date": "a date in the form YYYY-MM-DD",
    "datetime": "a datetime in the form YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]",
    "time": "a time in the form hh:mm:ss[.f][Z|±hh:mm]",
}
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
class _Temporal(ValueType):
    """What the temporal types share: the bounds, and ``fmt:`` dropped from a format (Table
    Schema v1's deprecated prefix, as frictionless does)."""

    constraints: ClassVar[tuple[str, ...]] = _BOUNDED

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        return fmt.replace("fmt:", "") if fmt.startswith("fmt:") else fmt


@dataclass(frozen=True)
class _Clock(_Temporal):
    """date, datetime and time: ``strptime`` formats (or dateutil's isoparse by default)."""

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        """A format this reader implements: ``default``, or ``strptime`` directives it reads
        exactly (``any`` and the others are refused)."""
        fmt = super().read_format(fmt, at)
        if fmt not in ("default", "any"):
            try:
                compile_format(fmt)
            except _Refused as exc:
                raise exc.error(at) from None
        return fmt

    @property
    def what(self) -> str:
        if self.format in ("default", "", None):
            return _DEFAULT_WHAT[self.name]
        if self.format == "any":
            return f"{_WHAT[self.name]} (format any: what dateutil's parser reads)"
        return f"{_WHAT[self.name]} in the format {self.format}"

    def _code(self, p: _Parts) -> np.ndarray:
        raise NotImplementedError

    def value(self, v: Any) -> Any:
        """A descriptor value read by the column reader (so in the field's format): its
        typed code, or None."""
        if not isinstance(v, str):
            return None
        p = _parts(self, pa.chunked_array([pa.array([v], pa.string())]), np.ones(1, dtype=bool))
        return int(self._code(p)[0]) if p.ok[0] else None

    def scalar_type(self) -> pa.DataType:
        return _CODE_TYPES[self.name]


@dataclass(frozen=True)
class DateType(_Clock):
    """``date``: ``strptime`` (``%Y-%m-%d`` by default; ``any``: dateutil's parser), as
    date32 days."""

    name: ClassVar[str] = "date"

    def _code(self, p: _Parts) -> np.ndarray:
        return _days(p)

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        p = _parts(self, s, present)
        typed = pa.array(_days(p).astype(np.int32), pa.date32(), mask=~p.ok)
        return Read(
            p.ok, typed, self.what, impossible=np.flatnonzero(p.impossible), ymd=(p.y, p.m, p.d)
        )

    def read_typed(self, arr: pa.Array) -> Read | None:
        """Dates, and timestamps at midnight (their UTC wall date; another time of day is
        not a date)."""
        t = arr.type
        if pa.types.is_date(t):
            typed = pc.cast(arr, pa.date32())
            ok = np_mask(pc.is_valid(typed))
        elif pa.types.is_timestamp(t):
            wall = pc.cast(arr, pa.timestamp(t.unit))  # a zone's instant as its UTC wall time
            days = pc.cast(pc.floor_temporal(wall, unit="day"), pa.date32())
            ok = np_mask(pc.equal(pc.floor_temporal(wall, unit="day"), wall))
            typed = pc.if_else(pa.array(ok), days, pa.scalar(None, pa.date32()))
        else:
            return None
        return Read(ok, typed, self.what)

    def write(self, arr: pa.Array) -> pa.Array:
        return iso_text(arr)

    def arrow_type(self) -> pa.DataType:
        return pa.date32()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.ArrowDtype(pa.date32())


@dataclass(frozen=True)
class DatetimeType(_Clock):
    """``datetime``: isoparse (default) or ``strptime``, as microsecond codes (see
    :func:`code_kind`): UTC instants for values with an offset, wall times without."""

    name: ClassVar[str] = "datetime"

    def _code(self, p: _Parts) -> np.ndarray:
        return _datetime_codes(p)

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        p = _parts(self, s, present)
        typed = pa.array(_datetime_codes(p), _CODE, mask=~p.ok)
        return Read(
            p.ok, typed, self.what, impossible=np.flatnonzero(p.impossible), ymd=(p.y, p.m, p.d)
        )

    def read_typed(self, arr: pa.Array) -> Read | None:
        """Timestamps: with a time zone, UTC instants; without, wall times (as a cell
        without an offset reads)."""
        t = arr.type
        if not pa.types.is_timestamp(t):
            return None
        us = pc.cast(pc.cast(arr, pa.timestamp("us", tz=t.tz)), pa.int64())
        ok = np_mask(pc.is_valid(us))
        wall = np.asarray(pc.fill_null(us, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
        codes = wall + NAIVE if t.tz is None else wall
        return Read(ok, pa.array(codes, _CODE, mask=~ok), self.what)

    def write(self, arr: pa.Array) -> pa.Array:
        return iso_text(arr)

    def store(self, r: Read, present: np.ndarray) -> pa.Array:
        """UTC instants in whole seconds (a datetime without a UTC offset names no instant:
        refused)."""
        codes = _codes(r)
        naive = present & (codes >= NAIVE // 2)
        if naive.any():
            raise BuildError(
                f"{int(naive.sum())} datetime(s) have no UTC offset (Z or ±hh:mm), "
                "so name no instant; the release stores UTC instants"
            )
        if (codes[present] % 1_000_000).any():
            raise BuildError(
                "datetimes with fractions of a second: the release stores whole seconds"
            )
        return pa.array(codes // 1_000_000, pa.timestamp("s", tz="UTC"), mask=~present)

    def arrow_type(self) -> pa.DataType:
        return pa.timestamp("s", tz="UTC")

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.DatetimeTZDtype(unit="s", tz="UTC")


@dataclass(frozen=True)
class TimeType(_Clock):
    """``time``: isoparse (default) or ``strptime``, as microsecond codes of the day."""

    name: ClassVar[str] = "time"

    def _code(self, p: _Parts) -> np.ndarray:
        return _time_codes(p)

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        p = _parts(self, s, present)
        seconds = p.ok & (p.off % (60 * _US) != 0)
        if seconds.any():  # Python orders such times by whole minutes of offset: not mirrored
            first = int(np.flatnonzero(seconds)[0]) + 1
            raise RefusedCellsError("time with a UTC offset in seconds", None, f"data row {first}")
        typed = pa.array(_time_codes(p), _CODE, mask=~p.ok)
        return Read(p.ok, typed, self.what, impossible=np.flatnonzero(p.impossible))

    def read_typed(self, arr: pa.Array) -> Read | None:
        t = arr.type
        if not pa.types.is_time(t):
            return None
        us = pc.cast(pc.cast(arr, pa.time64("us")), pa.int64())
        ok = np_mask(pc.is_valid(us))
        codes = np.asarray(pc.fill_null(us, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
        return Read(ok, pa.array(codes + NAIVE, _CODE, mask=~ok), self.what)

    def store(self, r: Read, present: np.ndarray) -> pa.Array:
        """Times without an offset as time64 (with one: refused, it has no place there)."""
        codes = _codes(r)
        if (present & (codes < NAIVE // 2)).any():
            raise BuildError(
                "times with a UTC offset cannot be stored as time64 without losing the offset"
            )
        return pa.array(codes - NAIVE, pa.time64("us"), mask=~present)

    def arrow_type(self) -> pa.DataType:
        return pa.time64("us")

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.ArrowDtype(pa.time64("us"))


@dataclass(frozen=True)
class YearType(_Temporal):
    """``year``: four characters read by ``int()``, 0 to 9999 (the format is not read)."""

    name: ClassVar[str] = "year"

    @property
    def what(self) -> str:
        return "a year (four digits)"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        fast = present & np_mask(pc.match_substring_regex(s, "^[0-9]{4}$"))
        val = np.zeros(len(present), dtype=np.int64)
        if fast.any():
            val[fast] = _digits(take_rows(s, np.flatnonzero(fast)))
        ok = fast.copy()
        rest = np.flatnonzero(present & ~fast)
        if len(rest):
            length = np.asarray(pc.utf8_length(take_rows(s, rest)).to_numpy(zero_copy_only=False))
            rest = rest[length == 4]
            for i, cell in zip(rest.tolist(), take_rows(s, rest).to_pylist(), strict=True):
                v = _py_year(cell)
                if v is not None:
                    ok[i], val[i] = True, v
        return Read(ok, pa.array(val, pa.int64(), mask=~ok), self.what)

    def value(self, v: Any) -> Any:
        return _py_year(v)

    def scalar_type(self) -> pa.DataType:
        return pa.int64()

    def read_typed(self, arr: pa.Array) -> Read | None:
        if not pa.types.is_integer(arr.type):
            return None
        typed = pc.cast(arr, pa.int64())
        ok = np_mask(pc.and_(pc.greater_equal(typed, 0), pc.less_equal(typed, 9999)))
        return Read(ok, pc.if_else(pa.array(ok), typed, pa.scalar(None, pa.int64())), self.what)

    def arrow_type(self) -> pa.DataType:
        return pa.int64()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.Int64Dtype()


@dataclass(frozen=True)
class YearmonthType(_Temporal):
    """``yearmonth``: ``YYYY-MM`` read by ``int()`` on both parts, as months since year 0
    (a two-item list as a descriptor value)."""

    name: ClassVar[str] = "yearmonth"

    @property
    def what(self) -> str:
        return "a year and month in the form YYYY-MM"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        whole = s.combine_chunks()
        g = pc.extract_regex(whole, r"^(?P<y>[0-9]{1,15})-(?P<m>[0-9]{1,15})$")
        fast = present & np_mask(pc.is_valid(g))
        y, m = _digits(g.field("y")), _digits(g.field("m"))
        ok = fast & (m >= 1) & (m <= 12)
        code = np.where(ok, y * 12 + (m - 1), 0)
        rest = np.flatnonzero(
            present & ~fast & np_mask(pc.equal(pc.count_substring(whole, "-"), 1))
        )
        for i, cell in zip(rest.tolist(), take_rows(s, rest).to_pylist(), strict=True):
            v = _py_yearmonth(cell)
            if v is not None:
                ok[i], code[i] = True, _month_code(*v)
        return Read(ok, pa.array(code, pa.int64(), mask=~ok), self.what)

    def value(self, v: Any) -> Any:
        got = _py_yearmonth(v)
        return None if got is None else _month_code(*got)

    def scalar_type(self) -> pa.DataType:
        return pa.int64()

    def store(self, r: Read, present: np.ndarray) -> pa.Array:
        """As ``YYYY-MM`` text."""
        codes = _codes(r)
        y = pa.array(codes // 12).cast(pa.string())
        m = pa.array(codes % 12 + 1).cast(pa.string())
        text = pc.binary_join_element_wise(pc.utf8_lpad(y, 4, "0"), pc.utf8_lpad(m, 2, "0"), "-")
        return pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.StringDtype("pyarrow")


def _codes(r: Read) -> np.ndarray:
    """A column read's typed values as int64 codes (0 where null)."""
    assert r.typed is not None
    return np.asarray(pc.cast(r.typed, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))


def iso_text(arr: pa.Array) -> pa.Array:
    """Dates and timestamps as ISO text, vectorised (an instant in UTC, ending in Z; a
    timestamp without a zone, without one). Arrow's casts, not its strftime: that looks up
    the time zone per value."""
    t = arr.type
    if pa.types.is_timestamp(t):
        wall = arr.cast(pa.timestamp(t.unit)) if t.tz is not None else arr  # UTC wall time
        text = pc.replace_substring(pc.cast(wall, pa.string()), " ", "T")
        return text if t.tz is None else pc.binary_join_element_wise(text, "Z", "")
    return pc.cast(arr, pa.string())


# -- duration -----------------------------------------------------------------------------------

#: ISO 8601 durations of whole days, hours, minutes and seconds (at most six digits each):
#: isodate reads them as that timedelta; any other cell goes to isodate itself
_DURATION_FAST = (
    r"^P(?:(?P<d>[0-9]{1,6})D)?(?:T(?:(?P<h>[0-9]{1,6})H)?(?:(?P<mi>[0-9]{1,6})M)?"
    r"(?:(?P<s>[0-9]{1,6})S)?)?$"
)


def exact_decimal(d: Decimal) -> str:
    """A finite Decimal as one text per number (``1.50`` and ``1.5``, ``1E+2`` and ``100``
    alike): its digits without trailing zeros and its power of ten."""
    if d.is_zero():
        return "0"
    sign, digits, exp = d.as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    exp = int(exp) + len(digits) - len(text)
    return f"{'-' if sign else ''}{text}e{exp}"


def _duration_key(v: Any) -> str | None:
    """A duration as frictionless compares it as a key (by hash): a timedelta by its
    microseconds (``T``), an isodate Duration by its years, months and timedelta (``D``)."""
    if isinstance(v, dt.timedelta):
        return f"T{v // dt.timedelta(microseconds=1)}"
    years, months, tdelta = getattr(v, "years", None), getattr(v, "months", None), v.tdelta
    if not isinstance(years, Decimal) or not isinstance(months, Decimal):
        return None
    if not (years.is_finite() and months.is_finite()):
        return None
    us = tdelta // dt.timedelta(microseconds=1)
    return f"D{exact_decimal(years)}|{exact_decimal(months)}|{us}"


#: isodate's ISO8601_PERIOD_REGEX (the reader frictionless calls), as it is
_ISO_PERIOD = re.compile(
    r"^(?P<sign>[+-])?"
    r"P(?!\b)"
    r"(?P<years>[0-9]+([,.][0-9]+)?Y)?"
    r"(?P<months>[0-9]+([,.][0-9]+)?M)?"
    r"(?P<weeks>[0-9]+([,.][0-9]+)?W)?"
    r"(?P<days>[0-9]+([,.][0-9]+)?D)?"
    r"((?P<separator>T)(?P<hours>[0-9]+([,.][0-9]+)?H)?"
    r"(?P<minutes>[0-9]+([,.][0-9]+)?M)?"
    r"(?P<seconds>[0-9]+([,.][0-9]+)?S)?)?$"
)


def _period_key(m: re.Match[str]) -> str | None:
    """isodate's ``parse_duration`` of a cell its period regex matched, as a key: years and
    months as Decimals, the rest floats given to ``timedelta``; a Duration when there are
    years or months, else a timedelta; negated with a leading '-'."""
    g = m.groupdict()
    num = {
        k: (g[k] or "0n")[:-1].replace(",", ".")
        for k in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
    }
    years, months = Decimal(num["years"]), Decimal(num["months"])
    tdelta = dt.timedelta(
        days=float(num["days"]),
        hours=float(num["hours"]),
        minutes=float(num["minutes"]),
        seconds=float(num["seconds"]),
        weeks=float(num["weeks"]),
    )
    negative = g["sign"] == "-"
    if years == 0 and months == 0:
        return _duration_key(dt.timedelta(0) - tdelta if negative else tdelta)
    if negative:
        years, months, tdelta = 0 - years, 0 - months, dt.timedelta(0) - tdelta
    us = tdelta // dt.timedelta(microseconds=1)
    return f"D{exact_decimal(years)}|{exact_decimal(months)}|{us}"


def _py_duration(cell: Any) -> str | None:
    """frictionless' duration reader (isodate's ``parse_duration``), as a key, or None. The
    alternative form (``P0001-02-03T04:05:06``) is read by isodate itself when it is
    installed (it comes with frictionless), else refused."""
    if not isinstance(cell, str):
        return None
    m = _ISO_PERIOD.match(cell)
    try:
        if m is not None:
            return _period_key(m)
    except (OverflowError, ValueError, ArithmeticError):
        return None
    if not cell.startswith("P"):
        return None
    try:
        import isodate
    except ImportError:
        raise RefusedCellsError(
            "duration", cell, "the alternative form PYYYY-MM-DDThh:mm:ss needs isodate"
        ) from None
    try:
        return _duration_key(isodate.parse_duration(cell))
    except Exception:
        return None


@dataclass(frozen=True)
class DurationType(ValueType):
    """``duration``: an ISO 8601 duration as isodate reads it (frictionless 5's reader): a
    timedelta, or with years or months an isodate Duration. Compared as frictionless
    compares them: keys by hash (``P1Y`` and ``P12M`` are two keys), an enum by ``==``
    (``P1Y`` is ``P12M`` there). Stored as the cell's text."""

    name: ClassVar[str] = "duration"
    constraints: ClassVar[tuple[str, ...]] = ("required", "unique", "enum")
    checks_example: ClassVar[bool] = True
    stores_text: ClassVar[bool] = True

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        return fmt  # frictionless reads no format for a duration

    @property
    def what(self) -> str:
        return "an ISO 8601 duration (PnYnMnDTnHnMnS)"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        whole = s.combine_chunks()
        g = pc.extract_regex(whole, _DURATION_FAST)
        fast = present & np_mask(pc.is_valid(g)) & np_mask(pc.greater(pc.binary_length(whole), 1))
        keys = np.full(len(present), None, dtype=object)
        if fast.any():
            total = sum(
                _digits(g.field(k)) * mult
                for k, mult in (("d", 86_400), ("h", 3600), ("mi", 60), ("s", 1))
            )
            text = pc.cast(pa.array(total * _US), pa.string())
            key = pc.binary_join_element_wise(pa.scalar("T"), text, "")
            keys[fast] = np.asarray(key.to_numpy(zero_copy_only=False), dtype=object)[fast]
        rest = np.flatnonzero(present & ~fast)
        if len(rest):
            cells = take_rows(s, rest)
            distinct = pc.unique(cells)
            got = [_py_duration(c) for c in distinct.to_pylist()]
            where = np.asarray(
                pc.index_in(cells, value_set=distinct).to_numpy(zero_copy_only=False)
            )
            keys[rest] = np.asarray(got, dtype=object)[where]
        typed = pa.array(keys.tolist(), pa.string())
        ok = np_mask(pc.is_valid(typed))
        return Read(ok, typed, self.what)

    def value(self, v: Any) -> Any:
        """An enum item: its text read as a duration (a key; None: not a duration)."""
        return _py_duration(v)

    def scalar_type(self) -> pa.DataType:
        return pa.string()

    def enum_form(self, typed: pa.Array) -> pa.Array:
        """A Duration compared with ``==``: its years and months as one number of months
        (frictionless' enum check finds ``P1Y`` in ``["P12M"]``); a timedelta as its key."""
        if isinstance(typed, pa.ChunkedArray):
            typed = typed.combine_chunks()
        has = np_mask(pc.starts_with(pc.fill_null(typed, ""), "D"))
        if not has.any():
            return typed
        out = np.asarray(typed.to_pylist(), dtype=object)
        for i in np.flatnonzero(has).tolist():
            years, months, us = out[i][1:].split("|")
            total = Decimal(years) * 12 + Decimal(months)
            out[i] = f"E{exact_decimal(total)}|{us}"
        return pa.array(out.tolist(), pa.string())

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.StringDtype("pyarrow")
