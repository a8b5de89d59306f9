"""The dialect and header rows frictionless 5 would find in a file's first lines."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from .._tableschema.model import Dialect

if TYPE_CHECKING:  # pragma: no cover
    pass


#: frictionless sniffs the dialect from this many lines and finds the header in this many rows
SAMPLE_LINES = 100

#: ... but never from more bytes than this (see :func:`sample_lines`)
SAMPLE_BYTES = 1 << 16

_SNIFF_DELIMITERS = ",\t;|"


def sample_lines(data: bytes, start: int) -> list[str]:
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


def python_dialect(d: Dialect) -> dict[str, Any]:
    """Keyword arguments for csv.reader, as frictionless' CsvControl.to_python builds them
    (doubleQuote only counts with an escapeChar)."""
    return {
        "delimiter": d.delimiter,
        "quotechar": d.quote_char,
        "doublequote": d.double_quote if d.escape_char else True,
        "escapechar": d.escape_char,
        "skipinitialspace": d.skip_initial_space,
        "quoting": csv.QUOTE_MINIMAL,
        "strict": False,
    }


def is_comment(d: Dialect, rowno: int, cells: list[str]) -> bool:
    if d.comment_char and cells and cells[0].startswith(d.comment_char):
        return True
    return rowno in d.comment_rows


def find_header_rows(d: Dialect, lines: list[str], strict: bool) -> tuple[int, ...] | None:
    """The header's row numbers: as declared, or found as frictionless' detector finds them
    (the first row of about the sample's average width); None for no header."""
    if not d.header:
        return None
    if d.header_declared:
        return d.header_rows
    rows = []
    # under the policy a bare CR is no line end: the sample stops there (E115/E116 follow)
    reader = csv.reader(
        io.StringIO("".join(lines), newline="\n" if strict else ""), **python_dialect(d)
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
        if is_comment(d, rowno, cells):
            continue
        if width - drift <= len(cells) <= width + drift:
            return (rowno,)  # a blank one too: then there are no labels
    return (1,)


def join_labels(lists: list[list[str]], join: str) -> list[str]:
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
