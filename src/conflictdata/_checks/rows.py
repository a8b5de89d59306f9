"""Layer 3, each row: the schemas' row rules (ordered, together, when, dateSpan), each
vectorised over the whole table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._tableschema.model import OrderedRule, RowRule, TogetherRule, WhenRule
from .._types.kernels import civil_from_days, days_in_month, np_mask
from .._types.temporal import check_comparable
from .table import Collector, TableData, quote

__all__ = ["check_rows", "check_rule"]


def check_rows(td: TableData, out: Collector) -> None:
    """Layer 3: the schema's rowChecks, each vectorised over the whole table."""
    for rule in td.schema.row_rules:
        check_rule(td, rule, out)


def check_rule(td: TableData, rule: RowRule, out: Collector) -> None:
    """One rowChecks rule over the table (it needs the typed values of its fields: layer 2
    reads them first)."""
    if not all(n in td.raw for n in rule.fields):
        return  # a column is missing: the header finding says so
    if isinstance(rule, OrderedRule):
        _ordered(td, list(rule.fields), out)
    elif isinstance(rule, TogetherRule):
        _together(td, list(rule.fields), out)
    elif isinstance(rule, WhenRule):
        _when(td, rule, out)
    else:
        _date_span(td, rule.start, rule.end, rule.precision, out)


def _ordered(td: TableData, names: list[str], out: Collector) -> None:
    reported = np.zeros(td.n, dtype=bool)
    chain = " <= ".join(names)
    for j in range(1, len(names)):
        for i in range(j):
            a, b = names[i], names[j]
            check_comparable(td.value(a), td.value(b), "rowChecks ordered", field=f"{a}, {b}")
            viol = np_mask(pc.less(td.value(b), td.value(a))) & ~reported
            reported |= viol

            def message(v: str | None, x: dict[str, Any], a: str = a, b: str = b) -> str:
                return f"{b} {quote(v)} is less than {a} {quote(x['a'])} (must be {chain})"

            out.rows("E301", td, np.flatnonzero(viol), b, message, extra={"a": td.cells(a)})


def _together(td: TableData, names: list[str], out: Collector) -> None:
    present = np.stack([td.is_present(n) for n in names])
    count = present.sum(axis=0)
    viol = (count > 0) & (count < len(names))
    reported = np.zeros(td.n, dtype=bool)
    group = " and ".join(names)
    for k, n in enumerate(names):
        idx = viol & ~present[k] & ~reported
        reported |= idx

        def message(v: str | None, x: dict[str, Any], n: str = n) -> str:
            return f"{n} is empty but the others of {group} are set: fill in all or none"

        out.rows("E302", td, np.flatnonzero(idx), n, message)


def _when(td: TableData, rule: WhenRule, out: Collector) -> None:
    ctl = rule.field
    s = td.raw[ctl]
    for case in rule.cases:
        value = case.value
        eq = np_mask(pc.equal(s, value))
        if not eq.any():
            continue
        for n in case.present:

            def needed(v: str | None, x: dict[str, Any], n: str = n, value: str = value) -> str:
                return f"{n} must be filled in when {ctl} is {quote(value)}"

            out.rows("E303", td, np.flatnonzero(eq & ~td.is_present(n)), n, needed)
        for n in case.absent:

            def unwanted(v: str | None, x: dict[str, Any], n: str = n, value: str = value) -> str:
                return f"{n} must be empty when {ctl} is {quote(value)} (it is {quote(v)})"

            out.rows("E304", td, np.flatnonzero(eq & td.is_present(n)), n, unwanted)


def _ymd(td: TableData, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Year, month, day of a date column: as its reader gave them, or from its typed days
    (a column that held dates already, a frame's)."""
    got = td.ymd.get(name)
    typed = td.typed.get(name)
    if got is None and typed is not None and pa.types.is_date32(typed.type):
        days = pc.fill_null(pc.cast(typed, pa.int32()), 0).to_numpy(zero_copy_only=False)
        got = td.ymd[name] = civil_from_days(np.asarray(days, dtype=np.int64))
    return got


def _date_span(td: TableData, start: str, end: str, prec: str, out: Collector) -> None:
    if _ymd(td, start) is None or _ymd(td, end) is None:
        return
    both = np_mask(pc.is_valid(td.typed[start])) & np_mask(pc.is_valid(td.typed[end]))
    sy, sm, sd = td.ymd[start]
    ey, em, ed = td.ymd[end]
    p = td.raw[prec]
    same_day = (sy == ey) & (sm == em) & (sd == ed)
    rules = {
        "day": (np.zeros(td.n, dtype=bool), ~same_day, "the start and end must be the same day"),
        "month": (
            sd != 1,
            ~((ey == sy) & (em == sm) & (ed == days_in_month(sy, sm))),
            "the dates must be the first and last day of one month",
        ),
        "year": (
            (sm != 1) | (sd != 1),
            ~((ey == sy) & (em == 12) & (ed == 31)),
            "the dates must be 1 January and 31 December of one year",
        ),
    }
    for value, (start_bad, end_bad, why) in rules.items():
        is_p = both & np_mask(pc.equal(p, value))
        if not is_p.any():
            continue
        sb = is_p & start_bad
        eb = is_p & end_bad & ~sb

        def message(v: str | None, x: dict[str, Any], value: str = value, why: str = why) -> str:
            return f"{prec} is {quote(value)}: {why} ({start} {x['s']}, {end} {x['e']})"

        for idx, col in ((sb, start), (eb, end)):
            out.rows(
                "E305",
                td,
                np.flatnonzero(idx),
                col,
                message,
                extra={"s": td.cells(start), "e": td.cells(end)},
            )
