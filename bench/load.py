"""Benchmark the loader: ``conflictdata.load("events")`` on the 1M-event release against bare
``pyarrow.parquet.read_table(path).to_pandas()`` giving the same frame (standing rows, the same
dtypes), in the same run;
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
from _common import REPO_ROOT, format_table, run_measured, venv_command


def ensure_release(events: int, seed: int, data: Path) -> Path:
    """Generate the package and build its release once; return the release folder."""
    package = data / "package"
    releases = data / "releases"
    if not (package / "datapackage.json").is_file():
        print(f"generating {events} events into {package} ...", flush=True)
        run = run_measured(
            [
                sys.executable,
                str(REPO_ROOT / "bench" / "generate.py"),
                "--events",
                str(events),
                "--out",
                str(package),
                "--seed",
                str(seed),
            ]
        )
        if not run.ok:
            sys.exit(f"generate failed:\n{run.stderr}")
    found = list(releases.glob("*/datapackage.json")) if releases.is_dir() else []
    if not found:
        print(f"building the release into {releases} ...", flush=True)
        run = run_measured(
            [
                *venv_command("conflictdata"),
                "build",
                str(package / "datapackage.json"),
                "--out",
                str(releases),
            ]
        )
        if not run.ok:
            sys.exit(f"build failed:\n{run.stdout}{run.stderr}")
        found = list(releases.glob("*/datapackage.json"))
    return found[0].parent


def time_loads(release: Path, table: str, repeat: int) -> tuple[list[float], list[float], int]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from conflictdata._loader.releases import _PACKAGES, open_release
    from conflictdata._loader.tables import load
    from conflictdata._release.verify import forget_verified
    from conflictdata._tableschema.dtypes import arrow_types_mapper, with_date_form

    schema = open_release(source=release).table(table)
    path = release / schema.path
    mapper = arrow_types_mapper(schema)  # the same Arrow -> pandas mapping the loader uses

    def baseline() -> int:
        """The same frame by hand: standing rows, dates as datetime64[s], the same dtypes."""
        data = pq.read_table(path)
        status = data.column(schema.status_field).cast("string")
        data = data.filter(pc.fill_null(pc.equal(status, schema.standing_status), True))
        return len(with_date_form(data, schema, "datetime64").to_pandas(types_mapper=mapper))

    def ours() -> int:
        forget_verified()  # cold: hash the file again, as a fresh process would
        _PACKAGES.clear()  # and parse the descriptor again
        df = load(table, source=release)
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


def importtime_ms(code: str, prefix: str, repeat: int) -> float:
    """Best over ``repeat`` runs of the summed cumulative ``-X importtime`` (ms) of the
    top-level imports whose module name starts with ``prefix``, in ``python -c code``:
    what those imports add on top of whatever ``code`` imported before them."""
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        total = 0
        for line in out.splitlines():
            m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)$", line)
            if m and m.group(2) == " " and m.group(3).startswith(prefix):
                total += int(m.group(1))
        best = min(best, total / 1000)
    return best


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
    print(
        format_table(
            [f"load (median of {args.repeat})", "seconds", "best", "ratio"],
            [
                [
                    "pq.read_table().to_pandas(same dtypes)",
                    f"{b:.3f}",
                    f"{min(base_t):.3f}",
                    "1.00x",
                ],
                [
                    "conflictdata.load('events') incl. sha256",
                    f"{o:.3f}",
                    f"{min(ours_t):.3f}",
                    f"{o / b:.2f}x",
                ],
            ],
        )
    )
    print(f"load ratio: {o / b:.2f}x (target <= 1.2x)")

    n = max(args.repeat, 5)
    pairs = [
        ("import pandas, pyarrow", "import conflictdata, pandas, pyarrow"),
        (
            "import pandas, pyarrow.parquet",
            "import conflictdata._loader.tables, pandas, pyarrow.parquet",
        ),
    ]
    walls = {code: [] for pair in pairs for code in pair}
    for _ in range(n):  # interleaved, so background load hits both sides alike
        for code in walls:
            walls[code].append(process_ms(code, 1))
    print()
    print(
        format_table(
            [f"process wall time (best of {n})", "ms"],
            [[code, f"{min(t):.0f}"] for code, t in walls.items()],
        )
    )
    alone = importtime_ms("import conflictdata", "conflictdata", n)
    over = importtime_ms("import pandas, pyarrow; import conflictdata", "conflictdata", n)
    loader_over = importtime_ms(
        "import pandas, pyarrow.parquet; import conflictdata._loader.tables", "conflictdata", n
    )
    print(
        f"\n-X importtime (best of {n}): import conflictdata = {alone:.1f} ms on its own, "
        f"{over:.1f} ms after pandas+pyarrow; conflictdata._loader.tables after pandas+pyarrow.parquet = "
        f"{loader_over:.1f} ms (target <= ~50 ms over)"
    )
    for a, b in pairs:
        print(f"wall: '{b}' - '{a}' = {min(walls[b]) - min(walls[a]):+.0f} ms")


if __name__ == "__main__":
    main()
