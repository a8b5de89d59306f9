"""The release's CSV copy: each table as CSV in one dialect, with its own ``datapackage.json``,
for R, Stata and spreadsheet users who do not read Parquet.

Written from the same typed Arrow table as the table's Parquet file (rows in release order),
so the two hold the same values. The dialect, :data:`DIALECT`: UTF-8 without a byte order
mark, comma-separated, LF line ends, a header row, every text cell and header name in double
quotes (a quote inside doubled), numbers, booleans (``true``/``false``), dates
(``YYYY-MM-DD``), UTC times (``YYYY-MM-DDTHH:MM:SSZ``) and times (``HH:MM:SS``) bare, and an
empty cell for a missing value. The descriptor carries each table's schema as the release
declares it, with the spellings rewritten to what is written (ISO dates, ``true``/``false``,
plain numbers) and each file's size and SHA-256, so ``frictionless validate`` checks it.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._release.write import COPIED_KEYS, TableOutput
from .._tableschema.model import Field, Package, TableSchema
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
#: Field keys that say how a cell is spelled; the copy spells every cell one way.
_SPELLING_KEYS = ("decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues")
_VALUE_CONSTRAINTS = ("enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


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


def _text_column(col: pa.ChunkedArray, f: Field) -> pa.ChunkedArray:
    """A typed release column in the copy's spelling (only types pyarrow spells otherwise)."""
    t = col.type
    if pa.types.is_dictionary(t):
        return col.cast(pa.string())
    if pa.types.is_timestamp(t):
        utc = col if t.tz in (None, "UTC", "+00:00") else col.cast(pa.timestamp(t.unit, "UTC"))
        return pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
    if pa.types.is_time(t):  # pyarrow writes microseconds: "01:02:03.000000"
        return pc.replace_substring_regex(col.cast(pa.string()), r"\.0+$", "")
    return col


def _has_fraction(col: pa.ChunkedArray) -> bool:
    return bool(pc.any(pc.match_substring(col, ".")).as_py()) if len(col) else False


def write_csv(table: pa.Table, schema: TableSchema, path: Path) -> tuple[int, str, set[str]]:
    """Write ``table`` (typed, in release order) to ``path`` in :data:`DIALECT`; its size, its
    SHA-256 and the names of time fields that kept a fraction of a second (format ``any``)."""
    columns, fractional = [], set()
    for name in table.column_names:
        f = schema.field(name)
        col = _text_column(table.column(name), f)
        if pa.types.is_time(table.schema.field(name).type) and _has_fraction(col):
            fractional.add(name)
        if f.type in ("string", "any", "yearmonth") and len(col):
            # an empty text value would read back as missing: the copy cannot say it
            empty = pc.sum(pc.equal(pc.binary_length(col), 0)).as_py() or 0
            if empty:
                raise BuildError(
                    f"unsupported: the CSV copy of table {schema.name!r}, field {name!r}: "
                    f"{empty} empty text value(s) (not missing) would read back as missing"
                )
        columns.append(col)
    out = _Hashing(path)
    try:
        sink = pa.PythonFile(out, mode="w")
        pacsv.write_csv(pa.table(columns, names=table.column_names), sink, _WRITE)
        sink.flush()
    finally:
        out.close()
    return out.size, out.sha256.hexdigest(), fractional


def _iso(value: Any, fmt: str, ftype: str) -> Any:
    """A bound or enum value written in a ``%``-format, spelled as ISO instead."""
    if not isinstance(value, str):
        return value
    parsed = datetime.strptime(value, fmt)
    if ftype == "date":
        return parsed.date().isoformat()
    if ftype == "time":
        return parsed.time().isoformat()
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv_field(raw: dict[str, Any], f: Field, table: str, fractional: bool) -> dict[str, Any]:
    """A field of the release schema as the copy spells its cells."""
    d = copy.deepcopy(raw)
    constraints = d.get("constraints") or {}
    valued = [k for k in _VALUE_CONSTRAINTS if k in constraints]
    if f.type in ("date", "datetime", "time") and f.format != "default":
        if f.format.startswith("%") or f.format.startswith("fmt:"):
            fmt = f.format.removeprefix("fmt:")
            try:
                for k in valued:
                    v = constraints[k]
                    constraints[k] = (
                        [_iso(x, fmt, f.type) for x in v] if k == "enum" else _iso(v, fmt, f.type)
                    )
            except ValueError:
                raise BuildError(
                    f"unsupported: the CSV copy of table {table!r}, field {f.name!r}: "
                    f"its constraints are not in its format {f.format!r}"
                ) from None
        d.pop("format", None)
    if f.type == "time" and fractional:
        d["format"] = "any"
    spelled = [k for k in _SPELLING_KEYS if k in d]
    if spelled and valued and any(isinstance(constraints[k], (str, list)) for k in valued):
        raise BuildError(
            f"unsupported: the CSV copy of table {table!r}, field {f.name!r}: "
            f"{', '.join(valued)} spelled with {', '.join(spelled)}"
        )
    for k in spelled:
        d.pop(k)
    if f.type == "boolean":
        d["trueValues"], d["falseValues"] = ["true"], ["false"]
    return d


def csv_schema(schema: TableSchema, fractional: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """The Table Schema of a table's CSV copy: the release's, every spelling key rewritten to
    the one the copy writes, and an empty cell as the only missing value."""
    raw = copy.deepcopy(schema.raw)
    raw["fields"] = [
        _csv_field(fd, schema.field(fd["name"]), schema.name, fd["name"] in fractional)
        for fd in schema.raw.get("fields", [])
    ]
    raw["missingValues"] = [""]
    return raw


def csv_descriptor(
    package: Package,
    created: str,
    outputs: Sequence[TableOutput],
    fractional: dict[str, set[str]] | None = None,
) -> dict[str, Any]:
    """``csv/datapackage.json``: the release's metadata and one CSV resource per table, with
    its dialect, size, SHA-256 and schema (``outputs``: the CSV files, paths in the folder)."""
    src = package.descriptor
    desc: dict[str, Any] = {k: src[k] for k in COPIED_KEYS if k in src}
    desc["version"] = package.version
    desc["created"] = created
    desc = {k: desc[k] for k in COPIED_KEYS if k in desc}
    desc["profile"] = "tabular-data-package"
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res: dict[str, Any] = {"name": t.name, "path": out.path}
        if t.title and t.title != t.name:
            res["title"] = t.title
        if t.description:
            res["description"] = t.description
        res.update(
            {
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": dict(DIALECT),
                "bytes": out.bytes,
                "hash": f"sha256:{out.sha256}",
                "schema": csv_schema(t, (fractional or {}).get(t.name, set())),
            }
        )
        resources.append(res)
    desc["resources"] = resources
    return desc
