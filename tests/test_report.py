"""The HTML report: deterministic, offline, escaped, derived from the schemas; aggregates at scale."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_support import ROOT, build_copy, curated  # noqa: F401  (fixture)

import conflictdata as cd
from conflictdata._tools.report import frames as fr
from conflictdata.errors import ConflictDataError

SPECS = re.compile(r'<script type="application/json" id="cd-specs">(.*?)</script>', re.S)


def _specs(page: str) -> dict:
    return json.loads(SPECS.search(page).group(1))


def _dataset(spec: dict, name: str) -> list[dict]:
    return next(d["values"] for d in spec["data"] if d.get("name") == name)


@pytest.fixture(scope="module")
def page(curated: Path) -> str:
    return cd.tools.render_report(curated)


def test_same_release_same_bytes(curated: Path, page: str) -> None:
    assert page == cd.tools.render_report(curated)
    assert not re.search(r"\b(view|param)_\d+\b", page)  # no Altair counter names
    code = (
        "import sys, hashlib, conflictdata as cd;"
        "print(hashlib.sha256(cd.tools.render_report(sys.argv[1]).encode()).hexdigest())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code, str(curated)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout.strip() == hashlib.sha256(page.encode()).hexdigest(), other.stderr


def test_page_fetches_nothing(page: str) -> None:
    assert 'http-equiv="Content-Security-Policy"' in page and "connect-src 'none'" in page
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)  # code aside
    assert not re.search(
        r"<(script|img|link|iframe|object|embed)[^>]*\s(src|href|data)=", markup, re.I
    )
    assert re.findall(r"<script[^>]*>", markup) == [
        '<script type="application/json" id="cd-specs">',
        '<script type="application/json" id="cd-rows">',
        "<script>",
        "<script>",
    ]
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?https?:", page)


def test_timeline_has_every_standing_event_once(curated: Path, page: str) -> None:
    events = cd.load("events", source=curated)
    values = _dataset(_specs(page)["timeline"], "events")
    assert sorted(v["id"] for v in values) == sorted(events["event_id"])
    undated = events[events["date_start"].isna() & events["date_end"].isna()]["event_id"]
    assert sorted(v["id"] for v in values if v["kind"] == fr.KIND_UNKNOWN) == sorted(undated)
    assert all(v["x"] is None for v in values if v["kind"] == fr.KIND_UNKNOWN)  # no made-up date
    by_id = {v["id"]: v for v in values}
    for row in events.itertuples():
        assert by_id[row.event_id]["excerpt"] == row.source_excerpt


def test_row_counts_match_the_loader(curated: Path, page: str) -> None:
    section = page[page.index('<section id="counts">') :]
    section = section[: section.index("</section>")]
    shown = {
        m[0]: int(m[1].replace(",", ""))
        for m in re.findall(
            r'<td><span class="id">([a-z_]+)</span></td><td>[^<]*</td><td class="n">([\d,]+)</td>',
            section,
        )
    }
    assert shown == {name: len(df) for name, df in cd.load_all(source=curated).items()}


def test_parts_follow_their_parent(curated: Path) -> None:
    events = cd.load("events", source=curated)
    iv = fr.intervals(events["date_start"], events["date_end"])
    order, depth = fr.event_lanes(events, iv.anchor)
    ids = [events["event_id"].iloc[k] for k in order]
    for row in events.dropna(subset=["parent_event_id"]).itertuples():
        assert ids.index(row.parent_event_id) < ids.index(row.event_id)
        assert depth[list(events["event_id"]).index(row.event_id)] >= 1


def test_interval_kinds_follow_the_schema_precision_rules(package) -> None:
    """Every date_precision case the schema declares is drawn by which dates it allows."""
    schema = package.table("events")
    rule = next(r for r in schema.row_rules if r.kind == "when" and r.field == "date_precision")
    day = pd.Series(
        pd.array(
            [pd.Timestamp("2025-06-13").date()], dtype=schema.field("date_start").pandas_dtype()
        )
    )
    empty = pd.Series(pd.array([None], dtype=schema.field("date_start").pandas_dtype()))
    assert {case.value for case in rule.cases} == set(schema.field("date_precision").enum)
    for case in rule.cases:
        precision = case.value
        start = empty if "date_start" in case.absent else day
        end = empty if "date_end" in case.absent else day
        kind = fr.intervals(start, end).kind[0]
        expected = {
            (True, True): fr.KIND_POINT,
            (False, True): fr.KIND_OPEN_START,
            (True, False): fr.KIND_OPEN_END,
            (False, False): fr.KIND_UNKNOWN,
        }
        assert kind == expected[(start is day, end is day)], precision


def test_figure_shapes_follow_the_schema_qualifier_rules(package) -> None:
    schema = package.table("figures")
    rule = next(r for r in schema.row_rules if r.kind == "when" and r.field == "count_qualifier")
    for case in rule.cases:
        qualifier = case.value
        present = set(case.present)
        row = {
            n: pd.array([5 if n in present else None], dtype="Int64")
            for n in ("count_low", "count_best", "count_high")
        }
        shape = fr.figure_ranges(pd.DataFrame(row))["shape"].iloc[0]
        if not present:
            assert shape == "none", qualifier  # several, not_reported, ...: no bar
        elif present == {"count_high"}:
            assert shape == "open_below", qualifier
        elif present == {"count_low"}:
            assert shape == "open_above", qualifier
        else:
            assert shape in ("point", "range"), qualifier


def test_open_bounds_are_bars_of_fixed_width_ending_at_the_known_day() -> None:
    s = pd.Series(pd.array([None, pd.Timestamp("2025-06-01").date()], dtype="date32[pyarrow]"))
    e = pd.Series(pd.array([pd.Timestamp("2025-06-13").date(), None], dtype="date32[pyarrow]"))
    iv = fr.intervals(s, e)
    assert list(iv.kind) == [fr.KIND_OPEN_START, fr.KIND_OPEN_END]
    end_of_13 = pd.Timestamp("2025-06-14").value / 1e6
    assert iv.x2[0] == end_of_13 and iv.anchor[0] == end_of_13
    assert iv.x[1] == pd.Timestamp("2025-06-01").value / 1e6
    assert np.isclose(iv.x2[0] - iv.x[0], iv.fade_ms) and np.isclose(iv.x2[1] - iv.x[1], iv.fade_ms)


def test_above_the_row_budget_the_page_aggregates_and_says_so(curated: Path) -> None:
    events = cd.load("events", source=curated)
    page = cd.tools.render_report(curated, row_budget=3)
    assert 'id="aggregated"' in page and "exceed the row budget of 3" in page
    counts = _dataset(_specs(page)["timeline"], "event_counts")
    dated = int((events["date_start"].notna() | events["date_end"].notna()).sum())
    assert sum(v["count"] for v in counts) == dated
    assert "counts by each field with declared values" in page  # tables summarised too


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    pytest.importorskip("altair")
    evil = "</script><img src=x onerror=alert(1)>&amp;"

    def edit(pkg: Path) -> None:
        p = pkg / "seeds" / "events.csv"
        text = p.read_text(encoding="utf-8")
        p.write_text(
            text.replace("Israeli strike on Iranian nuclear facilities", evil.replace('"', ""), 1),
            encoding="utf-8",
        )

    page = cd.tools.render_report(build_copy(tmp_path, edit))
    assert "<img src=x" not in page
    assert page.count("</script>") == 4  # the page's own four script elements only
    values = _dataset(_specs(page)["timeline"], "events")
    assert any(v["label"] == evil for v in values)  # kept, not mangled


def test_timeline_filters(curated: Path) -> None:
    chart = cd.timeline(source=curated, event_type="airstrike")
    found = chart.to_dict()["datasets"]["events"]
    events = cd.load("events", source=curated)
    assert sorted({r["id"] for r in found}) == sorted(
        events.loc[events["event_type"] == "airstrike", "event_id"]
    )
    with pytest.raises(ConflictDataError, match="not a field of events"):
        cd.timeline(source=curated, colour="red")


def test_cli_report_writes_the_same_bytes(curated: Path, page: str, tmp_path: Path, capsys) -> None:
    from conflictdata.cli import main

    out = tmp_path / "r.html"
    assert main(["report", "--source", str(curated), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == page
    assert "wrote" in capsys.readouterr().out
    assert main(["report", "../evil", "--source", str(curated), "--out", str(out)]) == 2


def test_loader_does_not_import_the_report_libraries(curated: Path) -> None:
    code = (
        "import sys, conflictdata as cd; cd.load('events', source=sys.argv[1]);"
        "bad = [m for m in ('altair', 'vl_convert', 'conflictdata._tools.report') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(curated)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_missing_altair_is_a_clear_error(curated: Path) -> None:
    code = (
        "import sys; sys.modules['altair'] = None; import conflictdata as cd\n"
        "try:\n    cd.timeline(source=sys.argv[1])\n"
        "except cd.MissingDependencyError as exc:\n    print(exc); sys.exit(0)\n"
        "sys.exit(1)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(curated)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "pip install 'conflictdata[report]'" in run.stdout


def test_generated_package_within_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated package (withdrawn rows, every precision and qualifier) renders within budget,
    aggregated above the row budget, each table's standing rows counted."""
    import importlib.util

    pytest.importorskip("altair")
    from conflictdata._tools.build import build_release
    from conflictdata._tools.report import SIZE_BUDGET

    gen = sys.modules.get("bench_generate")
    if gen is None:
        spec = importlib.util.spec_from_file_location(
            "bench_generate", ROOT / "bench" / "generate.py"
        )
        gen = importlib.util.module_from_spec(spec)
        sys.modules["bench_generate"] = gen  # its dataclasses look their module up
        spec.loader.exec_module(gen)
    gen.generate(tmp_path / "package", 600, seed=3)
    release = Path(
        build_release(
            tmp_path / "package" / "datapackage.json", tmp_path / "releases", progress=False
        ).path
    )
    page = cd.tools.render_report(release, row_budget=200)
    assert len(page.encode("utf-8")) <= SIZE_BUDGET
    events = cd.load("events", source=release)
    standing = events[events["record_status"] == "active"]
    counts = _dataset(_specs(page)["timeline"], "event_counts")
    dated = int((standing["date_start"].notna() | standing["date_end"].notna()).sum())
    assert sum(v["count"] for v in counts) == dated
    assert f"{len(standing):,} events exceed the row budget of 200" in page
    full = cd.tools.render_report(release, row_budget=5000)  # the same rows drawn one by one
    values = _dataset(_specs(full)["timeline"], "events")
    assert sorted(v["id"] for v in values) == sorted(standing["event_id"])
    import conflictdata._tools.report as reporting

    small = len(full.encode("utf-8")) * 3 // 4
    monkeypatch.setattr(reporting, "SIZE_BUDGET", small)
    fitted = cd.tools.render_report(release, row_budget=5000)
    assert len(fitted.encode("utf-8")) <= small
    assert "The row budget was lowered from 5,000 to" in fitted
