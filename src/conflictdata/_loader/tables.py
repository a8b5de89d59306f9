"""Release tables as typed frames: pandas, Arrow, polars, DuckDB, and field documentation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._util.optional import require

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa
from .._tableschema.dtypes import to_pandas
from .releases import Source, open_release


def load_arrow(
    table: str, version: str | None = None, *, source: Source = None, url: str | None = None
) -> pa.Table:
    """A release table as a ``pyarrow.Table`` with the release schema's Arrow types."""
    return open_release(version, source=source, url=url).read_arrow(table)


def load(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
) -> pd.DataFrame:
    """A release table as a pandas DataFrame with the dtypes its schema declares."""
    release = open_release(version, source=source, url=url)
    return to_pandas(release.read_arrow(table), release.table(table))


def load_all(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of a release, by name, in descriptor order."""
    release = open_release(version, source=source, url=url)
    return {
        name: to_pandas(release.read_arrow(name), schema)
        for name, schema in release.package.tables.items()
    }


def load_polars(
    table: str, version: str | None = None, *, source: Source = None, url: str | None = None
) -> pl.DataFrame:
    """A release table as a polars DataFrame (enums as ``pl.Enum`` in declared order)."""
    pl = require("polars", extra="polars", purpose="load_polars")
    release = open_release(version, source=source, url=url)
    schema = release.table(table)
    df = pl.read_parquet(release.path(table))
    enums = {f.name: pl.Enum(list(f.enum or ())) for f in schema.fields if f.is_enum}
    return df.with_columns(
        [pl.col(name).cast(pl.String).cast(dtype) for name, dtype in enums.items()]
    )


def connect_duckdb(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per release table over its Parquet file."""
    duckdb = require("duckdb", extra="duckdb", purpose="connect_duckdb")
    release = open_release(version, source=source, url=url)
    con = connection or duckdb.connect()
    for name in release.package.tables:
        path = str(release.path(name)).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")
    return con


def table_path(
    table: str, version: str | None = None, *, source: Source = None, url: str | None = None
) -> Path:
    """The verified local Parquet file of a table, for Spark, Dask or anything else."""
    return open_release(version, source=source, url=url).path(table)


def tables(
    version: str | None = None, *, source: Source = None, url: str | None = None
) -> list[str]:
    """The table names of a release, in descriptor order."""
    return list(open_release(version, source=source, url=url).package.tables)


def describe(
    table: str, version: str | None = None, *, source: Source = None, url: str | None = None
) -> pd.DataFrame:
    """The fields of a table: name, type, required, title, description and allowed values."""
    import pandas as pd

    schema = open_release(version, source=source, url=url).table(table)
    rows = [
        {
            "name": f.name,
            "type": f.type,
            "dtype": str(f.pandas_dtype()) if not f.is_enum else "category",
            "required": f.required,
            "title": f.title,
            "description": f.description,
            "allowed_values": list(f.enum) if f.is_enum else None,
        }
        for f in schema.fields
    ]
    df = pd.DataFrame(rows)
    for col in ("name", "type", "dtype", "title", "description"):
        df[col] = df[col].astype(pd.StringDtype("pyarrow"))
    df["required"] = df["required"].astype("boolean")
    return df
