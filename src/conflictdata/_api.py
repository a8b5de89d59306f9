"""The analyst's functions that compose the loader with the layers above it: a load checked
by the pandera schemas, the change feed between two releases, the timeline chart. Each
imports the heavier layer only when called, so ``import conflictdata`` stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._loader import tables as _tables
from ._loader.releases import Source, local_versions, open_release, versions
from ._release.layout import sort_versions, version_key

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt
    import pandas as pd


def load(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    validate: bool = False,
) -> pd.DataFrame:
    """A release table as a pandas DataFrame with the dtypes its schema declares.

    ``validate=True`` also checks it with its pandera schema (needs the pandera extra) and
    raises :class:`~conflictdata.errors.ValidationError` listing every failure.

    >>> events = conflictdata.load("events")            # bundled release, offline
    >>> events = conflictdata.load("events", "0.1.0")   # a pinned version
    """
    if not validate:
        return _tables.load(table, version, source=source, url=url)
    from ._frames.pandera_schemas import validate_loaded
    from ._tableschema.dtypes import to_pandas

    release = open_release(version, source=source, url=url)
    schema = release.table(table)
    return validate_loaded(schema, to_pandas(release.read_arrow(table), schema))


def load_all(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    validate: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of a release, by name, in descriptor order (``validate``: as in load)."""
    if not validate:
        return _tables.load_all(version, source=source, url=url)
    from ._frames.pandera_schemas import validate_loaded_all

    release = open_release(version, source=source, url=url)
    frames = _tables.load_all(version, source=source, url=url)
    validate_loaded_all(release.package.tables, frames)
    return frames


def timeline(
    version: str | None = None, *, source: Any = None, url: str | None = None, **filters: Any
) -> alt.TopLevelMixin:
    """The event timeline as an Altair chart (displays inline in a notebook, ``.save()`` s).

    ``filters`` name event fields: a value keeps rows equal to it, a list or tuple rows equal to
    any of its values (``event_type="airstrike"``, ``event_status=["planned", "derailed"]``).
    Withdrawn rows (``record_status`` other than active) are left out, as in the report.
    Needs the report extra: ``pip install 'conflictdata[report]'``.
    """
    from ._tools.report import timeline as _timeline

    return _timeline(version, source=source, url=url, **filters)


def changes(
    old: str | None = None,
    new: str | None = None,
    table: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
) -> pd.DataFrame:
    """The change feed from release ``old`` to release ``new`` as a DataFrame: one row per
    changed cell or row (columns of :data:`conflictdata._tools.diff.CHANGES_SCHEMA`, all text).

    ``new=None``: the newest release; ``old=None``: the release before ``new`` among those
    known (empty when ``new`` is the first). Any two releases compare, not only neighbours;
    ``table`` keeps one table's rows. Both releases' files are verified (and downloaded into
    the cache when they come from the server) before they are compared.
    """
    import pandas as pd

    from ._tools.diff import CHANGES_SCHEMA, diff_releases

    newer = open_release(new, source=source, url=url)
    if table is not None:
        newer.table(table)
    if old is None:
        known = (
            [v.version for v in versions(url)] if source is None else list(local_versions(source))
        )
        before = [v for v in sort_versions(known) if version_key(v) < version_key(newer.version)]
        old = before[-1] if before else None
    if old is None:
        feed = CHANGES_SCHEMA.empty_table()
    else:
        older = open_release(old, source=source, url=url)
        for rel in (older, newer):
            for name in rel.package.tables:
                rel.path(name)
        feed = diff_releases(older.root, newer.root).changes()
    if table is not None:
        import pyarrow.compute as pc

        feed = feed.filter(pc.equal(feed.column("table"), table))
    return feed.to_pandas(
        types_mapper={
            pa_type: pd.StringDtype("pyarrow") for pa_type in {f.type for f in CHANGES_SCHEMA}
        }.get
    )
