"""The schemas' rules for pandas DataFrames in memory: vectorised checks per table
(:mod:`.checks`), pandera schemas built from them (:mod:`.pandera_schemas`, needs pandera)
and :func:`validate_frames` (:mod:`.validate`), which reports like the CSV validator."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["conform", "pandera_schema", "validate_frames"]

_LAZY = {"pandera_schema": "pandera_schemas", "validate_frames": "validate", "conform": "validate"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
