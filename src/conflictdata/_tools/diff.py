"""Compare two releases: rows added, tombstoned, deleted and changed per table, by stable ID,
and schema changes. The build writes this as the release's CHANGELOG.md.

Rows are matched by the table's primary key with vectorised pyarrow operations; only the
rows that differ are turned into Python objects, to be listed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._release.read import read_release
from .._tableschema.model import TableSchema
from .._types.ids import release_order
from ..errors import DescriptorError

__all__ = [
    "ACTIVE_STATUS",
    "CHANGES_SCHEMA",
    "CHANGE_KINDS",
    "STATUS_FIELD",
    "FieldChange",
    "ReleaseDiff",
    "RowChange",
    "SchemaChange",
    "TableDiff",
    "Tombstone",
    "as_text",
    "diff_releases",
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

#: Kinds of change in the feed: a row added or removed, a row retired as a tombstone (its
#: status and superseded_by cells carry the kind), any other cell changed.
CHANGE_KINDS = ("added", "removed", "retracted", "superseded", "field_changed")
#: The change feed (``changes.parquet`` of a release, ``conflictdata.changes()``): one row per
#: changed cell (or per removed row, ``field`` null). Values are text in the form the field's
#: Table Schema type (``field_type``) reads back: ISO dates and UTC times ("...Z"), true/false,
#: numbers as Arrow writes them; a null cell is a null value. An added row is one "added" row
#: per cell that is not null.
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
_FEED_SCHEMA = pa.schema(
    [f for f in CHANGES_SCHEMA if f.name not in ("old_version", "new_version")]
)


@dataclass(frozen=True)
class FieldChange:
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
    """What changed in one table between two releases."""

    table: str
    old_rows: int | None
    new_rows: int | None
    added: list[str] = field(default_factory=list)
    tombstoned: list[Tombstone] = field(default_factory=list)
    #: IDs present before and absent now without a tombstone row: forbidden, IDs are forever.
    deleted: list[str] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
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


@dataclass
class ReleaseDiff:
    """Per-table differences between an old and a new release (old None: initial release)."""

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
        def plain(v: Any) -> Any:
            return _plain(v)

        tables = []
        for t in self.tables:
            d = asdict(replace(t, feed=None))
            d.pop("feed")
            d["status"] = t.status
            for rc in d["changed"]:
                for fc in rc["changes"]:
                    fc["old"], fc["new"] = plain(fc["old"]), plain(fc["new"])
            tables.append(d)
        return {"old": self.old_version, "new": self.new_version, "tables": tables}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        return _markdown(self)

    def changes(self) -> pa.Table:
        """The change feed: one row per changed cell or row, every table, in release order
        (see :data:`CHANGES_SCHEMA`); empty for an initial release."""
        parts = [t.feed for t in self.tables if t.feed is not None and t.feed.num_rows]
        if not parts:
            return CHANGES_SCHEMA.empty_table()
        feed = pa.concat_tables(parts)
        n = feed.num_rows
        columns = {
            "old_version": pa.array([self.old_version] * n, pa.string()),
            "new_version": pa.array([self.new_version] * n, pa.string()),
            **{name: feed.column(name) for name in feed.column_names},
        }
        return pa.table(columns, schema=CHANGES_SCHEMA)


# --------------------------------------------------------------------------- reading releases


def read_table(folder: Path, schema: TableSchema) -> pa.Table:
    """A release table for comparing, in release order (:func:`conflictdata._types.ids.release_order`,
    IDs by number, as the build wrote it), enum columns as text: the dictionaries of two
    releases may differ."""
    path = folder / schema.path
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DescriptorError(f"cannot read {path}: {exc}") from None
    cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    table = pa.table(cols, names=table.column_names)
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


def _differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """Element-wise 'a != b' where null equals null and null differs from a value."""
    if a.type != b.type:  # a retyped field: compare in the new type if the old casts to it
        for cast in (
            lambda: (a.cast(b.type), b),
            lambda: (a.cast(pa.string()), b.cast(pa.string())),
        ):
            try:
                a, b = cast()
                break
            except pa.ArrowException:
                continue
        else:
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

    def same(value: Any, typ: pa.DataType = pa.string()) -> pa.Array:
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
    """Per common row: whether it became a tombstone (active -> retired), and the feed kind
    of its changed cells (retracted, superseded or field_changed)."""
    if STATUS_FIELD not in n.column_names or STATUS_FIELD not in o.column_names:
        return None, None
    old_s, new_s = o.column(STATUS_FIELD), n.column(STATUS_FIELD)
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


def table_diff(
    name: str,
    old_s: TableSchema | None,
    new_s: TableSchema | None,
    old_t: pa.Table | None,
    new_t: pa.Table | None,
) -> TableDiff:
    """What changed in one table, matched by its key: the lists the changelog shows and the
    change feed's rows, both from one vectorised comparison (only differing rows become
    Python objects)."""
    td = TableDiff(
        name,
        old_t.num_rows if old_t is not None else None,
        new_t.num_rows if new_t is not None else None,
    )
    if new_t is None:  # the whole table disappeared: every ID is deleted
        assert old_s is not None and old_t is not None
        old_ids = old_t.column(old_s.id_field).combine_chunks()
        td.deleted = old_ids.to_pylist()
        td.feed = _feed(
            [
                _feed_part(
                    name,
                    old_s.id_field,
                    "removed",
                    None,
                    None,
                    old_ids,
                    None,
                    None,
                    pa.array(np.arange(len(old_ids))),
                    0,
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
        td.added = new_ids.to_pylist()
        in_old = pa.array(np.zeros(len(new_ids), dtype=bool))
    else:
        assert old_s is not None
        td.schema = _schema_changes(old_s, new_s)
        old_ids = old_t.column(old_s.id_field).combine_chunks()
        in_old = pc.is_in(new_ids, value_set=old_ids)
        in_new = pc.is_in(old_ids, value_set=new_ids)
        td.added = pc.filter(new_ids, pc.invert(in_old)).to_pylist()
        gone = pc.indices_nonzero(pc.invert(in_new))
        td.deleted = pc.take(old_ids, gone).to_pylist()
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

    # The common rows, in the new release's order, each next to its own old row.
    at_new = pc.indices_nonzero(in_old)
    n = new_t.take(at_new)
    o = old_t.take(pc.index_in(pc.take(new_ids, at_new), value_set=old_ids))
    ids = n.column(key).combine_chunks()
    tomb, kind = _kinds(o, n)
    masks: dict[str, Any] = {}
    for fi, f in enumerate(new_s.field_names):
        if f in o.column_names:
            masks[f] = _differs(o.column(f), n.column(f))
        else:  # a field added: its filled cells are news
            masks[f] = pc.is_valid(n.column(f))
        at = pc.indices_nonzero(masks[f])
        if not len(at):
            continue
        old_v = as_text(pc.take(o.column(f), at)) if f in o.column_names else None
        parts.append(
            _feed_part(
                name,
                key,
                pc.take(kind, at) if kind is not None else "field_changed",
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

    common = [f for f in new_s.field_names if f in o.column_names]
    if not common:
        return td
    any_changed = masks[common[0]]
    for f in common[1:]:
        any_changed = pc.or_(any_changed, masks[f])
    idx = pc.indices_nonzero(any_changed)
    if len(idx) == 0:
        return td
    row_ids = pc.take(ids, idx).to_pylist()
    per_field: dict[str, tuple[list[bool], list[Any], list[Any]]] = {}
    for f in common:
        m = pc.take(masks[f], idx)
        if not pc.any(m).as_py():
            continue
        per_field[f] = (
            m.to_pylist(),
            pc.take(o.column(f), idx).to_pylist(),
            pc.take(n.column(f), idx).to_pylist(),
        )
    tombs = pc.take(tomb, idx).to_pylist() if tomb is not None else [False] * len(idx)
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
    if old is None:
        old_desc: dict[str, Any] = {}
        old_schemas: dict[str, TableSchema] = {}
    else:
        old = Path(old)
        old_rel = read_release(old)
        old_desc, old_schemas = old_rel.descriptor, old_rel.tables
    names = list(new_schemas) + [n for n in old_schemas if n not in new_schemas]
    tables = []
    for name in names:
        os_, ns_ = old_schemas.get(name), new_schemas.get(name)
        ot = read_table(old, os_) if (old is not None and os_ is not None) else None  # type: ignore[arg-type]
        nt = read_table(new, ns_) if ns_ is not None else None
        tables.append(table_diff(name, os_, ns_, ot, nt))
    return ReleaseDiff(
        old_version=str(old_desc.get("version")) if old is not None else None,
        new_version=str(new_desc.get("version", "")),
        new_created=str(new_desc.get("created", "")),
        tables=tables,
    )


def write_changes(d: ReleaseDiff, path: Path) -> None:
    """``changes.parquet``: the change feed of ``d``, with the release's fixed writer options
    (the same bytes for the same releases)."""
    from .convert import WRITER_OPTIONS

    feed = d.changes()
    pq.write_table(feed, path, row_group_size=max(feed.num_rows, 1), **WRITER_OPTIONS)


# --------------------------------------------------------------------------- rendering


def _plain(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def _show(v: Any) -> str:
    """A value for Markdown: JSON-ish (strings quoted, null for missing), shortened, one line."""
    v = _plain(v)
    s = "null" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)
    if len(s) > _MD_VALUE_MAX:
        s = s[: _MD_VALUE_MAX - 1] + "…"
    return "`" + s.replace("`", "'") + "`"


def _ids(ids: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


def _markdown(d: ReleaseDiff) -> str:
    lines = [f"# conflictdata {d.new_version}", ""]
    if d.new_created:
        lines += [f"Released {d.new_created}.", ""]
    if d.old_version is None:
        lines += ["Initial release.", "", "| table | rows |", "|---|---:|"]
        lines += [f"| {t.table} | {t.new_rows} |" for t in d.tables]
        return "\n".join(lines) + "\n"

    lines += [f"Changes since {d.old_version}, by stable ID.", ""]
    if d.is_empty:
        lines += ["No changes.", ""]
    lines += [
        "| table | rows | added | removed (tombstoned) | changed | deleted without tombstone | schema changes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in d.tables:
        rows = f"{t.old_rows if t.old_rows is not None else '-'} -> {t.new_rows if t.new_rows is not None else '-'}"
        lines.append(
            f"| {t.table} | {rows} | {len(t.added)} | {len(t.tombstoned)} | {len(t.changed)} "
            f"| {len(t.deleted)} | {len(t.schema)} |"
        )
    for t in d.tables:
        if t.status == "unchanged":
            continue
        lines += ["", f"## {t.table}", ""]
        if t.status in ("table added", "table removed"):
            lines += [f"Table {t.status.split()[1]}.", ""]
        if t.schema:
            lines += ["### Schema", ""]
            for sc in t.schema:
                detail = f": {sc.detail}" if sc.detail else ""
                lines.append(f"- {sc.kind}: `{sc.field}`{detail}")
            lines.append("")
        if t.added:
            lines += [f"### Added ({len(t.added)})", "", _ids(t.added), ""]
        if t.tombstoned:
            lines += [f"### Removed: retracted or superseded ({len(t.tombstoned)})", ""]
            for ts in t.tombstoned:
                by = f" by `{ts.superseded_by}`" if ts.superseded_by else ""
                lines.append(f"- `{ts.id}`: {ts.status}{by}")
            lines.append("")
        if t.deleted:
            lines += [
                f"### Deleted without a tombstone ({len(t.deleted)}): not allowed, IDs are forever",
                "",
                _ids(t.deleted),
                "",
            ]
        if t.changed:
            lines += [f"### Changed ({len(t.changed)})", ""]
            for rc in t.changed:
                lines.append(f"- `{rc.id}`")
                for fc in rc.changes:
                    lines.append(f"  - `{fc.field}`: {_show(fc.old)} -> {_show(fc.new)}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _key_pattern(schema: TableSchema) -> str | None:
    """The pattern of a single-field primary key (IDs order by their number), else None."""
    keys = schema.primary_key
    return schema.field(keys[0]).pattern if len(keys) == 1 else None
