"""`conflictdata diff` and the build's CHANGELOG: two releases built from packages that differ
in known ways, and a property test of the row matcher."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.events import (
    EVENTS,
    EVENTS_SCHEMA,
    HAVE_VALIDATE,
    event,
    with_changes,
    write_events_package,
)
from support.profiles import examples

from conflictdata._tableschema.tables import table_schema_from_dict
from conflictdata._tools.diff import FieldChange, SchemaChange, diff_releases, table_diff
from conflictdata.cli import main
from conflictdata.errors import UnknownVersionError
from conflictdata.tools import build_release


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")


def _schema_v2() -> dict:
    """Events schema with a new field and a new enum value."""
    s = copy.deepcopy(EVENTS_SCHEMA)
    et = next(f for f in s["fields"] if f["name"] == "event_type")
    et["constraints"]["enum"].append("cyberattack")
    et["enumDescriptions"]["cyberattack"] = "An attack on computers."
    s["fields"].append(
        {"name": "notes", "type": "string", "title": "Notes", "description": "Free text."}
    )
    return s


V2_EVENTS = [
    *with_changes(
        EVENTS,
        EV_0001={"fatalities": "4", "latitude": "35.69"},  # changed
        EV_0002={"record_status": "retracted"},  # removed, with a tombstone
    ),
    event("EV-0004", event_type="cyberattack", notes="new"),  # added, with the new enum value
]


@pytest.fixture
def two_releases(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build_release(
        write_events_package(tmp_path / "v1"), out, validate=HAVE_VALIDATE, progress=False
    )
    build_release(
        write_events_package(
            tmp_path / "v2", version="2.0.0", events=V2_EVENTS, events_schema=_schema_v2()
        ),
        out,
        validate=HAVE_VALIDATE,
        progress=False,
    )
    return out


def test_diff_of_known_changes(two_releases: Path) -> None:
    d = diff_releases(two_releases / "1.0.0", two_releases / "2.0.0")
    assert (d.old_version, d.new_version) == ("1.0.0", "2.0.0")
    sources, events = d.tables
    assert sources.status == "unchanged"
    assert events.added == ["EV-0004"]
    assert [(t.id, t.status) for t in events.tombstoned] == [("EV-0002", "retracted")]
    assert events.deleted == []
    assert [c.id for c in events.changed] == ["EV-0001"]
    assert events.changed[0].changes == (
        FieldChange("fatalities", 3, 4),
        FieldChange("latitude", 35.7, 35.69),
    )
    assert events.schema == [
        SchemaChange("field added", "notes", "string"),
        SchemaChange("enum value added", "event_type", "cyberattack"),
    ]
    assert not d.deleted and not d.is_empty


def test_changelog_written_by_the_build(two_releases: Path) -> None:
    md = (two_releases / "2.0.0" / "CHANGELOG.md").read_text()
    assert md.startswith("# conflictdata 2.0.0\n")
    assert "Changes since 1.0.0" in md
    assert "| table | rows | added | withdrawn | changed | schema changes |" in md
    assert "| events | 3 -> 4 | 1 | 1 | 1 | 2 |" in md  # 3 + 1 added = 4; withdrawn stay
    assert "| sources | 2 -> 2 | 0 | 0 | 0 | 0 |" in md
    assert "deleted" not in md.lower()  # the build refuses deletions: no column for them
    assert "- field added: `notes` (string)" in md
    assert "- enum value added in `event_type`: `cyberattack`" in md
    assert "### Added (1)\n\n- `EV-0004`\n" in md
    assert "- `EV-0002`: retracted" in md
    assert "  - `fatalities`: `3` -> `4`" in md
    assert "  - `latitude`: `35.7` -> `35.69`" in md
    # the diff command prints the same text
    assert diff_releases(two_releases / "1.0.0", two_releases / "2.0.0").to_markdown() == md


def test_cli_diff_by_version_and_by_folder(
    two_releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "1.0.0", "2.0.0", "--out", str(two_releases)]) == 0
    by_version = capsys.readouterr().out
    assert main(["diff", str(two_releases / "1.0.0"), str(two_releases / "2.0.0")]) == 0
    assert capsys.readouterr().out == by_version
    assert main(["diff", "1.0.0", "2.0.0", "--out", str(two_releases), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    events = next(t for t in doc["tables"] if t["table"] == "events")
    assert events["added"] == ["EV-0004"]
    assert events["changed"][0]["changes"][0] == {"field": "fatalities", "old": 3, "new": 4}
    assert main(["diff", "1.0.0", "9.9.9", "--out", str(two_releases)]) == 2
    err = capsys.readouterr().err
    assert "9.9.9" in err and "1.0.0, 2.0.0" in err


def test_unknown_version_names_what_exists(two_releases: Path) -> None:
    from conflictdata._release.layout import resolve_release

    with pytest.raises(UnknownVersionError, match=r"versions there: 1\.0\.0, 2\.0\.0"):
        resolve_release("9.9.9", two_releases)


def test_diff_reports_ids_deleted_without_tombstone(tmp_path: Path) -> None:
    # Built into separate folders (the build itself refuses this against a previous release).
    a = build_release(
        write_events_package(tmp_path / "v1"),
        tmp_path / "a",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    gone = [r for r in EVENTS if r["event_id"] != "EV-0003"]
    b = build_release(
        write_events_package(tmp_path / "v2", version="2.0.0", events=gone),
        tmp_path / "b",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    d = diff_releases(a.path, b.path)
    assert d.deleted == {"events": ["EV-0003"]}
    md = d.to_markdown()
    assert "Deleted without a tombstone (1)" in md
    assert "| events | 3 -> 2 | 0 | 0 | 1 | 0 | 0 |" in md  # 3 - 1 deleted = 2
    assert "| table | rows | added | withdrawn | deleted without tombstone | changed |" in md


def test_schema_retype_and_enum_value_removed(tmp_path: Path) -> None:
    s = copy.deepcopy(EVENTS_SCHEMA)
    st_field = next(f for f in s["fields"] if f["name"] == "event_type")
    st_field["constraints"]["enum"].remove("deployment")
    del st_field["enumDescriptions"]["deployment"]
    lat = next(f for f in s["fields"] if f["name"] == "fatalities")
    lat["type"] = "number"
    a = build_release(
        write_events_package(tmp_path / "v1"),
        tmp_path / "a",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    b = build_release(
        write_events_package(tmp_path / "v2", version="2.0.0", events_schema=s),
        tmp_path / "b",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    events = diff_releases(a.path, b.path).tables[1]
    assert SchemaChange("field retyped", "fatalities", "integer -> number") in events.schema
    assert SchemaChange("enum value removed", "event_type", "deployment") in events.schema
    assert events.changed == []  # 3 became 3.0: the same value in the new type


# ---------------------------------------------------------------- property test of the matcher

_SCHEMA = table_schema_from_dict(
    "t",
    "t.parquet",
    {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True}},
            {"name": "n", "type": "integer"},
            {"name": "s", "type": "string"},
        ],
        "primaryKey": ["id"],
    },
)
_value = st.one_of(st.none(), st.integers(-5, 5))
_text = st.one_of(st.none(), st.sampled_from(["a", "b", ""]))


def _table(rows: dict[str, tuple]) -> pa.Table:
    ids = sorted(rows)
    return pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "n": pa.array([rows[i][0] for i in ids], pa.int64()),
            "s": pa.array([rows[i][1] for i in ids], pa.string()),
        }
    )


@settings(max_examples=examples(60))
@given(
    old=st.dictionaries(
        st.sampled_from([f"X{i}" for i in range(12)]), st.tuples(_value, _text), max_size=12
    ),
    new=st.dictionaries(
        st.sampled_from([f"X{i}" for i in range(12)]), st.tuples(_value, _text), max_size=12
    ),
)
def test_matcher_agrees_with_a_plain_comparison(old: dict, new: dict) -> None:
    td = table_diff("t", _SCHEMA, _SCHEMA, _table(old), _table(new))
    assert td.added == sorted(set(new) - set(old))
    assert td.deleted == sorted(set(old) - set(new))
    expected = {}
    for k in sorted(set(old) & set(new)):
        ch = tuple(
            FieldChange(f, o, n)
            for f, o, n in zip(("n", "s"), old[k], new[k], strict=False)
            if o != n
        )
        if ch:
            expected[k] = ch
    assert {c.id: c.changes for c in td.changed} == expected


def test_table_added_and_removed(tmp_path: Path) -> None:
    def only_sources(desc: Path) -> Path:
        d = json.loads(desc.read_text())
        d["resources"] = [r for r in d["resources"] if r["name"] == "sources"]
        d["resources"][0]["schema"] = json.loads(
            (desc.parent / "schemas" / "sources.json").read_text()
        )
        desc.write_text(json.dumps(d))
        return desc

    small = build_release(
        only_sources(write_events_package(tmp_path / "v1")),
        tmp_path / "a",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    full = build_release(
        write_events_package(tmp_path / "v2", version="2.0.0"),
        tmp_path / "b",
        validate=HAVE_VALIDATE,
        progress=False,
    )
    grown = diff_releases(small.path, full.path)
    events = next(t for t in grown.tables if t.table == "events")
    assert events.status == "table added" and events.added == ["EV-0001", "EV-0002", "EV-0003"]
    shrunk = diff_releases(full.path, small.path)
    assert shrunk.deleted == {"events": ["EV-0001", "EV-0002", "EV-0003"]}
    assert "Table removed." in shrunk.to_markdown()


def test_diff_across_an_id_width_boundary(tmp_path: Path) -> None:
    """Releases hold IDs by number (EV-9999 before EV-10000), which is not text order; the
    diff still matches each row with its own old row."""
    import pyarrow.parquet as pq

    schema = copy.deepcopy(EVENTS_SCHEMA)
    next(f for f in schema["fields"] if f["name"] == "event_id")["constraints"]["pattern"] = (
        "^EV-[0-9]{4,}$"
    )
    v1 = with_changes(EVENTS, EV_0003={"event_id": "EV-9999"})
    v2 = [*with_changes(v1, EV_9999={"fatalities": "7"}), event("EV-10000"), event("EV-0999")]
    out = tmp_path / "out"
    build_release(
        write_events_package(tmp_path / "v1", events=v1, events_schema=schema),
        out,
        validate=HAVE_VALIDATE,
        progress=False,
    )
    build_release(
        write_events_package(tmp_path / "v2", version="2.0.0", events=v2, events_schema=schema),
        out,
        validate=HAVE_VALIDATE,
        progress=False,
    )
    ids = pq.read_table(out / "2.0.0" / "events.parquet").column("event_id").to_pylist()
    assert ids == ["EV-0001", "EV-0002", "EV-0999", "EV-9999", "EV-10000"]
    events = diff_releases(out / "1.0.0", out / "2.0.0").tables[1]
    assert sorted(events.added) == ["EV-0999", "EV-10000"] and events.deleted == []
    assert [(c.id, c.changes) for c in events.changed] == [
        ("EV-9999", (FieldChange("fatalities", None, 7),))
    ]


# ---------------------------------------------------------------- a changelog people can read


def _with_headline(schema: dict, name: str = "headline") -> dict:
    """The events schema with a required free-text field after event_type: the row's title,
    whatever it is called."""
    s = copy.deepcopy(schema)
    at = next(i for i, f in enumerate(s["fields"]) if f["name"] == "event_type") + 1
    s["fields"].insert(
        at,
        {
            "name": name,
            "type": "string",
            "title": "Headline",
            "description": "What happened, in a line.",
            "constraints": {"required": True},
        },
    )
    return s


HEADLINED = [{**r, "headline": f"Event {r['event_id'][-1]} (as first reported)"} for r in EVENTS]


def _two(tmp_path: Path, old_rows, new_rows, old_schema, new_schema) -> Path:
    out = tmp_path / "out"
    for version, rows, schema in (("1.0.0", old_rows, old_schema), ("2.0.0", new_rows, new_schema)):
        build_release(
            write_events_package(
                tmp_path / version, version=version, events=rows, events_schema=schema
            ),
            out,
            validate=HAVE_VALIDATE,
            progress=False,
        )
    return out


def test_rows_by_id_and_title_and_counts_that_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Retract a row, add one, retitle one: each is listed by ID and title (the schema's own
    title field, here 'headline'), the counts add up, and the feed counted by rows agrees."""
    from conflictdata._tools.diff import label_field

    schema = _with_headline(EVENTS_SCHEMA)
    new = [
        *with_changes(
            HEADLINED,
            EV_0001={"headline": "Event 1, retitled"},
            EV_0002={"record_status": "retracted"},
        ),
        event("EV-0004", headline="Event 4: new"),
    ]
    out = _two(tmp_path, HEADLINED, new, schema, schema)
    md = (out / "2.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "| events | 3 -> 4 | 1 | 1 | 1 | 0 |" in md
    assert "### Added (1)\n\n- `EV-0004` Event 4\\: new\n" in md
    assert "### Withdrawn (1)\n\n- `EV-0002` Event 2 \\(as first reported\\): retracted\n" in md
    assert (
        "### Changed (1)\n\n- `EV-0001` Event 1, retitled\n"
        '  - `headline`: `"Event 1 (as first reported)"` -> `"Event 1, retitled"`\n'
    ) in md
    assert main(["diff", "1.0.0", "2.0.0", "--releases", str(out)]) == 0
    assert capsys.readouterr().out == md  # the same text, the same numbers

    d = diff_releases(out / "1.0.0", out / "2.0.0")
    events = d.tables[1]
    assert events.label_field == "headline"
    assert events.titles == {
        "EV-0004": "Event 4: new",
        "EV-0001": "Event 1, retitled",
        "EV-0002": "Event 2 (as first reported)",
    }
    counts = events.counts()
    c = {k: v for k, v in counts.items() if v is not None}
    assert c.keys() == counts.keys()  # in both releases: every count is a number
    assert c["new_rows"] == c["old_rows"] + c["added"] - c["deleted"]
    # the feed, counted in rows: the documented one-liner and the row view agree with the changelog
    feed = d.changes().to_pandas()
    per_kind = feed.groupby(["table", "kind"])["key"].nunique().to_dict()
    assert per_kind == {
        ("events", "added"): 1,
        ("events", "field_changed"): 1,
        ("events", "retracted"): 1,
    }
    rows = d.rows().to_pylist()
    assert [(r["key"], r["kind"], r["title"]) for r in rows] == [
        ("EV-0001", "field_changed", "Event 1, retitled"),
        ("EV-0002", "retracted", "Event 2 (as first reported)"),
        ("EV-0004", "added", "Event 4: new"),
    ]
    assert [r["cells"] for r in rows] == [1, 1, 6]  # EV-0004: six filled cells
    assert sum(r["cells"] for r in rows) == len(feed)
    assert {f.name for f in d.rows().schema} >= {"table", "key", "kind", "title", "cells"}
    # the title field is derived from the schema, never assumed to be called "title"
    from conflictdata._tableschema.tables import table_schema_from_dict

    renamed = table_schema_from_dict("events", "e.csv", _with_headline(EVENTS_SCHEMA, "label"))
    assert label_field(renamed) == "label"
    assert label_field(table_schema_from_dict("events", "e.csv", EVENTS_SCHEMA)) is None


def test_an_added_field_counts_as_a_change_where_it_is_filled(tmp_path: Path) -> None:
    """A field the new schema adds, filled in an existing row, is that row's change in the
    changelog as it is in the feed (it was 'changed 0' while the feed listed it)."""
    new = with_changes(EVENTS, EV_0001={"notes": "added later"})
    out = _two(tmp_path, EVENTS, new, EVENTS_SCHEMA, _schema_v2())
    d = diff_releases(out / "1.0.0", out / "2.0.0")
    events = d.tables[1]
    assert [(c.id, c.changes) for c in events.changed] == [
        ("EV-0001", (FieldChange("notes", None, "added later"),))
    ]
    assert "| events | 3 -> 3 | 0 | 0 | 1 | 2 |" in d.to_markdown()
    feed = d.changes().to_pandas()
    assert feed.groupby("kind")["key"].nunique().to_dict() == {"field_changed": 1}


def test_feed_rows_have_one_kind_and_match_the_changelog(two_releases: Path) -> None:
    """Every changed row has exactly one kind in the feed, and the rows per kind are the
    changelog's counts (added, withdrawn = retracted + superseded, changed)."""
    d = diff_releases(two_releases / "1.0.0", two_releases / "2.0.0")
    feed = d.changes().to_pandas()
    assert (feed.groupby(["table", "key"])["kind"].nunique() == 1).all()
    rows = feed.groupby(["table", "kind"])["key"].nunique()
    for t in d.tables:
        c = t.counts()
        got = {k: int(rows.get((t.table, k), 0)) for k in CHANGE_KIND_NAMES}
        assert got["added"] == c["added"]
        assert got["retracted"] + got["superseded"] == c["withdrawn"]
        assert got["field_changed"] == c["changed"]
        assert got["removed"] == c["deleted"]


CHANGE_KIND_NAMES = ("added", "removed", "retracted", "superseded", "field_changed")

#: Strings from data that would act in Markdown, HTML, a terminal or a CI log if not escaped.
HOSTILE_TITLE = (
    "# heading\n[link](https://evil.example/) ![img](https://evil.example/x.png) "
    "<img src=x onerror=alert(1)> \x1b[31mred \u202eevil\n::error file=a.py::pwned"
)
HOSTILE_FIELD = "n`</code><img src=x>`ote"
HOSTILE_ENUM = "cyber\nattack\n# heading\n::warning::x"


def test_every_string_from_data_is_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Titles, enum values, field names and values from the data come out as text in
    CHANGELOG.md, `conflictdata diff` and its JSON: no heading, link, image or HTML when the
    Markdown is rendered, no control character or workflow command when it is printed."""
    markdown_it = pytest.importorskip("markdown_it")
    old_schema = _with_headline(EVENTS_SCHEMA)
    new_schema = _with_headline(EVENTS_SCHEMA)
    et = next(f for f in new_schema["fields"] if f["name"] == "event_type")
    et["constraints"]["enum"].append(HOSTILE_ENUM)
    et["enumDescriptions"][HOSTILE_ENUM] = "hostile"
    new_schema["fields"].append({"name": HOSTILE_FIELD, "type": "string"})
    new = [
        *with_changes(
            HEADLINED, EV_0001={"headline": HOSTILE_TITLE, HOSTILE_FIELD: "<b>x</b>\n::error::y"}
        ),
        event("EV-0004", headline=HOSTILE_TITLE, event_type=HOSTILE_ENUM),
    ]
    out = _two(tmp_path, HEADLINED, new, old_schema, new_schema)
    md = (out / "2.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")

    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    for live in ("<img", "<a ", "<b>", "<h1>heading", "<h2>heading", "<h1>"):
        assert live not in html.replace("<h1>conflictdata 2.0.0</h1>", ""), live
    assert html.count("<h2>") == 1  # "events" only
    assert "&lt;img src=x&gt;" in html  # the field name, shown as text
    for line in md.splitlines():
        assert not line.startswith(("::", "#  ", "# heading")), line
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", md)

    assert main(["diff", "1.0.0", "2.0.0", "--releases", str(out)]) == 0
    assert capsys.readouterr().out == md
    assert main(["diff", "1.0.0", "2.0.0", "--releases", str(out), "--format", "json"]) == 0
    text = capsys.readouterr().out
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    doc = json.loads(text)  # escaped, not changed
    events = next(t for t in doc["tables"] if t["table"] == "events")
    assert events["titles"]["EV-0001"] == HOSTILE_TITLE
    assert {"kind": "enum value added", "field": "event_type", "detail": HOSTILE_ENUM} in events[
        "schema"
    ]
