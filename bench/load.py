"""Benchmark the loader: ``conflictdata.load("events")`` on the 1M-event release against bare
``pyarrow.parquet.read_table(path).to_pandas()`` with the same dtype mapping, in the same run;
and the import cost of ``conflictdata`` against importing pandas and pyarrow.

    python bench/load.py [--events 1000000] [--seed 0] [--repeat 5]

The generated package and its release are kept under ``bench/_data/`` and reused. Each load
is timed cold for the loader (its per-process SHA-256 and descriptor memos cleared), with the
OS page cache warm for both. Targets: load <= 1.2x the baseline; import <= ~50 ms over.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, format_table, run_measured, venv_command  # noqa: E402


def ensure_release(events: int, seed: int, data: Path) -> Path:
    """Generate the package and build its release once; return the release folder."""
    package = data / "package"
    releases = data / "releases"
    if not (package / "datapackage.json").is_file():
        print(f"generating {events} events into {package} ...", flush=True)
        run = run_measured([sys.executable, str(REPO_ROOT / "bench" / "generate.py"), "--events", str(events),
                            "--out", str(package), "--seed", str(seed)])
        if not run.ok:
            sys.exit(f"generate failed:\n{run.stderr}")
    found = [p for p in releases.glob("*/datapackage.json")] if releases.is_dir() else []
    if not found:
        print(f"building the release into {releases} ...", flush=True)
        run = run_measured([*venv_command("conflictdata"), "build", str(package / "datapackage.json"),
                            "--out", str(releases)])
        if not run.ok:
            sys.exit(f"build failed:\n{run.stdout}{run.stderr}")
        found = list(releases.glob("*/datapackage.json"))
    return found[0].parent


def time_loads(release: Path, table: str, repeat: int) -> tuple[list[float], list[float], int]:
    import pyarrow.parquet as pq

    from conflictdata import loader, remote
    from conflictdata.loader import _types_mapper

    schema = loader.open_release(source=release).table(table)
    path = release / schema.path
    mapper = _types_mapper(schema)  # the same Arrow -> pandas mapping the loader uses

    def baseline() -> int:
        return len(pq.read_table(path).to_pandas(types_mapper=mapper))

    def ours() -> int:
        remote._VERIFIED.clear()  # cold: hash the file again, as a fresh process would
        loader._PACKAGES.clear()  # and parse the descriptor again
        df = loader.load(table, source=release)
        return len(df)

    base_t, ours_t = [], []
    rows = baseline()
    assert ours() == rows  # warm-up both, and the page cache
    for _ in range(repeat):
        for fn, acc in ((baseline, base_t), (ours, ours_t)):
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
    return base_t, ours_t, rows


def process_ms(code: str, repeat: int) -> float:
    """Best wall time (ms) of ``python -c code`` as a whole process (least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        run = run_measured([sys.executable, "-c", code])
        if not run.ok:
            sys.exit(f"python -c {code!r} failed:\n{run.stderr}")
        times.append(run.wall_s * 1000)
    return min(times)


def importtime_ms(module: str) -> float:
    """Cumulative import time (ms) of ``module`` from ``python -X importtime``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    for line in out.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$", line)
        if m and m.group(2) == module:
            return int(m.group(1)) / 1000
    raise RuntimeError(f"no importtime line for {module}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data", type=Path, help="data folder (default bench/_data/load-<events>)")
    args = ap.parse_args()
    data = args.data or REPO_ROOT / "bench" / "_data" / f"load-{args.events}"

    release = ensure_release(args.events, args.seed, data)
    base_t, ours_t, rows = time_loads(release, "events", args.repeat)
    size = (release / "events.parquet").stat().st_size / 1e6
    b, o = statistics.median(base_t), statistics.median(ours_t)
    print(f"\nevents table: {rows} rows, {size:.1f} MB Parquet ({release})")
    print(format_table(
        ["load (median of %d)" % args.repeat, "seconds", "best", "ratio"],
        [["pq.read_table().to_pandas(same dtypes)", f"{b:.3f}", f"{min(base_t):.3f}", "1.00x"],
         ["conflictdata.load('events') incl. sha256", f"{o:.3f}", f"{min(ours_t):.3f}", f"{o / b:.2f}x"]],
    ))
    print(f"load ratio: {o / b:.2f}x (target <= 1.2x)")

    n = max(args.repeat, 5)
    rows_t = [
        ("python -c pass", process_ms("pass", n)),
        ("import pandas, pyarrow", process_ms("import pandas, pyarrow", n)),
        ("import conflictdata", process_ms("import conflictdata", n)),
        ("import conflictdata, pandas, pyarrow", process_ms("import conflictdata, pandas, pyarrow", n)),
        ("import pandas, pyarrow.parquet", process_ms("import pandas, pyarrow.parquet", n)),
        ("import conflictdata.loader + what load() needs",
         process_ms("import conflictdata.loader, pandas, pyarrow.parquet", n)),
    ]
    print()
    print(format_table(["process (best of %d)" % n, "ms"], [[k, f"{v:.0f}"] for k, v in rows_t]))
    t = dict(rows_t)
    own = importtime_ms("conflictdata")
    print(f"\n-X importtime: import conflictdata = {own:.1f} ms cumulative")
    print(f"import conflictdata over pandas+pyarrow: {t['import conflictdata, pandas, pyarrow'] - t['import pandas, pyarrow']:+.0f} ms "
          f"(alone: {t['import conflictdata'] - t['python -c pass']:+.0f} ms over bare python; target <= ~50 ms over)")
    print(f"loader path over pandas+pyarrow.parquet: "
          f"{t['import conflictdata.loader + what load() needs'] - t['import pandas, pyarrow.parquet']:+.0f} ms")


if __name__ == "__main__":
    main()
