"""Compare two releases: rows added, tombstoned, deleted and changed per table, by stable ID,
and schema changes. The build writes this as the release's CHANGELOG.md.

Rows are matched by the table's primary key with vectorised pyarrow operations; only the
rows that differ are turned into Python objects, to be listed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import DescriptorError
from .ids import release_order
from .release import read_release
from .schema import TableSchema

__all__ = [
    "STATUS_FIELD",
    "ACTIVE_STATUS",
    "FieldChange",
    "RowChange",
    "Tombstone",
    "SchemaChange",
    "TableDiff",
    "ReleaseDiff",
    "diff_releases",
    "read_table",
    "table_diff",
]

#: The lifecycle field of fact tables; any value other than ACTIVE_STATUS marks a tombstone.
STATUS_FIELD = "record_status"
ACTIVE_STATUS = "active"
_SUPERSEDED_BY = "superseded_by"
#: Longest value shown in Markdown; the JSON output keeps values whole.
_MD_VALUE_MAX = 200


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
            d = asdict(t)
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


# --------------------------------------------------------------------------- reading releases


def read_table(folder: Path, schema: TableSchema) -> pa.Table:
    """A release table for comparing, in release order (:func:`conflictdata.ids.release_order`,
    IDs by number, as the build wrote it), enum columns as text: the dictionaries of two
    releases may differ."""
    path = folder / schema.path
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DescriptorError(f"cannot read {path}: {exc}") from None
    cols = [
        c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    table = pa.table(cols, names=table.column_names)
    keys = [k for k in schema.primary_key if k in table.column_names]
    if keys and len(keys) == len(schema.primary_key):
        order, _ = release_order(schema, {k: table.column(k) for k in keys})
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
            out.append(
                SchemaChange("required changed", name, f"{f.required} -> {n.required}")
            )
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
        for cast in (lambda: (a.cast(b.type), b), lambda: (a.cast(pa.string()), b.cast(pa.string()))):
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


def table_diff(
    name: str,
    old_s: TableSchema | None,
    new_s: TableSchema | None,
    old_t: pa.Table | None,
    new_t: pa.Table | None,
) -> TableDiff:
    td = TableDiff(
        name,
        old_t.num_rows if old_t is not None else None,
        new_t.num_rows if new_t is not None else None,
    )
    if new_t is None:  # the whole table disappeared: every ID is deleted
        assert old_s is not None and old_t is not None
        td.deleted = old_t.column(old_s.id_field).to_pylist()
        return td
    assert new_s is not None
    new_ids = new_t.column(new_s.id_field)
    if old_t is None:
        td.added = new_ids.to_pylist()
        return td
    assert old_s is not None
    td.schema = _schema_changes(old_s, new_s)
    old_ids = old_t.column(old_s.id_field)

    in_old = pc.is_in(new_ids, value_set=old_ids.combine_chunks())
    in_new = pc.is_in(old_ids, value_set=new_ids.combine_chunks())
    td.added = pc.filter(new_ids, pc.invert(in_old)).to_pylist()
    td.deleted = pc.filter(old_ids, pc.invert(in_new)).to_pylist()

    # Both tables are sorted by ID, so the common rows line up once filtered.
    o = old_t if not td.deleted else old_t.filter(in_new)
    n = new_t if not td.added else new_t.filter(in_old)
    common = [f for f in new_s.field_names if f in old_t.column_names]
    if o.num_rows == 0 or not common:
        return td
    masks = {f: _differs(o.column(f), n.column(f)) for f in common}
    any_changed = masks[common[0]]
    for f in common[1:]:
        any_changed = pc.or_(any_changed, masks[f])
    idx = pc.indices_nonzero(any_changed)
    if len(idx) == 0:
        return td

    ids = pc.take(n.column(new_s.id_field), idx).to_pylist()
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
    has_status = STATUS_FIELD in per_field
    for i, row_id in enumerate(ids):
        changes = tuple(
            FieldChange(f, olds[i], news[i])
            for f, (mask, olds, news) in per_field.items()
            if mask[i]
        )
        if has_status:
            mask, olds, news = per_field[STATUS_FIELD]
            if mask[i] and olds[i] == ACTIVE_STATUS and news[i] not in (None, ACTIVE_STATUS):
                sup = None
                if _SUPERSEDED_BY in n.column_names:
                    sup = n.column(_SUPERSEDED_BY)[idx[i].as_py()].as_py()
                td.tombstoned.append(Tombstone(row_id, news[i], sup))
                continue
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
