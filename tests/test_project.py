"""Project promises: the README's two commands, CI running the README's own test command,
and a loader that needs only pandas and pyarrow."""

from __future__ import annotations

import re
import subprocess
import tomllib

from support.regex import match_in


def _opening_commands(readme: str) -> list[str]:
    head = readme.split("\n---\n", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", head, flags=re.S)]


def test_readme_opens_with_exactly_two_commands(root):
    commands = _opening_commands((root / "README.md").read_text(encoding="utf-8"))
    assert len(commands) == 2
    setup_and_run, test = commands
    assert "conflictdata validate" in setup_and_run and "conflictdata build" in setup_and_run
    assert "pytest" in test
    assert all(c.startswith("python3 -m venv .venv") for c in commands)  # works with only Python


def test_ci_runs_the_readme_test_command(root):
    """.ci/run extracts the command from the README rather than keeping a private variant."""
    script = (root / ".ci" / "run").read_text(encoding="utf-8")
    awk = match_in(r"cmd=\$\(awk '(.*?)' README.md\)", script).group(1)
    extracted = subprocess.run(
        ["awk", awk, "README.md"], cwd=root, capture_output=True, text=True, check=True
    )
    assert (
        extracted.stdout.strip()
        == _opening_commands((root / "README.md").read_text(encoding="utf-8"))[1]
    )


def _block_after(readme: str, marker: str) -> str:
    return match_in(rf"<!-- {marker} -->\n```bash\n(.*?)```", readme, flags=re.S).group(1).strip()


def test_the_test_command_runs_lint_format_types_and_every_test(root):
    command = _block_after((root / "README.md").read_text(encoding="utf-8"), "test-command")
    steps = [s.strip() for s in command.split("&&")]
    assert ".venv/bin/ruff check" in steps and ".venv/bin/ruff format --check" in steps
    assert ".venv/bin/mypy" in steps
    runner = ".venv/bin/python -m pytest"
    # no marker selection (-m): every test runs (the runner's own `python -m` is not one)
    assert steps[-1].startswith(runner) and " -m " not in steps[-1].removeprefix(runner)
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert config["mypy"]["files"] and "lint" in config["ruff"]


def test_the_quick_command_leaves_out_exactly_the_slow_markers(root):
    """The quick tier deselects `slow`, which every registered kind of slow test implies."""
    from conftest import SLOW_KINDS

    command = _block_after((root / "README.md").read_text(encoding="utf-8"), "quick-test-command")
    assert '-m "not slow"' in command and "CONFLICTDATA_HYPOTHESIS_PROFILE=dev" in command
    pytest_config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    options = pytest_config["tool"]["pytest"]["ini_options"]
    registered = {m.split(":")[0] for m in options["markers"]}
    assert registered == {"slow", *SLOW_KINDS} and "--strict-markers" in options["addopts"]


def test_loader_needs_only_pandas_and_pyarrow(root):
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = sorted(match_in(r"\A[A-Za-z0-9_.-]+", d).group(0) for d in project["dependencies"])
    assert names == ["pandas", "pyarrow"]
    assert project["scripts"]["conflictdata"] == "conflictdata.cli:main"
    assert project["requires-python"] == ">=3.11"


def test_readme_code_map_lists_every_module(root):
    """The README's code map names each module of the package once, and nothing else."""
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- code-map -->", 1)[1].split("<!-- /code-map -->", 1)[0]
    listed = re.findall(r"^\| `([a-z_/]+\.py)` \|", table, flags=re.M)
    pkg = root / "src" / "conflictdata"
    modules = sorted(p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py"))
    assert sorted(listed) == [m for m in modules if m not in ("__init__.py", "__main__.py")]
    assert len(listed) == len(set(listed))
