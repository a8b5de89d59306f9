"""Shared fixtures: the repository root, its data package, and the curators' source texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import profiles

ROOT = Path(__file__).resolve().parent.parent
HYPOTHESIS_PROFILE = profiles.load()


#: markers that make a test slow (pyproject.toml registers them)
SLOW_KINDS = ("wheel", "engines", "browser", "differential", "waits", "processes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow kinds slow, and run slow tests first (in their order): with the workers
    stealing work (``--dist worksteal``), the long tests start at once and the short ones
    fill in around them, instead of one long test running alone at the end."""
    for item in items:
        if any(item.get_closest_marker(k) for k in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (${profiles.ENV})"


def _sources_dir() -> Path | None:
    """Where the curators' source texts are: $CONFLICTDATA_SOURCES_DIR or ../shared/seeds."""
    env = os.environ.get("CONFLICTDATA_SOURCES_DIR")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "seeds"]:
        if cand.is_dir():
            return cand
    return None


@pytest.fixture(scope="session", autouse=True)
def _own_user_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The per-user cache of this session's tests and the commands they run: not the
    user's own, and empty of releases. Its ``report`` folder, which holds only the report's
    Vega bundle (made by vl-convert in seconds, checked by its SHA-256 when read), is kept
    across runs in pytest's cache folder, where there is one."""
    from conflictdata._util.usercache import ENV_CACHE

    cache = tmp_path_factory.mktemp("user-cache")
    keep = getattr(request.config, "cache", None)
    if keep is not None:
        (cache / "report").symlink_to(keep.mkdir("conflictdata-report"), target_is_directory=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_CACHE, str(cache))
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def package():
    from conflictdata.tools import read_package

    return read_package(ROOT / "datapackage.json")


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    d = _sources_dir()
    if d is None:
        pytest.skip("source texts not available (set CONFLICTDATA_SOURCES_DIR)")
    return d


@pytest.fixture(scope="session")
def curated_releases(tmp_path_factory) -> Path:
    """The curated seeds built once per session into a temporary releases folder, as
    `conflictdata build` makes it: what `cd.load(...)` reads in a source checkout."""
    from conflictdata.tools import build_release

    out = tmp_path_factory.mktemp("releases")
    build_release(ROOT / "datapackage.json", out, progress=False)
    return out


@pytest.fixture(scope="module")
def curated_build(curated_releases: Path):
    """For one test module, `cd.load(...)` (and child processes) read the curated release,
    not whatever build/ holds. Module-scoped so hypothesis tests may use it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICTDATA_BUILD_DIR", str(curated_releases))
        yield curated_releases
