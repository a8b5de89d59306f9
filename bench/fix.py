"""Benchmark `conflictdata fix` next to `conflictdata validate`, on the same package.

    .venv/bin/python bench/fix.py [--events 1000000] [--data DIR] [--seed 0] [--repeat 1]

Generates (or reuses) a package of ``--events`` events as bench/validate.py does, then
measures as separate whole processes, in the same run on the same machine:

  * ``conflictdata validate`` on it (the baseline: every layer);
  * ``conflictdata fix --check`` on it (already canonical: parse, canonicalise, compare);
  * ``conflictdata fix`` on a copy saved as Excel's "CSV UTF-8" saves it (a byte order mark
    and CRLF line ends on every file), which rewrites every file, and the copy is then
    checked to be byte-identical to the generated package.

It prints wall time, peak RSS and each ratio against validate. It prints; it never asserts.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, Run, format_table, run_measured, venv_command
from validate import best_of, ensure_package


def _spreadsheet_copy(src: Path, dest: Path) -> None:
    """The package with every CSV as Excel's "CSV UTF-8" writes it: BOM and CRLF."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.csv"))
    for csv in src.rglob("*.csv"):
        out = dest / csv.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        with csv.open("rb") as fin, out.open("wb") as fout:
            fout.write(b"\xef\xbb\xbf")
            for line in fin:  # quoted line breaks become CRLF too, as a spreadsheet writes them
                fout.write(line[:-1] + b"\r\n" if line.endswith(b"\n") else line)


def _same_csvs(a: Path, b: Path) -> bool:
    return all(
        (b / p.relative_to(a)).read_bytes() == p.read_bytes() for p in sorted(a.rglob("*.csv"))
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument(
        "--data",
        type=Path,
        default=None,
        help="package folder (default bench/_data/events-N-seed-S)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)

    data_root = REPO_ROOT / "bench" / "_data"
    folder = args.data or data_root / f"events-{args.events}-seed-{args.seed}"
    info, _ = ensure_package(folder, args.events, args.seed)
    desc = folder / "datapackage.json"
    cd = venv_command("conflictdata")
    rows: list[list[str]] = []

    def row(label: str, run: Run, base: Run | None) -> None:
        ratio = f"{run.wall_s / base.wall_s:.2f}x" if base and base.wall_s else "1.00x"
        rows.append(
            [
                label,
                f"{run.wall_s:.2f} s",
                f"{run.peak_rss_mb:,.0f} MiB",
                ratio,
                str(run.returncode),
            ]
        )

    validate = best_of([*cd, "validate", str(desc), "--against", "none"], args.repeat)
    row("conflictdata validate", validate, None)
    check = best_of([*cd, "fix", "--check", str(desc)], args.repeat)
    row("conflictdata fix --check (canonical)", check, validate)
    best: Run | None = None
    identical = True
    for _ in range(max(1, args.repeat)):
        with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
            copy = Path(tmp) / "pkg"
            _spreadsheet_copy(folder, copy)
            run = run_measured([*cd, "fix", str(copy / "datapackage.json")])
            identical &= run.returncode == 0 and _same_csvs(folder, copy)
        if best is None or run.wall_s < best.wall_s:
            best = run
    assert best is not None
    row("conflictdata fix (BOM + CRLF everywhere)", best, validate)

    print(f"package: {args.events:,} events, {info.get('total_rows', 0):,} rows, {folder}")
    print(format_table(["command", "wall", "peak RSS", "vs validate", "exit"], rows))
    print(f"fixed copy byte-identical to the generated package: {'yes' if identical else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
