"""A release is plain Parquet that Dask and Apache Spark read without this package: every table,
with the descriptor's row counts, column names and types (dates as dates, enums as text or
categories, nullable integers as integers) and the same values as pyarrow reads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from support.typed_release import build_typed_release

pytestmark = [
    pytest.mark.engines,  # the readers' own deprecations, not ours
    pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib"),
    pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, root: Path) -> list[Path]:
    """The repository's own release and the typed test release (every field type)."""
    return [
        build_typed_release(tmp_path_factory.mktemp("real"), root / "datapackage.json"),
        build_typed_release(tmp_path_factory.mktemp("typed")),
    ]


def _tables(releases: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for rel in releases:
        desc = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
        for res in desc["resources"]:
            yield rel / res["path"], res


def _key_order(rows: list[dict[str, Any]], res: dict[str, Any]) -> list[dict[str, Any]]:
    pk = res["schema"]["primaryKey"]
    keys = [pk] if isinstance(pk, str) else pk
    return sorted(rows, key=lambda r: [r[k] for k in keys])


def test_every_field_type_is_exercised(releases: list[Path]) -> None:
    types = {f["type"] for _, res in _tables(releases) for f in res["schema"]["fields"]}
    assert types == {"string", "integer", "number", "boolean", "date", "datetime"}


# --------------------------------------------------------------------------- Dask

#: Table Schema type -> the pandas dtype Dask gives with dtype_backend="numpy_nullable".
DASK_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "date32[day][pyarrow]",
    "datetime": "datetime64[ms, UTC]",
}


def test_dask_reads_every_table(releases: list[Path]) -> None:
    dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
    for path, res in _tables(releases):
        df = dd.read_parquet(str(path), dtype_backend="numpy_nullable")
        fields = res["schema"]["fields"]
        assert list(df.columns) == [f["name"] for f in fields]
        frame = df.compute()
        assert len(frame) == res["rows"] and df.shape[0].compute() == res["rows"]
        for f in fields:
            col = frame[f["name"]]
            enum = f.get("constraints", {}).get("enum")
            if enum is not None:  # enums are categoricals with the declared values, in order
                assert str(col.dtype) == "category", (res["name"], f["name"], col.dtype)
                assert list(col.cat.categories) == enum
            else:
                assert str(col.dtype) == DASK_DTYPES[f["type"]], (res["name"], f["name"], col.dtype)
            # the lazy frame announces the dtype the computed one has
            assert str(df.dtypes[f["name"]]) == str(col.dtype)
        expected = pq.read_table(path).to_pylist()
        got = [
            {k: (None if _is_na(v) else _py(v)) for k, v in row.items()}
            for row in frame.to_dict("records")
        ]
        assert got == expected, res["name"]


def test_dask_default_turns_nullable_integers_into_floats(releases: list[Path]) -> None:
    """Why the README passes dtype_backend: without it an integer column with a null is
    float64 once computed, while the lazy frame announces int64."""
    dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
    figures = dd.read_parquet(str(releases[0] / "figures.parquet"))
    assert pq.read_table(releases[0] / "figures.parquet").column("count_low").null_count > 0
    assert str(figures.dtypes["count_low"]) == "int64"
    assert str(figures.compute()["count_low"].dtype) == "float64"


def _is_na(value: Any) -> bool:
    import pandas as pd

    if isinstance(value, float):
        return value != value  # NaN
    return value is None or value is pd.NA or value is pd.NaT


def _py(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


# --------------------------------------------------------------------------- Spark

#: Table Schema type -> the Spark SQL type a release column is read as (enums are strings).
SPARK_TYPES = {
    "string": "string",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
}


def _java_major() -> int | None:
    java = shutil.which("java")
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local Spark session for the module: one core, small memory, no UI, loopback only."""
    pyspark = pytest.importorskip("pyspark", reason="no pyspark (pip install pyspark)")
    needed = 17 if int(pyspark.__version__.split(".")[0]) >= 4 else 8
    major = _java_major()
    if major is None:
        pytest.skip("Spark needs Java and there is no `java` here (Debian: default-jre-headless)")
    if major < needed:
        pytest.skip(f"pyspark {pyspark.__version__} needs Java {needed}+, this is Java {major}")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never bind another interface
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark's note on pandas 3
        session = (
            SparkSession.builder.master("local[1]")
            .appName("conflictdata-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "512m")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "1")
            # C1 JIT only and a serial GC: the JVM starts in half the time for tiny jobs
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def test_spark_reads_every_table(spark: Any, releases: list[Path]) -> None:
    for path, res in _tables(releases):
        df = spark.read.parquet(str(path))
        fields = res["schema"]["fields"]
        assert [(c.name, c.dataType.simpleString()) for c in df.schema.fields] == [
            (f["name"], SPARK_TYPES[f["type"]]) for f in fields
        ], res["name"]
        rows = [r.asDict() for r in df.collect()]
        assert len(rows) == res["rows"]
        expected = pq.read_table(path).to_pylist()
        for row in expected:  # Spark gives UTC timestamps as naive datetimes in the session zone
            for f in fields:
                if f["type"] == "datetime" and row[f["name"]] is not None:
                    row[f["name"]] = row[f["name"]].astimezone(UTC).replace(tzinfo=None)
        assert _key_order(rows, res) == _key_order(expected, res), res["name"]


def test_spark_sql_over_a_release(spark: Any, releases: list[Path]) -> None:
    """Typed columns work in SQL: dates compare as dates, nullable integers add up."""
    real = releases[0]
    spark.read.parquet(str(real / "figures.parquet")).createOrReplaceTempView("figures")
    spark.read.parquet(str(real / "events.parquet")).createOrReplaceTempView("events")
    figures = pq.read_table(real / "figures.parquet").to_pylist()
    events = pq.read_table(real / "events.parquet").to_pylist()
    total = spark.sql("select sum(count_high) as s, count(count_high) as n from figures").first()
    highs = [r["count_high"] for r in figures if r["count_high"] is not None]
    assert (total.s, total.n) == (sum(highs), len(highs))
    dated = spark.sql("select count(*) from events where date_end >= date'2025-06-13'").first()[0]
    june = [r for r in events if r["date_end"] and r["date_end"].isoformat() >= "2025-06-13"]
    assert dated == len(june)


# --------------------------------------------------------------------------- README examples

README_PATH = "build/releases/0.1.0"  # the release folder the README's examples name


def _examples(root: Path) -> dict[str, str]:
    """The README's `<!-- example: NAME -->` code blocks, by name."""
    text = (root / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"<!-- example: (\w+) -->\n```\w+\n(.*?)```\n", text, flags=re.S)
    return dict(found)


def _run_example(root: Path, name: str, release: Path) -> dict[str, Any]:
    code = _examples(root)[name]
    assert README_PATH in code, f"README example {name} does not read {README_PATH}"
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        exec(compile(code.replace(README_PATH, str(release)), f"README:{name}", "exec"), namespace)
    return namespace


def test_readme_shows_each_engine(root: Path) -> None:
    assert set(_examples(root)) == {
        "sha256sum",
        "duckdb",
        "polars",
        "dask",
        "spark",
        "croissant",
        "changes",
    }  # changes: tests/tools/test_changes.py


def test_readme_checksum_example(root: Path, releases: list[Path]) -> None:
    code = _examples(root)["sha256sum"].replace(README_PATH, str(releases[0]))
    done = subprocess.run(["bash", "-e", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == len((releases[0] / "SHA256SUMS").read_text().splitlines())


def test_readme_duckdb_example(root: Path, releases: list[Path]) -> None:
    pytest.importorskip("duckdb")
    counts = _run_example(root, "duckdb", releases[0])["counts"]
    events = pq.read_table(releases[0] / "events.parquet").to_pylist()
    expected: dict[str, int] = {}
    for e in events:
        if e["record_status"] == "active":
            expected[e["event_type"]] = expected.get(e["event_type"], 0) + 1
    assert counts == sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))


def test_readme_polars_example(root: Path, releases: list[Path]) -> None:
    pl = pytest.importorskip("polars")
    ns = _run_example(root, "polars", releases[0])
    events = pq.read_table(releases[0] / "events.parquet").to_pylist()
    schema = ns["events"].schema
    assert ns["events"].height == len(events) and schema["date_end"] == pl.Date
    assert schema["event_type"] == pl.Categorical and schema["sequence_number"] == pl.Int64
    assert ns["events"]["sequence_number"].null_count() > 0  # integers with nulls stay Int64
    assert ns["june"]["event_id"].to_list() == [
        e["event_id"] for e in events if e["date_end"] and e["date_end"].isoformat() >= "2025-06-13"
    ]


def test_readme_dask_example(root: Path, releases: list[Path]) -> None:
    pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
    most = _run_example(root, "dask", releases[0])["most"]
    expected: dict[str, int] = {}
    for f in pq.read_table(releases[0] / "figures.parquet").to_pylist():
        if f["count_high"] is not None:
            expected[f["quantity"]] = max(expected.get(f["quantity"], 0), f["count_high"])
    assert str(most.dtype) == "Int64"
    assert most.dropna().to_dict() == expected


def test_readme_spark_example(root: Path, spark: Any, releases: list[Path]) -> None:
    per_day = _run_example(root, "spark", releases[0])["per_day"]
    events = pq.read_table(releases[0] / "events.parquet").to_pylist()
    assert sum(r["n"] for r in per_day) == len(events)
    assert {r["date_end"] for r in per_day} == {e["date_end"] for e in events}


def test_readme_croissant_example(root: Path, releases: list[Path]) -> None:
    pytest.importorskip("mlcroissant", reason="no mlcroissant (pip install mlcroissant)")
    from conflictdata._tools.croissant import CROISSANT_NAME, write_croissant

    rel = releases[0]
    if not (rel / CROISSANT_NAME).is_file():  # releases built before croissant.json was added
        write_croissant(rel)
    records = _run_example(root, "croissant", rel)["records"]
    events = pq.read_table(rel / "events.parquet").to_pylist()
    assert [r["events/event_id"].decode() for r in records] == [e["event_id"] for e in events]
