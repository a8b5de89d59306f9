"""Writing a release: its descriptor, zip, checksums, flushed to disk."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .._tableschema.model import Package, TableSchema
from .._util.jsonio import dump_json as _dump_json
from .history import PREVIOUS_KEY
from .layout import FILES_KEY, PARQUET_MEDIATYPE, SUMS_NAME, release_files
from .verify import sha256_file

# --------------------------------------------------------------------------- writing a release

#: Top-level keys of the source descriptor carried into the release descriptor, in this order.
COPIED_KEYS = (
    "name",
    "title",
    "description",
    "version",
    "created",
    "homepage",
    "keywords",
    "licenses",
    "sources",
    "contributors",
)

#: The zip format's earliest timestamp: a release created before 1980 is stamped with it.
ZIP_MIN_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class TableOutput:
    """One table file of a release: its name, file name, rows, size and SHA-256."""

    name: str
    path: str
    rows: int
    bytes: int
    sha256: str


def _release_schema(t: TableSchema) -> dict[str, Any]:
    """The table's full schema, inline. One addition: "nan" among the missing values, because
    frictionless reads Parquet through pandas, where a null number arrives as NaN; Parquet
    itself has real nulls, so the addition changes nothing for any other reader."""
    schema = dict(t.raw)
    missing = list(t.missing_values)
    if "nan" not in missing:
        missing.append("nan")
    schema["missingValues"] = missing
    return schema


def release_metadata(package: Package, created: str) -> dict[str, Any]:
    """The source descriptor's metadata every descriptor of a release copies, in
    :data:`COPIED_KEYS` order, with the package's version and the release's ``created``."""
    meta = {k: package.descriptor[k] for k in COPIED_KEYS if k in package.descriptor}
    meta.update(version=package.version, created=created)
    return {k: meta[k] for k in COPIED_KEYS if k in meta}


def resource_head(table: TableSchema, path: str) -> dict[str, Any]:
    """A release resource's first keys: name, path, and the table's title (when it says more
    than the name) and description."""
    res: dict[str, Any] = {"name": table.name, "path": path}
    if table.title and table.title != table.name:
        res["title"] = table.title
    if table.description:
        res["description"] = table.description
    return res


def release_descriptor(
    package: Package,
    created: str,
    outputs: Sequence[TableOutput],
    writer: str,
    previous: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The release descriptor: the source descriptor's metadata (in :data:`COPIED_KEYS` order),
    ``created``, one resource per table file with its hash, rows, size and inline schema, the
    release's other files by name (:func:`~conflictdata._release.layout.release_files`), and
    the Parquet writer that made the bytes; ``previous`` (see :func:`previous_link`) chains it
    to the release before it."""
    desc = release_metadata(package, created)
    if previous is not None:
        desc[PREVIOUS_KEY] = previous
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res = resource_head(t, out.path)
        res.update(
            {
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "hash": f"sha256:{out.sha256}",
                "rows": out.rows,
                # Not the standard "bytes": frictionless 5 reads Parquet without counting
                # bytes and would report every declared "bytes" as a byte-count error.
                "fileBytes": out.bytes,
                "schema": _release_schema(t),
            }
        )
        resources.append(res)
    desc["resources"] = resources
    desc[FILES_KEY] = release_files(out.name for out in outputs)
    desc["build"] = {"parquetWriter": writer}
    return desc


def dump_json(doc: Any) -> str:
    """JSON as every release file writes it: two-space indent, readable UTF-8 with every
    invisible or controlling character escaped (:func:`~conflictdata._util.jsonio.dump_json`),
    one final newline."""
    return _dump_json(doc, indent=2) + "\n"


#: Files above this size are stored in the zip, not deflated (Parquet always is: it is
#: compressed already). Deflating a large CSV copy runs at a few tens of MB/s, slower than
#: the rest of a build; the Parquet files are the release's compact form.
DEFLATE_MAX = 4 * 1024 * 1024


class _HashingSink:
    """A write-only file without ``tell``/``seek`` that hashes what passes through: zipfile
    then writes each member's sizes after its data, so the archive is written and hashed in
    one pass."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return int(self._target.write(data))

    def flush(self) -> None:
        self._target.flush()

    def close(self) -> None:
        """Nothing: the target is closed by whoever opened it (zipfile never calls this)."""


class ReleaseZip:
    """A reproducible zip written one member at a time and hashed as it is written: fixed
    times and permissions, every member under the folder ``root``, Parquet and files above
    :data:`DEFLATE_MAX` stored, the rest deflated. :meth:`close` gives its SHA-256."""

    def __init__(self, target: Path, created: datetime, root: str = "") -> None:
        self._stamp = max(created.timetuple()[:6], ZIP_MIN_TIME)
        self._prefix = f"{root}/" if root else ""
        self._raw = open(target, "wb")  # noqa: SIM115 - closed by close()
        self._sink = _HashingSink(self._raw)
        self._zip = zipfile.ZipFile(self._sink, "w")

    def add(self, folder: Path, name: str) -> None:
        """Append the file ``folder/name`` (``name``: a POSIX path) as ``<root>/<name>``."""
        size = (folder / name).stat().st_size
        info = zipfile.ZipInfo(self._prefix + name, date_time=self._stamp)
        info.create_system = 3
        info.external_attr = (0o100644 & 0xFFFF) << 16
        stored = name.endswith(".parquet") or size > DEFLATE_MAX
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        big = size >= zipfile.ZIP64_LIMIT // 2
        with open(folder / name, "rb") as src, self._zip.open(info, "w", force_zip64=big) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def sync(self) -> None:
        """Flush what is written so far to disk (the rest is flushed with the finished file)."""
        self._raw.flush()
        os.fsync(self._raw.fileno())

    def close(self) -> str:
        """Finish the archive (its central directory) and return its SHA-256."""
        try:
            self._zip.close()
        finally:
            self._raw.close()
        return self._sink.sha256.hexdigest()

    def abandon(self) -> None:
        """Close, finished or not (the caller deletes the file)."""
        try:
            self._zip.close()
        except (OSError, ValueError):  # a failed write: the file is deleted anyway
            pass
        finally:
            self._raw.close()


def write_zip(
    folder: Path, names: list[str], target: Path, created: datetime, root: str = ""
) -> str:
    """A reproducible zip of ``names`` (POSIX paths in ``folder``) in the order given, each
    under the folder ``root`` (see :class:`ReleaseZip`); returns the zip's SHA-256."""
    archive = ReleaseZip(target, created, root)
    try:
        for name in names:
            archive.add(folder, name)
    except BaseException:
        archive.abandon()
        raise
    return archive.close()


def fsync_file(path: Path) -> None:
    """Flush a written file to disk before it is renamed into place."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def release_members(folder: Path) -> list[str]:
    """Every file in release folder ``folder`` and its subfolders, as sorted POSIX paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def file_hashes(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` (subfolders too) by POSIX path; ``known`` ones
    (just written) not re-read."""
    known = known or {}
    return {n: known.get(n) or sha256_file(folder / n) for n in release_members(folder)}


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_sums(folder: Path, hashes: dict[str, str]) -> None:
    """``folder/SHA256SUMS``: "<hex>  <path>" per file, sorted by path (``sha256sum -c``
    checks it from the release folder)."""
    (folder / SUMS_NAME).write_text(
        "".join(f"{h}  {n}\n" for n, h in sorted(hashes.items())), encoding="utf-8", newline="\n"
    )
