"""Fetch releases from a release server into a per-user cache, verified by SHA-256.

A release server is any static file server of a build output folder: ``index.json`` lists
the releases, ``<version>/datapackage.json`` is a release descriptor and the table files sit
beside it. Files land in ``<cache>/<version>/`` exactly as on the server.

Rules (why): a data file is checked against the descriptor's SHA-256 *before* it appears in
the cache (pooch downloads to a temporary file in the same folder, verifies, then renames),
so concurrent processes never see half a file and at worst download the same bytes twice.
A cached release is used offline and never re-fetched: a pinned version cannot change under
its user. A cached file whose hash is wrong is deleted and reported (:class:`ChecksumError`),
never silently replaced; the next load fetches it again.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ChecksumError, DownloadError, MissingDependencyError, UnknownVersionError
from .release import sha256_file, sort_versions

__all__ = [
    "ENV_URL",
    "ENV_CACHE",
    "RemoteRelease",
    "cache_dir",
    "release_url",
    "remote_releases",
    "fetch_descriptor",
    "fetch_file",
    "verify_file",
    "is_verified",
    "check_digest",
    "expected_sha256",
    "safe_relpath",
]

ENV_URL = "CONFLICTDATA_RELEASES_URL"
ENV_CACHE = "CONFLICTDATA_CACHE_DIR"

#: Seconds before a stalled connection is given up; retries after a failure (1 s, 2 s apart).
TIMEOUT = 30.0
RETRIES = 2

_INSTALL_HINT = "downloading releases needs pooch: pip install 'conflictdata[remote]'"


@dataclass(frozen=True)
class RemoteRelease:
    """One entry of a release server's ``index.json``."""

    version: str
    created: str | None
    descriptor_url: str
    archive_url: str | None
    archive_sha256: str | None


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


def release_url(url: str | None = None) -> str | None:
    """The release server base URL: the argument, else ``$CONFLICTDATA_RELEASES_URL``."""
    url = url or os.environ.get(ENV_URL) or None
    return url.rstrip("/") if url else None


def safe_relpath(path: str) -> PurePosixPath:
    """A descriptor's resource path, refused if it could escape the release folder."""
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path:
        raise DownloadError(f"refusing resource path {path!r}: not a plain relative path")
    return p


def _get(url: str, what: str, retries: int | None = None) -> bytes:
    """GET a small document (index, descriptor) with a timeout and retries."""
    import urllib.error  # here, not at module level: only the network path pays for it
    import urllib.request

    retries = RETRIES if retries is None else retries
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            last = exc
            if exc.code < 500:  # 404 & co will not get better by asking again
                break
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        if attempt < retries:
            time.sleep(min(attempt + 1, 10))
    raise DownloadError(f"could not fetch {what} from {url}: {_reason(last)}")


def _reason(exc: Exception | None) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)


def remote_releases(url: str) -> dict[str, RemoteRelease]:
    """The releases a server's ``index.json`` lists, by version."""
    base = url.rstrip("/")
    raw = _get(f"{base}/index.json", "the release index")
    try:
        index = json.loads(raw)
        entries = index["releases"]
        out = {}
        for e in entries:
            version = str(e["version"])
            archive = e.get("archive")
            out[version] = RemoteRelease(
                version=version,
                created=e.get("created"),
                descriptor_url=f"{base}/{e.get('descriptor') or f'{version}/datapackage.json'}",
                archive_url=f"{base}/{archive}" if archive else None,
                archive_sha256=e.get("archive_sha256"),
            )
        return out
    except (ValueError, KeyError, TypeError) as exc:
        raise DownloadError(f"{base}/index.json is not a release index: {exc}") from None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_descriptor(version: str, url: str, cache: Path | None = None) -> Path:
    """The cached release descriptor of ``version``, fetched from ``url`` if not cached yet.

    A cached descriptor is never re-fetched: that is what pins a version.
    """
    if not version or version.startswith(".") or any(c in version for c in "/\\:"):
        raise UnknownVersionError(f"{version!r} is not a release version")
    folder = (cache or cache_dir()) / version
    target = folder / "datapackage.json"
    if target.is_file():
        return target
    releases = remote_releases(url)
    if version not in releases:
        raise UnknownVersionError(
            f"no release {version!r} on {url}; it has: {', '.join(sort_versions(releases)) or 'none'}"
        )
    raw = _get(releases[version].descriptor_url, f"the descriptor of {version}")
    try:
        descriptor = json.loads(raw)
        if str(descriptor.get("version")) != version:
            raise ValueError(f"it says version {descriptor.get('version')!r}")
        for res in descriptor["resources"]:
            safe_relpath(res["path"])
            expected_sha256(res)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DownloadError(
            f"{releases[version].descriptor_url} is not a release descriptor for {version}: {exc}"
        ) from None
    _write_atomic(target, raw)
    return target


def expected_sha256(resource: dict[str, Any]) -> str:
    """The hex SHA-256 a release descriptor declares for a resource."""
    value = resource.get("hash") or resource.get("sha256")
    if not isinstance(value, str):
        raise ValueError(f"resource {resource.get('name')!r} has no sha256 hash")
    algo, _, hexdigest = value.rpartition(":")
    if algo not in ("", "sha256") or len(hexdigest) != 64:
        raise ValueError(f"resource {resource.get('name')!r}: hash {value!r} is not a sha256")
    return hexdigest.lower()


# path -> (size, mtime_ns) of files this process has already verified: hash once per process.
_VERIFIED: dict[Path, tuple[int, int]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns)


def is_verified(path: Path) -> bool:
    """Whether this process already checked ``path`` (unchanged since) against its hash."""
    return _VERIFIED.get(path) == _stamp(path)


def check_digest(path: Path, actual: str, sha256: str, *, delete: bool, what: str, stamp: tuple[int, int]) -> None:
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
    """Raise :class:`ChecksumError` unless ``path`` has this SHA-256 (optionally deleting it)."""
    stamp = _stamp(path)
    if _VERIFIED.get(path) == stamp:
        return
    check_digest(path, sha256_file(path), sha256, delete=delete, what=what, stamp=stamp)


def fetch_file(
    version: str, resource: dict[str, Any], url: str | None, folder: Path, *, verify_cached: bool = True
) -> Path:
    """A data file of a cached release, downloaded (and verified) first if it is not cached.

    A file already cached is verified too, unless ``verify_cached`` is False: then the
    caller must verify it before use (the loader hashes while Parquet decodes).
    """
    rel = safe_relpath(resource["path"])
    target = folder / rel
    sha = expected_sha256(resource)
    what = f"table {resource.get('name')!r} of release {version}"
    if target.is_file():
        if verify_cached:
            verify_file(target, sha, delete=True, what=f"cached {what}")
        return target
    if not url:
        raise DownloadError(
            f"{what} is not in the cache ({folder}) and no release URL is configured: "
            f"pass url=... or set {ENV_URL}"
        )
    try:
        import pooch
    except ImportError:
        raise MissingDependencyError(_INSTALL_HINT) from None
    import requests

    progress = sys.stderr.isatty()
    if progress:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            progress = False
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT)
    fetcher = pooch.Pooch(
        path=folder,
        base_url=f"{url}/{version}/",
        registry={rel.as_posix(): f"sha256:{sha}"},
        retry_if_failed=RETRIES,
        allow_updates=False,
    )
    source = f"{url}/{version}/{rel.as_posix()}"
    try:
        path = Path(fetcher.fetch(rel.as_posix(), downloader=downloader))
    except ValueError as exc:  # pooch: hash mismatch (the temporary file is already gone)
        raise ChecksumError(
            f"{what}: the file downloaded from {source} does not match the release "
            f"descriptor's sha256 {sha} after {RETRIES + 1} attempts; nothing was cached ({exc})"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DownloadError(
            f"could not download {what} from {source} after {RETRIES + 1} attempts: {exc}"
        ) from None
    except OSError as exc:
        raise DownloadError(f"could not write {what} to {folder}: {exc}") from None
    _VERIFIED[path] = _stamp(path)
    return path


