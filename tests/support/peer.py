"""Run our validator (spec policy) and frictionless on one data package and compare what they
flag as (resource, row, field, class) sets, by the differential test's mapping
(tests/support/differential.py), for bench/peer.py, tests/validation/test_peer_fixtures.py and
tests/validation/test_real_packages.py. The same reduction reads either validator's JSON output
(``conflictdata validate --format json``, ``frictionless validate --json``), so the bench can
compare whole processes by the mapping the tests use."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conflictdata.errors import DescriptorError
from support.differential import (
    frictionless_key,
    metadata_view,
    our_key,
    run_frictionless,
    run_ours,
)

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


def data_packages(paths: list[Path]) -> Iterator[Path]:
    """The data package descriptors named by ``paths``: a descriptor file as it is, and every
    descriptor under a folder — a JSON file with a ``resources`` list
    (:func:`package_descriptors`) or a ``datapackage.yaml``/``.yml`` (frictionless reads both)."""
    seen: set[Path] = set()
    for root in paths:
        if root.is_file():
            found: list[Path] = [root]
        else:
            found = list(package_descriptors(root))
            found += sorted(
                p for pat in ("datapackage.yaml", "datapackage.yml") for p in root.rglob(pat)
            )
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path


def frictionless_json_keys(doc: dict[str, Any]) -> tuple[bool, set[Key]]:
    """frictionless' verdict and errors as keys, from ``frictionless validate --json``."""
    keys: set[Key] = {("<package>", None, None, e["type"]) for e in doc.get("errors") or []}
    for task in doc.get("tasks") or []:
        for e in task.get("errors") or []:
            keys.add(
                frictionless_key(
                    task.get("name"),
                    e["type"],
                    e.get("note") or "",
                    e.get("rowNumber"),
                    e.get("fieldName"),
                )
            )
    return bool(doc["valid"]), keys


def our_json_keys(doc: dict[str, Any]) -> tuple[bool, set[Key], int]:
    """Our verdict, errors as keys, and how many error findings have no counterpart, from
    ``conflictdata validate --format json`` (the same reduction as run_ours)."""
    keys: set[Key] = set()
    unmatched = 0
    for f in doc.get("findings") or []:
        if f.get("severity") != "error":
            continue
        key = our_key(f["code"], f.get("table"), f.get("row"), f.get("field"))
        if key is None:
            unmatched += 1
        else:
            keys.add(key)
    return bool(doc["valid"]), keys, unmatched


def frictionless_keys(path: Path) -> tuple[bool, set[Key]]:
    """frictionless' verdict and its errors as (resource, row, field, class) keys."""
    got = run_frictionless(path)
    return got.valid, got.keys


def our_keys(path: Path) -> tuple[bool, set[Key]]:
    """Our verdict (spec policy) and our errors as frictionless keys (the differential
    test's mapping, tests/support/differential.py)."""
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
    ours, theirs = metadata_view(ours, theirs)
    if valid == fl_valid and ours == theirs:
        return Outcome("agree", ours=ours, theirs=theirs, verdicts=(valid, fl_valid))
    return Outcome("differ", ours=ours, theirs=theirs, verdicts=(valid, fl_valid))
