"""CSV dialects, header rows, ragged and blank rows: read as frictionless 5 reads them,
compared with ``frictionless.validate`` on small packages, or refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.profiles import examples

from conflictdata._checks.findings import RULES
from conflictdata.errors import UnsupportedFeatureError
from conflictdata.tools import validate

frictionless = pytest.importorskip("frictionless")

LABEL_ERRORS = {"incorrect-label", "missing-label", "extra-label", "duplicate-label", "blank-label"}


def field(name: str, type_: str = "string", **constraints: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"name": name, "type": type_}
    if constraints:
        f["constraints"] = constraints
    return f


FIELDS = [field("id", "integer"), field("name", maxLength=1)]


def package(
    root: Path,
    data: bytes,
    dialect: dict[str, Any] | None = None,
    fields: list[dict[str, Any]] | None = None,
    policy: str | None = None,
    **schema: Any,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "t.csv").write_bytes(data)
    res: dict[str, Any] = {
        "name": "t",
        "path": "t.csv",
        "schema": {"fields": fields or FIELDS, **schema},
    }
    if dialect is not None:
        res["dialect"] = dialect
    desc: dict[str, Any] = {"name": "p", "resources": [res]}
    if policy:
        desc["conflictdata"] = {"policy": policy}
    (root / "datapackage.json").write_text(json.dumps(desc))
    return root / "datapackage.json"


def theirs(desc: Path) -> set[tuple[Any, ...]]:
    report = frictionless.validate(str(desc))
    assert not report.errors, report.errors
    return {
        (e.type, getattr(e, "row_number", None), getattr(e, "field_name", None) or None)
        for t in report.tasks
        for e in t.errors
    }


def ours(desc: Path, **kw: Any) -> set[tuple[Any, ...]]:
    """Our findings as (frictionless type, row, field): label errors have no row there, and
    a primary-key error no field."""
    out = set()
    for f in validate(desc, **kw).findings:
        kinds = RULES[f.code].frictionless
        kind = kinds[0] if kinds else f.code
        row = None if kind in LABEL_ERRORS else f.row
        fld = None if kind in ("primary-key", "extra-cell", "blank-row") else f.field
        out.add((kind, row, fld))
    return out


def same(desc: Path) -> set[tuple[Any, ...]]:
    got = ours(desc)
    assert got == theirs(desc)
    return got


def codes(desc: Path, **kw: Any) -> list[tuple[Any, ...]]:
    return sorted((f.code, f.line, f.row, f.field) for f in validate(desc, **kw).findings)


# -- the CSV keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,dialect",
    [
        (b"id;name\n1;a\nx;b\n", {"delimiter": ";"}),
        (b"id;name\n1;a\nx;b\n", None),  # sniffed, as frictionless does
        (b"id|name\n1|a\nx|b\n", {"delimiter": "|"}),
        (b"id\tname\n1\ta\nx\tb\n", {"delimiter": "\t"}),
        (b"id:name\n1:a\nx:b\n", {"delimiter": ":"}),
        (b"id,name\n1,';'\nx,b\n", {"quoteChar": "'"}),
        (b"id,name\n1,\\,\nx,b\n", {"escapeChar": "\\"}),
        (b"id,name\n1, a\nx, b\n", {"skipInitialSpace": True}),
        (b"id, name\n1, a\nx, b\n", None),  # sniffed from the header line
    ],
)
def test_delimiters_quotes_escapes(tmp_path, data, dialect):
    # the second row's id is not an integer; the first row's name is one letter
    assert same(package(tmp_path, data, dialect)) == {("type-error", 3, "id")}


def test_a_quote_char_of_apostrophe_is_not_sniffed(tmp_path):
    assert same(package(tmp_path, b"id,name\n1,'a,b'\n")) == {
        ("extra-cell", 2, None),
        ("constraint-error", 2, "name"),
    }


def test_double_quote_false_counts_only_with_an_escape_char(tmp_path):
    data = b'id,name\n1,"a""b"\n'
    assert same(package(tmp_path, data, {"doubleQuote": False})) == {
        ("constraint-error", 2, "name")
    }  # read as a"b: doubleQuote is ignored


def test_semicolon_file_keeps_the_vectorised_path(tmp_path):
    from conflictdata._read.csv import parse_csv_bytes
    from conflictdata._tableschema.model import Dialect

    found: list[Any] = []
    parsed = parse_csv_bytes(
        b"a;b\n1;2\n3;4;5\n",
        lambda c, **kw: found.append(c),
        dialect=Dialect(delimiter=";", declared=frozenset({"delimiter"})),
    )
    assert parsed is not None and parsed.fast and found == ["E108"]
    assert parsed.data.column("0").to_pylist() == ["1", "3"]


# -- header --------------------------------------------------------------------------------


def test_no_header_rows_count_from_one(tmp_path):
    assert same(package(tmp_path, b"1,a\nx,b\n", {"header": False})) == {("type-error", 2, "id")}


def test_header_rows_joined(tmp_path):
    data = b"id,na\n,me\n1,a\nx,b\n"
    # "id" + " " + "" is "id " (each row trimmed before the join), as frictionless does
    assert same(package(tmp_path, data, {"headerRows": [1, 2]})) == {
        ("incorrect-label", None, "id"),
        ("incorrect-label", None, "name"),
        ("type-error", 4, "id"),
    }
    assert same(
        package(
            tmp_path / "j",
            data.replace(b",me", b"x,me"),
            {"headerRows": [1, 2], "headerJoin": ""},
            fields=[field("idx", "integer"), field("name", maxLength=1)],
        )
    ) == {("type-error", 4, "idx")}


def test_header_row_two_skips_the_first(tmp_path):
    data = b"junk,junk\nid,name\n1,a\nx,b\n"
    assert same(package(tmp_path, data, {"headerRows": [2]})) == {("type-error", 4, "id")}


def test_header_found_after_a_title_line_and_blank_lines(tmp_path):
    assert same(package(tmp_path, b"\nid,name\n1,a\nx,b\n")) == {("type-error", 4, "id")}


@pytest.mark.parametrize(
    "data,dialect",
    [
        (b"ID,Name\n1,a\n", {"headerCase": False}),
        (b" id , name\t\n1,a\n", None),
        (b"ID,Name\n1,a\n", {"caseSensitiveHeader": False}),  # frictionless ignores the key
    ],
)
def test_label_comparison(tmp_path, data, dialect):
    same(package(tmp_path, data, dialect))


def test_header_whitespace_is_policy(tmp_path):
    desc = package(tmp_path, b" id,name\n1,a\n", policy="strict")
    assert [c for c, *_ in codes(desc)] == ["E126"]
    assert codes(desc, policy="spec") == []


@pytest.mark.parametrize("header", [b"name,id", b"id", b"id,name,extra", b"id,id", b"id,"])
def test_labels_match_fields_by_position(tmp_path, header):
    same(package(tmp_path, header + b"\n1,a\nx,b\n"))


# -- comments and blank rows ---------------------------------------------------------------


def test_comment_char_skips_rows_whose_first_cell_starts_with_it(tmp_path):
    data = b'id,name\n#c,1\n1,a\n"#q",1\n  #x,1\nx,b\n'
    assert same(package(tmp_path, data, {"commentChar": "#"})) == {
        ("type-error", 5, "id"),
        ("type-error", 6, "id"),
    }


def test_comment_rows_and_skip_blank_rows(tmp_path):
    assert same(package(tmp_path, b"id,name\n1,a\nx,b\n2,c\n", {"commentRows": [3]})) == set()
    assert same(package(tmp_path / "b", b"id,name\n\n,\n1,a\nx,b\n", {"skipBlankRows": True})) == {
        ("type-error", 5, "id")
    }


def test_blank_rows_and_rows_of_missing_values(tmp_path):
    fields = [field("id", "integer", required=True), field("name")]
    desc = package(
        tmp_path,
        b"id,name\n1,a\n\n,\nNA,NA\n,,\n2,b\n",
        fields=fields,
        missingValues=["", "NA"],
        primaryKey=["id"],
    )
    assert same(desc) == {(k, r, None) for r in (3, 4, 5, 6) for k in ("blank-row", "primary-key")}


# -- ragged rows ---------------------------------------------------------------------------


def test_extra_cells_the_rest_still_checked(tmp_path):
    fields = [field("id", "integer"), field("name", unique=True, maxLength=1)]
    desc = package(
        tmp_path, b"id,name\n1,zz,9\n2,zz\n3,b,9\n3,b\n", fields=fields, primaryKey=["id"]
    )
    assert same(desc) == {
        ("extra-cell", 2, None),
        ("constraint-error", 2, "name"),
        ("constraint-error", 3, "name"),
        ("unique-error", 3, "name"),
        ("extra-cell", 4, None),
        ("primary-key", 5, None),
        ("unique-error", 5, "name"),
    }


def test_missing_cells_are_missing_whatever_missing_values_says(tmp_path):
    fields = [field("id", "integer"), field("name", required=True), field("v", "integer")]
    desc = package(tmp_path, b"id,name,v\n1\n2,\n3,b,4\n", fields=fields, missingValues=["NA"])
    assert same(desc) == {
        ("missing-cell", 2, "name"),
        ("missing-cell", 2, "v"),
        ("constraint-error", 2, "name"),
        ("missing-cell", 3, "v"),
    }
    assert [(c, line, row, f) for c, line, row, f in codes(desc) if c == "E124"] == [
        ("E124", 2, 2, "name"),
        ("E124", 2, 2, "v"),
        ("E124", 3, 3, "v"),
    ]


def test_a_ragged_referenced_row_causes_no_false_foreign_key_error(tmp_path):
    root = tmp_path
    (root / "a.csv").write_bytes(b"id,name\n1,a,extra\n2\n")
    (root / "b.csv").write_bytes(b"ref\n1\n2\n3\n")
    desc = {
        "name": "p",
        "resources": [
            {"name": "a", "path": "a.csv", "schema": {"fields": FIELDS, "primaryKey": ["id"]}},
            {
                "name": "b",
                "path": "b.csv",
                "schema": {
                    "fields": [field("ref", "integer")],
                    "foreignKeys": [
                        {"fields": ["ref"], "reference": {"resource": "a", "fields": ["id"]}}
                    ],
                },
            },
        ],
    }
    (root / "datapackage.json").write_text(json.dumps(desc))
    report = validate(root / "datapackage.json")
    fk = [(f.table, f.row) for f in report.findings if f.code == "E401"]
    assert fk == [("b", 4)]
    their = frictionless.validate(str(root / "datapackage.json"))
    assert [
        (t.name, e.row_number) for t in their.tasks for e in t.errors if e.type == "foreign-key"
    ] == [("b", 4)]


# -- line ends -----------------------------------------------------------------------------


def test_cr_line_ends_read_as_frictionless_unless_policy(tmp_path):
    desc = package(tmp_path, b"id,name\r1,a\rx,b\r")
    assert same(desc) == {("type-error", 3, "id")}
    assert [c for c, *_ in codes(desc, policy="strict")] == ["E116"]


def test_lone_cr_is_a_line_end_unless_policy(tmp_path):
    desc = package(tmp_path, b"id,name\n1,a\rb\nx,b\n")
    same(desc)
    assert "E115" in {c for c, *_ in codes(desc, policy="strict")}


def test_misplaced_quotes_read_as_python_csv_unless_policy(tmp_path):
    desc = package(tmp_path, b'id,name\n1,a"b\n2,"c"d\n')
    same(desc)
    assert "E107" in {c for c, *_ in codes(desc, policy="strict")}


# -- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dialect",
    [
        {"nullSequence": "\\N"},  # frictionless 5 does not read it
        {"fancy": True, "csvddfVersion": 1.2, "lineTerminator": "\r\n"},
        {"csv": {"delimiter": ","}},  # frictionless 5's own form of the CSV options
    ],
)
def test_dialect_keys_frictionless_does_not_read_are_ignored(tmp_path, dialect):
    same(package(tmp_path, b"id,name\n1,a\nx,b\n", dialect))


def test_csv_options_in_frictionless_own_form_are_read(tmp_path):
    same(package(tmp_path, b"id;name\n1;a\nx;b\n", {"csv": {"delimiter": ";"}}))


@pytest.mark.parametrize(
    "dialect,word",
    [
        ({"delimiter": "::"}, "dialect.delimiter"),
        ({"quoteChar": ""}, "dialect.quoteChar"),
        ({"delimiter": ";", "quoteChar": ";"}, "must differ"),
        ({"headerRows": [2, 1]}, "dialect.headerRows"),
    ],
)
def test_refused_dialect_keys(tmp_path, dialect, word):
    with pytest.raises(UnsupportedFeatureError) as exc:
        validate(package(tmp_path, b"id,name\n1,a\n", dialect))
    assert word in str(exc.value) and "'t'" in str(exc.value)


# -- hostile -------------------------------------------------------------------------------


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blob=st.binary(max_size=200),
    dialect=st.fixed_dictionaries(
        {},
        optional={
            "delimiter": st.sampled_from([",", ";", "\t", "|"]),
            "quoteChar": st.sampled_from(['"', "'"]),
            "escapeChar": st.just("\\"),
            "skipInitialSpace": st.booleans(),
            "header": st.booleans(),
            "headerRows": st.sampled_from([[1], [1, 2], [2]]),
            "commentChar": st.just("#"),
            "skipBlankRows": st.booleans(),
            "headerCase": st.booleans(),
        },
    ),
    policy=st.sampled_from(["spec", "strict"]),
)
def test_any_bytes_in_any_dialect_never_crash(tmp_path, blob, dialect, policy):
    desc = package(tmp_path, b"id,name\n" + blob, dialect)
    try:
        report = validate(desc, policy=policy)
    except UnsupportedFeatureError as exc:
        assert "\n" not in str(exc)
        return
    assert all(f.row is None or f.row >= 1 for f in report.findings)


def test_empty_field_cells_with_extra_cells_are_a_blank_row(tmp_path):
    """frictionless' blank-row looks at the fields' cells only, and replaces the row's
    other errors (no extra-cell then)."""
    assert same(package(tmp_path, b"id,name\n1,a\n,,axa\n")) == {("blank-row", 3, None)}


def test_a_blank_line_taken_for_the_header_as_frictionless_does(tmp_path):
    # the average width rounds to 0, so the detector takes row 2 (blank) for the header:
    # no labels, the fields read by position from row 3 on
    assert same(package(tmp_path, b"id,name\n\n\n\n")) == {
        ("blank-row", 3, None),
        ("blank-row", 4, None),
    }


def test_skip_blank_rows_skips_only_rows_of_empty_cells(tmp_path):
    """frictionless' skipBlankRows drops rows whose every cell is "" (extra cells too); a
    row whose fields' cells are empty but has an extra one is still its blank-row."""
    desc = package(tmp_path, b"id,name\n,\n,,xa\n1,a\n", {"skipBlankRows": True})
    assert same(desc) == {("blank-row", 3, None)}
