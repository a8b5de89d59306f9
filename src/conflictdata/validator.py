"""Validate a data package's CSV files against its Table Schemas: every problem, at once,
located by path:line:column.

Layers (see docs/findings.md for every code): 1 the file (encoding, quoting, cell counts,
header), 2 each field (type, required, enum, pattern, bounds, lengths, unique, primary key),
3 each row (the schemas' rowChecks), 4 across tables (foreign keys, acyclic self-references,
relationChecks), 5 lints (warnings). Everything about the data is a finding; only a descriptor
or schema that cannot be read raises :class:`~conflictdata.errors.DescriptorError`.
"""

from __future__ import annotations

import difflib
import os
import stat
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columnchecks import (
    Collector,
    TableData,
    check_fields,
    check_lints,
    check_rows,
    np_mask,
)
from .errors import DescriptorError
from .findings import Finding, Report
from .provenance import check_provenance
from .readcsv import CELL_LIMIT, parse_csv_bytes
from .relations import (
    check_cycles,
    check_foreign_keys,
    check_not_before,
    check_unused_sources,
    prepare_foreign_keys,
)
from .schema import Package, TableSchema, read_package

__all__ = ["validate", "Report", "Finding", "OnTable"]

#: ``on_table(schema, columns)``: see :func:`validate`.
OnTable = Callable[[TableSchema, dict[str, pa.ChunkedArray]], None]


def validate(
    descriptor: str | Path = "datapackage.json",
    *,
    sources_dir: str | Path | None = None,
    max_per_rule: int = 1000,
    on_table: OnTable | None = None,
) -> Report:
    """Check every table of the package; return a :class:`Report` of all findings.

    ``sources_dir``: a folder of ``<source_id>.txt`` texts; when given, each
    ``source_excerpt`` must occur in its source's text (E404). ``max_per_rule`` caps the
    findings listed per (table, code, field); the rest are counted in ``stats["suppressed"]``.

    ``on_table(schema, columns)``, when given, is called once for each table whose file was
    read cleanly (no file, header or cell-size error), from the thread that read it, before
    that table's checks: ``columns`` maps each field name, in schema order, to the string
    column the validator parsed (an empty cell is "", never null). They are the validator's
    own arrays, not copies: the build converts them instead of parsing the CSV again. An
    exception it raises ends the validation.
    """
    t0 = time.perf_counter()
    pkg = read_package(descriptor)
    if sources_dir is not None and not Path(sources_dir).is_dir():
        raise DescriptorError(f"--sources-dir {sources_dir} is not a folder")
    out = Collector(max_per_rule)

    def one_table(ts: TableSchema) -> TableData:
        td, clean = _load(pkg, ts, out)
        if clean and on_table is not None:
            on_table(ts, {f.name: td.raw[f.name] for f in ts.fields})
        if td.readable:
            check_fields(td, out)
            check_rows(td, out)
            check_lints(td, out)
        return td

    # Tables are independent until layer 4; Arrow and numpy release the GIL, so two threads
    # keep both cores busy (parsing one file while checking another). Biggest files first.
    order = sorted(pkg.tables.values(), key=lambda ts: -_size(pkg.root / ts.path))
    workers = max(1, min(len(order), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=workers) as ex:
        done = dict(zip((ts.name for ts in order), ex.map(one_table, order)))
    tds = {name: done[name] for name in pkg.tables}
    prepare_foreign_keys(tds, workers)
    check_foreign_keys(tds, out)
    check_cycles(tds, out)
    check_not_before(tds, out)
    check_unused_sources(tds, out)
    provenance: dict[str, Any] | None = None
    if sources_dir is not None:
        provenance = check_provenance(tds, Path(sources_dir), out)
    stats: dict[str, Any] = {
        "tables": {
            name: {"path": td.path, "rows": td.n, "read": td.readable}
            for name, td in tds.items()
        },
        "rows": sum(td.n for td in tds.values()),
        "seconds": round(time.perf_counter() - t0, 3),
        "suppressed": dict(out.suppressed),
    }
    if provenance is not None:
        stats["provenance"] = provenance
    return Report(out.findings, stats)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _rel_path(ts: TableSchema) -> str:
    return str(PurePosixPath(ts.path))  # schema.py admits only normalised relative paths


def _load(pkg: Package, ts: TableSchema, out: Collector) -> tuple[TableData, bool]:
    """Layer 1: read one resource, report file and header defects, map columns to fields.

    Also says whether the file was read cleanly: no error at this layer, every field a column.
    """
    rel = _rel_path(ts)
    td = TableData(schema=ts, path=rel)
    errors = 0

    def emit(code: str, *, line: int | None, message: str, **kw: Any) -> None:
        nonlocal errors
        errors += not code.startswith("W")
        out.one(code, table=ts.name, path=rel, line=line, message=message, **kw)

    file = pkg.root / ts.path  # confined to the package by schema.read_package
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a FIFO or device would block or flood
            emit("E101", line=None, message="not a regular file")
            return td, False
        with open(file, "rb") as fh:  # read-only: the seeds are never modified
            data = fh.read()
    except FileNotFoundError:
        emit("E100", line=None, message=f"file not found (resource {ts.name!r})")
        return td, False
    except OSError as exc:
        emit("E101", line=None, message=f"cannot read the file: {exc.strerror or exc}")
        return td, False
    parsed = parse_csv_bytes(data, emit)
    if parsed is None:
        return td, False
    _check_header(ts, parsed.header, parsed.header_line, emit)
    first: dict[str, int] = {}
    for i, h in enumerate(parsed.header):
        first.setdefault(h, i)
    td.readable = True
    td.n = parsed.data.num_rows
    td.lines = parsed.lines
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
    return td, errors == 0 and len(td.raw) == len(ts.fields)


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
