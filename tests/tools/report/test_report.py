"""The HTML report: deterministic, offline, escaped, derived from the schemas; aggregates at scale."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.regex import match_in
from support.report import (
    PAYLOAD,
    build_copy,
    curated_release,
    evolved_release,
    hostile_release,
)

import conflictdata as cd
from conflictdata._tools.report import frames as fr
from conflictdata.errors import ConflictDataError

SPECS = re.compile(r'<script type="application/json" id="cd-specs">(.*?)</script>', re.S)
SCRIPTS = re.compile(r"<script>(.*?)</script>", re.S)


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return curated_release(tmp_path_factory)


@pytest.fixture(scope="session")
def evolved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return evolved_release(tmp_path_factory)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_release(tmp_path_factory)


def _specs(page: str) -> dict:
    return json.loads(match_in(SPECS, page).group(1))


def _dataset(spec: dict, name: str) -> list[dict]:
    return next(d["values"] for d in spec["data"] if d.get("name") == name)


@pytest.fixture(scope="module")
def page(curated: Path) -> str:
    return cd.tools.render_report(curated)


@pytest.mark.processes
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
        shape = fr.figure_ranges(pd.DataFrame(row))["shape"][0]
        if not present:
            assert shape == "none", qualifier  # several, not_reported, ...: no bar
        elif present == {"count_high"}:
            assert shape == "open_below", qualifier
        elif present == {"count_low"}:
            assert shape == "open_above", qualifier
        else:
            assert shape in ("point", "range"), qualifier


def test_open_bounds_run_from_the_known_day_to_the_frame() -> None:
    """An open bound is marked at the known day's edge and drawn to the edge of the axis
    domain (the chart's frame), never to a made-up day; the domain is fitted to the known
    days with a small margin."""
    s = pd.Series(pd.array([None, pd.Timestamp("2025-06-01").date()], dtype="date32[pyarrow]"))
    e = pd.Series(pd.array([pd.Timestamp("2025-06-13").date(), None], dtype="date32[pyarrow]"))
    iv = fr.intervals(s, e)
    assert list(iv.kind) == [fr.KIND_OPEN_START, fr.KIND_OPEN_END]
    ms = lambda day: pd.Timestamp(day).value / 1e6  # noqa: E731
    assert iv.domain is not None  # both rows are dated
    lo, hi = iv.domain
    assert iv.x[0] == lo and iv.x2[0] == iv.bound[0] == ms("2025-06-14")  # end of June 13
    assert iv.x[1] == iv.bound[1] == ms("2025-06-01") and iv.x2[1] == hi
    span = ms("2025-06-14") - ms("2025-06-01")
    assert ms("2025-06-01") - lo == pytest.approx(0.06 * span)  # a margin, not whole empty days
    assert hi - ms("2025-06-14") == pytest.approx(0.06 * span)


def test_undated_rows_give_no_domain() -> None:
    empty = pd.Series(pd.array([None, None], dtype="date32[pyarrow]"))
    iv = fr.intervals(empty, empty)
    assert iv.domain is None and list(iv.kind) == [fr.KIND_UNKNOWN] * 2
    assert np.isnan(iv.x).all() and np.isnan(iv.bound).all()


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
    assert main(["report", "--releases", str(curated), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == page
    assert "wrote" in capsys.readouterr().out
    assert main(["report", "../evil", "--releases", str(curated), "--out", str(out)]) == 2


@pytest.mark.processes
def test_loader_does_not_import_the_report_libraries(curated: Path) -> None:
    code = (
        "import sys, conflictdata as cd; cd.load('events', source=sys.argv[1]);"
        "bad = [m for m in ('altair', 'vl_convert', 'conflictdata._tools.report') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(curated)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.processes
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


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release of a generated 600-event package (withdrawn rows, every precision and
    qualifier), built once per session for the report tests at size."""
    pytest.importorskip("altair")
    from bench import generate as gen
    from conflictdata.tools import build_release

    tmp = tmp_path_factory.mktemp("generated")
    gen.generate(tmp / "package", 600, seed=3)
    return Path(
        build_release(tmp / "package" / "datapackage.json", tmp / "releases", progress=False).path
    )


@pytest.mark.slow
def test_generated_package_within_budget(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated package renders within budget, aggregated above the row budget, each
    table's standing rows counted."""
    from conflictdata._tools.report import SIZE_BUDGET

    release = generated
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


# --------------------------------------------------------------------------- the page's CSP


def _csp(page: str) -> dict[str, list[str]]:
    content = match_in(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    out = {}
    for part in content.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_csp_runs_only_the_pages_own_scripts(page: str) -> None:
    """script-src names the page's two inline scripts by their SHA-256 and nothing else: no
    'unsafe-inline', no 'unsafe-eval', no host; everything else is 'none' or data:."""
    import base64

    policy = _csp(page)
    scripts = SCRIPTS.findall(page)
    assert len(scripts) == 2
    hashes = sorted(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    )
    assert sorted(policy["script-src"]) == hashes
    assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'none'"]
    assert "'unsafe-eval'" not in page.split("</head>")[0]
    assert not any("unsafe" in w for w in policy["script-src"])
    specs = _specs(page)
    assert specs and all(
        spec.get("$schema", "").endswith("vega/v6.json") for spec in specs.values()
    )


# --------------------------------------------------------------------------- verified files


def _release_copy(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copytree(src, dst)
    return dst


SECRET = "SECRET-7f3a-not-for-the-report"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.md"
    path.write_text(f"# {SECRET}\n", encoding="utf-8")
    return path


def test_a_symlinked_changelog_is_not_read(curated: Path, tmp_path: Path, secret: Path) -> None:
    rel = _release_copy(curated, tmp_path)
    (rel / "CHANGELOG.md").unlink()
    (rel / "CHANGELOG.md").symlink_to(secret)
    page = cd.tools.render_report(rel)
    assert SECRET not in page
    assert re.search(
        r'id="changelog-problem">CHANGELOG.md failed verification[^<]*symbolic link', page
    )


def test_a_changelog_that_differs_from_sha256sums_is_not_shown(
    curated: Path, tmp_path: Path
) -> None:
    rel = _release_copy(curated, tmp_path)
    with open(rel / "CHANGELOG.md", "a", encoding="utf-8") as f:
        f.write(f"\n{SECRET}\n")
    page = cd.tools.render_report(rel)
    assert SECRET not in page
    assert "CHANGELOG.md failed verification and is not shown: its sha256 is" in page


def test_without_sha256sums_the_changelog_is_not_read(curated: Path, tmp_path: Path) -> None:
    """A folder without SHA256SUMS (a release being built) shows no changelog unless the caller
    that wrote it passes its text (the build)."""
    rel = _release_copy(curated, tmp_path)
    (rel / "SHA256SUMS").unlink()
    with open(rel / "CHANGELOG.md", "a", encoding="utf-8") as f:
        f.write(f"\n{SECRET}\n")
    page = cd.tools.render_report(rel)
    assert SECRET not in page and "has no SHA256SUMS to verify it against" in page
    given = cd.tools.render_report(rel, changelog="# From the build\n\n- `evt-0001`\n")
    assert "<h3>From the build</h3>" in given and "<code>evt-0001</code>" in given


@pytest.mark.parametrize("how", ["tampered", "symlinked", "missing"])
def test_a_table_that_is_not_the_releases_is_refused(
    curated: Path, tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from conflictdata.cli import main

    rel = _release_copy(curated, tmp_path)
    target = rel / "events.parquet"
    if how == "tampered":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif how == "symlinked":
        moved = tmp_path / "elsewhere.parquet"
        target.rename(moved)
        target.symlink_to(moved)
    else:
        target.unlink()
    with pytest.raises(ConflictDataError) as info:
        cd.tools.render_report(rel)
    expected = {"tampered": "has sha256", "symlinked": "symbolic link", "missing": "is missing"}[
        how
    ]
    assert expected in str(info.value) and "\n" not in str(info.value)
    out = tmp_path / "r.html"
    assert main(["report", "--releases", str(rel), "--out", str(out)]) in (1, 2)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err
    assert not out.exists()


def test_a_descriptor_that_differs_from_sha256sums_is_refused(
    curated: Path, tmp_path: Path
) -> None:
    rel = _release_copy(curated, tmp_path)
    desc = rel / "datapackage.json"
    desc.write_text(
        desc.read_text(encoding="utf-8").replace('"title"', '"title" ', 1), encoding="utf-8"
    )
    with pytest.raises(ConflictDataError, match="SHA256SUMS says"):
        cd.tools.render_report(rel)
    desc.unlink()
    desc.symlink_to(curated / "datapackage.json")  # the right bytes, but through a symlink
    with pytest.raises(ConflictDataError, match="symbolic link"):
        cd.tools.render_report(rel)


def test_a_fifo_in_place_of_a_file_is_refused(curated: Path, tmp_path: Path) -> None:
    rel = _release_copy(curated, tmp_path)
    (rel / "CHANGELOG.md").unlink()
    os.mkfifo(rel / "CHANGELOG.md")
    page = cd.tools.render_report(rel)  # returns: the open does not wait for a writer
    assert (
        "CHANGELOG.md failed verification and is not shown" in page and "not a regular file" in page
    )


# --------------------------------------------------------------------------- escaping


def test_hostile_text_runs_nowhere_and_control_characters_show(hostile: Path) -> None:
    page = cd.tools.render_report(hostile)
    markup = SCRIPTS.sub("<script></script>", page)
    markup = re.sub(
        r'(<script type="application/json"[^>]*>).*?</script>', r"\1</script>", markup, flags=re.S
    )
    tags = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", markup.split("</nav>", 1)[1])
    assert {t for t, _ in tags} <= {
        "main",
        "section",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "div",
        "p",
        "span",
        "ul",
        "li",
        "em",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "wbr",
        "dl",
        "button",
        "footer",
        "script",
        "body",
        "html",
        "a" if False else "ul",
    }, {t for t, _ in tags}
    assert not any(re.search(r"\s(on\w+|href|src)\s*=", attrs) for _, attrs in tags)
    assert page.count("</script>") == 4  # the page's own four script elements only
    assert "\x1b" not in page and "\u202e" not in page
    assert "\\x1b[31mred\\u202eevil" in page  # the title, made visible
    assert "\\x1b[2J \\u202etxt" in page  # the changelog, made visible
    assert "&lt;b&gt;raw html&lt;/b&gt;" in page  # markdown's raw HTML is escaped
    assert "[a link](javascript:window.__pwned=3)" in page  # links are not links
    assert "Roles: " in page and html.escape(PAYLOAD, quote=True) in page  # an enum value
    values = _dataset(_specs(page)["timeline"], "events")
    label = next(v["label"] for v in values if v["id"] == "evt-0008")
    assert label == PAYLOAD + " \\x1b[31mred\\u202eevil"


def test_text_helpers() -> None:
    from conflictdata._tools.report.text import e, render_markdown, visible, wrap

    assert visible("a\nb\tc\x1b\u202e\u2028\ud800") == "a\\nb\\tc\\x1b\\u202e\\u2028\\ud800"
    assert visible("a\r\nb\x07", keep_lines=True) == "a\nb\\x07"
    assert e('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    md = render_markdown("# T\n\n- a `x`\n  - b\n\n| h |\n|---|\n| <i>c</i> |\n")
    assert "<h3>T</h3>" in md and re.search(r"<ul>\s*<li>b</li>\s*</ul>", md)
    assert "<code>x</code>" in md and "&lt;i&gt;c&lt;/i&gt;" in md
    lines = wrap("a " * 5 + "W" * 60, 200, 11)
    assert (
        all(len(line) < 60 for line in lines)
        and "".join(lines).replace(" ", "") == "a" * 5 + "W" * 60
    )
    assert not any(line.endswith("\u2026") for line in wrap("short title", 300, 11))
    from conflictdata._tools.report import charts

    longest = " ".join(["W" * 9] * 30)[:300]  # the schema's longest title, in wide letters
    lane = charts.Lane(id="evt-1000000", title=longest, key="x", kind=fr.KIND_UNKNOWN, depth=4)
    row = charts._layout([lane], unknown=True).rows[0]
    assert row["title_text"].replace("\n", " ") == longest  # wrapped whole, not cut


# --------------------------------------------------------------------------- what is drawn


def test_legends_list_only_what_is_drawn(page: str, curated: Path) -> None:
    deps = cd.load("deployments", source=curated)
    spec = _specs(page)["deployments"]
    colour = next(s for s in spec["scales"] if s["name"] == "color")
    assert colour["domain"] == [
        t
        for t in ("troops", "military_assets", "civilian_population")
        if t in set(deps["deployment_type"])
    ]
    assert "military_assets" not in colour["domain"]
    section = page[page.index('<section id="deployments">') :].split("</section>")[0]
    assert "military_assets" not in section.split("<table")[0]  # the keys above the chart
    timeline = _specs(page)["timeline"]
    drawn = {v["key"] for v in _dataset(timeline, "events")}
    assert set(next(s for s in timeline["scales"] if s["name"] == "color")["domain"]) == drawn


def test_the_timeline_axis_fits_the_data(curated: Path) -> None:
    """The x domain is the known days with a margin of 6 % of their span: no empty days."""
    events = cd.load("events", source=curated)
    chart = cd.timeline(source=curated).to_dict()
    scale = next(
        layer["encoding"]["x"]["scale"] for layer in chart["layer"] if layer.get("name") == "grid"
    )
    lo, hi = (float(v) for v in scale["domain"]["expr"].strip("[]").split(","))
    days = pd.concat([events["date_start"], events["date_end"]]).dropna()
    first = pd.Timestamp(min(days)).value / 1e6
    last = pd.Timestamp(max(days)).value / 1e6 + fr.DAY_MS
    assert lo == pytest.approx(first - 0.06 * (last - first))
    assert hi == pytest.approx(last + 0.06 * (last - first))


def test_timeline_of_nothing_or_only_undated_draws_no_axis(curated: Path) -> None:
    for filters in ({"event_type": "no_such_type"}, {"event_status": "derailed"}):
        spec = cd.timeline(source=curated, **filters).to_dict()
        names = {layer.get("name") for layer in spec["layer"]}
        assert "grid" not in names and "axis" not in names, filters  # no invented time axis
        assert not any(
            layer.get("encoding", {}).get("x", {}).get("type") == "temporal"
            for layer in spec["layer"]
        )
        rows = spec["datasets"]["events"]
        assert all(r["x"] is None for r in rows)
    assert (
        "(none match)"
        in cd.timeline(source=curated, event_type="no_such_type").to_dict()["title"]["text"]
    )
    undated = cd.timeline(source=curated, event_status="derailed").to_dict()
    assert [r["kind"] for r in undated["datasets"]["events"]] == [fr.KIND_UNKNOWN]


def test_timeline_is_fast_when_warm_and_valid(curated: Path) -> None:
    import time

    cd.timeline(source=curated)._repr_mimebundle_()  # warm: imports, the descriptor parsed
    times = []
    for _ in range(3):
        t = time.perf_counter()
        chart = cd.timeline(source=curated)
        chart._repr_mimebundle_()  # what a notebook does to show it
        times.append(time.perf_counter() - t)
    assert min(times) <= 0.5, times
    chart.to_dict(validate=True)  # a valid Vega-Lite spec, checked once here


# --------------------------------------------------------------------------- Arrow, not pandas


@pytest.mark.slow
def test_above_the_budget_only_the_summarised_columns_are_decoded(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No table is converted to pandas, and a table above the row budget has only its
    record_status and summary columns decoded (never the whole table)."""
    import pyarrow.pandas_compat
    import pyarrow.parquet as pq

    def refuse(*args, **kwargs):
        raise AssertionError("the report converted Arrow data to pandas")

    reads: list[tuple[int, list[str] | None]] = []
    original = pq.ParquetFile.read

    def read(self, columns=None, *args, **kwargs):
        reads.append((self.metadata.num_rows, columns))
        return original(self, columns, *args, **kwargs)

    monkeypatch.setattr(pyarrow.pandas_compat, "table_to_dataframe", refuse)  # Table.to_pandas
    monkeypatch.setattr(pq.ParquetFile, "read", read)
    page = cd.tools.render_report(generated, row_budget=100)
    assert 'id="aggregated"' in page
    big = [cols for rows, cols in reads if rows > 400]
    named = [cols for cols in big if cols is not None]
    assert big and named == big  # every big read names its columns
    assert all("title" not in cols and "source_excerpt" not in cols for cols in named)


@pytest.mark.slow
def test_two_renders_of_a_release_are_byte_identical(evolved: Path, generated: Path) -> None:
    for rel, budget in ((evolved, 1000), (generated, 100)):
        assert cd.tools.render_report(rel, row_budget=budget) == cd.tools.render_report(
            rel, row_budget=budget
        )


@pytest.mark.processes
def test_without_markdown_it_the_changelog_is_shown_as_text(evolved: Path) -> None:
    code = (
        "import sys; sys.modules['markdown_it'] = None; import conflictdata as cd\n"
        "print(cd.tools.render_report(sys.argv[1]))"
    )
    run = subprocess.run([sys.executable, "-c", code, str(evolved)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    section = run.stdout.split('<section id="changelog">')[1].split("</section>")[0]
    assert "pip install &#x27;conflictdata[report]&#x27;" in section
    assert "<pre>" in section and "- `evt-0003`" in section


@pytest.mark.slow  # vl-convert makes the bundle afresh: seconds
def test_the_vega_bundle_is_kept_in_the_user_cache_and_made_again_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conflictdata._tools.report import page
    from conflictdata._util.usercache import ENV_CACHE

    vlc = pytest.importorskip("vl_convert")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    made = vlc.javascript_bundle()
    assert page._cached_bundle(vlc) == made
    (cached,) = (tmp_path / "cache" / "report").iterdir()
    digest, _, body = cached.read_bytes().partition(b"\n")
    assert body == made.encode() and digest == hashlib.sha256(body).hexdigest().encode()

    # read back, not made: a bundle planted with its own digest is what is returned
    planted = b"/* planted */"
    cached.write_bytes(hashlib.sha256(planted).hexdigest().encode() + b"\n" + planted)
    assert page._cached_bundle(vlc) == "/* planted */"

    # cut short (the digest no longer matches): made again, and the file repaired
    cached.write_bytes(digest + b"\n" + body[:1000])
    assert page._cached_bundle(vlc) == made
    assert cached.read_bytes() == digest + b"\n" + body

    # a cache that cannot be written: made each time, no error
    monkeypatch.setenv(ENV_CACHE, str(cached))  # a file, not a folder
    assert page._cached_bundle(vlc) == made
