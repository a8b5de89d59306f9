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


def _generated(out: str | Path, changed: bool, check: bool, command: str) -> int:
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
        found = versions(url=args.url, remote=True)
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
        default = f"  (default: {v.default})" if v.default else ""
        print(_one_line(f"{v.version:<{width}}  {v.created or '-':<20}  {where}{default}"))
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    import warnings

    from ._loader.releases import open_release
    from ._release.layout import check_version

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                version = "latest" if args.version == "latest" else check_version(args.version)
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
    _lean_validator()  # a build is a validation first: the same memory
    from ._tools.build import build_release
    from .errors import (
        InvalidVersionError,
        MissingDependencyError,
        OutputError,
        UncommittedInputsError,
        ValidationError,
    )

    try:
        result = build_release(args.descriptor, args.out, allow_dirty=args.allow_dirty)
    except ValidationError as exc:
        format_text = getattr(exc.report, "format_text", None)
        if callable(format_text):
            print(str(format_text()).rstrip("\n"))
        raise
    except (
        InvalidVersionError,
        OutputError,
        MissingDependencyError,
        UncommittedInputsError,
    ) as exc:  # could not run: exit 2
        return _could_not_run("build", exc)
    if result.report is not None and result.report.warnings:  # they do not stop a release
        print(result.report.format_text(), end="")
    print(_lines(result.summary()))
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from ._release.layout import resolve_release
    from ._tools.diff import diff_releases

    if args.against is not None:
        return _review(args)
    releases = _releases(args, "diff") or "build/releases"
    if args.old is None or args.new is None:
        return _could_not_run("diff", "name two releases (OLD NEW), or --against RELEASE")
    old = resolve_release(args.old, releases)
    new = resolve_release(args.new, releases)
    d = diff_releases(old, new)
    print(d.to_json() if args.format == "json" else d.to_markdown(), end="")
    return 0


def _review(args: argparse.Namespace) -> int:
    """``diff --against RELEASE [DESCRIPTOR]``: the seeds compared with a release."""
    from ._tableschema.package import read_package
    from ._tools.against import NONE, release_to_compare
    from ._tools.review import review_seeds

    if args.new is not None or args.against == NONE:
        return _could_not_run("diff", "--against takes a release and at most the descriptor")
    package = read_package(args.old or DESCRIPTOR_NAME)
    given = _releases(args, "diff")  # a folder named: the version is looked up there
    try:
        compared = release_to_compare(package, args.against, given)
    except DescriptorError:
        raise
    except ConflictDataError as exc:
        return _could_not_run("diff", exc)
    assert compared is not None
    review = review_seeds(package, compared.folder, where=compared.where)
    print(review.to_json() if args.format == "json" else review.to_markdown(), end="")
    return 0


class _NoPandasYet:
    """An import finder that has no pandas (see :func:`_lean_validator`)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _lean_validator() -> None:
    """The process of a command that validates (validate, build), lean. (1) The first time
    pyarrow builds an array it imports pandas, only to ask whether the input is a pandas
    object: some 60 MB and 0.3 s the validator never uses (it hands pyarrow no pandas
    object). That first question finds no pandas; pyarrow imports it later, as it does
    whenever it truly needs it (``to_pandas``). (2) Memory a table's checks free goes back
    to the system before the next table is read: Arrow allocates from the C heap (its
    mimalloc pool keeps what it frees), and glibc's heap is trimmed above 1 MiB free in one
    arena. The peak is then about one table's columns."""
    if "pandas" in sys.modules or "pyarrow" in sys.modules:
        return
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None)
            libc.mallopt(-1, 1 << 20)  # M_TRIM_THRESHOLD
            libc.mallopt(-8, 1)  # M_ARENA_MAX: one heap for the threads, trimmed as one
    finder = _NoPandasYet()
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow as pa

        pa.array([0])
        pa.set_memory_pool(pa.system_memory_pool())
    finally:
        sys.meta_path.remove(finder)


def _cmd_validate(args: argparse.Namespace) -> int:
    _lean_validator()
    from ._tableschema.package import read_package
    from ._tools.against import release_to_compare
    from ._validation.run import validate

    package = read_package(args.descriptor, lenient=True)
    try:
        compared = release_to_compare(package, args.against, _releases(args, "validate"))
    except DescriptorError:
        raise
    except ConflictDataError as exc:  # could not run: no such release
        return _could_not_run("validate", exc)
    report = validate(
        package,
        sources_dir=args.sources_dir,
        policy=args.policy,
        against=compared.folder if compared is not None else None,
    )
    if compared is not None:
        print(f"IDs compared with {_one_line(compared.describe())}", file=sys.stderr)
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
    version = args.version if args.version in (None, "latest") else check_version(args.version)
    release = open_release(version, source=_releases(args, "report"))
    if args.out is None:  # the build folder, never the checkout's root
        Path("build").mkdir(exist_ok=True)
    out = _output_file(args.out or Path("build") / f"report-{release.version}.html")
    write_text_atomic(out, render_report(release))
    print(
        _one_line(
            f"wrote {out} ({out.stat().st_size:,} bytes): report of release "
            f"{release.version} ({release.where})"
        )
    )
    return 0


def _cmd_fix(args: argparse.Namespace) -> int:
    from ._tools.fix import fix_package
    from ._util.text import safe_line

    write = not (args.check or args.diff)
    results = fix_package(args.descriptor, encoding=args.encoding, write=write)
    verb = "fixed" if write else "would fix"
    for r in results:
        where = safe_line(r.path)
        if r.blocked:
            print(f"{where}: not rewritten: {safe_line(r.blocked)}")
        elif r.changed:
            print(f"{where}: {verb}")
            for change in r.changes:
                print(f"  - {safe_line(change)}")
            if args.diff:
                print(r.diff(), end="")
        elif args.verbose:
            print(f"{where}: already canonical")
    changed = sum(r.changed for r in results)
    blocked = sum(r.blocked is not None for r in results)
    same = len(results) - changed - blocked
    canonical = f"{same} file{'s' * (same != 1)} already canonical"
    summary = f"{verb} {changed} file{'s' * (changed != 1)}, {canonical}"
    if not changed:
        summary = f"nothing to fix: {canonical}"
    if blocked:
        summary += f", {blocked} not rewritten (see above)"
    print(summary)
    if blocked or (changed and not write):
        return 1
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


#: The old spellings of ``--releases`` (the releases folder a command reads), still read.
_DEPRECATED_RELEASES = {"diff": "--out", "report": "--source"}


def _add_releases(p: argparse.ArgumentParser, command: str, help: str) -> None:
    """``--releases``: the one name of the releases folder a command reads; its old spelling
    in this command still works, with a warning."""
    p.add_argument("--releases", metavar="WHERE", help=help)
    old = _DEPRECATED_RELEASES.get(command)
    if old:
        p.add_argument(old, dest="releases_deprecated", help=argparse.SUPPRESS)


def _releases(args: argparse.Namespace, command: str) -> str | None:
    """The releases folder asked for, by ``--releases`` or its deprecated old spelling."""
    old = getattr(args, "releases_deprecated", None)
    if old is not None:
        flag = _DEPRECATED_RELEASES[command]
        print(
            f"conflictdata {command}: {flag} is deprecated here: use --releases {old}",
            file=sys.stderr,
        )
    return args.releases or old


def _command(sub: Any, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` starts with what it does."""
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conflictdata",
        description="Check, fix, build, compare and read the conflictdata dataset. "
        "`conflictdata COMMAND --help` says what each command does.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("conflictdata")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        v = "unknown"
    parser.add_argument("--version", action="version", version=f"conflictdata {v}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    descriptor_help = "the data package descriptor (default: %(default)s)"

    p = _command(
        sub,
        "validate",
        "check the seeds: every problem at once, located",
        "Check every table of the data package against its schemas and list every problem at "
        "once, as path:line:column: CODE message (hint). The IDs of the newest release of the "
        "dataset found here (bundled, built locally or downloaded) must all still be in the "
        "seeds, each keeping its row; --against names another release.\n\n"
        "Exit 0: valid (warnings allowed); 1: errors in the data; 2: could not run. "
        "Every code is explained in docs/findings.md (`conflictdata findings`).",
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME, help=descriptor_help)
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people (default), json for tools, github for pull request annotations",
    )
    p.add_argument(
        "--sources-dir",
        metavar="DIR",
        help="folder of <source_id>.txt texts: each must be the text sources.text_sha256 names, "
        "and every source_excerpt must occur in its source's text",
    )
    p.add_argument(
        "--against",
        metavar="VERSION|FOLDER",
        help="the release whose IDs the seeds must keep: a version, a release folder, or "
        "'none' (default: the newest release of this dataset found without the network)",
    )
    _add_releases(p, "validate", "releases folder in which --against VERSION is looked up")
    p.add_argument(
        "--policy",
        choices=("spec", "strict"),
        help="strict: also this project's policy rules (docs/findings.md); spec: only what "
        "Table Schema says (default: what the descriptor declares, else spec)",
    )
    p.set_defaults(func=_cmd_validate)

    p = _command(
        sub,
        "fix",
        "rewrite the seeds in canonical form: UTF-8, LF, NFC, trimmed, canonical quoting",
        "Rewrite every seed file in place to the form the validator's hints describe, and "
        "nothing else: UTF-8 without a byte order mark (a file that is not UTF-8 is "
        "transcoded from --encoding, and the lines that changed are named), LF line ends, "
        "Unicode NFC, no whitespace around cells, quotes only where a cell needs them, one "
        "final newline. Values keep their meaning: dates and numbers a spreadsheet "
        "reformatted are not touched (`conflictdata validate` says what to type); no row is "
        "dropped or moved. A file whose rows cannot be read for sure (a wrong cell count, a "
        "stray quote) is left as it is, with the reason.\n\n"
        "Exit 0: done; 1: a file could not be rewritten, or (--check, --diff) one would "
        "change; 2: could not run.",
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME, help=descriptor_help)
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    p.add_argument(
        "--diff", action="store_true", help="write nothing; show what would change, as a diff"
    )
    p.add_argument(
        "--encoding",
        metavar="ENC",
        help="what a file that is not UTF-8 is read as (default: cp1252, which Excel's "
        "'CSV (Comma delimited)' writes; it also reads latin-1)",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="also list the files already canonical"
    )
    p.set_defaults(func=_cmd_fix)

    p = _command(
        sub,
        "build",
        "build the descriptor's version as a Parquet release",
        "Validate the seeds, then write release <version> (the descriptor's) into the "
        "releases folder --out: typed Parquet tables, the release descriptor, CHANGELOG.md and "
        "the change feed since the previous release, Croissant metadata, the HTML report, "
        "every table as CSV with its own descriptor, SHA256SUMS and one zip, renamed into "
        "place at once. The same seeds give the same bytes; an existing version is never "
        "overwritten with other content. The release is dated by the last commit of the "
        "descriptor, seeds and schemas, so these must not differ from it (or set "
        "SOURCE_DATE_EPOCH, or --allow-dirty). Needs the report extra: "
        "pip install 'conflictdata[report]'.",
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME, help=descriptor_help)
    p.add_argument(
        "--out",
        default="build/releases",
        metavar="DIR",
        help="releases folder to write into (default: %(default)s)",
    )
    p.add_argument(
        "--allow-dirty",
        action="store_true",
        help="build from a descriptor, seeds or schemas that differ from the last commit, "
        "dated with this build's own time (default: refused, unless SOURCE_DATE_EPOCH is set)",
    )
    p.set_defaults(func=_cmd_build)

    p = _command(
        sub,
        "diff",
        "what changed between two releases, by stable ID",
        "Compare two releases table by table, matching rows by their IDs: rows added, "
        "retracted or superseded, deleted and changed (field: old -> new), and schema "
        "changes; as the markdown of a release's CHANGELOG.md, or JSON. With --against, "
        "compare the seeds with a release instead: the review a pull request gets, rows "
        "withdrawn and modified first with their titles and excerpts, and the version bump "
        "the change implies (patch, minor, major) against the one datapackage.json declares.",
    )
    p.add_argument(
        "old",
        nargs="?",
        help="the older release: a release folder, or a version in --releases (with "
        "--against: the descriptor of the seeds, default datapackage.json)",
    )
    p.add_argument(
        "new", nargs="?", help="the newer release: a release folder, or a version in --releases"
    )
    p.add_argument(
        "--against",
        metavar="VERSION|FOLDER",
        help="compare the seeds (not a release) with this release: what a pull request "
        "changes, with titles and excerpts, and the version bump it implies",
    )
    _add_releases(
        p, "diff", "releases folder in which versions are looked up (default: build/releases)"
    )
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.set_defaults(func=_cmd_diff)

    p = _command(
        sub,
        "report",
        "write a release's offline HTML report (timeline, figures, excerpts)",
        "Write one self-contained HTML page for a release: a timeline of its events as the "
        "data dates them, actors and roles, figures as ranges, statements, deployments, "
        "sources and the changelog, each mark's excerpt on demand. It opens offline.",
    )
    p.add_argument("version", nargs="?", help="release version (default: the newest found)")
    p.add_argument("--out", help="HTML file to write (default: build/report-<version>.html)")
    _add_releases(
        p,
        "report",
        "where the release is read from: a releases folder, one release folder, or "
        "bundled/cache/remote (default: bundled, then a local build, then the cache)",
    )
    p.set_defaults(func=_cmd_report)

    p = _command(
        sub,
        "versions",
        "list releases: bundled, built, cached and on the release server",
        "List every release this installation can read: bundled in the package, built "
        "locally, in the download cache, and on the release server (--url).",
    )
    p.add_argument("--url", help="release server base URL (default: $CONFLICTDATA_RELEASES_URL)")
    p.set_defaults(func=_cmd_versions)

    p = _command(
        sub,
        "download",
        "download a release into the per-user cache, verified",
        "Download a release from the release server into the per-user cache, each file "
        "verified by its SHA-256 and the server's history checked against the releases "
        "already trusted here; print the paths of its tables.",
    )
    p.add_argument("version", help="the version to download, or 'latest'")
    p.add_argument("--url", help="release server base URL (default: $CONFLICTDATA_RELEASES_URL)")
    p.set_defaults(func=_cmd_download)

    p = _command(
        sub,
        "codebook",
        "write the codebook generated from schemas/",
        "Write docs/codebook.md, every table's fields with their types, constraints, "
        "allowed values and descriptions, generated from the schemas.",
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME, help=descriptor_help)
    p.add_argument("--out", default="docs/codebook.md", help="file to write (default: %(default)s)")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    p.set_defaults(func=_cmd_codebook)

    p = _command(
        sub,
        "models",
        "write src/conflictdata/models.py (pandera models) from schemas/",
        "Write the pandera DataFrameModel of every table, generated from the schemas.",
    )
    p.add_argument("descriptor", nargs="?", default=DESCRIPTOR_NAME, help=descriptor_help)
    p.add_argument("--out", default=None, help="default: the installed conflictdata/models.py")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    p.set_defaults(func=_cmd_models)

    p = _command(
        sub,
        "findings",
        "write the table of validation finding codes",
        "Write docs/findings.md: every finding code of the validator, what it means and how "
        "to fix it, generated from the registry of codes.",
    )
    p.add_argument("--out", default="docs/findings.md", help="file to write (default: %(default)s)")
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
    reconfigure = getattr(stdout, "reconfigure", None)  # a TextIOWrapper's, not every stream's
    with contextlib.suppress(ValueError, io.UnsupportedOperation):
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    sys.stdout = _Stdout(stdout)
    try:
        return int(args.func(args))
    except ConflictDataError as exc:  # each error class says its exit code (errors.py)
        print(f"conflictdata {args.command}: {_one_line(exc)}", file=sys.stderr)
        return exc.exit_code
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
