"""Finding and opening releases (bundled, local build, cache, server) as :class:`Release`."""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._release.history import link_of
from .._release.layout import (
    DESCRIPTOR_NAME,
    check_version,
    list_release_dirs,
    sort_versions,
)
from .._release.read import read_release, read_release_descriptor
from .._release.verify import check_digest, file_stamp, is_verified, sha256_file, verify_file
from .._remote.cache import cached_releases, discard_release, fetch_file, fetch_release
from .._remote.http import MAX_DOCUMENT_BYTES, check_url
from .._remote.server import (
    ENV_URL,
    RemoteRelease,
    check_release_descriptor,
    expected_sha256,
    parse_json_document,
    release_url,
    remote_releases,
    safe_relpath,
)
from .._tableschema.model import Package, TableSchema
from ..errors import (
    ConflictDataError,
    DescriptorError,
    DownloadError,
    UnknownTableError,
    UnknownVersionError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


#: Where the wheel ships its release: ``conflictdata/_bundled/<version>/``.
BUNDLED_DIR = Path(__file__).parent.parent / "_bundled"

SOURCES = ("bundled", "cache", "remote")

#: Environment variable naming a build output folder (``<version>/`` release folders) to load from.
ENV_BUILD = "CONFLICTDATA_BUILD_DIR"


def _checkout_build_dir() -> Path | None:
    """``build/releases`` of the source checkout this module runs from (editable install), if any."""
    top = Path(__file__).resolve().parents[3]
    if (top / DESCRIPTOR_NAME).is_file() and (top / "src" / "conflictdata").is_dir():
        return top / "build" / "releases"
    return None


#: A source checkout's own ``conflictdata build`` output; None for an installed wheel.
LOCAL_BUILD_DIR = _checkout_build_dir()

#: The source checkout this module runs from (its ``datapackage.json`` declares the version a
#: build makes); None for an installed wheel.
CHECKOUT_DIR = LOCAL_BUILD_DIR.parent.parent if LOCAL_BUILD_DIR is not None else None

#: The version that asks for the newest release available rather than the pinned default.
LATEST = "latest"

Source = str | os.PathLike[str] | None


@dataclass(frozen=True)
class Release:
    """A release whose descriptor is on disk; data files may still be on the server."""

    version: str
    where: str  # "bundled", "cache" or "local"
    root: Path
    package: Package
    url: str | None = None  # release server to fetch missing files from (cache only)

    def table(self, name: str) -> TableSchema:
        if name not in self.package.tables:
            raise UnknownTableError(
                f"no table {name!r} in release {self.version} ({self.where}: {self.root}); "
                f"tables are: {', '.join(self.package.tables)}"
            )
        return self.package.tables[name]

    def resource(self, name: str) -> dict[str, Any]:
        self.table(name)
        return next(r for r in self.package.descriptor["resources"] if r["name"] == name)

    def path(self, name: str, *, verify: bool = True) -> Path:
        """The verified local file of a table (downloaded into the cache if need be).

        ``verify=False`` skips hashing a file already on disk: the caller verifies it.
        """
        res = self.resource(name)
        if self.where == "cache":
            return fetch_file(self.version, res, self.url, self.root, verify_cached=verify)
        path = self.root / safe_relpath(res["path"])
        if not path.is_file():
            raise DownloadError(f"table {name!r} of release {self.version}: {path} is missing")
        if verify:
            verify_file(path, self.sha256(name), delete=False, what=self.what(name))
        return path

    def sha256(self, name: str) -> str:
        try:
            return expected_sha256(self.resource(name))
        except ValueError as exc:
            raise DescriptorError(f"{self.root / DESCRIPTOR_NAME}: {exc}") from None

    def descriptor_sha256(self) -> str:
        """SHA-256 of this release's ``datapackage.json`` (what the next release chains to)."""
        return sha256_file(self.root / DESCRIPTOR_NAME)

    def what(self, name: str) -> str:
        return (
            f"{'cached ' if self.where == 'cache' else ''}table {name!r} of release {self.version}"
        )

    def read_arrow(self, name: str) -> pa.Table:
        """The table, its file verified against the descriptor's SHA-256 before it is returned.

        The first read in a process hashes the bytes in a thread while pyarrow decodes the
        same bytes (both release the GIL), so verification costs little extra wall time.
        """
        schema = self.table(name)
        path = self.path(name, verify=False)
        if is_verified(path):
            return _read_arrow(path, schema)
        import hashlib
        import threading

        import pyarrow as pa

        stamp = file_stamp(path)
        data = path.read_bytes()
        digest: list[str] = []
        hasher = threading.Thread(target=lambda: digest.append(hashlib.sha256(data).hexdigest()))
        hasher.start()
        try:
            table = _read_arrow(pa.BufferReader(data), schema, shown=path)
            error = None
        except ConflictDataError as exc:  # report a checksum mismatch first, if it is one
            table, error = None, exc
        finally:
            hasher.join()
        check_digest(
            path,
            digest[0],
            self.sha256(name),
            delete=self.where == "cache",
            what=self.what(name),
            stamp=stamp,
        )
        if error is not None:
            raise error
        return table


@dataclass(frozen=True)
class VersionInfo:
    """A release version, where it is (bundled, built locally, cached, on the release server)
    and, for the release read when no version is asked for, why it is that one."""

    version: str
    created: str | None = None
    bundled: Path | None = None
    cached: Path | None = None
    remote: str | None = None
    local: Path | None = None
    #: Why this is the release read when no version is asked for; None for the others.
    default: str | None = None

    @property
    def locations(self) -> tuple[tuple[str, Path | str], ...]:
        """(kind, folder or URL) for every place that holds this version, in load order."""
        found = (
            ("bundled", self.bundled),
            ("local", self.local),
            ("cache", self.cached),
            ("remote", self.remote),
        )
        return tuple((name, value) for name, value in found if value is not None)

    @property
    def where(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.locations)


# ---------------------------------------------------------------------------------------
# finding releases

_PACKAGES: dict[Path, tuple[int, Package]] = {}


def _read_release(descriptor: Path, *, cached: bool = False) -> Package:
    """Parse a release descriptor once per process (re-read if the file changes).

    A cached descriptor came from a server: it is read as hostile (bounded, and checked to
    be self-contained by :func:`check_release_descriptor`) before its schemas are parsed.
    """
    try:
        mtime = descriptor.stat().st_mtime_ns
    except OSError as exc:
        raise DescriptorError(f"release descriptor not found: {descriptor} ({exc})") from None
    hit = _PACKAGES.get(descriptor)
    if hit and hit[0] == mtime:
        return hit[1]
    data = _read_cached_descriptor(descriptor) if cached else None
    package = read_release(descriptor.parent, data).package
    _PACKAGES[descriptor] = (mtime, package)
    return package


def _read_cached_descriptor(descriptor: Path) -> dict[str, Any]:
    """The checked JSON of a cached descriptor; :class:`DownloadError` when it is not one."""
    try:
        with descriptor.open("rb") as fh:
            raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise DescriptorError(f"release descriptor {descriptor} could not be read: {exc}") from None
    data = parse_json_document(raw, f"cached descriptor {descriptor}")
    try:
        return check_release_descriptor(data, descriptor.parent.name)
    except ValueError as exc:
        raise DownloadError(
            f"cached descriptor {descriptor} is not a release descriptor: {exc}"
        ) from None


def _open_cached(root: Path, url: str | None) -> Release:
    """The cached release in ``root``; one whose descriptor fails its check is deleted whole.

    Such a descriptor can only come from an older, less careful version of this package or
    from a hand edit; deleting the release lets the next load fetch (and check) it anew.
    """
    descriptor = root / DESCRIPTOR_NAME
    try:
        package = _read_release(descriptor, cached=True)
    except DownloadError as exc:
        discard_release(root)
        raise DownloadError(f"{exc}; it was deleted, load again to fetch it anew") from None
    return Release(package.version, "cache", root, package, url)


def _scan(folder: Path) -> dict[str, Path]:
    """``<folder>/<version>/datapackage.json`` release folders, by version (see
    :func:`conflictdata._release.layout.list_release_dirs`: anything not named by a version is skipped)."""
    return list_release_dirs(folder)


def _bundled() -> dict[str, Path]:
    return _scan(BUNDLED_DIR)


def _built() -> dict[str, Path]:
    env = os.environ.get(ENV_BUILD)
    folder = Path(env) if env else LOCAL_BUILD_DIR
    return _scan(folder) if folder is not None else {}


def _cached() -> dict[str, Path]:
    """The whole releases in the cache; a partial one is never listed (and is removed)."""
    return cached_releases()


def _local(path: Path) -> dict[str, Path]:
    if not path.is_dir():
        raise UnknownVersionError(
            f"source {str(path)!r} is neither one of {', '.join(SOURCES)} nor an existing folder"
        )
    if (path / DESCRIPTOR_NAME).is_file():
        return {_read_release(path / DESCRIPTOR_NAME).version: path}
    found = _scan(path)
    if not found:
        raise UnknownVersionError(
            f"{path} is neither a release folder (no datapackage.json) "
            "nor a build output folder holding <version>/datapackage.json"
        )
    return found


def _trusted() -> dict[str, str]:
    """Descriptor SHA-256 by version of the releases a server's history must agree with:
    those bundled in the wheel and those already in the cache, and the release each of them
    names as its previous one."""
    found = {**_cached(), **_bundled()}
    here: dict[str, str] = {}
    vouched: dict[str, str] = {}
    for version, folder in found.items():
        try:
            here[version] = sha256_file(folder / DESCRIPTOR_NAME)
            link = link_of(read_release_descriptor(folder))
        except (OSError, ValueError, ConflictDataError):
            continue
        if link is not None:
            vouched.setdefault(*link)
    return {**vouched, **here}


def _newest(versions: Any) -> str:
    return sort_versions(versions)[-1]


@dataclass(frozen=True)
class DefaultRelease:
    """The release read when no version is asked for, and why it is that one."""

    version: str | None
    why: str


@functools.cache
def installed_version() -> str | None:
    """The installed distribution's version (``conflictdata.__version__``), None if none is."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("conflictdata")
    except PackageNotFoundError:
        return None


def _checkout_version() -> tuple[str | None, str]:
    """The version the source checkout's ``datapackage.json`` declares (None and the reason
    when it cannot be read)."""
    from .._util.jsonio import read_json

    assert CHECKOUT_DIR is not None
    path = CHECKOUT_DIR / DESCRIPTOR_NAME
    try:
        version = read_json(path, "the source checkout's descriptor").get("version")
        return check_version(version, f"{path}: version"), ""
    except (ConflictDataError, AttributeError) as exc:
        return None, f"; its version cannot be read: {exc}"


def default_release() -> DefaultRelease:
    """Which release ``version=None`` reads: the one this installation carries.

    An installed wheel bundles its own release (``conflictdata.__version__``); a source
    checkout reads the version its ``datapackage.json`` declares, once built; otherwise the
    installed package's version. Never merely the newest release that happens to be cached.
    """
    bundled = _bundled()
    installed = installed_version()
    if bundled:
        if installed in bundled:
            return DefaultRelease(
                installed,
                f"the release bundled with the installed package conflictdata {installed}",
            )
        return DefaultRelease(_newest(bundled), f"the release bundled in {BUNDLED_DIR}")
    if CHECKOUT_DIR is not None:
        declared, problem = _checkout_version()
        where = CHECKOUT_DIR / DESCRIPTOR_NAME
        return DefaultRelease(
            declared, f"the version this source checkout declares in {where}{problem}"
        )
    if installed is not None:
        return DefaultRelease(
            installed,
            f"the installed package's version (conflictdata {installed}, which bundles no release)",
        )
    return DefaultRelease(None, "no release is bundled and no conflictdata package is installed")


def _unknown(version: str | None, known: dict[str, str], url: str | None) -> UnknownVersionError:
    listing = ", ".join(f"{v} ({known[v]})" for v in sort_versions(known)) or "none"
    asked = f"release {version!r}" if version else "any release"
    hint = "" if url else f"; no release URL is configured (pass url=... or set {ENV_URL})"
    if LOCAL_BUILD_DIR is not None and not _built():
        hint += f"; in this source checkout, `conflictdata build` makes a local release in {LOCAL_BUILD_DIR}"
    return UnknownVersionError(f"{asked} not found; known releases: {listing}{hint}")


def _not_default(
    default: DefaultRelease,
    found: dict[str, Any],
    where: str,
    *,
    search: bool = False,
    url: str | None = None,
) -> UnknownVersionError:
    """The default release is not where it was looked for: say which it is, why, and what is
    there (``search``: the default search, where a URL or a build would have found it)."""
    listing = ", ".join(sort_versions(found)) or "none"
    hint = ""
    if search and not url:
        hint += f"; no release URL is configured (pass url=... or set {ENV_URL})"
    if search and LOCAL_BUILD_DIR is not None:
        hint += f"; in this source checkout, `conflictdata build` makes it in {LOCAL_BUILD_DIR}"
    return UnknownVersionError(
        f"release {default.version} ({default.why}) is not among {where}, which are: "
        f"{listing}{hint}; pass version='{LATEST}' for the newest there, or a version"
    )


def _wanted(version: str | None) -> str | None:
    """``version`` checked: None (the default release), ``"latest"`` or a release version."""
    if version is None or version == LATEST:
        return version
    return check_version(str(version))


def _default_version() -> str:
    default = default_release()
    if default.version is None:
        raise UnknownVersionError(f"no default release: {default.why}; pass a version")
    return default.version


def _pick(version: str | None, found: dict[str, Any], where: str) -> str:
    """The version to read among ``found``: the asked one, the newest, or the default."""
    if version == LATEST:
        if not found:
            raise UnknownVersionError(f"no release in {where}")
        return _newest(found)
    if version is None:
        if _default_version() not in found:
            raise _not_default(default_release(), found, where)
        return _default_version()
    return version


def open_release(
    version: str | None = None, *, source: Source = None, url: str | None = None
) -> Release:
    """The release to read ``version`` from, per the source rules in the module docstring.

    ``version=None`` is the release this installation carries (:func:`default_release`);
    ``"latest"`` the newest available, asking the release server too when one is configured.
    """
    version = _wanted(version)
    if source is not None and str(source) not in SOURCES:
        path = Path(source)
        found = _local(path)
        if (path / DESCRIPTOR_NAME).is_file() and version in (None, LATEST):
            v = next(iter(found))  # a release folder is its own pin
        else:
            v = _pick(version, found, f"the releases in {path}")
        if v not in found:
            raise _unknown(v, {k: f"local {p}" for k, p in found.items()}, "local")
        return Release(v, "local", found[v], _read_release(found[v] / DESCRIPTOR_NAME))

    # checked only where it is used: a bad URL does not stop a bundled or fully cached load
    url = url or os.environ.get(ENV_URL) or None
    bundled = _bundled() if source in (None, "bundled") else {}
    built = _built() if source is None else {}
    cached = _cached() if source in (None, "cache", "remote") else {}
    if source == "remote" and not url:
        raise DownloadError(f"source='remote' needs a release URL: pass url=... or set {ENV_URL}")
    if source == "bundled" and not bundled:
        raise UnknownVersionError(
            f"this installation bundles no release ({BUNDLED_DIR} is empty or missing: "
            "an editable install or a wheel built without data); use source='cache' or 'remote'"
        )

    here = {**cached, **built, **bundled}
    server = url if source in (None, "remote") else None
    where = {"bundled": "the bundled releases", "cache": "the cache", "remote": "the cache"}.get(
        str(source), "the bundled, local and cached releases"
    )
    if version == LATEST:
        if server:
            version = _newest_served(server, here if source is None else {}, strict=bool(source))
        else:
            version = _pick(LATEST, here, where)
    elif version is None:
        version = _default_version()
        if version not in here and not server:
            raise _not_default(default_release(), here, where, search=source is None, url=url)
    if version in bundled:
        return Release(
            version, "bundled", bundled[version], _read_release(bundled[version] / DESCRIPTOR_NAME)
        )
    if version in built:
        return Release(
            version, "local", built[version], _read_release(built[version] / DESCRIPTOR_NAME)
        )
    if version in cached:
        return _open_cached(cached[version], url)
    if server:
        return _open_cached(fetch_release(version, check_url(server), trusted=_trusted()), url)
    known = dict.fromkeys(bundled, "bundled")
    known.update({v: f"local build {built[v].parent}" for v in built if v not in known})
    known.update({v: "cache" for v in cached if v not in known})
    raise _unknown(version, known, url)


def _newest_served(url: str, here: dict[str, Path], *, strict: bool) -> str:
    """The newest release among those here and those the server lists. A server that cannot
    be asked gives a warning and the newest here (or, if ``strict`` or none is here, the
    :class:`DownloadError`)."""
    url = check_url(url)
    try:
        available = remote_releases(url)
    except ConflictDataError as exc:
        if strict or not here:
            raise
        newest = _newest(here)
        warnings.warn(
            f"{exc}; reading the newest release here, {newest}", RuntimeWarning, stacklevel=3
        )
        return newest
    if not available and not here:
        raise UnknownVersionError(f"the release server {url} lists no releases")
    return _newest([*available, *here])


def _read_arrow(source: Any, schema: TableSchema, shown: Path | None = None) -> pa.Table:
    import pyarrow.parquet as pq

    path = shown or source
    try:
        table = pq.read_table(source)
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise ConflictDataError(f"{path} is not a readable Parquet file: {exc}") from None
    if table.column_names != schema.field_names:
        raise DescriptorError(
            f"{path} has columns {table.column_names}; the release schema of "
            f"{schema.name!r} declares {schema.field_names}"
        )
    return table


def local_versions(source: Source) -> dict[str, Path]:
    """Versions on disk: of the default search (``None``: bundled, built, cached), or of a
    ``source`` (a folder, "bundled", "cache"; "remote": the cache, without asking the server)."""
    if source is None:
        return {**_cached(), **_built(), **_bundled()}
    if str(source) == "bundled":
        return _bundled()
    if str(source) in ("cache", "remote"):
        return _cached()
    return _local(Path(source))


def versions(
    url: str | None = None, *, remote: bool | None = None, strict: bool = False
) -> list[VersionInfo]:
    """Every release known here (bundled, built locally, cached), oldest first; the one read
    when no version is asked for has ``default`` set to the reason.

    The release server is asked only when ``remote=True`` or a ``url`` is passed: a listing
    never waits on a configured server otherwise. A server that cannot be reached or sends no
    valid index (and a URL that is not http(s)) gives a :class:`RuntimeWarning` and the local
    releases (offline use stays possible), or :class:`DownloadError` if ``strict``. Index
    entries whose version is not a valid release version are left out with a warning.
    """
    found: dict[str, dict[str, Any]] = {}
    for kind, folders in (("bundled", _bundled()), ("local", _built()), ("cached", _cached())):
        for v, path in folders.items():
            entry = found.setdefault(v, {})
            entry[kind] = path
            if "created" not in entry:
                try:
                    package = _read_release(path / DESCRIPTOR_NAME, cached=kind == "cached")
                    entry["created"] = package.descriptor.get("created")
                except ConflictDataError:
                    entry["created"] = None
    served: dict[str, RemoteRelease] = {}
    if remote or (remote is None and url):
        try:
            url = release_url(url)
            if url:
                served = remote_releases(url)
        except ConflictDataError as exc:
            if strict:
                raise
            warnings.warn(f"{exc}; listing local releases only", RuntimeWarning, stacklevel=2)
    for v, rel in served.items():
        entry = found.setdefault(v, {})
        entry["remote"] = rel.descriptor_url
        entry["created"] = entry.get("created") or rel.created
    default = default_release()
    if default.version in found:
        found[default.version]["default"] = default.why
    return [VersionInfo(version=v, **found[v]) for v in sort_versions(found)]
