"""Read one CSV file for validation: its structure checked, its cells as strings, and the
physical line of every row.

A clean file takes the fast path: a vectorised numpy scan of quotes and newlines finds where
each record starts (right even when quoted cells hold newlines), and pyarrow parses the cells.
Anything odd (invalid UTF-8, NUL bytes, misplaced quotes, ragged rows) takes the careful path:
Python's csv module, row by row, which reports each defect at its line and keeps every
readable row. Files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["ParsedFile", "parse_csv_bytes", "CELL_LIMIT"]

#: Cells longer than this many characters are reported (E114).
CELL_LIMIT = 100_000
#: At most this many invalid-UTF-8 / NUL positions are located one by one per file.
_MAX_LOCATED = 1000

BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")
_NL, _CR, _QUOTE, _COMMA = 10, 13, 34, 44

Emit = Callable[..., None]  # emit(code, line=, column=None, value=None, message=)


@dataclass
class ParsedFile:
    """The cells of one CSV file as strings; ``lines[i]`` is data row i's physical line."""

    header: list[str]
    header_line: int
    data: pa.Table  # one string column per header cell, named "0", "1", ...
    lines: np.ndarray  # int64, physical start line of each data row
    fast: bool = True
    info: dict[str, Any] = field(default_factory=dict)


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


def parse_csv_bytes(data: bytes, emit: Emit) -> ParsedFile | None:
    """Check and parse ``data``; every structural defect goes to ``emit``.

    Returns None when there is nothing to parse (an empty file, already reported).
    """
    start = 0
    if data.startswith(BOM):
        emit("E103", line=1, column=1, message="the file starts with a UTF-8 byte order mark")
        start = len(BOM)
    if _NOT_SPACE.search(data, start) is None:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(arr == _NL)
    bad_quote = None
    if data.find(b'"', start) != -1:
        q = np.flatnonzero(arr == _QUOTE)
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
        else:
            ends = np.flatnonzero((np.searchsorted(q, nl) & 1) == 0)
    else:
        ends = np.arange(len(nl))
    if bad_quote is None and data.find(b"\x00", start) == -1 and _is_utf8(data):
        pending: list[tuple[str, dict[str, Any]]] = []
        parsed = _fast(data, arr, nl, ends, start, lambda code, **kw: pending.append((code, kw)))
        if parsed is not None:
            for code, kw in pending:
                emit(code, **kw)
            return parsed
    return _careful(data, arr, nl, start, emit, bad_quote)


def _fast(
    data: bytes, arr: np.ndarray, nl: np.ndarray, ends_idx: np.ndarray, start: int, emit: Emit
) -> ParsedFile | None:
    """Vectorised record map + pyarrow parse; None if the file needs the careful path."""
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
    try:
        header = _parse_header(data[rec_start[h]:rec_end[h]].decode("utf-8"))
    except UnicodeDecodeError:
        return None
    for line in rec_line[blank]:
        emit("E109", line=int(line), message="blank line")
    data_idx = nonblank[1:]
    ncol = len(header)
    lines = rec_line[data_idx]
    if len(data_idx) == 0:
        return ParsedFile(header, int(rec_line[h]), _empty_table(ncol), lines)
    max_rec = int(length.max())
    invalid: list[Any] = []

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    names = [str(i) for i in range(ncol)]
    body = pa.py_buffer(data)[int(rec_start[data_idx[0]]):]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
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
                check_utf8=False,  # checked once for the whole file by _is_utf8
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowException):
        return None
    if invalid or table.num_rows != len(data_idx):
        return None
    return ParsedFile(header, int(rec_line[h]), table, lines)


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


def _careful(
    data: bytes,
    arr: np.ndarray,
    nl: np.ndarray,
    start: int,
    emit: Emit,
    bad_quote: tuple[int, str] | None,
) -> ParsedFile | None:
    """Row-by-row parse with Python's csv module: slower, exact about every defect."""
    text, bad_utf8 = _decode_locating(data, start)
    nul = np.flatnonzero(arr == 0)[:_MAX_LOCATED]
    bad_utf8_lines = sorted({int(x) for x in _line_of(nl, np.asarray(bad_utf8, dtype=np.int64))})
    nul_lines = sorted({int(x) for x in _line_of(nl, nul)})
    quote_line = int(_line_of(nl, bad_quote[0])) if bad_quote else None

    old_limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    spans: list[tuple[int, int, list[str]]] = []  # (first, last line, cells) for locating
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
                    emit("E115", line=line, message="a carriage return (CR) inside an "
                                                    "unquoted cell")
                else:  # pragma: no cover - strict=False raises nothing else we know of
                    emit("E106", line=line, message=f"the line cannot be parsed: {exc}")
                prev = line
                continue
            first, last = prev + 1, reader.line_num
            prev = last
            spans.append((first, last, row))
            if not row:
                emit("E109", line=first, message="blank line")
                continue
            if header is None:
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
    finally:
        csv.field_size_limit(old_limit)

    def column_of(line: int, char: str) -> int | None:
        for first, last, cells in spans:
            if first <= line <= last:
                for i, cell in enumerate(cells):
                    if char in cell:
                        return i + 1
                return None
        return None

    for line in bad_utf8_lines:
        emit("E104", line=line, column=column_of(line, "\ufffd"),
             message="bytes that are not valid UTF-8 (shown as U+FFFD)")
    for line in nul_lines:
        emit("E105", line=line, column=column_of(line, "\x00"), message="a NUL byte")
    if header is None:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    ncol = len(header)
    if rows:
        cols = list(zip(*rows))
        table = pa.table({str(i): pa.array(cols[i], pa.string()) for i in range(ncol)})
    else:
        table = _empty_table(ncol)
    return ParsedFile(header, header_line, table, np.asarray(lines, dtype=np.int64), fast=False)
