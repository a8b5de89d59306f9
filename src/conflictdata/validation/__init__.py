"""Validation of the package's CSV files against its Table Schemas, one module per layer.

:mod:`.files` (1, the file), :mod:`.fields` (2, each field), :mod:`.rows` (3, each row),
:mod:`.relations` (4, across tables), :mod:`.provenance` (excerpts in their sources),
:mod:`.lints` (5, warnings); :mod:`.state` holds each table's columns and the findings
collector, :mod:`.kernels` the numpy/Arrow byte kernels, :mod:`.findings` the registry of
codes and the :class:`Report`; :mod:`.run` runs the layers (:func:`validate`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> module that defines it; resolved lazily so importing the package stays light.
_LAZY = {
    "validate": "run",
    "OnTable": "run",
    "Report": "findings",
    "Finding": "findings",
    "Rule": "findings",
    "RULES": "findings",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'conflictdata.validation' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
