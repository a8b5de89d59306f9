"""Validation findings: the registry of finding codes, the Finding/Report results and their
text, JSON and GitHub-annotation renderings.

The registry below is the one place a finding code is defined; docs/findings.md is rendered
from it by :mod:`conflictdata._tools.docs` (``conflictdata findings``) and a test fails when the
file is stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._read.limits import CELL_LIMIT, MAX_RATIO, RATIO_FLOOR
from .._util.text import safe_line, shown

LAYERS = {
    0: "descriptor",
    1: "file",
    2: "field",
    3: "row",
    4: "cross-table",
    5: "lint",
}


@dataclass(frozen=True)
class Rule:
    """One finding code: what it means and how to fix it."""

    code: str
    severity: str  # "error" | "warning"
    layer: int
    title: str
    description: str
    hint: str
    #: The frictionless 5 error types this finding corresponds to; empty when it has none
    #: (a project policy, a lint, or a rule frictionless does not know).
    frictionless: tuple[str, ...] = ()
    #: A rule of this project's policy, stricter than the Table Schema spec: checked only for
    #: a package that declares ``"conflictdata": {"policy": "strict"}`` (see docs/findings.md).
    policy: bool = False


#: Frictionless error types for the codes that have one (a code absent here has none).
FRICTIONLESS: dict[str, tuple[str, ...]] = {
    "E001": ("package-error",),
    "E002": ("resource-error",),
    "E003": ("dialect-error",),
    "E004": ("control-error",),
    "E005": ("schema-error",),
    "E006": ("field-error",),
    "E007": ("resource-error",),
    "E008": ("format-error",),
    "E100": ("scheme-error",),
    "E101": ("scheme-error",),
    "E102": ("source-error",),
    "E104": ("encoding-error",),
    "E108": ("extra-cell",),
    "E109": ("blank-row",),
    "E110": ("duplicate-label",),
    "E111": ("missing-label", "incorrect-label"),
    "E112": ("extra-label", "incorrect-label", "blank-label"),
    "E113": ("incorrect-label",),
    "E201": ("constraint-error",),
    "E202": ("type-error",),
    "E203": ("type-error",),
    "E204": ("constraint-error",),
    "E205": ("constraint-error",),
    "E206": ("constraint-error",),
    "E207": ("constraint-error",),
    "E208": ("constraint-error",),
    "E209": ("constraint-error",),
    "E210": ("unique-error",),
    "E211": ("primary-key",),
    "E212": ("primary-key",),
    "E119": ("encoding-error",),
    "E121": ("compression-error",),
    "E122": ("byte-count",),
    "E123": ("hash-count",),
    "E124": ("missing-cell",),
    "E125": ("blank-label",),
    "E401": ("foreign-key",),
}

#: Codes of this project's policy (see :attr:`Rule.policy`).
POLICY = frozenset(
    {
        "E103",
        "E105",
        "E106",
        "E107",
        "E115",
        "E116",
        "E126",
        "E128",
        "E213",
        "E230",
        "E402",
        "W003",
        "W507",
    }
)


def _r(code: str, title: str, description: str, hint: str) -> Rule:
    severity = "warning" if code.startswith("W") else "error"
    return Rule(
        code,
        severity,
        int(code[1]),
        title,
        description,
        hint,
        FRICTIONLESS.get(code, ()),
        code in POLICY,
    )


_RULE_LIST = [
    # -- layer 0: the descriptor --------------------------------------------------------------
    _r(
        "E001",
        "package descriptor invalid",
        "The package's own keys break the Data Package profile as frictionless 5 checks it: "
        "a key of the wrong type (a title that is not a string), a licence with neither "
        "'name' nor 'path', two resources of one name, a resource's key at the package "
        "level (missingValues, fields), a name outside the v1 pattern. Every table is "
        "still validated; frictionless validates none once the descriptor has an error.",
        "fix the key the message names in datapackage.json",
    ),
    _r(
        "E002",
        "resource descriptor invalid",
        "A resource breaks the Data Resource profile as frictionless 5 checks it: no "
        "'name', a key of the wrong type, a licence with neither 'name' nor 'path', neither "
        "'path' nor 'data'. That resource is not read; the others are.",
        "fix the resource's key the message names in datapackage.json",
    ),
    _r(
        "E003",
        "dialect invalid",
        "A resource's dialect breaks the CSV Dialect profile (a key of the wrong type). "
        "That resource is not read; the others are.",
        "fix the dialect key the message names",
    ),
    _r(
        "E004",
        "CSV options invalid",
        "A CSV option of a resource's dialect (delimiter, quoteChar, doubleQuote, ...) is "
        "of the wrong type, as frictionless 5 checks it once the descriptor is otherwise "
        "valid. That resource is not read; the others are.",
        "fix the dialect option the message names",
    ),
    _r(
        "E005",
        "table schema invalid",
        "A Table Schema breaks its profile as frictionless 5 checks it: no 'fields' list, "
        "two fields of one name, a primary or foreign key naming a field that does not "
        "exist or with fields and reference fields of different lengths, a schema file "
        "that cannot be read. That resource is not read; the others are.",
        "fix the schema key the message names",
    ),
    _r(
        "E006",
        "field invalid",
        "A field breaks the Table Schema field profile as frictionless 5 checks it: no "
        "name, a type it does not know, a constraint the type does not take, 'required' "
        "outside 'constraints', an example that is not a value of the type. That resource "
        "is not read; the others are.",
        "fix the field key the message names",
    ),
    _r(
        "E007",
        "reference to no resource",
        "A foreign key refers to a resource the package does not list: frictionless 5 "
        "reports a resource-error for the table and validates none of it, and so does "
        "this validator.",
        "name an existing resource in the foreign key's reference, or add that resource",
    ),
    _r(
        "E008",
        "not a table format",
        "A resource says it is a table (type 'table', or the tabular-data-resource "
        "profile) in a format no Table Schema reader reads (txt, arff, ...): frictionless "
        "5's format-error. Its data is not checked.",
        "convert the file to CSV, or drop the tabular profile if it is not a table",
    ),
    _r(
        "W001",
        "not a table",
        "A resource frictionless does not read as a table (an image, a text, JSON, GeoJSON, "
        "a file of another format): as frictionless does, only its file is checked (that it "
        "is there and readable, its declared bytes and hash); its content is not.",
        "nothing to do if the resource is not meant to be a table",
    ),
    _r(
        "W002",
        "not validated",
        "A resource, or a foreign key, that is not validated: the package's descriptor has "
        "errors (so it is invalid whatever its data holds; frictionless validates no table "
        "at all then) and this resource needs a feature this validator does not read, or "
        "refers to a resource that was not read. Fix the descriptor errors first: the run "
        "then says whether the feature is read.",
        "fix the descriptor errors reported with it",
    ),
    _r(
        "W003",
        "key not in the specs",
        "A key the Data Package, Data Resource, CSV Dialect and Table Schema specs do not "
        "define (nor frictionless 5 reads): accepted and ignored, as frictionless ignores it. "
        "Policy: named so a misspelt key (primaryKeys, fromat) does not go unnoticed.",
        "remove the key, or spell it as the spec does",
    ),
    _r(
        "W004",
        "schema inferred",
        "A CSV resource declares no schema: its fields are inferred as frictionless 5's "
        "detector infers them (the first 100 rows; for each column the first of its "
        "candidate types that reads 90% of the cells; names from the header), and the table "
        "is validated against that schema, as frictionless validates it. The message lists "
        "the fields found.",
        "declare the schema, so the types are yours and not a guess from the first rows",
    ),
    # -- layer 1: the file ------------------------------------------------------------------
    _r(
        "E100",
        "file missing",
        "A resource listed in datapackage.json has no file at its path.",
        "add the file, or fix the resource's path in datapackage.json",
    ),
    _r(
        "E101",
        "file unreadable",
        "The resource path exists but cannot be read as a file (a folder, no permission, ...).",
        "make the path a regular, readable CSV file",
    ),
    _r(
        "E102",
        "empty file",
        "The file has no header line (zero bytes, or only blank lines). A file with a header "
        "and no rows is fine.",
        "write at least the header line: the schema's field names, comma separated",
    ),
    _r(
        "E103",
        "byte order mark",
        "The file starts with a UTF-8 byte order mark (BOM), as some spreadsheet programs "
        "write. It is an error because tools that do not strip it see a header name that "
        "differs from the schema's; the rest of the file is still checked.",
        "run `conflictdata fix`: it removes the mark (Excel's 'CSV UTF-8' writes one) and "
        "nothing else",
    ),
    _r(
        "E104",
        "invalid UTF-8",
        "Bytes that are not valid UTF-8 (often a file saved as Latin-1 or Windows-1252).",
        "run `conflictdata fix`: it reads the file as cp1252 (what Excel's 'CSV (Comma "
        "delimited)' writes; --encoding names another) and writes it as UTF-8",
    ),
    _r(
        "E105",
        "NUL byte",
        "The line contains a NUL (0x00) byte, which never belongs in a text file.",
        "delete the invisible NUL character(s) on this line",
    ),
    _r(
        "E106",
        "unclosed quote",
        "A quoted cell is opened with '\"' and never closed: the rest of the file would be "
        "read as part of that one cell. Policy: without it the file is read as Python's csv "
        "module (and so frictionless) reads it.",
        "close the quoted cell with '\"'; write a literal quote inside a quoted cell as '\"\"'",
    ),
    _r(
        "E107",
        "misplaced quote",
        "A '\"' inside an unquoted cell, or text right after a closing quote. Parsers disagree "
        "on what such a line means. Only the first one in a file is reported, since every "
        "later quote's meaning depends on it. Policy: without it the file is read as Python's csv "
        "module (and so frictionless) reads it.",
        'quote the whole cell and double the quotes inside it: "he said ""no"""',
    ),
    _r(
        "E108",
        "extra cells",
        "A row has more cells than the header has labels (often an unquoted comma). As "
        "frictionless does, the row's first cells, one per label, are still checked like any "
        "other row (types, constraints, keys, references); the extra cells are not read. "
        "A row with fewer cells is E124.",
        "quote cells that contain commas; give every row exactly one cell per header label",
    ),
    _r(
        "E109",
        "blank row",
        "An empty line, or a row whose every cell is a missing value (',,', 'NA,NA' with "
        "missingValues NA): frictionless' blank-row. It is counted as a row and not checked "
        "further, but for its missing primary key (E212) when the table has one.",
        "delete the row",
    ),
    _r(
        "E110",
        "duplicate column",
        "The header names the same column twice (labels are compared trimmed, as "
        "frictionless compares them).",
        "remove or rename the second column; header names must equal the schema's field names",
    ),
    _r(
        "E111",
        "missing column",
        "The header has fewer labels than the schema has fields: the fields beyond the last "
        "label have no column and are not checked.",
        "add the column (header labels must be the schema's field names, in schema order)",
    ),
    _r(
        "E112",
        "unexpected column",
        "A header label beyond the schema's fields: its column is not checked.",
        "remove the column, or add the field to the schema first",
    ),
    _r(
        "E113",
        "wrong label",
        "A header label that is not the name of the field at its position. Columns are "
        "matched to fields by position, as frictionless does (Table Schema fieldsMatch "
        "'exact'), so the column's cells are still checked as that field's; labels are "
        "trimmed, and compared ignoring case under dialect headerCase false.",
        "write the schema's field names in the schema's order",
    ),
    _r(
        "E114",
        "cell too large",
        f"A cell is longer than {CELL_LIMIT:,} characters: almost always a broken quote or a "
        "pasted document rather than a value.",
        "shorten the cell; quote excerpts, do not paste whole texts",
    ),
    _r(
        "E115",
        "stray carriage return",
        "A carriage return (CR) inside an unquoted cell, not part of a CRLF line end: some "
        "programs read it as a line break, others as text, so the row is not read. Policy: "
        "frictionless (and this validator without the policy) takes it for a line end.",
        "delete the CR, or quote the cell if the line break is meant",
    ),
    _r(
        "E116",
        "CR line endings",
        "The lines end with a bare carriage return (CR), as old Mac programs and some "
        "spreadsheet exports write, instead of LF or CRLF. Policy: such a file is not read "
        "at all; without the policy it is read as frictionless reads it (CR ends a line).",
        "run `conflictdata fix`: it rewrites the line ends as LF",
    ),
    _r(
        "E117",
        "header too large",
        "The header has more than 1,000 columns, or more than 16 MiB: not a table of this "
        "package. The file is not read.",
        "check the file: the header must be the schema's field names",
    ),
    _r(
        "E118",
        "row too large",
        "A row (quoted line breaks included) of more than 16 MiB: almost always a broken "
        "quote. The row is not read.",
        "look for a quote that is opened and never closed near this line",
    ),
    _r(
        "E119",
        "not in its encoding",
        "The resource declares an encoding (latin-1, cp1252, utf-16, ...) and the bytes are not "
        "valid in it: frictionless' encoding-error. The file is not read.",
        "fix the resource's encoding in datapackage.json, or re-save the file in it",
    ),
    _r(
        "E120",
        "resource too large",
        "The resource (its parts joined, decompressed) holds more than 4 GiB: a decompression "
        "bomb or not a table of this package. It is not read.",
        "check the file",
    ),
    _r(
        "E121",
        "broken archive",
        "The resource is compressed (gz, zip, bz2, xz: by its compression key or its path) "
        "and cannot be decompressed, or the zip has no such member (innerpath; else its "
        "first member is read): frictionless' compression-error.",
        "re-create the archive, or fix compression / innerpath in datapackage.json",
    ),
    _r(
        "E122",
        "byte count differs",
        "The resource's bytes key differs from the bytes read: the file as stored "
        "(compressed, if it is), or a multipart resource's parts as joined (the later parts' "
        "header lines dropped), as frictionless counts them: byte-count.",
        "update bytes in datapackage.json, or restore the file it describes",
    ),
    _r(
        "E123",
        "hash differs",
        "The resource's hash (md5 without a prefix, or 'md5:' / 'sha256:' and the hex digest, "
        "compared exactly, case included) differs from the digest of the bytes E122 counts: "
        "frictionless' hash-count.",
        "update hash in datapackage.json, or restore the file it describes",
    ),
    _r(
        "E124",
        "missing cell",
        "A row has fewer cells than the header has labels: one finding per missing cell. As "
        "frictionless does, the missing cells count as missing values (so a required field "
        "also gets E201, whatever missingValues says) and the row's other cells are checked.",
        "give every row exactly one cell per header label (an empty cell is written ',,')",
    ),
    _r(
        "E125",
        "blank label",
        "A header label that is empty (or only whitespace): frictionless' blank-label. The "
        "column's cells are checked as the field at its position.",
        "write the field's name in the header",
    ),
    _r(
        "E126",
        "label with whitespace",
        "A header label with spaces or tabs around it. Policy: frictionless trims labels (so "
        "without the policy ' id ' is the field id), but other tools do not.",
        "run `conflictdata fix` (it trims every label and cell), or delete the spaces",
    ),
    _r(
        "E127",
        "decompression bomb",
        f"A compressed resource (gz, zip, bz2, xz) expands, beyond its first "
        f"{RATIO_FLOOR >> 20} MiB, to more than {MAX_RATIO} times the compressed bytes read "
        "so far. Real CSV compresses 3 to 15 times (gzip), rarely past 50 (xz, bz2); a bomb "
        "expands thousands of times. The bound is checked as the bytes arrive, so reading "
        "stops within a second in bounded memory. The file is not read.",
        "check the file; a real table compressed this well is better stored uncompressed",
    ),
    _r(
        "E128",
        "part without its header",
        "A later part of a multipart resource does not start with the header line. As the "
        "Table Schema spec says (and frictionless does), a later part's first line is dropped "
        "as the repeated header, so here a row would be lost without a word. Policy: without "
        "it the line is dropped as the spec says.",
        "start every part of the resource with the same header line as the first part",
    ),
    # -- layer 2: each field ----------------------------------------------------------------
    _r(
        "E201",
        "required value missing",
        "A field with constraints.required has an empty cell.",
        "fill in the value (an empty cell means 'not known', which this field does not allow)",
    ),
    _r(
        "E202",
        "wrong type",
        "The cell is not a valid value of the field's type, as frictionless 5 reads it: "
        "integer (Python int() of the stripped cell: sign, '_' between digits, leading zeros "
        "allowed), number (Python Decimal(): also NaN, INF, Infinity, '.5', '5.', exponents; "
        "after bareNumber, groupChar and decimalChar), boolean (the field's trueValues or "
        "falseValues), string formats uri (a scheme and ':') and uuid, date, datetime.",
        "write the value in the field's type, see docs/codebook.md",
    ),
    _r(
        "E203",
        "impossible date",
        "A date, or the date of a datetime, in the field's form but not on the calendar "
        "(month 13, 30 February, year 0000); frictionless reports it as a type-error.",
        "write a real calendar date",
    ),
    _r(
        "E204",
        "value not allowed",
        "The value is not one of the field's constraints.enum values (case and spaces count).",
        "use one of the listed values exactly, see the field's value definitions in the codebook",
    ),
    _r(
        "E205",
        "pattern mismatch",
        "The value does not match the field's constraints.pattern, which must match the whole "
        "cell (a trailing newline or space does not match).",
        "write the value in the form the pattern describes, see the codebook",
    ),
    _r(
        "E206",
        "below minimum",
        "The value is smaller than constraints.minimum (or not above exclusiveMinimum), "
        "compared as values of the type; NaN fails every bound, as in frictionless.",
        "check the value; the field's minimum is in the codebook",
    ),
    _r(
        "E207",
        "above maximum",
        "The value is larger than constraints.maximum (or not below exclusiveMaximum), "
        "compared as values of the type; NaN fails every bound, as in frictionless.",
        "check the value; the field's maximum is in the codebook",
    ),
    _r(
        "E208",
        "too short",
        "The value has fewer characters than constraints.minLength.",
        "write the full value",
    ),
    _r(
        "E209",
        "too long",
        "The value has more characters than constraints.maxLength.",
        "shorten the value",
    ),
    _r(
        "E210",
        "duplicate value",
        "A field with constraints.unique has the same value on more than one row, compared "
        "as values of the type (01 = 1, 1.50 = 1.5, true = 1 for a boolean; NaN equals "
        "nothing); a cell that is not a value of its type is not compared.",
        "make the value unique (the message says where it first appears)",
    ),
    _r(
        "E211",
        "duplicate ID",
        "The primary key value is used by an earlier row, compared as typed values (an empty "
        "or invalid part of a composite key counts as None, equal to None). IDs are never "
        "reused, even for retracted rows.",
        "give the new row the next unused ID",
    ),
    _r(
        "E212",
        "missing ID",
        "Every primary key cell of the row is empty or not a valid value of its type.",
        "give the row the next unused ID",
    ),
    _r(
        "E213",
        "ID spelled with extra zeros",
        "An ID with more digits than its pattern's minimum and a leading zero (evt-00001 where "
        "IDs have 4 digits): it is the number of another spelling (evt-0001), so two IDs could "
        "differ as text and be the same number. Each number has one spelling; the message "
        "names another line that spells the same number, if there is one.",
        "write IDs with exactly the pattern's number of digits, or more without a leading zero",
    ),
    _r(
        "E230",
        "number not finite",
        "A number field of this package holds NaN or an infinity (NaN, INF, -Infinity, ...): "
        "valid Table Schema numbers, but this dataset's numbers (counts, coordinates) are "
        "finite.",
        "write the value, or leave the cell empty if it is not known",
    ),
    # -- layer 3: each row ------------------------------------------------------------------
    _r(
        "E301",
        "out of order",
        "A rowChecks 'ordered' rule failed: known values must not decrease in the declared "
        "order (date_start <= date_end; low <= best <= high).",
        "swap or correct the values",
    ),
    _r(
        "E302",
        "incomplete group",
        "A rowChecks 'together' rule failed: these fields are all empty or all filled "
        "(latitude and longitude).",
        "fill in the missing value or empty the others",
    ),
    _r(
        "E303",
        "value required here",
        "A rowChecks 'when' rule failed: for this value of the controlling field, another field "
        "must be filled in (e.g. a count qualifier of 'exact' needs best).",
        "fill in the field, or change the controlling field's value",
    ),
    _r(
        "E304",
        "value not allowed here",
        "A rowChecks 'when' rule failed: for this value of the controlling field, another field "
        "must be empty (e.g. geo precision 'region' has no coordinates).",
        "empty the field, or change the controlling field's value",
    ),
    _r(
        "E305",
        "dates do not match precision",
        "A rowChecks 'dateSpan' rule failed: precision 'day' needs start == end; 'month' the "
        "first and last day of one month; 'year' 1 January and 31 December of one year.",
        "make the dates span exactly the stated period, or change the precision",
    ),
    # -- layer 4: across tables -------------------------------------------------------------
    _r(
        "E401",
        "unknown reference",
        "A foreign key value that is not a key of the referenced table.",
        "use an existing ID of the referenced table, or add that row first",
    ),
    _r(
        "E402",
        "reference cycle",
        "A self-referencing foreign key (parent, response, superseded_by, ...) loops back to "
        "the row itself. Every row on the cycle is reported. (Table Schema allows cycles; "
        "this dataset does not.)",
        "break the cycle: one of these rows must point elsewhere or be empty",
    ),
    _r(
        "E403",
        "before what it refers to",
        "A relationChecks 'notBefore' rule failed: the row ends (or, without an end, starts) "
        "before the row it points to starts.",
        "check both rows' dates and the reference",
    ),
    _r(
        "E404",
        "excerpt not in source",
        "With --sources-dir: the source_excerpt does not occur in the source's text file "
        "(compared after normalising whitespace, typographic quotes, apostrophes and "
        "ellipses; '...' in an excerpt may stand for an omission).",
        "copy the excerpt verbatim from the source text",
    ),
    _r(
        "E405",
        "source text missing",
        "With --sources-dir: a cited source has no readable <source_id>.txt in that folder, "
        "so the excerpts citing it cannot be checked. Located at the source's row.",
        "add the source's text as <source_id>.txt to the folder, or fix the source_id",
    ),
    _r(
        "E406",
        "no excerpt checked",
        "With --sources-dir: not one source_excerpt could be checked (no cited source has a "
        "text file there, or no table cites a source), so the check proved nothing. Not "
        "reported when the texts there are other versions than the ones pinned (E409 says so).",
        "point --sources-dir at the folder that holds the <source_id>.txt texts",
    ),
    _r(
        "E407",
        "released ID deleted",
        "An ID of the release the seeds are compared with (the newest one found, or "
        "--against) has no row in the seeds, and no row holds its cells under another ID: "
        "the row was deleted. IDs are forever: a release's users may hold that ID. Located at "
        "the file.",
        "put the row back, with record_status 'retracted' (or 'superseded' and superseded_by) "
        "and the reason in notes",
    ),
    _r(
        "E408",
        "released row renumbered",
        "A row holds, under another ID, the cells of a row of the release the seeds are "
        "compared with (every cell but the key and the table's references to itself): its "
        "ID was changed, e.g. by renumbering the rows after an inserted one. A released row "
        "keeps its ID; a new row takes the next free one.",
        "give the row back its released ID; a new row takes the next free ID",
    ),
    _r(
        "E409",
        "not the source's text",
        "With --sources-dir: a source's <source_id>.txt has a SHA-256 other than the one its "
        "row declares (sources.text_sha256): it is another version of the text (an edited "
        "copy, another download), so the excerpts citing it are not checked against it. "
        "Located at the source's text_sha256 cell.",
        "put the text the curators read in the folder; if the text in the folder is the right "
        "one (a corrected copy), update text_sha256 and check the excerpts citing it",
    ),
    # -- layer 5: lints (warnings) ----------------------------------------------------------
    _r(
        "W501",
        "surrounding whitespace",
        "A text cell starts or ends with whitespace.",
        "run `conflictdata fix` (it trims every cell), or delete the spaces, tabs or line "
        "breaks at the start and end of the cell",
    ),
    _r(
        "W502",
        "not NFC-normalised",
        "A text cell is not in Unicode NFC form (e.g. a letter and a separate combining accent), "
        "so equal-looking texts compare unequal.",
        "run `conflictdata fix` (it normalises every cell to NFC), or retype the text",
    ),
    _r(
        "W503",
        "formula-like text",
        "A text cell starts with '=', '+', '-' or '@': spreadsheet programs run it as a "
        "formula when the CSV is opened (formula injection). Numbers are exempt.",
        "reword the cell so it does not start with = + - @ (e.g. start with a word)",
    ),
    _r(
        "W504",
        "unused source",
        "A source that no row cites through a source_id foreign key.",
        "cite the source from the rows it supports, or remove it",
    ),
    _r(
        "W505",
        "hidden formula",
        "A text cell whose first visible character is '=', '+', '-' or '@' after leading "
        "whitespace (space, tab, newline, NBSP, ...) or invisible characters (zero-width, "
        "bidirectional controls, U+FEFF): some spreadsheet programs strip them and run the "
        "rest as a formula, and a reader does not see why. Numbers are exempt.",
        "remove the leading whitespace or invisible characters and reword the cell so it "
        "does not start with = + - @",
    ),
    _r(
        "W506",
        "invisible characters",
        "A text cell holds bidirectional controls (U+202A-U+202E, U+2066-U+2069), zero-width "
        "characters (U+200B-U+200D, U+2060) or U+FEFF: they display as nothing or reorder "
        "the text around them, so what a reader sees is not what the cell says.",
        "delete the invisible characters (an editor that shows them, or retype the text)",
    ),
    _r(
        "W507",
        "CRLF line ends",
        "Lines end with CR LF, as Windows programs (Excel, LibreOffice) save them, not LF: "
        "git then shows every line of the file as changed when someone saves it back with "
        "LF. Reported once per file, at the first. Policy: the spec reads either.",
        "run `conflictdata fix`: it rewrites the line ends as LF (the repository's "
        ".gitattributes keeps them so)",
    ),
]

#: code -> Rule, in documentation order.
RULES: dict[str, Rule] = {r.code: r for r in _RULE_LIST}

_VALUE_LIMIT = 200


def _short(value: str | None, limit: int = _VALUE_LIMIT) -> str | None:
    if value is None or len(value) <= limit:
        return value
    return value[:limit] + f"… ({len(value):,} characters)"


@dataclass(frozen=True)
class Finding:
    """One problem, located: path:line:column as a person would open it in an editor."""

    code: str
    severity: str
    table: str | None
    path: str | None
    line: int | None
    column: int | None
    field: str | None
    key: str | None
    value: str | None
    message: str
    hint: str
    #: The row number as the Table Schema reader counts it (frictionless' ``rowNumber``): the
    #: header is row 1 and each record, a blank one included, one more, however many
    #: physical lines it spans. None for findings not about one record.
    row: int | None = None
    #: The finding this one probably follows from, as (code, path, line, column): on a row
    #: with a cell too many or too few, the shifted cells' findings follow from it; a
    #: reused ID's unique-value finding follows from its primary-key finding.
    cause: tuple[str, str | None, int | None, int | None] | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """File, line, then on one line the file-level (structural) findings first, as they
        explain the others, then by column."""
        structural = RULES[self.code].layer == 1 if self.code in RULES else False
        return (self.path or "", self.line or 0, not structural, self.column or 0, self.code)

    def cell(self) -> str:
        """Where in the row, as a spreadsheet user finds it: ``field, column M``."""
        parts = [self.field] if self.field else []
        if self.column is not None:
            parts.append(f"column {column_letter(self.column)}")
        return ", ".join(parts)

    def location(self) -> str:
        parts = [self.path or "<descriptor>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "table": self.table,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "key": self.key,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
            "row": self.row,
            "cause": None
            if self.cause is None
            else dict(zip(("code", "path", "line", "column"), self.cause, strict=True)),
        }

    def format_text(self) -> str:
        """``path:line:column: CODE [field, column M] message (hint: ...)``, every string
        from data shown visible and cut short: one line no terminal or CI runner acts on."""
        where = [shown(self.path, 300) if self.path else "<descriptor>"]
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        cell = f"[{shown(self.cell())}] " if self.cell() else ""
        hint = f" (hint: {shown(self.hint)})" if self.hint else ""
        return safe_line(f"{':'.join(where)}: {self.code} {cell}{shown(self.message)}{hint}")

    def ref(self) -> tuple[str, str | None, int | None, int | None]:
        """This finding as another's :attr:`cause`."""
        return (self.code, self.path, self.line, self.column)


def column_letter(column: int) -> str:
    """A 1-based column number as a spreadsheet names it: 1 A, 26 Z, 27 AA."""
    letters = ""
    n = column
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters or "?"


def make_finding(
    code: str,
    *,
    table: str | None,
    path: str | None,
    line: int | None,
    message: str,
    column: int | None = None,
    field: str | None = None,
    key: str | None = None,
    value: str | None = None,
    hint: str | None = None,
    row: int | None = None,
) -> Finding:
    """A Finding whose severity and default hint come from the registry."""
    rule = RULES[code]
    return Finding(
        code=code,
        severity=rule.severity,
        table=table,
        path=path,
        line=None if line is None else int(line),
        column=None if column is None else int(column),
        field=field,
        key=key,
        value=_short(value),
        message=message,
        hint=rule.hint if hint is None else hint,
        row=None if row is None else int(row),
    )
