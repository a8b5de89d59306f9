"""See a release: one self-contained offline HTML page, and the same timeline for a notebook.

``render_report(folder)`` turns a release folder (its ``datapackage.json`` and Parquet files)
into the page's text, byte for byte the same for the same release and environment;
``report(version)`` does so for a release the loader finds; ``timeline(version, **filters)``
returns the event timeline as an Altair chart. Altair and vl-convert are an optional extra
(``pip install 'conflictdata[report]'``): the loader never imports them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._release.layout import REPORT_NAME
from ...errors import ConflictDataError

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

    from ..._loader.releases import Release

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


def _open(release: Release | str | Path) -> Release:
    from ..._loader.releases import Release, open_release

    if isinstance(release, Release):
        return release
    return open_release(source=Path(release).resolve())  # a folder named "cache" is still a folder


def _frames(release: Release, names: list[str] | None = None) -> dict[str, Any]:
    from ..._tableschema.dtypes import to_pandas

    wanted = names or list(release.package.tables)
    return {n: to_pandas(release.read_arrow(n), release.table(n)) for n in wanted}


def render_report(release: Release | str | Path, *, row_budget: int = ROW_BUDGET) -> str:
    """The report of a release folder (or an opened release) as HTML text.

    Deterministic: no clock, no random IDs; the same release, package and library versions give
    the same bytes (UTF-8).
    """
    from .page import render_page

    rel = _open(release)
    if row_budget < 1:
        raise ConflictDataError(f"row_budget must be at least 1, not {row_budget}")
    tables = _frames(rel)
    budget = row_budget
    while True:  # long cells can outweigh the row budget: halve it until the page fits
        page = render_page(rel, tables, row_budget=budget, asked_budget=row_budget)
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
    release: Release | str | Path, out: str | Path, *, row_budget: int = ROW_BUDGET
) -> Path:
    """Write the report of ``release`` to ``out`` (UTF-8, atomically) and return the path."""
    from ..._util.fs import write_text_atomic

    out = Path(out)
    write_text_atomic(out, render_report(release, row_budget=row_budget))
    return out


def timeline(
    version: str | None = None, *, source: Any = None, url: str | None = None, **filters: Any
) -> alt.TopLevelMixin:
    """The event timeline as an Altair chart (displays inline in a notebook, ``.save()`` s).

    ``filters`` name event fields: a value keeps rows equal to it, a list or tuple rows equal to
    any of its values (``event_type="airstrike"``, ``event_status=["planned", "derailed"]``).
    Withdrawn rows (``record_status`` other than active) are left out, as in the report.
    """
    from ..._loader.releases import open_release
    from . import charts
    from . import frames as fr

    require("altair")
    rel = open_release(version, source=source, url=url)
    schema = rel.table("events")
    events = fr.active_rows(_frames(rel, ["events"])["events"], schema)
    for name, value in filters.items():
        if name not in schema.field_names:
            raise ConflictDataError(
                f"timeline filter {name!r} is not a field of events; fields are: {', '.join(schema.field_names)}"
            )
        wanted = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        col = events[name]
        keep = col.astype(object).isin(wanted).to_numpy(dtype=bool)
        events = events[keep]
    if len(events) > ROW_BUDGET:
        counts, unit = fr.aggregate_events(
            events, fr.intervals(events["date_start"], events["date_end"]), "event_type"
        )
        return charts.as_altair(charts.aggregate_chart(counts, schema, unit))
    return charts.as_altair(
        charts.timeline_chart(events, schema, title=f"conflictdata {rel.version}: events")
    )
