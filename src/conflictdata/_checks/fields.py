"""Layer 2, each field: type, required, enum, pattern, bounds, lengths, unique, ID
spelling and the primary key, each a vectorised mask over the whole column."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._tableschema.model import Bound, Field
from .._types.ids import MAX_DIGITS, id_pattern
from .._types.kernels import char_lengths, np_mask, regex_mask, take_rows
from .._types.numbers import NumberType
from .._types.spec import Read
from .._types.temporal import code_kind
from ..errors import UnsupportedFeatureError
from .table import Collector, TableData, quote

__all__ = [
    "check_field",
    "check_fields",
    "check_primary_key",
    "check_type",
    "defer_pattern",
    "is_none",
    "join_parts",
    "key_values",
    "pattern_mask",
    "read_types",
    "report_pattern",
]


def defer_pattern(td: TableData, f: Field) -> bool:
    """A non-ID pattern on a single-field foreign key is checked after the key lookups
    (relations.check_deferred_patterns): cells equal to a referenced key that was checked
    against the same pattern share its answer, so only the other cells need the regex."""
    return (
        id_pattern(f.pattern) is None
        and f.format == "default"
        and any(fk.fields == (f.name,) for fk in td.schema.foreign_keys)
    )


def report_pattern(
    td: TableData, f: Field, ok: np.ndarray, out: Collector, valid: np.ndarray | None = None
) -> None:
    """E205 for every non-empty cell of ``f`` (every ``valid`` one: a cell that is not of
    its format is not checked further) that ``ok`` (the full-match mask) rejects."""
    pat = f.pattern
    cells = td.is_present(f.name) if valid is None else valid
    out.rows(
        "E205",
        td,
        np.flatnonzero(cells & ~ok),
        f.name,
        lambda v, x: f"value {quote(v)} does not match the pattern {pat}",
    )


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


def _store(td: TableData, f: Field, present: np.ndarray) -> tuple[np.ndarray, Read]:
    """Read the column of ``f`` as its type (:meth:`TableData.read`) and keep its typed
    values for the later layers, invalid ones as null; return the valid cells and the read."""
    r = td.read(f, present)
    if r.typed is not None:
        td.typed[f.name] = r.typed
    elif not (present & ~r.ok).any():
        pass
    else:  # text of a format: a cell not of it is None in keys, as frictionless reads it
        td.typed[f.name] = pc.if_else(
            pa.array(present & r.ok), td.raw[f.name].combine_chunks(), pa.scalar(None, pa.string())
        )
    if r.ymd is not None:
        td.ymd[f.name] = r.ymd
    if r.lengths is not None:
        td.lengths[f.name] = r.lengths
    return present & r.ok, r


def read_types(td: TableData, names: Collection[str] | None = None) -> None:
    """The columns ``names`` (None: all) read as their types, nothing reported: for a table
    the checks only look up (the release's tables a frame's keys point to), or a rule run
    on its own."""
    for f in td.schema.fields:
        if (names is None or f.name in names) and f.name in td.raw and f.name not in td.typed:
            _store(td, f, td.is_present(f.name))


def check_type(td: TableData, f: Field, present: np.ndarray, out: Collector) -> np.ndarray:
    """Type-check one column (E202, and E203 for impossible dates) and store its typed
    values (:func:`_store`); return the valid cells."""
    valid, r = _store(td, f, present)
    bad = present & ~r.ok
    if r.impossible is not None and len(r.impossible):
        out.rows(
            "E203", td, r.impossible, f.name, lambda v, x: f"{quote(v)} is not a calendar date"
        )
        bad[r.impossible] = False
    what = r.what
    out.rows("E202", td, np.flatnonzero(bad), f.name, lambda v, x: f"{quote(v)} is not {what}")
    return valid


def _is_nan(typed: pa.Array) -> np.ndarray:
    """NaN cells of a float column (they equal nothing and fail every bound)."""
    if not pa.types.is_floating(typed.type):
        return np.zeros(len(typed), dtype=bool)
    return np_mask(pc.is_nan(typed))


def _exact(f: Field) -> NumberType | None:
    """A number read as Decimal (float64 settles every comparison but ties and long cells)."""
    vt = f.value_type
    return vt if isinstance(vt, NumberType) and vt.exact_values else None


def _enum_bad(td: TableData, f: Field, valid: np.ndarray) -> np.ndarray:
    """Valid cells whose value is not in the enum, compared as frictionless does: text for
    string and any, typed values for the rest (the items as the field's type read them,
    :attr:`Field.enum_values`)."""
    values = list(f.enum_values or ())
    typed = td.typed.get(f.name) if not f.value_type.text_compared else None
    if typed is None:
        return valid & ~np_mask(pc.is_in(td.raw[f.name], value_set=pa.array(values, pa.string())))
    if f.type == "integer":
        values = [v for v in values if -(2**63) <= v < 2**63]
    vt = f.value_type
    vs = vt.enum_form(vt.array(values))
    ok = np_mask(pc.is_in(vt.enum_form(typed), value_set=vs)) & ~_is_nan(typed)
    exact = _exact(f)
    if exact is not None:  # float64 equality may join long decimals: settle those exactly
        s = td.raw[f.name]
        long = np.flatnonzero(ok & valid & np_mask(pc.greater(pc.utf8_length(s), 15)))
        if len(long):
            items = set(values)
            ok[long] = [v in items for v in exact.exact(s, long)]
    return valid & ~ok


_BOUNDS = {
    "minimum": ("E206", pc.less, "below the minimum"),
    "maximum": ("E207", pc.greater, "above the maximum"),
    "exclusiveMinimum": ("E206", pc.less_equal, "not above the exclusive minimum"),
    "exclusiveMaximum": ("E207", pc.greater_equal, "not below the exclusive maximum"),
}
_EXACT_OP = {
    "minimum": lambda c, b: c < b,
    "maximum": lambda c, b: c > b,
    "exclusiveMinimum": lambda c, b: c <= b,
    "exclusiveMaximum": lambda c, b: c >= b,
}


def _refuse_mixed_kinds(f: Field, b: Bound, typed: pa.Array, valid: np.ndarray) -> None:
    """A datetime or time bound with a UTC offset compared with a value without (or the
    reverse): Python (and frictionless) cannot order them, so the run is refused."""
    bk = int(code_kind(pa.array([b.scalar]))[0])
    kinds = code_kind(typed)
    mixed = valid & (kinds >= 0) & (kinds != bk)
    if mixed.any():
        raise UnsupportedFeatureError(
            f"constraints.{b.key}",
            b.written,
            field=f.name,
            why=f"a {f.type} {'with' if bk else 'without'} a UTC offset, compared with "
            f"data row {int(np.flatnonzero(mixed)[0]) + 1}, which has "
            f"{'none' if bk else 'one'}: Python (and frictionless) cannot order them",
        )


def _check_bounds(td: TableData, f: Field, valid: np.ndarray, out: Collector) -> None:
    """E206/E207: each bound compared with the typed values (NaN fails every bound, as in
    frictionless; a tie of float64 values is settled with the exact Decimals)."""
    typed = td.typed.get(f.name)
    if typed is None or not f.bounds:
        return
    if f.type in ("datetime", "time"):
        for b in f.bounds:
            _refuse_mixed_kinds(f, b, typed, valid)
    nan = _is_nan(typed)
    exact = _exact(f)
    for b in f.bounds:
        code, op, word = _BOUNDS[b.key]
        bad = np_mask(op(typed, b.scalar)) | (nan & valid)
        if exact is not None:
            tie = np.flatnonzero(np_mask(pc.equal(typed, b.scalar)))
            if len(tie):
                ties = exact.exact(td.raw[f.name], tie)
                bad[tie] = [_EXACT_OP[b.key](v, b.value) for v in ties]

        def message(
            v: str | None, x: dict[str, Any], word: str = word, bound: Any = b.written
        ) -> str:
            return f"value {quote(v)} is {word} {bound}"

        out.rows(code, td, np.flatnonzero(bad & valid), f.name, message)


#: a composite key part that is None (empty, or not a value of its type)
_NONE = "\x00"


def key_values(
    td: TableData, names: tuple[str, ...]
) -> tuple[pa.Array | pa.ChunkedArray, np.ndarray, Callable[[np.ndarray], list[Any]] | None]:
    """A key as frictionless compares it: the tuple of the fields' values, text for string
    and any, typed values for the rest (``01`` is ``1``, ``true`` is ``True``), None for an
    empty or invalid cell. Returns (one comparable value per row, the rows whose key is not
    all None and holds no NaN, and for Decimal keys the exact Python keys of given rows,
    which settle the few float64 collisions)."""
    fields = [td.schema.field(n) for n in names]
    typed = [not f.value_type.text_compared for f in fields]
    exacts = [_exact(f) for f in fields]
    key_of = None
    if any(e is not None for e in exacts):

        def key_of(idx: np.ndarray) -> list[Any]:
            cols = [
                e.exact(td.raw[f.name], idx)
                if e is not None
                else take_rows(td.value(f.name), idx).to_pylist()
                for f, e in zip(fields, exacts, strict=True)
            ]
            return list(zip(*cols, strict=True))

    if not any(typed) and all(td.is_present(n).all() and n not in td.typed for n in names):
        values = (
            td.raw[names[0]]
            if len(names) == 1
            else pc.binary_join_element_wise(*(td.raw[n] for n in names), "\x1f")
        )
        return values, np.ones(td.n, dtype=bool), key_of
    parts = []
    some = np.zeros(td.n, dtype=bool)
    nan = np.zeros(td.n, dtype=bool)
    for n in names:
        v = td.value(n)
        if isinstance(v, pa.ChunkedArray):
            v = v.combine_chunks()
        some |= np_mask(pc.is_valid(v))
        nan |= _is_nan(v)
        parts.append(v)
    return join_parts(parts), some & ~nan, key_of


def is_none(td: TableData, name: str) -> np.ndarray:
    """Cells frictionless reads as None: empty, or not a value of the field's type."""
    typed = td.typed.get(name)
    return ~td.is_present(name) if typed is None else np_mask(pc.is_null(typed))


def join_parts(parts: list[pa.Array]) -> pa.Array:
    """One comparable value per row from a key's parts (nulls: None, equal to None)."""
    if len(parts) == 1:
        return parts[0]
    strs = [
        pc.fill_null(p if pa.types.is_string(p.type) else pc.cast(p, pa.string()), _NONE)
        for p in parts
    ]
    return pc.binary_join_element_wise(*strs, "\x1f")


def _duplicates(
    values: pa.ChunkedArray | pa.Array,
    consider: np.ndarray,
    key_of: Callable[[np.ndarray], list[Any]] | None = None,
) -> tuple[np.ndarray, list[int]]:
    """Row indices (among ``consider``) repeating an earlier row's value, and that earlier
    row's index; ``key_of`` gives the exact keys of the candidate rows when ``values`` may
    join unequal ones."""
    if len(pc.unique(values)) == len(values):  # the common case, and cheaper to prove
        return np.zeros(0, dtype=np.int64), []
    vc = pc.value_counts(values)
    repeated = vc.field("values").filter(pc.greater(vc.field("counts"), 1))
    if len(repeated) == 0:
        return np.zeros(0, dtype=np.int64), []
    hit = np.flatnonzero(np_mask(pc.is_in(values, value_set=repeated)) & consider)
    keys = key_of(hit) if key_of is not None else values.take(pa.array(hit)).to_pylist()
    first: dict[Any, int] = {}
    dup: list[int] = []
    firsts: list[int] = []
    for i, v in zip(hit.tolist(), keys, strict=True):
        if v in first:
            dup.append(i)
            firsts.append(first[v])
        else:
            first[v] = i
    return np.asarray(dup, dtype=np.int64), firsts


def check_fields(td: TableData, out: Collector) -> None:
    """Layer 2: type, required, enum, pattern, bounds, lengths, unique and primary key."""
    for f in td.schema.fields:
        check_field(td, f, out)
    check_primary_key(td, out)


def check_field(td: TableData, f: Field, out: Collector, *, defer: bool = True) -> None:
    """Every rule of one field: type, required, enum, pattern, bounds, lengths, unique and
    the ID spelling. ``defer``: a foreign key's pattern waits for the key lookups
    (:func:`defer_pattern`); without it, it is checked here (a run of this field alone)."""
    if f.name not in td.raw:
        return
    present = td.is_present(f.name)
    valid = check_type(td, f, present, out)
    name = f.name
    if f.required and out.applies("E201"):  # a key field too (its row may also get E212)
        out.rows(
            "E201",
            td,
            np.flatnonzero(~present),
            name,
            lambda v, x: f"{name} is required but empty",
        )
    if f.enum is not None and out.applies("E204"):
        allowed = list(f.enum)
        shown = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
        out.rows(
            "E204",
            td,
            np.flatnonzero(_enum_bad(td, f, valid)),
            name,
            lambda v, x: f"value {quote(v)} is not one of: {shown}",
        )
    if f.pattern is not None and out.applies("E205"):
        if defer and defer_pattern(td, f):
            td.deferred_patterns.append(name)  # relations.check_deferred_patterns
        else:
            ok = pattern_mask(td, f, td.raw[name])
            td.pattern_ok[name] = ok
            report_pattern(td, f, ok, out, valid)
    if out.applies("E213") and f.pattern is not None:
        idp = id_pattern(f.pattern)
        if idp is not None:
            _check_id_spelling(td, f, idp, out)
    if out.applies("E206") or out.applies("E207"):
        _check_bounds(td, f, valid, out)
    if out.applies("E230") and f.type == "number":
        typed = td.typed[name]
        idx = np.flatnonzero(valid & ~np_mask(pc.is_finite(typed)))
        out.rows("E230", td, idx, name, lambda v, x: f"{quote(v)} is not a finite number")
    if (f.min_length is not None or f.max_length is not None) and (
        out.applies("E208") or out.applies("E209")
    ):
        length = td.lengths.get(name)
        unit = "items" if length is not None else "characters"
        if length is None:
            length = char_lengths(td.raw[name], present, f.min_length, f.max_length)
        counted = {"n": pa.array(length)} if unit == "items" else None

        def count(v: str | None, x: dict[str, Any]) -> int:
            return int(x["n"]) if "n" in x else len(v or "")

        if f.min_length is not None:
            lo = f.min_length
            out.rows(
                "E208",
                td,
                np.flatnonzero(valid & (length < lo)),
                name,
                lambda v, x: f"{count(v, x)} {unit}, fewer than the minimum {lo}",
                extra=counted,
            )
        if f.max_length is not None:
            hi = f.max_length
            out.rows(
                "E209",
                td,
                np.flatnonzero(valid & (length > hi)),
                name,
                lambda v, x: f"{count(v, x)} {unit}, more than the maximum {hi}",
                extra=counted,
            )
    if f.unique and out.applies("E210") and not _distinct_ids(td, name):  # a key too
        values, consider, key_of = key_values(td, (name,))
        dup, firsts = _duplicates(values, consider, key_of)
        first_rows = [td.row_name(i) for i in firsts]
        out.rows(
            "E210",
            td,
            dup,
            name,
            lambda v, x: f"{quote(v)} is already used on {x['first']}",
            extra={"first": dict(zip(dup.tolist(), first_rows, strict=True))},
        )


_POW10 = np.array([10**k for k in range(MAX_DIGITS + 1)], dtype=np.int64)


def _check_id_spelling(td: TableData, f: Field, idp: tuple[bytes, int], out: Collector) -> None:
    """E213: one spelling per ID number. An ID has the pattern's minimum number of digits,
    and more only without a leading zero (``evt-0001``, ``evt-10000``; not ``evt-00001``),
    so two IDs that are equal as numbers are equal as text. Read from the parsed IDs."""
    prefix, width = idp
    ids = td.id_ints(f.name, prefix)
    bad = ids.ok & (ids.nd > max(width, 1)) & (ids.val < _POW10[np.maximum(ids.nd, 1) - 1])
    idx = np.flatnonzero(bad)
    if len(ids.long):  # more than 18 digits: look at those few cells one by one
        long_vals = take_rows(td.raw[f.name], ids.long).to_pylist()
        rests = [(i, v[len(prefix) :]) for i, v in zip(ids.long.tolist(), long_vals, strict=True)]
        lead = [
            i
            for i, r in rests
            if r.isascii() and r.isdigit() and len(r) > max(width, 1) and r[0] == "0"
        ]
        idx = np.union1d(idx, np.asarray(lead, dtype=np.int64))
    if len(idx) == 0:
        return
    # For each bad row, another row holding the same number (numbers that fit int64).
    same: dict[int, str] = {}
    nums = ids.val[idx[bad[idx]]] if len(idx) else np.zeros(0, dtype=np.int64)
    if len(nums):
        peers = np.flatnonzero(ids.ok & np.isin(ids.val, nums))
        first_of: dict[int, list[int]] = {}
        for r, v in zip(peers.tolist(), ids.val[peers].tolist(), strict=True):
            first_of.setdefault(v, []).append(r)
        for r in idx.tolist():
            if bad[r]:
                other = [p for p in first_of.get(int(ids.val[r]), []) if p != r]
                if other:
                    same[r] = td.row_name(other[0])
    digits = prefix.decode()

    def message(v: str | None, x: dict[str, Any]) -> str:
        text = v or ""
        num = text[len(digits) :].lstrip("0")
        canon = digits + num.rjust(width, "0")
        also = f"; {x['line']} spells the same number" if x["line"] is not None else ""
        return (
            f"{quote(v)} has extra leading zeros: the one spelling of this ID is "
            f"{quote(canon)}{also}"
        )

    out.rows(
        "E213",
        td,
        idx,
        f.name,
        message,
        extra={"line": {r: same.get(r) for r in idx.tolist()}},
        hint=f"write IDs with exactly {width} digits, or more without a leading zero",
    )


def _distinct_ids(td: TableData, name: str) -> bool:
    """True when the field has an ID pattern, every cell is such an ID and no two are equal:
    proved from the parsed integers, without hashing strings. False means: check generally."""
    idp = id_pattern(td.schema.field(name).pattern) if name in td.raw else None
    if idp is None:
        return False
    return td.id_ints(name, idp[0]).key_table() is not None


def check_primary_key(td: TableData, out: Collector) -> None:
    """E212 for a row whose key cells are all None (empty or invalid), E211 for a key tuple
    already seen, a None part comparing equal to None: frictionless' primary-key rule."""
    pk = td.schema.primary_key
    if not pk or not all(k in td.raw for k in pk):
        return
    fast = len(pk) == 1 and _distinct_ids(td, pk[0])
    values, consider, key_of = (
        (td.raw[pk[0]], np.ones(td.n, bool), None) if fast else key_values(td, pk)
    )
    none = (
        np.asarray(np.stack([is_none(td, k) for k in pk]).all(axis=0))
        if not fast
        else np.zeros(td.n, dtype=bool)
    )
    label = "+".join(pk)
    out.rows(
        "E212",
        td,
        np.flatnonzero(none),
        pk[0],
        lambda v, x: f"the primary key {label} is empty or not a valid value",
    )
    if fast or not out.applies("E211"):
        return
    dup, firsts = _duplicates(values, consider & ~none, key_of)
    first_rows = [td.row_name(i) for i in firsts]
    shown = (
        td.raw[pk[0]]
        if len(pk) == 1
        else pc.binary_join_element_wise(*(td.raw[k] for k in pk), "+")
    )
    out.rows(
        "E211",
        td,
        dup,
        pk[0],
        lambda v, x: f"{label} {quote(x['key'])} is already used on {x['first']}",
        extra={"first": dict(zip(dup.tolist(), first_rows, strict=True)), "key": shown},
    )
