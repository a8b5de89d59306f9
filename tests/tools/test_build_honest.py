"""What a build says before it works: what it needs, and where its date comes from.

A release's ``created`` is the time of the last commit of its inputs, so inputs that differ
from that commit are refused in one line (exit 2) unless SOURCE_DATE_EPOCH dates the build or
``--allow-dirty`` stamps its own time and says so. Missing build dependencies are named, with
the command that installs them, before anything is read or written. The hatch hook asks for
those dependencies only where it builds a release (never for an editable install).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.events import EVENTS, with_changes, write_events_package
from support.paths import REPO

import conflictdata._tools.build as build_module
from conflictdata._tools.build import BUILD_NEEDS, build_release
from conflictdata.cli import main
from conflictdata.errors import MissingDependencyError, UncommittedInputsError

COMMITTED = "2024-01-02T03:04:05Z"
GIT_ENV = {
    "GIT_AUTHOR_DATE": COMMITTED,
    "GIT_COMMITTER_DATE": COMMITTED,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def _git(pkg: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(pkg), *args], check=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package committed in its own git repository; no SOURCE_DATE_EPOCH."""
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("needs git")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pkg = tmp_path / "pkg"
    desc = write_events_package(pkg)
    _git(pkg, "init", "-q")
    _git(pkg, "add", ".")
    _git(pkg, "commit", "-q", "-m", "seeds")
    return desc


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.rstrip("\n")
    assert err.startswith("conflictdata build: ") and "\n" not in err, captured.err
    return err


@pytest.mark.parametrize(
    "change",
    [
        "seed edited",
        "seed staged",
        "schema edited",
        "descriptor edited",
        "seed untracked",
        "seed ignored",
    ],
)
def test_inputs_that_differ_from_the_last_commit_are_refused(
    committed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    pkg = committed.parent
    seeds = pkg / "seeds" / "events.csv"
    if change.startswith("seed"):
        write_events_package(pkg, events=with_changes(EVENTS, EV_0001={"fatalities": "4"}))
        if change == "seed staged":
            _git(pkg, "add", "seeds/events.csv")
        elif change in ("seed untracked", "seed ignored"):
            _git(pkg, "rm", "-q", "--cached", "seeds/events.csv")
            _git(pkg, "commit", "-q", "-m", "untrack")
            if change == "seed ignored":
                (pkg / ".gitignore").write_text("seeds/events.csv\n")
    elif change == "schema edited":
        path = pkg / "schemas" / "events.json"
        path.write_text(path.read_text().replace("Things that happened.", "Events."))
    else:
        committed.write_text(committed.read_text().replace("Test package", "Test data"))
    out = tmp_path / "out"
    with pytest.raises(UncommittedInputsError) as err:
        build_release(committed, out, progress=False)
    named = {"schema edited": "schemas/events.json", "descriptor edited": "datapackage.json"}
    assert named.get(change, "seeds/events.csv") in err.value.uncommitted
    assert not out.exists()  # refused before any work
    line = _one_line_exit_2(["build", str(committed), "--out", str(out)], capsys)
    assert named.get(change, "seeds/events.csv") in line
    assert "--allow-dirty" in line and "SOURCE_DATE_EPOCH" in line and "commit" in line
    assert not out.exists()
    assert seeds.is_file()


def test_allow_dirty_stamps_the_build_time_and_says_so(
    committed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = committed.parent
    write_events_package(pkg, events=with_changes(EVENTS, EV_0001={"fatalities": "4"}))
    before = int(time.time())
    assert main(["build", str(committed), "--out", str(tmp_path / "out"), "--allow-dirty"]) == 0
    after = int(time.time())
    said = capsys.readouterr().out
    desc = (tmp_path / "out" / "1.0.0" / "datapackage.json").read_text()
    created = next(line for line in desc.splitlines() if '"created"' in line).split('"')[3]
    stamp = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert before <= stamp <= after  # the build's own time, not the commit's
    assert created != COMMITTED
    assert f"created {created} is this build's own time" in said
    assert "seeds/events.csv differs from the last commit (--allow-dirty)" in said


def test_source_date_epoch_dates_a_dirty_build(
    committed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_events_package(committed.parent, events=with_changes(EVENTS, EV_0001={"fatalities": "4"}))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    result = build_release(committed, tmp_path / "out", progress=False)
    assert result.created == "2025-06-15T15:06:40Z"
    assert "own time" not in result.summary()


def test_a_clean_checkout_is_dated_by_its_last_commit(committed: Path, tmp_path: Path) -> None:
    result = build_release(committed, tmp_path / "out", progress=False)
    assert result.created == COMMITTED
    assert result.created_from is not None and result.created_from.source == "last commit"
    assert "own time" not in result.summary()


def test_missing_dependencies_are_named_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line, exit 2, every missing distribution and the install command; nothing read
    (a missing descriptor is not what it reports) and nothing written."""
    monkeypatch.setattr(
        build_module,
        "BUILD_NEEDS",
        {**BUILD_NEEDS, "no_such_module_a": "no-such-dist-a", "no_such_module_b": "no-such-dist-b"},
    )
    out = tmp_path / "out"
    with pytest.raises(MissingDependencyError, match="no-such-dist-a, no-such-dist-b"):
        build_release(tmp_path / "nowhere" / "datapackage.json", out, progress=False)
    line = _one_line_exit_2(["build", str(tmp_path / "nowhere.json"), "--out", str(out)], capsys)
    assert "no-such-dist-a, no-such-dist-b" in line
    assert "pip install 'conflictdata[report]'" in line
    assert "altair" not in line  # what is installed is not named
    assert not out.exists()


def test_pyproject_says_what_build_needs() -> None:
    """The report extra lists exactly the distributions build checks for; the build system
    itself needs only hatchling (the hook asks for the rest where it builds a release)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    report = project["project"]["optional-dependencies"]["report"]
    names = sorted(r.split(">")[0].split("=")[0].split("<")[0].strip() for r in report)
    assert names == sorted(BUILD_NEEDS.values())
    assert [r.split(">")[0] for r in project["build-system"]["requires"]] == ["hatchling"]


_REQUIRES = """
import json, sys
from hatchling import build
print(json.dumps({
    "editable": build.get_requires_for_build_editable(),
    "wheel": build.get_requires_for_build_wheel(),
    "sdist": build.get_requires_for_build_sdist(),
}))
"""


@pytest.mark.processes
def test_an_editable_install_needs_only_hatchling(tmp_path: Path) -> None:
    """The backend's own answers, as pip asks them in a fresh process: an editable install
    needs nothing the release build needs; a wheel or sdist from the checkout needs the core
    and the report extra; a wheel from an sdist that carries its release needs nothing."""
    pytest.importorskip("hatchling")
    import json

    def ask(root: Path) -> dict[str, list[str]]:
        done = subprocess.run(
            [sys.executable, "-c", _REQUIRES], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needs = [*project["dependencies"], *project["optional-dependencies"]["report"]]
    got = ask(REPO)
    assert not any(n.split(">")[0] in str(got["editable"]) for n in needs)
    assert sorted(got["wheel"]) == sorted(needs) and sorted(got["sdist"]) == sorted(needs)
    copy = tmp_path / "from-sdist"
    for name in ("pyproject.toml", "hatch_build.py", "datapackage.json", "README.md", "LICENSE"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((REPO / name).read_bytes())
    (copy / "src" / "conflictdata" / "_bundled" / "1.0.0").mkdir(parents=True)
    assert ask(copy)["wheel"] == []


def test_report_writes_into_the_build_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`conflictdata report` without --out writes build/report-<version>.html, says where,
    and leaves the folder it runs in otherwise untouched."""
    pytest.importorskip("altair")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    release = build_release(
        write_events_package(tmp_path / "pkg"), tmp_path / "out", progress=False
    )
    here = tmp_path / "checkout"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["report", "--releases", str(release.path)]) == 0
    said = capsys.readouterr().out
    written = here / "build" / "report-1.0.0.html"
    assert said.startswith(f"wrote {Path('build') / 'report-1.0.0.html'} (")
    assert written.read_bytes() == (release.path / "report.html").read_bytes()
    assert sorted(p.relative_to(here).as_posix() for p in here.rglob("*")) == [
        "build",
        "build/report-1.0.0.html",
    ]
