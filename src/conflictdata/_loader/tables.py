"""Release tables as typed frames: pandas, Arrow, polars, DuckDB, and field documentation.

Every loader reads the standing rows unless ``tombstones=True`` (a retracted or superseded row
stays in a release as a tombstone; the lifecycle field and its standing value come from the
schema model). pandas frames carry ``attrs["conflictdata"]`` and Arrow tables the same under
the schema metadata key ``conflictdata``: version, table, the file's and the descriptor's
SHA-256, where it was read from, a one-line citation and the load's options.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._tableschema.dtypes import DATE_FORMS, check_dates, pandas_dtype, to_pandas
from .._util.optional import require
from .releases import Release, Source, open_release

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from .._tableschema.model import TableSchema

#: The key of a frame's ``attrs`` and of an Arrow schema's metadata that says what it is.
META_KEY = "conflictdata"


def frame_meta(release: Release, table: str, *, tombstones: bool) -> dict[str, Any]:
    """What a loaded table is: release, table, file and descriptor hashes, where, citation."""
    from .cite import citation_text

    return {
        "version": release.version,
        "table": table,
        "sha256": release.sha256(table),
        "descriptor_sha256": release.descriptor_sha256(),
        "source": release.where,
        "release": str(release.root),
        "path": str(release.path(table, verify=False)),
        "citation": citation_text(release.package.descriptor),
        "tombstones": tombstones,
    }


def standing_mask(table: pa.Table, schema: TableSchema) -> pa.Array | None:
    """True for the rows to keep without tombstones (None: keep all): every row whose
    lifecycle value is not a tombstone's (a null, which validation reports, is kept)."""
    import pyarrow.compute as pc

    status, standing = schema.status_field, schema.standing_status
    if status is None or standing is None or status not in table.column_names:
        return None
    col = table.column(status)
    if hasattr(col.type, "value_type"):  # dictionary-encoded enum
        col = col.cast(col.type.value_type)
    return pc.fill_null(pc.equal(col, standing), True)


def read_table(release: Release, table: str, *, tombstones: bool = False) -> pa.Table:
    """A release table as Arrow, standing rows only unless ``tombstones``, its metadata set."""
    data = release.read_arrow(table)
    if not tombstones:
        keep = standing_mask(data, release.table(table))
        if keep is not None:
            data = data.filter(keep)
    meta = frame_meta(release, table, tombstones=tombstones)
    stored = data.schema.metadata or {}
    return data.replace_schema_metadata({**stored, META_KEY.encode(): json.dumps(meta).encode()})


def as_pandas(release: Release, table: pa.Table, name: str, *, dates: str) -> pd.DataFrame:
    """An Arrow table read by :func:`read_table` as pandas, its ``attrs`` set."""
    df = to_pandas(table, release.table(name), dates=dates)
    meta = json.loads(table.schema.metadata[META_KEY.encode()])
    df.attrs[META_KEY] = {**meta, "dates": dates}
    return df


def load_arrow(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
) -> pa.Table:
    """A release table as a ``pyarrow.Table`` with the release schema's Arrow types (dates
    ``date32``), standing rows only unless ``tombstones``; what it is in its schema metadata."""
    return read_table(open_release(version, source=source, url=url), table, tombstones=tombstones)


def load(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
    dates: str = DATE_FORMS[0],
) -> pd.DataFrame:
    """A release table as a pandas DataFrame with the dtypes its schema declares, dates as
    ``datetime64[s]`` (``dates="date32"``: calendar dates), standing rows only unless
    ``tombstones``; what it is in ``attrs["conflictdata"]``."""
    check_dates(dates)
    release = open_release(version, source=source, url=url)
    return as_pandas(release, read_table(release, table, tombstones=tombstones), table, dates=dates)


def load_all(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
    dates: str = DATE_FORMS[0],
) -> dict[str, pd.DataFrame]:
    """Every table of a release, by name, in descriptor order (options as in :func:`load`)."""
    check_dates(dates)
    release = open_release(version, source=source, url=url)
    return {
        name: as_pandas(
            release, read_table(release, name, tombstones=tombstones), name, dates=dates
        )
        for name in release.package.tables
    }


def load_polars(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
) -> pl.DataFrame:
    """A release table as a polars DataFrame (dates ``Date``, enums ``pl.Enum`` in declared
    order), standing rows only unless ``tombstones``."""
    pl = require("polars", extra="polars", purpose="load_polars")
    release = open_release(version, source=source, url=url)
    schema = release.table(table)
    df = pl.from_arrow(read_table(release, table, tombstones=tombstones))
    enums = {f.name: pl.Enum(list(f.enum or ())) for f in schema.fields if f.is_enum}
    return df.with_columns(
        [pl.col(name).cast(pl.String).cast(dtype) for name, dtype in enums.items()]
    )


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect_duckdb(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    tombstones: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per release table over its Parquet file, of the
    standing rows unless ``tombstones``."""
    duckdb = require("duckdb", extra="duckdb", purpose="connect_duckdb")
    release = open_release(version, source=source, url=url)
    con = connection or duckdb.connect()
    for name, schema in release.package.tables.items():
        query = f"SELECT * FROM read_parquet({_sql_text(str(release.path(name)))})"
        status, standing = schema.status_field, schema.standing_status
        if not tombstones and status is not None and standing is not None:
            col = _sql_name(status)
            query += f" WHERE {col} IS NULL OR {col} = {_sql_text(standing)}"
        con.execute(f"CREATE OR REPLACE VIEW {_sql_name(name)} AS {query}")
    return con


def table_path(
    table: str, version: str | None = None, *, source: Source = None, url: str | None = None
) -> Path:
    """The verified local Parquet file of a table (every row, tombstones included), for
    Spark, Dask or anything else."""
    return open_release(version, source=source, url=url).path(table)


def tables(
    version: str | None = None, *, source: Source = None, url: str | None = None
) -> list[str]:
    """The table names of a release, in descriptor order."""
    return list(open_release(version, source=source, url=url).package.tables)


def describe(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    dates: str = DATE_FORMS[0],
) -> pd.DataFrame:
    """The fields of a table: name, type, the dtype :func:`load` gives it (with ``dates``),
    required, title, description and allowed values."""
    import pandas as pd

    schema = open_release(version, source=source, url=url).table(table)
    rows = [
        {
            "name": f.name,
            "type": f.type,
            "dtype": str(pandas_dtype(f, dates)) if not f.is_enum else "category",
            "required": f.required,
            "title": f.title,
            "description": f.description,
            "allowed_values": list(f.enum) if f.enum is not None else None,
        }
        for f in schema.fields
    ]
    df = pd.DataFrame(rows)
    for col in ("name", "type", "dtype", "title", "description"):
        df[col] = df[col].astype(pd.StringDtype("pyarrow"))
    df["required"] = df["required"].astype("boolean")
    return df
