"""A release folder and the releases index on disk: their layout and file names, writing them
(descriptor, SHA256SUMS, zip, index, atomic writes), reading them (:func:`read_release`, the one
reader used by build, diff and loader) and verifying each file's SHA-256 once per process.

Stdlib only (no pandas, no pyarrow at import) so the loader can use it on its light path.

Layout of a build output folder ``OUT`` (a static file server of ``OUT`` is a release server)::

    OUT/index.json                        every release: version, created, archive, sha256, descriptor, its sha256
    OUT/.build.lock                       held by a build while it publishes (rename + index)
    OUT/.tmp-*                            a build's work folder and index temp files, until renamed
    OUT/<version>/datapackage.json        release descriptor (inline schemas, rows, sha256 per file)
    OUT/<version>/<table>.parquet         one per table, rows in primary key order
    OUT/<version>/CHANGELOG.md            this version against the previous release in OUT
    OUT/<version>/changes.parquet         the same comparison as data: one row per changed cell or row
    OUT/<version>/croissant.json          Croissant 1.1 metadata of the release
    OUT/<version>/SHA256SUMS              "<hex>  <name>" for every file above (not the zip)
    OUT/<version>/conflictdata-<version>.zip   all of the above, reproducible

The release descriptor keeps the source descriptor's name, title, description, version,
homepage, keywords, licenses, sources and contributors, adds ``created`` (ISO 8601 UTC),
``previous`` (the version and descriptor SHA-256 of the newest older release in OUT when it
was built: the hash chain, see :func:`verify_history`) and ``build.parquetWriter``, and lists
per table: name, path ``<table>.parquet``, format ``parquet``, mediatype, ``hash``
("sha256:<hex>", the Frictionless v5 form), ``rows``, ``fileBytes`` and the full Table Schema
inline. The size is not in the standard ``bytes``
because frictionless 5 reads Parquet through pandas without counting bytes, so any declared
``bytes`` fails `frictionless validate` with a byte-count error; for the same reason the
inline schemas list "nan" among their ``missingValues`` (frictionless sees a null number of a
Parquet file as NaN). SHA256SUMS leaves out itself and the zip (the zip holds SHA256SUMS;
its own hash is in ``index.json``).

``index.json`` is never trusted on its own: it is always derived from the release folders
present (``index_entries``), rewritten under the output folder's lock by every build, and an
entry whose version is not a release version is ignored, so a build killed between its
rename and its index update leaves a stale index that the next build repairs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import (
    BuildError,
    ChecksumError,
    DescriptorError,
    HistoryError,
    InvalidVersionError,
    UnknownVersionError,
)

if TYPE_CHECKING:  # pragma: no cover
    from .schema import Package, TableSchema

__all__ = [
    "CHANGELOG_NAME",
    "CHANGES_NAME",
    "COPIED_KEYS",
    "CROISSANT_NAME",
    "DESCRIPTOR_NAME",
    "EXTRA_FILES",
    "FILES_KEY",
    "INDEX_NAME",
    "LOCK_NAME",
    "PARQUET_MEDIATYPE",
    "PREVIOUS_KEY",
    "REPORT_NAME",
    "SUMS_NAME",
    "TMP_PREFIX",
    "VERSION_PATTERN",
    "ReleaseEntry",
    "ReleaseFolder",
    "TableOutput",
    "archive_name",
    "check_digest",
    "check_version",
    "dump_json",
    "file_hashes",
    "file_stamp",
    "forget_verified",
    "fsync_dir",
    "fsync_file",
    "index_entries",
    "index_is_current",
    "is_release_dir",
    "is_valid_version",
    "is_verified",
    "link_of",
    "list_release_dirs",
    "mark_verified",
    "previous_link",
    "publish_lock",
    "read_index",
    "read_release",
    "read_release_descriptor",
    "release_descriptor",
    "remove_stale_temp",
    "resolve_release",
    "sha256_file",
    "sort_versions",
    "verify_file",
    "verify_history",
    "version_key",
    "write_index",
    "write_sums",
    "write_text_atomic",
    "write_zip",
]

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
#: Descriptor key that lists :data:`EXTRA_FILES`.
FILES_KEY = "releaseFiles"
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
    """Release folders under ``out`` by version, oldest first; a folder whose name is not a
    release version is no release, whatever it holds."""
    out = Path(out)
    if not out.is_dir():
        return {}
    found = {p.name: p for p in out.iterdir() if is_valid_version(p.name) and is_release_dir(p)}
    return {v: found[v] for v in sort_versions(list(found))}


@dataclass(frozen=True)
class ReleaseEntry:
    """One release as listed in ``index.json`` (paths relative to the index's folder)."""

    version: str
    created: str
    archive: str
    archive_sha256: str
    descriptor: str
    #: SHA-256 of the release descriptor: what the next release's ``previous`` link names.
    descriptor_sha256: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "version": self.version,
            "created": self.created,
            "archive": self.archive,
            "archive_sha256": self.archive_sha256,
            "descriptor": self.descriptor,
            "descriptor_sha256": self.descriptor_sha256,
        }


def read_index(out: Path | str) -> list[ReleaseEntry]:
    """Entries of ``out/index.json`` as written (empty list when there is none yet). An entry
    whose version is not a release version, or whose paths are not that version's, is left
    out: an index never names a folder. See :func:`index_entries` for what is really there."""
    path = Path(out) / INDEX_NAME
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["releases"]
        if not isinstance(rows, list):
            raise TypeError("'releases' is not a list")
        entries = []
        for r in rows:
            if not isinstance(r, dict) or not is_valid_version(r.get("version")):
                continue
            fields = {
                k: r.get(k, "") if k == "descriptor_sha256" else r.get(k)
                for k in ReleaseEntry.__dataclass_fields__
            }
            if not all(isinstance(v, str) for v in fields.values()):
                continue
            entry = ReleaseEntry(**fields)
            if (entry.archive, entry.descriptor) != _entry_paths(entry.version):
                continue
            entries.append(entry)
        return entries
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise DescriptorError(f"release index {path} is unreadable: {exc}") from None


def _entry_paths(version: str) -> tuple[str, str]:
    """The archive and descriptor paths an index lists for ``version``."""
    return f"{version}/{archive_name(version)}", f"{version}/{DESCRIPTOR_NAME}"


def index_entries(
    out: Path | str, archive_sha256: dict[str, str] | None = None
) -> list[ReleaseEntry]:
    """What ``out/index.json`` should list: one entry per release folder that has its archive,
    oldest first. A hash is taken from ``archive_sha256`` (version -> hash of an archive just
    written), else from the index when its entry agrees with the folder, else computed."""
    out = Path(out)
    fresh = archive_sha256 or {}
    try:
        known = {e.version: e for e in read_index(out)}
    except DescriptorError:  # a corrupt index is rebuilt from the folders
        known = {}
    entries = []
    for version, folder in list_release_dirs(out).items():
        archive, descriptor = _entry_paths(version)
        if not (out / archive).is_file():
            continue
        entry = ReleaseEntry(
            version=version,
            created=_created(folder),
            archive=archive,
            archive_sha256="",
            descriptor=descriptor,
            descriptor_sha256=sha256_file(folder / DESCRIPTOR_NAME),
        )
        old = known.get(version)
        sha = fresh.get(version)
        if sha is None and old is not None and old.created == entry.created:
            sha = old.archive_sha256
        entries.append(replace(entry, archive_sha256=sha or sha256_file(out / archive)))
    return entries


def _created(folder: Path) -> str:
    """The ``created`` of a release folder's descriptor ("" when it has none)."""
    desc = read_release_descriptor(folder)
    created = desc.get("created", "") if isinstance(desc, dict) else ""
    return created if isinstance(created, str) else ""


def index_is_current(out: Path | str) -> bool:
    """True when ``out/index.json`` lists exactly the releases in ``out`` (by version,
    created and paths); False for a missing, unreadable or stale index."""
    try:
        listed = read_index(out)
    except DescriptorError:
        return False
    if not (Path(out) / INDEX_NAME).is_file():
        return False
    present = list_release_dirs(out)
    wanted = {}
    for version, folder in present.items():
        archive, descriptor = _entry_paths(version)
        if (Path(out) / archive).is_file():
            wanted[version] = (
                _created(folder),
                archive,
                descriptor,
                sha256_file(folder / DESCRIPTOR_NAME),
            )
    have = {e.version: (e.created, e.archive, e.descriptor, e.descriptor_sha256) for e in listed}
    return have == wanted and len(listed) == len(have)


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


def write_index(
    out: Path | str, name: str = "conflictdata", archive_sha256: dict[str, str] | None = None
) -> Path:
    """Write ``out/index.json`` atomically from the release folders present (see
    :func:`index_entries`). Call it holding :func:`publish_lock`."""
    out = Path(out)
    entries = index_entries(out, archive_sha256)
    doc = {"name": name, "releases": [e.to_dict() for e in entries]}
    path = out / INDEX_NAME
    write_text_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


@contextlib.contextmanager
def publish_lock(out: Path | str, timeout: float = 600.0) -> Iterator[Path]:
    """Hold the exclusive lock of a build output folder, so that two builds never publish
    into one folder at once; waits at most ``timeout`` seconds for another build to finish.

    The lock is an advisory ``flock`` on ``out/.build.lock``, a file that exists only while
    a build holds it (the holder removes it before letting go; a waiter that locked a file
    since removed tries again), so a finished build leaves nothing in the folder a server
    would publish. An OSError (read-only folder, ...) is the caller's.
    """
    path = Path(out) / LOCK_NAME
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            if _try_lock(fd):
                if _same_file(fd, path):
                    break
                _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() > deadline:
            raise BuildError(
                f"another build has held {path} for more than {timeout:.0f} s: "
                "wait for it to finish (or end it) and build again"
            )
        time.sleep(0.05)
    try:
        yield path
    finally:
        try:
            if os.name != "nt":  # Windows cannot remove an open file; it stays there
                path.unlink(missing_ok=True)
        finally:
            _unlock(fd)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (here.st_dev, here.st_ino)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def remove_stale_temp(out: Path | str, before: float) -> list[Path]:
    """Remove what killed builds left in ``out``: ``.tmp-*`` work folders and index temp
    files last changed before ``before`` (a time.time()), unless their name carries the id of
    a process that is still running (a build in progress). Call it holding
    :func:`publish_lock`: index temp files are only written under it. Returns what was removed."""
    removed = []
    out = Path(out)
    if not out.is_dir():
        return removed
    for p in out.iterdir():
        if not p.name.startswith(TMP_PREFIX):
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        if st.st_mtime >= before:
            continue
        head = p.name[len(TMP_PREFIX) :].split("-", 1)[0]
        if head.isascii() and head.isdigit() and len(head) < 10 and _pid_alive(int(head)):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def read_release_descriptor(folder: Path | str) -> dict[str, Any]:
    """The ``datapackage.json`` of a release folder."""
    path = Path(folder) / DESCRIPTOR_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DescriptorError(f"not a release folder (no {DESCRIPTOR_NAME}): {folder}") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise DescriptorError(f"release descriptor {path} is unreadable: {exc}") from None


# --------------------------------------------------------------------------- the chain

#: Key of the release descriptor that chains it to the release before it:
#: ``{"version": ..., "sha256": <SHA-256 of that release's datapackage.json>}``.
PREVIOUS_KEY = "previous"
_HEX64 = re.compile(r"[0-9a-f]{64}")
#: Longest chain walked back when checking a server's history.
MAX_CHAIN = 10_000


def previous_link(folder: Path | None) -> dict[str, str] | None:
    """The ``previous`` entry for a release built after release folder ``folder`` (None:
    the first release)."""
    if folder is None:
        return None
    version = check_version(read_release_descriptor(folder).get("version"), f"{folder}: version")
    return {"version": version, "sha256": sha256_file(folder / DESCRIPTOR_NAME)}


def link_of(descriptor: Any) -> tuple[str, str] | None:
    """(version, SHA-256) of the release a descriptor names as its previous one, None when it
    names none; a malformed link is a ``ValueError``."""
    link = descriptor.get(PREVIOUS_KEY) if isinstance(descriptor, dict) else None
    if link is None:
        return None
    if (
        not isinstance(link, dict)
        or not is_valid_version(link.get("version"))
        or not (isinstance(link.get("sha256"), str) and _HEX64.fullmatch(link["sha256"]))
    ):
        raise ValueError(f"'{PREVIOUS_KEY}' must be {{version, sha256 (64 lowercase hex)}}")
    return link["version"], link["sha256"]


def verify_history(
    version: str,
    descriptor: dict[str, Any],
    sha256: str,
    trusted: dict[str, str],
    listed: set[str],
    fetch: Any,
    where: str,
) -> None:
    """Check that release ``version`` (its parsed ``descriptor``, whose bytes hash to
    ``sha256``) continues the history this installation trusts.

    ``trusted``: version -> descriptor SHA-256 of the releases already here (bundled, cached);
    ``listed``: the versions the server's index lists; ``fetch(version)``: the server's
    (descriptor dict, SHA-256) of a listed release. The ``previous`` links are followed back
    until a trusted release; every link must name the bytes the server serves, the trusted
    release met must be the one here, and no trusted release older than ``version`` may be
    skipped. Raises :class:`HistoryError`; with nothing trusted there is nothing to check.
    """
    if not trusted:
        return
    if version in trusted:
        if trusted[version] != sha256:
            raise HistoryError(
                f"{where} serves release {version} with a descriptor of SHA-256 {sha256}, but "
                f"the one this installation has is {trusted[version]}: the server's history "
                "was rewritten; refusing it"
            )
        return
    seen = {version}
    current, shown = descriptor, version
    for _ in range(MAX_CHAIN):
        try:
            link = link_of(current)
        except ValueError as exc:
            raise HistoryError(f"{where}: release {shown}: {exc}; refusing it") from None
        if link is None:
            break
        prev, expected = link
        if prev in seen or version_key(prev) >= version_key(shown):
            raise HistoryError(
                f"{where}: release {shown} names {prev} as its previous "
                "release: not an older release; refusing it"
            )
        seen.add(prev)
        if prev not in listed:
            raise HistoryError(
                f"{where} no longer lists release {prev}, which release {shown} follows: a "
                "past release was removed from the server's history; refusing it"
            )
        if prev in trusted:
            if trusted[prev] != expected:
                raise HistoryError(
                    f"{where}: release {shown} follows a release {prev} whose descriptor has "
                    f"SHA-256 {expected}, but the {prev} this installation has is "
                    f"{trusted[prev]}: the server's history was rewritten; refusing it"
                )
            return
        current, got = fetch(prev)
        if got != expected:
            raise HistoryError(
                f"{where} serves release {prev} with a descriptor of SHA-256 {got}, but release "
                f"{shown} names {expected}: a past release was changed; refusing it"
            )
        shown = prev
    older = [v for v in sort_versions(trusted) if version_key(v) < version_key(version)]
    if older:
        raise HistoryError(
            f"{where}: the history of release {version} does not contain release "
            f"{older[-1]}, which this installation has: a past release was removed or "
            "replaced; refusing it"
        )


@dataclass(frozen=True)
class ReleaseFolder:
    """A release folder read once: its descriptor as parsed JSON and its tables' schemas."""

    folder: Path
    descriptor: dict[str, Any]
    package: Package

    @property
    def version(self) -> str:
        return self.package.version

    @property
    def tables(self) -> dict[str, TableSchema]:
        return self.package.tables


def read_release(folder: Path | str, descriptor: dict[str, Any] | None = None) -> ReleaseFolder:
    """The one reader of a release folder (build, diff and loader use it): its descriptor
    (``descriptor``: already read and checked, e.g. one a server sent) parsed with every
    schema inline, since a release descriptor is self-contained and names no file elsewhere."""
    from .schema import package_from_descriptor

    folder = Path(folder)
    data = read_release_descriptor(folder) if descriptor is None else descriptor
    if not isinstance(data, dict):
        raise DescriptorError(f"release descriptor {folder / DESCRIPTOR_NAME} is not a JSON object")
    return ReleaseFolder(folder, data, package_from_descriptor(data, folder, schema_files=False))


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


# --------------------------------------------------------------------------- writing a release

#: Top-level keys of the source descriptor carried into the release descriptor, in this order.
COPIED_KEYS = (
    "name",
    "title",
    "description",
    "version",
    "created",
    "homepage",
    "keywords",
    "licenses",
    "sources",
    "contributors",
)
#: The zip format's earliest timestamp: a release created before 1980 is stamped with it.
ZIP_MIN_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class TableOutput:
    """One table file of a release: its name, file name, rows, size and SHA-256."""

    name: str
    path: str
    rows: int
    bytes: int
    sha256: str


def _release_schema(t: TableSchema) -> dict[str, Any]:
    """The table's full schema, inline. One addition: "nan" among the missing values, because
    frictionless reads Parquet through pandas, where a null number arrives as NaN; Parquet
    itself has real nulls, so the addition changes nothing for any other reader."""
    schema = dict(t.raw)
    missing = list(t.missing_values)
    if "nan" not in missing:
        missing.append("nan")
    schema["missingValues"] = missing
    return schema


def release_descriptor(
    package: Package,
    created: str,
    outputs: Sequence[TableOutput],
    writer: str,
    previous: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The release descriptor: the source descriptor's metadata (in :data:`COPIED_KEYS` order),
    ``created``, one resource per table file with its hash, rows, size and inline schema, and
    the Parquet writer that made the bytes; ``previous`` (see :func:`previous_link`) chains it
    to the release before it."""
    src = package.descriptor
    desc: dict[str, Any] = {}
    for key in COPIED_KEYS:
        if key in src:
            desc[key] = src[key]
    desc["version"] = package.version
    desc["created"] = created
    desc = {k: desc[k] for k in COPIED_KEYS if k in desc}
    if previous is not None:
        desc[PREVIOUS_KEY] = previous
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res: dict[str, Any] = {"name": t.name, "path": out.path}
        if t.title and t.title != t.name:
            res["title"] = t.title
        if t.description:
            res["description"] = t.description
        res.update(
            {
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "hash": f"sha256:{out.sha256}",
                "rows": out.rows,
                # Not the standard "bytes": frictionless 5 reads Parquet without counting
                # bytes and would report every declared "bytes" as a byte-count error.
                "fileBytes": out.bytes,
                "schema": _release_schema(t),
            }
        )
        resources.append(res)
    desc["resources"] = resources
    desc[FILES_KEY] = list(EXTRA_FILES)
    desc["build"] = {"parquetWriter": writer}
    return desc


def dump_json(doc: Any) -> str:
    """JSON as every release file writes it: two-space indent, UTF-8 kept, one final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_zip(folder: Path, names: list[str], target: Path, created: datetime) -> None:
    """A reproducible zip of ``names`` in ``folder``: sorted, fixed times and permissions,
    Parquet stored (already compressed), the rest deflated."""
    stamp = max(created.timetuple()[:6], ZIP_MIN_TIME)
    with zipfile.ZipFile(target, "w") as zf:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
            )
            big = (folder / name).stat().st_size >= zipfile.ZIP64_LIMIT // 2
            with open(folder / name, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def fsync_file(path: Path) -> None:
    """Flush a written file to disk before it is renamed into place."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def file_hashes(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` by name; ``known`` ones (just written) not re-read."""
    known = known or {}
    return {
        p.name: known.get(p.name) or sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()
    }


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_sums(folder: Path, hashes: dict[str, str]) -> None:
    """``folder/SHA256SUMS``: "<hex>  <name>" per file, sorted by name."""
    (folder / SUMS_NAME).write_text(
        "".join(f"{h}  {n}\n" for n, h in sorted(hashes.items())), encoding="utf-8", newline="\n"
    )
