"""Writing a release: its descriptor, zip, checksums, flushed to disk."""

from __future__ import annotations

import json
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
    src = package.descriptor
    desc: dict[str, Any] = {}
    for key in COPIED_KEYS:
        if key in src:
            desc[key] = src[key]
    desc["version"] = package.version
    desc["created"] = created
    desc = {k: desc[k] for k in COPIED_KEYS if k in desc}
    if previous is not None:
        desc[PREVIOUS_KEY] = previous
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res: dict[str, Any] = {"name": t.name, "path": out.path}
        if t.title and t.title != t.name:
            res["title"] = t.title
        if t.description:
            res["description"] = t.description
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
    """JSON as every release file writes it: two-space indent, UTF-8 kept, one final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_zip(
    folder: Path, names: list[str], target: Path, created: datetime, root: str = ""
) -> None:
    """A reproducible zip of ``names`` (POSIX paths in ``folder``), each under the folder
    ``root`` when given: sorted, fixed times and permissions, Parquet stored (already
    compressed), the rest deflated."""
    stamp = max(created.timetuple()[:6], ZIP_MIN_TIME)
    prefix = f"{root}/" if root else ""
    with zipfile.ZipFile(target, "w") as zf:
        for name in sorted(names):
            info = zipfile.ZipInfo(prefix + name, date_time=stamp)
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
            )
            big = (folder / name).stat().st_size >= zipfile.ZIP64_LIMIT // 2
            with open(folder / name, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


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
