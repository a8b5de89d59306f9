"""Axis ticks chosen in Python for every width a chart may be drawn at.

A page chart takes the width of the page (set when it is drawn), so its ticks cannot be fixed
in advance; Vega's own choice hides labels that would overlap or cross the frame, which leaves
ticks without labels. Here each axis gets a short list of *levels* — tick values, label
positions and a label format, from the finest to the coarsest — each with the least plot width
at which every one of its labels fits beside its neighbours and inside the frame. The chart
picks, by a Vega expression on its ``width`` signal, the finest level that fits: every grid
line the chart draws has its label, and no label is dropped or clipped at any width.

Dates: a period wide enough for its label (a day, a month, a year) is labelled in its middle,
between the grid lines at its edges; otherwise each grid line is labelled, centred on it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np

from .text import text_width

__all__ = ["Level", "levels_expr", "number_levels", "time_levels"]

DAY_MS = 86_400_000
LABEL_PX = 11
GAP_PX = 14
#: Least distance between neighbouring labels' centres: a calmer axis than "as dense as fits".
MIN_STEP_PX = 64
#: Widths a level must fit at, at most; a finer level needs a wider chart than this to be used.
MAX_WIDTH = 3000


@dataclass(frozen=True)
class Level:
    """One choice of ticks: grid lines, label positions and texts, and the least width it fits."""

    min_width: float
    grid: list[float]
    labels: list[float]
    texts: list[str]
    #: the d3 format of the labels (utcFormat for dates, format for numbers)
    fmt: str


def _fit(
    lo: float,
    hi: float,
    grid: list[float],
    labels: list[float],
    texts: list[str],
    fmt: str,
    bands: bool,
    period: float,
) -> Level | None:
    """The level of these ticks, its least width, and only the labels that fit in the frame."""
    span = hi - lo
    if not labels:
        return None
    widths = [text_width(t, LABEL_PX) for t in texts]
    # a label on the frame's edge is drawn flush with it (Vega's labelFlush), the others centred
    left = [
        0.0 if v <= lo else w if v >= hi else w / 2 for v, w in zip(labels, widths, strict=True)
    ]
    right = [w - a for a, w in zip(left, widths, strict=True)]
    need = 1.0
    for i in range(len(labels) - 1):  # neighbours must not overlap, with a gap between them
        px = max(right[i] + left[i + 1] + GAP_PX, MIN_STEP_PX)
        need = max(need, px * span / (labels[i + 1] - labels[i]))
    if bands:  # each label within its own period (``period`` wide in data units)
        need = max(need, (max(widths) + GAP_PX) * span / period)
    # labels that would cross the frame at that width are left out (with their grid line)
    keep = [
        i
        for i, v in enumerate(labels)
        if (v - lo) / span * need >= left[i] and (hi - v) / span * need >= right[i]
    ]
    if not keep:
        return None
    kept = [labels[i] for i in keep]
    if not bands:
        grid = kept
    return Level(need, [float(g) for g in grid], kept, [texts[i] for i in keep], fmt)


def _utc(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _ms(d: datetime) -> float:
    return d.timestamp() * 1000


def _boundaries(lo: float, hi: float, unit: str, step: int) -> list[float]:
    """Calendar boundaries (UTC) of ``step`` ``unit`` s from before ``lo`` to after ``hi``."""
    start = _utc(lo)
    out: list[float] = []
    if unit == "day":
        d = np.datetime64(int(lo), "ms").astype("datetime64[D]")
        end = np.datetime64(int(hi), "ms").astype("datetime64[D]") + np.timedelta64(1, "D")
        epoch = d.astype("int64") // step * step  # every step-th day counted from 1970-01-01
        days = np.arange(epoch, end.astype("int64") + step, step)
        return [float(v) * DAY_MS for v in days]
    if unit == "week":
        d = np.datetime64(int(lo), "ms").astype("datetime64[D]")
        monday = d - ((d.astype("int64") + 3) % 7)  # 1970-01-01 was a Thursday
        days = np.arange(monday.astype("int64"), (hi // DAY_MS) + 8 * step, 7 * step)
        return [float(v) * DAY_MS for v in days]
    if unit == "month":
        m = (start.year * 12 + start.month - 1) // step * step
        while True:
            y, mo = divmod(m, 12)
            v = _ms(datetime(y, mo + 1, 1, tzinfo=UTC))
            out.append(v)
            if v > hi:
                return out
            m += step
    y = start.year // step * step
    while True:
        v = _ms(datetime(max(y, 1), 1, 1, tzinfo=UTC))
        out.append(v)
        if v > hi:
            return out
        y += step


_APPROX_MS = {"day": DAY_MS, "week": 7 * DAY_MS, "month": 30 * DAY_MS, "year": 365 * DAY_MS}
_TIME_STEPS = [
    ("day", 1), ("day", 2), ("week", 1), ("week", 2), ("month", 1), ("month", 3), ("month", 6),
    ("year", 1), ("year", 2), ("year", 5), ("year", 10), ("year", 20), ("year", 50), ("year", 100),
]  # fmt: skip


def _time_format(unit: str, years: bool) -> str:
    """The label format (strftime and d3's utcFormat agree on these)."""
    if unit in ("day", "week"):
        return "%b %d, %Y" if years else "%b %d"
    return "%b %Y" if unit == "month" else "%Y"


def time_levels(lo: float, hi: float) -> list[Level]:
    """Levels of a UTC time axis over ``[lo, hi]`` (ms), finest first."""
    out: list[Level] = []
    years = _utc(lo).year != _utc(hi).year
    for unit, step in _TIME_STEPS:
        if (hi - lo) / (_APPROX_MS[unit] * step) > MAX_WIDTH / MIN_STEP_PX + 2:
            continue  # more labels than any width this level could be used at holds
        edges = _boundaries(lo, hi, unit, step)
        inside = [v for v in edges if lo <= v <= hi]
        fmt = _time_format(unit, years)
        level = None
        if step == 1 and unit in ("day", "month", "year"):  # label the periods themselves
            mids = []
            for a, b in pairwise(edges):
                a2, b2 = max(a, lo), min(b, hi)
                if b2 - a2 >= (b - a) * 0.5:  # at least half of the period is on the axis
                    mids.append(float(round((a2 + b2) / 2)))
            if mids:
                texts = [_utc(v).strftime(fmt) for v in mids]
                period = min(b - a for a, b in pairwise(edges))
                level = _fit(lo, hi, inside, mids, texts, fmt, True, period)
        if level is None:
            texts = [_utc(v).strftime(fmt) for v in inside]
            level = _fit(lo, hi, inside, inside, texts, fmt, False, 0.0)
        if level is None:
            continue
        if out and level.min_width >= out[-1].min_width:
            continue  # never coarser and wider at once
        out.append(level)
        if level.min_width <= 160:
            break
    return _trim(out)


def _trim(levels: list[Level]) -> list[Level]:
    """Drop levels that need more than MAX_WIDTH px, keeping at least the coarsest."""
    kept = [lv for lv in levels if lv.min_width <= MAX_WIDTH]
    return kept or levels[-1:]


def number_levels(lo: float, hi: float, *, integer: bool = True) -> list[Level]:
    """Levels of a linear axis over ``[lo, hi]``: steps of 1, 2 and 5 times a power of ten."""
    span = hi - lo
    if span <= 0:
        return []
    out: list[Level] = []
    k = math.floor(math.log10(span)) - 2
    while len(out) < 12 and k < 20:
        for m in (1, 2, 5):
            step = m * 10.0**k
            if integer and step < 1:
                continue
            first = math.ceil(lo / step) * step
            values = list(np.arange(first, hi + step * 1e-9, step)) if span / step <= 400 else []
            if not values:
                continue
            digits = 0 if step >= 1 else -k
            texts = [f"{v:,.{digits}f}" for v in values]
            level = _fit(lo, hi, values, values, texts, f",.{digits}f", False, 0.0)
            if level is None or (out and level.min_width >= out[-1].min_width):
                continue
            out.append(level)
        if out and out[-1].min_width <= 120:
            break
        k += 1
    return _trim(out)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def levels_expr(levels: list[Level], what: str) -> str:
    """A Vega expression choosing, by ``width``, the finest level that fits: its ``grid``
    values, its ``labels`` positions, or its label format (``fmt``)."""
    if not levels:
        return "[]" if what != "fmt" else json.dumps("")

    def arr(level: Level) -> str:
        if what == "fmt":
            return json.dumps(level.fmt)
        values = level.grid if what == "grid" else level.labels
        return "[" + ",".join(_num(v) for v in values) + "]"

    expr = arr(levels[-1])
    for level in reversed(levels[:-1]):
        expr = f"(width >= {math.ceil(level.min_width)} ? {arr(level)} : {expr})"
    return expr
