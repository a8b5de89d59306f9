"""One resource read as the validator and the build read it: bytes, declared size and hash,
encoding, then the CSV parse; problems go to the caller's ``emit``."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .._tableschema.model import ResourceFile, TableSchema
from .._util.text import short_repr
from ..errors import UnsupportedFeatureError
from .source import (
    SourceProblem,
    TextProblem,
    decode_problem,
    headerless_parts,
    read_source,
    to_utf8,
)

if TYPE_CHECKING:  # pragma: no cover
    pass
from .csv import ParsedFile, is_utf8, parse_csv_bytes


def rel_path(ts: TableSchema) -> str:
    """The table's resource path as the findings show it (a multipart resource's first part)."""
    return str(PurePosixPath(ts.path))  # the schema model admits only normalised relative paths


def _line(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


PathEmit = Callable[..., None]  # emit(code, path=, line=, message=, **kw)


def read_table_bytes(
    root: Any,
    ts: TableSchema,
    emit: PathEmit,
    *,
    strict: bool,
    parse: Callable[..., ParsedFile | None] | None = None,
) -> tuple[ParsedFile | None, Any]:
    """The resource of ``ts`` read as the validator reads it: its bytes (:mod:`.source`),
    ``bytes``/``hash`` checked (E122, E123), transcoded to UTF-8 (E119) and parsed. Every
    finding goes to ``emit`` with the part file and its own physical line. Returns the
    parsed file (None if there is nothing to check) and the :class:`.source.Source`."""
    if ts.dialect.delimiter == "\x00":
        raise UnsupportedFeatureError(
            "dialect.delimiter",
            "\x00",
            resource=ts.name,
            why="a NUL byte is no delimiter: Arrow and most CSV readers refuse it",
        )
    try:
        src = read_source(root, ts)
    except SourceProblem as problem:
        emit(problem.code, path=problem.path, line=problem.line, message=problem.message)
        return None, None
    rf = ts.source
    first = src.parts[0].path
    if strict:
        for part in headerless_parts(src):
            emit(
                "E128",
                path=part.path,
                line=1,
                message=f"the part's first line is not the header of {first}: it is dropped as "
                f"the repeated header, so the row {short_repr(_line(part.first), 80)} would "
                "be lost",
            )
    if rf is not None:
        # as frictionless' baseline check: a declared 0 or "" is not compared
        if rf.bytes and src.size != rf.bytes:
            emit(
                "E122",
                path=first,
                line=None,
                message=f"the resource has {src.size:,} bytes; its descriptor says "
                f"bytes {rf.bytes:,}",
            )
        if rf.hash is not None and rf.hash[1] and src.digests[rf.hash[0]] != rf.hash[1]:
            emit(
                "E123",
                path=first,
                line=None,
                message=f"the {rf.hash[0]} of the resource is {src.digests[rf.hash[0]]}; its "
                f"descriptor says {rf.hash[1]}",
            )
    try:
        data, used = to_utf8(src.data, rf.encoding if rf else None)
        if not strict and used in ("utf-8", "utf-8-sig") and not is_utf8(data):
            if rf is None or rf.encoding is None:
                raise UnsupportedFeatureError(
                    "encoding",
                    None,
                    resource=ts.name,
                    why="the file is not UTF-8 and the resource declares no encoding: "
                    "frictionless would guess one; declare it",
                )
            # declared UTF-8 that is not: frictionless' encoding-error, the file not read
            # (under the policy the CSV reader reports each bad line, E104, and reads on)
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        p = decode_problem(src.data, exc.encoding, exc, first)
        path, line = src.locate(p.line)
        emit(p.code, path=path, line=line, message=p.message)
        return None, src
    except TextProblem as exc:
        path, line = src.locate(exc.line)
        emit("E119", path=path, line=line, message=exc.message)
        return None, src

    def at(code: str, *, line: int | None, message: str, **kw: Any) -> None:
        path, own = src.locate(line)
        emit(code, path=path, line=own, message=message, **kw)

    parsed = (parse or parse_csv_bytes)(
        data,
        at,
        strict=strict,
        dialect=ts.dialect,
        missing=ts.missing_values,
        nfields=len(ts.fields),
        bom_expected=used == "utf-8-sig",
    )
    return parsed, src


def check_other_file(root: Any, rf: ResourceFile, emit: PathEmit) -> None:
    """A resource that is not a table, checked as frictionless checks it: each file there
    and readable (E100, E101), the stored bytes against ``bytes`` and ``hash`` (E122,
    E123). The file is read in pieces, never whole: it may be a large image or archive."""
    size = 0
    hasher = hashlib.new(rf.hash[0]) if rf.hash is not None else None
    for rel in rf.paths:
        file = Path(root) / rel  # confined to the package by the schema model
        try:
            if not stat.S_ISREG(os.stat(file).st_mode):  # a FIFO would block, a device flood
                emit("E101", path=rel, line=None, message="not a regular file")
                return
            with open(file, "rb") as fh:
                while piece := fh.read(1 << 20):
                    size += len(piece)
                    if hasher is not None:
                        hasher.update(piece)
        except FileNotFoundError:
            emit("E100", path=rel, line=None, message="file not found")
            return
        except OSError as exc:
            emit(
                "E101", path=rel, line=None, message=f"cannot read the file: {exc.strerror or exc}"
            )
            return
    first = rf.paths[0]
    if rf.bytes and size != rf.bytes:
        emit(
            "E122",
            path=first,
            line=None,
            message=f"the resource has {size:,} bytes; its descriptor says bytes {rf.bytes:,}",
        )
    if rf.hash is not None and hasher is not None and rf.hash[1]:
        got = hasher.hexdigest()
        if got != rf.hash[1]:
            emit(
                "E123",
                path=first,
                line=None,
                message=f"the {rf.hash[0]} of the resource is {got}; its descriptor says "
                f"{rf.hash[1]}",
            )
