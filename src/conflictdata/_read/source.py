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
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .._tableschema.model import ResourceFile, TableSchema
from ..errors import SourceProblemError as SourceProblem
from .limits import MAX_BYTES, MAX_RATIO, RATIO_FLOOR

__all__ = ["MAX_BYTES", "Part", "Source", "SourceProblem", "read_source", "to_utf8"]

#: frictionless reads a part's first line from a chunk of this many bytes (its buffer size)
_CHUNK = 100_000
#: Decompressed bytes asked for at a time (a zip member also reads up to this many compressed
#: bytes ahead): the most one step can add past a bound.
_PIECE = 1 << 16
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
    #: the part's first line: the header of the first part, the line dropped from a later one
    #: (empty when nothing is dropped)
    first: bytes = b""


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


def _open_file(root: Path, rel: str, limit: int) -> BinaryIO:
    """The resource file opened for reading: a regular file of at most ``limit`` bytes."""
    file = root / rel  # confined to the package by schema.read_package
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a FIFO or device would block or flood
            raise SourceProblem("E101", rel, "not a regular file")
        fh = open(file, "rb")  # noqa: SIM115 - the caller closes it; read-only, never modified
    except FileNotFoundError:
        raise SourceProblem("E100", rel, "file not found") from None
    except OSError as exc:
        raise SourceProblem("E101", rel, f"cannot read the file: {exc.strerror or exc}") from None
    if os.fstat(fh.fileno()).st_size > limit:
        fh.close()
        raise SourceProblem("E120", rel, f"more than {limit:,} bytes: not read")
    return fh


def _read_file(root: Path, rel: str, limit: int) -> bytes:
    try:
        with _open_file(root, rel, limit) as fh:
            data = fh.read()  # a regular file: read(n) would allocate n bytes up front
    except OSError as exc:
        raise SourceProblem("E101", rel, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SourceProblem("E120", rel, f"more than {limit:,} bytes: not read")
    return data


class _Counted:
    """A file read through: how many bytes the decompressor has taken from it so far."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.taken = 0

    def read(self, n: int = -1) -> bytes:
        got = self._fh.read(n)
        self.taken += len(got)
        return got

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True


def _bounded(stream: Any, counted: _Counted, rel: str, limit: int) -> bytes:
    """The decompressed stream, read a piece at a time into one buffer (no second copy) and
    stopped as soon as it passes ``limit`` (E120) or expands more than :data:`MAX_RATIO`
    times the compressed bytes taken so far, beyond :data:`RATIO_FLOOR` (E127)."""
    out = io.BytesIO()
    base = counted.taken
    total = 0
    while True:
        piece = stream.read(_PIECE)
        if not piece:
            return out.getvalue()  # the buffer itself, not a copy
        total += len(piece)
        if total > limit:
            raise SourceProblem("E120", rel, f"decompresses to more than {limit:,} bytes: not read")
        taken = max(counted.taken - base, 1)
        if total > RATIO_FLOOR + MAX_RATIO * taken:
            raise SourceProblem(
                "E127",
                rel,
                f"{taken:,} compressed bytes expand to more than {total:,}: over "
                f"{MAX_RATIO}:1 beyond the first {RATIO_FLOOR >> 20} MiB, a decompression "
                "bomb; not read",
            )
        out.write(piece)


class _Bzip2Member:
    """A zip member compressed with bzip2, decompressed a bounded piece at a time.

    zipfile hands each 4 KiB of compressed bytes to the bzip2 decompressor whole, and 4 KiB of
    bzip2 can expand to gigabytes in one call; here every call asks for at most the piece the
    reader wants. The CRC-32 the archive records is checked at the end, as zipfile does."""

    def __init__(self, fh: _Counted, info: zipfile.ZipInfo) -> None:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"no local header for member {info.filename!r}")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        self._fh, self._left, self._crc, self._want = fh, info.compress_size, 0, info.CRC
        self._dec = bz2.BZ2Decompressor()

    def read(self, size: int) -> bytes:
        while not self._dec.eof:
            chunk = b""
            if self._dec.needs_input and self._left > 0:
                chunk = self._fh.read(min(self._left, 1 << 14))
                if not chunk:
                    raise EOFError("the zip member ends before its compressed size")
                self._left -= len(chunk)
            elif self._dec.needs_input:
                raise EOFError("the bzip2 stream of the zip member is cut short")
            out = self._dec.decompress(chunk, size)
            if out:
                self._crc = zlib.crc32(out, self._crc)
                return out
        if self._crc != self._want:
            raise zipfile.BadZipFile("the member's CRC-32 differs from the one the zip records")
        return b""

    def close(self) -> None:
        pass


def _decompress(fh: BinaryIO, rf: ResourceFile, rel: str, limit: int) -> bytes:
    """The stored bytes decompressed as frictionless does (zip: ``innerpath`` or the first
    member), streamed from the file and bounded; a broken archive is a finding (frictionless'
    compression-error)."""
    counted = _Counted(fh)
    try:
        if rf.compression == "gz":
            with gzip.GzipFile(fileobj=counted, mode="rb") as g:
                return _bounded(g, counted, rel, limit)
        if rf.compression == "bz2":
            with bz2.BZ2File(counted) as b:
                return _bounded(b, counted, rel, limit)
        if rf.compression == "xz":
            with lzma.LZMAFile(counted) as x:  # type: ignore[arg-type]  # any .read() will do; typeshed says IO[bytes]
                return _bounded(x, counted, rel, limit)
        with zipfile.ZipFile(counted) as z:
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
            info = z.getinfo(name)
            if info.compress_type == zipfile.ZIP_BZIP2 and not info.flag_bits & 1:
                return _bounded(_Bzip2Member(counted, info), counted, rel, limit)
            with z.open(name) as member:
                return _bounded(member, counted, rel, limit)
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


def _digest_file(fh: BinaryIO, algorithm: str | None) -> tuple[int, str | None]:
    """The size and digest of a stored file, read through once more in pieces."""
    fh.seek(0)
    h = hashlib.new(algorithm) if algorithm else None
    size = 0
    while piece := fh.read(_PIECE):
        size += len(piece)
        if h is not None:
            h.update(piece)
    return size, None if h is None else h.hexdigest()


def _first_line(data: bytes) -> int:
    """Bytes of a part's first line as frictionless' multipart reader drops it."""
    lines = data[:_CHUNK].splitlines(keepends=True)
    return len(lines[0]) if lines else 0


def headerless_parts(src: Source) -> list[Part]:
    """The later parts of a multipart resource whose dropped first line is not the first
    part's header line (line ends and a UTF-8 byte order mark aside): under the spec that
    line is dropped as a repeated header, so a row would be lost unseen."""

    def norm(line: bytes) -> bytes:
        return line.removeprefix(codecs.BOM_UTF8).rstrip(b"\r\n")

    if len(src.parts) < 2 or not src.parts[0].first:
        return []
    header = norm(src.parts[0].first)
    return [p for p in src.parts[1:] if p.first and norm(p.first) != header]


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
    algorithm = rf.hash[0] if rf.hash is not None else None
    if not rf.multipart and rf.compression is not None:
        rel = rf.paths[0]
        with _open_file(root, rel, limit) as fh:
            data = _decompress(fh, rf, rel, limit)
            src = Source(data, (Part(rel, 1, 1),))
            if count:
                try:
                    src.size, digest = _digest_file(fh, algorithm)
                except OSError as exc:
                    why = exc.strerror or exc
                    raise SourceProblem("E101", rel, f"cannot read the file: {why}") from None
                if algorithm is not None and digest is not None:
                    src.digests[algorithm] = digest
        return src
    if not rf.multipart:
        rel = rf.paths[0]
        stored = data = _read_file(root, rel, limit)
        src = Source(data, (Part(rel, 1, 1),))
    else:
        # Later parts lose their first line (the repeated header) unless the resource has no
        # header or is not CSV: frictionless' MultipartLoader, byte for byte.
        headless = ts.dialect.header is False or rf.format != "csv"
        joined = io.BytesIO()
        parts: list[Part] = []
        total, line = 0, 1
        for k, rel in enumerate(rf.paths):
            raw = _read_file(root, rel, limit - total)
            cut = 0 if headless or k == 0 else _first_line(raw)
            own = 1 + raw.count(b"\n", 0, cut)
            first = b"" if headless else raw[: cut or _first_line(raw)]
            parts.append(Part(rel, line, own, first))
            piece = memoryview(raw)[cut:]
            joined.write(piece)
            total += len(piece)
            line += raw.count(b"\n", cut)
            del raw, piece
        stored = data = joined.getvalue()  # the buffer itself, not a copy
        src = Source(data, tuple(parts))
    if count:
        src.size = len(stored)
        if algorithm is not None:
            src.digests[algorithm] = hashlib.new(algorithm, stored).hexdigest()
    return src


class TextProblem(Exception):
    """Bytes that decode without a byte error but not to text: a codec that fails on them
    as a whole, or text holding a lone surrogate (utf-7, unicode_escape can give one), which
    no UTF-8 reader or writer accepts. ``line``: where, when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


_SURROGATE = re.compile("[\ud800-\udfff]")


def to_utf8(data: bytes, encoding: str | None) -> tuple[bytes, str]:
    """``data`` as UTF-8 and the encoding it was read in, as frictionless reads it.

    Undeclared: UTF-8, or UTF-16/32 when a byte order mark says so (frictionless' detector
    finds those). UTF-8 is passed on as it is (the CSV reader reports invalid bytes and the
    BOM); any other encoding is decoded whole, a UTF-16 BOM stripped as frictionless'
    detector does. UnicodeDecodeError when the bytes are not in that encoding,
    :class:`TextProblem` when they do not decode to text.
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
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        raise
    except (UnicodeError, ValueError, TypeError, LookupError) as exc:
        why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise TextProblem(f"the {enc} codec cannot decode the file ({why})", None) from None
    bad = _SURROGATE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise TextProblem(
            f"the bytes decode in {enc} to a lone surrogate (U+{ord(bad.group()):04X}), "
            "which is not text",
            line,
        )
    return text.encode("utf-8"), enc


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
