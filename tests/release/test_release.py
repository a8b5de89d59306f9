"""_release: the one reader of a release folder, and the history check on its own (the
server side of it is in test_history.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.loader import build_places_release, write_places_package

from conflictdata._release.history import link_of, verify_history
from conflictdata._release.read import read_release
from conflictdata.errors import DescriptorError, HistoryError

A, B, C = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("release")
    return build_places_release(write_places_package(base / "pkg", "1.0.0"), base / "out")


def test_read_release_gives_descriptor_and_inline_schemas(folder: Path) -> None:
    rel = read_release(folder)
    assert rel.version == "1.0.0" and list(rel.tables) == ["places", "visits"]
    assert rel.descriptor == json.loads((folder / "datapackage.json").read_text())
    assert rel.tables["places"].id_field == "place_id"


def test_read_release_never_resolves_a_schema_path(folder: Path, tmp_path: Path) -> None:
    doc = json.loads((folder / "datapackage.json").read_text())
    doc["resources"][0]["schema"] = "/etc/passwd"
    with pytest.raises(DescriptorError, match="must be inline"):
        read_release(folder, doc)
    with pytest.raises(DescriptorError, match="not a release folder"):
        read_release(tmp_path)


@pytest.mark.parametrize(
    "link",
    [
        "1.0.0",
        {"version": "1.0.0"},
        {"version": "../x", "sha256": A},
        {"version": "1.0.0", "sha256": A.upper()},
        {"version": "1.0.0", "sha256": A[:63]},
    ],
)
def test_a_malformed_link_is_refused(link: object) -> None:
    with pytest.raises(ValueError, match="'previous' must be"):
        link_of({"previous": link})
    assert link_of({}) is None


def _chain(**descs: tuple[dict, str]) -> tuple[Callable[[str], tuple[dict, str]], list[str]]:
    """A fake server: version -> (descriptor, sha256), and the versions it was asked for."""
    asked: list[str] = []

    def fetch(version: str) -> tuple[dict, str]:
        asked.append(version)
        return descs[version]

    return fetch, asked


def test_the_walk_stops_at_the_first_trusted_release() -> None:
    fetch, asked = _chain(**{"1.1.0": ({"previous": {"version": "1.0.0", "sha256": A}}, B)})
    new = {"previous": {"version": "1.1.0", "sha256": B}}
    verify_history("1.2.0", new, C, {"1.0.0": A}, {"1.0.0", "1.1.0", "1.2.0"}, fetch, "srv")
    assert asked == ["1.1.0"]
    verify_history("1.2.0", new, C, {"1.1.0": B}, {"1.1.0", "1.2.0"}, fetch, "srv")
    assert asked == ["1.1.0"]  # the trusted 1.1.0 itself is not fetched
    verify_history("1.2.0", new, C, {}, set(), fetch, "srv")  # nothing trusted: nothing asked
    assert asked == ["1.1.0"]


def test_links_that_go_forward_or_loop_are_refused() -> None:
    fetch, _ = _chain()
    forward = {"previous": {"version": "2.0.0", "sha256": A}}
    with pytest.raises(HistoryError, match="not an older release"):
        verify_history("1.0.0", forward, B, {"0.1.0": C}, {"2.0.0"}, fetch, "srv")
    with pytest.raises(HistoryError, match="history was rewritten"):
        verify_history("1.0.0", {}, B, {"1.0.0": A}, {"1.0.0"}, fetch, "srv")
