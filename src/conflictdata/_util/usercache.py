"""The per-user cache folder: one root for what this package keeps between runs, the
releases it downloads (:mod:`conflictdata._remote.cache`) and the report's script bundle
(:mod:`conflictdata._tools.report.page`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ENV_CACHE", "cache_dir"]

#: Names the cache folder, instead of the platform's user cache.
ENV_CACHE = "CONFLICTDATA_CACHE_DIR"


def cache_dir() -> Path:
    """The per-user cache folder: ``$CONFLICTDATA_CACHE_DIR`` or the platform's user cache."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":  # pragma: no cover - platform specific
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "conflictdata" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - platform specific
        return Path.home() / "Library" / "Caches" / "conflictdata"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "conflictdata"
