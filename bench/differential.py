"""The differential test against frictionless, at length: our validator and
``frictionless.validate`` on many random small packages (tests/support/differential.py).

    .venv/bin/python bench/differential.py [--examples 5000] [--seed 0]
                                           [--switch NAME ...] [--minimal] [--show 1]
    .venv/bin/python bench/differential.py --known

Prints how many packages agree (same (resource, row, field, class) set and verdict), every
disagreement class with its count (``ours only`` / ``frictionless only`` and the class),
the first ``--show`` packages of each, and the codes of ours with no counterpart that came
up. ``--switch NAME`` turns on a feature that is off in the suite (see SWITCHES in the
support module). ``--minimal`` instead lets hypothesis shrink the first disagreement to a
minimal package and prints it. ``--known`` runs the smallest package of each switch's
known difference (KNOWN in the support module) and says which still differ and which now
agree (that switch may be turned on). It prints; it never asserts (exit 0 either way).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import support.differential as ds
from hypothesis import HealthCheck, Phase, given, seed, settings


def compare(spec: ds.PackageSpec) -> tuple[set[tuple[str, str]], list[str], bool]:
    """The disagreement classes of one package, its unmatched codes, and verdict agreement."""
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = ds.write(spec, Path(tmp))
        try:
            ours = ds.run_ours(path)
        except Exception as exc:
            return {("ours raised", f"{type(exc).__name__}: {exc}")}, [], False
        try:
            theirs = ds.run_frictionless(path)
        except Exception as exc:
            return {("frictionless raised", type(exc).__name__)}, [], False
    a, b = ds.comparable(ours, theirs, spec)
    classes = {("ours only", k[3]) for k in a - b} | {("frictionless only", k[3]) for k in b - a}
    same_verdict = ours.matched_valid == theirs.valid
    if not same_verdict:
        classes.add(("verdict", f"ours {ours.matched_valid}, frictionless {theirs.valid}"))
    return classes, sorted({f.code for f in ours.unmatched}), same_verdict


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--switch", action="append", default=[], choices=ds.SWITCHES)
    ap.add_argument(
        "--minimal", action="store_true", help="shrink the first disagreement to a minimal package"
    )
    ap.add_argument("--show", type=int, default=1, help="packages shown per class")
    ap.add_argument(
        "--known", action="store_true", help="check the known differences behind each switch"
    )
    args = ap.parse_args(argv)
    if args.known:
        return known()
    for name in args.switch:
        setattr(ds, name, True)
    print(
        f"switches on: {', '.join(s for s in ds.SWITCHES if ds.switch(s)) or 'none'}; off: "
        f"{', '.join(s for s in ds.SWITCHES if not ds.switch(s))}"
    )

    counts: Counter[str] = Counter()
    classes: Counter[tuple[str, str]] = Counter()
    unmatched: Counter[str] = Counter()
    shown: Counter[tuple[str, str]] = Counter()
    t0 = time.perf_counter()
    phases = [Phase.generate, Phase.shrink] if args.minimal else [Phase.generate]

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    @given(ds.packages())
    def run(spec: ds.PackageSpec) -> None:
        got, codes, _ = compare(spec)
        if args.minimal:
            assert not got, f"{sorted(got)}\n{spec.describe()}"
            return
        counts["packages"] += 1
        counts["agree" if not got else "disagree"] += 1
        for c in codes:
            unmatched[c] += 1
        for cls in got:
            classes[cls] += 1
            if shown[cls] < args.show:
                shown[cls] += 1
                print(f"--- {cls[0]}: {cls[1]}\n{spec.describe()}\n")

    try:
        run()
    except AssertionError as exc:  # --minimal: the shrunk package
        print("minimal disagreement:", exc)
        return 0
    secs = time.perf_counter() - t0
    n = counts["packages"]
    print(
        f"{n} packages in {secs:.1f} s ({1000 * secs / max(n, 1):.0f} ms each): "
        f"{counts['agree']} agree, {counts['disagree']} disagree"
    )
    for (side, cls), k in sorted(classes.items(), key=lambda x: -x[1]):
        print(f"  {k:6d}  {side}: {cls}")
    for code, k in sorted(unmatched.items()):
        print(f"  {k:6d}  unmatched (no counterpart): {code} ({ds.NO_COUNTERPART[code]})")
    if args.minimal:
        print("no disagreement found")
    return 0


def known() -> int:
    """Which switches' known differences still differ."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, probe in enumerate(ds.KNOWN):
            with tempfile.TemporaryDirectory() as tmp:
                differs = ds.known_differs(probe, Path(tmp) / str(i))
            state = "still differs" if differs else "NOW AGREES  "
            print(f"{state}  {probe.code:18s}  {probe.what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
