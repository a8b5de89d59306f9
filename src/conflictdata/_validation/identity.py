"""IDs over time: every ID of a release is still in the seeds (E407), a released row keeps
its ID (E408), and the next free ID of a table, which hints name.

A released row is matched to a seed row by its cells other than the key and the table's
references to itself (which a renumbering also shifts), compared as text: the release's
typed values written as the seeds spell them (ISO dates, integers), with vectorised joins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.table import Collector, TableData, quote
from .._release.read import read_release
from .._release.verify import verify_file
from .._remote.server import expected_sha256
from .._tableschema.model import TableSchema
from .._types.ids import id_pattern, parse_ids
from .._types.kernels import np_mask
from ..errors import DescriptorError

__all__ = ["check_released_ids", "next_free_id", "row_label"]

#: Field types whose release values read back as the seed's text (compared for renumbering).
_COMPARED_TYPES = ("string", "date", "integer", "year", "yearmonth")
#: A row's short name in messages: the first of these fields the table has.
_LABEL_FIELDS = ("title", "name", "label", "text")
#: Cell separator of a row's content key (a control character no seed cell holds).
_SEP = "\x1f"


def row_label(schema: TableSchema) -> str | None:
    """The field that names a row for a person (``title``, ``name``, …), if the table has one."""
    return next((f for f in _LABEL_FIELDS if f in schema.field_names), None)


def next_free_id(
    td: TableData, released: pa.Array | None = None, skip: np.ndarray | None = None
) -> str | None:
    """The ID a new row of ``td`` takes: one more than the highest ID number in the seeds
    (but the rows ``skip``, whose IDs are wrong) and in the release (a deleted ID is never
    reused), spelled with the pattern's digits."""
    schema = td.schema
    if len(schema.primary_key) != 1 or schema.primary_key[0] not in td.raw:
        return None
    idp = id_pattern(schema.field(schema.primary_key[0]).pattern)
    if idp is None:
        return None
    prefix, digits = idp
    top = 0
    for col, drop in ((td.raw[schema.primary_key[0]], skip), (released, None)):
        if col is None or not len(col):
            continue
        ids = parse_ids(pa.chunked_array([col]) if isinstance(col, pa.Array) else col, prefix)
        ok = ids.ok.copy()
        if drop is not None and len(drop):
            ok[drop] = False
        if ok.any():
            top = max(top, int(ids.val[ok].max()))
    return f"{prefix.decode()}{top + 1:0{digits}d}"


def _as_seed_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A release column as the seed spells it: nulls empty, enums as their text."""
    if not pa.types.is_string(col.type):  # enums (dictionary), dates, integers
        col = col.cast(pa.string())
    return pc.fill_null(col, "")


def _content_fields(seed: TableSchema, rel: TableSchema) -> list[str]:
    """Fields compared to recognise a row: in both schemas, of a type whose release value
    reads back as its text, and neither the key nor a reference to the table itself."""
    own = {f for fk in seed.foreign_keys if fk.is_self_reference(seed.name) for f in fk.fields}
    rel_types = {f.name: f.type for f in rel.fields}
    return [
        f.name
        for f in seed.fields
        if f.name not in seed.primary_key
        and f.name not in own
        and f.type in _COMPARED_TYPES
        and rel_types.get(f.name) == f.type
    ]


def _key(columns: list[pa.ChunkedArray | pa.Array], n: int) -> pa.Array:
    if not columns:
        return pa.array([""] * n, pa.string())
    if len(columns) == 1:
        return pa.chunked_array([columns[0]]).combine_chunks()
    joined = pc.binary_join_element_wise(*columns, _SEP)
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def check_released_ids(
    tds: dict[str, TableData],
    folder: Path,
    out: Collector,
    released: dict[str, pa.Array] | None = None,
) -> dict[str, Any]:
    """E407: an ID of the release in ``folder`` has no row in the seeds; E408: a released
    row is in the seeds under another ID. Returns what was compared, for the report's stats;
    ``released`` gets each compared table's released IDs."""
    release = read_release(folder)
    version = release.version
    resources = {r.get("name"): r for r in release.descriptor.get("resources", [])}
    compared: dict[str, int] = {}
    for name, rel_schema in release.tables.items():
        td = tds.get(name)
        if td is None:
            out.one(
                "E407",
                table=name,
                path=None,
                line=None,
                message=f"table {name!r} of release {version} is not in this package: its "
                "rows are gone",
                hint="put the table back: released rows are never deleted, only retracted",
            )
            continue
        if len(rel_schema.primary_key) != 1 or not td.readable:
            continue
        pk = rel_schema.primary_key[0]
        if td.schema.primary_key != (pk,) or pk not in td.raw:
            continue
        path = folder / rel_schema.path
        try:
            verify_file(
                path,
                expected_sha256(resources.get(name, {})),
                delete=False,
                what=f"table {name!r} of release {version}",
            )
        except ValueError as exc:
            raise DescriptorError(f"{folder / 'datapackage.json'}: {exc}") from None
        fields = _content_fields(td.schema, rel_schema)
        label = row_label(rel_schema)
        wanted = list(dict.fromkeys([pk, *fields, *([label] if label else [])]))
        try:
            import pyarrow.parquet as pq  # only against a release: not for every run

            table = pq.read_table(path, columns=wanted)
        except (OSError, ValueError) as exc:
            raise DescriptorError(f"{path} is not a readable Parquet file: {exc}") from None
        compared[name] = table.num_rows
        _compare(td, table, pk, fields, label, version, out)
        if released is not None:
            released[name] = _as_seed_text(table.column(pk)).combine_chunks()
    return {"version": version, "folder": str(folder), "tables": compared}


def _compare(
    td: TableData,
    rel: pa.Table,
    pk: str,
    fields: list[str],
    label: str | None,
    version: str,
    out: Collector,
) -> None:
    seed_ids = td.raw[pk].combine_chunks()
    rel_ids = _as_seed_text(rel.column(pk)).combine_chunks()
    if not len(rel_ids):
        return
    seed_key = _key([td.raw[f] for f in fields], td.n)
    rel_key = _key([_as_seed_text(rel.column(f)) for f in fields], len(rel_ids))
    # where each released ID is in the seeds (-1: gone), and whether its row there is the same
    at = pc.fill_null(pc.index_in(rel_ids, value_set=seed_ids), -1).to_numpy()
    kept = at >= 0
    same = np.zeros(len(rel_ids), dtype=bool)
    if kept.any():
        same[kept] = np_mask(
            pc.equal(
                rel_key.take(pa.array(np.flatnonzero(kept))), seed_key.take(pa.array(at[kept]))
            )
        )
    moved = np.flatnonzero(~same)  # gone, or its ID now holds another row
    # seed rows holding a moved released row's cells under another ID (first match wins)
    renamed: dict[int, str] = {}
    found_for: set[int] = set()
    if len(moved) and fields:
        moved_keys = rel_key.take(pa.array(moved))
        hit = pc.fill_null(pc.index_in(seed_key, value_set=moved_keys), -1).to_numpy()
        cand = np.flatnonzero(hit >= 0)
        if len(cand):
            was = moved[hit[cand]]
            own_rel = pc.fill_null(
                pc.index_in(seed_ids.take(pa.array(cand)), value_set=rel_ids), -1
            )
            own_rel = own_rel.to_numpy()
            # the seed row is not simply its own released row, unchanged
            own_same = np.zeros(len(cand), dtype=bool)
            has = own_rel >= 0
            if has.any():
                own_same[has] = np_mask(
                    pc.equal(
                        rel_key.take(pa.array(own_rel[has])),
                        seed_key.take(pa.array(cand[has])),
                    )
                )
            old_ids = rel_ids.take(pa.array(was)).to_pylist()
            for row, old, ok, w in zip(
                cand.tolist(), old_ids, ~own_same, was.tolist(), strict=True
            ):
                if ok and w not in found_for:
                    renamed[row] = old
                    found_for.add(w)
    rows = np.asarray(sorted(renamed), dtype=np.int64)
    next_id = next_free_id(td, rel_ids, rows)
    if renamed:
        out.rows(
            "E408",
            td,
            rows,
            pk,
            lambda v, x: (
                f"{quote(v)} holds the row released as {x['was']!r} in {version} (its other "
                "cells are the same): a released row keeps its ID"
            ),
            extra={"was": renamed},
            hint="give the row back its released ID"
            + (f"; a new row takes the next free ID, {next_id}" if next_id else ""),
        )
    gone = np.flatnonzero(~kept)
    gone = gone[~np.isin(gone, np.fromiter(found_for, dtype=np.int64, count=len(found_for)))]
    if not len(gone):
        return
    ids = rel_ids.take(pa.array(gone)).to_pylist()
    names = (
        _as_seed_text(rel.column(label)).take(pa.array(gone)).to_pylist()
        if label
        else [""] * len(ids)
    )
    for rid, title in zip(ids, names, strict=True):
        shown = f" ({quote(title)})" if title else ""
        out.one(
            "E407",
            table=td.name,
            path=td.path,
            line=None,
            field=pk,
            key=rid,
            value=rid,
            message=f"{rid!r}{shown} of release {version} has no row: it was deleted",
        )
