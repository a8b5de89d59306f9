"""The change feed: ``changes.parquet`` in every release and ``cd.changes()`` between any two
releases list exactly what changed, and applying the feed to release N gives release N+1."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.events import EVENTS, HAVE_VALIDATE, event, with_changes, write_events_package
from support.paths import REPO
from support.regex import match_in

import conflictdata as cd
from conflictdata._release.layout import CHANGES_NAME, SUMS_NAME, archive_name
from conflictdata._tools.diff import CHANGE_KINDS, CHANGES_SCHEMA, diff_releases
from conflictdata.tools import build_release

#: Release 2.0.0 against 1.0.0: a row added, a field changed, a row retracted, a row
#: superseded (by the new row); 3.0.0 changes one more cell.
V2 = [
    *with_changes(
        EVENTS,
        EV_0001={"fatalities": "4"},
        EV_0002={"record_status": "retracted"},
        EV_0003={"record_status": "superseded", "superseded_by": "EV-0004"},
    ),
    event("EV-0004", fatalities="12", latitude="-3.25", confirmed="true"),
]
V3 = with_changes(V2, EV_0004={"date_start": "2025-06-20"})


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("changes")
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1750000000")
        for version, rows in (("1.0.0", EVENTS), ("2.0.0", V2), ("3.0.0", V3)):
            build_release(
                write_events_package(root / version, version=version, events=rows),
                out,
                validate=HAVE_VALIDATE,
                progress=False,
            )
    return out


def _rows(feed: pa.Table) -> list[tuple]:
    cols = ("table", "key", "kind", "field", "old_value", "new_value")
    return list(zip(*(feed.column(c).to_pylist() for c in cols), strict=False))


def test_the_feed_lists_exactly_the_known_changes(releases: Path) -> None:
    feed = pq.read_table(releases / "2.0.0" / CHANGES_NAME)
    assert feed.schema.equals(CHANGES_SCHEMA)
    assert set(feed.column("old_version").to_pylist()) == {"1.0.0"}
    assert set(feed.column("new_version").to_pylist()) == {"2.0.0"}
    assert set(feed.column("key_field").to_pylist()) == {"event_id"}
    assert _rows(feed) == [
        ("events", "EV-0001", "field_changed", "fatalities", "3", "4"),
        ("events", "EV-0002", "retracted", "record_status", "active", "retracted"),
        ("events", "EV-0003", "superseded", "record_status", "active", "superseded"),
        ("events", "EV-0003", "superseded", "superseded_by", None, "EV-0004"),
        ("events", "EV-0004", "added", "event_id", None, "EV-0004"),
        ("events", "EV-0004", "added", "source_id", None, "SRC-001"),
        ("events", "EV-0004", "added", "event_type", None, "strike"),
        ("events", "EV-0004", "added", "date_start", None, "2025-06-14"),
        ("events", "EV-0004", "added", "fatalities", None, "12"),
        ("events", "EV-0004", "added", "latitude", None, "-3.25"),
        ("events", "EV-0004", "added", "confirmed", None, "true"),
        ("events", "EV-0004", "added", "record_status", None, "active"),
    ]
    types = dict(
        zip(feed.column("field").to_pylist(), feed.column("field_type").to_pylist(), strict=False)
    )
    assert types["fatalities"] == "integer" and types["date_start"] == "date"
    assert types["confirmed"] == "boolean" and types["latitude"] == "number"
    assert set(feed.column("kind").to_pylist()) <= set(CHANGE_KINDS)
    # the initial release changed nothing since nothing came before it
    assert pq.read_table(releases / "1.0.0" / CHANGES_NAME).num_rows == 0


def test_the_feed_is_listed_zipped_and_rendered_from_the_same_diff(releases: Path) -> None:
    rel = releases / "2.0.0"
    lines = (rel / SUMS_NAME).read_text().splitlines()
    sums = {name: digest for digest, name in (ln.split("  ", 1) for ln in lines)}
    assert {CHANGES_NAME, "croissant.json", "CHANGELOG.md"} <= set(sums)
    import zipfile

    with zipfile.ZipFile(rel / archive_name("2.0.0")) as zf:
        assert zf.read(f"conflictdata-2.0.0/{CHANGES_NAME}") == (rel / CHANGES_NAME).read_bytes()
    d = diff_releases(releases / "1.0.0", rel)
    assert d.changes().equals(pq.read_table(rel / CHANGES_NAME))
    assert d.to_markdown() == (rel / "CHANGELOG.md").read_text()
    events = d.tables[1]
    assert events.added == ["EV-0004"] and [c.id for c in events.changed] == ["EV-0001"]
    assert [(t.id, t.status, t.superseded_by) for t in events.tombstoned] == [
        ("EV-0002", "retracted", None),
        ("EV-0003", "superseded", "EV-0004"),
    ]


def _apply(old: pa.Table, feed: pa.Table, schema: dict) -> pa.Table:
    """Release N's table with the feed applied, typed by release N+1's schema: a plain,
    row-by-row reading of the feed, the opposite of the vectorised diff that wrote it."""
    from conflictdata._tableschema.tables import table_schema_from_dict

    ts = table_schema_from_dict("events", "events.parquet", schema)
    key = ts.id_field
    rows = {r[key]: {f: as_feed_text(r.get(f)) for f in ts.field_names} for r in old.to_pylist()}
    order = list(rows)
    types = {f.name: f.type for f in ts.fields}
    for r in feed.to_pylist():
        assert r["table"] == "events" and r["key_field"] == key
        if r["kind"] == "removed":
            rows.pop(r["key"])
            order.remove(r["key"])
            continue
        if r["key"] not in rows:
            assert r["kind"] == "added"
            rows[r["key"]] = dict.fromkeys(ts.field_names)
            order.append(r["key"])
        assert r["field_type"] == types[r["field"]]
        assert rows[r["key"]][r["field"]] == r["old_value"]
        rows[r["key"]][r["field"]] = r["new_value"]
    arrays = []
    for f in ts.fields:
        text = pa.array([rows[k][f.name] for k in order], pa.string())
        arrays.append(text.cast(f.arrow_type()) if not f.is_enum else text.dictionary_encode())
    return pa.table(arrays, names=ts.field_names)


def as_feed_text(value: object) -> str | None:
    """A Python value of a release cell as the feed writes it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _plain(table: pa.Table) -> list[dict]:
    return table.to_pylist()


@pytest.mark.parametrize("old, new", [("1.0.0", "2.0.0"), ("2.0.0", "3.0.0"), ("1.0.0", "3.0.0")])
def test_applying_the_feed_to_release_n_gives_release_n_plus_1(
    releases: Path, old: str, new: str
) -> None:
    desc = json.loads((releases / new / "datapackage.json").read_text())
    schema = next(r["schema"] for r in desc["resources"] if r["name"] == "events")
    feed = diff_releases(releases / old, releases / new).changes()
    if (old, new) != ("1.0.0", "3.0.0"):
        assert feed.equals(pq.read_table(releases / new / CHANGES_NAME))
    before = pq.read_table(releases / old / "events.parquet")
    after = pq.read_table(releases / new / "events.parquet")
    events = feed.filter(pa.compute.equal(feed.column("table"), "events"))
    got = _apply(before, events, schema)
    key = lambda r: int(r["event_id"].split("-")[1])  # noqa: E731
    assert sorted(_plain(got), key=key) == sorted(_plain(after), key=key)
    assert feed.filter(pa.compute.equal(feed.column("table"), "sources")).num_rows == 0


def test_cd_changes_between_any_two_releases(releases: Path) -> None:
    adjacent = cd.changes(source=releases)  # the newest against the one before it
    assert set(adjacent["old_version"]) == {"2.0.0"} and set(adjacent["new_version"]) == {"3.0.0"}
    assert adjacent[["key", "field", "old_value", "new_value"]].values.tolist() == [
        ["EV-0004", "date_start", "2025-06-14", "2025-06-20"]
    ]
    assert str(adjacent["key"].dtype) == "string"
    wide = cd.changes("1.0.0", "3.0.0", table="events", source=releases)
    expected = diff_releases(releases / "1.0.0", releases / "3.0.0").changes().to_pandas()
    assert (
        wide.astype(object).where(wide.notna(), None).values.tolist()
        == expected.astype(object).where(expected.notna(), None).values.tolist()
    )
    assert (wide["kind"] == "added").sum() == 8
    assert cd.changes(new="1.0.0", source=releases).empty
    assert cd.changes("1.0.0", "2.0.0", table="sources", source=releases).empty
    with pytest.raises(cd.UnknownTableError, match="no table 'nope'"):
        cd.changes("1.0.0", "2.0.0", table="nope", source=releases)


def test_readme_example_runs(releases: Path) -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = match_in(r"<!-- example: changes -->\n```python\n(.*?)```\n", readme, flags=re.S).group(
        1
    )
    assert 'source="build/releases"' in code
    ns: dict = {}
    exec(code.replace('"build/releases"', repr(str(releases))).replace('"0.1.0"', '"1.0.0"'), ns)
    assert ns["retracted"] == ["EV-0002"]
    assert ns["rows"].to_dict() == {  # one new event is one row
        ("events", "added"): 1,
        ("events", "field_changed"): 1,
        ("events", "retracted"): 1,
        ("events", "superseded"): 1,
    }
    assert ns["cells"].to_dict() == {  # and eight filled cells
        ("events", "added"): 8,
        ("events", "field_changed"): 1,
        ("events", "retracted"): 1,
        ("events", "superseded"): 2,
    }
