"""Small releases for the loader tests, and a real HTTP server on 127.0.0.1 to serve them.

Releases are built by ``conflictdata._tools.build`` when it is importable (the real thing);
otherwise by a minimal writer of the same layout, so the loader tests do not wait on it.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# A tiny package that uses every field type the loader maps, nulls included.
PLACES_SCHEMA = {
    "fields": [
        {
            "name": "place_id",
            "type": "string",
            "title": "Place",
            "description": "ID.",
            "constraints": {"required": True, "unique": True},
        },
        {"name": "name", "type": "string", "title": "Name", "description": "Name."},
        {
            "name": "kind",
            "type": "string",
            "title": "Kind",
            "description": "Kind.",
            "constraints": {"enum": ["city", "base", "site"]},
            "enumDescriptions": {"city": "A city.", "base": "A base.", "site": "A site."},
        },
        {"name": "population", "type": "integer", "title": "Population", "description": "People."},
        {"name": "latitude", "type": "number", "title": "Latitude", "description": "Degrees."},
        {"name": "capital", "type": "boolean", "title": "Capital", "description": "Is a capital."},
        {"name": "founded", "type": "date", "title": "Founded", "description": "Date."},
    ],
    "primaryKey": "place_id",
}
VISITS_SCHEMA = {
    "fields": [
        {
            "name": "visit_id",
            "type": "string",
            "title": "Visit",
            "description": "ID.",
            "constraints": {"required": True, "unique": True},
        },
        {
            "name": "place_id",
            "type": "string",
            "title": "Place",
            "description": "Where.",
            "constraints": {"required": True},
        },
        {
            "name": "status",
            "type": "string",
            "title": "Status",
            "description": "Status.",
            "constraints": {"required": True, "enum": ["active", "retracted", "superseded"]},
            "enumDescriptions": {"active": "a", "retracted": "r", "superseded": "s"},
        },
        {
            "name": "day",
            "type": "date",
            "title": "Day",
            "description": "Day.",
            "constraints": {"required": True},
        },
    ],
    "primaryKey": "visit_id",
    "foreignKeys": [
        {"fields": "place_id", "reference": {"resource": "places", "fields": "place_id"}}
    ],
}
PLACES_CSV = """place_id,name,kind,population,latitude,capital,founded
p1,Tehran,city,9000000,35.69,true,1796-03-20
p2,Natanz,site,,33.72,false,
p3,Nevatim,base,12,,,
p4,Isfahan,,1961260,32.65,false,1000-01-01
"""
VISITS_CSV = """visit_id,place_id,status,day
v1,p1,active,2025-06-13
v2,p2,retracted,2025-06-14
v3,p2,active,2025-06-22
"""


def isolate_loader(tmp_path: Path, monkeypatch: Any, *, retries: int | None = None) -> Path:
    """Point the loader at nothing: an empty cache under ``tmp_path`` (returned), bundled
    releases in ``tmp_path/bundle`` and local builds in ``tmp_path/built`` (both empty until a
    test fills them), no release URL, no file verified yet, retries without a pause;
    ``retries`` sets the download retries when given."""
    from conflictdata._loader import releases as loader_releases
    from conflictdata._loader.releases import ENV_BUILD
    from conflictdata._release.verify import forget_verified
    from conflictdata._remote import http as remote_http
    from conflictdata._remote.server import ENV_URL
    from conflictdata._util.usercache import ENV_CACHE

    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_CACHE, str(cache))
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setattr(loader_releases, "BUNDLED_DIR", tmp_path / "bundle")
    monkeypatch.setattr(loader_releases, "LOCAL_BUILD_DIR", tmp_path / "built")
    monkeypatch.delenv(ENV_BUILD, raising=False)
    if retries is not None:
        monkeypatch.setattr(remote_http, "RETRIES", retries)
    monkeypatch.setattr(remote_http, "RETRY_PAUSE", 0.0)  # retried at once: no test waits on it
    forget_verified()
    return cache


def write_places_package(folder: Path, version: str, extra_place: str | None = None) -> Path:
    """A source data package (descriptor, schemas, CSV) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schemas").mkdir(exist_ok=True)
    (folder / "seeds").mkdir(exist_ok=True)
    (folder / "schemas/places.json").write_text(json.dumps(PLACES_SCHEMA), encoding="utf-8")
    (folder / "schemas/visits.json").write_text(json.dumps(VISITS_SCHEMA), encoding="utf-8")
    places = PLACES_CSV + (extra_place + "\n" if extra_place else "")
    (folder / "seeds/places.csv").write_text(places, encoding="utf-8")
    (folder / "seeds/visits.csv").write_text(VISITS_CSV, encoding="utf-8")
    descriptor = {
        "name": "conflictdata",
        "title": "test package",
        "version": version,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            {
                "name": t,
                "path": f"seeds/{t}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": f"schemas/{t}.json",
            }
            for t in ("places", "visits")
        ],
    }
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return path


def build_places_release(descriptor: Path, out: Path) -> Path:
    """Build the release of ``descriptor`` into ``out`` (unvalidated: the validator's tests
    cover validation, and these packages are valid); returns the release folder."""
    from conflictdata.tools import build_release

    return Path(build_release(descriptor, out, validate=False, progress=False).path)


# ---------------------------------------------------------------------------------------
# HTTP server


@dataclass
class Faults:
    """Per-path misbehaviour: a list of actions consumed one per request, then served plain.

    Actions: ``404``, ``500``, ``"truncate"`` (announce full length, send half), ``"tamper"``
    (flip a byte of the body), or a callable ``action(handler, path)`` that answers the
    request itself (see :func:`endless`, :func:`drip`, :func:`respond`).
    """

    plan: dict[str, list[Any]] = field(default_factory=dict)
    always: dict[str, Any] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self, path: str) -> Any:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            if path in self.always:
                return self.always[path]
            queue = self.plan.get(path)
            return queue.pop(0) if queue else None


@dataclass
class Sent:
    """What a hostile action sent, filled in when it has finished (the client hung up)."""

    bytes: int = 0
    done: threading.Event = field(default_factory=threading.Event)


def _headers(handler: Any, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.end_headers()


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The first row ``sql`` gives; the test fails when it gives none."""
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row


def respond(
    body: bytes, *, status: int = 200, headers: Mapping[str, str | None] | None = None
) -> Any:
    """An action that answers with ``body`` (Content-Length as given, else the body's); a
    header given as None is not sent."""

    def action(handler: Any, path: Path) -> None:
        given = {"Content-Length": str(len(body)), **(headers or {})}
        head = {k: v for k, v in given.items() if v is not None}
        if "Content-Length" not in head:
            head["Connection"] = "close"
            handler.close_connection = True
        _headers(handler, status, head)
        with contextlib.suppress(OSError):
            handler.wfile.write(body)

    return action


def endless(
    sent: Sent,
    *,
    prefix_file: bool = False,
    content_length: str | None = None,
    max_bytes: int = 64 << 20,
) -> Any:
    """An action that streams zeros (after the real file, if ``prefix_file``) until the client
    hangs up or ``max_bytes`` are out; no Content-Length unless one is given (then it lies)."""

    def action(handler: Any, path: Path) -> None:
        head = {"Connection": "close"}
        if content_length is not None:
            head["Content-Length"] = content_length
        handler.close_connection = True
        try:
            _headers(handler, 200, head)
            if prefix_file:
                data = path.read_bytes()
                handler.wfile.write(data)
                sent.bytes += len(data)
            block = b"\0" * (1 << 16)
            while sent.bytes < max_bytes:
                handler.wfile.write(block)
                sent.bytes += len(block)
        except OSError:
            pass
        finally:
            sent.done.set()

    return action


def drip(
    sent: Sent, *, interval: float = 0.3, seconds: float = 15.0, in_headers: bool = False
) -> Any:
    """An action that sends one byte every ``interval`` seconds (of the headers, if
    ``in_headers``, else of a body announced at its full length), for at most ``seconds``."""
    import time

    def action(handler: Any, path: Path) -> None:
        handler.close_connection = True
        data = path.read_bytes() if path.is_file() else b"x" * 1000
        try:
            if in_headers:
                stream = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000
            else:
                _headers(handler, 200, {"Content-Length": str(len(data))})
                stream = data
            end = time.monotonic() + seconds
            for i in range(len(stream)):
                if time.monotonic() > end:
                    break
                handler.wfile.write(stream[i : i + 1])
                handler.wfile.flush()
                sent.bytes += 1
                time.sleep(interval)
        except OSError:
            pass
        finally:
            sent.done.set()

    return action


class ReleaseServer:
    """``http.server`` on 127.0.0.1 serving a folder, with injectable faults."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults = Faults()
        faults = self.faults

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                rel = self.path.split("?")[0].lstrip("/")
                action = faults.next(rel)
                if callable(action):
                    action(self, root / rel)
                    return
                if action in (404, 500):
                    body = b"nope"
                    self.send_response(action)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                path = root / rel
                if not path.is_file():
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = path.read_bytes()
                if action == "tamper":
                    body = body[:-10] + bytes([body[-10] ^ 0xFF]) + body[-9:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if action == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> ReleaseServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __exit__(self, *exc: Any) -> None:
        if self.thread.is_alive():
            self.stop()
