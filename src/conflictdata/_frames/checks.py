"""The schemas' rules as vectorised checks over one table's typed DataFrame.

Each :class:`FrameCheck` is one named rule part with the finding code the CSV validator
uses for it and the field its findings name; ``fails`` gives a boolean mask of the failing
rows, computed with pyarrow/numpy over whole columns. The pandera schemas wrap these same
checks, and :func:`conflictdata.tools.validate_frames` runs them directly, so both flag the same
rows. Semantics follow the CSV validator: an empty text cell is the same as a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._tableschema.model import (
    DateSpanRule,
    Field,
    ForeignKey,
    NotBeforeRule,
    OrderedRule,
    TableSchema,
    TogetherRule,
    WhenRule,
)
from .._types.kernels import cycle_text, cycles, days_in_month, np_mask

__all__ = ["FrameCheck", "FrameData", "cell_texts", "quote", "row_keys", "table_checks"]


def quote(value: Any, limit: int = 60) -> str:
    """A value as the validator's messages show it: repr, cut at ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…'"


def _as_arrow(s: pd.Series) -> pa.Array:
    """One column as a single Arrow array; categoricals decoded to text."""
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a mixed object column: compare as text
        arr = pa.array(
            [None if v is None or v is pd.NA or v != v else str(v) for v in s], pa.string()
        )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


class FrameData:
    """A table's frame with its columns as Arrow arrays and presence masks, computed once."""

    def __init__(
        self, table: TableSchema, df: pd.DataFrame, unread: dict[str, dict[int, str]] | None = None
    ) -> None:
        self.table = table
        self.df = df
        self.n = len(df)
        #: per field, the CSV text of cells that are not a value of its type (null in ``df``):
        #: filled in, as the CSV validator counts them, but not comparable
        self.unread = unread or {}
        self._arrow: dict[str, pa.Array] = {}
        self._present: dict[str, np.ndarray] = {}
        self._value: dict[str, pa.Array] = {}
        self._text: dict[str, pa.Array] = {}
        self._memo: dict[Any, Any] = {}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per ``key`` for this frame (rule parts shared by several checks
        and by their messages: foreign-key lookups, cycles, ...)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def arrow(self, name: str) -> pa.Array:
        got = self._arrow.get(name)
        if got is None:
            got = self._arrow[name] = _as_arrow(self.df[name])
        return got

    def is_text(self, name: str) -> bool:
        t = self.arrow(name).type
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    def present(self, name: str) -> np.ndarray:
        """Cells that hold a value: not null and, for text, not empty."""
        got = self._present.get(name)
        if got is None:
            arr = self.arrow(name)
            if self.is_text(name):
                got = np_mask(pc.not_equal(pc.binary_length(arr), 0))
            else:
                got = np_mask(pc.is_valid(arr))
            if self.unread.get(name):
                got = got.copy()
                got[list(self.unread[name])] = True
            self._present[name] = got
        return got

    def valid(self, name: str) -> np.ndarray:
        """Cells that hold a value of the field's type (unlike ``present``, not the unread)."""
        return np_mask(pc.is_valid(self.value(name)))

    def value(self, name: str) -> pa.Array:
        """Typed values with empty text as null."""
        got = self._value.get(name)
        if got is None:
            arr = self.arrow(name)
            if self.is_text(name) and not self.present(name).all():
                arr = pc.if_else(pa.array(self.present(name)), arr, pa.scalar(None, arr.type))
            got = self._value[name] = arr
        return got

    def text(self, name: str) -> pa.Array:
        """The column as its CSV text (for comparing with rule values)."""
        got = self._text.get(name)
        if got is None:
            arr = self.value(name)
            got = arr if self.is_text(name) else _arrow_text(arr)
            self._text[name] = got
        return got


def _arrow_text(arr: pa.Array) -> pa.Array:
    """Typed values as CSV text (booleans true/false, numbers as Arrow prints them)."""
    if pa.types.is_timestamp(arr.type):
        return pa.array([cell_text(v) for v in arr.to_pylist()], pa.string())
    return pc.cast(arr, pa.string())


def cell_text(v: Any) -> str | None:
    """A typed value as the CSV cell that holds it (None for a missing value)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        if v != v:
            return None
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text.replace("+00:00", "Z")
    return str(v)


def cell_texts(fd: FrameData, name: str | None, idx: np.ndarray) -> list[str | None]:
    """The CSV text of ``name`` at the rows ``idx`` (None where empty)."""
    if name is None or name not in fd.df.columns:
        return [None] * len(idx)
    vals = fd.arrow(name).take(pa.array(np.asarray(idx, dtype=np.int64))).to_pylist()
    out = [cell_text(v) for v in vals]
    unread = fd.unread.get(name)
    if unread:
        out = [unread.get(int(i), v) for i, v in zip(idx, out)]
    return [None if v == "" else v for v in out]


def row_keys(fd: FrameData, idx: np.ndarray) -> list[str | None]:
    """Each row's primary key as the validator shows it (composite keys joined by '|')."""
    pk = [k for k in fd.table.primary_key if k in fd.df.columns]
    if not pk or len(pk) != len(fd.table.primary_key):
        return [None] * len(idx)
    parts = [cell_texts(fd, k, idx) for k in pk]
    keys = []
    for vals in zip(*parts):
        key = "|".join(v or "" for v in vals)
        keys.append(key or None)
    return keys


Fails = Callable[[FrameData], np.ndarray]
Messages = Callable[[FrameData, np.ndarray], list[str]]


@dataclass(frozen=True)
class FrameCheck:
    """One named rule part: its finding code, the field it names, the failing-row mask."""

    code: str
    name: str
    field: str | None
    columns: tuple[str, ...]
    scope: str  # "column": reads only ``field``; "frame": reads several columns
    fails: Fails
    message: Messages
    description: str = ""
    hint: str | None = None


def _const(text: str) -> Messages:
    return lambda fd, idx: [text] * len(idx)


def _per_value(field_name: str, fmt: Callable[[str | None], str]) -> Messages:
    return lambda fd, idx: [fmt(v) for v in cell_texts(fd, field_name, idx)]


# -- regex -----------------------------------------------------------------------------------


def full_match(arr: pa.Array, pattern: str) -> np.ndarray:
    """Full-match mask of a Table Schema pattern: RE2 when it can, Python per unique value."""
    try:
        return np_mask(pc.match_substring_regex(arr, f"^(?:{pattern})$"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        rx = re.compile(pattern)
        uniq = pc.unique(arr).to_pylist()
        good = [u for u in uniq if u is not None and rx.fullmatch(u)]
        return np_mask(pc.is_in(arr, value_set=pa.array(good, pa.string())))


# -- layer 2 ---------------------------------------------------------------------------------


def _bound_scalar(f: Field, bound: Any) -> Any:
    import datetime as dt

    if f.type == "date":
        return pa.scalar(dt.date.fromisoformat(str(bound)), pa.date32())
    if f.type == "datetime":
        text = str(bound).replace("Z", "+00:00")
        return pa.scalar(dt.datetime.fromisoformat(text), pa.timestamp("s", tz="UTC"))
    if f.type == "integer":
        return pa.scalar(int(bound), pa.int64())
    if f.type == "number":
        return pa.scalar(float(bound), pa.float64())
    return pa.scalar(str(bound), pa.string())


def _compare(fd: FrameData, name: str, op: Any, scalar: Any) -> np.ndarray:
    arr = fd.value(name)
    if scalar.type != arr.type:
        try:
            scalar = scalar.cast(arr.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    bad = np_mask(op(arr, scalar))
    if pa.types.is_floating(arr.type):  # NaN fails every bound, as in the CSV validator
        bad |= np_mask(pc.is_nan(arr))
    return bad


def _duplicates(values: pa.Array, consider: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (among ``consider``) repeating an earlier considered row's value, and its row."""
    n = len(values)
    if n == 0 or len(pc.unique(values)) == n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    idx = np.flatnonzero(consider)
    sub = values.take(pa.array(idx))
    codes = np.asarray(
        pc.fill_null(pc.index_in(sub, value_set=pc.unique(sub)), -1).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    order = np.argsort(codes, kind="stable")
    sc = codes[order]
    is_first = np.ones(len(sc), dtype=bool)
    is_first[1:] = sc[1:] != sc[:-1]
    first_pos = np.maximum.accumulate(np.where(is_first, np.arange(len(sc)), 0))
    dup = order[~is_first]
    first = order[first_pos[~is_first]]
    keep = np.argsort(dup, kind="stable")
    return idx[dup[keep]], idx[first[keep]]


def _key_values(fd: FrameData, names: tuple[str, ...]) -> pa.Array:
    """A key's text; a composite key's empty part as None, equal to None (frictionless)."""
    if len(names) == 1:
        return fd.text(names[0])
    return pc.binary_join_element_wise(
        *(pc.if_else(pa.array(fd.present(n)), fd.text(n), "\x00") for n in names), "\x1f"
    )


def _field_checks(table: TableSchema) -> list[FrameCheck]:
    pk = table.primary_key
    out: list[FrameCheck] = []
    for f in table.fields:
        name = f.name
        col = (name,)
        text = f.type == "string"
        if name == (pk[0] if pk else None):  # the row's key is all empty (frictionless)
            label = "+".join(pk)
            out.append(
                FrameCheck(
                    "E212",
                    f"E212:{name}",
                    name,
                    tuple(pk),
                    "frame" if len(pk) > 1 else "column",
                    lambda fd: ~np.logical_or.reduce([fd.present(k) for k in pk]),
                    _const(f"the primary key {label} is empty or not a valid value"),
                    "the primary key is filled in",
                )
            )
        if f.required:
            out.append(
                FrameCheck(
                    "E201",
                    f"E201:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name: ~fd.present(name),
                    _const(f"{name} is required but empty"),
                    "filled in (an empty text is missing)",
                )
            )
        if f.type == "number":
            out.append(
                FrameCheck(
                    "E230",
                    f"E230:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name: (
                        fd.present(name)
                        & ~np_mask(pc.fill_null(pc.is_finite(fd.value(name)), True))
                    ),
                    _per_value(name, lambda v: f"{quote(v)} is not a finite number"),
                    "a number is finite (no NaN or infinity)",
                )
            )
        if f.enum is not None:
            allowed = list(f.enum)
            shown = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
            vs = pa.array(allowed, pa.string())
            out.append(
                FrameCheck(
                    "E204",
                    f"E204:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name, vs=vs: (
                        fd.present(name) & ~np_mask(pc.is_in(fd.text(name), value_set=vs))
                    ),
                    _per_value(
                        name, lambda v, shown=shown: f"value {quote(v)} is not one of: {shown}"
                    ),
                    f"one of: {shown}",
                )
            )
        if f.pattern is not None and text:
            pat = f.pattern
            out.append(
                FrameCheck(
                    "E205",
                    f"E205:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name, pat=pat: (
                        fd.present(name) & ~full_match(fd.arrow(name), pat)
                    ),
                    _per_value(
                        name,
                        lambda v, pat=pat: f"value {quote(v)} does not match the pattern {pat}",
                    ),
                    f"matches {pat} in full",
                )
            )
        for code, bound, op, word in (
            ("E206", f.minimum, pc.less, "below the minimum"),
            ("E207", f.maximum, pc.greater, "above the maximum"),
        ):
            if bound is None or f.type in ("string", "boolean"):
                continue
            try:
                scalar = _bound_scalar(f, bound)
            except (ValueError, TypeError):
                continue
            out.append(
                FrameCheck(
                    code,
                    f"{code}:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name, op=op, scalar=scalar: _compare(fd, name, op, scalar),
                    _per_value(
                        name,
                        lambda v, word=word, bound=bound: f"value {quote(v)} is {word} {bound}",
                    ),
                    f"{word.split()[-1]} {bound}",
                )
            )
        if text and (f.min_length is not None or f.max_length is not None):
            for code, lim, op, word in (
                ("E208", f.min_length, pc.less, "fewer than the minimum"),
                ("E209", f.max_length, pc.greater, "more than the maximum"),
            ):
                if lim is None:
                    continue
                out.append(
                    FrameCheck(
                        code,
                        f"{code}:{name}",
                        name,
                        col,
                        "column",
                        lambda fd, name=name, op=op, lim=lim: (
                            fd.present(name) & np_mask(op(pc.utf8_length(fd.arrow(name)), lim))
                        ),
                        _per_value(
                            name,
                            lambda v, word=word, lim=lim: (
                                f"{len(v or '')} characters, {word} {lim}"
                            ),
                        ),
                        f"{word.split()[0]} {lim} characters",
                    )
                )
        if f.unique:  # a primary key field too, as frictionless (and the CSV validator)
            out.append(
                FrameCheck(
                    "E210",
                    f"E210:{name}",
                    name,
                    col,
                    "column",
                    lambda fd, name=name: _dup_mask(fd, (name,)),
                    lambda fd, idx, name=name: [
                        f"{quote(v)} is already used at row {r}"
                        for v, r in zip(cell_texts(fd, name, idx), _first_rows(fd, (name,), idx))
                    ],
                    "no value twice",
                )
            )
    if pk:
        label = "+".join(pk)
        out.append(
            FrameCheck(
                "E211",
                f"E211:{label}",
                pk[0],
                tuple(pk),
                "column" if len(pk) == 1 else "frame",
                lambda fd: _dup_mask(fd, pk),
                lambda fd, idx: [
                    f"{label} {quote(k)} is already used at row {r}"
                    for k, r in zip(_pk_texts(fd, idx), _first_rows(fd, pk, idx))
                ],
                "the primary key is unique",
            )
        )
    return out


def _pk_texts(fd: FrameData, idx: np.ndarray) -> list[str | None]:
    pk = fd.table.primary_key
    if len(pk) == 1:
        return cell_texts(fd, pk[0], idx)
    parts = [cell_texts(fd, k, idx) for k in pk]
    return ["\x1f".join(v or "" for v in vals) for vals in zip(*parts)]


def _dups(fd: FrameData, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    def compute() -> tuple[np.ndarray, np.ndarray]:
        consider = np.logical_or.reduce([fd.present(n) for n in names])
        return _duplicates(_key_values(fd, names), consider)

    return fd.memo(("duplicates", names), compute)


def _dup_mask(fd: FrameData, names: tuple[str, ...]) -> np.ndarray:
    dup, _ = _dups(fd, names)
    m = np.zeros(fd.n, dtype=bool)
    m[dup] = True
    return m


def _first_rows(fd: FrameData, names: tuple[str, ...], idx: np.ndarray) -> list[int]:
    dup, first = _dups(fd, names)
    where = dict(zip(dup.tolist(), first.tolist()))
    return [where.get(int(i), -1) for i in idx]


# -- layer 3 ---------------------------------------------------------------------------------


def _ordered_checks(rule: OrderedRule) -> list[FrameCheck]:
    names = list(rule.fields)
    chain = " <= ".join(names)

    def viol(fd: FrameData, i: int, j: int) -> np.ndarray:
        return np_mask(pc.less(fd.value(names[j]), fd.value(names[i])))

    def parts(fd: FrameData) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        return fd.memo(("ordered", rule), lambda: compute(fd))

    def compute(fd: FrameData) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        """Per later field j: rows reported there, and per earlier i the rows of pair (i, j)."""
        reported = np.zeros(fd.n, dtype=bool)
        res = []
        for j in range(1, len(names)):
            pairs = []
            here = np.zeros(fd.n, dtype=bool)
            for i in range(j):
                v = viol(fd, i, j) & ~reported
                reported |= v
                here |= v
                pairs.append(v)
            res.append((here, pairs))
        return res

    out = []
    for j in range(1, len(names)):
        b = names[j]

        def message(fd: FrameData, idx: np.ndarray, j: int = j, b: str = b) -> list[str]:
            pairs = parts(fd)[j - 1][1]
            bs = cell_texts(fd, b, idx)
            msgs = []
            for k, row in enumerate(idx.tolist()):
                i = next(i for i, m in enumerate(pairs) if m[row])
                a = names[i]
                av = cell_texts(fd, a, np.array([row]))[0]
                msgs.append(f"{b} {quote(bs[k])} is less than {a} {quote(av)} (must be {chain})")
            return msgs

        out.append(
            FrameCheck(
                "E301",
                f"E301:{chain}:{b}",
                b,
                tuple(names),
                "frame",
                lambda fd, j=j: parts(fd)[j - 1][0],
                message,
                rule.description,
            )
        )
    return out


def _together_checks(rule: TogetherRule) -> list[FrameCheck]:
    names = list(rule.fields)
    group = " and ".join(names)
    out = []
    for k, n in enumerate(names):

        def fails(fd: FrameData, k: int = k) -> np.ndarray:
            present = np.stack([fd.present(x) for x in names])
            count = present.sum(axis=0)
            viol = (count > 0) & (count < len(names))
            first_missing = np.argmin(present, axis=0)
            return viol & (first_missing == k)

        out.append(
            FrameCheck(
                "E302",
                f"E302:{group}:{n}",
                n,
                tuple(names),
                "frame",
                fails,
                _const(f"{n} is empty but the others of {group} are set: fill in all or none"),
                rule.description,
            )
        )
    return out


def _when_checks(rule: WhenRule) -> list[FrameCheck]:
    ctl = rule.field
    out = []
    for code, attr in (("E303", "present"), ("E304", "absent")):
        targets: dict[str, list[str]] = {}
        for case in rule.cases:
            for n in getattr(case, attr):
                targets.setdefault(n, []).append(case.value)
        for n, values in targets.items():
            vs = pa.array(values, pa.string())

            def fails(fd: FrameData, n: str = n, vs: pa.Array = vs, code: str = code) -> np.ndarray:
                eq = np_mask(pc.is_in(fd.text(ctl), value_set=vs))
                return eq & (~fd.present(n) if code == "E303" else fd.present(n))

            if code == "E303":

                def message(fd: FrameData, idx: np.ndarray, n: str = n) -> list[str]:
                    return [
                        f"{n} must be filled in when {ctl} is {quote(c)}"
                        for c in cell_texts(fd, ctl, idx)
                    ]
            else:

                def message(fd: FrameData, idx: np.ndarray, n: str = n) -> list[str]:
                    return [
                        f"{n} must be empty when {ctl} is {quote(c)} (it is {quote(v)})"
                        for c, v in zip(cell_texts(fd, ctl, idx), cell_texts(fd, n, idx))
                    ]

            out.append(
                FrameCheck(
                    code,
                    f"{code}:{ctl}:{n}",
                    n,
                    (ctl, n),
                    "frame",
                    fails,
                    message,
                    rule.description,
                )
            )
    return out


def _ymd(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def part(fn: Any) -> np.ndarray:
        return np.asarray(pc.fill_null(fn(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64)

    return part(pc.year), part(pc.month), part(pc.day)


_SPANS = {
    "day": "the start and end must be the same day",
    "month": "the dates must be the first and last day of one month",
    "year": "the dates must be 1 January and 31 December of one year",
}


def _date_span_checks(rule: DateSpanRule) -> list[FrameCheck]:
    start, end, prec = rule.start, rule.end, rule.precision

    def parts(fd: FrameData) -> tuple[np.ndarray, np.ndarray]:
        return fd.memo(("dateSpan", rule), lambda: compute(fd))

    def compute(fd: FrameData) -> tuple[np.ndarray, np.ndarray]:
        if not (_is_date(fd, start) and _is_date(fd, end)):
            z = np.zeros(fd.n, dtype=bool)
            return z, z
        both = fd.valid(start) & fd.valid(end)
        sy, sm, sd = _ymd(fd.value(start))
        ey, em, ed = _ymd(fd.value(end))
        p = fd.text(prec)
        same_day = (sy == ey) & (sm == em) & (sd == ed)
        rules = {
            "day": (np.zeros(fd.n, dtype=bool), ~same_day),
            "month": (sd != 1, ~((ey == sy) & (em == sm) & (ed == days_in_month(sy, sm)))),
            "year": ((sm != 1) | (sd != 1), ~((ey == sy) & (em == 12) & (ed == 31))),
        }
        sbad = np.zeros(fd.n, dtype=bool)
        ebad = np.zeros(fd.n, dtype=bool)
        for value, (start_bad, end_bad) in rules.items():
            is_p = both & np_mask(pc.equal(p, value))
            sb = is_p & start_bad
            sbad |= sb
            ebad |= is_p & end_bad & ~sb
        return sbad, ebad

    def message(fd: FrameData, idx: np.ndarray) -> list[str]:
        ps, ss, es = (cell_texts(fd, x, idx) for x in (prec, start, end))
        return [
            f"{prec} is {quote(p)}: {_SPANS.get(p or '', '')} ({start} {s}, {end} {e})"
            for p, s, e in zip(ps, ss, es)
        ]

    cols = (start, end, prec)
    return [
        FrameCheck(
            "E305",
            f"E305:{prec}:{start}",
            start,
            cols,
            "frame",
            lambda fd: parts(fd)[0],
            message,
            rule.description,
        ),
        FrameCheck(
            "E305",
            f"E305:{prec}:{end}",
            end,
            cols,
            "frame",
            lambda fd: parts(fd)[1],
            message,
            rule.description,
        ),
    ]


def _is_date(fd: FrameData, name: str) -> bool:
    t = fd.arrow(name).type
    return pa.types.is_date(t) or pa.types.is_timestamp(t)


# -- layer 4, within one table ---------------------------------------------------------------


def fk_index(child: FrameData, fk: ForeignKey, parent: FrameData) -> np.ndarray:
    """Each row's referenced row in ``parent`` (first match), -1 where none."""

    def compute() -> np.ndarray:
        found = pc.index_in(
            _key_values(child, fk.fields), value_set=_key_values(parent, fk.reference_fields)
        )
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)

    return child.memo(("fk_index", fk, id(parent)), compute)


def fk_check(
    table: TableSchema, fk: ForeignKey, parent: Callable[[FrameData], FrameData | None]
) -> FrameCheck:
    """E401 for one foreign key; ``parent(fd)`` gives the referenced table's frame data."""
    target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
    label = "+".join(fk.fields)

    def fails(fd: FrameData) -> np.ndarray:
        ref = parent(fd)
        if ref is None or not all(n in ref.df.columns for n in fk.reference_fields):
            return np.zeros(fd.n, dtype=bool)
        present = np.logical_or.reduce([fd.present(n) for n in fk.fields])
        if not present.any():
            return present
        return present & (fk_index(fd, fk, ref) < 0)

    def message(fd: FrameData, idx: np.ndarray) -> list[str]:
        if len(fk.fields) == 1:
            vals = cell_texts(fd, fk.fields[0], idx)
        else:
            parts = [cell_texts(fd, n, idx) for n in fk.fields]
            vals = ["\x1f".join(v or "" for v in vs) for vs in zip(*parts)]
        article = "an" if target[:1].lower() in "aeiou" else "a"
        return [f"{label} {quote(v)} is not {article} {target} ({fk.resource})" for v in vals]

    return FrameCheck(
        "E401",
        f"E401:{label}->{target}",
        fk.fields[0],
        fk.fields,
        "frame",
        fails,
        message,
        f"every {label} is a {target}",
        hint=f"use an existing {target} value, or add that {fk.resource} row first",
    )


def _cycles(fd: FrameData, fk: ForeignKey) -> dict[int, str]:
    """Rows on a cycle of the self reference ``fk``, each with its cycle described."""
    return fd.memo(("cycles", fk), lambda: _find_cycles(fd, fk))


def _find_cycles(fd: FrameData, fk: ForeignKey) -> dict[int, str]:
    n = fd.n
    if n == 0:
        return {}
    parent = fk_index(fd, fk, fd)
    links = np.where(parent < 0, n, parent).astype(np.int64)
    links[~fd.present(fk.fields[0])] = n
    on_cycle = cycles(links)
    if not on_cycle:
        return {}
    ids = fd.text(fk.reference_fields[0])
    need = sorted({y for cyc in on_cycle.values() for y in cyc})
    id_of = dict(zip(need, ids.take(pa.array(need, pa.int64())).to_pylist()))

    return {i: cycle_text(on_cycle[i], i, id_of) for i in sorted(on_cycle)}


def _cycle_check(fk: ForeignKey) -> FrameCheck:
    name = fk.fields[0]

    def fails(fd: FrameData) -> np.ndarray:
        m = np.zeros(fd.n, dtype=bool)
        m[list(_cycles(fd, fk))] = True
        return m

    def message(fd: FrameData, idx: np.ndarray) -> list[str]:
        cyc = _cycles(fd, fk)
        return [f"{name} makes a cycle: {cyc.get(int(i), '')}" for i in idx]

    return FrameCheck(
        "E402",
        f"E402:{name}",
        name,
        (name, *fk.reference_fields),
        "frame",
        fails,
        message,
        f"{name} does not loop back to the row",
    )


def not_before_checks(
    table: TableSchema, rule: NotBeforeRule, parent: Callable[[FrameData], FrameData | None]
) -> list[FrameCheck]:
    """E403 for one notBefore rule, split by the column it names (end if given, else start)."""
    fk = next(k for k in table.foreign_keys if k.fields == (rule.foreign_key,))
    fld, start, end = rule.foreign_key, rule.start, rule.end

    def parts(fd: FrameData) -> tuple[np.ndarray, np.ndarray, np.ndarray, FrameData | None]:
        return fd.memo(("notBefore", rule), lambda: compute(fd))

    def compute(fd: FrameData) -> tuple[np.ndarray, np.ndarray, np.ndarray, FrameData | None]:
        ref = parent(fd)
        z = np.zeros(fd.n, dtype=bool)
        if ref is None or start not in ref.df.columns:
            return z, z, np.full(fd.n, -1), None
        own = fd.value(start)
        has_end = bool(end) and end in fd.df.columns
        if has_end:
            own = pc.coalesce(fd.value(end), own)
        pidx = fk_index(fd, fk, ref)
        valid = (pidx >= 0) & fd.present(fld)
        if not valid.any():
            return z, z, pidx, ref
        ref_start = ref.value(start).take(pa.array(np.where(pidx >= 0, pidx, 0)))
        if ref_start.type != own.type:
            return z, z, pidx, ref
        bad = np_mask(pc.less(own, ref_start)) & valid
        used_end = fd.valid(end) if has_end else np.zeros(fd.n, dtype=bool)
        return bad & used_end, bad & ~used_end, pidx, ref

    out = []
    for k, col in ((0, end), (1, start)):
        if not col:
            continue

        def message(fd: FrameData, idx: np.ndarray, col: str = col) -> list[str]:
            _, _, pidx, ref = parts(fd)
            assert ref is not None
            own = cell_texts(fd, col, idx)
            refs = cell_texts(ref, start, pidx[idx])
            ids = cell_texts(fd, fld, idx)
            return [
                f"{col} {o} is before {start} {r} of {fk.resource} {i!s}, which {fld} points to"
                for o, r, i in zip(own, refs, ids)
            ]

        out.append(
            FrameCheck(
                "E403",
                f"E403:{fld}:{col}",
                col,
                (fld, start, *((end,) if end else ())),
                "frame",
                lambda fd, k=k: parts(fd)[k],
                message,
                rule.description,
            )
        )
    return out


def table_checks(table: TableSchema) -> tuple[FrameCheck, ...]:
    """Every check of one table that needs only its own frame: field constraints and the
    primary key, rowChecks, self-referencing foreign keys, their cycles and notBefore."""
    out = _field_checks(table)
    for rule in table.row_rules:
        if isinstance(rule, OrderedRule):
            out += _ordered_checks(rule)
        elif isinstance(rule, TogetherRule):
            out += _together_checks(rule)
        elif isinstance(rule, WhenRule):
            out += _when_checks(rule)
        elif isinstance(rule, DateSpanRule):
            out += _date_span_checks(rule)
    own: Callable[[FrameData], FrameData | None] = lambda fd: fd  # noqa: E731
    for fk in table.foreign_keys:
        if fk.is_self_reference(table.name):
            out.append(fk_check(table, fk, own))
    for fk in table.acyclic_keys:
        out.append(_cycle_check(fk))
    for rule in table.relation_rules:
        fk = next((k for k in table.foreign_keys if k.fields == (rule.foreign_key,)), None)
        if fk is not None and fk.is_self_reference(table.name):
            out += not_before_checks(table, rule, own)
    return tuple(out)
