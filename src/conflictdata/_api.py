"""The analyst's functions that compose the loader with the layers above it: a load checked
by the pandera schemas, the change feed between two releases, the timeline chart. Each
imports the heavier layer only when called, so ``import conflictdata`` stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._loader import tables as _tables
from ._loader.joins import joined
from ._loader.releases import Source, local_versions, open_release
from ._release.history import link_of
from ._release.layout import sort_versions, version_key
from ._tableschema.dtypes import DATE_FORMS, check_dates

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt
    import pandas as pd


def load(
    table: str,
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
    dates: str = DATE_FORMS[0],
    join: str | list[str] | tuple[str, ...] = (),
    validate: bool = False,
) -> pd.DataFrame:
    """A release table as a pandas DataFrame with the dtypes its schema declares.

    ``version``: None reads the release this installation carries, ``"latest"`` the newest
    available, or a release version. ``tombstones=True`` keeps retracted and superseded rows;
    ``dates="date32"`` gives calendar dates instead of ``datetime64[s]``; ``join`` names
    foreign-key fields whose rows to add beside each row (see :func:`joined`). What the frame
    is (version, hashes, citation) is in ``attrs["conflictdata"]``. ``validate=True`` also
    checks the whole table with its pandera schema (needs the pandera extra) and raises
    :class:`~conflictdata.errors.ValidationError` listing every failure.

    >>> events = conflictdata.load("events")            # this installation's release, offline
    >>> roles = conflictdata.load("event_actors", join=["event_id", "actor_id"])
    """
    check_dates(dates)
    release = open_release(version, source=source, url=url)
    if validate:
        _validate(release, [table])
    links = (join,) if isinstance(join, str) else tuple(join)
    if links:
        return joined(release, table, links, tombstones=tombstones, dates=dates)
    data = _tables.read_table(release, table, tombstones=tombstones)
    return _tables.as_pandas(release, data, table, dates=dates)


def load_all(
    version: str | None = None,
    *,
    source: Source = None,
    url: str | None = None,
    tombstones: bool = False,
    dates: str = DATE_FORMS[0],
    validate: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of a release, by name, in descriptor order (options as in :func:`load`)."""
    check_dates(dates)
    release = open_release(version, source=source, url=url)
    if validate:
        _validate(release, list(release.package.tables))
    return {
        name: _tables.as_pandas(
            release, _tables.read_table(release, name, tombstones=tombstones), name, dates=dates
        )
        for name in release.package.tables
    }


def _validate(release: Any, names: list[str]) -> None:
    """The whole tables (tombstones too: a self-reference may point at one) checked with
    their pandera schemas in the default date form; one ValidationError for all."""
    from ._frames.pandera_schemas import validate_loaded, validate_loaded_all

    frames = {
        n: _tables.as_pandas(
            release, _tables.read_table(release, n, tombstones=True), n, dates=DATE_FORMS[0]
        )
        for n in names
    }
    if len(names) == 1:
        validate_loaded(release.table(names[0]), frames[names[0]])
    else:
        validate_loaded_all({n: release.table(n) for n in names}, frames)


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

    ``new=None``: the newest release here (bundled, built, cached; the server is not asked);
    ``old=None``: the release ``new`` names as its previous one (empty when ``new`` is the
    first, and ``attrs["conflictdata"]["note"]`` says so). Any two releases compare, not only
    neighbours; ``table`` keeps one table's rows. Both releases' files are verified (and
    downloaded into the cache when they come from the server) before they are compared.
    """
    import pandas as pd

    from ._tools.diff import CHANGES_SCHEMA, diff_releases

    if new is None:
        here = list(local_versions(source))
        new = sort_versions(here)[-1] if here else "latest"
    newer = open_release(new, source=source, url=url)
    if table is not None:
        newer.table(table)
    note = None
    if old is None:
        old = _previous(newer, source)
        if old is None:
            note = f"release {newer.version} is the first: there is no earlier release to compare"
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
    df = feed.to_pandas(
        types_mapper={
            pa_type: pd.StringDtype("pyarrow") for pa_type in {f.type for f in CHANGES_SCHEMA}
        }.get
    )
    df.attrs["conflictdata"] = {
        "old": old,
        "new": newer.version,
        "table": table,
        **({"note": note} if note else {}),
    }
    return df


def _previous(release: Any, source: Source) -> str | None:
    """The version ``release`` names as its previous one, else the newest older one here."""
    try:
        link = link_of(release.package.descriptor)
    except ValueError:
        link = None
    if link is not None:
        return link[0]
    here = local_versions(source)
    older = [v for v in sort_versions(here) if version_key(v) < version_key(release.version)]
    return older[-1] if older else None
