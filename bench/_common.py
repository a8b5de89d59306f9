"""Shared helpers for the bench/ scripts: run a command as a whole process and measure it.

Every benchmark measures commands as separate processes (start-up, imports and all), so the
figures are what a user running the command sees. Wall time, CPU time (user + system) and the
peak resident set size (``ru_maxrss`` from ``os.wait4``) are taken by a tiny launcher process
that spawns the command and waits for it. The launcher is there because Linux carries a process's RSS high-water mark
across ``exec``: a command spawned straight from a big benchmark process would report at least
that process's size. Spawned from the ~10 MiB launcher, it reports its own peak.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO_ROOT", "Run", "format_table", "run_measured", "venv_command"]

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
    #: User + system CPU seconds of the command (steadier than wall time on a busy machine).
    cpu_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0


#: Spawns argv[2:], waits, and writes {"rc", "wall_s", "maxrss_kib"} as JSON to argv[1].
_LAUNCHER = r"""
import json, os, sys, time
cmd = sys.argv[2:]
t0 = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
with open(sys.argv[1], "w") as fh:
    json.dump({"rc": os.waitstatus_to_exitcode(status), "wall_s": wall, "maxrss_kib": kib,
               "cpu_s": usage.ru_utime + usage.ru_stime}, fh)
"""


def run_measured(
    command: list[str], *, cwd: Path | str | None = None, env: dict | None = None
) -> Run:
    """Run ``command`` to completion; return its wall time, peak RSS (MiB) and output.

    Output goes to temporary files (not pipes), so a chatty process can never block.
    """
    import json

    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        result = Path(tmp) / "result.json"
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result), *command]
        proc = subprocess.run(launcher, stdout=out, stderr=err, cwd=cwd, env=env, check=False)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if not result.exists():  # the command could not be started at all
            return Run(list(command), proc.returncode or 127, 0.0, 0.0, stdout, stderr)
        m = json.loads(result.read_text())
    return Run(
        list(command), m["rc"], m["wall_s"], m["maxrss_kib"] / 1024, stdout, stderr, m["cpu_s"]
    )


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
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])
