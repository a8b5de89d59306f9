"""The build output folder's publish lock, and the cleanup of temporary folders left by a kill."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import (
    BuildError,
)

if TYPE_CHECKING:  # pragma: no cover
    pass
from .layout import LOCK_NAME, TMP_PREFIX


@contextlib.contextmanager
def publish_lock(out: Path | str, timeout: float = 600.0) -> Iterator[Path]:
    """Hold the exclusive lock of a build output folder, so that two builds never publish
    into one folder at once; waits at most ``timeout`` seconds for another build to finish.

    The lock is an advisory ``flock`` on ``out/.build.lock``, a file that exists only while
    a build holds it (the holder removes it before letting go; a waiter that locked a file
    since removed tries again), so a finished build leaves nothing in the folder a server
    would publish. An OSError (read-only folder, ...) is the caller's.
    """
    path = Path(out) / LOCK_NAME
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            if _try_lock(fd):
                if _same_file(fd, path):
                    break
                _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() > deadline:
            raise BuildError(
                f"another build has held {path} for more than {timeout:.0f} s: "
                "wait for it to finish (or end it) and build again"
            )
        time.sleep(0.05)
    try:
        yield path
    finally:
        try:
            if os.name != "nt":  # Windows cannot remove an open file; it stays there
                path.unlink(missing_ok=True)
        finally:
            _unlock(fd)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (here.st_dev, here.st_ino)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def remove_stale_temp(out: Path | str, before: float) -> list[Path]:
    """Remove what killed builds left in ``out``: ``.tmp-*`` work folders and index temp
    files last changed before ``before`` (a time.time()), unless their name carries the id of
    a process that is still running (a build in progress). Call it holding
    :func:`publish_lock`: index temp files are only written under it. Returns what was removed."""
    removed: list[Path] = []
    out = Path(out)
    if not out.is_dir():
        return removed
    for p in out.iterdir():
        if not p.name.startswith(TMP_PREFIX):
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        if st.st_mtime >= before:
            continue
        head = p.name[len(TMP_PREFIX) :].split("-", 1)[0]
        if head.isascii() and head.isdigit() and len(head) < 10 and _pid_alive(int(head)):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed
