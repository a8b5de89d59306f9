"""A table's rows with the rows its foreign keys point to beside them (``load(join=...)``).

The relations come from the schema's foreign keys, never from names. A left join per link:
every row of the table stays, once (the referenced key is unique), in its order; a link to
no row (empty, or a tombstone left out) gives empty cells. A column name that more than one
part would bring (``source_id``, ``notes``, ``record_status``, …) is qualified in every part
by the part's name: the table's name (``events.source_id``), or, where two parts come from
one table, the link's stem (``speaker.name`` for ``speaker_actor_id``).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ..errors import ConflictDataError
from .tables import META_KEY, as_pandas, read_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .releases import Release


def _links(release: Release, table: str, links: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(link field, referenced table, referenced key) per link, checked against the schema."""
    schema = release.table(table)
    keys = {fk.fields[0]: fk for fk in schema.foreign_keys if len(fk.fields) == 1}
    out = []
    for link in links:
        fk = keys.get(link) if isinstance(link, str) else None
        if fk is None:
            raise ConflictDataError(
                f"join={link!r}: not a foreign-key field of {table!r}; its foreign keys are: "
                f"{', '.join(keys) or 'none'}"
            )
        if links.count(link) > 1:
            raise ConflictDataError(f"join names {link!r} twice")
        release.table(fk.resource)
        out.append((link, fk.resource, fk.reference_fields[0]))
    return out


def _labels(table: str, links: list[tuple[str, str, str]]) -> list[str]:
    """The name of each linked part: its table's, unless another part comes from that table."""
    sources = Counter([table, *(target for _, target, _ in links)])
    labels = []
    for link, target, key in links:
        stem = link[: -len(key)].rstrip("_") if link.endswith(key) else ""
        label = target if sources[target] == 1 else (stem or link)
        if label == table or label in labels:
            label = link
        labels.append(label)
    return labels


def joined(
    release: Release, table: str, links: tuple[str, ...], *, tombstones: bool, dates: str
) -> pd.DataFrame:
    """``table`` with the rows of each foreign key in ``links`` beside its rows (see above)."""
    specs = _links(release, table, links)
    labels = _labels(table, specs)
    frames: dict[str, pd.DataFrame] = {}

    def frame(name: str) -> pd.DataFrame:
        if name not in frames:
            frames[name] = as_pandas(
                release, read_table(release, name, tombstones=tombstones), name, dates=dates
            )
        return frames[name]

    base = frame(table)
    parts: list[tuple[str, list[str]]] = [(table, list(base.columns))]
    for (_, target, key), label in zip(specs, labels, strict=True):
        parts.append((label, [c for c in frame(target).columns if c != key]))
    counts = Counter(c for _, cols in parts for c in cols)

    def named(label: str, col: str) -> str:
        return f"{label}.{col}" if counts[col] > 1 else col

    out = base.rename(columns={c: named(table, c) for c in base.columns})
    out.attrs = {}
    joins: dict[str, Any] = {}
    for (link, target, key), (label, cols) in zip(specs, parts[1:], strict=True):
        right = frame(target)[[key, *cols]]
        right = right.rename(columns={key: "\0key", **{c: named(label, c) for c in cols}})
        right.attrs = {}
        out = out.merge(
            right, how="left", left_on=named(table, link), right_on="\0key", validate="m:1"
        ).drop(columns="\0key")
        joins[label] = {"link": link, "table": target, "sha256": release.sha256(target)}
    out.attrs[META_KEY] = {**base.attrs[META_KEY], "joined": joins}
    return out
