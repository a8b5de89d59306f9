"""Files written atomically (a temporary file renamed into place), and generated files kept in step."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Temporary files and folders start with this; a build output folder ignores them.
TMP_PREFIX = ".tmp-"


@contextmanager
def atomic_file(
    path: Path, *, prefix: str | None = None, suffix: str = "", mode: int | None = 0o644
) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only whole: a temporary file beside it (named
    ``prefix``...``suffix``), flushed to disk and renamed into place when the block ends,
    removed when it raises. ``mode``: the file's permissions (None: the temporary file's own,
    readable by its owner only)."""
    fd, tmp = tempfile.mkstemp(
        dir=path.parent,
        prefix=TMP_PREFIX + path.name + "." if prefix is None else prefix,
        suffix=suffix,
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write(text.encode("utf-8"))


def write_generated(path: str | Path, text: str, *, check: bool = False) -> bool:
    """Write ``text`` to ``path`` unless it is already there; True if the file was out of date.

    With ``check`` nothing is written: a test or CI step uses it to fail on a stale file.
    """
    path = Path(path)
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    if current == text:
        return False
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return True
