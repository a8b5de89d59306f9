"""``index.json``: every release of a build output folder, always derived from the folders."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import (
    DescriptorError,
)

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.fs import write_text_atomic
from .._util.jsonio import dump_json, read_json
from .layout import DESCRIPTOR_NAME, INDEX_NAME, archive_name, is_valid_version, list_release_dirs
from .read import read_release_descriptor
from .verify import sha256_file


@dataclass(frozen=True)
class ReleaseEntry:
    """One release as listed in ``index.json`` (paths relative to the index's folder)."""

    version: str
    created: str
    archive: str
    archive_sha256: str
    descriptor: str
    #: SHA-256 of the release descriptor: what the next release's ``previous`` link names.
    descriptor_sha256: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "version": self.version,
            "created": self.created,
            "archive": self.archive,
            "archive_sha256": self.archive_sha256,
            "descriptor": self.descriptor,
            "descriptor_sha256": self.descriptor_sha256,
        }


def read_index(out: Path | str) -> list[ReleaseEntry]:
    """Entries of ``out/index.json`` as written (empty list when there is none yet). An entry
    whose version is not a release version, or whose paths are not that version's, is left
    out: an index never names a folder. See :func:`index_entries` for what is really there."""
    path = Path(out) / INDEX_NAME
    if not path.exists():
        return []
    try:
        data = read_json(path, "release index")
        rows = data["releases"]
        if not isinstance(rows, list):
            raise TypeError("'releases' is not a list")
        entries = []
        for r in rows:
            if not isinstance(r, dict) or not is_valid_version(r.get("version")):
                continue
            fields = {
                k: r.get(k, "") if k == "descriptor_sha256" else r.get(k)
                for k in ReleaseEntry.__dataclass_fields__
            }
            texts = {k: v for k, v in fields.items() if isinstance(v, str)}
            if len(texts) != len(fields):
                continue
            entry = ReleaseEntry(**texts)
            if (entry.archive, entry.descriptor) != _entry_paths(entry.version):
                continue
            entries.append(entry)
        return entries
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise DescriptorError(f"release index {path} is unreadable: {exc}") from None


def _entry_paths(version: str) -> tuple[str, str]:
    """The archive and descriptor paths an index lists for ``version``."""
    return f"{version}/{archive_name(version)}", f"{version}/{DESCRIPTOR_NAME}"


def index_entries(
    out: Path | str, archive_sha256: dict[str, str] | None = None
) -> list[ReleaseEntry]:
    """What ``out/index.json`` should list: one entry per release folder that has its archive,
    oldest first. A hash is taken from ``archive_sha256`` (version -> hash of an archive just
    written), else from the index when its entry agrees with the folder, else computed."""
    out = Path(out)
    fresh = archive_sha256 or {}
    try:
        known = {e.version: e for e in read_index(out)}
    except DescriptorError:  # a corrupt index is rebuilt from the folders
        known = {}
    entries = []
    for version, folder in list_release_dirs(out).items():
        archive, descriptor = _entry_paths(version)
        if not (out / archive).is_file():
            continue
        entry = ReleaseEntry(
            version=version,
            created=_created(folder),
            archive=archive,
            archive_sha256="",
            descriptor=descriptor,
            descriptor_sha256=sha256_file(folder / DESCRIPTOR_NAME),
        )
        old = known.get(version)
        sha = fresh.get(version)
        if sha is None and old is not None and old.created == entry.created:
            sha = old.archive_sha256
        entries.append(replace(entry, archive_sha256=sha or sha256_file(out / archive)))
    return entries


def _created(folder: Path) -> str:
    """The ``created`` of a release folder's descriptor ("" when it has none)."""
    desc = read_release_descriptor(folder)
    created = desc.get("created", "") if isinstance(desc, dict) else ""
    return created if isinstance(created, str) else ""


def index_is_current(out: Path | str) -> bool:
    """True when ``out/index.json`` lists exactly the releases in ``out`` (by version,
    created and paths); False for a missing, unreadable or stale index."""
    try:
        listed = read_index(out)
    except DescriptorError:
        return False
    if not (Path(out) / INDEX_NAME).is_file():
        return False
    present = list_release_dirs(out)
    wanted = {}
    for version, folder in present.items():
        archive, descriptor = _entry_paths(version)
        if (Path(out) / archive).is_file():
            wanted[version] = (
                _created(folder),
                archive,
                descriptor,
                sha256_file(folder / DESCRIPTOR_NAME),
            )
    have = {e.version: (e.created, e.archive, e.descriptor, e.descriptor_sha256) for e in listed}
    return have == wanted and len(listed) == len(have)


def write_index(
    out: Path | str, name: str = "conflictdata", archive_sha256: dict[str, str] | None = None
) -> Path:
    """Write ``out/index.json`` atomically from the release folders present (see
    :func:`index_entries`). Call it holding :func:`publish_lock`."""
    out = Path(out)
    entries = index_entries(out, archive_sha256)
    doc = {"name": name, "releases": [e.to_dict() for e in entries]}
    path = out / INDEX_NAME
    write_text_atomic(path, dump_json(doc, indent=2) + "\n")
    return path
