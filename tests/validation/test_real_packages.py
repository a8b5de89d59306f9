"""Real published data packages (issue 21): on each, `conflictdata validate` (spec policy) must
give frictionless' verdict and the same located errors, as (resource, row, field, class) keys by
the differential test's mapping. The packages are data fetched from public repositories, kept
outside this repository (tests/support/real.py says where); their records, sources and what each
exercises are in tests/fixtures/real/.

A package ours does not yet read as frictionless does is an expected failure with its exact
cause, strict: the test fails the moment it starts agreeing, and whoever made it agree removes
the entry from KNOWN. Only a mismatch is expected: a traceback is a failure, whatever KNOWN says.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.real import (
    ROOT,
    descriptor,
    fixture_names,
    frictionless_answer,
    keys_from_json,
    our_answer,
    real_root,
    record,
)

pytest.importorskip("frictionless")

from support.differential import metadata_view

pytestmark = pytest.mark.differential

NAMES = fixture_names()

#: Packages ours does not read as frictionless does today, with the cause found (issue 21's
#: deliverable that fixes it). Each is an xfail(strict=True) of test_ours_gives_frictionless_answer.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def root():
    found = real_root()
    if found is None:
        pytest.skip(
            "real packages not laid out: ../shared/real-packages beside the checkout, "
            "or set CONFLICTDATA_REAL_PACKAGES (tests/fixtures/real/README.md)"
        )
    return found


def _params():
    for name in NAMES:
        marks = []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN[name]))
        yield pytest.param(name, id=name, marks=marks)


def test_there_are_real_packages():
    assert len(NAMES) >= 6
    assert set(KNOWN) <= set(NAMES), set(KNOWN) - set(NAMES)
    assert len(NAMES) - len(KNOWN) >= 2, "at least two packages must agree today"


@pytest.mark.parametrize("name", NAMES)
def test_package_is_laid_out(name, root):
    """Every recorded package is present, with every file its record lists."""
    rec = record(name)
    missing = [f for f in rec["source"]["files"] if not (root / name / f).is_file()]
    assert not missing, f"{name}: missing {missing} under {root / name}"


@pytest.mark.parametrize("name", NAMES)
def test_frictionless_gives_the_record(name, root):
    """The record is frictionless' answer (so a frictionless upgrade that changes it, or a
    package laid out differently, shows here and not as a difference of ours)."""
    rec = record(name)["frictionless"]
    valid, keys = frictionless_answer(descriptor(name, root))
    assert valid == rec["valid"]
    assert set(keys) == keys_from_json(rec["errors"]), (
        "frictionless' answer changed: check, then PYTHONPATH=src:tests python -m support.real --regenerate"
    )


@pytest.mark.parametrize("name", list(_params()))
def test_ours_gives_frictionless_answer(name, root):
    path = descriptor(name, root)
    valid, theirs = frictionless_answer(path)
    ours = our_answer(path)
    assert ours.refused is None, f"refused: {ours.refused}"
    mine, keys = metadata_view(set(ours.keys), set(theirs))
    only_ours = sorted(map(repr, mine - keys))
    only_theirs = sorted(map(repr, keys - mine))
    assert (ours.valid, only_ours, only_theirs) == (valid, [], []), (
        f"ours valid={ours.valid}, frictionless valid={valid}; only ours {only_ours[:5]}, "
        f"only frictionless {only_theirs[:5]}"
    )


def _frictionless_command() -> list[str]:
    here = Path(sys.executable).parent / "frictionless"
    return [str(here)] if here.exists() else [shutil.which("frictionless") or "frictionless"]


def test_bench_reads_both_outputs_as_the_suite_does(root):
    """bench/peer.py compares the JSON output of both command lines; that reduction must give
    the suite's keys: frictionless' on a package with many located errors and on one that
    agrees, and ours on the one that agrees."""
    from support.peer import frictionless_json_keys, our_json_keys

    many = "datasets-co2-ppm"  # 822 located errors
    agree = next(n for n in NAMES if n not in KNOWN and record(n)["frictionless"]["errors"])
    for name in (many, agree):
        path = descriptor(name, root)
        cmd = [*_frictionless_command(), "validate", "--json", "--limit-errors", "0", str(path)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        assert frictionless_json_keys(json.loads(out)) == frictionless_answer(path)
    path = descriptor(agree, root)
    cmd = [sys.executable, "-m", "conflictdata", "validate", "--policy", "spec", "--format", "json"]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False, env=env)
    answer = our_answer(path)
    assert our_json_keys(json.loads(proc.stdout)) == (answer.valid, answer.keys, 0)
