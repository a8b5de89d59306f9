"""``conflictdata fix``: the seeds rewritten in place to the canonical form the validator's hints
describe, and nothing else.

The canonical form: UTF-8 without a byte order mark, LF line ends, every cell (and header
label) in Unicode NFC with no surrounding whitespace, a cell quoted only when it holds the
delimiter, a quote or a line break, one final newline. A file that is not UTF-8 is read in
the encoding named (by default cp1252, what Excel's "CSV (Comma delimited)" writes, which
also reads latin-1 text) and written as UTF-8. A value's meaning never changes: dates and
numbers a spreadsheet reformatted stay as they are (the validator reports them), no row is
dropped or moved, and fixing a fixed file changes nothing. A file whose rows the reader
cannot take apart with certainty (a wrong cell count, a stray quote or carriage return, a
blank row among the rows) is left as it is, with the reason.

Files are parsed by the validator's own reader (:mod:`conflictdata._read`); the cells are
made canonical and written back with vectorised Arrow string operations.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._read.csv import BOM, is_utf8, parse_csv_bytes
from .._read.sniff import effective_dialect, find_header_rows, sample_lines
from .._read.source import SourceProblem, read_source
from .._read.table import rel_path
from .._tableschema.model import Package, TableSchema
from .._tableschema.package import read_package
from .._types.kernels import edge_candidates, non_nfc_candidates, np_mask, take_rows
from .._util.fs import write_text_atomic
from .._util.text import safe_line, visible
from ..errors import UnsupportedFeatureError

__all__ = ["DEFAULT_ENCODING", "FileFix", "fix_package", "fix_text"]

#: What a file that is not UTF-8 is read as unless ``encoding`` names another: Windows-1252,
#: what Excel's "CSV (Comma delimited)" writes; it reads latin-1 text the same way.
DEFAULT_ENCODING = "cp1252"

#: Structural findings of the reader after which the cells of a row are not known for sure:
#: the file is left as it is.
_BLOCKING = {
    "E102": "the file has no header line",
    "E106": "a quoted cell is never closed",
    "E107": "a quote is out of place",
    "E108": "a row has more cells than the header",
    "E115": "a carriage return stands alone inside a row",
    "E116": "the line ends are bare carriage returns mixed with line feeds",
    "E117": "the header is too large to be a header",
    "E118": "a row is too large to be read",
}

#: Line numbers listed per kind of change; the rest are counted.
_LINES_SHOWN = 12
#: Characters a transcoding made, listed so a person sees at once if the guess was wrong.
_CHARS_SHOWN = 20
#: Lines of ``--diff`` output per file; the rest are counted.
DIFF_LINES = 2000

_UTF_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CR_BEFORE_LF = re.compile(rb"\r+\n")


@dataclass(frozen=True)
class FileFix:
    """What ``fix`` did (or, under ``--check``, would do) to one file."""

    path: str
    #: one line per kind of change, in the order they were made
    changes: tuple[str, ...] = ()
    #: why the file is left as it is (None: it was made canonical, or already was)
    blocked: str | None = None
    #: the canonical bytes, UTF-8 (None when blocked)
    data: bytes | None = field(default=None, repr=False)
    #: the file's bytes as read, and the encoding it was read in, for ``--diff``
    raw: bytes | None = field(default=None, repr=False)
    encoding: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str | None:
        """The canonical text (None when blocked)."""
        return None if self.data is None else self.data.decode("utf-8")

    @property
    def before(self) -> str | None:
        """The file's text as read: a BOM and CRs kept (a diff shows them as escapes)."""
        return None if self.raw is None else _shown_before(self.raw, self.encoding)

    @property
    def changed(self) -> bool:
        return bool(self.changes) and self.blocked is None

    def diff(self, limit: int = DIFF_LINES) -> str:
        """A unified diff of the file as read and as fixed, every line shown with
        :func:`visible` (a removed BOM or CR shows as ``\\ufeff`` or ``\\r``)."""
        before, after = self.before, self.text
        if not self.changed or before is None or after is None:
            return ""
        lines = list(
            difflib.unified_diff(
                _diff_lines(before),
                _diff_lines(after),
                fromfile=f"a/{visible(self.path)}",
                tofile=f"b/{visible(self.path)}",
                lineterm="",
            )
        )
        more = len(lines) - limit
        shown = lines[:limit] + ([f"… {more:,} more lines of diff not shown"] if more > 0 else [])
        return "\n".join(shown) + "\n"


def _diff_lines(text: str) -> list[str]:
    """Lines of ``text`` for a diff, shown with :func:`visible`; a last line with no newline
    after it says so."""
    lines = [safe_line(x) for x in text.split("\n")]
    if lines[-1] == "":
        return lines[:-1]
    lines[-1] += "  (no newline at the end of the file)"
    return lines


def _cells(n: int) -> str:
    return f"{n:,} cell{'s' * (n != 1)}"


class _Blocked(Exception):
    """The file cannot be made canonical without guessing: the message says why."""


def _lines(numbers: np.ndarray | list[int]) -> str:
    """``lines 3, 5, 9`` (the first few of many, with the count)."""
    uniq = np.unique(np.asarray(numbers, dtype=np.int64))
    shown = ", ".join(str(int(n)) for n in uniq[:_LINES_SHOWN])
    word = "line" if len(uniq) == 1 else "lines"
    more = f", … ({len(uniq):,} lines)" if len(uniq) > _LINES_SHOWN else ""
    return f"{word} {shown}{more}"


def _high_byte_lines(raw: bytes) -> np.ndarray:
    """The physical lines holding a byte >= 0x80: those a transcoding changes."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(arr >= 0x80)
    newlines = np.flatnonzero(arr == 10)
    return np.searchsorted(newlines, high, side="left") + 1


def _decode(raw: bytes, encoding: str | None, changes: list[str]) -> bytes:
    """The file's bytes as UTF-8: a BOM removed, UTF-16/32 by its BOM, else from ``encoding``
    when they are not UTF-8."""
    for bom, name in _UTF_BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                raise _Blocked(f"it starts like {name} but is not ({exc.reason})") from None
            changes.append(f"transcoded from {name} to UTF-8 (the whole file)")
            return text.encode("utf-8", "surrogatepass")
    body = raw[len(BOM) :] if raw.startswith(BOM) else raw
    if body is not raw:
        changes.append('removed the byte order mark (Excel\'s "CSV UTF-8" writes one)')
    if is_utf8(body):
        return body
    enc = encoding or DEFAULT_ENCODING
    try:
        text = body.decode(enc)
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise _Blocked(
            f"it is not UTF-8, and not {enc} either (byte 0x{body[exc.start]:02x} on line "
            f"{line}): name its encoding with --encoding"
        ) from None
    what = (
        ' (Excel\'s "CSV (Comma delimited)" writes it)'
        if codecs.lookup(enc).name == "cp1252"
        else ""
    )
    shown = sorted({c for c in text if ord(c) > 0x7F})
    sample = " ".join(shown[:_CHARS_SHOWN]) + (" …" if len(shown) > _CHARS_SHOWN else "")
    changes.append(
        f"transcoded from {enc}{what} to UTF-8: {_lines(_high_byte_lines(body))} changed; "
        f"characters now: {sample} (if they look wrong, name the encoding with --encoding)"
    )
    return text.encode("utf-8", "surrogatepass")


def _line_ends(data: bytes, changes: list[str]) -> bytes:
    """LF line ends: CRLF (and CRs before an LF) made LF, a file of bare CRs made LF."""
    if b"\r" not in data:
        return data
    if b"\n" not in data:
        crs = data.count(b"\r")
        changes.append(f"line ends: bare CR -> LF ({crs:,} lines)")
        return data.replace(b"\r", b"\n")
    n = data.count(b"\r\n")
    if n == data.count(b"\r"):  # CR only before LF: the common case, without a regex
        fixed = data.replace(b"\r\n", b"\n")
    else:
        fixed, n = _CR_BEFORE_LF.subn(b"\n", data)
    if n:
        changes.append(f"line ends: CRLF -> LF ({n:,} lines)")
    return fixed


def _check_resource(ts: TableSchema) -> None:
    """UnsupportedFeatureError for a resource ``fix`` cannot rewrite exactly: compressed,
    multipart, declared in another encoding, or a dialect beyond delimiter and quotes."""
    rf = ts.source
    if rf is not None:
        if rf.multipart or rf.compression:
            raise UnsupportedFeatureError(
                "multipart" if rf.multipart else "compression",
                rf.compression,
                resource=ts.name,
                why="fix rewrites plain CSV files",
            )
        if rf.encoding not in (None, "utf-8", "utf-8-sig"):
            raise UnsupportedFeatureError(
                "encoding",
                rf.encoding,
                resource=ts.name,
                why="fix writes UTF-8; the resource declares another encoding",
            )
    d = ts.dialect
    if (
        not d.header
        or d.escape_char
        or d.comment_char
        or d.comment_rows
        or d.skip_blank_rows
        or d.quote_char != '"'
        or ("headerRows" in d.declared and d.header_rows != (1,))
    ):
        raise UnsupportedFeatureError(
            "dialect",
            None,
            resource=ts.name,
            why="fix rewrites files with one header row, '\"' quotes and no escape or "
            "comment characters",
        )


def _sniffed_delimiter(ts: TableSchema, data: bytes) -> str:
    """The delimiter the reader finds in ``text`` (as frictionless sniffs it); the file is
    left alone when its quoting or header row is not the one ``fix`` writes."""
    lines = sample_lines(data, 0)
    eff = effective_dialect(lines, ts.dialect)
    if eff.quote_char != '"' or eff.escape_char:
        raise _Blocked("its quoting is not '\"' doubled: fix does not guess another")
    if find_header_rows(eff, lines, True) != (1,):
        raise _Blocked("its header is not on line 1 (lines above it would be lost)")
    return eff.delimiter


def _patch(col: pa.ChunkedArray, rows: np.ndarray, values: pa.Array) -> pa.ChunkedArray:
    """``col`` with the cells at ``rows`` (sorted, distinct) replaced by ``values``."""
    where = np.full(len(col), -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    picked = pc.take(values, pa.array(where, mask=where < 0))
    return pa.chunked_array([pc.coalesce(picked, col.combine_chunks())])


def _settled(sub: pa.Array) -> pa.Array:
    """NFC and surrounding whitespace trimmed, until neither changes anything."""
    out = sub
    for _ in range(4):
        nxt = pc.utf8_trim_whitespace(pc.utf8_normalize(out, "NFC"))
        if pc.all(pc.equal(nxt, out)).as_py() is not False:
            return nxt
        out = nxt
    return out  # pragma: no cover - NFC and trimming settle in one or two rounds


def _canonical(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray, np.ndarray]:
    """The column made NFC and trimmed, and the rows NFC changed and trimming changed. Only
    the cells that could change are looked at: those holding a character NFC may change
    and those starting or ending with a byte that may begin whitespace (the validator's own
    candidates for W502 and W501)."""
    none = np.zeros(0, dtype=np.int64)
    nfc_cand = non_nfc_candidates(col) if not pc.all(pc.string_is_ascii(col)).as_py() else none
    cand = np.union1d(nfc_cand, edge_candidates(col)).astype(np.int64)
    if not len(cand):
        return col, none, none
    sub = take_rows(col, cand)
    new = _settled(sub)
    changed = np_mask(pc.not_equal(new, sub))
    if not changed.any():
        return col, none, none
    nfc = pc.utf8_normalize(sub, "NFC")
    nfc_rows = cand[changed & np_mask(pc.not_equal(nfc, sub))]
    trim_rows = cand[changed & np_mask(pc.not_equal(new, nfc))]
    return _patch(col, cand[changed], new.filter(pa.array(changed))), nfc_rows, trim_rows


def _quoted(col: pa.ChunkedArray, delimiter: str, quote_empty: bool) -> pa.ChunkedArray:
    """Each cell as written: quoted (quotes doubled) only when it holds the delimiter, a
    quote or a line break, or is empty in a one-column table (else it reads as blank)."""
    rows = _rows_holding(col, f'{delimiter}"\n\r'.encode())
    if quote_empty:
        rows = np.union1d(rows, np.flatnonzero(np_mask(pc.equal(pc.binary_length(col), 0))))
    if not len(rows):
        return col
    sub = take_rows(col, rows)
    wrapped = pc.binary_join_element_wise('"', pc.replace_substring(sub, '"', '""'), '"', "")
    return _patch(col, rows, wrapped)


def _rows_holding(col: pa.ChunkedArray, chars: bytes) -> np.ndarray:
    """The rows whose cell holds one of the ASCII ``chars``: one table lookup over the
    column's UTF-8 bytes (an ASCII byte is never part of another character)."""
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    found, base = [], 0
    for chunk in col.chunks:
        n = len(chunk)
        _, offsets, values = chunk.buffers()
        if n and values is not None:
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset : chunk.offset + n + 1]
            data = np.frombuffer(values, dtype=np.uint8)[off[0] : off[-1]]
            at = np.flatnonzero(table[data])
            if len(at):
                rows = np.searchsorted(off - off[0], at, side="right") - 1
                found.append(np.unique(rows) + base)
        base += n
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _join(columns: list[pa.ChunkedArray], delimiter: str) -> bytes:
    """Rows joined from their cells, each ending in LF, as UTF-8 bytes."""
    rows = pc.binary_join_element_wise(*columns, delimiter) if len(columns) > 1 else columns[0]
    parts = []
    for chunk in rows.chunks:
        if not len(chunk):
            continue
        chunk = chunk.cast(pa.large_string())
        whole = pa.LargeListArray.from_arrays(pa.array([0, len(chunk)], pa.int64()), chunk)
        parts.append(
            pc.binary_join(whole, pa.scalar("\n", pa.large_string()))[0].as_buffer().to_pybytes()
        )
        parts.append(b"\n")
    return b"".join(parts)


def _header(labels: list[str], delimiter: str) -> bytes:
    cols = [pa.chunked_array([pa.array([label], pa.string())]) for label in labels]
    return _join([_quoted(c, delimiter, len(cols) == 1) for c in cols], delimiter)


def fix_text(
    raw: bytes, ts: TableSchema, *, encoding: str | None = None, path: str = ""
) -> FileFix:
    """``raw``, the bytes of the file of table ``ts``, made canonical (see the module)."""
    changes: list[str] = []
    path = path or rel_path(ts)
    try:
        data = _line_ends(_decode(raw, encoding, changes), changes)
        sniffed = _sniffed_delimiter(ts, data)
        parsed = _parse(data, ts)
        delimiter = ts.dialect.delimiter
        if sniffed != delimiter:
            if len(parsed.header) != len(ts.fields):
                raise _Blocked(
                    f"read with the delimiter {sniffed!r} it has {len(parsed.header)} columns, "
                    f"where the schema has {len(ts.fields)}: fix does not guess the delimiter"
                )
            changes.append(f"delimiter {sniffed!r} -> {delimiter!r}")
        last = int(parsed.lines[-1]) if len(parsed.lines) else parsed.header_line
        blanks = [line for line, _ in parsed.info.get("blanks", [])]
        ncol = parsed.data.num_columns
        raw_cols = [parsed.data.column(k) for k in range(ncol)]
        done = [_canonical(c) for c in raw_cols]
        new_cols = [c for c, _, _ in done]
        _no_row_trimmed_away(parsed, new_cols)
    except _Blocked as why:
        return FileFix(path, blocked=str(why), raw=raw, encoding=encoding)

    labels = list(parsed.raw_header)
    new_labels = [
        pc.utf8_trim_whitespace(pc.utf8_normalize(pa.scalar(x), "NFC")).as_py() for x in labels
    ]
    body = _join([_quoted(c, delimiter, ncol == 1) for c in new_cols], delimiter) if ncol else b""
    out = _header(new_labels, delimiter) + body

    if new_labels != labels:
        changes.append(f"header labels: whitespace trimmed or NFC (line {parsed.header_line})")
    none = np.zeros(0, dtype=np.int64)
    nfc_at = np.concatenate([n for _, n, _ in done]) if done else none
    trim_at = np.concatenate([t for _, _, t in done]) if done else none
    if len(nfc_at):
        changes.append(f"Unicode NFC: {_cells(len(nfc_at))} on {_lines(parsed.lines[nfc_at])}")
    if len(trim_at):
        changes.append(
            f"surrounding whitespace trimmed: {_cells(len(trim_at))} on "
            f"{_lines(parsed.lines[trim_at])}"
        )
    trailing = [line for line in blanks if line > last]
    if trailing:
        changes.append(f"removed {len(trailing)} blank line(s) at the end")
    elif not data.endswith(b"\n"):
        changes.append("added the final newline")
    seen = data.rstrip(b"\n") + b"\n" if trailing or not data.endswith(b"\n") else data
    if sniffed == delimiter and out != seen:
        same_cells = not len(nfc_at) and not len(trim_at) and new_labels == labels
        ref = out if same_cells else _rejoined(labels, raw_cols, delimiter)
        requoted = _differing_lines(ref, seen)
        if len(requoted):
            changes.append(
                "quoting made canonical (quotes only where a cell needs them): " + _lines(requoted)
            )
    if out == raw:
        changes = []
    elif not changes:  # pragma: no cover - every difference has a name above
        changes.append("rewritten in canonical form")
    return FileFix(path, tuple(changes), data=out, raw=raw, encoding=encoding)


def _parse(data: bytes, ts: TableSchema) -> Any:
    """The validator's parse of ``data``; _Blocked when a row's cells are not certain."""
    findings: list[tuple[str, dict[str, Any]]] = []
    parsed = parse_csv_bytes(
        data,
        lambda code, **kw: findings.append((code, kw)),
        strict=True,
        dialect=ts.dialect,
        missing=ts.missing_values,
        nfields=len(ts.fields),
    )
    for code, kw in findings:
        if code in _BLOCKING:
            where = f" (line {kw['line']})" if kw.get("line") else ""
            raise _Blocked(
                f"{_BLOCKING[code]}{where}, {code}: correct it first (`conflictdata "
                "validate` shows it), then run fix again"
            )
    if parsed is None:  # pragma: no cover - E102 blocks above
        raise _Blocked(_BLOCKING["E102"])
    if parsed.info.get("headerless"):
        raise _Blocked("it has no header row")
    if parsed.short:
        i = min(parsed.short)
        raise _Blocked(
            f"a row has fewer cells than the header (line {int(parsed.lines[i])}), E124: "
            "correct it first (`conflictdata validate` shows it), then run fix again"
        )
    last = int(parsed.lines[-1]) if len(parsed.lines) else parsed.header_line
    inside = [line for line, _ in parsed.info.get("blanks", []) if line < last]
    if inside:
        raise _Blocked(
            f"a blank row among the rows ({_lines(inside)}), E109: delete it or fill it in, "
            "then run fix again"
        )
    return parsed


def _no_row_trimmed_away(parsed: Any, cols: list[pa.ChunkedArray]) -> None:
    """_Blocked when trimming would leave a row of only empty cells: a blank row."""
    if not cols or not len(parsed.lines):
        return
    emptied = np.ones(len(parsed.lines), dtype=bool)
    for c in cols:
        emptied &= np_mask(pc.equal(pc.binary_length(c), 0))
        if not emptied.any():
            return
    raise _Blocked(
        f"only whitespace on {_lines(parsed.lines[emptied])}: trimmed, a blank row; delete "
        "the row or fill it in, then run fix again"
    )


def _rejoined(labels: list[str], cols: list[pa.ChunkedArray], delimiter: str) -> bytes:
    """The cells as read, not made canonical, written with canonical quoting."""
    body = _join([_quoted(c, delimiter, len(cols) == 1) for c in cols], delimiter)
    return _header(labels, delimiter) + (body if cols else b"")


def _differing_lines(a: bytes, b: bytes) -> np.ndarray:
    """The 1-based physical lines in which ``a`` and ``b`` differ (same number of lines)."""
    split = [
        pc.list_flatten(pc.split_pattern(pa.array([x], pa.large_binary()), b"\n")) for x in (a, b)
    ]
    if len(split[0]) != len(split[1]):  # pragma: no cover - the cells hold the same breaks
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np_mask(pc.not_equal(split[0], split[1]))) + 1


def _shown_before(raw: bytes, encoding: str | None) -> str:
    """The file as read, for the diff: a BOM and CRs kept (they show as escapes)."""
    for bom, name in _UTF_BOMS:
        if raw.startswith(bom):
            return raw.decode(name, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(encoding or DEFAULT_ENCODING, "replace")


def fix_package(
    descriptor: str | Path | Package = "datapackage.json",
    *,
    encoding: str | None = None,
    write: bool = True,
) -> list[FileFix]:
    """Every table's file made canonical (see the module); with ``write`` each changed file
    is replaced atomically (a temporary file renamed into place), else nothing is written.

    ``encoding``: what a file that is not UTF-8 is read as (default :data:`DEFAULT_ENCODING`).
    A resource fix cannot rewrite exactly (compressed, multipart, declared in another
    encoding or dialect) stops the run with :class:`UnsupportedFeatureError` before any
    file is written.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UnsupportedFeatureError(
                "encoding", encoding, why="not an encoding Python knows, e.g. cp1252, latin-1"
            ) from None
    pkg = descriptor if isinstance(descriptor, Package) else read_package(descriptor)
    for ts in pkg.tables.values():
        _check_resource(ts)

    def one(ts: TableSchema) -> FileFix:
        path = rel_path(ts)
        try:
            raw = read_source(pkg.root, ts).data
        except SourceProblem as p:
            return FileFix(path, blocked=f"{p.message} ({p.code})")
        return fix_text(raw, ts, encoding=encoding, path=path)

    # As the validator does: Arrow and numpy release the GIL, so two threads keep both
    # cores busy; files are written only once every one was read and fixed.
    tables = list(pkg.tables.values())
    with ThreadPoolExecutor(max_workers=max(1, min(len(tables), os.cpu_count() or 1, 4))) as ex:
        results = list(ex.map(one, tables))
    if write:
        for ts, result in zip(tables, results, strict=True):
            if result.changed and result.text is not None:
                write_text_atomic((pkg.root / ts.path).resolve(), result.text)
    return results
