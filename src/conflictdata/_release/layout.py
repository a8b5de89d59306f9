"""A release folder's file names and versions: what is where, and which versions exist."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from .._util.fs import TMP_PREFIX
from ..errors import (
    InvalidVersionError,
    UnknownVersionError,
)

if TYPE_CHECKING:  # pragma: no cover
    pass


INDEX_NAME = "index.json"

#: The lock file a build holds while it publishes into an output folder.
LOCK_NAME = ".build.lock"

DESCRIPTOR_NAME = "datapackage.json"

CHANGELOG_NAME = "CHANGELOG.md"

#: The change feed since the previous release (one row per changed cell or row).
CHANGES_NAME = "changes.parquet"

#: Croissant 1.1 metadata of the release.
CROISSANT_NAME = "croissant.json"

#: The offline HTML report of the release (timeline, figures, statements, excerpts).
REPORT_NAME = "report.html"

#: The files a release carries besides its tables and descriptor, in the order a build writes
#: them: each is derived from the tables and descriptor (so the descriptor lists them by name
#: only), and SHA256SUMS and the zip, written last, list and hash them all. The report shows
#: the changelog; Croissant describes and hashes every file before it.
EXTRA_FILES = (CHANGELOG_NAME, CHANGES_NAME, REPORT_NAME, CROISSANT_NAME)

#: The folder of a release's CSV copy: one ``<table>.csv`` per table and its own descriptor.
CSV_DIR = "csv"

#: The CSV copy's descriptor, relative to the release folder.
CSV_DESCRIPTOR = f"{CSV_DIR}/{DESCRIPTOR_NAME}"


def parquet_name(table: str) -> str:
    """Path of table ``table``'s Parquet file, relative to the release folder."""
    return f"{table}.parquet"


def csv_name(table: str) -> str:
    """Path of table ``table``'s CSV copy, relative to the release folder (POSIX)."""
    return f"{CSV_DIR}/{table}.csv"


def release_files(tables: Iterable[str]) -> list[str]:
    """Every file a release carries besides its Parquet tables, its descriptor, SHA256SUMS and
    the zip: :data:`EXTRA_FILES`, then the CSV copy (descriptor first, tables in order)."""
    return [*EXTRA_FILES, CSV_DESCRIPTOR, *(csv_name(t) for t in tables)]


def archive_root(version: str) -> str:
    """The one top-level folder of a release's zip: ``conflictdata-<version>``."""
    return f"conflictdata-{version}"


#: Descriptor key that lists :func:`release_files`.
FILES_KEY = "releaseFiles"

SUMS_NAME = "SHA256SUMS"

PARQUET_MEDIATYPE = "application/vnd.apache.parquet"

#: Prefix of the temporary folders a build writes into before renaming them into place.

#: The one spelling a release version may have, everywhere (descriptor, build, index, loader,
#: CLI): MAJOR.MINOR[.PATCH[.N]] with an optional aN/bN/rcN, .postN and .devN, numbers without
#: leading zeros and at most six digits. A version names a folder and a URL path segment, so
#: nothing else (no spaces, slashes, dots alone, "index.json", 300 digits) is ever accepted.
VERSION_PATTERN = (
    r"(?:0|[1-9][0-9]{0,5})(?:\.(?:0|[1-9][0-9]{0,5})){1,3}"
    r"(?:(?:a|b|rc)(?:0|[1-9][0-9]{0,5}))?"
    r"(?:\.post(?:0|[1-9][0-9]{0,5}))?(?:\.dev(?:0|[1-9][0-9]{0,5}))?"
)

_VERSION_RE = re.compile(VERSION_PATTERN)


def is_valid_version(version: object) -> TypeGuard[str]:
    """True when ``version`` is a string of the one release version pattern."""
    return isinstance(version, str) and _VERSION_RE.fullmatch(version) is not None


def check_version(version: object, what: str = "version") -> str:
    """``version`` itself when valid, else an `InvalidVersionError` that shows it (shortened)."""
    if is_valid_version(version):
        return version
    shown = repr(version)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    raise InvalidVersionError(
        f"{what} {shown} is not a release version: expected MAJOR.MINOR[.PATCH] "
        "(digits without leading zeros, optional aN/bN/rcN, .postN, .devN), e.g. 0.1.0"
    )


def archive_name(version: str) -> str:
    """File name of the zip archive of a release."""
    return f"conflictdata-{version}.zip"


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key of a version: PEP 440 order when `packaging` is importable, else integer parts."""
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging is nearly always present
        pass
    else:
        try:
            return (0, Version(version), "")
        except InvalidVersion:
            pass
    parts = []
    for p in version.replace("-", ".").split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return (1, tuple(parts), version)


def sort_versions(versions: Iterable[str]) -> list[str]:
    """Versions oldest first: the order of ``index.json`` and of ``versions()``."""
    return sorted(versions, key=version_key)


def is_release_dir(path: Path) -> bool:
    """A folder is a release when it is not a build's temporary folder and has a descriptor."""
    return (
        path.is_dir()
        and not path.name.startswith(TMP_PREFIX)
        and (path / DESCRIPTOR_NAME).is_file()
    )


def list_release_dirs(out: Path | str) -> dict[str, Path]:
    """Release folders under ``out`` by version, oldest first; a folder whose name is not a
    release version is no release, whatever it holds."""
    out = Path(out)
    if not out.is_dir():
        return {}
    found = {p.name: p for p in out.iterdir() if is_valid_version(p.name) and is_release_dir(p)}
    return {v: found[v] for v in sort_versions(list(found))}


def resolve_release(ref: str | Path, out: Path | str) -> Path:
    """A release folder from a path to one, or from a version under ``out``."""
    p = Path(ref)
    if is_release_dir(p):
        return p
    releases = list_release_dirs(out)
    if str(ref) in releases:
        return releases[str(ref)]
    known = ", ".join(releases) or "none"
    raise UnknownVersionError(
        f"{ref!s} is neither a release folder nor a version under {out}; versions there: {known}"
    )
