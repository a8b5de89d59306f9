"""The `conflictdata` command: a thin layer over the library API.

Each subcommand parses its arguments, calls one library function, prints the result and
returns an exit code: 0 success, 1 findings/errors in the data, 2 could not run at all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._release.layout import DESCRIPTOR_NAME
from .errors import ConflictDataError


def _generated(out: str, changed: bool, check: bool, command: str) -> int:
    """Report on a generated file: stale under --check is exit 1, else say what was done."""
    if check:
        if changed:
            print(f"{out} is out of date: run `conflictdata {command}`", file=sys.stderr)
            return 1
        return 0
    print(f"wrote {out}" if changed else f"{out} is up to date")
    return 0


def _cmd_codebook(args: argparse.Namespace) -> int:
    from ._tools.docs import write_codebook

    return _generated(
        args.out,
        write_codebook(args.descriptor, args.out, check=args.check),
        args.check,
        "codebook",
    )


def _one_line(text: object) -> str:
    """A message on one printable line: what a server sent never breaks or steers the terminal."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def _could_not_run(command: str, exc: Exception) -> int:
    print(f"conflictdata {command}: {_one_line(exc)}", file=sys.stderr)
    return 2


def _cmd_models(args: argparse.Namespace) -> int:
    from ._frames.render_models import DEFAULT_OUT, write_models

    out = args.out or DEFAULT_OUT
    return _generated(
        out, write_models(args.descriptor, out, check=args.check), args.check, "models"
    )


def _cmd_versions(args: argparse.Namespace) -> int:
    import warnings

    from ._loader.releases import versions
    from ._remote.server import release_url

    try:
        release_url(args.url)  # a malformed or non-http(s) URL is a usage error, not a warning
    except ConflictDataError as exc:
        return _could_not_run("versions", exc)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        found = versions(url=args.url)
    for w in caught:
        print(f"conflictdata versions: warning: {_one_line(w.message)}", file=sys.stderr)
    if not found:
        from ._remote.server import ENV_URL, release_url

        hint = "" if release_url(args.url) else f"; no release URL configured (--url or {ENV_URL})"
        print(f"no releases: none bundled, built locally or cached{hint}")
        return 0
    width = max(len(v.version) for v in found)
    for v in found:
        where = ", ".join(f"{kind} {place}" for kind, place in v.locations)
        print(_one_line(f"{v.version:<{width}}  {v.created or '-':<20}  {where}"))
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    import warnings

    from ._loader.releases import open_release
    from ._release.layout import check_version

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                version = None if args.version == "latest" else check_version(args.version)
                release = open_release(version, source="remote", url=args.url)
                paths = [release.path(name) for name in release.package.tables]
            finally:
                for w in caught:
                    print(
                        f"conflictdata download: warning: {_one_line(w.message)}", file=sys.stderr
                    )
    except ConflictDataError as exc:  # could not run: bad version or URL, server, checksum
        return _could_not_run("download", exc)
    for path in paths:
        print(path)
    print(f"release {release.version} is in the cache: {release.root}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from ._tools.build import build_release
    from .errors import InvalidVersionError, OutputError, ValidationError

    try:
        result = build_release(args.descriptor, args.out)
    except ValidationError as exc:
        format_text = getattr(exc.report, "format_text", None)
        if callable(format_text):
            print(str(format_text()).rstrip("\n"))
        raise
    except (InvalidVersionError, OutputError) as exc:  # could not run: exit 2
        print(f"conflictdata build: {exc}", file=sys.stderr)
        return 2
    if result.report is not None and result.report.warnings:  # they do not stop a release
        print(result.report.format_text(), end="")
    print(result.summary())
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from ._release.layout import resolve_release
    from ._tools.diff import diff_releases

    old = resolve_release(args.old, args.out)
    new = resolve_release(args.new, args.out)
    d = diff_releases(old, new)
    print(d.to_json() if args.format == "json" else d.to_markdown(), end="")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from ._validation.run import validate

    report = validate(args.descriptor, sources_dir=args.sources_dir, policy=args.policy)
    if args.format == "json":
        import json

        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "github":
        print(report.format_github(), end="")
    else:
        print(report.format_text(), end="")
    return 0 if report.valid else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._loader.releases import open_release
    from ._release.layout import check_version
    from ._tools.report import render_report
    from ._util.fs import write_text_atomic

    version = None if args.version in (None, "latest") else check_version(args.version)
    release = open_release(version, source=args.source)
    out = Path(args.out or f"report-{release.version}.html")
    write_text_atomic(out, render_report(release))
    print(
        f"wrote {out} ({out.stat().st_size:,} bytes): report of release {release.version} ({release.where})"
    )
    return 0


def _cmd_findings(args: argparse.Namespace) -> int:
    from ._tools.docs import write_findings_doc

    return _generated(
        args.out, write_findings_doc(args.out, check=args.check), args.check, "findings"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conflictdata",
        description="Validate, build, diff and load the conflictdata dataset.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("conflictdata")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        v = "unknown"
    parser.add_argument("--version", action="version", version=f"conflictdata {v}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("codebook", help="write the codebook generated from schemas/")
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME)
    p.add_argument("--out", default="docs/codebook.md")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    p.set_defaults(func=_cmd_codebook)

    p = sub.add_parser(
        "models", help="write src/conflictdata/models.py (pandera models) from schemas/"
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME)
    p.add_argument("--out", default=None, help="default: the installed conflictdata/models.py")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("versions", help="list releases: bundled, cached and on the release server")
    p.add_argument("--url", help="release server base URL (default: $CONFLICTDATA_RELEASES_URL)")
    p.set_defaults(func=_cmd_versions)

    p = sub.add_parser("download", help="download a release into the per-user cache, verified")
    p.add_argument("version", help="the version to download, or 'latest'")
    p.add_argument("--url", help="release server base URL (default: $CONFLICTDATA_RELEASES_URL)")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser("build", help="build the descriptor's version as a Parquet release")
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME)
    p.add_argument("--out", default="build/releases", help="releases folder (default: %(default)s)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("diff", help="changes between two releases, by stable ID, as a changelog")
    p.add_argument("old", help="release folder, or a version under --out")
    p.add_argument("new", help="release folder, or a version under --out")
    p.add_argument("--out", default="build/releases", help="releases folder (default: %(default)s)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("validate", help="check the seeds: every problem at once, located")
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME)
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument(
        "--sources-dir",
        metavar="DIR",
        help="folder of <source_id>.txt texts: check every source_excerpt occurs in its source",
    )
    p.add_argument(
        "--policy",
        choices=("spec", "strict"),
        help="strict: also this project's policy rules (docs/findings.md); spec: only what "
        "Table Schema says (default: what the descriptor declares, else spec)",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "report", help="write a release's offline HTML report (timeline, figures, excerpts)"
    )
    p.add_argument("version", nargs="?", help="release version (default: the newest found)")
    p.add_argument("--out", help="HTML file to write (default: report-<version>.html)")
    p.add_argument("--source", help="release folder, build output folder, or bundled/cache/remote")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("findings", help="write the table of validation finding codes")
    p.add_argument("--out", default="docs/findings.md")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    p.set_defaults(func=_cmd_findings)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConflictDataError as exc:  # each error class says its exit code (errors.py)
        print(f"conflictdata {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
