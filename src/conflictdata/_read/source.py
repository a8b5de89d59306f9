"""The bytes of one resource as frictionless 5 reads them: its file, or its parts joined
(multipart), decompressed (gz, zip, bz2, xz; bounded), checked against the declared
``bytes`` and ``hash``, and transcoded from the declared encoding to UTF-8.

The validator and the build both read through :func:`read_source` and :func:`to_utf8`, so
they see the same bytes.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import lzma
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .._tableschema.model import ResourceFile, TableSchema
from ..errors import SourceProblemError as SourceProblem

__all__ = ["MAX_BYTES", "Part", "Source", "SourceProblem", "read_source", "to_utf8"]

#: No resource (joined, decompressed) may hold more bytes than this: a decompression bomb
#: stops here with a finding instead of filling the memory.
MAX_BYTES = 4 << 30
#: frictionless reads a part's first line from a chunk of this many bytes (its buffer size)
_CHUNK = 100_000
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Part:
    """One file of a resource: where its kept bytes start in the joined data."""

    path: str
    #: physical line (1-based) in the joined data of this part's first kept byte
    start_line: int
    #: that byte's physical line in the part's own file (2 when its header line was dropped)
    own_line: int


@dataclass
class Source:
    """A resource's bytes, with its parts for locating findings in them."""

    data: bytes
    parts: tuple[Part, ...]
    #: bytes and digests as frictionless counts them (the stored bytes: compressed, or the
    #: multipart parts as joined); only computed when the descriptor declares them
    size: int = 0
    digests: dict[str, str] = field(default_factory=dict)

    def locate(self, line: int | None) -> tuple[str, int | None]:
        """The part file and its own physical line for a line of the joined data."""
        if line is None or len(self.parts) == 1:
            return self.parts[0].path, line
        part = self.parts[0]
        for p in self.parts:
            if p.start_line <= line:
                part = p
            else:
                break
        return part.path, line - part.start_line + part.own_line


def _read_file(root: Path, rel: str, limit: int) -> bytes:
    file = root / rel  # confined to the package by schema.read_package
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a FIFO or device would block or flood
            raise SourceProblem("E101", rel, "not a regular file")
        with open(file, "rb") as fh:  # read-only: the seeds are never modified
            if os.fstat(fh.fileno()).st_size > limit:
                raise SourceProblem("E120", rel, f"more than {limit:,} bytes: not read")
            data = fh.read()  # a regular file: read(n) would allocate n bytes up front
    except FileNotFoundError:
        raise SourceProblem("E100", rel, "file not found") from None
    except OSError as exc:
        raise SourceProblem("E101", rel, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SourceProblem("E120", rel, f"more than {limit:,} bytes: not read")
    return data


def _bounded(stream: io.BufferedIOBase, rel: str, limit: int) -> bytes:
    """The whole decompressed stream, read in pieces (read(n) would allocate n bytes first),
    or E120 once it passes ``limit``."""
    parts, total = [], 0
    while True:
        piece = stream.read(1 << 22)
        if not piece:
            return b"".join(parts)
        total += len(piece)
        if total > limit:
            raise SourceProblem("E120", rel, f"decompresses to more than {limit:,} bytes: not read")
        parts.append(piece)


def _decompress(raw: bytes, rf: ResourceFile, rel: str, limit: int) -> bytes:
    """The stored bytes decompressed as frictionless does (zip: ``innerpath`` or the first
    member); a broken archive is a finding (frictionless' compression-error)."""
    try:
        if rf.compression == "gz":
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as g:
                return _bounded(g, rel, limit)  # type: ignore[arg-type]
        if rf.compression == "bz2":
            with bz2.BZ2File(io.BytesIO(raw)) as b:
                return _bounded(b, rel, limit)  # type: ignore[arg-type]
        if rf.compression == "xz":
            with lzma.LZMAFile(io.BytesIO(raw)) as x:
                return _bounded(x, rel, limit)  # type: ignore[arg-type]
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = z.namelist()
            name = rf.innerpath or (names[0] if names else None)
            if name is None:
                raise SourceProblem("E121", rel, "the zip archive is empty")
            if name not in names:
                raise SourceProblem(
                    "E121",
                    rel,
                    f"the zip archive has no member {name!r}; "
                    f"it has {', '.join(map(repr, names[:5]))}",
                )
            with z.open(name) as member:
                return _bounded(member, rel, limit)  # type: ignore[arg-type]
    except SourceProblem:
        raise
    except (
        OSError,
        EOFError,
        zipfile.BadZipFile,
        lzma.LZMAError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ) as exc:
        why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise SourceProblem("E121", rel, f"not a valid {rf.compression} file ({why})") from None


def _first_line(data: bytes) -> int:
    """Bytes of a part's first line as frictionless' multipart reader drops it."""
    lines = data[:_CHUNK].splitlines(keepends=True)
    return len(lines[0]) if lines else 0


def read_source(root: Path, ts: TableSchema, *, limit: int | None = None) -> Source:
    """The bytes of ``ts``'s resource, decompressed and joined (at most ``limit``, by default
    :data:`MAX_BYTES`); SourceProblem if there are none to read."""
    limit = MAX_BYTES if limit is None else limit
    rf = ts.source or ResourceFile(paths=(ts.path,))
    if rf.format not in ("csv", "tsv"):
        from ..errors import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            "format", rf.format, resource=ts.name, why="the validator reads CSV and TSV files"
        )
    count = rf.bytes is not None or rf.hash is not None
    if not rf.multipart:
        rel = rf.paths[0]
        raw = _read_file(root, rel, limit)
        data = raw if rf.compression is None else _decompress(raw, rf, rel, limit)
        src = Source(data, (Part(rel, 1, 1),))
        stored = raw
    else:
        # Later parts lose their first line (the repeated header) unless the resource has no
        # header or is not CSV: frictionless' MultipartLoader, byte for byte.
        headless = ts.dialect.header is False or rf.format != "csv"
        pieces: list[bytes] = []
        parts: list[Part] = []
        total, line = 0, 1
        for k, rel in enumerate(rf.paths):
            raw = _read_file(root, rel, limit - total)
            cut = 0 if headless or k == 0 else _first_line(raw)
            piece = raw[cut:] if cut else raw
            own = 1 + raw.count(b"\n", 0, cut)
            parts.append(Part(rel, line, own))
            pieces.append(piece)
            total += len(piece)
            line += piece.count(b"\n")
        stored = data = b"".join(pieces)
        src = Source(data, tuple(parts))
    if count:
        src.size = len(stored)
        if rf.hash is not None:
            src.digests[rf.hash[0]] = hashlib.new(rf.hash[0], stored).hexdigest()
    return src


def to_utf8(data: bytes, encoding: str | None) -> tuple[bytes, str]:
    """``data`` as UTF-8 and the encoding it was read in, as frictionless reads it.

    Undeclared: UTF-8, or UTF-16/32 when a byte order mark says so (frictionless' detector
    finds those). UTF-8 is passed on as it is (the CSV reader reports invalid bytes and the
    BOM); any other encoding is decoded whole, a UTF-16 BOM stripped as frictionless'
    detector does. UnicodeDecodeError when the bytes are not in that encoding.
    """
    enc = encoding
    if enc is None:
        enc = "utf-8"
        for bom, name in _BOMS:
            if data.startswith(bom):
                enc = name
                break
    if enc in ("utf-8", "utf-8-sig"):
        return data, enc
    if enc in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if enc == "utf-16-le" else codecs.BOM_UTF16_BE
        if data.startswith(bom):
            enc = "utf-16"
    return data.decode(enc).encode("utf-8"), enc


def decode_problem(data: bytes, encoding: str, exc: UnicodeDecodeError, rel: str) -> SourceProblem:
    """The finding for bytes that are not in the declared encoding, at the line they are on."""
    try:
        before = data[: exc.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
    except (LookupError, ValueError):  # pragma: no cover - the codec decoded before
        line = None
    return SourceProblem(
        "E119",
        rel,
        f"bytes that are not valid {encoding} (byte {exc.start + 1:,}: {exc.reason})",
        line,
    )
