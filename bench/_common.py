"""Shared helpers for the bench/ scripts: run a command as a whole process and measure it.

Every benchmark measures commands as separate processes (start-up, imports and all), so the
figures are what a user running the command sees. Wall time comes from ``time.perf_counter``
around the process; peak memory is the child's own maximum resident set size, read from
``os.wait4`` (Linux reports it in KiB), so each measurement is that process alone, not the
maximum over every child this script has run (which ``RUSAGE_CHILDREN`` would give).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Run", "run_measured", "venv_command", "format_table", "REPO_ROOT"]

#: The repository root (bench/ lives directly under it).
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One measured process: its command, exit code, wall time, peak RSS and output."""

    command: list[str]
    returncode: int
    wall_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_measured(command: list[str], *, cwd: Path | str | None = None, env: dict | None = None) -> Run:
    """Run ``command`` to completion; return its wall time, peak RSS (MiB) and output.

    Output goes to temporary files (not pipes), so a chatty process can never block and
    reading it costs nothing while the clock runs.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(list(command), proc.returncode, wall, rss_kib / 1024, stdout, stderr)


def venv_command(name: str) -> list[str]:
    """The command for console script ``name`` of the running interpreter's environment.

    Prefers the script next to ``sys.executable`` (the venv's bin/), then ``PATH``; a
    ``conflictdata`` not installed as a script falls back to ``python -m conflictdata``.
    """
    here = Path(sys.executable).parent / name
    if here.exists():
        return [str(here)]
    found = shutil.which(name)
    if found:
        return [found]
    if name == "conflictdata":
        return [sys.executable, "-m", "conflictdata"]
    raise FileNotFoundError(f"command {name!r} not found next to {sys.executable} or on PATH")


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain, aligned text table (first column left-aligned, the rest right-aligned)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        )

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])
