"""Benchmark the build: `conflictdata build` next to `conflictdata validate` on the same
generated package, as whole processes in the same run; and Parquet bytes next to CSV bytes.

    python bench/build.py [--events 1000000] [--seed 0] [--repeat 1]

The generated package is kept under ``bench/_data/build-<events>/package`` and reused; every
build goes to a fresh folder. A build validates the package itself, so "build - validate" is
what building costs on top of the validation it includes. Two builds are timed: the first
release, and the next one built on it (version bumped, one event retitled and one retracted:
the changelog, change feed and report then compare with the first), each right after a
validate of the same package. Targets: build <= validate + 2 s; peak memory <= 1.5x the CSV
bytes; total Parquet <= 25% of the CSV bytes. Figures only: nothing here asserts a time.

Baseline for the build's own work: the same Parquet files written again from memory, one
thread, with the build's writer settings ("write floor"). Validation keeps every core busy,
so the build cannot take less than about write floor / cores on top of it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, format_table, run_measured, venv_command

BUILD_SLACK_S = 2.0
PARQUET_SHARE = 0.25
MEMORY_SHARE = 1.5


def ensure_package(events: int, seed: int, data: Path) -> Path:
    package = data / "package"
    descriptor = package / "datapackage.json"
    if not descriptor.is_file():
        print(f"generating {events:,} events into {package} ...", flush=True)
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
            sys.exit(f"generate failed:\n{run.stdout}{run.stderr}")
    return descriptor


def next_version(descriptor: Path, work: Path) -> Path:
    """A copy of the package as its next release: version bumped, the first event retitled
    and the second retracted (a generated row is active; a retracted one needs nothing else)."""
    package = work / "next"
    shutil.copytree(descriptor.parent, package)
    desc = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    major, minor, *_ = desc["version"].split(".")
    desc["version"] = f"{major}.{int(minor) + 1}.0"
    (package / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    events = next(r for r in desc["resources"] if r["name"] == "events")
    path = package / events["path"]
    data = path.read_bytes()
    head = io.StringIO(data[: 1 << 20].decode("utf-8", "ignore"))
    reader = csv.reader(head)
    header, first, second = next(reader), next(reader), next(reader)
    consumed = len(head.getvalue()[: head.tell()].encode("utf-8"))
    first[header.index("title")] = "Retitled for the benchmark"
    second[header.index("record_status")] = "retracted"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, first, second])
    path.write_bytes(text.getvalue().encode("utf-8") + data[consumed:])
    return package / "datapackage.json"


def write_floor(release: Path, descriptor: Path, work: Path) -> tuple[float, float]:
    """(wall s, CPU s) to write every table of ``release`` again from memory, one thread."""
    import time

    import pyarrow.parquet as pq

    from conflictdata._tableschema.package import read_package
    from conflictdata._tools.convert import write_parquet

    package = read_package(descriptor)
    tables = {name: pq.read_table(release / f"{name}.parquet") for name in package.tables}
    t0, c0 = time.perf_counter(), time.process_time()
    for name, table in tables.items():
        write_parquet(table, package.tables[name], work / f"floor-{name}.parquet")
    return time.perf_counter() - t0, time.process_time() - c0


def csv_bytes(descriptor: Path) -> dict[str, int]:
    desc = json.loads(descriptor.read_text(encoding="utf-8"))
    return {r["name"]: (descriptor.parent / r["path"]).stat().st_size for r in desc["resources"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (best is kept)")
    ap.add_argument("--data", type=Path, help="package folder cache (default bench/_data/build-N)")
    args = ap.parse_args()

    data = args.data or REPO_ROOT / "bench" / "_data" / f"build-{args.events}"
    descriptor = ensure_package(args.events, args.seed, data)
    cli = venv_command("conflictdata")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1750000000"}

    load_before = os.getloadavg()[0]
    validate_runs, build_runs, next_validate_runs, next_runs = [], [], [], []
    release: Path | None = None
    work = Path(tempfile.mkdtemp(prefix="bench-build-", dir=data))
    try:
        following = next_version(descriptor, work)
        for i in range(args.repeat):
            out = work / f"out-{i}"
            for pkg, vruns, bruns in (
                (descriptor, validate_runs, build_runs),
                (following, next_validate_runs, next_runs),
            ):
                v = run_measured([*cli, "validate", str(pkg)], env=env)
                if v.returncode not in (0, 1):
                    sys.exit(f"validate could not run:\n{v.stderr}")
                vruns.append(v)
                b = run_measured([*cli, "build", str(pkg), "--out", str(out)], env=env)
                if not b.ok:
                    sys.exit(f"build failed:\n{b.stdout}{b.stderr}")
                bruns.append(b)
            release = min(p for p in out.iterdir() if p.is_dir())
        assert release is not None
        v = min(validate_runs, key=lambda r: r.wall_s)
        b = min(build_runs, key=lambda r: r.wall_s)
        nv = min(next_validate_runs, key=lambda r: r.wall_s)
        nb = min(next_runs, key=lambda r: r.wall_s)
        csv = csv_bytes(descriptor)
        parquet = {name: (release / f"{name}.parquet").stat().st_size for name in csv}
        zip_bytes = next(release.glob("*.zip")).stat().st_size
        floor_wall, floor_cpu = write_floor(release, descriptor, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\npackage: {descriptor} ({args.events:,} events, seed {args.seed}); "
        f"best of {args.repeat}; {os.cpu_count()} CPUs; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine skews the times)\n"
    )
    print(
        format_table(
            ["command (whole process)", "wall s", "CPU s", "peak RSS MiB", "exit"],
            [
                [
                    name,
                    f"{r.wall_s:.2f}",
                    f"{r.cpu_s:.2f}",
                    f"{r.peak_rss_mb:.0f}",
                    str(r.returncode),
                ]
                for name, r in (
                    ("conflictdata validate", v),
                    ("conflictdata build (first release)", b),
                    ("conflictdata validate (next version)", nv),
                    ("conflictdata build (next release, on the first)", nb),
                )
            ],
        )
    )
    print()
    table_rows = [
        [
            name,
            f"{csv[name]:,}",
            f"{parquet[name]:,}",
            f"{parquet[name] / csv[name]:.1%}" if csv[name] else "-",
        ]
        for name in csv
    ]
    total_csv, total_pq = sum(csv.values()), sum(parquet.values())
    table_rows.append(["total", f"{total_csv:,}", f"{total_pq:,}", f"{total_pq / total_csv:.1%}"])
    print(format_table(["table", "CSV bytes", "Parquet bytes", "Parquet/CSV"], table_rows))
    print(f"\nzip archive: {zip_bytes:,} bytes")
    cpus = os.cpu_count() or 1
    print(
        f"write floor: the Parquet files written again from memory, one thread: "
        f"{floor_wall:.2f} s ({floor_cpu:.2f} CPU s); / {cpus} CPUs = {floor_wall / cpus:.2f} s"
    )

    # Each build runs right after a validate: the median of those paired differences is
    # steadier than the difference of two bests when the machine's speed drifts.
    total_mib = total_csv / 2**20
    print("\nratios")
    for label, vruns, bruns, best in (
        ("first release", validate_runs, build_runs, b),
        ("next release ", next_validate_runs, next_runs, nb),
    ):
        pairs = sorted(br.wall_s - vr.wall_s for vr, br in zip(vruns, bruns, strict=True))
        extra = statistics.median(pairs)
        vbest = min(vruns, key=lambda r: r.wall_s)
        print(
            f"  build / validate, {label}  {best.wall_s / vbest.wall_s:.2f}x  "
            f"(build - validate, median of {len(pairs)} back-to-back pairs = {extra:+.2f} s, "
            f"range {pairs[0]:+.2f} to {pairs[-1]:+.2f}; target <= +{BUILD_SLACK_S:.0f} s: "
            f"{'met' if extra <= BUILD_SLACK_S else 'NOT met'})"
        )
        cpu = statistics.median(br.cpu_s - vr.cpu_s for vr, br in zip(vruns, bruns, strict=True))
        print(
            f"  CPU s, build - validate, {label}  {cpu:+.2f} s  (user + system; what the build "
            f"adds, over {cpus} CPUs at best {cpu / cpus:+.2f} s of wall time)"
        )
        if label == "first release":
            print(
                f"  (build - validate) / floor     {extra / (floor_wall / cpus):.2f}x  "
                f"(build's own work next to writing alone spread over {cpus} busy CPUs)"
            )
    for label, r in (("validate", v), ("build, first", b), ("build, next", nb)):
        share = r.peak_rss_mb / total_mib
        print(
            f"  peak RSS / CSV bytes, {label:12s} {share:.2f}x  "
            f"({r.peak_rss_mb:.0f} MiB for {total_mib:.0f} MiB; target <= {MEMORY_SHARE}x: "
            f"{'met' if share <= MEMORY_SHARE else 'NOT met'})"
        )
    share = total_pq / total_csv
    print(
        f"  Parquet / CSV bytes            {share:.1%}  "
        f"(target <= {PARQUET_SHARE:.0%}: {'met' if share <= PARQUET_SHARE else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
