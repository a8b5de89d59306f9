"""No network when nothing needs it: with a release URL configured that leads nowhere (a
closed port on 127.0.0.1, or a server that accepts and never answers), loading the releases
on disk, listing them, citing them and comparing them neither connects nor warns; a failed
download leaves the default load as it was."""

from __future__ import annotations

import shutil
import socket
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.loader import build_places_release, isolate_loader, write_places_package

import conflictdata as cd
from conflictdata._remote.server import ENV_URL
from conflictdata.errors import DownloadError


class Silent:
    """A TCP server on 127.0.0.1 that accepts connections, counts them, and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("offline")
    build_places_release(write_places_package(base / "a", "1.0.0"), base / "out")
    build_places_release(
        write_places_package(base / "b", "1.1.0", "p5,Fordow,site,,34.88,false,"), base / "out"
    )
    return base / "out"


@pytest.fixture
def installed(releases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installation that carries 1.0.0, with the newer 1.1.0 in its cache."""
    cache = isolate_loader(tmp_path, monkeypatch, retries=0)
    shutil.copytree(releases / "1.0.0", tmp_path / "bundle" / "1.0.0")
    shutil.copytree(releases / "1.1.0", cache / "1.1.0")
    return cache


@pytest.fixture(params=["closed port", "never answers"])
def nowhere(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Silent | None]:
    if request.param == "closed port":
        monkeypatch.setenv(ENV_URL, _closed_port())
        yield None
        return
    server = Silent()
    monkeypatch.setenv(ENV_URL, server.url)
    try:
        yield server
    finally:
        server.close()


def test_what_is_on_disk_needs_no_server(installed: Path, nowhere: Silent | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(cd.load("places")) == 4  # the installed 1.0.0, not the cached 1.1.0
        assert cd.load("places").attrs["conflictdata"]["version"] == "1.0.0"
        assert len(cd.load("places", "1.1.0")) == 5
        assert set(cd.load_all()) == {"places", "visits"}
        assert cd.load_arrow("visits").num_rows == 3
        assert cd.table_path("places").is_file()
        assert cd.describe("places")["name"].iloc[0] == "place_id"
        assert cd.cite().endswith("version 1.0.0 [data set]. CC-BY-4.0.")
        listed = cd.versions()
        assert [(v.version, v.where) for v in listed] == [
            ("1.0.0", ("bundled",)),
            ("1.1.0", ("cache",)),
        ]
        assert listed[0].default and listed[1].default is None
        feed = cd.changes()  # the newest here against the release it names as its previous
        assert set(feed["old_version"]) == {"1.0.0"} and set(feed["new_version"]) == {"1.1.0"}
        assert cd.changes("1.0.0", "1.1.0").equals(feed)
        first = cd.changes(new="1.0.0")
        assert first.empty and "is the first" in first.attrs["conflictdata"]["note"]
    if nowhere is not None:
        assert nowhere.accepted == []  # not one connection


def test_asking_the_server_is_explicit(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same URL is tried, and its failure said, when the server is what is asked for."""
    url = _closed_port()
    monkeypatch.setenv(ENV_URL, url)
    with pytest.warns(RuntimeWarning, match="listing local releases only"):
        assert [v.version for v in cd.versions(remote=True)] == ["1.0.0", "1.1.0"]
    with pytest.warns(RuntimeWarning, match="reading the newest release here, 1.1.0"):
        assert len(cd.load("places", "latest")) == 5


def test_a_failed_download_leaves_the_default_load_working(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_URL, _closed_port())
    before = sorted(p.relative_to(installed) for p in installed.rglob("*"))
    with pytest.raises(DownloadError):
        cd.load("places", "2.0.0")
    assert sorted(p.relative_to(installed) for p in installed.rglob("*")) == before
    df = cd.load("places")
    assert len(df) == 4 and df.attrs["conflictdata"]["version"] == "1.0.0"
    assert df.attrs["conflictdata"]["source"] == "bundled"
