"""Build a release: validated seeds -> typed, byte-reproducible Parquet + release descriptor,
changelog, checksums and one zip, renamed into place atomically and never overwritten.

What makes the bytes reproducible: rows in primary key order (IDs such as evt-0001 by
number), chunk boundaries on the writer's batch grid (the bytes of one contiguous chunk, without
copying each column into one), one row group, fixed writer options, descriptor JSON in a fixed
key order, ``created`` from SOURCE_DATE_EPOCH or the inputs' last git commit (never the wall
clock), zip entries sorted with fixed timestamps and permissions. The Parquet footer names the
writer (``created_by``, e.g. "parquet-cpp-arrow version 26.0.1"), so identical bytes need the
same pyarrow version; the release descriptor records it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .diff import ReleaseDiff, diff_releases
from .ids import release_order
from .errors import BuildError, OutputError, ReleaseExistsError, ValidationFailed
from .validation.findings import Report
from .release import (
    CHANGELOG_NAME,
    DESCRIPTOR_NAME,
    PARQUET_MEDIATYPE,
    SUMS_NAME,
    TMP_PREFIX,
    archive_name,
    check_version,
    is_release_dir,
    list_release_dirs,
    publish_lock,
    remove_stale_temp,
    sha256_file,
    version_key,
    write_index,
)
from .validation.files import parse_csv_bytes
from .schema import Field, Package, TableSchema, read_package

__all__ = [
    "TableOutput",
    "BuildResult",
    "build",
    "build_release",
    "convert_table",
    "read_csv_table",
    "release_created",
]

#: Top-level keys of the source descriptor carried into the release descriptor, in this order.
_COPIED_KEYS = (
    "name",
    "title",
    "description",
    "version",
    "created",
    "homepage",
    "keywords",
    "licenses",
    "sources",
    "contributors",
)
#: Parquet writer settings: every option that affects the bytes is fixed here, but which
#: columns get dictionary encoding and statistics (see _write_parquet).
_WRITER = dict(
    compression="zstd",
    compression_level=3,
    version="2.6",
    data_page_version="1.0",
    store_schema=True,
    write_page_index=False,
    write_batch_size=1024,
)
#: Rows per writer batch: chunk boundaries on this grid leave the bytes unchanged (_aligned).
_BATCH: int = _WRITER["write_batch_size"]  # type: ignore[assignment]
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
_ZIP_MIN = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class TableOutput:
    name: str
    path: str
    rows: int
    bytes: int
    sha256: str


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

    def summary(self) -> str:
        rows = sum(t.rows for t in self.tables)
        if self.status == "unchanged":
            return (
                f"release {self.version} already exists at {self.path} with identical content: "
                "nothing to do"
            )
        since = f"; changelog against {self.previous}" if self.previous else "; initial release"
        return (
            f"built release {self.version} at {self.path}: {len(self.tables)} tables, "
            f"{rows} rows{since}"
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

                self.bar = tqdm(total=total, desc="build", unit="step", file=sys.stderr, leave=False)
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


# --------------------------------------------------------------------------- CSV -> Arrow


def _enum(col: pa.ChunkedArray, f: Field) -> pa.Array:
    """An enum text column as indices into the declared values, in declared order: the same
    dictionary in every release."""
    declared = pa.array(list(f.enum or ()), pa.string())
    parts = [pc.index_in(chunk, value_set=declared).cast(pa.int32()) for chunk in col.chunks]
    indices = pa.concat_arrays(parts) if parts else pa.array([], pa.int32())
    # a value that is not declared would be a silent null: refuse it instead
    unknown = indices.null_count - col.null_count
    if unknown:
        raise BuildError(f"field {f.name!r}: {unknown} value(s) not among {list(f.enum or ())}")
    return pa.DictionaryArray.from_arrays(indices, declared)


def _cast(col: pa.ChunkedArray, f: Field, table: str) -> pa.Array | pa.ChunkedArray:
    """A text column to the field's Arrow type (see Field.arrow_type)."""
    target = f.arrow_type()
    try:
        if f.type == "string":
            return _enum(col, f) if f.is_enum else col
        if f.type == "boolean":
            true_v = f.raw.get("trueValues", _TRUE)
            false_v = f.raw.get("falseValues", _FALSE)
            is_t = pc.is_in(col, value_set=pa.array(true_v, pa.string()))
            is_f = pc.is_in(col, value_set=pa.array(false_v, pa.string()))
            bad = pc.sum(pc.and_(pc.is_valid(col), pc.invert(pc.or_(is_t, is_f)))).as_py()
            if bad:
                raise BuildError(f"{bad} value(s) are neither {true_v} nor {false_v}")
            return pc.if_else(is_t, True, pc.if_else(is_f, False, pa.scalar(None, pa.bool_())))
        if f.type in ("date", "datetime") and f.format not in ("default", "any"):
            parsed = pc.strptime(col, format=f.format, unit="s", error_is_null=False)
            return parsed.cast(target)
        return col.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, BuildError) as exc:
        raise BuildError(
            f"table {table!r}, field {f.name!r}: cannot convert to {target}: {exc} "
            "(run `conflictdata validate` for the rows at fault)"
        ) from None


def _empty_as_null(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty cells as nulls (the validator's reader keeps them as ""), as a validity bitmap
    over each chunk's own buffers: the text itself is not copied."""
    chunks = []
    for chunk in col.chunks:
        filled = pc.not_equal(pc.binary_length(chunk), 0)
        if chunk.null_count or chunk.offset or not pa.types.is_string(chunk.type):
            chunk = pc.if_else(filled, chunk, pa.scalar(None, chunk.type))
        elif not pc.all(filled).as_py():
            _, offsets, data = chunk.buffers()
            chunk = pa.Array.from_buffers(chunk.type, len(chunk), [filled.buffers()[1], offsets, data])
        chunks.append(chunk)
    return pa.chunked_array(chunks, col.type)


def _aligned(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """The column with every chunk boundary on a multiple of the writer's batch size.

    The Parquet writer cuts a column into batches of ``write_batch_size`` rows, starting
    afresh at each chunk; with boundaries on that grid the batches, and so the bytes, are
    those of one contiguous chunk. The parts are slices of the reader's chunks, so only the
    rows around each seam (less than one batch) are copied, not the whole column.
    """
    if isinstance(col, pa.Array):
        return pa.chunked_array([col], col.type)
    grid = _BATCH
    parts: list[pa.Array] = []
    seam: list[pa.Array] = []  # rows waiting to fill up to the next multiple of the grid
    seam_rows = 0
    for chunk in col.chunks:
        at, n = 0, len(chunk)
        if seam_rows:
            at = min(grid - seam_rows, n)
            seam.append(chunk.slice(0, at))
            seam_rows += at
            if seam_rows < grid:
                continue
            parts.append(pa.concat_arrays(seam))
            seam, seam_rows = [], 0
        whole = (n - at) // grid * grid
        if whole:
            parts.append(chunk.slice(at, whole))
        if at + whole < n:
            seam, seam_rows = [chunk.slice(at + whole)], n - at - whole
    if seam:
        parts.append(pa.concat_arrays(seam))
    return pa.chunked_array(parts, col.type)


def _convert(schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> tuple[pa.Table, bool]:
    """:func:`convert_table`, and whether the rows are in the primary key's byte order."""
    cols = {f.name: _empty_as_null(columns[f.name]) for f in schema.fields}
    order, byte_order = release_order(schema, cols)
    arrays = [_cast(cols[f.name], f, schema.name) for f in schema.fields]
    del cols
    table = pa.Table.from_arrays(arrays, schema=schema.arrow_schema())
    if order is not None:  # reorder the typed columns: dates, numbers, enums are smaller
        table = table.take(order)
    aligned = pa.Table.from_arrays([_aligned(c) for c in table.columns], schema=table.schema)
    return aligned, byte_order


def convert_table(schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> pa.Table:
    """The validator's string columns of one table (field name -> text, empty cell = "") as
    an Arrow table typed by its schema, rows in primary key order (see :func:`conflictdata.ids.release_order`).

    Every cell is cast per field, so no type is ever inferred; an empty cell is null. Chunk
    boundaries fall on the writer's batch grid, so the Parquet bytes do not depend on how
    the CSV reader split its work.
    """
    return _convert(schema, columns)[0]


#: Findings of the CSV reader that lose nothing: a byte order mark, blank lines.
_HARMLESS = ("E103", "E109")


def read_csv_table(schema: TableSchema, path: Path) -> pa.Table:
    """Read a seed CSV with the validator's reader and convert it (:func:`convert_table`);
    for builds without validation. A file the reader cannot take as it is is a BuildError."""
    return convert_table(schema, _read_csv_columns(schema, path))


def _read_csv_columns(schema: TableSchema, path: Path) -> dict[str, pa.ChunkedArray]:
    """The string column of each field, read as the validator reads them."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc.strerror or exc}") from None
    problems: list[str] = []

    def emit(code: str, *, line: int | None, message: str, **kw: Any) -> None:
        if not code.startswith("W") and code not in _HARMLESS:
            problems.append(f"line {line}: {message}" if line else message)

    parsed = parse_csv_bytes(data, emit)
    if parsed is None or problems:
        raise BuildError(
            f"cannot read {path}: {'; '.join(problems[:3]) or 'no header'} "
            "(run `conflictdata validate` for every defect)"
        )
    first: dict[str, int] = {}
    for i, h in enumerate(parsed.header):
        first.setdefault(h, i)
    missing = [f.name for f in schema.fields if f.name not in first]
    if missing:
        raise BuildError(f"cannot read {path}: no column {', '.join(map(repr, missing))}")
    return {f.name: parsed.data.column(str(first[f.name])) for f in schema.fields}


def _free_text(schema: TableSchema) -> set[str]:
    """Text fields with no enum, pattern or key role: prose such as titles, quotes, notes."""
    keyed = set(schema.primary_key) | {n for fk in schema.foreign_keys for n in fk.fields}
    return {
        f.name for f in schema.fields
        if f.type == "string" and not f.is_enum and f.pattern is None and f.name not in keyed
    }


def _write_parquet(
    table: pa.Table, schema: TableSchema, path: Path, *, byte_order: bool = True
) -> None:
    """``byte_order``: the rows are in the primary key's byte order, so the file says so.

    Free text gets neither min/max statistics nor dictionary encoding: the minimum of a
    column of quotes helps no query (and a release table is one row group), while computing
    it compares every string and stores two whole cells in the footer; and prose rarely
    repeats, so a dictionary is built only to be dropped (plain pages compress as well).
    """
    sorting = [
        pq.SortingColumn(schema.field_names.index(k)) for k in schema.primary_key
    ] if byte_order else []
    prose = _free_text(schema)
    not_prose = [n for n in schema.field_names if n not in prose]
    pq.write_table(
        table,
        path,
        row_group_size=max(table.num_rows, 1),
        sorting_columns=sorting or None,
        use_dictionary=not_prose,
        write_statistics=not_prose,
        **_WRITER,  # type: ignore[arg-type]
    )


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


def release_created(package: Package, inputs: list[Path]) -> datetime:
    """The release timestamp: SOURCE_DATE_EPOCH, else the inputs' last git commit, else the
    newest input file's modification time. Never the time of the build."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        try:
            return datetime.fromtimestamp(int(env), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BuildError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {env!r}"
            ) from None
    ts = _git_commit_time(package.root, inputs)
    if ts is None:  # missing inputs are the validator's to report
        ts = int(max((p.stat().st_mtime for p in inputs if p.is_file()), default=0))
    return datetime.fromtimestamp(ts, timezone.utc)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _release_schema(t: TableSchema) -> dict[str, Any]:
    """The table's full schema, inline. One addition: "nan" among the missing values, because
    frictionless reads Parquet through pandas, where a null number arrives as NaN; Parquet
    itself has real nulls, so the addition changes nothing for any other reader."""
    schema = dict(t.raw)
    missing = list(schema.get("missingValues", [""]))
    if "nan" not in missing:
        missing.append("nan")
    schema["missingValues"] = missing
    return schema


def _release_descriptor(
    package: Package, created: str, outputs: list[TableOutput], writer: str
) -> dict[str, Any]:
    src = package.descriptor
    desc: dict[str, Any] = {}
    for key in _COPIED_KEYS:
        if key in src:
            desc[key] = src[key]
    desc["version"] = package.version
    desc["created"] = created
    desc = {k: desc[k] for k in _COPIED_KEYS if k in desc}
    resources = []
    for out in outputs:
        t = package.tables[out.name]
        res: dict[str, Any] = {"name": t.name, "path": out.path}
        if t.title and t.title != t.name:
            res["title"] = t.title
        if t.description:
            res["description"] = t.description
        res.update(
            {
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "hash": f"sha256:{out.sha256}",
                "rows": out.rows,
                # Not the standard "bytes": frictionless 5 reads Parquet without counting
                # bytes and would report every declared "bytes" as a byte-count error.
                "fileBytes": out.bytes,
                "schema": _release_schema(t),
            }
        )
        resources.append(res)
    desc["resources"] = resources
    desc["build"] = {"parquetWriter": writer}
    return desc


def _dump_json(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _write_zip(folder: Path, names: list[str], target: Path, created: datetime) -> None:
    stamp = max(created.timetuple()[:6], _ZIP_MIN)
    with zipfile.ZipFile(target, "w") as zf:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
            )
            big = (folder / name).stat().st_size >= zipfile.ZIP64_LIMIT // 2
            with open(folder / name, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _file_hashes(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` by name; ``known`` ones (just written) not re-read."""
    known = known or {}
    return {
        p.name: known.get(p.name) or sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()
    }


# --------------------------------------------------------------------------- build


class _Writer:
    """Converts tables to ``tmp/<table>.parquet`` as they come, from any thread; a BuildError
    is kept for later, so that validation findings, when there are any, are what is reported."""

    def __init__(self, tmp: Path, bar: _Progress) -> None:
        self.tmp = tmp
        self.bar = bar
        self.outputs: dict[str, TableOutput] = {}
        self.errors: list[BuildError] = []
        self._lock = threading.Lock()

    def __call__(self, schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> None:
        try:
            self.write(schema, *_convert(schema, columns))
        except BuildError as exc:
            with self._lock:
                self.errors.append(exc)

    def write(self, schema: TableSchema, arrow: pa.Table, byte_order: bool) -> None:
        name = f"{schema.name}.parquet"
        path = self.tmp / name
        _write_parquet(arrow, schema, path, byte_order=byte_order)
        _fsync(path)
        out = TableOutput(schema.name, name, arrow.num_rows, path.stat().st_size, sha256_file(path))
        with self._lock:
            self.outputs[schema.name] = out
        self.bar.step(schema.name)

    def results(self, tables: list[TableSchema]) -> list[TableOutput]:
        """The outputs in descriptor order; the first conversion error, if any."""
        if self.errors:
            raise self.errors[0]
        missing = [t.name for t in tables if t.name not in self.outputs]
        if missing:  # pragma: no cover - a table not read cleanly is a validation error
            raise BuildError(f"tables not converted: {', '.join(missing)}")
        return [self.outputs[t.name] for t in tables]


def _validate_and_convert(descriptor: Path, writer: _Writer) -> Report:
    """Validate, converting each table from the validator's own parse of it (one read of
    every CSV); ValidationFailed when there are errors."""
    from .validation import validate

    report = validate(descriptor, on_table=writer)
    if report.errors:
        raise ValidationFailed(
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


def build(
    descriptor: Path | str = "datapackage.json",
    out: Path | str = "build/releases",
    *,
    validate: bool = True,
    progress: bool | None = None,
) -> BuildResult:
    """Build the release named by ``descriptor``'s version into ``out/<version>``.

    Validates first: nothing is published unless validation passes (ValidationFailed
    otherwise). To keep a build close to the time of validation alone, each CSV is parsed
    once, by the validator, and each table converted from those string columns into a
    hidden temporary folder as soon as it is read; that folder is deleted unless
    validation passes. Refuses IDs that disappeared since the
    previous release without a tombstone (BuildError); a release of the same version that
    exists is left alone when identical and is a ReleaseExistsError otherwise.

    Publishing (the rename into place and the index, rebuilt from the release folders) holds
    the output folder's lock (:func:`~conflictdata.release.publish_lock`), which also
    clears what killed builds left behind. A version that is not a release version is an
    InvalidVersionError; an output folder that cannot be written is an OutputError, with
    nothing published and no temporary file left.
    """
    started = time.time()
    descriptor = Path(descriptor)
    package = read_package(descriptor)
    version = check_version(package.descriptor.get("version"), f"{descriptor}: 'version'")
    tables = list(package.tables.values())
    inputs = [descriptor] + [package.root / t.path for t in tables]
    inputs += [package.root / t.schema_path for t in tables if t.schema_path]
    created_dt = release_created(package, inputs)
    created = _iso(created_dt)
    out = Path(out)

    bar = _Progress(total=len(tables) + 4, enabled=progress)
    tmp: Path | None = None
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
        report = None
        if validate:
            report = _validate_and_convert(descriptor, writer)
            bar.step("validated")
        else:
            for t in tables:
                writer.write(t, *_convert(t, _read_csv_columns(t, package.root / t.path)))
        outputs = writer.results(tables)
        _describe(tmp, package, outputs, created)
        hashes = {o.path: o.sha256 for o in outputs}
        previous = _previous_release(out, version)
        diff, archive_sha = _seal(tmp, out, version, previous, created_dt, bar, hashes)
        with publish_lock(out):
            remove_stale_temp(out, started)
            now = _previous_release(out, version)
            if now != previous:  # another build published an older release meanwhile
                diff, archive_sha = _seal(tmp, out, version, now, created_dt, bar, hashes)
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
            )
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
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not ok and created_out:  # a failed first build leaves no folder behind
            try:
                out.rmdir()
            except OSError:
                pass
        bar.close()


def _describe(tmp: Path, package: Package, outputs: list[TableOutput], created: str) -> None:
    """The release descriptor next to the Parquet files."""
    writer = pq.ParquetFile(tmp / outputs[0].path).metadata.created_by if outputs else ""
    desc = _release_descriptor(package, created, outputs, writer)
    (tmp / DESCRIPTOR_NAME).write_text(_dump_json(desc), encoding="utf-8", newline="\n")


def _seal(
    tmp: Path,
    out: Path,
    version: str,
    previous: Path | None,
    created_dt: datetime,
    bar: _Progress,
    known: dict[str, str],
) -> tuple[ReleaseDiff, str]:
    """Changelog against ``previous``, checksums and zip in ``tmp`` (replacing any from an
    earlier call); the diff and the zip's SHA-256. ``known``: hashes of files just written."""
    zip_path = tmp / archive_name(version)
    for name in (CHANGELOG_NAME, SUMS_NAME, zip_path.name):
        (tmp / name).unlink(missing_ok=True)
    diff = diff_releases(previous, tmp)
    deleted = diff.deleted
    if deleted:
        listed = "; ".join(
            f"{table}: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''} ({len(ids)})"
            for table, ids in deleted.items()
        )
        raise BuildError(
            f"IDs of release {diff.old_version} are missing from {version} without a tombstone "
            f"({listed}). IDs are forever: put the rows back, with record_status 'retracted' "
            "(or 'superseded' and superseded_by) instead of deleting them."
        )
    (tmp / CHANGELOG_NAME).write_text(diff.to_markdown(), encoding="utf-8", newline="\n")
    bar.step("changelog")

    sums = _file_hashes(tmp, known)
    (tmp / SUMS_NAME).write_text(
        "".join(f"{h}  {n}\n" for n, h in sorted(sums.items())), encoding="utf-8", newline="\n"
    )
    members = sorted(p.name for p in tmp.iterdir())
    _write_zip(tmp, members, zip_path, created_dt)
    bar.step("archive")
    return diff, sha256_file(zip_path)


def _publish(tmp: Path, out: Path, result: BuildResult, synced: set[str]) -> BuildResult:
    """Rename ``tmp`` into place as ``result.path``, or compare it with the release there."""
    target = result.path
    if target.exists() or target.is_symlink():
        return _compare_existing(tmp, target, result)
    for p in tmp.iterdir():  # the Parquet files were synced as they were written
        if p.name not in synced:
            _fsync(p)
    os.chmod(tmp, 0o755)
    try:
        os.rename(tmp, target)
    except OSError:
        if target.exists():  # another build won the race: same rules apply
            return _compare_existing(tmp, target, result)
        raise
    _fsync_dir(out)
    return result


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _compare_existing(tmp: Path, target: Path, result: BuildResult) -> BuildResult:
    if not is_release_dir(target):
        raise BuildError(f"{target} exists and is not a release folder: move it away and rebuild")
    new, old = _file_hashes(tmp), _file_hashes(target)
    differing = sorted(n for n in set(new) | set(old) if new.get(n) != old.get(n))
    if differing:
        raise ReleaseExistsError(
            f"release {result.version} already exists at {target} with different content "
            f"({', '.join(differing)}): releases are immutable, bump the version in the "
            "descriptor to publish these changes",
            differing=differing,
        )
    return BuildResult(**{**result.__dict__, "status": "unchanged"})


#: ``conflictdata.build_release``: the package cannot re-export this as ``build`` because the
#: submodule of that name would shadow it once imported.
build_release = build
