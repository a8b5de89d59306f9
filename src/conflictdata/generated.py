"""Files generated from code or schemas (the codebook, the findings table), kept in sync."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_generated"]


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
