"""The report's data, read from Arrow: standing rows, and aggregates where a table is too large
to list.

Each table is read from its verified bytes (:mod:`.source`) column by column, as needed:
``record_status`` first, to count the standing rows (``active``; the others are tombstones)
with a dictionary-index comparison; a table whose standing rows fit the row budget is then
read whole and its standing rows kept (a small table); a larger one only has the columns its
aggregates need decoded, and those are counted with ``pyarrow.compute`` under the standing mask,
never filtered or converted to pandas as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import DescriptorError
from . import frames as fr

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from ..._tableschema.model import TableSchema
    from .source import ReleaseFiles

__all__ = [
    "ACTIVE",
    "EventSummary",
    "FigureStat",
    "Summary",
    "Table",
    "actor_names",
    "filter_mask",
    "is_value",
    "load_table",
    "load_tables",
]

ACTIVE = fr.ACTIVE
STATUS = "record_status"


def _pa() -> tuple[Any, Any, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    return pa, pc, pq


def is_value(col: pa.ChunkedArray | pa.Array, value: str) -> pa.ChunkedArray:
    """Where ``col`` equals ``value`` (False where null), comparing dictionary indices when the
    column is dictionary-encoded (the release's enums): no string is decoded."""
    pa, pc, _ = _pa()
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    out = []
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            where = pc.index(chunk.dictionary, value).as_py()
            if where < 0:
                out.append(pa.array(np.zeros(len(chunk), dtype=bool)))
                continue
            eq = pc.equal(chunk.indices, pa.scalar(where, chunk.indices.type))
        else:
            eq = pc.equal(chunk, pa.scalar(value, chunk.type))
        out.append(pc.fill_null(eq, False))
    return pa.chunked_array(out, type=pa.bool_())


def _check_status(schema: TableSchema) -> bool:
    if STATUS not in schema.field_names:
        return False
    values = schema.field(STATUS).enum
    if values is None or ACTIVE not in values:
        raise DescriptorError(
            f"table {schema.name!r}: {STATUS} declares {list(values or ())}, "
            f"without {ACTIVE!r}; the report cannot tell standing rows from tombstones"
        )
    return True


@dataclass(frozen=True)
class FigureStat:
    """The best figures of one quantity, over the standing rows."""

    quantity: str
    figures: int
    with_best: int
    low: float | None
    median: float | None
    high: float | None


@dataclass(frozen=True)
class EventSummary:
    """The standing events by how they are dated, and counted per period and type."""

    kinds: dict[str, int]
    #: (period start ms, period end ms, type, count), by start then type
    periods: list[tuple[int, int, str, int]]
    unit: str


@dataclass
class Summary:
    """What a table shows when it has too many rows to list."""

    enum_counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    events: EventSummary | None = None
    figures: list[FigureStat] | None = None


@dataclass
class Table:
    """One table of the release: row counts, and its standing rows when there are few enough."""

    name: str
    schema: TableSchema
    rows: int
    standing: int
    #: the standing rows, every column, when ``standing`` is within the budget it was read for
    listed: pa.Table | None
    _summary: Summary | None = None

    def summary(self) -> Summary:
        """Counts by each enum field (and events per period, figures by quantity)."""
        if self._summary is None:
            if self.listed is None:  # pragma: no cover - load_table always sets one of the two
                raise AssertionError(f"table {self.name}: neither rows nor summary")
            self._summary = summarise(self.listed, None, self.schema)
        return self._summary

    def column(self, name: str) -> list[Any]:
        """A column of the listed rows as Python values (None where empty)."""
        assert self.listed is not None
        return self.listed.column(name).to_pylist()

    def text(self, name: str) -> list[str]:
        """A column of the listed rows as text ("" where empty; dates ISO, numbers plain)."""
        return ["" if v is None else str(v) for v in self.column(name)]


def _summary_columns(schema: TableSchema) -> list[str]:
    names = [f.name for f in schema.fields if f.is_enum and f.name != STATUS]
    if schema.name == "events":
        names += ["date_start", "date_end"]
    if schema.name == "figures":
        names += ["count_best"]
    wanted = set(names) & set(schema.field_names)
    return [n for n in schema.field_names if n in wanted]


def load_table(files: ReleaseFiles, name: str, budget: int) -> Table:
    """Table ``name``: its standing rows when at most ``budget``, else its summary.

    The file is parsed while its hash is computed; the result is returned only once the hash
    matched (:meth:`.source.ReleaseFiles.open_table`).
    """
    data, check = files.open_table(name)
    try:
        table = _read_table(files, name, data, budget)
    except BaseException:
        check()  # a file that is not the release's is reported as that, first
        raise
    check()
    return table


def _read_table(files: ReleaseFiles, name: str, data: bytes | bytearray, budget: int) -> Table:
    pa, pc, pq = _pa()
    schema = files.package.tables[name]
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        names = pf.schema_arrow.names
    except (OSError, ValueError) as exc:
        raise DescriptorError(f"table {name!r} is not a readable Parquet file: {exc}") from None
    if names != schema.field_names:
        raise DescriptorError(
            f"table {name!r} has columns {names}; the release schema declares {schema.field_names}"
        )
    rows = pf.metadata.num_rows
    mask = None
    standing = rows
    if _check_status(schema):
        mask = is_value(pf.read(columns=[STATUS]).column(0), ACTIVE)
        standing = int(pc.sum(mask).as_py() or 0)
    if standing <= budget:
        full = pf.read()
        listed = full.filter(mask) if mask is not None and standing < rows else full
        return Table(name, schema, rows, standing, listed.combine_chunks())
    wanted = _summary_columns(schema)
    summary = summarise(pf.read(columns=wanted), mask, schema) if wanted else Summary()
    return Table(name, schema, rows, standing, None, summary)


def load_tables(files: ReleaseFiles, budget: int) -> dict[str, Table]:
    """Every table of the release, in descriptor order."""
    return {name: load_table(files, name, budget) for name in files.package.tables}


# --------------------------------------------------------------------------- aggregates


def _counts(col: pa.ChunkedArray, mask: pa.ChunkedArray | None) -> dict[str, int]:
    _, pc, _ = _pa()
    if mask is not None:
        col = col.filter(mask)
    out: dict[str, int] = {}
    for item in pc.value_counts(col).to_pylist():
        if item["values"] is not None:
            out[str(item["values"])] = out.get(str(item["values"]), 0) + int(item["counts"])
    return out


def summarise(table: pa.Table, mask: pa.ChunkedArray | None, schema: TableSchema) -> Summary:
    """Counts of the standing rows (``mask``; None: every row of ``table``)."""
    out = Summary()
    for f in schema.fields:
        if not f.is_enum or f.name == STATUS or f.name not in table.column_names:
            continue
        counts = _counts(table.column(f.name), mask)
        declared = list(f.enum or ())
        ordered = [(v, counts.pop(v)) for v in declared if counts.get(v)]
        ordered += sorted(counts.items())  # values the schema does not declare, if any
        out.enum_counts[f.name] = ordered
    if schema.name == "events" and {"date_start", "date_end", "event_type"} <= set(
        table.column_names
    ):
        out.events = _event_summary(table, mask)
    if schema.name == "figures" and {"quantity", "count_best"} <= set(table.column_names):
        out.figures = _figure_stats(table, mask, schema)
    return out


def _event_summary(table: pa.Table, mask: pa.ChunkedArray | None) -> EventSummary:
    pa, pc, _ = _pa()
    cols = table.select(["date_start", "date_end", "event_type"])
    if mask is not None:
        cols = cols.filter(mask)
    start, end = cols.column("date_start"), cols.column("date_end")
    counted = fr.kind_counts(start, end)
    day = pc.coalesce(start, end)  # each event at its known day: the first one, else its bound
    dated = pc.is_valid(day)
    day = day.filter(dated)
    types = cols.column("event_type").filter(dated)
    if len(day) == 0:
        return EventSummary(counted, [], "week")
    lo, hi = pc.min_max(day).values()
    unit = "week" if (hi.as_py() - lo.as_py()).days <= 3 * 366 else "month"
    stamps = pc.cast(pc.cast(day, pa.date32()), pa.timestamp("ms"))
    start_ts = pc.floor_temporal(stamps, unit=unit, week_starts_monday=True)
    grouped = (
        pa.table({"start": start_ts, "type": pc.cast(types, pa.string())})
        .group_by(["start", "type"])
        .aggregate([([], "count_all")])
        .sort_by([("start", "ascending"), ("type", "ascending")])
    )
    starts = grouped.column("start").cast(pa.int64()).to_numpy()
    if unit == "week":
        ends = starts + 7 * fr.DAY_MS
    else:
        months = starts.astype("datetime64[ms]").astype("datetime64[M]") + np.timedelta64(1, "M")
        ends = months.astype("datetime64[ms]").astype("int64")
    periods = [
        (int(s), int(e), str(t), int(c))
        for s, e, t, c in zip(
            starts,
            ends,
            grouped.column("type").to_pylist(),
            grouped.column("count_all").to_pylist(),
            strict=True,
        )
    ]
    return EventSummary(counted, periods, unit)


def _figure_stats(
    table: pa.Table, mask: pa.ChunkedArray | None, schema: TableSchema
) -> list[FigureStat]:
    _, pc, _ = _pa()
    quantity, best = table.column("quantity"), table.column("count_best")
    stats = []
    for q in fr.enum_of(schema, "quantity"):
        m = is_value(quantity, q)
        if mask is not None:
            m = pc.and_(m, mask)
        n = int(pc.sum(m).as_py() or 0)
        if not n:
            continue
        b = best.filter(m).drop_null()
        if len(b):
            lo, hi = (v.as_py() for v in pc.min_max(b).values())
            med = pc.quantile(b, q=0.5, interpolation="midpoint")[0].as_py()
        else:
            lo = hi = med = None
        stats.append(FigureStat(q, n, len(b), lo, med, hi))
    return stats


# --------------------------------------------------------------------------- lookups


def actor_names(files: ReleaseFiles, tables: dict[str, Table]) -> dict[str, str]:
    """Names of the actors the listed rows refer to (by the schemas' foreign keys into actors),
    withdrawn actors included: a standing row may still name one."""
    pa, pc, pq = _pa()
    if "actors" not in files.package.tables:
        return {}
    wanted: set[str] = set()
    for t in tables.values():
        if t.listed is None:
            continue
        refs = [fk.fields[0] for fk in t.schema.foreign_keys if fk.resource == "actors"]
        if t.name == "actors":
            refs.append("actor_id")
        for name in refs:
            wanted.update(v for v in t.listed.column(name).to_pylist() if v is not None)
    if not wanted:
        return {}
    actors = tables.get("actors")
    if actors is not None and actors.listed is not None and actors.standing == actors.rows:
        ids, names = actors.column("actor_id"), actors.column("name")
    else:
        data = files.table_bytes("actors")
        cols = pq.ParquetFile(pa.BufferReader(data)).read(columns=["actor_id", "name"])
        keep = pc.is_in(cols.column("actor_id"), value_set=pa.array(sorted(wanted), pa.string()))
        cols = cols.filter(keep)
        ids, names = cols.column("actor_id").to_pylist(), cols.column("name").to_pylist()
    return {i: n for i, n in zip(ids, names, strict=True) if i is not None and n is not None}


def filter_mask(table: pa.Table, filters: dict[str, Any]) -> Any:
    """Where the fields of ``table`` equal the given values (a list or tuple: any of them);
    None when there is no filter."""
    pa, pc, _ = _pa()
    keep = None
    for name, value in filters.items():
        wanted = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, pa.string())
        try:
            values = pa.array(wanted).cast(col.type)
            m = pc.fill_null(pc.is_in(col, value_set=values), False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
            texts = {str(v) for v in wanted}
            m = pa.array([v is not None and str(v) in texts for v in col.to_pylist()])
        keep = m if keep is None else pc.and_(keep, m)
    return keep
