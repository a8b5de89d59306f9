"""The differential test against frictionless: a hypothesis strategy of small random data
packages on disk, two runners that reduce each validator's answer to one comparable set of
(resource, row, field, class), and the mapping between our finding codes and frictionless'
error types that the reduction uses (see docs/frictionless.md).

Adding a feature is one line: a field type (or type and format) is an entry of
:data:`TYPES`, a dialect an entry of :data:`DIALECTS`, an encoding an entry of
:data:`ENCODINGS`, a compression an entry of :data:`COMPRESSIONS`, a missingValues choice
an entry of :data:`MISSING_VALUES`. Features whose semantics differed from frictionless
sit behind the switches below, on once the two agree; a switch still off is a difference
of the validator (``bench/differential.py --switch NAME`` runs with one turned on).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hypothesis import strategies as st

from conflictdata._checks.findings import FRICTIONLESS, POLICY, RULES, Finding
from support.paths import REPO

__all__ = [
    "ALSO",
    "CONSTRAINT_OF",
    "DIALECTS",
    "ENCODINGS",
    "KNOWN",
    "MISSING_VALUES",
    "NO_COUNTERPART",
    "POLICY",
    "PROBES",
    "SWITCHES",
    "TYPES",
    "comparable",
    "expected_unmatched",
    "frictionless_key",
    "metadata_view",
    "our_key",
    "packages",
    "render_mapping",
    "render_switches",
    "run_frictionless",
    "run_ours",
    "switch",
    "update_doc",
    "write",
]

# -- switches: features that differed from frictionless ---------------------------------------
# Each is a module attribute so a test or the bench may turn it on (``SWITCHES``). On: the
# strategy draws the feature and the test compares it (the two agree); off: a difference of
# the validator that remains (KNOWN holds its smallest package).

#: Spellings both read as the same value but not as the same text (integer ``01``, ``-0``;
#: number ``1.50``, ``2.0``, ``1e1``; boolean ``True``, ``1``) in enum, unique, primary and
#: foreign keys: compared as typed values.
TYPED_KEYS = True
#: Number spellings frictionless reads: ``+1``, `` 2``, ``1_000``, ``NaN``, ``INF``, ``.5``,
#: ``5.`` (NaN and infinities are E230 only under policy "strict").
NUMBER_SPELLINGS = True
#: Rows with too many or too few cells: the readable cells still checked (E108, E124).
RAGGED_ROWS = True
#: Records whose every cell is a missing value (``,,``; an empty cell of a one-field table):
#: blank-row (E109), and primary-key "all None" (E212) in a table with a primary key.
EMPTY_RECORDS = True
#: Header labels with surrounding spaces: trimmed, as frictionless does (E126 under strict).
HEADER_SPACES = True
#: Wrong-type cells in key or enum fields (primary key, unique, foreign key on either side,
#: enum): read as null for the key and enum checks, as frictionless reads them.
INVALID_KEYS = True
#: Composite primary / foreign keys with some but not all cells empty: compared as a tuple
#: with None in it.
PARTIAL_NULL_KEYS = True
#: Datetime clocks out of range (``T25:61:99``): a type error.
CLOCK_ERRORS = True
#: Foreign keys between fields of different types (string -> integer, ...): typed values
#: compared (``"1" != 1``).
MIXED_TYPE_KEYS = True
#: Datetime spellings frictionless' isoparse reads: any one-character separator
#: (``2020-01-01 00:00:00``), ``+0000`` offsets.
DATETIME_SPELLINGS = True
#: A foreign key onto a number field of a table with no data rows (only a header, blank
#: lines or rows of missing values): ours raises IndexError (_checks/relations.py,
#: ``length[rows]`` with the -1 of "not found" on an empty column). Off: such a foreign key
#: is not drawn.
EMPTY_NUMBER_REFERENCES = True
#: A table whose header has fewer labels than its schema has fields: frictionless checks no
#: primary key there (we report E212 on a blank row), and a foreign key onto its unlabelled
#: field is a foreign-key error on every row (we check none). Off: the primary-key rows of
#: such a table and the foreign-key rows of a table pointing into it are not compared.
MISSING_LABEL_KEYS = False

SWITCHES = (
    "TYPED_KEYS",
    "NUMBER_SPELLINGS",
    "RAGGED_ROWS",
    "EMPTY_RECORDS",
    "HEADER_SPACES",
    "INVALID_KEYS",
    "PARTIAL_NULL_KEYS",
    "CLOCK_ERRORS",
    "DATETIME_SPELLINGS",
    "MIXED_TYPE_KEYS",
    "EMPTY_NUMBER_REFERENCES",
    "MISSING_LABEL_KEYS",
)


def switch(name: str) -> bool:
    """The current value of a switch (looked up at draw time, so a bench may flip it)."""
    assert name in SWITCHES, name
    return bool(globals()[name])


# -- the mapping -----------------------------------------------------------------------------

#: Codes with no frictionless counterpart, and why. With :data:`FRICTIONLESS` this covers
#: every code of the registry exactly once (tests/validation/test_differential.py checks it).
NO_COUNTERPART: dict[str, str] = {
    "E103": "policy: frictionless strips a UTF-8 BOM",
    "E105": "frictionless reads a NUL byte as text",
    "E106": "policy: an unclosed quote; under 'spec' the rest of the file is one cell, as "
    "frictionless reads it (its symptom: missing-cell)",
    "E107": "policy: a stray quote; under 'spec' it is text, as frictionless reads it",
    "E114": "a limit of ours (cell size)",
    "E115": "policy: a lone CR in a cell; under 'spec' it ends the row, as frictionless "
    "reads it (its symptom: missing-cell)",
    "E116": "policy: CR line ends; under 'spec' they are read, as frictionless reads them",
    "E117": "a limit of ours (header size)",
    "E118": "a limit of ours (row size)",
    "E120": "a limit of ours (a resource over 4 GiB, decompressed: not read)",
    "E126": "policy: a label with spaces around it; frictionless trims labels",
    "E127": "a limit of ours (a compressed resource expanding over 100:1 past 32 MiB: not read)",
    "E128": "policy: a later multipart part without its header line; frictionless drops that "
    "line as the spec says",
    "E213": "policy: ID spelling",
    "E230": "policy: NaN or an infinity in a number field; valid Table Schema numbers",
    "E301": "rowChecks are this project's schema extension",
    "E302": "rowChecks are this project's schema extension",
    "E303": "rowChecks are this project's schema extension",
    "E304": "rowChecks are this project's schema extension",
    "E305": "rowChecks are this project's schema extension",
    "E402": "policy: acyclic self-references; Table Schema allows cycles",
    "E403": "relationChecks are this project's schema extension",
    "E404": "provenance (--sources-dir) is this project's check",
    "E405": "provenance (--sources-dir) is this project's check",
    "E406": "provenance (--sources-dir) is this project's check",
    "E409": "provenance (--sources-dir) is this project's check",
    "E407": "IDs compared with a release (--against) are this project's check",
    "E408": "IDs compared with a release (--against) are this project's check",
    "W001": "a warning: a resource that is not a table; frictionless also checks only its "
    "file (E100, E101, E122, E123 as for a table)",
    "W002": "a warning: not validated, beside metadata errors frictionless stops at",
    "W003": "policy lint: a key the specs do not define (frictionless ignores it)",
    "W004": "a warning: the schema inferred, as frictionless infers it",
    "W501": "lint (a warning: never changes the verdict)",
    "W502": "lint (a warning: never changes the verdict)",
    "W503": "lint (a warning: never changes the verdict)",
    "W504": "lint (a warning: never changes the verdict)",
    "W505": "lint (a warning: never changes the verdict)",
    "W506": "lint (a warning: never changes the verdict)",
    "W507": "policy lint: CRLF line ends; frictionless reads them",
}

#: The constraint a constraint-error of each code names (frictionless' note says
#: ``constraint "minimum" is "4"``).
CONSTRAINT_OF: dict[str, str] = {
    "E201": "required",
    "E204": "enum",
    "E205": "pattern",
    "E206": "minimum",
    "E207": "maximum",
    "E208": "minLength",
    "E209": "maxLength",
}
#: Frictionless header error types: compared as one class per resource ("label"), since the
#: two validators split one header defect differently (a renamed column is our E112 + E111,
#: frictionless' incorrect-label).
LABEL_TYPES = frozenset(
    {"duplicate-label", "missing-label", "extra-label", "incorrect-label", "blank-label"}
)
LABEL_CODES = frozenset({"E110", "E111", "E112", "E113", "E125"})
#: Frictionless error types compared at the resource (no row, no field).
RESOURCE_TYPES = frozenset(
    {
        "resource-error",
        "format-error",
        "scheme-error",
        "source-error",
        "encoding-error",
        "compression-error",
        "byte-count",
        "hash-count",
    }
)
#: frictionless' metadata error types: it reports them for the descriptor before it reads
#: any table, and then validates no table (ours: E001-E006, and every table still validated).
METADATA_TYPES = frozenset(
    {
        "package-error",
        "resource-error",
        "dialect-error",
        "control-error",
        "schema-error",
        "field-error",
    }
)
#: Row-level classes compared without a field (frictionless gives none, or one per cell).
ROW_ONLY = frozenset({"primary-key", "foreign-key", "blank-row", "extra-cell", "missing-cell"})

#: Our codes frictionless reports for the whole package, not a table (its metadata errors)
_REPORT_LEVEL = frozenset({"E001", "E002", "E003", "E004", "E005", "E006"})

_CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)"')

Key = tuple[str, "int | None", "str | None", str]  # (resource, row, field, class)


def fl_class(error_type: str, note: str) -> str:
    """The compared class of a frictionless error."""
    if error_type in LABEL_TYPES:
        return "label"
    if error_type == "constraint-error":
        m = _CONSTRAINT_NOTE.search(note or "")
        return f"constraint:{m[1] if m else '?'}"
    return error_type


def code_classes(code: str) -> tuple[str, ...]:
    """The compared classes a finding code maps to ('' for a code with no counterpart)."""
    if code in LABEL_CODES:
        return ("label",)
    if code in CONSTRAINT_OF:
        return (f"constraint:{CONSTRAINT_OF[code]}",)
    return FRICTIONLESS.get(code, ())


# -- the package model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One field type as the strategy draws it: canonical spellings of valid values (text,
    and the JSON value an enum or bound uses), spellings that are not values, the
    constraints it takes, and the extra spellings behind switches."""

    name: str
    values: Callable[[], st.SearchStrategy[tuple[str, Any]]]
    invalid: tuple[str, ...]
    constraints: frozenset[str]
    #: switch name -> spellings valid for both that need it (e.g. "TYPED_KEYS": ("01",))
    gated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: key order for minimum/maximum (None: the type takes no bounds)
    order: Callable[[str], Any] | None = None
    #: the Table Schema type and format when the entry's name is not the type
    #: (e.g. ``TYPES["string/email"] = Kind("string/email", ..., type="string",
    #: format="email")``)
    type: str | None = None
    format: str | None = None
    #: its values can be keys (an object or an array cannot: frictionless cannot hash it)
    keyable: bool = True
    #: what minLength and maxLength count in a value (its characters, or its items)
    length: Callable[[str], int] = len

    @property
    def schema_type(self) -> str:
        return self.type or self.name


_STRING_CHARS = "abcxyzé ,\"'\n\t-\u00a0\U0001f600"


def _strings() -> st.SearchStrategy[tuple[str, Any]]:
    # No leading/trailing newline (frictionless' pattern "^...$" accepts a trailing \n);
    # no CR (Python 3.11's csv writer leaves a CR unquoted under an LF line terminator:
    # our E115, frictionless splits the row). Cells hold , " \n, tabs, NBSP, an emoji.
    s = st.text(alphabet=_STRING_CHARS, min_size=1, max_size=5).filter(lambda v: v.strip("\n") == v)
    return s.map(lambda v: (v, v))


def _ints() -> st.SearchStrategy[tuple[str, Any]]:
    return st.integers(-20, 20).map(lambda v: (str(v), v))


_DYADIC = [-2.25, -1.5, -1, 0, 0.5, 1, 1.5, 2, 3.75, 10, 12.5, 100]


def _json_number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def _numbers() -> st.SearchStrategy[tuple[str, Any]]:
    # Dyadic fractions only: exact in binary, so float (ours) and Decimal (frictionless) agree.
    return st.sampled_from(_DYADIC).map(lambda v: (str(_json_number(v)), _json_number(v)))


def _booleans() -> st.SearchStrategy[tuple[str, Any]]:
    return st.sampled_from([("true", "true"), ("false", "false")])


_DATES = ["1999-12-31", "2000-02-29", "2020-01-01", "2020-06-15", "2021-12-31", "2024-02-29"]


def _dates() -> st.SearchStrategy[tuple[str, Any]]:
    return st.sampled_from(_DATES).map(lambda v: (v, v))


def _datetimes() -> st.SearchStrategy[tuple[str, Any]]:
    # The zone suffix is one per field (see _draw_field), added there.
    return st.sampled_from([d + t for d in _DATES[:4] for t in ("T00:00:00", "T12:30:05")]).map(
        lambda v: (v, v)
    )


#: The field types the strategy draws: one entry per type main supports.
TYPES: dict[str, Kind] = {
    "string": Kind(
        "string",
        _strings,
        (),
        frozenset({"required", "unique", "enum", "pattern", "minLength", "maxLength"}),
    ),
    "integer": Kind(
        "integer",
        _ints,
        ("x", "1.5", "1e", "--1", "1 2"),
        frozenset({"required", "unique", "enum", "minimum", "maximum"}),
        {"TYPED_KEYS": ("01", "-0", "007"), "NUMBER_SPELLINGS": ("+1", " 2", "3 ", "1_000")},
        order=int,
    ),
    "number": Kind(
        "number",
        _numbers,
        ("x", "1,5", "1.2.3", "e5", "--1"),
        frozenset({"required", "unique", "enum", "minimum", "maximum"}),
        {
            "TYPED_KEYS": ("1.50", "2.0", "1e1", "0.0"),
            "NUMBER_SPELLINGS": ("+1.5", ".5", "5.", "NaN", "INF", "-INF", " 1"),
        },
        order=float,
    ),
    "boolean": Kind(
        "boolean",
        _booleans,
        ("2", "t", "x", "maybe"),
        frozenset({"required", "unique", "enum"}),
        {"TYPED_KEYS": ("True", "TRUE", "1", "False", "FALSE", "0")},
    ),
    "date": Kind(
        "date",
        _dates,
        ("x", "2020/01/01", "2020-13-01", "2021-02-29", "20200101"),
        frozenset({"required", "unique", "enum", "minimum", "maximum"}),
        order=str,
    ),
    "datetime": Kind(
        "datetime",
        _datetimes,
        ("x", "2020-01-01", "2020-02-30T00:00:00", "2020-01-01T00:00"),
        frozenset({"required", "unique", "enum", "minimum", "maximum"}),
        {
            "CLOCK_ERRORS": ("2020-01-01T25:00:00", "2020-01-01T10:61:00"),
            "DATETIME_SPELLINGS": (
                "2020-01-01 00:00:00",
                "2020-01-01t00:00:00",
                "2020-01-01T00:00:00+0000",
            ),
        },
        order=str,
    ),
}


def _from(values: list[str], json_values: list[Any] | None = None) -> Callable[[], Any]:
    """A strategy of (text, JSON value) pairs over fixed spellings."""
    pairs = list(zip(values, json_values or values, strict=True))
    return lambda: st.sampled_from(pairs)


def _dateutil_order(v: str) -> Any:
    from dateutil.parser import parse

    return parse(v)


#: format any: what dateutil's parser reads (a month or a year is read on today's day)
TYPES["date/any"] = Kind(
    "date/any",
    _from(["1999-12-31", "2020-06-15", "2020-06", "1958", "1993-Jan", "March 5 2020", "5/6/2020"]),
    ("x", "2020-02-30", "2020-13-01", "13/13/2020", "nope 5"),
    frozenset({"required", "unique", "enum", "minimum", "maximum"}),
    order=_dateutil_order,
    type="date",
    format="any",
)
TYPES["datetime/any"] = Kind(
    "datetime/any",
    _from(["2020-01-01T10:00:00", "2020-06-15 12:30", "June 15 2020 10am", "2020-06-15"]),
    ("x", "2020-02-30T10:00", "10:61"),
    frozenset({"required", "unique", "enum", "minimum", "maximum"}),
    order=_dateutil_order,
    type="datetime",
    format="any",
)
TYPES["time/any"] = Kind(
    "time/any",
    _from(["10:30", "10:30:05", "23:59:59", "7pm", "2020-01-01"]),
    ("x", "25:00", "10:61"),
    frozenset({"required", "unique", "enum"}),
    type="time",
    format="any",
)
TYPES["duration"] = Kind(
    "duration",
    _from(["P1D", "PT1H", "P1Y2M", "PT0S", "P1W", "P1DT12H"]),
    ("x", "P", "1D", "P1.5", "PT1H1H"),
    frozenset({"required", "unique", "enum"}),
    {"TYPED_KEYS": ("PT60M", "P1.0Y2M", "PT3600S", "P7D")},
)
TYPES["geopoint"] = Kind(
    "geopoint",
    _from(["1,2", "-1.5,40", "180,90", "0,0", "12.25,-33.5"]),
    ("x", "181,0", "1;2", "1,2,3", "0,91"),
    frozenset({"required", "unique", "enum"}),
    {"TYPED_KEYS": ("1.0,2", " 1 , 2.00", "-0,0", "1e0,2")},
)
TYPES["geopoint/array"] = Kind(
    "geopoint/array",
    _from(["[1, 2]", "[-1.5, 40]", "[0, 0]"], [[1, 2], [-1.5, 40], [0, 0]]),
    ("x", "[1]", "[200, 0]", "1,2"),
    frozenset({"required", "unique", "enum"}),
    {"TYPED_KEYS": ("[1.0, 2]", '["1", 2.00]')},
    type="geopoint",
    format="array",
)
TYPES["geopoint/object"] = Kind(
    "geopoint/object",
    _from(['{"lon": 1, "lat": 2}', '{"lat": 40, "lon": -1.5}']),
    ("x", '{"lon": 1}', '{"lon": 1, "lat": 2, "z": 0}', "[1, 2]"),
    frozenset({"required", "unique", "enum"}),
    type="geopoint",
    format="object",
)


def _json_length(v: str) -> int:
    return len(json.loads(v))


TYPES["object"] = Kind(
    "object",
    _from(['{"a": 1}', "{}", '{"b": [1, 2], "c": null}'], [{"a": 1}, {}, {"b": [1, 2], "c": None}]),
    ("x", "[1]", "1", '{"a": }'),
    frozenset({"required", "enum", "minLength", "maxLength"}),
    {"TYPED_KEYS": ('{"a": 1.0}', '{"a": true}', '{ "a" : 1 }')},
    keyable=False,
    length=_json_length,
)
TYPES["array"] = Kind(
    "array",
    _from(["[1, 2]", "[]", '["a", {"b": 1}]'], [[1, 2], [], ["a", {"b": 1}]]),
    ("x", '{"a": 1}', "1", "[1,"),
    frozenset({"required", "enum", "minLength", "maxLength"}),
    {"TYPED_KEYS": ("[1.0, 2]", "[true, 2]", " [1,2]")},
    keyable=False,
    length=_json_length,
)


@dataclass(frozen=True)
class Dialect:
    """A CSV dialect: what the descriptor declares and how the csv module writes it."""

    descriptor: dict[str, Any] | None
    delimiter: str = ","
    lineterminator: str = "\n"
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL  # csv.QUOTE_*, as csv.writer types it


#: The dialects the strategy writes (``descriptor`` None: no ``dialect`` key).
DIALECTS: list[Dialect] = [
    Dialect(None),
    Dialect(None, lineterminator="\r\n"),
    Dialect(None, quoting=csv.QUOTE_ALL),
    Dialect({"delimiter": ",", "doubleQuote": True}),
]


@dataclass(frozen=True)
class Encoding:
    """How the bytes are written: the descriptor's ``encoding`` (None: none declared), the
    Python codec and an optional byte prefix (a BOM)."""

    declared: str | None
    codec: str = "utf-8"
    prefix: bytes = b""


def _same(data: bytes) -> bytes:
    return data


@dataclass(frozen=True)
class Compression:
    """How the file is packed: a path suffix, the descriptor's ``compression`` (None: not
    declared) and the packing (identity: none)."""

    suffix: str = ""
    declared: str | None = None
    pack: Callable[[bytes], bytes] = _same
    unpack: Callable[[bytes], bytes] = _same


#: The compressions the strategy writes, e.g. ``Compression(".gz", None, gzip.compress,
#: gzip.decompress)`` once compressed resources are read.
COMPRESSIONS: list[Compression] = [Compression()]

#: Schema missingValues the strategy declares (None: none declared, the default [""]).
MISSING_VALUES: list[list[str] | None] = [None, None, None, [""], ["", "NA"], ["NA"], []]

#: The encodings the strategy writes.
ENCODINGS: list[Encoding] = [
    Encoding(None),
    Encoding("utf-8"),
    Encoding(None, prefix=b"\xef\xbb\xbf"),  # a BOM: stripped by both under policy "spec"
]

_PATTERNS = ["[a-z]+", "[a-c]*", "a.*", "[^,]+", ".{1,3}", "[a-z ]*", "x?y?z?", "[-a-z]+"]


@dataclass
class FieldSpec:
    name: str
    type: str
    constraints: dict[str, Any]
    pool: list[str]  # canonical valid values the rows mostly use
    extra: dict[str, Any] = field(default_factory=dict)
    kind: str = ""  # the TYPES entry it was drawn from

    def descriptor(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, **self.extra}
        if self.constraints:
            d["constraints"] = self.constraints
        return d


@dataclass
class TableSpec:
    name: str
    fields: list[FieldSpec]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    rows: list[list[str]]
    header: list[str]
    dialect: Dialect
    encoding: Encoding
    #: physical layout edits, applied when writing: ("blank", before_record_index)
    blanks: list[int] = field(default_factory=list)
    header_defect: str | None = None
    compression: Compression = field(default_factory=Compression)
    #: the schema's missingValues (None: not declared, so [""])
    missing: list[str] | None = None
    #: write a one-field primary key / foreign key as a string instead of a list
    names_as_string: bool = False

    def is_null(self, cell: str) -> bool:
        return cell in ([""] if self.missing is None else self.missing)

    @property
    def null(self) -> str | None:
        """How an empty cell is written (None: the table has no missing value)."""
        if self.missing is None:
            return ""
        return self.missing[0] if self.missing else None

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def schema(self) -> dict[str, Any]:
        d: dict[str, Any] = {"fields": [f.descriptor() for f in self.fields]}
        one = self.names_as_string
        if self.primary_key:
            d["primaryKey"] = (
                self.primary_key[0] if one and len(self.primary_key) == 1 else self.primary_key
            )
        if self.foreign_keys:
            d["foreignKeys"] = [_names_as_string(fk) if one else fk for fk in self.foreign_keys]
        if self.missing is not None:
            d["missingValues"] = self.missing
        return d


def _names_as_string(fk: dict[str, Any]) -> dict[str, Any]:
    if len(fk["fields"]) != 1:
        return fk
    return {
        "fields": fk["fields"][0],
        "reference": {
            "resource": fk["reference"]["resource"],
            "fields": fk["reference"]["fields"][0],
        },
    }


@dataclass
class PackageSpec:
    tables: list[TableSpec]
    defects: list[str]

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def describe(self) -> str:
        """A readable dump (for hypothesis' falsifying example and the bench)."""
        out = [f"defects: {self.defects}"]
        for t in self.tables:
            out.append(f"{t.name}: {json.dumps(t.schema())}")
            out.append(
                f"  dialect={t.dialect} encoding={t.encoding} blanks={t.blanks} "
                f"header={t.header} ({t.header_defect})"
            )
            out.extend(f"  {r!r}" for r in t.rows)
        return "\n".join(out)


# -- the strategy ----------------------------------------------------------------------------


def _key_fields(t: TableSpec) -> set[str]:
    keys = set(t.primary_key)
    keys |= {f.name for f in t.fields if f.constraints.get("unique") or "enum" in f.constraints}
    for fk in t.foreign_keys:
        keys |= set(fk["fields"])
    return keys


_VALUES: dict[str, st.SearchStrategy[tuple[str, Any]]] = {}


def _values(kind: Kind) -> st.SearchStrategy[tuple[str, Any]]:
    """The kind's value strategy, built once."""
    got = _VALUES.get(kind.name)
    if got is None:
        got = _VALUES[kind.name] = kind.values()
    return got


def _draw_field(draw: Any, name: str, kinds: list[str], zone: str) -> FieldSpec:
    kind = TYPES[_pick(draw, kinds)]
    drawn = draw(st.lists(_values(kind), min_size=1, max_size=6))
    pool = list({t: (t, j) for t, j in drawn}.values())
    extra: dict[str, Any] = {}
    if kind.name == "datetime":
        pool = [(t + zone, j + zone) for t, j in pool]
    texts = [t for t, _ in pool]
    c: dict[str, Any] = {}
    allowed = sorted(kind.constraints)
    for k in draw(st.lists(st.sampled_from(allowed), max_size=3, unique=True)):
        if k in ("required", "unique"):
            c[k] = True
        elif k == "enum":
            c[k] = [j for _, j in pool]
        elif k == "pattern":
            fits = [p for p in _PATTERNS if all(re.fullmatch(p, v) for v in texts)]
            if fits:
                c[k] = _pick(draw, fits)
        elif k in ("minimum", "maximum"):
            order = kind.order
            assert order is not None
            by = sorted(pool, key=lambda tj: order(tj[0]))
            c[k] = (by[0] if k == "minimum" else by[-1])[1]
        elif k == "minLength":
            c[k] = min(kind.length(v) for v in texts)
        elif k == "maxLength":
            c[k] = max(kind.length(v) for v in texts)
    if kind.schema_type == "boolean" and draw(st.booleans()):
        extra = {"trueValues": ["true", "yes"], "falseValues": ["false", "no"]}
    if kind.format is not None:
        extra["format"] = kind.format
    return FieldSpec(name, kind.schema_type, c, texts, extra, kind=kind.name)


def _other_value(draw: Any, f: FieldSpec) -> str:
    """A valid value of the field's type, maybe outside its pool (a constraint defect)."""
    kind = TYPES[f.kind]
    v = draw(_values(kind))[0]
    if f.type == "string" and draw(st.booleans()):
        # Near misses of the string constraints: too short, too long, off the pattern.
        p = _pick(draw, f.pool)
        v = _pick(draw, [p[:-1] or "Q", p * 3, "Q" + p, p + ","])
    if f.kind == "datetime" and f.pool[0].endswith("Z"):
        v += "Z"
    gated = _gated(f)
    if gated and draw(st.booleans()):
        v = _pick(draw, gated)
    return v


def _gated(f: FieldSpec) -> list[str]:
    """The field type's spellings behind switches that are on."""
    got = [s for sw, vals in TYPES[f.kind].gated.items() if switch(sw) for s in vals]
    if f.kind == "datetime":  # one zone style per package: frictionless cannot mix them
        zoned = f.pool[0].endswith("Z")
        got = [
            v + "Z" if zoned and not v.endswith(("Z", "0000")) else v
            for v in got
            if zoned or not v.endswith(("Z", "0000"))
        ]
    return got


def _pick(draw: Any, seq: Any) -> Any:
    """One element of ``seq`` (an index draw: cheaper than a new sampled_from per cell)."""
    seq = list(seq)
    return seq[draw(st.integers(0, len(seq) - 1))]


def _name(i: int) -> str:
    return f"f{i}"


@st.composite
def packages(draw: Any, max_tables: int = 3, max_rows: int = 6) -> PackageSpec:
    """A small data package: 1-3 tables, 1-4 fields each, 0-6 rows, keys and foreign keys
    between the tables, and a few planted defects (the names listed in ``defects``)."""
    n_tables = draw(st.integers(1, max_tables))
    kinds = sorted(TYPES)
    defects: list[str] = []
    tables: list[TableSpec] = []
    # One zone style for every datetime of the package: frictionless cannot compare naive and
    # aware datetimes (a TypeError), and mixed offsets are behind CLOCK_ERRORS.
    zone = _pick(draw, ["", "Z"])
    for ti in range(n_tables):
        n_fields = draw(st.integers(1, 4))
        fields = [_draw_field(draw, _name(i), kinds, zone) for i in range(n_fields)]
        pk: list[str] = []
        keyable = [f.name for f in fields if TYPES[f.kind].keyable]
        if keyable and draw(st.integers(0, 2)):
            pk = draw(
                st.lists(
                    st.sampled_from(keyable),
                    min_size=1,
                    max_size=min(2, len(keyable)),
                    unique=True,
                )
            )
        fks: list[dict[str, Any]] = []
        # A foreign key to an earlier table (or to this one) over fields of the same types.
        if draw(st.integers(0, 2)):
            target_i = draw(st.integers(0, ti))
            target_fields = fields if target_i == ti else tables[target_i].fields
            target_fields = [f for f in target_fields if TYPES[f.kind].keyable]
            width = draw(st.integers(1, max(1, min(2, len(target_fields), n_fields))))
            ref = (
                draw(
                    st.lists(
                        st.sampled_from([f.name for f in target_fields]),
                        min_size=width,
                        max_size=width,
                        unique=True,
                    )
                )
                if target_fields
                else []
            )
            own: list[str] = []
            for r in ref:
                rtype = next(f.kind for f in target_fields if f.name == r)
                cands = [
                    f.name
                    for f in fields
                    if f.name not in own
                    and TYPES[f.kind].keyable
                    and (f.kind == rtype or switch("MIXED_TYPE_KEYS"))
                    and not (target_i == ti and f.name == r)
                ]
                if not cands:
                    break
                own.append(_pick(draw, cands))
            if target_fields and len(own) == width:
                fks.append(
                    {
                        "fields": own,
                        "reference": {
                            "resource": "" if target_i == ti else f"t{target_i}",
                            "fields": ref,
                        },
                    }
                )
        tables.append(
            TableSpec(
                f"t{ti}",
                fields,
                pk,
                fks,
                [],
                [f.name for f in fields],
                _pick(draw, DIALECTS),
                _pick(draw, ENCODINGS),
                compression=_pick(draw, COMPRESSIONS),
                missing=_pick(draw, MISSING_VALUES),
                names_as_string=draw(st.booleans()),
            )
        )
    # Rows: mostly pool values; defects planted below.
    referenced: dict[str, set[str]] = {t.name: set() for t in tables}
    for t in tables:
        for fk in t.foreign_keys:
            referenced[fk["reference"]["resource"] or t.name] |= set(fk["reference"]["fields"])
    for t in tables:
        n_rows = draw(st.integers(0, max_rows))
        keys = _key_fields(t) | referenced[t.name]
        # A clean table (a third of them) plants no cell defect and repeats no key value.
        clean = draw(st.integers(0, 2)) == 0
        if clean and keys:
            n_rows = min([n_rows] + [len(t.field(k).pool) for k in keys])
        for ri in range(n_rows):
            row = []
            for f in t.fields:
                choice = 99 if clean else draw(st.integers(0, 14))
                if (
                    choice == 0
                    and t.null is not None
                    and not (
                        f.name in t.primary_key
                        and len(t.primary_key) > 1
                        and not switch("PARTIAL_NULL_KEYS")
                    )
                ):
                    row.append(t.null)
                elif (
                    choice == 1
                    and TYPES[f.kind].invalid
                    and (f.name not in keys or switch("INVALID_KEYS"))
                ):
                    row.append(_pick(draw, TYPES[f.kind].invalid))
                    _note(defects, "wrong type")
                elif choice == 2 or (choice == 4 and f.constraints):
                    row.append(_other_value(draw, f))
                    _note(defects, "constraint")
                elif choice == 3 and _gated(f):
                    row.append(_pick(draw, _gated(f)))
                    _note(defects, "switched spelling")
                elif f.name in keys and choice >= 3 and (clean or choice < 12):  # distinct
                    row.append(f.pool[ri % len(f.pool)])
                else:
                    row.append(_pick(draw, f.pool))
            t.rows.append(row)
    # Foreign key values: mostly keys of the referenced table, sometimes dangling.
    for t in tables:
        for fk in t.foreign_keys:
            target = (
                t
                if fk["reference"]["resource"] == ""
                else next(x for x in tables if x.name == fk["reference"]["resource"])
            )
            tidx = [target.header.index(r) for r in fk["reference"]["fields"]]
            oidx = [t.header.index(o) for o in fk["fields"]]
            for row in t.rows:
                choice = draw(st.integers(0, 4))
                if choice <= 2 and target.rows:
                    src = _pick(draw, target.rows)
                    vals = [src[i] for i in tidx]
                    if any(t.is_null(v) or target.is_null(v) for v in vals) and not switch(
                        "PARTIAL_NULL_KEYS"
                    ):
                        continue
                    for o, v in zip(oidx, vals, strict=True):
                        row[o] = v
                elif choice == 3:
                    for o in oidx:
                        f = t.field(t.header[o])
                        row[o] = (
                            _pick(draw, f.pool) + "q"
                            if f.type == "string"
                            else _other_value(draw, f)
                        )
                    _note(defects, "dangling foreign key")
    for t in tables:
        _plant_duplicate(draw, t, defects)
        for fk in t.foreign_keys:
            _fix_keys(t, [t.header.index(o) for o in fk["fields"]])
        if not switch("EMPTY_RECORDS"):
            t.rows = [r for r in t.rows if not all(t.is_null(v) for v in r)]
        _plant_layout(draw, t, defects)
        _declare_delimiter(t)
    if not switch("EMPTY_NUMBER_REFERENCES"):
        for t in tables:
            t.foreign_keys = [fk for fk in t.foreign_keys if not _onto_empty_number(tables, t, fk)]
    return PackageSpec(tables, defects)


def _onto_empty_number(tables: list[TableSpec], t: TableSpec, fk: dict[str, Any]) -> bool:
    """A foreign key onto a number field of a table without a data row (EMPTY_NUMBER_REFERENCES)."""
    target = next(x for x in tables if x.name == (fk["reference"]["resource"] or t.name))
    return any(target.field(r).type == "number" for r in fk["reference"]["fields"]) and all(
        all(target.is_null(v) for v in row) for row in target.rows
    )


def _note(defects: list[str], what: str) -> None:
    if what not in defects:
        defects.append(what)


def _fix_keys(t: TableSpec, oidx: list[int]) -> None:
    """Keep composite foreign keys all-empty or all-filled unless PARTIAL_NULL_KEYS."""
    if switch("PARTIAL_NULL_KEYS") or len(oidx) < 2:
        return
    kept = []
    for row in t.rows:
        if any(t.is_null(row[i]) for i in oidx):
            if t.null is None:
                continue
            for i in oidx:
                row[i] = t.null
        kept.append(row)
    t.rows = kept


def _declare_delimiter(t: TableSpec) -> None:
    """Without a declared dialect frictionless guesses one (csv.Sniffer): cells with a ' or
    a tab can make it pick another delimiter or quote, where the spec's default is ','. Such
    a table declares its delimiter (docs/frictionless.md)."""
    d = t.dialect
    if d.descriptor is None and any("'" in c or "\t" in c for r in t.rows for c in r):
        t.dialect = Dialect({"delimiter": d.delimiter}, d.delimiter, d.lineterminator, d.quoting)


def _plant_duplicate(draw: Any, t: TableSpec, defects: list[str]) -> None:
    """A row whose primary key repeats another row's."""
    if t.primary_key and len(t.rows) >= 2 and draw(st.integers(0, 3)) == 0:
        i, j = draw(st.lists(st.integers(0, len(t.rows) - 1), min_size=2, max_size=2, unique=True))
        for k in t.primary_key:
            c = t.header.index(k)
            t.rows[j][c] = t.rows[i][c]
        _note(defects, "duplicate key")


def _plant_layout(draw: Any, t: TableSpec, defects: list[str]) -> None:
    """Defects of the file's layout: blank lines, empty records, a ragged row, the header."""
    if t.rows and draw(st.integers(0, 4)) == 0:
        t.blanks.append(draw(st.integers(0, len(t.rows) - 1)))
        _note(defects, "blank line")
    if switch("EMPTY_RECORDS") and t.null is not None and draw(st.integers(0, 4)) == 0:
        t.rows.insert(draw(st.integers(0, len(t.rows))), [t.null] * len(t.fields))
        _note(defects, "empty record")
    if switch("RAGGED_ROWS") and t.rows and draw(st.integers(0, 3)) == 0:
        i = draw(st.integers(0, len(t.rows) - 1))
        if draw(st.booleans()):
            t.rows[i] = t.rows[i] + [_pick(draw, ["", "x", "1"])]
        elif len(t.rows[i]) > 1:
            t.rows[i] = t.rows[i][:-1]
        _note(defects, "ragged row")
    if draw(st.integers(0, 11)) == 0:
        _header_defect(draw, t)
        _note(defects, f"header {t.header_defect}")


_HEADER_DEFECTS = ["rename", "swap", "duplicate", "blank", "drop", "add", "spaces"]


def _header_defect(draw: Any, t: TableSpec) -> None:
    options = [
        d
        for d in _HEADER_DEFECTS
        if (d != "spaces" or switch("HEADER_SPACES"))
        and (d not in ("swap", "duplicate", "drop") or len(t.header) > 1)
    ]
    what = _pick(draw, options)
    h = list(t.header)
    i = draw(st.integers(0, len(h) - 1))
    if what == "rename":
        h[i] = h[i] + "x"
    elif what == "swap":
        j = (i + 1) % len(h)
        h[i], h[j] = h[j], h[i]
    elif what == "duplicate":
        h[i] = h[(i + 1) % len(h)]
    elif what == "blank":
        h[i] = ""
    elif what == "spaces":
        h[i] = f" {h[i]} "
    elif what == "drop":
        del h[i]
        t.rows = [r[:i] + r[i + 1 :] for r in t.rows]
    elif what == "add":
        h.append("extra")
        t.rows = [[*r, "1"] for r in t.rows]
    t.header = h
    t.header_defect = what


# -- writing ---------------------------------------------------------------------------------


def csv_bytes(t: TableSpec) -> bytes:
    """The table's file: header and rows by the csv module in the table's dialect, blank
    lines where planted, encoded as the table's encoding says."""
    d = t.dialect
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=d.delimiter, lineterminator=d.lineterminator, quoting=d.quoting)
    w.writerow(t.header)
    for i, row in enumerate(t.rows):
        for _ in range(t.blanks.count(i)):
            buf.write(d.lineterminator)
        w.writerow(row)
    return t.encoding.prefix + buf.getvalue().encode(t.encoding.codec)


def write(spec: PackageSpec, root: Path) -> Path:
    """Write the package under ``root``; the descriptor's path."""
    root.mkdir(parents=True, exist_ok=True)
    resources = []
    for t in spec.tables:
        rel = f"{t.name}.csv{t.compression.suffix}"
        (root / rel).write_bytes(t.compression.pack(csv_bytes(t)))
        res: dict[str, Any] = {"name": t.name, "path": rel, "schema": t.schema()}
        if t.compression.declared is not None:
            res["compression"] = t.compression.declared
        if t.dialect.descriptor is not None:
            res["dialect"] = t.dialect.descriptor
        if t.encoding.declared is not None:
            res["encoding"] = t.encoding.declared
        resources.append(res)
    desc = {"name": "differential", "resources": resources}
    path = root / "datapackage.json"
    path.write_text(json.dumps(desc, indent=1), encoding="utf-8")
    return path


# -- the two runners -------------------------------------------------------------------------


@dataclass
class Outcome:
    """One validator's answer reduced for comparison."""

    valid: bool
    keys: set[Key]
    #: our error findings whose code has no counterpart (named by the test)
    unmatched: list[Finding] = field(default_factory=list)
    #: the verdict without the unmatched findings (ours; frictionless: the verdict)
    matched_valid: bool | None = None


def run_ours(descriptor: Path, max_per_rule: int = 1000) -> Outcome:
    """Our validator under policy "spec", reduced to (resource, row, field, class).
    ``max_per_rule``: the validator's cap on findings listed per (table, code, field)."""
    from conflictdata.tools import validate

    report = validate(descriptor, policy="spec", max_per_rule=max_per_rule)
    keys: set[Key] = set()
    unmatched: list[Finding] = []
    for f in report.findings:
        if f.severity != "error":
            continue
        key = our_key(f.code, f.table, f.row, f.field)
        if key is None:
            unmatched.append(f)
        else:
            keys.add(key)
    return Outcome(report.valid, keys, unmatched, matched_valid=report.errors == len(unmatched))


def metadata_view(ours: set[Key], theirs: set[Key]) -> tuple[set[Key], set[Key]]:
    """The two answers as they are compared. When frictionless reports a metadata error it
    validates no table, while ours reports the same errors and still validates every table
    they leave whole: then only the metadata errors are compared (with the verdict, which
    both give as invalid). Otherwise every key is."""
    if not any(k[0] == "<package>" and k[3] in METADATA_TYPES for k in theirs):
        return ours, theirs
    return {k for k in ours if k[0] == "<package>"}, {k for k in theirs if k[0] == "<package>"}


def our_key(code: str, table: str | None, row: int | None, fld: str | None) -> Key | None:
    """One error finding of ours as a frictionless key (None: the code has no counterpart).
    Shared by :func:`run_ours` and the whole-process comparison (tests/support/peer.py).
    The descriptor's metadata errors (E001-E006) are frictionless' report-level errors."""
    classes = code_classes(code)
    if not classes:
        return None
    if code in _REPORT_LEVEL:
        return ("<package>", None, None, classes[0])
    res = table or "<package>"
    if classes[0] in RESOURCE_TYPES or classes == ("label",):
        return (res, None, None, classes[0])
    return (res, row, None if classes[0] in ROW_ONLY else fld, classes[0])


def frictionless_key(
    resource: str, error_type: str, note: str, row: int | None, fld: str | None
) -> Key:
    """One error of a frictionless task as a key. Shared by :func:`run_frictionless` and the
    whole-process comparison (tests/support/peer.py)."""
    cls = fl_class(error_type, note)
    if cls == "label" or error_type in RESOURCE_TYPES:
        return (resource, None, None, cls)
    return (resource, row, None if cls in ROW_ONLY else (fld or None), cls)


def run_frictionless(descriptor: Path, limit_errors: int = 1000) -> Outcome:
    """``frictionless.validate`` on the package, reduced to (resource, row, field, class).
    ``limit_errors``: frictionless' own cap per resource (1000, its default; 0: none)."""
    import frictionless

    report = frictionless.validate(str(descriptor), limit_errors=limit_errors)
    keys: set[Key] = set()
    for e in report.errors:
        keys.add(("<package>", None, None, e.type))
    for task in report.tasks:
        for e in task.errors:
            row = getattr(e, "row_number", None)
            fld = getattr(e, "field_name", None)
            keys.add(frictionless_key(task.name, e.type, e.note, row, fld))
    return Outcome(report.valid, keys, matched_valid=report.valid)


def expected_unmatched() -> set[str]:
    """Codes of ours with no counterpart the strategy may provoke (with its switches)."""
    return set()


def comparable(ours: Outcome, theirs: Outcome, spec: PackageSpec) -> tuple[set[Key], set[Key]]:
    """Both key sets, without the keys the two still differ on while MISSING_LABEL_KEYS is
    off: the primary-key rows of a table whose header lacks a label, and the foreign-key rows
    of a table pointing into one. Labels are matched to fields by position in both, so a
    table whose header does not match its schema is otherwise compared row by row."""
    bad = (
        set()
        if switch("MISSING_LABEL_KEYS")
        else {t.name for t in spec.tables if len(t.header) < len(t.fields)}
    )
    pointing = {
        t.name
        for t in spec.tables
        for fk in t.foreign_keys
        if (fk["reference"]["resource"] or t.name) in bad
    }

    def keep(k: Key) -> bool:
        return not (
            (k[0] in bad and k[3] == "primary-key") or (k[0] in pointing and k[3] == "foreign-key")
        )

    return {k for k in ours.keys if keep(k)}, {k for k in theirs.keys if keep(k)}


# -- probes: one tiny package per mapped code ------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A package of one table ``t`` (and a parent table ``p`` when ``parent`` is given) that
    shows one code of ours and its frictionless counterpart, or one known difference:
    ``data`` None writes no file, ``b"DIR"`` a folder at the path."""

    code: str
    data: bytes | None
    fields: tuple[dict[str, Any], ...]
    primary_key: tuple[str, ...] = ()
    resource: tuple[tuple[str, Any], ...] = ()
    foreign_keys: tuple[dict[str, Any], ...] = ()
    parent: bytes | None = None
    parent_fields: tuple[dict[str, Any], ...] = ({"name": "k", "type": "string"},)
    what: str = ""
    #: frictionless' error types for a code with no counterpart (its symptom, or none)
    symptom: tuple[str, ...] = ()
    #: the policy ours runs under
    policy: str = "spec"
    #: other codes ours reports with ``code`` (each one's types allowed of frictionless too)
    also: tuple[str, ...] = ()
    #: keys of the package descriptor, and of the schema of ``t``, besides the usual
    package: tuple[tuple[str, Any], ...] = ()
    schema: tuple[tuple[str, Any], ...] = ()

    def write(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        schema: dict[str, Any] = {"fields": list(self.fields)}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = list(self.foreign_keys)
        schema.update(dict(self.schema))
        resources = [{"name": "t", "path": "t.csv", "schema": schema, **dict(self.resource)}]
        if self.parent is not None:
            (root / "p.csv").write_bytes(self.parent)
            resources.append(
                {"name": "p", "path": "p.csv", "schema": {"fields": list(self.parent_fields)}}
            )
        target = root / "t.csv"
        if self.data == b"DIR":
            target.mkdir()
        elif self.data is not None:
            target.write_bytes(self.data)
        path = root / "datapackage.json"
        desc = {"name": "probe", **dict(self.package), "resources": resources}
        path.write_text(json.dumps(desc), encoding="utf-8")
        return path


def _fk(own: list[str], ref: list[str], resource: str = "p") -> dict[str, Any]:
    return {"fields": own, "reference": {"resource": resource, "fields": ref}}


def _f(name: str, type: str = "string", **constraints: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "type": type}
    if constraints:
        d["constraints"] = constraints
    return d


_AB = (_f("a"), _f("b"))

#: Each mapped code, shown by a package where ours reports that code alone and frictionless
#: only errors of the code's types (tests/validation/test_differential.py runs both on each).
PROBES: list[Probe] = [
    Probe(
        "E001",
        b"a,b\n1,2\n",
        _AB,
        package=(("licenses", [{"id": "CC0-1.0"}]),),
        what="a package licence without a name or a path",
    ),
    Probe(
        "E002",
        b"a,b\n1,2\n",
        _AB,
        resource=(("title", 5),),
        parent=b"k\nx\n",
        what="a resource's title that is not a string (the other resource still validated)",
    ),
    Probe(
        "E003",
        b"a,b\n1,2\n",
        _AB,
        resource=(("dialect", {"header": "yes"}),),
        what="a dialect's header that is not a boolean",
    ),
    Probe(
        "E004",
        b"a,b\n1,2\n",
        _AB,
        resource=(("dialect", {"delimiter": 5}),),
        what="a delimiter that is not a string",
    ),
    Probe("E005", b"a,b\n1,2\n", _AB, ("zz",), what="a primary key naming no field"),
    Probe(
        "E006",
        b"a,b\n1,2\n",
        (_f("a", "integer", pattern="[0-9]+"), _f("b")),
        what="a constraint the type does not take (pattern on an integer)",
    ),
    Probe(
        "E007",
        b"a,b\n1,2\n",
        _AB,
        foreign_keys=(_fk(["a"], ["k"], "nope"),),
        what="a foreign key onto a resource the package does not have",
    ),
    Probe(
        "E008",
        b"a,b\n1,2\n",
        _AB,
        resource=(("path", "t.txt"), ("type", "table")),
        what="a table in a format no reader reads",
    ),
    Probe("E100", None, _AB, what="no file at the path"),
    Probe("E101", b"DIR", _AB, what="a folder at the path"),
    Probe("E102", b"", _AB, what="a zero-byte file"),
    Probe(
        "E104",
        b"a,b\n\xe9,1\n",
        _AB,
        resource=(("encoding", "utf-8"),),
        policy="strict",
        what="invalid UTF-8 under policy strict, located per line (under 'spec': E119)",
    ),
    Probe(
        "E119",
        b"a,b\n\xe9,1\n",
        _AB,
        resource=(("encoding", "utf-8"),),
        what="invalid UTF-8 where the resource declares utf-8 (undeclared: refused, exit 2, "
        "where frictionless guesses another encoding and reads it)",
    ),
    Probe(
        "E119",
        b"\xff\xfea\x00,\x00b\x00\n\x00\x00\xd8",
        _AB,
        resource=(("encoding", "utf-16"),),
        what="a truncated UTF-16 surrogate",
    ),
    Probe(
        "E121", b"a,b\n1,2\n", _AB, resource=(("compression", "gz"),), what="declared gz, not gzip"
    ),
    Probe("E122", b"a,b\n1,2\n", _AB, resource=(("bytes", 3),), what="bytes differ"),
    Probe("E123", b"a,b\n1,2\n", _AB, resource=(("hash", "md5:" + "0" * 32),), what="md5 differs"),
    Probe("E108", b"a,b\n1,2,3\n", _AB, what="an extra cell"),
    Probe("E124", b"a,b\n1\n", _AB, what="a missing cell"),
    Probe(
        "E124",
        b"a,b,c\n1\n",
        (_f("a"), _f("b"), _f("c", required=True)),
        also=("E201",),
        what="two missing cells, one of a required field (counted as null: also E201)",
    ),
    Probe("E109", b"a,b\n1,2\n\n3,4\n", _AB, what="a blank line"),
    Probe("E109", b"a,b\n1,2\n,\n", _AB, what="a row of only delimiters"),
    Probe(
        "E109",
        b"a,b\n1,2\n\n3,4\n",
        _AB,
        ("a",),
        also=("E212",),
        what="a blank line in a table with a primary key (also E212: primary-key)",
    ),
    Probe("E110", b"a,a\n1,2\n", (_f("a"), _f("a2")), what="a label twice"),
    Probe("E111", b"a\n1\n", _AB, what="the last label missing"),
    Probe(
        "E111",
        b"a,c\n1,2\n",
        (_f("a"), _f("b"), _f("c")),
        what="a middle label missing (frictionless: missing-label and incorrect-label)",
    ),
    Probe("E112", b"a,b,c\n1,2,3\n", _AB, what="an extra label"),
    Probe("E113", b"a,x\n1,2\n", _AB, what="a renamed label"),
    Probe("E125", b"a,\n1,2\n", _AB, what="a blank label"),
    Probe("E113", b"b,a\n1,2\n", _AB, what="labels out of order"),
    Probe("E201", b"a,b\n,1\n", (_f("a", required=True), _f("b")), what="required, empty"),
    Probe("E202", b"a,b\nx,1\n", (_f("a", "integer"), _f("b")), what="not an integer"),
    Probe("E203", b"a,b\n2021-02-29,1\n", (_f("a", "date"), _f("b")), what="not a calendar date"),
    Probe("E204", b"a,b\nz,1\n", (_f("a", enum=["x", "y"]), _f("b")), what="not in enum"),
    Probe("E205", b"a,b\nab1,1\n", (_f("a", pattern="[a-z]+"), _f("b")), what="pattern mismatch"),
    Probe("E206", b"a,b\n1,1\n", (_f("a", "integer", minimum=2), _f("b")), what="below minimum"),
    Probe(
        "E207",
        b"a,b\n2020-01-02,1\n",
        (_f("a", "date", maximum="2020-01-01"), _f("b")),
        what="above maximum",
    ),
    Probe("E208", b"a,b\nab,1\n", (_f("a", minLength=3), _f("b")), what="too short"),
    Probe("E209", b"a,b\nabcd,1\n", (_f("a", maxLength=3), _f("b")), what="too long"),
    Probe("E210", b"a,b\nx,1\nx,2\n", (_f("a", unique=True), _f("b")), what="not unique"),
    Probe("E211", b"a,b\nx,1\nx,2\n", _AB, ("a",), what="a primary key repeated"),
    Probe("E212", b"a,b\n,1\n", _AB, ("a",), what="a primary key empty"),
    Probe(
        "E401",
        b"a,b\nx,1\nz,2\n",
        _AB,
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k\nx\ny\n",
        what="a dangling foreign key",
    ),
]


# -- the mapping as docs/frictionless.md shows it ---------------------------------------------

#: What one finding of ours stands for beyond its code's types (docs/frictionless.md).
ALSO: dict[str, str] = {
    "E108": "the row's first cells, one per field, are still checked",
    "E109": "a blank row in a table with a primary key is also our E212 (frictionless' "
    'primary-key, cells all "None")',
    "E124": "one per missing cell, compared per row; the cell is a missing value, so a "
    "required field also gets E201",
}


def render_mapping() -> str:
    """The mapping table of docs/frictionless.md, from FRICTIONLESS, CONSTRAINT_OF, ALSO and
    NO_COUNTERPART (a test checks the document holds exactly this)."""
    lines = ["| code | title | frictionless | compared as |", "|---|---|---|---|"]
    for code, rule in RULES.items():
        if code in NO_COUNTERPART:
            fl, cls = "—", f"no counterpart: {NO_COUNTERPART[code]}"
        else:
            fl = ", ".join(f"`{t}`" for t in FRICTIONLESS[code])
            if code in CONSTRAINT_OF:
                fl += f' (`constraint "{CONSTRAINT_OF[code]}"`)'
            kinds = code_classes(code)
            where = (
                "resource"
                if kinds[0] in RESOURCE_TYPES or kinds == ("label",)
                else "row"
                if kinds[0] in ROW_ONLY
                else "row, field"
            )
            cls = f"{', '.join(kinds)} at the {where}"
            if code in ALSO:
                cls += f"; {ALSO[code]}"
        lines.append(f"| {code} | {rule.title} | {fl} | {cls} |")
    return "\n".join(lines) + "\n"


#: Codes with no counterpart, each shown by a package where ours reports that code and
#: frictionless reports only its ``symptom`` (often nothing): the claims of NO_COUNTERPART.
UNMATCHED_PROBES: list[Probe] = [
    Probe(
        "E103",
        b"\xef\xbb\xbfa,b\n1,2\n",
        _AB,
        policy="strict",
        what="a BOM under policy strict; frictionless strips it",
    ),
    Probe(
        "E105",
        b"a,b\nx\x00y,1\n",
        _AB,
        policy="strict",
        what="a NUL byte under policy strict; frictionless reads it as text",
    ),
    Probe(
        "E106",
        b'a,b\n"x,1\n2,3\n',
        _AB,
        symptom=("missing-cell",),
        policy="strict",
        what="an unclosed quote; frictionless reads the rest as one cell",
    ),
    Probe(
        "E107",
        b'a,b\nx"y,1\n',
        _AB,
        policy="strict",
        what="a stray quote; frictionless reads it as text",
    ),
    Probe(
        "E115",
        b"a,b\nx\ry,1\n2,3\n",
        _AB,
        symptom=("missing-cell",),
        policy="strict",
        what="a lone CR in a cell; frictionless ends the row there",
    ),
    Probe(
        "E116",
        b"a,b\rx,1\r2,3\r",
        _AB,
        policy="strict",
        what="CR line ends; frictionless reads them",
    ),
    Probe(
        "E126",
        b" a,b\n1,2\n",
        _AB,
        policy="strict",
        what="a label with a leading space; frictionless trims it",
    ),
    Probe(
        "E213",
        b"a\nevt-00001\n",
        (_f("a", pattern="evt-[0-9]{4,}"),),
        policy="strict",
        what="an ID with extra leading zeros under policy strict",
    ),
    Probe(
        "E230",
        b"a\nNaN\n-INF\n",
        (_f("a", "number"),),
        policy="strict",
        what="NaN and -INF in a number field; valid Table Schema numbers",
    ),
    Probe(
        "E402",
        b"a,b\n1,1\n",
        _AB,
        ("a",),
        foreign_keys=(_fk(["b"], ["a"], ""),),
        policy="strict",
        what="a row referencing itself; frictionless has no cycle rule",
    ),
    Probe(
        "W507",
        b"a,b\r\n1,2\r\n",
        _AB,
        policy="strict",
        what="CRLF line ends under policy strict; frictionless reads them",
    ),
]


def _i(name: str, **constraints: Any) -> dict[str, Any]:
    return _f(name, "integer", **constraints)


#: The smallest package that shows each switch's difference (main at 1b8702f, frictionless
#: 5.21): ``bench/differential.py --known`` says which still differ, i.e. which switch may be
#: turned on. ``code`` is the switch's name here.
KNOWN: list[Probe] = [
    Probe(
        "TYPED_KEYS",
        b"a\n1\n01\n",
        (_i("a"),),
        ("a",),
        what="integer 01 repeats the primary key 1: frictionless primary-key at row 3; ours valid",
    ),
    Probe(
        "TYPED_KEYS",
        b"a\n1.5\n1.50\n",
        (_f("a", "number", unique=True),),
        what="number 1.50 repeats the unique 1.5: frictionless unique-error; ours valid",
    ),
    Probe(
        "TYPED_KEYS",
        b"a\n01\n",
        (_i("a", enum=[1]),),
        what="integer 01 is in enum [1]: frictionless valid; ours E204",
    ),
    Probe(
        "TYPED_KEYS",
        b"a\nTrue\n",
        (_f("a", "boolean"),),
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k\ntrue\n",
        parent_fields=(_f("k", "boolean"),),
        what="boolean True references true: frictionless valid; ours E401",
    ),
    Probe(
        "NUMBER_SPELLINGS", b"a\n+1\n", (_i("a"),), what="integer +1: frictionless valid; ours E202"
    ),
    Probe(
        "NUMBER_SPELLINGS",
        b"a\nNaN\n",
        (_f("a", "number"),),
        what="number NaN: frictionless valid; ours E202",
    ),
    Probe(
        "RAGGED_ROWS",
        b"a\n1,x\n1\n",
        (_f("a"),),
        ("a",),
        what="a row with an extra cell still holds its key: frictionless extra-cell at "
        "row 2 and primary-key at row 3; ours E108 only",
    ),
    Probe(
        "RAGGED_ROWS",
        b"a,b\nx,1,2\n",
        (_i("a"), _f("b")),
        what="a row with an extra cell still has its cells checked: frictionless "
        "type-error and extra-cell; ours E108 only",
    ),
    Probe(
        "RAGGED_ROWS",
        b"a\nx\n",
        (_f("a"),),
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k,v\nx,1,2\n",
        parent_fields=(_f("k"), _f("v")),
        what="a ragged row of the referenced table still holds its key: frictionless "
        "extra-cell in p; ours E108 and a false E401 in t",
    ),
    Probe(
        "EMPTY_RECORDS",
        b"a,b\n,\n",
        _AB,
        what="a row of only delimiters: frictionless blank-row; ours valid",
    ),
    Probe(
        "EMPTY_RECORDS",
        b'a\n""\n',
        (_f("a"),),
        what="the empty cell of a one-field table: frictionless blank-row; ours valid",
    ),
    Probe(
        "HEADER_SPACES",
        b" a,b\n1,2\n",
        _AB,
        what="a label with a leading space: frictionless valid (trims); ours E111, E112",
    ),
    Probe(
        "INVALID_KEYS",
        b"a\nx\n",
        (_i("a"),),
        ("a",),
        what="a wrong-type primary key: frictionless type-error and primary-key (read as "
        "null); ours E202 only",
    ),
    Probe(
        "INVALID_KEYS",
        b"a\nx\n",
        (_i("a", enum=[1]),),
        what="a wrong-type cell under enum: frictionless type-error only; ours E202 and E204",
    ),
    Probe(
        "INVALID_KEYS",
        b"a\nx\nx\n",
        (_i("a", unique=True),),
        what="repeated wrong-type cells under unique: frictionless type-errors; ours also E210",
    ),
    Probe(
        "INVALID_KEYS",
        b"a\nx\n",
        (_i("a"),),
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k\n1\n",
        parent_fields=(_i("k"),),
        what="a wrong-type foreign key: frictionless type-error only; ours also E401",
    ),
    Probe(
        "PARTIAL_NULL_KEYS",
        b"a,b\n,1\n",
        _AB,
        ("a", "b"),
        what="a composite primary key with one empty cell: frictionless valid; ours E212",
    ),
    Probe(
        "PARTIAL_NULL_KEYS",
        b"a,b\n,1\n",
        _AB,
        foreign_keys=(_fk(["a", "b"], ["k", "v"]),),
        parent=b"k,v\nx,1\n",
        parent_fields=(_f("k"), _f("v")),
        what="a composite foreign key with one empty cell: frictionless foreign-key; ours valid",
    ),
    Probe(
        "CLOCK_ERRORS",
        b"a\n2020-01-01T25:00:00\n",
        (_f("a", "datetime"),),
        what="hour 25: frictionless type-error; ours valid",
    ),
    Probe(
        "DATETIME_SPELLINGS",
        b"a\n2020-01-01 00:00:00\n",
        (_f("a", "datetime"),),
        what="a space for the T: frictionless valid; ours E202",
    ),
    Probe(
        "MIXED_TYPE_KEYS",
        b"a\n1\n",
        (_f("a"),),
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k\n1\n",
        parent_fields=(_i("k"),),
        what="string 1 references integer 1: frictionless foreign-key; ours valid",
    ),
    Probe(
        "EMPTY_NUMBER_REFERENCES",
        b"a\n1\n",
        (_f("a", "number"),),
        foreign_keys=(_fk(["a"], ["k"]),),
        parent=b"k\n",
        parent_fields=(_f("k", "number"),),
        what="a number foreign key into a table with no rows: frictionless foreign-key at "
        "row 2; ours IndexError (a traceback)",
    ),
    Probe(
        "MISSING_LABEL_KEYS",
        b"a\n\n",
        _AB,
        ("b",),
        what="a blank row where the primary-key field b has no label: frictionless "
        "missing-label and blank-row at row 2; ours also E212 (primary-key) at row 2",
    ),
    Probe(
        "MISSING_LABEL_KEYS",
        b"a,b\n1,x\n",
        _AB,
        foreign_keys=(_fk(["a", "b"], ["k", "v"]),),
        parent=b"k\n1\n",
        parent_fields=(_f("k"), _f("v")),
        what="a foreign key onto p.v, which has no label: frictionless foreign-key at row 2 "
        "of t; ours none (t valid)",
    ),
]


def known_differs(probe: Probe, root: Path) -> bool:
    """True while ``probe`` (an entry of :data:`KNOWN`) still shows its difference."""
    path = probe.write(root)
    try:
        ours = run_ours(path)
    except Exception:
        return True
    theirs = run_frictionless(path)
    return ours.keys != theirs.keys or ours.valid != theirs.valid


def render_switches() -> str:
    """The switches section of docs/frictionless.md, from SWITCHES and KNOWN."""
    lines = []
    for name in SWITCHES:
        lines.append(f"- `{name}` ({'on' if switch(name) else 'off'}):")
        for p in KNOWN:
            if p.code == name:
                data = p.data.decode() if p.data else ""
                parent = f", p.csv `{p.parent.decode()!r}`" if p.parent else ""
                lines.append(f"  - t.csv `{data!r}`{parent}: {p.what}")
    return "\n".join(lines) + "\n"


def update_doc(path: Path) -> None:
    """Rewrite the generated sections of docs/frictionless.md (the mapping, the switches)."""
    text = path.read_text(encoding="utf-8")
    for tag, body in (("mapping", render_mapping()), ("switches", render_switches())):
        start = text.index("\n", text.index(f"<!-- {tag}:")) + 1
        text = text[:start] + body + text[text.index(f"<!-- /{tag} -->") :]
    path.write_text(text, encoding="utf-8")


# -- descriptors: the metadata frictionless checks before any table ---------------------------

#: Data of the two tables every drawn descriptor names (valid for their base schemas).
META_FILES = {"p.csv": "k,v\n1,x\n2,y\n", "t.csv": "a,b\n1,x\n2,y\n"}

_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"

#: Changes a descriptor may get, each what a real package might hold (a wrong type, a key
#: misplaced, a licence without a name, a key the specs do not define): per level, values
#: that set one key (None: the key removed).
META_PACKAGE: dict[str, list[Any]] = {
    "name": ["pkg-1", "Pkg", "a b", 5, "x.y/z"],
    "title": ["T", 5, ["t"], {"en": "T"}],
    "description": ["d", 5],
    "version": ["1.0", 1],
    "homepage": ["https://x.org", 5],
    "created": ["2020-01-01T00:00:00Z", "2020-01-01", "yesterday", 5],
    "licenses": [
        [{"name": "CC0-1.0"}],
        [{"id": "CC0-1.0", "title": "CC0"}],
        [{"path": "https://x.org/l", "title": 5}],
        "CC0-1.0",
        [5],
        [],
    ],
    "sources": [[{"title": "s", "email": "a@b.org"}], [{"title": "s", "email": "nope"}], {}],
    "contributors": [[{"title": "c", "role": "author"}], [{"title": 5}], [{"email": "x"}]],
    "keywords": [["a", "b"], "a", [1]],
    "image": ["i.png", 5],
    "profile": ["data-package", "tabular-data-package"],
    "missingValues": [["", "NA"]],
    "fields": [[]],
    "format": ["csv"],
    "encoding": ["utf-8"],
    "dialect": [{}],
    "schema": [{"fields": []}],
    "primaryKey": ["a"],
    "$schema": [_V2],
    "x-custom": [1, {"a": [1]}],
}
META_RESOURCE: dict[str, list[Any]] = {
    "name": [None, "T", "a b", 5, "p", "t.v2"],
    "title": ["T", 5],
    "licenses": [[{"name": "x"}], [{"id": "x"}]],
    "sources": [[{"email": "bad"}]],
    "bytes": [5, "12", 1.0, True, 0],
    "hash": [5, "md5:x", "sha1:ab"],
    "encoding": [5, "utf-8"],
    "format": [5, "csv"],
    "mediatype": [5, "text/csv", "application/weird"],
    "profile": ["tabular-data-resource", "data-resource"],
    "missingValues": [[""]],
    "dialect": [
        [],
        {"header": "yes"},
        {"delimiter": 5},
        {"delimiter": ","},
        {"headerRows": 1},
        {"doubleQuote": "no"},
        {"csvddfVersion": 1.2, "nullSequence": "NA", "x": 1},
    ],
    "data": [[["a"], [1]]],
    "type": ["table", "file", "foo"],
    "schema": [None, 5, []],
    "pathType": ["local"],
    "mimetype": ["text/csv"],
    "dpp:streaming": [True],
    "primaryKeys": [["a"]],
    "periodicity": ["monthly"],
}
META_SCHEMA: dict[str, list[Any]] = {
    "fields": [None, [], "a", [{"name": "a"}, {"name": "a"}]],
    "primaryKey": ["a", "zz", 5, ["a", "zz"], []],
    "foreignKeys": [
        [{"fields": "a", "reference": {"resource": "p", "fields": "k"}}],
        [{"fields": "a", "reference": {"resource": "p"}}],
        [{"fields": "a", "reference": {"resource": "p", "fields": None}}],
        [{"fields": ["a", "b"], "reference": {"resource": "p", "fields": "k"}}],
        [{"fields": "zz", "reference": {"resource": "p", "fields": "k"}}],
        [{"fields": "a", "reference": {"resource": "nope", "fields": "k"}}],
        [{"fields": "a", "reference": 5}],
        "x",
    ],
    "missingValues": ["", [1], ["", "NA"], [{"value": "NA"}]],
    "fieldsMatch": ["foo"],
    "name": ["X"],
    "primaryKeys": [["a"]],
    "title": [5],
}
META_FIELD: dict[str, list[Any]] = {
    "name": [None, 5, "b", ""],
    "type": ["foo", 5, None, "number", "string", "year"],
    "title": [5, "t"],
    "description": [["d"]],
    "format": [5, "foo", "default", "email"],
    "constraints": [
        5,
        {"foo": 1},
        {"minimum": 1},
        {"pattern": "[0-9]+"},
        {"required": "yes"},
        {"minLength": 1.5},
        {"minLength": 1.0},
        {"enum": "x"},
        {"exclusiveMinimum": 0},
        {"unique": True},
    ],
    "required": [True],
    "example": ["x", "1", 1, ""],
    "bareNumber": ["x", False],
    "rdfType": [5],
    "unit": ["m"],
    "dimension": ["x"],
    "primarykey": [True],
    "pattern": ["[0-9]+"],
}


def _meta_base() -> dict[str, Any]:
    return {
        "name": "meta",
        "resources": [
            {
                "name": "p",
                "path": "p.csv",
                "schema": {
                    "fields": [{"name": "k", "type": "integer"}, {"name": "v", "type": "string"}],
                    "primaryKey": ["k"],
                },
            },
            {
                "name": "t",
                "path": "t.csv",
                "schema": {
                    "fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]
                },
            },
        ],
    }


def _meta_set(d: dict[str, Any], key: str, value: Any) -> None:
    if (value is None and key not in ("name", "type", "schema", "fields")) or value is None:
        d.pop(key, None)
    else:
        d[key] = value


@st.composite
def descriptors(draw: Any) -> tuple[dict[str, Any], list[str]]:
    """A descriptor of two small valid tables with 1 to 3 metadata changes drawn from
    :data:`META_PACKAGE`, :data:`META_RESOURCE`, :data:`META_SCHEMA` and :data:`META_FIELD`
    (in resource ``t`` or ``p``, its first field or its second), and what was changed."""
    d = _meta_base()
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        level = draw(st.sampled_from(["package", "resource", "schema", "field"]))
        table = d["resources"][draw(st.integers(0, 1))]
        pool = {"package": META_PACKAGE, "resource": META_RESOURCE}.get(level)
        pool = pool or (META_SCHEMA if level == "schema" else META_FIELD)
        key = draw(st.sampled_from(sorted(pool)))
        value = draw(st.sampled_from(pool[key]))
        if level == "package":
            target = d
        elif level == "resource":
            target = table
        else:
            schema = table.get("schema")
            if not isinstance(schema, dict):
                continue
            target = schema
            if level == "field":
                fields = schema.get("fields")
                if not isinstance(fields, list) or not fields or not isinstance(fields[0], dict):
                    continue
                target = fields[draw(st.integers(0, len(fields) - 1))]
                if not isinstance(target, dict):
                    continue
        _meta_set(target, key, json.loads(json.dumps(value)))
        changes.append(f"{level}.{key}={value!r}")
    return d, changes


def write_descriptor(d: dict[str, Any], root: Path) -> Path:
    """The descriptor and its two tables' files under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in META_FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    path = root / "datapackage.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


if __name__ == "__main__":  # PYTHONPATH=tests .venv/bin/python -m support.differential
    update_doc(REPO / "docs" / "frictionless.md")
