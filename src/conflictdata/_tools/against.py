"""The release a contribution is compared with: named (``--against VERSION|FOLDER``), or the
newest of this dataset found without the network (bundled in the wheel, built locally next
to the descriptor or in this checkout, or in the download cache)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._loader.releases import ENV_BUILD, LOCAL_BUILD_DIR, local_versions, open_release
from .._release.layout import is_valid_version, list_release_dirs, version_key
from .._release.read import read_release_descriptor
from .._tableschema.model import Package
from ..errors import ConflictDataError, DescriptorError, UnknownVersionError

__all__ = ["NONE", "Compared", "release_to_compare"]

#: ``--against none``: compare with no release.
NONE = "none"


@dataclass(frozen=True)
class Compared:
    """A release folder to compare with, and where it was found (for people)."""

    folder: Path
    version: str
    where: str

    def describe(self) -> str:
        return f"release {self.version} ({self.where}: {self.folder})"


def _name(folder: Path) -> str | None:
    try:
        name = read_release_descriptor(folder).get("name")
    except (ConflictDataError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def _same_dataset(package: Package, compared: Compared) -> Compared:
    name = _name(compared.folder)
    if package.name and name != package.name:
        raise DescriptorError(
            f"{compared.describe()} is of dataset {name!r}, not {package.name!r}: its IDs are "
            "not this package's"
        )
    return compared


def _complete(folder: Path) -> bool:
    """Every table file the release descriptor lists is on disk (a cached release may hold
    only some)."""
    try:
        resources = read_release_descriptor(folder).get("resources", [])
        return all((folder / str(r.get("path", ""))).is_file() for r in resources)
    except (ConflictDataError, AttributeError, TypeError, OSError):
        return False


def _found(package: Package) -> list[Compared]:
    """Every release of this dataset found without the network, in order of preference:
    bundled, built next to the descriptor, built in this checkout (or $CONFLICTDATA_BUILD_DIR),
    cached."""
    env = os.environ.get(ENV_BUILD)
    builds = [package.root / "build" / "releases", Path(env) if env else LOCAL_BUILD_DIR]
    places: list[tuple[str, dict[str, Path]]] = [("bundled", local_versions("bundled"))]
    places += [("local build", list_release_dirs(b)) for b in builds if b is not None]
    places.append(("cache", local_versions("cache")))
    found = []
    for kind, versions in places:
        for version, folder in versions.items():
            if _name(folder) == package.name and _complete(folder):
                found.append(Compared(folder, version, kind))
    return found


def release_to_compare(
    package: Package, against: str | None = None, releases: str | None = None
) -> Compared | None:
    """The release whose IDs the seeds of ``package`` must keep.

    ``against``: ``"none"`` (no comparison), a release folder or a folder of releases (its
    newest), or a version (looked up in ``releases``, a folder, when given; else as
    ``conflictdata.load`` finds it, downloading if a release server is configured). None:
    the newest release of this dataset found without the network, or None if there is none.
    """
    if against == NONE:
        return None
    if against is None:
        found = _found(package)
        if not found:
            return None
        newest = max(found, key=lambda c: version_key(c.version))
        return min((c for c in found if c.version == newest.version), key=lambda c: found.index(c))
    path = Path(against)
    if path.is_dir():
        release = open_release(None, source=path)
        return _same_dataset(package, Compared(release.root, release.version, "folder"))
    if not is_valid_version(against):
        raise UnknownVersionError(
            f"--against {against!r} is neither a release folder, a version nor 'none'"
        )
    if releases is not None:
        versions = list_release_dirs(releases)
        if against not in versions:
            raise UnknownVersionError(
                f"release {against} is not in {releases}; versions there: "
                f"{', '.join(versions) or 'none'}"
            )
        return _same_dataset(package, Compared(versions[against], against, "folder"))
    release = open_release(against)
    for table in release.package.tables:
        release.path(table)  # a cached release: its files fetched and verified
    return _same_dataset(package, Compared(release.root, release.version, release.where))
