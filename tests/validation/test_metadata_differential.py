"""The descriptor's metadata errors against frictionless 5: hypothesis draws descriptors of two
small valid tables with realistic metadata changes (a title that is not a string, a licence
without a name, a resource key misplaced, a constraint the type does not take, keys the specs
do not define), and ours must report the kinds of error frictionless reports (package-error,
resource-error, ..., as E001-E006), or none when it reports none. Where frictionless reports
none, the two must agree on every table too. A refusal of ours (a feature it does not read) is
allowed and counted; a traceback is a failure."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from support.differential import (
    METADATA_TYPES,
    descriptors,
    metadata_view,
    run_frictionless,
    run_ours,
    write_descriptor,
)
from support.profiles import examples

from conflictdata.errors import DescriptorError

pytestmark = pytest.mark.differential

frictionless = pytest.importorskip("frictionless")


def _compare(d: dict, changes: list[str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_descriptor(d, Path(tmp))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                theirs = run_frictionless(path, limit_errors=0)
            except Exception:  # frictionless itself fails (a hash that is a number)
                return "no reference"
        try:
            ours = run_ours(path, max_per_rule=10_000)
        except DescriptorError as exc:
            return f"refused: {exc}"
        mine, keys = metadata_view(set(ours.keys), set(theirs.keys))
        # keys mix None and numbers (a resource-level error has no row): sort by their text
        assert (ours.valid, sorted(mine, key=repr)) == (theirs.valid, sorted(keys, key=repr)), (
            changes
        )
        return "agree"


@settings(
    max_examples=examples(300),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(descriptors())
def test_metadata_errors_are_frictionless(drawn):
    d, changes = drawn
    _compare(d, changes)


@pytest.mark.parametrize(
    "level,key,value,kind",
    [
        ("package", "licenses", [{"id": "CC0-1.0"}], "package-error"),
        ("package", "title", 5, "package-error"),
        ("package", "missingValues", [""], "package-error"),
        ("resource", "licenses", [{"id": "x"}], "resource-error"),
        ("resource", "name", None, "resource-error"),
        ("schema", "primaryKey", "zz", "schema-error"),
        ("field", "constraints", {"foo": 1}, "field-error"),
        ("resource", "dialect", {"delimiter": 5}, "control-error"),
        ("resource", "dialect", {"header": "yes"}, "dialect-error"),
    ],
)
def test_each_kind_is_found(level, key, value, kind):
    """One descriptor per kind of metadata error: frictionless reports that kind, ours the
    same, and ours still validates the other table."""
    from support.differential import _meta_base, _meta_set

    d = _meta_base()
    target = {"package": d, "resource": d["resources"][1]}.get(level)
    if target is None:
        schema = d["resources"][1]["schema"]
        target = schema if level == "schema" else schema["fields"][0]
    _meta_set(target, key, value)
    assert kind in METADATA_TYPES
    with tempfile.TemporaryDirectory() as tmp:
        path = write_descriptor(d, Path(tmp))
        theirs = run_frictionless(path, limit_errors=0)
        assert {k[3] for k in theirs.keys} == {kind}
        ours = run_ours(path)
        assert {k[3] for k in ours.keys} == {kind} and not ours.valid
    assert _compare(d, [key]) == "agree"
