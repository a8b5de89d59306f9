"""Vectorised checks of one table's columns: field constraints (layer 2), rowChecks (layer 3)
and text lints (layer 5).

Every check is a pyarrow/numpy operation over a whole column that yields a boolean mask;
Python touches only the failing rows, and only up to the per-rule finding limit.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .findings import Finding, make_finding
from .ids import MAX_DIGITS, IdInts, id_pattern, parse_ids
from .nfc import non_nfc_candidates
from .readcsv import find_all
from .schema import Field, OrderedRule, TableSchema, TogetherRule, WhenRule

__all__ = ["TableData", "Collector", "check_fields", "check_rows", "check_lints", "np_mask"]

_INTEGER_RE = r"^-?[0-9]{1,18}$"
_NUMBER_RE = r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_NULL_STR = pa.scalar(None, pa.string())
_END = 2**31 - 1
_FORMULA_STARTS = pa.array(["=", "+", "-", "@"])
_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
#: by byte value: can a cell starting (ending) with it start (end) with whitespace, or be
#: formula-like? First / last UTF-8 bytes of every whitespace character, and = + - @.
_EDGE_FIRST = np.zeros(256, dtype=bool)
_EDGE_FIRST[[c.encode()[0] for c in _SPACES + list("=+-@")]] = True
_EDGE_LAST = np.zeros(256, dtype=bool)
_EDGE_LAST[[c.encode()[-1] for c in _SPACES]] = True
#: by code point (below U+3001): whitespace; whitespace or = + - @
_IS_SPACE = np.zeros(0x3001, dtype=bool)
_IS_SPACE[[ord(c) for c in _SPACES]] = True
_SPACE_OR_FORMULA = _IS_SPACE.copy()
_SPACE_OR_FORMULA[[ord(c) for c in "=+-@"]] = True
#: Characters that display as nothing or reorder text: bidirectional controls, zero-width
#: characters, the word joiner and U+FEFF (a BOM inside text).
INVISIBLE = ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
             "\u200b\u200c\u200d\u2060\ufeff")
_LEADING_JUNK = "".join(_SPACES) + INVISIBLE
_PLAIN_NUMBER_RE = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def np_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean result as a numpy bool array, null counted as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return dim[np.clip(m, 0, 12)] + ((m == 2) & leap)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@dataclass
class TableData:
    """One table as read for validation: raw string columns by field name, plus derived."""

    schema: TableSchema
    path: str
    n: int = 0
    readable: bool = False
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    raw: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    colno: dict[str, int] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    typed: dict[str, pa.Array] = field(default_factory=dict)
    ymd: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    keys: pa.ChunkedArray | pa.Array | None = None
    #: foreign key -> index of each row's referenced row (null: empty or not found)
    fk_index: dict[Any, pa.Array | pa.ChunkedArray] = field(default_factory=dict)
    #: (field, prefix) -> the column read as prefix + digits (see :func:`id_ints`)
    ids: dict[tuple[str, bytes], IdInts] = field(default_factory=dict)
    #: field -> full-match mask of its pattern (every row), for foreign keys pointing here
    pattern_ok: dict[str, np.ndarray] = field(default_factory=dict)
    #: fields whose pattern check waits for the foreign-key lookups (see defer_pattern)
    deferred_patterns: list[str] = field(default_factory=list)

    def id_ints(self, name: str, prefix: bytes) -> IdInts:
        """The column ``name`` parsed as ``prefix`` + ASCII digits (cached)."""
        got = self.ids.get((name, prefix))
        if got is None:
            got = parse_ids(self.raw[name], prefix)
            self.ids[(name, prefix)] = got
        return got

    def value(self, name: str) -> pa.Array | pa.ChunkedArray:
        """Typed values of a field, invalid and empty cells null (text fields built here)."""
        got = self.typed.get(name)
        if got is None:
            s = self.raw[name].combine_chunks()
            present = self.is_present(name)
            got = s if present.all() else pc.if_else(pa.array(present), s, _NULL_STR)
            self.typed[name] = got
        return got

    @property
    def name(self) -> str:
        return self.schema.name

    def is_present(self, name: str) -> np.ndarray:
        """Non-empty cells of a field (cached)."""
        got = self.present.get(name)
        if got is None:
            s = self.raw[name]
            missing = self.schema.missing_values
            if missing == ("",):
                got = np_mask(pc.not_equal(pc.binary_length(s), 0))
            else:
                got = ~np_mask(pc.is_in(s, value_set=pa.array(list(missing), pa.string())))
            self.present[name] = got
        return got


def take_rows(s: pa.ChunkedArray | pa.Array, idx: np.ndarray) -> pa.Array:
    """``s.take(idx)`` for a few sorted row indices without concatenating every chunk first
    (Arrow's chunked take does): each chunk takes only its own rows."""
    if not isinstance(s, pa.ChunkedArray):
        return s.take(pa.array(np.asarray(idx, dtype=np.int64)))
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) == 0 or s.num_chunks == 0:
        return pa.array([], s.type) if len(idx) == 0 else s.take(pa.array(idx))
    if len(idx) > 1 and not (idx[1:] >= idx[:-1]).all():
        return s.take(pa.array(idx))
    lens = np.fromiter((len(c) for c in s.chunks), dtype=np.int64, count=s.num_chunks)
    starts = np.concatenate(([0], np.cumsum(lens)))
    which = np.searchsorted(starts, idx, side="right") - 1
    cut = np.flatnonzero(np.diff(which)) + 1
    parts = [s.chunk(int(which[a])).take(pa.array(idx[a:b] - starts[which[a]]))
             for a, b in zip(np.concatenate(([0], cut)).tolist(),
                             np.concatenate((cut, [len(idx)])).tolist())]
    return pa.concat_arrays(parts) if len(parts) > 1 else parts[0]


def _q(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…'"


class Collector:
    """Gathers findings, keeping at most ``limit`` per (table, code, field)."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.findings: list[Finding] = []
        self.counts: Counter[tuple[Any, ...]] = Counter()
        self.suppressed: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _room(self, code: str, table: str | None, fld: str | None, n: int) -> int:
        with self._lock:  # tables are checked in threads
            k = (table, code, fld)
            room = max(0, self.limit - self.counts[k])
            self.counts[k] += n
            if n > room:
                self.suppressed[code] += n - room
            return min(n, room)

    def one(self, code: str, *, table: str | None, path: str | None, line: int | None,
            message: str, **kw: Any) -> None:
        if self._room(code, table, kw.get("field"), 1):
            self.findings.append(
                make_finding(code, table=table, path=path, line=line, message=message, **kw)
            )

    def rows(
        self,
        code: str,
        td: TableData,
        idx: np.ndarray,
        fld: str | None,
        message: Callable[[str | None, dict[str, Any]], str],
        *,
        extra: dict[str, pa.ChunkedArray | pa.Array | dict[int, Any]] | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        """One finding per row index in ``idx`` (located by td.lines), message built per row."""
        if len(idx) == 0:
            return
        room = self._room(code, td.name, fld, len(idx))
        if room == 0:
            return
        idx = np.asarray(idx[:room], dtype=np.int64)
        values = take_rows(td.raw[fld], idx).to_pylist() if fld in td.raw else [None] * len(idx)
        keys = take_rows(td.keys, idx).to_pylist() if td.keys is not None else [None] * len(idx)
        ex: dict[str, list[Any]] = {}
        for name, arr in (extra or {}).items():
            ex[name] = (
                [arr.get(int(i)) for i in idx] if isinstance(arr, dict)
                else take_rows(arr, idx).to_pylist()
            )
        col = column if column is not None else td.colno.get(fld) if fld else None
        lines = td.lines[idx]
        for j in range(len(idx)):
            xj = {k: v[j] for k, v in ex.items()}
            self.findings.append(
                make_finding(
                    code,
                    table=td.name,
                    path=td.path,
                    line=int(lines[j]),
                    column=col,
                    field=fld,
                    key=keys[j] or None,
                    value=values[j],
                    message=message(values[j], xj),
                    hint=hint,
                )
            )


# -- layer 2 ---------------------------------------------------------------------------------


def _regex_mask(s: pa.ChunkedArray | pa.Array, pattern: str) -> np.ndarray:
    """Full-match mask of a Table Schema pattern, by RE2 (linear time; schema.py refuses
    patterns RE2 cannot compile)."""
    return np_mask(pc.match_substring_regex(s, f"^(?:{pattern})$"))


def defer_pattern(td: TableData, f: Field) -> bool:
    """A non-ID pattern on a single-field foreign key is checked after the key lookups
    (relations.check_deferred_patterns): cells equal to a referenced key that was checked
    against the same pattern share its answer, so only the other cells need the regex."""
    return id_pattern(f.pattern) is None and any(
        fk.fields == (f.name,) for fk in td.schema.foreign_keys)


def report_pattern(td: TableData, f: Field, ok: np.ndarray, out: Collector) -> None:
    """E205 for every non-empty cell of ``f`` that ``ok`` (the full-match mask) rejects."""
    pat = f.pattern
    out.rows("E205", td, np.flatnonzero(td.is_present(f.name) & ~ok), f.name,
             lambda v, x: f"value {_q(v)} does not match the pattern {pat}")


def _pattern_mask(td: TableData, f: Field, s: pa.ChunkedArray) -> np.ndarray:
    """Full-match mask of the field's pattern; an ID pattern ``^P[0-9]{K,}$`` is read from
    the parsed IDs (which foreign-key lookups reuse) instead of running a regex."""
    assert f.pattern is not None
    idp = id_pattern(f.pattern)
    if idp is None:
        return _regex_mask(s, f.pattern)
    ids = td.id_ints(f.name, idp[0])
    ok = ids.ok & (ids.nd >= idp[1])
    if len(ids.long):
        ok[ids.long] = _regex_mask(take_rows(s, ids.long), f.pattern)
    return ok


def _typed(td: TableData, f: Field, s: pa.ChunkedArray, present: np.ndarray,
           out: Collector) -> None:
    """Type-check one column (E202/E203) and store its typed values, invalid ones as null."""
    kind = f.type
    if kind == "string":
        return  # compared as text only by rowChecks, built on demand by TableData.value()
    if kind == "integer":
        ok = np_mask(pc.match_substring_regex(s, _INTEGER_RE))
        valid = present & ok
        td.typed[f.name] = pa.array(_cast_valid(s, valid, pa.int64()), pa.int64(), mask=~valid)
        what = "an integer (digits with an optional leading '-')"
    elif kind == "number":
        ok = np_mask(pc.match_substring_regex(s, _NUMBER_RE))
        valid = present & ok
        td.typed[f.name] = pa.array(_cast_valid(s, valid, pa.float64()), pa.float64(),
                                    mask=~valid)
        what = "a number"
    elif kind == "boolean":
        tv, fv = list(f.true_values), list(f.false_values)
        is_t = np_mask(pc.is_in(s, value_set=pa.array(tv, pa.string())))
        is_f = np_mask(pc.is_in(s, value_set=pa.array(fv, pa.string())))
        valid = present & (is_t | is_f)
        td.typed[f.name] = pa.array(is_t, pa.bool_(), mask=~valid)
        what = f"a boolean ({'/'.join(tv)} or {'/'.join(fv)})"
    elif kind in ("date", "datetime"):
        if kind == "date":  # the shape YYYY-MM-DD and its numbers in one numpy pass
            shaped, (y, m, d) = _date_shape(s)
            ok = present & shaped
        else:
            ok = present & np_mask(pc.match_substring_regex(s, _DATETIME_RE))
            y, m, d = _ymd(s, ok)
        real = (m >= 1) & (m <= 12) & (d >= 1) & (d <= _days_in_month(y, m))
        impossible = np.flatnonzero(ok & ~real)
        out.rows("E203", td, impossible, f.name,
                 lambda v, x: f"{_q(v)} is not a calendar date")
        valid = ok & real
        days = _days_from_civil(y, m, d)
        td.ymd[f.name] = (y, m, d)
        if kind == "date":
            td.typed[f.name] = pa.array(days.astype(np.int32), pa.date32(), mask=~valid)
            what = "a date in the form YYYY-MM-DD"
        else:
            td.typed[f.name] = pc.if_else(pa.array(valid), s.combine_chunks(), _NULL_STR)
            what = "a datetime in the form YYYY-MM-DDThh:mm:ss[Z|+hh:mm]"
        bad = np.flatnonzero(present & ~ok)
        out.rows("E202", td, bad, f.name, lambda v, x: f"{_q(v)} is not {what}")
        return
    else:  # pragma: no cover - schema.py rejects other types
        return
    bad = np.flatnonzero(present & ~valid)
    out.rows("E202", td, bad, f.name, lambda v, x: f"{_q(v)} is not {what}")


def _cast_valid(s: pa.ChunkedArray, valid: np.ndarray, to: pa.DataType) -> np.ndarray:
    """The valid cells cast to ``to`` as a numpy array (0 elsewhere), casting only those."""
    if valid.all():
        return np.asarray(pc.cast(s, to).to_numpy(zero_copy_only=False))
    res = np.zeros(len(valid), dtype=to.to_pandas_dtype())
    if valid.any():
        res[valid] = pc.cast(s.filter(pa.array(valid)), to).to_numpy(zero_copy_only=False)
    return res


def _date_shape(s: pa.ChunkedArray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Which cells are exactly ``[0-9]{4}-[0-9]{2}-[0-9]{2}`` (the _DATE_RE match), and their
    year, month, day (0 elsewhere): read from the Arrow string bytes with numpy."""
    oks: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    dash = np.array([4, 7])
    digit = np.array([0, 1, 2, 3, 5, 6, 8, 9])
    for chunk in s.chunks:
        n = len(chunk)
        ok = np.zeros(n, dtype=bool)
        ymd = np.zeros((3, n), dtype=np.int64)
        _, offsets, values = chunk.buffers()
        if n and values is not None and len(values):
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(values, dtype=np.uint8)
            rows = np.flatnonzero((off[1:] - off[:-1]) == 10)
            b = data[off[rows].astype(np.int64)[:, None] + np.arange(10)]
            dg = b[:, digit] - np.uint8(48)
            good = (dg <= 9).all(axis=1) & (b[:, dash] == 45).all(axis=1)
            rows, dg = rows[good], dg[good].astype(np.int64)
            ok[rows] = True
            ymd[0, rows] = dg[:, 0] * 1000 + dg[:, 1] * 100 + dg[:, 2] * 10 + dg[:, 3]
            ymd[1, rows] = dg[:, 4] * 10 + dg[:, 5]
            ymd[2, rows] = dg[:, 6] * 10 + dg[:, 7]
        oks.append(ok)
        parts.append(ymd)
    if not parts:
        return np.zeros(0, dtype=bool), tuple(np.zeros((3, 0), dtype=np.int64))
    r = np.concatenate(parts, axis=1)
    return np.concatenate(oks), (r[0], r[1], r[2])


def _ymd(s: pa.ChunkedArray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of cells that start with YYYY-MM-DD (``ok``), read straight from the
    Arrow string bytes with numpy gathers (other rows give 0)."""
    pos = 0
    parts: list[np.ndarray] = []
    for chunk in s.chunks:
        n = len(chunk)
        okc = ok[pos:pos + n]
        pos += n
        res = np.zeros((10, n), dtype=np.int64)
        if okc.any():
            _, offsets, values = chunk.buffers()
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset:chunk.offset + n]
            data = np.frombuffer(values, dtype=np.uint8)
            start = np.where(okc, off, 0).astype(np.int64)
            for k in (0, 1, 2, 3, 5, 6, 8, 9):
                res[k] = data[start + k].astype(np.int64) - 48
            res[:, ~okc] = 0
        parts.append(res)
    r = np.concatenate(parts, axis=1) if parts else np.zeros((10, 0), dtype=np.int64)
    return (r[0] * 1000 + r[1] * 100 + r[2] * 10 + r[3], r[5] * 10 + r[6], r[8] * 10 + r[9])


def _bound(f: Field, value: Any) -> Any:
    """A constraint bound as a pyarrow scalar of the field's typed values."""
    if f.type == "date":
        y, m, d = (int(p) for p in str(value).split("-"))
        days = int(_days_from_civil(np.array([y]), np.array([m]), np.array([d]))[0])
        return pa.scalar(days, pa.date32())
    if f.type == "integer":
        return pa.scalar(int(value), pa.int64())
    if f.type == "number":
        return pa.scalar(float(value), pa.float64())
    return pa.scalar(str(value), pa.string())


def _duplicates(values: pa.ChunkedArray | pa.Array, consider: np.ndarray
                ) -> tuple[np.ndarray, list[int]]:
    """Row indices repeating an earlier row's value, and that earlier row's index."""
    if len(pc.unique(values)) == len(values):  # the common case, and cheaper to prove
        return np.zeros(0, dtype=np.int64), []
    vc = pc.value_counts(values)
    repeated = vc.field("values").filter(pc.greater(vc.field("counts"), 1))
    if len(repeated) == 0:
        return np.zeros(0, dtype=np.int64), []
    hit = np.flatnonzero(np_mask(pc.is_in(values, value_set=repeated)) & consider)
    first: dict[Any, int] = {}
    dup: list[int] = []
    firsts: list[int] = []
    for i, v in zip(hit.tolist(), values.take(pa.array(hit)).to_pylist()):
        if v in first:
            dup.append(i)
            firsts.append(first[v])
        else:
            first[v] = i
    return np.asarray(dup, dtype=np.int64), firsts


def check_fields(td: TableData, out: Collector) -> None:
    """Layer 2: type, required, enum, pattern, bounds, lengths, unique and primary key."""
    schema = td.schema
    pk = set(schema.primary_key)
    for f in schema.fields:
        s = td.raw.get(f.name)
        if s is None:
            continue
        present = td.is_present(f.name)
        _typed(td, f, s, present, out)
        name = f.name
        if f.required and name not in pk:
            out.rows("E201", td, np.flatnonzero(~present), name,
                     lambda v, x: f"{name} is required but empty")
        if f.enum is not None:
            allowed = list(f.enum)
            ok = np_mask(pc.is_in(s, value_set=pa.array(allowed, pa.string())))
            shown = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
            out.rows("E204", td, np.flatnonzero(present & ~ok), name,
                     lambda v, x: f"value {_q(v)} is not one of: {shown}")
        if f.pattern is not None:
            if defer_pattern(td, f):
                td.deferred_patterns.append(name)  # relations.check_deferred_patterns
            else:
                ok = _pattern_mask(td, f, s)
                td.pattern_ok[name] = ok
                report_pattern(td, f, ok, out)
        if f.pattern is not None and id_pattern(f.pattern) is not None:
            _check_id_spelling(td, f, out)
        typed = td.typed.get(name)
        for code, bound, op, word in (("E206", f.minimum, pc.less, "below the minimum"),
                                      ("E207", f.maximum, pc.greater, "above the maximum")):
            if bound is None or typed is None:
                continue
            try:
                b = _bound(f, bound)
            except (ValueError, TypeError):
                continue
            bad = np.flatnonzero(np_mask(op(typed, b)))
            out.rows(code, td, bad, name,
                     lambda v, x, word=word, bound=bound: f"value {_q(v)} is {word} {bound}")
        if f.min_length is not None or f.max_length is not None:
            length = _char_lengths(s, present, f.min_length, f.max_length)
            if f.min_length is not None:
                lo = f.min_length
                out.rows("E208", td, np.flatnonzero(present & (length < lo)), name,
                         lambda v, x: f"{len(v or '')} characters, fewer than the minimum {lo}")
            if f.max_length is not None:
                hi = f.max_length
                out.rows("E209", td, np.flatnonzero(present & (length > hi)), name,
                         lambda v, x: f"{len(v or '')} characters, more than the maximum {hi}")
        if f.unique and (name not in pk or len(pk) > 1) and not _distinct_ids(td, name):
            dup, firsts = _duplicates(s, present)
            first_lines = [int(td.lines[i]) for i in firsts]
            out.rows("E210", td, dup, name,
                     lambda v, x: f"{_q(v)} is already used on line {x['first']}",
                     extra={"first": dict(zip(dup.tolist(), first_lines))})
    _check_primary_key(td, out)


_POW10 = np.array([10**k for k in range(MAX_DIGITS + 1)], dtype=np.int64)


def _check_id_spelling(td: TableData, f: Field, out: Collector) -> None:
    """E213: one spelling per ID number. An ID has the pattern's minimum number of digits,
    and more only without a leading zero (``evt-0001``, ``evt-10000``; not ``evt-00001``),
    so two IDs that are equal as numbers are equal as text. Read from the parsed IDs."""
    prefix, width = id_pattern(f.pattern)  # type: ignore[misc]
    ids = td.id_ints(f.name, prefix)
    bad = ids.ok & (ids.nd > max(width, 1)) & (ids.val < _POW10[np.maximum(ids.nd, 1) - 1])
    idx = np.flatnonzero(bad)
    if len(ids.long):  # more than 18 digits: look at those few cells one by one
        long_vals = take_rows(td.raw[f.name], ids.long).to_pylist()
        rests = [(i, v[len(prefix):]) for i, v in zip(ids.long.tolist(), long_vals)]
        lead = [i for i, r in rests
                if r.isascii() and r.isdigit() and len(r) > max(width, 1) and r[0] == "0"]
        idx = np.union1d(idx, np.asarray(lead, dtype=np.int64))
    if len(idx) == 0:
        return
    # For each bad row, another row holding the same number (numbers that fit int64).
    same: dict[int, int] = {}
    nums = ids.val[idx[bad[idx]]] if len(idx) else np.zeros(0, dtype=np.int64)
    if len(nums):
        peers = np.flatnonzero(ids.ok & np.isin(ids.val, nums))
        first_of: dict[int, list[int]] = {}
        for r, v in zip(peers.tolist(), ids.val[peers].tolist()):
            first_of.setdefault(v, []).append(r)
        for r in idx.tolist():
            if bad[r]:
                other = [p for p in first_of.get(int(ids.val[r]), []) if p != r]
                if other:
                    same[r] = int(td.lines[other[0]])
    digits = prefix.decode()

    def message(v: str | None, x: dict[str, Any]) -> str:
        text = v or ""
        num = text[len(digits):].lstrip("0")
        canon = digits + num.rjust(width, "0")
        also = f"; line {x['line']} spells the same number" if x["line"] is not None else ""
        return (f"{_q(v)} has extra leading zeros: the one spelling of this ID is "
                f"{_q(canon)}{also}")

    out.rows("E213", td, idx, f.name, message,
             extra={"line": {r: same.get(r) for r in idx.tolist()}},
             hint=f"write IDs with exactly {width} digits, or more without a leading zero")


def _distinct_ids(td: TableData, name: str) -> bool:
    """True when the field has an ID pattern, every cell is such an ID and no two are equal:
    proved from the parsed integers, without hashing strings. False means: check generally."""
    idp = id_pattern(td.schema.field(name).pattern) if name in td.raw else None
    if idp is None:
        return False
    return td.id_ints(name, idp[0]).key_table() is not None


def _char_lengths(s: pa.ChunkedArray, present: np.ndarray, lo: int | None,
                  hi: int | None) -> np.ndarray:
    """Characters per cell where a length bound could fail, else the byte count (as good:
    a cell of b UTF-8 bytes has between ceil(b/4) and b characters, so only cells with
    b <= 4*(lo-1) or b > hi are counted)."""
    nbytes = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False), dtype=np.int64)
    need = np.zeros(len(nbytes), dtype=bool)
    if lo is not None:
        need |= nbytes <= 4 * (lo - 1)
    if hi is not None:
        need |= nbytes > hi
    need &= present
    idx = np.flatnonzero(need)
    if len(idx) > len(nbytes) // 8:
        return np.asarray(pc.utf8_length(s).to_numpy(zero_copy_only=False), dtype=np.int64)
    if len(idx):
        nbytes[idx] = pc.utf8_length(take_rows(s, idx)).to_numpy(zero_copy_only=False)
    return nbytes


def _check_primary_key(td: TableData, out: Collector) -> None:
    pk = td.schema.primary_key
    if not pk or not all(k in td.raw for k in pk):
        return
    if len(pk) == 1:
        values: pa.ChunkedArray | pa.Array = td.raw[pk[0]]
        present = td.is_present(pk[0])
        missing_col = {pk[0]: ~present}
    else:
        values = pc.binary_join_element_wise(*(td.raw[k] for k in pk), "\x1f")
        missing_col = {k: ~td.is_present(k) for k in pk}
        present = np.logical_and.reduce([~m for m in missing_col.values()])
    reported = np.zeros(td.n, dtype=bool)
    for k, miss in missing_col.items():
        idx = np.flatnonzero(miss & ~reported)
        reported |= miss
        out.rows("E212", td, idx, k, lambda v, x, k=k: f"the primary key {k} is empty")
    if len(pk) == 1 and _distinct_ids(td, pk[0]):
        return
    dup, firsts = _duplicates(values, present)
    first_lines = [int(td.lines[i]) for i in firsts]
    label = "+".join(pk)
    out.rows("E211", td, dup, pk[0],
             lambda v, x: f"{label} {_q(x['key'])} is already used on line {x['first']}",
             extra={"first": dict(zip(dup.tolist(), first_lines)),
                    "key": values})


# -- layer 3 ---------------------------------------------------------------------------------

def check_rows(td: TableData, out: Collector) -> None:
    """Layer 3: the schema's rowChecks, each vectorised over the whole table."""
    for rule in td.schema.row_rules:
        if not all(n in td.raw for n in rule.fields):
            continue  # a column is missing: the header finding says so
        if isinstance(rule, OrderedRule):
            _ordered(td, list(rule.fields), out)
        elif isinstance(rule, TogetherRule):
            _together(td, list(rule.fields), out)
        elif isinstance(rule, WhenRule):
            _when(td, rule, out)
        else:
            _date_span(td, rule.start, rule.end, rule.precision, out)


def _ordered(td: TableData, names: list[str], out: Collector) -> None:
    reported = np.zeros(td.n, dtype=bool)
    chain = " <= ".join(names)
    for j in range(1, len(names)):
        for i in range(j):
            a, b = names[i], names[j]
            viol = np_mask(pc.less(td.value(b), td.value(a))) & ~reported
            reported |= viol
            out.rows("E301", td, np.flatnonzero(viol), b,
                     lambda v, x, a=a, b=b: f"{b} {_q(v)} is less than {a} {_q(x['a'])} "
                                            f"(must be {chain})",
                     extra={"a": td.raw[a]})


def _together(td: TableData, names: list[str], out: Collector) -> None:
    present = np.stack([td.is_present(n) for n in names])
    count = present.sum(axis=0)
    viol = (count > 0) & (count < len(names))
    reported = np.zeros(td.n, dtype=bool)
    group = " and ".join(names)
    for k, n in enumerate(names):
        idx = viol & ~present[k] & ~reported
        reported |= idx
        out.rows("E302", td, np.flatnonzero(idx), n,
                 lambda v, x, n=n: f"{n} is empty but the others of {group} are set: "
                                   f"fill in all or none")


def _when(td: TableData, rule: WhenRule, out: Collector) -> None:
    ctl = rule.field
    s = td.raw[ctl]
    for case in rule.cases:
        value = case.value
        eq = np_mask(pc.equal(s, value))
        if not eq.any():
            continue
        for n in case.present:
            out.rows("E303", td, np.flatnonzero(eq & ~td.is_present(n)), n,
                     lambda v, x, n=n, value=value: f"{n} must be filled in when {ctl} is "
                                                    f"{_q(value)}")
        for n in case.absent:
            out.rows("E304", td, np.flatnonzero(eq & td.is_present(n)), n,
                     lambda v, x, n=n, value=value: f"{n} must be empty when {ctl} is "
                                                    f"{_q(value)} (it is {_q(v)})")


def _date_span(td: TableData, start: str, end: str, prec: str, out: Collector) -> None:
    if start not in td.ymd or end not in td.ymd:
        return
    both = np_mask(pc.is_valid(td.typed[start])) & np_mask(pc.is_valid(td.typed[end]))
    sy, sm, sd = td.ymd[start]
    ey, em, ed = td.ymd[end]
    p = td.raw[prec]
    same_day = (sy == ey) & (sm == em) & (sd == ed)
    rules = {
        "day": (np.zeros(td.n, dtype=bool), ~same_day,
                "the start and end must be the same day"),
        "month": (sd != 1, ~((ey == sy) & (em == sm) & (ed == _days_in_month(sy, sm))),
                  "the dates must be the first and last day of one month"),
        "year": ((sm != 1) | (sd != 1), ~((ey == sy) & (em == 12) & (ed == 31)),
                 "the dates must be 1 January and 31 December of one year"),
    }
    for value, (start_bad, end_bad, why) in rules.items():
        is_p = both & np_mask(pc.equal(p, value))
        if not is_p.any():
            continue
        sb = is_p & start_bad
        eb = is_p & end_bad & ~sb
        for idx, col in ((sb, start), (eb, end)):
            out.rows("E305", td, np.flatnonzero(idx), col,
                     lambda v, x, value=value, why=why: f"{prec} is {_q(value)}: {why} "
                                                        f"({start} {x['s']}, {end} {x['e']})",
                     extra={"s": td.raw[start], "e": td.raw[end]})


# -- layer 5 ---------------------------------------------------------------------------------


def _edge_candidates(s: pa.ChunkedArray) -> np.ndarray:
    """Rows whose first or last character is whitespace, or whose first is one of = + - @:
    the characters decoded from the column's UTF-8 bytes with numpy (only the first and last
    of each cell, and only where a lead byte could start whitespace); only these get decoded."""
    found: list[np.ndarray] = []
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        _, offsets, values = chunk.buffers()
        if n and values is not None:
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(values, dtype=np.uint8)
            rows = np.flatnonzero(off[1:] > off[:-1])
            first = off[rows].astype(np.int64)
            last = off[rows + 1].astype(np.int64) - 1
            hit = _EDGE_FIRST[data[first]] | _EDGE_LAST[data[last]]
            rows, first, last = rows[hit], first[hit], last[hit]
            if len(rows):
                found.append(rows[_edge_space_or_formula(data, first, last)] + base)
        base += n
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _edge_space_or_formula(data: np.ndarray, first: np.ndarray, last: np.ndarray
                           ) -> np.ndarray:
    """For cells from byte ``first`` to ``last`` (valid UTF-8): does the first character
    belong to _SPACES or = + - @, or the last to _SPACES? (No 4-byte character does.)"""
    top = len(data) - 1

    def byte(pos: np.ndarray) -> np.ndarray:
        return data[np.clip(pos, 0, top)].astype(np.int64)

    b0, b1, b2 = byte(first), byte(first + 1), byte(first + 2)
    cp = np.where(b0 < 0x80, b0, np.where(
        b0 < 0xE0, ((b0 & 0x1F) << 6) | (b1 & 0x3F),
        np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F), -1)))
    ok = _SPACE_OR_FORMULA[np.clip(cp, 0, len(_SPACE_OR_FORMULA) - 1)] & (cp >= 0) & (
        cp < len(_SPACE_OR_FORMULA))
    e1, e2, e3 = byte(last), byte(last - 1), byte(last - 2)
    cont1, cont2 = (e1 & 0xC0) == 0x80, (e2 & 0xC0) == 0x80
    two = cont1 & (e2 >= 0xC0) & (e2 < 0xE0) & (last - 1 >= first)
    three = cont1 & cont2 & (e3 >= 0xE0) & (e3 < 0xF0) & (last - 2 >= first)
    cp = np.where(e1 < 0x80, e1, np.where(
        two, ((e2 & 0x1F) << 6) | (e1 & 0x3F),
        np.where(three, ((e3 & 0x0F) << 12) | ((e2 & 0x3F) << 6) | (e1 & 0x3F), -1)))
    ok |= _IS_SPACE[np.clip(cp, 0, len(_IS_SPACE) - 1)] & (cp >= 0) & (cp < len(_IS_SPACE))
    return ok


def _invisible_at(data: np.ndarray) -> np.ndarray:
    """Byte offsets in UTF-8 ``data`` where an INVISIBLE character starts: E2 80 8B-8D,
    E2 80 AA-AE, E2 81 A0, E2 81 A6-A9 or EF BB BF, matched with numpy."""
    n = len(data)
    if n < 3:
        return np.zeros(0, dtype=np.int64)
    e2 = find_all(data[:n - 2], 0xE2)
    b1, b2 = data[e2 + 1], data[e2 + 2]
    hit = (((b1 == 0x80) & (((b2 >= 0x8B) & (b2 <= 0x8D)) | ((b2 >= 0xAA) & (b2 <= 0xAE))))
           | ((b1 == 0x81) & ((b2 == 0xA0) | ((b2 >= 0xA6) & (b2 <= 0xA9)))))
    ef = find_all(data[:n - 2], 0xEF)
    bom = (data[ef + 1] == 0xBB) & (data[ef + 2] == 0xBF)
    return np.union1d(e2[hit], ef[bom])


def invisible_rows(s: pa.ChunkedArray) -> np.ndarray:
    """Row indices of the cells holding a character of :data:`INVISIBLE`."""
    rows: list[np.ndarray] = []
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        _, offsets, values = chunk.buffers()
        if n and values is not None:
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(values, dtype=np.uint8)[off[0]:off[-1]]
            pos = _invisible_at(data)
            if len(pos):
                r = np.searchsorted(off - off[0], pos, side="right") - 1
                rows.append(np.unique(r) + base)
        base += n
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


def _invisible_names(text: str) -> str:
    """The invisible characters in ``text``, named, for a W506 message."""
    import unicodedata

    found = sorted({c for c in text if c in INVISIBLE})
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in found) + (
        ", invisible characters that hide or reorder text")


def _hidden_formulas(td: TableData, name: str, rows: np.ndarray, out: Collector) -> None:
    """W505 among ``rows`` (cells starting with whitespace or holding invisible characters):
    after the leading whitespace and invisible characters comes = + - @ (not a number)."""
    if len(rows) == 0:
        return
    sub = take_rows(td.raw[name], rows)
    rest = pc.utf8_ltrim(sub, characters=_LEADING_JUNK)
    hidden = (np_mask(pc.less(pc.utf8_length(rest), pc.utf8_length(sub)))
              & np_mask(pc.is_in(pc.utf8_slice_codeunits(rest, 0, 1),
                                 value_set=_FORMULA_STARTS))
              & ~np_mask(pc.match_substring_regex(rest, _PLAIN_NUMBER_RE)))
    out.rows("W505", td, rows[hidden], name,
             lambda v, x: f"{_q(v)} starts with {_first_visible(v or '')!r} after whitespace "
                          "or invisible characters: a spreadsheet may still run it as a "
                          "formula")


def _first_visible(text: str) -> str:
    return text.lstrip(_LEADING_JUNK)[:1]


def _all_plain_ids(td: TableData, f: Field) -> bool:
    """True when every non-empty cell already parsed as an ID (prefix + digits) whose prefix
    starts with neither whitespace nor = + - @: no such cell can start or end with them."""
    idp = id_pattern(f.pattern)
    ids = td.ids.get((f.name, idp[0])) if idp is not None else None
    if ids is None or (idp[0] and _SPACE_OR_FORMULA[min(idp[0][0], 0x3000)]):
        return False
    if td.schema.missing_values != ("",):
        return False  # "present" is not "non-empty" then; check every cell
    return bool((ids.ok | ~td.is_present(f.name)).all())


def check_lints(td: TableData, out: Collector) -> None:
    """Layer 5 (warnings): surrounding whitespace, non-NFC text, formula-like cells."""
    for f in td.schema.fields:
        if f.type != "string" or f.enum is not None or f.name not in td.raw:
            continue
        s = td.raw[f.name]
        name = f.name
        cand = np.zeros(0, dtype=np.int64) if _all_plain_ids(td, f) else _edge_candidates(s)
        lead = np.zeros(0, dtype=np.int64)
        if len(cand):
            sub = take_rows(s, cand)
            first = pc.utf8_slice_codeunits(sub, 0, 1)
            lead = cand[np_mask(pc.utf8_is_space(first))]
            ws = np_mask(pc.utf8_is_space(first)) | np_mask(
                pc.utf8_is_space(pc.utf8_slice_codeunits(sub, -1, _END)))
            out.rows("W501", td, cand[ws], name,
                     lambda v, x: f"{_q(v)} starts or ends with whitespace")
            formula = np_mask(pc.is_in(first, value_set=_FORMULA_STARTS)) & ~np_mask(
                pc.match_substring_regex(sub, _PLAIN_NUMBER_RE))
            out.rows("W503", td, cand[formula], name,
                     lambda v, x: f"{_q(v)} starts with {(v or ' ')[0]!r}: a spreadsheet "
                                  f"would run it as a formula")
        ascii_only = pc.all(pc.string_is_ascii(s)).as_py()
        invisible = (invisible_rows(s) if not ascii_only else np.zeros(0, dtype=np.int64))
        out.rows("W506", td, invisible, name,
                 lambda v, x: f"{_q(v)} holds {_invisible_names(v or '')}")
        _hidden_formulas(td, name, np.union1d(lead, invisible), out)
        if not ascii_only:
            # Only a cell holding a character that NFC may change can be non-NFC.
            idx = non_nfc_candidates(s)
            if len(idx):
                sub = take_rows(s, idx)
                nfc = np_mask(pc.not_equal(pc.utf8_normalize(sub, "NFC"), sub))
                out.rows("W502", td, idx[nfc], name,
                         lambda v, x: f"{_q(v)} is not in Unicode NFC form")
