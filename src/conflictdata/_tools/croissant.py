"""Croissant 1.1 metadata (``croissant.json``) of a release, derived from its descriptor.

Croissant (MLCommons) is the JSON-LD vocabulary that ML tooling reads to find, verify and load
a dataset. Everything here comes from the release's own ``datapackage.json`` (inline schemas,
rows, SHA-256 per table file), so the metadata can never disagree with the release: a
``cr:FileObject`` per file with its SHA-256 (every file but the metadata itself, SHA256SUMS
and the zip, which holds them and so cannot have its hash inside them), a ``cr:RecordSet``
per table keyed by its primary key, and a ``cr:Field`` per column with its type and description.

Foreign keys are not written as Croissant ``references``: a reader treats a reference as a
join to perform while loading (mlcroissant 1.1.1 then fails on Parquet sources, and on a
table that refers to itself finds a cycle), so each RecordSet would no longer load as the
table it is. The keys stay in the release's ``datapackage.json``.

Stdlib only. The text is deterministic (Croissant's own key order, fixed indentation), so
building the same release twice gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._release.layout import (
    CHANGELOG_NAME,
    CHANGES_NAME,
    CROISSANT_NAME,
    CSV_DESCRIPTOR,
    DESCRIPTOR_NAME,
    SUMS_NAME,
    archive_name,
    check_version,
)
from .._release.read import read_release_descriptor
from .._release.verify import sha256_file
from .._tableschema.model import Field, TableSchema
from .._tableschema.package import package_from_descriptor
from .._util.fs import write_text_atomic
from .._util.jsonio import dump_json
from ..errors import DescriptorError

__all__ = [
    "CONFORMS_TO",
    "CROISSANT_NAME",
    "croissant_json",
    "croissant_metadata",
    "dumps_croissant",
    "write_croissant",
]

#: The Croissant version the metadata conforms to.
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"

#: The Croissant 1.1 JSON-LD context, as the reference implementation (mlcroissant) writes it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

#: Table Schema type -> Croissant data type (schema.org).
DATA_TYPES = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "datetime": "sc:DateTime",
    "time": "sc:Time",
    "year": "sc:Integer",
    "yearmonth": "sc:Text",
}

#: The encoding Croissant readers (mlcroissant) recognise for Parquet.
PARQUET_FORMAT = "application/x-parquet"

#: Encodings of the release's other files, by suffix.
_FORMATS = {
    ".json": "application/json",
    ".md": "text/markdown",
    ".html": "text/html",
    ".parquet": PARQUET_FORMAT,
    ".csv": "text/csv",
}
_ABOUT = {
    DESCRIPTOR_NAME: "Frictionless Data Package descriptor: tables, Table Schemas, rows, SHA-256.",
    CHANGELOG_NAME: "Rows added, removed and changed per table since the previous release.",
    CHANGES_NAME: "The change feed: one row per changed cell or row since the previous release.",
    CSV_DESCRIPTOR: "Frictionless Data Package descriptor of the CSV copy of every table.",
}
#: Not described: the metadata itself, the checksum list, and the zip that holds them all.
_SKIPPED = (CROISSANT_NAME, SUMS_NAME)

_SHA256 = re.compile(r"sha256:([0-9a-f]{64})")
#: A table file must be a plain file name in the release folder: no folders, no dot files.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Croissant's key order: these first, long lists last, the rest alphabetically between.
_FIRST = ("@context", "@type", "@id", "name", "description", "conformsTo")
_LAST = ("distribution", "field", "data", "recordSet", "subField", "extract", "transform")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        got = type(value).__name__
        raise DescriptorError(f"release descriptor: {what} must be text, got {got}")
    return value


def _license(desc: dict[str, Any]) -> list[str]:
    """Licence URLs (or names where a licence has no URL), in descriptor order."""
    out = []
    for i, lic in enumerate(desc.get("licenses") or []):
        if not isinstance(lic, dict):
            raise DescriptorError(f"release descriptor: licenses[{i}] must be an object")
        value = lic.get("path") or lic.get("name")
        out.append(_text(value, f"licenses[{i}].path"))
    return out


def _authors(desc: dict[str, Any]) -> list[str]:
    names = []
    for c in desc.get("contributors") or []:
        if isinstance(c, dict) and c.get("role", "author") == "author" and c.get("title"):
            names.append(_text(c["title"], "contributors[].title"))
    return names


def _licence_label(desc: dict[str, Any]) -> str:
    """A short licence label for the citation: CC-BY-4.0 is written CC BY 4.0."""
    names = [lic.get("name") for lic in desc.get("licenses") or [] if isinstance(lic, dict)]
    label = next((n for n in names if isinstance(n, str) and n), "")
    return label.replace("CC-BY-", "CC BY ").replace("-", " ") if label.startswith("CC-") else label


def citation(desc: dict[str, Any]) -> str:
    """How to cite this release, in the README's form: authors (year). title, version. licence."""
    created = _text(desc.get("created", ""), "created")
    year = created[:4] if re.fullmatch(r"[0-9]{4}-.*", created) else ""
    authors = ", ".join(_authors(desc)) or _text(desc.get("name", ""), "name")
    title = _text(desc.get("title") or desc.get("name", ""), "title")
    parts = [f"{authors} ({year})." if year else f"{authors}."]
    parts.append(f"{title}, version {desc['version']}.")
    if label := _licence_label(desc):
        parts.append(f"{label}.")
    if isinstance(desc.get("homepage"), str) and desc["homepage"]:
        parts.append(desc["homepage"])
    return " ".join(parts)


def _file_object(
    name: str, sha256: str, size: int, fmt: str, description: str | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": name,
        "name": name,
        "contentUrl": name,
        "contentSize": f"{size} B",
        "encodingFormat": fmt,
        "sha256": sha256,
    }
    if description:
        obj["description"] = description
    return obj


def _id_part(name: str) -> str:
    """A name as one segment of a relative ``@id``: every character but ASCII letters, digits,
    ``_`` and ``-`` percent-encoded (``/``, ``#``, ``.`` and ``%`` too), so no name is read as
    a path, a fragment or a dot segment, and two names never give the same ``@id``."""
    return quote(name, safe="").replace(".", "%2E").replace("~", "%7E")


def field_id(table: str, field: str) -> str:
    """The ``@id`` of a table's field: ``<table>/<field>``, each part escaped (:func:`_id_part`)."""
    return f"{_id_part(table)}/{_id_part(field)}"


def _field(table: TableSchema, f: Field, file_id: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": field_id(table.name, f.name),
        "name": f.name,
        "dataType": DATA_TYPES[f.type],
        "source": {"fileObject": {"@id": file_id}, "extract": {"column": f.name}},
    }
    if f.description:
        node["description"] = f.description
    return node


def _table_path(res: Any, i: int) -> str:
    """The resource's file name, refused unless a plain .parquet name in the release folder."""
    if not isinstance(res, dict):
        raise DescriptorError(f"release descriptor: resources[{i}] is not an object")
    path = _text(res.get("path"), f"resources[{i}].path")
    if not _FILE_NAME.fullmatch(path) or not path.endswith(".parquet"):
        raise DescriptorError(
            f"release descriptor: resource {res.get('name')!r} has path {path[:80]!r}; "
            "a release table must be a plain .parquet file name in the release folder"
        )
    return path


def _table_file(
    folder: Path, res: dict[str, Any], i: int, known: dict[str, str]
) -> tuple[str, str, int]:
    """The resource's file name, its verified SHA-256 and its size (``known``: hashes of
    files just written, not read again)."""
    path = _table_path(res, i)
    m = _SHA256.fullmatch(str(res.get("hash", "")))
    if m is None:
        raise DescriptorError(
            f"release descriptor: resource {res.get('name')!r} has no 'sha256:<64 hex>' hash"
        )
    target = folder / path
    if not target.is_file() or target.is_symlink():
        raise DescriptorError(f"release {folder}: table file {path} is missing")
    actual = known.get(path) or sha256_file(target)
    if actual != m.group(1):
        raise DescriptorError(
            f"release {folder}: {path} has SHA-256 {actual}, its descriptor says {m.group(1)}"
        )
    return path, actual, target.stat().st_size


def _other_file(folder: Path, name: str, known: dict[str, str]) -> dict[str, Any]:
    """A FileObject for a release file that is not a table: descriptor, changelog, the CSV
    copy (``name``: its POSIX path in the folder, at most one subfolder deep)…"""
    path = folder / name
    fmt = _FORMATS.get(path.suffix)
    parts = name.split("/")
    plain = (
        len(parts) <= 2
        and all(_FILE_NAME.fullmatch(p) for p in parts)
        and path.is_file()
        and not path.is_symlink()
    )
    if fmt is None or not plain:
        raise DescriptorError(
            f"release {folder}: {name[:80]!r} is not a file Croissant metadata can describe "
            f"(a plain file ending in {', '.join(sorted(_FORMATS))})"
        )
    digest = known.get(name) or sha256_file(path)
    return _file_object(name, digest, path.stat().st_size, fmt, _ABOUT.get(name))


def _check_sums(folder: Path, hashes: dict[str, str]) -> None:
    """Where the release already has SHA256SUMS, every hash here must be the one it lists."""
    sums_path = folder / SUMS_NAME
    if not sums_path.is_file():
        return
    listed: dict[str, str] = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, digest in hashes.items():
        if name in listed and listed[name] != digest:
            raise DescriptorError(
                f"release {folder}: {SUMS_NAME} lists {listed[name]} for {name}, "
                f"the file's SHA-256 is {digest}"
            )


def croissant_metadata(
    release_dir: Path | str, known: dict[str, str] | None = None
) -> dict[str, Any]:
    """The Croissant 1.1 metadata of the release folder ``release_dir``, as a JSON-LD dict.

    Raises :class:`DescriptorError` when the descriptor is malformed, names a file outside the
    folder, or a file's bytes differ from the SHA-256 its descriptor (or SHA256SUMS) records.
    ``known``: SHA-256 by file path of files the caller just wrote (a build), taken instead
    of reading them again.
    """
    folder = Path(release_dir)
    desc = read_release_descriptor(folder)
    if not isinstance(desc, dict):
        raise DescriptorError(f"release descriptor {folder / DESCRIPTOR_NAME} is not an object")
    version = check_version(desc.get("version"), "release descriptor version")
    paths: set[str] = set()
    for i, res in enumerate(desc.get("resources") or []):  # our messages before the parser's
        path = _table_path(res, i)
        if path in paths:
            raise DescriptorError(f"release descriptor: two tables have the path {path}")
        paths.add(path)
    package = package_from_descriptor(desc, folder)

    distribution: list[dict[str, Any]] = []
    record_sets = []
    for i, res in enumerate(desc["resources"]):
        table = package.tables[res["name"]]
        if any(d["name"] == res.get("path") for d in distribution):
            raise DescriptorError(f"release descriptor: two tables have the path {res['path']}")
        path, digest, size = _table_file(folder, res, i, known or {})
        rows = res.get("rows")
        about = table.description or table.title
        if isinstance(rows, int) and not isinstance(rows, bool):
            about = f"{about} ({rows} rows)" if about else f"{rows} rows"
        distribution.append(_file_object(path, digest, size, PARQUET_FORMAT, about))
        record_set: dict[str, Any] = {
            "@type": "cr:RecordSet",
            "@id": _id_part(table.name),
            "name": table.name,
            "field": [_field(table, f, path) for f in table.fields],
        }
        if table.description:
            record_set["description"] = table.description
        if table.primary_key:
            record_set["key"] = [{"@id": field_id(table.name, k)} for k in table.primary_key]
        record_sets.append(record_set)
    tables = {d["name"] for d in distribution}
    members = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if not p.is_dir() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    others = [
        _other_file(folder, name, known or {})
        for name in members
        if name not in tables and name not in (*_SKIPPED, archive_name(version))
    ]
    distribution = (
        [o for o in others if o["name"] == DESCRIPTOR_NAME]
        + distribution
        + [o for o in others if o["name"] != DESCRIPTOR_NAME]
    )
    _check_sums(folder, {d["name"]: d["sha256"] for d in distribution})

    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": _text(desc.get("name") or "conflictdata", "name"),
        "conformsTo": CONFORMS_TO,
        "version": version,
        "citeAs": citation(desc),
        "distribution": distribution,
        "recordSet": record_sets,
    }
    if desc.get("description"):
        doc["description"] = _text(desc["description"], "description")
    if desc.get("created"):
        doc["datePublished"] = _text(desc["created"], "created")
    if licenses := _license(desc):
        doc["license"] = licenses[0] if len(licenses) == 1 else licenses
    if desc.get("homepage"):
        doc["url"] = _text(desc["homepage"], "homepage")
    keywords = desc.get("keywords")
    if isinstance(keywords, list) and keywords:
        doc["keywords"] = [_text(k, "keywords[]") for k in keywords]
    if authors := _authors(desc):
        doc["creator"] = [{"@type": "sc:Organization", "name": a} for a in authors]
    return doc


def _ordered(value: Any, key: str | None = None) -> Any:
    """``value`` with every object's keys in Croissant's order (the context kept as it is)."""
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    if not isinstance(value, dict) or key == "@context":
        return value
    first = [k for k in _FIRST if k in value]
    last = [k for k in _LAST if k in value]
    middle = sorted(k for k in value if k not in _FIRST and k not in _LAST)
    return {k: _ordered(value[k], k) for k in (*first, *middle, *last)}


def dumps_croissant(doc: dict[str, Any]) -> str:
    """The deterministic text of a Croissant document: Croissant's key order, two-space
    indent, UTF-8 kept as is but for invisible characters (JSON escapes), one trailing newline."""
    return dump_json(_ordered(doc), indent=2) + "\n"


def croissant_json(release_dir: Path | str, known: dict[str, str] | None = None) -> str:
    """The text of ``croissant.json`` for the release folder ``release_dir``."""
    return dumps_croissant(croissant_metadata(release_dir, known))


def write_croissant(release_dir: Path | str, known: dict[str, str] | None = None) -> Path:
    """Write ``croissant.json`` into the release folder (atomically) and return its path."""
    path = Path(release_dir) / CROISSANT_NAME
    write_text_atomic(path, croissant_json(release_dir, known))
    return path
