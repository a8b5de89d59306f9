"""The CSV validator, ``validate_frames`` and the pandera schemas report the same findings on
any schema, not only this repository's: each divergence issue 20 found is a case here, and a
hypothesis test draws schemas (types with formats, the four bounds, number options, boolean
spellings, enums, patterns, keys, row and relation rules, both policies) and their cells.

The drawn examples are few by default (the suite stays quick); verdicts more with
``CONFLICTDATA_AGREEMENT_EXAMPLES=2000 python -m pytest tests/validation/test_engine_agreement.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.agreement import FILE_LEVEL, Table, verdicts
from support.profiles import examples

pytest.importorskip("pandera.pandas")

EXAMPLES = int(os.environ.get("CONFLICTDATA_AGREEMENT_EXAMPLES", "40"))


def _one(fields: list[dict], cells: list[list[str]], **schema: object) -> dict[str, Table]:
    names = [f["name"] for f in fields]
    return {"t": Table({"fields": fields, **schema}, [names, *cells])}


def _agree(tmp_path: Path, tables: dict[str, Table], policy: str | None = None) -> set:
    got = verdicts(tmp_path, tables, policy)
    assert got.frames == got.csv
    assert got.pandera == got.pandera_expected
    return got.csv


def _codes(found: set) -> list[tuple[str, str]]:
    return sorted(((k[1] or ""), k[3]) for k in found)


# -- the divergences issue 20 lists -----------------------------------------------------------


def test_exclusive_minimum(tmp_path):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "number", "constraints": {"exclusiveMinimum": 0}},
    ]
    found = _agree(tmp_path, _one(fields, [["a", "0"], ["b", "-1"], ["c", "0.5"]], primaryKey="id"))
    assert _codes(found) == [("a", "E206"), ("b", "E206")]


def test_number_maximum_in_the_fields_decimal_char(tmp_path):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "number", "decimalChar": ",", "constraints": {"maximum": "1,5"}},
    ]
    cells = [["a", "1,4"], ["b", "1,6"], ["c", "1,5"]]
    found = _agree(tmp_path, _one(fields, cells, primaryKey="id"))
    assert _codes(found) == [("b", "E207")]


def test_formatted_date_minimum(tmp_path):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {
            "name": "d",
            "type": "date",
            "format": "%d/%m/%Y",
            "constraints": {"minimum": "01/06/2025"},
        },
    ]
    cells = [["a", "31/05/2025"], ["b", "02/06/2025"], ["c", "2025-06-02"]]
    found = _agree(tmp_path, _one(fields, cells, primaryKey="id"))
    assert _codes(found) == [("a", "E206"), ("c", "E202")]


@pytest.mark.parametrize("enum", [[True], ["yes"]])
def test_boolean_enum_with_its_own_spellings(tmp_path, enum):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {
            "name": "b",
            "type": "boolean",
            "trueValues": ["yes"],
            "falseValues": ["no"],
            "constraints": {"enum": enum},
        },
    ]
    found = _agree(tmp_path, _one(fields, [["a", "yes"], ["b", "no"]], primaryKey="id"))
    assert _codes(found) == [("b", "E204")]


@pytest.mark.parametrize("policy", ["spec", "strict"])
def test_policy_codes_only_under_the_strict_policy(tmp_path, policy):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {"name": "parent", "type": "string"},
        {"name": "n", "type": "number"},
    ]
    cells = [["a", "b", "INF"], ["b", "a", "1"]]
    fk = [{"fields": "parent", "reference": {"resource": "", "fields": "id"}}]
    found = _agree(tmp_path, _one(fields, cells, primaryKey="id", foreignKeys=fk), policy)
    strict = [("a", "E230"), ("a", "E402"), ("b", "E402")]
    assert _codes(found) == (strict if policy == "strict" else [])


def test_datetime_bounds_with_offsets(tmp_path):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {
            "name": "t",
            "type": "datetime",
            "constraints": {"maximum": "2025-06-13T00:00:00Z"},
        },
    ]
    cells = [["a", "2025-06-13T02:00:00+03:00"], ["b", "2025-06-13T01:00:00Z"]]
    found = _agree(tmp_path, _one(fields, cells, primaryKey="id"))
    assert _codes(found) == [("b", "E207")]


def test_integer_bounds_and_enum_as_the_reader_reads_them(tmp_path):
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {
            "name": "i",
            "type": "integer",
            "bareNumber": False,
            "constraints": {"minimum": "01", "enum": ["1", 2, "003"]},
        },
    ]
    cells = [["a", "$1"], ["b", "2%"], ["c", "3"], ["d", "0"]]
    found = _agree(tmp_path, _one(fields, cells, primaryKey="id"))
    assert _codes(found) == [("d", "E204"), ("d", "E206")]


def test_a_row_of_only_missing_cells_is_no_data_row(tmp_path):
    """A CSV reader takes such a row out (E109, and E212: no key); a frame's row too, so a
    required field is not also reported empty there."""
    fields: list[dict] = [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer", "constraints": {"required": True}},
    ]
    found = _agree(tmp_path, _one(fields, [["a", "1"], ["", ""], ["b", ""]], primaryKey="id"))
    assert _codes(found) == [("", "E212"), ("b", "E201")]


def test_file_level_codes_are_the_registrys_file_and_lint_layers():
    assert {"E103", "E108", "E113", "E124", "W501"} <= FILE_LEVEL
    assert not {c for c in FILE_LEVEL if c[1] in "234"}


# -- any schema ------------------------------------------------------------------------------

#: per type: its field options, and cells around the values its constraints are drawn from
_NUMBER_OPTIONS = [
    {},
    {"decimalChar": ","},
    {"groupChar": ",", "decimalChar": "."},
    {"decimalChar": ",", "groupChar": "."},
    {"bareNumber": False},
    {"floatNumber": True},
]


def _number_text(value: float, opts: dict) -> str:
    text = repr(float(value)).removesuffix(".0")
    if opts.get("decimalChar", ".") != ".":
        text = text.replace(".", opts["decimalChar"])
    return text


@st.composite
def _number_field(draw, name: str, integer: bool) -> tuple[dict, list[str], list[str]]:
    opts = {"bareNumber": False} if integer and draw(st.booleans()) else {}
    if not integer:
        opts = dict(draw(st.sampled_from(_NUMBER_OPTIONS)))
    vals = draw(st.lists(st.integers(-20, 20), min_size=2, max_size=5, unique=True))
    if not integer:
        vals = [v / 4 for v in vals]
    spell = (lambda v: str(int(v))) if integer else (lambda v: _number_text(v, opts))
    constraints: dict = {}
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            v = draw(st.sampled_from(vals))
            constraints[key] = spell(v) if draw(st.booleans()) else (int(v) if integer else v)
    if draw(st.integers(0, 4)) == 0:
        constraints["enum"] = [spell(v) for v in vals[:2]]
    good = [spell(v) for v in vals] + [""]
    if not integer:
        good += ["INF", "-0"]
    if opts.get("bareNumber") is False:
        good += [f"${good[0]}", f"{good[1]}%"]
    if opts.get("groupChar"):
        good.append(f"1{opts['groupChar']}000")
    ftype = "integer" if integer else "number"
    return {"name": name, "type": ftype, **opts, "constraints": constraints}, good, ["x", "1.5.5"]


_DATES = ["2025-06-01", "2025-06-13", "2025-06-30", "2024-02-29"]


@st.composite
def _date_field(draw, name: str) -> tuple[dict, list[str], list[str]]:
    fmt = draw(st.sampled_from(["default", "%d/%m/%Y", "%Y%m%d"]))

    def spell(iso: str) -> str:
        y, m, d = iso.split("-")
        return {"default": iso, "%d/%m/%Y": f"{d}/{m}/{y}", "%Y%m%d": f"{y}{m}{d}"}[fmt]

    constraints: dict = {}
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            constraints[key] = spell(draw(st.sampled_from(_DATES)))
    if draw(st.integers(0, 5)) == 0:
        constraints["enum"] = [spell(d) for d in _DATES[:2]]
    desc = {"name": name, "type": "date", "constraints": constraints}
    if fmt != "default":
        desc["format"] = fmt
    return desc, [*(spell(d) for d in _DATES), ""], ["2025-02-30", "31/02/2025", "junk"]


@st.composite
def _other_field(draw, name: str) -> tuple[dict, list[str], list[str]]:
    kind = draw(
        st.sampled_from(
            ["string", "boolean", "datetime", "time", "year", "yearmonth", "duration", "geopoint"]
        )
    )
    constraints: dict = {}
    if kind == "string":
        fmt = draw(st.sampled_from(["default", "default", "email", "uri", "uuid"]))
        words = ["ab", "abc", "a@b.org", "http://x.org", "12345678-1234-1234-1234-123456789abc"]
        if draw(st.booleans()):
            constraints["pattern"] = draw(st.sampled_from(["a.*", "[a-z]+", ".{3,}"]))
        if draw(st.booleans()):
            constraints["minLength"], constraints["maxLength"] = 3, 12
        if draw(st.integers(0, 3)) == 0:
            constraints["enum"] = words[:3]
        desc = {"name": name, "type": "string", "constraints": constraints}
        if fmt != "default":
            desc["format"] = fmt
        return desc, [*words, "", " a"], []
    if kind == "boolean":
        spellings = draw(st.sampled_from([{}, {"trueValues": ["yes"], "falseValues": ["no"]}]))
        t, f = spellings.get("trueValues", ["true"])[0], spellings.get("falseValues", ["false"])[0]
        if draw(st.booleans()):
            constraints["enum"] = draw(st.sampled_from([[True], [t], [False, f]]))
        desc = {"name": name, "type": "boolean", **spellings, "constraints": constraints}
        return desc, [t, f, ""], ["maybe", "TRUE"]
    if kind in ("duration", "geopoint"):  # compared as frictionless: PT60M is PT1H, 1.0,2 is 1,2
        values = {
            "duration": ["PT1H", "P1D", "P1Y2M", "PT60M"],
            "geopoint": ["1,2", "-1.5,40", "1.0, 2.00", "180,90"],
        }[kind]
        if draw(st.integers(0, 3)) == 0:
            constraints["enum"] = values[:2]
        return {"name": name, "type": kind, "constraints": constraints}, [*values, ""], ["bad"]
    values = {
        "datetime": ["2025-06-13T01:00:00Z", "2025-06-13T04:00:00+03:00", "2025-06-14T00:00:00Z"],
        "time": ["01:00:00", "12:30:00", "23:59:59"],
        "year": ["1999", "2025", "0001"],
        "yearmonth": ["2025-01", "2025-06", "1999-12"],
    }[kind]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            constraints[key] = draw(st.sampled_from(values))
    if draw(st.integers(0, 4)) == 0:
        constraints["enum"] = values[:2]
    return {"name": name, "type": kind, "constraints": constraints}, [*values, ""], ["bad"]


@st.composite
def _package(draw) -> tuple[dict[str, Table], str]:
    """A table ``t`` of drawn fields (keys, rules) and a table ``p`` it references."""
    n_fields = draw(st.integers(1, 4))
    typed_only = draw(st.booleans())  # every cell a value of its type: pandera sees the table
    fields, pools = [], []
    for i in range(n_fields):
        maker = draw(st.sampled_from(["integer", "number", "date", "other"]))
        name = f"f{i}"
        if maker in ("integer", "number"):
            desc, good, bad = draw(_number_field(name, maker == "integer"))
        elif maker == "date":
            desc, good, bad = draw(_date_field(name))
        else:
            desc, good, bad = draw(_other_field(name))
        pool = good if typed_only or not bad else good + bad
        if draw(st.integers(0, 4)) == 0:
            desc["constraints"]["required"] = True
        if draw(st.integers(0, 5)) == 0:
            desc["constraints"]["unique"] = True
        fields.append(desc)
        pools.append(pool)
    id_pattern = draw(st.sampled_from([None, "t[0-9]{2,}"]))
    ids = ["t01", "t02", "t03", "t001", "t4", "x"]
    id_field: dict[str, Any] = {"name": "id", "type": "string", "constraints": {"required": True}}
    if id_pattern:
        id_field["constraints"]["pattern"] = id_pattern
    schema: dict = {
        "fields": [
            id_field,
            {"name": "parent", "type": "string"},
            {"name": "pref", "type": "string"},
            {"name": "k", "type": "string", "constraints": {"enum": ["a", "b"]}},
            *fields,
        ],
        "primaryKey": "id",
        "foreignKeys": [
            {"fields": "parent", "reference": {"resource": "", "fields": "id"}},
            {"fields": "pref", "reference": {"resource": "p", "fields": "pid"}},
        ],
    }
    rules: list[dict[str, Any]] = []
    dated = [f["name"] for f in fields if f["type"] == "date"]
    same: dict[tuple[str, str], list[str]] = {}
    for f in fields:
        same.setdefault((f["type"], f.get("format", "default")), []).append(f["name"])
    groups = [g for (t, _), g in same.items() if len(g) > 1 and t in ("integer", "number", "date")]
    if groups and draw(st.booleans()):
        rules.append({"check": "ordered", "fields": groups[0][:2]})
    if n_fields > 1 and draw(st.booleans()):
        rules.append({"check": "together", "fields": ["pref", fields[-1]["name"]]})
    if draw(st.booleans()):
        rules.append(
            {
                "check": "when",
                "field": "k",
                "cases": {
                    "a": {"present": [fields[0]["name"]]},
                    "b": {"absent": [fields[0]["name"]]},
                },
            }
        )
    if len(dated) > 1 and draw(st.booleans()):
        schema["fields"].append(
            {"name": "prec", "type": "string", "constraints": {"enum": ["day", "month", "year"]}}
        )
        rules.append({"check": "dateSpan", "start": dated[0], "end": dated[1], "precision": "prec"})
    if rules:
        schema["rowChecks"] = rules
    if dated and draw(st.booleans()):
        schema["relationChecks"] = [
            {"check": "notBefore", "foreignKey": "parent", "start": dated[0]}
        ]
    n_rows = draw(st.integers(1, 6))
    rows = []
    for _ in range(n_rows):
        row = [
            draw(st.sampled_from(ids)),
            draw(st.sampled_from(["", *ids[:3], "t99"])),
            draw(st.sampled_from(["", "p1", "p2", "p9"])),
            draw(st.sampled_from(["", "a", "b", "c"])),
        ]
        row += [draw(st.sampled_from(pool)) for pool in pools]
        if "prec" in [f["name"] for f in schema["fields"]]:
            row.append(draw(st.sampled_from(["day", "month", "year", ""])))
        rows.append(row)
    names = [f["name"] for f in schema["fields"]]
    p = Table(
        {"fields": [{"name": "pid", "type": "string"}], "primaryKey": "pid"},
        [["pid"], ["p1"], ["p2"]],
    )
    policy = draw(st.sampled_from(["spec", "strict"]))
    return {"p": p, "t": Table(schema, [names, *rows])}, policy


@pytest.mark.differential
@settings(
    max_examples=examples(EXAMPLES),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_package())
def test_three_validators_agree_on_any_schema(tmp_path_factory, drawn):
    tables, policy = drawn
    got = verdicts(tmp_path_factory.mktemp("pkg"), tables, policy)
    assert got.frames == got.csv
    assert got.pandera == got.pandera_expected
