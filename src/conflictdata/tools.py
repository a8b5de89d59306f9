"""The maintainer's and contributor's API: validate a data package's CSV files, check frames in
memory against the schemas (and get pandera schemas for them), build, compare and see
releases, and write Croissant metadata. The analyst's API is :mod:`conflictdata` itself.

Each name is imported when first used, so importing this module stays light.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    import pandas as pd
    import pandera.pandas as pdx

    from ._checks.report import Report
    from ._tableschema.model import Package

_LAZY = {
    "validate": "_validation.run",
    "OnTable": "_validation.run",
    "Report": "_checks.report",
    "Finding": "_checks.findings",
    "read_package": "_tableschema.package",
    "Package": "_tableschema.model",
    "TableSchema": "_tableschema.model",
    "Field": "_tableschema.model",
    "build_release": "_tools.build",
    "BuildResult": "_tools.build",
    "diff_releases": "_tools.diff",
    "ReleaseDiff": "_tools.diff",
    "render_report": "_tools.report",
    "report": "_tools.report",
    "write_report": "_tools.report",
    "croissant_metadata": "_tools.croissant",
    "write_croissant": "_tools.croissant",
    "fix_package": "_tools.fix",
    "FileFix": "_tools.fix",
    "review_seeds": "_tools.review",
    "Review": "_tools.review",
}

__all__ = sorted([*_LAZY, "pandera_schema", "validate_frames"])


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    version: str | None = None,
    *,
    package: Package | str | Path | None = None,
    max_per_rule: int = 1000,
) -> Report:
    """Check DataFrames by table name against the schemas: every field constraint, the
    primary key, every rowChecks rule, foreign keys (between the given frames, and into the
    release's other tables where a frame is missing), cycles and notBefore — the CSV
    validator's layers 2-4, with its codes, fields, keys and messages (``line`` is empty;
    ``column`` is the field's position in the schema).

    ``package``: check against this package's schemas (a :class:`Package` or a descriptor
    path) instead of the release's; tables it has no frame for are then not checked against.

    >>> report = conflictdata.tools.validate_frames({"events": df})
    >>> print(report.format_text())
    """
    from ._frames.validate import validate_frames as check
    from ._tableschema.model import Package
    from ._tableschema.package import read_package

    if isinstance(package, Package):
        return check(frames, package, max_per_rule=max_per_rule)
    if package is not None:
        return check(frames, read_package(package), max_per_rule=max_per_rule)
    from ._loader.releases import open_release

    release = open_release(version)
    return check(frames, release.package, release=release, max_per_rule=max_per_rule)


def pandera_schema(table: str, version: str | None = None) -> pdx.DataFrameSchema:
    """A pandera ``DataFrameSchema`` for the frame ``conflictdata.load(table, version)`` gives:
    its dtypes, every field constraint, the primary key, every rowChecks rule and the
    self-referencing foreign keys (parent in the same frame, no cycles, notBefore), each
    check named with the validator's finding code. Columns beyond the schema's are allowed.

    >>> conflictdata.tools.pandera_schema("events").validate(df, lazy=True)
    """
    from ._frames.pandera_schemas import schema_for
    from ._loader.releases import open_release

    return schema_for(open_release(version).table(table))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'conflictdata.tools' has no attribute {name!r}")
    value = getattr(import_module(f"conflictdata.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
