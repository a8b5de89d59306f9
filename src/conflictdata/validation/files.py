"""Layer 1, the file: read one CSV for validation, its structure checked (encoding,
quoting, line ends, cell counts, sizes, the header), its cells as strings, and the physical
line of every row.

A clean file takes the fast path: a vectorised numpy scan of quotes and newlines finds where
each record starts (right even when quoted cells hold newlines), and pyarrow parses the cells.
Anything odd (invalid UTF-8, NUL bytes, misplaced quotes, ragged rows) takes the careful path:
Python's csv module, row by row, which reports each defect at its line and keeps every
readable row. Files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..schema import Package, TableSchema
from .kernels import find_all, np_mask

if TYPE_CHECKING:  # pragma: no cover
    from .state import Collector, TableData

__all__ = ["ParsedFile", "parse_csv_bytes", "load_table", "rel_path", "CELL_LIMIT",
           "COLUMN_LIMIT", "ROW_LIMIT"]

#: Cells longer than this many characters are reported (E114).
CELL_LIMIT = 100_000
#: A header with more columns than this is not read (E117): no table has nearly as many.
COLUMN_LIMIT = 1000
#: A record (one row, quoted line breaks included) of more bytes than this is not read (E118).
ROW_LIMIT = 16 << 20
#: At most this many invalid-UTF-8 / NUL positions are located one by one per file.
_MAX_LOCATED = 1000

BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")
_NL, _CR, _QUOTE, _COMMA = 10, 13, 34, 44

Emit = Callable[..., None]  # emit(code, line=, column=None, value=None, message=)

_CR_LINES = ("lines end with a bare carriage return (CR, as old Mac programs write), not LF "
             "or CRLF: the file is not read")
_LONE_CR = ("a carriage return (CR) outside quotes that is not part of a CRLF line end: "
            "the row is not read")


class _Rejected:
    """_fast's answer for a file it reported as unreadable (no careful retry)."""


_REJECTED = _Rejected()


@dataclass
class ParsedFile:
    """The cells of one CSV file as strings; ``lines[i]`` is data row i's physical line."""

    header: list[str]
    header_line: int
    data: pa.Table  # one string column per header cell, named "0", "1", ...
    lines: np.ndarray  # int64, physical start line of each data row
    fast: bool = True
    info: dict[str, Any] = field(default_factory=dict)
    #: int64, each data row's row number as Table Schema readers count records (header 1)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _line_of(nl: np.ndarray, pos: np.ndarray | int) -> np.ndarray | int:
    """1-based physical line of byte offset(s) ``pos`` given the sorted newline offsets."""
    return np.searchsorted(nl, pos, side="left") + 1


def _first_bad_quote(arr: np.ndarray, q: np.ndarray, start: int) -> tuple[int, str] | None:
    """Offset and kind of the first quote that breaks RFC 4180 quoting, if any.

    With well-formed quoting, quote k (0-based) opens a cell when k is even (it follows a
    comma, a newline or the file start, or is the second half of an escaped '""') and
    closes it or starts an escape when k is odd (a comma, newline, end or '"' follows).
    """
    n = len(arr)
    if len(q) == 0:
        return None
    k_even = (np.arange(len(q)) & 1) == 0
    prev_pos = q - 1
    prev = np.where(prev_pos >= start, arr[np.maximum(prev_pos, 0)], _NL)
    prev_is_quote_pair = np.zeros(len(q), dtype=bool)
    prev_is_quote_pair[1:] = q[:-1] == q[1:] - 1
    open_ok = (prev == _COMMA) | (prev == _NL) | (prev == _CR) | prev_is_quote_pair
    next_pos = q + 1
    nxt = np.where(next_pos < n, arr[np.minimum(next_pos, n - 1)], _NL)
    close_ok = (nxt == _COMMA) | (nxt == _NL) | (nxt == _CR) | (nxt == _QUOTE)
    bad = np.flatnonzero(np.where(k_even, ~open_ok, ~close_ok))
    if len(bad):
        i = int(bad[0])
        kind = "opening" if k_even[i] else "closing"
        return int(q[i]), kind
    if len(q) % 2:
        return int(q[-1]), "unclosed"
    return None


def _is_utf8(data: bytes) -> bool:
    """Whole-file UTF-8 check by Arrow's validator (zero-copy, far faster than decoding)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    arr = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        arr.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _empty_table(ncol: int) -> pa.Table:
    return pa.table({str(i): pa.array([], pa.string()) for i in range(ncol)})


def _parse_header(raw: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    return rows[0] if rows else []


def parse_csv_bytes(data: bytes, emit: Emit, *, strict: bool = True) -> ParsedFile | None:
    """Check and parse ``data``; every structural defect goes to ``emit``. With ``strict``
    (the project's policy) a byte order mark is reported (E103); otherwise it is skipped, as
    the Table Schema readers do.

    Returns None when there is nothing to parse (an empty file, already reported).
    """
    start = 0
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        emit("E104", line=1, column=1, message="the file is UTF-16 encoded (it starts with a "
                                               "UTF-16 byte order mark), not UTF-8")
        return None
    if data.startswith(BOM):
        if strict:
            emit("E103", line=1, column=1,
                 message="the file starts with a UTF-8 byte order mark")
        start = len(BOM)
    if _NOT_SPACE.search(data, start) is None:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    nl = find_all(arr, _NL)
    marks: list[tuple[str, int, str, str]] = []  # (code, line, char to find, message)
    if not _is_utf8(data):
        # Invalid bytes become U+FFFD; no newline is ever part of a bad sequence, so line
        # numbers are unchanged and the repaired text parses like any other file.
        text, bad = _decode_locating(data, start)
        for line in sorted({int(x) for x in _line_of(nl, np.asarray(bad, dtype=np.int64))}):
            marks.append(("E104", line, "\ufffd", "bytes that are not valid UTF-8 "
                                                    "(shown as U+FFFD)"))
        data, start = text.encode("utf-8"), 0
        arr = np.frombuffer(data, dtype=np.uint8)
        nl = find_all(arr, _NL)
    if data.find(b"\x00", start) != -1:
        nul = find_all(arr, 0)[:_MAX_LOCATED]
        for line in sorted({int(x) for x in _line_of(nl, nul)}):
            marks.append(("E105", line, "\x00", "a NUL byte"))
    bad_quote = None
    q = np.zeros(0, dtype=np.int64)
    if data.find(b'"', start) != -1:
        q = find_all(arr, _QUOTE)
        q = q[q >= start]
        bad_quote = _first_bad_quote(arr, q, start)
        if bad_quote is not None:
            pos, kind = bad_quote
            line = int(_line_of(nl, pos))
            if kind == "unclosed":
                emit("E106", line=line,
                     message="a quoted cell starts here and is never closed")
            else:
                what = ("a quote inside an unquoted cell" if kind == "opening"
                        else "text right after a closing quote")
                emit("E107", line=line,
                     message=f"{what} (byte {pos + 1 - start} of the file)")
    parsed = None
    if bad_quote is None:
        ends = np.flatnonzero((np.searchsorted(q, nl) & 1) == 0) if len(q) else np.arange(len(nl))
        pending: list[tuple[str, dict[str, Any]]] = []
        got = _fast(data, arr, nl, ends, q, start,
                    lambda code, **kw: pending.append((code, kw)))
        if got is not None:
            for code, kw in pending:
                emit(code, **kw)
        if isinstance(got, _Rejected):
            return None
        parsed = got
    if parsed is None:
        quote_line = int(_line_of(nl, bad_quote[0])) if bad_quote else None
        parsed = _careful(data, start, emit, quote_line)
    for code, line, char, message in marks:
        emit(code, line=line, column=_column_with(parsed, line, char), message=message)
    return parsed


def _column_with(parsed: ParsedFile | None, line: int, char: str) -> int | None:
    """1-based column of the first cell holding ``char`` in the row at physical ``line``."""
    if parsed is None:
        return None
    if line < (parsed.lines[0] if len(parsed.lines) else line + 1):
        cells = parsed.header
    else:
        i = int(np.searchsorted(parsed.lines, line, side="right")) - 1
        if i < 0:
            return None
        cells = [parsed.data.column(k)[i].as_py() for k in range(parsed.data.num_columns)]
    for k, cell in enumerate(cells):
        if cell and char in cell:
            return k + 1
    return None


def _read_body(body: Any, ncol: int, max_rec: int, on_invalid: Any) -> pa.Table:
    names = [str(i) for i in range(ncol)]
    return pacsv.read_csv(
        body,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=max(1 << 22, 2 * max_rec + 1024)
        ),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
            check_utf8=False,  # the whole file is valid UTF-8 by now
        ),
    )


def _lone_cr(data: bytes, arr: np.ndarray, q: np.ndarray, start: int) -> np.ndarray:
    """Offsets of carriage returns outside quoted cells that no line feed follows (the last
    byte of the file excepted: a CR there ends the last line and loses nothing)."""
    if data.find(b"\r", start) == -1:
        return np.zeros(0, dtype=np.int64)
    n = len(arr)
    cr = find_all(arr, _CR)
    cr = cr[(cr >= start) & (cr < n - 1)]
    cr = cr[arr[cr + 1] != _NL]
    if len(q) and len(cr):
        cr = cr[(np.searchsorted(q, cr) & 1) == 0]
    return cr.astype(np.int64)


def _without(data: bytes, body_start: int, rec_start: np.ndarray, rec_end: np.ndarray,
             drop: np.ndarray) -> bytes:
    """The bytes from ``body_start`` on with the records ``drop`` (sorted indices) cut out."""
    pieces, prev = [], body_start
    for r in drop.tolist():
        pieces.append(data[prev:int(rec_start[r])])
        prev = int(rec_end[r]) + 1
    pieces.append(data[prev:])
    return b"".join(pieces)


def _fast(
    data: bytes,
    arr: np.ndarray,
    nl: np.ndarray,
    ends_idx: np.ndarray,
    q: np.ndarray,
    start: int,
    emit: Emit,
) -> ParsedFile | _Rejected | None:
    """Vectorised record map + pyarrow parse; None if the file needs the careful path,
    _REJECTED if it was reported as not readable at all."""
    n = len(arr)
    ends = nl[ends_idx]
    rec_start = np.concatenate(([start], ends + 1))
    rec_end = np.concatenate((ends, [n]))
    rec_line = np.concatenate(([1], ends_idx + 2)).astype(np.int64)
    if rec_start[-1] >= n:  # file ends with a newline: no last record
        rec_start, rec_end, rec_line = rec_start[:-1], rec_end[:-1], rec_line[:-1]
    length = rec_end - rec_start
    last_byte = arr[np.maximum(rec_end - 1, 0)]
    blank = (length == 0) | ((length == 1) & (last_byte == _CR))
    nonblank = np.flatnonzero(~blank)
    if len(nonblank) == 0:
        return None
    h = int(nonblank[0])
    lone = _lone_cr(data, arr, q, start)
    lone_rec = np.searchsorted(rec_start, lone, side="right") - 1
    if (lone_rec == h).any():
        emit("E116", line=int(rec_line[h]), message=_CR_LINES)
        return _REJECTED
    if length[h] > ROW_LIMIT:
        emit("E117", line=int(rec_line[h]),
             message=f"the header line has {int(length[h]):,} bytes (limit {ROW_LIMIT:,}): "
                     "the file is not read")
        return _REJECTED
    try:
        header = _parse_header(data[rec_start[h]:rec_end[h]].decode("utf-8"))
    except UnicodeDecodeError:  # pragma: no cover - the data is valid UTF-8 here
        return None
    if len(header) > COLUMN_LIMIT:
        emit("E117", line=int(rec_line[h]),
             message=f"the header has {len(header):,} columns (limit {COLUMN_LIMIT:,}): "
                     "the file is not read")
        return _REJECTED
    for line in rec_line[blank]:
        emit("E109", line=int(line), message="blank line")
    data_idx = nonblank[1:]
    ncol = len(header)
    if len(data_idx) == 0:
        return ParsedFile(header, int(rec_line[h]), _empty_table(ncol), rec_line[data_idx],
                          rows=data_idx - h + 1)
    # Records not handed to the parser, each with its finding: a lone CR, or too many bytes.
    skip = np.zeros(len(rec_start), dtype=bool)
    if len(lone):
        recs, first = np.unique(lone_rec, return_index=True)
        for r, pos in zip(recs.tolist(), lone[first].tolist()):
            emit("E115", line=int(_line_of(nl, pos)), message=_LONE_CR)
        skip[recs] = True
    huge = data_idx[length[data_idx] > ROW_LIMIT]
    for r in huge.tolist():
        if not skip[r]:
            emit("E118", line=int(rec_line[r]),
                 message=f"the row has {int(length[r]):,} bytes (limit {ROW_LIMIT:,}): "
                         "it is not read")
    skip[huge] = True
    body_start = int(rec_start[data_idx[0]])
    if skip[data_idx].any():
        dropped = data_idx[skip[data_idx]]
        data_idx = data_idx[~skip[data_idx]]
        if len(data_idx) == 0:
            return ParsedFile(header, int(rec_line[h]), _empty_table(ncol), rec_line[data_idx],
                              rows=data_idx - h + 1)
        body: Any = pa.BufferReader(_without(data, body_start, rec_start, rec_end, dropped))
    else:
        dropped = np.zeros(0, dtype=np.int64)
        body = pa.BufferReader(pa.py_buffer(data)[body_start:])
    max_rec = int(length[data_idx].max())
    invalid: list[Any] = []

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = _read_body(body, ncol, max_rec, on_invalid)
        if invalid:
            # Ragged rows: count each record's cells (commas outside quotes) with numpy,
            # report the ragged ones and parse the file again without them.
            commas = find_all(arr, _COMMA)
            if len(q):
                commas = commas[(np.searchsorted(q, commas) & 1) == 0]
            rec_of = np.searchsorted(rec_start, commas, side="right") - 1
            cells = np.bincount(rec_of, minlength=len(rec_start))[data_idx] + 1
            ragged = cells != ncol
            if not ragged.any():
                return None
            for r, c, line in zip(data_idx[ragged].tolist(), cells[ragged].tolist(),
                                  rec_line[data_idx][ragged].tolist()):
                emit("E108", line=line, column=ncol + 1 if c > ncol else None,
                     message=f"{c} cells, but the header has {ncol}")
            dropped = np.union1d(dropped, data_idx[ragged])
            data_idx = data_idx[~ragged]
            invalid.clear()
            if len(data_idx) == 0:
                return ParsedFile(header, int(rec_line[h]), _empty_table(ncol),
                                  rec_line[data_idx], rows=data_idx - h + 1)
            table = _read_body(
                pa.BufferReader(_without(data, body_start, rec_start, rec_end, dropped)),
                ncol, max_rec, on_invalid)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowException):
        return None
    if invalid or table.num_rows != len(data_idx):
        return None
    return ParsedFile(header, int(rec_line[h]), table, rec_line[data_idx],
                      rows=(data_idx - h + 1).astype(np.int64))


def _decode_locating(data: bytes, start: int) -> tuple[str, list[int]]:
    """Decode UTF-8, replacing bad bytes with U+FFFD and returning their offsets."""
    parts: list[str] = []
    bad: list[int] = []
    pos = start
    while True:
        chunk = data[pos:]
        try:
            parts.append(chunk.decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            parts.append(chunk[: exc.start].decode("utf-8"))
            bad.append(pos + exc.start)
            parts.append("\ufffd")
            pos += exc.end
            if len(bad) >= _MAX_LOCATED:
                parts.append(data[pos:].decode("utf-8", errors="replace"))
                break
    return "".join(parts), bad


def _careful(data: bytes, start: int, emit: Emit, quote_line: int | None) -> ParsedFile | None:
    """Row-by-row parse with Python's csv module: slower, exact about every defect."""
    text = data[start:].decode("utf-8")  # valid: parse_csv_bytes repaired it

    old_limit = csv.field_size_limit()
    csv.field_size_limit(ROW_LIMIT)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    rownos: list[int] = []
    record = 0  # records since the header, blank ones included: the row number - 1
    try:
        reader = csv.reader(io.StringIO(text, newline="\n"), strict=False)
        prev = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line = reader.line_num
                if line <= prev:  # pragma: no cover - no progress: stop rather than loop
                    break
                if "new-line character" in str(exc):
                    if header is None:
                        emit("E116", line=line, message=_CR_LINES)
                        return None
                    emit("E115", line=line, message=_LONE_CR)
                elif "field limit" in str(exc):
                    emit("E118", line=line, message=f"a cell of more than {ROW_LIMIT:,} "
                                                    "bytes: the row is not read")
                else:  # pragma: no cover - strict=False raises nothing else we know of
                    emit("E106", line=line, message=f"the line cannot be parsed: {exc}")
                prev = line
                continue
            first, last = prev + 1, reader.line_num
            prev = last
            if header is not None:
                record += 1
            if not row:
                emit("E109", line=first, message="blank line")
                continue
            if header is None:
                if len(row) > COLUMN_LIMIT:
                    emit("E117", line=first, message=f"the header has {len(row):,} columns "
                                                     f"(limit {COLUMN_LIMIT:,}): the file is "
                                                     "not read")
                    return None
                header, header_line = row, first
                continue
            if len(row) != len(header):
                if quote_line is not None and first <= quote_line <= last:
                    continue  # the quote defect explains it; already reported
                more = len(row) > len(header)
                emit(
                    "E108",
                    line=first,
                    column=len(header) + 1 if more else None,
                    message=f"{len(row)} cells, but the header has {len(header)}",
                )
                continue
            rows.append(row)
            lines.append(first)
            rownos.append(record + 1)
    finally:
        csv.field_size_limit(old_limit)

    if header is None:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    ncol = len(header)
    if rows:
        cols = list(zip(*rows))
        table = pa.table({str(i): pa.array(cols[i], pa.string()) for i in range(ncol)})
    else:
        table = _empty_table(ncol)
    return ParsedFile(header, header_line, table, np.asarray(lines, dtype=np.int64), fast=False,
                      rows=np.asarray(rownos, dtype=np.int64))


def rel_path(ts: TableSchema) -> str:
    """The table's resource path as the findings show it."""
    return str(PurePosixPath(ts.path))  # schema.py admits only normalised relative paths


def load_table(pkg: Package, td: TableData, out: Collector) -> bool:
    """Layer 1: read the file of ``td``'s table into it, report file and header defects, map
    columns to fields. True if the file was read cleanly: no error at this layer, every
    field a column."""
    ts = td.schema
    rel = td.path
    errors = 0

    def emit(code: str, *, line: int | None, message: str, **kw: Any) -> None:
        nonlocal errors
        errors += not code.startswith("W")
        out.one(code, table=ts.name, path=rel, line=line, message=message, **kw)

    file = pkg.root / ts.path  # confined to the package by schema.read_package
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a FIFO or device would block or flood
            emit("E101", line=None, message="not a regular file")
            return False
        with open(file, "rb") as fh:  # read-only: the seeds are never modified
            data = fh.read()
    except FileNotFoundError:
        emit("E100", line=None, message=f"file not found (resource {ts.name!r})")
        return False
    except OSError as exc:
        emit("E101", line=None, message=f"cannot read the file: {exc.strerror or exc}")
        return False
    parsed = parse_csv_bytes(data, emit, strict=out.strict)
    if parsed is None:
        return False
    _check_header(ts, parsed.header, parsed.header_line, emit)
    first: dict[str, int] = {}
    for i, h in enumerate(parsed.header):
        first.setdefault(h, i)
    td.readable = True
    td.n = parsed.data.num_rows
    td.lines = parsed.lines
    td.rows = parsed.rows
    for f in ts.fields:
        if f.name in first:
            td.raw[f.name] = parsed.data.column(str(first[f.name]))
            td.colno[f.name] = first[f.name] + 1
    if len(ts.primary_key) == 1 and ts.primary_key[0] in td.raw:
        td.keys = td.raw[ts.primary_key[0]]
    elif ts.primary_key and all(k in td.raw for k in ts.primary_key):
        td.keys = pc.binary_join_element_wise(*(td.raw[k] for k in ts.primary_key), "|")
    for i, h in enumerate(parsed.header):
        col = parsed.data.column(str(i))
        if td.n and pc.max(pc.binary_length(col)).as_py() > CELL_LIMIT:
            big = np.flatnonzero(np_mask(pc.greater(pc.utf8_length(col), CELL_LIMIT)))
            out.rows("E114", td, big, h if h in td.raw else None,
                     lambda v, x: f"a cell of {len(v or ''):,} characters (limit "
                                  f"{CELL_LIMIT:,})", column=i + 1)
            errors += 1
    return errors == 0 and len(td.raw) == len(ts.fields)


def _check_header(ts: TableSchema, header: list[str], line: int, emit: Any) -> None:
    names = ts.field_names
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen:
            emit("E110", line=line, column=i + 1, value=h,
                 message=f"column {h!r} appears again (first in column {seen[h] + 1})")
        else:
            seen[h] = i
    missing = [n for n in names if n not in seen]
    for h, i in seen.items():
        if h not in names:
            close = difflib.get_close_matches(h.strip(), missing, n=1) or difflib.get_close_matches(
                h, names, n=1
            )
            hint = f"did you mean {close[0]!r}?" if close else None
            emit("E112", line=line, column=i + 1, value=h,
                 message=f"column {h!r} is not a field of {ts.name}", hint=hint)
    for n in missing:
        emit("E111", line=line, field=n,
             message=f"no column {n!r}; the header must be: {','.join(names)}")
    present = [h for h in seen if h in names]
    expected = [n for n in names if n in seen]
    if present != expected:
        k = next(j for j, (a, b) in enumerate(zip(present, expected)) if a != b)
        emit("E113", line=line, column=seen[present[k]] + 1, field=present[k], value=present[k],
             message=f"column {present[k]!r} is where {expected[k]!r} belongs; "
                     f"the order must be: {','.join(names)}")
