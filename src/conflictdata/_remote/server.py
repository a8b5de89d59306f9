"""What a release server says, checked as hostile: the index and release descriptors."""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .._release.layout import (
    DESCRIPTOR_NAME,
    INDEX_NAME,
    is_valid_version,
)
from .._util.jsonio import parse_json
from ..errors import DownloadError
from .http import MAX_DOCUMENT_BYTES, check_url, describe_error, get_document, shown

ENV_URL = "CONFLICTDATA_RELEASES_URL"

MAX_JSON_DEPTH = 64

#: Largest data file a descriptor may declare, resources per descriptor, releases per index.
MAX_FILE_BYTES = 64 << 30

MAX_RESOURCES = 1000

MAX_RELEASES = 10_000

#: A resource path or table name: a plain file name, nothing that could leave the folder.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

#: An ISO 8601 date or time, as ``created`` is written: nothing else is shown to a user.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


@dataclass(frozen=True)
class RemoteRelease:
    """One entry of a release server's ``index.json``."""

    version: str
    created: str | None
    descriptor_url: str
    archive_url: str | None
    archive_sha256: str | None
    #: SHA-256 of the release descriptor, as the index lists it (None: not listed).
    descriptor_sha256: str | None = None


def release_url(url: str | None = None) -> str | None:
    """The release server base URL (checked): the argument, else ``$CONFLICTDATA_RELEASES_URL``."""
    url = url or os.environ.get(ENV_URL) or None
    return check_url(url) if url else None


def safe_relpath(path: object) -> PurePosixPath:
    """A local release's resource path, refused if it could escape the release folder."""
    if not isinstance(path, str):
        raise DownloadError(f"refusing resource path {shown(repr(path))}: not a string")
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path or "\x00" in path:
        raise DownloadError(
            f"refusing resource path {shown(repr(path))}: not a plain relative path"
        )
    return p


def safe_file_name(path: object) -> str:
    """A downloaded descriptor's resource path: a plain file name in the release folder.

    No folders, no ``..``, nothing absolute, no leading dot, not the descriptor's own name.
    """
    if not isinstance(path, str) or not _PLAIN_NAME.fullmatch(path):
        raise ValueError(
            f"resource path {shown(repr(path))} is not a plain file name in the release folder"
        )
    if path.casefold() == DESCRIPTOR_NAME.casefold():
        raise ValueError(f"resource path {path!r} is the release descriptor's own name")
    return path


_BRACKETS = bytes.maketrans(b"[{]}", b"(())")

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _json_depth_ok(raw: bytes, limit: int) -> bool:
    """True unless brackets nest deeper than ``limit``, checked before parsing (no recursion).

    Strings are removed, brackets become ``(``/``)``, and each pass of removing ``()``
    lowers the deepest nesting by one: ``limit`` passes leave no pair unless it is deeper.
    Unclosed brackets that remain (``)))(((``) count as nesting too.
    """
    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", raw, flags=re.DOTALL)
    s = text.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if b"()" not in s:
            break
        s = s.replace(b"()", b"")
    return b"()" not in s and s.count(b"(") <= limit


def parse_json_document(raw: bytes, where: str) -> Any:
    """JSON of a downloaded document, bounded in size and depth; :class:`DownloadError` if not."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DownloadError(
            f"{where} is {len(raw)} bytes, more than the limit of {MAX_DOCUMENT_BYTES}"
        )
    if not _json_depth_ok(raw, MAX_JSON_DEPTH):
        raise DownloadError(f"{where} nests JSON deeper than {MAX_JSON_DEPTH} levels")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DownloadError(f"{where} is not JSON: {shown(exc)}") from None
    return parse_json(text, shown(where), limit=MAX_DOCUMENT_BYTES, error=DownloadError)


# ---------------------------------------------------------------------------------------
# the index


def _index_entry(e: Any, base: str) -> RemoteRelease | str:
    """A release of an index entry, or why the entry is ignored."""
    if not isinstance(e, dict):
        return f"entry {shown(repr(e), 60)} is not an object"
    version = e.get("version")
    if not is_valid_version(version):
        return f"version {shown(repr(version), 60)} is not a release version"
    created = e.get("created")
    archive = e.get("archive")
    sha = e.get("archive_sha256")
    plain_archive = (
        isinstance(archive, str)
        and archive.startswith(f"{version}/")
        and _PLAIN_NAME.fullmatch(archive[len(version) + 1 :]) is not None
    )
    return RemoteRelease(
        version=version,
        created=created if isinstance(created, str) and _TIMESTAMP.fullmatch(created) else None,
        descriptor_url=f"{base}/{version}/{DESCRIPTOR_NAME}",
        archive_url=f"{base}/{archive}" if plain_archive else None,
        archive_sha256=sha.lower() if isinstance(sha, str) and _SHA256.fullmatch(sha) else None,
        descriptor_sha256=(
            dsha.lower()
            if isinstance(dsha := e.get("descriptor_sha256"), str) and _SHA256.fullmatch(dsha)
            else None
        ),
    )


def remote_releases(url: str) -> dict[str, RemoteRelease]:
    """The releases a server's ``index.json`` lists, by version.

    An entry whose version does not match the release version pattern is ignored with a
    :class:`RuntimeWarning`: it never names a folder or a URL. Descriptor paths are always
    ``<version>/datapackage.json`` (the release layout), whatever the index says.
    """
    base = check_url(url)
    where = f"{base}/{INDEX_NAME}"
    index = parse_json_document(get_document(where, "the release index"), where)
    entries = index.get("releases") if isinstance(index, dict) else None
    if not isinstance(entries, list):
        raise DownloadError(f"{where} is not a release index: no 'releases' list")
    if len(entries) > MAX_RELEASES:
        raise DownloadError(
            f"{where} lists {len(entries)} releases, more than the limit of {MAX_RELEASES}"
        )
    out: dict[str, RemoteRelease] = {}
    ignored: list[str] = []
    for e in entries:
        entry = _index_entry(e, base)
        if isinstance(entry, str):
            ignored.append(entry)
        else:
            out[entry.version] = entry
    if ignored:
        more = f" and {len(ignored) - 3} more" if len(ignored) > 3 else ""
        warnings.warn(
            f"{where}: ignored {len(ignored)} entr{'y' if len(ignored) == 1 else 'ies'}: "
            f"{'; '.join(ignored[:3])}{more}",
            RuntimeWarning,
            stacklevel=2,
        )
    return out


# ---------------------------------------------------------------------------------------
# the descriptor


def expected_sha256(resource: dict[str, Any]) -> str:
    """The hex SHA-256 a release descriptor declares for a resource."""
    value = resource.get("hash") or resource.get("sha256")
    if not isinstance(value, str):
        raise ValueError(f"resource {shown(repr(resource.get('name')), 60)} has no sha256 hash")
    algo, _, hexdigest = value.rpartition(":")
    if algo not in ("", "sha256") or not _SHA256.fullmatch(hexdigest):
        raise ValueError(
            f"resource {shown(repr(resource.get('name')), 60)}: "
            f"hash {shown(repr(value), 90)} is not a sha256"
        )
    return hexdigest.lower()


def declared_size(resource: dict[str, Any]) -> int:
    """The size in bytes a release descriptor declares for a file (``fileBytes`` or ``bytes``)."""
    name = shown(repr(resource.get("name")), 60)
    values = [resource[k] for k in ("fileBytes", "bytes") if k in resource]
    if not values:
        raise ValueError(f"resource {name} declares no size (fileBytes)")
    for size in values:
        if type(size) is not int or not 0 <= size <= MAX_FILE_BYTES:
            raise ValueError(
                f"resource {name}: size {shown(repr(size), 40)} is not a whole number of bytes "
                f"up to {MAX_FILE_BYTES}"
            )
    if len(set(values)) > 1:
        raise ValueError(f"resource {name} declares two sizes: {values}")
    return values[0]


def check_release_descriptor(data: Any, version: str) -> dict[str, Any]:
    """``data`` itself when it is a self-contained release descriptor of ``version``.

    Checked completely, nothing resolved on disk: an object whose version is ``version``;
    resources with a plain ``name``, a plain file name as ``path`` (each once), a sha256,
    a size, and the Table Schema inline as an object; the schemas must parse. Raises
    ``ValueError`` naming the first problem.
    """
    from .._tableschema.package import package_from_descriptor
    from ..errors import ConflictDataError

    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    if data.get("version") != version:
        raise ValueError(f"it says version {shown(repr(data.get('version')), 60)}")
    created = data.get("created")
    if created is not None and not (isinstance(created, str) and _TIMESTAMP.fullmatch(created)):
        raise ValueError(f"'created' {shown(repr(created), 60)} is not an ISO 8601 time")
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        raise ValueError("it has no 'resources' list")
    if len(resources) > MAX_RESOURCES:
        raise ValueError(f"it lists {len(resources)} resources, more than {MAX_RESOURCES}")
    names: set[str] = set()
    paths: set[str] = set()
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            raise ValueError(f"resource #{i + 1} is not an object")
        name = res.get("name")
        if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name):
            raise ValueError(f"resource #{i + 1}: name {shown(repr(name), 60)} is not a plain name")
        path = safe_file_name(res.get("path"))
        if name in names or path.casefold() in paths:
            raise ValueError(f"resource {name!r}: its name or path {path!r} is listed twice")
        names.add(name)
        paths.add(path.casefold())
        expected_sha256(res)
        declared_size(res)
        if not isinstance(res.get("schema"), dict):
            raise ValueError(
                f"resource {name!r}: 'schema' must be the Table Schema inline (an object), "
                f"not {shown(repr(res.get('schema')), 60)}; a release descriptor is self-contained"
            )
    try:
        package_from_descriptor(data, Path(os.devnull), schema_files=False)
    except ConflictDataError as exc:
        raise ValueError(shown(exc, 300)) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise ValueError(f"malformed schema: {shown(describe_error(exc), 300)}") from None
    return data
