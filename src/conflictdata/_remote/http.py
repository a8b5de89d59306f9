"""Bounded HTTP: deadlines, retries, size limits and a watchdog for every request."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import ChecksumError, DownloadError, TransientDownloadError

#: Seconds a single connect or read may stall; retries after a transient failure (1 s, 2 s apart).
TIMEOUT = 30.0

RETRIES = 2
#: seconds before the first retry; each later one waits one more of these (at most 10 s)
RETRY_PAUSE = 1.0

#: Overall seconds for one index or descriptor, all attempts included.
DOCUMENT_DEADLINE = 120.0

#: Overall seconds for one data file: this much plus its declared size at :data:`MIN_RATE`.
FILE_DEADLINE = 120.0

#: Bytes per second a data file download may not fall below on average (about 0.4 Mbit/s).
MIN_RATE = 50_000

#: Largest ``index.json`` or release descriptor read (bytes) and deepest JSON nesting accepted.
MAX_DOCUMENT_BYTES = 16 << 20

_CHUNK = 1 << 16


def shown(text: object, limit: int = 200) -> str:
    """``text`` on one printable line, shortened: server-sent words never steer a terminal."""
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def check_url(url: str) -> str:
    """A release server base URL without its trailing slash; :class:`DownloadError` unless http(s).

    A local build folder is not a URL: pass it as ``source=`` instead of ``file://``.
    """
    from urllib.parse import urlsplit

    if not isinstance(url, str):
        raise DownloadError(f"release URL {shown(repr(url))} is not a string")
    bad = f"release URL {shown(repr(url))}"
    if not url.isascii() or any(not c.isprintable() or c.isspace() for c in url):
        raise DownloadError(
            f"{bad} has spaces, control or non-ASCII characters; percent-encode them"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise DownloadError(f"{bad} is malformed: {shown(exc)}") from None
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


# ---------------------------------------------------------------------------------------
# HTTP, bounded in size and time


class Watchdog:
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
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _opener(watchdog: Watchdog) -> Any:
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
            # no context: the connection makes Python's default one, as urllib's handler would
            return self.do_open(factory(http.client.HTTPSConnection), req)

    class Redirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            from urllib.parse import urlsplit

            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                raise DownloadError(
                    f"refusing a redirect from {shown(req.full_url)} to {shown(newurl)}: "
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


def transfer(
    url: str,
    write: Callable[[bytes], Any],
    *,
    what: str,
    limit: int,
    exact: bool,
    watchdog: Watchdog,
) -> int:
    """Stream one GET of ``url`` into ``write``; the number of bytes.

    At most ``limit`` bytes are read (``exact``: the body must be exactly ``limit`` bytes).
    Raises :class:`TransientDownloadError` for what may pass, :class:`DownloadError` for what will not.
    """
    import http.client
    import urllib.error

    too_long = ChecksumError if exact else DownloadError
    if exact:
        expected = f"the {limit} bytes the release descriptor declares"
    else:
        expected = f"the limit of {limit} bytes"
    failed = f"could not fetch {what} from {shown(url)}"
    opener = _opener(watchdog)
    got = 0
    length: int | None = None
    try:
        with opener.open(url, timeout=max(min(TIMEOUT, watchdog.remaining()), 0.001)) as resp:
            length = _content_length(resp)
            if length is not None and (length > limit or (exact and length != limit)):
                raise too_long(
                    f"{what}: {shown(url)} announces {length} bytes, not {expected}; "
                    "nothing was cached"
                )
            while True:
                block = resp.read1(min(_CHUNK, limit + 1 - got))
                if not block:
                    break
                got += len(block)
                if got > limit:
                    raise too_long(
                        f"{what}: {shown(url)} sent more than {expected}; stopped reading, "
                        "nothing was cached"
                    )
                write(block)
                if watchdog.expired:
                    break
    except DownloadError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        cls = TransientDownloadError if exc.code >= 500 or exc.code == 429 else DownloadError
        raise cls(f"{failed}: HTTP {exc.code} {shown(exc.reason, 80)}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        if watchdog.expired:
            raise _deadline_error(url, what, watchdog) from None
        if isinstance(exc, http.client.InvalidURL):
            raise DownloadError(f"{failed}: not a valid URL: {shown(exc)}") from None
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise TransientDownloadError(f"{failed}: {shown(describe_error(reason))}") from None
    except ValueError as exc:
        raise DownloadError(f"{failed}: {shown(exc)}") from None
    if watchdog.expired:
        raise _deadline_error(url, what, watchdog)
    total = length if length is not None else limit if exact else None
    if total is not None and got < total:
        raise TransientDownloadError(f"{failed}: the body ended after {got} of {total} bytes")
    return got


def describe_error(exc: object) -> str:
    if isinstance(exc, BaseException):
        text = str(exc)
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return str(exc)


def _deadline_error(url: str, what: str, watchdog: Watchdog) -> DownloadError:
    return DownloadError(
        f"gave up on {what} from {shown(url)}: not complete within {watchdog.seconds:g} s"
    )


def with_retries(attempt: Callable[[], Any], watchdog: Watchdog) -> Any:
    """Run ``attempt`` until it succeeds, fails for good, the retries or the deadline run out."""
    tries = 0
    try:
        while True:
            try:
                return attempt()
            except TransientDownloadError as exc:
                pause = min((tries + 1) * RETRY_PAUSE, 10.0)
                if tries >= RETRIES or watchdog.remaining() <= pause:
                    tail = f" (after {tries + 1} attempts)" if tries else ""
                    raise DownloadError(f"{exc}{tail}") from None
            tries += 1
            time.sleep(pause)
    finally:
        watchdog.cancel()


def get_document(url: str, what: str) -> bytes:
    """GET a small document (index, descriptor) with a size cap, a deadline and retries."""
    watchdog = Watchdog(DOCUMENT_DEADLINE)

    def attempt() -> bytes:
        parts: list[bytes] = []
        transfer(
            url, parts.append, what=what, limit=MAX_DOCUMENT_BYTES, exact=False, watchdog=watchdog
        )
        return b"".join(parts)

    return with_retries(attempt, watchdog)


# ---------------------------------------------------------------------------------------
# data files


def file_deadline(size: int) -> float:
    """Overall seconds allowed for downloading a file of ``size`` bytes, all attempts included."""
    return FILE_DEADLINE + size / MIN_RATE
