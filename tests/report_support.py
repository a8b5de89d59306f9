"""Fixtures of the report tests: the curated release built once, and a hostile variant."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def build_copy(tmp: Path, edit=None) -> Path:
    """Build the repository's package (optionally edited) into ``tmp``; return the release folder."""
    from conflictdata._tools.build import build_release

    pkg = tmp / "package"
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    shutil.copytree(ROOT / "seeds", pkg / "seeds")
    shutil.copy(ROOT / "datapackage.json", pkg / "datapackage.json")
    if edit is not None:
        edit(pkg)
    return Path(
        build_release(
            pkg / "datapackage.json", tmp / "releases", validate=edit is None, progress=False
        ).path
    )


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("altair")
    pytest.importorskip("vl_convert")
    return build_copy(tmp_path_factory.mktemp("curated"))
