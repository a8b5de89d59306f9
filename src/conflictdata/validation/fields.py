"""Layer 2, each field: type, required, enum, pattern, bounds, lengths, unique, ID
spelling and the primary key, each a vectorised mask over the whole column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..ids import MAX_DIGITS, id_pattern
from ..schema import Field
from .cells import bound as cell_bound
from .cells import read_cells
from .kernels import char_lengths, np_mask, regex_mask, take_rows
from .state import Collector, TableData, quote

__all__ = ["check_fields", "defer_pattern", "pattern_mask", "report_pattern"]



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
             lambda v, x: f"value {quote(v)} does not match the pattern {pat}")


def pattern_mask(td: TableData, f: Field, s: pa.ChunkedArray) -> np.ndarray:
    """Full-match mask of the field's pattern; an ID pattern ``^P[0-9]{K,}$`` is read from
    the parsed IDs (which foreign-key lookups reuse) instead of running a regex."""
    assert f.pattern is not None
    idp = id_pattern(f.pattern)
    if idp is None:
        return regex_mask(s, f.pattern)
    ids = td.id_ints(f.name, idp[0])
    ok = ids.ok & (ids.nd >= idp[1])
    if len(ids.long):
        ok[ids.long] = regex_mask(take_rows(s, ids.long), f.pattern)
    return ok


def _typed(td: TableData, f: Field, s: pa.ChunkedArray, present: np.ndarray,
           out: Collector) -> None:
    """Type-check one column (E202, and E203 for impossible dates) and store its typed
    values, invalid ones as null (the readers: :mod:`.cells`)."""
    r = read_cells(f, s, present)
    if r.typed is not None:
        td.typed[f.name] = r.typed
    if r.ymd is not None:
        td.ymd[f.name] = r.ymd
    bad = present & ~r.ok
    if r.impossible is not None and len(r.impossible):
        out.rows("E203", td, r.impossible, f.name,
                 lambda v, x: f"{quote(v)} is not a calendar date")
        bad[r.impossible] = False
    what = r.what
    out.rows("E202", td, np.flatnonzero(bad), f.name, lambda v, x: f"{quote(v)} is not {what}")


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
                     lambda v, x: f"value {quote(v)} is not one of: {shown}")
        if f.pattern is not None:
            if defer_pattern(td, f):
                td.deferred_patterns.append(name)  # relations.check_deferred_patterns
            else:
                ok = pattern_mask(td, f, s)
                td.pattern_ok[name] = ok
                report_pattern(td, f, ok, out)
        if out.strict and f.pattern is not None and id_pattern(f.pattern) is not None:
            _check_id_spelling(td, f, out)
        typed = td.typed.get(name)
        for code, bound, op, word in (("E206", f.minimum, pc.less, "below the minimum"),
                                      ("E207", f.maximum, pc.greater, "above the maximum")):
            if bound is None or typed is None:
                continue
            try:
                b = cell_bound(f, bound)
            except (ValueError, TypeError):
                continue
            bad = np.flatnonzero(np_mask(op(typed, b)))
            out.rows(code, td, bad, name,
                     lambda v, x, word=word, bound=bound: f"value {quote(v)} is {word} {bound}")
        if f.min_length is not None or f.max_length is not None:
            length = char_lengths(s, present, f.min_length, f.max_length)
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
                     lambda v, x: f"{quote(v)} is already used on line {x['first']}",
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
        return (f"{quote(v)} has extra leading zeros: the one spelling of this ID is "
                f"{quote(canon)}{also}")

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
             lambda v, x: f"{label} {quote(x['key'])} is already used on line {x['first']}",
             extra={"first": dict(zip(dup.tolist(), first_lines)),
                    "key": values})
