"""The review a pull request gets: `conflictdata diff --against RELEASE` compares the seeds
with a release, withdrawals and modifications first with titles, excerpts and typed values,
the version bump the change implies against datapackage.json's, bounded and escaped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conflictdata._tools import review as rv
from conflictdata._tools.diff import ReleaseDiff, SchemaChange, TableDiff, Tombstone
from conflictdata._tools.review import MARKER, review_seeds
from conflictdata.cli import main

EV = "seeds/events.csv"
HOSTILE = "<img src=x onerror=alert(1)> @octocat #1 [link](http://evil.example) **bold**"


@pytest.fixture
def repo(tmp_path: Path, root: Path) -> Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "schemas", dest / "schemas")
    shutil.copytree(root / "seeds", dest / "seeds")
    return dest


@pytest.fixture
def release(curated_releases: Path) -> Path:
    return curated_releases / "0.1.0"


def _set_version(repo: Path, version: str) -> None:
    desc = json.loads((repo / "datapackage.json").read_text("utf-8"))
    desc["version"] = version
    (repo / "datapackage.json").write_text(json.dumps(desc, indent=2), "utf-8")


def _pull_request(repo: Path) -> None:
    """What a contributor's pull request does: withdraws a row, corrects a title (with text
    that would be live markdown and HTML) and a date, adds a row."""
    path = repo / EV
    lines = path.read_text("utf-8").split("\n")
    lines[10] = lines[10].replace(",active,", ",retracted,")
    lines[2] = lines[2].replace(
        "Iranian missile retaliation against Israel",
        f"Iranian missile retaliation against Israel {HOSTILE}",
    )
    lines[3] = lines[3].replace(",2025-06-13,on_or_before,", ",2025-06-14,on_or_before,")
    lines.insert(
        11,
        "evt-0011,,,,airstrike,occurred,Reported strike near Isfahan,2025-06-14,2025-06-14,"
        "day,,Isfahan,IRN,,,locality,000_63162909b2063bbe,"
        "Israel conducted a targeted strike on Iranian nuclear facilities,,active,",
    )
    path.write_text("\n".join(lines), "utf-8")


def _html(markdown: str) -> str:
    """The comment rendered as CommonMark with raw HTML allowed (stricter than GitHub, which
    sanitises): nothing from a cell may come out as a tag, a link or emphasis."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def test_a_pull_request_reviewed(repo: Path, release: Path) -> None:
    _pull_request(repo)
    _set_version(repo, "0.2.0")
    review = review_seeds(repo / "datapackage.json", release)
    md = review.to_markdown()
    assert md.startswith(MARKER + "\n## Data changes, compared with release `0.1.0`\n")
    assert "| events | 10 → 11 | 1 | 1 | 0 | 2 | 2 |" in md
    withdrawn, modified, added = (
        md.index("#### Withdrawn (1)"),
        md.index("#### Modified (2 rows, 2 cells)"),
        md.index("#### Added (1)"),
    )
    assert withdrawn < modified < added  # withdrawals and modifications first
    assert (
        "- `evt-0010` `Trump–Netanyahu phone call`: retracted — excerpt `Throughout June 13"
    ) in md
    assert "| sources |" not in md  # unchanged tables are named once, not tabulated
    assert "Unchanged: sources, actors, type\\_crosswalk, event\\_actors, figures," in md
    assert "  - `date_end` (date): `2025-06-13` → `2025-06-14`" in md
    assert "- `evt-0011` `Reported strike near Isfahan` — excerpt `Israel conducted" in md
    assert review.required_bump() == "major" and review.declared_bump() == "minor"
    assert (
        "**Version:** This is a **major** change (rows modified, withdrawn or deleted, or a "
        "schema change that breaks readers), but datapackage.json declares `0.2.0`, a minor "
        "bump from `0.1.0`: make it `1.0.0`."
    ) in md


def test_nothing_from_a_cell_is_live(repo: Path, release: Path) -> None:
    _pull_request(repo)
    html = _html(review_seeds(repo / "datapackage.json", release).to_markdown())
    assert "<img" not in html and "<a " not in html and "<strong>bold" not in html
    # the hostile title is shown, as text, inside code spans only
    for piece in ("&lt;img src=x onerror=alert(1)&gt;", "@octocat", "[link](http://evil"):
        at = [m.start() for m in re.finditer(re.escape(piece), html)]
        assert at, piece
        for i in at:
            assert html.rfind("<code>", 0, i) > html.rfind("</code>", 0, i), piece


def test_only_rows_added_is_a_minor_change(repo: Path, release: Path) -> None:
    path = repo / EV
    path.write_text(
        path.read_text("utf-8")
        + "evt-0011,,,,airstrike,occurred,Reported strike near Isfahan,2025-06-14,2025-06-14,"
        "day,,Isfahan,IRN,,,locality,000_63162909b2063bbe,"
        "Israel conducted a targeted strike on Iranian nuclear facilities,,active,\n",
        "utf-8",
    )
    review = review_seeds(repo / "datapackage.json", release)
    assert review.required_bump() == "minor"
    ok, text = review.version_verdict()
    assert not ok and text.endswith("the same as `0.1.0`: make it `0.2.0`.")
    _set_version(repo, "0.2.0")
    ok, text = review_seeds(repo / "datapackage.json", release).version_verdict()
    assert ok and text.startswith("This is a **minor** change")


def test_no_change_needs_no_bump(repo: Path, release: Path) -> None:
    review = review_seeds(repo / "datapackage.json", release)
    md = review.to_markdown()
    assert review.required_bump() == "none" and "No row and no schema changed." in md
    assert "No data change: `0.1.0` in datapackage.json needs no bump." in md


def _review(diff: ReleaseDiff) -> rv.Review:
    """A review of ``diff`` against release 1.2.3, with no package read."""
    return rv.Review(None, "1.2.3", "folder", diff)  # type: ignore[arg-type]  # no Package: required_bump and expected_version read only the diff and the release's version


def test_schema_changes_that_break_readers_are_major() -> None:
    def bump(*changes: SchemaChange) -> str:
        t = TableDiff("events", 1, 1, schema=list(changes))
        return _review(ReleaseDiff("1.2.3", "x", "", [t])).required_bump()

    assert bump(SchemaChange("enum value added", "event_type", "drone_strike")) == "minor"
    assert bump(SchemaChange("field added", "notes2")) == "minor"
    assert bump(SchemaChange("required changed", "title", "False -> True")) == "minor"
    assert bump(SchemaChange("required changed", "title", "True -> False")) == "major"
    assert bump(SchemaChange("enum value removed", "event_type", "meeting")) == "major"
    assert bump(SchemaChange("field retyped", "count", "integer -> number")) == "major"
    t = TableDiff("events", 2, 2, tombstoned=[Tombstone("evt-0001", "retracted")])
    review = _review(ReleaseDiff("1.2.3", "x", "", [t]))
    assert review.required_bump() == "major" and review.expected_version() == "2.0.0"


def test_the_comment_is_bounded(repo: Path, release: Path, monkeypatch) -> None:
    path = repo / "seeds" / "actors.csv"
    lines = path.read_text("utf-8").split("\n")
    path.write_text(
        "\n".join([lines[0]] + [x.replace(",active,", ",retracted,") for x in lines[1:]]),
        "utf-8",
    )
    monkeypatch.setattr(rv, "ROWS_SHOWN", 3)
    review = review_seeds(repo / "datapackage.json", release)
    md = review.to_markdown()
    assert "#### Withdrawn (14)" in md
    assert (
        "- … and 11 more (`conflictdata diff --against 0.1.0 --format json` lists every one)" in md
    )
    short = review.to_markdown(limit=900)
    assert len(short) <= 900
    assert re.search(r"… [0-9,]+ more lines not shown, to keep this comment under 900", short)


def test_seeds_that_do_not_validate_get_their_findings_and_the_rest(
    repo: Path, release: Path
) -> None:
    path = repo / EV
    lines = path.read_text("utf-8").split("\n")
    path.write_text("\n".join(x for x in lines if not x.startswith("evt-0010,")), "utf-8")
    md = review_seeds(repo / "datapackage.json", release).to_markdown()
    assert "**The seeds do not validate** (3 errors)" in md
    assert "**E407**" in md and "**E401**" in md
    assert "#### Deleted without a tombstone (1): not allowed, IDs are forever" in md


def test_cli(repo: Path, release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pull_request(repo)
    desc = str(repo / "datapackage.json")
    assert main(["diff", "--against", str(release), desc]) == 0
    assert capsys.readouterr().out.startswith(MARKER)
    assert main(["diff", "--against", str(release), desc, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["required_bump"] == "major" and doc["version_ok"] is False
    assert doc["against"]["version"] == "0.1.0" and doc["diff"]["tables"][3]["added"] == [
        "evt-0011"
    ]
    assert main(["diff", "--against", str(release), desc, "extra"]) == 2
    assert "at most the descriptor" in capsys.readouterr().err
    assert main(["diff", "0.1.0"]) == 2
    assert "name two releases" in capsys.readouterr().err
