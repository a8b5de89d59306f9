"""Compare two releases: rows added, withdrawn (tombstoned), deleted and changed per table, by
stable ID, and schema changes. The build writes this as the release's CHANGELOG.md and its
change feed (``changes.parquet``); ``conflictdata diff`` prints the same comparison.

Rows are matched by the table's primary key with vectorised pyarrow operations; only the
rows that differ are turned into Python objects, to be listed. Every string that comes from
data (IDs, titles, values, field, table and enum names) is escaped where it is rendered:
Markdown through :func:`~conflictdata._util.text.md_text` / ``md_code``, JSON with every
character a terminal would act on written as a ``\\u`` escape.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._release.read import read_release
from .._release.verify import verify_file
from .._tableschema.model import TableSchema
from .._types.ids import release_order
from .._util.jsonio import dump_json
from .._util.text import md_code, md_text
from ..errors import DescriptorError

__all__ = [
    "ACTIVE_STATUS",
    "CHANGES_SCHEMA",
    "CHANGE_KINDS",
    "ROW_CHANGES_SCHEMA",
    "STATUS_FIELD",
    "FieldChange",
    "ReleaseDiff",
    "RowChange",
    "SchemaChange",
    "TableDiff",
    "Tombstone",
    "as_text",
    "diff_releases",
    "label_field",
    "read_table",
    "table_diff",
    "write_changes",
]

#: The lifecycle field of fact tables; any value other than ACTIVE_STATUS marks a tombstone.
STATUS_FIELD = "record_status"
ACTIVE_STATUS = "active"
_SUPERSEDED_BY = "superseded_by"
#: Longest value shown in Markdown; the JSON output keeps values whole.
_MD_VALUE_MAX = 200
#: Longest row title shown in Markdown.
_MD_TITLE_MAX = 120
#: Rows listed per section of the Markdown changelog; the rest are counted, and the change
#: feed and the JSON output list every one.
MD_ROWS_MAX = 500

#: Kinds of change in the feed: a row added or removed, a row retired as a tombstone (its
#: status and superseded_by cells carry the kind), any other cell changed. Every changed row
#: has exactly one kind, which all its feed rows share.
CHANGE_KINDS = ("added", "removed", "retracted", "superseded", "field_changed")
#: The change feed (``changes.parquet`` of a release, ``conflictdata.changes()``): one row per
#: changed cell (or per removed row, ``field`` null). Values are text in the form the field's
#: Table Schema type (``field_type``) reads back: ISO dates and UTC times ("...Z"), true/false,
#: numbers as Arrow writes them; a null cell is a null value. An added row is one "added" row
#: per cell that is not null. Rows, not cells: count distinct ``key`` per table and kind, or
#: use :meth:`ReleaseDiff.rows`.
CHANGES_SCHEMA = pa.schema(
    [
        pa.field("old_version", pa.string()),
        pa.field("new_version", pa.string(), nullable=False),
        pa.field("table", pa.string(), nullable=False),
        pa.field("key_field", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("field", pa.string()),
        pa.field("field_type", pa.string()),
        pa.field("old_value", pa.string()),
        pa.field("new_value", pa.string()),
    ]
)
_TEXT = pa.string()
_FEED_SCHEMA = pa.schema(
    [f for f in CHANGES_SCHEMA if f.name not in ("old_version", "new_version")]
)
#: The row-level view of the feed (:meth:`ReleaseDiff.rows`): one row per changed row, its
#: kind, its title (the table's :func:`label_field`, null where it has none) and how many
#: cells the feed lists for it.
ROW_CHANGES_SCHEMA = pa.schema(
    [
        pa.field("old_version", pa.string()),
        pa.field("new_version", pa.string(), nullable=False),
        pa.field("table", pa.string(), nullable=False),
        pa.field("key_field", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("cells", pa.int64(), nullable=False),
    ]
)


@dataclass(frozen=True)
class FieldChange:
    """One cell of a row that changed: ``old`` is None for a null cell or a field just added."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowChange:
    id: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Tombstone:
    """A row that stays, retired: its status moved from active to retracted/superseded."""

    id: str
    status: str
    superseded_by: str | None = None


@dataclass(frozen=True)
class SchemaChange:
    """kind: field added | field removed | field retyped | enum value added | enum value removed
    | required changed | primary key changed."""

    kind: str
    field: str
    detail: str = ""


@dataclass
class TableDiff:
    """What changed in one table between two releases.

    The counts add up: ``new_rows == old_rows + len(added) - len(deleted)`` (a withdrawn row
    is still a row); each listed row is in exactly one of added, tombstoned, deleted, changed.
    """

    table: str
    old_rows: int | None
    new_rows: int | None
    added: list[str] = field(default_factory=list)
    tombstoned: list[Tombstone] = field(default_factory=list)
    #: IDs present before and absent now without a tombstone row: forbidden, IDs are forever.
    deleted: list[str] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
    #: The field that names a row for people (:func:`label_field`), None where there is none.
    label_field: str | None = None
    #: ID -> title (the label field's value; the old one for a deleted row) of every row
    #: listed above; None where the cell is null.
    titles: dict[str, str | None] = field(default_factory=dict)
    #: The same changes as rows of the change feed (:data:`CHANGES_SCHEMA` without the
    #: version columns), from the same comparison; None when nothing was compared.
    feed: pa.Table | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> str:
        if self.old_rows is None:
            return "table added"
        if self.new_rows is None:
            return "table removed"
        if self.added or self.tombstoned or self.deleted or self.changed or self.schema:
            return "changed"
        return "unchanged"

    def counts(self) -> dict[str, int | None]:
        """The changelog's numbers: rows before and after, rows added, withdrawn, deleted
        without a tombstone and changed, and schema changes."""
        return {
            "old_rows": self.old_rows,
            "new_rows": self.new_rows,
            "added": len(self.added),
            "withdrawn": len(self.tombstoned),
            "deleted": len(self.deleted),
            "changed": len(self.changed),
            "schema": len(self.schema),
        }


@dataclass
class ReleaseDiff:
    """Per-table differences between an old and a new release (old None: initial release).

    One comparison, several renderings: :meth:`to_markdown` (CHANGELOG.md, ``conflictdata
    diff``), :meth:`to_json`, :meth:`changes` (the feed, cell by cell) and :meth:`rows` (the
    feed, row by row); :meth:`TableDiff.counts` gives the numbers all of them agree on.
    """

    old_version: str | None
    new_version: str
    new_created: str
    tables: list[TableDiff]

    @property
    def deleted(self) -> dict[str, list[str]]:
        """IDs that vanished without a tombstone, by table (a build refuses these)."""
        return {t.table: t.deleted for t in self.tables if t.deleted}

    @property
    def is_empty(self) -> bool:
        return all(t.status == "unchanged" for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """Everything compared, as plain JSON values: every listed row, titles, counts."""
        tables = []
        for t in self.tables:
            d = asdict(replace(t, feed=None))
            d.pop("feed")
            d["status"] = t.status
            d["counts"] = t.counts()
            for rc in d["changed"]:
                for fc in rc["changes"]:
                    fc["old"], fc["new"] = _plain(fc["old"]), _plain(fc["new"])
            tables.append(d)
        return {"old": self.old_version, "new": self.new_version, "tables": tables}

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text that prints as itself: characters a terminal would act
        on or hide (ESC, bidi controls, line separators, lone surrogates) are ``\\u`` escapes."""
        return dump_json(self.to_dict(), indent=2) + "\n"

    def to_markdown(self) -> str:
        return _markdown(self)

    def changes(self) -> pa.Table:
        """The change feed: one row per changed cell or row, every table, in release order
        (see :data:`CHANGES_SCHEMA`); empty for an initial release."""
        parts = [t.feed for t in self.tables if t.feed is not None and t.feed.num_rows]
        if not parts:
            return CHANGES_SCHEMA.empty_table()
        feed = pa.concat_tables(parts)
        return _with_versions(feed, self.old_version, self.new_version, CHANGES_SCHEMA)

    def rows(self) -> pa.Table:
        """The change feed row by row (:data:`ROW_CHANGES_SCHEMA`): one row per changed row,
        in the feed's order, with its kind, title and number of changed cells."""
        parts = []
        for t in self.tables:
            if t.feed is None or not t.feed.num_rows:
                continue
            keys = t.feed.column("key").combine_chunks()
            n = len(keys)
            starts = np.flatnonzero(
                np.concatenate(
                    [[True], pc.not_equal(keys[1:], keys[:-1]).to_numpy(zero_copy_only=False)]
                )
            )
            cells = np.diff(np.append(starts, n))
            first = t.feed.take(pa.array(starts))
            ids = first.column("key").to_pylist()
            parts.append(
                pa.table(
                    {
                        "table": first.column("table"),
                        "key_field": first.column("key_field"),
                        "key": first.column("key"),
                        "kind": first.column("kind"),
                        "title": pa.array([t.titles.get(i) for i in ids], pa.string()),
                        "cells": pa.array(cells, pa.int64()),
                    }
                )
            )
        if not parts:
            return ROW_CHANGES_SCHEMA.empty_table()
        return _with_versions(
            pa.concat_tables(parts), self.old_version, self.new_version, ROW_CHANGES_SCHEMA
        )


def _with_versions(table: pa.Table, old: str | None, new: str, schema: pa.Schema) -> pa.Table:
    n = table.num_rows
    columns = {
        "old_version": pa.repeat(pa.scalar(old, pa.string()), n),
        "new_version": pa.repeat(pa.scalar(new, pa.string()), n),
        **{name: table.column(name) for name in table.column_names},
    }
    return pa.table(columns, schema=schema)


def label_field(schema: TableSchema) -> str | None:
    """The field that names a row for people (an event's title, an actor's name), derived
    from the schema: its first required free-text field, i.e. a string field with no enum,
    pattern or format that is no key and not the source excerpt. None when there is none."""
    keys = set(schema.primary_key) | {f for fk in schema.foreign_keys for f in fk.fields}
    for f in schema.fields:
        if (
            f.type == "string"
            and f.required
            and not f.is_enum
            and f.pattern is None
            and f.format == "default"
            and f.name not in keys
            and f.name != schema.excerpt_field
        ):
            return f.name
    return None


# --------------------------------------------------------------------------- reading releases


def read_table(folder: Path, schema: TableSchema) -> pa.Table:
    """A release table for comparing, in release order (:func:`conflictdata._types.ids.release_order`,
    IDs by number, as the build wrote it). Enum columns stay dictionaries: compared by index
    where two releases declare the same values, as text where they do not."""
    path = folder / schema.path
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DescriptorError(f"cannot read {path}: {exc}") from None
    keys = [k for k in schema.primary_key if k in table.column_names]
    if keys and len(keys) == len(schema.primary_key):
        order, _ = release_order(keys, _key_pattern(schema), {k: table.column(k) for k in keys})
        if order is not None:  # a release the build did not write
            table = table.take(order)
    return table


# --------------------------------------------------------------------------- comparing


def _schema_changes(old: TableSchema, new: TableSchema) -> list[SchemaChange]:
    out: list[SchemaChange] = []
    old_f = {f.name: f for f in old.fields}
    new_f = {f.name: f for f in new.fields}
    for name, f in new_f.items():
        if name not in old_f:
            out.append(SchemaChange("field added", name, f.type))
    for name, f in old_f.items():
        if name not in new_f:
            out.append(SchemaChange("field removed", name, f.type))
            continue
        n = new_f[name]
        old_t = f.type + (" (enum)" if f.is_enum else "")
        new_t = n.type + (" (enum)" if n.is_enum else "")
        if old_t != new_t:
            out.append(SchemaChange("field retyped", name, f"{old_t} -> {new_t}"))
        if f.is_enum and n.is_enum:
            for v in n.enum or ():
                if v not in (f.enum or ()):
                    out.append(SchemaChange("enum value added", name, v))
            for v in f.enum or ():
                if v not in (n.enum or ()):
                    out.append(SchemaChange("enum value removed", name, v))
        if f.required != n.required:
            out.append(SchemaChange("required changed", name, f"{f.required} -> {n.required}"))
    if old.primary_key != new.primary_key:
        out.append(
            SchemaChange(
                "primary key changed", ",".join(new.primary_key), ",".join(old.primary_key)
            )
        )
    return out


def _one_dictionary(col: pa.ChunkedArray) -> pa.Array | None:
    """The dictionary every chunk of a dictionary column shares, else None."""
    if not pa.types.is_dictionary(col.type) or col.num_chunks == 0:
        return None
    first = col.chunk(0).dictionary
    return first if all(c.dictionary.equals(first) for c in col.chunks[1:]) else None


def _differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """Element-wise 'a != b' where null equals null and null differs from a value; None when
    the columns are equal (the common case, found without an element-wise pass). Enum
    columns compare their indices when both share one dictionary, else their text."""
    if a.equals(b):
        return None
    if pa.types.is_dictionary(a.type) or pa.types.is_dictionary(b.type):
        da, db = _one_dictionary(a), _one_dictionary(b)
        if da is not None and db is not None and da.equals(db):
            a = pa.chunked_array([c.indices for c in a.chunks], a.type.index_type)
            b = pa.chunked_array([c.indices for c in b.chunks], b.type.index_type)
        else:
            a, b = as_text(a), as_text(b)
    if a.type != b.type:  # a retyped field: compare in the new type if the old casts to it
        try:
            a = a.cast(b.type)
        except pa.ArrowException:
            try:
                a, b = a.cast(pa.string()), b.cast(pa.string())
            except pa.ArrowException:
                return pa.chunked_array([pa.array([True] * len(a), pa.bool_())])
    na, nb = pc.is_null(a), pc.is_null(b)
    neq = pc.fill_null(pc.not_equal(a, b), False)
    return pc.or_(neq, pc.xor(na, nb))


def as_text(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A typed release column as the change feed's text: ISO dates, UTC times as
    ``YYYY-MM-DDTHH:MM:SSZ``, true/false, numbers as Arrow writes them; nulls stay null."""
    t = col.type
    if pa.types.is_string(t):
        return col
    if pa.types.is_dictionary(t):
        return col.cast(pa.string())
    if pa.types.is_timestamp(t):
        utc = col if t.tz in (None, "UTC", "+00:00") else col.cast(pa.timestamp(t.unit, "UTC"))
        return pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
    return col.cast(pa.string())


def _feed_part(
    table: str,
    key_field: str,
    kind: pa.Array | str,
    field: str | None,
    field_type: str | None,
    keys: pa.Array,
    old: Any,
    new: Any,
    pos: pa.Array,
    fpos: int,
) -> pa.Table:
    """Feed rows for one field (or one row-level kind), with their sort positions."""
    n = len(keys)

    def same(value: Any, typ: pa.DataType = _TEXT) -> pa.Array:
        return pa.repeat(pa.scalar(value, typ), n)

    return pa.table(
        {
            "table": same(table),
            "key_field": same(key_field),
            "key": keys,
            "kind": kind if isinstance(kind, (pa.Array, pa.ChunkedArray)) else same(kind),
            "field": same(field),
            "field_type": same(field_type),
            "old_value": same(None) if old is None else old,
            "new_value": same(None) if new is None else new,
            "_pos": pos.cast(pa.int64()),
            "_fpos": same(fpos, pa.int64()),
        }
    )


def _feed(parts: list[pa.Table]) -> pa.Table:
    """The parts as one feed table, in release order: by row, then by field."""
    parts = [p for p in parts if p.num_rows]
    if not parts:
        return _FEED_SCHEMA.empty_table()
    merged = pa.concat_tables(parts)
    merged = merged.take(pc.sort_indices(merged, [("_pos", "ascending"), ("_fpos", "ascending")]))
    return merged.drop_columns(["_pos", "_fpos"]).cast(_FEED_SCHEMA)


def _kinds(o: pa.Table, n: pa.Table) -> tuple[pa.ChunkedArray | None, pa.ChunkedArray | None]:
    """Per row of two aligned tables (the changed common rows): whether it became a
    tombstone (active -> retired), and the feed kind of its changed cells (retracted,
    superseded or field_changed)."""
    if STATUS_FIELD not in n.column_names or STATUS_FIELD not in o.column_names:
        return None, None
    old_s, new_s = as_text(o.column(STATUS_FIELD)), as_text(n.column(STATUS_FIELD))
    tomb = pc.fill_null(
        pc.and_(pc.equal(old_s, ACTIVE_STATUS), pc.not_equal(new_s, ACTIVE_STATUS)), False
    )
    kind = pc.if_else(
        pc.and_(tomb, pc.fill_null(pc.equal(new_s, "retracted"), False)),
        "retracted",
        pc.if_else(
            pc.and_(tomb, pc.fill_null(pc.equal(new_s, "superseded"), False)),
            "superseded",
            "field_changed",
        ),
    )
    return tomb, kind


def _titles(
    table: pa.Table, label: str | None, at: pa.Array | np.ndarray, ids: list[str]
) -> dict[str, str | None]:
    """ID -> the label field's text for the rows of ``table`` at ``at`` (IDs ``ids``)."""
    if label is None or label not in table.column_names or not len(ids):
        return {}
    return dict(zip(ids, as_text(pc.take(table.column(label), at)).to_pylist(), strict=True))


def table_diff(
    name: str,
    old_s: TableSchema | None,
    new_s: TableSchema | None,
    old_t: pa.Table | None,
    new_t: pa.Table | None,
) -> TableDiff:
    """What changed in one table, matched by its key: the lists the changelog shows and the
    change feed's rows, both from one vectorised comparison (only differing rows become
    Python objects). A field the new schema adds counts as changed where it is filled."""
    schema = new_s if new_s is not None else old_s
    assert schema is not None, f"table {name!r} is in neither release"
    td = TableDiff(
        name,
        old_t.num_rows if old_t is not None else None,
        new_t.num_rows if new_t is not None else None,
        label_field=label_field(schema),
    )
    if new_t is None:  # the whole table disappeared: every ID is deleted
        assert old_s is not None and old_t is not None
        old_ids = old_t.column(old_s.id_field).combine_chunks()
        everything = pa.array(np.arange(len(old_ids)))
        td.deleted = old_ids.to_pylist()
        td.titles = _titles(old_t, td.label_field, everything, td.deleted)
        td.feed = _feed(
            [
                _feed_part(
                    name, old_s.id_field, "removed", None, None, old_ids, None, None, everything, 0
                )
            ]
        )
        return td
    assert new_s is not None
    key = new_s.id_field
    new_ids = new_t.column(key).combine_chunks()
    types = {f.name: f.type for f in new_s.fields}
    parts: list[pa.Table] = []
    if old_t is None:
        in_old = pa.array(np.zeros(len(new_ids), dtype=bool))
    else:
        assert old_s is not None
        td.schema = _schema_changes(old_s, new_s)
        old_ids = old_t.column(old_s.id_field).combine_chunks()
        in_old = pc.is_in(new_ids, value_set=old_ids)
        in_new = pc.is_in(old_ids, value_set=new_ids)
        gone = pc.indices_nonzero(pc.invert(in_new))
        td.deleted = pc.take(old_ids, gone).to_pylist()
        td.titles.update(_titles(old_t, td.label_field, gone, td.deleted))
        parts.append(
            _feed_part(
                name,
                key,
                "removed",
                None,
                None,
                pc.take(old_ids, gone),
                None,
                None,
                pc.add(gone, len(new_ids)),
                0,
            )
        )

    added_at = pc.indices_nonzero(pc.invert(in_old))
    td.added = pc.take(new_ids, added_at).to_pylist()
    td.titles.update(_titles(new_t, td.label_field, added_at, td.added))
    if len(added_at):
        for fi, f in enumerate(new_s.field_names):
            values = as_text(pc.take(new_t.column(f), added_at))
            filled = pc.is_valid(values)
            parts.append(
                _feed_part(
                    name,
                    key,
                    "added",
                    f,
                    types[f],
                    pc.filter(pc.take(new_ids, added_at), filled),
                    None,
                    pc.filter(values, filled),
                    pc.filter(added_at, filled),
                    fi,
                )
            )
    if old_t is None or len(added_at) == len(new_ids):
        td.feed = _feed(parts)
        return td

    # The common rows, in the new release's order, each next to its own old row. Both
    # releases hold their rows in release order, so the common rows come in the same order
    # in both: each side is its own rows filtered, unless the check below says otherwise.
    assert old_s is not None
    at_new = pc.indices_nonzero(in_old)
    n = new_t if len(at_new) == len(new_ids) else new_t.filter(in_old)
    o = old_t if pc.all(in_new).as_py() else old_t.filter(in_new)
    ids = n.column(key).combine_chunks()
    if not o.column(old_s.id_field).equals(n.column(key)):  # not in the same order
        o = old_t.take(pc.index_in(ids, value_set=old_ids))
    masks: dict[str, Any] = {}
    for f in new_s.field_names:
        if f in o.column_names:
            mask = _differs(o.column(f), n.column(f))
        else:  # a field added: its filled cells are news
            mask = pc.is_valid(n.column(f))
        if mask is not None and pc.any(mask).as_py():
            masks[f] = mask
    if not masks:
        td.feed = _feed(parts)
        return td
    fields = list(masks)
    any_changed = masks[fields[0]]
    for f in fields[1:]:
        any_changed = pc.or_(any_changed, masks[f])
    idx = pc.indices_nonzero(any_changed)  # the changed rows, as positions among the common
    tomb, kind = _kinds(o.take(idx), n.take(idx))
    for fi, f in enumerate(new_s.field_names):
        if f not in masks:
            continue
        at = pc.indices_nonzero(masks[f])
        old_v = as_text(pc.take(o.column(f), at)) if f in o.column_names else None
        parts.append(
            _feed_part(
                name,
                key,
                pc.take(kind, pc.index_in(at, value_set=idx))
                if kind is not None
                else "field_changed",
                f,
                types[f],
                pc.take(ids, at),
                old_v,
                as_text(pc.take(n.column(f), at)),
                pc.take(at_new, at),
                fi,
            )
        )
    td.feed = _feed(parts)

    row_ids = pc.take(ids, idx).to_pylist()
    td.titles.update(_titles(n, td.label_field, idx, row_ids))
    per_field: dict[str, tuple[list[bool], list[Any], list[Any]]] = {}
    for f in fields:
        m = pc.take(masks[f], idx)
        per_field[f] = (
            m.to_pylist(),
            pc.take(o.column(f), idx).to_pylist() if f in o.column_names else [None] * len(idx),
            pc.take(n.column(f), idx).to_pylist(),
        )
    tombs = tomb.to_pylist() if tomb is not None else [False] * len(idx)
    sup = (
        pc.take(n.column(_SUPERSEDED_BY), idx).to_pylist()
        if _SUPERSEDED_BY in n.column_names
        else [None] * len(idx)
    )
    statuses = pc.take(n.column(STATUS_FIELD), idx).to_pylist() if tomb is not None else []
    for i, row_id in enumerate(row_ids):
        if tombs[i]:
            td.tombstoned.append(Tombstone(row_id, statuses[i], sup[i]))
            continue
        changes = tuple(
            FieldChange(f, olds[i], news[i])
            for f, (mask, olds, news) in per_field.items()
            if mask[i]
        )
        td.changed.append(RowChange(row_id, changes))
    return td


def diff_releases(old: Path | str | None, new: Path | str) -> ReleaseDiff:
    """Differences from release folder ``old`` (None: nothing before) to release folder ``new``.

    With no old release, nothing is read but the descriptor: an initial release lists its
    tables and row counts, not every ID.
    """
    new = Path(new)
    new_rel = read_release(new)
    new_desc, new_schemas = new_rel.descriptor, new_rel.tables
    if old is None:
        rows = {r["name"]: r.get("rows") for r in new_desc.get("resources", [])}
        return ReleaseDiff(
            old_version=None,
            new_version=str(new_desc.get("version", "")),
            new_created=str(new_desc.get("created", "")),
            tables=[TableDiff(name, None, rows.get(name)) for name in new_schemas],
        )
    old = Path(old)
    old_rel = read_release(old)
    old_desc, old_schemas = old_rel.descriptor, old_rel.tables
    names = list(new_schemas) + [n for n in old_schemas if n not in new_schemas]
    old_res, new_res = _resources(old_desc), _resources(new_desc)
    tables = []
    for name in names:
        os_, ns_ = old_schemas.get(name), new_schemas.get(name)
        old_r, new_r = old_res.get(name, {}), new_res.get(name, {})
        if os_ is not None:
            _verify(old, os_, old_r)
        if ns_ is not None:
            _verify(new, ns_, new_r)
        if os_ is not None and ns_ is not None and _same_file(old_r, new_r):
            count = new_r.get("rows") if isinstance(new_r.get("rows"), int) else None
            tables.append(TableDiff(name, count, count, label_field=label_field(ns_)))
            continue
        ot = read_table(old, os_) if os_ is not None else None
        nt = read_table(new, ns_) if ns_ is not None else None
        tables.append(table_diff(name, os_, ns_, ot, nt))
    return ReleaseDiff(
        old_version=str(old_desc.get("version")),
        new_version=str(new_desc.get("version", "")),
        new_created=str(new_desc.get("created", "")),
        tables=tables,
    )


def _resources(desc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["name"]: r
        for r in desc.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    }


def _verify(folder: Path, schema: TableSchema, res: dict[str, Any]) -> None:
    """A table file has the SHA-256 its release descriptor lists (read once per process: a
    file a build just wrote and hashed is not read again); ChecksumError otherwise."""
    digest = res.get("hash")
    if isinstance(digest, str) and digest.startswith("sha256:"):
        path = folder / schema.path
        if path.is_file():
            verify_file(path, digest[len("sha256:") :], delete=False, what=f"release {folder}")


def _same_file(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Two releases' descriptors give a table the same file (SHA-256), schema and row count:
    nothing in it changed, and neither file needs reading (both were verified against
    those hashes first)."""
    return (
        isinstance(new.get("hash"), str)
        and old.get("hash") == new["hash"]
        and old.get("schema") == new.get("schema")
        and old.get("rows") == new.get("rows")
    )


def write_changes(d: ReleaseDiff, path: Path) -> None:
    """``changes.parquet``: the change feed of ``d``, with the release's fixed writer options
    (the same bytes for the same releases)."""
    from .convert import WRITER_OPTIONS

    feed = d.changes()
    pq.write_table(feed, path, row_group_size=max(feed.num_rows, 1), **WRITER_OPTIONS)


# --------------------------------------------------------------------------- rendering


def _plain(v: Any) -> Any:
    """A cell as a JSON value: dates as ISO text, a non-finite number as its text."""
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def _show(v: Any) -> str:
    """A value for Markdown: JSON-ish (strings quoted, null for missing), shortened, as one
    inert code span."""
    v = _plain(v)
    s = "null" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)
    if len(s) > _MD_VALUE_MAX:
        s = s[: _MD_VALUE_MAX - 1] + "…"
    return md_code(s)


#: Text shown as it is where it matches: a release version, an ISO 8601 UTC time.
_PLAIN = re.compile(
    r"[0-9][0-9A-Za-z.]{0,40}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
)


def _md_plain(text: str) -> str:
    """A version or a time as itself when it has that shape, else escaped like any text."""
    return text if _PLAIN.fullmatch(text) else md_text(text)


#: A table name Markdown shows as itself: lowercase letters, digits and inner ``_.-`` (an
#: underscore inside a word never starts emphasis).
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_.-]{0,98}[a-z0-9])?")


def _md_name(name: str) -> str:
    """A table name as itself when it has a plain name's shape, else escaped."""
    return name if _NAME.fullmatch(name) else md_text(name)


def _row(t: TableDiff, row_id: str) -> str:
    """A row for Markdown: its ID as code, then its title as text."""
    title = t.titles.get(row_id)
    if not title:
        return md_code(row_id)
    if len(title) > _MD_TITLE_MAX:
        title = title[: _MD_TITLE_MAX - 1] + "…"
    return f"{md_code(row_id)} {md_text(title)}"


def _listed(lines: list[str], items: list[Any], render: Any) -> None:
    """Bullets for at most :data:`MD_ROWS_MAX` items, then how many more there are."""
    for item in items[:MD_ROWS_MAX]:
        lines.extend(render(item))
    if len(items) > MD_ROWS_MAX:
        lines.append(
            f"- … and {len(items) - MD_ROWS_MAX} more (the change feed, changes.parquet, "
            "lists every one)"
        )


def _schema_line(sc: SchemaChange) -> str:
    if sc.kind.startswith("enum value"):
        return f"- {sc.kind} in {md_code(sc.field)}: {md_code(sc.detail)}"
    if sc.kind == "primary key changed":
        return f"- primary key changed: {md_code(sc.detail)} -> {md_code(sc.field)}"
    detail = f" ({md_text(sc.detail)})" if sc.detail else ""
    return f"- {sc.kind}: {md_code(sc.field)}{detail}"


def _markdown(d: ReleaseDiff) -> str:
    lines = [f"# conflictdata {_md_plain(d.new_version)}", ""]
    if d.new_created:
        lines += [f"Released {_md_plain(d.new_created)}.", ""]
    if d.old_version is None:
        lines += ["Initial release.", "", "| table | rows |", "|---|---:|"]
        lines += [f"| {_md_name(t.table)} | {t.new_rows} |" for t in d.tables]
        return "\n".join(lines) + "\n"

    lines += [
        f"Changes since {_md_plain(d.old_version)}, by stable ID. A withdrawn row (retracted "
        "or superseded) stays in its table as a tombstone, so it still counts among the rows.",
        "",
    ]
    if d.is_empty:
        lines += ["No changes.", ""]
    # Deletions are refused by the build, so their column appears only where there are some.
    deleting = any(t.deleted for t in d.tables)
    header = ["table", "rows", "added", "withdrawn"]
    header += ["deleted without tombstone"] if deleting else []
    header += ["changed", "schema changes"]
    lines += ["| " + " | ".join(header) + " |", "|---|---:" + "|---:" * (len(header) - 2) + "|"]
    for t in d.tables:
        c = t.counts()
        rows = f"{'-' if c['old_rows'] is None else c['old_rows']} -> "
        rows += f"{'-' if c['new_rows'] is None else c['new_rows']}"
        cells = [_md_name(t.table), rows, str(c["added"]), str(c["withdrawn"])]
        cells += [str(c["deleted"])] if deleting else []
        cells += [str(c["changed"]), str(c["schema"])]
        lines.append("| " + " | ".join(cells) + " |")
    for t in d.tables:
        if t.status == "unchanged":
            continue
        lines += ["", f"## {_md_name(t.table)}", ""]
        if t.status in ("table added", "table removed"):
            lines += [f"Table {t.status.split()[1]}.", ""]
        if t.schema:
            lines += [f"### Schema changes ({len(t.schema)})", ""]
            lines += [_schema_line(sc) for sc in t.schema]
            lines.append("")
        if t.added:
            lines += [f"### Added ({len(t.added)})", ""]
            _listed(lines, t.added, lambda i, t=t: [f"- {_row(t, i)}"])
            lines.append("")
        if t.tombstoned:
            lines += [f"### Withdrawn ({len(t.tombstoned)})", ""]

            def tomb(ts: Tombstone, t: TableDiff = t) -> list[str]:
                by = f" by {md_code(ts.superseded_by)}" if ts.superseded_by else ""
                return [f"- {_row(t, ts.id)}: {md_text(ts.status)}{by}"]

            _listed(lines, t.tombstoned, tomb)
            lines.append("")
        if t.deleted:
            lines += [
                f"### Deleted without a tombstone ({len(t.deleted)}): not allowed, IDs are forever",
                "",
            ]
            _listed(lines, t.deleted, lambda i, t=t: [f"- {_row(t, i)}"])
            lines.append("")
        if t.changed:
            lines += [f"### Changed ({len(t.changed)})", ""]

            def changed(rc: RowChange, t: TableDiff = t) -> list[str]:
                return [f"- {_row(t, rc.id)}"] + [
                    f"  - {md_code(fc.field)}: {_show(fc.old)} -> {_show(fc.new)}"
                    for fc in rc.changes
                ]

            _listed(lines, t.changed, changed)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _key_pattern(schema: TableSchema) -> str | None:
    """The pattern of a single-field primary key (IDs order by their number), else None."""
    keys = schema.primary_key
    return schema.field(keys[0]).pattern if len(keys) == 1 else None
