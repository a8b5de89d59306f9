"""The wheel's build hook runs this checkout's ``conflictdata build`` (hatch_build.py): here,
that its command imports the checkout where pip isolates a build. The wheel itself is built
and installed in tests/test_wheel.py."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO


def _pip_sitecustomize(editable_site: Path) -> str:
    """A sitecustomize like the one pip's build environment starts Python with
    (pip/_internal/build_env.py): every path the interpreter's own site folders add, their
    .pth files included, is dropped, whether or not PYTHONPATH named it too.
    ``editable_site`` stands for a site folder with this checkout installed editable: Python's
    start-up adds its paths first."""
    folder = str(editable_site)
    return f"""
import os, site, sys, sysconfig
site.addsitedir({folder!r})
original_sys_path = sys.path[:]
known_paths = set()
for path in {{{folder!r}, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}}:
    site.addsitedir(path, known_paths=known_paths)
system_paths = {{os.path.normcase(p) for p in sys.path[len(original_sys_path):]}}
sys.path = [p for p in original_sys_path if os.path.normcase(p) not in system_paths]
"""


def _hook():
    pytest.importorskip("hatchling")
    spec = importlib.util.spec_from_file_location("hatch_build", REPO / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_runs_this_checkout_where_pip_drops_the_site_paths(tmp_path: Path) -> None:
    """In a venv with this checkout installed editable, src/ is one of the paths pip drops:
    the hook's command still imports the package from src/ (through PYTHONPATH it did not:
    `pip wheel .` failed with "No module named conflictdata")."""
    # a site folder whose .pth adds src/, as an editable install of this checkout's has
    pth_site = tmp_path / "site-packages"
    pth_site.mkdir()
    (pth_site / "_conflictdata.pth").write_text(f"{REPO / 'src'}\n", encoding="utf-8")
    site_dir = tmp_path / "pip-overlay"
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text(_pip_sitecustomize(pth_site), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site_dir), "PYTHONNOUSERSITE": "1"}
    code = "import conflictdata"

    through_pythonpath = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(site_dir)])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "No module named 'conflictdata'" in through_pythonpath.stderr, through_pythonpath

    hook = _hook()
    proc = subprocess.run(
        hook.checkout_command(REPO / "src", "--help"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: conflictdata"), proc.stdout
