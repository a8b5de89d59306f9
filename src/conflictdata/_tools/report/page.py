"""Assemble the report page: charts compiled to Vega, tables, changelog, Vega inlined.

The page fetches nothing (a Content-Security-Policy forbids it) and renders with the Vega
runtime inlined from vl-convert; charts are compiled from Vega-Lite in Python, so the page
needs no Vega-Lite compiler. All release text is HTML-escaped, and JSON in script elements
has ``<``, ``>`` and ``&`` escaped, so a cell cannot close an element or start markup.
"""

from __future__ import annotations

import functools
import html
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from ..._release.layout import CHANGELOG_NAME
from . import charts
from . import frames as fr
from .options import SIZE_BUDGET, require

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..._loader.releases import Release

__all__ = ["render_page", "script_json", "vega_bundle"]

#: Largest CHANGELOG.md shown whole; a longer one is cut, and the page says so.
CHANGELOG_LIMIT = 256 * 1024

CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
)

STYLE = """
:root{--ink:#222;--muted:#666;--line:#ddd;--bg:#fafafa;--accent:#4e79a7}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;
color:var(--ink);margin:0;background:#fff}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 20px}
header{padding-top:18px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
nav a{margin-right:12px;color:var(--accent)}
.meta{color:var(--muted);margin:4px 0 10px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
th{background:var(--bg)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
.ex{color:#444;font-size:12px;max-width:520px}
.quote{font-style:italic}.badge{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;
background:#eee;color:#333;margin-right:4px;white-space:nowrap}
.badge.dq{background:#e3edf7}.badge.pp{background:#f4eee3}
.note{background:#fff8e1;border:1px solid #f0d890;padding:6px 10px;border-radius:4px}
.key{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0 10px;font-size:12px;color:#333}
.key .sw{display:inline-block;width:46px;height:11px;vertical-align:middle;margin-right:5px;
border-radius:2px}
.key .sw.point{width:11px;height:11px;border-radius:50%;background:#555}
.sw.span{background:#555}.sw.before{background:linear-gradient(to right,#5550,#555)}
.sw.after{background:linear-gradient(to right,#555,#5550)}
.key .sw.unknown{width:10px;height:10px;transform:rotate(45deg);background:#555}
.key .sw.dim{width:11px;height:11px;border-radius:50%;border:2px dashed #555;background:transparent}
.key .sw.link{height:0;border-top:2px dashed #555;border-radius:0}
.chart{overflow-x:auto;margin:6px 0}
#cd-tip{position:fixed;z-index:10;max-width:460px;background:#fff;border:1px solid #999;border-radius:4px;
box-shadow:0 2px 8px rgba(0,0,0,.2);padding:6px 9px;font-size:12px;pointer-events:none}
#cd-detail{position:sticky;bottom:0;background:#fff;border:2px solid var(--accent);border-radius:6px;
padding:8px 12px;margin:10px 0;max-height:45vh;overflow:auto;box-shadow:0 -2px 10px rgba(0,0,0,.12)}
#cd-detail button{float:right}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:1px 10px}
dt{color:var(--muted)}dd{margin:0;white-space:pre-wrap}
ul.tree,ul.tree ul{list-style:none;padding-left:18px;margin:2px 0}
ul.tree{padding-left:0}
pre{white-space:pre-wrap}
[data-id]{cursor:pointer}
"""

APP_JS = r"""
(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var specs = JSON.parse(byId("cd-specs").textContent);
  var rows = JSON.parse(byId("cd-rows").textContent);
  var tip = byId("cd-tip"), panel = byId("cd-detail"), body = byId("cd-detail-body");
  function fill(el, pairs) {
    var dl = document.createElement("dl");
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") return;
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = p[0]; dd.textContent = String(p[1]);
      dl.appendChild(dt); dl.appendChild(dd);
    });
    el.replaceChildren(dl);
  }
  function show(id) {
    var row = rows[id];
    if (!row) return false;
    fill(body, row);
    panel.hidden = false;
    panel.dataset.id = id;
    return true;
  }
  function tooltip(handler, event, item, value) {
    if (value === null || value === undefined || value === "" || !event) { tip.hidden = true; return; }
    fill(tip, typeof value === "object" ? Object.keys(value).map(function (k) { return [k, value[k]]; })
                                        : [["", value]]);
    tip.hidden = false;
    var x = event.clientX + 14, y = event.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, event.clientX - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, event.clientY - h - 14);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  byId("cd-detail-close").addEventListener("click", function () { panel.hidden = true; });
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-id]") : null;
    if (el) show(el.getAttribute("data-id"));
  });
  var names = Object.keys(specs);
  var api = { views: {}, show: show, ready: 0, failed: 0, total: names.length };
  window.conflictdata = api;
  names.forEach(function (name) {
    var el = byId("chart-" + name);
    vegaEmbed(el, specs[name], { mode: "vega", renderer: "svg", actions: false, tooltip: tooltip, hover: true })
      .then(function (result) {
        var view = result.view;
        view.addEventListener("click", function (event, item) {
          var d = item && item.datum;
          if (d && d.id) show(d.id);
        });
        api.views[name] = view;
        el.dataset.ready = "1";
        api.ready += 1;
      }, function (err) { api.failed += 1; console.error(err); });
  });
})();
"""


#: The fields each table's view reads; a table lacking one is counted, not drawn.
VIEW_FIELDS: dict[str, frozenset[str]] = {
    "sources": frozenset(
        (
            "source_id",
            "source_type",
            "title",
            "description",
            "url",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
        )
    ),
    "actors": frozenset(
        ("actor_id", "name", "actor_type", "parent_actor_id", "source_id", "source_excerpt")
    ),
    "events": frozenset(
        (
            "event_id",
            "parent_event_id",
            "sequence_number",
            "in_response_to_event_id",
            "event_type",
            "event_status",
            "title",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "location_text",
            "source_id",
            "source_excerpt",
        )
    ),
    "event_actors": frozenset(
        (
            "event_actor_id",
            "event_id",
            "actor_id",
            "role",
            "claimed_by_actor_id",
            "source_id",
            "source_excerpt",
        )
    ),
    "figures": frozenset(
        (
            "figure_id",
            "event_id",
            "quantity",
            "count_low",
            "count_best",
            "count_high",
            "count_qualifier",
            "count_text",
            "claimed_by_actor_id",
            "source_id",
            "source_excerpt",
        )
    ),
    "statements": frozenset(
        (
            "statement_id",
            "speaker_actor_id",
            "speaker_title",
            "addressee_actor_id",
            "about_event_id",
            "statement_type",
            "quote_type",
            "text",
            "venue_text",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "source_id",
            "source_excerpt",
        )
    ),
    "deployments": frozenset(
        (
            "deployment_id",
            "actor_id",
            "deployment_type",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "location_text",
            "count_low",
            "count_best",
            "count_high",
            "count_qualifier",
            "count_text",
            "claimed_by_actor_id",
            "source_id",
            "source_excerpt",
        )
    ),
}


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for a, b in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(a, b)
    return text


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega and vega-embed as one script, from vl-convert (offline; the same text every call)."""
    vlc = require("vl_convert")
    js = vlc.javascript_bundle()
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _vl_version() -> str | None:
    alt = require("altair")
    vlc = require("vl_convert")
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def _to_vega(spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite spec of `charts` compiled to Vega (the page needs no Vega-Lite compiler)."""
    vlc = require("vl_convert")
    spec = {k: v for k, v in spec.items() if k != "$schema"}
    return vlc.vegalite_to_vega(spec, vl_version=_vl_version())


def e(value: Any) -> str:
    """Escaped text of a cell; empty for a missing one."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _cells(df: pd.DataFrame, name: str) -> list[str]:
    col = df[name]
    return col.astype(object).where(col.notna(), "").astype(str).tolist()


def _table(
    head: list[str], rows: list[list[str]], numeric: set[int] | None = None, cls: str = ""
) -> str:
    numeric = numeric or set()
    out = [
        f'<table class="{cls}"><thead><tr>'
        + "".join(f"<th>{e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
    ]
    for r in rows:
        out.append(
            "<tr>"
            + "".join(
                f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                for i, c in enumerate(r)
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _idcell(value: str) -> str:
    return f'<span class="id" data-id="{e(value)}">{e(value)}</span>' if value else ""


def _summary(df: pd.DataFrame, schema: Any, budget: int, what: str) -> str:
    """Counts by each enum field of the table: what a table above the row budget shows instead."""
    parts = [
        f'<p class="note">{len(df):,} {e(what)} exceed the row budget of {budget:,}: '
        "counts by each field with declared values are shown instead of the rows.</p>"
    ]
    for f in schema.fields:
        if not f.is_enum or f.name == "record_status":
            continue
        counts = df[f.name].value_counts(dropna=False)
        rows = [
            [e(v if v == v else "(empty)"), f"{int(counts.get(v, 0)):,}"]
            for v in f.enum
            if counts.get(v, 0)
        ]
        if rows:
            parts.append(f"<h3>by {e(f.name)}</h3>" + _table([f.name, "rows"], rows, {1}))
    return "".join(parts)


def _markdown(text: str) -> str:
    """The changelog's Markdown as escaped HTML: headings, tables, lists and paragraphs only."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")), 3) + 2
            out.append(f"<h{min(level, 5)}>{e(line.lstrip('#').strip())}</h{min(level, 5)}>")
            i += 1
        elif line.lstrip().startswith("|"):
            block = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                block.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            body = [r for r in block[1:] if not all(set(c) <= set(":- ") for c in r)]
            out.append(_table(block[0], [[e(c) for c in r] for r in body]))
        elif line.lstrip().startswith(("- ", "* ")):
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                items.append(f"<li>{e(lines[i].lstrip()[2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            para = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].lstrip().startswith(("#", "|", "- ", "* "))
            ):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{e(' '.join(para))}</p>")
    return "".join(out)


def _changelog(release: Release) -> str:
    path = release.root / CHANGELOG_NAME
    if not path.is_file():
        return "<p>This release has no CHANGELOG.md.</p>"
    with open(path, "rb") as f:
        raw = f.read(CHANGELOG_LIMIT + 1)
    cut = len(raw) > CHANGELOG_LIMIT
    text = raw[:CHANGELOG_LIMIT].decode("utf-8", errors="replace")
    note = (
        f'<p class="note">The changelog is longer than {CHANGELOG_LIMIT:,} bytes; only its start is shown.</p>'
        if cut
        else ""
    )
    return note + _markdown(text)


def _pairs(df: pd.DataFrame, schema: Any) -> list[list[list[str]]]:
    """Per row, (field, value) of every non-empty field, in schema order (the click details)."""
    cols = {f.name: _cells(df, f.name) for f in schema.fields}
    return [[[n, cols[n][k]] for n in cols if cols[n][k]] for k in range(len(df))]


def render_page(
    release: Release,
    tables: dict[str, pd.DataFrame],
    *,
    row_budget: int,
    asked_budget: int | None = None,
) -> str:
    """The whole page for ``release`` and its loaded ``tables``."""
    pkg = release.package
    schemas = pkg.tables
    standing = {n: fr.active_rows(df, schemas[n]) for n, df in tables.items()}
    active = dict(standing)
    notes: list[str] = []
    # A view draws a table only when it has every field the view reads: another package built
    # with this tool gets its counts and changelog, and the page names what it could not draw.
    for n in list(active):
        lacking = sorted(VIEW_FIELDS.get(n, frozenset()) - set(schemas[n].field_names))
        if lacking:
            del active[n]
            notes.append(
                f"table {n} is not drawn: it lacks the field(s) {', '.join(lacking)} "
                "that its view reads"
            )
    names: dict[str, str] = {}
    if "actors" in active and len(active["actors"]) <= row_budget * 50:
        names = dict(zip(_cells(tables["actors"], "actor_id"), _cells(tables["actors"], "name")))
    specs: dict[str, Any] = {}
    details: dict[str, list[list[str]]] = {}
    sections: list[str] = []
    nav: list[tuple[str, str]] = []

    def section(anchor: str, title: str, body: str) -> None:
        nav.append((anchor, title))
        sections.append(f'<section id="{anchor}"><h2>{e(title)}</h2>{body}</section>')

    # --- counts per table
    count_rows = []
    for n, df in tables.items():
        t = schemas[n]
        count_rows.append(
            [
                f'<span class="id">{e(n)}</span>',
                e(t.title),
                f"{len(df):,}",
                f"{len(standing[n]):,}",
                f"{len(df) - len(standing[n]):,}",
            ]
        )
    section(
        "counts",
        "Rows per table",
        _table(["table", "title", "rows", "standing", "withdrawn"], count_rows, {2, 3, 4})
        + "<p>Withdrawn rows (retracted or superseded tombstones) are counted here and not drawn.</p>",
    )

    # --- timeline
    events = active.get("events")
    if events is not None:
        ev_schema = schemas["events"]
        iv = fr.intervals(events["date_start"], events["date_end"])
        kinds = {k: int((iv.kind == k).sum()) for k in fr.Kinds.WORDS}
        kind_rows = [[e(w), f"{kinds[k]:,}"] for k, w in fr.Kinds.WORDS.items()]
        key = (
            '<div class="key">'
            '<span><span class="sw point"></span>a known day</span>'
            '<span><span class="sw span"></span>a known month, year or range</span>'
            '<span><span class="sw before"></span>on or before: start unknown</span>'
            '<span><span class="sw after"></span>on or after: end unknown</span>'
            '<span><span class="sw unknown"></span>date unknown (left column, not on the axis)</span>'
            f'<span><span class="sw dim"></span>faded, dashed or hollow: status other than '
            f"{e(fr.enum_of(ev_schema, 'event_status')[0])} (named in the label)</span>"
            '<span><span class="sw link"></span>in response to (from the answered event to its answer)</span>'
            "</div>"
        )
        if len(events) <= row_budget:
            chart = charts.timeline_chart(events, ev_schema)
            specs["timeline"] = _to_vega(chart)
            undated = events[iv.kind == fr.KIND_UNKNOWN]
            items = "".join(
                f'<li>{_idcell(i)} {e(t)} <span class="badge">{e(s)}</span></li>'
                for i, t, s in zip(
                    _cells(undated, "event_id"),
                    _cells(undated, "title"),
                    _cells(undated, "event_status"),
                )
            )
            undated_html = (
                f'<h3>Events with an unknown date ({len(undated):,})</h3><ul id="undated">{items}</ul>'
                if len(undated)
                else '<p id="undated">Every event has at least one known date bound.</p>'
            )
            body = (
                key
                + '<div class="chart" id="chart-timeline" role="img" aria-label="timeline of events"></div>'
                "<p>Hover a mark for its ID and source excerpt; click it (or any ID below) for the whole row. "
                "Parts of an event (waves, rounds of talks) are indented under it.</p>"
                + undated_html
            )
            for rid, pairs in zip(_cells(events, "event_id"), _pairs(events, ev_schema)):
                details[rid] = pairs
        else:
            counts, unit = fr.aggregate_events(events, iv, "event_type")
            specs["timeline"] = _to_vega(charts.aggregate_chart(counts, ev_schema, unit))
            msg = (
                f"{len(events):,} events exceed the row budget of {row_budget:,} marks: the timeline shows events "
                f"per {unit} by type, each counted at its known day or bound; "
                f"{kinds[fr.KIND_UNKNOWN]:,} events with an unknown date are not placed on it."
            )
            notes.append(msg)
            body = (
                f'<p class="note" id="aggregated">{e(msg)}</p>'
                '<div class="chart" id="chart-timeline" role="img" aria-label="events per period"></div>'
                f'<p id="undated">{kinds[fr.KIND_UNKNOWN]:,} events have an unknown date.</p>'
            )
        body += "<h3>How the events are dated</h3>" + _table(["drawn as", "events"], kind_rows, {1})
        section("timeline", "Timeline of events", body)
        sections[0], sections[1] = sections[1], sections[0]  # the picture first, then the counts
        nav[0], nav[1] = nav[1], nav[0]

    # --- participants per event
    ea = active.get("event_actors")
    if ea is not None:
        if len(ea) <= row_budget and events is not None and len(events) <= row_budget:
            by_event: dict[str, list[str]] = {}
            for eid, aid, role, claim in zip(
                _cells(ea, "event_id"),
                _cells(ea, "actor_id"),
                _cells(ea, "role"),
                _cells(ea, "claimed_by_actor_id"),
            ):
                claimed = (
                    f' <span class="badge">claimed by {e(names.get(claim, claim))}</span>'
                    if claim
                    else ""
                )
                by_event.setdefault(eid, []).append(
                    f'{e(names.get(aid, aid))} <span class="badge">{e(role)}</span>{claimed}'
                )
            for rid, eid, aid, role in zip(
                _cells(ea, "event_actor_id"),
                _cells(ea, "event_id"),
                _cells(ea, "actor_id"),
                _cells(ea, "role"),
            ):
                if eid in details:
                    details[eid].append([f"actor ({rid})", f"{names.get(aid, aid)}: {role}"])
            rows = [
                [_idcell(i), e(t), "<br>".join(by_event.get(i, [])) or "<em>none recorded</em>"]
                for i, t in zip(_cells(events, "event_id"), _cells(events, "title"))
            ]
            roles = ", ".join(fr.enum_of(schemas["event_actors"], "role"))
            body = f"<p>Roles: {e(roles)}.</p>" + _table(
                ["event", "title", "actors and roles"], rows
            )
        else:
            body = _summary(ea, schemas["event_actors"], row_budget, "event-actor rows")
        section("actors", "Actors and roles per event", body)

    # --- actor hierarchy
    actors = active.get("actors")
    if actors is not None:
        if len(actors) <= row_budget:
            ids = _cells(actors, "actor_id")
            parent = _cells(actors, "parent_actor_id")
            atype = _cells(actors, "actor_type")
            kids: dict[str, list[int]] = {}
            known = set(ids)
            for k, p in enumerate(parent):
                kids.setdefault(p if p in known else "", []).append(k)

            def tree(key: str, seen: set[str]) -> str:
                items = []
                for k in kids.get(key, []):
                    if ids[k] in seen:
                        continue
                    seen.add(ids[k])
                    items.append(
                        f"<li>{_idcell(ids[k])} {e(names.get(ids[k], ''))} "
                        f'<span class="badge">{e(atype[k])}</span>{tree(ids[k], seen)}</li>'
                    )
                return f'<ul class="tree">{"".join(items)}</ul>' if items else ""

            body = tree("", set())
            for rid, pairs in zip(ids, _pairs(actors, schemas["actors"])):
                details[rid] = pairs
        else:
            body = _summary(actors, schemas["actors"], row_budget, "actors")
        section("hierarchy", "Actor hierarchy", body)

    # --- figures
    figs = active.get("figures")
    if figs is not None:
        if len(figs) <= row_budget:
            fchart = charts.figures_chart(figs, schemas["figures"], names)
            body = ""
            if fchart is not None:
                specs["figures"] = _to_vega(fchart)
                body += (
                    "<p>A bar runs from low to high, a dot is the best figure; a bar fading to the left is an "
                    "upper bound only (fewer than, at most), fading to the right a lower bound only (more "
                    "than, at least). Vague wording (several, a series, not reported) gets no bar.</p>"
                    '<div class="chart" id="chart-figures"></div>'
                )
            shapes = fr.figure_ranges(figs)["shape"].tolist()
            rows = []
            for fid, eid, qty, lo, best, hi, qual, text, claim, ex, shape in zip(
                *(
                    _cells(figs, c)
                    for c in (
                        "figure_id",
                        "event_id",
                        "quantity",
                        "count_low",
                        "count_best",
                        "count_high",
                        "count_qualifier",
                        "count_text",
                        "claimed_by_actor_id",
                        "source_excerpt",
                    )
                ),
                shapes,
            ):
                drawn = "" if shape != "none" else ' <span class="badge">no number: no bar</span>'
                rows.append(
                    [
                        _idcell(fid),
                        _idcell(eid),
                        e(qty),
                        e(lo),
                        e(best),
                        e(hi),
                        e(qual) + drawn,
                        e(text),
                        e(names.get(claim, claim)) if claim else "<em>not attributed</em>",
                        f'<span class="ex">{e(ex)}</span>',
                    ]
                )
            body += _table(
                [
                    "figure",
                    "event",
                    "quantity",
                    "low",
                    "best",
                    "high",
                    "qualifier",
                    "wording",
                    "claimed by",
                    "source excerpt",
                ],
                rows,
                {3, 4, 5},
            )
            for rid, pairs in zip(_cells(figs, "figure_id"), _pairs(figs, schemas["figures"])):
                details[rid] = pairs
            for fid, eid, text in zip(
                _cells(figs, "figure_id"), _cells(figs, "event_id"), _cells(figs, "count_text")
            ):
                if eid in details:
                    details[eid].append([f"figure ({fid})", text])
        else:
            body = _summary(figs, schemas["figures"], row_budget, "figures")
            stats = []
            for qty in fr.enum_of(schemas["figures"], "quantity"):
                sub = figs[(figs["quantity"] == qty).to_numpy(dtype=bool, na_value=False)]
                best = sub["count_best"].astype("Float64").dropna()
                if len(sub):
                    stats.append(
                        [
                            e(qty),
                            f"{len(sub):,}",
                            f"{len(best):,}",
                            *(
                                f"{v:,.0f}" if len(best) else ""
                                for v in (
                                    (best.min(), best.median(), best.max())
                                    if len(best)
                                    else (0, 0, 0)
                                )
                            ),
                        ]
                    )
            body += "<h3>best figure by quantity</h3>" + _table(
                ["quantity", "figures", "with a best figure", "min", "median", "max"],
                stats,
                {1, 2, 3, 4, 5},
            )
            notes.append(f"{len(figs):,} figures summarised (row budget {row_budget:,}).")
        section("figures", "Figures", body)

    # --- statements
    st = active.get("statements")
    if st is not None:
        if len(st) <= row_budget:
            siv = fr.intervals(st["date_start"], st["date_end"])
            when = charts._when(
                siv.kind,
                [v[:10] for v in fr.iso(fr._ms(st["date_start"]))],
                [v[:10] for v in fr.iso(fr._ms(st["date_end"]))],
                _cells(st, "date_precision"),
            )
            rows = []
            for sid, spk, title, addr, about, stype, qtype, text, venue, w, ex in zip(
                *(
                    _cells(st, c)
                    for c in (
                        "statement_id",
                        "speaker_actor_id",
                        "speaker_title",
                        "addressee_actor_id",
                        "about_event_id",
                        "statement_type",
                        "quote_type",
                        "text",
                        "venue_text",
                    )
                ),
                when,
                _cells(st, "source_excerpt"),
            ):
                direct = qtype == fr.enum_of(schemas["statements"], "quote_type")[0]
                said = (
                    f'<span class="badge dq">{e(qtype)}</span><span class="quote">\u201c{e(text)}\u201d</span>'
                    if direct
                    else f'<span class="badge pp">{e(qtype)}</span>{e(text)}'
                )
                rows.append(
                    [
                        _idcell(sid),
                        e(w),
                        e(names.get(spk, spk)),
                        e(title) or "<em>not given</em>",
                        e(names.get(addr, addr)),
                        _idcell(about),
                        e(stype),
                        said,
                        e(venue),
                        f'<span class="ex">{e(ex)}</span>',
                    ]
                )
            body = _table(
                [
                    "statement",
                    "date",
                    "speaker",
                    "title at the time",
                    "addressee",
                    "about",
                    "type",
                    "what was said",
                    "venue",
                    "source excerpt",
                ],
                rows,
            )
            for rid, pairs in zip(_cells(st, "statement_id"), _pairs(st, schemas["statements"])):
                details[rid] = pairs
            for sid, about, spk, text in zip(
                _cells(st, "statement_id"),
                _cells(st, "about_event_id"),
                _cells(st, "speaker_actor_id"),
                _cells(st, "text"),
            ):
                if about in details:
                    details[about].append([f"statement ({sid})", f"{names.get(spk, spk)}: {text}"])
        else:
            body = _summary(st, schemas["statements"], row_budget, "statements")
        section("statements", "Statements", body)

    # --- deployments
    dep = active.get("deployments")
    if dep is not None:
        if len(dep) <= row_budget:
            body = ""
            if len(dep):
                specs["deployments"] = _to_vega(
                    charts.deployments_chart(dep, schemas["deployments"], names)
                )
                body += '<div class="chart" id="chart-deployments"></div>'
            div = fr.intervals(dep["date_start"], dep["date_end"])
            when = charts._when(
                div.kind,
                [v[:10] for v in fr.iso(fr._ms(dep["date_start"]))],
                [v[:10] for v in fr.iso(fr._ms(dep["date_end"]))],
                _cells(dep, "date_precision"),
            )
            rows = []
            for did, aid, dtype, loc, qual, text, lo, best, hi, ex, w in zip(
                *(
                    _cells(dep, c)
                    for c in (
                        "deployment_id",
                        "actor_id",
                        "deployment_type",
                        "location_text",
                        "count_qualifier",
                        "count_text",
                        "count_low",
                        "count_best",
                        "count_high",
                        "source_excerpt",
                    )
                ),
                when,
            ):
                nums = (
                    " / ".join(v or "\u2013" for v in (lo, best, hi))
                    if (lo or best or hi)
                    else "no number"
                )
                rows.append(
                    [
                        _idcell(did),
                        e(names.get(aid, aid)),
                        e(dtype),
                        e(w),
                        e(loc),
                        e(text),
                        e(qual),
                        e(nums),
                        f'<span class="ex">{e(ex)}</span>',
                    ]
                )
            body += _table(
                [
                    "deployment",
                    "actor",
                    "type",
                    "as of",
                    "where",
                    "count wording",
                    "qualifier",
                    "low / best / high",
                    "source excerpt",
                ],
                rows,
            )
            for rid, pairs in zip(
                _cells(dep, "deployment_id"), _pairs(dep, schemas["deployments"])
            ):
                details[rid] = pairs
        else:
            body = _summary(dep, schemas["deployments"], row_budget, "deployments")
        section("deployments", "Deployments", body)

    # --- sources
    src = active.get("sources")
    if src is not None:
        if len(src) <= row_budget:
            rows = [
                [_idcell(i), e(t), e(d), e(p), e(u)]
                for i, t, d, p, u in zip(
                    *(
                        _cells(src, c)
                        for c in (
                            "source_id",
                            "source_type",
                            "description",
                            "date_precision",
                            "url",
                        )
                    )
                )
            ]
            body = _table(
                ["source", "type", "description", "date precision", "url (not fetched)"], rows
            )
            for rid, pairs in zip(_cells(src, "source_id"), _pairs(src, schemas["sources"])):
                details[rid] = pairs
        else:
            body = _summary(src, schemas["sources"], row_budget, "sources")
        section("sources", "Sources", body)

    section("changelog", "Changelog", _changelog(release))

    descriptor = pkg.descriptor
    title = descriptor.get("title") or pkg.name
    created = descriptor.get("created", "")
    lic = ", ".join(
        str(x.get("name") or x.get("title") or "")
        for x in descriptor.get("licenses", [])
        if isinstance(x, dict)
    )
    vlc = require("vl_convert")
    footer = (
        f"<p>Generated by conflictdata from release {e(release.version)} (created {e(created)}); "
        f"Vega {e(vlc.get_vega_version())} inlined: this page fetches nothing. "
        f"Row budget {row_budget:,} rows per table; size budget {SIZE_BUDGET / 2**20:.0f} MiB.</p>"
    )
    if asked_budget is not None and asked_budget != row_budget:
        notes.append(
            f"The row budget was lowered from {asked_budget:,} to {row_budget:,} rows to keep the page "
            f"within its size budget of {SIZE_BUDGET / 2**20:.0f} MiB."
        )
    if notes:
        footer += "<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>"
    page = "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)} {e(release.version)}: report</title><style>{STYLE}</style></head><body>",
            f'<header><h1>{e(title)} <span class="id">{e(release.version)}</span></h1>',
            f'<p class="meta">Release created {e(created)}; licence {e(lic)}. {e(descriptor.get("description", ""))}</p>',
            "<nav>" + "".join(f'<a href="#{a}">{e(t)}</a>' for a, t in nav) + "</nav></header>",
            "<main>",
            *sections,
            '<div id="cd-detail" hidden><button id="cd-detail-close" type="button">close</button>'
            '<strong>Row details</strong><div id="cd-detail-body"></div></div>',
            "</main>",
            f"<footer>{footer}</footer>",
            '<div id="cd-tip" hidden></div>',
            f'<script type="application/json" id="cd-specs">{script_json(specs)}</script>',
            f'<script type="application/json" id="cd-rows">{script_json(details)}</script>',
            f"<script>{vega_bundle()}</script>",
            f"<script>{APP_JS}</script>",
            "</body></html>\n",
        ]
    )
    return page
