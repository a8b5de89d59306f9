"""A hostile release server on 127.0.0.1: every failure is a DownloadError, bounded in size,
depth and time, nothing outside the cache is read, nothing bad is cached, no temp file left."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.cli import run_cli
from support.loader import (
    ReleaseServer,
    Sent,
    build_places_release,
    drip,
    endless,
    isolate_loader,
    respond,
    write_places_package,
)
from support.profiles import examples

import conflictdata as cd
import conflictdata._release.verify
from conflictdata._release.verify import forget_verified
from conflictdata._remote import cache as remote_cache
from conflictdata._remote import http as remote_http
from conflictdata._remote import server as remote_server
from conflictdata._remote.cache import STALE_PART_SECONDS, fetch_release
from conflictdata._remote.server import ENV_URL, MAX_JSON_DEPTH, _json_depth_ok, parse_json_document
from conflictdata._util.usercache import ENV_CACHE
from conflictdata.cli import main
from conflictdata.errors import (
    ChecksumError,
    ConflictDataError,
    DownloadError,
    InvalidVersionError,
    UnknownVersionError,
)

VERSION = "1.0.0"
PLACES = f"{VERSION}/places.parquet"
VISITS = f"{VERSION}/visits.parquet"
DESCRIPTOR = f"{VERSION}/datapackage.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile-built")
    build_places_release(write_places_package(base / "pkg", VERSION), base / "out")
    return base / "out"


@pytest.fixture
def served(built: Path, tmp_path: Path) -> Path:
    """A copy of the build output per test, so a test may rewrite what the server serves."""
    return Path(shutil.copytree(built, tmp_path / "served"))


@pytest.fixture
def server(served: Path):
    with ReleaseServer(served) as srv:
        yield srv


@pytest.fixture(autouse=True)
def cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache, nothing bundled or built, and short limits so a bad server fails fast."""
    cache = isolate_loader(tmp_path, monkeypatch, retries=0)  # tests about retries say so
    monkeypatch.setattr(remote_http, "TIMEOUT", 1.0)
    monkeypatch.setattr(remote_http, "DOCUMENT_DEADLINE", 2.5)
    monkeypatch.setattr(remote_http, "FILE_DEADLINE", 2.5)
    return cache


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, temporary (dot) files included."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _descriptor(served: Path) -> dict[str, Any]:
    return json.loads((served / DESCRIPTOR).read_text())


def _serve_descriptor(served: Path, doc: Any) -> None:
    (served / DESCRIPTOR).write_text(json.dumps(doc))


# ---------------------------------------------------------------------------------------
# 1. a downloaded descriptor is self-contained, checked before it is cached, never resolved


def test_a_string_schema_path_is_never_read_from_the_local_disk(
    server: ReleaseServer, served: Path, cold_cache: Path, tmp_path: Path
) -> None:
    """A valid Table Schema sits at an absolute path on the user's disk: it is not read."""
    secret = tmp_path / "secret-schema.json"
    schema = _descriptor(served)["resources"][0]["schema"]
    schema["description"] = "SECRET-CONTENT-7d3f"
    secret.write_text(json.dumps(schema))
    doc = _descriptor(served)
    doc["resources"][0]["schema"] = str(secret)
    _serve_descriptor(served, doc)
    with pytest.raises(DownloadError, match=r"inline") as err:
        cd.load("places", VERSION, url=server.url)
    assert "SECRET-CONTENT" not in str(err.value)
    assert _files(cold_cache) == []  # nothing cached, not even the folder's descriptor


# Not /dev/zero or /dev/stdin: should the check ever regress, this test must fail, not exhaust
# the machine's memory or hang; the test above shows that no string is opened at all.
@pytest.mark.parametrize(
    "schema",
    ["/etc/passwd", "../../schemas/places.json", "schemas/places.json", ["fields"], None, 5],
)
def test_a_schema_that_is_not_inline_is_refused_quickly(
    server: ReleaseServer, served: Path, cold_cache: Path, schema: Any
) -> None:
    doc = _descriptor(served)
    doc["resources"][0]["schema"] = schema
    _serve_descriptor(served, doc)
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"self-contained"):
        cd.load("places", VERSION, url=server.url)
    assert time.monotonic() - start < 5
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    "path",
    [
        "datapackage.json",
        "DataPackage.JSON",
        "../places.parquet",
        "/etc/passwd",
        "sub/places.parquet",
        ".places.parquet",
        "",
        "a\\b.parquet",
        "..",
        ".",
        "p\x00.parquet",
        "x" * 200,
        5,
        None,
    ],
)
def test_a_resource_path_that_is_not_a_plain_file_name_is_refused(
    server: ReleaseServer, served: Path, cold_cache: Path, path: Any
) -> None:
    doc = _descriptor(served)
    doc["resources"][0]["path"] = path
    _serve_descriptor(served, doc)
    with pytest.raises(DownloadError, match=r"not a release descriptor"):
        cd.load("visits", VERSION, url=server.url)
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hash", "sha256:" + "z" * 64, "not a sha256"),
        ("hash", "md5:" + "0" * 32, "not a sha256"),
        ("bytes", None, "no size"),
        ("bytes", -1, "not a whole number"),
        ("bytes", True, "not a whole number"),
        ("bytes", "12", "not a whole number"),
        ("name", "pl aces", "not a plain name"),
        ("name", "visits", "listed twice"),
    ],
)
def test_a_resource_without_a_plain_name_hash_or_size_is_refused(
    server: ReleaseServer, served: Path, cold_cache: Path, key: str, value: Any, message: str
) -> None:
    doc = _descriptor(served)
    res = doc["resources"][0]
    if key == "bytes":  # the build writes the size as fileBytes; the standard key counts too
        res.pop("fileBytes")
    if value is None:
        res.pop(key, None)
    else:
        res[key] = value
    _serve_descriptor(served, doc)
    with pytest.raises(DownloadError, match=message):
        cd.load("visits", VERSION, url=server.url)
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(version="1.0.1"),
        lambda d: d.update(resources=[]),
        lambda d: d.update(resources={"a": 1}),
        lambda d: d.update(created="2025-06-24\nrm -rf"),
        lambda d: d["resources"][0]["schema"].update(fields="place_id"),
        lambda d: d["resources"][0]["schema"].update(primaryKey="nope"),
        lambda d: d["resources"][1]["schema"]["foreignKeys"][0]["reference"].update(
            resource="ghost"
        ),
    ],
)
def test_a_malformed_descriptor_is_refused_and_not_cached(
    server: ReleaseServer, served: Path, cold_cache: Path, change: Any
) -> None:
    good = (served / DESCRIPTOR).read_bytes()
    doc = _descriptor(served)
    change(doc)
    _serve_descriptor(served, doc)
    with pytest.raises(DownloadError, match=r"not a release descriptor"):
        cd.load("places", VERSION, url=server.url)
    assert _files(cold_cache) == []
    # the server is fixed (the very bytes the index lists): the cache was not poisoned
    (served / DESCRIPTOR).write_bytes(good)
    assert len(cd.load("places", VERSION, url=server.url)) == 4


def _cache_release(served: Path, cold_cache: Path, doc: dict[str, Any]) -> Path:
    """A cached release folder as an older version of this package left it, with ``doc``."""
    folder = cold_cache / VERSION
    shutil.copytree(served / VERSION, folder)
    (folder / "datapackage.json").write_text(json.dumps(doc))
    return folder


def test_a_poisoned_cached_descriptor_is_deleted_not_resolved(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    """A descriptor cached by an older version with a schema path: no release, never read
    (its schema path is not opened), removed, and the release fetched anew when asked."""
    doc = _descriptor(served)
    doc["resources"][0]["schema"] = "/etc/passwd"
    _cache_release(served, cold_cache, doc)
    assert cd.versions() == []
    assert _files(cold_cache) == []
    _cache_release(served, cold_cache, doc)
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    assert server.faults.hits[DESCRIPTOR] == 1
    assert json.loads((cold_cache / DESCRIPTOR).read_text()) == _descriptor(served)


def test_a_resource_path_named_like_the_descriptor_cannot_delete_it(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    """Before, a resource path 'datapackage.json' made every load delete the cached descriptor."""
    doc = _descriptor(served)
    doc["resources"][0]["path"] = "datapackage.json"
    _cache_release(served, cold_cache, doc)
    with pytest.raises(UnknownVersionError, match=r"not found"):
        cd.load("places", VERSION)  # offline: the cached copy is no release
    assert len(cd.load("places", VERSION, url=server.url)) == 4  # fetched anew, checked
    assert len(cd.load("places", VERSION, url=server.url)) == 4  # and it stays
    assert (cold_cache / VERSION / "datapackage.json").is_file()


# ---------------------------------------------------------------------------------------
# 2. every network and parse failure is a DownloadError; versions() only warns

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("truncate", "ended after"),
        (respond(NESTED), "deeper than"),
        (respond(b'{"releases": ' + b"[" * 70 + b"]" * 70 + b"}"), "deeper than"),
        (respond(b"", headers={"Content-Length": "99999999999999999999"}), "announces"),
        (respond(b"\xff\xfe not json"), r"not (valid )?JSON"),
        (respond(b'{"releases": 5}'), "no 'releases' list"),
        (respond(b"[]"), "no 'releases' list"),
        (respond(b"{}", status=403), "HTTP 403"),
        (500, "HTTP 500"),
        (
            respond(b"zz\r\n{}", headers={"Content-Length": None, "Transfer-Encoding": "chunked"}),
            "could not fetch",
        ),
        (
            respond(b"", headers={"Content-Length": None, "X-" + "a" * 70_000: "1"}),
            "could not fetch",
        ),
    ],
)
def test_a_bad_index_is_a_download_error_and_versions_only_warns(
    server: ReleaseServer, cold_cache: Path, action: Any, message: str
) -> None:
    server.faults.always["index.json"] = action
    with pytest.raises(DownloadError, match=message):
        cd.load("places", VERSION, url=server.url)
    with pytest.warns(RuntimeWarning, match=message):
        assert cd.versions(server.url) == []
    with pytest.raises(DownloadError, match=message):
        cd.versions(server.url, strict=True)
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("truncate", "ended after"),
        (respond(NESTED), "deeper than"),
        (respond(b"", headers={"Content-Length": "99999999999999999999"}), "announces"),
        (respond(b'"a string"'), "not a JSON object"),
        (respond(b"{" + b'"a":' * 10 + b"1"), r"not (valid )?JSON"),
    ],
)
def test_a_bad_descriptor_body_is_a_download_error(
    server: ReleaseServer, cold_cache: Path, action: Any, message: str
) -> None:
    server.faults.always[DESCRIPTOR] = action
    with pytest.raises(DownloadError, match=message):
        cd.load("places", VERSION, url=server.url)
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://127.0.0.1:99999",
        "http:///nothing",
        "ht!tp://x",
        "http://a b",
        "http://x\n",
        "http://user:pw@127.0.0.1",
        "ftp://127.0.0.1",
        "http://127.0.0.1/?q=1",
        "http://ü.example",
        "127.0.0.1:8000",
    ],
)
def test_a_malformed_url_is_a_download_error_and_versions_only_warns(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DownloadError, match=r"release URL"):
        cd.load("places", VERSION, url=url)
    with pytest.warns(RuntimeWarning, match=r"release URL"):
        assert cd.versions(url) == []
    assert main(["download", VERSION, "--url", url]) == 2
    assert main(["versions", "--url", url]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("release URL" in line for line in err)


def test_a_bad_url_does_not_stop_a_load_from_the_cache(
    server: ReleaseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cd.load_all(VERSION, url=server.url)
    monkeypatch.setenv(ENV_URL, "file:///nowhere")
    assert len(cd.load("places", VERSION)) == 4
    assert len(cd.load("places", VERSION, url="http://[::1")) == 4
    with pytest.raises(DownloadError, match=r"file://"):
        cd.load("places", "1.1.0")  # not cached: now the URL is needed, and refused


def test_a_file_url_is_refused_with_a_clear_message(built: Path) -> None:
    url = (built).as_uri()
    with pytest.raises(DownloadError) as err:
        cd.load("places", VERSION, url=url)
    message = str(err.value)
    assert "file://" in message and "source=" in message and "sha256" not in message
    assert len(cd.load("places", VERSION, source=built)) == 4  # what the message suggests works


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/index.json", "data:,{}", "/index.json"]
)
def test_a_redirect_to_another_scheme_is_refused(
    server: ReleaseServer, cold_cache: Path, target: str
) -> None:
    server.faults.always["index.json"] = respond(b"", status=302, headers={"Location": target})
    with pytest.raises(DownloadError, match=r"(?i)redirect"):
        cd.load("places", VERSION, url=server.url)
    assert _files(cold_cache) == []


@pytest.mark.parametrize(
    "version",
    [
        "1.0.0\x00",
        "1.0.0 ",
        " 1.0.0",
        "1.0\n.0",
        "1.0.0?x=1",
        "%2e%2e",
        "1.0.0/../..",
        "1.0.0%2F..",
        "index.json",
        "9" * 300,
        "",
        "latest ",
    ],
)
def test_an_invalid_version_is_refused_before_any_request_or_folder(
    server: ReleaseServer, cold_cache: Path, version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InvalidVersionError, match=r"not a release version"):
        cd.load("places", version, url=server.url)
    with pytest.raises(InvalidVersionError):
        fetch_release(version, server.url)
    assert main(["download", version, "--url", server.url]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "not a release version" in err
    assert server.faults.hits == {}
    assert not cold_cache.exists()
    assert isinstance(InvalidVersionError("x"), ConflictDataError)


def test_versions_in_the_index_that_do_not_match_are_ignored_with_a_warning(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    index = json.loads((served / "index.json").read_text())
    good = index["releases"][0]
    for bad in ["../../evil", "1.0.0 ", "1.0\n", "%2e%2e", 5, None, "1.0.0\x00", "a" * 500]:
        index["releases"].append({**good, "version": bad, "descriptor": f"{bad}/datapackage.json"})
    index["releases"].append("not an entry")
    index["releases"][0]["descriptor"] = "../../../etc/passwd"  # ignored: the layout is fixed
    index["releases"][0]["created"] = "\x1b[31mred"
    (served / "index.json").write_text(json.dumps(index))
    with pytest.warns(RuntimeWarning, match=r"ignored 9 entries.*'\.\./\.\./evil'"):
        found = cd.versions(server.url)
    assert [v.version for v in found] == [VERSION]
    assert (
        found[0].remote == f"{server.url}/{VERSION}/datapackage.json" and found[0].created is None
    )
    with pytest.warns(RuntimeWarning, match=r"ignored"):
        assert len(cd.load("places", "latest", url=server.url, source="remote")) == 4
    assert sorted(p.name for p in cold_cache.iterdir()) == [VERSION]


# ---------------------------------------------------------------------------------------
# 3. limits: size, depth, declared file size, deadline; no temporary file left


def test_an_endless_index_stops_at_the_size_cap(
    server: ReleaseServer, cold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_http, "MAX_DOCUMENT_BYTES", 1 << 20)
    monkeypatch.setattr(remote_server, "MAX_DOCUMENT_BYTES", 1 << 20)
    monkeypatch.setattr(remote_http, "RETRIES", 0)
    sent = Sent()
    server.faults.always["index.json"] = endless(sent, max_bytes=64 << 20)
    with pytest.raises(DownloadError, match=r"more than the limit of 1048576 bytes"):
        cd.load("places", VERSION, url=server.url)
    assert sent.done.wait(10)
    assert sent.bytes < 16 << 20  # it hung up near the cap (socket buffers aside), not at 64 MiB


def test_a_data_file_past_its_declared_size_is_read_once_and_stopped(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    size = (served / PLACES).stat().st_size
    sent = Sent()
    server.faults.always[PLACES] = endless(sent, prefix_file=True, max_bytes=64 << 20)
    with pytest.raises(
        ChecksumError, match=f"more than the {size} bytes the release descriptor declares"
    ):
        cd.load("places", VERSION, url=server.url)
    assert server.faults.hits[PLACES] == 1  # not downloaded again: more bytes will not match
    assert sent.done.wait(10) and sent.bytes < 16 << 20
    assert _files(cold_cache) == []  # no release, no temporary file left


@pytest.mark.parametrize("length", ["10", "99999999999999999999"])
def test_a_data_file_announcing_another_size_is_refused_before_reading(
    server: ReleaseServer, cold_cache: Path, length: str
) -> None:
    sent = Sent()
    server.faults.always[PLACES] = endless(
        sent, prefix_file=True, content_length=length, max_bytes=64 << 20
    )
    with pytest.raises(ChecksumError, match=f"announces {length} bytes"):
        cd.load("places", VERSION, url=server.url)
    assert server.faults.hits[PLACES] == 1
    assert _files(cold_cache) == []  # whole releases only


def test_a_short_data_file_is_retried_then_an_error(
    server: ReleaseServer, cold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_http, "RETRIES", 1)
    server.faults.always[PLACES] = respond(b"PAR1 short", headers={"Content-Length": None})
    with pytest.raises(DownloadError, match=r"ended after 10 of \d+ bytes \(after 2 attempts\)"):
        cd.load("places", VERSION, url=server.url)
    assert server.faults.hits[PLACES] == 2
    assert _files(cold_cache) == []  # whole releases only


@pytest.mark.waits
@pytest.mark.parametrize("in_headers", [False, True])
def test_a_dripping_data_file_is_given_up_at_the_deadline(
    server: ReleaseServer, cold_cache: Path, in_headers: bool
) -> None:
    sent = Sent()
    server.faults.always[PLACES] = drip(sent, interval=0.2, in_headers=in_headers)
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"gave up on table 'places'.*within 2\.\d+ s"):
        cd.load("places", VERSION, url=server.url)
    assert time.monotonic() - start < 6
    assert server.faults.hits[PLACES] == 1  # the deadline covers every attempt
    assert sent.done.wait(5)  # the server saw the client hang up
    assert _files(cold_cache) == []  # whole releases only


@pytest.mark.waits
def test_a_dripping_index_is_given_up_at_the_deadline(
    server: ReleaseServer, cold_cache: Path
) -> None:
    sent = Sent()
    server.faults.always["index.json"] = drip(sent, interval=0.2)
    start = time.monotonic()
    with pytest.warns(RuntimeWarning, match=r"gave up on the release index"):
        assert cd.versions(server.url) == []
    assert time.monotonic() - start < 6


@pytest.mark.waits
def test_a_stalled_server_times_out_and_the_next_attempt_succeeds(
    server: ReleaseServer, cold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_http, "FILE_DEADLINE", 10.0)
    monkeypatch.setattr(remote_http, "RETRIES", 1)
    sent = Sent()
    server.faults.plan[PLACES] = [drip(sent, interval=3.0)]  # one byte, then 3 s of silence
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    assert server.faults.hits[PLACES] == 2
    assert _files(cold_cache) == [DESCRIPTOR, PLACES, VISITS]


def test_an_interrupted_download_leaves_no_temporary_file(
    server: ReleaseServer, cold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = remote_cache.transfer

    def interrupted(url: str, write: Any, **kwargs: Any) -> int:
        if not kwargs["exact"]:  # index and descriptor: as usual
            return original(url, write, **kwargs)
        write(b"PAR1")  # Ctrl-C in the middle of a data file
        raise KeyboardInterrupt

    monkeypatch.setattr(remote_cache, "transfer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cd.load("places", VERSION, url=server.url)
    assert _files(cold_cache) == []  # whole releases only
    monkeypatch.setattr(remote_cache, "transfer", original)
    assert len(cd.load("places", VERSION, url=server.url)) == 4


@pytest.mark.processes
def test_a_temporary_file_left_by_a_killed_process_is_removed_later(
    server: ReleaseServer, cold_cache: Path
) -> None:
    """A process killed mid-download (SIGKILL runs no cleanup) leaves its hidden download
    folder: never listed, and removed by the next download once its process is gone (or it
    is older than any live download can be); a live process's folder stays."""
    import os
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = remote_cache._host()
    cold_cache.mkdir(parents=True)
    dead = cold_cache / f".tmp.{int(gone.stdout)}.{host}.{VERSION}.a1"
    old = cold_cache / f".tmp.1.elsewhere.{VERSION}.b2"  # another host's: judged by age
    live = cold_cache / f".tmp.{os.getpid()}.{host}.{VERSION}.c3"
    for folder in (dead, old, live):
        folder.mkdir()
        (folder / "datapackage.json").write_text("{}")
        (folder / "places.parquet").write_bytes(b"PAR1 half")
    stale = time.time() - STALE_PART_SECONDS - 60
    os.utime(old, (stale, stale))
    assert cd.versions() == []  # a download folder is no release
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    assert not dead.exists() and not old.exists() and live.exists()


def test_a_partial_release_left_by_an_older_version_is_never_loaded(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    """Issue 18: after a refused file, the descriptor and some files of that version stayed;
    `versions` listed it as cached and the offline `cd.load()` that worked before raised
    DownloadError. A partial folder is no release: not listed, removed, not loaded."""
    other = "0.9.0"
    whole = _cache_release(served, cold_cache, _descriptor(served))
    whole.rename(cold_cache / other)  # stands for the release that worked before
    doc = _descriptor(served)
    doc["version"] = other
    (cold_cache / other / "datapackage.json").write_text(json.dumps(doc))
    partial = cold_cache / VERSION
    partial.mkdir()
    shutil.copy(served / DESCRIPTOR, partial / "datapackage.json")
    shutil.copy(served / PLACES, partial / "places.parquet")  # visits never came
    assert [v.version for v in cd.versions()] == [other]
    assert not partial.exists()
    assert len(cd.load("places", "latest")) == 4  # offline: the whole release, as before


def test_a_failed_download_leaves_the_cache_exactly_as_it_was(
    server: ReleaseServer, served: Path, cold_cache: Path, tmp_path: Path
) -> None:
    """A tampered second file of 1.1.0 after a good first one: nothing of 1.1.0 is cached,
    1.0.0 (cached before) is untouched, and the offline load still gives it."""
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    build_places_release(
        write_places_package(tmp_path / "pkg", "1.1.0", "p5,Fordow,site,,34.88,false,"), served
    )
    before = {p: p.read_bytes() for p in cold_cache.rglob("*") if p.is_file()}
    server.faults.always["1.1.0/visits.parquet"] = "tamper"
    with pytest.raises(ChecksumError, match=r"nothing was cached"):
        cd.load("places", "1.1.0", url=server.url)
    assert server.faults.hits["1.1.0/places.parquet"] == 1  # it came, and went with the rest
    assert {p: p.read_bytes() for p in cold_cache.rglob("*") if p.is_file()} == before
    assert [v.version for v in cd.versions()] == [VERSION]
    assert len(cd.load("places", "latest")) == 4  # offline, as before
    del server.faults.always["1.1.0/visits.parquet"]
    assert len(cd.load("places", "1.1.0", url=server.url)) == 5


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n', max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=4), children, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=examples(200))
@given(value=_json_values, limit=st.integers(0, 8))
def test_the_depth_check_agrees_with_the_parsed_depth(value: Any, limit: int) -> None:
    """Differential: the bracket count before parsing equals the depth of what json parses."""
    raw = json.dumps(value).encode()
    assert _json_depth_ok(raw, limit) == (_depth(value) <= limit)


def test_json_depth_limit_and_unclosed_brackets() -> None:
    ok = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json_document(ok, "x") is not None
    for raw in (b"[" + ok + b"]", b"[" * 100_000, b'{"a": ' * 5000):
        with pytest.raises(DownloadError, match=r"deeper than"):
            parse_json_document(raw, "x")
    with pytest.raises(DownloadError, match=r"not (valid )?JSON"):
        parse_json_document(b"[[[", "x")


# ---------------------------------------------------------------------------------------
# 5. the CLI: one line, exit 2, never a traceback


@pytest.mark.parametrize("path", ["index.json", DESCRIPTOR, PLACES])
@pytest.mark.parametrize(
    "action",
    [
        "truncate",
        404,
        500,
        respond(NESTED),
        respond(b"", headers={"Content-Length": "99999999999999999999"}),
        respond(b"\x1b[2J\n\nnot json\n", headers={"Content-Length": None}),
    ],
)
def test_cli_download_from_a_bad_server_is_one_line_exit_2(
    server: ReleaseServer,
    cold_cache: Path,
    path: str,
    action: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.faults.always[path] = action
    assert main(["download", VERSION, "--url", server.url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("conflictdata download: ")
    assert "\x1b" not in err and "Traceback" not in err
    assert all(not name.startswith(".") for name in (p.name for p in cold_cache.rglob("*")))


def test_a_cached_file_of_the_wrong_size_is_deleted_unread(
    server: ReleaseServer, cold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cd.load("places", VERSION, url=server.url)
    cached = cold_cache / PLACES
    with cached.open("ab") as fh:
        fh.write(b"\0" * 1000)
    forget_verified()  # a new process
    monkeypatch.setattr(
        conflictdata._release.verify, "sha256_file", None
    )  # the size alone decides: nothing is hashed
    with pytest.raises(
        ChecksumError, match=r"is \d+ bytes, the release descriptor says \d+; the file was deleted"
    ):
        cd.load("places", VERSION)
    assert not cached.exists()
    assert len(cd.load("places", VERSION, url=server.url)) == 4


def test_cli_download_prints_index_warnings_on_one_line_each(
    server: ReleaseServer, served: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = json.loads((served / "index.json").read_text())
    index["releases"].append({"version": "../x\n"})
    (served / "index.json").write_text(json.dumps(index))
    assert main(["download", "latest", "--url", server.url]) == 0
    out, err = capsys.readouterr()
    assert f"release {VERSION} is in the cache" in out
    assert err.count("\n") == 2  # one warning line for each of the two index reads
    assert all(line.startswith("conflictdata download: warning: ") for line in err.splitlines())


def test_cli_versions_warns_in_one_line_per_problem(
    server: ReleaseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.faults.always["index.json"] = respond(b'{"releases": [{"version": "\\u001b[2J1.0"}]}')
    assert main(["versions", "--url", server.url]) == 0
    out, err = capsys.readouterr()
    assert "no releases" in out
    assert len(err.splitlines()) == 1 and "warning" in err and "\x1b" not in err


def test_versions_lists_a_poisoned_cache_without_reading_it(
    served: Path, cold_cache: Path, tmp_path: Path
) -> None:
    doc = _descriptor(served)
    schema = tmp_path / "schema.json"  # valid: were it read, the release would be listed
    schema.write_text(json.dumps(doc["resources"][0]["schema"]))
    doc["resources"][0]["schema"] = str(schema)
    _cache_release(served, cold_cache, doc)
    (cold_cache / "not-a-version").mkdir()
    (cold_cache / "not-a-version" / "datapackage.json").write_text("{}")
    assert cd.versions() == []
    assert sorted(p.name for p in cold_cache.iterdir()) == ["not-a-version"]  # not ours: kept


def test_the_installed_command_prints_one_line_and_exits_2(
    server: ReleaseServer, cold_cache: Path
) -> None:
    """The real entry point in a fresh process, not main() in this one."""
    import os

    env = {**os.environ, ENV_CACHE: str(cold_cache)}
    env.pop(ENV_URL, None)
    server.faults.always["index.json"] = respond(NESTED)
    for args in (
        ["download", "1.0.0\n", "--url", server.url],
        ["download", VERSION, "--url", "file:///etc"],
        ["download", VERSION, "--url", server.url],
        ["versions", "--url", "http://[::1"],
    ):
        proc = run_cli(*args, env=env)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == "" and len(proc.stderr.splitlines()) == 1, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not cold_cache.exists()


def test_a_cache_that_cannot_be_written_is_one_line(
    server: ReleaseServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_CACHE, str(blocker))
    with pytest.raises(DownloadError, match=r"could not write the descriptor"):
        cd.load("places", VERSION, url=server.url)
    assert main(["download", VERSION, "--url", server.url]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert blocker.read_text() == "not a folder"


@pytest.mark.processes
def test_a_download_killed_mid_file_leaves_no_release(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    """A real SIGKILL while a file drips in: the cache holds no release of that version (only
    the dead process's hidden folder), and the next download removes that and caches it whole."""
    import os
    import signal
    import subprocess
    import sys

    sent = Sent()
    server.faults.plan[VISITS] = [drip(sent, interval=0.2, seconds=30)]
    env = {**os.environ, ENV_CACHE: str(cold_cache)}
    env.pop(ENV_URL, None)
    child = subprocess.Popen(
        [sys.executable, "-m", "conflictdata", "download", VERSION, "--url", server.url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while sent.bytes < 3 and time.monotonic() < deadline:  # places done, visits dripping
            time.sleep(0.1)
        assert sent.bytes >= 3
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    left = [p.name for p in cold_cache.iterdir()]
    assert len(left) == 1 and left[0].startswith(".tmp."), left
    assert cd.versions() == [] and not (cold_cache / left[0]).exists()  # its process is gone
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    assert sorted(p.name for p in cold_cache.iterdir()) == [VERSION]
