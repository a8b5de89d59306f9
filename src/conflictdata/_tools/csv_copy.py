"""The release's CSV copy: each table as CSV in one dialect, with its own ``datapackage.json``,
for R, Stata and spreadsheet users who do not read Parquet.

Written from the same typed Arrow table as the table's Parquet file (rows in release order),
so the two hold the same values; each cell spelled as its field's type writes it (the field's
decimal character, its first true and false spellings), so the copy's descriptor carries each
table's schema exactly as the release declares it. The dialect, :data:`DIALECT`: UTF-8
without a byte order mark, comma-separated, LF line ends, a header row, every text cell and
header name in double quotes (a quote inside doubled), integers, plain numbers, ``true`` /
``false`` and ISO dates (``YYYY-MM-DD``) bare, other spellings (an instant in UTC as
``YYYY-MM-DDTHH:MM:SSZ``, a date in a format the schema declares) as quoted text, and an
empty cell for a missing value.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._release.write import TableOutput, release_metadata, resource_head
from .._tableschema.model import Field, Package, TableSchema
from .._types.text import BooleanType
from ..errors import BuildError

__all__ = ["DIALECT", "csv_descriptor", "csv_schema", "write_csv"]

#: The CSV dialect of every release table (Frictionless CSV Dialect keys).
DIALECT: dict[str, Any] = {
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}

_WRITE = pacsv.WriteOptions(
    include_header=True, delimiter=",", eol="\n", null_string="", quoting_style="needed"
)


class _Hashing:
    """A binary file that hashes what is written to it (one pass over the bytes)."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.sha256.update(view)
        self.size += view.nbytes
        return self.file.write(view)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    @property
    def closed(self) -> bool:
        return self.file.closed


def _cells(col: pa.ChunkedArray, f: Field) -> pa.ChunkedArray:
    """A typed release column as the copy writes it: as the field's type spells it, left
    typed (so written bare) where Arrow's CSV writer spells it the same way."""
    t, vt = col.type, f.value_type
    if pa.types.is_dictionary(t):
        return col.cast(pa.string())
    plain = (
        pa.types.is_integer(t)
        or pa.types.is_string(t)
        or (pa.types.is_floating(t) and getattr(vt, "decimal_char", ".") == ".")
        or (
            pa.types.is_boolean(t)
            and isinstance(vt, BooleanType)
            and (vt.true_values[0], vt.false_values[0]) == ("true", "false")
        )
        or (pa.types.is_date32(t) and f.format == "default")
    )
    if plain:
        return col
    if f.type in ("date", "datetime", "time") and f.format != "default":
        return pc.strftime(col, format=f.format)  # the field's own format, as it reads back
    if pa.types.is_time(t):  # "01:02:03.000000": the default format reads whole seconds
        return pc.replace_substring_regex(col.cast(pa.string()), r"\.0+$", "")
    return pa.chunked_array([vt.write(c) for c in col.chunks], pa.string())


#: Rows spelled at once: the copy holds one batch of cells, whatever the table's size.
_BATCH_ROWS = 1 << 16


def write_csv(table: pa.Table, schema: TableSchema, path: Path) -> tuple[int, str]:
    """Write ``table`` (typed, in release order) to ``path`` in :data:`DIALECT`, a batch of
    rows at a time; its size and its SHA-256."""
    fields = [schema.field(name) for name in table.column_names]
    empty = dict.fromkeys(table.column_names, 0)
    out = _Hashing(path)
    try:
        sink = pa.PythonFile(out, mode="w")
        writer = None
        for start in range(0, max(table.num_rows, 1), _BATCH_ROWS):  # no rows: the header
            part = table.slice(start, _BATCH_ROWS)
            columns = []
            for f, col in zip(fields, part.columns, strict=True):
                cells = _cells(col, f)
                if pa.types.is_string(cells.type) and f.type in ("string", "any", "yearmonth"):
                    empty[f.name] += pc.sum(pc.equal(pc.binary_length(cells), 0)).as_py() or 0
                columns.append(cells)
            batch = pa.table(columns, names=table.column_names)
            if writer is None:
                writer = pacsv.CSVWriter(sink, batch.schema, write_options=_WRITE)
            writer.write_table(batch)
        assert writer is not None
        writer.close()
        sink.flush()
    finally:
        out.close()
    for name, count in empty.items():
        if count:  # an empty text value would read back as missing: the copy cannot say it
            path.unlink(missing_ok=True)
            raise BuildError(
                f"unsupported: the CSV copy of table {schema.name!r}, field {name!r}: "
                f"{count} empty text value(s) (not missing) would read back as missing"
            )
    return out.size, out.sha256.hexdigest()


def csv_schema(schema: TableSchema) -> dict[str, Any]:
    """The Table Schema of a table's CSV copy: the release's, with an empty cell as the only
    missing value (every cell is spelled as its field declares)."""
    raw = copy.deepcopy(schema.raw)
    raw["missingValues"] = [""]
    return raw


def csv_descriptor(
    package: Package, created: str, outputs: Sequence[TableOutput]
) -> dict[str, Any]:
    """``csv/datapackage.json``: the release's metadata and one CSV resource per table, with
    its dialect, size, SHA-256 and schema (``outputs``: the CSV files, paths in the folder)."""
    desc = release_metadata(package, created)
    desc["profile"] = "tabular-data-package"
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res = resource_head(t, out.path)
        res.update(
            {
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": dict(DIALECT),
                "bytes": out.bytes,
                "hash": f"sha256:{out.sha256}",
                "schema": csv_schema(t),
            }
        )
        resources.append(res)
    desc["resources"] = resources
    return desc
