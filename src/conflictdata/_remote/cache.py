"""The per-user cache: descriptors and files downloaded, verified, then renamed into place."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from .._release.history import link_of, verify_history
from .._release.layout import (
    DESCRIPTOR_NAME,
    check_version,
    sort_versions,
)
from .._release.verify import mark_verified, verify_file
from .._util.fs import atomic_file
from ..errors import ChecksumError, DownloadError, UnknownVersionError
from .http import (
    DOCUMENT_DEADLINE,
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

ENV_CACHE = "CONFLICTDATA_CACHE_DIR"


def cache_dir() -> Path:
    """The per-user cache folder: ``$CONFLICTDATA_CACHE_DIR`` or the platform's user cache."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":  # pragma: no cover - platform specific
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "conflictdata" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - platform specific
        return Path.home() / "Library" / "Caches" / "conflictdata"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "conflictdata"


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


def fetch_descriptor(
    version: str, url: str, cache: Path | None = None, trusted: dict[str, str] | None = None
) -> Path:
    """The cached release descriptor of ``version``, fetched from ``url`` if not cached yet.

    A cached descriptor is never re-fetched: that is what pins a version. A fetched one is
    checked completely (:func:`check_release_descriptor`), and its history against the
    releases already here (``trusted``: version -> descriptor SHA-256, see
    :func:`conflictdata._release.history.verify_history`; a :class:`HistoryError` when the server
    rewrote it), before it is written to the cache.
    """
    check_version(version)
    folder = (cache or cache_dir()) / version
    target = folder / DESCRIPTOR_NAME
    if target.is_file():
        return target
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
        _write_atomic(target, raw)
    except OSError as exc:
        raise DownloadError(
            f"could not write the descriptor of {version} to {folder}: {shown(exc)}"
        ) from None
    return target


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
