"""Compare `conflictdata validate` (spec policy) with `frictionless validate` on any data packages.

    python bench/peer.py [PATH ...] [--in-process] [--verbose] [--json OUT]

Each PATH is a data package descriptor or a folder searched for descriptors (every JSON file
with a ``resources`` list, and every ``datapackage.yaml``/``.yml``); without PATH, the peer
fixtures (tests/fixtures/peer, a copy of the data packages in frictionless-py's test data).
Both validators run on each package as separate whole processes, start-up included:

  * ours: ``python -m conflictdata validate --policy spec --format json DESCRIPTOR``, with this
    checkout's ``src`` first on ``PYTHONPATH`` (so a worktree runs its own code);
  * frictionless: ``frictionless validate --json --limit-errors 0 DESCRIPTOR`` (no cap on the
    errors listed per resource, so both do the whole job and every located error is compared).

Each package gets one outcome:

  * ``agree``: the same verdict and the same (resource, row, field, error type) set, by the
    differential test's mapping (tests/support/differential.py). When frictionless reports
    a metadata error (package-, resource-, schema-, field-, dialect-, control-error) it
    validates no table, while ours reports the same errors and validates every table they
    leave whole: then the verdict and the metadata errors are compared;
  * ``refused``: ours exited 2 with a one-line refusal — the line is printed;
  * ``wrong``: both read it and disagree (verdict, then the differing keys, are printed);
  * ``crash``: ours ended with a traceback, an unexpected exit code, or output that is not
    its JSON report;
  * ``no-reference``: frictionless itself gave no report (its last line is printed).

Where ours lists only the first 1000 findings of a (table, code, field) and counts the rest,
its keys are taken from a second, unmeasured run without that cap. Each line also gives wall
seconds and peak RSS (the child's own ``ru_maxrss``, bench/_common.py) of both processes;
the end is one JSON summary (``--json OUT`` also writes every package's figures and keys'
differences). ``--in-process`` runs both validators inside this process instead, as the
suite does (fast; no time or memory figures). The script prints; it never asserts
(tests/validation/test_peer_fixtures.py and tests/validation/test_real_packages.py assert).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# This checkout's code and test support, whatever is installed (a worktree runs its own tree).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, Run, run_measured, venv_command
from support.differential import metadata_view
from support.peer import (
    compare_package,
    data_packages,
    frictionless_json_keys,
    our_json_keys,
)

DEFAULT = REPO_ROOT / "tests" / "fixtures" / "peer"

#: Ours without the per-(table, code, field) listing cap, for the keys only (not measured).
_UNCAPPED = (
    "import json, sys, conflictdata.tools; "
    "r = conflictdata.tools.validate(sys.argv[1], policy='spec', max_per_rule=2**62); "
    "print(json.dumps(r.to_dict(), ensure_ascii=False))"
)


@dataclass
class Side:
    """One validator's whole-process run on one package."""

    exit: int
    wall_s: float
    peak_rss_mb: float
    valid: bool | None = None
    errors: int = 0  # located errors as keys
    line: str = ""  # the refusal, crash or failure line
    note: str = ""


@dataclass
class Result:
    package: str
    kind: str  # agree | refused | wrong | crash | no-reference
    detail: str
    ours: Side
    frictionless: Side
    only_ours: list[str] = field(default_factory=list)
    only_frictionless: list[str] = field(default_factory=list)

    def differences(self) -> list[str]:
        return (
            [f"verdict: ours {self.ours.valid}, frictionless {self.frictionless.valid}"]
            + [f"ours only         {k}" for k in self.only_ours]
            + [f"frictionless only {k}" for k in self.only_frictionless]
        )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(REPO_ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _json(text: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "valid" in doc else None


def run_ours(descriptor: Path) -> tuple[Side, set | None]:
    cmd = [sys.executable, "-m", "conflictdata", "validate", "--policy", "spec"]
    run = run_measured([*cmd, "--format", "json", str(descriptor)], env=_env())
    side = Side(run.returncode, run.wall_s, run.peak_rss_mb)
    doc = _json(run.stdout) if run.returncode in (0, 1) else None
    if "Traceback" in run.stderr or run.returncode not in (0, 1, 2):
        side.line = _last_line(run.stderr) or f"exit {run.returncode}"
        return side, None
    if run.returncode == 2:
        side.line = run.stderr.strip()
        return side, None
    if doc is None:
        side.line = f"exit {run.returncode} without a JSON report: {_last_line(run.stdout)}"
        return side, None
    if (doc.get("stats") or {}).get("suppressed"):
        uncapped = run_measured([sys.executable, "-c", _UNCAPPED, str(descriptor)], env=_env())
        full = _json(uncapped.stdout)
        if full is not None:
            doc = full
            side.note = "keys from an uncapped run"
    side.valid, keys, unmatched = our_json_keys(doc)
    side.errors = len(keys)
    if unmatched:
        side.note = (side.note + "; " if side.note else "") + f"{unmatched} unmapped findings"
    return side, keys


def run_frictionless(descriptor: Path) -> tuple[Side, set | None]:
    cmd = [*venv_command("frictionless"), "validate", "--json", "--limit-errors", "0"]
    run: Run = run_measured([*cmd, str(descriptor)])
    side = Side(run.returncode, run.wall_s, run.peak_rss_mb)
    doc = _json(run.stdout)
    if doc is None:
        side.line = _last_line(run.stderr) or _last_line(run.stdout) or f"exit {run.returncode}"
        return side, None
    side.valid, keys = frictionless_json_keys(doc)
    side.errors = len(keys)
    return side, keys


def compare(descriptor: Path, name: str) -> Result:
    ours, our_keys = run_ours(descriptor)
    theirs, their_keys = run_frictionless(descriptor)
    if our_keys is None:
        kind = "refused" if ours.exit == 2 and "\n" not in ours.line and ours.line else "crash"
        return Result(name, kind, ours.line, ours, theirs)
    if their_keys is None:
        return Result(name, "no-reference", theirs.line, ours, theirs)
    our_keys, their_keys = metadata_view(our_keys, their_keys)
    if ours.valid == theirs.valid and our_keys == their_keys:
        return Result(name, "agree", "", ours, theirs)
    return Result(
        name,
        "wrong",
        f"{len(our_keys - their_keys)} keys only ours, {len(their_keys - our_keys)} only frictionless",
        ours,
        theirs,
        sorted(map(repr, our_keys - their_keys)),
        sorted(map(repr, their_keys - our_keys)),
    )


def _name(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return str(path.relative_to(root.parent))
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _figures(side: Side) -> str:
    return f"{side.wall_s:6.2f} s {side.peak_rss_mb:6.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, help="descriptors or folders of packages")
    ap.add_argument("--fixtures", type=Path, help="a folder of packages (same as a PATH)")
    ap.add_argument("--in-process", action="store_true", help="both validators in this process")
    ap.add_argument("--verbose", action="store_true", help="list every difference")
    ap.add_argument("--json", type=Path, help="also write every package's figures here")
    args = ap.parse_args(argv)
    roots = [p.resolve() for p in args.paths] + ([args.fixtures.resolve()] if args.fixtures else [])
    roots = roots or [DEFAULT]
    warnings.simplefilter("ignore")
    counts: dict[str, int] = {}
    results: list[Result] = []
    t0 = time.perf_counter()
    limit = None if args.verbose else 6
    if not args.in_process:
        print(f"{'outcome':12} {'ours':>18}   {'frictionless':>18}   package")
    for path in data_packages(roots):
        name = _name(path, roots)
        if args.in_process:
            outcome = compare_package(path)
            kind = "wrong" if outcome.kind == "differ" else outcome.kind
            counts[kind] = counts.get(kind, 0) + 1
            print(f"{kind:8} {name}{': ' + outcome.detail if outcome.detail else ''}")
            if kind == "wrong":
                for line in outcome.differences()[:limit]:
                    print(f"         {line}")
            continue
        r = compare(path, name)
        results.append(r)
        counts[r.kind] = counts.get(r.kind, 0) + 1
        print(f"{r.kind:12} {_figures(r.ours)}   {_figures(r.frictionless)}   {name}", flush=True)
        if r.detail:
            print(f"{'':12} {r.detail}")
        if r.kind == "wrong":
            for line in r.differences()[:limit]:
                print(f"{'':14} {line}")
    summary: dict[str, Any] = {"packages": sum(counts.values()), **counts}
    if results:
        for who in ("ours", "frictionless"):
            sides = [getattr(r, who) for r in results]
            summary[f"{who}_wall_s"] = round(sum(s.wall_s for s in sides), 2)
            summary[f"{who}_max_rss_mb"] = round(max(s.peak_rss_mb for s in sides), 1)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summary, "packages": [asdict(r) for r in results]}, indent=1)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
