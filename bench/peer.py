"""Compare `conflictdata validate` (spec policy) with frictionless on peer fixture packages.

    .venv/bin/python bench/peer.py [--fixtures DIR] [--verbose]

Every JSON file under ``--fixtures`` (default: tests/fixtures/peer, a copy of the data
packages in frictionless-py's test data) that is a data package descriptor is validated by
both, in this process. Each package gets one outcome:

  * ``agree``: the same verdict and the same (resource, row, field, error type) set;
  * ``refused``: we refused it in one line (exit 2) — the line is printed;
  * ``differ``: both read it and disagree (the differences are printed);
  * ``crash``: an exception of ours that is not a one-line refusal.

It prints; it never asserts (tests/test_peer_fixtures.py asserts).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from peer_support import compare_package, package_descriptors

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "peer"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, default=DEFAULT)
    ap.add_argument("--verbose", action="store_true", help="list every difference")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    for path in package_descriptors(args.fixtures):
        outcome = compare_package(path)
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        rel = path.relative_to(args.fixtures)
        print(f"{outcome.kind:8} {rel}{': ' + outcome.detail if outcome.detail else ''}")
        if outcome.kind == "differ":
            limit = None if args.verbose else 6
            for line in outcome.differences()[:limit]:
                print(f"         {line}")
    total = sum(counts.values())
    print(json.dumps({"packages": total, **counts, "seconds": round(time.perf_counter() - t0, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
