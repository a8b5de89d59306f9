"""Peer fixtures (frictionless-py's test data packages) and single-feature probes: on each,
`conflictdata validate` (spec policy) gives frictionless' verdict and located errors, or
refuses the package in one line naming the unsupported feature — never a traceback, never
findings that come from a misreading."""

from __future__ import annotations

import pytest
from support.paths import FIXTURES
from support.peer import compare_package, package_descriptors
from support.probes import PROBES, write_probe

pytestmark = pytest.mark.differential

pytest.importorskip("frictionless")

PEER = FIXTURES / "peer"
PACKAGES = sorted(package_descriptors(PEER))


def _check(outcome, frictionless_errors_ok: bool = True) -> None:
    if outcome.kind == "refused":
        assert outcome.detail.startswith("unsupported:") or frictionless_errors_ok, outcome.detail
        assert "\n" not in outcome.detail
        return
    assert outcome.kind == "agree", "\n".join(outcome.differences() or [outcome.detail])


def test_there_are_peer_packages():
    assert len(PACKAGES) >= 40


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: str(p.relative_to(PEER)))
def test_peer_package(path):
    outcome = compare_package(path)
    if outcome.kind == "refused" and not outcome.detail.startswith("unsupported:"):
        # A descriptor we refuse as malformed must be one frictionless finds invalid too.
        from support.peer import frictionless_keys

        valid, _ = frictionless_keys(path)
        assert not valid, f"we refused a package frictionless accepts: {outcome.detail}"
        return
    _check(outcome)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe(name, tmp_path):
    outcome = compare_package(write_probe(name, tmp_path))
    if outcome.kind == "refused":
        assert outcome.detail.startswith("unsupported:"), outcome.detail
        assert "\n" not in outcome.detail
        return
    assert outcome.kind == "agree", "\n".join(outcome.differences() or [outcome.detail])
