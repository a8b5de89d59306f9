"""Altair (Vega-Lite) charts of a release: the event timeline, figures as ranges, deployments.

Every mark carries its row's ID and ``source_excerpt`` in its tooltip. Colours, the order of
types and the set of statuses come from the schema's enums; the shapes from `frames`.
Views and marks are named here (never Altair's counters), so a spec is the same on every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import frames as fr
from .frames import DAY_MS, iso

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt
    import pandas as pd

    from ..._tableschema.model import TableSchema

__all__ = [
    "PALETTE",
    "Tip",
    "aggregate_chart",
    "as_altair",
    "deployments_chart",
    "figures_chart",
    "timeline_chart",
]

#: Tableau 10: distinct for the colour-blind in most pairs; assigned in enum order.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
LANE_PX = 24
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: The tooltip's fields in order: data column -> title shown.
TIP = {
    "id": "ID",
    "label": "what",
    "when": "date",
    "date_text": "source's date wording",
    "detail": "detail",
    "excerpt": "source excerpt",
}


class Tip:
    """Tooltip encodings of the shared row columns (ID first, excerpt last)."""

    @staticmethod
    def fields(alt: Any, columns: dict[str, str] | None = None) -> list[Any]:
        return [alt.Tooltip(f"{k}:N", title=v) for k, v in (columns or TIP).items()]


def _alt() -> Any:
    from .options import require

    alt = require("altair")
    return alt


def _colours(values: tuple[str, ...]) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(len(values))]


def _gradient(alt: Any, colour: str, to_left: bool) -> Any:
    """A bar fill that is solid at its known side and transparent at its open side."""
    clear = colour + "00"
    stops = [alt.GradientStop(color=clear, offset=0), alt.GradientStop(color=colour, offset=1)]
    if not to_left:
        stops = [alt.GradientStop(color=colour, offset=0), alt.GradientStop(color=clear, offset=1)]
    return alt.Gradient(gradient="linear", stops=stops, x1=0, x2=1, y1=0, y2=0)


def _when(kind: np.ndarray, start: np.ndarray, end: np.ndarray, precision: list[str]) -> list[str]:
    """The interval in words: what is known and what is not."""
    out = []
    for k, s, e, p in zip(kind, start, end, precision):
        if k == fr.KIND_POINT:
            out.append(f"{s} ({p})")
        elif k == fr.KIND_SPAN:
            out.append(f"{s} to {e} ({p})")
        elif k == fr.KIND_OPEN_START:
            out.append(f"on or before {e}; start unknown ({p})")
        elif k == fr.KIND_OPEN_END:
            out.append(f"on or after {s}; end unknown ({p})")
        else:
            out.append(
                "unknown: no date given"
                if p == fr.KIND_UNKNOWN
                else f"unknown: no date given ({p})"
            )
    return out


def _text(col: pd.Series) -> list[str]:
    return col.astype(object).where(col.notna(), "").astype(str).tolist()


def interval_rows(df: pd.DataFrame, id_field: str) -> tuple[list[dict[str, Any]], fr.Intervals]:
    """Per row the shared plot and tooltip columns of an interval chart (at most a budget of rows)."""
    iv = fr.intervals(df["date_start"], df["date_end"])
    day = lambda c: [v[:10] for v in iso(fr._ms(df[c]))]  # noqa: E731
    when = _when(iv.kind, day("date_start"), day("date_end"), _text(df["date_precision"]))
    xs, x2s = iso(iv.x), iso(iv.x2)
    rows = []
    for k, (rid, kind, x, x2, w, dt, ex) in enumerate(
        zip(
            _text(df[id_field]),
            iv.kind,
            xs,
            x2s,
            when,
            _text(df["date_text"]),
            _text(df["source_excerpt"]),
        )
    ):
        rows.append(
            {
                "id": rid,
                "kind": kind,
                "x": x or None,
                "x2": x2 or None,
                "when": w,
                "date_text": dt,
                "excerpt": ex,
                "k": k,
            }
        )
    return rows, iv


def _interval_layers(
    alt: Any,
    data: Any,
    *,
    name: str,
    colour_field: str,
    domain: tuple[str, ...],
    lane_sort: list[str],
    dim_field: str | None,
    dim_value: str | None,
    x_scale: Any,
    legend_title: str,
    tooltip: list[Any],
) -> tuple[list[Any], Any]:
    """Point, bar and fading-bar layers of one interval chart, and the unknown panel."""
    colours = _colours(domain)
    colour = alt.Color(
        f"{colour_field}:N",
        scale=alt.Scale(domain=list(domain), range=colours),
        legend=alt.Legend(title=legend_title, orient="bottom", columns=4, symbolType="square"),
    )
    stroke = alt.Stroke(
        f"{colour_field}:N", scale=alt.Scale(domain=list(domain), range=colours), legend=None
    )
    lanes = alt.Scale(domain=lane_sort)
    y = alt.Y("lane:N", scale=lanes, title=None, axis=None)
    y_labels = alt.Y(
        "lane:N",
        scale=lanes,
        title=None,
        axis=alt.Axis(
            labelLimit=460,
            labelFontSize=11,
            ticks=False,
            domain=False,
            grid=True,
            gridColor="#eeeeee",
            labelPadding=6,
        ),
    )
    x_axis = dict(
        title="date (UTC)",
        axis=alt.Axis(
            format="%b %d, %Y",
            labelAngle=0,
            labelAlign="left",
            labelOffset=3,
            labelBound=True,
            grid=True,
            tickMinStep=DAY_MS,
            labelOverlap=True,
            gridColor="#dddddd",
            tickCount=8,
        ),
    )
    x_first = alt.X("x:T", scale=x_scale, **x_axis)  # the shared scale is declared once
    x = alt.X("x:T", **x_axis)
    x2 = alt.X2("x2:T")
    if dim_field is not None:
        is_main = f"datum.{dim_field} === {_js(dim_value)}"
        opacity = alt.condition(is_main, alt.value(1.0), alt.value(0.6))
        fill_opacity = alt.condition(is_main, alt.value(1.0), alt.value(0.0))
        dash = alt.condition(is_main, alt.value([1, 0]), alt.value([4, 3]))
    else:
        opacity, fill_opacity, dash = alt.value(1.0), alt.value(1.0), alt.value([1, 0])
    layers = [
        alt.Chart(data, name=f"{name}_span")
        .mark_bar(height={"band": 0.56}, cornerRadius=2, strokeWidth=1.5)
        .transform_filter(f"datum.kind === '{fr.KIND_SPAN}'")
        .encode(
            x=x_first,
            x2=x2,
            y=y,
            color=colour,
            stroke=stroke,
            opacity=opacity,
            fillOpacity=alt.value(0.85),
            strokeDash=dash,
            tooltip=tooltip,
        ),
    ]
    for side, to_left in ((fr.KIND_OPEN_START, True), (fr.KIND_OPEN_END, False)):
        for value, c in zip(domain, colours):
            layers.append(
                alt.Chart(data, name=f"{name}_{side}_t{len(layers)}")
                .mark_bar(height={"band": 0.56}, color=_gradient(alt, c, to_left))
                .transform_filter(
                    f"datum.kind === '{side}' && datum.{colour_field} === {_js(value)}"
                )
                .encode(x=x, x2=x2, y=y, opacity=opacity, tooltip=tooltip)
            )
    layers.append(
        alt.Chart(data, name=f"{name}_point")
        .mark_point(filled=True, size=120, strokeWidth=2, shape="circle")
        .transform_filter(f"datum.kind === '{fr.KIND_POINT}'")
        .encode(
            x=x,
            y=y,
            color=colour,
            stroke=stroke,
            fillOpacity=fill_opacity,
            opacity=opacity,
            tooltip=tooltip,
        )
    )
    unknown = (
        alt.Chart(
            data,
            width=96,
            title=alt.TitleParams(
                "date unknown", fontSize=11, anchor="middle", fontWeight="normal", color="#555"
            ),
        )
        .properties(name=f"{name}_unknown")
        .mark_point(shape="diamond", size=130, strokeWidth=2, filled=True)
        .transform_filter(f"datum.kind === '{fr.KIND_UNKNOWN}'")
        .encode(
            x=alt.X("u:Q", scale=alt.Scale(domain=[0, 1]), axis=None),
            y=y_labels,
            color=colour,
            stroke=stroke,
            fillOpacity=fill_opacity,
            opacity=opacity,
            tooltip=tooltip,
        )
        .transform_calculate(u="0.5")
    )
    return layers, unknown


def _js(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=True)


def _x_scale(alt: Any, iv: fr.Intervals) -> Any:
    return alt.Scale(type="utc", domain=[int(iv.domain[0]), int(iv.domain[1])], nice=False)


def _leaf(chart: Any) -> dict[str, Any]:
    """One unit chart as a Vega-Lite dict (its data is referred to by name)."""
    spec = chart.to_dict(validate=False)
    for key in ("$schema", "config", "datasets"):  # theme and data belong to the top level only
        spec.pop(key, None)
    return spec


def layer(charts: list[Any], **props: Any) -> dict[str, Any]:
    """Layers composed as plain Vega-Lite: Altair's composition deep-copies every layer per step."""
    return {"layer": [_leaf(c) if not isinstance(c, dict) else c for c in charts], **props}


def toplevel(spec: dict[str, Any], datasets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A complete Vega-Lite spec: schema, page fonts, and the rows once as named datasets."""
    alt = _alt()
    config = {
        "font": FONT,
        "view": {"stroke": "#cccccc"},
        "axis": {
            "labelColor": "#333333",
            "titleColor": "#333333",
            "labelFont": FONT,
            "titleFont": FONT,
        },
        "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11},
    }
    return {"$schema": alt.SCHEMA_URL, "config": config, **spec, "datasets": datasets}


def as_altair(spec: dict[str, Any]) -> alt.TopLevelMixin:
    """A spec of this module as an Altair chart object (displays in a notebook, ``.save()`` s)."""
    alt = _alt()
    for key, cls in (
        ("hconcat", alt.HConcatChart),
        ("vconcat", alt.VConcatChart),
        ("layer", alt.LayerChart),
    ):
        if key in spec:
            return cls.from_dict(spec, validate=False)
    return alt.Chart.from_dict(spec, validate=False)


def timeline_chart(
    events: pd.DataFrame, schema: TableSchema, *, width: int = 640, title: str | None = None
) -> dict[str, Any]:
    """The events as what the data says, a lane each: parts under their parent, links drawn."""
    alt = _alt()
    types = fr.enum_of(schema, "event_type")
    statuses = fr.enum_of(schema, "event_status")
    rows, iv = interval_rows(events, "event_id")
    order, depth = fr.event_lanes(events, iv.anchor)
    titles = _text(events["title"])
    status = _text(events["event_status"])
    etype = _text(events["event_type"])
    parent = _text(events["parent_event_id"])
    answers = _text(events["in_response_to_event_id"])
    lane_sort: list[str] = []
    for k in order:
        r = rows[k]
        deep = f"{depth[k]}" if depth[k] > 4 else ""  # deeper parts: the depth, not more indent
        indent = "\u2003" * min(depth[k], 4) + (f"\u21b3{deep} " if depth[k] else "")
        note = f"({status[k]}) " if status[k] != statuses[0] else ""
        r["lane"] = f"{r['id']}  {indent}{note}{titles[k]}"
        r["label"] = titles[k]
        r["type"], r["status"] = etype[k], status[k]
        bits = [f"type {etype[k]}", f"status {status[k]}"]
        if parent[k]:
            bits.append(f"part of {parent[k]}")
        if answers[k]:
            bits.append(f"in response to {answers[k]}")
        r["detail"] = "; ".join(bits)
        lane_sort.append(r["lane"])
    values = [rows[k] for k in order]
    for r in values:
        del r["k"]
    datasets = {"events": values}
    data = alt.NamedData(name="events")
    tooltip = Tip.fields(alt)
    x_scale = _x_scale(alt, iv)
    layers, unknown = _interval_layers(
        alt,
        data,
        name="ev",
        colour_field="type",
        domain=types,
        lane_sort=lane_sort,
        dim_field="status",
        dim_value=statuses[0],
        x_scale=x_scale,
        legend_title="event type",
        tooltip=tooltip,
    )
    links = fr.response_links(events, iv.anchor)
    if len(links):
        lane_of = {r["id"]: r["lane"] for r in values}
        excerpt_of = {r["id"]: r["excerpt"] for r in values}
        nudge = (iv.domain[1] - iv.domain[0]) * 0.012  # where a link is drawn, not a date
        slot = (np.arange(len(links)) % 4) * nudge
        links = links.assign(x=links["x"] + slot, x2=links["x2"] + slot)
        link_rows = [
            {
                "id": b,
                "x": xa,
                "x2": xb,
                "lane": lane_of[a],
                "lane2": lane_of[b],
                "label": f"{b} answers {a}",
                "when": "",
                "date_text": "",
                "detail": "in_response_to_event_id",
                "excerpt": excerpt_of[b],
            }
            for a, b, xa, xb in zip(
                links["from_id"],
                links["to_id"],
                iso(links["x"].to_numpy()),
                iso(links["x2"].to_numpy()),
            )
        ]
        y = alt.Y("lane:N", axis=None)
        datasets["links"] = link_rows
        link_data = alt.NamedData(name="links")
        layers[:0] = [
            alt.Chart(link_data, name="ev_link")
            .mark_rule(strokeDash=[3, 2], strokeWidth=1.5, color="#444444", xOffset=8, x2Offset=8)
            .encode(x=alt.X("x:T"), x2="x2:T", y=y, y2="lane2:N", tooltip=tooltip),
            alt.Chart(link_data, name="ev_link_head")
            .mark_point(shape="triangle-left", filled=True, size=45, color="#444444", xOffset=9)
            .encode(x=alt.X("x2:T"), y=alt.Y("lane2:N", axis=None), tooltip=tooltip),
        ]
    height = max(LANE_PX * len(values), 60)
    spec: dict[str, Any] = {
        "hconcat": [
            _leaf(unknown.properties(height=height)),
            layer(layers, width=width, height=height),
        ],
        "spacing": 6,
        "resolve": {"scale": {"y": "shared", "color": "shared", "stroke": "shared"}},
    }
    if title:
        spec["title"] = title
    return toplevel(spec, datasets)


def aggregate_chart(
    counts: pd.DataFrame, schema: TableSchema, unit: str, *, width: int = 760
) -> dict[str, Any]:
    """Events per week or month, stacked by type: the timeline above the row budget."""
    alt = _alt()
    types = fr.enum_of(schema, "event_type")
    grouped = counts.groupby(["start", "end", "type"], sort=True)["count"].sum().reset_index()
    values = [  # few columns: the page weighs what these rows weigh (about 60 bytes each)
        {"x": x, "x2": x2, "type": t, "count": int(c), "when": f"{unit} of {x[:10]}"}
        for x, x2, t, c in zip(
            iso(grouped["start"].to_numpy("float64")),
            iso(grouped["end"].to_numpy("float64")),
            grouped["type"],
            grouped["count"],
        )
    ]
    colour = alt.Color(
        "type:N",
        scale=alt.Scale(domain=list(types), range=_colours(types)),
        legend=alt.Legend(title="event type", orient="bottom", columns=4),
    )
    chart = (
        alt.Chart(alt.NamedData(name="event_counts"), width=width, height=260)
        .properties(name="ev_agg")
        .mark_bar()
        .encode(
            x=alt.X(
                "x:T",
                timeUnit="utcyearweek" if unit == "week" else "utcyearmonth",
                title=f"{unit} (UTC)",
                axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y("count:Q", stack="zero", title=f"events per {unit}"),
            color=colour,
            order=alt.Order("type:N"),
            tooltip=Tip.fields(
                alt, {"when": "period (UTC)", "type": "event type", "count": "events"}
            ),
        )
    )
    return toplevel(_leaf(chart), {"event_counts": values})


def figures_chart(
    figs: pd.DataFrame, schema: TableSchema, names: dict[str, str], *, width: int = 560
) -> dict[str, Any] | None:
    """Each figure with a number as its range: low to high, best as a dot, open bounds fading."""
    alt = _alt()
    shapes = fr.figure_ranges(figs)
    drawn = shapes["shape"].to_numpy() != "none"
    if not drawn.any():
        return None
    charts = []
    datasets: dict[str, list[dict[str, Any]]] = {}
    quantities = fr.enum_of(schema, "quantity")
    q = _text(figs["quantity"])
    for quantity in quantities:
        pick = np.flatnonzero(drawn & (np.array(q, dtype=object) == quantity))
        if not len(pick):
            continue
        sub = figs.iloc[pick]
        sh = shapes.iloc[pick]
        top = float(np.nanmax(np.concatenate([sh["hi"].to_numpy(), sh["best"].to_numpy()]))) or 1.0
        axis_max = top * 1.35
        open_w = axis_max * 0.22
        values = []
        for (fid, eid, qual, text, claim, ex), shape, lo, hi, best in zip(
            zip(
                _text(sub["figure_id"]),
                _text(sub["event_id"]),
                _text(sub["count_qualifier"]),
                _text(sub["count_text"]),
                _text(sub["claimed_by_actor_id"]),
                _text(sub["source_excerpt"]),
            ),
            sh["shape"],
            sh["lo"],
            sh["hi"],
            sh["best"],
        ):
            who = names.get(claim, claim) if claim else "not attributed"
            values.append(
                {
                    "id": fid,
                    "lane": f"{fid}  {eid}  ({qual})",
                    "shape": shape,
                    "lo": None if np.isnan(lo) else float(lo),
                    "hi": None
                    if np.isnan(hi)
                    else (float(hi) + open_w if shape == "open_above" else float(hi)),
                    "best": None if np.isnan(best) else float(best),
                    "label": f"{text} (claimed by {who})" if claim else text,
                    "when": "",
                    "date_text": "",
                    "detail": f"{qual}; claimed by {who}; event {eid}",
                    "excerpt": ex,
                }
            )
        datasets[f"figures_{quantity}"] = values
        data = alt.NamedData(name=f"figures_{quantity}")
        x = alt.X(
            "lo:Q",
            scale=alt.Scale(domain=[0, axis_max], nice=False),
            title=quantity.replace("_", " "),
            axis=alt.Axis(tickMinStep=1, format=",d"),
        )
        y = alt.Y(
            "lane:N",
            title=None,
            scale=alt.Scale(domain=[v["lane"] for v in values]),
            axis=alt.Axis(labelLimit=300),
        )
        tip = Tip.fields(
            alt, {"id": "ID", "label": "wording", "detail": "detail", "excerpt": "source excerpt"}
        )
        colour = PALETTE[0]
        layers = [
            alt.Chart(data, name=f"fig_range_{quantity}")
            .mark_bar(height={"band": 0.5}, color=colour, opacity=0.8)
            .transform_filter("datum.shape === 'range'")
            .encode(x=x, x2="hi:Q", y=y, tooltip=tip),
            alt.Chart(data, name=f"fig_below_{quantity}")
            .mark_bar(height={"band": 0.5}, color=_gradient(alt, colour, True))
            .transform_filter("datum.shape === 'open_below'")
            .encode(x=x, x2="hi:Q", y=y, tooltip=tip),
            alt.Chart(data, name=f"fig_above_{quantity}")
            .mark_bar(height={"band": 0.5}, color=_gradient(alt, colour, False))
            .transform_filter("datum.shape === 'open_above'")
            .encode(x=x, x2="hi:Q", y=y, tooltip=tip),
            alt.Chart(data, name=f"fig_best_{quantity}")
            .mark_point(filled=True, size=90, color="#222222", shape="circle")
            .transform_filter("datum.best !== null")
            .encode(x=alt.X("best:Q"), y=y, tooltip=tip),
            alt.Chart(data, name=f"fig_text_{quantity}")
            .mark_text(align="left", dx=6, fontSize=11, color="#333333")
            .encode(x=alt.X("hi:Q"), y=y, text="label:N", tooltip=tip)
            .transform_calculate(hi="datum.hi === null ? datum.best : datum.hi"),
        ]
        charts.append(layer(layers, width=width, height=max(LANE_PX * len(values), 30)))
    spec = {
        "vconcat": charts,
        "spacing": 14,
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
    }
    return toplevel(spec, datasets)


def deployments_chart(
    deps: pd.DataFrame, schema: TableSchema, names: dict[str, str], *, width: int = 560
) -> dict[str, Any]:
    """Where forces stood as of an interval: the same date drawing as the events."""
    alt = _alt()
    kinds = fr.enum_of(schema, "deployment_type")
    rows, iv = interval_rows(deps, "deployment_id")
    actor = _text(deps["actor_id"])
    dtype = _text(deps["deployment_type"])
    loc = _text(deps["location_text"])
    text = _text(deps["count_text"])
    for r in rows:
        k = r.pop("k")
        r["lane"] = f"{r['id']}  {names.get(actor[k], actor[k])} \u00b7 {dtype[k]}"
        r["dtype"] = dtype[k]
        r["label"] = f"{text[k]} {loc[k]}".strip()
        r["detail"] = f"{dtype[k]} of {actor[k]}; as of {r['when']}"
    data = alt.NamedData(name="deployments")
    x_scale = _x_scale(alt, iv)
    layers, unknown = _interval_layers(
        alt,
        data,
        name="dep",
        colour_field="dtype",
        domain=kinds,
        lane_sort=[r["lane"] for r in rows],
        dim_field=None,
        dim_value=None,
        x_scale=x_scale,
        legend_title="deployment type",
        tooltip=Tip.fields(alt),
    )
    layers.append(
        alt.Chart(data)
        .properties(name="dep_text")
        .mark_text(align="left", dx=6, fontSize=11, color="#333333")
        .transform_filter(f"datum.kind !== '{fr.KIND_UNKNOWN}'")
        .encode(
            x=alt.X("x2:T"),
            y=alt.Y("lane:N", scale=alt.Scale(domain=[r["lane"] for r in rows]), axis=None),
            text="label:N",
        )
        .transform_calculate(x2=f"datum.kind === '{fr.KIND_POINT}' ? datum.x : datum.x2")
    )
    height = max(LANE_PX * len(rows), 40)
    spec = {
        "hconcat": [
            _leaf(unknown.properties(height=height)),
            layer(layers, width=width, height=height),
        ],
        "spacing": 6,
        "resolve": {"scale": {"y": "shared", "color": "shared", "stroke": "shared"}},
    }
    return toplevel(spec, {"deployments": rows})
