"""Exceptions of our own, each with a message a person can act on, and the exit code the
command gives for it (``exit_code``: 1 the data breaks a rule, 2 the command could not run).

The private refusals at the end are raised inside the package and always translated by the
caller, which knows where they happened (the resource, field or file)."""

from __future__ import annotations

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
    "ReleaseExistsError",
    "UncommittedInputsError",
    "UnknownTableError",
    "UnknownVersionError",
    "UnsupportedFeatureError",
    "ValidationError",
]


class ConflictDataError(Exception):
    """Base class of every error this package raises on purpose."""

    #: what ``conflictdata`` exits with when this error stops a command: 2, it could not run
    exit_code: int = 2


class DescriptorError(ConflictDataError):
    """A data package descriptor or table schema is missing, not JSON, or malformed."""


class UnsupportedFeatureError(DescriptorError):
    """A descriptor or schema asks for a Data Package / Table Schema feature this validator
    does not implement: the run is refused rather than the data read wrongly. The message is
    one line, ``unsupported: <feature> <value> in resource '<name>'[, field '<name>']``."""

    def __init__(
        self,
        feature: str,
        value: object = None,
        *,
        resource: str | None = None,
        field: str | None = None,
        why: str | None = None,
    ) -> None:
        text = repr(value)
        shown = "" if value is None else " " + (text if len(text) <= 60 else text[:59] + "…")
        where = f" in resource {resource!r}" if resource is not None else ""
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"unsupported: {feature}{shown}{where}" + (f" ({why})" if why else ""))
        self.feature = feature
        self.resource = resource
        self.field = field


class ValidationError(ConflictDataError):
    """Data breaks the schemas' rules: seeds a build refused (nothing was built) or DataFrames
    checked in memory. ``report`` holds every finding (table, row key, field, code, value,
    message), as the CSV validator reports them."""

    exit_code = 1

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class BuildError(ConflictDataError):
    """A release could not be built from these seeds (a cell that does not convert, an ID
    gone without a tombstone): the data must change."""

    exit_code = 1


class ReleaseExistsError(BuildError):
    """A release with this version exists with different content: bump the version."""

    def __init__(self, message: str, differing: list[str] | None = None) -> None:
        super().__init__(message)
        self.differing = differing or []


class UncommittedInputsError(BuildError):
    """Seeds, schemas or the descriptor differ from the last commit, which dates a release:
    commit them, set SOURCE_DATE_EPOCH, or allow the build to stamp its own time."""

    exit_code = 2

    def __init__(self, message: str, uncommitted: list[str] | None = None) -> None:
        super().__init__(message)
        self.uncommitted = uncommitted or []


class OutputError(BuildError):
    """The build output folder cannot be written (read-only, full, not a folder): nothing
    was published."""

    exit_code = 2


class UnknownTableError(ConflictDataError, KeyError):
    """A table name that the release does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownVersionError(ConflictDataError, LookupError):
    """A version that no bundled, cached or remote release has."""


class InvalidVersionError(ConflictDataError, ValueError):
    """A version string that does not match the one release version pattern."""


class DownloadError(ConflictDataError):
    """A release file could not be downloaded (network, HTTP error, nothing cached)."""


class ChecksumError(DownloadError):
    """A downloaded file's SHA-256 differs from the release descriptor's."""


class HistoryError(DownloadError):
    """A release server's history disagrees with a release this installation already trusts
    (bundled or cached): a past release was changed or removed, or its chain is broken."""


class MissingDependencyError(ConflictDataError, ImportError):
    """An optional dependency is needed for this call; the message says how to install it."""


# -- private refusals: raised inside the package, translated where the place is known ---------


class RefusedCellsError(ConflictDataError):
    """A type's reader met a value it cannot compare exactly (an integer beyond int64, a
    signalling NaN, a time offset in seconds): the caller refuses the run with an
    :class:`UnsupportedFeatureError` naming the resource and field."""

    def __init__(self, feature: str, value: object, why: str) -> None:
        super().__init__(feature)
        self.feature, self.value, self.why = feature, value, why


class SourceProblemError(ConflictDataError):
    """A resource's bytes cannot be had: the reader reports it as the finding ``code`` at
    ``path`` (and ``line``) instead of raising further."""

    exit_code = 1

    def __init__(self, code: str, path: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.path, self.message, self.line = code, path, message, line


class TransientDownloadError(DownloadError):
    """A download failure that asking again may cure (connection, 5xx, truncated body): the
    retry loop asks again, and gives up with a plain :class:`DownloadError`."""
