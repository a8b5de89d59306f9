"""The data package: its descriptor checked as frictionless 5 checks it (:mod:`.metadata`),
and every resource read into a :class:`Package`: the CSV tables with their schemas, and
the resources that are not tables (their files only)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from .._util.jsonio import read_json
from .._util.text import short_repr
from ..errors import DescriptorError, UnsupportedFeatureError
from .fields import MAX_FIELDS, unsupported
from .metadata import (
    Problem,
    SchemaFileMissingError,
    check_descriptor,
    datapackage_version,
    is_safe_path,
    undefined_keys,
)
from .model import POLICIES, OtherResource, Package, TableSchema, Unread
from .paths import confined_path
from .resources import read_dialect, read_other_file, read_resource_file, resource_kind
from .rules import check_across_tables
from .tables import table_schema_from_dict

__all__ = ["PACKAGE_PROFILES", "datapackage_version", "package_from_descriptor", "read_package"]

#: A table name the build and the loader take (it names the table's file in a release)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

#: Package profiles read here; frictionless checks nothing more for them on CSV tables.
PACKAGE_PROFILES = ("data-package", "tabular-data-package")


def _resource_paths(res: dict[str, Any]) -> list[Any]:
    """The file paths a resource names (its path or parts, its extra paths, a schema file)."""
    out: list[Any] = []
    path = res.get("path")
    out += path if isinstance(path, list) else [path] if isinstance(path, str) else []
    extra = res.get("extrapaths")
    out += extra if isinstance(extra, list) else []
    return out


def _confine_all(resources: list[Any], root: Path, schema_files: bool, lenient: bool) -> None:
    """Every path the descriptor names stays inside the package (a DescriptorError, exit 2,
    before anything is read): the data files and the schema files. ``lenient`` (the
    validator): a data path frictionless calls unsafe (absolute, ``../``, ``~``, a variable)
    is left to the metadata check, which reports it as frictionless does and reads nothing
    of that resource."""
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            continue
        name = res.get("name", f"#{i + 1}")
        what = f"resource {name!r}" if isinstance(name, str) else f"resource #{i + 1}"
        for p in _resource_paths(res):
            if isinstance(p, str) and not (lenient and p and not is_safe_path(p)):
                confined_path(root, p, what)
        schema = res.get("schema")
        if isinstance(schema, str):
            if not schema_files:
                raise DescriptorError(
                    f"{what}: the schema must be inline here, not the path {short_repr(schema, 200)}"
                )
            confined_path(root, schema, f"{what} schema")


def package_from_descriptor(
    descriptor: dict[str, Any],
    root: Path | str,
    *,
    schema_files: bool = True,
    lenient: bool = False,
) -> Package:
    """A :class:`Package` from a descriptor dict. Every resource path and schema path must be
    a relative, normalised path inside ``root`` (symbolic links resolved); with
    ``schema_files=False`` (a descriptor from elsewhere) every schema must be inline.

    The descriptor is first checked as frictionless 5 checks its metadata. By default the
    first metadata error is a DescriptorError (a release, the seeds to build). ``lenient``
    (the validator): they are kept in :attr:`Package.problems`, each to be reported where
    it is, and every resource they leave whole is still read; a resource that cannot be
    read exactly is then only listed as not read (:attr:`Package.unread`) when there are
    such errors already (the package is invalid either way), and refused otherwise."""
    root = Path(root)
    if not isinstance(descriptor, dict):
        raise DescriptorError("a data package descriptor must be a JSON object")
    resources = descriptor.get("resources")
    if isinstance(resources, list) and len(resources) > MAX_FIELDS:
        raise DescriptorError(
            f"the data package descriptor lists {len(resources):,} resources (limit {MAX_FIELDS:,})"
        )
    policy = _policy(descriptor)
    _confine_all(resources if isinstance(resources, list) else [], root, schema_files, lenient)
    schema_docs: dict[int, Any] = {}

    def read_schema(i: int, path: str) -> Any:
        if i not in schema_docs:
            if not (root / path).exists():
                raise SchemaFileMissingError(f"the schema file {short_repr(path, 200)} is missing")
            schema_docs[i] = read_json(root / path, f"table schema {path!r}")
        return schema_docs[i]

    problems = list(check_descriptor(descriptor, read_schema))
    if problems and not lenient:
        raise DescriptorError(_problem_line(problems[0]))
    if not isinstance(resources, list):
        resources = []
    skip = {p.resource for p in problems if p.resource is not None and p.kind != "package"}
    version = datapackage_version(descriptor)
    tables: dict[str, TableSchema] = {}
    others: list[OtherResource] = []
    unread: list[Unread] = []
    seen_paths: dict[Path, str] = {}
    for i, res in enumerate(resources):
        if i in skip or not isinstance(res, dict):
            continue
        name = res.get("name")
        if not isinstance(name, str):
            continue  # a metadata error: reported, not read
        if not lenient and not _NAME.fullmatch(name):  # a release's or the build's: a file name
            raise DescriptorError(
                f"resource #{i + 1}: name {short_repr(name)} must be 1 to 64 "
                "letters, digits, '_' or '-'"
            )
        if name in tables:  # two of one name: a metadata error, reported; the first is read
            unread.append(Unread(name, f"resources[{i}]: a table of this name is read already"))
            continue
        try:
            if resource_kind(res, name) == "unreadable table":
                fmt = res.get("format") or str(res.get("path")).rsplit(".", 1)[-1]
                p = Problem("format", f"format {short_repr(fmt)} has no table reader", i, name)
                if not lenient:
                    raise DescriptorError(_problem_line(p))
                problems.append(p)
                continue
            table = _read_resource(res, i, name, root, version, read_schema, lenient)
        except DescriptorError as exc:
            if not (lenient and problems):
                raise
            unread.append(Unread(name, str(exc)))
            continue
        if isinstance(table, OtherResource):
            others.append(table)
            continue
        for part in table.source.paths if table.source else ():
            key = (root / part).resolve()
            if key in seen_paths:
                raise DescriptorError(
                    f"resource {name!r}: path {short_repr(part, 200)} is "
                    f"also the path of resource {seen_paths[key]!r}"
                )
            seen_paths[key] = name
        tables[name] = table
    names = {r["name"] for r in resources if isinstance(r, dict) and isinstance(r.get("name"), str)}
    tables, missing_refs, notes = _with_references(tables, names, lenient)
    problems = [*problems, *missing_refs]
    unread += notes
    for t in tables.values():
        check_across_tables(t, tables)
    return Package(
        policy=policy,
        name=str(descriptor.get("name", "")),
        version=str(descriptor.get("version", "")),
        title=str(descriptor.get("title", "")),
        root=root,
        descriptor=descriptor,
        tables=tables,
        problems=tuple(problems),
        others=tuple(others),
        unread=tuple(unread),
        undefined=tuple(undefined_keys(descriptor)),
    )


def _read_resource(
    res: dict[str, Any],
    i: int,
    name: str,
    root: Path,
    version: str,
    read_schema: Any,
    lenient: bool = False,
) -> TableSchema | OtherResource:
    """One resource frictionless finds valid as metadata: a CSV table (its file keys,
    dialect and schema read; without a schema, for the validator, one to infer), or a
    resource that is not a table (its file keys)."""
    kind = resource_kind(res, name)
    if kind != "table":
        return read_other_file(res, name, root, kind)
    source = read_resource_file(res, name, root)
    dialect = read_dialect(res, name)
    schema = res.get("schema")
    schema_path = None
    if isinstance(schema, str):
        schema_path = schema
        schema = read_schema(i, schema)
    if schema is None:
        if not lenient or not dialect.header:
            raise unsupported(
                "resource without a schema",
                None,
                name,
                "declare it" if lenient else "a schema is inferred only when validating",
            )
        return TableSchema(
            name, source.paths[0], "", "", (), (), source=source, dialect=dialect, inferred=True
        )
    return dataclasses.replace(
        table_schema_from_dict(name, source.paths[0], schema, schema_path, version=version),
        source=source,
        dialect=dialect,
    )


def _with_references(
    tables: dict[str, TableSchema], names: set[str], lenient: bool
) -> tuple[dict[str, TableSchema], list[Problem], list[Unread]]:
    """Foreign keys checked against the resources: one onto a resource the package does not
    list is frictionless' resource-error for its table, which is then not validated (a
    problem of kind ``reference``); one onto a resource listed but not read as a table is
    left out, saying so."""
    out: dict[str, TableSchema] = {}
    problems: list[Problem] = []
    notes: list[Unread] = []
    for t in tables.values():
        missing = [fk for fk in t.foreign_keys if fk.resource not in names]
        if not missing:
            out[t.name] = t
            continue
        message = (
            f"table {t.name!r}: foreign key {list(missing[0].fields)} refers to "
            f"resource {short_repr(missing[0].resource)}, which the package does not have"
        )
        if not lenient:
            raise DescriptorError(message)
        problems.append(Problem("reference", message, None, t.name))
    for name, t in list(out.items()):
        keep = tuple(fk for fk in t.foreign_keys if fk.resource in out)
        for fk in t.foreign_keys:
            if fk.resource not in out:
                notes.append(
                    Unread(
                        name,
                        f"foreign key {list(fk.fields)} not checked: resource "
                        f"{fk.resource!r} is not read as a table",
                    )
                )
        if len(keep) != len(t.foreign_keys):
            kept = {fk.fields for fk in keep}
            rules = tuple(r for r in t.relation_rules if (r.foreign_key,) in kept)
            out[name] = dataclasses.replace(t, foreign_keys=keep, relation_rules=rules)
    return out, problems, notes


def _problem_line(p: Problem) -> str:
    """A metadata error as the one line of a DescriptorError (the strict reading)."""
    where = f" ({p.where})" if p.where else ""
    return f"the descriptor{where}: {p.message} (frictionless 5: {p.kind}-error)"


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


def read_package(
    descriptor_path: Path | str = "datapackage.json", *, lenient: bool = False
) -> Package:
    """Read ``datapackage.json`` and every Table Schema it names; raise :class:`DescriptorError`
    (``lenient``: metadata errors kept in the package, see :func:`package_from_descriptor`)."""
    path = Path(descriptor_path)
    if path.suffix.lower() in (".yaml", ".yml"):
        raise UnsupportedFeatureError(
            "YAML descriptor", path.name, why="only JSON descriptors are read; convert it"
        )
    pkg = package_from_descriptor(
        read_json(path, "data package descriptor"), path.parent, lenient=lenient
    )
    return dataclasses.replace(pkg, descriptor_name=path.name)
