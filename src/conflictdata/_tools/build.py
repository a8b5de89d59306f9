"""Build a release: validated seeds -> typed, byte-reproducible Parquet + release descriptor,
changelog, checksums and one zip, renamed into place atomically and never overwritten.

What makes the bytes reproducible: rows in primary key order (IDs such as evt-0001 by
number), chunk boundaries on the writer's batch grid (the bytes of one contiguous chunk, without
copying each column into one), one row group, fixed writer options, descriptor JSON in a fixed
key order, ``created`` from SOURCE_DATE_EPOCH or the inputs' last git commit (the wall clock
only when asked for, for inputs that differ from that commit), zip entries sorted with fixed
timestamps and permissions. The Parquet footer names the writer (``created_by``, e.g.
"parquet-cpp-arrow version 26.0.1"), so identical bytes need the same pyarrow version; the
release descriptor records it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .._checks.report import Report
from .._release.history import previous_link
from .._release.index import write_index
from .._release.layout import (
    CHANGELOG_NAME,
    CHANGES_NAME,
    CSV_DESCRIPTOR,
    CSV_DIR,
    DESCRIPTOR_NAME,
    EXTRA_FILES,
    REPORT_NAME,
    SUMS_NAME,
    TMP_PREFIX,
    archive_name,
    archive_root,
    check_version,
    csv_name,
    is_release_dir,
    list_release_dirs,
    parquet_name,
    version_key,
)
from .._release.lock import publish_lock, remove_stale_temp
from .._release.verify import file_stamp, mark_verified, sha256_file
from .._release.write import (
    ReleaseZip,
    TableOutput,
    dump_json,
    file_hashes,
    fsync_dir,
    fsync_file,
    release_descriptor,
    release_members,
    write_sums,
)
from .._tableschema.model import Package, TableSchema
from .._tableschema.package import read_package
from .._util.jsonio import read_json
from .._util.text import visible
from ..errors import (
    BuildError,
    MissingDependencyError,
    OutputError,
    ReleaseExistsError,
    UncommittedInputsError,
    ValidationError,
)
from .convert import convert_columns, read_csv_columns, write_parquet
from .croissant import write_croissant
from .csv_copy import csv_descriptor, write_csv
from .diff import ReleaseDiff, diff_releases, write_changes
from .report import write_report

__all__ = [
    "BUILD_NEEDS",
    "BuildResult",
    "Created",
    "build_release",
    "check_build_dependencies",
    "release_created",
]

#: What a build imports beyond the core (pandas, pyarrow): the modules of the release's
#: report.html, by the distribution that installs them; pyproject.toml's ``report`` extra
#: lists the same (a test keeps them in step).
BUILD_NEEDS = {
    "altair": "altair",
    "vl_convert": "vl-convert-python",
    "markdown_it": "markdown-it-py",
}
#: The extra that installs :data:`BUILD_NEEDS`.
BUILD_EXTRA = "report"


def check_build_dependencies() -> None:
    """Before any work: every module of :data:`BUILD_NEEDS` can be imported, else one
    :class:`MissingDependencyError` naming all that are missing and the install command."""
    import importlib.util

    missing = [dist for mod, dist in BUILD_NEEDS.items() if importlib.util.find_spec(mod) is None]
    if missing:
        raise MissingDependencyError(
            f"building a release needs {', '.join(missing)} (for its report.html), which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install 'conflictdata[{BUILD_EXTRA}]'"
        )


@dataclass(frozen=True)
class BuildResult:
    """What a build did: ``status`` is "built" or "unchanged" (identical release existed)."""

    version: str
    path: Path
    status: str
    created: str
    tables: tuple[TableOutput, ...]
    archive_sha256: str
    previous: str | None
    diff: ReleaseDiff | None
    #: The validation the build ran (its warnings: it had no errors); None when not validated.
    report: Report | None = None
    #: Where ``created`` came from (see :class:`Created`).
    created_from: Created | None = None

    def summary(self) -> str:
        rows = sum(t.rows for t in self.tables)
        stamped = ""
        if self.created_from is not None and self.created_from.source == "build time":
            dirty = self.created_from.uncommitted
            stamped = (
                f"; created {self.created} is this build's own time, because "
                f"{', '.join(dirty)} {'differs' if len(dirty) == 1 else 'differ'} from the "
                "last commit (--allow-dirty)"
            )
        if self.status == "unchanged":
            return (
                f"release {self.version} already exists at {self.path} with identical content: "
                f"nothing to do{stamped}"
            )
        since = f"; changelog against {self.previous}" if self.previous else "; initial release"
        return (
            f"built release {self.version} at {self.path}: {len(self.tables)} tables, "
            f"{rows} rows{since}{stamped}"
        )


# --------------------------------------------------------------------------- progress


class _Progress:
    """Steps of a build on stderr, only on a terminal: tqdm when installed, else plain lines."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        if self.enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=total, desc="build", unit="step", file=sys.stderr, leave=False
                )
            except ImportError:
                self.bar = None

    def step(self, what: str) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(what, refresh=False)
            self.bar.update(1)
        else:
            print(f"build: {what}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- metadata


def _git_commit_time(root: Path, paths: list[Path]) -> int | None:
    """Unix time of the last commit touching ``paths`` (else HEAD), or None outside git."""
    rel = []
    for p in paths:
        try:
            rel.append(str(p.resolve().relative_to(root.resolve())))
        except ValueError:
            rel.append(str(p.resolve()))
    for args in (["--", *rel], []):
        try:
            out = subprocess.run(
                ["git", "-C", str(root), "log", "-1", "--format=%ct", *args],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode != 0:
            return None
        if out.stdout.strip():
            return int(out.stdout.strip())
    return None


def _uncommitted(root: Path, paths: list[Path]) -> list[str] | None:
    """The inputs that differ from the last commit (changed, staged, untracked or ignored),
    as git names them; None outside a git work tree."""
    try:
        out = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--ignored=matching",
                "--",
                *(str(p.resolve()) for p in paths),
            ],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    names: list[str] = []
    entries = iter(out.stdout.split(b"\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        names.append(entry[3:].decode("utf-8", "replace"))
        if entry[:1] in (b"R", b"C"):  # a rename's or copy's source path follows
            next(entries, None)
    return names


@dataclass(frozen=True)
class Created:
    """A release's ``created`` time and where it came from: "SOURCE_DATE_EPOCH", "last
    commit" (of the inputs), "file times" (outside git) or "build time" (inputs differ from
    the last commit and the build was allowed to stamp its own time)."""

    when: datetime
    source: str
    #: The inputs that differ from the last commit, as git names them.
    uncommitted: tuple[str, ...] = ()


def release_created(package: Package, inputs: list[Path], *, allow_dirty: bool = False) -> Created:
    """The release timestamp: SOURCE_DATE_EPOCH, else the inputs' last git commit, else
    (outside git) the newest input file's modification time. Inputs that differ from the last
    commit have no commit time: that is an :class:`UncommittedInputsError` unless
    ``allow_dirty``, which stamps the time of this build instead (and says so)."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        try:
            return Created(datetime.fromtimestamp(int(env), UTC), "SOURCE_DATE_EPOCH")
        except (ValueError, OverflowError, OSError):
            raise BuildError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {env!r}"
            ) from None
    dirty = _uncommitted(package.root, [p for p in inputs if p.exists()])
    if dirty:
        shown = [visible(n) for n in dirty[:5]] + (
            [f"{len(dirty) - 5} more"] if len(dirty) > 5 else []
        )
        if not allow_dirty:
            raise UncommittedInputsError(
                f"{', '.join(shown)} {'differs' if len(dirty) == 1 else 'differ'} from the "
                "last commit, so the release date cannot come from it: commit, or set "
                "SOURCE_DATE_EPOCH, or build with --allow-dirty to stamp this build's own time",
                uncommitted=dirty,
            )
        now = datetime.now(UTC).replace(microsecond=0)
        return Created(now, "build time", tuple(shown))
    ts = _git_commit_time(package.root, inputs)
    if ts is not None:
        return Created(datetime.fromtimestamp(ts, UTC), "last commit")
    # outside git; missing inputs are the validator's to report
    ts = int(max((p.stat().st_mtime for p in inputs if p.is_file()), default=0))
    return Created(datetime.fromtimestamp(ts, UTC), "file times")


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- build


class _Writer:
    """Converts tables to ``tmp/<table>.parquet`` and their CSV copies to ``tmp/csv/`` as they
    come, from any thread; a BuildError is kept for later, so that validation findings, when
    there are any, are what is reported.

    As the validator's hook it converts and writes in a thread of its own while the
    validator checks the same table, and hands back the wait for that work, which the
    validator calls before the table's memory goes to the next one. The release zip takes
    each file as soon as :meth:`written` says it is there."""

    def __init__(self, tmp: Path, bar: _Progress) -> None:
        self.tmp = tmp
        self.bar = bar
        # Flushing to disk waits on the disk, not the CPU: a thread of its own does it, so
        # the validator's threads go on checking meanwhile.
        self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build-sync")
        self._syncs: list[Future[None]] = []
        # one writer per validator thread at most: each waits for its own table's write
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="build-write")
        self._copies = ThreadPoolExecutor(max_workers=4, thread_name_prefix="build-csv")
        self.outputs: dict[str, TableOutput] = {}
        self.csv: dict[str, TableOutput] = {}
        self.errors: list[BuildError] = []
        self._lock = threading.Condition()
        self._ready: set[str] = set()
        self._closed = False
        (tmp / CSV_DIR).mkdir(exist_ok=True)

    def __call__(
        self, schema: TableSchema, columns: dict[str, pa.ChunkedArray]
    ) -> Callable[[], None]:
        return self._pool.submit(self._convert_and_write, schema, columns).result

    def _convert_and_write(self, schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> None:
        try:
            self.write(schema, *convert_columns(schema, columns))
        except BuildError as exc:
            with self._lock:
                self.errors.append(exc)

    def write(self, schema: TableSchema, arrow: pa.Table, byte_order: bool) -> None:
        """The table's Parquet file here and its CSV copy beside it, on another thread: both
        only read ``arrow``."""
        copy = self._copies.submit(self._write_copy, schema, arrow)
        try:
            name = parquet_name(schema.name)
            path = self.tmp / name
            write_parquet(arrow, schema, path, byte_order=byte_order)
            self._sync(path)
            stamp = file_stamp(path)
            out = TableOutput(schema.name, name, arrow.num_rows, stamp[0], sha256_file(path))
            mark_verified(path, stamp)  # the diff against the previous release trusts this hash
            self._done(name)
        finally:
            copied = copy.result()
        with self._lock:
            self.outputs[schema.name] = out
            self.csv[schema.name] = copied
        self.bar.step(schema.name)

    def _write_copy(self, schema: TableSchema, arrow: pa.Table) -> TableOutput:
        path = self.tmp / csv_name(schema.name)
        size, digest = write_csv(arrow, schema, path)
        self._sync(path)
        self._done(csv_name(schema.name))
        return TableOutput(schema.name, path.name, arrow.num_rows, size, digest)

    def _done(self, member: str) -> None:
        with self._lock:
            self._ready.add(member)
            self._lock.notify_all()

    def written(self, member: str) -> bool:
        """Wait until the file ``member`` (a release path) is written: True, or False once
        the writer is closed without it."""
        with self._lock:
            self._lock.wait_for(lambda: member in self._ready or self._closed)
            return member in self._ready

    def _sync(self, path: Path) -> None:
        future = self._syncer.submit(fsync_file, path)
        with self._lock:
            self._syncs.append(future)

    def synced(self) -> None:
        """Wait until every file written is on disk (an OSError of a flush is raised here)."""
        for future in self._syncs:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._copies.shutdown(wait=True)
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._syncer.shutdown(wait=True)

    def results(self, tables: list[TableSchema]) -> list[TableOutput]:
        """The outputs in descriptor order; the first conversion error, if any."""
        if self.errors:
            raise self.errors[0]
        missing = [t.name for t in tables if t.name not in self.outputs]
        if missing:  # pragma: no cover - a table not read cleanly is a validation error
            raise BuildError(f"tables not converted: {', '.join(missing)}")
        return [self.outputs[t.name] for t in tables]

    def hashes(self) -> dict[str, str]:
        """SHA-256 of every file written so far, by its path in the release folder."""
        known = {o.path: o.sha256 for o in self.outputs.values()}
        known.update({csv_name(n): o.sha256 for n, o in self.csv.items()})
        return known


class _Archive:
    """The release zip, begun in a background thread with the tables (Parquet and the CSV
    copy: nearly all of its bytes), each as soon as ``ready`` says it is written (so during
    validation, while the validator checks the last tables), then finished with the derived
    files: descriptor, changelog, report and Croissant metadata. Members go in a fixed
    order, the tables first, each group by name, whatever order they are written in.
    Written beside the work folder until finished, so it is never one of the files it
    lists."""

    def __init__(
        self,
        tmp: Path,
        version: str,
        created: datetime,
        tables: list[str],
        ready: Callable[[str], bool] = lambda name: True,
    ) -> None:
        self.tmp = tmp
        self.path = tmp.parent / f"{tmp.name}.zip"
        self.target = tmp / archive_name(version)
        self.tables = sorted(tables)
        self._ready = ready
        self._zip = ReleaseZip(self.path, created, archive_root(version))
        self._error: BaseException | None = None
        self._complete = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="release-zip", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for name in self.tables:
                if self._stop.is_set() or not self._ready(name):
                    return
                self._zip.add(self.tmp, name)
                # on disk now, while validation goes on, not all at once at the end
                self._zip.sync()
            self._complete = True
        except BaseException as exc:  # re-raised by finish()
            self._error = exc

    def finish(self, rest: list[str]) -> str:
        """Add ``rest`` (the derived files) after the tables; move the zip into the work
        folder; its SHA-256."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if not self._complete:  # pragma: no cover - every table is written before this
            raise BuildError("the release zip was left without all of its tables")
        for name in sorted(rest):
            self._zip.add(self.tmp, name)
        digest = self._zip.close()
        os.replace(self.path, self.target)
        return digest

    def discard(self) -> None:
        """Stop, and delete what was written; nothing to do once finished or discarded."""
        self._stop.set()
        self._thread.join()
        self._zip.abandon()
        self.path.unlink(missing_ok=True)


def _validate_and_convert(descriptor: Path, writer: _Writer) -> Report:
    """Validate, converting each table from the validator's own parse of it (one read of
    every CSV); ValidationError, carrying the report, when there are errors."""
    from .._validation.run import validate

    report = validate(descriptor, on_table=writer)
    if report.errors:
        raise ValidationError(
            f"{descriptor}: {report.errors} validation error(s); nothing was built", report
        )
    return report


def _previous_release(out: Path, version: str) -> Path | None:
    key = version_key(version)
    older = [p for v, p in list_release_dirs(out).items() if version_key(v) < key]
    return older[-1] if older else None


def _one_line(exc: OSError) -> str:
    """An OSError as a short phrase: its reason and the file it names (pyarrow's messages
    can span lines)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = f": {exc.filename}" if exc.filename else ""
    return " ".join(f"{reason}{where}".split())


def build_release(
    descriptor: Path | str = DESCRIPTOR_NAME,
    out: Path | str = "build/releases",
    *,
    validate: bool = True,
    progress: bool | None = None,
    allow_dirty: bool = False,
) -> BuildResult:
    """Build the release named by ``descriptor``'s version into ``out/<version>``.

    First, before any work, what it needs (:func:`check_build_dependencies`, a
    MissingDependencyError) and its date (:func:`release_created`: inputs that differ from
    the last commit are an UncommittedInputsError unless SOURCE_DATE_EPOCH is set or
    ``allow_dirty``). Validates next: nothing is published unless validation passes
    (ValidationError, with the report, otherwise). To keep a build close to the time of
    validation alone, each CSV is parsed once, by the validator, and each table converted
    from those string columns (to Parquet and to its CSV copy) into a hidden temporary folder
    while the validator checks it, and added to the zip as soon as it is written; that folder
    is deleted unless validation passes. Refuses IDs that
    disappeared since the previous release without a tombstone (BuildError); a release of the
    same version that exists is left alone when identical and is a ReleaseExistsError
    otherwise.

    Publishing (the rename into place and the index, rebuilt from the release folders) holds
    the output folder's lock (:func:`~conflictdata._release.lock.publish_lock`), which also
    clears what killed builds left behind. A version that is not a release version is an
    InvalidVersionError; an output folder that cannot be written is an OutputError, with
    nothing published and no temporary file left.
    """
    started = time.time()
    check_build_dependencies()
    descriptor = Path(descriptor)
    raw = read_json(descriptor, "descriptor")  # the version is named before any other problem
    if isinstance(raw, dict):
        check_version(raw.get("version"), f"{descriptor}: 'version'")
    package = read_package(descriptor)  # not an object: a DescriptorError here
    version = package.version
    tables = list(package.tables.values())
    inputs = [descriptor] + [package.root / t.path for t in tables]
    inputs += [package.root / t.schema_path for t in tables if t.schema_path]
    stamp = release_created(package, inputs, allow_dirty=allow_dirty)
    created_dt = stamp.when
    created = _iso(created_dt)
    out = Path(out)

    bar = _Progress(total=len(tables) + 4, enabled=progress)
    tmp: Path | None = None
    writer: _Writer | None = None
    early: _Archive | None = None
    created_out = False
    ok = False
    try:
        if not out.exists():
            try:
                out.mkdir(parents=True)
                created_out = True
            except FileExistsError:  # a build beside this one made it first
                pass
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-{version}-", dir=out))
        writer = _Writer(tmp, bar)
        members = [parquet_name(t.name) for t in tables] + [csv_name(t.name) for t in tables]
        early = _Archive(tmp, version, created_dt, members, writer.written)
        report = None
        if validate:
            report = _validate_and_convert(descriptor, writer)
            bar.step("validated")
        else:
            for t in tables:
                writer.write(t, *convert_columns(t, read_csv_columns(t, package.root / t.path)))
        outputs = writer.results(tables)
        copies = [writer.csv[t.name] for t in tables]
        (tmp / CSV_DESCRIPTOR).write_text(
            dump_json(csv_descriptor(package, created, copies)),
            encoding="utf-8",
            newline="\n",
        )
        described = functools.partial(_describe, tmp, package, outputs, created)
        hashes = writer.hashes()
        archive = functools.partial(_Archive, tmp, version, created_dt, members)
        previous = _previous_release(out, version)
        diff, archive_sha = _seal(tmp, previous, bar, hashes, described, early)
        with publish_lock(out):
            remove_stale_temp(out, started)
            now = _previous_release(out, version)
            if now != previous:  # another build published an older release meanwhile
                diff, archive_sha = _seal(tmp, now, bar, hashes, described, archive())
            result = BuildResult(
                version=version,
                path=out / version,
                status="built",
                created=created,
                tables=tuple(outputs),
                archive_sha256=archive_sha,
                previous=diff.old_version,
                diff=diff,
                report=report,
                created_from=stamp,
            )
            writer.synced()
            result = _publish(tmp, out, result, set(hashes))
            try:
                write_index(out, package.name or "conflictdata", {version: archive_sha})
            except BaseException:
                if result.status == "built":  # take the release back: nothing half published
                    os.rename(result.path, tmp)
                raise
        bar.step("index")
        ok = True
        return result
    except OSError as exc:
        raise OutputError(
            f"cannot write release {version} to {out}: {_one_line(exc)}; nothing was published"
        ) from None
    finally:
        if writer is not None:
            writer.close()
        if early is not None:
            early.discard()
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not ok and created_out:  # a failed first build leaves no folder behind
            with contextlib.suppress(OSError):
                out.rmdir()
        bar.close()


def _describe(
    tmp: Path, package: Package, outputs: list[TableOutput], created: str, previous: Path | None
) -> None:
    """The release descriptor next to the Parquet files, chained to release ``previous``."""
    writer = pq.ParquetFile(tmp / outputs[0].path).metadata.created_by if outputs else ""
    desc = release_descriptor(package, created, outputs, writer, previous_link(previous))
    (tmp / DESCRIPTOR_NAME).write_text(dump_json(desc), encoding="utf-8", newline="\n")


def _seal(
    tmp: Path,
    previous: Path | None,
    bar: _Progress,
    known: dict[str, str],
    describe: Callable[[Path | None], None],
    archive: _Archive,
) -> tuple[ReleaseDiff, str]:
    """Descriptor (``describe``, chained to ``previous``), changelog and the other extra files
    against ``previous``, checksums, and the zip ``archive`` (begun with the tables) finished
    in ``tmp``, replacing any from an earlier call; the diff and the zip's SHA-256.
    ``known``: hashes of files just written."""
    try:
        for name in (DESCRIPTOR_NAME, *EXTRA_FILES, SUMS_NAME, archive.target.name):
            (tmp / name).unlink(missing_ok=True)
        describe(previous)
        diff = diff_releases(previous, tmp)
        deleted = diff.deleted
        if deleted:
            listed = "; ".join(
                f"{table}: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''} ({len(ids)})"
                for table, ids in deleted.items()
            )
            raise BuildError(
                f"IDs of release {diff.old_version} are missing from {diff.new_version} "
                f"without a tombstone ({listed}). IDs are forever: put the rows back, with "
                "record_status 'retracted' (or 'superseded' and superseded_by) instead of "
                "deleting them."
            )
        _write_extras(tmp, diff, known)
        bar.step("changelog")
        write_sums(tmp, file_hashes(tmp, known))
        digest = archive.finish([n for n in release_members(tmp) if n not in archive.tables])
    except BaseException:
        archive.discard()
        raise
    bar.step("archive")
    return diff, digest


def _write_extras(tmp: Path, diff: ReleaseDiff, known: dict[str, str]) -> None:
    """The release's derived files (:data:`EXTRA_FILES`), in order: the changelog and the
    change feed (one diff, two renderings), the report, which shows the changelog, then the
    Croissant metadata, which describes and hashes all of them."""
    changelog = diff.to_markdown()
    (tmp / CHANGELOG_NAME).write_text(changelog, encoding="utf-8", newline="\n")
    write_changes(diff, tmp / CHANGES_NAME)
    # the release has no SHA256SUMS yet: the report is given the changelog it cannot verify
    write_report(tmp, tmp / REPORT_NAME, changelog=changelog)
    write_croissant(tmp, known)


def _publish(tmp: Path, out: Path, result: BuildResult, synced: set[str]) -> BuildResult:
    """Rename ``tmp`` into place as ``result.path``, or compare it with the release there."""
    target = result.path
    if target.exists() or target.is_symlink():
        return _compare_existing(tmp, target, result)
    for name in release_members(tmp):  # the tables were synced as they were written
        if name not in synced:
            fsync_file(tmp / name)
    os.chmod(tmp, 0o755)
    try:
        os.rename(tmp, target)
    except OSError:
        if target.exists():  # another build won the race: same rules apply
            return _compare_existing(tmp, target, result)
        raise
    fsync_dir(out)
    return result


def _compare_existing(tmp: Path, target: Path, result: BuildResult) -> BuildResult:
    if not is_release_dir(target):
        raise BuildError(f"{target} exists and is not a release folder: move it away and rebuild")
    new, old = file_hashes(tmp), file_hashes(target)
    differing = sorted(n for n in set(new) | set(old) if new.get(n) != old.get(n))
    if differing:
        raise ReleaseExistsError(
            f"release {result.version} already exists at {target} with different content "
            f"({', '.join(differing)}): releases are immutable, bump the version in the "
            "descriptor to publish these changes",
            differing=differing,
        )
    return BuildResult(**{**result.__dict__, "status": "unchanged"})
