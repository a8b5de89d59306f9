"""Fetch releases from a release server into a per-user cache, verified by SHA-256.

A release server is any static http(s) file server of a build output folder: ``index.json``
lists the releases, ``<version>/datapackage.json`` is a release descriptor and the table
files sit beside it. Files land in ``<cache>/<version>/`` exactly as on the server.

Everything a server sends is treated as hostile, and every failure is a
:class:`DownloadError` (a checksum or size mismatch a :class:`ChecksumError`):

- Bounds: ``index.json`` and descriptors are read up to :data:`MAX_DOCUMENT_BYTES` and
  :data:`MAX_JSON_DEPTH` levels of nesting; a data file is read up to the size its descriptor
  declares and no further; every file has an overall deadline (:func:`file_deadline`), so a
  server that drips bytes is given up on; a stalled read times out after :data:`TIMEOUT`.
- A downloaded descriptor must be self-contained (schemas inline, resource paths plain file
  names in the release folder, a SHA-256 and a size per file) and is checked completely
  before it is cached; nothing in it is ever resolved against the local disk.
- Versions follow :data:`conflictdata.release.VERSION_PATTERN`; an index entry that does not
  is ignored with a warning, never used as a folder name or URL.
- A data file is written to a temporary file beside its target, hashed while it streams,
  and renamed into place only when size and SHA-256 match, so concurrent processes never see
  half a file and at worst download the same bytes twice. Temporary files are removed on
  every failure path.

A cached release is used offline and never re-fetched: a pinned version cannot change under
its user. A cached file whose hash is wrong is deleted and reported (:class:`ChecksumError`),
never silently replaced; the next load fetches it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ChecksumError, DownloadError, UnknownVersionError
from .release import (
    DESCRIPTOR_NAME,
    INDEX_NAME,
    check_version,
    is_valid_version,
    link_of,
    mark_verified,
    sort_versions,
    verify_file,
    verify_history,
)

__all__ = [
    "ENV_CACHE",
    "ENV_URL",
    "MAX_DOCUMENT_BYTES",
    "MAX_FILE_BYTES",
    "MAX_JSON_DEPTH",
    "RETRIES",
    "TIMEOUT",
    "RemoteRelease",
    "cache_dir",
    "check_release_descriptor",
    "check_url",
    "declared_size",
    "expected_sha256",
    "fetch_descriptor",
    "fetch_file",
    "file_deadline",
    "parse_json_document",
    "release_url",
    "remote_releases",
    "safe_file_name",
    "safe_relpath",
]

ENV_URL = "CONFLICTDATA_RELEASES_URL"
ENV_CACHE = "CONFLICTDATA_CACHE_DIR"

#: Seconds a single connect or read may stall; retries after a transient failure (1 s, 2 s apart).
TIMEOUT = 30.0
RETRIES = 2
#: Overall seconds for one index or descriptor, all attempts included.
DOCUMENT_DEADLINE = 120.0
#: Overall seconds for one data file: this much plus its declared size at :data:`MIN_RATE`.
FILE_DEADLINE = 120.0
#: Bytes per second a data file download may not fall below on average (about 0.4 Mbit/s).
MIN_RATE = 50_000
#: Largest ``index.json`` or release descriptor read (bytes) and deepest JSON nesting accepted.
MAX_DOCUMENT_BYTES = 16 << 20
MAX_JSON_DEPTH = 64
#: Largest data file a descriptor may declare, resources per descriptor, releases per index.
MAX_FILE_BYTES = 64 << 30
MAX_RESOURCES = 1000
MAX_RELEASES = 10_000

_CHUNK = 1 << 16
#: A resource path or table name: a plain file name, nothing that could leave the folder.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
#: An ISO 8601 date or time, as ``created`` is written: nothing else is shown to a user.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


@dataclass(frozen=True)
class RemoteRelease:
    """One entry of a release server's ``index.json``."""

    version: str
    created: str | None
    descriptor_url: str
    archive_url: str | None
    archive_sha256: str | None
    #: SHA-256 of the release descriptor, as the index lists it (None: not listed).
    descriptor_sha256: str | None = None


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


def _shown(text: object, limit: int = 200) -> str:
    """``text`` on one printable line, shortened: server-sent words never steer a terminal."""
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def check_url(url: str) -> str:
    """A release server base URL without its trailing slash; :class:`DownloadError` unless http(s).

    A local build folder is not a URL: pass it as ``source=`` instead of ``file://``.
    """
    from urllib.parse import urlsplit

    if not isinstance(url, str):
        raise DownloadError(f"release URL {_shown(repr(url))} is not a string")
    bad = f"release URL {_shown(repr(url))}"
    if not url.isascii() or any(not c.isprintable() or c.isspace() for c in url):
        raise DownloadError(
            f"{bad} has spaces, control or non-ASCII characters; percent-encode them"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise DownloadError(f"{bad} is malformed: {_shown(exc)}") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        raise DownloadError(
            f"{bad} is a file:// URL; only http(s) release servers are supported: load a "
            "local build folder with source='<folder>' or $CONFLICTDATA_BUILD_DIR instead"
        )
    if scheme not in ("http", "https"):
        raise DownloadError(f"{bad} is not an http:// or https:// URL")
    if not parts.hostname:
        raise DownloadError(f"{bad} names no host")
    if parts.username is not None or parts.password is not None:
        raise DownloadError(f"{bad} carries a user name or password; that is not supported")
    if parts.query or parts.fragment:
        raise DownloadError(f"{bad} has a query or fragment; give the base URL of the releases")
    return url.rstrip("/")


def release_url(url: str | None = None) -> str | None:
    """The release server base URL (checked): the argument, else ``$CONFLICTDATA_RELEASES_URL``."""
    url = url or os.environ.get(ENV_URL) or None
    return check_url(url) if url else None


def safe_relpath(path: str) -> PurePosixPath:
    """A local release's resource path, refused if it could escape the release folder."""
    if not isinstance(path, str):
        raise DownloadError(f"refusing resource path {_shown(repr(path))}: not a string")
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path or "\x00" in path:
        raise DownloadError(
            f"refusing resource path {_shown(repr(path))}: not a plain relative path"
        )
    return p


def safe_file_name(path: object) -> str:
    """A downloaded descriptor's resource path: a plain file name in the release folder.

    No folders, no ``..``, nothing absolute, no leading dot, not the descriptor's own name.
    """
    if not isinstance(path, str) or not _PLAIN_NAME.fullmatch(path):
        raise ValueError(
            f"resource path {_shown(repr(path))} is not a plain file name in the release folder"
        )
    if path.casefold() == DESCRIPTOR_NAME.casefold():
        raise ValueError(f"resource path {path!r} is the release descriptor's own name")
    return path


# ---------------------------------------------------------------------------------------
# HTTP, bounded in size and time


class _Transient(DownloadError):
    """A failure that asking again may cure (connection, 5xx, truncated body)."""


class _Watchdog:
    """An overall deadline: when it passes, the open connections' sockets are shut down.

    A per-read timeout alone never fires on a server that sends a byte every few seconds;
    shutting the socket down wakes the blocked read, wherever it is (headers or body).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._conns: list[Any] = []
        self._lock = threading.Lock()
        self._fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        return self._fired or time.monotonic() >= self.end

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def watch(self, conn: Any) -> None:
        with self._lock:
            self._conns.append(conn)
            fired = self._fired
        if fired:
            self._shut(conn)

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            conns = list(self._conns)
        for conn in conns:
            self._shut(conn)

    @staticmethod
    def _shut(conn: Any) -> None:
        import socket

        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _opener(watchdog: _Watchdog) -> Any:
    """A urllib opener for http(s) only, whose connections the watchdog can shut down."""
    import http.client
    import urllib.request

    def factory(cls: type) -> Callable[..., Any]:
        def make(*args: Any, **kwargs: Any) -> Any:
            conn = cls(*args, **kwargs)
            original = conn.connect

            def connect() -> None:
                if watchdog.expired:
                    raise TimeoutError("deadline passed")
                original()
                watchdog.watch(conn)

            conn.connect = connect
            return conn

        return make

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(factory(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(factory(http.client.HTTPSConnection), req, context=self._context)

    class Redirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            from urllib.parse import urlsplit

            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                raise DownloadError(
                    f"refusing a redirect from {_shown(req.full_url)} to {_shown(newurl)}: "
                    "not http(s)"
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        HTTP(),
        HTTPS(),
        urllib.request.HTTPDefaultErrorHandler(),
        Redirect(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _content_length(resp: Any) -> int | None:
    value = resp.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _transfer(
    url: str,
    write: Callable[[bytes], Any],
    *,
    what: str,
    limit: int,
    exact: bool,
    watchdog: _Watchdog,
) -> int:
    """Stream one GET of ``url`` into ``write``; the number of bytes.

    At most ``limit`` bytes are read (``exact``: the body must be exactly ``limit`` bytes).
    Raises :class:`_Transient` for what may pass, :class:`DownloadError` for what will not.
    """
    import http.client
    import urllib.error

    too_long = ChecksumError if exact else DownloadError
    if exact:
        expected = f"the {limit} bytes the release descriptor declares"
    else:
        expected = f"the limit of {limit} bytes"
    failed = f"could not fetch {what} from {_shown(url)}"
    opener = _opener(watchdog)
    got = 0
    length: int | None = None
    try:
        with opener.open(url, timeout=max(min(TIMEOUT, watchdog.remaining()), 0.001)) as resp:
            length = _content_length(resp)
            if length is not None and (length > limit or (exact and length != limit)):
                raise too_long(
                    f"{what}: {_shown(url)} announces {length} bytes, not {expected}; "
                    "nothing was cached"
                )
            while True:
                block = resp.read1(min(_CHUNK, limit + 1 - got))
                if not block:
                    break
                got += len(block)
                if got > limit:
                    raise too_long(
                        f"{what}: {_shown(url)} sent more than {expected}; stopped reading, "
                        "nothing was cached"
                    )
                write(block)
                if watchdog.expired:
                    break
    except DownloadError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        cls = _Transient if exc.code >= 500 or exc.code == 429 else DownloadError
        raise cls(f"{failed}: HTTP {exc.code} {_shown(exc.reason, 80)}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        if watchdog.expired:
            raise _deadline_error(url, what, watchdog) from None
        if isinstance(exc, http.client.InvalidURL):
            raise DownloadError(f"{failed}: not a valid URL: {_shown(exc)}") from None
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise _Transient(f"{failed}: {_shown(_describe(reason))}") from None
    except ValueError as exc:
        raise DownloadError(f"{failed}: {_shown(exc)}") from None
    if watchdog.expired:
        raise _deadline_error(url, what, watchdog)
    total = length if length is not None else limit if exact else None
    if total is not None and got < total:
        raise _Transient(f"{failed}: the body ended after {got} of {total} bytes")
    return got


def _describe(exc: object) -> str:
    if isinstance(exc, BaseException):
        text = str(exc)
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return str(exc)


def _deadline_error(url: str, what: str, watchdog: _Watchdog) -> DownloadError:
    return DownloadError(
        f"gave up on {what} from {_shown(url)}: not complete within {watchdog.seconds:g} s"
    )


def _with_retries(attempt: Callable[[], Any], watchdog: _Watchdog) -> Any:
    """Run ``attempt`` until it succeeds, fails for good, the retries or the deadline run out."""
    tries = 0
    try:
        while True:
            try:
                return attempt()
            except _Transient as exc:
                pause = min(tries + 1, 10)
                if tries >= RETRIES or watchdog.remaining() <= pause:
                    tail = f" (after {tries + 1} attempts)" if tries else ""
                    raise DownloadError(f"{exc}{tail}") from None
            tries += 1
            time.sleep(pause)
    finally:
        watchdog.cancel()


def _get_document(url: str, what: str) -> bytes:
    """GET a small document (index, descriptor) with a size cap, a deadline and retries."""
    watchdog = _Watchdog(DOCUMENT_DEADLINE)

    def attempt() -> bytes:
        parts: list[bytes] = []
        _transfer(
            url, parts.append, what=what, limit=MAX_DOCUMENT_BYTES, exact=False, watchdog=watchdog
        )
        return b"".join(parts)

    return _with_retries(attempt, watchdog)


_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _json_depth_ok(raw: bytes, limit: int) -> bool:
    """True unless brackets nest deeper than ``limit``, checked before parsing (no recursion).

    Strings are removed, brackets become ``(``/``)``, and each pass of removing ``()``
    lowers the deepest nesting by one: ``limit`` passes leave no pair unless it is deeper.
    Unclosed brackets that remain (``)))(((``) count as nesting too.
    """
    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", raw, flags=re.DOTALL)
    s = text.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if b"()" not in s:
            break
        s = s.replace(b"()", b"")
    return b"()" not in s and s.count(b"(") <= limit


def parse_json_document(raw: bytes, where: str) -> Any:
    """JSON of a downloaded document, bounded in size and depth; :class:`DownloadError` if not."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DownloadError(
            f"{where} is {len(raw)} bytes, more than the limit of {MAX_DOCUMENT_BYTES}"
        )
    if not _json_depth_ok(raw, MAX_JSON_DEPTH):
        raise DownloadError(f"{where} nests JSON deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON and UTF-8 decode errors are ValueErrors
        raise DownloadError(f"{where} is not JSON: {_shown(exc)}") from None


# ---------------------------------------------------------------------------------------
# the index


def _index_entry(e: Any, base: str) -> RemoteRelease | str:
    """A release of an index entry, or why the entry is ignored."""
    if not isinstance(e, dict):
        return f"entry {_shown(repr(e), 60)} is not an object"
    version = e.get("version")
    if not is_valid_version(version):
        return f"version {_shown(repr(version), 60)} is not a release version"
    created = e.get("created")
    archive = e.get("archive")
    sha = e.get("archive_sha256")
    plain_archive = (
        isinstance(archive, str)
        and archive.startswith(f"{version}/")
        and _PLAIN_NAME.fullmatch(archive[len(version) + 1 :]) is not None
    )
    return RemoteRelease(
        version=version,
        created=created if isinstance(created, str) and _TIMESTAMP.fullmatch(created) else None,
        descriptor_url=f"{base}/{version}/{DESCRIPTOR_NAME}",
        archive_url=f"{base}/{archive}" if plain_archive else None,
        archive_sha256=sha.lower() if isinstance(sha, str) and _SHA256.fullmatch(sha) else None,
        descriptor_sha256=(
            dsha.lower()
            if isinstance(dsha := e.get("descriptor_sha256"), str) and _SHA256.fullmatch(dsha)
            else None
        ),
    )


def remote_releases(url: str) -> dict[str, RemoteRelease]:
    """The releases a server's ``index.json`` lists, by version.

    An entry whose version does not match the release version pattern is ignored with a
    :class:`RuntimeWarning`: it never names a folder or a URL. Descriptor paths are always
    ``<version>/datapackage.json`` (the release layout), whatever the index says.
    """
    base = check_url(url)
    where = f"{base}/{INDEX_NAME}"
    index = parse_json_document(_get_document(where, "the release index"), where)
    entries = index.get("releases") if isinstance(index, dict) else None
    if not isinstance(entries, list):
        raise DownloadError(f"{where} is not a release index: no 'releases' list")
    if len(entries) > MAX_RELEASES:
        raise DownloadError(
            f"{where} lists {len(entries)} releases, more than the limit of {MAX_RELEASES}"
        )
    out: dict[str, RemoteRelease] = {}
    ignored: list[str] = []
    for e in entries:
        entry = _index_entry(e, base)
        if isinstance(entry, str):
            ignored.append(entry)
        else:
            out[entry.version] = entry
    if ignored:
        more = f" and {len(ignored) - 3} more" if len(ignored) > 3 else ""
        warnings.warn(
            f"{where}: ignored {len(ignored)} entr{'y' if len(ignored) == 1 else 'ies'}: "
            f"{'; '.join(ignored[:3])}{more}",
            RuntimeWarning,
            stacklevel=2,
        )
    return out


# ---------------------------------------------------------------------------------------
# the descriptor


def expected_sha256(resource: dict[str, Any]) -> str:
    """The hex SHA-256 a release descriptor declares for a resource."""
    value = resource.get("hash") or resource.get("sha256")
    if not isinstance(value, str):
        raise ValueError(f"resource {_shown(repr(resource.get('name')), 60)} has no sha256 hash")
    algo, _, hexdigest = value.rpartition(":")
    if algo not in ("", "sha256") or not _SHA256.fullmatch(hexdigest):
        raise ValueError(
            f"resource {_shown(repr(resource.get('name')), 60)}: "
            f"hash {_shown(repr(value), 90)} is not a sha256"
        )
    return hexdigest.lower()


def declared_size(resource: dict[str, Any]) -> int:
    """The size in bytes a release descriptor declares for a file (``fileBytes`` or ``bytes``)."""
    name = _shown(repr(resource.get("name")), 60)
    values = [resource[k] for k in ("fileBytes", "bytes") if k in resource]
    if not values:
        raise ValueError(f"resource {name} declares no size (fileBytes)")
    for size in values:
        if type(size) is not int or not 0 <= size <= MAX_FILE_BYTES:
            raise ValueError(
                f"resource {name}: size {_shown(repr(size), 40)} is not a whole number of bytes "
                f"up to {MAX_FILE_BYTES}"
            )
    if len(set(values)) > 1:
        raise ValueError(f"resource {name} declares two sizes: {values}")
    return values[0]


def check_release_descriptor(data: Any, version: str) -> dict[str, Any]:
    """``data`` itself when it is a self-contained release descriptor of ``version``.

    Checked completely, nothing resolved on disk: an object whose version is ``version``;
    resources with a plain ``name``, a plain file name as ``path`` (each once), a sha256,
    a size, and the Table Schema inline as an object; the schemas must parse. Raises
    ``ValueError`` naming the first problem.
    """
    from .errors import ConflictDataError
    from .schema import package_from_descriptor

    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    if data.get("version") != version:
        raise ValueError(f"it says version {_shown(repr(data.get('version')), 60)}")
    created = data.get("created")
    if created is not None and not (isinstance(created, str) and _TIMESTAMP.fullmatch(created)):
        raise ValueError(f"'created' {_shown(repr(created), 60)} is not an ISO 8601 time")
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        raise ValueError("it has no 'resources' list")
    if len(resources) > MAX_RESOURCES:
        raise ValueError(f"it lists {len(resources)} resources, more than {MAX_RESOURCES}")
    names: set[str] = set()
    paths: set[str] = set()
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            raise ValueError(f"resource #{i + 1} is not an object")
        name = res.get("name")
        if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name):
            raise ValueError(
                f"resource #{i + 1}: name {_shown(repr(name), 60)} is not a plain name"
            )
        path = safe_file_name(res.get("path"))
        if name in names or path.casefold() in paths:
            raise ValueError(f"resource {name!r}: its name or path {path!r} is listed twice")
        names.add(name)
        paths.add(path.casefold())
        expected_sha256(res)
        declared_size(res)
        if not isinstance(res.get("schema"), dict):
            raise ValueError(
                f"resource {name!r}: 'schema' must be the Table Schema inline (an object), "
                f"not {_shown(repr(res.get('schema')), 60)}; a release descriptor is self-contained"
            )
    try:
        package_from_descriptor(data, Path(os.devnull), schema_files=False)
    except ConflictDataError as exc:
        raise ValueError(_shown(exc, 300)) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise ValueError(f"malformed schema: {_shown(_describe(exc), 300)}") from None
    return data


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
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(path, max(STALE_PART_SECONDS, DOCUMENT_DEADLINE))
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


def _server_descriptor(
    releases: dict[str, RemoteRelease], version: str
) -> tuple[bytes, dict[str, Any], str]:
    """The server's descriptor of a listed ``version``: its bytes, checked JSON and SHA-256
    (a :class:`ChecksumError` when the index lists another SHA-256 for it)."""
    source = releases[version].descriptor_url
    raw = _get_document(source, f"the descriptor of {version}")
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
    :func:`conflictdata.release.verify_history`; a :class:`HistoryError` when the server
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
            f"could not write the descriptor of {version} to {folder}: {_shown(exc)}"
        ) from None
    return target


# ---------------------------------------------------------------------------------------
# data files


def file_deadline(size: int) -> float:
    """Overall seconds allowed for downloading a file of ``size`` bytes, all attempts included."""
    return FILE_DEADLINE + size / MIN_RATE


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
    import tempfile

    _remove_stale_parts(target, max(STALE_PART_SECONDS, file_deadline(size)))
    watchdog = _Watchdog(file_deadline(size))

    def attempt() -> None:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        bar = _progress(size, target.name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as fh:

                def write(block: bytes) -> None:
                    fh.write(block)
                    digest.update(block)
                    if bar is not None:
                        bar.update(len(block))

                _transfer(source, write, what=what, limit=size, exact=True, watchdog=watchdog)
                if digest.hexdigest() != sha256:
                    raise ChecksumError(
                        f"{what}: the file downloaded from {_shown(source)} has sha256 "
                        f"{digest.hexdigest()} and does not match the release descriptor's sha256 "
                        f"{sha256}; nothing was cached"
                    )
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            if bar is not None:
                bar.close()

    _with_retries(attempt, watchdog)


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
    what = f"table {_shown(repr(resource.get('name')), 60)} of release {version}"
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
        raise DownloadError(f"could not write {what} to {folder}: {_shown(exc)}") from None
    mark_verified(target)
    return target
