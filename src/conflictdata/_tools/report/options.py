"""The report's budgets and its optional dependencies (altair, vl-convert, markdown-it-py)."""

from __future__ import annotations

from types import ModuleType

from ..._util.optional import require as _require

#: Rows of one table drawn or listed one by one; above it the page shows aggregates instead.
ROW_BUDGET = 1000
#: The row budget is halved down to this while the page weighs more than SIZE_BUDGET.
MIN_ROW_BUDGET = 50
#: What a report may weigh: about 0.9 MB of inlined Vega plus data within the row budget.
SIZE_BUDGET = 4 * 1024 * 1024

#: Distribution names where they differ from the module's.
_DISTRIBUTIONS = {"vl_convert": "vl-convert-python", "markdown_it": "markdown-it-py"}


def require(module: str) -> ModuleType:
    """Import an optional dependency of the report, or say how to install it."""
    return _require(
        module,
        extra="report",
        purpose="the report (altair, vl-convert-python and markdown-it-py)",
        package=_DISTRIBUTIONS.get(module),
    )
