"""The descriptor checked as frictionless 5 checks it before it reads any table: its metadata
profiles (a JSON Schema per level: package, resource, dialect, schema, field, CSV control)
and the rules it adds to each, in frictionless' own order, so that the kinds of error found
are the ones frictionless reports (package-error, resource-error, dialect-error,
control-error, schema-error, field-error).

What frictionless does, and this mirrors: it first rewrites old spellings (a path list, a
primary key as a string, ``fmt:`` formats, ...), then checks each level against its
profile, descending into resources, dialects, schemas and fields; a level with an error
there (its own, or a child's) skips its own further rules. A field or resource ``type`` it
does not know ends the check with that one error. Dialect options and schemas written as
file paths are only read once everything else is valid. The checks of what frictionless
reads from the data (``reference.resource`` pointing to a table that exists) are not here:
they happen when the table is validated.

Keys a profile does not name are accepted and ignored, at every level, as frictionless
does. :func:`undefined_keys` lists them (the strict policy's lint names them)."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .._types.cells import TYPES
from .._types.spec import At
from .._util.text import short_repr
from ..errors import DescriptorError, RefusedCellsError, UnsupportedFeatureError

__all__ = [
    "FIELD_TYPES",
    "KINDS",
    "Problem",
    "SchemaFileMissingError",
    "check_descriptor",
    "datapackage_version",
    "undefined_keys",
]

#: The kinds of metadata error, as frictionless names them.
KINDS = ("package", "resource", "dialect", "control", "schema", "field")

_NAME_PATTERN = "^([-a-z0-9._/])+$"
_TYPE_PATTERN = "^([-a-z/])+$"

#: Every field type frictionless 5 knows, with the constraints each takes (unique besides);
#: a type outside these ends its metadata check with one field-error.
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "any": ("required", "enum"),
    "array": ("required", "minLength", "maxLength", "enum"),
    "boolean": ("required", "enum"),
    "date": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "datetime": (
        "required",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
    ),
    "duration": ("required", "enum"),
    "geojson": ("required", "enum"),
    "geopoint": ("required", "enum"),
    "integer": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "list": ("required", "minLength", "maxLength"),
    "number": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "object": ("required", "minLength", "maxLength", "enum"),
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "time": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "year": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "yearmonth": (
        "required",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
    ),
}

_STRING = {"type": "string"}
_LICENSES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": _STRING, "path": _STRING, "title": _STRING},
    },
}
_SOURCES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"title": _STRING, "path": _STRING, "email": _STRING},
    },
}
_MISSING_VALUES = {
    "anyOf": [
        {"type": "array", "items": _STRING},
        {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["value"],
                "properties": {"value": _STRING, "label": _STRING},
            },
        },
    ]
}

#: frictionless 5.21's metadata profiles (``metadata_profile`` of Package, Resource,
#: Dialect, Schema, Field, and the CSV control), with each field type's patch.
PACKAGE_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        "name": _STRING,
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "homepage": _STRING,
        "profile": _STRING,
        "licenses": _LICENSES,
        "sources": _SOURCES,
        "contributors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": _STRING,
                    "path": _STRING,
                    "email": _STRING,
                    "organisation": _STRING,
                    "role": _STRING,
                },
            },
        },
        "keywords": {"type": "array", "items": _STRING},
        "image": _STRING,
        "version": _STRING,
        "created": _STRING,
        "resources": {"type": "array", "items": {"type": "object"}},
    },
}
RESOURCE_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _STRING,
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "homepage": _STRING,
        "profile": _STRING,
        "licenses": _LICENSES,
        "sources": _SOURCES,
        "path": _STRING,
        "data": {"type": ["object", "array"]},
        "scheme": _STRING,
        "format": _STRING,
        "mediatype": _STRING,
        "compression": _STRING,
        "extrapaths": {"type": "array"},
        "innerpath": _STRING,
        "encoding": _STRING,
        "hash": _STRING,
        "bytes": {"type": "integer"},
        "fields": {"type": "integer"},
        "rows": {"type": "integer"},
        "dialect": {"type": ["object", "string"]},
        "schema": {"type": ["object", "string"]},
    },
}
DIALECT_PROFILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": _NAME_PATTERN},
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "header": {"type": "boolean"},
        "headerRows": {"type": "array"},
        "headerJoin": _STRING,
        "headerCase": {"type": "boolean"},
        "commentChar": _STRING,
        "commentRows": {"type": "array"},
        "skipBlankRows": {"type": "boolean"},
    },
}
#: the CSV options of a dialect (frictionless moves them into its "csv" control)
CSV_CONTROL_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "name": {"type": "string", "pattern": _NAME_PATTERN},
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "delimiter": _STRING,
        "lineTerminator": _STRING,
        "quoteChar": _STRING,
        "doubleQuote": {"type": "boolean"},
        "escapeChar": _STRING,
        "nullSequence": _STRING,
        "skipInitialSpace": {"type": "boolean"},
    },
}
CSV_KEYS = (
    "delimiter",
    "lineTerminator",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "nullSequence",
    "skipInitialSpace",
)
SCHEMA_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["fields"],
    "properties": {
        "name": {"type": "string", "pattern": _NAME_PATTERN},
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "fields": {"type": "array"},
        "fieldsMatch": {
            "type": "string",
            "enum": ["exact", "equal", "subset", "superset", "partial"],
        },
        "missingValues": _MISSING_VALUES,
        "primaryKey": {"type": "array", "items": _STRING},
        "foreignKeys": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "fields": {"type": "array", "items": _STRING},
                    "reference": {
                        "type": "object",
                        "required": ["resource", "fields"],
                        "properties": {
                            "resource": _STRING,
                            "fields": {"type": "array", "items": _STRING},
                        },
                    },
                },
            },
        },
    },
}
FIELD_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _STRING,
        "type": {"type": "string", "pattern": _TYPE_PATTERN},
        "title": _STRING,
        "description": _STRING,
        "format": _STRING,
        "missingValues": _MISSING_VALUES,
        "constraints": {
            "type": "object",
            "properties": {
                "required": {"type": "boolean"},
                "unique": {"type": "boolean"},
                "pattern": _STRING,
                "enum": {"type": "array"},
                "minLength": {"type": "integer"},
                "maxLength": {"type": "integer"},
                "minimum": {},
                "maximum": {},
                "exclusiveMinimum": {},
                "exclusiveMaximum": {},
            },
        },
        "rdfType": _STRING,
        "example": {},
    },
}
_NUMBER_OPTIONS = {"bareNumber": {"type": "boolean"}}
FIELD_PATCHES: dict[str, dict[str, Any]] = {
    "array": {"arrayItem": {"type": "object"}},
    "boolean": {
        "trueValues": {"type": "array", "items": _STRING},
        "falseValues": {"type": "array", "items": _STRING},
    },
    "geojson": {"format": {"type": "string", "enum": ["default", "topojson"]}},
    "integer": _NUMBER_OPTIONS,
    "list": {
        "delimiter": _STRING,
        "itemType": {
            "type": "string",
            "enum": ["string", "integer", "boolean", "number", "datetime", "date", "time"],
        },
    },
    "number": {
        **_NUMBER_OPTIONS,
        "floatNumber": {"type": "boolean"},
        "decimalChar": _STRING,
        "groupChar": _STRING,
    },
    "string": {
        "format": {
            "type": "string",
            "enum": ["default", "email", "uri", "binary", "uuid", "wkt"],
        }
    },
}


def _field_profile(ftype: str) -> dict[str, Any]:
    patch = FIELD_PATCHES.get(ftype)
    if not patch:
        return FIELD_PROFILE
    return {**FIELD_PROFILE, "properties": {**FIELD_PROFILE["properties"], **patch}}


# -- the JSON Schema subset the profiles use ---------------------------------------------------

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def _json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema's ``enum`` has it: a boolean is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _schema_errors(schema: dict[str, Any], value: Any, path: str) -> Iterator[str]:
    """The errors jsonschema finds in ``value`` against ``schema`` (type, required,
    properties, items, pattern, enum, anyOf: what the profiles use), as messages."""
    at = f" at property '{path}'" if path else ""
    t = schema.get("type")
    if t is not None:
        names = [t] if isinstance(t, str) else list(t)
        if not any(_JSON_TYPES[n](value) for n in names):
            yield f"{short_repr(value)} is not of type {' or '.join(map(repr, names))}{at}"
    if "enum" in schema and not any(_json_equal(value, e) for e in schema["enum"]):
        yield f"{short_repr(value)} is not one of {schema['enum']}{at}"
    if "anyOf" in schema and not any(
        not any(True for _ in _schema_errors(s, value, path)) for s in schema["anyOf"]
    ):
        yield f"{short_repr(value)} is not valid under any of the given schemas{at}"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        yield f"{short_repr(value)} does not match {schema['pattern']!r}{at}"
    if isinstance(value, dict):
        for k in schema.get("required", ()):
            if k not in value:
                yield f"{k!r} is a required property{at}"
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                yield from _schema_errors(sub, value[k], f"{path}/{k}" if path else k)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _schema_errors(schema["items"], item, f"{path}/{i}" if path else str(i))


# -- what is found -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One metadata error: its ``kind`` (one of :data:`KINDS`), the resource it is in (by
    position, and its name when the name is a string), the field, and where in the
    descriptor (``resources[2].schema.fields[0]``)."""

    kind: str
    message: str
    resource: int | None = None
    name: str | None = None
    field: str | None = None
    where: str = ""
    #: the file the error is in when it is not the package descriptor (a schema file)
    file: str | None = None


class SchemaFileMissingError(DescriptorError):
    """A schema path names no file: frictionless' schema-error ("cannot retrieve metadata").
    A file that is there but cannot be read as bounded JSON still stops the run."""


class _Ended(Exception):
    """frictionless stops its whole check here (a type it does not know): only this error."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class _Place:
    resource: int | None = None
    name: str | None = None
    field: str | None = None
    where: str = ""

    def at(self, kind: str, message: str) -> Problem:
        return Problem(kind, message, self.resource, self.name, self.field, self.where)


def datapackage_version(descriptor: Any) -> str:
    """ "v1", "v2" or "unknown": the Data Package version a descriptor's ``$schema`` declares,
    as frictionless 5 resolves it (none: v1; a datapackage.org profile: its number; any
    other URL: unknown, which accepts both)."""
    url = descriptor.get("$schema") if isinstance(descriptor, dict) else None
    if not url:
        return "v1"
    m = re.fullmatch(r"https?://datapackage\.org(/[^?#]*)", url) if isinstance(url, str) else None
    major = re.search(r"/profiles/(\d+)\.\d+/", m[1]) if m else None
    return {"1": "v1", "2": "v2"}.get(major[1], "unknown") if major else "unknown"


def _name_note(name: str, version: str) -> str | None:
    if version != "v1" or re.search(_NAME_PATTERN, name):
        return None
    return f"{name!r} does not match {_NAME_PATTERN!r} at property 'name' (Data Package v1)"


def is_safe_path(path: str) -> bool:
    """frictionless' is_safe_path: not absolute, no '../', no '~', no variables, no file:."""
    return not (
        os.path.isabs(path)
        or f"..{os.path.sep}" in path
        or path.startswith("~")
        or os.path.expandvars(path) != path
        or re.match(r"%.+%", path)
        or re.match(r"\$.+", path)
        or urlparse(path).scheme == "file"
    )


def _emails(d: dict[str, Any], kind: str, place: _Place) -> Iterator[Problem]:
    from .._types.text import is_email

    for key in ("contributors", "sources"):
        for item in d.get(key, []):
            email = item.get("email")
            if email and not is_email(email):
                yield place.at(kind, f"{key}[].email {short_repr(email)} is not an email address")


def _licenses(d: dict[str, Any], kind: str, place: _Place) -> Iterator[Problem]:
    for item in d.get("licenses", []):
        if not item.get("path") and not item.get("name"):
            yield place.at(kind, f"a licence needs a 'path' or a 'name': {short_repr(item, 100)}")


# -- rewriting old spellings, as frictionless does first -------------------------------------------


def _transform_field(f: dict[str, Any], place: _Place) -> None:
    ftype = f.get("type") or "string"
    if not isinstance(ftype, str) or ftype not in FIELD_TYPES:
        raise _Ended(
            place.at("field", f"field type {short_repr(ftype)} is not a Table Schema type")
        )
    fmt = f.get("format")
    if isinstance(fmt, str) and fmt.startswith("fmt:"):
        f["format"] = fmt.replace("fmt:", "")


def _transform_schema(s: dict[str, Any], place: _Place) -> None:
    fields = s.get("fields")
    if isinstance(fields, list):
        for i, f in enumerate(fields):
            if isinstance(f, dict):
                name = f.get("name") if isinstance(f.get("name"), str) else None
                _transform_field(f, _field_place(place, i, name))
    pk = s.get("primaryKey")
    if pk and not isinstance(pk, list):
        s["primaryKey"] = [pk]
    fks = s.get("foreignKeys")
    for fk in fks if isinstance(fks, list) else ():  # any other value: the profile check says so
        if not isinstance(fk, dict):
            continue
        fk.setdefault("fields", [])
        ref = fk.setdefault("reference", {})
        if not isinstance(ref, dict):
            raise _Ended(place.at("schema", "a foreign key's reference must be an object"))
        ref.setdefault("resource", "")
        ref.setdefault("fields", [])
        if not isinstance(fk["fields"], list):
            fk["fields"] = [fk["fields"]]
        if not isinstance(ref["fields"], list):
            ref["fields"] = [ref["fields"]]


def _field_place(place: _Place, i: int, name: str | None) -> _Place:
    where = f"{place.where}.fields[{i}]" if place.where else f"fields[{i}]"
    return _Place(place.resource, place.name, name, where)


_RESOURCE_TYPES = ("table", "file", "json", "text")


def _transform_resource(r: dict[str, Any], place: _Place) -> None:
    rtype = r.get("type")
    if rtype is not None and rtype not in _RESOURCE_TYPES:
        raise _Ended(place.at("resource", f"resource type {short_repr(rtype)} is not known"))
    dialect = r.get("dialect")
    if isinstance(dialect, dict):
        for k in CSV_KEYS:
            v = dialect.pop(k, None)
            if v is not None:
                dialect.setdefault("csv", {})
                if isinstance(dialect["csv"], dict):
                    dialect["csv"][k] = v
    schema = r.get("schema")
    if isinstance(schema, dict):
        _transform_schema(schema, _Place(place.resource, place.name, None, f"{place.where}.schema"))
    url = r.pop("url", None)
    if not r.get("path") and r.get("data") is None and url:
        r.setdefault("path", url)
    path = r.get("path")
    if path and isinstance(path, list):
        r["path"], r["extrapaths"] = path[0], path[1:]
    profiles = r.pop("profiles", None)
    if isinstance(profiles, list) and profiles and isinstance(profiles[0], str):
        r["profile"] = profiles[0]
    size = r.pop("bytes", None)
    if size:
        r["bytes"] = size
    if r.get("compression") == "no":
        r.pop("compression")
    if r.get("profile") == "tabular-data-resource":
        r["type"] = "table"


def _transform_package(d: dict[str, Any]) -> None:
    d.pop("$frictionless", None)
    resources = d.get("resources")
    if isinstance(resources, list):
        for i, r in enumerate(resources):
            if isinstance(r, dict):
                _transform_resource(r, _resource_place(i, r))
    profiles = d.pop("profiles", None)
    if isinstance(profiles, list) and profiles and isinstance(profiles[0], str):
        d["profile"] = profiles[0]


def _resource_place(i: int, r: dict[str, Any]) -> _Place:
    name = r.get("name")
    return _Place(i, name if isinstance(name, str) else None, None, f"resources[{i}]")


# -- each level: its profile, its children, then its own rules -------------------------------------


def _field(f: dict[str, Any], place: _Place, version: str) -> list[Problem]:
    ftype = f.get("type") or "string"
    found = [place.at("field", m) for m in _schema_errors(_field_profile(ftype), f, "")]
    if found:
        return found
    supported = FIELD_TYPES[ftype]
    for k in f.get("constraints", {}):
        if k not in (*supported, "unique"):
            found.append(place.at("field", f"constraint {k!r} is not supported by type {ftype!r}"))
    found += _missing_value_notes(f.get("missingValues", []), place, "field", version)
    if version == "v1":
        for k in ("exclusiveMinimum", "exclusiveMaximum"):
            if k in f.get("constraints", {}):
                found.append(place.at("field", f"constraint {k!r} requires Data Package v2"))
    example = f.get("example")
    if example and not _example_ok(f, ftype, example):
        found.append(place.at("field", f"example {short_repr(example)} is not a valid {ftype}"))
    if "required" in f:
        found.append(place.at("field", "'required' belongs in constraints"))
    return found


def _example_ok(f: dict[str, Any], ftype: str, example: Any) -> bool:
    """frictionless reads an example with a field of the type and format alone (a boolean's
    spellings too): the same with the type's own reader."""
    cls = TYPES.get(ftype)
    if cls is None:
        return True  # a type not read here (geojson, list): refused when the field is read
    fmt = f.get("format", "default")
    at = At("example", None, str(f.get("name")))
    options: dict[str, Any] = {
        k: f[k] for k in ("trueValues", "falseValues") if ftype == "boolean" and k in f
    }
    try:
        vt = cls.from_descriptor(cls.read_format(fmt, at), options, at)
        return vt.value(example) is not None
    except (DescriptorError, RefusedCellsError):
        return True  # a format or a value not read exactly here: the field refuses it


def _missing_value_notes(entries: Any, place: _Place, kind: str, version: str) -> list[Problem]:
    if not isinstance(entries, list) or not any(isinstance(e, dict) for e in entries):
        return []
    found = []
    values = [e["value"] if isinstance(e, dict) else e for e in entries]
    labels = [e["label"] for e in entries if isinstance(e, dict) and e.get("label") is not None]
    for what, items in (("missing value", values), ("missing value label", labels)):
        seen: set[Any] = set()
        for v in items:
            if v in seen:
                found.append(place.at(kind, f"{what} {short_repr(v)} is not unique"))
            seen.add(v)
    if version == "v1":
        found.append(place.at(kind, "missingValues as objects need Data Package v2"))
    return found


def _schema(s: dict[str, Any], place: _Place, version: str) -> list[Problem]:
    found = [place.at("schema", m) for m in _schema_errors(SCHEMA_PROFILE, s, "")]
    fields = s.get("fields")
    if isinstance(fields, list):
        for i, f in enumerate(fields):
            if isinstance(f, dict):
                name = f.get("name") if isinstance(f.get("name"), str) else None
                found += _field(f, _field_place(place, i, name), version)
    if found:
        return found
    # a field that is not an object: frictionless stops with a TypeError here; the field
    # reader refuses it in one line
    names = [f["name"] for f in s["fields"] if isinstance(f, dict) and "name" in f]
    if len(names) != len(set(names)):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        found.append(place.at("schema", f"field {twice!r} is declared twice: names must be unique"))
    for name in s.get("primaryKey", []):
        if name not in names:
            found.append(place.at("schema", f"primaryKey {short_repr(name)} is not a field"))
    found += _missing_value_notes(s.get("missingValues", []), place, "schema", version)
    for fk in s.get("foreignKeys", []):
        for name in fk["fields"]:
            if name not in names:
                found.append(
                    place.at("schema", f"foreign key field {short_repr(name)} is not a field")
                )
        if len(fk["fields"]) != len(fk["reference"]["fields"]):
            found.append(
                place.at(
                    "schema",
                    f"foreign key fields {short_repr(fk['fields'])} do not match the "
                    f"reference fields {short_repr(fk['reference']['fields'])}",
                )
            )
    return found


def _resource(r: dict[str, Any], place: _Place, version: str) -> list[Problem]:
    found = [place.at("resource", m) for m in _schema_errors(RESOURCE_PROFILE, r, "")]
    dialect = r.get("dialect")
    if isinstance(dialect, dict):
        at = _Place(place.resource, place.name, None, f"{place.where}.dialect")
        found += [at.at("dialect", m) for m in _schema_errors(DIALECT_PROFILE, dialect, "")]
    schema = r.get("schema")
    if isinstance(schema, dict):
        found += _schema(
            schema, _Place(place.resource, place.name, None, f"{place.where}.schema"), version
        )
    if found:
        return found
    note = _name_note(r["name"], version)
    if note:
        return [place.at("resource", note)]
    for key in ("path", "extrapaths", "profile", "dialect", "schema"):
        value = r.get(key)
        for item in value if isinstance(value, list) else [value]:
            if item and isinstance(item, str) and not is_safe_path(item):
                return [place.at("resource", f"path {short_repr(item)} is not safe")]
    if r.get("path") is None and r.get("data") is None:
        found.append(place.at("resource", "one of 'path' or 'data' is required"))
    if r.get("path") is not None and r.get("data") is not None:
        found.append(place.at("resource", "'path' and 'data' exclude each other"))
    found += _licenses(r, "resource", place)
    found += _emails(r, "resource", place)
    profile = r.get("profile")
    if profile and profile not in ("data-resource", "tabular-data-resource"):
        raise UnsupportedFeatureError(
            "resource profile",
            profile,
            resource=place.name,
            why="read: data-resource, tabular-data-resource",
        )
    if profile == "tabular-data-resource" and not schema:
        found.append(place.at("resource", "profile 'tabular-data-resource' needs a schema"))
    if "missingValues" in r:
        found.append(place.at("resource", "'missingValues' belongs in the schema"))
    return found


def _created_ok(value: str) -> bool:
    from .._types.temporal import DatetimeType

    try:
        return DatetimeType().value(value) is not None
    except RefusedCellsError:
        return True


def _package(d: dict[str, Any], version: str) -> list[Problem]:
    top = _Place(where="")
    found = [top.at("package", m) for m in _schema_errors(PACKAGE_PROFILE, d, "")]
    resources = d.get("resources")
    if isinstance(resources, list):
        for i, r in enumerate(resources):
            if isinstance(r, dict):
                found += _resource(r, _resource_place(i, r), version)
    if found:
        return found
    name = d.get("name")
    if name is not None:
        note = _name_note(name, version)
        if note:
            return [top.at("package", note)]
    profile = d.get("profile")
    if profile and isinstance(profile, str) and not is_safe_path(profile):
        return [top.at("package", f"path {short_repr(profile)} is not safe")]
    names = [r["name"] for r in d["resources"] if "name" in r]
    if len(names) != len(set(names)):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        found.append(top.at("package", f"resource {twice!r} is listed twice: names are not unique"))
    created = d.get("created")
    if created and not _created_ok(created):
        found.append(top.at("package", f"created {short_repr(created)} is not a datetime"))
    found += _licenses(d, "package", top)
    found += _emails(d, "package", top)
    if profile and profile not in ("data-package", "tabular-data-package"):
        raise UnsupportedFeatureError(
            "package profile", profile, why="read: data-package, tabular-data-package"
        )
    if profile == "tabular-data-package":
        for i, r in enumerate(d["resources"]):
            if r.get("profile") != "tabular-data-resource":
                found.append(
                    _resource_place(i, r).at(
                        "package",
                        "profile 'tabular-data-package' needs every resource to be a "
                        "'tabular-data-resource'",
                    )
                )
    for key in ("missingValues", "fields"):
        if key in d:
            found.append(top.at("package", f"{key!r} belongs in a resource's schema"))
    return found


# -- after the descriptor: the dialect options and the schema files ---------------------------------


def _imported(
    d: dict[str, Any], read_schema: Callable[[int, str], Any], version: str
) -> list[Problem]:
    """What frictionless finds once the descriptor is valid, when it makes each resource:
    the CSV options of its dialect (control-error), then a schema written as a path, read
    and checked (schema-error when it cannot be read). It stops at the first resource that
    has one."""
    for i, r in enumerate(d["resources"]):
        place = _resource_place(i, r)
        dialect = r.get("dialect")
        if isinstance(dialect, dict):
            csv = dialect.get("csv")
            if isinstance(csv, dict):
                at = _Place(place.resource, place.name, None, f"{place.where}.dialect")
                msgs = list(_schema_errors(CSV_CONTROL_PROFILE, {**csv, "type": "csv"}, ""))
                if msgs:
                    return [at.at("control", m) for m in msgs]
        schema = r.get("schema")
        if isinstance(schema, str):
            sp = _Place(place.resource, place.name, None, "")
            try:
                loaded = read_schema(i, schema)
            except SchemaFileMissingError as exc:
                found = [sp.at("schema", str(exc))]
            else:
                if isinstance(loaded, dict):
                    loaded = copy.deepcopy(loaded)
                    try:
                        _transform_schema(loaded, sp)
                        found = _schema(loaded, sp, version)
                    except _Ended as end:
                        found = [end.problem]
                else:
                    found = [sp.at("schema", f"{short_repr(loaded)} is not of type 'object'")]
            if found:
                return [dataclasses.replace(p, file=schema) for p in found]
    return []


def check_descriptor(
    descriptor: dict[str, Any], read_schema: Callable[[int, str], Any]
) -> list[Problem]:
    """Every metadata error frictionless 5 reports for this package descriptor, in its order
    (empty: it would go on to validate the tables). ``read_schema(i, path)`` reads the
    schema file a resource names (a DescriptorError when it cannot). A package or resource
    profile other than the standard ones is refused (UnsupportedFeatureError):
    frictionless would fetch it and check the descriptor against it."""
    d = copy.deepcopy(descriptor)
    version = datapackage_version(d)
    try:
        _transform_package(d)
        found = _package(d, version)
    except _Ended as end:
        return [end.problem]
    return found or _imported(d, read_schema, version)


# -- keys no profile names ---------------------------------------------------------------------

_DEFINED = {
    "package": set(PACKAGE_PROFILE["properties"]) | {"$schema", "conflictdata", "profiles"},
    "resource": set(RESOURCE_PROFILE["properties"]) | {"$schema", "profiles", "innerpath"},
    "schema": set(SCHEMA_PROFILE["properties"]) | {"$schema", "rowChecks", "relationChecks"},
    "dialect": set(DIALECT_PROFILE["properties"]) | set(CSV_KEYS) | {"$schema", "csvddfVersion"},
}


def undefined_keys(descriptor: dict[str, Any]) -> list[tuple[str, int | None, str | None, str]]:
    """Keys the profiles do not define, as (level, resource index, field, key): accepted and
    ignored, as frictionless does; the strict policy's lint names them."""
    out: list[tuple[str, int | None, str | None, str]] = []
    out += [("package", None, None, k) for k in descriptor if k not in _DEFINED["package"]]
    for i, r in enumerate(descriptor.get("resources") or ()):
        if not isinstance(r, dict):
            continue
        out += [("resource", i, None, k) for k in r if k not in _DEFINED["resource"]]
        if isinstance(r.get("dialect"), dict):
            out += [("dialect", i, None, k) for k in r["dialect"] if k not in _DEFINED["dialect"]]
        s = r.get("schema")
        if not isinstance(s, dict):
            continue
        out += [("schema", i, None, k) for k in s if k not in _DEFINED["schema"]]
        for f in s.get("fields") or ():
            if not isinstance(f, dict):
                continue
            ftype = f.get("type") or "string"
            known = set(_field_profile(ftype if isinstance(ftype, str) else "")["properties"])
            known |= (
                {"enumDescriptions", "trueValues", "falseValues"}
                if ftype == "boolean"
                else {"enumDescriptions"}
            )
            name = f.get("name") if isinstance(f.get("name"), str) else None
            out += [("field", i, name, k) for k in f if k not in known]
    return out
