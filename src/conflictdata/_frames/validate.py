"""Validate DataFrames in memory against the schemas: the field, row and cross-table layers
of the CSV validator, reported as its own :class:`~conflictdata._checks.report.Report`.

Frames may come straight from :func:`conflictdata.load` or be built by hand: a column of
another dtype is read the way its CSV text would be (cells that are not a value of the
field's type are E202/E203 findings), missing and unexpected columns are E111/E112.
Foreign keys are checked between the given frames, and into the release's other tables
where a frame is not given. pandera is not needed here.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.findings import Finding, make_finding
from .._checks.report import Report
from .._tableschema.model import Field, Package, TableSchema
from .._types.kernels import days_in_month, np_mask
from ..errors import UnknownTableError, UnsupportedFeatureError
from .checks import FrameCheck, FrameData, fk_check, not_before_checks, quote, table_checks
from .pandera_schemas import frame_findings

__all__ = ["conform", "validate_frames"]

_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
)


def _find(table: TableSchema, code: str, name: str | None, message: str, **kw: Any) -> Finding:
    col = table.field_names.index(name) + 1 if name in table.field_names else None
    return make_finding(
        code,
        table=table.name,
        path=table.name,
        line=None,
        column=col,
        field=name,
        message=message,
        **kw,
    )


def _what(f: Field) -> str:
    if f.type == "integer":
        return "an integer"
    if f.type == "number":
        return "a number"
    if f.type == "boolean":
        tv, fv = f.true_values, f.false_values
        return f"a boolean ({'/'.join(tv)} or {'/'.join(fv)})"
    if f.type == "date":
        return "a date in the form YYYY-MM-DD"
    return "a datetime in the form YYYY-MM-DDThh:mm:ss[Z|+hh:mm]"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _as_text(s: pd.Series) -> pa.Array:
    """A column as the text a CSV writer would put in its cells (null where missing); a lone
    surrogate, which no UTF-8 text holds, shown as U+FFFD (:func:`_not_text` finds them)."""
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        try:
            arr = pa.array(s, from_pandas=True, type=pa.string())
            return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            pass
    from .checks import cell_text

    texts = [cell_text(v) for v in s.astype(object)]
    return pa.array([t if t is None else _SURROGATE.sub("\ufffd", t) for t in texts], pa.string())


def _not_text(s: pd.Series) -> np.ndarray:
    """Rows whose cell holds a lone surrogate (only a column of Python objects can): not
    text, so E202. Looked for cell by cell only when Arrow refuses the column."""
    none = np.zeros(len(s), dtype=bool)
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        return none
    try:
        pa.array(s, from_pandas=True, type=pa.string())
    except UnicodeEncodeError:
        return np.fromiter((isinstance(v, str) and bool(_SURROGATE.search(v)) for v in s), bool)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    return none


def _typed_column(f: Field, s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``s`` in the field's loaded dtype; rows that are not a value of the type (E202) and
    dates that are not on the calendar (E203), both as row masks."""
    want = f.pandas_dtype()
    n = len(s)
    none = np.zeros(n, dtype=bool)
    if f.type == "string":
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == want:
            return s, none, none
        return (
            pd.Series(
                pd.array(_as_text(s), dtype=pd.StringDtype("pyarrow")), index=s.index, name=s.name
            ),
            _not_text(s),
            none,
        )
    if s.dtype == want:
        return s, none, none
    if (
        f.type in ("integer", "number")
        and pd.api.types.is_numeric_dtype(s.dtype)
        and not pd.api.types.is_bool_dtype(s.dtype)
    ):
        if f.type == "number":
            return s.astype(want), none, none
        vals = s.astype("Float64")
        bad = (vals.notna() & (vals.round() != vals)).fillna(False).to_numpy(dtype=bool)
        return vals.where(~bad).astype(want), bad, none
    if f.type == "boolean" and pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(want), none, none
    if f.type == "date" and pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s
        bad = (ts.notna() & (ts != ts.dt.normalize())).to_numpy(dtype=bool)
        arr = pa.array(ts.where(~bad), from_pandas=True)
        return (
            pd.Series(pd.array(arr.cast(pa.date32()), dtype=want), index=s.index, name=s.name),
            bad,
            none,
        )
    if f.type == "datetime" and pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dt.tz_localize("UTC") if getattr(s.dt, "tz", None) is None else s
        return ts.dt.tz_convert("UTC").astype(want), none, none
    if f.type == "date" and s.dtype == object:
        try:  # datetime.date objects
            arr = pa.array(s, from_pandas=True, type=pa.date32())
            return pd.Series(pd.array(arr, dtype=want), index=s.index, name=s.name), none, none
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return _parse_text(f, _as_text(s), s)


def _parse_text(f: Field, text: pa.Array, s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Cells read as CSV text, the way the CSV validator reads them."""
    want = f.pandas_dtype()
    present = np_mask(pc.not_equal(pc.binary_length(text), 0))
    impossible = np.zeros(len(text), dtype=bool)
    if f.type in ("integer", "number"):  # the CSV validator's readers
        from .._types.cells import read_cells
        from .._types.spec import RefusedCells

        try:
            r = read_cells(f, pa.chunked_array([text]), present)
        except RefusedCells as exc:
            raise UnsupportedFeatureError(
                exc.feature, exc.value, field=f.name, why=exc.why
            ) from None
        ok, arr = r.ok, r.typed
    elif f.type == "boolean":
        tv = pa.array(list(f.true_values), pa.string())
        fv = pa.array(list(f.false_values), pa.string())
        is_t, is_f = np_mask(pc.is_in(text, value_set=tv)), np_mask(pc.is_in(text, value_set=fv))
        ok = is_t | is_f
        arr = pa.array(is_t, pa.bool_(), mask=~(ok & present))
    elif f.type == "date":
        shaped = np_mask(pc.match_substring_regex(text, _DATE_RE))
        good = pc.if_else(pa.array(shaped), text, pa.scalar(None, pa.string()))
        y, m, d = (
            np.asarray(
                pc.fill_null(pc.cast(pc.utf8_slice_codeunits(good, a, b), pa.int64()), 0).to_numpy(
                    zero_copy_only=False
                ),
                dtype=np.int64,
            )
            for a, b in ((0, 4), (5, 7), (8, 10))
        )
        real = (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month(y, m))
        impossible = present & shaped & ~real
        ok = shaped
        parsed = pc.strptime(
            pc.if_else(pa.array(shaped & real), text, pa.scalar(None, pa.string())),
            format="%Y-%m-%d",
            unit="s",
            error_is_null=True,
        )
        arr = pc.cast(parsed, pa.date32())
    else:
        ok = np_mask(pc.match_substring_regex(text, _DATETIME_RE))
        good = pd.Series(
            pd.array(
                pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())),
                dtype=pd.StringDtype("pyarrow"),
            )
        )
        ts = pd.to_datetime(good, format="ISO8601", utc=True, errors="coerce")
        real = ts.notna().to_numpy(dtype=bool)
        impossible = present & ok & ~real
        out = pd.Series(ts.to_numpy(), index=s.index, name=s.name).astype(want)
        return out, present & ~ok, impossible
    bad = present & ~ok
    out = pd.Series(pd.array(arr, dtype=want), index=s.index, name=s.name)
    return out, bad, impossible


def conform(
    table: TableSchema, df: pd.DataFrame
) -> tuple[pd.DataFrame, list[Finding], dict[str, dict[int, str]]]:
    """``df`` with each schema column in its loaded dtype (unchanged where it already is),
    the findings of reading it so (missing/unexpected columns, cells of the wrong type), and
    per field the text of the cells that could not be read (row -> text)."""
    findings: list[Finding] = []
    unread: dict[str, dict[int, str]] = {}
    names = table.field_names
    cols = [str(c) for c in df.columns]
    seen: set[str] = set()
    for c in cols:
        if c in seen:
            findings.append(
                _find(
                    table,
                    "E110",
                    c if c in names else None,
                    f"column {c!r} appears again (the first one is checked)",
                    value=c,
                )
            )
        seen.add(c)
    for c in dict.fromkeys(cols):
        if c not in names:
            findings.append(
                _find(table, "E112", None, f"column {c!r} is not a field of {table.name}", value=c)
            )
    for n in names:
        if n not in cols:
            findings.append(
                _find(table, "E111", n, f"no column {n!r}; the frame needs: {','.join(names)}")
            )
    out: dict[str, pd.Series] = {}
    rng = pd.RangeIndex(len(df))
    for f in table.fields:
        if f.name not in cols:
            continue
        s = df[f.name]
        if isinstance(s, pd.DataFrame):  # a duplicated column name: the first one counts
            s = s.iloc[:, 0]
        s = s.reset_index(drop=True) if not df.index.equals(rng) else s
        typed, bad, impossible = _typed_column(f, s)
        not_a = "holds a lone surrogate: not text" if f.type == "string" else f"is not {_what(f)}"
        for code, mask, why in (
            ("E202", bad, not_a),
            ("E203", impossible, "is not a calendar date"),
        ):
            idx = np.flatnonzero(mask)
            if len(idx):
                texts = _as_text(s.iloc[idx]).to_pylist()
                unread.setdefault(f.name, {}).update(zip(idx.tolist(), texts))
                keys = _keys(table, df, idx)
                findings += [
                    _find(table, code, f.name, f"{quote(v)} {why}", value=v, key=k)
                    for v, k in zip(texts, keys)
                ]
        out[f.name] = typed
    return pd.DataFrame(out, index=rng), findings, unread


def _keys(table: TableSchema, df: pd.DataFrame, idx: np.ndarray) -> list[str | None]:
    pk = table.primary_key
    if not pk or not all(k in df.columns for k in pk):
        return [None] * len(idx)
    parts = [_as_text(df[k].iloc[idx]).to_pylist() for k in pk]
    return ["|".join(v or "" for v in vs) or None for vs in zip(*parts)]


class ReleaseTables(Protocol):
    """Where tables without a frame are read from (a release the loader opened)."""

    def read_arrow(self, name: str) -> pa.Table: ...


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    package: Package,
    *,
    release: ReleaseTables | None = None,
    max_per_rule: int = 1000,
) -> Report:
    """Check DataFrames by table name against the schemas: every field constraint, the
    primary key, every rowChecks rule, foreign keys (between the given frames, and into the
    release's other tables where a frame is missing), cycles and notBefore — the CSV
    validator's layers 2-4, with its codes, fields, keys and messages (``line`` is empty;
    ``column`` is the field's position in the schema).

    ``package``: the schemas that apply; ``release``: where the tables without a frame are
    read from for foreign keys (None: they are not checked against).

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
    findings: list[Finding] = []
    data: dict[str, FrameData] = {}
    for name, df in frames.items():
        table = pkg.tables[name]
        typed, found, unread = conform(table, df)
        findings += found
        data[name] = FrameData(table, typed, unread)
    loaded: dict[str, FrameData | None] = {}

    def parent(resource: str) -> FrameData | None:
        if resource in data:
            return data[resource]
        if resource not in loaded:
            loaded[resource] = None
            if release is not None:
                from .._tableschema.dtypes import to_pandas

                table = pkg.tables[resource]
                loaded[resource] = FrameData(table, to_pandas(release.read_arrow(resource), table))
        return loaded[resource]

    counts: Counter[tuple[str, str, str | None]] = Counter()
    suppressed: Counter[str] = Counter()
    for name, fd in data.items():
        table = fd.table
        checks: list[FrameCheck] = list(table_checks(table))
        for fk in table.foreign_keys:
            if not fk.is_self_reference(name):
                checks.append(fk_check(table, fk, lambda _fd, r=fk.resource: parent(r)))
        for rule in table.relation_rules:
            fk = next((k for k in table.foreign_keys if k.fields == (rule.foreign_key,)), None)
            if fk is not None and not fk.is_self_reference(name):
                checks += not_before_checks(table, rule, lambda _fd, r=fk.resource: parent(r))
        cols = set(fd.df.columns)
        for c in checks:
            if not all(x in cols for x in c.columns):
                continue  # a column is missing: E111 says so
            idx = np.flatnonzero(c.fails(fd))
            key = (name, c.code, c.field)
            room = max(0, max_per_rule - counts[key])
            counts[key] += len(idx)
            if len(idx) > room:
                suppressed[c.code] += len(idx) - room
            findings += frame_findings(table, fd, c, idx[:room])
    stats = {
        "tables": {name: {"rows": fd.n, "read": True} for name, fd in data.items()},
        "rows": sum(fd.n for fd in data.values()),
        "references": {
            r: ("release" if fd is not None else "not checked") for r, fd in loaded.items()
        },
        "seconds": round(time.perf_counter() - t0, 3),
        "suppressed": dict(suppressed),
    }
    return Report(findings, stats)
