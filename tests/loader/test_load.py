"""Loading releases: dtypes from the schemas for every column of every table, sources, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.loader import (
    build_places_release,
    fetch_one,
    isolate_loader,
    write_places_package,
)
from support.paths import REPO
from support.profiles import examples

import conflictdata as cd
from conflictdata._loader.releases import ENV_BUILD, _checkout_build_dir, open_release
from conflictdata._tableschema.dtypes import pandas_dtype
from conflictdata._tableschema.package import package_from_descriptor, read_package
from conflictdata.errors import (
    ChecksumError,
    DescriptorError,
    MissingDependencyError,
    UnknownTableError,
    UnknownVersionError,
)


@pytest.fixture(scope="module")
def repo_release(curated_releases: Path) -> Path:
    """The curated package's release: the session's one build of it."""
    return curated_releases


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two versions of the small test package: 1.0.0 and 1.1.0."""
    base = tmp_path_factory.mktemp("small")
    build_places_release(write_places_package(base / "a", "1.0.0"), base / "out")
    build_places_release(
        write_places_package(base / "b", "1.1.0", "p5,Fordow,site,,34.88,false,"), base / "out"
    )
    return base / "out"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_loader(tmp_path, monkeypatch)


def _release_package(folder: Path):
    return package_from_descriptor(json.loads((folder / "datapackage.json").read_text()), folder)


def test_every_column_of_every_table_has_the_schema_dtype(repo_release: Path) -> None:
    source = read_package(REPO / "datapackage.json")
    frames = cd.load_all(source=repo_release)
    assert list(frames) == list(source.tables)  # descriptor order
    checked = 0
    for name, schema in source.tables.items():
        df = frames[name]
        assert list(df.columns) == schema.field_names, name
        for f in schema.fields:
            dtype = df[f.name].dtype
            assert not pd.api.types.is_object_dtype(dtype), (name, f.name)
            assert dtype == pandas_dtype(f), (name, f.name, dtype)
            if f.type == "date":
                assert dtype == "datetime64[s]" and f.pandas_dtype() == "date32[pyarrow]"
            if f.is_enum:
                assert isinstance(dtype, pd.CategoricalDtype) and f.enum is not None
                assert list(dtype.categories) == list(f.enum), (name, f.name)
            checked += 1
        rows = next(
            r
            for r in _release_package(repo_release / source.version).descriptor["resources"]
            if r["name"] == name
        )["rows"]
        assert len(df) == rows
    assert checked == sum(len(t.fields) for t in source.tables.values())
    assert {f.type for t in source.tables.values() for f in t.fields} >= {"string", "date"}


def test_values_survive_the_round_trip(small: Path) -> None:
    df = cd.load("places", "1.0.0", source=small)
    calendar = cd.load("places", "1.0.0", source=small, dates="date32")
    assert df["place_id"].tolist() == ["p1", "p2", "p3", "p4"]
    assert df["kind"].tolist()[:3] == ["city", "site", "base"] and pd.isna(df["kind"][3])
    assert df["population"].tolist()[0] == 9000000 and df["population"].isna().tolist() == [
        False,
        True,
        False,
        False,
    ]
    assert df["capital"].tolist()[:2] == [True, False] and df["capital"].isna().sum() == 1
    assert df["founded"][0] == pd.Timestamp("1796-03-20") and df["founded"].dt.year[3] == 1000
    assert str(calendar["founded"][0]) == "1796-03-20" and calendar["founded"].dt.year[3] == 1000
    assert df["founded"].isna().tolist() == calendar["founded"].isna().tolist()
    assert df["latitude"].isna().tolist() == [False, False, True, False]


def test_small_package_dtypes_cover_every_type(small: Path) -> None:
    df = cd.load("places", "latest", source=small)
    assert df.dtypes.astype(str).tolist() == [
        "string",
        "string",
        "category",
        "Int64",
        "Float64",
        "boolean",
        "datetime64[s]",
    ]
    calendar = cd.load("places", "latest", source=small, dates="date32")
    assert str(calendar["founded"].dtype) == "date32[day][pyarrow]"
    assert isinstance(df["name"].dtype, pd.StringDtype) and df["name"].dtype.storage == "pyarrow"
    assert df["name"].dtype.na_value is pd.NA


def test_latest_is_the_newest_and_pinned_versions_load(small: Path) -> None:
    assert len(cd.load("places", "latest", source=small)) == 5
    assert len(cd.load("places", "1.0.0", source=small)) == 4
    assert len(cd.load("places", source=small / "1.0.0")) == 4  # a release folder is its pin
    assert cd.tables("latest", source=small) == ["places", "visits"]


def test_version_none_in_a_folder_without_the_default_release_says_so(small: Path) -> None:
    """The default is this installation's release (here the checkout's), never the newest."""
    default = cd.default_release().version
    with pytest.raises(UnknownVersionError) as err:
        cd.load("places", source=small)
    message = str(err.value)
    assert f"release {default} (" in message and "1.0.0, 1.1.0" in message
    assert "version='latest'" in message and "\n" not in message


def test_bundled_first_then_cache(small: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(small / "1.0.0", tmp_path / "bundle" / "1.0.0")
    shutil.copytree(small / "1.1.0", tmp_path / "cache" / "1.1.0")
    assert len(cd.load("places", "1.0.0")) == 4  # bundled
    assert len(cd.load("places")) == 4  # the bundled release, not the newer cached one
    assert cd.load("places").attrs["conflictdata"]["version"] == "1.0.0"
    assert len(cd.load("places", "latest")) == 5  # asked for: the newest here
    assert len(cd.load("places", source="bundled")) == 4
    assert len(cd.load("places", "latest", source="cache")) == 5
    with pytest.raises(UnknownVersionError, match=r"release 1\.0\.0 \(the release bundled"):
        cd.load("places", source="cache")  # the cache does not hold the default release
    with pytest.raises(UnknownVersionError, match=r"1\.0\.0 \(bundled\).*1\.1\.0 \(cache\)"):
        cd.load("places", "2.0.0")
    with pytest.raises(UnknownVersionError):
        cd.load("places", "1.1.0", source="bundled")
    found = {v.version: v.where for v in cd.versions()}
    assert found == {"1.0.0": ("bundled",), "1.1.0": ("cache",)}
    default = {v.version: v.default for v in cd.versions()}
    assert default["1.1.0"] is None and "bundled" in (default["1.0.0"] or "")
    assert cd.default_release().version == "1.0.0"


def test_a_local_build_comes_after_bundled_and_before_cache(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copytree(small / "1.0.0", tmp_path / "bundle" / "1.0.0")
    shutil.copytree(small / "1.0.0", tmp_path / "built" / "1.0.0")
    shutil.copytree(small / "1.1.0", tmp_path / "built" / "1.1.0")
    shutil.copytree(small / "1.1.0", tmp_path / "cache" / "1.1.0")
    assert open_release("1.0.0").where == "bundled"
    assert open_release().where == "bundled"  # the default: the release this install carries
    assert open_release("latest").where == "local"  # 1.1.0, from the build before the cache
    assert len(cd.load("places", "latest")) == 5
    found = {v.version: v.where for v in cd.versions()}
    assert found == {"1.0.0": ("bundled", "local"), "1.1.0": ("local", "cache")}
    monkeypatch.setenv(ENV_BUILD, str(tmp_path / "elsewhere"))
    assert open_release("1.1.0").where == "cache"  # the variable replaces the checkout's build


def test_a_source_checkout_finds_its_own_build_folder() -> None:
    # This test suite runs from a checkout, so the loader knows the checkout's build output.
    assert _checkout_build_dir() == Path(cd.__file__).resolve().parents[2] / "build" / "releases"


def test_unknown_table_names_the_tables_that_exist(small: Path) -> None:
    with pytest.raises(UnknownTableError) as err:
        cd.load("evnts", "latest", source=small)
    assert "'evnts'" in str(err.value) and "places, visits" in str(err.value)
    assert isinstance(err.value, KeyError)


def test_unknown_version_names_the_versions_that_exist(small: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownVersionError, match=r"'3\.0'.*1\.0\.0.*1\.1\.0"):
        cd.load("places", "3.0", source=small)
    with pytest.raises(UnknownVersionError, match="neither a release folder"):
        cd.load("places", source=tmp_path)
    with pytest.raises(UnknownVersionError, match="neither one of bundled, cache, remote"):
        cd.load("places", source="bundle")


def test_no_bundled_release_says_why() -> None:
    with pytest.raises(UnknownVersionError, match="bundles no release"):
        cd.load("places", source="bundled")


def test_a_local_file_that_does_not_match_its_hash_is_refused(small: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small / "1.0.0", copy)
    data = bytearray((copy / "visits.parquet").read_bytes())
    data[-20] ^= 1
    (copy / "visits.parquet").write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="visits"):
        cd.load("visits", source=copy)
    assert (copy / "visits.parquet").exists()  # never delete a file we did not download


def test_describe_lists_fields_from_the_schema(repo_release: Path) -> None:
    source = read_package(REPO / "datapackage.json")
    for name, schema in source.tables.items():
        d = cd.describe(name, source=repo_release)
        assert d["name"].tolist() == schema.field_names
        assert d["required"].tolist() == [f.required for f in schema.fields]
        assert d["description"].tolist() == [f.description for f in schema.fields]
        assert d["dtype"].tolist() == [
            "category" if f.is_enum else str(pandas_dtype(f)) for f in schema.fields
        ]
        assert d["allowed_values"].tolist() == [
            list(f.enum) if f.enum else None for f in schema.fields
        ]
        assert (
            sum(not pd.api.types.is_object_dtype(t) for t in d.dtypes) == len(d.columns) - 1
        )  # allowed_values holds lists


def test_arrow_polars_duckdb(small: Path) -> None:
    import duckdb
    import polars as pl

    t = cd.load_arrow("places", "latest", source=small)
    schema = _release_package(small / "1.1.0").tables["places"]
    assert t.schema.equals(schema.arrow_schema())
    p = cd.load_polars("places", "latest", source=small)
    assert p.schema["kind"] == pl.Enum(["city", "base", "site"]) and p.height == 5
    assert p["founded"].dtype == pl.Date
    con = cd.connect_duckdb("1.0.0", source=small)
    assert fetch_one(con, "select count(*) from places join visits using (place_id)")[0] == 3
    assert isinstance(con, duckdb.DuckDBPyConnection)
    assert cd.table_path("visits", "latest", source=small) == small / "1.1.0" / "visits.parquet"


@pytest.mark.parametrize(
    ("func", "module", "extra"),
    [
        ("load_polars", "polars", "polars"),
        ("connect_duckdb", "duckdb", "duckdb"),
    ],
)
def test_missing_optional_dependency_gives_an_install_hint(
    small: Path, monkeypatch: pytest.MonkeyPatch, func: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    args = ("places",) if func == "load_polars" else ()
    with pytest.raises(MissingDependencyError, match=rf"conflictdata\[{extra}\]"):
        getattr(cd, func)(*args, source=small)


def test_a_file_whose_columns_differ_from_its_schema_is_an_error(
    small: Path, tmp_path: Path
) -> None:
    import hashlib
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small / "1.0.0", copy)
    table = pq.read_table(copy / "visits.parquet").drop_columns(["day"])
    pq.write_table(table, copy / "visits.parquet")
    desc = json.loads((copy / "datapackage.json").read_text())
    for r in desc["resources"]:
        if r["name"] == "visits":
            r["hash"] = (
                "sha256:" + hashlib.sha256((copy / "visits.parquet").read_bytes()).hexdigest()
            )
    (copy / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(DescriptorError, match="declares"):
        cd.load("visits", source=copy)


@settings(max_examples=examples(25))
@given(
    values=st.lists(
        st.sampled_from(["active", "retracted", "superseded", None]), min_size=1, max_size=40
    ),
    order=st.permutations(["active", "retracted", "superseded"]),
)
def test_enum_categories_are_declared_order_whatever_the_stored_dictionary(
    tmp_path_factory: pytest.TempPathFactory, values: list[str | None], order: list[str]
) -> None:
    """A Parquet file written by another tool (any dictionary order, unused values dropped)."""
    folder = tmp_path_factory.mktemp("enum")
    schema = _small_visits_schema()
    dictionary = [v for v in order if v in values] or ["active"]
    indices = pa.array([None if v is None else dictionary.index(v) for v in values], pa.int32())
    n = len(values)
    table = pa.table(
        {
            "visit_id": [f"v{i}" for i in range(n)],
            "place_id": ["p1"] * n,
            "status": pa.DictionaryArray.from_arrays(indices, pa.array(dictionary)),
            "day": pa.array([0] * n, pa.int32()).cast(pa.date32()),
        }
    )
    pq.write_table(table, folder / "visits.parquet")
    _write_descriptor(folder, "visits", schema)
    df = cd.load("visits", source=folder)
    assert list(df["status"].cat.categories) == ["active", "retracted", "superseded"]
    assert [None if pd.isna(v) else v for v in df["status"]] == values


def _small_visits_schema() -> dict:
    from support.loader import VISITS_SCHEMA

    return {k: v for k, v in VISITS_SCHEMA.items() if k != "foreignKeys"}


def _write_descriptor(folder: Path, name: str, schema: dict) -> None:
    import hashlib

    data = (folder / f"{name}.parquet").read_bytes()
    desc = {
        "name": "conflictdata",
        "version": "0.0.1",
        "resources": [
            {
                "name": name,
                "path": f"{name}.parquet",
                "format": "parquet",
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": schema,
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(desc))


@pytest.mark.processes
def test_import_is_light() -> None:
    """`import conflictdata` pulls in neither pandas/pyarrow nor pandera/frictionless."""
    code = (
        "import sys, conflictdata\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'pandera', 'frictionless', 'pooch', 'requests')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.processes
def test_loading_does_not_import_the_validation_stack(repo_release: Path) -> None:
    code = (
        "import sys, conflictdata as cd\n"
        f"cd.load_all(source={str(repo_release)!r})\n"
        "print([m for m in ('pandera', 'frictionless', 'pooch') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
