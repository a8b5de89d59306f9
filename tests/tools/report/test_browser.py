"""The curated release's report in headless Chromium, offline from file://, as a reader uses it."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from support.browser import Browser, why_no_browser
from support.report import ROOT, curated_release, evolved_release, hostile_release

import conflictdata as cd

REASON = why_no_browser()
if REASON:
    print(REASON)
pytestmark = [pytest.mark.browser, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return curated_release(tmp_path_factory)


@pytest.fixture(scope="session")
def evolved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return evolved_release(tmp_path_factory)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_release(tmp_path_factory)


#: Every drawn event mark of the timeline, with its centre in page (CSS pixel) coordinates.
MARKS_JS = r"""
(() => {
  const out = [];
  document.querySelectorAll('#chart-timeline g.role-mark').forEach(g => {
    const name = (g.getAttribute('class') || '').split(/\s+/).find(c => /^ev_/.test(c)) || '';
    if (!/^ev_(span|open_start|open_end|point|unknown)/.test(name)) return;
    [...g.children].forEach(el => {
      const item = el.__data__, r = el.getBoundingClientRect();
      out.push({id: item && item.datum ? item.datum.id : null, mark: name,
                x: r.left + r.width / 2, y: r.top + r.height / 2});
    });
  });
  return JSON.stringify(out);
})()
"""


@pytest.fixture(scope="module")
def page(curated: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    out.write_text(cd.tools.render_report(curated), encoding="utf-8")
    with Browser(width=1280, height=1000) as browser:
        browser.goto(out.as_uri())
        browser.wait_for(
            "window.conflictdata && window.conflictdata.ready + window.conflictdata.failed"
            " >= window.conflictdata.total"
        )
        browser.eval("document.getElementById('chart-timeline').scrollIntoView()")
        yield browser, out


def test_no_error_and_no_request_leaves_the_file(page) -> None:
    browser, out = page
    browser.pump(0.3)
    assert browser.eval("window.conflictdata.failed") == 0
    assert browser.errors() == []
    assert set(browser.requests()) == {out.as_uri()}


def test_one_mark_per_event_and_unknown_apart(page, curated: Path) -> None:
    browser, _ = page
    events = cd.load("events", source=curated)
    marks = json.loads(browser.eval(MARKS_JS))
    assert Counter(m["id"] for m in marks) == Counter(events["event_id"].tolist())  # one each
    undated = sorted(
        events.loc[events["date_start"].isna() & events["date_end"].isna(), "event_id"]
    )
    assert sorted(m["id"] for m in marks if m["mark"].startswith("ev_unknown")) == undated
    listed = browser.eval(
        "[...document.querySelectorAll('#undated [data-id]')].map(e => e.dataset.id).join(' ')"
    )
    assert sorted(listed.split()) == undated


def _curated_event_ids() -> list[str]:
    with open(ROOT / "seeds" / "events.csv", encoding="utf-8", newline="") as f:
        return [row["event_id"] for row in csv.DictReader(f)]


@pytest.mark.parametrize("event_id", _curated_event_ids())
def test_hover_and_click_show_the_excerpt(page, curated: Path, event_id: str) -> None:
    browser, _ = page
    events = cd.load("events", source=curated).set_index("event_id")
    excerpt = events.loc[event_id, "source_excerpt"]
    mark = next(m for m in json.loads(browser.eval(MARKS_JS)) if m["id"] == event_id)
    browser.mouse("mouseMoved", mark["x"] - 200, mark["y"] - 200)
    browser.mouse("mouseMoved", mark["x"], mark["y"])
    tip = browser.wait_for(
        "!document.getElementById('cd-tip').hidden && document.getElementById('cd-tip').textContent",
        5,
    )
    assert event_id in tip and excerpt in tip
    browser.mouse("mousePressed", mark["x"], mark["y"])
    browser.mouse("mouseReleased", mark["x"], mark["y"])
    detail = browser.wait_for(
        "!document.getElementById('cd-detail').hidden && "
        f"document.getElementById('cd-detail').dataset.id === {json.dumps(event_id)} && "
        "document.getElementById('cd-detail').textContent",
        5,
    )
    assert excerpt in detail
    browser.mouse("mouseMoved", 2, 2)
    browser.eval("document.getElementById('cd-detail').hidden = true")


def test_screenshot_of_the_timeline(page) -> None:
    browser, _ = page
    browser.eval("document.getElementById('cd-detail').hidden = true")
    top = browser.eval(
        "document.getElementById('timeline').getBoundingClientRect().top + window.scrollY"
    )
    height = (
        browser.eval(
            "document.getElementById('undated').getBoundingClientRect().bottom + window.scrollY"
        )
        - top
    )
    shots = ROOT / "build" / "report-test"
    shots.mkdir(parents=True, exist_ok=True)
    path = browser.screenshot(
        shots / "timeline.png", {"x": 0, "y": top, "width": 1280, "height": height + 8}
    )
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")


# --------------------------------------------------------------------------- layout at any width

#: Per chart on the page: its plot, the labels' column, every mark, text and axis label, each
#: as a rectangle in page (CSS pixel) coordinates, with the row ID and layer it belongs to.
GEOMETRY_JS = r"""
(() => {
  const api = window.conflictdata, out = {};
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                     cx: (r.left + r.right) / 2, cy: (r.top + r.bottom) / 2});
  Object.keys(api.views).forEach(name => {
    const {view, el} = api.views[name];
    const svg = el.querySelector('svg'), s = svg.getBoundingClientRect(), o = view.origin();
    const pad = view.padding();
    const plot = {left: s.left + pad.left + o[0], top: s.top + pad.top + o[1]};
    plot.right = plot.left + view.width(); plot.bottom = plot.top + view.height();
    const marks = [];
    el.querySelectorAll('g.role-mark').forEach(g => {
      const layer = [...g.classList].find(c => c.endsWith('_marks')) || '';
      [...g.children].forEach(c => {
        const item = c.__data__, d = item && item.datum;
        marks.push({layer: layer.replace(/_marks$/, ''), id: d && d.id !== undefined ? String(d.id) : null,
                    text: c.tagName === 'text' ? c.textContent : null, ...box(c.getBoundingClientRect())});
      });
    });
    // the x axis: labels below the plot, vertical grid lines (a y axis has neither)
    const axis = [...el.querySelectorAll('g.role-axis-label text')]
      .map(t => ({text: t.textContent, ...box(t.getBoundingClientRect())}))
      .filter(a => a.top >= plot.bottom - 1);
    const grid = [...el.querySelectorAll('g.role-axis-grid line')]
      .map(l => box(l.getBoundingClientRect())).filter(b => b.right - b.left < 1).map(b => b.cx);
    out[name] = {plot, svg: box(s), frame: box(el.getBoundingClientRect()), marks, axis, grid,
                 scroll: el.scrollWidth - el.clientWidth};
  });
  return JSON.stringify({charts: out, page: document.documentElement.scrollWidth - document.documentElement.clientWidth});
})()
"""

PLOT_LAYERS = re.compile(
    r"_(span|point|best|ray|ray_head_start|ray_head_end|open_start|open_end|open_below|open_above|"
    r"link_out|link_across|link_in|link_head)$|^ev_agg$"
)
LABEL_LAYERS = re.compile(r"_label(_id|_sub)?$")
WIDTHS = (900, 1200, 1400, 1600)
EPS = 1.5


def _open(path: Path, width: int) -> Browser:
    browser = Browser(width=width, height=1000)
    browser.goto(path.as_uri())
    browser.wait_for(
        "window.conflictdata && window.conflictdata.ready + window.conflictdata.failed"
        " >= window.conflictdata.total"
    )
    return browser


@pytest.fixture(scope="module")
def evolved_page(evolved: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evolved-report") / "report.html"
    out.write_text(cd.tools.render_report(evolved), encoding="utf-8")
    return out


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def at_width(request: pytest.FixtureRequest, evolved_page: Path):
    width = request.param
    with _open(evolved_page, width) as browser:
        assert browser.eval("window.conflictdata.failed") == 0
        geometry = json.loads(browser.eval(GEOMETRY_JS))
        shots = ROOT / "build" / "report-test"
        shots.mkdir(parents=True, exist_ok=True)
        top = browser.eval(
            "document.getElementById('timeline').getBoundingClientRect().top + window.scrollY"
        )
        bottom = browser.eval(
            "document.getElementById('chart-timeline').getBoundingClientRect().bottom + window.scrollY"
        )
        browser.screenshot(
            shots / f"timeline-{width}.png",
            {"x": 0, "y": top, "width": width, "height": bottom - top + 10},
        )
        yield width, geometry, browser


def test_no_sideways_scroll_and_every_chart_fits_its_frame(at_width) -> None:
    width, geometry, browser = at_width
    assert geometry["page"] <= 0, (
        f"the page scrolls sideways by {geometry['page']} px at {width} px"
    )
    assert browser.errors() == []
    for name, chart in geometry["charts"].items():
        assert chart["scroll"] <= 0, f"{name} scrolls inside its frame at {width} px"
        assert chart["svg"]["right"] <= chart["frame"]["right"] + 0.5, name
        assert chart["svg"]["left"] >= chart["frame"]["left"] - 0.5, name


def test_every_mark_inside_its_plot(at_width) -> None:
    width, geometry, _ = at_width
    for name, chart in geometry["charts"].items():
        plot = chart["plot"]
        drawn = [m for m in chart["marks"] if PLOT_LAYERS.search(m["layer"])]
        assert drawn, name
        for m in drawn:
            inside = (
                m["left"] >= plot["left"] - EPS
                and m["right"] <= plot["right"] + EPS
                and m["top"] >= plot["top"] - EPS
                and m["bottom"] <= plot["bottom"] + EPS
            )
            assert inside, f"{name}: {m} outside the plot {plot} at {width} px"
        frames = [m for m in chart["marks"] if m["layer"].endswith("_column_frame")]
        for m in (m for m in chart["marks"] if m["layer"].endswith("_unknown")):
            f = frames[0]
            assert f["left"] <= m["left"] and m["right"] <= f["right"], (name, m)


def test_every_label_whole_inside_its_column(at_width) -> None:
    """Labels wrap: none is cut with an ellipsis, none runs into the date-unknown column or the
    plot, IDs start in one column whatever a row's indentation, and axis labels stay inside
    the plot, one per grid line or one per period between grid lines."""
    width, geometry, _ = at_width
    for name, chart in geometry["charts"].items():
        plot = chart["plot"]
        frames = [m for m in chart["marks"] if m["layer"].endswith("_column_frame")]
        column_right = (frames[0]["left"] if frames else plot["left"]) - 2
        labels = [m for m in chart["marks"] if LABEL_LAYERS.search(m["layer"])]
        assert labels, name
        for m in labels:
            assert m["right"] <= column_right, f"{name}: label {m['text']!r} runs past its column"
            assert m["left"] >= chart["svg"]["left"] - 0.5, (
                f"{name}: label {m['text']!r} cut on the left"
            )
            assert not m["text"].endswith("\u2026"), f"{name}: label {m['text']!r} cut"
        ids = {round(m["left"], 1) for m in labels if m["layer"].endswith("_label_id")}
        assert len(ids) == 1, f"{name}: IDs start at {ids}"
        axis = chart["axis"]
        assert len(axis) >= 2, f"{name}: {axis}"
        for a in axis:
            assert plot["left"] - 0.5 <= a["left"] and a["right"] <= plot["right"] + 0.5, (name, a)
        grid = sorted(chart["grid"])
        centres = sorted(a["cx"] for a in axis)
        on_lines = all(  # a label centred on each line, or flush with the frame at its edge
            any(min(abs(g - a["cx"]), abs(g - a["left"]), abs(g - a["right"])) <= EPS for a in axis)
            for g in grid
        )
        in_periods = all(sum(a < c < b for c in centres) == 1 for a, b in pairwise(grid))
        assert on_lines or in_periods, f"{name}: grid {grid} and labels {centres} at {width} px"


def test_response_links_end_at_their_target(at_width) -> None:
    width, geometry, _ = at_width
    chart = geometry["charts"]["timeline"]
    heads = [m for m in chart["marks"] if m["layer"] == "ev_link_head"]
    assert len(heads) == 3  # evt-0002 answers evt-0001; evt-0006 and evt-0011 answer evt-0002
    for head in heads:
        assert 6 <= head["right"] - head["left"] <= 10, head  # an arrowhead of about 8 px
        target = next(
            m
            for m in chart["marks"]
            if m["id"] == head["id"]
            and re.search(r"_(point|span|open_start|open_end)$", m["layer"])
        )
        gap = head["left"] - target["right"]
        assert 0 <= gap <= 3, f"arrowhead into {head['id']} ends {gap:.1f} px from it at {width} px"
        assert abs(head["cy"] - target["cy"]) <= 1, head
    outs = [m for m in chart["marks"] if m["layer"] == "ev_link_across"]
    assert len({round(m["cx"]) for m in outs}) == len(outs)  # each link in its own gutter


def test_the_changelog_is_html(evolved_page: Path) -> None:
    with _open(evolved_page, 1200) as browser:
        found = json.loads(
            browser.eval(
                "JSON.stringify({nested: document.querySelectorAll('#changelog ul ul li').length,"
                " code: document.querySelectorAll('#changelog code').length,"
                " tables: document.querySelectorAll('#changelog table').length,"
                " text: document.getElementById('changelog').textContent})"
            )
        )
    assert found["nested"] >= 1 and found["code"] >= 3 and found["tables"] == 1
    assert "`" not in found["text"] and "evt-0003" in found["text"]


# --------------------------------------------------------------------------- CSP

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


def test_the_page_renders_under_its_csp_and_a_payload_does_not_run(
    hostile: Path, tmp_path: Path
) -> None:
    from support.report import PAYLOAD

    page = tmp_path / "hostile.html"
    page.write_text(cd.tools.render_report(hostile), encoding="utf-8")
    injected = tmp_path / "injected.html"  # the control: a script the CSP does not name
    text = page.read_text(encoding="utf-8")
    assert text.endswith("</body></html>\n")
    injected.write_text(
        text[: -len("</body></html>\n")]
        + "<script>window.__pwned = 'inline';</script></body></html>\n",
        encoding="utf-8",
    )
    with Browser(width=1200, height=900) as browser:
        browser.add_init_script(RECORD_VIOLATIONS)
        browser.goto(page.as_uri())
        browser.wait_for(
            "window.conflictdata && window.conflictdata.ready + window.conflictdata.failed"
            " >= window.conflictdata.total"
        )
        browser.pump(0.3)
        assert browser.eval("window.conflictdata.failed") == 0
        assert (
            browser.eval("window.conflictdata.ready")
            == browser.eval("window.conflictdata.total")
            >= 3
        )
        assert json.loads(browser.eval("JSON.stringify(window.__violations)")) == []
        assert browser.eval("typeof window.__pwned") == "undefined"
        text = browser.eval("document.getElementById('undated').textContent")
        assert PAYLOAD in text  # shown as text
        assert browser.eval("document.querySelectorAll('img').length") == 0
        browser.goto(injected.as_uri())
        browser.wait_for("window.conflictdata && window.conflictdata.ready >= 1")
        browser.pump(0.3)
        violations = json.loads(browser.eval("JSON.stringify(window.__violations)"))
        assert len(violations) == 1 and violations[0].startswith("script-src"), violations
        assert browser.eval("typeof window.__pwned") == "undefined"


@pytest.mark.parametrize("width", [900, 1600])
def test_the_aggregated_timeline_fits_too(curated: Path, tmp_path: Path, width: int) -> None:
    """Above the row budget: events per period, the same fitting and axis rules."""
    page = tmp_path / "aggregated.html"
    page.write_text(cd.tools.render_report(curated, row_budget=3), encoding="utf-8")
    with _open(page, width) as browser:
        assert browser.eval("window.conflictdata.failed") == 0 and browser.errors() == []
        geometry = json.loads(browser.eval(GEOMETRY_JS))
    assert geometry["page"] <= 0
    chart = geometry["charts"]["timeline"]
    plot = chart["plot"]
    bars = [m for m in chart["marks"] if m["layer"] == "ev_agg"]
    assert bars and all(
        plot["left"] - EPS <= m["left"] and m["right"] <= plot["right"] + EPS for m in bars
    )
    assert chart["axis"] and all(
        plot["left"] - 0.5 <= a["left"] and a["right"] <= plot["right"] + 0.5 for a in chart["axis"]
    )
    assert chart["svg"]["right"] <= chart["frame"]["right"] + 0.5
