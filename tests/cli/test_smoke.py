"""Each command once as the installed command runs: a real process, its real streams and exit
code. Everywhere else the suite runs the command line in-process (support.cli.run_cli)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.events import write_events_package
from support.loader import ReleaseServer
from support.paths import REPO

pytestmark = pytest.mark.processes

#: what a child needs to import this checkout's package however the suite was started
_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p
    ),
    "SOURCE_DATE_EPOCH": "1750000000",
}


def conflictdata(*args: str | Path, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "conflictdata", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**_ENV, **env},
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def test_validate() -> None:
    proc = conflictdata("validate")
    assert proc.returncode == 0 and proc.stdout.startswith("valid: 0 errors"), proc.stdout


def test_fix() -> None:
    proc = conflictdata("fix", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("command", ["codebook", "models", "findings"])
def test_generated_files_are_current(command: str) -> None:
    proc = conflictdata(command, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_build_then_diff(tmp_path: Path) -> None:
    desc = write_events_package(tmp_path / "pkg")
    out = tmp_path / "releases"
    proc = conflictdata("build", desc, "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (release,) = (p for p in out.iterdir() if p.is_dir())
    assert (release / "datapackage.json").is_file() and (release / "report.html").is_file()
    diff = conflictdata("diff", release.name, release.name, "--releases", out, "--format", "json")
    assert diff.returncode == 0 and diff.stderr == "", diff.stderr
    assert json.loads(diff.stdout)["new"] == release.name


def test_report(curated_releases: Path, tmp_path: Path) -> None:
    (version,) = (p.name for p in curated_releases.iterdir() if p.is_dir())
    page = tmp_path / "report.html"
    proc = conflictdata("report", version, "--source", curated_releases, "--out", page)
    assert proc.returncode == 0, proc.stderr
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_versions_and_download(curated_releases: Path, tmp_path: Path) -> None:
    (version,) = (p.name for p in curated_releases.iterdir() if p.is_dir())
    cache = str(tmp_path / "cache")
    with ReleaseServer(curated_releases) as server:
        listed = conflictdata("versions", "--url", server.url, CONFLICTDATA_CACHE_DIR=cache)
        assert listed.returncode == 0 and version in listed.stdout, listed.stdout + listed.stderr
        got = conflictdata("download", version, "--url", server.url, CONFLICTDATA_CACHE_DIR=cache)
    assert got.returncode == 0, got.stdout + got.stderr
    assert any(Path(cache).rglob("datapackage.json"))


def test_no_command_is_a_usage_error() -> None:
    proc = conflictdata()
    assert proc.returncode == 2 and proc.stdout == "" and "usage:" in proc.stderr


@pytest.mark.parametrize("command", ["validate", "build"])
def test_validating_commands_give_freed_memory_back(command: str, tmp_path: Path) -> None:
    """validate and build (a build validates first) read each table with Arrow's memory
    from the C heap, which gives back what a table's checks free before the next table is
    read, instead of the mimalloc pool, which keeps it: at 1M events a build peaked at 1.6x
    the CSV bytes with mimalloc and at 1.35x without (bench/build.py)."""
    desc = write_events_package(tmp_path / "pkg")
    args = [command, str(desc)] + (["--out", str(tmp_path / "out")] if command == "build" else [])
    code = (
        "import sys, conflictdata.cli as cli\n"
        f"rc = cli.main({args!r})\n"
        "import pyarrow as pa\n"
        "print('pool:', pa.default_memory_pool().backend_name)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_ENV, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("pool: system"), proc.stdout
