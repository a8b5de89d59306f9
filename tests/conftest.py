"""Shared fixtures: the repository root, its data package, and the curators' source texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _sources_dir() -> Path | None:
    """Where the curators' source texts are: $CONFLICTDATA_SOURCES_DIR or ../shared/seeds."""
    env = os.environ.get("CONFLICTDATA_SOURCES_DIR")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "seeds"]:
        if cand.is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def package():
    from conflictdata.schema import read_package

    return read_package(ROOT / "datapackage.json")


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    d = _sources_dir()
    if d is None:
        pytest.skip("source texts not available (set CONFLICTDATA_SOURCES_DIR)")
    return d
