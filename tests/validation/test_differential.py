"""Our validator and frictionless agree: on a probe for every mapped code, and on random
small packages (tests/support/differential.py), as the same set of (resource, row, field,
class) and the same verdict. docs/frictionless.md explains the mapping."""

from __future__ import annotations

import inspect
import tempfile
import warnings
from pathlib import Path

import frictionless
import pytest
import support.differential as ds
from hypothesis import HealthCheck, event, given, note, settings
from support.paths import REPO
from support.profiles import examples

from conflictdata._checks.findings import FRICTIONLESS, POLICY, RULES
from conflictdata.tools import validate

pytestmark = pytest.mark.differential

ROOT = REPO


def _frictionless_types() -> set[str]:
    """Every error type frictionless 5 defines."""
    return {
        cls.type
        for _, cls in inspect.getmembers(frictionless.errors, inspect.isclass)
        if issubclass(cls, frictionless.errors.Error) and isinstance(cls.type, str)
    }


def test_every_code_is_mapped_or_named_as_having_no_counterpart() -> None:
    mapped, unmapped = set(FRICTIONLESS), set(ds.NO_COUNTERPART)
    assert not mapped & unmapped, "a code both mapped and named as having no counterpart"
    assert mapped | unmapped == set(RULES), (
        f"not in step with the registry: unknown {sorted((mapped | unmapped) - set(RULES))}, "
        f"neither mapped nor named {sorted(set(RULES) - mapped - unmapped)}"
    )
    assert unmapped >= POLICY, "a policy code is stricter than the spec: no counterpart"
    assert all(RULES[c].frictionless == FRICTIONLESS[c] for c in mapped)
    assert set(ds.CONSTRAINT_OF) <= {c for c in mapped if "constraint-error" in FRICTIONLESS[c]}


def test_mapped_types_are_frictionless_error_types() -> None:
    known = _frictionless_types()
    named = {t for types in FRICTIONLESS.values() for t in types}
    assert named <= known, sorted(named - known)
    assert known >= ds.LABEL_TYPES | ds.RESOURCE_TYPES | ds.ROW_ONLY


def test_every_mapped_code_has_a_probe() -> None:
    assert {p.code for p in ds.PROBES} == set(FRICTIONLESS)


def _frictionless_errors(path: Path) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(path))
    return {e.type for t in report.tasks for e in t.errors} | {e.type for e in report.errors}


@pytest.mark.parametrize("probe", ds.PROBES, ids=lambda p: f"{p.code}-{p.what[:30]}")
def test_probe(probe: ds.Probe, tmp_path: Path) -> None:
    """Ours reports the code (with the codes the probe names, or other header codes for a
    header defect); frictionless only errors of their mapped types; under policy "spec"
    both reduce to the same (resource, row, field, class) set."""
    path = probe.write(tmp_path)
    ours = validate(path, policy=probe.policy)
    codes = {f.code for f in ours.findings if f.severity == "error"}
    allowed = {probe.code, *probe.also} | (
        ds.LABEL_CODES if probe.code in ds.LABEL_CODES else set()
    )
    assert probe.code in codes and codes <= allowed, codes
    types = _frictionless_errors(path)
    mapped = {t for c in (probe.code, *probe.also) for t in FRICTIONLESS[c]}
    assert types and types <= mapped, types
    o, f = ds.run_ours(path), ds.run_frictionless(path)
    assert o.keys == f.keys and o.valid == f.valid


@pytest.mark.parametrize("probe", ds.UNMATCHED_PROBES, ids=lambda p: p.code)
def test_no_counterpart_probe(probe: ds.Probe, tmp_path: Path) -> None:
    """A code named as having no counterpart: ours reports it, frictionless only its
    symptom (mostly nothing), as NO_COUNTERPART says. A policy code is reported only under
    policy "strict"; under "spec" ours then agrees with frictionless."""
    assert probe.code in ds.NO_COUNTERPART
    path = probe.write(tmp_path)
    assert probe.code in {f.code for f in validate(path, policy=probe.policy).findings}
    assert _frictionless_errors(path) == set(probe.symptom)
    if probe.code in POLICY:
        assert probe.policy == "strict"
        assert probe.code not in {f.code for f in validate(path, policy="spec").findings}
        o, f = ds.run_ours(path), ds.run_frictionless(path)
        assert (o.keys, o.valid) == (f.keys, f.valid)


@settings(
    max_examples=examples(200),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ds.packages())
def test_ours_agrees_with_frictionless(spec: ds.PackageSpec) -> None:
    """Same (resource, row, field, class) set and verdict; a finding of ours with no
    frictionless counterpart is named (none is expected under policy "spec")."""
    note(spec.describe())
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = ds.write(spec, Path(tmp))
        ours, theirs = ds.run_ours(path), ds.run_frictionless(path)
    for d in spec.defects:
        event(f"defect: {d}")
    unmatched = sorted({f.code for f in ours.unmatched})
    for code in unmatched:
        event(f"unmatched: {code} ({ds.NO_COUNTERPART[code]})")
    assert set(unmatched) <= ds.expected_unmatched(), (
        f"findings of ours with no frictionless counterpart: {unmatched}"
    )
    a, b = ds.comparable(ours, theirs, spec)
    assert (sorted(a - b, key=str), sorted(b - a, key=str)) == ([], []), (
        "(ours only, frictionless only)"
    )
    assert ours.matched_valid == theirs.valid
    if not unmatched:
        assert ours.valid == theirs.valid


def _doc() -> str:
    return (ROOT / "docs" / "frictionless.md").read_text(encoding="utf-8")


def test_docs_show_the_mapping() -> None:
    """docs/frictionless.md holds the mapping table as the support module renders it."""
    text = _doc()
    start = text.index("<!-- mapping:")
    start = text.index("\n", start) + 1
    assert text[start : text.index("<!-- /mapping -->")] == ds.render_mapping(), (
        "docs/frictionless.md is stale: run PYTHONPATH=tests .venv/bin/python -m support.differential"
    )


def test_docs_show_the_switches() -> None:
    text = _doc()
    start = text.index("<!-- switches:")
    start = text.index("\n", start) + 1
    assert text[start : text.index("<!-- /switches -->")] == ds.render_switches(), (
        "docs/frictionless.md is stale: run PYTHONPATH=tests .venv/bin/python -m support.differential"
    )


def test_every_switch_has_a_known_difference() -> None:
    """Each switch names the smallest package that shows why it is off (bench --known)."""
    assert {p.code for p in ds.KNOWN} == set(ds.SWITCHES)
