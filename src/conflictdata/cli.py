"""The `conflictdata` command: a thin layer over the library API.

Each subcommand parses its arguments, calls one library function, prints the result and
returns an exit code: 0 success, 1 findings/errors in the data, 2 could not run at all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._release.layout import DESCRIPTOR_NAME
from ._util.text import cut, safe_line
from .errors import ConflictDataError, DescriptorError, OutputError

#: Characters of a refusal or warning line shown; the rest are counted.
_LINE_LIMIT = 2000


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

    _output_file(args.out, make_parents=True)
    return _generated(
        args.out,
        write_codebook(args.descriptor, args.out, check=args.check),
        args.check,
        "codebook",
    )


def _one_line(text: object) -> str:
    """A message on one bounded line that no terminal or CI runner acts on: what a descriptor,
    a file name or a server sent never breaks, steers or injects into the output."""
    return safe_line(cut(str(text), _LINE_LIMIT))


def _lines(text: str) -> str:
    """Several lines of a tool's summary, each made safe as :func:`_one_line`."""
    return "\n".join(_one_line(line) for line in text.split("\n"))


def _could_not_run(command: str, exc: object) -> int:
    print(f"conflictdata {command}: {_one_line(exc)}", file=sys.stderr)
    return 2


def _output_file(out: str | Path, *, make_parents: bool = False) -> Path:
    """The file an ``--out`` names, refused (:class:`OutputError`, exit 2) when it is a folder
    or, unless the command creates them, its folder does not exist."""
    if not str(out):
        raise OutputError("--out is empty; name the file to write")
    path = Path(out)
    if path.is_dir():
        raise OutputError(f"--out {out} is a folder; name the file to write")
    parent = path.parent
    if not make_parents and not parent.is_dir():
        raise OutputError(f"--out {out}: the folder {parent} does not exist")
    return path


def _cmd_models(args: argparse.Namespace) -> int:
    from ._frames.render_models import DEFAULT_OUT, write_models

    out = args.out or DEFAULT_OUT
    _output_file(out, make_parents=True)
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
        return _could_not_run("build", exc)
    if result.report is not None and result.report.warnings:  # they do not stop a release
        print(result.report.format_text(), end="")
    print(_lines(result.summary()))
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
        print(report.format_json(), end="")
    elif args.format == "github":
        print(report.format_github(), end="")
    else:
        print(report.format_text(), end="")
    return 0 if report.valid else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from ._loader.releases import open_release
    from ._release.layout import check_version
    from ._tools.report import render_report
    from ._util.fs import write_text_atomic

    if args.out is not None:
        _output_file(args.out)
    version = None if args.version in (None, "latest") else check_version(args.version)
    release = open_release(version, source=args.source)
    out = _output_file(args.out or f"report-{release.version}.html")
    write_text_atomic(out, render_report(release))
    print(
        _one_line(
            f"wrote {out} ({out.stat().st_size:,} bytes): report of release "
            f"{release.version} ({release.where})"
        )
    )
    return 0


def _cmd_findings(args: argparse.Namespace) -> int:
    from ._tools.docs import write_findings_doc

    _output_file(args.out, make_parents=True)
    return _generated(
        args.out, write_findings_doc(args.out, check=args.check), args.check, "findings"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors quote the arguments given as one safe line each."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {_one_line(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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


class _Stdout:
    """``sys.stdout`` while a command runs: a reader that closes the pipe (``| head``) ends
    the output, not the command (it still exits with its own code, and no traceback)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.closed = False

    def write(self, text: str) -> int:
        if not self.closed:
            try:
                return int(self._stream.write(text))
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """Point the descriptor at /dev/null, so what is still buffered goes nowhere quietly
        when the interpreter flushes it at exit."""
        self.closed = True
        try:
            fd = self._stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stdout = sys.stdout
    # a character the terminal's encoding cannot show is escaped, never an error
    with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
        stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    sys.stdout = _Stdout(stdout)  # type: ignore[assignment]
    try:
        return int(args.func(args))
    except DescriptorError as exc:
        return _could_not_run(args.command, exc)
    except OutputError as exc:
        return _could_not_run(args.command, exc)
    except ConflictDataError as exc:
        print(f"conflictdata {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file the command reads or writes: could not run
        where = f": {exc.filename}" if exc.filename else ""
        return _could_not_run(args.command, f"{exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout.flush()
        sys.stdout = stdout


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
