"""Benchmark the HTML report: ``render_report`` on a generated release against loading every
table of the same release (``conflictdata.load_all``), measured in the same run; and the page's
size against its budget.

    python bench/report.py [--events 100000] [--seed 0] [--repeat 3]

The generated package and its release are kept under ``bench/_data/report-<events>/`` and
reused. Above the row budget (``conflictdata._tools.report.ROW_BUDGET``) the page aggregates, so its
size stays near the inlined Vega bundle whatever the number of events; the time is loading
plus per-table counts. The Vega bundle is built once per process (first call) and reported
apart. ``--events 1000000`` runs the same on the million-event package (minutes to generate).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, format_table
from load import ensure_release


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, help="data folder (default bench/_data/report-<events>)")
    args = ap.parse_args()
    data = args.data or REPO_ROOT / "bench" / "_data" / f"report-{args.events}"
    release = ensure_release(args.events, args.seed, data)

    from conflictdata._loader import tables as loader_tables
    from conflictdata._loader.releases import _PACKAGES, open_release
    from conflictdata._release.verify import forget_verified
    from conflictdata._tools.report import ROW_BUDGET, SIZE_BUDGET, render_report
    from conflictdata._tools.report.page import vega_bundle

    t0 = time.perf_counter()
    vega_bundle()
    bundle_s = time.perf_counter() - t0

    def load_all() -> None:
        forget_verified()
        _PACKAGES.clear()
        loader_tables.load_all(source=release)

    def report() -> str:
        forget_verified()
        _PACKAGES.clear()
        return render_report(release)

    page = report()  # warm-up, and the page cache
    load_all()
    base_t, ours_t = [], []
    for _ in range(args.repeat):
        for fn, acc in ((load_all, base_t), (report, ours_t)):
            t = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t)
    size = len(page.encode("utf-8"))
    b, o = statistics.median(base_t), statistics.median(ours_t)
    rows = sum(
        r.get("rows", 0) for r in open_release(source=release).package.descriptor["resources"]
    )
    print(f"\nrelease {release}: {rows:,} rows in all tables; row budget {ROW_BUDGET:,}")
    print(
        format_table(
            [f"(median of {args.repeat})", "seconds", "best", "ratio"],
            [
                [
                    "load_all (every table, sha256 verified)",
                    f"{b:.2f}",
                    f"{min(base_t):.2f}",
                    "1.00x",
                ],
                [
                    "render_report (loads, then draws)",
                    f"{o:.2f}",
                    f"{min(ours_t):.2f}",
                    f"{o / b:.2f}x",
                ],
            ],
        )
    )
    print(f"vega bundle, first call in a process: {bundle_s:.2f} s (cached after)")
    aggregated = 'id="aggregated"' in page
    print(
        f"report: {size / 2**20:.2f} MiB (budget {SIZE_BUDGET / 2**20:.0f} MiB, "
        f"{'within' if size <= SIZE_BUDGET else 'OVER'}); timeline {'aggregated' if aggregated else 'one mark per event'}"
    )


if __name__ == "__main__":
    main()
