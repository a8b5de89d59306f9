"""Files written atomically (a temporary file renamed into place), and generated files kept in step."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Temporary files and folders start with this; a build output folder ignores them.
TMP_PREFIX = ".tmp-"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX + path.name + ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
