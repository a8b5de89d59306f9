"""What the report draws, as plain values: date intervals, lanes, links and figure ranges.

No charting here (Arrow and numpy), so the shapes are testable on their own. Nothing is
invented: how a row is drawn follows from which of its dates or numbers are present, which is
what the schemas' ``when`` rules tie to ``date_precision`` and ``count_qualifier``; a row with
no date is "unknown" and is never given one, and a bound that is not known is drawn as open
(reaching the edge of the chart), never as a made-up day.

The functions take columns as Arrow arrays, pandas Series or lists, and tables as
``pyarrow.Table`` or pandas DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...errors import DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    from ..._tableschema.model import TableSchema

__all__ = [
    "ACTIVE",
    "DAY_MS",
    "KIND_OPEN_END",
    "KIND_OPEN_START",
    "KIND_POINT",
    "KIND_SPAN",
    "KIND_UNKNOWN",
    "Intervals",
    "Kinds",
    "column",
    "date_kinds",
    "enum_of",
    "event_lanes",
    "figure_ranges",
    "intervals",
    "iso",
    "iso_day",
    "kind_counts",
    "response_links",
]

#: The record status of a row that stands (the others are tombstones); checked against the enum.
ACTIVE = "active"
DAY_MS = 86_400_000

KIND_POINT = "point"  # one known day
KIND_SPAN = "span"  # a known first and last day (a month, a year, a range)
KIND_OPEN_START = "open_start"  # only the last possible day is known (on or before)
KIND_OPEN_END = "open_end"  # only the first possible day is known (on or after)
KIND_UNKNOWN = "unknown"  # no date at all


class Kinds:
    """How a drawn interval reads, in the page's words."""

    WORDS: ClassVar[dict[str, str]] = {
        KIND_POINT: "a known day (dot)",
        KIND_SPAN: "a known period: month, year or range (bar)",
        KIND_OPEN_START: "on or before a day: start unknown (line from the chart's left edge to a bar at the day)",
        KIND_OPEN_END: "on or after a day: end unknown (line from a bar at the day to the chart's right edge)",
        KIND_UNKNOWN: "date unknown (listed apart, not placed on the axis)",
    }


def column(table: Any, name: str) -> list[Any]:
    """A column of an Arrow table or a pandas DataFrame as Python values (None where empty)."""
    if hasattr(table, "schema") and hasattr(table, "column_names"):  # pyarrow.Table
        return table.column(name).to_pylist()
    col = table[name]
    return col.astype(object).where(col.notna(), None).tolist()


def _arrow(col: Any) -> Any:
    import pyarrow as pa

    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col
    try:
        return pa.array(getattr(col, "array", col))  # Arrow-backed pandas columns as they are
    except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError):
        values = (
            col.astype(object).where(col.notna(), None).tolist()
            if hasattr(col, "notna")
            else list(col)
        )
        return pa.array(values)


def _ms(col: Any) -> np.ndarray:
    """Calendar dates (or timestamps) as UTC milliseconds (float, NaN where empty), in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _arrow(col)
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        arr = pc.cast(arr, pa.timestamp("ms"), safe=False)
    ms = pc.cast(arr, pa.int64())
    if isinstance(ms, pa.ChunkedArray):
        ms = ms.combine_chunks()
    out = ms.to_numpy(zero_copy_only=False).astype("float64")
    out[np.asarray(pc.is_null(ms).to_numpy(zero_copy_only=False), dtype=bool)] = np.nan
    return out


def iso(ms: np.ndarray) -> np.ndarray:
    """UTC milliseconds as ISO 8601 strings with a Z (empty where NaN), for Vega's UTC scales."""
    ms = np.asarray(ms, dtype="float64")
    out = np.full(len(ms), "", dtype=object)
    ok = ~np.isnan(ms)
    if ok.any():
        stamps = ms[ok].astype("int64").astype("datetime64[ms]")
        out[ok] = np.datetime_as_string(stamps, unit="s").astype(object) + "Z"
    return out


def iso_day(ms: np.ndarray) -> list[str]:
    """UTC milliseconds as ISO dates (empty where NaN)."""
    return [v[:10] for v in iso(ms)]


def date_kinds(start: Any, end: Any) -> np.ndarray:
    """Each row's kind of date interval, from which of its bounds are present."""
    s, e = _ms(start), _ms(end)
    has_s, has_e = ~np.isnan(s), ~np.isnan(e)
    return np.select(
        [has_s & has_e & (s == e), has_s & has_e, has_e, has_s],
        [KIND_POINT, KIND_SPAN, KIND_OPEN_START, KIND_OPEN_END],
        default=KIND_UNKNOWN,
    ).astype(object)


def kind_counts(start: Any, end: Any) -> dict[str, int]:
    """How many rows are of each kind of date interval (counted in Arrow, no per-row values)."""
    import pyarrow.compute as pc

    s, e = _arrow(start), _arrow(end)
    has_s, has_e = pc.is_valid(s), pc.is_valid(e)
    both = pc.and_(has_s, has_e)
    same = pc.fill_null(pc.equal(s, e), False)

    def n(mask: Any) -> int:
        return int(pc.sum(mask).as_py() or 0)

    n_both, n_same, n_s, n_e = n(both), n(pc.and_(both, same)), n(has_s), n(has_e)
    return {
        KIND_POINT: n_same,
        KIND_SPAN: n_both - n_same,
        KIND_OPEN_START: n_e - n_both,
        KIND_OPEN_END: n_s - n_both,
        KIND_UNKNOWN: len(s) - n_s - n_e + n_both,
    }


@dataclass(frozen=True)
class Intervals:
    """Per row: its kind and where it is drawn (UTC ms); the axis domain (None: nothing dated).

    ``x``..``x2`` is the drawn extent: a day's midday (``x`` only) for a point, first day to the
    end of the last for a span, and for an open bound the known day's edge to the domain's edge
    (the frame of the chart). ``bound`` is where the known bound is marked, ``anchor`` where a
    link attaches (the right side of what is known), ``first`` the first known instant (order).
    """

    kind: np.ndarray
    x: np.ndarray
    x2: np.ndarray
    bound: np.ndarray
    anchor: np.ndarray
    first: np.ndarray
    domain: tuple[float, float] | None


def intervals(start: Any, end: Any, *, margin_share: float = 0.06) -> Intervals:
    """Classify and place date intervals, vectorised.

    The axis domain covers every known day, whole, plus ``margin_share`` of that span on each
    side (at least an hour): fitted to the data, so the same data always gives the same axis.
    """
    s, e = _ms(start), _ms(end)
    kind = date_kinds(start, end)
    has_s, has_e = ~np.isnan(s), ~np.isnan(e)
    lows = np.concatenate([s[has_s], e[has_e & ~has_s]])
    highs = np.concatenate([e[has_e] + DAY_MS, s[has_s & ~has_e] + DAY_MS])
    domain: tuple[float, float] | None = None
    if lows.size:
        lo, hi = float(lows.min()), float(highs.max())
        margin = max((hi - lo) * margin_share, 3_600_000.0)
        domain = (lo - margin, hi + margin)
    n = len(s)
    x, x2, bound, anchor = (np.full(n, np.nan) for _ in range(4))
    m = kind == KIND_POINT
    x[m] = bound[m] = anchor[m] = s[m] + DAY_MS / 2
    m = kind == KIND_SPAN
    x[m], x2[m], anchor[m] = s[m], e[m] + DAY_MS, e[m] + DAY_MS
    if domain is not None:
        m = kind == KIND_OPEN_START
        x[m], x2[m] = domain[0], e[m] + DAY_MS
        bound[m] = anchor[m] = e[m] + DAY_MS
        m = kind == KIND_OPEN_END
        x[m], x2[m] = s[m], domain[1]
        bound[m] = anchor[m] = s[m]
    first = np.where(has_s, s, e)
    return Intervals(kind, x, x2, bound, anchor, first, domain)


def event_lanes(events: Any, anchor: np.ndarray) -> tuple[list[int], list[int]]:
    """Row positions in lane order (each parent followed by its parts) and each row's depth.

    Top-level events are ordered by ``anchor`` (undated last), then ID; the parts of an event
    follow it by sequence number, then date, then ID. A parent outside ``events`` (filtered
    away or withdrawn) leaves its parts at the top level. Called on at most a row budget of rows.
    """
    ids = [str(v) for v in column(events, "event_id")]
    pos = {i: k for k, i in enumerate(ids)}
    parents = column(events, "parent_event_id")
    seq = np.array([np.inf if v is None else float(v) for v in column(events, "sequence_number")])
    anc = np.where(np.isnan(anchor), np.inf, anchor)
    children: dict[int | None, list[int]] = {}
    for k, parent in enumerate(parents):
        children.setdefault(pos.get(parent) if parent is not None else None, []).append(k)
    order: list[int] = []
    depth = [0] * len(ids)
    seen: set[int] = set()

    def walk(k: int, d: int) -> None:
        stack = [(k, d)]
        while stack:
            node, level = stack.pop()
            if node in seen:  # a cycle cannot pass validation; never loop on one
                continue
            seen.add(node)
            order.append(node)
            depth[node] = level
            kids = sorted(children.get(node, []), key=lambda c: (seq[c], anc[c], ids[c]))
            stack.extend((c, level + 1) for c in reversed(kids))

    for k in sorted(children.get(None, []), key=lambda c: (anc[c], ids[c])):
        walk(k, 0)
    for k in sorted(set(range(len(ids))) - seen, key=lambda c: ids[c]):
        walk(k, 0)
    return order, depth


def response_links(events: Any, anchor: np.ndarray) -> list[tuple[int, int]]:
    """``(answered, answering)`` row positions of every drawable ``in_response_to`` link: both
    events among ``events`` and both dated."""
    ids = [str(v) for v in column(events, "event_id")]
    where = {i: k for k, i in enumerate(ids)}
    out = []
    for k, answered in enumerate(column(events, "in_response_to_event_id")):
        target = where.get(answered) if answered is not None else None
        if target is None or np.isnan(anchor[k]) or np.isnan(anchor[target]):
            continue
        out.append((target, k))
    return out


def figure_ranges(figures: Any) -> dict[str, np.ndarray]:
    """Per figure: the drawn range [lo, hi], best, and whether a side is open or nothing is drawn.

    From which numbers are present (the qualifier's ``when`` rule fixes them): low and high make
    a closed range, best alone a point, high alone a range open below (from zero, which a count
    cannot pass), low alone a range open above, none nothing to draw (the wording is listed).
    """

    def num(name: str) -> np.ndarray:
        return np.array([np.nan if v is None else float(v) for v in column(figures, name)])

    low, best, high = num("count_low"), num("count_best"), num("count_high")
    has_l, has_b, has_h = ~np.isnan(low), ~np.isnan(best), ~np.isnan(high)
    shape = np.select(
        [has_l & has_h, has_h & ~has_l, has_l & ~has_h, has_b],
        ["range", "open_below", "open_above", "point"],
        default="none",
    ).astype(object)
    lo = np.where(has_l, low, np.where(has_h, 0.0, best))
    hi = np.where(has_h, high, np.where(has_l, low, best))
    return {"shape": shape, "lo": lo, "hi": hi, "best": best}


def enum_of(schema: TableSchema, name: str) -> tuple[str, ...]:
    """The declared values of an enum field (the one list the report draws from)."""
    values = schema.field(name).enum
    if values is None:
        raise DescriptorError(f"table {schema.name!r}: field {name!r} declares no values")
    return tuple(values)
