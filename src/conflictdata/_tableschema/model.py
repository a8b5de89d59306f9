"""Read the data package and its Table Schemas: the single source of truth for every field.

Everything typed elsewhere (validation rules, Arrow/Parquet types, pandas dtypes, the
codebook) is derived from the objects here; no field is declared in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .._types.cells import TYPES
from .._types.spec import ValueType
from ..errors import DescriptorError, UnknownTableError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


#: Table Schema field types this validator reads, each a class of :mod:`.._types` that owns
#: its reader, options and storage.
SUPPORTED_TYPES = tuple(TYPES)

#: Table Schema types this validator refuses (named, so the refusal says so)
REFUSED_TYPES = ("geojson", "list")


@dataclass(frozen=True)
class Bound:
    """A minimum, maximum, exclusiveMinimum or exclusiveMaximum, read by the field's type:
    ``written`` as the descriptor has it (messages and docs show it), ``value`` the typed
    value (exact: an int, a Decimal, a temporal code), ``scalar`` the same as an Arrow
    scalar comparable with the column."""

    key: str
    written: Any = field(compare=False, hash=False)
    value: Any
    scalar: Any = field(compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Field:
    """One declared field of a table: its type (with the type's options) and every
    constraint, each read by that type when the descriptor was read."""

    name: str
    value_type: ValueType
    title: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    #: the enum items as written, as text: the categories of a loaded column, the docs
    enum: tuple[str, ...] | None = None
    #: the enum items read by the type (an item that is not a value of it is left out: it
    #: matches nothing, as in frictionless)
    enum_values: tuple[Any, ...] | None = None
    enum_descriptions: dict[str, str] = field(default_factory=dict, compare=False)
    pattern: str | None = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    exclusive_minimum: Bound | None = None
    exclusive_maximum: Bound | None = None
    min_length: int | None = None
    max_length: int | None = None

    @property
    def type(self) -> str:
        """The Table Schema type name."""
        return self.value_type.name

    @property
    def format(self) -> str:
        return self.value_type.format

    @property
    def is_enum(self) -> bool:
        return self.enum is not None

    @property
    def bounds(self) -> tuple[Bound, ...]:
        """The declared bounds, in the order minimum, maximum, exclusiveMinimum, exclusiveMaximum."""
        return tuple(
            b
            for b in (self.minimum, self.maximum, self.exclusive_minimum, self.exclusive_maximum)
            if b is not None
        )

    def arrow_type(self) -> pa.DataType:
        """The Arrow type this field is stored as in a release (string enums as dictionaries)."""
        import pyarrow as pa

        if self.type == "string" and self.is_enum:
            return pa.dictionary(pa.int32(), pa.string())
        return self.value_type.arrow_type()

    def arrow_field(self) -> pa.Field:
        """Arrow field with the title and description carried as field metadata."""
        import pyarrow as pa

        meta = {"title": self.title, "description": self.description}
        return pa.field(self.name, self.arrow_type(), nullable=not self.required, metadata=meta)

    def pandas_dtype(self) -> Any:
        """The pandas dtype a loaded column has: never ``object``.

        Text is the pyarrow-backed string dtype, string enums are categoricals with the
        declared categories in declared order, integers are nullable ``Int64``, numbers
        ``Float64``, booleans nullable ``boolean``, and dates stay calendar dates
        (``date32[pyarrow]``): no invented time of day or time zone, ``.dt`` accessors work.
        """
        if self.type == "string" and self.is_enum:
            import pandas as pd

            return pd.CategoricalDtype(categories=list(self.enum or ()), ordered=False)
        return self.value_type.pandas_dtype()


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
    #: the resource declares no schema: its fields are inferred from the file when it is read
    #: (as frictionless' detector infers them), none until then
    inferred: bool = False

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
    def text_hash_field(self) -> str | None:
        """The field pinning a source's text by its SHA-256 (``text_sha256``), or None."""
        return "text_sha256" if "text_sha256" in self.field_names else None

    @property
    def status_field(self) -> str | None:
        """The lifecycle field (``record_status``: active, retracted, superseded), or None."""
        return "record_status" if "record_status" in self.field_names else None

    @property
    def standing_status(self) -> str | None:
        """The lifecycle value of a standing row (``active``): any other marks a tombstone;
        None where the table has no lifecycle field."""
        return "active" if self.status_field else None

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
class OtherResource:
    """A resource frictionless does not read as a table (an image, a text, JSON, a file of
    another format): only its file is checked, as frictionless checks it (there, readable,
    its ``bytes`` and ``hash``)."""

    name: str
    source: ResourceFile
    #: what it is, for the message (``format 'png'``)
    what: str


@dataclass(frozen=True)
class Unread:
    """A resource, or one foreign key of a table, not validated, and why (the package has
    metadata errors already, so it is invalid either way: the rest is still checked)."""

    name: str
    why: str


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
    #: metadata errors of the descriptor (:class:`.metadata.Problem`), read leniently
    problems: tuple[Any, ...] = ()
    #: the resources that are not tables: only their files are checked
    others: tuple[OtherResource, ...] = ()
    #: resources (or foreign keys) not validated, with why
    unread: tuple[Unread, ...] = ()
    #: keys the specs do not define, ignored: (level, resource index, field, key)
    undefined: tuple[tuple[str, int | None, str | None, str], ...] = ()
    #: the descriptor's file name, as findings about it name it
    descriptor_name: str = "datapackage.json"

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


POLICIES = ("spec", "strict")
