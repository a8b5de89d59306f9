"""The sections of the report page, one function each.

Each section function takes the page's :class:`Context` (the release's tables as read for the
report, the row budget, actor names) and returns its :class:`Section` (anchor, heading, HTML),
or None when the release has nothing for it; along the way it adds the charts it draws
(``ctx.specs``), the row details a click shows (``ctx.details``) and notes for the footer.
Every string from the release goes through :func:`.text.e` (escaped, hidden characters made
visible); IDs are clickable spans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import charts
from . import frames as fr
from .text import e, ew, html_table, render_markdown, visible

if TYPE_CHECKING:  # pragma: no cover
    from .source import Changelog
    from .tables import Table

__all__ = ["SECTIONS", "VIEW_FIELDS", "Context", "Section"]

#: The fields each table's view reads; a table lacking one is counted, not drawn.
VIEW_FIELDS: dict[str, frozenset[str]] = {
    "sources": frozenset(("source_id", "source_type", "description", "url", "date_precision")),
    "actors": frozenset(("actor_id", "name", "actor_type", "parent_actor_id")),
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
            "source_excerpt",
        )
    ),
    "event_actors": frozenset(
        ("event_actor_id", "event_id", "actor_id", "role", "claimed_by_actor_id")
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
            "source_excerpt",
        )
    ),
}


@dataclass
class Section:
    anchor: str
    title: str
    body: str


@dataclass
class Context:
    """What the sections share: the release's tables, the budget, and what they produce."""

    tables: dict[str, Table]
    row_budget: int
    names: dict[str, str]
    changelog: Changelog
    changelog_limit: int
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    details: dict[str, list[list[str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    drawn: dict[str, Table] = field(default_factory=dict)
    to_vega: Callable[[dict[str, Any]], dict[str, Any]] = lambda spec: spec

    def __post_init__(self) -> None:
        # A view draws a table only when it has every field the view reads: another package
        # built with this tool gets its counts and changelog, and the page names what it could
        # not draw.
        for name, table in self.tables.items():
            lacking = sorted(VIEW_FIELDS.get(name, frozenset()) - set(table.schema.field_names))
            if lacking:
                self.notes.append(
                    f"table {name} is not drawn: it lacks the field(s) {', '.join(lacking)} "
                    "that its view reads"
                )
            else:
                self.drawn[name] = table

    def listed(self, name: str) -> Table | None:
        """Table ``name`` if it is drawn and its standing rows are within the budget."""
        t = self.drawn.get(name)
        if t is None or t.listed is None or t.standing > self.row_budget:
            return None
        return t

    def name_of(self, actor_id: str) -> str:
        return self.names.get(actor_id, actor_id)

    def add_details(self, table: Table) -> None:
        """Each listed row's non-empty fields, in schema order: what a click on its ID shows."""
        assert table.listed is not None
        cols = {f.name: table.text(f.name) for f in table.schema.fields}
        ids = table.text(table.schema.id_field)
        for k, rid in enumerate(ids):
            self.details[visible(rid)] = [
                [visible(n), visible(cols[n][k])] for n in cols if cols[n][k] != ""
            ]

    def more_details(self, rid: str, label: str, value: str) -> None:
        if visible(rid) in self.details:
            self.details[visible(rid)].append([visible(label), visible(value)])


# --------------------------------------------------------------------------- pieces


def idcell(value: str) -> str:
    """A clickable ID (its row's details)."""
    return f'<span class="id" data-id="{e(value)}">{e(value)}</span>' if value else ""


def wide(html: str) -> str:
    """A block that scrolls sideways inside its own frame if it is wider than the page."""
    return f'<div class="wide">{html}</div>'


def when_html(kind: str, start: str, end: str, precision: str) -> str:
    """An interval in words, each date kept on one line."""
    d = lambda v: f'<span class="date">{e(v)}</span>'  # noqa: E731
    p = f' <span class="date">({e(precision)})</span>' if precision else ""
    if kind == fr.KIND_POINT:
        return d(start) + p
    if kind == fr.KIND_SPAN:
        return f"{d(start)} to {d(end)}{p}"
    if kind == fr.KIND_OPEN_START:
        return f"on or before {d(end)}; start unknown{p}"
    if kind == fr.KIND_OPEN_END:
        return f"on or after {d(start)}; end unknown{p}"
    return "unknown: no date given" + (p if precision != fr.KIND_UNKNOWN else "")


def _when_cells(table: Table) -> list[str]:
    start, end = table.column("date_start"), table.column("date_end")
    kinds = fr.date_kinds(start, end)
    return [
        when_html(k, "" if s is None else str(s), "" if t is None else str(t), p)
        for k, s, t, p in zip(kinds, start, end, table.text("date_precision"), strict=True)
    ]


def _summary_html(table: Table, what: str, budget: int, *, listed_events: bool = True) -> str:
    """Counts by each field with declared values: what a table above the budget shows (or, with
    ``listed_events=False``, a table whose events are summarised)."""
    why = (
        f"{table.standing:,} {e(what)} exceed the row budget of {budget:,}"
        if table.standing > budget or listed_events
        else f"the events are summarised above, so their {table.standing:,} {e(what)} are too"
    )
    parts = [
        f'<p class="note">{why}: counts by each field with declared values are shown instead '
        "of the rows.</p>"
    ]
    for name, counts in table.summary().enum_counts.items():
        if counts:
            rows = [[ew(v), f"{c:,}"] for v, c in counts]
            parts.append(f"<h3>by {e(name)}</h3>" + html_table([name, "rows"], rows, {1}))
    return "".join(parts)


def _key(items: list[tuple[str, str]]) -> str:
    """A legend in HTML: (swatch class or colour, label) for what a chart draws."""
    out = []
    for sw, label in items:
        if sw.startswith("#"):
            span = f'<span class="sw colour" style="background:{e(sw)}"></span>'
        else:
            span = f'<span class="sw {e(sw)}"></span>'
        out.append(f"<span>{span}{e(label)}</span>")
    return f'<div class="key">{"".join(out)}</div>'


def _colour_key(values: list[str], declared: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(charts.colour_of(v, declared), v) for v in values]


def _present(values: list[str], declared: tuple[str, ...]) -> list[str]:
    have = set(values)
    return [v for v in declared if v in have] + sorted(have - set(declared))


# --------------------------------------------------------------------------- sections


def timeline(ctx: Context) -> Section | None:
    events = ctx.drawn.get("events")
    if events is None:
        return None
    schema = events.schema
    main_status = fr.enum_of(schema, "event_status")[0]
    if ctx.listed("events") is not None:
        iv = fr.intervals(events.column("date_start"), events.column("date_end"))
        kinds = {k: int((iv.kind == k).sum()) for k in fr.Kinds.WORDS}
        ctx.specs["timeline"] = ctx.to_vega(
            charts.timeline_chart(events.listed, schema, legend=False)
        )
        types = _present(events.text("event_type"), fr.enum_of(schema, "event_type"))
        shapes = [
            ("point", "a known day", fr.KIND_POINT),
            ("span", "a known month, year or range", fr.KIND_SPAN),
            (
                "before",
                "on or before a day: start unknown (runs to the chart's edge)",
                fr.KIND_OPEN_START,
            ),
            (
                "after",
                "on or after a day: end unknown (runs to the chart's edge)",
                fr.KIND_OPEN_END,
            ),
            ("unknown", "date unknown (left column, not on the axis)", fr.KIND_UNKNOWN),
        ]
        items = [(sw, label) for sw, label, kind in shapes if kinds[kind]]
        if any(s != main_status for s in events.text("event_status")):
            items.append(
                (
                    "dim",
                    f"hollow, dashed or faded: status other than {main_status} (named in the label)",
                )
            )
        if fr.response_links(events.listed, iv.anchor):
            items.append(("link", "in response to (from the answered event to its answer)"))
        undated = [k for k in range(events.standing) if iv.kind[k] == fr.KIND_UNKNOWN]
        ids, titles, status = (
            events.text("event_id"),
            events.text("title"),
            events.text("event_status"),
        )
        listed = "".join(
            f'<li>{idcell(ids[k])} {e(titles[k])} <span class="badge">{e(status[k])}</span></li>'
            for k in undated
        )
        undated_html = (
            f'<h3>Events with an unknown date ({len(undated):,})</h3><ul id="undated">{listed}</ul>'
            if undated
            else '<p id="undated">Every event has at least one known date bound.</p>'
        )
        body = (
            _key(items)
            + _key(_colour_key(types, fr.enum_of(schema, "event_type")))
            + '<div class="chart" id="chart-timeline" role="img" aria-label="timeline of events"></div>'
            "<p>Hover a mark for its ID and source excerpt; click it (or any ID below) for the whole row. "
            "Parts of an event (waves, rounds of talks) are indented under it.</p>" + undated_html
        )
        ctx.add_details(events)
    else:
        summary = events.summary().events
        assert summary is not None
        kinds = summary.kinds
        spec = charts.aggregate_chart(summary, schema, legend=False)
        ctx.specs["timeline"] = ctx.to_vega(spec)
        msg = (
            f"{events.standing:,} events exceed the row budget of {ctx.row_budget:,} marks: the timeline "
            f"shows events per {summary.unit} by type, each counted at its first known day (or its "
            f"bound); {kinds[fr.KIND_UNKNOWN]:,} events with an unknown date are not placed on it."
        )
        ctx.notes.append(msg)
        types = _present([t for _, _, t, _ in summary.periods], fr.enum_of(schema, "event_type"))
        body = (
            f'<p class="note" id="aggregated">{e(msg)}</p>'
            + _key(_colour_key(types, fr.enum_of(schema, "event_type")))
            + '<div class="chart" id="chart-timeline" role="img" aria-label="events per period"></div>'
            f'<p id="undated">{kinds[fr.KIND_UNKNOWN]:,} events have an unknown date.</p>'
        )
    kind_rows = [[e(w), f"{kinds[k]:,}"] for k, w in fr.Kinds.WORDS.items()]
    body += "<h3>How the events are dated</h3>" + html_table(["drawn as", "events"], kind_rows, {1})
    return Section("timeline", "Timeline of events", body)


def counts(ctx: Context) -> Section:
    rows = [
        [
            f'<span class="id">{e(n)}</span>',
            e(t.schema.title),
            f"{t.rows:,}",
            f"{t.standing:,}",
            f"{t.rows - t.standing:,}",
        ]
        for n, t in ctx.tables.items()
    ]
    body = (
        html_table(["table", "title", "rows", "standing", "withdrawn"], rows, {2, 3, 4})
        + "<p>Withdrawn rows (retracted or superseded tombstones) are counted here and not drawn.</p>"
    )
    return Section("counts", "Rows per table", body)


def participants(ctx: Context) -> Section | None:
    ea = ctx.drawn.get("event_actors")
    if ea is None:
        return None
    events = ctx.listed("events")
    if ctx.listed("event_actors") is None or events is None:
        body = _summary_html(
            ea, "event-actor rows", ctx.row_budget, listed_events=events is not None
        )
        return Section("actors", "Actors and roles per event", body)
    by_event: dict[str, list[str]] = {}
    for rid, eid, aid, role, claim in zip(
        ea.text("event_actor_id"),
        ea.text("event_id"),
        ea.text("actor_id"),
        ea.text("role"),
        ea.text("claimed_by_actor_id"),
        strict=True,
    ):
        claimed = f' <span class="badge">claimed by {e(ctx.name_of(claim))}</span>' if claim else ""
        by_event.setdefault(eid, []).append(
            f'{e(ctx.name_of(aid))} <span class="badge">{e(role)}</span>{claimed}'
        )
        ctx.more_details(eid, f"actor ({rid})", f"{ctx.name_of(aid)}: {role}")
    rows = [
        [idcell(i), e(t), "<br>".join(by_event.get(i, [])) or "<em>none recorded</em>"]
        for i, t in zip(events.text("event_id"), events.text("title"), strict=True)
    ]
    roles = ", ".join(fr.enum_of(ea.schema, "role"))
    body = f"<p>Roles: {e(roles)}.</p>" + wide(
        html_table(["event", "title", "actors and roles"], rows)
    )
    return Section("actors", "Actors and roles per event", body)


def hierarchy(ctx: Context) -> Section | None:
    actors = ctx.drawn.get("actors")
    if actors is None:
        return None
    if ctx.listed("actors") is None:
        return Section(
            "hierarchy", "Actor hierarchy", _summary_html(actors, "actors", ctx.row_budget)
        )
    ids, parent, atype, name = (
        actors.text("actor_id"),
        actors.text("parent_actor_id"),
        actors.text("actor_type"),
        actors.text("name"),
    )
    kids: dict[str, list[int]] = {}
    known = set(ids)
    for k, p in enumerate(parent):
        kids.setdefault(p if p in known else "", []).append(k)
    seen: set[str] = set()

    def tree(key: str) -> str:
        items = []
        stack_items = kids.get(key, [])
        for k in stack_items:
            if ids[k] in seen:
                continue
            seen.add(ids[k])
            items.append(
                f"<li>{idcell(ids[k])} {e(name[k])} "
                f'<span class="badge">{e(atype[k])}</span>{tree(ids[k])}</li>'
            )
        return f'<ul class="tree">{"".join(items)}</ul>' if items else ""

    body = tree("")
    ctx.add_details(actors)
    return Section("hierarchy", "Actor hierarchy", body)


def figures(ctx: Context) -> Section | None:
    figs = ctx.drawn.get("figures")
    if figs is None:
        return None
    if ctx.listed("figures") is None:
        body = _summary_html(figs, "figures", ctx.row_budget)
        stats = [
            [
                e(s.quantity),
                f"{s.figures:,}",
                f"{s.with_best:,}",
                *("" if v is None else f"{v:,.0f}" for v in (s.low, s.median, s.high)),
            ]
            for s in figs.summary().figures or []
        ]
        body += "<h3>best figure by quantity</h3>" + html_table(
            ["quantity", "figures", "with a best figure", "min", "median", "max"],
            stats,
            {1, 2, 3, 4, 5},
        )
        ctx.notes.append(f"{figs.standing:,} figures summarised (row budget {ctx.row_budget:,}).")
        return Section("figures", "Figures", body)
    body = ""
    chart_specs = charts.figure_charts(figs.listed, figs.schema, ctx.names)
    if chart_specs:
        body += _key(
            [
                ("span", "low to high"),
                ("best", "best figure"),
                ("before", "fewer than, at most: up to a bound (from zero)"),
                ("after", "more than, at least: from a bound, no upper end"),
            ]
        )
        body += "<p>Vague wording (several, a series, not reported) gets no bar; it is listed below.</p>"
        for k, (quantity, spec) in enumerate(chart_specs.items()):
            ctx.specs[f"figures_{k}"] = ctx.to_vega(spec)
            body += (
                f"<h3>{e(quantity.replace('_', ' '))}</h3>"
                f'<div class="chart" id="chart-figures_{k}" role="img" aria-label="figures: {e(quantity)}"></div>'
            )
    shapes = fr.figure_ranges(figs.listed)["shape"]
    rows = []
    cols = [
        figs.text(c)
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
    ]
    for (fid, eid, qty, lo, best, hi, qual, text, claim, ex), shape in zip(
        zip(*cols, strict=True), shapes, strict=True
    ):
        drawn = "" if shape != "none" else ' <span class="badge">no number: no bar</span>'
        rows.append(
            [
                idcell(fid),
                idcell(eid),
                ew(qty),
                e(lo),
                e(best),
                e(hi),
                ew(qual) + drawn,
                e(text),
                e(ctx.name_of(claim)) if claim else "<em>not attributed</em>",
                f'<span class="ex">{e(ex)}</span>',
            ]
        )
        ctx.more_details(eid, f"figure ({fid})", text)
    body += wide(
        html_table(
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
    )
    ctx.add_details(figs)
    return Section("figures", "Figures", body)


def statements(ctx: Context) -> Section | None:
    st = ctx.drawn.get("statements")
    if st is None:
        return None
    if ctx.listed("statements") is None:
        return Section("statements", "Statements", _summary_html(st, "statements", ctx.row_budget))
    direct_value = fr.enum_of(st.schema, "quote_type")[0]
    rows = []
    cols = [
        st.text(c)
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
            "source_excerpt",
        )
    ]
    for (sid, spk, title, addr, about, stype, qtype, text, venue, ex), when in zip(
        zip(*cols, strict=True), _when_cells(st), strict=True
    ):
        said = (
            f'<span class="badge dq">{e(qtype)}</span><span class="quote">\u201c{e(text)}\u201d</span>'
            if qtype == direct_value
            else f'<span class="badge pp">{e(qtype)}</span>{e(text)}'
        )
        rows.append(
            [
                idcell(sid),
                when,
                e(ctx.name_of(spk)),
                e(title) or "<em>not given</em>",
                e(ctx.name_of(addr)) if addr else "",
                idcell(about),
                ew(stype),
                said,
                e(venue),
                f'<span class="ex">{e(ex)}</span>',
            ]
        )
    ctx.add_details(st)
    for sid, about, spk, text in zip(cols[0], cols[4], cols[1], cols[7], strict=True):
        ctx.more_details(about, f"statement ({sid})", f"{ctx.name_of(spk)}: {text}")
    body = wide(
        html_table(
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
    )
    return Section("statements", "Statements", body)


def deployments(ctx: Context) -> Section | None:
    dep = ctx.drawn.get("deployments")
    if dep is None:
        return None
    if ctx.listed("deployments") is None:
        return Section(
            "deployments", "Deployments", _summary_html(dep, "deployments", ctx.row_budget)
        )
    body = ""
    if dep.standing:
        ctx.specs["deployments"] = ctx.to_vega(
            charts.deployments_chart(dep.listed, dep.schema, ctx.names, legend=False)
        )
        iv = fr.intervals(dep.column("date_start"), dep.column("date_end"))
        kinds = set(iv.kind)
        items = [
            (sw, label)
            for sw, label, kind in (
                ("point", "a known day", fr.KIND_POINT),
                ("span", "a known month, year or range", fr.KIND_SPAN),
                ("before", "on or before a day: start unknown", fr.KIND_OPEN_START),
                ("after", "on or after a day: end unknown", fr.KIND_OPEN_END),
                ("unknown", "date unknown", fr.KIND_UNKNOWN),
            )
            if kind in kinds
        ]
        declared = fr.enum_of(dep.schema, "deployment_type")
        body += _key(items) + _key(
            _colour_key(_present(dep.text("deployment_type"), declared), declared)
        )
        body += (
            '<div class="chart" id="chart-deployments" role="img" aria-label="deployments"></div>'
        )
    cols = [
        dep.text(c)
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
    ]
    rows = []
    for (did, aid, dtype, loc, qual, text, lo, best, hi, ex), when in zip(
        zip(*cols, strict=True), _when_cells(dep), strict=True
    ):
        nums = (
            " / ".join(v or "\u2013" for v in (lo, best, hi)) if (lo or best or hi) else "no number"
        )
        rows.append(
            [
                idcell(did),
                e(ctx.name_of(aid)),
                ew(dtype),
                when,
                e(loc),
                e(text),
                ew(qual),
                f'<span class="date">{e(nums)}</span>',
                f'<span class="ex">{e(ex)}</span>',
            ]
        )
    body += wide(
        html_table(
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
    )
    ctx.add_details(dep)
    return Section("deployments", "Deployments", body)


def sources(ctx: Context) -> Section | None:
    src = ctx.drawn.get("sources")
    if src is None:
        return None
    if ctx.listed("sources") is None:
        return Section("sources", "Sources", _summary_html(src, "sources", ctx.row_budget))
    rows = [
        [idcell(i), ew(t), e(d), ew(p), e(u)]
        for i, t, d, p, u in zip(
            *(
                src.text(c)
                for c in ("source_id", "source_type", "description", "date_precision", "url")
            ),
            strict=True,
        )
    ]
    ctx.add_details(src)
    body = wide(
        html_table(["source", "type", "description", "date precision", "url (not fetched)"], rows)
    )
    return Section("sources", "Sources", body)


def changelog(ctx: Context) -> Section:
    """The release's CHANGELOG.md as HTML, if it was verified (else why it is not shown)."""
    from ...errors import MissingDependencyError

    log = ctx.changelog
    if log.text is None:
        return Section(
            "changelog", "Changelog", f'<p class="note" id="changelog-problem">{e(log.problem)}</p>'
        )
    note = (
        f'<p class="note">The changelog is longer than {ctx.changelog_limit:,} bytes; only its '
        "start is shown.</p>"
        if log.truncated
        else ""
    )
    try:
        body = render_markdown(log.text)
    except MissingDependencyError as exc:  # the page still shows it, as text
        note += f'<p class="note">{e(exc)}</p>'
        body = f"<pre>{e_lines(log.text)}</pre>"
    return Section("changelog", "Changelog", f'{note}<div class="changelog">{body}</div>')


def e_lines(text: str) -> str:
    """Escaped text keeping its line breaks (other hidden characters made visible)."""
    return "\n".join(e(line) for line in text.splitlines())


#: The page's sections, in order.
SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    timeline,
    counts,
    participants,
    hierarchy,
    figures,
    statements,
    deployments,
    sources,
    changelog,
)
