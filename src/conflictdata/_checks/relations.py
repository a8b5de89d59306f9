"""Layer 4, across rows and tables: foreign keys (with the pattern checks that wait for
their lookups), acyclic self-references and the notBefore relation rules, all vectorised
over whole columns."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._tableschema.model import ForeignKey
from .._types.ids import id_pattern
from .._types.kernels import cycle_text, cycles, np_mask, regex_mask, take_rows
from .._types.temporal import check_comparable
from ..errors import UnsupportedFeatureError
from .fields import is_none, join_parts, key_values, pattern_mask, report_pattern
from .table import Collector, TableData, quote

__all__ = [
    "check_cycles",
    "check_deferred_patterns",
    "check_foreign_keys",
    "check_not_before",
    "prepare_foreign_keys",
]


def _key_values(td: TableData, names: tuple[str, ...]) -> pa.ChunkedArray | pa.Array:
    """A text key as compared: the raw cell, or the parts joined (an empty part as None)."""
    if len(names) == 1:
        return td.raw[names[0]]
    return key_values(td, names)[0]


def _checked(tds: dict[str, TableData], tables: Collection[str] | None) -> list[TableData]:
    """The tables whose rows are checked (the others are there to be looked up)."""
    return [td for name, td in tds.items() if tables is None or name in tables]


def _usable(tds: dict[str, TableData], td: TableData, fk: ForeignKey) -> TableData | None:
    """The referenced table if both sides have the needed columns (else: skip, reported)."""
    ref = tds.get(fk.resource)
    if ref is None or not ref.readable or not td.readable:
        return None
    if not all(n in td.raw for n in fk.fields) or not all(
        n in ref.raw for n in fk.reference_fields
    ):
        return None
    return ref


_TEXT = ("string", "any")
_NUMERIC = ("integer", "number", "boolean")


def _typed_fk(td: TableData, ref: TableData, fk: ForeignKey) -> tuple[str, ...] | None:
    """How each part of a foreign key compares, as Python's == in frictionless: None when
    every part is plain text on both sides (the raw, fast path); else per part "same" (equal
    types), "float" (integer, number and boolean: ``1`` = ``1.0`` = ``True``) or "never"
    (text and a typed value, or two other types: only None equals None)."""
    pairs = [
        (td.schema.field(a).type, ref.schema.field(b).type)
        for a, b in zip(fk.fields, fk.reference_fields, strict=True)
    ]
    if all(a in _TEXT and b in _TEXT for a, b in pairs) and all(
        n not in side.typed
        for side, names in ((td, fk.fields), (ref, fk.reference_fields))
        for n in names
    ):
        return None  # (a text field in typed holds its cells not of its format as None)
    return tuple(
        "same"
        if a == b or (a in _TEXT and b in _TEXT)
        else "float"
        if a in _NUMERIC and b in _NUMERIC
        else "never"
        for a, b in pairs
    )


def _fk_parts(
    side: TableData, names: tuple[str, ...], modes: tuple[str, ...], tag: str
) -> list[pa.Array]:
    parts = []
    for n, mode in zip(names, modes, strict=True):
        v = side.value(n)
        v = v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
        if mode == "float":
            if pa.types.is_integer(v.type) and len(v) and (pc.max(pc.abs(v)).as_py() or 0) > 2**53:
                raise UnsupportedFeatureError(
                    "integer beyond 2**53 in a foreign key with a number field",
                    None,
                    resource=side.name,
                    field=n,
                )
            v = pc.cast(v, pa.float64())
        elif mode == "never":
            v = pc.if_else(pc.is_valid(v), pa.scalar(tag), pa.scalar(None, pa.string()))
        parts.append(v)
    return parts


def _typed_index(td: TableData, ref: TableData, fk: ForeignKey, modes: tuple[str, ...]) -> pa.Array:
    """Each row's referenced row index for a key with typed parts (null: not found)."""
    _, consider, child_key = key_values(td, fk.fields)
    _, _, ref_key = key_values(ref, fk.reference_fields)
    child = join_parts(_fk_parts(td, fk.fields, modes, "child"))
    target = join_parts(_fk_parts(ref, fk.reference_fields, modes, "ref"))
    found = pc.index_in(child, value_set=target)
    found = pc.if_else(pa.array(consider), found, pa.scalar(None, found.type))
    if child_key is None and ref_key is None:
        return found
    # float64 may join Decimals with more than 15 significant digits: the rows whose key
    # text is that long, on either side, are compared exactly
    at = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    hit = at >= 0
    long = np.zeros(td.n, dtype=bool)
    for side, names, rows in ((td, fk.fields, None), (ref, fk.reference_fields, at)):
        for n in names:
            if side.schema.field(n).type == "number":
                length = np.asarray(
                    pc.fill_null(pc.utf8_length(side.raw[n]), 0).to_numpy(zero_copy_only=False)
                )
                if rows is None:
                    long |= length > 15
                else:  # only the rows that found one read the referenced cell's length
                    long[hit] |= length[rows[hit]] > 15
    check = np.flatnonzero(hit & long)
    if len(check) == 0:
        return found

    def exact(side: TableData, names: tuple[str, ...], key_of: Any, idx: np.ndarray) -> list[Any]:
        if key_of is not None:
            return key_of(idx)
        return list(zip(*(take_rows(side.value(n), idx).to_pylist() for n in names), strict=True))

    same = [
        a == b
        for a, b in zip(
            exact(td, fk.fields, child_key, check),
            exact(ref, fk.reference_fields, ref_key, at[check]),
            strict=True,
        )
    ]
    at[check[~np.asarray(same, dtype=bool)]] = -1
    return _index_array(at)


def _fk_index(td: TableData, ref: TableData, fk: ForeignKey) -> pa.Array | pa.ChunkedArray:
    """Each row's referenced row index (first match), computed once per foreign key: the
    hash of the referenced keys is the costly part, shared by all layer-4 checks."""
    got = td.fk_index.get(fk)
    if got is None:
        how = _typed_fk(td, ref, fk)
        if how is not None:
            got = _typed_index(td, ref, fk, how)
        else:
            got = pc.index_in(
                _key_values(td, fk.fields), value_set=_key_values(ref, fk.reference_fields)
            )
        td.fk_index[fk] = got
    return got


def _key_present(td: TableData, names: tuple[str, ...]) -> np.ndarray:
    """Rows whose key is not all None (empty or invalid cells): frictionless looks those up."""
    return ~np.asarray(np.stack([is_none(td, n) for n in names]).all(axis=0))


def prepare_foreign_keys(
    tds: dict[str, TableData], workers: int, tables: Collection[str] | None = None
) -> None:
    """Compute every foreign key's lookup up front (of the ``tables`` checked; None: all).
    Keys pointing to the same referenced columns are looked up together, so that table's
    hash is built once; groups run in threads (Arrow's kernels release the GIL), biggest
    first. The layer-4 checks then only read them."""
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[TableData, ForeignKey]]] = {}
    for td in _checked(tds, tables):
        for fk in td.schema.foreign_keys:
            ref = _usable(tds, td, fk)
            if ref is not None and _typed_fk(td, ref, fk) is not None:
                _fk_index(td, ref, fk)
            elif ref is not None:
                groups.setdefault((fk.resource, fk.reference_fields), []).append((td, fk))

    def run(key: tuple[str, tuple[str, ...]]) -> None:
        members = groups[key]
        ref = tds[key[0]]
        if _int_lookup(ref, key[1], members):
            return
        children = [_key_values(td, fk.fields) for td, fk in members]
        chunks = [
            c
            for arr in children
            for c in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])
        ]
        found = pc.index_in(
            pa.chunked_array(chunks, pa.string()), value_set=_key_values(ref, key[1])
        )
        offset = 0
        for (td, fk), arr in zip(members, children, strict=True):
            td.fk_index[fk] = found.slice(offset, len(arr))
            offset += len(arr)

    order = sorted(groups, key=lambda k: -sum(td.n for td, _ in groups[k]) - tds[k[0]].n)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
        list(ex.map(run, order))


def _int_lookup(
    ref: TableData, ref_fields: tuple[str, ...], members: list[tuple[TableData, ForeignKey]]
) -> bool:
    """Foreign keys to an ID column (pattern ``^P[0-9]{K,}$``, every key such an ID, all
    distinct): each cell read as an integer and looked up in a table indexed by value —
    the same answers as a string hash lookup, several times faster. False: not applicable."""
    if len(ref_fields) != 1:
        return False
    idp = id_pattern(ref.schema.field(ref_fields[0]).pattern)
    if idp is None:
        return False
    table = ref.id_ints(ref_fields[0], idp[0]).key_table()
    if table is None:
        return False
    for td, fk in members:
        td.fk_index[fk] = _index_array(td.id_ints(fk.fields[0], idp[0]).lookup(table))
    return True


def _index_array(found: np.ndarray) -> pa.Array:
    """Row indices as an Arrow int32 array, -1 as null (like ``pc.index_in`` gives)."""
    found = found.astype(np.int32, copy=False)
    missing = found < 0
    n_null = int(missing.sum())
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if n_null else None
    return pa.Array.from_buffers(
        pa.int32(), len(found), [validity, pa.py_buffer(found)], null_count=n_null
    )


def check_deferred_patterns(
    tds: dict[str, TableData], out: Collector, tables: Collection[str] | None = None
) -> None:
    """E205 for foreign-key fields whose pattern check waited for the lookups: a cell that
    resolves equals a referenced key checked against the same pattern, so it takes that
    key's answer; only the other cells (and every cell when that is not so) get the regex."""
    for td in _checked(tds, tables):
        for name in td.deferred_patterns:
            f = td.schema.field(name)
            s = td.raw[name]
            fk = next(k for k in td.schema.foreign_keys if k.fields == (name,))
            ref = _usable(tds, td, fk)
            ref_ok = None
            if ref is not None and ref.schema.field(fk.reference_fields[0]).pattern == f.pattern:
                ref_ok = ref.pattern_ok.get(fk.reference_fields[0])
            if ref is None or ref_ok is None:
                ok = pattern_mask(td, f, s)
            else:
                found = np.asarray(
                    pc.fill_null(_fk_index(td, ref, fk), -1).to_numpy(zero_copy_only=False),
                    dtype=np.int64,
                )
                hit = found >= 0
                ok = np.zeros(td.n, dtype=bool)
                ok[hit] = ref_ok[found[hit]]
                rest = np.flatnonzero(~hit & td.is_present(name))
                if len(rest):
                    assert f.pattern is not None
                    ok[rest] = regex_mask(take_rows(s, rest), f.pattern)
            report_pattern(td, f, ok, out)


def check_foreign_keys(
    tds: dict[str, TableData], out: Collector, tables: Collection[str] | None = None
) -> None:
    """E401: every non-empty foreign key value is a key of the referenced table (and, first,
    the pattern checks that waited for these lookups). ``tables``: the ones checked (None:
    all); the others in ``tds`` are only looked up."""
    if out.applies("E205"):
        check_deferred_patterns(tds, out, tables)
    if not out.applies("E401"):
        return
    for td in _checked(tds, tables):
        for fk in td.schema.foreign_keys:
            ref = _usable(tds, td, fk)
            if ref is None:
                continue

            def child(td: TableData = td, fk: ForeignKey = fk) -> pa.ChunkedArray | pa.Array:
                if len(fk.fields) == 1:
                    return td.raw[fk.fields[0]]
                return pc.binary_join_element_wise(*(td.raw[n] for n in fk.fields), "+")

            present = _key_present(td, fk.fields)
            if not present.any():
                continue
            ok = np_mask(pc.is_valid(_fk_index(td, ref, fk)))
            bad = np.flatnonzero(present & ~ok)
            target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
            label = "+".join(fk.fields)

            def message(
                v: str | None,
                x: dict[str, Any],
                label: str = label,
                target: str = target,
                where: str = ref.path,
            ) -> str:
                return f"{label} {quote(x['v'])} is not {_an(target)} {target} ({where})"

            out.rows(
                "E401",
                td,
                bad,
                fk.fields[0],
                message,
                extra={"v": child},
                hint=f"use an existing {target} value, or add that {fk.resource} row first",
            )


def _an(word: str) -> str:
    """The indefinite article before ``word`` ("an events.event_id", "a sources.source_id")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def check_cycles(
    tds: dict[str, TableData], out: Collector, tables: Collection[str] | None = None
) -> None:
    """E402 (policy): self-referencing keys must not loop (the rows on a cycle:
    :func:`kernels.cycles`). Table Schema allows cycles; this dataset's references do not."""
    if not out.applies("E402"):
        return
    for td in _checked(tds, tables):
        for fk in td.schema.acyclic_keys:
            if _usable(tds, td, fk) is None:
                continue
            ids = td.raw[fk.reference_fields[0]]
            n = td.n
            if n == 0:
                continue
            parent = _fk_index(td, td, fk)
            links = pc.fill_null(parent, n).to_numpy(zero_copy_only=False).astype(np.int64)
            links[~td.is_present(fk.fields[0])] = n
            on_cycle = cycles(links)
            if not on_cycle:
                continue
            idx = np.asarray(sorted(on_cycle), dtype=np.int64)
            id_list = ids.take(pa.array(idx)).to_pylist() if len(idx) else []
            id_of = dict(zip(idx.tolist(), id_list, strict=True))
            need = {y for cyc in on_cycle.values() for y in cyc} - set(id_of)
            for y in need:
                id_of[y] = ids[y].as_py()
            described = {int(i): cycle_text(on_cycle[int(i)], int(i), id_of) for i in idx}
            name = fk.fields[0]

            def message(v: str | None, x: dict[str, Any], name: str = name) -> str:
                return f"{name} makes a cycle: {x['c']}"

            out.rows("E402", td, idx, name, message, extra={"c": described})


def _taken(td: TableData, name: str, at: pa.Array) -> Callable[[], pa.Array]:
    """A column's cells at the rows ``at``, made only when a finding reads them."""
    return lambda: td.raw[name].take(pc.fill_null(at, 0))


def check_not_before(
    tds: dict[str, TableData], out: Collector, tables: Collection[str] | None = None
) -> None:
    """E403: relationChecks notBefore — a row does not end before the row it points to starts."""
    if not out.applies("E403"):
        return
    for td in _checked(tds, tables):
        for rule in td.schema.relation_rules:
            fld, start, end = rule.foreign_key, rule.start, rule.end
            fk = next(k for k in td.schema.foreign_keys if k.fields == (fld,))
            ref = _usable(tds, td, fk)
            if ref is None or start not in td.typed or start not in ref.typed:
                continue
            own = td.typed[start]
            if end and end in td.typed:
                own = pc.coalesce(td.typed[end], own)
            pidx = _fk_index(td, ref, fk)
            valid = np_mask(pc.is_valid(pidx)) & td.is_present(fld)
            if not valid.any():
                continue
            ref_start = ref.typed[start].take(pc.fill_null(pidx, 0))
            check_comparable(own, ref_start, "relationChecks notBefore", field=start)
            bad = np_mask(pc.less(own, ref_start)) & valid
            idx = np.flatnonzero(bad)
            if len(idx) == 0:
                continue
            # each row's finding is on the column its own date came from
            if end and end in td.typed:
                used_end = np_mask(pc.is_valid(td.typed[end]))[idx]
                by_column = [(end, idx[used_end]), (start, idx[~used_end])]
            else:
                by_column = [(start, idx)]
            for col, sel in by_column:

                def message(
                    v: str | None,
                    x: dict[str, Any],
                    col: str = col,
                    start: str = start,
                    ref: TableData = ref,
                    fld: str = fld,
                ) -> str:
                    return (
                        f"{col} {x['own']} is before {start} {x['ref']} of "
                        f"{ref.name} {x['id']!s}, which {fld} points to"
                    )

                out.rows(
                    "E403",
                    td,
                    sel,
                    col,
                    message,
                    extra={
                        "own": td.cells(col),
                        "ref": _taken(ref, start, pidx),
                        "id": td.cells(fld),
                    },
                )
