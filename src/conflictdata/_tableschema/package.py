"""The data package: its descriptor and every resource read into a :class:`Package`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError, UnsupportedFeatureError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.jsonio import read_json
from .._util.text import short_repr
from .fields import MAX_FIELDS, unsupported
from .model import POLICIES, Package, TableSchema
from .paths import confined_path
from .resources import read_dialect, read_resource_file
from .rules import check_across_tables
from .tables import table_schema_from_dict

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def datapackage_version(descriptor: dict[str, Any]) -> str:
    """ "v1", "v2" or "unknown": the Data Package version a descriptor's ``$schema`` declares,
    as frictionless 5 resolves it (none: v1; a datapackage.org profile: its number; any
    other URL: unknown, which accepts both)."""
    url = descriptor.get("$schema") if isinstance(descriptor, dict) else None
    if not url:
        return "v1"
    m = re.fullmatch(r"https?://datapackage\.org(/[^?#]*)", url) if isinstance(url, str) else None
    major = re.search(r"/profiles/(\d+)\.\d+/", m[1]) if m else None
    return {"1": "v1", "2": "v2"}.get(major[1], "unknown") if major else "unknown"


#: Keys that belong to a resource or its schema, not the package (frictionless 5 reports a
#: package-error for them rather than reading them).
_MISPLACED_PACKAGE_KEYS = (
    "missingValues",
    "dialect",
    "schema",
    "fields",
    "primaryKey",
    "foreignKeys",
    "path",
    "data",
    "encoding",
    "format",
)

#: Package profiles read here; frictionless checks nothing more for them on CSV tables.
PACKAGE_PROFILES = ("data-package", "tabular-data-package")


def _check_package_keys(descriptor: dict[str, Any]) -> None:
    """Package-level keys that would change how the tables are read are refused, not
    ignored: a resource's key at the package level, or a profile other than the standard."""
    for k in _MISPLACED_PACKAGE_KEYS:
        if k in descriptor:
            raise DescriptorError(
                f"the data package descriptor has {k!r} at the package "
                f"level; it belongs in a resource (frictionless 5: "
                "package-error)"
            )
    profile = descriptor.get("profile")
    if profile is not None and profile not in PACKAGE_PROFILES:
        raise UnsupportedFeatureError(
            "package profile", profile, why=f"read: {', '.join(PACKAGE_PROFILES)}"
        )


def package_from_descriptor(
    descriptor: dict[str, Any], root: Path | str, *, schema_files: bool = True
) -> Package:
    """A :class:`Package` from a descriptor dict. Every resource path and schema path must be
    a relative, normalised path inside ``root`` (symbolic links resolved); with
    ``schema_files=False`` (a descriptor from elsewhere) every schema must be inline."""
    root = Path(root)
    if not isinstance(descriptor, dict):
        raise DescriptorError("a data package descriptor must be a JSON object")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise DescriptorError("the data package descriptor has no 'resources' list")
    _check_package_keys(descriptor)
    if len(resources) > MAX_FIELDS:
        raise DescriptorError(
            f"the data package descriptor lists {len(resources):,} resources (limit {MAX_FIELDS:,})"
        )
    tables: dict[str, TableSchema] = {}
    seen_paths: dict[Path, str] = {}
    for i, res in enumerate(resources):
        if isinstance(res, dict) and "data" in res and "path" not in res:
            raise unsupported(
                "inline data", None, str(res.get("name", f"#{i + 1}")), "put the rows in a CSV file"
            )
        if not isinstance(res, dict) or "name" not in res or "path" not in res:
            raise DescriptorError(f"resource #{i + 1} needs a 'name' and a 'path'")
        name = res["name"]
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise DescriptorError(
                f"resource #{i + 1}: name {short_repr(name)} must be 1 to 64 "
                "letters, digits, '_' or '-'"
            )
        if name in tables:
            raise DescriptorError(f"resource {name!r} is listed twice")
        source = read_resource_file(res, name, root)
        dialect = read_dialect(res, name)
        for part in source.paths:
            key = confined_path(root, part, f"resource {name!r}").resolve()
            if key in seen_paths:
                raise DescriptorError(
                    f"resource {name!r}: path {short_repr(part, 200)} is "
                    f"also the path of resource {seen_paths[key]!r}"
                )
            seen_paths[key] = name
        schema = res.get("schema")
        schema_path = None
        if isinstance(schema, str):
            if not schema_files:
                raise DescriptorError(
                    f"resource {name!r}: the schema must be inline here, "
                    f"not the path {short_repr(schema, 200)}"
                )
            schema_path = schema
            schema_file = confined_path(root, schema, f"resource {name!r} schema")
            schema = read_json(schema_file, f"table schema for {name!r}")
        if schema is None:
            raise unsupported(
                "resource without a schema", None, name, "frictionless would infer one; declare it"
            )
        tables[name] = dataclasses.replace(
            table_schema_from_dict(
                name, source.paths[0], schema, schema_path, version=datapackage_version(descriptor)
            ),
            source=source,
            dialect=dialect,
        )
    for t in tables.values():
        for fk in t.foreign_keys:
            if fk.resource not in tables:
                raise DescriptorError(
                    f"table {t.name!r}: foreign key {list(fk.fields)} refers to unknown "
                    f"table {short_repr(fk.resource)}"
                )
    for t in tables.values():
        check_across_tables(t, tables)
    return Package(
        policy=_policy(descriptor),
        name=str(descriptor.get("name", "")),
        version=str(descriptor.get("version", "")),
        title=str(descriptor.get("title", "")),
        root=root,
        descriptor=descriptor,
        tables=tables,
    )


def _policy(descriptor: dict[str, Any]) -> str:
    """The validation policy a descriptor declares under ``conflictdata.policy``."""
    own = descriptor.get("conflictdata")
    if own is None:
        return "spec"
    policy = own.get("policy", "spec") if isinstance(own, dict) else own
    if not isinstance(own, dict) or policy not in POLICIES:
        raise DescriptorError(
            f"the descriptor's conflictdata.policy must be one of "
            f"{', '.join(POLICIES)}, not {short_repr(policy)}"
        )
    return str(policy)


def read_package(descriptor_path: Path | str = "datapackage.json") -> Package:
    """Read ``datapackage.json`` and every Table Schema it names; raise :class:`DescriptorError`."""
    path = Path(descriptor_path)
    return package_from_descriptor(read_json(path, "data package descriptor"), path.parent)
