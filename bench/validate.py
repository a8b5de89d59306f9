"""Benchmark `conflictdata validate` against frictionless and the CSV parse floor.

    .venv/bin/python bench/validate.py [--events 1000000] [--frictionless-events 100000]
                                       [--data DIR] [--seed 0] [--repeat 1] [--json PATH]

Generates (or reuses, when the files match this generator, seed and schemas) a package of
``--events`` events under bench/_data/, then measures as separate whole processes, in the
same run on the same machine:

  * ``conflictdata validate`` on it (every layer: file, field, row, cross-table, lints);
  * ``frictionless validate`` on a package of ``--frictionless-events`` events generated the
    same way (frictionless needs minutes for 1M events), its time scaled linearly by total
    rows to the full package — the output says so;
  * bare ``pyarrow.csv.read_csv`` of every CSV of the full package (the parse floor);
  * in one process, with the tables read into frames as ``conflictdata.load`` types them (not
    timed): ``pandera_schema("events").validate(df, lazy=True)`` and ``validate_frames`` on
    every table, each timed alone (target: validate_frames <= 2x our CSV validator).

It prints wall time, peak RSS and the ratios against the targets (1M events in < 4 s; >= 20x
faster than frictionless; <= 3x the parse floor) as PASS/MISS. It prints; it never asserts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, Run, format_table, run_measured, venv_command

TARGET_SECONDS = 4.0  # for 1,000,000 events
TARGET_VS_FRICTIONLESS = 20.0  # at least this many times faster
TARGET_VS_FLOOR = 3.0  # at most this many times the parse floor

#: The parse floor: read every CSV of the package with pyarrow, nothing else. Quoted cells
#: hold newlines, so the parser must be told (without it pyarrow rejects the files).
FLOOR_SCRIPT = """
import json, sys
from pathlib import Path
import pyarrow.csv as csv
desc = Path(sys.argv[1])
opts = csv.ParseOptions(newlines_in_values=True)
rows = 0
for res in json.loads(desc.read_text("utf-8"))["resources"]:
    rows += csv.read_csv(desc.parent / res["path"], parse_options=opts).num_rows
print(rows)
"""


#: Frames in memory: the package's CSVs read into frames with the dtypes conflictdata.load gives
#: (not timed), then timed alone: the events frame through its pandera schema, and
#: validate_frames on every table. Prints one JSON line.
FRAMES_SCRIPT = """
import json, sys, time
from pathlib import Path
import pandas as pd, pyarrow as pa, pyarrow.csv as csv
from conflictdata._tableschema.package import read_package
from conflictdata._frames.validate import conform, validate_frames
from conflictdata._frames.pandera_schemas import schema_for
desc = Path(sys.argv[1])
pkg = read_package(desc)
frames = {}
for name, t in pkg.tables.items():
    types = {n: pa.string() for n in t.field_names}
    tab = csv.read_csv(desc.parent / t.path,
                       parse_options=csv.ParseOptions(newlines_in_values=True),
                       convert_options=csv.ConvertOptions(column_types=types))
    text = tab.to_pandas(types_mapper={pa.string(): pd.StringDtype('pyarrow')}.get)
    df, found, _ = conform(t, text)
    assert not found, found[:3]
    for f in t.fields:
        if f.enum is not None:
            col = df[f.name]
            df[f.name] = col.mask(col.eq('').fillna(False)).astype(f.pandas_dtype())
        elif f.type == 'string':
            col = df[f.name]
            df[f.name] = col.mask(col.eq('').fillna(False))
    frames[name] = df
schema = schema_for(pkg.table('events'))  # imports pandera; not timed
t0 = time.perf_counter()
schema.validate(frames['events'], lazy=True)
t1 = time.perf_counter()
report = validate_frames(frames, package=pkg)
t2 = time.perf_counter()
print(json.dumps({'pandera_events': t1 - t0, 'validate_frames': t2 - t1,
                  'events_rows': len(frames['events']), 'rows': sum(map(len, frames.values())),
                  'errors': report.errors}))
"""
TARGET_FRAMES_VS_CSV = 2.0  # validate_frames at most this many times our CSV validator


def fingerprint(events: int, seed: int) -> str:
    """Identifies the generated package: arguments, generator code, schemas and seeds."""
    h = hashlib.sha256(f"{events}:{seed}".encode())
    files = [REPO_ROOT / "datapackage.json", Path(__file__).with_name("generate.py")]
    files += sorted((REPO_ROOT / "schemas").glob("*.json")) + sorted(
        (REPO_ROOT / "seeds").glob("*.csv")
    )
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def ensure_package(folder: Path, events: int, seed: int) -> tuple[dict[str, Any], Run | None]:
    """Generate the package in ``folder`` unless an identical one is there; return its meta."""
    meta_path = folder / ".bench-meta.json"
    fp = fingerprint(events, seed)
    if meta_path.exists():
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("fingerprint") == fp and (folder / "datapackage.json").exists():
            print(f"reusing {folder} ({events:,} events, seed {seed})", flush=True)
            return meta, None
    if folder.exists():
        shutil.rmtree(folder)
    print(f"generating {events:,} events into {folder} ...", flush=True)
    run = run_measured(
        [
            sys.executable,
            str(Path(__file__).with_name("generate.py")),
            "--events",
            str(events),
            "--out",
            str(folder),
            "--seed",
            str(seed),
        ]
    )
    if not run.ok:
        raise SystemExit(f"generate.py failed:\n{run.stderr}")
    desc = json.loads((folder / "datapackage.json").read_text("utf-8"))
    sizes = {r["name"]: (folder / r["path"]).stat().st_size for r in desc["resources"]}
    rows = {r["name"]: _count_records(folder / r["path"]) for r in desc["resources"]}
    meta = {
        "fingerprint": fp,
        "events": events,
        "seed": seed,
        "rows": rows,
        "bytes": sizes,
        "total_rows": sum(rows.values()),
        "total_bytes": sum(sizes.values()),
        "generate_seconds": round(run.wall_s, 2),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    print(f"  generated in {run.wall_s:.1f} s", flush=True)
    return meta, run


def _count_records(path: Path) -> int:
    import pyarrow.csv as csv

    return csv.read_csv(path, parse_options=csv.ParseOptions(newlines_in_values=True)).num_rows


def best_of(command: list[str], repeat: int) -> Run:
    """The fastest of ``repeat`` runs (all must succeed to count; a failure is returned as is)."""
    runs = []
    for _ in range(max(1, repeat)):
        r = run_measured(command, cwd=REPO_ROOT)
        if not r.ok:
            return r
        runs.append(r)
    return min(runs, key=lambda r: r.wall_s)


def code_version() -> str:
    """The checked-out commit, with "+dirty" when src/ has uncommitted changes ("unknown" without git)."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark conflictdata validate (see module docstring)."
    )
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument(
        "--frictionless-events",
        type=int,
        default=100_000,
        help="events for the frictionless run (scaled to --events); 0 skips it",
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=None,
        help="package folder (default bench/_data/events-N-seed-S)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs of ours and the floor; the best counts"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)

    data_root = REPO_ROOT / "bench" / "_data"
    folder = args.data or data_root / f"events-{args.events}-seed-{args.seed}"
    meta, _ = ensure_package(folder, args.events, args.seed)
    desc = folder / "datapackage.json"

    fr_events = min(args.frictionless_events, args.events) if args.frictionless_events > 0 else 0
    fr_meta = None
    if fr_events and fr_events < args.events:
        fr_folder = data_root / f"events-{fr_events}-seed-{args.seed}"
        fr_meta, _ = ensure_package(fr_folder, fr_events, args.seed)
        fr_desc = fr_folder / "datapackage.json"
    elif fr_events:
        fr_meta, fr_desc = meta, desc

    print("measuring conflictdata validate ...", flush=True)
    ours = best_of([*venv_command("conflictdata"), "validate", str(desc)], args.repeat)
    print(
        "measuring pandera_schema('events') and validate_frames on the frames in memory ...",
        flush=True,
    )
    frames_run = run_measured([sys.executable, "-c", FRAMES_SCRIPT, str(desc)], cwd=REPO_ROOT)
    frames_res = json.loads(frames_run.stdout.strip().splitlines()[-1]) if frames_run.ok else None
    print("measuring the parse floor (pyarrow.csv.read_csv) ...", flush=True)
    floor = best_of([sys.executable, "-c", FLOOR_SCRIPT, str(desc)], args.repeat)
    fr = None
    if fr_meta is not None:
        print(
            f"measuring frictionless validate on {fr_meta['events']:,} events (slow) ...",
            flush=True,
        )
        fr = run_measured([*venv_command("frictionless"), "validate", str(fr_desc)], cwd=REPO_ROOT)

    scale = meta["total_rows"] / fr_meta["total_rows"] if fr_meta else None
    fr_scaled = fr.wall_s * scale if fr and scale else None
    per_million = ours.wall_s * 1_000_000 / args.events
    vs_fr = fr_scaled / ours.wall_s if fr_scaled else None
    vs_floor = ours.wall_s / floor.wall_s

    n = args.events
    mib = meta["total_bytes"] / 2**20
    version = code_version()
    print()
    print(
        f"conflictdata validate benchmark: {n:,} events = {meta['total_rows']:,} rows in "
        f"{len(meta['rows'])} tables, {mib:,.0f} MiB of CSV; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, code {version}"
    )
    rows = [
        [
            "conflictdata validate (all layers)",
            f"{ours.wall_s:.2f}",
            f"{ours.peak_rss_mb:,.0f}",
            f"{meta['total_rows']:,}",
            "ok" if ours.ok else f"exit {ours.returncode}",
        ],
        [
            "pyarrow.csv.read_csv (parse floor)",
            f"{floor.wall_s:.2f}",
            f"{floor.peak_rss_mb:,.0f}",
            f"{meta['total_rows']:,}",
            "ok" if floor.ok else f"exit {floor.returncode}",
        ],
    ]
    if frames_res is not None:
        rows.append(
            [
                "pandera_schema('events').validate(lazy) (in memory)",
                f"{frames_res['pandera_events']:.2f}",
                "-",
                f"{frames_res['events_rows']:,}",
                "ok" if frames_res["errors"] == 0 else "findings",
            ]
        )
        rows.append(
            [
                "validate_frames, every table (in memory)",
                f"{frames_res['validate_frames']:.2f}",
                f"{frames_run.peak_rss_mb:,.0f}",
                f"{frames_res['rows']:,}",
                "ok" if frames_res["errors"] == 0 else f"{frames_res['errors']} errors",
            ]
        )
    if fr is not None:
        label = "frictionless validate"
        if scale and abs(scale - 1) > 1e-9:
            label += f" ({fr_meta['events']:,} events)"
        rows.append(
            [
                label,
                f"{fr.wall_s:.2f}",
                f"{fr.peak_rss_mb:,.0f}",
                f"{fr_meta['total_rows']:,}",
                "ok" if fr.ok else f"exit {fr.returncode}",
            ]
        )
        if scale and abs(scale - 1) > 1e-9:
            rows.append(
                [
                    f"frictionless, scaled x{scale:.2f} to {n:,} events",
                    f"{fr_scaled:.1f}",
                    "-",
                    f"{meta['total_rows']:,}",
                    "estimate",
                ]
            )
    print(format_table(["process", "wall s", "peak RSS MiB", "rows", "status"], rows))
    print()
    targets = [
        [
            "time per 1M events",
            f"{per_million:.2f} s",
            f"< {TARGET_SECONDS:g} s",
            _verdict(per_million < TARGET_SECONDS and ours.ok),
        ],
        [
            "faster than frictionless",
            f"{vs_fr:.1f}x" if vs_fr else "not run",
            f">= {TARGET_VS_FRICTIONLESS:g}x",
            _verdict(bool(vs_fr) and vs_fr >= TARGET_VS_FRICTIONLESS) if vs_fr else "-",
        ],
        [
            "time vs parse floor",
            f"{vs_floor:.2f}x",
            f"<= {TARGET_VS_FLOOR:g}x",
            _verdict(vs_floor <= TARGET_VS_FLOOR and ours.ok),
        ],
    ]
    if frames_res is not None:
        vs_csv = frames_res["validate_frames"] / ours.wall_s
        targets.append(
            [
                "validate_frames vs our CSV validator",
                f"{vs_csv:.2f}x",
                f"<= {TARGET_FRAMES_VS_CSV:g}x",
                _verdict(vs_csv <= TARGET_FRAMES_VS_CSV and frames_res["errors"] == 0),
            ]
        )
    print(format_table(["target", "measured", "goal", "result"], targets))
    if frames_run is not None and not frames_run.ok:
        print(
            "\nnote: the frames run failed:\n  "
            + "\n  ".join((frames_run.stdout + frames_run.stderr).strip().splitlines()[-5:])
        )
    if fr is not None and scale and abs(scale - 1) > 1e-9:
        print(
            f"\nfrictionless ran on {fr_meta['events']:,} events ({fr_meta['total_rows']:,} rows), not "
            f"{n:,}: at ~{fr.wall_s / fr_meta['total_rows'] * 1e6:.0f} s per million rows the full "
            f"package would take minutes; its time is scaled linearly by rows (x{scale:.2f})."
        )
    floor_per_million = floor.wall_s * 1_000_000 / n
    if n >= 1_000_000 and floor_per_million >= TARGET_SECONDS:
        print(
            f"\nnote: merely reading these files (the parse floor) takes {floor_per_million:.1f} s per "
            f"1M events here ({mib:,.0f} MiB of CSV), so the < {TARGET_SECONDS:g} s target is below the "
            f"floor on this machine; the ratio to the floor is the comparable figure."
        )
    for name, r in (("conflictdata validate", ours), ("parse floor", floor), ("frictionless", fr)):
        if r is not None and not r.ok:
            tail = (r.stdout + r.stderr).strip().splitlines()[-5:]
            print(f"\nnote: {name} exited {r.returncode}:\n  " + "\n  ".join(tail))

    if args.json:
        result = {
            "events": n,
            "rows": meta["rows"],
            "total_rows": meta["total_rows"],
            "total_bytes": meta["total_bytes"],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "code": version,
            "ours": {
                "seconds": round(ours.wall_s, 3),
                "peak_rss_mib": round(ours.peak_rss_mb, 1),
                "exit": ours.returncode,
            },
            "parse_floor": {
                "seconds": round(floor.wall_s, 3),
                "peak_rss_mib": round(floor.peak_rss_mb, 1),
            },
            "frictionless": None
            if fr is None
            else {
                "events": fr_meta["events"],
                "rows": fr_meta["total_rows"],
                "seconds": round(fr.wall_s, 3),
                "peak_rss_mib": round(fr.peak_rss_mb, 1),
                "exit": fr.returncode,
                "scale": round(scale, 4),
                "seconds_scaled": round(fr_scaled, 2),
            },
            "seconds_per_million_events": round(per_million, 3),
            "speedup_vs_frictionless": None if vs_fr is None else round(vs_fr, 2),
            "ratio_to_parse_floor": round(vs_floor, 3),
            "frames": frames_res,
            "targets": {t[0]: {"measured": t[1], "goal": t[2], "result": t[3]} for t in targets},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
