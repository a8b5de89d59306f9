"""Seed CSV text -> typed Arrow -> Parquet: one table's conversion, byte-reproducible.

Every cell is cast per field (no type is inferred; an empty cell is null), rows go in the
release order of :func:`conflictdata._types.ids.release_order` (IDs by number), chunk boundaries
fall on the writer's batch grid so the bytes do not depend on how the CSV reader split its
work, and every Parquet writer option that affects the bytes is fixed in :data:`WRITER_OPTIONS`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._read.csv import parse_csv_bytes
from .._read.table import read_table_bytes
from .._tableschema.model import Field, TableSchema
from .._types.ids import release_order
from ..errors import BuildError, DescriptorError, RefusedCellsError

__all__ = [
    "BATCH_ROWS",
    "WRITER_OPTIONS",
    "align_chunks",
    "convert_columns",
    "convert_table",
    "read_csv_columns",
    "read_csv_table",
    "write_parquet",
]

#: Parquet writer settings: every option that affects the bytes is fixed here, but which
#: columns get dictionary encoding and statistics (see write_parquet).
WRITER_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
    "write_page_index": False,
    "write_batch_size": 1024,
}
#: Rows per writer batch: chunk boundaries on this grid leave the bytes unchanged (align_chunks).
BATCH_ROWS: int = WRITER_OPTIONS["write_batch_size"]


def _enum(col: pa.ChunkedArray, f: Field) -> pa.Array:
    """An enum text column as indices into the declared values, in declared order: the same
    dictionary in every release."""
    declared = pa.array(list(f.enum or ()), pa.string())
    parts = [pc.index_in(chunk, value_set=declared).cast(pa.int32()) for chunk in col.chunks]
    indices = pa.concat_arrays(parts) if parts else pa.array([], pa.int32())
    # a value that is not declared would be a silent null: refuse it instead
    unknown = indices.null_count - col.null_count
    if unknown:
        raise BuildError(f"field {f.name!r}: {unknown} value(s) not among {list(f.enum or ())}")
    return pa.DictionaryArray.from_arrays(indices, declared)


def _cast(col: pa.ChunkedArray, f: Field, table: str) -> pa.Array | pa.ChunkedArray:
    """A text column to the field's Arrow type (see Field.arrow_type), read by the field's
    type exactly as the validator reads it ("+1", "1_000", "NaN", a formatted date), then
    stored as that type stores it."""
    target = f.arrow_type()
    try:
        if f.value_type.text_compared:
            return _enum(col, f) if f.is_enum and f.type == "string" else col
        present = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)
        try:
            r = f.value_type.read(col, present)
        except RefusedCellsError as exc:
            raise BuildError(f"{exc.feature} {exc.value!r} ({exc.why})") from None
        bad = int((present & ~r.ok).sum())
        if bad:
            raise BuildError(f"{bad} value(s) are not {r.what}")
        if f.value_type.stores_text:
            return col
        return f.value_type.store(r, present)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, BuildError, DescriptorError) as exc:
        raise BuildError(
            f"table {table!r}, field {f.name!r}: cannot convert to {target}: {exc} "
            "(run `conflictdata validate` for the rows at fault)"
        ) from None


def _empty_as_null(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty cells as nulls (the validator's reader keeps them as ""), as a validity bitmap
    over each chunk's own buffers: the text itself is not copied."""
    chunks = []
    for chunk in col.chunks:
        filled = pc.not_equal(pc.binary_length(chunk), 0)
        if chunk.null_count or chunk.offset or not pa.types.is_string(chunk.type):
            chunk = pc.if_else(filled, chunk, pa.scalar(None, chunk.type))
        elif not pc.all(filled).as_py():
            _, offsets, data = chunk.buffers()
            chunk = pa.Array.from_buffers(
                chunk.type, len(chunk), [filled.buffers()[1], offsets, data]
            )
        chunks.append(chunk)
    return pa.chunked_array(chunks, col.type)


def align_chunks(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """The column with every chunk boundary on a multiple of the writer's batch size.

    The Parquet writer cuts a column into batches of ``write_batch_size`` rows, starting
    afresh at each chunk; with boundaries on that grid the batches, and so the bytes, are
    those of one contiguous chunk. The parts are slices of the reader's chunks, so only the
    rows around each seam (less than one batch) are copied, not the whole column.
    """
    if isinstance(col, pa.Array):
        return pa.chunked_array([col], col.type)
    grid = BATCH_ROWS
    parts: list[pa.Array] = []
    seam: list[pa.Array] = []  # rows waiting to fill up to the next multiple of the grid
    seam_rows = 0
    for chunk in col.chunks:
        at, n = 0, len(chunk)
        if seam_rows:
            at = min(grid - seam_rows, n)
            seam.append(chunk.slice(0, at))
            seam_rows += at
            if seam_rows < grid:
                continue
            parts.append(pa.concat_arrays(seam))
            seam, seam_rows = [], 0
        whole = (n - at) // grid * grid
        if whole:
            parts.append(chunk.slice(at, whole))
        if at + whole < n:
            seam, seam_rows = [chunk.slice(at + whole)], n - at - whole
    if seam:
        parts.append(pa.concat_arrays(seam))
    return pa.chunked_array(parts, col.type)


def convert_columns(
    schema: TableSchema, columns: dict[str, pa.ChunkedArray]
) -> tuple[pa.Table, bool]:
    """Like :func:`convert_table`, and also whether the rows are in the primary key's byte order
    (then the Parquet file can declare its sorting columns)."""
    cols = {f.name: _empty_as_null(columns[f.name]) for f in schema.fields}
    order, byte_order = release_order(schema.primary_key, _key_pattern(schema), cols)
    arrays = [_cast(cols[f.name], f, schema.name) for f in schema.fields]
    del cols
    table = pa.Table.from_arrays(arrays, schema=schema.arrow_schema())
    if order is not None:  # reorder the typed columns: dates, numbers, enums are smaller
        table = table.take(order)
    aligned = pa.Table.from_arrays([align_chunks(c) for c in table.columns], schema=table.schema)
    return aligned, byte_order


def convert_table(schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> pa.Table:
    """The validator's string columns of one table (field name -> text, empty cell = "") as
    an Arrow table typed by its schema, rows in primary key order (see :func:`conflictdata._types.ids.release_order`).

    Every cell is cast per field, so no type is ever inferred; an empty cell is null. Chunk
    boundaries fall on the writer's batch grid, so the Parquet bytes do not depend on how
    the CSV reader split its work.
    """
    return convert_columns(schema, columns)[0]


#: Findings of the CSV reader that lose nothing: a byte order mark, blank lines.
_HARMLESS = ("E103", "E109")


def read_csv_table(schema: TableSchema, path: Path) -> pa.Table:
    """Read a seed CSV with the validator's reader and convert it (:func:`convert_table`);
    for builds without validation. A file the reader cannot take as it is is a BuildError."""
    return convert_table(schema, read_csv_columns(schema, path))


def read_csv_columns(
    schema: TableSchema, path: Path, *, root: Path | None = None
) -> dict[str, pa.ChunkedArray]:
    """The string column of each field, read as the validator reads them (the same bytes:
    :func:`conflictdata._read.table.read_table_bytes`). ``path`` is the resource's
    (first) file, ``root`` the package folder (by default the folder ``path`` is in)."""
    if root is None:
        depth = len(PurePosixPath(schema.path).parts)
        root = Path(path).parents[depth - 1] if depth else Path(path).parent
    problems: list[str] = []

    def emit(code: str, *, path: str | None, line: int | None, message: str, **kw: Any) -> None:
        if not code.startswith("W") and code not in _HARMLESS:
            problems.append(f"line {line} of {path}: {message}" if line else f"{path}: {message}")

    parsed, _ = read_table_bytes(root, schema, emit, strict=True, parse=parse_csv_bytes)
    if parsed is not None:
        ncol = parsed.data.num_columns
        for i, cells in sorted(parsed.short.items())[:3]:
            problems.append(
                f"line {int(parsed.lines[i])}: {cells} cells, but the header has {ncol}"
            )
    if parsed is None or problems:
        raise BuildError(
            f"cannot read {path}: {'; '.join(problems[:3]) or 'no header'} "
            "(run `conflictdata validate` for every defect)"
        )
    ncol = parsed.data.num_columns
    missing = [f.name for f in schema.fields[ncol:]]
    if missing:
        raise BuildError(f"cannot read {path}: no column {', '.join(map(repr, missing))}")
    return {f.name: parsed.data.column(str(k)) for k, f in enumerate(schema.fields)}


def _free_text(schema: TableSchema) -> set[str]:
    """Text fields with no enum, pattern or key role: prose such as titles, quotes, notes."""
    keyed = set(schema.primary_key) | {n for fk in schema.foreign_keys for n in fk.fields}
    return {
        f.name
        for f in schema.fields
        if f.type == "string" and not f.is_enum and f.pattern is None and f.name not in keyed
    }


def write_parquet(
    table: pa.Table, schema: TableSchema, path: Path, *, byte_order: bool = True
) -> None:
    """Write one release table. ``byte_order``: the rows are in the primary key's byte order, so the file says so.

    Free text gets neither min/max statistics nor dictionary encoding: the minimum of a
    column of quotes helps no query (and a release table is one row group), while computing
    it compares every string and stores two whole cells in the footer; and prose rarely
    repeats, so a dictionary is built only to be dropped (plain pages compress as well).
    """
    sorting = (
        [pq.SortingColumn(schema.field_names.index(k)) for k in schema.primary_key]
        if byte_order
        else []
    )
    prose = _free_text(schema)
    not_prose = [n for n in schema.field_names if n not in prose]
    pq.write_table(
        table,
        path,
        row_group_size=max(table.num_rows, 1),
        sorting_columns=sorting or None,
        use_dictionary=not_prose,
        write_statistics=not_prose,
        **WRITER_OPTIONS,
    )


def _key_pattern(schema: TableSchema) -> str | None:
    """The pattern of a single-field primary key (IDs order by their number), else None."""
    keys = schema.primary_key
    return schema.field(keys[0]).pattern if len(keys) == 1 else None
