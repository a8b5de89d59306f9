"""Read the data package and its Table Schemas: the single source of truth for every field.

Everything typed elsewhere (validation rules, Arrow/Parquet types, pandas dtypes, the
codebook) is derived from the objects here; no field is declared in Python.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import DescriptorError, UnknownTableError, UnsupportedFeatureError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "CONSTRAINTS",
    "DEFAULT_FALSE_VALUES",
    "DEFAULT_TRUE_VALUES",
    "POLICIES",
    "RELATION_RULE_KINDS",
    "ROW_RULE_KINDS",
    "SUPPORTED_TYPES",
    "DateSpanRule",
    "Dialect",
    "Field",
    "ForeignKey",
    "NotBeforeRule",
    "OrderedRule",
    "Package",
    "ResourceFile",
    "RowRule",
    "TableSchema",
    "TogetherRule",
    "WhenCase",
    "WhenRule",
    "check_pattern",
    "confined_path",
    "package_from_descriptor",
    "parse_json",
    "read_package",
    "short_repr",
    "table_schema_from_dict",
]

#: Table Schema field types this project uses, and how each is stored.
SUPPORTED_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "any",
)
#: Table Schema types this validator refuses (named, so the refusal says so)
REFUSED_TYPES = ("geopoint", "geojson", "object", "array", "duration", "list")
#: How a boolean cell is spelled when the field declares no ``trueValues`` / ``falseValues``.
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


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
    true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES
    false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_enum(self) -> bool:
        return self.enum is not None

    def arrow_type(self) -> pa.DataType:
        """The Arrow type this field is stored as in a release (enums as dictionaries)."""
        import pyarrow as pa

        if self.type == "string":
            return pa.dictionary(pa.int32(), pa.string()) if self.is_enum else pa.string()
        if self.type == "any":
            return pa.string()
        return {
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "datetime": pa.timestamp("s", tz="UTC"),
            "time": pa.time64("us"),
            "year": pa.int64(),
            "yearmonth": pa.string(),
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
        if self.type == "any":
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
        if self.type == "time":
            import pyarrow as pa

            return pd.ArrowDtype(pa.time64("us"))
        if self.type == "year":
            return pd.Int64Dtype()
        if self.type == "yearmonth":
            return pd.StringDtype("pyarrow")
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
class OrderedRule:
    """rowChecks ``ordered``: known values never decrease in this field order (E301)."""

    kind: ClassVar[str] = "ordered"
    code: ClassVar[str] = "E301"
    fields: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class TogetherRule:
    """rowChecks ``together``: these fields are all filled or all empty (E302)."""

    kind: ClassVar[str] = "together"
    code: ClassVar[str] = "E302"
    fields: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class WhenCase:
    """For one value of the controlling field: fields that must be filled, and empty."""

    value: str
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhenRule:
    """rowChecks ``when``: for ``field == case.value``, ``case.present`` filled (E303) and
    ``case.absent`` empty (E304)."""

    kind: ClassVar[str] = "when"
    code: ClassVar[str] = "E303"
    field: str
    cases: tuple[WhenCase, ...]
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        names = [self.field]
        for c in self.cases:
            names += [*c.present, *c.absent]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class DateSpanRule:
    """rowChecks ``dateSpan``: the dates span exactly what the precision says (E305)."""

    kind: ClassVar[str] = "dateSpan"
    code: ClassVar[str] = "E305"
    start: str
    end: str
    precision: str
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.start, self.end, self.precision)


@dataclass(frozen=True)
class NotBeforeRule:
    """relationChecks ``notBefore``: a row does not end (or, without an end, start) before
    the row its single-field foreign key points to starts (E403)."""

    kind: ClassVar[str] = "notBefore"
    code: ClassVar[str] = "E403"
    foreign_key: str
    start: str
    end: str | None = None
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(n for n in (self.foreign_key, self.start, self.end) if n)


RowRule = OrderedRule | TogetherRule | WhenRule | DateSpanRule
#: The rowChecks kinds this package knows, each with the keys it needs.
ROW_RULE_KINDS: dict[str, tuple[str, ...]] = {
    "ordered": ("fields",),
    "together": ("fields",),
    "when": ("field", "cases"),
    "dateSpan": ("start", "end", "precision"),
}
#: The relationChecks kinds this package knows.
RELATION_RULE_KINDS = ("notBefore",)


@dataclass(frozen=True)
class TableSchema:
    """A table: its resource path, fields, keys, the row/relation rules it declares and the
    dataset's conventions (which fields cite a source, which carry a row's lifecycle)."""

    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    relation_rules: tuple[NotBeforeRule, ...] = ()
    #: Cells spelled like this are empty (null); Table Schema's default is [""].
    missing_values: tuple[str, ...] = ("",)
    schema_path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: the resource's file(s), compression, encoding, bytes and hash
    source: ResourceFile | None = None
    dialect: Dialect = field(default_factory=lambda: Dialect())

    @property
    def acyclic_keys(self) -> tuple[ForeignKey, ...]:
        """The single-field self-references: following them must never loop back (E402)."""
        return tuple(
            fk
            for fk in self.foreign_keys
            if fk.is_self_reference(self.name) and len(fk.fields) == 1
        )

    @property
    def source_field(self) -> str | None:
        """The field holding a source's ID (``source_id``), None where the table has none."""
        return "source_id" if "source_id" in self.field_names else None

    @property
    def excerpt_field(self) -> str | None:
        """The field quoting the cited source (``source_excerpt``), None where there is none."""
        return "source_excerpt" if "source_excerpt" in self.field_names else None

    @property
    def status_field(self) -> str | None:
        """The lifecycle field (``record_status``: active, retracted, superseded), or None."""
        return "record_status" if "record_status" in self.field_names else None

    @property
    def superseded_by_field(self) -> str | None:
        """The field naming the row that replaces a superseded one (``superseded_by``), or None."""
        return "superseded_by" if "superseded_by" in self.field_names else None

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
    #: "strict" when the descriptor declares ``"conflictdata": {"policy": "strict"}`` (this
    #: project's rules on top of the spec, see docs/findings.md), else "spec".
    policy: str = "spec"

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


#: Bounds on what a descriptor or schema may hold: far above any real package, low enough
#: that a hostile one is refused at once.
MAX_JSON_BYTES = 8 << 20
MAX_JSON_DEPTH = 64
MAX_FIELDS = 1000
MAX_PATTERN = 1000
MAX_ENUM = 10_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Table Schema constraints this project checks; any other is refused, not ignored.
CONSTRAINTS = (
    "required",
    "unique",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "exclusiveMinimum",
    "exclusiveMaximum",
)
_BOUNDED = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
)
#: the constraints each type takes, as frictionless 5's field classes list them (with
#: unique); another one is a field-error there, a DescriptorError here
TYPE_CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "string": ("required", "unique", "minLength", "maxLength", "pattern", "enum"),
    "integer": _BOUNDED,
    "number": _BOUNDED,
    "boolean": ("required", "unique", "enum"),
    "any": ("required", "unique", "enum"),
    "date": _BOUNDED,
    "datetime": _BOUNDED,
    "time": _BOUNDED,
    "year": _BOUNDED,
    "yearmonth": _BOUNDED,
}
#: field keys every type accepts (metadata, or read by every type)
FIELD_KEYS = (
    "name",
    "type",
    "title",
    "description",
    "format",
    "constraints",
    "rdfType",
    "example",
    "enumDescriptions",
)
#: the keys only some types read (frictionless ignores them elsewhere: refused here)
TYPE_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "boolean": ("trueValues", "falseValues"),
    "integer": ("bareNumber",),
    "number": ("bareNumber", "floatNumber", "decimalChar", "groupChar"),
}
#: string formats read (frictionless 5 also knows wkt: refused here)
STRING_FORMATS = ("default", "uri", "uuid", "email", "binary")
_FRICTIONLESS_STRING_FORMATS = ("default", "email", "uri", "binary", "uuid", "wkt")
#: Table Schema keys read (rowChecks and relationChecks are this project's)
SCHEMA_KEYS = (
    "fields",
    "primaryKey",
    "foreignKeys",
    "missingValues",
    "rowChecks",
    "relationChecks",
    "title",
    "description",
    "$schema",
    "name",
    "profile",
    "homepage",
    "licenses",
    "sources",
    "keywords",
    "version",
    "created",
    "contributors",
    "$comment",
)


def short_repr(value: Any, limit: int = 60) -> str:
    """A value for a one-line message: repr'd (no raw newlines) and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


def _as_names(value: Any, where: str, key: str) -> tuple[str, ...]:
    """A field name or a non-empty list of them (primaryKey, foreign key fields)."""
    if isinstance(value, str) and value:
        return (value,)
    if (
        isinstance(value, list)
        and value
        and len(value) <= MAX_FIELDS
        and all(isinstance(v, str) and v for v in value)
    ):
        return tuple(value)
    raise DescriptorError(
        f"{where}: {key} must be a field name or a list of field names, "
        f"not {_kind(value)} {short_repr(value)}"
    )


def _string(d: dict[str, Any], key: str, where: str, default: str) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise DescriptorError(
            f"{where}: {key} must be a string, not {_kind(value)} {short_repr(value)}"
        )
    return value


def check_pattern(pattern: Any, where: str) -> str:
    """A pattern both RE2 (pyarrow.compute's regex engine, the one that runs it) and the
    anchored form the validator runs accept; anything else is a DescriptorError."""
    if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN:
        raise DescriptorError(
            f"{where}: pattern must be a string of 1 to {MAX_PATTERN} "
            f"characters, not {_kind(pattern)} {short_repr(pattern)}"
        )
    import pyarrow as pa
    import pyarrow.compute as pc

    probe = pa.array([""], pa.string())
    for rx in (pattern, f"^(?:{pattern})$"):
        try:
            pc.match_substring_regex(probe, rx)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else "rejected"
            raise DescriptorError(
                f"{where}: pattern {short_repr(pattern)} is not a regular "
                f"expression RE2 accepts ({short_repr(why, 100)})"
            ) from None
    return pattern


def _temporal_bound(ftype: str, value: Any, where: str, key: str, fmt: str) -> Any:
    """A temporal bound read as frictionless reads it, by the field's own reader (so in the
    field's format): its typed code, or a DescriptorError (frictionless itself stops with a
    TypeError on such a bound)."""
    from .validation.temporal import read_value

    probe = Field(name="bound", type=ftype, title="", description="", format=fmt)
    shown = "" if fmt == "default" else f" in the field's format {fmt!r}"
    v = read_value(probe, value)
    if v is None:
        raise DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}{shown}")
    return v


def _bound_value(ftype: str, value: Any, where: str, key: str, fmt: str = "default") -> Any:
    """A minimum/maximum as a value of the field's type, or a DescriptorError."""
    bad = DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}")
    if ftype == "integer":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value):
            value = int(value)
        if isinstance(value, int) and -(2**63) < value < 2**63:
            return value
        raise bad
    if ftype == "number":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, (int, float)) and math.isfinite(value):
            return value
        if isinstance(value, str):
            try:
                v = float(value)
            except ValueError:
                raise bad from None
            if math.isfinite(v):
                return v
        raise bad
    if ftype in ("date", "datetime", "time", "year", "yearmonth"):
        return _temporal_bound(ftype, value, where, key, fmt)
    raise DescriptorError(f"{where}: {key} is not supported for type {ftype!r}")


def _numeric_bound(d: dict[str, Any], ftype: str, value: Any, where: str, key: str) -> Any:
    """An integer/number bound read as frictionless reads it (the field's own reader:
    ``"01"`` is 1, ``"1,5"`` with decimalChar ``,`` is 1.5), or a DescriptorError where
    frictionless could not compare it (it raises)."""
    from .validation.numbers import INT64_MAX, value_reader

    probe = Field(name="_", type=ftype, title="", description="", raw=d)
    v = value_reader(probe)(value) if not isinstance(value, (dict, list)) else None
    if v is None or v != v:
        raise DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}")
    if ftype == "integer" and not -INT64_MAX - 1 <= v <= INT64_MAX:
        raise UnsupportedFeatureError(f"constraints.{key}", value, why="beyond int64")
    return v


def _check_field_keys(
    d: dict[str, Any], ftype: str, fw: str, resource: str | None, name: str, version: str
) -> None:
    """Every field key is read or refused; none is ignored (frictionless ignores keys it
    does not know; here they are refused, naming the key)."""
    if "required" in d:
        raise DescriptorError(
            f"{fw}: 'required' belongs in constraints (frictionless 5: field-error)"
        )
    if "missingValues" in d:
        raise _unsupported(
            "field.missingValues",
            d["missingValues"],
            resource,
            field=name,
            why="only the schema's missingValues are read",
        )
    allowed = FIELD_KEYS + TYPE_FIELD_KEYS.get(ftype, ())
    for k in d:
        if k not in allowed:
            raise _unsupported(
                f"field key {k!r}",
                d[k],
                resource,
                field=name,
                why=f"a {ftype} field reads {', '.join(allowed)}",
            )
    for k in ("bareNumber", "floatNumber"):
        if k in d and not isinstance(d[k], bool):
            raise DescriptorError(
                f"{fw}: {k} must be true or false, not {_kind(d[k])} {short_repr(d[k])}"
            )
    for k in ("decimalChar", "groupChar"):
        v = d.get(k)
        if k in d and not isinstance(v, str):
            raise DescriptorError(f"{fw}: {k} must be a string, not {_kind(v)} {short_repr(v)}")
        # frictionless strips the cell before replacing these: the same unless the
        # character holds whitespace (a lone whitespace groupChar is still the same)
        if k in d and (
            (not v and k == "decimalChar")
            or len(v) > 8
            or (any(ch.isspace() for ch in v) and (k == "decimalChar" or len(v) > 1))
        ):
            raise _unsupported(
                f"field.{k}",
                v,
                resource,
                field=name,
                why="read: 1 to 8 characters without whitespace (groupChar: "
                "or one whitespace character)",
            )
    fmt = d.get("format", "default")
    if ftype == "string":
        if fmt not in _FRICTIONLESS_STRING_FORMATS:
            raise DescriptorError(
                f"{fw}: format {short_repr(fmt)} is not one of "
                f"{', '.join(_FRICTIONLESS_STRING_FORMATS)} (frictionless 5: "
                "field-error)"
            )
        if fmt not in STRING_FORMATS:
            raise _unsupported(
                "string format", fmt, resource, field=name, why=f"read: {', '.join(STRING_FORMATS)}"
            )
    elif ftype in ("integer", "number", "boolean", "any") and fmt != "default":
        raise _unsupported(f"{ftype} format", fmt, resource, "only 'default' is read", field=name)
    c = d.get("constraints") or {}
    if isinstance(c, dict):
        for k in c:
            if k in CONSTRAINTS and k not in TYPE_CONSTRAINTS.get(ftype, CONSTRAINTS):
                raise DescriptorError(
                    f"{fw}: constraint {k!r} is not supported by type "
                    f"{ftype!r} (frictionless 5: field-error)"
                )
            if k in ("exclusiveMinimum", "exclusiveMaximum") and version == "v1":
                raise DescriptorError(
                    f"{fw}: constraint {k!r} requires a Data Package v2 "
                    "$schema (frictionless 5: field-error under v1)"
                )


def _field_from_dict(
    d: Any, where: str, index: int = 0, resource: str | None = None, version: str = "v1"
) -> Field:
    if not isinstance(d, dict):
        raise DescriptorError(f"{where}: fields[{index}] must be an object, not {_kind(d)}")
    name = d.get("name")
    if not isinstance(name, str) or not name or len(name) > 200 or _CONTROL.search(name):
        raise DescriptorError(
            f"{where}: fields[{index}]: name must be a non-empty string "
            f"without control characters, not {_kind(name)} {short_repr(name)}"
        )
    fw = f"{where}: field {name!r}"
    ftype = d.get("type", "string")
    if ftype in REFUSED_TYPES:
        raise _unsupported("field type", ftype, resource, field=name)
    if ftype not in SUPPORTED_TYPES:
        raise DescriptorError(
            f"{fw}: type {short_repr(ftype)} is not supported; supported: "
            f"{', '.join(SUPPORTED_TYPES)}"
        )
    title = _string(d, "title", fw, name)
    description = _string(d, "description", fw, "")
    fmt = _string(d, "format", fw, "default")
    _string(d, "rdfType", fw, "")
    _check_field_keys(d, ftype, fw, resource, name, version)
    if fmt.startswith("fmt:"):  # Table Schema v1's deprecated prefix, dropped as frictionless does
        fmt = fmt.replace("fmt:", "")
    if ftype in ("date", "datetime", "time", "year", "yearmonth"):
        from .validation.temporal import check_format

        check_format(ftype, fmt, name)
    c = d.get("constraints", {})
    if c is None:
        c = {}
    if not isinstance(c, dict):
        raise DescriptorError(f"{fw}: constraints must be an object, not {_kind(c)}")
    unknown = [k for k in c if k not in CONSTRAINTS]
    if unknown:
        raise DescriptorError(
            f"{fw}: constraint {short_repr(unknown[0])} is not supported; "
            f"supported: {', '.join(CONSTRAINTS)}"
        )
    for k in ("required", "unique"):
        if k in c and not isinstance(c[k], bool):
            raise DescriptorError(
                f"{fw}: constraints.{k} must be true or false, not {_kind(c[k])} {short_repr(c[k])}"
            )
    enum = c.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or len(enum) > MAX_ENUM:
            raise DescriptorError(
                f"{fw}: constraints.enum must be a list of values, not "
                f"{_kind(enum)} {short_repr(enum)}"
            )
        ok_item = (
            (lambda v: isinstance(v, str))
            if ftype == "string"
            else (lambda v: isinstance(v, (str, int, float, bool)))
        )
        bad = [v for v in enum if not ok_item(v)]
        if bad:
            raise DescriptorError(
                f"{fw}: constraints.enum holds {_kind(bad[0])} "
                f"{short_repr(bad[0])}; its values must be "
                f"{'strings' if ftype == 'string' else 'strings or numbers'}"
            )
        if len({str(v) for v in enum}) != len(enum):
            raise DescriptorError(f"{fw}: constraints.enum lists a value twice")
    pattern = c.get("pattern")
    if pattern is not None:
        check_pattern(pattern, f"{fw}: constraints")
    bounds = {}
    for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if c.get(k) is not None:
            if ftype in ("integer", "number"):
                try:
                    bounds[k] = _numeric_bound(d, ftype, c[k], f"{fw}: constraints", k)
                except UnsupportedFeatureError as exc:
                    raise _unsupported(
                        exc.feature, c[k], resource, "beyond int64", field=name
                    ) from None
            else:
                bounds[k] = _bound_value(ftype, c[k], f"{fw}: constraints", k, fmt)
    # a minimum above the maximum is read as written (frictionless: every value fails one)
    for k in ("minLength", "maxLength"):
        v = c.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 2**31):
            raise DescriptorError(
                f"{fw}: constraints.{k} must be a whole number from 0 to "
                f"2**31-1, not "
                f"{_kind(v)} {short_repr(v)}"
            )
    if (
        c.get("minLength") is not None
        and c.get("maxLength") is not None
        and c["minLength"] > c["maxLength"]
    ):
        raise DescriptorError(f"{fw}: constraints.minLength is above constraints.maxLength")
    descs = d.get("enumDescriptions", {}) or {}
    if not isinstance(descs, dict) or not all(isinstance(v, str) for v in descs.values()):
        raise DescriptorError(f"{fw}: enumDescriptions must be an object of strings")
    for k in ("trueValues", "falseValues"):
        v = d.get(k)
        if v is not None and (
            not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v)
        ):
            raise DescriptorError(
                f"{fw}: {k} must be a non-empty list of strings, not {_kind(v)} {short_repr(v)}"
            )
    field = Field(
        name=name,
        type=ftype,
        title=title,
        description=description,
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        enum_descriptions=dict(descs),
        pattern=pattern,
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        format=fmt,
        true_values=tuple(d.get("trueValues") or DEFAULT_TRUE_VALUES),
        false_values=tuple(d.get("falseValues") or DEFAULT_FALSE_VALUES),
        raw=d,
    )
    _check_example(field, fw)
    return field


def _check_example(f: Field, fw: str) -> None:
    """frictionless 5 rejects a field whose ``example`` is not a value of its type (a
    field-error): the same for the types read here (a temporal example is not checked)."""
    example = f.raw.get("example")
    if not example or f.type not in ("integer", "number", "boolean", "string"):
        return
    if f.type == "string":
        ok = isinstance(example, str) and (
            f.format != "uri" or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", example) is not None
        )
    elif f.type == "boolean":
        ok = (
            example is True
            or example is False
            or (isinstance(example, str) and example in f.true_values + f.false_values)
        )
    else:
        from .validation.numbers import value_reader

        ok = (not isinstance(example, (dict, list))) and value_reader(f)(example) is not None
    if not ok:
        raise DescriptorError(
            f"{fw}: example {short_repr(example)} is not a valid {f.type} "
            "(frictionless 5: field-error)"
        )


def _list_of_objects(schema: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = schema.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DescriptorError(
            f"{where}: {key} must be a list of objects, not {_kind(value)} {short_repr(value)}"
        )
    return value


def _names_list(value: Any, least: int) -> bool:
    return (
        isinstance(value, list) and len(value) >= least and all(isinstance(v, str) for v in value)
    )


def _check_row_check(rc: dict[str, Any], where: str) -> None:
    """The shape of one rowChecks entry (its keys and their types), else DescriptorError."""
    kind = rc.get("check")
    if kind not in ROW_RULE_KINDS or not all(k in rc for k in ROW_RULE_KINDS[kind]):
        raise DescriptorError(
            f"{where}: rowChecks entry {short_repr(rc)} is not one of "
            f"{', '.join(ROW_RULE_KINDS)} with their keys"
        )
    bad = None
    if kind in ("ordered", "together"):
        bad = None if _names_list(rc["fields"], 2) else "fields"
    elif kind == "when":
        cases = rc["cases"]
        if not isinstance(rc["field"], str):
            bad = "field"
        elif not isinstance(cases, dict) or not cases:
            bad = "cases"
        else:
            for value, case in cases.items():
                if (
                    not isinstance(case, dict)
                    or any(k not in ("present", "absent") for k in case)
                    or not all(_names_list(case.get(k, []), 0) for k in ("present", "absent"))
                ):
                    bad = f"cases.{value}"
    elif kind == "dateSpan":
        bad = next((k for k in ("start", "end", "precision") if not isinstance(rc[k], str)), None)
    if bad is not None:
        raise DescriptorError(
            f"{where}: rowChecks {kind}: {bad} is malformed "
            f"({short_repr(rc.get(bad.split('.')[0]))})"
        )


def _row_rule(rc: dict[str, Any]) -> RowRule:
    """A rowChecks entry whose shape :func:`_check_row_check` accepted, as a typed rule."""
    kind = rc["check"]
    desc = str(rc.get("description", ""))
    if kind == "ordered":
        return OrderedRule(tuple(rc["fields"]), desc)
    if kind == "together":
        return TogetherRule(tuple(rc["fields"]), desc)
    if kind == "when":
        cases = tuple(
            WhenCase(str(v), tuple(c.get("present", ())), tuple(c.get("absent", ())))
            for v, c in rc["cases"].items()
        )
        return WhenRule(rc["field"], cases, desc)
    return DateSpanRule(rc["start"], rc["end"], rc["precision"], desc)


#: Field types a rowChecks ``ordered`` may compare with each other.
_COMPARABLE = {
    "integer": "number",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "string": "string",
}


def _row_rules(
    raw: list[dict[str, Any]], fields: dict[str, Field], where: str
) -> tuple[RowRule, ...]:
    """rowChecks as typed rules: known kinds, real fields, comparable types; else
    DescriptorError. Fields a rule compares must be comparable (numbers with numbers, dates
    with dates; dateSpan needs dates): anything else is not supported, so refused."""
    out: list[RowRule] = []
    for rc in raw:
        _check_row_check(rc, where)
        rule = _row_rule(rc)
        unknown = [n for n in _rule_field_list(rule) if n not in fields]
        if unknown:
            raise DescriptorError(
                f"{where}: rowChecks {rule.kind} names unknown field(s) {short_repr(unknown)}"
            )
        if isinstance(rule, OrderedRule):
            kinds = {_COMPARABLE.get(fields[n].type) for n in rule.fields}
            if len(kinds) != 1 or None in kinds:
                raise DescriptorError(
                    f"{where}: rowChecks ordered {short_repr(rc['fields'])}: the fields must "
                    "all be numbers, all dates, all datetimes or all strings"
                )
        elif isinstance(rule, DateSpanRule):
            for k, name in (("start", rule.start), ("end", rule.end)):
                if fields[name].type != "date":
                    raise DescriptorError(
                        f"{where}: rowChecks dateSpan {k} {name!r} must be "
                        f"a date field, not {fields[name].type}"
                    )
        out.append(rule)
    return tuple(out)


def _rule_field_list(rule: RowRule) -> list[str]:
    """Every field a row rule names, repeats kept (for the unknown-field message)."""
    if isinstance(rule, WhenRule):
        return [rule.field, *(n for c in rule.cases for n in (*c.present, *c.absent))]
    return list(rule.fields)


def _relation_rules(
    raw: list[dict[str, Any]], fields: dict[str, Field], fks: list[ForeignKey], where: str
) -> tuple[NotBeforeRule, ...]:
    """relationChecks as typed rules, checked as far as this table alone tells: a known kind,
    a single-field foreign key, start (and end, if given) fields of this table."""
    out = []
    for rc in raw:
        if rc.get("check") not in RELATION_RULE_KINDS:
            raise DescriptorError(f"{where}: unknown relationChecks entry {short_repr(rc)}")
        fld = rc.get("foreignKey")
        if not isinstance(fld, str) or not any(fk.fields == (fld,) for fk in fks):
            raise DescriptorError(
                f"{where}: relationChecks notBefore foreignKey {short_repr(fld)} is not a "
                "single-field foreign key"
            )
        for k in ("start", "end"):
            v = rc.get(k)
            if (k == "start" or v is not None) and (not isinstance(v, str) or v not in fields):
                raise DescriptorError(
                    f"{where}: relationChecks notBefore {k} {short_repr(v)} is not a field"
                )
        out.append(NotBeforeRule(fld, rc["start"], rc.get("end"), str(rc.get("description", ""))))
    return tuple(out)


def _check_across_tables(t: TableSchema, tables: dict[str, TableSchema]) -> None:
    """What one table's rules and keys say about the tables they point to: notBefore compares
    date (or all datetime) fields of the same name on both sides; foreign keys name real
    fields of the referenced table."""
    where = t.schema_path or f"schema of {t.name}"
    for rule in t.relation_rules:
        ref = tables[next(fk for fk in t.foreign_keys if fk.fields == (rule.foreign_key,)).resource]
        kinds = {t.field(rule.start).type}
        if rule.end is not None:
            kinds.add(t.field(rule.end).type)
        if rule.start not in ref.field_names:
            raise DescriptorError(
                f"{where}: relationChecks notBefore start "
                f"{rule.start!r} is not a field of {ref.name!r}"
            )
        kinds.add(ref.field(rule.start).type)
        if len(kinds) != 1 or not kinds <= {"date", "datetime"}:
            raise DescriptorError(
                f"{where}: relationChecks notBefore compares {rule.start!r} here and in "
                f"{ref.name!r}: they must be date (or all datetime) fields, not "
                f"{', '.join(sorted(kinds))}"
            )
    for fk in t.foreign_keys:
        ref = tables[fk.resource]
        missing = [n for n in fk.fields if n not in t.field_names] + [
            n for n in fk.reference_fields if n not in ref.field_names
        ]
        if missing or len(fk.fields) != len(fk.reference_fields):
            raise DescriptorError(
                f"{where}: foreign key {list(fk.fields)} names unknown "
                f"field(s) {short_repr(missing)}"
            )


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


def table_schema_from_dict(
    name: str,
    path: str,
    schema: dict[str, Any],
    schema_path: str | None = None,
    *,
    version: str = "v1",
) -> TableSchema:
    """Build a :class:`TableSchema` from a Table Schema dict; every malformed value is a
    one-line DescriptorError naming the schema (``schema_path``), field and key; a key or
    feature not read is an UnsupportedFeatureError. ``version``: the package's Data Package
    version (:func:`datapackage_version`)."""
    where = schema_path or f"schema of {name}"
    if not isinstance(schema, dict):
        raise DescriptorError(f"{where}: a Table Schema must be an object, not {_kind(schema)}")
    for k in schema:
        if k not in SCHEMA_KEYS:
            raise UnsupportedFeatureError(
                f"schema key {k!r}",
                schema[k],
                resource=name,
                why=f"a Table Schema here reads {', '.join(SCHEMA_KEYS[:6])} and metadata",
            )
    raw_fields = schema.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise DescriptorError(f"{where}: a Table Schema needs a non-empty 'fields' list")
    if len(raw_fields) > MAX_FIELDS:
        raise DescriptorError(f"{where}: {len(raw_fields):,} fields (limit {MAX_FIELDS:,})")
    fields = tuple(_field_from_dict(f, where, i, name, version) for i, f in enumerate(raw_fields))
    names = [f.name for f in fields]
    twice = [n for i, n in enumerate(names) if n in names[:i]]
    if twice:
        raise DescriptorError(f"{where}: field {twice[0]!r} is declared twice")
    pk: tuple[str, ...] = ()
    if schema.get("primaryKey") is not None:
        pk = _as_names(schema["primaryKey"], where, "primaryKey")
    for k in pk:
        if k not in names:
            raise DescriptorError(f"{where}: primaryKey field {short_repr(k)} is not a field")
    if len(set(pk)) != len(pk):
        raise DescriptorError(f"{where}: primaryKey names a field twice")
    fks = []
    for i, fk in enumerate(_list_of_objects(schema, "foreignKeys", where)):
        w = f"{where}: foreignKeys[{i}]"
        ref = fk.get("reference")
        if not isinstance(ref, dict):
            raise DescriptorError(f"{w}: reference must be an object, not {_kind(ref)}")
        resource = ref.get("resource", "")
        if not isinstance(resource, str):
            raise DescriptorError(
                f"{w}: reference.resource must be a table name, not "
                f"{_kind(resource)} {short_repr(resource)}"
            )
        own = _as_names(fk.get("fields"), w, "fields")
        other = _as_names(ref.get("fields"), w, "reference.fields")
        if len(own) != len(other):
            raise DescriptorError(f"{w}: fields and reference.fields differ in length")
        missing = [n for n in own if n not in names]
        if missing:
            raise DescriptorError(f"{w}: field {short_repr(missing[0])} is not a field")
        fks.append(ForeignKey(fields=own, resource=resource or name, reference_fields=other))
    by_name = {f.name: f for f in fields}
    row_rules = _row_rules(_list_of_objects(schema, "rowChecks", where), by_name, where)
    relation_rules = _relation_rules(
        _list_of_objects(schema, "relationChecks", where), by_name, fks, where
    )
    missing_values = schema.get("missingValues", [""])
    if not isinstance(missing_values, list) or not all(isinstance(v, str) for v in missing_values):
        raise DescriptorError(
            f"{where}: missingValues must be a list of strings, not "
            f"{_kind(missing_values)} {short_repr(missing_values)}"
        )
    return TableSchema(
        name=name,
        path=path,
        title=_string(schema, "title", where, name),
        description=_string(schema, "description", where, ""),
        fields=fields,
        primary_key=pk,
        foreign_keys=tuple(fks),
        row_rules=row_rules,
        relation_rules=relation_rules,
        missing_values=tuple(missing_values),
        schema_path=schema_path,
        raw=schema,
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the key {short_repr(k)} appears twice in one object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth_ok(value: Any) -> bool:
    """True if containers nest at most MAX_JSON_DEPTH deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            if d > MAX_JSON_DEPTH:
                return False
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return True


def parse_json(text: str | bytes, what: str) -> Any:
    """JSON text as a value, bounded (size, nesting, no repeated keys, no NaN); anything
    else is a one-line DescriptorError naming ``what``."""
    if len(text) > MAX_JSON_BYTES:
        raise DescriptorError(f"{what} is larger than {MAX_JSON_BYTES:,} bytes")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DescriptorError(
            f"{what} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise DescriptorError(f"{what}: JSON nested too deeply") from None
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{what} is not valid JSON: {short_repr(str(exc), 120)}") from None
    if not _depth_ok(value):
        raise DescriptorError(f"{what}: JSON nested more than {MAX_JSON_DEPTH} deep")
    return value


def _read_json(path: Path, what: str) -> Any:
    """A JSON file that is a regular file of bounded size; its content is never shown."""
    label = f"{what} {short_repr(str(path), 200)}"
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DescriptorError(f"{what} not found: {short_repr(str(path), 200)}") from None
    except (OSError, ValueError) as exc:
        raise DescriptorError(
            f"{label} could not be read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise DescriptorError(f"{label} is not a regular file")
    if st.st_size > MAX_JSON_BYTES:
        raise DescriptorError(f"{label} is larger than {MAX_JSON_BYTES:,} bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise DescriptorError(f"{label} could not be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DescriptorError(f"{label} is not UTF-8 text") from None
    return parse_json(text, label)


def confined_path(root: Path, rel: Any, what: str) -> Path:
    """``root / rel`` for a relative, normalised POSIX path that stays inside ``root`` once
    symbolic links are resolved; anything else is a DescriptorError showing the path."""
    shown = short_repr(rel, 200)
    if not isinstance(rel, str) or not rel:
        raise DescriptorError(
            f"{what}: the path must be a non-empty string, not {_kind(rel)} {shown}"
        )
    if len(rel) > 1024 or _CONTROL.search(rel):
        raise DescriptorError(f"{what}: path {shown} is too long or holds control characters")
    if "://" in rel:
        raise DescriptorError(
            f"{what}: path {shown} is a URL; only files inside the package folder are supported"
        )
    if rel.startswith("/") or "\\" in rel or re.match(r"[A-Za-z]:", rel):
        raise DescriptorError(
            f"{what}: path {shown} is absolute or uses backslashes; paths "
            "are relative to the package folder, with '/'"
        )
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise DescriptorError(
            f"{what}: path {shown} is not normalised (no '.', '..' or empty parts)"
        )
    try:
        base = root.resolve()
        target = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        raise DescriptorError(
            f"{what}: path {shown} cannot be resolved (a symbolic link loop?)"
        ) from None
    if target != base and base not in target.parents:
        raise DescriptorError(
            f"{what}: path {shown} leads outside the package folder (through a symbolic link)"
        )
    return root / rel


@dataclass(frozen=True)
class Dialect:
    """A resource's CSV dialect (Data Package v1 / CSVDDF, as frictionless 5 reads it).

    ``declared`` names the CSV keys the descriptor sets: frictionless sniffs the others
    (delimiter, quoteChar, skipInitialSpace) from the first lines, and so does the reader.
    """

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True
    header_rows: tuple[int, ...] = (1,)
    header_join: str = " "
    #: False: header labels match field names ignoring case (frictionless ``headerCase``)
    header_case: bool = True
    comment_char: str | None = None
    comment_rows: tuple[int, ...] = ()
    skip_blank_rows: bool = False
    declared: frozenset[str] = frozenset()

    @property
    def header_declared(self) -> bool:
        """The descriptor says where the header is (else it is found as frictionless does)."""
        return bool({"header", "headerRows"} & self.declared)


@dataclass(frozen=True)
class ResourceFile:
    """Where a table's bytes come from and what the descriptor says about them."""

    #: the file (or, multipart, the files in order), relative to the package root
    paths: tuple[str, ...]
    #: "csv" or "tsv"
    format: str = "csv"
    #: None, "gz", "zip", "bz2" or "xz"
    compression: str | None = None
    innerpath: str | None = None
    #: a Python codec name as ``codecs.lookup`` spells it; None: not declared (UTF-8)
    encoding: str | None = None
    bytes: int | None = None
    #: (algorithm, hex digest) with algorithm "md5" or "sha256"
    hash: tuple[str, str] | None = None

    @property
    def multipart(self) -> bool:
        return len(self.paths) > 1


#: Resource keys that are metadata only: accepted, never read.
RESOURCE_METADATA = (
    "title",
    "description",
    "homepage",
    "licenses",
    "sources",
    "keywords",
    "version",
    "created",
    "contributors",
    "$schema",
)
#: Resource keys this reader implements (see :func:`_resource_file`, :func:`_dialect`).
RESOURCE_KEYS = (
    "name",
    "path",
    "schema",
    "profile",
    "scheme",
    "format",
    "mediatype",
    "encoding",
    "compression",
    "innerpath",
    "bytes",
    "hash",
    "dialect",
    "type",
)
_COMPRESSIONS = ("gz", "zip", "bz2", "xz")
_FORMATS = {"csv": "text/csv", "tsv": "text/tab-separated-values"}
_PROFILES = ("tabular-data-resource", "data-resource")
MAX_PARTS = 1000
_HEX = {"md5": re.compile(r"[0-9a-fA-F]{32}"), "sha256": re.compile(r"[0-9a-fA-F]{64}")}


def _unsupported(
    feature: str,
    value: Any,
    resource: str | None,
    why: str | None = None,
    *,
    field: str | None = None,
) -> UnsupportedFeatureError:
    """The one-line refusal of a feature of ``resource`` (and ``field``) not read here."""
    return UnsupportedFeatureError(feature, value, resource=resource, field=field, why=why)


def _resource_file(res: dict[str, Any], name: str, root: Path) -> ResourceFile:
    """The resource's file keys, each read as frictionless 5 reads it or refused. A release's
    Parquet resource (format parquet) is taken as it is: the loader reads it, the CSV
    validator refuses it."""
    parquet = res.get("format", str(res["path"]).lower().rsplit(".", 1)[-1]) == "parquet"
    if parquet and isinstance(res["path"], str):
        confined_path(root, res["path"], f"resource {name!r}")
        return ResourceFile(paths=(res["path"],), format="parquet")
    for k in res:
        if k not in RESOURCE_KEYS and k not in RESOURCE_METADATA:
            if k == "data":
                raise _unsupported("inline data", None, name, "put the rows in a CSV file")
            raise _unsupported(f"resource key {k!r}", None, name)
    profile = res.get("profile", "data-resource")
    if profile not in _PROFILES:
        raise _unsupported("profile", profile, name, "only tabular-data-resource and data-resource")
    if res.get("scheme", "file") != "file":
        raise _unsupported("scheme", res["scheme"], name, "only local files")
    if res.get("type", "table") != "table":  # frictionless 5's resource type
        raise _unsupported("resource type", res["type"], name, "only table")
    raw_paths = res["path"]
    if isinstance(raw_paths, list):
        if not raw_paths or len(raw_paths) > MAX_PARTS:
            raise DescriptorError(f"resource {name!r}: a path list needs 1 to {MAX_PARTS} paths")
        paths = tuple(raw_paths)
    else:
        paths = (raw_paths,)
    for p in paths:
        confined_path(root, p, f"resource {name!r}")
    first = paths[0].rsplit("/", 1)[-1].lower()
    suffixes = first.split(".")[1:]
    compression = res.get("compression")
    if compression is None and suffixes and suffixes[-1] in _COMPRESSIONS:
        compression = suffixes[-1]
    if compression is not None:
        if compression not in _COMPRESSIONS:
            raise _unsupported(
                "compression", compression, name, f"supported: {', '.join(_COMPRESSIONS)}"
            )
        if len(paths) > 1:
            raise _unsupported(
                "compression",
                compression,
                name,
                "frictionless does not decompress multipart resources",
            )
        if suffixes and suffixes[-1] == compression:
            suffixes = suffixes[:-1]
    innerpath = res.get("innerpath")
    if innerpath is not None and (
        compression != "zip" or not isinstance(innerpath, str) or not innerpath
    ):
        raise _unsupported("innerpath", innerpath, name, "a member name, for zip only")
    if compression == "zip" and innerpath is not None:
        suffixes = innerpath.rsplit("/", 1)[-1].lower().split(".")[1:]
    fmt = res.get("format")
    if fmt is None:
        ext = suffixes[-1] if suffixes else ""
        if ext in _FORMATS:
            fmt = ext
        else:  # frictionless does not read such a file as a table at all
            raise _unsupported(
                "format",
                ext or None,
                name,
                "declare format csv or tsv; only CSV and TSV files are read",
            )
    if fmt not in _FORMATS:
        raise _unsupported("format", fmt, name, "only csv and tsv")
    mediatype = res.get("mediatype")
    if mediatype is not None and mediatype != _FORMATS[fmt]:
        raise _unsupported("mediatype", mediatype, name, f"format {fmt} is {_FORMATS[fmt]}")
    encoding = res.get("encoding")
    if encoding is not None:
        import codecs

        try:
            encoding = codecs.lookup(encoding).name if isinstance(encoding, str) else None
        except LookupError:
            encoding = None
        if encoding is None or not _is_text_codec(encoding):
            raise _unsupported(
                "encoding", res["encoding"], name, "not a text encoding Python knows"
            )
    size = res.get("bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise DescriptorError(
            f"resource {name!r}: bytes must be a whole number, not {_kind(size)} {short_repr(size)}"
        )
    digest = None
    if res.get("hash"):  # frictionless compares no empty hash
        h = res["hash"]
        if not isinstance(h, str):
            raise DescriptorError(f"resource {name!r}: hash must be a string, not {_kind(h)}")
        algo, _, value = h.partition(":") if ":" in h else ("md5", "", h)
        if algo not in _HEX:
            raise _unsupported(
                "hash", h, name, "only md5 and sha256 (frictionless ignores other algorithms)"
            )
        digest = (algo, value)
    return ResourceFile(
        paths=paths,
        format=fmt,
        compression=compression,
        innerpath=innerpath,
        encoding=encoding,
        bytes=size,
        hash=digest,
    )


def _is_text_codec(name: str) -> bool:
    try:
        "a,b\n".encode(name).decode(name)
    except (LookupError, TypeError, ValueError, UnicodeError, AttributeError):
        return False
    return True


_CSV_KEYS = {
    "delimiter": "delimiter",
    "quoteChar": "quote_char",
    "doubleQuote": "double_quote",
    "escapeChar": "escape_char",
    "skipInitialSpace": "skip_initial_space",
}
_DIALECT_BOOLS = {
    "doubleQuote": "double_quote",
    "skipInitialSpace": "skip_initial_space",
    "header": "header",
    "headerCase": "header_case",
    "skipBlankRows": "skip_blank_rows",
}
#: Dialect keys frictionless 5 reads without effect on reading a CSV: accepted.
_DIALECT_INERT = (
    "lineTerminator",
    "caseSensitiveHeader",
    "csvddfVersion",
    "title",
    "description",
    "$schema",
)


def _dialect(res: dict[str, Any], name: str) -> Dialect:
    """The resource's dialect as frictionless 5 reads it; a key it cannot read exactly is an
    UnsupportedFeatureError."""
    d = res.get("dialect")
    if d is None:
        return Dialect()
    if not isinstance(d, dict):
        raise DescriptorError(f"resource {name!r}: dialect must be an object, not {_kind(d)}")
    kw: dict[str, Any] = {}
    for k, v in d.items():
        feature = f"dialect.{k}"
        if k in _DIALECT_INERT:
            if k in ("lineTerminator",) and not isinstance(v, str):
                raise DescriptorError(f"resource {name!r}: {feature} must be a string")
            if k == "caseSensitiveHeader" and not isinstance(v, bool):
                raise DescriptorError(f"resource {name!r}: {feature} must be true or false")
            continue
        if k in _DIALECT_BOOLS:
            if not isinstance(v, bool):
                raise DescriptorError(
                    f"resource {name!r}: {feature} must be true or false, "
                    f"not {_kind(v)} {short_repr(v)}"
                )
            kw[_DIALECT_BOOLS[k]] = v
        elif k in ("delimiter", "quoteChar", "escapeChar"):
            if not isinstance(v, str) or len(v) != 1 or v in "\r\n":
                raise _unsupported(feature, v, name, "one character, not a line break")
            kw[_CSV_KEYS[k]] = v
        elif k == "commentChar":
            if not isinstance(v, str) or not v:
                raise _unsupported(feature, v, name, "a non-empty string")
            kw["comment_char"] = v
        elif k == "headerJoin":
            if not isinstance(v, str):
                raise DescriptorError(f"resource {name!r}: {feature} must be a string")
            kw["header_join"] = v
        elif k in ("headerRows", "commentRows"):
            if (
                not isinstance(v, list)
                or len(v) > 1000
                or not all(
                    isinstance(x, int) and not isinstance(x, bool) and 0 < x < 2**31 for x in v
                )
            ):
                raise _unsupported(feature, v, name, "a list of row numbers from 1")
            if k == "headerRows":
                if not v or v != sorted(set(v)):
                    raise _unsupported(feature, v, name, "rising row numbers")
                kw["header_rows"] = tuple(v)
            else:
                kw["comment_rows"] = tuple(v)
        elif k == "nullSequence":
            raise _unsupported(feature, v, name, "frictionless 5 does not read it")
        else:
            raise _unsupported(feature, v, name)
    dialect = Dialect(**kw, declared=frozenset(d))
    chars = [c for c in (dialect.delimiter, dialect.quote_char, dialect.escape_char) if c]
    if len(set(chars)) != len(chars):
        raise _unsupported("dialect", d, name, "delimiter, quoteChar and escapeChar must differ")
    return dialect


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
            raise _unsupported(
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
        source = _resource_file(res, name, root)
        dialect = _dialect(res, name)
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
            schema = _read_json(schema_file, f"table schema for {name!r}")
        if schema is None:
            raise _unsupported(
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
        _check_across_tables(t, tables)
    return Package(
        policy=_policy(descriptor),
        name=str(descriptor.get("name", "")),
        version=str(descriptor.get("version", "")),
        title=str(descriptor.get("title", "")),
        root=root,
        descriptor=descriptor,
        tables=tables,
    )


POLICIES = ("spec", "strict")


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
    return package_from_descriptor(_read_json(path, "data package descriptor"), path.parent)
