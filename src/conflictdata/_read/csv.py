"""Layer 1, the file: read one CSV for validation as frictionless 5 reads it (dialect
sniffed where the descriptor does not declare it, header row found, labels trimmed and
matched to the fields by position), its structure checked (encoding, quoting, line ends,
cell counts, sizes, the header), its cells as strings, and the physical line and row number
of every row.

A clean file in a single-byte dialect takes the fast path: a vectorised numpy scan of quotes
and newlines finds where each record starts (right even when quoted cells hold newlines),
and pyarrow parses the cells; ragged records are read one by one with Python's csv module
and put back in place. Anything else (misplaced quotes, stray carriage returns, escape
characters, comment rows, several header rows, ...) takes the careful path: Python's csv
module with the dialect, as frictionless reads it, row by row. Files are only ever opened
for reading.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._tableschema.model import Dialect
from .._types.kernels import find_all, np_mask

if TYPE_CHECKING:  # pragma: no cover
    pass
from .limits import COLUMN_LIMIT, ROW_LIMIT
from .sniff import (
    effective_dialect,
    find_header_rows,
    is_comment,
    join_labels,
    python_dialect,
    sample_lines,
)

#: At most this many invalid-UTF-8 / NUL positions are located one by one per file.
_MAX_LOCATED = 1000

BOM = b"\xef\xbb\xbf"

_NOT_SPACE = re.compile(rb"\S")

_NL, _CR, _QUOTE, _COMMA = 10, 13, 34, 44

Emit = Callable[..., None]  # emit(code, line=, column=None, value=None, message=)

_CR_LINES = (
    "lines end with a bare carriage return (CR, as old Mac programs write), not LF "
    "or CRLF: the file is not read"
)

_LONE_CR = (
    "a carriage return (CR) outside quotes that is not part of a CRLF line end: the row is not read"
)


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
    #: int64, each data row's row number as frictionless counts records (the first is 1)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: data rows with fewer cells than the header: row index -> cells it has
    short: dict[int, int] = field(default_factory=dict)
    #: the header labels as written (``header`` holds them trimmed, as frictionless does)
    raw_header: list[str] = field(default_factory=list)


def _lines_of(nl: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """1-based physical lines of the byte offsets ``pos`` given the sorted newline offsets."""
    return np.searchsorted(nl, pos, side="left") + 1


def _line_of(nl: np.ndarray, pos: int) -> int:
    """1-based physical line of the byte offset ``pos`` given the sorted newline offsets."""
    return int(np.searchsorted(nl, pos, side="left")) + 1


def _first_bad_quote(
    arr: np.ndarray, q: np.ndarray, start: int, delim: int = _COMMA
) -> tuple[int, str] | None:
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
    open_ok = (prev == delim) | (prev == _NL) | (prev == _CR) | prev_is_quote_pair
    next_pos = q + 1
    nxt = np.where(next_pos < n, arr[np.minimum(next_pos, n - 1)], _NL)
    close_ok = (nxt == delim) | (nxt == _NL) | (nxt == _CR) | (nxt == _QUOTE)
    bad = np.flatnonzero(np.where(k_even, ~open_ok, ~close_ok))
    if len(bad):
        i = int(bad[0])
        kind = "opening" if k_even[i] else "closing"
        return int(q[i]), kind
    if len(q) % 2:
        return int(q[-1]), "unclosed"
    return None


def is_utf8(data: bytes) -> bool:
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


_limit_lock = threading.Lock()
_limit_users = 0
_limit_before = 0


@contextmanager
def _field_limit() -> Iterator[None]:
    """Python's csv module reads cells of up to :data:`ROW_LIMIT` bytes while any reader
    here runs (its own default, 131,072, would raise on a longer label or cell). The limit is
    process-wide: threads share one raise, and the last one out puts it back."""
    global _limit_users, _limit_before
    with _limit_lock:
        if _limit_users == 0:
            _limit_before = csv.field_size_limit(ROW_LIMIT)
        _limit_users += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users -= 1
            if _limit_users == 0:
                csv.field_size_limit(_limit_before)


def _parse_header(raw: str, delimiter: str = ",") -> list[str]:
    with _field_limit():
        rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter))
    return rows[0] if rows else []


def _fast_dialect(d: Dialect, header_rows: tuple[int, ...] | None) -> bool:
    """The vectorised path reads this dialect exactly: one ASCII delimiter byte, '"' quotes
    doubled, no escapes, no skipped spaces or comments, one header row."""
    return (
        len(d.delimiter) == 1
        and d.delimiter.isascii()
        and d.delimiter not in '"\r\n'
        and d.quote_char == '"'
        and d.escape_char is None
        and not d.skip_initial_space
        and d.comment_char is None
        and not d.comment_rows
        and not d.skip_blank_rows
        and header_rows is not None
        and len(header_rows) == 1
    )


def parse_csv_bytes(
    data: bytes,
    emit: Emit,
    *,
    strict: bool = True,
    dialect: Dialect | None = None,
    missing: tuple[str, ...] = ("",),
    nfields: int | None = None,
    bom_expected: bool = False,
) -> ParsedFile | None:
    """Check and parse UTF-8 ``data`` as frictionless reads it in ``dialect``; every
    structural defect goes to ``emit``. With ``strict`` (the project's policy) a byte order
    mark (E103, unless ``bom_expected``), quote defects (E106, E107) and carriage returns
    that are not line ends (E115, E116) are reported; otherwise the file is read as the
    Table Schema readers read it. ``missing``: the schema's missingValues (a row of only
    those is blank); ``nfields``: the number of fields (the row width without a header).

    Returns None when there is nothing to parse (an empty file, already reported).
    """
    dialect = dialect or Dialect()
    start = 0
    if data.startswith(BOM):
        if strict and not bom_expected:
            emit("E103", line=1, column=1, message="the file starts with a UTF-8 byte order mark")
        start = len(BOM)
    if _NOT_SPACE.search(data, start) is None:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    nl = find_all(arr, _NL)
    marks: list[tuple[str, int, str, str]] = []  # (code, line, char to find, message)
    if not is_utf8(data):
        # Invalid bytes become U+FFFD; no newline is ever part of a bad sequence, so line
        # numbers are unchanged and the repaired text parses like any other file.
        text, bad = _decode_locating(data, start)
        for line in sorted({int(x) for x in _lines_of(nl, np.asarray(bad, dtype=np.int64))}):
            marks.append(
                ("E104", line, "\ufffd", "bytes that are not valid UTF-8 (shown as U+FFFD)")
            )
        data, start = text.encode("utf-8"), 0
        arr = np.frombuffer(data, dtype=np.uint8)
        nl = find_all(arr, _NL)
    if strict and data.find(b"\x00", start) != -1:  # spec: a NUL is read as text
        nul = find_all(arr, 0)[:_MAX_LOCATED]
        for line in sorted({int(x) for x in _lines_of(nl, nul)}):
            marks.append(("E105", line, "\x00", "a NUL byte"))
    lines = sample_lines(data, start)
    eff = effective_dialect(lines, dialect)
    header_rows = find_header_rows(eff, lines, strict)
    opts = _Options(eff, header_rows, missing, strict, nfields)
    parsed = None
    bad_quote = None
    if _fast_dialect(eff, header_rows):
        delim = ord(eff.delimiter)
        q = np.zeros(0, dtype=np.int64)
        if data.find(b'"', start) != -1:
            q = find_all(arr, _QUOTE)
            q = q[q >= start]
            bad_quote = _first_bad_quote(arr, q, start, delim)
            if bad_quote is not None and strict:
                pos, kind = bad_quote
                line = _line_of(nl, pos)
                if kind == "unclosed":
                    emit("E106", line=line, message="a quoted cell starts here and is never closed")
                else:
                    what = (
                        "a quote inside an unquoted cell"
                        if kind == "opening"
                        else "text right after a closing quote"
                    )
                    emit("E107", line=line, message=f"{what} (byte {pos + 1 - start} of the file)")
        if bad_quote is None:
            ends = (
                np.flatnonzero((np.searchsorted(q, nl) & 1) == 0) if len(q) else np.arange(len(nl))
            )
            pending: list[tuple[str, dict[str, Any]]] = []
            got = _fast(
                data,
                arr,
                nl,
                ends,
                q,
                start,
                lambda code, **kw: pending.append((code, kw)),
                opts,
                delim,
            )
            if got is not None:
                for code, kw in pending:
                    emit(code, **kw)
            if isinstance(got, _Rejected):
                return None
            parsed = got
    if parsed is None:
        quote_line = _line_of(nl, bad_quote[0]) if bad_quote and strict else None
        parsed = _careful(data, start, emit, quote_line, opts)
    for code, line, char, message in marks:
        emit(
            code,
            line=line,
            column=_column_with(parsed, line, char),
            message=message,
            row=_row_at(parsed, line),
        )
    return parsed


def _row_at(parsed: ParsedFile | None, line: int) -> int | None:
    """The row number of the data row that physical ``line`` is in, if any."""
    if parsed is None or not len(parsed.lines) or line < parsed.lines[0]:
        return None
    i = int(np.searchsorted(parsed.lines, line, side="right")) - 1
    return int(parsed.rows[i]) if len(parsed.rows) > i else None


@dataclass(frozen=True)
class _Options:
    """How one file is read: the effective dialect and what the schema says about rows."""

    dialect: Dialect
    header_rows: tuple[int, ...] | None
    missing: tuple[str, ...]
    strict: bool
    #: the row width when there are no labels (the number of fields)
    width: int | None

    def blank(self, cells: list[str]) -> bool:
        return all(c in self.missing for c in cells)


def _fast(
    data: bytes,
    arr: np.ndarray,
    nl: np.ndarray,
    ends_idx: np.ndarray,
    q: np.ndarray,
    start: int,
    emit: Emit,
    opts: _Options,
    delim: int = _COMMA,
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
    assert opts.header_rows is not None
    h = opts.header_rows[0] - 1
    if h >= len(rec_start) or blank[h]:
        return None
    lone = _lone_cr(data, arr, q, start)
    if len(lone) and not opts.strict:
        return None  # frictionless takes a bare CR for a line end: read row by row
    lone_rec = np.searchsorted(rec_start, lone, side="right") - 1
    if (lone_rec <= h).any():
        emit("E116", line=int(rec_line[h]), message=_CR_LINES)
        return _REJECTED
    if length[h] > ROW_LIMIT:
        emit(
            "E117",
            line=int(rec_line[h]),
            message=f"the header line has {int(length[h]):,} bytes (limit {ROW_LIMIT:,}): "
            "the file is not read",
        )
        return _REJECTED
    try:
        raw_header = _parse_header(data[rec_start[h] : rec_end[h]].decode("utf-8"), chr(delim))
    except UnicodeDecodeError:  # pragma: no cover - the data is valid UTF-8 here
        return None
    if len(raw_header) > COLUMN_LIMIT:
        emit(
            "E117",
            line=int(rec_line[h]),
            message=f"the header has {len(raw_header):,} columns (limit {COLUMN_LIMIT:,}): "
            "the file is not read",
        )
        return _REJECTED
    header = [c.strip() for c in raw_header]
    recno = np.arange(len(rec_start), dtype=np.int64)
    for r in np.flatnonzero(blank & (recno > h)).tolist():
        emit("E109", line=int(rec_line[r]), message="blank line", row=r + 1)
    blanks = [(int(rec_line[r]), r + 1) for r in np.flatnonzero(blank & (recno > h)).tolist()]
    data_idx = np.flatnonzero(~blank & (recno > h))
    ncol = len(header)

    def done(table: pa.Table, idx: np.ndarray, short: dict[int, int] | None = None) -> ParsedFile:
        p = ParsedFile(
            header,
            int(rec_line[h]),
            table,
            rec_line[idx].astype(np.int64),
            rows=(idx + 1).astype(np.int64),
            short=short or {},
            raw_header=raw_header,
        )
        p.info["blanks"] = blanks
        p.info["header_row"] = h + 1
        return _drop_blank_rows(p, opts, emit)

    if len(data_idx) == 0:
        return done(_empty_table(ncol), data_idx)
    # Records not handed to the parser, each with its finding: a lone CR, or too many bytes.
    skip = np.zeros(len(rec_start), dtype=bool)
    if len(lone):
        recs, first = np.unique(lone_rec, return_index=True)
        for r, pos in zip(recs.tolist(), lone[first].tolist(), strict=True):
            emit("E115", line=_line_of(nl, pos), message=_LONE_CR, row=r + 1)
        skip[recs] = True
    huge = data_idx[length[data_idx] > ROW_LIMIT]
    for r in huge.tolist():
        if not skip[r]:
            emit(
                "E118",
                line=int(rec_line[r]),
                row=r + 1,
                message=f"the row has {int(length[r]):,} bytes (limit {ROW_LIMIT:,}): "
                "it is not read",
            )
    skip[huge] = True
    body_start = int(rec_start[data_idx[0]])
    if skip[data_idx].any():
        dropped = data_idx[skip[data_idx]]
        data_idx = data_idx[~skip[data_idx]]
        if len(data_idx) == 0:
            return done(_empty_table(ncol), data_idx)
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
        table = _read_body(body, ncol, max_rec, on_invalid, chr(delim))
        if not invalid:
            if table.num_rows != len(data_idx):
                return None
            return done(table, data_idx)
        # Ragged rows: count each record's cells (delimiters outside quotes) with numpy,
        # read the ragged ones with Python's csv module and parse the others again.
        seps = find_all(arr, delim)
        if len(q):
            seps = seps[(np.searchsorted(q, seps) & 1) == 0]
        rec_of = np.searchsorted(rec_start, seps, side="right") - 1
        cells = np.bincount(rec_of, minlength=len(rec_start))[data_idx] + 1
        ragged = cells != ncol
        if not ragged.any():
            return None
        odd = data_idx[ragged]
        data_idx = data_idx[~ragged]
        invalid.clear()
        if len(data_idx):
            table = _read_body(
                pa.BufferReader(
                    _without(data, body_start, rec_start, rec_end, np.union1d(dropped, odd))
                ),
                ncol,
                max_rec,
                on_invalid,
                chr(delim),
            )
        else:
            table = _empty_table(ncol)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowException):
        return None
    if invalid or table.num_rows != len(data_idx):
        return None
    kept: list[int] = []
    odd_rows: list[list[str]] = []
    for r in odd.tolist():
        text = data[rec_start[r] : rec_end[r]].decode("utf-8")
        with _field_limit():
            got = next(csv.reader(io.StringIO(text, newline=""), delimiter=chr(delim)), [])
        if opts.blank(got[:ncol]):
            emit("E109", line=int(rec_line[r]), message="a row of only empty cells", row=r + 1)
            blanks.append((int(rec_line[r]), r + 1))
            continue
        if len(got) > ncol:
            emit(
                "E108",
                line=int(rec_line[r]),
                column=ncol + 1,
                row=r + 1,
                message=f"{len(got)} cells, but the header has {ncol}: the first {ncol} "
                "are checked",
            )
        kept.append(r)
        odd_rows.append(got)
    if not kept:
        return done(table, data_idx)
    extra = _rows_table(odd_rows, ncol)
    both = np.concatenate((data_idx, np.asarray(kept, dtype=np.int64)))
    order = np.argsort(both, kind="stable")
    merged = pa.concat_tables([table, extra]).take(pa.array(order))
    where = np.empty(len(order), dtype=np.int64)
    where[order] = np.arange(len(order))
    short = {int(where[len(data_idx) + j]): len(c) for j, c in enumerate(odd_rows) if len(c) < ncol}
    return done(merged, both[order], short)


def _rows_table(rows: list[list[str]], ncol: int) -> pa.Table:
    """Rows as string columns "0".."ncol-1": extra cells cut, missing ones ""."""
    fixed = [(r + [""] * (ncol - len(r)))[:ncol] for r in rows]
    cols = list(zip(*fixed, strict=True)) if fixed else [()] * ncol
    return pa.table({str(i): pa.array(list(cols[i]), pa.string()) for i in range(ncol)})


def _drop_blank_rows(parsed: ParsedFile, opts: _Options, emit: Emit) -> ParsedFile:
    """Rows whose every cell (one per label; extra cells do not count, missing ones are
    missing) is a missing value (``,,``, ``NA,NA``) are frictionless' blank-row: reported
    (E109) and taken out of the data."""
    t = parsed.data
    if t.num_rows == 0 or t.num_columns == 0:
        return parsed
    blank: np.ndarray | None = None
    short_at = np.fromiter(parsed.short.keys(), dtype=np.int64, count=len(parsed.short))
    short_n = np.fromiter(parsed.short.values(), dtype=np.int64, count=len(parsed.short))
    for k, col in enumerate(t.columns):
        if opts.missing == ("",):
            m = np_mask(pc.equal(pc.binary_length(col), 0))
        else:
            m = np_mask(pc.is_in(col, value_set=pa.array(list(opts.missing), pa.string())))
        if len(short_at):  # a cell the row does not have is missing
            m = m.copy()
            m[short_at[short_n <= k]] = True
        blank = m if blank is None else blank & m
        if not blank.any():
            return parsed
    assert blank is not None
    idx = np.flatnonzero(blank)
    for i in idx.tolist():
        emit(
            "E109",
            line=int(parsed.lines[i]),
            message="a row of only empty cells",
            row=int(parsed.rows[i]),
        )
        parsed.info.setdefault("blanks", []).append((int(parsed.lines[i]), int(parsed.rows[i])))
    keep = np.flatnonzero(~blank)
    where = np.full(t.num_rows, -1, dtype=np.int64)
    where[keep] = np.arange(len(keep))
    parsed.data = t.take(pa.array(keep))
    parsed.lines = parsed.lines[keep]
    parsed.rows = parsed.rows[keep]
    parsed.short = {int(where[i]): c for i, c in parsed.short.items() if where[i] >= 0}
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


def _read_body(
    body: Any, ncol: int, max_rec: int, on_invalid: Any, delimiter: str = ","
) -> pa.Table:
    names = [str(i) for i in range(ncol)]
    return pacsv.read_csv(
        body,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=max(1 << 22, 2 * max_rec + 1024)
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid,
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


def _without(
    data: bytes, body_start: int, rec_start: np.ndarray, rec_end: np.ndarray, drop: np.ndarray
) -> bytes:
    """The bytes from ``body_start`` on with the records ``drop`` (sorted indices) cut out."""
    pieces, prev = [], body_start
    for r in drop.tolist():
        pieces.append(data[prev : int(rec_start[r])])
        prev = int(rec_end[r]) + 1
    pieces.append(data[prev:])
    return b"".join(pieces)


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


def _labels_too_large(lists: list[list[str]], join: str, line: int | None, emit: Emit) -> bool:
    """True (and E117) when the labels joined from several header rows could pass
    :data:`ROW_LIMIT` characters: a long ``headerJoin`` between many rows would otherwise
    multiply a small file into gigabytes of labels."""
    if len(lists) < 2:
        return False
    size = sum(len(c) for r in lists for c in r) + len(join) * sum(len(r) for r in lists)
    if size <= ROW_LIMIT:
        return False
    emit(
        "E117",
        line=line or 1,
        message=f"the labels of the {len(lists)} header rows, joined with a headerJoin of "
        f"{len(join):,} characters, could hold {size:,} characters (limit {ROW_LIMIT:,}): "
        "the file is not read",
    )
    return True


def _careful(
    data: bytes, start: int, emit: Emit, quote_line: int | None, opts: _Options | None = None
) -> ParsedFile | None:
    """Row-by-row parse with Python's csv module in the file's dialect, as frictionless reads
    it: slower, exact about every defect."""
    opts = opts or _Options(Dialect(), (1,), ("",), True, None)
    d = opts.dialect
    text = data[start:].decode("utf-8")  # valid: parse_csv_bytes repaired it
    header_rows = opts.header_rows
    first_content = header_rows[-1] + 1 if header_rows else 1
    lists: list[list[str]] = []
    header_line: int | None = None
    ncol = None if header_rows else opts.width
    rows: list[list[str]] = []
    lines: list[int] = []
    rownos: list[int] = []
    short: dict[int, int] = {}
    blanks: list[tuple[int, int]] = []
    record = 0  # records read so far, blank ones included: the row number
    header_row: int | None = None
    with _field_limit():
        # Under the project's policy a CR that is not a line end is an error (E115/E116);
        # the spec reading takes it for a line end, as frictionless' text stream does.
        newline = "\n" if opts.strict else ""
        reader = csv.reader(io.StringIO(text, newline=newline), **python_dialect(d))
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
                record += 1
                if "new-line character" in str(exc):
                    if record <= first_content - 1 or (header_rows and not lists):
                        emit("E116", line=line, message=_CR_LINES)
                        return None
                    emit("E115", line=line, message=_LONE_CR, row=record)
                elif "field limit" in str(exc):
                    emit(
                        "E118",
                        line=line,
                        row=record,
                        message=f"a cell of more than {ROW_LIMIT:,} bytes: the row is not read",
                    )
                else:  # pragma: no cover - strict=False raises nothing else we know of
                    emit("E106", line=line, message=f"the line cannot be parsed: {exc}")
                prev = line
                continue
            first, last = prev + 1, reader.line_num
            prev = last
            record += 1
            if record < first_content:
                if header_rows and record in header_rows and not is_comment(d, record, row):
                    if len(row) > COLUMN_LIMIT:
                        emit(
                            "E117",
                            line=first,
                            message=f"the header has {len(row):,} columns "
                            f"(limit {COLUMN_LIMIT:,}): the file "
                            "is not read",
                        )
                        return None
                    lists.append(row)
                    if header_line is None:
                        header_line, header_row = first, record
                continue
            if ncol is None:
                if header_rows and not lists:
                    break
                if _labels_too_large(lists, d.header_join, header_line, emit):
                    return None
                # a blank header row gives no labels: frictionless then reads the fields
                # by position, one cell each, as without a header
                ncol = (
                    len(join_labels([[c.strip() for c in r] for r in lists], d.header_join))
                    or opts.width
                    or 0
                )
            if is_comment(d, record, row):
                continue
            if d.skip_blank_rows and all(c == "" for c in row):
                continue  # frictionless' blank filter: every cell empty, extra ones too
            if opts.blank(row[:ncol]):  # extra cells do not count, missing ones are missing
                emit(
                    "E109",
                    line=first,
                    row=record,
                    message="blank line" if not row else "a row of only empty cells",
                )
                blanks.append((first, record))
                continue
            if len(row) != ncol:
                if quote_line is not None and first <= quote_line <= last:
                    continue  # the quote defect explains it; already reported
                if len(row) > ncol:
                    emit(
                        "E108",
                        line=first,
                        column=ncol + 1,
                        row=record,
                        message=f"{len(row)} cells, but the header has {ncol}: the first "
                        f"{ncol} are checked",
                    )
                    row = row[:ncol]
                else:
                    short[len(rows)] = len(row)
                    row = row + [""] * (ncol - len(row))
            rows.append(row)
            lines.append(first)
            rownos.append(record)

    if header_rows and not lists:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    if ncol is None and _labels_too_large(lists, d.header_join, header_line, emit):
        return None
    labels = join_labels([[c.strip() for c in r] for r in lists], d.header_join)
    raw = join_labels(lists, d.header_join)
    if ncol is None:
        ncol = len(labels) if header_rows and labels else (opts.width or 0)
    table = _rows_table(rows, ncol) if rows else _empty_table(ncol)
    parsed = ParsedFile(
        labels,
        header_line or 1,
        table,
        np.asarray(lines, dtype=np.int64),
        fast=False,
        rows=np.asarray(rownos, dtype=np.int64),
        short=short,
        raw_header=raw,
    )
    parsed.info["blanks"] = blanks
    parsed.info["headerless"] = not header_rows or not labels
    parsed.info["header_row"] = header_row
    return parsed
