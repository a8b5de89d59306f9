"""The CSV validator, validate_frames and the pandera schemas agree: the curated tables pass
all three, and a defect of each kind the schemas express, planted in them, is flagged at the
same rows with the same codes (and, where both word it the same way, the same message)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.paths import REPO
from support.profiles import examples

from conflictdata._frames.pandera_schemas import report_from_schema_errors, schema_for
from conflictdata._frames.validate import conform
from conflictdata.tools import read_package, validate, validate_frames

#: These tests load the curated release, built once per session (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("curated_build")

pdx = pytest.importorskip("pandera.pandas")

ROOT = REPO
PKG = read_package(ROOT / "datapackage.json")
#: messages that name a file line (CSV) or a row position / table (frames) differ by design
_WORDED_APART = {"E210", "E211", "E401"}


def _read_seeds() -> dict[str, pd.DataFrame]:
    out = {}
    for name, t in PKG.tables.items():
        out[name] = pd.read_csv(ROOT / t.path, dtype=str, keep_default_na=False)
    return out


SEEDS = _read_seeds()


def _write_package(frames: dict[str, pd.DataFrame], folder: Path) -> Path:
    shutil.copy(ROOT / "datapackage.json", folder / "datapackage.json")
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    (folder / "seeds").mkdir()
    for name, df in frames.items():
        with open(folder / PKG.tables[name].path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(df.columns)
            w.writerows(df.itertuples(index=False, name=None))
    return folder / "datapackage.json"


def _errors(report) -> set[tuple]:
    return {(f.table, f.key, f.code, f.field) for f in report.findings if f.severity == "error"}


def _messages(report) -> set[tuple]:
    return {
        (f.table, f.key, f.code, f.field, f.value or None, f.message)
        for f in report.findings
        if f.severity == "error" and f.code not in _WORDED_APART
    }


def _pandera_errors(frames: dict[str, pd.DataFrame], skip: set[str | None]) -> set[tuple]:
    """Findings of each table's pandera schema on its typed frame (tables in ``skip`` not)."""
    found = set()
    for name, df in frames.items():
        if name in skip:
            continue
        table = PKG.tables[name]
        typed, _, _ = conform(table, df)
        for f in table.fields:
            if f.enum is not None:
                col = typed[f.name]
                typed[f.name] = col.mask(col.eq("").fillna(False)).astype(f.pandas_dtype())
        try:
            schema_for(table, PKG.policy).validate(typed, lazy=True)
        except pdx.errors.SchemaErrors as err:
            found |= _errors(report_from_schema_errors(table, typed, err))
    return found


def _local(errors: set[tuple]) -> set[tuple]:
    """Errors a table's own pandera schema can see: not keys into other tables."""
    out = set()
    for t, k, code, fld in errors:
        if code == "E401":
            fk = next(x for x in PKG.tables[t].foreign_keys if x.fields[0] == fld)
            if not fk.is_self_reference(t):
                continue
        out.add((t, k, code, fld))
    return out


def _agree(frames: dict[str, pd.DataFrame]) -> set[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        csv_report = validate(_write_package(frames, Path(tmp)))
    frame_report = validate_frames(frames, package=PKG)
    assert _errors(frame_report) == _errors(csv_report)
    assert _messages(frame_report) == _messages(csv_report)
    # pandera sees typed frames: a cell that is not a value of its type cannot be in one
    untyped = {f.table for f in frame_report.findings if f.code in ("E202", "E203", "E204")}
    expected = {e for e in _local(_errors(csv_report)) if e[0] not in untyped}
    assert _pandera_errors(frames, untyped) == expected
    return _errors(csv_report)


@pytest.mark.differential
def test_curated_tables_pass_all_three():
    assert _agree(SEEDS) == set()


def test_loaded_frames_pass_validate_frames_and_pandera(package):
    import conflictdata as cd

    frames = cd.load_all()
    assert validate_frames(frames).valid
    for name, df in frames.items():
        schema_for(package.tables[name]).validate(df, lazy=True)


# -- planted defects -------------------------------------------------------------------------


def _rows_where(df: pd.DataFrame, **cond: str | bool) -> list[int]:
    m = pd.Series(True, index=df.index)
    for k, v in cond.items():
        m &= df[k].ne("") if v is True else df[k].eq(v)
    return list(df.index[m])


def _day(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def _plant(kind: str, f: dict[str, pd.DataFrame], pick) -> tuple[str, str]:
    """Change the frames in place; the (table, code) the defect must at least raise."""
    ev, act = f["events"], f["actors"]
    if kind == "enum":
        i = pick(list(ev.index))
        ev.loc[i, "geo_precision"] = "Country"
        return "events", "E204"
    if kind == "pattern":
        i = pick(list(act.index))
        act.loc[i, "wikidata_qid"] = "Q0123"
        return "actors", "E205"
    if kind == "duplicate_key":
        i = pick(list(ev.index[1:]))
        ev.loc[i, "event_id"] = ev["event_id"].loc[0]
        return "events", "E211"
    if kind == "end_before_start":
        i = pick(_rows_where(ev, date_start=True, date_end=True))
        ev.loc[i, "date_end"] = _day(ev.loc[i, "date_start"], -3)
        return "events", "E301"
    if kind == "best_above_high":
        fig = f["figures"]
        i = pick(list(fig.index))
        fig.loc[i, ["count_low", "count_best", "count_high", "count_qualifier"]] = [
            "",
            "12",
            "7",
            "approximately",
        ]
        return "figures", "E301"
    if kind == "dangling_parent":
        i = pick(list(act.index))
        act.loc[i, "parent_actor_id"] = "act-9999"
        return "actors", "E401"
    if kind == "dangling_cross_table":
        ea = f["event_actors"]
        i = pick(list(ea.index))
        ea.loc[i, "event_id"] = "evt-9999"
        return "event_actors", "E401"
    if kind == "one_coordinate":
        i = pick(list(ev.index))
        ev.loc[i, ["latitude", "longitude", "geo_precision"]] = ["35.5", "", "point"]
        return "events", "E302"
    if kind == "when_absent":
        i = pick(list(ev.index))
        other = ev.loc[(i + 1) % len(ev), "event_id"]
        ev.loc[i, ["record_status", "superseded_by"]] = ["active", other]
        return "events", "E304"
    if kind == "when_present":
        i = pick(list(ev.index))
        ev.loc[i, ["record_status", "superseded_by"]] = ["superseded", ""]
        return "events", "E303"
    if kind == "date_span":
        i = pick(list(ev.index))
        ev.loc[i, ["date_start", "date_end", "date_precision"]] = [
            "2025-06-13",
            "2025-06-20",
            "day",
        ]
        return "events", "E305"
    if kind == "not_before":
        i = pick(_rows_where(ev, date_start=True))
        j = pick([k for k in ev.index if k != i])
        ev.loc[j, ["in_response_to_event_id", "date_start", "date_end", "date_precision"]] = [
            ev.loc[i, "event_id"],
            _day(ev.loc[i, "date_start"], -40),
            _day(ev.loc[i, "date_start"], -40),
            "day",
        ]
        return "events", "E403"
    if kind == "cycle":
        i = pick(list(act.index))
        j = pick([k for k in act.index if k != i])
        act.loc[i, "parent_actor_id"] = act.loc[j, "actor_id"]
        act.loc[j, "parent_actor_id"] = act.loc[i, "actor_id"]
        return "actors", "E402"
    if kind == "required_empty":
        i = pick(list(ev.index))
        ev.loc[i, "title"] = ""
        return "events", "E201"
    if kind == "wrong_type":
        fig = f["figures"]
        i = pick(list(fig.index))
        fig.loc[i, "count_best"] = "twelve"
        return "figures", "E202"
    if kind == "impossible_date":
        i = pick(list(ev.index))
        ev.loc[i, ["date_start", "date_end", "date_precision"]] = [
            "2025-02-30",
            "2025-03-02",
            "range",
        ]
        return "events", "E203"
    if kind == "above_maximum":
        i = pick(list(ev.index))
        ev.loc[i, ["latitude", "longitude", "geo_precision"]] = ["95", "10", "point"]
        return "events", "E207"
    if kind == "too_short":
        i = pick(list(ev.index))
        ev.loc[i, "title"] = "ab"
        return "events", "E208"
    raise AssertionError(kind)


KINDS = [
    "enum",
    "pattern",
    "duplicate_key",
    "end_before_start",
    "best_above_high",
    "dangling_parent",
    "dangling_cross_table",
    "one_coordinate",
    "when_absent",
    "when_present",
    "date_span",
    "not_before",
    "cycle",
    "required_empty",
    "wrong_type",
    "impossible_date",
    "above_maximum",
    "too_short",
]


@pytest.mark.differential
@pytest.mark.parametrize("kind", KINDS)
def test_each_planted_defect_is_flagged_alike(kind):
    frames = copy.deepcopy(SEEDS)
    table, code = _plant(kind, frames, lambda xs: xs[0])
    errors = _agree(frames)
    assert any(t == table and c == code for t, _, c, _ in errors), errors


@pytest.mark.differential
@settings(max_examples=examples(12), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_defects_are_flagged_alike(data):
    frames = copy.deepcopy(SEEDS)
    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3))
    used: set[int] = set()

    def pick(rows: list[int]) -> int:
        """A row no earlier defect touched: defects on one row can hide each other (an
        impossible start date leaves nothing for notBefore to compare). Kinds that need
        the same few rows (two events have both dates) may leave none: not a case."""
        free = [r for r in rows if r not in used]
        assume(free)
        row = data.draw(st.sampled_from(free))
        used.add(row)
        return row

    planted = [_plant(k, frames, pick) for k in kinds]
    errors = _agree(frames)
    for table, code in planted:
        if code == "E211":
            continue  # a later defect may have moved the duplicated ID
        assert any(t == table and c == code for t, _, c, _ in errors), (kinds, errors)


# -- a generated package ---------------------------------------------------------------------


def _generated_frames(folder: Path, events: int) -> tuple[Path, dict[str, pd.DataFrame]]:
    from bench import generate as gen

    gen.generate(folder, events)
    desc = folder / "datapackage.json"
    pkg = read_package(desc)
    return desc, {
        name: pd.read_csv(folder / t.path, dtype=str, keep_default_na=False)
        for name, t in pkg.tables.items()
    }


#: 100,000 events with CONFLICTDATA_BIG_TESTS=1 (a minute or two), else a quick 2,000
_EVENTS = 100_000 if __import__("os").environ.get("CONFLICTDATA_BIG_TESTS") else 2_000


@pytest.mark.differential
def test_generated_package_passes_all_three(tmp_path):
    desc, frames = _generated_frames(tmp_path / "pkg", _EVENTS)
    assert len(frames["events"]) == _EVENTS
    assert validate(desc).errors == 0
    assert validate_frames(frames, package=desc).errors == 0
    assert _pandera_errors(frames, set()) == set()
