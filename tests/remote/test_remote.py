"""Downloads from a real HTTP server on 127.0.0.1 into a cold cache: verified, atomic, pinned."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from support.loader import ReleaseServer, build_places_release, isolate_loader, write_places_package

import conflictdata as cd
from conflictdata._release.verify import forget_verified
from conflictdata._remote.server import ENV_URL
from conflictdata._util.usercache import ENV_CACHE
from conflictdata.cli import main
from conflictdata.errors import (
    ChecksumError,
    DownloadError,
    InvalidVersionError,
    UnknownVersionError,
)

VERSION = "1.0.0"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build output folder with two releases, 1.0.0 and 1.1.0."""
    base = tmp_path_factory.mktemp("served")
    out = base / "out"
    build_places_release(write_places_package(base / "pkg-1.0.0", "1.0.0"), out)
    build_places_release(
        write_places_package(base / "pkg-1.1.0", "1.1.0", "p5,Fordow,site,,34.88,false,"), out
    )
    return out


@pytest.fixture
def server(served: Path):
    with ReleaseServer(served) as srv:
        yield srv


@pytest.fixture(autouse=True)
def cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts with an empty cache, nothing bundled, no URL, fast retries."""
    return isolate_loader(tmp_path, monkeypatch, retries=1)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_happy_path_downloads_verifies_and_types(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    df = cd.load("places", VERSION, url=server.url)
    expected = cd.load("places", VERSION, source=served)
    pd.testing.assert_frame_equal(df, expected)
    assert df["kind"].dtype == pd.CategoricalDtype(["city", "base", "site"])
    assert _files(cold_cache) == [  # the whole release, verified, or nothing
        f"{VERSION}/datapackage.json",
        f"{VERSION}/places.parquet",
        f"{VERSION}/visits.parquet",
    ]
    assert (cold_cache / VERSION / "places.parquet").read_bytes() == (
        served / VERSION / "places.parquet"
    ).read_bytes()
    # the URL can come from the environment too; "latest" on the server = its newest
    os.environ[ENV_URL] = server.url
    assert len(cd.load("places", "latest", source="remote")) == 5
    assert {v.version for v in cd.versions()} == {"1.0.0", "1.1.0"}  # the server is not asked
    info = {v.version: v for v in cd.versions(remote=True)}
    assert info["1.0.0"].where == ("cache", "remote") and info["1.1.0"].where == ("cache", "remote")
    assert info["1.0.0"].cached == cold_cache / "1.0.0"


def test_404_names_the_url_and_leaves_no_file(server: ReleaseServer, cold_cache: Path) -> None:
    server.faults.always[f"{VERSION}/places.parquet"] = 404
    with pytest.raises(DownloadError, match=r"404.*|.*places\.parquet") as err:
        cd.load("places", VERSION, url=server.url)
    assert f"{server.url}/{VERSION}/places.parquet" in str(err.value)
    assert _files(cold_cache) == []  # whole releases only


def test_unknown_version_on_server_lists_what_exists(server: ReleaseServer) -> None:
    with pytest.raises(UnknownVersionError) as err:
        cd.load("places", "9.9.9", url=server.url)
    assert "9.9.9" in str(err.value) and "1.0.0, 1.1.0" in str(err.value)


@pytest.mark.parametrize("version", ["../escape", "..", "a/b", ".hidden"])
def test_a_version_that_is_not_a_plain_name_is_refused(
    server: ReleaseServer, cold_cache: Path, version: str
) -> None:
    with pytest.raises(InvalidVersionError, match="not a release version"):
        cd.load("places", version, url=server.url)
    assert not cold_cache.exists()
    assert server.faults.hits == {}  # refused before any request


@pytest.mark.waits
def test_500_then_success_on_retry(server: ReleaseServer, cold_cache: Path) -> None:
    server.faults.plan[f"{VERSION}/places.parquet"] = [500]
    server.faults.plan["index.json"] = [500]
    df = cd.load("places", VERSION, url=server.url)
    assert len(df) == 4
    assert server.faults.hits[f"{VERSION}/places.parquet"] == 2
    assert server.faults.hits["index.json"] == 2


def test_truncated_body_is_retried(server: ReleaseServer, cold_cache: Path) -> None:
    server.faults.plan[f"{VERSION}/places.parquet"] = ["truncate"]
    assert len(cd.load("places", VERSION, url=server.url)) == 4
    assert server.faults.hits[f"{VERSION}/places.parquet"] == 2


def test_truncated_every_time_is_an_error_and_caches_nothing(
    server: ReleaseServer, cold_cache: Path
) -> None:
    server.faults.always[f"{VERSION}/places.parquet"] = "truncate"
    with pytest.raises(DownloadError, match="places"):
        cd.load("places", VERSION, url=server.url)
    assert _files(cold_cache) == []  # whole releases only


def test_tampered_file_is_a_checksum_error_and_nothing_is_cached(
    server: ReleaseServer, cold_cache: Path
) -> None:
    server.faults.always[f"{VERSION}/places.parquet"] = "tamper"
    with pytest.raises(ChecksumError) as err:
        cd.load("places", VERSION, url=server.url)
    message = str(err.value)
    assert "does not match" in message and "nothing was cached" in message
    assert f"{server.url}/{VERSION}/places.parquet" in message
    assert _files(cold_cache) == []  # no release, no temporary left
    # once the server serves the right bytes again, the load works
    del server.faults.always[f"{VERSION}/places.parquet"]
    assert len(cd.load("places", VERSION, url=server.url)) == 4


def test_offline_after_the_cache_is_filled(server: ReleaseServer, served: Path) -> None:
    first = cd.load_all(VERSION, url=server.url)
    server.stop()
    # with the (now dead) URL still configured, and without any URL
    for url in (server.url, None):
        again = cd.load_all(VERSION, url=url)
        assert again.keys() == first.keys()
        for name in first:
            pd.testing.assert_frame_equal(again[name], first[name])
    assert [v.version for v in cd.versions()] == [VERSION]
    with pytest.warns(RuntimeWarning, match="listing local releases only"):
        assert [v.where for v in cd.versions(server.url)] == [("cache",)]
    with pytest.raises(DownloadError, match="index"):
        cd.versions(server.url, strict=True)
    assert cd.load("visits", "latest").shape == first["visits"].shape  # the newest cached
    with pytest.raises(UnknownVersionError, match="is not among"):
        cd.load("visits")  # the default release (the checkout's version) is not cached
    with pytest.raises(DownloadError, match="could not fetch the release index"):
        cd.load("places", "1.1.0", url=server.url)


def test_nothing_cached_and_no_url_says_so() -> None:
    with pytest.raises(UnknownVersionError) as err:
        cd.load("places")
    assert "no release URL is configured" in str(err.value) and ENV_URL in str(err.value)


def test_cached_file_tampered_is_deleted_and_reported(
    server: ReleaseServer, cold_cache: Path
) -> None:
    cd.load("places", VERSION, url=server.url)
    cached = cold_cache / VERSION / "places.parquet"
    data = bytearray(cached.read_bytes())
    data[-10] ^= 0xFF
    cached.write_bytes(bytes(data))
    forget_verified()  # a new process
    with pytest.raises(ChecksumError, match="was deleted") as err:
        cd.load("places", VERSION, url=server.url)
    assert str(cached) in str(err.value)
    assert not cached.exists()
    assert len(cd.load("places", VERSION, url=server.url)) == 4  # asked again: fetched anew


def test_pinned_version_is_never_replaced(
    server: ReleaseServer, tmp_path: Path, cold_cache: Path
) -> None:
    """The server changes 1.0.0 under our feet: the cached release keeps it pinned, whole."""
    visits = cd.load("visits", VERSION, url=server.url)  # caches the whole release
    places = cd.load("places", VERSION)
    other = tmp_path / "other"
    build_places_release(
        write_places_package(tmp_path / "pkg", VERSION, "p9,Other,city,1,,,"), other
    )
    with ReleaseServer(other) as changed:
        pd.testing.assert_frame_equal(cd.load("visits", VERSION, url=changed.url), visits)
        pd.testing.assert_frame_equal(cd.load("places", VERSION, url=changed.url), places)
        assert changed.faults.hits == {}  # never asked


def test_downloads_need_no_optional_dependency(
    server: ReleaseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The download is the standard library's urllib: pooch, requests and tqdm are not needed."""
    for module in ("pooch", "requests", "tqdm"):
        monkeypatch.setitem(sys.modules, module, None)
    assert len(cd.load("places", VERSION, url=server.url)) == 4


@pytest.mark.waits
def test_several_processes_load_from_a_cold_cache_at_once(
    server: ReleaseServer, served: Path, cold_cache: Path
) -> None:
    code = textwrap.dedent(
        """
        import sys, conflictdata as cd
        frames = cd.load_all(sys.argv[1])
        print(sum(len(f) for f in frames.values()))
        """
    )
    env = {**os.environ, ENV_URL: server.url, ENV_CACHE: str(cold_cache)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, VERSION],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, errtext) in zip(procs, results, strict=True):
        assert p.returncode == 0, errtext
        assert out.strip() == "7"
    assert _files(cold_cache) == [
        f"{VERSION}/datapackage.json",
        f"{VERSION}/places.parquet",
        f"{VERSION}/visits.parquet",
    ]
    for name in ("places", "visits"):
        assert (cold_cache / VERSION / f"{name}.parquet").read_bytes() == (
            served / VERSION / f"{name}.parquet"
        ).read_bytes()


def test_cli_download_and_versions(
    server: ReleaseServer, cold_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["download", "latest", "--url", server.url]) == 0
    assert "release 1.1.0 is in the cache" in capsys.readouterr().out
    assert _files(cold_cache / "1.1.0") == ["datapackage.json", "places.parquet", "visits.parquet"]
    assert main(["versions", "--url", server.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1.0.0") and "remote" in lines[0] and "cache" not in lines[0]
    assert lines[1].startswith("1.1.0") and "cache" in lines[1] and "remote" in lines[1]
    assert main(["download", "7.7.7", "--url", server.url]) == 2
    err = capsys.readouterr().err
    assert "7.7.7" in err and len(err.splitlines()) == 1
