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
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import UnsupportedFeatureError
from ..schema import Dialect, Package, TableSchema
from .kernels import find_all, np_mask
from .source import SourceProblem, decode_problem, read_source, to_utf8

if TYPE_CHECKING:  # pragma: no cover
    from .state import Collector, TableData

__all__ = [
    "CELL_LIMIT",
    "COLUMN_LIMIT",
    "ROW_LIMIT",
    "ParsedFile",
    "effective_dialect",
    "load_table",
    "parse_csv_bytes",
    "read_table_bytes",
    "rel_path",
]

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


def _line_of(nl: np.ndarray, pos: np.ndarray | int) -> np.ndarray | int:
    """1-based physical line of byte offset(s) ``pos`` given the sorted newline offsets."""
    return np.searchsorted(nl, pos, side="left") + 1


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


def _parse_header(raw: str, delimiter: str = ",") -> list[str]:
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter))
    return rows[0] if rows else []


#: frictionless sniffs the dialect from this many lines and finds the header in this many rows
SAMPLE_LINES = 100
#: ... but never from more bytes than this (see :func:`_sample_lines`)
SAMPLE_BYTES = 1 << 16
_SNIFF_DELIMITERS = ",\t;|"


def _sample_lines(data: bytes, start: int) -> list[str]:
    """The first lines of the text as frictionless' CSV parser samples them (universal line
    ends kept), from a prefix of the file so a big one is neither copied nor decoded whole.

    At most :data:`SAMPLE_BYTES` are sampled (frictionless takes 100 lines however long):
    Python's csv.Sniffer is quadratic on hostile text, and no sane header needs more.
    """
    chunk = data[start : start + SAMPLE_BYTES]
    lines = io.StringIO(chunk.decode("utf-8", errors="replace"), newline="").readlines()
    if len(chunk) == SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # cut short: drop the partial last line
    return lines[:SAMPLE_LINES]


def effective_dialect(lines: list[str], dialect: Dialect) -> Dialect:
    """The dialect frictionless 5 reads the file in: the declared CSV keys, and for the
    others (delimiter, quoteChar, skipInitialSpace) what Python's csv.Sniffer finds in the
    first lines (a quote char "'" taken back to '"'), else the defaults."""
    declared = dialect.declared
    wanted = dialect.delimiter if "delimiter" in declared else _SNIFF_DELIMITERS
    try:
        cfg: Any = csv.Sniffer().sniff("".join(lines), wanted)
    except csv.Error:
        cfg = csv.excel
    changes: dict[str, Any] = {}
    if "delimiter" not in declared and cfg.delimiter:
        changes["delimiter"] = cfg.delimiter
    if "quoteChar" not in declared:
        changes["quote_char"] = '"' if cfg.quotechar in ("'", None) else cfg.quotechar
    if "skipInitialSpace" not in declared:
        changes["skip_initial_space"] = bool(cfg.skipinitialspace)
    if not changes:
        return dialect
    import dataclasses

    return dataclasses.replace(dialect, **changes)


def _python_dialect(d: Dialect) -> dict[str, Any]:
    """Keyword arguments for csv.reader, as frictionless' CsvControl.to_python builds them
    (doubleQuote only counts with an escapeChar)."""
    return dict(
        delimiter=d.delimiter,
        quotechar=d.quote_char,
        doublequote=d.double_quote if d.escape_char else True,
        escapechar=d.escape_char,
        skipinitialspace=d.skip_initial_space,
        quoting=csv.QUOTE_MINIMAL,
        strict=False,
    )


def _is_comment(d: Dialect, rowno: int, cells: list[str]) -> bool:
    if d.comment_char and cells and cells[0].startswith(d.comment_char):
        return True
    return rowno in d.comment_rows


def _header_rows(d: Dialect, lines: list[str], strict: bool) -> tuple[int, ...] | None:
    """The header's row numbers: as declared, or found as frictionless' detector finds them
    (the first row of about the sample's average width); None for no header."""
    if not d.header:
        return None
    if d.header_declared:
        return d.header_rows
    rows = []
    # under the policy a bare CR is no line end: the sample stops there (E115/E116 follow)
    reader = csv.reader(
        io.StringIO("".join(lines), newline="\n" if strict else ""), **_python_dialect(d)
    )
    try:
        for cells in reader:
            rows.append(cells)
            if len(rows) >= SAMPLE_LINES:
                break
    except csv.Error:
        pass
    if not rows:
        return (1,)
    widths = [len(c) for c in rows]
    width = round(sum(widths) / len(widths))
    drift = max(round(width * 0.1), 1)
    for rowno, cells in enumerate(rows, start=1):
        if _is_comment(d, rowno, cells):
            continue
        if width - drift <= len(cells) <= width + drift:
            return (rowno,)  # a blank one too: then there are no labels
    return (1,)


def _join_labels(lists: list[list[str]], join: str) -> list[str]:
    """Header labels from several header rows, as frictionless' Dialect.read_labels joins them."""
    labels: list[str] = []
    prev: dict[int, str] = {}
    for cells in lists:
        for i, cell in enumerate(cells):
            if prev.get(i) == cell:
                continue
            prev[i] = cell
            if len(labels) <= i:
                labels.append(cell)
            else:
                labels[i] = join.join([labels[i], cell])
    return labels


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
    if not _is_utf8(data):
        # Invalid bytes become U+FFFD; no newline is ever part of a bad sequence, so line
        # numbers are unchanged and the repaired text parses like any other file.
        text, bad = _decode_locating(data, start)
        for line in sorted({int(x) for x in _line_of(nl, np.asarray(bad, dtype=np.int64))}):
            marks.append(
                ("E104", line, "\ufffd", "bytes that are not valid UTF-8 (shown as U+FFFD)")
            )
        data, start = text.encode("utf-8"), 0
        arr = np.frombuffer(data, dtype=np.uint8)
        nl = find_all(arr, _NL)
    if strict and data.find(b"\x00", start) != -1:  # spec: a NUL is read as text
        nul = find_all(arr, 0)[:_MAX_LOCATED]
        for line in sorted({int(x) for x in _line_of(nl, nul)}):
            marks.append(("E105", line, "\x00", "a NUL byte"))
    lines = _sample_lines(data, start)
    eff = effective_dialect(lines, dialect)
    header_rows = _header_rows(eff, lines, strict)
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
                line = int(_line_of(nl, pos))
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
        quote_line = int(_line_of(nl, bad_quote[0])) if bad_quote and strict else None
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
        for r, pos in zip(recs.tolist(), lone[first].tolist()):
            emit("E115", line=int(_line_of(nl, pos)), message=_LONE_CR, row=r + 1)
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
    cols = list(zip(*fixed)) if fixed else [()] * ncol
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
    old_limit = csv.field_size_limit()
    csv.field_size_limit(ROW_LIMIT)
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
    try:
        # Under the project's policy a CR that is not a line end is an error (E115/E116);
        # the spec reading takes it for a line end, as frictionless' text stream does.
        newline = "\n" if opts.strict else ""
        reader = csv.reader(io.StringIO(text, newline=newline), **_python_dialect(d))
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
                if header_rows and record in header_rows and not _is_comment(d, record, row):
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
                # a blank header row gives no labels: frictionless then reads the fields
                # by position, one cell each, as without a header
                ncol = (
                    len(_join_labels([[c.strip() for c in r] for r in lists], d.header_join))
                    or opts.width
                    or 0
                )
            if _is_comment(d, record, row):
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
    finally:
        csv.field_size_limit(old_limit)

    if header_rows and not lists:
        emit("E102", line=1, message="the file is empty: no header line")
        return None
    labels = _join_labels([[c.strip() for c in r] for r in lists], d.header_join)
    raw = _join_labels(lists, d.header_join)
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


def rel_path(ts: TableSchema) -> str:
    """The table's resource path as the findings show it (a multipart resource's first part)."""
    return str(PurePosixPath(ts.path))  # schema.py admits only normalised relative paths


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
    try:
        src = read_source(root, ts)
    except SourceProblem as p:
        emit(p.code, path=p.path, line=p.line, message=p.message)
        return None, None
    rf = ts.source
    first = src.parts[0].path
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
        if not strict and used in ("utf-8", "utf-8-sig") and not _is_utf8(data):
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


def load_table(pkg: Package, td: TableData, out: Collector) -> bool:
    """Layer 1: read the file of ``td``'s table into it, report file and header defects, map
    columns to fields (by position, as frictionless does). True if the file was read
    cleanly: no error at this layer, every field a column."""
    ts = td.schema
    errors = 0

    def emit(code: str, *, path: str | None, line: int | None, message: str, **kw: Any) -> None:
        nonlocal errors
        errors += not code.startswith("W")
        if code == "E100":
            message = f"file not found (resource {ts.name!r})"
        out.one(code, table=ts.name, path=path, line=line, message=message, **kw)

    parsed, src = read_table_bytes(pkg.root, ts, emit, strict=out.strict, parse=parse_csv_bytes)
    if src is not None:
        src.data = b""  # parsed: only its parts are needed now, to locate rows
    if parsed is None:
        return False
    td.source = src

    def here(code: str, *, line: int | None, message: str, **kw: Any) -> None:
        path, own = src.locate(line)
        emit(code, path=path, line=own, message=message, **kw)

    names = ts.field_names
    headerless = parsed.info.get("headerless", False)
    labels = names if headerless else parsed.header
    if not headerless:
        _check_header(ts, parsed, here, strict=out.strict)
    ncol = parsed.data.num_columns
    td.readable = True
    td.n = parsed.data.num_rows
    td.lines = parsed.lines
    td.rows = parsed.rows
    for k, f in enumerate(ts.fields[:ncol]):
        td.raw[f.name] = parsed.data.column(str(k))
        td.colno[f.name] = k + 1
    if len(ts.primary_key) == 1 and ts.primary_key[0] in td.raw:
        td.keys = td.raw[ts.primary_key[0]]
    elif ts.primary_key and all(k in td.raw for k in ts.primary_key):
        td.keys = pc.binary_join_element_wise(*(td.raw[k] for k in ts.primary_key), "|")
    if ts.primary_key:
        for line, row in parsed.info.get("blanks", []):
            here(
                "E212",
                line=line,
                row=row,
                field=ts.primary_key[0],
                message="a blank row has no primary key value",
            )
    if parsed.short:
        by_col: dict[int, list[int]] = {}
        for i, c in sorted(parsed.short.items()):
            for k in range(c, ncol):
                by_col.setdefault(k, []).append(i)
        for k, idx in sorted(by_col.items()):
            name = names[k] if k < len(names) else (labels[k] or None)
            rows_idx = np.asarray(idx, dtype=np.int64)
            if name in td.raw:
                td.missing_cells[name] = rows_idx
            what = f"{name!r} (column {k + 1})" if name else f"column {k + 1}"
            out.rows(
                "E124",
                td,
                rows_idx,
                name,
                lambda v, x, what=what: f"the row has no cell for {what}: it is missing",
                column=k + 1,
            )
            errors += 1
    for i in range(ncol):
        col = parsed.data.column(str(i))
        if td.n and pc.max(pc.binary_length(col)).as_py() > CELL_LIMIT:
            big = np.flatnonzero(np_mask(pc.greater(pc.utf8_length(col), CELL_LIMIT)))
            h = names[i] if i < len(names) else None
            out.rows(
                "E114",
                td,
                big,
                h,
                lambda v, x: f"a cell of {len(v or ''):,} characters (limit {CELL_LIMIT:,})",
                column=i + 1,
            )
            errors += 1
    return errors == 0 and len(td.raw) == len(ts.fields)


def _check_header(ts: TableSchema, parsed: ParsedFile, emit: Emit, *, strict: bool) -> None:
    """The header labels against the fields, by position, as frictionless 5 compares them
    (labels trimmed; ``headerCase: false`` ignores case)."""
    names = ts.field_names
    labels = parsed.header
    line = parsed.header_line
    row = parsed.info.get("header_row")
    case = ts.dialect.header_case
    for i, (name, label) in enumerate(zip(names, labels)):
        if not label:
            emit(
                "E125",
                line=line,
                column=i + 1,
                field=name,
                row=row,
                message=f"column {i + 1} has no label; field {name!r} belongs there",
            )
        elif label in labels[:i]:
            emit(
                "E110",
                line=line,
                column=i + 1,
                field=name,
                value=label,
                row=row,
                message=f"column {label!r} appears again (first in column "
                f"{labels.index(label) + 1})",
            )
        elif (label != name) if case else (label.lower() != name.lower()):
            hint = (
                f"the columns must be in schema order: {','.join(names)}"
                if label in names
                else (lambda c: f"did you mean {c[0]!r}?" if c else None)(
                    difflib.get_close_matches(label, [name], n=1)
                )
            )
            emit(
                "E113",
                line=line,
                column=i + 1,
                field=name,
                value=label,
                row=row,
                hint=hint,
                message=f"column {i + 1} is {label!r} where field {name!r} belongs "
                "(columns are matched to fields by position)",
            )
    for i in range(len(names), len(labels)):
        close = difflib.get_close_matches(labels[i], names, n=1)
        emit(
            "E112",
            line=line,
            column=i + 1,
            value=labels[i],
            row=row,
            hint=f"did you mean {close[0]!r}?" if close else None,
            message=f"column {i + 1} {labels[i]!r} is beyond the {len(names)} fields of {ts.name}",
        )
    for k in range(len(labels), len(names)):
        emit(
            "E111",
            line=line,
            field=names[k],
            row=row,
            message=f"no column {names[k]!r} (column {k + 1}); the header must be: "
            f"{','.join(names)}",
        )
    if strict:
        for i, (raw, label) in enumerate(zip(parsed.raw_header, labels)):
            if raw != label:
                emit(
                    "E126",
                    line=line,
                    column=i + 1,
                    value=raw,
                    row=row,
                    message=f"the label {raw!r} has surrounding whitespace",
                )
