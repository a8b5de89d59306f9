"""Read the data package and its Table Schemas: the single source of truth for every field.

Everything typed elsewhere (validation rules, Arrow/Parquet types, pandas dtypes, the
codebook) is derived from the objects here; no field is declared in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DescriptorError, UnknownTableError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "Field",
    "ForeignKey",
    "TableSchema",
    "Package",
    "read_package",
    "package_from_descriptor",
    "table_schema_from_dict",
    "SUPPORTED_TYPES",
]

#: Table Schema field types this project uses, and how each is stored.
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")


@dataclass(frozen=True)
class Field:
    """One declared field of a table, with its constraints."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    enum_descriptions: dict[str, str] = field(default_factory=dict, compare=False)
    pattern: str | None = None
    minimum: float | int | str | None = None
    maximum: float | int | str | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: str = "default"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_enum(self) -> bool:
        return self.enum is not None

    def arrow_type(self) -> pa.DataType:
        """The Arrow type this field is stored as in a release (enums as dictionaries)."""
        import pyarrow as pa

        if self.type == "string":
            return pa.dictionary(pa.int32(), pa.string()) if self.is_enum else pa.string()
        return {
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "datetime": pa.timestamp("s", tz="UTC"),
        }[self.type]

    def arrow_field(self) -> pa.Field:
        """Arrow field with the title and description carried as field metadata."""
        import pyarrow as pa

        meta = {"title": self.title, "description": self.description}
        return pa.field(self.name, self.arrow_type(), nullable=not self.required, metadata=meta)

    def pandas_dtype(self) -> Any:
        """The pandas dtype a loaded column has: never ``object``.

        Text is the pyarrow-backed string dtype, enums are categoricals with the declared
        categories in declared order, integers are nullable ``Int64``, numbers ``Float64``,
        booleans nullable ``boolean``, and dates stay calendar dates (``date32[pyarrow]``):
        no invented time of day or time zone, ``.dt`` accessors work.
        """
        import pandas as pd

        if self.type == "string":
            if self.is_enum:
                return pd.CategoricalDtype(categories=list(self.enum or ()), ordered=False)
            return pd.StringDtype("pyarrow")
        if self.type == "integer":
            return pd.Int64Dtype()
        if self.type == "number":
            return pd.Float64Dtype()
        if self.type == "boolean":
            return pd.BooleanDtype()
        if self.type == "date":
            import pyarrow as pa

            return pd.ArrowDtype(pa.date32())
        if self.type == "datetime":
            return pd.DatetimeTZDtype(unit="s", tz="UTC")
        raise DescriptorError(f"field {self.name!r}: unsupported type {self.type!r}")


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key; ``resource`` is always a table name (self-references resolved)."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]

    def is_self_reference(self, table: str) -> bool:
        return self.resource == table


@dataclass(frozen=True)
class TableSchema:
    """A table: its resource path, fields, keys and the row/relation checks it declares."""

    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    row_checks: tuple[dict[str, Any], ...] = ()
    relation_checks: tuple[dict[str, Any], ...] = ()
    schema_path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def id_field(self) -> str:
        """The single-field primary key (every table here has one)."""
        if len(self.primary_key) != 1:
            raise DescriptorError(f"table {self.name!r} has no single-field primary key")
        return self.primary_key[0]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}; it has {self.field_names}")

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([f.arrow_field() for f in self.fields])

    def pandas_dtypes(self) -> dict[str, Any]:
        return {f.name: f.pandas_dtype() for f in self.fields}


@dataclass(frozen=True)
class Package:
    """A data package: name, version and its tables in descriptor order."""

    name: str
    version: str
    title: str
    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, TableSchema]

    def table(self, name: str) -> TableSchema:
        try:
            return self.tables[name]
        except KeyError:
            raise UnknownTableError(
                f"no table {name!r} in {self.name} {self.version}; "
                f"tables are: {', '.join(self.tables)}"
            ) from None

    @property
    def table_names(self) -> list[str]:
        return list(self.tables)


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _field_from_dict(d: dict[str, Any], where: str) -> Field:
    if not isinstance(d, dict) or "name" not in d:
        raise DescriptorError(f"{where}: every field needs a 'name'")
    ftype = d.get("type", "string")
    if ftype not in SUPPORTED_TYPES:
        raise DescriptorError(
            f"{where}: field {d['name']!r} has type {ftype!r}; supported: {', '.join(SUPPORTED_TYPES)}"
        )
    c = d.get("constraints", {}) or {}
    enum = c.get("enum")
    return Field(
        name=d["name"],
        type=ftype,
        title=d.get("title", d["name"]),
        description=d.get("description", ""),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        enum_descriptions=dict(d.get("enumDescriptions", {}) or {}),
        pattern=c.get("pattern"),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        format=d.get("format", "default"),
        raw=d,
    )


def table_schema_from_dict(
    name: str, path: str, schema: dict[str, Any], schema_path: str | None = None
) -> TableSchema:
    """Build a :class:`TableSchema` from a Table Schema dict (``where`` names it in errors)."""
    where = schema_path or f"schema of {name}"
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise DescriptorError(f"{where}: a Table Schema needs a 'fields' list")
    fields = tuple(_field_from_dict(f, where) for f in schema["fields"])
    names = [f.name for f in fields]
    pk = _as_tuple(schema.get("primaryKey", ()))
    for k in pk:
        if k not in names:
            raise DescriptorError(f"{where}: primary key field {k!r} is not a field")
    fks = []
    for fk in schema.get("foreignKeys", []) or []:
        try:
            ref = fk["reference"]
            fks.append(
                ForeignKey(
                    fields=_as_tuple(fk["fields"]),
                    resource=ref.get("resource") or name,
                    reference_fields=_as_tuple(ref["fields"]),
                )
            )
        except (KeyError, TypeError, AttributeError):
            raise DescriptorError(f"{where}: malformed foreign key {fk!r}") from None
    return TableSchema(
        name=name,
        path=path,
        title=schema.get("title", name),
        description=schema.get("description", ""),
        fields=fields,
        primary_key=pk,
        foreign_keys=tuple(fks),
        row_checks=tuple(schema.get("rowChecks", []) or []),
        relation_checks=tuple(schema.get("relationChecks", []) or []),
        schema_path=schema_path,
        raw=schema,
    )


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DescriptorError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{what} could not be read: {path}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DescriptorError(
            f"{what} is not valid JSON: {path}:{exc.lineno}:{exc.colno}: {exc.msg}"
        ) from None


def package_from_descriptor(descriptor: dict[str, Any], root: Path | str) -> Package:
    """A :class:`Package` from a descriptor dict; schema paths resolve against ``root``."""
    root = Path(root)
    if not isinstance(descriptor, dict):
        raise DescriptorError("a data package descriptor must be a JSON object")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise DescriptorError("the data package descriptor has no 'resources' list")
    tables: dict[str, TableSchema] = {}
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or "name" not in res or "path" not in res:
            raise DescriptorError(f"resource #{i + 1} needs a 'name' and a 'path'")
        schema = res.get("schema")
        schema_path = None
        if isinstance(schema, str):
            schema_path = schema
            schema = _read_json(root / schema, f"table schema for {res['name']!r}")
        if schema is None:
            raise DescriptorError(f"resource {res['name']!r} has no 'schema'")
        tables[res["name"]] = table_schema_from_dict(res["name"], res["path"], schema, schema_path)
    for t in tables.values():
        for fk in t.foreign_keys:
            if fk.resource not in tables:
                raise DescriptorError(
                    f"table {t.name!r}: foreign key {list(fk.fields)} refers to unknown table {fk.resource!r}"
                )
    return Package(
        name=str(descriptor.get("name", "")),
        version=str(descriptor.get("version", "")),
        title=str(descriptor.get("title", "")),
        root=root,
        descriptor=descriptor,
        tables=tables,
    )


def read_package(descriptor_path: Path | str = "datapackage.json") -> Package:
    """Read ``datapackage.json`` and every Table Schema it names; raise :class:`DescriptorError`."""
    path = Path(descriptor_path)
    return package_from_descriptor(_read_json(path, "data package descriptor"), path.parent)
