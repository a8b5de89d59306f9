"""conflictdata: a curated, versioned dataset of political-military events.

Load a table in one call::

    import conflictdata as cd
    events = cd.load("events")

Heavy modules (pandas, pyarrow) are imported only when a function needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

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

# name -> module that defines it; resolved lazily so `import conflictdata` stays light.
_LAZY = {
    "read_package": "schema",
    "Package": "schema",
    "TableSchema": "schema",
    "Field": "schema",
    # the loader
    "load": "loader",
    "load_all": "loader",
    "load_arrow": "loader",
    "load_polars": "loader",
    "connect_duckdb": "loader",
    "table_path": "loader",
    "tables": "loader",
    "versions": "loader",
    "changes": "loader",
    "describe": "loader",
    "VersionInfo": "loader",
    # build and diff
    "build_release": "build",
    "BuildResult": "build",
    "diff_releases": "diff",
    "ReleaseDiff": "diff",
    # Croissant metadata of a release
    "croissant_metadata": "croissant",
    "write_croissant": "croissant",
    # report
    "report": "reporting",
    "timeline": "reporting",
    "render_report": "reporting",
    # validation
    "validate": "validation.run",
    "Report": "validation.findings",
    "Finding": "validation.findings",
    # DataFrames in memory (pandera_schema needs the pandera extra)
    "pandera_schema": "frames.pandera_schemas",
    "validate_frames": "frames.validate",
}

__all__ = [
    "BuildError",
    "ChecksumError",
    "ConflictDataError",
    "DescriptorError",
    "DownloadError",
    "HistoryError",
    "InvalidVersionError",
    "MissingDependencyError",
    "OutputError",
    "UnsupportedFeatureError",
    "ReleaseExistsError",
    "UnknownTableError",
    "UnknownVersionError",
    "ValidationError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # One version for data and package, read from the installed metadata (which takes it
        # from datapackage.json at build time); resolved lazily to keep the import light.
        from importlib.metadata import version

        globals()[name] = value = version(__name__)
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'conflictdata' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
