"""The README's analyst quickstart and recipes (`<!-- recipe: NAME -->` blocks), run as
written on the curated release, and checked against the tables read plainly."""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable
from typing import Any

import pandas as pd
import pytest
from support.paths import REPO

import conflictdata as cd

ROOT = REPO

#: These recipes read the curated release built once per session (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("curated_build")


def _recipes() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"<!-- recipe: (\w+) -->\n```python\n(.*?)```\n", text, flags=re.S))


def _run(name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a recipe that warns is not a recipe
        warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
        exec(
            compile("import conflictdata as cd\n" + _recipes()[name], f"README:{name}", "exec"),
            namespace,
        )
    return namespace


def _plain(table: str) -> list[dict[Hashable, Any]]:
    """A table's standing rows as plain records, read without joins."""
    df = cd.load(table)
    return df.astype(object).where(df.notna(), None).to_dict("records")


def test_every_recipe_is_run_here() -> None:
    assert set(_recipes()) == {"quickstart", "roles", "statements", "figures", "deployments"}


def test_quickstart() -> None:
    ns = _run("quickstart")
    version = cd.default_release().version
    assert ns["events"].attrs["conflictdata"]["version"] == version
    assert set(ns["tables"]) == set(cd.tables())
    assert cd.cite(ns["events"]).startswith("conflictdata contributors (")


def test_events_with_their_actors_and_roles() -> None:
    roles = _run("roles")["roles"]
    title = {e["event_id"]: e["title"] for e in _plain("events")}
    name = {a["actor_id"]: a["name"] for a in _plain("actors")}
    expected = [
        (title[r["event_id"]], name[r["actor_id"]], r["role"]) for r in _plain("event_actors")
    ]
    assert list(roles.itertuples(index=False, name=None)) == expected
    assert ("Israeli strike on Iranian nuclear facilities", "Israel", "initiator") in expected


def test_statements_with_their_speaker() -> None:
    said = _run("statements")["said"]
    name = {a["actor_id"]: a["name"] for a in _plain("actors")}
    expected = [
        (name[s["speaker_actor_id"]], s["speaker_title"], s["text"]) for s in _plain("statements")
    ]
    got = [tuple(None if pd.isna(v) else v for v in row) for row in said.itertuples(index=False)]
    assert got == expected
    trump = said[said["name"] == "Donald Trump"]
    assert len(trump) > 0 and set(trump["speaker_title"]) == {"President of the United States"}


def test_figures_as_ranges() -> None:
    figures = _run("figures")["figures"]
    rows = _plain("figures")
    assert len(figures) == len(rows)
    fewer = figures[figures["count_qualifier"] == "fewer_than"].iloc[0]
    assert pd.isna(fewer["count_low"]) and fewer["count_high"] == 100
    assert fewer["count_text"] == "fewer than 100 rockets were launched in total"
    assert fewer["title"] == "Iranian missile retaliation against Israel"
    several = figures[figures["count_qualifier"] == "several"].iloc[0]
    assert several[["count_low", "count_best", "count_high"]].isna().all()


def test_deployments_as_of_a_day() -> None:
    ns = _run("deployments")
    as_of = ns["as_of"].set_index("deployment_id")
    assert set(as_of.index) == {"dep-0001", "dep-0002"}  # April 2025, and June 13 on
    troops = as_of.loc["dep-0001"]
    assert (troops["name"], troops["count_best"], troops["count_qualifier"]) == (
        "U.S. military",
        40000,
        "approximately",
    )
    dep = ns["dep"]
    earlier = dep[(dep.date_start <= "2025-05-01") | (dep.date_end <= "2025-05-01")]
    assert earlier["deployment_id"].tolist() == ["dep-0001"]  # the June snapshot is later
