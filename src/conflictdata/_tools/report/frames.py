"""What the report draws, as plain rows: intervals, lanes, links and aggregates of a release.

No charting here (pandas and numpy only), so the shapes are testable on their own. Nothing is
invented: how a row is drawn follows from which of its dates or numbers are present, which is
what the schemas' ``when`` rules tie to ``date_precision`` and ``count_qualifier``; a row with
no date is "unknown" and is never given one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...errors import DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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
    "active_rows",
    "aggregate_events",
    "enum_of",
    "event_lanes",
    "figure_ranges",
    "intervals",
    "iso",
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

    WORDS = {
        KIND_POINT: "a known day (point)",
        KIND_SPAN: "a known period: month, year or range (bar)",
        KIND_OPEN_START: "on or before a day: start unknown (bar fading to the left)",
        KIND_OPEN_END: "on or after a day: end unknown (bar fading to the right)",
        KIND_UNKNOWN: "date unknown (listed apart, not placed on the axis)",
    }


def active_rows(df: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """The rows that stand: ``record_status`` active (a table without the field: all rows)."""
    if "record_status" not in schema.field_names:
        return df
    field = schema.field("record_status")
    if field.enum is None or ACTIVE not in field.enum:
        raise DescriptorError(
            f"table {schema.name!r}: record_status declares {list(field.enum or ())}, "
            f"without {ACTIVE!r}; the report cannot tell standing rows from tombstones"
        )
    return df[(df["record_status"] == ACTIVE).to_numpy(dtype=bool, na_value=False)]


def _ms(col: pd.Series) -> np.ndarray:
    """Calendar dates as UTC milliseconds (float, NaN where empty), in Arrow: no Python dates."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(
            col.array
        )  # Arrow-backed columns (what the loader gives) convert as they are
    except (TypeError, pa.ArrowInvalid):
        arr = pa.array(col.astype(object).where(col.notna(), None).tolist())
    if pa.types.is_date(arr.type):
        arr = pc.cast(arr, pa.timestamp("ms"))
    ms = pc.cast(arr, pa.int64())
    out = ms.to_numpy(zero_copy_only=False).astype("float64")
    out[pc.is_null(ms).to_numpy(zero_copy_only=False)] = np.nan
    return out


def iso(ms: np.ndarray) -> np.ndarray:
    """UTC milliseconds as ISO 8601 strings with a Z (empty where NaN), for Vega's UTC scales."""
    out = np.full(len(ms), "", dtype=object)
    ok = ~np.isnan(ms)
    if ok.any():
        stamps = ms[ok].astype("int64").astype("datetime64[ms]")
        out[ok] = np.datetime_as_string(stamps, unit="s").astype(object) + "Z"
    return out


@dataclass(frozen=True)
class Intervals:
    """Per row: its kind, the drawn [x, x2) in UTC ms and the anchor a link attaches to."""

    kind: np.ndarray
    x: np.ndarray
    x2: np.ndarray
    anchor: np.ndarray
    domain: tuple[float, float]
    fade_ms: float


def intervals(
    start: pd.Series, end: pd.Series, *, fade_share: float = 0.2, pad_share: float = 0.05
) -> Intervals:
    """Classify and place date intervals, vectorised.

    A known day is drawn at its midday; a known period from its first day to the end of its last;
    an open bound as a bar of fixed visual width (``fade_share`` of the axis) from the known day
    towards its open side, which the chart fades out. The axis domain covers every known day,
    padded, so the same data always gives the same axis.
    """
    s, e = _ms(start), _ms(end)
    has_s, has_e = ~np.isnan(s), ~np.isnan(e)
    kind = np.select(
        [has_s & has_e & (s == e), has_s & has_e, has_e, has_s],
        [KIND_POINT, KIND_SPAN, KIND_OPEN_START, KIND_OPEN_END],
        default=KIND_UNKNOWN,
    ).astype(object)
    firsts = np.concatenate([s[has_s], e[has_e]])
    if firsts.size:
        lo, hi = float(firsts.min()), float(firsts.max()) + DAY_MS  # every known day, whole
    else:
        lo, hi = 0.0, float(DAY_MS)
    width = max(hi - lo, float(DAY_MS))
    fade = max(round(width * fade_share / DAY_MS), 2) * float(DAY_MS)
    pad = max(round(width * pad_share / DAY_MS), 1) * float(DAY_MS)
    has_open_start = bool((kind == KIND_OPEN_START).any())
    has_open_end = bool((kind == KIND_OPEN_END).any())
    domain = (
        lo - pad - (fade if has_open_start else 0.0),
        hi + pad + (fade if has_open_end else 0.0),
    )
    x = np.full(len(s), np.nan)
    x2 = np.full(len(s), np.nan)
    anchor = np.full(len(s), np.nan)
    m = kind == KIND_POINT
    x[m] = s[m] + DAY_MS / 2
    anchor[m] = x[m]
    m = kind == KIND_SPAN
    x[m], x2[m], anchor[m] = s[m], e[m] + DAY_MS, s[m]
    m = kind == KIND_OPEN_START
    x[m], x2[m], anchor[m] = e[m] + DAY_MS - fade, e[m] + DAY_MS, e[m] + DAY_MS
    m = kind == KIND_OPEN_END
    x[m], x2[m], anchor[m] = s[m], s[m] + fade, s[m]
    return Intervals(kind, x, x2, anchor, domain, fade)


def event_lanes(events: pd.DataFrame, anchor: np.ndarray) -> tuple[list[int], list[int]]:
    """Row positions in lane order (each parent followed by its parts) and each row's depth.

    Top-level events are ordered by their anchor date (undated last), then ID; the parts of an
    event follow it by sequence number, then date, then ID. A parent outside ``events`` (filtered
    away or withdrawn) leaves its parts at the top level. Called on at most a row budget of rows.
    """
    ids = events["event_id"].astype(str).tolist()
    pos = {i: k for k, i in enumerate(ids)}
    parents = (
        events["parent_event_id"]
        .astype(object)
        .where(events["parent_event_id"].notna(), None)
        .tolist()
    )
    seq = events["sequence_number"].astype("float64").fillna(np.inf).to_numpy()
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


def response_links(events: pd.DataFrame, anchor: np.ndarray) -> pd.DataFrame:
    """One row per drawable ``in_response_to`` link: answering and answered ID and anchors."""
    import pandas as pd

    ids = events["event_id"].astype(str).to_numpy()
    answered = events["in_response_to_event_id"].astype(object).to_numpy()
    where = pd.Series(np.arange(len(ids)), index=ids)
    has = pd.notna(answered)
    target = where.reindex(answered[has]).to_numpy()
    src = np.flatnonzero(has)
    ok = ~np.isnan(target)
    src, target = src[ok], target[ok].astype(int)
    drawable = ~np.isnan(anchor[src]) & ~np.isnan(anchor[target])
    src, target = src[drawable], target[drawable]
    return pd.DataFrame(
        {
            "from_id": ids[target],
            "to_id": ids[src],
            "x": anchor[target],
            "x2": anchor[src],
        }
    )


def aggregate_events(
    events: pd.DataFrame, iv: Intervals, type_field: str
) -> tuple[pd.DataFrame, str]:
    """Events per period and type, counted at their anchor (the known day or bound).

    Weeks when the dated span is at most three years, else months. Returns the counts (period
    start and end in UTC ms, type, kind, count) and the period's name.
    """
    import pandas as pd

    dated = ~np.isnan(iv.anchor)
    stamps = pd.to_datetime(iv.anchor[dated], unit="ms")
    span_days = (iv.domain[1] - iv.domain[0]) / DAY_MS
    if span_days <= 3 * 366:
        unit = "week"
        start = stamps.to_period("W-SUN").start_time
        end = start + pd.Timedelta(days=7)
    else:
        unit = "month"
        start = stamps.to_period("M").start_time
        end = (stamps.to_period("M") + 1).start_time
    frame = pd.DataFrame(
        {
            "start": start.to_numpy().astype("datetime64[ms]").astype("int64"),
            "end": end.to_numpy().astype("datetime64[ms]").astype("int64"),
            "type": events[type_field].astype(str).to_numpy()[dated],
            "kind": iv.kind[dated],
        }
    )
    counts = (
        frame.groupby(["start", "end", "type", "kind"], sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return counts, unit


def figure_ranges(figures: pd.DataFrame) -> pd.DataFrame:
    """Per figure: the drawn range [lo, hi], best, and whether a side is open or nothing is drawn.

    From which numbers are present (the qualifier's ``when`` rule fixes them): low and high make
    a closed range, best alone a point, high alone a range open below (down to zero, fading),
    low alone a range open above, none nothing to draw (the wording is listed instead).
    """
    import pandas as pd

    def num(name: str) -> np.ndarray:
        return figures[name].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)

    low, best, high = num("count_low"), num("count_best"), num("count_high")
    has_l, has_b, has_h = ~np.isnan(low), ~np.isnan(best), ~np.isnan(high)
    shape = np.select(
        [has_l & has_h, has_h & ~has_l, has_l & ~has_h, has_b],
        ["range", "open_below", "open_above", "point"],
        default="none",
    ).astype(object)
    lo = np.where(has_l, low, np.where(has_h, 0.0, best))
    hi = np.where(has_h, high, np.where(has_l, low, best))
    return pd.DataFrame({"shape": shape, "lo": lo, "hi": hi, "best": best}, index=figures.index)


def enum_of(schema: TableSchema, name: str) -> tuple[str, ...]:
    """The declared values of an enum field (the one list the report draws from)."""
    values = schema.field(name).enum
    if values is None:
        raise DescriptorError(f"table {schema.name!r}: field {name!r} declares no values")
    return values
