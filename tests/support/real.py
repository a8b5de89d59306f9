"""Real published data packages (issue 21): where they are, frictionless' record of each, and
our answer, reduced to (resource, row, field, class) keys by the differential test's mapping.

The packages themselves (descriptors, CSV files, licences) are data fetched from public
repositories: they are not committed here but kept under the steering repository's shared/
folder, beside this checkout as ``../shared/real-packages/<name>/`` (or wherever
``$CONFLICTDATA_REAL_PACKAGES`` points). What is committed, under
``tests/fixtures/real/<name>/expected.json``, is the record of each: its source, the descriptor
to validate, and frictionless' verdict and every located error. tests/fixtures/real/README.md
says what each package is and what it exercises.

    PYTHONPATH=src:tests python -m support.real --regenerate [NAME ...]  # frictionless' records
    PYTHONPATH=src:tests python -m support.real --check [NAME ...]       # ours vs frictionless
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from support.paths import REPO

ROOT = REPO
RECORDS = ROOT / "tests" / "fixtures" / "real"
#: No cap on listed errors on either side: every located error is compared.
UNCAPPED = 2**62

Key = tuple[Any, ...]


def real_root() -> Path | None:
    """Where the packages are: ``$CONFLICTDATA_REAL_PACKAGES``, else ``../shared/real-packages``
    beside the checkout; None when neither is a folder."""
    env = os.environ.get("CONFLICTDATA_REAL_PACKAGES")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "real-packages"]:
        if cand.is_dir():
            return cand
    return None


def fixture_names() -> list[str]:
    """Every package with a committed record."""
    return sorted(p.parent.name for p in RECORDS.glob("*/expected.json"))


def record(name: str) -> dict[str, Any]:
    return json.loads((RECORDS / name / "expected.json").read_text("utf-8"))


def descriptor(name: str, root: Path) -> Path:
    return root / name / record(name)["descriptor"]


def keys_from_json(rows: list[list[Any]]) -> set[Key]:
    return {tuple(r) for r in rows}


def keys_to_json(keys: set[Key]) -> list[list[Any]]:
    return [
        list(k) for k in sorted(keys, key=lambda k: tuple("" if v is None else str(v) for v in k))
    ]


@cache
def frictionless_answer(path: Path) -> tuple[bool, frozenset[Key]]:
    """frictionless' verdict and every located error (no error limit), run once per path."""
    from support.differential import run_frictionless

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run_frictionless(path, limit_errors=0)
    return got.valid, frozenset(got.keys)


@dataclass
class Ours:
    refused: str | None  # the one-line refusal, or None when the package was read
    valid: bool | None = None
    keys: frozenset[Key] = frozenset()


def our_answer(path: Path) -> Ours:
    """Ours under the spec policy with no listing cap; a DescriptorError is a refusal (any
    other exception propagates: a traceback is never an answer)."""
    from conflictdata.errors import DescriptorError
    from support.differential import run_ours

    try:
        got = run_ours(path, max_per_rule=UNCAPPED)
    except DescriptorError as exc:
        return Ours(str(exc))
    return Ours(None, got.valid, frozenset(got.keys))


def regenerate(name: str, root: Path) -> dict[str, Any]:
    """Rewrite ``expected.json`` of ``name`` with frictionless' answer now (source kept)."""
    import frictionless

    rec = record(name)
    valid, keys = frictionless_answer(descriptor(name, root))
    rec["frictionless"] = {
        "version": frictionless.__version__,
        "valid": valid,
        "errors": keys_to_json(set(keys)),
    }
    (RECORDS / name / "expected.json").write_text(dump_record(rec), encoding="utf-8")
    return rec


def dump_record(rec: dict[str, Any]) -> str:
    """``expected.json`` as text: indented, one located error per line."""
    errors = rec["frictionless"]["errors"]
    body = dict(rec, frictionless=dict(rec["frictionless"], errors="@ERRORS@"))
    text = json.dumps(body, indent=1, ensure_ascii=False)
    rows = ",\n".join("   " + json.dumps(e, ensure_ascii=False) for e in errors)
    return text.replace('"@ERRORS@"', f"[\n{rows}\n  ]" if errors else "[]") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="fixtures (default: all with a record)")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--regenerate", action="store_true", help="rewrite expected.json")
    group.add_argument("--check", action="store_true", help="compare ours with frictionless")
    args = ap.parse_args(argv)
    root = real_root()
    if root is None:
        print("no real packages: set CONFLICTDATA_REAL_PACKAGES", file=sys.stderr)
        return 2
    for name in args.names or fixture_names():
        if args.regenerate:
            rec = regenerate(name, root)
            fl = rec["frictionless"]
            print(f"{name}: frictionless valid={fl['valid']}, {len(fl['errors'])} located errors")
            continue
        path = descriptor(name, root)
        valid, theirs = frictionless_answer(path)
        keys = set(theirs)
        ours = our_answer(path)
        if ours.refused is None:
            from support.differential import metadata_view

            mine, keys = metadata_view(set(ours.keys), keys)
            ours = Ours(None, ours.valid, frozenset(mine))
        if ours.refused is not None:
            print(f"refused  {name}: {ours.refused}")
        elif ours.valid == valid and ours.keys == keys:
            print(f"agree    {name}: valid={valid}, {len(keys)} located errors")
        else:
            print(
                f"wrong    {name}: ours valid={ours.valid} frictionless valid={valid}; "
                f"{len(ours.keys - keys)} keys only ours, {len(keys - ours.keys)} only frictionless"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
