"""The on-disk layout of a release folder and of the releases index, shared by build and loader.

Stdlib only (no pandas, no pyarrow at import) so the loader can use it on its light path.

Layout of a build output folder ``OUT`` (a static file server of ``OUT`` is a release server)::

    OUT/index.json                        every release: version, created, archive, sha256, descriptor
    OUT/<version>/datapackage.json        release descriptor (inline schemas, rows, sha256 per file)
    OUT/<version>/<table>.parquet         one per table, rows in primary key order
    OUT/<version>/CHANGELOG.md            this version against the previous release in OUT
    OUT/<version>/SHA256SUMS              "<hex>  <name>" for every file above (not the zip)
    OUT/<version>/conflictdata-<version>.zip   all of the above, reproducible

The release descriptor keeps the source descriptor's name, title, description, version,
homepage, keywords, licenses, sources and contributors, adds ``created`` (ISO 8601 UTC) and
``build.parquetWriter``, and lists per table: name, path ``<table>.parquet``, format
``parquet``, mediatype, ``hash`` ("sha256:<hex>", the Frictionless v5 form), ``rows``,
``fileBytes`` and the full Table Schema inline. The size is not in the standard ``bytes``
because frictionless 5 reads Parquet through pandas without counting bytes, so any declared
``bytes`` fails `frictionless validate` with a byte-count error; for the same reason the
inline schemas list "nan" among their ``missingValues`` (frictionless sees a null number of a
Parquet file as NaN). SHA256SUMS leaves out itself and the zip (the zip holds SHA256SUMS;
its own hash is in ``index.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from .errors import DescriptorError, InvalidVersionError, UnknownVersionError

__all__ = [
    "INDEX_NAME",
    "DESCRIPTOR_NAME",
    "CHANGELOG_NAME",
    "SUMS_NAME",
    "PARQUET_MEDIATYPE",
    "ReleaseEntry",
    "VERSION_PATTERN",
    "is_valid_version",
    "check_version",
    "archive_name",
    "sha256_file",
    "version_key",
    "sort_versions",
    "is_release_dir",
    "list_release_dirs",
    "read_index",
    "write_index",
    "read_release_descriptor",
    "resolve_release",
    "write_text_atomic",
]

INDEX_NAME = "index.json"
DESCRIPTOR_NAME = "datapackage.json"
CHANGELOG_NAME = "CHANGELOG.md"
SUMS_NAME = "SHA256SUMS"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
#: Prefix of the temporary folders a build writes into before renaming them into place.
TMP_PREFIX = ".tmp-"

_CHUNK = 1 << 20

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


def is_valid_version(version: object) -> bool:
    """True when ``version`` is a string of the one release version pattern."""
    return isinstance(version, str) and _VERSION_RE.fullmatch(version) is not None


def check_version(version: object, what: str = "version") -> str:
    """``version`` itself when valid, else an `InvalidVersionError` that shows it (shortened)."""
    if is_valid_version(version):
        return version  # type: ignore[return-value]
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


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key of a version: PEP 440 order when `packaging` is importable, else integer parts."""
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging is nearly always present
        Version = None  # type: ignore[assignment]
    if Version is not None:
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
    """Release folders under ``out`` by version, oldest first."""
    out = Path(out)
    if not out.is_dir():
        return {}
    found = {p.name: p for p in out.iterdir() if is_release_dir(p)}
    return {v: found[v] for v in sort_versions(list(found))}


@dataclass(frozen=True)
class ReleaseEntry:
    """One release as listed in ``index.json`` (paths relative to the index's folder)."""

    version: str
    created: str
    archive: str
    archive_sha256: str
    descriptor: str

    def to_dict(self) -> dict[str, str]:
        return {
            "version": self.version,
            "created": self.created,
            "archive": self.archive,
            "archive_sha256": self.archive_sha256,
            "descriptor": self.descriptor,
        }


def read_index(out: Path | str) -> list[ReleaseEntry]:
    """Entries of ``out/index.json`` (empty list when there is none yet)."""
    path = Path(out) / INDEX_NAME
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            ReleaseEntry(**{k: str(r[k]) for k in ReleaseEntry.__dataclass_fields__})
            for r in data["releases"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DescriptorError(f"release index {path} is unreadable: {exc}") from None


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX + path.name + ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_index(out: Path | str, entries: list[ReleaseEntry], name: str = "conflictdata") -> Path:
    """Write ``out/index.json`` atomically, releases sorted by version."""
    out = Path(out)
    entries = sorted(entries, key=lambda e: version_key(e.version))
    doc = {"name": name, "releases": [e.to_dict() for e in entries]}
    path = out / INDEX_NAME
    write_text_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


def read_release_descriptor(folder: Path | str) -> dict[str, Any]:
    """The ``datapackage.json`` of a release folder."""
    path = Path(folder) / DESCRIPTOR_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DescriptorError(f"not a release folder (no {DESCRIPTOR_NAME}): {folder}") from None
    except (OSError, ValueError) as exc:
        raise DescriptorError(f"release descriptor {path} is unreadable: {exc}") from None


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
