"""The command line run in this process, as a user's shell would run it, without paying
an interpreter start and the imports per call. One test per command still runs it as a real
process (tests/cli/test_smoke.py)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ran:
    """What a run of the command printed and its exit code, as ``subprocess.run`` gives them
    (``stdout_bytes`` for tests that look at the exact bytes)."""

    returncode: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", "surrogateescape")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", "surrogateescape")


@contextlib.contextmanager
def _within(cwd: Path | None, env: Mapping[str, str] | None) -> Iterator[None]:
    before_dir = os.getcwd()
    before_env = dict(os.environ)
    try:
        if cwd is not None:
            os.chdir(cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        yield
    finally:
        os.chdir(before_dir)
        os.environ.clear()
        os.environ.update(before_env)


def _stream(raw: io.BytesIO) -> io.TextIOWrapper:
    """A text stream over ``raw`` that encodes as a UTF-8 pipe does."""
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Ran:
    """``conflictdata ARGS`` (``env``, when given, replaces the environment for the run)."""
    from conflictdata.cli import main

    out_raw, err_raw = io.BytesIO(), io.BytesIO()
    out, err = _stream(out_raw), _stream(err_raw)
    saved = sys.stdout, sys.stderr
    try:
        with _within(cwd, env):
            sys.stdout, sys.stderr = out, err
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    return Ran(code, out_raw.getvalue(), err_raw.getvalue())
