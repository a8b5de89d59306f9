"""Validate DataFrames in memory against the schemas: the field, row and cross-table layers
of the CSV validator — the same checks, run on each frame as a
:class:`~conflictdata._frames.adapter.FrameData` — reported as its own
:class:`~conflictdata._checks.report.Report`.

Frames may come straight from :func:`conflictdata.load` or be built by hand: a column of
another dtype is read the way its CSV text would be (cells that are not a value of the
field's type are E202/E203 findings), missing and unexpected columns are E111/E112.
Foreign keys are checked between the given frames, and into the release's other tables
where a frame is not given. pandera is not needed here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.fields import check_fields, check_type, read_types
from .._checks.findings import Finding
from .._checks.relations import (
    check_cycles,
    check_foreign_keys,
    check_not_before,
    prepare_foreign_keys,
)
from .._checks.report import Report
from .._checks.rows import check_rows
from .._checks.table import Collector, TableData
from .._tableschema.dtypes import to_pandas
from .._tableschema.model import POLICIES, Package, TableSchema
from .._types.kernels import take_rows
from .._types.spec import Read
from ..errors import DescriptorError, UnknownTableError
from .adapter import FrameData, without_blank_rows

__all__ = ["RELEASE_POLICY", "check_columns", "conform", "validate_frames"]

#: The policy frames are held to when their schemas come from a release: its descriptor
#: does not record the one its seeds were validated under, and this dataset's is strict.
RELEASE_POLICY = "strict"


def check_columns(table: TableSchema, df: pd.DataFrame, out: Collector) -> None:
    """The frame's columns against the fields: a column twice (E110), one that is not a
    field (E112), a field with no column (E111)."""
    names = table.field_names
    cols = [str(c) for c in df.columns]

    def one(code: str, name: str | None, message: str, **kw: object) -> None:
        column = names.index(name) + 1 if name in names else None
        out.one(
            code,
            table=table.name,
            path=table.name,
            line=None,
            column=column,
            field=name,
            message=message,
            **kw,
        )

    seen: set[str] = set()
    for c in cols:
        if c in seen:
            one(
                "E110",
                c if c in names else None,
                f"column {c!r} appears again (the first one is checked)",
                value=c,
            )
        seen.add(c)
    for c in dict.fromkeys(cols):
        if c not in names:
            one("E112", None, f"column {c!r} is not a field of {table.name}", value=c)
    for n in names:
        if n not in cols:
            one("E111", n, f"no column {n!r}; the frame needs: {','.join(names)}")


class ReleaseTables(Protocol):
    """Where tables without a frame are read from (a release the loader opened)."""

    def read_arrow(self, name: str) -> pa.Table: ...


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    package: Package,
    *,
    release: ReleaseTables | None = None,
    max_per_rule: int = 1000,
    policy: str | None = None,
) -> Report:
    """Check DataFrames by table name against the schemas: every field constraint, the
    primary key, every rowChecks rule, foreign keys (between the given frames, and into the
    release's other tables where a frame is missing), cycles and notBefore — the CSV
    validator's layers 2-4, its very checks, codes, fields, keys and messages (``line`` is
    empty; ``column`` is the field's position in the schema).

    ``package``: the schemas that apply; ``release``: where the tables without a frame are
    read from for foreign keys (None: they are not checked against). ``policy``: as
    :func:`~conflictdata._validation.run.validate` (None: the package's).

    >>> report = conflictdata.tools.validate_frames({"events": df})
    >>> print(report.format_text())
    """
    t0 = time.perf_counter()
    pkg = package
    for name in frames:
        if name not in pkg.tables:
            raise UnknownTableError(
                f"no table {name!r} in {pkg.name} {pkg.version}; tables "
                f"are: {', '.join(pkg.tables)}"
            )
    policy = pkg.policy if policy is None else policy
    if policy not in POLICIES:
        raise DescriptorError(f"policy {policy!r} is not one of {', '.join(POLICIES)}")
    out = Collector(max_per_rule, strict=policy == "strict")
    tds: dict[str, TableData] = {}
    for name, df in frames.items():
        table = pkg.tables[name]
        check_columns(table, df, out)
        td = without_blank_rows(FrameData(table, df), out)
        check_fields(td, out)
        check_rows(td, out)
        tds[name] = td
    references: dict[str, str] = {}
    for name in frames:
        for fk in pkg.tables[name].foreign_keys:
            r = fk.resource
            if r in tds or r in references:
                continue
            references[r] = "not checked"
            if release is not None:
                table = pkg.tables[r]
                ref = FrameData(table, to_pandas(release.read_arrow(r), table))
                read_types(ref)
                tds[r] = ref
                references[r] = "release"
    prepare_foreign_keys(tds, 1, frames)
    check_foreign_keys(tds, out, frames)
    check_cycles(tds, out, frames)
    check_not_before(tds, out, frames)
    stats = {
        "tables": {name: {"rows": tds[name].n, "read": True} for name in frames},
        "rows": sum(tds[name].n for name in frames),
        "references": references,
        "seconds": round(time.perf_counter() - t0, 3),
        "suppressed": dict(out.suppressed),
    }
    return Report(out.findings, stats)


def conform(
    table: TableSchema, df: pd.DataFrame
) -> tuple[pd.DataFrame, list[Finding], dict[str, dict[int, str]]]:
    """``df`` with each schema column in its loaded dtype (string enums stay text), read by
    its field's type as :func:`validate_frames` reads it; the findings of reading it so
    (missing or unexpected columns, cells not of the type: E111, E112, E202, E203), and per
    field the text of the cells that were not values (row -> text): a typed frame built
    from text, for tests and benchmarks."""
    out = Collector(limit=1 << 62)
    check_columns(table, df, out)
    td = FrameData(table, df)
    rng = pd.RangeIndex(len(df))
    columns: dict[str, pd.Series] = {}
    unread: dict[str, dict[int, str]] = {}
    for f in table.fields:
        if f.name not in td.columns:
            continue
        present = td.is_present(f.name)
        valid = check_type(td, f, present, out)
        bad = np.flatnonzero(present & ~valid)
        if len(bad):
            texts = take_rows(td.raw[f.name], bad).to_pylist()
            unread[f.name] = dict(zip(bad.tolist(), texts, strict=True))
        if f.value_type.text_compared or f.value_type.stores_text:  # a release keeps the text
            text = pc.if_else(pa.array(present), td.raw[f.name].combine_chunks(), None)
            column = pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow")), index=rng)
        else:
            read = Read(valid, td.typed[f.name], f.value_type.what)
            stored = pa.table({f.name: f.value_type.store(read, valid)})
            mapper = {f.arrow_type(): f.pandas_dtype()}.get  # as the loader maps a release
            column = stored.to_pandas(types_mapper=mapper)[f.name]
        columns[f.name] = column.rename(f.name)
    return pd.DataFrame(columns, index=rng), out.findings, unread
