"""The files of a release as the report reads them: each one verified, none through a symlink.

A file is opened without following a symbolic link (``O_NOFOLLOW`` on every path component
inside the release folder), must be a regular file of bounded size, and is read once: its
bytes are hashed and the same bytes are parsed, so what was verified is what is shown.

What each file is checked against:

- ``SHA256SUMS`` (when the release has one) lists every file of the release; the descriptor,
  the tables and ``CHANGELOG.md`` must have the SHA-256 it lists.
- ``datapackage.json`` is the root the loader trusts (its own hash is chained by the next
  release and the index); each table must also have the SHA-256 the descriptor declares.
- ``CHANGELOG.md`` has no hash in the descriptor: without a ``SHA256SUMS`` that lists it (a
  release folder being built has none yet) it is not read, unless the caller that wrote it hands
  the text over itself (the build: ``render_report(folder, changelog=text)``).

A table, the descriptor or ``SHA256SUMS`` that fails is a one-line :class:`ChecksumError` or
:class:`DescriptorError`; a changelog that fails is not shown and the page says why.

This would belong with the release module's hash-once verification (``release.verify_file``),
which follows symlinks and hashes a path separately from reading it; it lives here until the
package's restructuring gives it a shared home.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..._release.layout import CHANGELOG_NAME, DESCRIPTOR_NAME, SUMS_NAME
from ...errors import ChecksumError, ConflictDataError, DescriptorError
from .text import visible

if TYPE_CHECKING:  # pragma: no cover
    from ..._tableschema.model import Package

__all__ = [
    "CHANGELOG_MAX",
    "Changelog",
    "ReleaseFiles",
    "UnsafeFileError",
    "read_nofollow",
]

#: Largest descriptor, SHA256SUMS and CHANGELOG.md read (a release's are a few hundred KB).
DOCUMENT_MAX = 64 * 1024 * 1024
CHANGELOG_MAX = 16 * 1024 * 1024
#: Largest table file read (the million-event release's largest is about 80 MB).
TABLE_MAX = 8 * 1024 * 1024 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted in a release must not hang the open


class UnsafeFileError(ConflictDataError):
    """A file of the release is a symbolic link, not a regular file, or too large to read."""


def _shown(path: str | PurePath) -> str:
    return visible(path)


def _open_component(parent: int | None, name: str, *, directory: bool, where: Path) -> int:
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK | (_DIRECTORY if directory else 0)
    try:
        return os.open(name, flags, dir_fd=parent) if parent is not None else os.open(name, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if os.path.islink(where):
            raise UnsafeFileError(
                f"{_shown(where)} is a symbolic link: the report reads no file through one"
            ) from None
        raise UnsafeFileError(f"{_shown(where)} cannot be read: {exc.strerror or exc}") from None


def _read_into(fd: int, view: memoryview) -> int:  # pragma: no cover - platforms without readv
    chunk = os.read(fd, len(view))
    view[: len(chunk)] = chunk
    return len(chunk)


def read_nofollow(root: Path, relpath: str | PurePosixPath, limit: int) -> bytes | bytearray:
    """The bytes of ``root/relpath``, no component of ``relpath`` followed if it is a symlink.

    FileNotFoundError when it does not exist; :class:`UnsafeFileError` when a component is a
    symbolic link or the file is not a regular file or is larger than ``limit`` bytes.
    """
    parts = PurePosixPath(relpath).parts
    if not parts or PurePosixPath(relpath).is_absolute() or ".." in parts:
        raise UnsafeFileError(f"refusing path {_shown(relpath)}: not a plain relative path")
    dir_fd: int | None = None
    fd = -1
    try:
        if _NOFOLLOW and os.open in os.supports_dir_fd:
            dir_fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
            where = root
            for name in parts[:-1]:
                where = where / name
                nxt = _open_component(dir_fd, name, directory=True, where=where)
                os.close(dir_fd)
                dir_fd = nxt
            fd = _open_component(dir_fd, parts[-1], directory=False, where=root.joinpath(*parts))
        else:  # pragma: no cover - platforms without O_NOFOLLOW / dir_fd (Windows)
            path = root.joinpath(*parts)
            for p in [root.joinpath(*parts[: i + 1]) for i in range(len(parts))]:
                if p.is_symlink():
                    raise UnsafeFileError(
                        f"{_shown(p)} is a symbolic link: the report reads no file through one"
                    )
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        st = os.fstat(fd)
        path = root.joinpath(*parts)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFileError(f"{_shown(path)} is not a regular file")
        if st.st_size > limit:
            raise UnsafeFileError(
                f"{_shown(path)} has {st.st_size:,} bytes, more than the {limit:,} the report reads"
            )
        if _NONBLOCK:
            os.set_blocking(fd, True)
        buf = bytearray(st.st_size + 1)  # one more byte: a file that grew is noticed
        view = memoryview(buf)
        got = 0
        while got < len(buf):
            n = os.readv(fd, [view[got:]]) if hasattr(os, "readv") else _read_into(fd, view[got:])
            if not n:
                break
            got += n
        if got > st.st_size:
            raise UnsafeFileError(f"{_shown(path)} grew while it was read")
        del view
        del buf[got:]
        data = (
            bytes(buf) if len(buf) < (1 << 20) else buf
        )  # large: no copy (hashlib and Arrow take it)
        return data
    finally:
        if fd >= 0:
            os.close(fd)
        if dir_fd is not None:
            os.close(dir_fd)


def _sha256(data: bytes | bytearray) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_sums(text: str, where: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        digest = digest.strip().lower()
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DescriptorError(
                f"{_shown(where)}:{n}: not a '<sha256>  <name>' line: {visible(line[:80])}"
            )
        sums[name.lstrip("*")] = digest
    return sums


@dataclass(frozen=True)
class Changelog:
    """The changelog as the report may show it: its text, or why it is not shown."""

    text: str | None
    problem: str | None = None
    truncated: bool = False


@dataclass
class ReleaseFiles:
    """A release folder whose descriptor (and SHA256SUMS, when present) was read and verified.

    ``package`` is parsed from the verified descriptor bytes. :meth:`open_table`,
    :meth:`table_bytes` and :meth:`changelog` read and verify the other files on demand.
    """

    root: Path
    package: Package
    descriptor: dict[str, Any]
    sums: dict[str, str] | None
    descriptor_sha256: str

    @classmethod
    def open(cls, root: Path | str) -> ReleaseFiles:
        from ..._release.read import read_release

        root = Path(root)
        sums: dict[str, str] | None
        try:
            raw_sums = read_nofollow(root, SUMS_NAME, DOCUMENT_MAX)
        except FileNotFoundError:
            sums = None
        else:
            sums = _parse_sums(raw_sums.decode("utf-8", errors="replace"), root / SUMS_NAME)
        where = root / DESCRIPTOR_NAME
        try:
            raw = read_nofollow(root, DESCRIPTOR_NAME, DOCUMENT_MAX)
        except FileNotFoundError:
            raise DescriptorError(
                f"not a release folder (no {DESCRIPTOR_NAME}): {_shown(root)}"
            ) from None
        digest = _sha256(raw)
        if sums is not None:
            listed = sums.get(DESCRIPTOR_NAME)
            if listed is None:
                raise ChecksumError(f"{_shown(root / SUMS_NAME)} does not list {DESCRIPTOR_NAME}")
            if listed != digest:
                raise ChecksumError(
                    f"{_shown(where)} has sha256 {digest}, {SUMS_NAME} says {listed}: "
                    "the release was changed after it was built"
                )
        try:
            descriptor = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise DescriptorError(
                f"release descriptor {_shown(where)} is not JSON: {exc}"
            ) from None
        if not isinstance(descriptor, dict):
            raise DescriptorError(f"release descriptor {_shown(where)} is not a JSON object")
        package = _package(root, descriptor, digest, read_release)
        return cls(root, package, descriptor, sums, digest)

    def resource(self, name: str) -> dict[str, Any]:
        for r in self.descriptor.get("resources", []):
            if isinstance(r, dict) and r.get("name") == name:
                return r
        raise DescriptorError(f"release descriptor has no resource {visible(name)!r}")

    def table_bytes(self, name: str) -> bytes | bytearray:
        """The verified bytes of table ``name``'s Parquet file."""
        data, check = self.open_table(name)
        check()
        return data

    def open_table(self, name: str) -> tuple[bytes | bytearray, Callable[[], None]]:
        """The bytes of table ``name``'s Parquet file, and ``check``, which raises unless they
        have the SHA-256 the descriptor (and SHA256SUMS, if it lists the file) declares.

        The hash runs in a thread meanwhile (hashlib and Arrow release the GIL, so the caller
        can parse the same bytes at the same time); nothing read from them may be used before
        ``check()`` returned.
        """
        from ..._remote.server import expected_sha256, safe_relpath

        res = self.resource(name)
        try:
            rel = safe_relpath(res.get("path"))
            want = expected_sha256(res)
        except (ValueError, ConflictDataError) as exc:
            raise DescriptorError(f"{_shown(self.root / DESCRIPTOR_NAME)}: {exc}") from None
        where = self.root / rel
        try:
            data = read_nofollow(self.root, rel, TABLE_MAX)
        except FileNotFoundError:
            raise DescriptorError(
                f"table {name!r} of the release: {_shown(where)} is missing"
            ) from None
        listed = self.sums.get(rel.as_posix()) if self.sums is not None else None
        digest: list[str] = []
        worker = threading.Thread(target=lambda: digest.append(_sha256(data)), daemon=True)
        worker.start()

        def check() -> None:
            worker.join()
            if digest[0] != want:
                raise ChecksumError(
                    f"table {name!r}: {_shown(where)} has sha256 {digest[0]}, the release "
                    f"descriptor says {want}"
                )
            if listed is not None and listed != digest[0]:
                raise ChecksumError(
                    f"table {name!r}: {_shown(where)} has sha256 {digest[0]}, {SUMS_NAME} says {listed}"
                )

        return data, check

    def changelog(self, limit: int) -> Changelog:
        """``CHANGELOG.md`` (its first ``limit`` bytes) if SHA256SUMS lists it and it matches."""
        where = self.root / CHANGELOG_NAME
        if self.sums is None:
            exists = where.exists() or where.is_symlink()
            return Changelog(
                None,
                f"{CHANGELOG_NAME} is not shown: this release folder has no {SUMS_NAME} to verify it against"
                if exists
                else f"This release has no {CHANGELOG_NAME}.",
            )
        listed = self.sums.get(CHANGELOG_NAME)
        if listed is None:
            return Changelog(
                None, f"This release has no {CHANGELOG_NAME} (none is listed in {SUMS_NAME})."
            )
        try:
            data = read_nofollow(self.root, CHANGELOG_NAME, CHANGELOG_MAX)
        except FileNotFoundError:
            return Changelog(None, f"{CHANGELOG_NAME} is listed in {SUMS_NAME} but missing.")
        except UnsafeFileError as exc:
            return Changelog(None, f"{CHANGELOG_NAME} failed verification and is not shown: {exc}")
        digest = _sha256(data)
        if digest != listed:
            return Changelog(
                None,
                f"{CHANGELOG_NAME} failed verification and is not shown: its sha256 is {digest}, "
                f"{SUMS_NAME} says {listed}.",
            )
        text = data[:limit].decode("utf-8", errors="replace")
        return Changelog(text, None, truncated=len(data) > limit)


#: Packages parsed from verified descriptor bytes, by (folder, sha256): parsed once per process.
_PACKAGES: dict[tuple[Path, str], Package] = {}


def _package(root: Path, descriptor: dict[str, Any], digest: str, read_release: Any) -> Package:
    key = (root, digest)
    hit = _PACKAGES.get(key)
    if hit is None:
        hit = read_release(root, descriptor).package
        if len(_PACKAGES) > 16:
            _PACKAGES.clear()
        _PACKAGES[key] = hit
    return hit
