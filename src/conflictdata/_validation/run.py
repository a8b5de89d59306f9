"""Validate a data package's CSV files against its Table Schemas: every problem, at once,
located by path:line:column.

Layers (see docs/findings.md for every code): 1 the file (:mod:`.files`), 2 each field
(:mod:`.._checks.fields`), 3 each row (:mod:`.._checks.rows`), 4 across tables
(:mod:`.._checks.relations`, and with ``sources_dir`` :mod:`.provenance`), 5 lints
(:mod:`.lints`). Layer 0 is the descriptor itself (:mod:`.descriptor`): its metadata errors, as frictionless 5
finds them, are findings too, and every resource they leave whole is still validated. Only a
descriptor that cannot be read at all (not JSON, a path outside the package) or a feature
this validator does not read raises :class:`~conflictdata.errors.DescriptorError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa

from .._checks.fields import check_fields
from .._checks.relations import (
    check_cycles,
    check_foreign_keys,
    check_not_before,
    prepare_foreign_keys,
)
from .._checks.report import Report
from .._checks.rows import check_rows
from .._checks.table import Collector, TableData
from .._read.table import rel_path
from .._tableschema.model import POLICIES, Package, TableSchema
from .._tableschema.package import read_package
from ..errors import DescriptorError
from .causes import link_causes
from .descriptor import check_descriptor_findings
from .files import load_table
from .habits import with_habit_hints
from .identity import check_released_ids, next_free_id
from .lints import check_lints, check_unused_sources
from .provenance import check_provenance

__all__ = ["OnTable", "validate"]

#: The hook :func:`validate` calls once per cleanly read table, as
#: ``on_table(schema, columns)``: ``columns`` maps each field name, in schema order, to the
#: string column the validator parsed (an empty cell is "", never null). They are the
#: validator's own arrays, not copies, so the build converts them instead of parsing each CSV
#: again. It is called from the thread that read the table, before that table's checks. It may
#: return a callable, which is called after those checks and before the table's share of the
#: memory budget goes to another table: work the hook began in the background (the build
#: writes the table while it is checked) is waited for there. An exception either raises ends
#: the validation.
OnTable: TypeAlias = Callable[
    [TableSchema, dict[str, pa.ChunkedArray]], Callable[[], object] | None
]


def validate(
    descriptor: str | Path | Package = "datapackage.json",
    *,
    sources_dir: str | Path | None = None,
    max_per_rule: int = 1000,
    on_table: OnTable | None = None,
    policy: str | None = None,
    against: str | Path | None = None,
) -> Report:
    """Check every table of the package; return a :class:`Report` of all findings.

    ``descriptor``: the path of ``datapackage.json``, or a :class:`Package` already read
    from one (the build passes its own, so the descriptor is read once).

    ``sources_dir``: a folder of ``<source_id>.txt`` texts; when given, each
    ``source_excerpt`` must occur in its source's text (E404). ``max_per_rule`` caps the
    findings listed per (table, code, field); the rest are counted in ``stats["suppressed"]``.

    ``on_table`` (see :data:`OnTable`), when given, is called once for each table whose file
    was read cleanly: no file, header or cell-size error, every field a column.

    ``policy``: "strict" checks this project's policy rules on top of the spec (codes marked
    policy in docs/findings.md), "spec" only what Table Schema says; None (the default)
    takes what the descriptor declares (``"conflictdata": {"policy": "strict"}``).

    ``against``: a release folder; every ID it holds must still be in the seeds (E407) and
    keep its row (E408). ``conflictdata validate`` finds the newest release (see
    :func:`conflictdata._tools.against.release_to_compare`).
    """
    t0 = time.perf_counter()
    pkg = descriptor if isinstance(descriptor, Package) else read_package(descriptor, lenient=True)
    if against is not None and not Path(against).is_dir():
        raise DescriptorError(f"--against {against} is not a release folder")
    if sources_dir is not None and not Path(sources_dir).is_dir():
        raise DescriptorError(f"--sources-dir {sources_dir} is not a folder")
    policy = pkg.policy if policy is None else policy
    if policy not in POLICIES:
        raise DescriptorError(f"policy {policy!r} is not one of {', '.join(POLICIES)}")
    out = Collector(max_per_rule, strict=policy == "strict")
    check_descriptor_findings(pkg, out)

    later = None if against is not None or sources_dir is not None else _read_later(pkg)
    sizes = {ts.name: _size(pkg.root / ts.path) for ts in pkg.tables.values()}
    budget = _Budget(max(sizes.values(), default=0))

    def one_table(ts: TableSchema) -> TableData:
        with budget.room(sizes[ts.name]):
            td = TableData(schema=ts, path=rel_path(ts))
            clean = load_table(pkg, td, out)
            finish = None
            if clean and on_table is not None:
                finish = on_table(ts, {f.name: td.raw[f.name] for f in ts.fields})
            try:
                if td.readable:
                    check_fields(td, out)
                    check_rows(td, out)
                    check_lints(td, out)
            finally:
                if finish is not None:
                    finish()
            if later is not None:  # a row with a cell too many is told from its text later
                td.release(later.get(ts.name, set()), text=out.found("E108", ts.name))
        return td

    # Tables are independent until layer 4; Arrow and numpy release the GIL, so two threads
    # keep both cores busy on big files (parsing one while checking another); on small ones
    # a thread costs more memory than it saves time. Biggest files first, and never more
    # bytes at once than the biggest file: the peak is one table's.
    order = sorted(pkg.tables.values(), key=lambda ts: -sizes[ts.name])
    big = sum(size >= _THREADED_BYTES for size in sizes.values())
    workers = max(1, min(big, os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=workers) as ex:
        done = dict(zip((ts.name for ts in order), ex.map(one_table, order), strict=True))
    tds = {name: done[name] for name in pkg.tables}
    if any(ts.inferred for ts in pkg.tables.values()):  # the schemas inferred while reading
        pkg = dataclasses.replace(pkg, tables={n: td.schema for n, td in tds.items()})
    prepare_foreign_keys(tds, workers)
    check_foreign_keys(tds, out)
    check_cycles(tds, out)
    check_not_before(tds, out)
    check_unused_sources(tds, out)
    released_ids: dict[str, pa.Array] = {}
    released = (
        check_released_ids(tds, Path(against), out, released_ids) if against is not None else None
    )
    provenance: dict[str, Any] | None = None
    if sources_dir is not None:
        provenance = check_provenance(tds, Path(sources_dir), out)
    stats: dict[str, Any] = {
        "tables": {
            name: {"path": td.path, "rows": td.n, "read": td.readable} for name, td in tds.items()
        },
        "rows": sum(td.n for td in tds.values()),
        "seconds": round(time.perf_counter() - t0, 3),
        "suppressed": dict(out.suppressed),
    }
    if provenance is not None:
        stats["provenance"] = provenance
    if released is not None:
        stats["against"] = released
    stats["policy"] = policy
    next_ids = {
        name: nid
        for name, td in tds.items()
        if td.readable and (nid := next_free_id(td, released_ids.get(name)))
    }
    findings = link_causes(with_habit_hints(out.findings, pkg), tds, next_ids)
    return Report(findings, stats)


#: A table file this big is worth a thread of its own
_THREADED_BYTES = 16 << 20


def _read_later(pkg: Package) -> dict[str, set[str]]:
    """Per table, the fields a check across tables still reads once the table's own checks
    are done: its keys (primary, foreign, referenced) and the fields of its relation rules.
    Every other column is let go then (:meth:`TableData.release`)."""
    keep = {name: set(ts.primary_key) for name, ts in pkg.tables.items()}
    for ts in pkg.tables.values():
        for fk in ts.foreign_keys:
            keep[ts.name] |= set(fk.fields)
            keep.setdefault(fk.resource, set()).update(fk.reference_fields)
        for rule in ts.relation_rules:
            keep[ts.name] |= set(rule.fields)
            for fk in ts.foreign_keys:
                if fk.fields == (rule.foreign_key,):
                    keep.setdefault(fk.resource, set()).update(
                        n for n in (rule.start, rule.end) if n
                    )
    return keep


class _Budget:
    """Bytes of files being checked at once, at most ``limit`` (but always one table): with
    the biggest file first, a second thread takes a table only while both fit."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        self.cond = threading.Condition()

    @contextlib.contextmanager
    def room(self, size: int) -> Iterator[None]:
        with self.cond:
            self.cond.wait_for(lambda: self.used == 0 or self.used + size <= self.limit)
            self.used += size
        try:
            yield
        finally:
            with self.cond:
                self.used -= size
                self.cond.notify_all()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
