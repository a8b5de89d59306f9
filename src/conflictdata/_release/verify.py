"""SHA-256 of release files, each verified once per process (and again if it changes)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import (
    ChecksumError,
)

if TYPE_CHECKING:  # pragma: no cover
    pass


_CHUNK = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- hash once

#: path -> (size, mtime_ns) of files this process has already verified: hash once per process.
_VERIFIED: dict[Path, tuple[int, int]] = {}


def file_stamp(path: Path) -> tuple[int, int]:
    """(size, modification time in ns) of a file: what "unchanged since verified" compares."""
    st = path.stat()
    return (st.st_size, st.st_mtime_ns)


def is_verified(path: Path) -> bool:
    """Whether this process already checked ``path`` (unchanged since) against its hash."""
    return _VERIFIED.get(path) == file_stamp(path)


def mark_verified(path: Path, stamp: tuple[int, int] | None = None) -> None:
    """Record that ``path`` (as of ``stamp``, else now) matched its SHA-256."""
    _VERIFIED[path] = stamp if stamp is not None else file_stamp(path)


def forget_verified() -> None:
    """Forget every verification, as a new process would (each file is hashed again)."""
    _VERIFIED.clear()


def check_digest(
    path: Path, actual: str, sha256: str, *, delete: bool, what: str, stamp: tuple[int, int]
) -> None:
    """Raise :class:`ChecksumError` (deleting the file if asked) unless the digests agree."""
    if actual != sha256:
        if delete:
            path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{what}: {path} has sha256 {actual}, the release descriptor says {sha256}"
            + ("; the file was deleted, load again to fetch it anew" if delete else "")
        )
    _VERIFIED[path] = stamp


def verify_file(path: Path, sha256: str, *, delete: bool, what: str) -> None:
    """Raise :class:`ChecksumError` unless ``path`` has this SHA-256 (optionally deleting it);
    a file already verified by this process and unchanged since is not read again."""
    stamp = file_stamp(path)
    if _VERIFIED.get(path) == stamp:
        return
    check_digest(path, sha256_file(path), sha256, delete=delete, what=what, stamp=stamp)
