"""croissant.json: Croissant 1.1 metadata of a release, checked by mlcroissant (the MLCommons
reference implementation): it validates, and each RecordSet loads as the release's table."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import math
import shutil
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from support.typed_release import build_typed_release

from conflictdata._tools.croissant import (
    CONFORMS_TO,
    CROISSANT_NAME,
    croissant_json,
    croissant_metadata,
    write_croissant,
)
from conflictdata.errors import DescriptorError

NO_MLCROISSANT = "mlcroissant is not installed (pip install mlcroissant)"

pytestmark = [  # the readers' own deprecations, not ours
    pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib"),
    pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rel = build_typed_release(tmp_path_factory.mktemp("croissant"))
    write_croissant(rel)
    return rel


def _descriptor(rel: Path) -> dict[str, Any]:
    return json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))


def _sums(rel: Path) -> dict[str, str]:
    pairs = (ln.split("  ", 1) for ln in (rel / "SHA256SUMS").read_text().splitlines())
    return {name: digest for digest, name in pairs}


def test_metadata_follows_the_descriptor(release: Path) -> None:
    doc = json.loads((release / CROISSANT_NAME).read_text(encoding="utf-8"))
    desc = _descriptor(release)
    assert doc["@type"] == "sc:Dataset" and doc["conformsTo"] == CONFORMS_TO
    assert doc["name"] == "conflictdata" and doc["version"] == "1.0.0"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["datePublished"] == "2025-06-15T15:06:40Z"
    assert doc["citeAs"] == "tests (2025). Test package, version 1.0.0. CC BY 4.0."

    # every file of SHA256SUMS but croissant.json itself, with the same SHA-256
    files = {d["name"]: d for d in doc["distribution"]}
    sums = {n: h for n, h in _sums(release).items() if n != CROISSANT_NAME}
    assert set(files) == set(sums)
    assert set(sums) == {
        "datapackage.json",
        "CHANGELOG.md",
        "changes.parquet",
        "report.html",
        "sources.parquet",
        "events.parquet",
        "csv/datapackage.json",
        "csv/sources.csv",
        "csv/events.csv",
    }
    for name, digest in sums.items():
        assert files[name]["sha256"] == digest
        assert files[name]["contentUrl"] == name
        assert files[name]["contentSize"] == f"{(release / name).stat().st_size} B"
    assert files["events.parquet"]["encodingFormat"] == "application/x-parquet"
    assert files["csv/events.csv"]["encodingFormat"] == "text/csv"

    # a RecordSet per table, a Field per column, in schema order, typed and described
    assert [rs["name"] for rs in doc["recordSet"]] == [r["name"] for r in desc["resources"]]
    for rs, res in zip(doc["recordSet"], desc["resources"], strict=True):
        fields = res["schema"]["fields"]
        assert [f["name"] for f in rs["field"]] == [f["name"] for f in fields]
        assert [f.get("description") for f in rs["field"]] == [f["description"] for f in fields]
        assert rs["key"] == [{"@id": f"{res['name']}/{k}"} for k in res["schema"]["primaryKey"]]
        for f in rs["field"]:
            source = {"fileObject": {"@id": res["path"]}, "extract": {"column": f["name"]}}
            assert f["source"] == source
    types = {f["name"]: f["dataType"] for f in doc["recordSet"][1]["field"]}
    assert types == {
        "event_id": "sc:Text",
        "source_id": "sc:Text",
        "event_type": "sc:Text",
        "date_start": "sc:Date",
        "reported_at": "sc:DateTime",
        "fatalities": "sc:Integer",
        "latitude": "sc:Float",
        "confirmed": "sc:Boolean",
        "record_status": "sc:Text",
        "superseded_by": "sc:Text",
    }


def test_text_is_deterministic_and_reproducible(release: Path, tmp_path: Path) -> None:
    text = (release / CROISSANT_NAME).read_text(encoding="utf-8")
    assert croissant_json(release) == text and text.endswith("}\n")
    # Croissant's own key order: context, type, name (description), conformsTo first, the
    # long lists last, the rest alphabetical
    keys = list(json.loads(text))
    assert keys[:4] == ["@context", "@type", "name", "conformsTo"]
    assert keys[-2:] == ["distribution", "recordSet"] and keys[4:-2] == sorted(keys[4:-2])
    again = build_typed_release(tmp_path / "elsewhere")
    assert (write_croissant(again)).read_bytes() == text.encode("utf-8")


def _plain(value: Any) -> Any:
    """A value as mlcroissant gives it, in the release's Python terms."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _as_loaded(value: Any, field_type: str) -> Any:
    """A Parquet value as Croissant types it (a date is a midnight timestamp)."""
    if value is None:
        return None
    if field_type == "date":
        return datetime(value.year, value.month, value.day)
    return value


@pytest.mark.engines
def test_mlcroissant_validates_and_loads_every_record_set(release: Path) -> None:
    mlc = pytest.importorskip("mlcroissant", reason=NO_MLCROISSANT)
    dataset = mlc.Dataset(jsonld=str(release / CROISSANT_NAME))
    assert not dataset.metadata.ctx.issues.errors
    assert not dataset.metadata.ctx.issues.warnings
    desc = _descriptor(release)
    for res in desc["resources"]:
        name = res["name"]
        records = list(dataset.records(record_set=name))
        assert len(records) == res["rows"]
        table = pq.read_table(release / res["path"]).to_pylist()
        for field in res["schema"]["fields"]:
            col = field["name"]
            loaded = [_plain(r[f"{name}/{col}"]) for r in records]
            expected = [_as_loaded(row[col], field["type"]) for row in table]
            if field["type"] == "datetime":  # mlcroissant drops the zone; the instant is UTC
                loaded = [v and v.replace(tzinfo=v.tzinfo or UTC) for v in loaded]
            assert loaded == expected, (name, col)
    events = {_plain(r["events/event_id"]): r for r in dataset.records(record_set="events")}
    assert _plain(events["EV-0004"]["events/fatalities"]) == 12
    assert _plain(events["EV-0001"]["events/date_start"]).date() == date(2025, 6, 13)
    assert _plain(events["EV-0003"]["events/fatalities"]) is None  # null stays null, not 0


@pytest.mark.engines
def test_mlcroissant_loads_the_real_release(tmp_path: Path, root: Path) -> None:
    mlc = pytest.importorskip("mlcroissant", reason=NO_MLCROISSANT)
    rel = build_typed_release(tmp_path, root / "datapackage.json")
    dataset = mlc.Dataset(jsonld=str(write_croissant(rel)))
    assert not dataset.metadata.ctx.issues.errors and not dataset.metadata.ctx.issues.warnings
    resources = _descriptor(rel)["resources"]
    assert [rs.name for rs in dataset.metadata.record_sets] == [r["name"] for r in resources]
    for res in resources:
        assert sum(1 for _ in dataset.records(record_set=res["name"])) == res["rows"], res["name"]


@pytest.mark.engines
def test_mlcroissant_refuses_a_tampered_file(release: Path, tmp_path: Path) -> None:
    """The sha256 in croissant.json is what a Croissant reader checks before it reads."""
    mlc = pytest.importorskip("mlcroissant", reason=NO_MLCROISSANT)
    copy_dir = tmp_path / "copy"
    shutil.copytree(release, copy_dir)
    events = pq.read_table(copy_dir / "events.parquet").slice(0, 2)
    pq.write_table(events, copy_dir / "events.parquet")
    dataset = mlc.Dataset(jsonld=str(copy_dir / CROISSANT_NAME))
    assert len(list(dataset.records(record_set="sources"))) == 2
    with pytest.raises(Exception) as excinfo:
        list(dataset.records(record_set="events"))
    chain: list[str] = []
    exc: BaseException | None = excinfo.value
    while exc is not None:
        chain.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert any("is not identical with the reference in the Croissant JSON-LD" in m for m in chain)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.engines
def test_served_metadata_is_not_resolved_by_mlcroissant(release: Path) -> None:
    """Backs the README's advice to load croissant.json from a local folder: mlcroissant
    1.1.1 resolves relative file names only against a local file, not a URL."""
    mlc = pytest.importorskip("mlcroissant", reason=NO_MLCROISSANT)
    handler = functools.partial(_QuietHandler, directory=str(release))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{CROISSANT_NAME}"
        dataset = mlc.Dataset(jsonld=url)  # the metadata itself is read and valid
        assert [rs.name for rs in dataset.metadata.record_sets] == ["sources", "events"]
        with pytest.raises(Exception, match="Download"):
            list(dataset.records(record_set="sources"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _copy(release: Path, dest: Path) -> Path:
    shutil.copytree(release, dest, ignore=shutil.ignore_patterns(CROISSANT_NAME))
    return dest


def test_same_text_before_checksums_and_zip_exist(release: Path, tmp_path: Path) -> None:
    """A build may write croissant.json before SHA256SUMS and the zip (so both hold it)."""
    rel = _copy(release, tmp_path / "r")
    (rel / "SHA256SUMS").unlink()
    (rel / "conflictdata-1.0.0.zip").unlink()
    assert croissant_json(rel) == croissant_json(release)


def test_a_file_that_differs_from_its_descriptor_is_refused(release: Path, tmp_path: Path) -> None:
    rel = _copy(release, tmp_path / "r")
    with open(rel / "sources.parquet", "ab") as f:
        f.write(b"x")
    with pytest.raises(DescriptorError, match=r"sources\.parquet has SHA-256 [0-9a-f]{64}, its"):
        croissant_metadata(rel)


def test_sums_that_disagree_are_refused(release: Path, tmp_path: Path) -> None:
    rel = _copy(release, tmp_path / "r")
    sums = (rel / "SHA256SUMS").read_text()
    digest = _sums(rel)["CHANGELOG.md"]
    (rel / "SHA256SUMS").write_text(sums.replace(digest, "0" * 64))
    with pytest.raises(DescriptorError, match=r"SHA256SUMS lists 0{64} for CHANGELOG\.md"):
        croissant_metadata(rel)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"path": "../outside.parquet"}, "must be a plain .parquet file name"),
        ({"path": "/etc/passwd"}, "must be a plain .parquet file name"),
        ({"path": "CHANGELOG.md"}, "must be a plain .parquet file name"),
        ({"path": "sources.parquet"}, "two tables have the path sources.parquet"),
        ({"hash": "md5:abc"}, "no 'sha256:<64 hex>' hash"),
        ({"path": "missing.parquet"}, "table file missing.parquet is missing"),
    ],
)
def test_hostile_descriptor_is_a_descriptor_error(
    release: Path, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    rel = _copy(release, tmp_path / "r")
    desc = _descriptor(rel)
    desc["resources"][-1].update(change)
    (rel / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(DescriptorError, match=message):
        croissant_metadata(rel)


def test_every_other_release_file_is_described(release: Path, tmp_path: Path) -> None:
    rel = _copy(release, tmp_path / "r")
    (rel / ".tmp-croissant.json.x").write_text("half written")  # a temporary file is not
    files = {d["name"]: d for d in croissant_metadata(rel)["distribution"]}
    assert files["report.html"]["encodingFormat"] == "text/html"
    digest = hashlib.sha256((rel / "report.html").read_bytes()).hexdigest()
    assert files["report.html"]["sha256"] == digest
    assert not any(n.startswith(".") for n in files)
    (rel / "notes.bin").write_bytes(b"\0")
    with pytest.raises(DescriptorError, match=r"'notes\.bin' is not a file Croissant metadata can"):
        croissant_metadata(rel)


def test_bad_version_and_not_a_release(release: Path, tmp_path: Path) -> None:
    rel = _copy(release, tmp_path / "r")
    desc = _descriptor(rel)
    desc["version"] = "../1.0"
    (rel / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(Exception, match="is not a release version"):
        croissant_metadata(rel)
    with pytest.raises(DescriptorError, match="not a release folder"):
        croissant_metadata(tmp_path / "nothing")


#: Field names a Table Schema allows that would be read as paths, fragments or dot
#: segments in an unescaped ``@id``: ``a/../b/name`` resolves to ``b/name``, another field.
_PATH_LIKE = ["../b/name", "b/name", "/", "#", "a#b", "..", ".", "x y", "%2E", "ü"]


def _path_like_release(root: Path) -> Path:
    import csv
    import os

    from conflictdata._tools.build import build_release as build

    pkg = root / "pkg"
    (pkg / "schemas").mkdir(parents=True)
    (pkg / "seeds").mkdir()
    tables = {"a": ["id", *_PATH_LIKE], "b": ["name"]}
    resources = []
    for name, fields in tables.items():
        schema = {"fields": [{"name": f, "type": "string"} for f in fields]}
        (pkg / "schemas" / f"{name}.json").write_text(json.dumps(schema), encoding="utf-8")
        with open(pkg / "seeds" / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows([fields, [f"{name}:{f}" for f in fields]])
        resources.append(
            {"name": name, "path": f"seeds/{name}.csv", "schema": f"schemas/{name}.json"}
        )
    desc = {"name": "paths", "version": "1.0.0", "resources": resources}
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    return build(pkg / "datapackage.json", root / "releases", progress=False).path


def test_field_ids_are_escaped_so_none_collide(tmp_path: Path) -> None:
    """Issue 18: a field ``../b/name`` of table ``a`` gave the ``@id`` of ``b``'s field."""
    from conflictdata._tools.croissant import field_id

    ids = [field_id("a", f) for f in ["id", *_PATH_LIKE]] + [field_id("b", "name")]
    assert len(set(ids)) == len(ids)
    assert all(i.count("/") == 1 and "#" not in i and "/." not in i for i in ids), ids
    assert field_id("events", "event_id") == "events/event_id"  # plain names stay readable


@pytest.mark.engines
def test_mlcroissant_loads_fields_named_like_paths(tmp_path: Path) -> None:
    """Every value lands under its own field: mlcroissant validates the metadata and yields
    each record set's values by the escaped ``@id``s."""
    mlc = pytest.importorskip("mlcroissant", reason=NO_MLCROISSANT)
    from conflictdata._tools.croissant import field_id

    rel = _path_like_release(tmp_path)
    dataset = mlc.Dataset(jsonld=str(rel / CROISSANT_NAME))
    assert not dataset.metadata.ctx.issues.errors
    for table, fields in {"a": ["id", *_PATH_LIKE], "b": ["name"]}.items():
        (record,) = list(dataset.records(record_set=table))
        assert {k: _plain(v) for k, v in record.items()} == {
            field_id(table, f): f"{table}:{f}" for f in fields
        }
