"""The analyst's first hour on the curated release: frames that say what they are and cite
their release, dates that pandas habits work with, standing rows by default, and rows beside
the rows their foreign keys point to."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from support.loader import fetch_one
from support.paths import REPO

import conflictdata as cd
from conflictdata._loader.cite import citation_bibtex, citation_text
from conflictdata._release.verify import forget_verified
from conflictdata.errors import ConflictDataError

ROOT = REPO

#: The curated rows the ``withdrawn`` release retires: an event retracted, a statement
#: superseded by a copy of itself (a correction that changes no fact).
RETRACTED_EVENT = "evt-0007"
SUPERSEDED_STATEMENT = "stm-0003"
REPLACEMENT = "stm-0011"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def curated(curated_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The curated release as the checkout's default (its build folder), nothing cached."""
    monkeypatch.setenv("CONFLICTDATA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CONFLICTDATA_RELEASES_URL", raising=False)
    forget_verified()
    version = cd.default_release().version
    assert version is not None  # the curated build is the checkout's release
    return curated_build / version


def _rewrite(path: Path, change: Any) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0])
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated package with one event retracted and one statement superseded, built
    (and validated) as `conflictdata build` does: a release folder."""
    from conflictdata.tools import build_release

    base = tmp_path_factory.mktemp("withdrawn")
    pkg = base / "pkg"
    pkg.mkdir()
    shutil.copy(ROOT / "datapackage.json", pkg)
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    shutil.copytree(ROOT / "seeds", pkg / "seeds")

    def retract(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for r in rows:
            if r["event_id"] == RETRACTED_EVENT:
                r["record_status"] = "retracted"
        return rows

    def supersede(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        old = next(r for r in rows if r["statement_id"] == SUPERSEDED_STATEMENT)
        rows.append({**old, "statement_id": REPLACEMENT})
        old["record_status"], old["superseded_by"] = "superseded", REPLACEMENT
        return rows

    _rewrite(pkg / "seeds" / "events.csv", retract)
    _rewrite(pkg / "seeds" / "statements.csv", supersede)
    result = build_release(pkg / "datapackage.json", base / "out", progress=False)
    assert result.report is None or result.report.valid
    return Path(result.path)


# ---------------------------------------------------------------------------------------
# 2. every frame says what it is


def test_every_loaded_frame_says_which_release_file_and_citation(curated: Path) -> None:
    descriptor_sha = _sha256(curated / "datapackage.json")
    citation = cd.cite()
    frames = cd.load_all()
    for name, df in frames.items():
        meta = df.attrs["conflictdata"]
        path = curated / f"{name}.parquet"
        assert meta == {
            "version": cd.default_release().version,
            "table": name,
            "sha256": _sha256(path),
            "descriptor_sha256": descriptor_sha,
            "source": "local",
            "release": str(curated),
            "path": str(path),
            "citation": citation,
            "tombstones": False,
            "dates": "datetime64",
        }
        arrow = cd.load_arrow(name)
        stored = json.loads(arrow.schema.metadata[b"conflictdata"])
        assert stored == {k: v for k, v in meta.items() if k != "dates"}
    # the attrs stay through the everyday operations on one frame
    events = frames["events"]
    assert events[events["event_type"] == "airstrike"].attrs == events.attrs
    assert events.head(2).copy().attrs == events.attrs


def test_cite_gives_the_release_citation_from_its_descriptor(curated: Path) -> None:
    desc = json.loads((curated / "datapackage.json").read_text(encoding="utf-8"))
    version, year = desc["version"], desc["created"][:4]
    text = cd.cite()
    assert text == (
        f"conflictdata contributors ({year}). {desc['title']}, version {version} [data set]. "
        f"CC-BY-4.0. {desc['homepage']}"
    )
    events = cd.load("events")
    assert cd.cite(events) == text == events.attrs["conflictdata"]["citation"]
    assert cd.cite(cd.load_arrow("events")) == text
    bib = cd.cite(events, format="bibtex")
    assert bib.startswith(f"@misc{{conflictdata_{version.replace('.', '_')},\n")
    assert "  author = {{conflictdata contributors}},\n" in bib
    assert f"  year = {{{year}}},\n" in bib and f"  version = {{{version}}},\n" in bib
    assert _sha256(curated / "datapackage.json") in bib
    assert "doi" not in (text + bib).lower()  # the descriptor names none: none is invented
    assert bib.count("{") == bib.count("}")
    with pytest.raises(ConflictDataError, match=r"format='apa'.*'text', 'bibtex'"):
        cd.cite(format="apa")


def test_cite_refuses_what_it_cannot_trace(curated: Path) -> None:
    with pytest.raises(ConflictDataError, match="carries no conflictdata metadata"):
        cd.cite(pd.DataFrame({"a": [1]}))
    events = cd.load("events")
    other = events.copy()
    other.attrs = {"conflictdata": {**events.attrs["conflictdata"], "release": "/nowhere"}}
    other.attrs["conflictdata"]["descriptor_sha256"] = "0" * 64
    with pytest.raises(ConflictDataError, match="not the one the frame came from"):
        cd.cite(other)


def test_a_citation_shows_only_what_a_hostile_descriptor_says() -> None:
    desc = {
        "name": "x",
        "version": "1.0.0",
        "title": "Line\none }\x1b[31m{\\evil} 50% & #1",
        "contributors": [
            {"title": "Ada {Lovelace}", "role": "author"},
            {"title": "Wrangler", "role": "wrangler"},
            {"title": "B\u202eC", "roles": ["author", "editor"]},
        ],
        "homepage": "javascript:alert(1)",
        "created": "soon",
    }
    text = citation_text(desc)
    assert "\n" not in text and "\x1b" not in text and "\u202e" not in text
    assert text.startswith("Ada {Lovelace} & B\\u202eC (n.d.). Line\\none }\\x1b[31m")
    assert "Wrangler" not in text and "javascript" not in text
    bib = citation_bibtex(desc)
    assert "author = {{Ada \\{Lovelace\\}} and {B\\textbackslash{}u202eC}}," in bib
    assert "50\\% \\& \\#1" in bib and "url" not in bib and "year" not in bib
    body = re.sub(r"\\[{}%&#$_]|\\textbackslash\{\}", "", bib)
    assert body.count("{") == body.count("}")  # every field closes where it should
    anonymous = citation_text({"name": "x", "version": "1.0.0", "title": "T"})
    assert anonymous == "T (n.d.), version 1.0.0 [data set]."  # no author is made up
    assert "author" not in citation_bibtex({"name": "x", "version": "1.0.0", "title": "T"})


# ---------------------------------------------------------------------------------------
# 3. dates: pandas habits with the default dtypes, calendar dates one keyword away


def test_pandas_habits_work_with_the_default_dates(curated: Path) -> None:
    ev = cd.load("events")
    assert str(ev["date_end"].dtype) == "datetime64[s]"
    dated = ev["date_end"].notna()
    june13 = ev[ev["date_end"] >= "2025-06-13"]
    assert june13["event_id"].tolist() == ev[dated]["event_id"].tolist()
    assert ev[ev["date_end"] >= pd.Timestamp("2025-06-13")].equals(june13)
    assert ev[ev["date_end"] >= dt.datetime(2025, 6, 13)].equals(june13)
    assert ev[ev["date_end"].between("2025-06-01", "2025-06-30")].equals(june13)
    per_day = ev.set_index("date_end").resample("D").size()
    assert per_day.sum() == dated.sum()
    dep = cd.load("deployments")  # April and June 2025: resampling fills the month between
    per_month = dep.resample("MS", on="date_start").size()
    assert per_month.to_dict() == {
        pd.Timestamp("2025-04-01"): 1,
        pd.Timestamp("2025-05-01"): 0,
        pd.Timestamp("2025-06-01"): 1,
    }
    weekly = ev.groupby(pd.Grouper(key="date_end", freq="W"))["event_id"].count()
    assert weekly.sum() == dated.sum()
    assert ev["date_end"].dt.year.dropna().unique().tolist() == [2025]


def test_a_date_column_plots_with_matplotlib(curated: Path, tmp_path: Path) -> None:
    mpl = pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    ev = cd.load("events").dropna(subset=["date_end"])
    fig, ax = plt.subplots()
    ax.scatter(ev["date_end"], ev["sequence_number"].fillna(0).astype(float))
    fig.savefig(tmp_path / "events.png")
    plt.close(fig)
    left, right = ax.get_xlim()
    days = mpl.dates.num2date(left).date(), mpl.dates.num2date(right).date()
    assert days[0] <= dt.date(2025, 6, 13) <= days[1]
    assert (tmp_path / "events.png").stat().st_size > 1000


def test_calendar_dates_are_one_keyword_away(curated: Path) -> None:
    stamps = cd.load("events")
    days = cd.load("events", dates="date32")
    assert str(days["date_end"].dtype) == "date32[day][pyarrow]"
    assert days["date_end"].isna().tolist() == stamps["date_end"].isna().tolist()
    known = stamps["date_end"].notna()
    assert (
        days["date_end"][known].tolist() == stamps["date_end"][known].dt.date.tolist()
    )  # the same calendar day
    assert (stamps["date_end"][known] == stamps["date_end"][known].dt.normalize()).all()
    assert days[days["date_end"] >= dt.date(2025, 6, 13)]["event_id"].tolist() == (
        stamps[known]["event_id"].tolist()
    )
    assert days.attrs["conflictdata"]["dates"] == "date32"
    for name, df in cd.load_all(dates="date32").items():
        assert not any(str(t) == "datetime64[s]" for t in df.dtypes), name
    with pytest.raises(ConflictDataError, match=r"dates='date'.*'datetime64', 'date32'"):
        cd.load("events", dates="date")


def test_a_month_and_an_open_bound_read_the_same_in_both_forms(curated: Path) -> None:
    """What the README says: a month spans date_start..date_end, whole days; on_or_before has
    only its end; in the datetime64 form each is midnight of that day."""
    dep = cd.load("deployments").set_index("deployment_id")
    month = dep.loc["dep-0001"]
    assert month["date_precision"] == "month"
    assert (month["date_start"], month["date_end"]) == (
        pd.Timestamp("2025-04-01"),
        pd.Timestamp("2025-04-30"),
    )
    ev = cd.load("events", dates="date32").set_index("event_id")
    before = ev.loc["evt-0001"]
    assert before["date_precision"] == "on_or_before" and pd.isna(before["date_start"])
    assert before["date_end"] == dt.date(2025, 6, 13)


def test_polars_arrow_and_duckdb_keep_calendar_dates(curated: Path) -> None:
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    assert cd.load_arrow("events").schema.field("date_end").type == pa.date32()
    assert cd.load_polars("events").schema["date_end"] == pl.Date
    con = cd.connect_duckdb(connection=duckdb.connect())
    kind = fetch_one(con, "SELECT typeof(date_end) FROM events LIMIT 1")[0]
    assert kind == "DATE"


def test_the_pandera_schemas_check_the_loaded_form(curated: Path) -> None:
    pytest.importorskip("pandera.pandas")
    from conflictdata._frames.pandera_schemas import validate_loaded
    from conflictdata._loader.releases import open_release

    events = cd.load("events", validate=True)
    cd.tools.pandera_schema("events").validate(events, lazy=True)
    cd.tools.pandera_schema("events").validate(cd.load("events", dates="date32"), lazy=True)
    zoned = events.assign(date_end=events["date_end"].dt.tz_localize("UTC"))
    with pytest.raises(cd.ValidationError, match=r"datetime64\[s\] or date32\[day\]"):
        validate_loaded(open_release().table("events"), zoned)
    timed = events.copy()
    timed.loc[0, "date_end"] = timed["date_end"].loc[0] + pd.Timedelta(hours=5)
    report = cd.tools.validate_frames({"events": timed})
    assert [(f.code, f.field) for f in report.findings] == [("E202", "date_end")]
    with pytest.raises(cd.ValidationError) as err:
        validate_loaded(open_release().table("events"), timed)
    assert isinstance(err.value.report, cd.tools.Report)
    assert [(f.code, f.field) for f in err.value.report.findings] == [("E202", "date_end")]


# ---------------------------------------------------------------------------------------
# 4. standing rows


def test_tombstones_are_left_out_unless_asked_for(withdrawn: Path) -> None:
    events = cd.load("events", source=withdrawn)
    every = cd.load("events", source=withdrawn, tombstones=True)
    assert RETRACTED_EVENT not in events["event_id"].tolist()
    assert RETRACTED_EVENT in every["event_id"].tolist() and len(every) == len(events) + 1
    assert set(events["record_status"]) == {"active"}
    # the declared categories stay either way
    for df in (events, every):
        assert list(df["record_status"].cat.categories) == ["active", "retracted", "superseded"]
    statements = cd.load("statements", source=withdrawn)
    assert SUPERSEDED_STATEMENT not in statements["statement_id"].tolist()
    assert REPLACEMENT in statements["statement_id"].tolist()
    kept = cd.load("statements", source=withdrawn, tombstones=True).set_index("statement_id")
    assert kept.loc[SUPERSEDED_STATEMENT, "superseded_by"] == REPLACEMENT
    assert events.attrs["conflictdata"]["tombstones"] is False
    assert every.attrs["conflictdata"]["tombstones"] is True
    # every loader agrees
    frames = cd.load_all(source=withdrawn)
    assert len(frames["events"]) == len(events)
    assert cd.load_arrow("events", source=withdrawn).num_rows == len(events)
    assert cd.load_arrow("events", source=withdrawn, tombstones=True).num_rows == len(every)
    pytest.importorskip("polars")
    assert cd.load_polars("events", source=withdrawn).height == len(events)
    duckdb = pytest.importorskip("duckdb")
    con = cd.connect_duckdb(source=withdrawn, connection=duckdb.connect())
    assert fetch_one(con, "SELECT count(*) FROM events")[0] == len(events)
    con = cd.connect_duckdb(source=withdrawn, connection=duckdb.connect(), tombstones=True)
    assert fetch_one(con, "SELECT count(*) FROM statements")[0] == len(kept)


def test_validation_reads_the_tombstones_too(withdrawn: Path) -> None:
    pytest.importorskip("pandera.pandas")
    from conflictdata._loader.releases import open_release

    frames = cd.load_all(source=withdrawn, validate=True)
    assert RETRACTED_EVENT not in frames["events"]["event_id"].tolist()
    # what the README says: links to a withdrawn row dangle among the standing rows only
    package = open_release(source=withdrawn).package
    assert cd.tools.validate_frames(
        cd.load_all(source=withdrawn, tombstones=True), package=package
    ).valid
    dangling = cd.tools.validate_frames(frames, package=package).findings
    assert dangling and {(f.code, f.field) for f in dangling} <= {
        ("E401", "event_id"),
        ("E401", "parent_event_id"),
        ("E401", "about_event_id"),
        ("E401", "in_response_to_event_id"),
    }


def test_a_row_linked_to_a_tombstone_stays_with_empty_cells(withdrawn: Path) -> None:
    links = cd.load("event_actors", source=withdrawn)
    roles = cd.load("event_actors", source=withdrawn, join=["event_id", "actor_id"])
    assert roles["event_actor_id"].tolist() == links["event_actor_id"].tolist()
    orphan = roles[roles["event_id"] == RETRACTED_EVENT]
    assert len(orphan) > 0 and orphan["title"].isna().all()
    assert orphan["name"].notna().all()


# ---------------------------------------------------------------------------------------
# 5. rows beside the rows their foreign keys point to


def test_events_with_their_actors_have_no_clashing_names(curated: Path) -> None:
    roles = cd.load("event_actors", join=["event_id", "actor_id"])
    links, events, actors = cd.load("event_actors"), cd.load("events"), cd.load("actors")
    assert len(roles) == len(links) and roles.columns.is_unique
    assert not any(c.endswith(("_x", "_y")) for c in roles.columns)
    for table in ("event_actors", "events", "actors"):  # provenance keeps its table's name
        for col in ("source_id", "source_excerpt", "notes", "record_status", "superseded_by"):
            assert f"{table}.{col}" in roles.columns
    assert "events.country_iso3" in roles.columns and "actors.country_iso3" in roles.columns
    by_event = events.set_index("event_id")
    by_actor = actors.set_index("actor_id")
    for _, row in roles.iterrows():
        assert row["title"] == by_event.loc[row["event_id"], "title"]
        assert row["name"] == by_actor.loc[row["actor_id"], "name"]
        assert row["events.source_excerpt"] == by_event.loc[row["event_id"], "source_excerpt"]
    assert isinstance(roles["role"].dtype, pd.CategoricalDtype)
    assert str(roles["date_end"].dtype) == "datetime64[s]"
    meta = roles.attrs["conflictdata"]
    assert meta["table"] == "event_actors" and set(meta["joined"]) == {"events", "actors"}
    assert cd.cite(roles) == cd.cite()


def test_two_links_into_one_table_are_named_by_their_role(curated: Path) -> None:
    said = cd.load("statements", join=["speaker_actor_id", "addressee_actor_id"])
    assert {"speaker.name", "addressee.name", "statements.source_id"} <= set(said.columns)
    assert "name" not in said.columns
    parents = cd.load("events", join="parent_event_id")
    assert {"events.title", "parent.title"} <= set(parents.columns)


def test_a_join_names_what_it_can_follow(curated: Path) -> None:
    with pytest.raises(ConflictDataError, match=r"join='title'.*event_id, actor_id"):
        cd.load("event_actors", join="title")
