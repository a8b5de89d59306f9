"""pandera ``DataFrameSchema`` objects derived from the Table Schemas, and their failures as
the validator's :class:`~conflictdata._checks.report.Report`.

Every check is a :class:`~conflictdata._frames.checks.FrameCheck` (named with its finding
code, e.g. ``E301:date_start <= date_end:date_end``) wrapped for pandera; the dtypes are the
ones :func:`conflictdata.load` gives. pandera is imported only here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._checks.findings import Finding, make_finding
from .._checks.report import Report
from .._tableschema.dtypes import pandas_dtype as loaded_dtype
from .._tableschema.model import TableSchema
from .._util.optional import require
from .checks import FrameCheck, FrameData, cell_texts, row_keys, table_checks

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


def calendar_days(table: TableSchema, df: pd.DataFrame) -> FrameData:
    """``df`` as the checks read it, its ``datetime64`` date columns (the loaded default) as
    calendar dates; a time of day is no date: unread there (E202 by its own check), as the
    frames validator reads it."""
    import pyarrow as pa

    dated = [
        f.name
        for f in table.fields
        if f.type == "date"
        and f.name in df.columns
        and pd.api.types.is_datetime64_dtype(df[f.name].dtype)
    ]
    if not dated:
        return FrameData(table, df)
    df = df.copy(deep=False)
    unread: dict[str, dict[int, str]] = {}
    for name in dated:
        s = df[name]
        whole = s.isna() | (s == s.dt.normalize())
        bad = np.flatnonzero(~whole.to_numpy(dtype=bool))
        if len(bad):
            unread[name] = {int(i): str(s.iloc[i]) for i in bad}
        days = pa.array(s.where(whole), from_pandas=True).cast(pa.date32())
        df[name] = pd.Series(pd.array(days, dtype=pd.ArrowDtype(pa.date32())), index=s.index)
    return FrameData(table, df, unread)


def _is_date32(dtype: Any) -> bool:
    import pyarrow as pa

    return isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype == pa.date32()


def _date_form(s: pd.Series) -> bool:
    """A date column is in one of the loader's date forms: naive datetime64, or date32."""
    return pd.api.types.is_datetime64_dtype(s.dtype) or _is_date32(s.dtype)


def _wanted(f: Any) -> str:
    """The dtype (or, for a date, the dtypes) a column of field ``f`` may have."""
    if f.type == "date":
        return f"{loaded_dtype(f)} or {loaded_dtype(f, 'date32')}"
    return str(loaded_dtype(f))


def _whole_days(s: pd.Series) -> pd.Series:
    """True where a date column's value is a calendar day (midnight), or empty."""
    if not pd.api.types.is_datetime64_dtype(s.dtype):
        return pd.Series(np.ones(len(s), dtype=bool), index=s.index)
    return (s.isna() | (s == s.dt.normalize())).astype(bool)


def _wrap(table: TableSchema, check: FrameCheck, on_series: bool) -> Any:
    """The check as a pandera check function: True where the row passes."""

    def run(obj: Any) -> pd.Series:
        df = obj.to_frame() if on_series else obj
        if not all(c in df.columns for c in check.columns):
            return pd.Series(np.ones(len(df), dtype=bool), index=df.index)
        return pd.Series(~check.fails(calendar_days(table, df)), index=df.index)

    run.__name__ = check.name
    return run


def pandera_check(table: TableSchema, check: FrameCheck) -> Any:
    """One :class:`FrameCheck` as a ``pandera.Check`` named ``check.name``."""
    pdx = import_pandera()
    return pdx.Check(
        _wrap(table, check, check.scope == "column"),
        name=check.name,
        error=check.name,
        ignore_na=False,
    )


def schema_for(table: TableSchema) -> pdx.DataFrameSchema:
    """The ``DataFrameSchema`` of a :class:`TableSchema` (see :func:`pandera_schema`)."""
    pdx = import_pandera()
    checks = table_checks(table)
    columns = {}
    for f in table.fields:
        col_checks = [
            pandera_check(table, c) for c in checks if c.scope == "column" and c.field == f.name
        ]
        dtype = loaded_dtype(f)
        if f.type == "date":  # either date form the loader gives: checked here, not by dtype
            dtype = None
            col_checks[:0] = [
                pdx.Check(_date_form, name=f"dtype('{_wanted(f)}') of {f.name}"),
                pdx.Check(_whole_days, name=f"E202:{f.name}:whole days", ignore_na=False),
            ]
        columns[f.name] = pdx.Column(
            dtype,
            checks=col_checks,
            nullable=not f.required,
            name=f.name,
            title=f.title or None,
            description=f.description or None,
        )
    frame_checks = [pandera_check(table, c) for c in checks if c.scope == "frame"]
    return pdx.DataFrameSchema(
        columns,
        checks=frame_checks,
        name=table.name,
        title=table.title or None,
        description=table.description or None,
        strict=False,
        ordered=False,
        coerce=False,
        metadata={"primary_key": list(table.primary_key)},
    )


def _field_column(table: TableSchema, name: str | None) -> int | None:
    names = table.field_names
    return names.index(name) + 1 if name in names else None


def frame_findings(
    table: TableSchema, fd: FrameData, check: FrameCheck, idx: np.ndarray
) -> list[Finding]:
    """One finding per failing row ``idx`` of ``check``, as the CSV validator words it."""
    if len(idx) == 0:
        return []
    idx = np.asarray(idx, dtype=np.int64)
    messages = check.message(fd, idx)
    values = cell_texts(fd, check.field, idx)
    keys = row_keys(fd, idx)
    col = _field_column(table, check.field)
    return [
        make_finding(
            check.code,
            table=table.name,
            path=table.name,
            line=None,
            column=col,
            field=check.field,
            key=k,
            value=v,
            message=m,
            hint=check.hint,
        )
        for k, v, m in zip(keys, values, messages)
    ]


def report_from_schema_errors(
    table: TableSchema, df: pd.DataFrame, err: Any, max_per_rule: int = 1000
) -> Report:
    """pandera's ``SchemaErrors`` of :func:`schema_for` (``table``) on ``df`` as a Report:
    each failing row of each named check, plus pandera's own failures (missing column,
    wrong dtype, null in a non-nullable column) under the codes the validator uses. As in
    the CSV validator, at most ``max_per_rule`` findings per check are listed, the rest
    counted in ``stats["suppressed"]``."""
    checks = {c.name: c for c in table_checks(table)}
    fc = err.failure_cases
    fd = calendar_days(table, df)
    findings: list[Finding] = []
    rows: dict[str, set[int]] = {}
    unique_index = df.index.is_unique
    for check_name, group in fc.groupby("check", sort=False, dropna=False):
        name = str(check_name)
        if name in checks:
            c = checks[name]
            idx = np.zeros(0, dtype=np.int64)
            if unique_index:
                labels = group["index"].dropna().unique()
                pos = df.index.get_indexer(labels)
                idx = np.unique(pos[pos >= 0])
            if len(idx) == 0:  # rows not given by label: ask the check itself
                idx = np.flatnonzero(c.fails(fd))
            rows.setdefault(name, set()).update(idx.tolist())
            continue
        for _, fail in group.iterrows():
            findings += _pandera_failure(table, df, fd, name, fail, checks, rows)
    suppressed: dict[str, int] = {}
    for name, idx_set in rows.items():
        idx = np.array(sorted(idx_set), dtype=np.int64)
        code = checks[name].code
        if len(idx) > max_per_rule:
            suppressed[code] = suppressed.get(code, 0) + len(idx) - max_per_rule
        findings += frame_findings(table, fd, checks[name], idx[:max_per_rule])
    return Report(
        findings,
        {
            "tables": {table.name: {"rows": len(df), "read": True}},
            "rows": len(df),
            "suppressed": suppressed,
        },
    )


def _pandera_failure(
    table: TableSchema,
    df: pd.DataFrame,
    fd: FrameData,
    name: str,
    fail: Any,
    checks: dict[str, FrameCheck],
    rows: dict[str, set[int]],
) -> list[Finding]:
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
    if name == "not_nullable" and col is not None:
        code = "E212" if col in table.primary_key else "E201"
        target = f"{code}:{col}"
        if target in checks and col in df.columns:
            rows.setdefault(target, set()).update(
                np.flatnonzero(df[col].isna().to_numpy()).tolist()
            )
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
    pdx = import_pandera()
    try:
        schema_for(table).validate(df, lazy=True)
    except pdx.errors.SchemaErrors as err:
        return report_from_schema_errors(table, df, err)
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
