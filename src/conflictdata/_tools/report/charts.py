"""The report's charts as Vega-Lite specs (plain dicts): the event timeline, figures as ranges,
deployments, and events per period above the row budget.

Every chart is one layered view whose ``width`` is the plot's: the page sets it to the width
of the page when it draws the chart (the labels and the "date unknown" column sit to the left
of the plot, at a fixed width), so the chart fits from 900 px up and never makes the page
scroll sideways; a notebook gets :data:`NOTEBOOK_WIDTH`. A row is a *lane*: its ID in a
column of its own, its label wrapped (never cut) to the label column, and its mark:

- a known day: a dot at the day's middle;
- a known period (month, year, range): a bar from its first day to the end of its last;
- *on or before* / *on or after* a day: a bar-end (a short upright bar) at the edge of the
  known day and a line from it to the frame of the plot, with an arrowhead on the frame: the
  other end is not a date, so it is not drawn at one;
- no date: a diamond in the "date unknown" column, off the time axis.

``in_response_to`` links run from the answered event to the answering one through a gutter to
the right of both, and end in an arrowhead whose tip touches the answering event's mark.
Positions in pixels (link gutters, arrowheads) are Vega expressions on the ``x`` scale, so they
follow the width. Axis ticks come from :mod:`.axis`: every grid line is labelled at any width.
Colours are the schema's enum order (a value keeps its colour whatever else is drawn); a
legend lists only the values drawn. Views and marks are named here, so a spec is the same on
every call. Altair is needed only to hand a chart to a notebook (:func:`as_altair`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import axis as ax
from . import frames as fr
from .text import FONT, MONO, mono_width, visible, wrap

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

    from ..._tableschema.model import TableSchema
    from .tables import EventSummary

__all__ = [
    "LABEL_WIDTH",
    "NOTEBOOK_WIDTH",
    "PALETTE",
    "Lane",
    "aggregate_chart",
    "as_altair",
    "colour_of",
    "deployments_chart",
    "figure_charts",
    "lanes_chart",
    "timeline_chart",
    "when_text",
]

#: Tableau 10: distinct for the colour-blind in most pairs; assigned in enum order.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NOTEBOOK_WIDTH = 640
#: The label column (IDs and wrapped labels) left of a plot, in px.
LABEL_WIDTH = 340
UNKNOWN_WIDTH = 64
GAP = 10
FONT_PX = 11
LINE_PX = 14
LANE_MIN = 24
#: Lines a label may take: a title of the schemas' longest (300 characters, even all "W") fits whole; only
#: longer text ends in "…" (all of it is in the tooltip and the row's details).
TITLE_LINES = 20
SUB_LINES = 8
LANE_PAD = 5
INDENT = 14
MARK_HALF = 6  # half the height of a bar; a bar-end is a little taller
POINT_SIZE = 110  # area in px², a dot of radius about 6
POINT_R = 6.5
CAP_W = 3
ARROW = "M0,0L2,-0.9L2,0.9Z"  # tip at the origin, pointing left; 2r long (r = sqrt(size)/2)
ARROW_RIGHT = "M0,0L-2,-0.9L-2,0.9Z"
ARROW_SIZE = 64  # a head 8 px long
LINK_COLOUR = "#333333"
LINK_OUT_DY = 4
MUTED = "#666666"
#: The tooltip's fields in order: data column -> title shown.
TIP = {
    "id": "ID",
    "label": "what",
    "when": "date",
    "date_text": "source's date wording",
    "detail": "detail",
    "excerpt": "source excerpt",
}


def colour_of(value: str, declared: tuple[str, ...]) -> str:
    """The colour of an enum value: its place among the declared values, so it never changes."""
    try:
        return PALETTE[declared.index(value) % len(PALETTE)]
    except ValueError:
        return PALETTE[-1]


def when_text(kind: str, start: str, end: str, precision: str) -> str:
    """An interval in words: what is known and what is not."""
    if kind == fr.KIND_POINT:
        return f"{start} ({precision})"
    if kind == fr.KIND_SPAN:
        return f"{start} to {end} ({precision})"
    if kind == fr.KIND_OPEN_START:
        return f"on or before {end}; start unknown ({precision})"
    if kind == fr.KIND_OPEN_END:
        return f"on or after {start}; end unknown ({precision})"
    return (
        "unknown: no date given"
        if precision in ("", fr.KIND_UNKNOWN)
        else f"unknown: no date given ({precision})"
    )


@dataclass
class Lane:
    """One row of a lanes chart: what is written left of the plot, and what is drawn in it."""

    id: str
    title: str
    key: str  # the colour's value (a type)
    kind: str  # one of frames' KIND_* (figures: range, open_below, open_above, point, none)
    x: float | None = None
    x2: float | None = None
    bound: float | None = None
    best: float | None = None
    anchor: float | None = None
    depth: int = 0
    dim: bool = False
    sub: str = ""  # a second, grey part of the label (wording)
    tip: dict[str, str] = field(default_factory=dict)


def _tooltip(columns: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": k, "type": "nominal", "title": v} for k, v in columns.items()]


def _num(v: float | None) -> float | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return float(v)


@dataclass
class _Layout:
    rows: list[dict[str, Any]]
    height: int
    left: float  # px from the plot's left edge to the label column's left edge
    id_x: float
    unknown: bool


def _layout(lanes: list[Lane], *, unknown: bool) -> _Layout:
    """Lane heights from the wrapped labels, and the rows of the chart's dataset."""
    id_w = max((mono_width(visible(ln.id), FONT_PX) for ln in lanes), default=0.0) + GAP
    left = LABEL_WIDTH + GAP + ((UNKNOWN_WIDTH + GAP) if unknown else 0)
    id_x = -left
    rows = []
    top = 0.0
    for k, ln in enumerate(lanes):
        indent = INDENT * min(ln.depth, 4)
        room = LABEL_WIDTH - id_w - indent
        title = wrap(visible(ln.title), room, FONT_PX, max_lines=TITLE_LINES)
        sub = wrap(visible(ln.sub), room, FONT_PX, max_lines=SUB_LINES) if ln.sub else []
        lines = len(title) + len(sub)
        height = max(LANE_MIN, lines * LINE_PX + 2 * LANE_PAD)
        mid = top + height / 2
        text_top = mid - lines * LINE_PX / 2 + 1
        row = {
            "id": visible(ln.id),
            "key": ln.key,
            "kind": ln.kind,
            "dim": ln.dim,
            "x": _num(ln.x),
            "x2": _num(ln.x2),
            "bound": _num(ln.bound),
            "best": _num(ln.best),
            "top": top,
            "bottom": top + height,
            "mid": mid,
            "bar_top": mid - MARK_HALF,
            "bar_bottom": mid + MARK_HALF,
            "cap_top": mid - MARK_HALF - 2,
            "cap_bottom": mid + MARK_HALF + 2,
            "text_y": text_top,
            "sub_y": text_top + len(title) * LINE_PX,
            "title_x": id_x + id_w + indent,
            "title_text": "\n".join(title),
            "sub_text": "\n".join(sub),
            "zebra": k % 2 == 1,
            **{c: visible(v) for c, v in ln.tip.items()},
        }
        rows.append(row)
        top += height
    return _Layout(rows, round(top), left, id_x, unknown)


def _x_scale(domain: tuple[float, float], temporal: bool) -> dict[str, Any]:
    """The x scale with its domain as an expression: Vega-Lite turns a temporal domain given
    as values into a union of signals whose extent Vega cannot take."""
    values = {"expr": f"[{ax._num(domain[0])}, {ax._num(domain[1])}]"}
    if temporal:
        return {"type": "utc", "domain": values, "nice": False}
    return {"type": "linear", "domain": values, "nice": False, "zero": False}


def _y(field: str, height: float) -> dict[str, Any]:
    return {
        "field": field,
        "type": "quantitative",
        "scale": {"domain": [0, height], "reverse": True, "nice": False, "zero": False},
        "axis": None,
    }


def _axes(domain: tuple[float, float], temporal: bool, title: str) -> list[dict[str, Any]]:
    """Two layers that declare the x scale and draw its axis: grid lines, and labels (both from
    the same levels of :mod:`.axis`)."""
    levels = ax.time_levels(*domain) if temporal else ax.number_levels(*domain)
    kind = "temporal" if temporal else "quantitative"
    scale = _x_scale(domain, temporal)
    fmt = ax.levels_expr(levels, "fmt")
    text = f"utcFormat(datum.value, {fmt})" if temporal else f"format(datum.value, {fmt})"
    empty: dict[str, Any] = {"values": []}
    return [
        {
            "name": "grid",
            "data": empty,
            "mark": {"type": "rule"},
            "encoding": {
                "x": {
                    "field": "v",
                    "type": kind,
                    "scale": scale,
                    "axis": {
                        "orient": "bottom",
                        "values": {"expr": ax.levels_expr(levels, "grid")},
                        "grid": True,
                        "gridColor": "#dddddd",
                        "labels": False,
                        "ticks": False,
                        "domain": False,
                        "title": None,
                    },
                }
            },
        },
        {
            "name": "axis",
            "data": empty,
            "mark": {"type": "rule"},
            "encoding": {
                "x": {
                    "field": "v",
                    "type": kind,
                    "scale": scale,
                    "axis": {
                        "orient": "bottom",
                        "values": {"expr": ax.levels_expr(levels, "labels")},
                        "labelExpr": text,
                        "labelFlush": True,
                        "labelOverlap": False,
                        "labelBound": False,
                        "labelFontSize": FONT_PX,
                        "grid": False,
                        "ticks": False,
                        "domain": True,
                        "domainColor": "#888888",
                        "title": title,
                        "titleFontWeight": "normal",
                        "titleFontSize": FONT_PX,
                    },
                }
            },
        },
    ]


def _colour(
    keys: list[str], declared: tuple[str, ...], legend: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "field": "key",
        "type": "nominal",
        "scale": {"domain": keys, "range": [colour_of(k, declared) for k in keys]},
        "legend": legend,
    }


def _drawn_keys(lanes: list[Lane], declared: tuple[str, ...]) -> list[str]:
    present = {ln.key for ln in lanes if ln.kind not in ("none",)}
    return [v for v in declared if v in present] + sorted(present - set(declared))


def _links(
    name: str, dataset: str, layout: _Layout, links: list[tuple[int, int]], lanes: list[Lane]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Layers and rows of the response links: from lane a's anchor to lane b's, via a gutter."""
    rows = []
    ranges: list[tuple[float, float, int]] = []
    for a, b in sorted(links, key=lambda ab: (min(ab), max(ab))):
        ra, rb = layout.rows[a], layout.rows[b]
        y0, y1 = sorted((ra["mid"], rb["mid"]))
        used = {s for lo, hi, s in ranges if lo <= y1 and y0 <= hi}
        slot = next(s for s in range(len(ranges) + 1) if s not in used)
        ranges.append((y0, y1, slot))
        off = {fr.KIND_POINT: POINT_R, fr.KIND_SPAN: 0.5, fr.KIND_OPEN_START: CAP_W / 2 + 0.5}
        rows.append(
            {
                "id": rb["id"],
                "a": lanes[a].anchor,
                "b": lanes[b].anchor,
                "oa": off.get(lanes[a].kind, CAP_W / 2),
                "ob": off.get(lanes[b].kind, CAP_W / 2 + 0.5),
                "ya": ra["mid"] + LINK_OUT_DY,  # leaves below the middle, arrives at it
                "yb": rb["mid"],
                "slot": slot,
                "label": f"{rb['id']} answers {ra['id']}",
                "detail": "in_response_to_event_id",
                "excerpt": rb.get("excerpt", ""),
            }
        )
    xa = "(scale('x', datum.a) + datum.oa)"
    xb = "(scale('x', datum.b) + datum.ob)"
    gutter = f"min(width - 2, max({xa}, {xb}) + 12 + 7 * datum.slot)"
    data = {"name": f"{dataset}_links"}
    tip = _tooltip({"id": "ID", "label": "link", "detail": "detail", "excerpt": "source excerpt"})
    rule = {"type": "rule", "color": LINK_COLOUR, "strokeWidth": 1.5}
    layers = [
        {
            "name": f"{name}_link_out",
            "data": data,
            "mark": {**rule, "x": {"expr": xa}, "x2": {"expr": gutter}},
            "encoding": {"y": _y("ya", layout.height), "tooltip": tip},
        },
        {
            "name": f"{name}_link_across",
            "data": data,
            "mark": {**rule, "x": {"expr": gutter}, "x2": {"expr": gutter}},
            "encoding": {"y": _y("ya", layout.height), "y2": {"field": "yb"}, "tooltip": tip},
        },
        {
            "name": f"{name}_link_in",
            "data": data,
            "mark": {**rule, "x": {"expr": gutter}, "x2": {"expr": f"{xb} + 6"}},
            "encoding": {"y": _y("yb", layout.height), "tooltip": tip},
        },
        {
            "name": f"{name}_link_head",
            "data": data,
            "mark": {
                "type": "point",
                "shape": ARROW,
                "size": ARROW_SIZE,
                "filled": True,
                "opacity": 1,
                "color": LINK_COLOUR,
                "x": {"expr": xb},
            },
            "encoding": {"y": _y("yb", layout.height), "tooltip": tip},
        },
    ]
    return layers, rows


def lanes_chart(
    name: str,
    lanes: list[Lane],
    *,
    declared: tuple[str, ...],
    domain: tuple[float, float] | None,
    temporal: bool,
    axis_title: str,
    legend_title: str,
    legend: bool,
    links: Sequence[tuple[int, int]] = (),
    arrow_below: bool = True,
    width: int = NOTEBOOK_WIDTH,
    title: str | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """A lanes chart (see the module docstring) of ``lanes``, as a Vega-Lite spec; ``name``
    prefixes its layers' names, ``dataset`` names its rows (default: ``name``)."""
    dataset = dataset or name
    has_unknown = any(ln.kind == fr.KIND_UNKNOWN for ln in lanes)
    layout = _layout(lanes, unknown=has_unknown)
    height = max(layout.height, LANE_MIN)
    keys = _drawn_keys(lanes, declared)
    legend_spec = (
        {
            "title": legend_title,
            "orient": "bottom",
            "direction": "horizontal",
            "columns": 3,
            "symbolType": "square",
        }
        if legend
        else None
    )
    colour = _colour(keys, declared, legend_spec)
    plain = {"field": "key", "type": "nominal", "scale": colour["scale"], "legend": None}
    dim_opacity = {"condition": {"test": "datum.dim", "value": 0.55}, "value": 1}
    dash = {"condition": {"test": "datum.dim", "value": [4, 3]}, "value": [1, 0]}
    tip = _tooltip(TIP)
    data = {"name": dataset}
    x_kind = "temporal" if temporal else "quantitative"
    plotted = domain is not None and any(ln.kind not in (fr.KIND_UNKNOWN, "none") for ln in lanes)

    def x(fieldname: str) -> dict[str, Any]:
        return {"field": fieldname, "type": x_kind, "axis": None}

    def only(*kinds: str) -> list[dict[str, Any]]:
        return [{"filter": " || ".join(f"datum.kind === '{k}'" for k in kinds)}]

    layers: list[dict[str, Any]] = [
        {
            "name": f"{name}_zebra",
            "data": data,
            "transform": [{"filter": "datum.zebra"}],
            "mark": {
                "type": "rect",
                "color": "#f4f4f4",
                "x": -layout.left - 4,
                "x2": {"expr": "width"},
            },
            "encoding": {"y": _y("top", height), "y2": {"field": "bottom"}},
        }
    ]
    if has_unknown:
        col_x = -(UNKNOWN_WIDTH + GAP)
        box: dict[str, Any] = {"values": [{}]}
        layers += [
            {
                "name": f"{name}_column_frame",
                "data": box,
                "mark": {
                    "type": "rect",
                    "x": col_x,
                    "x2": -GAP,
                    "y": 0,
                    "y2": {"expr": "height"},
                    "fill": None,
                    "stroke": "#cccccc",
                },
            },
            {
                "name": f"{name}_column_title",
                "data": box,
                "mark": {
                    "type": "text",
                    "text": ["date", "unknown"],
                    "x": col_x + UNKNOWN_WIDTH / 2,
                    "y": -4,
                    "baseline": "bottom",
                    "align": "center",
                    "fontSize": FONT_PX - 1,
                    "color": "#555555",
                    "lineHeight": LINE_PX - 2,
                },
            },
            {
                "name": f"{name}_unknown",
                "data": data,
                "transform": only(fr.KIND_UNKNOWN),
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 120,
                    "strokeWidth": 2,
                    "filled": True,
                    "x": col_x + UNKNOWN_WIDTH / 2,
                },
                "encoding": {
                    "y": _y("mid", height),
                    "color": colour,
                    "stroke": plain,
                    "fillOpacity": {"condition": {"test": "datum.dim", "value": 0}, "value": 1},
                    "opacity": dim_opacity,
                    "tooltip": tip,
                },
            },
        ]
    if plotted:
        assert domain is not None
        layers[1:1] = _axes(domain, temporal, axis_title)
        open_kinds = (fr.KIND_OPEN_START, fr.KIND_OPEN_END, "open_below", "open_above")
        layers += [
            {
                "name": f"{name}_ray",
                "data": data,
                "transform": only(*open_kinds),
                "mark": {"type": "rule", "strokeWidth": 2.5},
                "encoding": {
                    "x": x("x"),
                    "x2": {"field": "x2"},
                    "y": _y("mid", height),
                    "color": plain,
                    "opacity": dim_opacity,
                    "strokeDash": dash,
                    "tooltip": tip,
                },
            },
            {
                "name": f"{name}_ray_head_start",
                "data": data,
                "transform": only(fr.KIND_OPEN_START, *(("open_below",) if arrow_below else ())),
                "mark": {
                    "type": "point",
                    "shape": ARROW,
                    "size": ARROW_SIZE,
                    "filled": True,
                    "x": 0,
                },
                "encoding": {
                    "y": _y("mid", height),
                    "color": plain,
                    "opacity": {"value": 1},
                    "tooltip": tip,
                },
            },
            {
                "name": f"{name}_ray_head_end",
                "data": data,
                "transform": only(fr.KIND_OPEN_END, "open_above"),
                "mark": {
                    "type": "point",
                    "shape": ARROW_RIGHT,
                    "size": ARROW_SIZE,
                    "filled": True,
                    "x": {"expr": "width"},
                },
                "encoding": {
                    "y": _y("mid", height),
                    "color": plain,
                    "opacity": {"value": 1},
                    "tooltip": tip,
                },
            },
        ]
        link_rows: list[dict[str, Any]] = []
        if links:
            link_layers, link_rows = _links(name, dataset, layout, list(links), lanes)
            layers += link_layers
        layers += [
            {
                "name": f"{name}_span",
                "data": data,
                "transform": only(fr.KIND_SPAN, "range"),
                "mark": {"type": "rect", "cornerRadius": 2, "strokeWidth": 1.5},
                "encoding": {
                    "x": x("x"),
                    "x2": {"field": "x2"},
                    "y": _y("bar_top", height),
                    "y2": {"field": "bar_bottom"},
                    "color": colour,
                    "stroke": plain,
                    "fillOpacity": {
                        "condition": {"test": "datum.dim", "value": 0.25},
                        "value": 0.85,
                    },
                    "strokeDash": dash,
                    "tooltip": tip,
                },
            },
        ]
        for kind in (fr.KIND_OPEN_START, fr.KIND_OPEN_END, "open_below", "open_above"):
            if any(ln.kind == kind for ln in lanes):
                layers.append(
                    {
                        "name": f"{name}_{kind}",
                        "data": data,
                        "transform": only(kind),
                        "mark": {"type": "rule", "strokeWidth": CAP_W},
                        "encoding": {
                            "x": x("bound"),
                            "y": _y("cap_top", height),
                            "y2": {"field": "cap_bottom"},
                            "color": plain,
                            "opacity": dim_opacity,
                            "tooltip": tip,
                        },
                    }
                )
        layers.append(
            {
                "name": f"{name}_point",
                "data": data,
                "transform": only(fr.KIND_POINT, "point"),
                "mark": {
                    "type": "point",
                    "shape": "circle",
                    "size": POINT_SIZE,
                    "filled": True,
                    "strokeWidth": 2,
                },
                "encoding": {
                    "x": x("x"),
                    "y": _y("mid", height),
                    "color": colour,
                    "stroke": plain,
                    "fillOpacity": {"condition": {"test": "datum.dim", "value": 0}, "value": 1},
                    "opacity": dim_opacity,
                    "tooltip": tip,
                },
            }
        )
        if any(ln.best is not None and ln.kind != "point" for ln in lanes):
            layers.append(
                {
                    "name": f"{name}_best",
                    "data": data,
                    "transform": [{"filter": "datum.best !== null && datum.kind !== 'point'"}],
                    "mark": {
                        "type": "point",
                        "shape": "circle",
                        "size": 70,
                        "filled": True,
                        "color": "#222222",
                        "opacity": 1,
                    },
                    "encoding": {"x": x("best"), "y": _y("mid", height), "tooltip": tip},
                }
            )
    else:
        link_rows = []
    text = {
        "type": "text",
        "align": "left",
        "baseline": "top",
        "lineBreak": "\n",
        "fontSize": FONT_PX,
        "lineHeight": LINE_PX,
    }
    layers += [
        {
            "name": f"{name}_label_id",
            "data": data,
            "mark": {**text, "font": MONO, "x": layout.id_x, "color": "#333333"},
            "encoding": {"y": _y("text_y", height), "text": {"field": "id"}, "tooltip": tip},
        },
        {
            "name": f"{name}_label",
            "data": data,
            "mark": {**text, "color": "#222222"},
            "encoding": {
                "x": {"field": "title_x", "type": "quantitative", "scale": None, "axis": None},
                "y": _y("text_y", height),
                "text": {"field": "title_text"},
                "tooltip": tip,
            },
        },
    ]
    if any(ln.sub for ln in lanes):
        layers.append(
            {
                "name": f"{name}_label_sub",
                "data": data,
                "mark": {**text, "color": MUTED},
                "encoding": {
                    "x": {"field": "title_x", "type": "quantitative", "scale": None, "axis": None},
                    "y": _y("sub_y", height),
                    "text": {"field": "sub_text"},
                    "tooltip": tip,
                },
            }
        )
    datasets = {dataset: layout.rows}
    if link_rows:
        datasets[f"{dataset}_links"] = link_rows
    spec: dict[str, Any] = {
        "width": width if plotted else 1,
        "height": height,
        "layer": layers,
        "resolve": {"axis": {"x": "independent"}},
        "usermeta": {"conflictdata": {"left": layout.left, "plotted": plotted, "name": name}},
    }
    if not plotted:  # no date to place: no plot, not even its frame
        spec["view"] = {"stroke": None}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "frame": "bounds"}
    return toplevel(spec, datasets)


def toplevel(spec: dict[str, Any], datasets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A complete Vega-Lite spec: schema, page fonts, and the rows once as named datasets."""
    config = {
        "font": FONT,
        "aria": False,
        "view": {"stroke": "#bbbbbb"},
        "axis": {
            "labelColor": "#333333",
            "titleColor": "#333333",
            "labelFont": FONT,
            "titleFont": FONT,
        },
        "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": FONT_PX, "labelLimit": 0},
        "text": {"font": FONT},
    }
    return {"$schema": VL_SCHEMA, "config": config, **spec, "datasets": datasets}


# --------------------------------------------------------------------------- the charts


def _tip_when(rows: Any, kind: np.ndarray) -> list[str]:
    """Each row's dates as its tooltip says them (``kind``: each row's interval kind)."""
    start = [str(v or "") for v in fr.column(rows, "date_start")]
    end = [str(v or "") for v in fr.column(rows, "date_end")]
    precision = _texts(rows, "date_precision")
    return [when_text(k, s, e, p) for k, s, e, p in zip(kind, start, end, precision, strict=True)]


def _texts(table: Any, name: str) -> list[str]:
    return ["" if v is None else str(v) for v in fr.column(table, name)]


def timeline_chart(
    events: Any,
    schema: TableSchema,
    *,
    legend: bool = True,
    width: int = NOTEBOOK_WIDTH,
    title: str | None = None,
) -> dict[str, Any]:
    """The events as what the data says, a lane each: parts under their parent, links drawn.

    ``events``: the standing events to draw (an Arrow table or a DataFrame), at most a row budget.
    """
    types = fr.enum_of(schema, "event_type")
    statuses = fr.enum_of(schema, "event_status")
    iv = fr.intervals(fr.column(events, "date_start"), fr.column(events, "date_end"))
    order, depth = fr.event_lanes(events, iv.first)
    ids = _texts(events, "event_id")
    titles = _texts(events, "title")
    status = _texts(events, "event_status")
    etype = _texts(events, "event_type")
    parent = _texts(events, "parent_event_id")
    answers = _texts(events, "in_response_to_event_id")
    when = _tip_when(events, iv.kind)
    date_text = _texts(events, "date_text")
    excerpt = _texts(events, "source_excerpt")
    lanes = []
    for k in order:
        bits = [f"type {etype[k]}", f"status {status[k]}"]
        if parent[k]:
            bits.append(f"part of {parent[k]}")
        if answers[k]:
            bits.append(f"in response to {answers[k]}")
        note = f"({status[k]}) " if status[k] != statuses[0] else ""
        mark = "\u21b3 " if depth[k] else ""
        deep = f"{depth[k]} " if depth[k] > 4 else ""  # deeper parts: the depth, not more indent
        lanes.append(
            Lane(
                id=ids[k],
                title=f"{mark}{deep}{note}{titles[k]}",
                key=etype[k],
                kind=iv.kind[k],
                x=iv.x[k],
                x2=iv.x2[k],
                bound=iv.bound[k],
                anchor=_num(iv.anchor[k]),
                depth=depth[k],
                dim=status[k] != statuses[0],
                tip={
                    "label": titles[k],
                    "when": when[k],
                    "date_text": date_text[k],
                    "detail": "; ".join(bits),
                    "excerpt": excerpt[k],
                },
            )
        )
    position = {k: i for i, k in enumerate(order)}
    links = [(position[a], position[b]) for a, b in fr.response_links(events, iv.anchor)]
    return lanes_chart(
        "ev",
        lanes,
        declared=types,
        domain=iv.domain,
        temporal=True,
        axis_title="date (UTC)",
        legend_title="event type",
        legend=legend,
        links=links,
        width=width,
        title=title,
        dataset="events",
    )


def deployments_chart(
    deps: Any,
    schema: TableSchema,
    names: dict[str, str],
    *,
    legend: bool = True,
    width: int = NOTEBOOK_WIDTH,
) -> dict[str, Any]:
    """Where forces stood as of an interval: the same date drawing as the events."""
    kinds = fr.enum_of(schema, "deployment_type")
    iv = fr.intervals(fr.column(deps, "date_start"), fr.column(deps, "date_end"))
    ids = _texts(deps, "deployment_id")
    actor = _texts(deps, "actor_id")
    dtype = _texts(deps, "deployment_type")
    loc = _texts(deps, "location_text")
    words = _texts(deps, "count_text")
    when = _tip_when(deps, iv.kind)
    date_text = _texts(deps, "date_text")
    excerpt = _texts(deps, "source_excerpt")
    lanes = []
    for k in range(len(ids)):
        who = names.get(actor[k], actor[k])
        lanes.append(
            Lane(
                id=ids[k],
                title=f"{who} \u00b7 {dtype[k]}",
                sub=f"{words[k]} {loc[k]}".strip(),
                key=dtype[k],
                kind=iv.kind[k],
                x=iv.x[k],
                x2=iv.x2[k],
                bound=iv.bound[k],
                anchor=_num(iv.anchor[k]),
                tip={
                    "label": f"{words[k]} {loc[k]}".strip(),
                    "when": when[k],
                    "date_text": date_text[k],
                    "detail": f"{dtype[k]} of {actor[k]}; as of {when[k]}",
                    "excerpt": excerpt[k],
                },
            )
        )
    return lanes_chart(
        "dep",
        lanes,
        declared=kinds,
        domain=iv.domain,
        temporal=True,
        axis_title="as of (UTC)",
        legend_title="deployment type",
        legend=legend,
        width=width,
        dataset="deployments",
    )


def figure_charts(
    figs: Any, schema: TableSchema, names: dict[str, str], *, width: int = NOTEBOOK_WIDTH
) -> dict[str, dict[str, Any]]:
    """Per quantity with a number: each figure as its range (low to high, best as a dot, an
    open bound as a line to the frame), keyed by quantity in the schema's order."""
    shapes = fr.figure_ranges(figs)
    quantity = _texts(figs, "quantity")
    ids = _texts(figs, "figure_id")
    event = _texts(figs, "event_id")
    qual = _texts(figs, "count_qualifier")
    words = _texts(figs, "count_text")
    claim = _texts(figs, "claimed_by_actor_id")
    excerpt = _texts(figs, "source_excerpt")
    out: dict[str, dict[str, Any]] = {}
    for q in fr.enum_of(schema, "quantity"):
        pick = [k for k in range(len(ids)) if quantity[k] == q and shapes["shape"][k] != "none"]
        if not pick:
            continue
        top = max(
            float(np.nanmax([shapes["hi"][k] for k in pick])),
            float(
                np.nanmax(
                    [shapes["best"][k] if not np.isnan(shapes["best"][k]) else 0 for k in pick]
                )
            ),
            1.0,
        )
        hi = top * 1.15 if any(shapes["shape"][k] == "open_above" for k in pick) else top * 1.06
        domain = (0.0, hi)
        lanes = []
        for k in pick:
            shape = shapes["shape"][k]
            who = names.get(claim[k], claim[k]) if claim[k] else "not attributed"
            lo_v, hi_v, best = shapes["lo"][k], shapes["hi"][k], shapes["best"][k]
            if shape == "open_below":
                x, x2, bound = 0.0, hi_v, hi_v
            elif shape == "open_above":
                x, x2, bound = lo_v, hi, lo_v
            elif shape == "range":
                x, x2, bound = lo_v, hi_v, None
            else:
                x, x2, bound = best, None, None
            lanes.append(
                Lane(
                    id=ids[k],
                    title=f"{event[k]} \u00b7 {qual[k]}",
                    sub=f"{words[k]} (claimed by {who})" if claim[k] else words[k],
                    key=q,
                    kind=shape,
                    x=x,
                    x2=x2,
                    bound=bound,
                    best=None if np.isnan(best) else best,
                    tip={
                        "label": words[k],
                        "when": "",
                        "date_text": "",
                        "detail": f"{qual[k]}; claimed by {who}; event {event[k]}",
                        "excerpt": excerpt[k],
                    },
                )
            )
        out[q] = lanes_chart(
            f"fig_{len(out)}",
            lanes,
            declared=(q,),
            domain=domain,
            temporal=False,
            axis_title=q.replace("_", " "),
            legend_title="quantity",
            legend=False,
            arrow_below=False,
            width=width,
        )
    return out


def aggregate_chart(
    summary: EventSummary, schema: TableSchema, *, legend: bool = True, width: int = NOTEBOOK_WIDTH
) -> dict[str, Any]:
    """Events per week or month, stacked by type: the timeline above the row budget."""
    types = fr.enum_of(schema, "event_type")
    unit = summary.unit
    days = fr.iso_day(np.array([s for s, _, _, _ in summary.periods], dtype="float64"))
    rows: list[dict[str, Any]] = [  # few columns: the page weighs what these rows weigh
        {"x": s, "x2": e, "key": visible(t), "count": c, "when": f"{unit} of {day}"}
        for (s, e, t, c), day in zip(summary.periods, days, strict=True)
    ]
    present = {r["key"] for r in rows}
    keys = [v for v in types if v in present] + sorted(present - set(types))
    layers: list[dict[str, Any]] = []
    if rows:
        lo = float(min(r["x"] for r in rows))
        hi = float(max(r["x2"] for r in rows))
        margin = (hi - lo) * 0.02
        domain = (lo - margin, hi + margin)
        layers = [
            *_axes(domain, True, f"{unit} (UTC)"),
            {
                "name": "ev_agg",
                "data": {"name": "event_counts"},
                "mark": {"type": "rect"},
                "encoding": {
                    "x": {"field": "x", "type": "temporal", "axis": None},
                    "x2": {"field": "x2"},
                    "y": {
                        "field": "count",
                        "type": "quantitative",
                        "stack": "zero",
                        "title": f"events per {unit}",
                    },
                    "color": _colour(
                        keys,
                        types,
                        {
                            "title": "event type",
                            "orient": "bottom",
                            "direction": "horizontal",
                            "columns": 3,
                        }
                        if legend
                        else None,
                    ),
                    "order": {"field": "key"},
                    "tooltip": _tooltip(
                        {"when": "period (UTC)", "key": "event type", "count": "events"}
                    ),
                },
            },
        ]
    spec = {
        "width": width,
        "height": 240,
        "layer": layers or [{"data": {"values": []}, "mark": {"type": "rule"}}],
        "resolve": {"axis": {"x": "independent"}},
        "usermeta": {"conflictdata": {"left": 56, "plotted": bool(rows), "name": "ev_agg"}},
    }
    return toplevel(spec, {"event_counts": rows})


# --------------------------------------------------------------------------- notebooks

_CLASS: Any = None


def as_altair(spec: dict[str, Any]) -> alt.LayerChart:
    """A spec of this module as an Altair chart (displays in a notebook, ``.save()`` s).

    The spec is handed over as it is: Altair's JSON-schema validation of a chart this size
    takes seconds, so the chart is not validated when it is displayed or saved (the tests
    validate these specs once); ``to_dict(validate=True)`` still does.
    """
    global _CLASS
    from .options import require

    require("altair")
    if _CLASS is None:
        from altair import LayerChart, TopLevelLayerSpec
        from altair.utils.schemapi import debug_mode

        class ReportChart(LayerChart):
            """An Altair layer chart of the report: its layers are Vega-Lite dicts, and it is
            not validated on display or save (``to_dict(validate=True)`` still validates)."""

            def __init__(self, **spec: Any) -> None:
                with debug_mode(False):  # no validation of the whole spec per attribute set
                    TopLevelLayerSpec.__init__(self, **spec)

            def to_dict(self, validate: Any = False, **kwargs: Any) -> dict[str, Any]:
                return super().to_dict(validate=validate, **kwargs)

        ReportChart.__qualname__ = "ReportChart"
        _CLASS = ReportChart
    body = {k: v for k, v in spec.items() if k != "$schema"}
    return _CLASS(**body)
