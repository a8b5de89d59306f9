"""Benchmark the HTML report against loading the same release's tables, in the same run:
``render_report`` (what ``conflictdata build`` adds for ``report.html``) and ``cd.timeline()``
warm, as ratios against reading every table verified into Arrow (``load_arrow``) and into
pandas (``load_all``); and the page's size against its budget.

    python bench/report.py [--events 100000] [--seed 0] [--repeat 3]

The generated package and its release are kept under ``bench/_data/report-<events>/`` and
reused. Above the row budget (``conflictdata._tools.report.ROW_BUDGET``) the page aggregates, from
Arrow: it decodes ``record_status`` and the columns its counts need, so its time is hashing
the files plus those columns, well under loading the tables. Every timed call starts cold
(the loader's and the report's per-process caches cleared; the OS page cache warm for all).
The Vega bundle is built once per process (first call) and reported apart.
``--events 1000000`` runs the same on the million-event package (a minute to generate).
"""

from __future__ import annotations

import argparse
import os
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

    import conflictdata as cd
    from conflictdata._loader import releases as loader_releases
    from conflictdata._loader import tables as loader_tables
    from conflictdata._release.verify import forget_verified
    from conflictdata._tools.report import ROW_BUDGET, SIZE_BUDGET, render_report
    from conflictdata._tools.report import source as report_source
    from conflictdata._tools.report.page import vega_bundle

    t0 = time.perf_counter()
    vega_bundle()
    bundle_s = time.perf_counter() - t0

    def cold() -> None:
        forget_verified()
        loader_releases._PACKAGES.clear()
        report_source._PACKAGES.clear()

    def load_arrow() -> None:
        cold()
        rel = loader_releases.open_release(source=release)
        for name in rel.package.tables:
            rel.read_arrow(name)

    def load_all() -> None:
        cold()
        loader_tables.load_all(source=release)

    def report() -> str:
        cold()
        return render_report(release)

    def timeline() -> None:  # warm, as a notebook calls it again: built and shown
        cd.timeline(source=release)._repr_mimebundle_()

    page = report()  # warm-up, and the page measured
    timeline()
    load_arrow()
    times: dict[str, list[float]] = {"arrow": [], "pandas": [], "report": [], "timeline": []}
    for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
        for key, fn in (
            ("arrow", load_arrow),
            ("pandas", load_all),
            ("report", report),
            ("timeline", timeline),
        ):
            t = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = sum(
        r.get("rows", 0)
        for r in loader_releases.open_release(source=release).package.descriptor["resources"]
    )
    print(f"\nrelease {release}: {rows:,} rows in all tables; row budget {ROW_BUDGET:,}")
    print(f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews the times)")
    labels = {
        "arrow": "load_arrow, every table (sha256 verified)",
        "pandas": "load_all, every table into pandas",
        "report": "render_report (verify, read, aggregate, draw)",
        "timeline": "cd.timeline() warm, built and displayed",
    }
    print(
        format_table(
            [f"(median of {args.repeat})", "seconds", "best", "vs load_arrow", "vs load_all"],
            [
                [
                    labels[k],
                    f"{med[k]:.3f}",
                    f"{min(times[k]):.3f}",
                    f"{med[k] / med['arrow']:.2f}x",
                    f"{med[k] / med['pandas']:.2f}x",
                ]
                for k in ("arrow", "pandas", "report", "timeline")
            ],
        )
    )
    print(f"vega bundle, first call in a process: {bundle_s:.2f} s (cached after)")
    size = len(page.encode("utf-8"))
    aggregated = 'id="aggregated"' in page
    print(
        f"report: {size / 2**20:.2f} MiB (budget {SIZE_BUDGET / 2**20:.0f} MiB, "
        f"{'within' if size <= SIZE_BUDGET else 'OVER'}); timeline "
        f"{'aggregated' if aggregated else 'one mark per event'}"
    )


if __name__ == "__main__":
    main()
