"""Layer 1, the file: a resource read through :mod:`conflictdata._read` into the table the
checks see, its structure and header checked against the schema."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.compute as pc

from .._tableschema.model import Package, TableSchema
from .._types.kernels import np_mask

if TYPE_CHECKING:  # pragma: no cover
    from .._checks.table import Collector, TableData
from .._read.csv import Emit, ParsedFile, parse_csv_bytes
from .._read.limits import CELL_LIMIT
from .._read.table import read_table_bytes, rel_path
from .._tableschema.tables import table_schema_from_dict
from .infer import SAMPLE_SIZE, infer_fields


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

    inferred: list[dict[str, Any]] = []

    def parse(data: bytes, at: Emit, **kw: Any) -> ParsedFile | None:
        """The parse, and for a table without a schema the fields frictionless infers."""
        if not ts.inferred:
            return parse_csv_bytes(data, at, **kw)
        held: list[tuple[str, dict[str, Any]]] = []
        got = parse_csv_bytes(data, lambda code, **f: held.append((code, f)), **kw)
        if got is not None:
            headerless = got.info.get("headerless", False)  # no header, or a blank one
            fields = infer_fields(data, ts.dialect, [] if headerless else got.header)
            inferred.extend(fields)
            if fields and headerless:  # the row width is the number of fields
                return parse_csv_bytes(data, at, **{**kw, "nfields": len(fields)})
        for code, f in held:
            at(code, **f)
        return got

    parsed, src = read_table_bytes(pkg.root, ts, emit, strict=out.strict, parse=parse)
    if ts.inferred and inferred:
        ts = td.schema = _with_fields(ts, inferred)
        shown = ", ".join(f"{f['name']} ({f['type']})" for f in inferred[:20])
        more = f", and {len(inferred) - 20} more" if len(inferred) > 20 else ""
        emit(
            "W004",
            path=rel_path(ts),
            line=None,
            message=f"no schema: inferred from the first {SAMPLE_SIZE} rows as frictionless "
            f"infers it: {shown}{more}",
        )
    if src is not None:
        if out.strict and parsed is not None:
            _check_crlf(src, ts.name, emit)
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

            def message(v: str | None, x: dict[str, Any], what: str = what) -> str:
                return f"the row has no cell for {what}: it is missing"

            out.rows("E124", td, rows_idx, name, message, column=k + 1)
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


def _with_fields(ts: TableSchema, fields: list[dict[str, Any]]) -> TableSchema:
    """The table of a resource without a schema, with the fields inferred for it."""
    import dataclasses

    read = table_schema_from_dict(ts.name, ts.path, {"fields": fields})
    return dataclasses.replace(ts, fields=read.fields)


def _check_crlf(src: Any, table: str, emit: Callable[..., None]) -> None:
    """W507, once per file: line ends written as CR LF (policy: the canonical form is LF)."""
    first = src.data.find(b"\r\n")
    if first < 0:
        return
    crlf, lines = src.data.count(b"\r\n"), src.data.count(b"\n")
    path, line = src.locate(src.data.count(b"\n", 0, first) + 1)
    emit(
        "W507",
        path=path,
        line=line,
        message=f"{crlf:,} of {lines:,} line ends are CR LF (Windows), not LF",
    )


def _check_header(ts: TableSchema, parsed: ParsedFile, emit: Emit, *, strict: bool) -> None:
    """The header labels against the fields, by position, as frictionless 5 compares them
    (labels trimmed; ``headerCase: false`` ignores case)."""
    names = ts.field_names
    labels = parsed.header
    line = parsed.header_line
    row = parsed.info.get("header_row")
    case = ts.dialect.header_case
    # the columns beyond the shorter of the two are the E112 and E111 below
    for i, (name, label) in enumerate(zip(names, labels, strict=False)):
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
        for i, (raw, label) in enumerate(zip(parsed.raw_header, labels, strict=True)):
            if raw != label:
                emit(
                    "E126",
                    line=line,
                    column=i + 1,
                    value=raw,
                    row=row,
                    message=f"the label {raw!r} has surrounding whitespace",
                )
