"""Optional dependencies: imported when a call needs them, or one error that says how to
install them (``pip install 'conflictdata[<extra>]'``)."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from ..errors import MissingDependencyError


def require(module: str, *, extra: str, purpose: str, package: str | None = None) -> ModuleType:
    """``import module``, or :class:`MissingDependencyError` naming what needs it and the
    extra that installs it (``purpose``: what the caller does, e.g. "load_polars";
    ``package``: the distribution's name where it is not the module's)."""
    try:
        return import_module(module)
    except ImportError as exc:
        package = package or module.split(".")[0].replace("_", "-")
        raise MissingDependencyError(
            f"{purpose} needs {package}, which is not installed ({exc}): "
            f"pip install 'conflictdata[{extra}]'"
        ) from None
