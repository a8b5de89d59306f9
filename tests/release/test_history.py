"""The hash-chained release history: each release descriptor names the SHA-256 of the one
before it, index.json lists every descriptor's SHA-256, and the loader refuses a server on
127.0.0.1 whose history disagrees with a release it already has (bundled or cached)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from support.loader import ReleaseServer, build_places_release, isolate_loader, write_places_package

import conflictdata as cd
from conflictdata._loader import releases as loader_releases
from conflictdata._release.history import PREVIOUS_KEY
from conflictdata._release.index import read_index, write_index
from conflictdata._release.layout import DESCRIPTOR_NAME, INDEX_NAME
from conflictdata.errors import ChecksumError, DownloadError, HistoryError

FORDOW = "p5,Fordow,site,,34.88,false,"
QOM = "p6,Qom,city,1200000,34.64,false,"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _history(base: Path, first_extra: str | None = None) -> Path:
    """A build output folder with 1.0.0, 1.1.0 and 1.2.0, each built on the one before;
    ``first_extra``: a row in every release that makes this history differ from the original
    one from 1.0.0 on."""
    out = base / "out"
    rows = [first_extra] if first_extra else []
    for version, more in (("1.0.0", []), ("1.1.0", [FORDOW]), ("1.2.0", [FORDOW, QOM])):
        extra = "\n".join(rows + more) or None
        build_places_release(write_places_package(base / f"p{version}", version, extra), out)
    return out


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _history(tmp_path_factory.mktemp("original"))


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same versions, but 1.0.0 holds another row: a rewritten past."""
    return _history(tmp_path_factory.mktemp("rewritten"), "p9,Karaj,city,1,,,")


@pytest.fixture(autouse=True)
def cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_loader(tmp_path, monkeypatch, retries=1)


def _copy(out: Path, to: Path) -> Path:
    shutil.copytree(out, to)
    return to


def test_each_descriptor_names_the_one_before_and_the_index_lists_their_hashes(
    original: Path,
) -> None:
    first = json.loads((original / "1.0.0" / DESCRIPTOR_NAME).read_text())
    assert PREVIOUS_KEY not in first
    for older, newer in (("1.0.0", "1.1.0"), ("1.1.0", "1.2.0")):
        desc = json.loads((original / newer / DESCRIPTOR_NAME).read_text())
        assert desc[PREVIOUS_KEY] == {
            "version": older,
            "sha256": _sha(original / older / DESCRIPTOR_NAME),
        }
    index = json.loads((original / INDEX_NAME).read_text())
    assert {e["version"]: e["descriptor_sha256"] for e in index["releases"]} == {
        v: _sha(original / v / DESCRIPTOR_NAME) for v in ("1.0.0", "1.1.0", "1.2.0")
    }
    assert [e.descriptor_sha256 for e in read_index(original)] == [
        _sha(original / v / DESCRIPTOR_NAME) for v in ("1.0.0", "1.1.0", "1.2.0")
    ]


def test_a_server_continuing_the_cached_history_is_used(original: Path, cold_cache: Path) -> None:
    with ReleaseServer(original) as server:
        assert len(cd.load("places", "1.0.0", url=server.url)) == 4  # now cached: trusted
        assert len(cd.load("places", "1.2.0", url=server.url)) == 6  # 1.2.0 -> 1.1.0 -> 1.0.0
    assert (cold_cache / "1.2.0" / DESCRIPTOR_NAME).read_bytes() == (
        original / "1.2.0" / DESCRIPTOR_NAME
    ).read_bytes()


def test_a_rewritten_past_release_is_refused(
    original: Path, rewritten: Path, cold_cache: Path
) -> None:
    with ReleaseServer(original) as server:
        cd.load("places", "1.0.0", url=server.url)
    with ReleaseServer(rewritten) as server:
        with pytest.raises(HistoryError, match=r"history was rewritten") as info:
            cd.load("places", "1.2.0", url=server.url)
        assert isinstance(info.value, DownloadError)
        assert "1.0.0" in str(info.value) and "refusing" in str(info.value)
        assert not (cold_cache / "1.2.0").exists()  # nothing of the refused release is cached
        with pytest.raises(HistoryError):
            cd.load("places", "1.1.0", url=server.url)


def test_the_bundled_release_is_trusted_too(
    original: Path,
    rewritten: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cold_cache: Path,
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(original / "1.0.0", bundle / "1.0.0")
    monkeypatch.setattr(loader_releases, "BUNDLED_DIR", bundle)
    with ReleaseServer(rewritten) as server, pytest.raises(HistoryError, match=r"1.0.0"):
        cd.load("places", "1.2.0", url=server.url)
    with ReleaseServer(original) as server:
        assert len(cd.load("places", "1.2.0", url=server.url)) == 6


def test_a_removed_past_release_is_refused(
    original: Path, tmp_path: Path, cold_cache: Path
) -> None:
    with ReleaseServer(original) as server:
        cd.load("places", "1.0.0", url=server.url)
    pruned = _copy(original, tmp_path / "pruned")
    shutil.rmtree(pruned / "1.1.0")
    write_index(pruned)
    assert [e.version for e in read_index(pruned)] == ["1.0.0", "1.2.0"]
    with (
        ReleaseServer(pruned) as server,
        pytest.raises(HistoryError, match=r"no longer lists release 1.1.0"),
    ):
        cd.load("places", "1.2.0", url=server.url)


def test_a_changed_intermediate_release_is_refused(
    original: Path, tmp_path: Path, cold_cache: Path
) -> None:
    with ReleaseServer(original) as server:
        cd.load("places", "1.0.0", url=server.url)
    edited = _copy(original, tmp_path / "edited")
    desc = edited / "1.1.0" / DESCRIPTOR_NAME
    desc.write_text(desc.read_text().replace('"title": "test package"', '"title": "edited"'))
    write_index(edited)  # the index agrees with the edit: only the chain tells
    with (
        ReleaseServer(edited) as server,
        pytest.raises(HistoryError, match=r"release 1.1.0 .* a past release was changed"),
    ):
        cd.load("places", "1.2.0", url=server.url)
    stale = _copy(original, tmp_path / "stale")
    (stale / "1.1.0" / DESCRIPTOR_NAME).write_text(desc.read_text())  # the index left as it was
    with (
        ReleaseServer(stale) as server,
        pytest.raises(ChecksumError, match=r"the release index lists"),
    ):
        cd.load("places", "1.1.0", url=server.url)


def test_a_history_that_skips_a_trusted_release_is_refused(
    original: Path, tmp_path: Path, cold_cache: Path
) -> None:
    with ReleaseServer(original) as server:
        cd.load("places", "1.0.0", url=server.url)
    other = tmp_path / "fresh"
    build_places_release(write_places_package(tmp_path / "p130", "1.3.0", FORDOW), other / "out")
    with (
        ReleaseServer(other / "out") as server,
        pytest.raises(HistoryError, match=r"does not contain release 1.0.0"),
    ):  # a 1.3.0 that starts a history of its own
        cd.load("places", "1.3.0", url=server.url)


def test_with_nothing_trusted_any_history_is_taken(rewritten: Path, cold_cache: Path) -> None:
    with ReleaseServer(rewritten) as server:
        assert len(cd.load("places", "1.2.0", url=server.url)) == 7
        # and from then on the cached 1.2.0 is what the history must agree with
        assert len(cd.load("places", "1.1.0", url=server.url)) == 6


def test_a_cached_release_vouches_for_the_one_before_it(
    original: Path, rewritten: Path, cold_cache: Path
) -> None:
    """1.2.0 is cached; a server whose 1.1.0 is not the one 1.2.0 names is refused."""
    with ReleaseServer(original) as server:
        cd.load("visits", "1.2.0", url=server.url)
    with ReleaseServer(rewritten) as server, pytest.raises(HistoryError, match=r"1.1.0"):
        cd.load("places", "1.1.0", url=server.url)
    with ReleaseServer(original) as server:
        assert len(cd.load("places", "1.1.0", url=server.url)) == 5
