"""A CSV resource without a schema is validated against the schema frictionless 5 infers:
hypothesis draws small tables whose columns mix spellings of every candidate type (and empty
cells, short rows, blank lines, more rows than the detector samples), and ours must give
frictionless' verdict and located errors, by the differential test's mapping."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.differential import run_frictionless, run_ours
from support.profiles import examples

from conflictdata.tools import validate

pytestmark = pytest.mark.differential

pytest.importorskip("frictionless")

#: spellings per column flavour: each flavour mostly one type, with strays
POOLS = {
    "integer": ["1", "2", "-3", "007", "1_000"],
    "number": ["1.5", "2", "-0.25", "1e3", "NaN"],
    "date": ["2020-01-01", "2021-12-31", "1999-02-28"],
    "datetime": ["2020-01-01T10:00:00", "2020-01-01T10:00:00Z"],
    "time": ["10:00:00", "23:59:59"],
    "boolean": ["true", "false", "TRUE", "0", "1"],
    "year": ["1999", "2020", "0001"],
    "yearmonth": ["2020-01", "1999-12"],
    "geopoint": ["1,2", "-1.5,40"],
    "duration": ["P1D", "PT1H"],
    "array": ["[1, 2]", "[]"],
    "string": ["a", "b c", "x,y", "é"],
}
STRAYS = ["x", "", "1", "2020-01-01", "true", "[1]"]


@st.composite
def tables(draw) -> str:
    n_cols = draw(st.integers(1, 4))
    flavours = [draw(st.sampled_from(sorted(POOLS))) for _ in range(n_cols)]
    # a first label always: a file of only blank lines is a known difference (docs/frictionless.md)
    labels = ["c0"] + [draw(st.sampled_from([f"c{i}", "", "c0"])) for i in range(1, n_cols)]
    n_rows = draw(st.sampled_from([0, 1, 3, 9, 30, 99, 100, 120]))
    stray = draw(st.sampled_from([0.0, 0.05, 0.2, 0.5]))
    rows = [",".join(_quote(x) for x in labels)]
    rnd = draw(st.randoms(use_true_random=False))
    for _ in range(n_rows):
        r = rnd.random()
        if r < 0.02:
            rows.append("")  # a blank line
            continue
        cells = [
            rnd.choice(STRAYS) if rnd.random() < stray else rnd.choice(POOLS[f]) for f in flavours
        ]
        if r < 0.05:
            cells = cells[:-1]  # a short row
        rows.append(",".join(_quote(c) for c in cells))
    return "\n".join(rows) + "\n"


def _quote(cell: str) -> str:
    return f'"{cell}"' if "," in cell else cell


def _compare(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "t.csv").write_text(text, encoding="utf-8")
        path = root / "datapackage.json"
        path.write_text(json.dumps({"resources": [{"name": "t", "path": "t.csv"}]}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = run_frictionless(path, limit_errors=0)
        ours = run_ours(path, max_per_rule=10_000)
        assert (ours.valid, sorted(ours.keys, key=repr)) == (
            theirs.valid,
            sorted(theirs.keys, key=repr),
        ), text[:2000]


@settings(
    max_examples=examples(150),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tables())
# blank lines make frictionless take the blank second line as the header (the row width
# nearest the sample's mean), so the fields are named by the first record after it
@example('c0,c1,c2\n\n"[1, 2]","[1, 2]","[1, 2]"\n\n\n\n\n\n\n\n')
@example("a,b\n" + "\n" * 11 + "1\n")
def test_inferred_schema_is_frictionless(text):
    _compare(text)


def test_the_output_says_the_schema_was_inferred(tmp_path):
    rows = "".join(f"{i},2020-01-{i:02d}\n" for i in range(1, 11))
    (tmp_path / "t.csv").write_text(f"id,when\n{rows}11,2020-13-01\n")
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps({"resources": [{"name": "t", "path": "t.csv"}]}))
    report = validate(path)
    codes = [f.code for f in report.findings]
    assert codes == ["W004", "E202"] or codes == ["W004", "E203"], codes
    assert "id (integer), when (date)" in report.findings[0].message
