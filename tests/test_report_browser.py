"""The curated release's report in headless Chromium, offline from file://, as a reader uses it."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from browser_support import Browser, why_no_browser
from report_support import ROOT, curated  # noqa: F401  (fixture)

import conflictdata as cd

REASON = why_no_browser()
if REASON:
    print(REASON)
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

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
