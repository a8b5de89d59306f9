"""Run our validator (spec policy) and frictionless on one data package and compare what they
flag as (resource, row, field, class) sets, by the differential test's mapping
(tests/differential_support.py), for bench/peer.py and tests/test_peer_fixtures.py."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from differential_support import run_frictionless, run_ours

from conflictdata.errors import DescriptorError

Key = tuple[Any, ...]


def package_descriptors(root: Path) -> Iterator[Path]:
    """Every JSON file under ``root`` that is a data package descriptor (has resources)."""
    for path in sorted(root.rglob("*.json")):
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("resources"), list):
            yield path


def frictionless_keys(path: Path) -> tuple[bool, set[Key]]:
    """frictionless' verdict and its errors as (resource, row, field, class) keys."""
    got = run_frictionless(path)
    return got.valid, got.keys


def our_keys(path: Path) -> tuple[bool, set[Key]]:
    """Our verdict (spec policy) and our errors as frictionless keys (the differential
    test's mapping, tests/differential_support.py)."""
    got = run_ours(path)
    return got.valid, got.keys


@dataclass
class Outcome:
    kind: str  # agree | refused | differ | crash
    detail: str = ""
    ours: set[Key] = field(default_factory=set)
    theirs: set[Key] = field(default_factory=set)
    verdicts: tuple[Any, Any] = (None, None)

    def differences(self) -> list[str]:
        only_ours = sorted(self.ours - self.theirs, key=repr)
        only_theirs = sorted(self.theirs - self.ours, key=repr)
        return (
            [f"verdict: ours {self.verdicts[0]}, frictionless {self.verdicts[1]}"]
            + [f"ours only        {k}" for k in only_ours]
            + [f"frictionless only {k}" for k in only_theirs]
        )


def compare_package(path: Path) -> Outcome:
    """Validate ``path`` with both and say how they compare."""
    try:
        valid, ours = our_keys(path)
    except DescriptorError as exc:
        return Outcome("refused", str(exc))
    except Exception:
        return Outcome("crash", traceback.format_exc().strip().splitlines()[-1])
    fl_valid, theirs = frictionless_keys(path)
    if valid == fl_valid and ours == theirs:
        return Outcome("agree", ours=ours, theirs=theirs, verdicts=(valid, fl_valid))
    return Outcome("differ", ours=ours, theirs=theirs, verdicts=(valid, fl_valid))
