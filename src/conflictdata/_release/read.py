"""Reading a release folder: its descriptor and the package it describes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._util.jsonio import read_json
from ..errors import DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    from .._tableschema.model import Package, TableSchema
from .layout import DESCRIPTOR_NAME


def read_release_descriptor(folder: Path | str) -> dict[str, Any]:
    """The ``datapackage.json`` of a release folder."""
    path = Path(folder) / DESCRIPTOR_NAME
    if not path.exists():
        raise DescriptorError(f"not a release folder (no {DESCRIPTOR_NAME}): {folder}")
    value = read_json(path, "release descriptor")
    if not isinstance(value, dict):
        raise DescriptorError(f"release descriptor {path} is not a JSON object")
    return value


@dataclass(frozen=True)
class ReleaseFolder:
    """A release folder read once: its descriptor as parsed JSON and its tables' schemas."""

    folder: Path
    descriptor: dict[str, Any]
    package: Package

    @property
    def version(self) -> str:
        return self.package.version

    @property
    def tables(self) -> dict[str, TableSchema]:
        return self.package.tables


def read_release(folder: Path | str, descriptor: dict[str, Any] | None = None) -> ReleaseFolder:
    """The one reader of a release folder (build, diff and loader use it): its descriptor
    (``descriptor``: already read and checked, e.g. one a server sent) parsed with every
    schema inline, since a release descriptor is self-contained and names no file elsewhere."""
    from .._tableschema.package import package_from_descriptor

    folder = Path(folder)
    data = read_release_descriptor(folder) if descriptor is None else descriptor
    if not isinstance(data, dict):
        raise DescriptorError(f"release descriptor {folder / DESCRIPTOR_NAME} is not a JSON object")
    return ReleaseFolder(folder, data, package_from_descriptor(data, folder, schema_files=False))
