"""See a release: one self-contained offline HTML page, and the same timeline for a notebook.

``render_report(folder)`` turns a release folder into the page's text, byte for byte the same
for the same release and environment; ``report(version)`` does so for a release the loader
finds; ``timeline(version, **filters)`` returns the event timeline as an Altair chart. The
report reads only files it has verified (:mod:`.source`: SHA256SUMS and the descriptor's
hashes, no symlink) and aggregates from Arrow (:mod:`.tables`). Altair, vl-convert and
markdown-it-py are an optional extra (``pip install 'conflictdata[report]'``): the loader never
imports them.

Modules: ``source`` (verified files), ``tables`` (standing rows and aggregates, in Arrow),
``frames`` (date intervals, lanes, links, figure ranges), ``axis`` (ticks for any width),
``charts`` (Vega-Lite specs), ``text`` (escaping, wrapping, markdown), ``sections`` (one function
per section of the page), ``page`` (the page, its CSP and inlined scripts), ``static/`` (its
CSS and script).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._release.layout import DESCRIPTOR_NAME, REPORT_NAME
from ...errors import ConflictDataError

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

    from ..._loader.releases import Release
    from .source import ReleaseFiles

__all__ = [
    "REPORT_NAME",
    "ROW_BUDGET",
    "SIZE_BUDGET",
    "render_report",
    "report",
    "require",
    "timeline",
    "write_report",
]

from .options import MIN_ROW_BUDGET, ROW_BUDGET, SIZE_BUDGET, require


def _files(release: Release | str | Path) -> ReleaseFiles:
    """The verified files of a release folder, or of a release the loader found."""
    from ..._loader.releases import Release, open_release
    from .source import ReleaseFiles

    if not isinstance(release, Release):
        folder = Path(release)
        if (folder / DESCRIPTOR_NAME).exists() or (folder / DESCRIPTOR_NAME).is_symlink():
            return ReleaseFiles.open(folder)
        release = open_release(source=folder.resolve())  # a build output folder: its newest
    if release.where == "cache":  # files a cached release has not fetched yet
        for name in release.package.tables:
            release.path(name, verify=False)
    return ReleaseFiles.open(release.root)


def render_report(
    release: Release | str | Path,
    *,
    row_budget: int = ROW_BUDGET,
    changelog: str | None = None,
) -> str:
    """The report of a release folder (or an opened release) as HTML text.

    Deterministic: no clock, no random IDs; the same release, package and library versions give
    the same bytes (UTF-8). ``changelog``: the text of the release's CHANGELOG.md from a caller
    that wrote it and so vouches for it (the build, before the release has its SHA256SUMS);
    otherwise CHANGELOG.md is read only if SHA256SUMS lists it with its hash.
    """
    from .page import CHANGELOG_LIMIT, render_page
    from .source import Changelog
    from .tables import actor_names, load_tables

    if row_budget < 1:
        raise ConflictDataError(f"row_budget must be at least 1, not {row_budget}")
    files = _files(release)
    tables = load_tables(files, row_budget)
    names = actor_names(files, tables)
    if changelog is not None:
        raw = changelog.encode("utf-8", errors="replace")
        log = Changelog(
            raw[:CHANGELOG_LIMIT].decode("utf-8", errors="replace"),
            truncated=len(raw) > CHANGELOG_LIMIT,
        )
    else:
        log = files.changelog(CHANGELOG_LIMIT)
    budget = row_budget
    while True:  # long cells can outweigh the row budget: halve it until the page fits
        page = render_page(files, tables, names, log, row_budget=budget, asked_budget=row_budget)
        if len(page.encode("utf-8")) <= SIZE_BUDGET or budget <= MIN_ROW_BUDGET:
            return page
        budget = max(budget // 2, MIN_ROW_BUDGET)


def report(
    version: str | None = None,
    *,
    source: Any = None,
    url: str | None = None,
    row_budget: int = ROW_BUDGET,
) -> str:
    """The report of a release the loader finds (``version=None``: the newest), as HTML text."""
    from ..._loader.releases import open_release

    return render_report(open_release(version, source=source, url=url), row_budget=row_budget)


def write_report(
    release: Release | str | Path,
    out: str | Path,
    *,
    row_budget: int = ROW_BUDGET,
    changelog: str | None = None,
) -> Path:
    """Write the report of ``release`` to ``out`` (UTF-8, atomically) and return the path."""
    from ..._util.fs import write_text_atomic

    out = Path(out)
    write_text_atomic(out, render_report(release, row_budget=row_budget, changelog=changelog))
    return out


def timeline(
    version: str | None = None, *, source: Any = None, url: str | None = None, **filters: Any
) -> alt.LayerChart:
    """The event timeline as an Altair chart (displays inline in a notebook, ``.save()`` s).

    ``filters`` name event fields: a value keeps rows equal to it, a list or tuple rows equal to
    any of its values (``event_type="airstrike"``, ``event_status=["planned", "derailed"]``).
    Withdrawn rows (``record_status`` other than active) are left out, as in the report. Above
    the row budget, events per week or month by type. Not validated against the Vega-Lite
    schema on display (seconds for a chart this size): see :func:`.charts.as_altair`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ..._loader.releases import open_release
    from . import charts
    from .sections import VIEW_FIELDS
    from .tables import ACTIVE, filter_mask, is_value, summarise

    require("altair")
    rel = open_release(version, source=source, url=url)
    files = _files(rel)
    schema = files.package.tables.get("events")
    if schema is None:
        raise ConflictDataError(f"release {rel.version} has no events table")
    for name in filters:
        if name not in schema.field_names:
            raise ConflictDataError(
                f"timeline filter {name!r} is not a field of events; fields are: "
                f"{', '.join(schema.field_names)}"
            )
    pf = pq.ParquetFile(pa.BufferReader(files.table_bytes("events")))
    # the rows first, from the few columns that pick them; then only what is drawn of them
    picking = [n for n in schema.field_names if n == "record_status" or n in filters]
    keep = None
    if picking:
        cols = pf.read(columns=picking)
        keep = filter_mask(cols, filters)
        if "record_status" in picking:
            standing = is_value(cols.column("record_status"), ACTIVE)
            keep = standing if keep is None else pc.and_(keep, standing)
    shown = pf.metadata.num_rows if keep is None else int(pc.sum(keep).as_py() or 0)
    if shown > ROW_BUDGET:
        wanted = [n for n in schema.field_names if n in ("date_start", "date_end", "event_type")]
        summary = summarise(pf.read(columns=wanted), keep, schema).events
        assert summary is not None
        return charts.as_altair(charts.aggregate_chart(summary, schema))
    drawn = VIEW_FIELDS["events"]  # what the report's timeline draws
    wanted = [n for n in schema.field_names if n in drawn or n == "record_status"]
    table = pf.read(columns=wanted)
    if keep is not None:
        table = table.filter(keep)
    title = f"conflictdata {rel.version}: events" + ("" if shown else " (none match)")
    return charts.as_altair(charts.timeline_chart(table, schema, title=title))
