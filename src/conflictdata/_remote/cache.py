"""The per-user cache: a release appears in it whole or not at all.

A release is downloaded into a hidden folder beside the releases (``.tmp.<pid>.<host>.<version>.…``),
its descriptor checked and every file verified by SHA-256 as it arrives, then the folder is
renamed to ``<version>``: a failed or interrupted download leaves the cache as it was. A
``<version>`` folder that lacks its descriptor or a file (left by an older version of this
package, or a file deleted after it failed its check) is no release: never listed or loaded,
and removed; so is a hidden folder whose process is gone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .._release.history import link_of, verify_history
from .._release.layout import (
    DESCRIPTOR_NAME,
    check_version,
    is_valid_version,
    sort_versions,
)
from .._release.verify import mark_verified, verify_file
from .._util.fs import atomic_file
from .._util.usercache import cache_dir
from ..errors import ChecksumError, DownloadError, UnknownVersionError
from .http import (
    DOCUMENT_DEADLINE,
    MAX_DOCUMENT_BYTES,
    Watchdog,
    check_url,
    file_deadline,
    get_document,
    shown,
    transfer,
    with_retries,
)
from .server import (
    ENV_URL,
    RemoteRelease,
    check_release_descriptor,
    declared_size,
    expected_sha256,
    parse_json_document,
    remote_releases,
    safe_file_name,
)

#: A temporary download untouched this long belongs to a process that died (a live one gives
#: up at its deadline): it is removed by the next download of the same file.
STALE_PART_SECONDS = 24 * 3600.0


def _remove_stale_parts(target: Path, older_than: float) -> None:
    """Delete ``.<name>.*.part`` files beside ``target`` not modified for ``older_than`` seconds."""
    cutoff = time.time() - older_than
    try:
        leftovers = list(target.parent.glob(f".{target.name}.*.part"))
    except OSError:
        return
    for part in leftovers:
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(path, max(STALE_PART_SECONDS, DOCUMENT_DEADLINE))
    with atomic_file(path, prefix=f".{path.name}.", suffix=".part", mode=None) as fh:
        fh.write(data)


def _server_descriptor(
    releases: dict[str, RemoteRelease], version: str
) -> tuple[bytes, dict[str, Any], str]:
    """The server's descriptor of a listed ``version``: its bytes, checked JSON and SHA-256
    (a :class:`ChecksumError` when the index lists another SHA-256 for it)."""
    source = releases[version].descriptor_url
    raw = get_document(source, f"the descriptor of {version}")
    data = parse_json_document(raw, source)
    try:
        check_release_descriptor(data, version)
        link_of(data)
    except ValueError as exc:
        raise DownloadError(
            f"{source} is not a release descriptor for {version}: {exc}; nothing was cached"
        ) from None
    digest = hashlib.sha256(raw).hexdigest()
    listed = releases[version].descriptor_sha256
    if listed is not None and listed != digest:
        raise ChecksumError(
            f"{source} has SHA-256 {digest}, the release index lists {listed}; nothing was cached"
        )
    return raw, data, digest


#: A folder being downloaded: ``.tmp.<pid>.<host>.<version>.<random>``.
_TMP = ".tmp."


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _is_stale(folder: Path) -> bool:
    """A download folder whose process is gone (this host), or untouched for a day."""
    try:
        _, _, pid, host, _ = folder.name.split(".", 4)
        if host == _host() and os.name == "posix":
            os.kill(int(pid), 0)  # signal 0: is it alive?
        age = time.time() - folder.stat().st_mtime
    except ProcessLookupError:
        return True
    except (ValueError, OSError):  # not ours to judge by its name, or alive (PermissionError)
        try:
            age = time.time() - folder.stat().st_mtime
        except OSError:
            return False
    return age > STALE_PART_SECONDS


#: descriptor -> ((mtime_ns, size), the file names its resources name), per process
_FILES: dict[Path, tuple[tuple[int, int], tuple[str, ...]]] = {}


def release_files(folder: Path) -> tuple[str, ...] | None:
    """The files of the cached release in ``folder`` (its descriptor's resources), or None
    when the folder is no whole release: no descriptor, one that is not a checked release
    descriptor of that version, or a file it names missing or not a regular file."""
    descriptor = folder / DESCRIPTOR_NAME
    try:
        st = descriptor.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        hit = _FILES.get(descriptor)
        if hit is not None and hit[0] == stamp:
            names = hit[1]
        else:
            with descriptor.open("rb") as fh:
                raw = fh.read(MAX_DOCUMENT_BYTES + 1)
            data = check_release_descriptor(parse_json_document(raw, str(descriptor)), folder.name)
            names = tuple(safe_file_name(r.get("path")) for r in data["resources"])
            _FILES[descriptor] = (stamp, names)
        for name in names:
            f = folder / name
            if f.is_symlink() or not f.is_file():
                return None
    except (OSError, ValueError, DownloadError):
        return None
    return names


def cached_releases(cache: Path | None = None) -> dict[str, Path]:
    """The whole releases in the cache by version, oldest first. What is not a whole release
    (see :func:`release_files`) is removed, as is a download folder whose process is gone."""
    root = cache or cache_dir()
    try:
        entries = list(root.iterdir())
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for p in entries:
        if p.name.startswith(_TMP):
            if p.is_dir() and not p.is_symlink() and _is_stale(p):
                shutil.rmtree(p, ignore_errors=True)
        elif is_valid_version(p.name) and p.is_dir() and not p.is_symlink():
            if release_files(p) is not None:
                found[p.name] = p
            else:
                discard_release(p)
    return {v: found[v] for v in sort_versions(list(found))}


def discard_release(folder: Path) -> None:
    """Remove a cached release folder that is not (or no longer) whole."""
    _FILES.pop(folder / DESCRIPTOR_NAME, None)
    shutil.rmtree(folder, ignore_errors=True)


def fetch_release(
    version: str, url: str, cache: Path | None = None, trusted: dict[str, str] | None = None
) -> Path:
    """The cached release folder of ``version``, downloaded whole from ``url`` first if the
    cache does not hold it.

    A cached release is never re-fetched: that is what pins a version. A fetched descriptor
    is checked completely (:func:`check_release_descriptor`), and its history against the
    releases already here (``trusted``: version -> descriptor SHA-256, see
    :func:`conflictdata._release.history.verify_history`; a :class:`HistoryError` when the
    server rewrote it); then every file is downloaded and verified into a hidden folder,
    which is renamed into place. Any failure leaves the cache as it was.
    """
    check_version(version)
    root = cache or cache_dir()
    folder = root / version
    if release_files(folder) is not None:
        return folder
    base = check_url(url)
    releases = remote_releases(base)
    if version not in releases:
        raise UnknownVersionError(
            f"no release {version!r} on {base}; it has: {', '.join(sort_versions(releases)) or 'none'}"
        )
    raw, data, digest = _server_descriptor(releases, version)

    def fetch(older: str) -> tuple[dict[str, Any], str]:
        return _server_descriptor(releases, older)[1:]

    verify_history(version, data, digest, trusted or {}, set(releases), fetch, base)
    try:
        root.mkdir(parents=True, exist_ok=True)
        cached_releases(root)  # clears what an older version or a killed process left
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f"{_TMP}{os.getpid()}.{_host()}.{version}."))
    except OSError as exc:
        raise DownloadError(
            f"could not write the descriptor of {version} to {root}: {shown(exc)}"
        ) from None
    try:
        _write_atomic(tmp / DESCRIPTOR_NAME, raw)
        for res in data["resources"]:
            _fetch_into(version, res, base, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp made it private; the cache's folders are not
        return _publish(tmp, folder)
    except OSError as exc:
        raise DownloadError(f"could not write release {version} to {root}: {shown(exc)}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _publish(tmp: Path, folder: Path) -> Path:
    """Rename the whole downloaded release into place; another process that finished first
    wins (same verified bytes), a folder that is no whole release is replaced."""
    for _ in range(2):
        try:
            os.rename(tmp, folder)
            break
        except OSError:
            if release_files(folder) is not None:
                return folder  # ours is removed by the caller
            discard_release(folder)
    else:
        os.rename(tmp, folder)
    _FILES.pop(folder / DESCRIPTOR_NAME, None)
    for name in release_files(folder) or ():
        mark_verified(folder / name)
    return folder


def _fetch_into(version: str, resource: dict[str, Any], base: str, folder: Path) -> None:
    """One file of the release downloaded into ``folder``, verified as it arrives."""
    what = f"table {shown(repr(resource.get('name')), 60)} of release {version}"
    try:
        name = safe_file_name(resource.get("path"))
        sha = expected_sha256(resource)
        size = declared_size(resource)
    except ValueError as exc:
        raise DownloadError(f"{what}: {exc}") from None
    _download(f"{base}/{version}/{name}", folder / name, size, sha, what)


def _progress(size: int, name: str) -> Any:
    """A tqdm bar on an interactive stderr when tqdm is installed, else None."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=size, unit="B", unit_scale=True, desc=name, leave=False)


def _download(source: str, target: Path, size: int, sha256: str, what: str) -> None:
    """Stream ``source`` into a temporary file beside ``target``; rename it when it matches."""
    _remove_stale_parts(target, max(STALE_PART_SECONDS, file_deadline(size)))
    watchdog = Watchdog(file_deadline(size))

    def attempt() -> None:
        bar = _progress(size, target.name)
        try:
            digest = hashlib.sha256()
            with atomic_file(target, prefix=f".{target.name}.", suffix=".part", mode=None) as fh:

                def write(block: bytes) -> None:
                    fh.write(block)
                    digest.update(block)
                    if bar is not None:
                        bar.update(len(block))

                transfer(source, write, what=what, limit=size, exact=True, watchdog=watchdog)
                if digest.hexdigest() != sha256:
                    raise ChecksumError(
                        f"{what}: the file downloaded from {shown(source)} has sha256 "
                        f"{digest.hexdigest()} and does not match the release descriptor's sha256 "
                        f"{sha256}; nothing was cached"
                    )
        finally:
            if bar is not None:
                bar.close()

    with_retries(attempt, watchdog)


def fetch_file(
    version: str,
    resource: dict[str, Any],
    url: str | None,
    folder: Path,
    *,
    verify_cached: bool = True,
) -> Path:
    """A data file of a cached release, downloaded (and verified) first if it is not cached.

    A file already cached is verified too, unless ``verify_cached`` is False: then the
    caller must verify it before use (the loader hashes while Parquet decodes).
    """
    check_version(version)
    what = f"table {shown(repr(resource.get('name')), 60)} of release {version}"
    try:
        name = safe_file_name(resource.get("path"))
        sha = expected_sha256(resource)
        size = declared_size(resource)
    except ValueError as exc:
        raise DownloadError(f"{what}: {exc}") from None
    target = folder / name
    if target.is_file():
        actual = target.stat().st_size
        if actual != size:  # cannot match its hash: no need to read it, wherever it came from
            target.unlink(missing_ok=True)
            raise ChecksumError(
                f"cached {what}: {target} is {actual} bytes, the release descriptor says {size}; "
                "the file was deleted, load again to fetch it anew"
            )
        if verify_cached:
            verify_file(target, sha, delete=True, what=f"cached {what}")
        return target
    if not url:
        raise DownloadError(
            f"{what} is not in the cache ({folder}) and no release URL is configured: "
            f"pass url=... or set {ENV_URL}"
        )
    source = f"{check_url(url)}/{version}/{name}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _download(source, target, size, sha, what)
    except OSError as exc:
        raise DownloadError(f"could not write {what} to {folder}: {shown(exc)}") from None
    mark_verified(target)
    return target
