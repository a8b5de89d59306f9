"""conflictdata: a curated, versioned dataset of political-military events.

Load a table in one call::

    import conflictdata as cd
    events = cd.load("events")

This namespace is the analyst's API: loading tables (pandas, Arrow, polars, DuckDB) from the
release this installation carries unless another version is asked for, the releases known
here, field documentation, citations, the change feed, the timeline chart, and the package's
exceptions. Maintainer tools (validation, frames, build, diff, report, Croissant)
are in :mod:`conflictdata.tools`. Heavy modules (pandas, pyarrow) are imported only when a
function needs them; the names below are typed for type checkers all the same.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    BuildError,
    ChecksumError,
    ConflictDataError,
    DescriptorError,
    DownloadError,
    HistoryError,
    InvalidVersionError,
    MissingDependencyError,
    OutputError,
    ReleaseExistsError,
    UnknownTableError,
    UnknownVersionError,
    UnsupportedFeatureError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover
    from . import tools
    from ._api import changes, load, load_all, timeline
    from ._loader.cite import cite
    from ._loader.releases import DefaultRelease, VersionInfo, default_release, versions
    from ._loader.tables import (
        connect_duckdb,
        describe,
        load_arrow,
        load_polars,
        table_path,
        tables,
    )

    __version__: str

# name -> module that defines it; resolved lazily so `import conflictdata` stays light.
_LAZY = {
    "load": "_api",
    "load_all": "_api",
    "changes": "_api",
    "timeline": "_api",
    "load_arrow": "_loader.tables",
    "load_polars": "_loader.tables",
    "connect_duckdb": "_loader.tables",
    "table_path": "_loader.tables",
    "tables": "_loader.tables",
    "describe": "_loader.tables",
    "versions": "_loader.releases",
    "VersionInfo": "_loader.releases",
    "default_release": "_loader.releases",
    "DefaultRelease": "_loader.releases",
    "cite": "_loader.cite",
}

#: Names that moved to the maintainer namespace: a clear error instead of a bare AttributeError.
_TOOLS = frozenset(
    {
        "validate",
        "Report",
        "Finding",
        "validate_frames",
        "pandera_schema",
        "build_release",
        "BuildResult",
        "diff_releases",
        "ReleaseDiff",
        "report",
        "render_report",
        "croissant_metadata",
        "write_croissant",
        "read_package",
        "Package",
        "TableSchema",
        "Field",
    }
)

__all__ = [
    "BuildError",
    "ChecksumError",
    "ConflictDataError",
    "DefaultRelease",
    "DescriptorError",
    "DownloadError",
    "HistoryError",
    "InvalidVersionError",
    "MissingDependencyError",
    "OutputError",
    "ReleaseExistsError",
    "UnknownTableError",
    "UnknownVersionError",
    "UnsupportedFeatureError",
    "ValidationError",
    "VersionInfo",
    "__version__",
    "changes",
    "cite",
    "connect_duckdb",
    "default_release",
    "describe",
    "load",
    "load_all",
    "load_arrow",
    "load_polars",
    "table_path",
    "tables",
    "timeline",
    "tools",
    "versions",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # One version for data and package, read from the installed metadata (which takes it
        # from datapackage.json at build time); resolved lazily to keep the import light.
        from importlib.metadata import version

        globals()[name] = value = version(__name__)
        return value
    if name == "tools":  # the maintainer namespace, as `cd.tools.validate(...)`
        return import_module(".tools", __name__)
    module = _LAZY.get(name)
    if module is None:
        if name in _TOOLS:
            raise AttributeError(
                f"conflictdata.{name} is a maintainer tool: use conflictdata.tools.{name}"
            )
        raise AttributeError(f"module 'conflictdata' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
