"""pandera ``DataFrameSchema`` objects derived from the Table Schemas, and their failures as
the validator's :class:`~conflictdata._checks.report.Report`.

Each pandera check is one of the table's declared checks
(:func:`~conflictdata._checks.catalog.declared_checks`, named with its finding code, e.g.
``E301:date_start <= date_end:date_end``); running it runs the very checks of the CSV
validator on the frame (:class:`~conflictdata._frames.adapter.FrameData`), so pandera,
``validate_frames`` and ``conflictdata validate`` flag the same rows. The dtypes are the ones
:func:`conflictdata.load` gives. pandera is imported only here.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._checks.catalog import Check, RowCollector, declared_checks, run_part
from .._checks.findings import Finding, make_finding
from .._checks.report import Report
from .._checks.table import Collector
from .._tableschema.dtypes import pandas_dtype as loaded_dtype
from .._tableschema.model import POLICIES, Field, TableSchema
from .._util.optional import require
from ..errors import DescriptorError
from .adapter import FrameData, without_blank_rows
from .validate import RELEASE_POLICY

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pdx

__all__ = [
    "import_pandera",
    "pandera_check",
    "report_from_schema_errors",
    "schema_for",
]


def import_pandera() -> Any:
    """``pandera.pandas``, or :class:`MissingDependencyError` saying how to install it."""
    pdx = require("pandera.pandas", extra="pandera", purpose="validating DataFrames with pandera")
    return pdx


def _strict(policy: str) -> bool:
    if policy not in POLICIES:
        raise DescriptorError(f"policy {policy!r} is not one of {', '.join(POLICIES)}")
    return policy == "strict"


_shared = threading.local()


def _frame_data(table: TableSchema, df: pd.DataFrame) -> FrameData:
    """The adapter over ``df`` that the checks of one validation share, so each column is
    converted once, not once per check: the schema's first check forgets the last one (a
    frame changed between two validations is read again), pandera runs the others on the
    same frame after it."""
    got = getattr(_shared, "last", None)
    if got is not None and got[0]() is df and got[1] is table:
        return got[2]
    fd = FrameData(table, df)
    _shared.last = (weakref.ref(df), table, fd)
    return fd


def _wrap(table: TableSchema, check: Check, strict: bool, first: bool = False) -> Any:
    """The check as a pandera check function: True where the row passes. ``first``: the
    schema's first check, which reads the frame afresh."""

    def run(df: pd.DataFrame) -> pd.Series:
        if first:
            _shared.last = None
        if not all(c in df.columns for c in check.columns):
            return pd.Series(np.ones(len(df), dtype=bool), index=df.index)
        out = RowCollector(strict=strict, codes=(check.code,))
        run_part(without_blank_rows(_frame_data(table, df), out), check.part, out)
        return pd.Series(~out.mask(check.code, check.field, len(df)), index=df.index)

    run.__name__ = check.name
    return run


def pandera_check(
    table: TableSchema, check: Check, policy: str = "spec", *, first: bool = True
) -> Any:
    """One declared :class:`~conflictdata._checks.catalog.Check` as a ``pandera.Check``
    named ``check.name``; ``first=False`` for a schema's later checks, which reuse the
    frame as the first one read it."""
    pdx = import_pandera()
    return pdx.Check(
        _wrap(table, check, _strict(policy), first),
        name=check.name,
        error=check.name,
        ignore_na=False,
    )


def _is_date32(dtype: Any) -> bool:
    import pyarrow as pa

    return isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype == pa.date32()


def _date_form(s: pd.Series) -> bool:
    """A date column is in one of the loader's date forms: naive datetime64, or date32 (a
    time of day other than midnight is E202 by the field's own type check)."""
    return bool(pd.api.types.is_datetime64_dtype(s.dtype) or _is_date32(s.dtype))


def _wanted(f: Field) -> str:
    """The dtype (or, for a date, the dtypes) a column of field ``f`` may have."""
    if f.type == "date":
        return f"{loaded_dtype(f)} or {loaded_dtype(f, 'date32')}"
    return str(loaded_dtype(f))


def schema_for(table: TableSchema, policy: str = "spec") -> pdx.DataFrameSchema:
    """The ``DataFrameSchema`` of a :class:`TableSchema` (see :func:`pandera_schema`) under
    ``policy`` (its policy codes, E213, E230, E402, only under "strict")."""
    pdx = import_pandera()
    checks = declared_checks(table, policy)
    columns = {}
    for f in table.fields:
        dtype, col_checks = loaded_dtype(f), []
        if f.type == "date":  # either date form the loader gives: checked here, not by dtype
            dtype = None
            col_checks = [pdx.Check(_date_form, name=f"dtype('{_wanted(f)}') of {f.name}")]
        columns[f.name] = pdx.Column(
            dtype,
            checks=col_checks,
            nullable=not f.required,
            name=f.name,
            title=f.title or None,
            description=f.description or None,
        )
    # every check reads the whole frame: a row whose every cell is missing is no data row
    # (E109), whichever column a check is about, as in a CSV file
    frame_checks = [pandera_check(table, c, policy, first=i == 0) for i, c in enumerate(checks)]
    return pdx.DataFrameSchema(
        columns,
        checks=frame_checks,
        name=table.name,
        title=table.title or None,
        description=table.description or None,
        strict=False,
        ordered=False,
        coerce=False,
        metadata={"primary_key": list(table.primary_key), "policy": policy},
    )


def _field_column(table: TableSchema, name: str | None) -> int | None:
    names = table.field_names
    return names.index(name) + 1 if name in names else None


def report_from_schema_errors(
    table: TableSchema,
    df: pd.DataFrame,
    err: Any,
    max_per_rule: int = 1000,
    policy: str | None = None,
) -> Report:
    """pandera's ``SchemaErrors`` of :func:`schema_for` (``table``) on ``df`` as a Report:
    the checks that failed run again, on the whole frame, with the CSV validator's
    collector (its messages, keys and per-rule limit: at most ``max_per_rule`` findings per
    check listed, the rest counted in ``stats["suppressed"]``), plus pandera's own failures
    (missing column, wrong dtype) under the codes the validator uses. ``policy``: the
    schema's (None: what it was built with, from ``err``)."""
    fc = err.failure_cases
    if policy is None:
        meta = getattr(getattr(err, "schema", None), "metadata", None) or {}
        policy = meta.get("policy", "spec")
    strict = _strict(policy)
    checks = {c.name: c for c in declared_checks(table, policy)}
    failed = [checks[str(n)] for n in fc["check"].dropna().unique() if str(n) in checks]
    out = Collector(max_per_rule, strict=strict)
    fd = without_blank_rows(FrameData(table, df), out)
    for part in dict.fromkeys(c.part for c in failed):
        run_part(fd, part, out)
    wanted = {(c.code, c.field) for c in failed}
    findings = [f for f in out.findings if (f.code, f.field) in wanted]
    for check_name, group in fc.groupby("check", sort=False, dropna=False):
        name = str(check_name)
        if name not in checks:
            for _, fail in group.iterrows():
                findings += _pandera_failure(table, df, name, fail)
    suppressed = {
        code: n for code, n in out.suppressed.items() if any(c.code == code for c in failed)
    }
    return Report(
        findings,
        {
            "tables": {table.name: {"rows": len(df), "read": True}},
            "rows": len(df),
            "suppressed": suppressed,
        },
    )


def _pandera_failure(table: TableSchema, df: pd.DataFrame, name: str, fail: Any) -> list[Finding]:
    """A failure of pandera's own (not one of the declared checks) as findings: a missing
    column (E111), a dtype (E202); a null where the field is required is the declared E201
    check's, already reported."""
    col = fail.get("column")
    col = None if col is None or (isinstance(col, float) and col != col) else str(col)
    if name == "column_in_dataframe":
        missing = str(fail.get("failure_case"))
        return [
            make_finding(
                "E111",
                table=table.name,
                path=table.name,
                line=None,
                field=missing,
                message=f"no column {missing!r} in the frame",
            )
        ]
    if name == "not_nullable":
        return []
    if name.startswith("dtype(") and col is not None:
        want = _wanted(table.field(col)) if col in table.field_names else "?"
        return [
            make_finding(
                "E202",
                table=table.name,
                path=table.name,
                line=None,
                column=_field_column(table, col),
                field=col,
                value=str(df[col].dtype) if col in df.columns else None,
                message=f"column {col} has dtype {df[col].dtype}, not {want}",
                hint="build the column with the schema's dtype, as conflictdata.load gives it",
            )
        ]
    return [
        make_finding(
            "E202",
            table=table.name,
            path=table.name,
            line=None,
            column=_field_column(table, col),
            field=col,
            value=str(fail.get("failure_case")),
            message=f"pandera check {name} failed",
        )
    ]


def format_frame_findings(report: Report, limit: int = 50) -> str:
    """Findings of frames one a line, as the CLI shows them, located by table, row key and
    field instead of file and line: ``events[evt-0001].date_end: E301 message (hint: ...)``."""
    lines = []
    for f in report.findings[:limit]:
        where = f"{f.table}[{f.key}]" if f.key else str(f.table)
        where += f".{f.field}" if f.field else ""
        hint = f" (hint: {f.hint})" if f.hint else ""
        lines.append(f"{where}: {f.code} {f.message}{hint}")
    if len(report.findings) > limit:
        lines.append(f"… and {len(report.findings) - limit} more (see .report.findings)")
    e, w = report.errors, report.warnings
    line = f"INVALID: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
    suppressed = report.stats.get("suppressed") or {}
    if suppressed:
        more = ", ".join(f"{c} x{n:,}" for c, n in sorted(suppressed.items()))
        line += f"; not listed (over the per-rule limit): {more}"
    lines.append(line)
    return "\n".join(lines)


def _loaded_report(table: TableSchema, df: pd.DataFrame) -> Report | None:
    """A release table's frame through its pandera schema (the release policy)."""
    pdx = import_pandera()
    try:
        schema_for(table, RELEASE_POLICY).validate(df, lazy=True)
    except pdx.errors.SchemaErrors as err:
        return report_from_schema_errors(table, df, err, policy=RELEASE_POLICY)
    return None


def validate_loaded_all(tables: dict[str, TableSchema], frames: dict[str, pd.DataFrame]) -> None:
    """Every frame checked with its table's pandera schema; one ValidationError for all."""
    from ..errors import ValidationError

    findings: list[Finding] = []
    for name, df in frames.items():
        got = _loaded_report(tables[name], df)
        if got is not None:
            findings += got.findings
    if findings:
        report = Report(findings, {"rows": sum(len(df) for df in frames.values())})
        raise ValidationError(
            "the release's tables do not pass their schemas:\n" + format_frame_findings(report),
            report,
        )


def validate_loaded(table: TableSchema, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` if the pandera schema of ``table`` passes (lazily: every failure collected);
    else :class:`~conflictdata.errors.ValidationError` with the failures as a Report."""
    from ..errors import ValidationError

    report = _loaded_report(table, df)
    if report is None:
        return df
    raise ValidationError(
        f"table {table.name!r} does not pass its schema:\n" + format_frame_findings(report), report
    )
