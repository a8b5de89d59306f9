"""The review of a pull request's data: the seeds compared with a release, table by table,
as a bounded, escaped markdown comment (``conflictdata diff --against RELEASE``).

Rows withdrawn, deleted and modified come first, each with its ID, title and excerpt and
its cells' typed old -> new values; then rows added and schema changes; then the version
bump the change implies under Croissant 1.1's rule (patch: no data change; minor: rows
added only; major: rows modified or withdrawn, or a schema change that breaks readers),
compared with the version ``datapackage.json`` declares. Seeds that do not validate get
their first findings on top, and the tables that do not convert are not compared.

The seeds are validated and converted once, as the build converts them, and compared with
the release's tables by :func:`conflictdata._tools.diff.table_diff`, in memory. Every text
from a cell (IDs, titles, excerpts, values, messages) is shown as a code span
(:func:`md_code`), where GitHub makes nothing live: no markdown, HTML, link, @mention or
#reference; names from the schemas go through :func:`md_text`. The comment is cut at
:data:`COMMENT_LIMIT` characters, with counts of what was left out.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .._checks.report import Report
from .._release.layout import version_key
from .._release.read import read_release
from .._tableschema.model import Package, TableSchema
from .._tableschema.package import read_package
from .._util.text import md_code, md_text
from .._validation.identity import row_label
from .._validation.run import validate
from ..errors import BuildError
from .convert import convert_table
from .diff import ReleaseDiff, SchemaChange, TableDiff, read_table, table_diff

__all__ = ["COMMENT_LIMIT", "MARKER", "Review", "review_seeds"]

#: The first line of the comment: the workflow finds its own comment by it, to update it.
MARKER = "<!-- conflictdata-review -->"
#: Characters of the comment at most (GitHub refuses comments over 65,536).
COMMENT_LIMIT = 60_000
#: Rows listed per section; the rest are counted.
ROWS_SHOWN = 25
#: Characters of a title or excerpt shown.
TEXT_SHOWN = 200
#: Findings listed when the seeds do not validate.
FINDINGS_SHOWN = 20

_BUMPS = ("none", "patch", "minor", "major")
#: Schema changes after which a reader of the old release may fail on the new one.
_BREAKING = {"field removed", "field retyped", "enum value removed", "primary key changed"}


@dataclass
class Review:
    """What a pull request changes in the data, against one release."""

    package: Package
    against_version: str
    against_where: str
    diff: ReleaseDiff | None
    #: The seeds' validation when it found errors (then there is no diff).
    report: Report | None = None
    #: table -> (the seeds as a release table, the release's table), to show rows.
    tables: dict[str, tuple[pa.Table | None, pa.Table | None]] = field(default_factory=dict)
    schemas: dict[str, TableSchema] = field(default_factory=dict)
    #: Tables whose seeds could not be read as typed values (not compared).
    unread: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ the version

    def required_bump(self) -> str:
        """The bump the change implies (Croissant 1.1): none, patch, minor or major."""
        if self.diff is None:  # pragma: no cover - a review always compares what it can
            return "none"
        need = "none"
        for t in self.diff.tables:
            if t.status == "table removed" or t.tombstoned or t.deleted or t.changed:
                return "major"
            if any(_breaks(sc) for sc in t.schema):
                return "major"
            if t.added or t.schema or t.status == "table added":
                need = "minor"
        return need

    def declared_bump(self) -> str:
        """The bump from the release's version to the one ``datapackage.json`` declares."""
        old, new = _parts(self.against_version), _parts(self.package.version)
        if version_key(self.package.version) <= version_key(self.against_version):
            return "none"
        for level, (a, b) in zip(
            ("major", "minor", "patch"), zip(old, new, strict=True), strict=True
        ):
            if b > a:
                return level
        return "patch"  # a pre- or post-release of the same numbers

    def expected_version(self) -> str:
        major, minor, patch = _parts(self.against_version)
        return {
            "major": f"{major + 1}.0.0",
            "minor": f"{major}.{minor + 1}.0",
            "patch": f"{major}.{minor}.{patch + 1}",
            "none": self.against_version,
        }[self.required_bump()]

    def version_verdict(self) -> tuple[bool, str]:
        """Whether the declared version fits the change, and a sentence that says so."""
        need, have = self.required_bump(), self.declared_bump()
        declared = md_code(self.package.version)
        was = md_code(self.against_version)
        why = {
            "major": "rows modified, withdrawn or deleted, or a schema change that breaks readers",
            "minor": "rows added only (or a schema change that breaks no reader)",
            "patch": "no data change",
            "none": "no data change",
        }[need]
        if need in ("none", "patch"):
            if have == "none":
                return True, f"No data change: {declared} in datapackage.json needs no bump."
            return True, f"No data change; datapackage.json declares {declared} ({have} bump)."
        if _BUMPS.index(have) >= _BUMPS.index(need):
            more = "" if have == need else f" (more than the {need} bump needed)"
            return True, (
                f"This is a **{need}** change ({why}): datapackage.json declares {declared}, "
                f"a {have} bump from {was}{more}."
            )
        return False, (
            f"This is a **{need}** change ({why}), but datapackage.json declares {declared}"
            + (f", a {have} bump from {was}" if have != "none" else f", the same as {was}")
            + f": make it {md_code(self.expected_version())}."
        )

    # ------------------------------------------------------------------ rendering

    def to_dict(self) -> dict[str, Any]:
        ok, _ = self.version_verdict()
        return {
            "against": {"version": self.against_version, "where": self.against_where},
            "declared_version": self.package.version,
            "required_bump": self.required_bump(),
            "declared_bump": self.declared_bump(),
            "version_ok": ok,
            "valid": self.report is None,
            "not_compared": self.unread,
            "diff": self.diff.to_dict() if self.diff is not None else None,
            "findings": [f.to_dict() for f in self.report.findings] if self.report else [],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=True, default=str) + "\n"

    def to_markdown(self, limit: int = COMMENT_LIMIT) -> str:
        out = _Bounded(limit)
        out.add(MARKER)
        out.add(f"## Data changes, compared with release {md_code(self.against_version)}")
        out.add("")
        if self.report is not None:
            self._not_valid(out)
        if self.diff is None:  # pragma: no cover - a review always compares what it can
            return out.text()
        if self.unread:
            out.add(
                "Not compared, as their seeds do not read as typed values yet: "
                + ", ".join(md_code(n) for n in self.unread)
                + "."
            )
            out.add("")
        ok, verdict = self.version_verdict()
        out.add(("" if ok else "**Version:** ") + verdict)
        out.add("")
        out.add("| table | rows | added | withdrawn | deleted | modified rows | cells modified |")
        out.add("|---|---:|---:|---:|---:|---:|---:|")
        same = [t.table for t in self.diff.tables if t.status == "unchanged"]
        for t in self.diff.tables:
            if t.status == "unchanged" and not self.diff.is_empty:
                continue
            cells = sum(len(rc.changes) for rc in t.changed)
            out.add(
                f"| {md_text(t.table)} | {_rows(t)} | {len(t.added)} | {len(t.tombstoned)} "
                f"| {len(t.deleted)} | {len(t.changed)} | {cells} |"
            )
        if self.diff.is_empty:
            out.add("")
            out.add("No row and no schema changed.")
        elif same:
            out.add("")
            out.add("Unchanged: " + ", ".join(md_text(n) for n in same) + ".")
        for t in self.diff.tables:
            if t.status != "unchanged":
                self._table(out, t)
        return out.text()

    def _not_valid(self, out: _Bounded) -> None:
        assert self.report is not None
        r = self.report
        out.add(
            f"**The seeds do not validate** ({r.errors} error{'s' * (r.errors != 1)}); the "
            "first findings (`conflictdata validate` lists every one):"
        )
        out.add("")
        errors = [f for f in r.findings if f.severity == "error"]
        for f in errors[:FINDINGS_SHOWN]:
            cell = f" {md_text(f.cell())}" if f.cell() else ""
            out.add(f"- {md_code(f.location())} **{f.code}**{cell}: {md_code(_cut(f.message))}")
        if len(errors) > FINDINGS_SHOWN:
            out.add(f"- … and {len(errors) - FINDINGS_SHOWN:,} more")
        out.add("")

    def _table(self, out: _Bounded, t: TableDiff) -> None:
        out.add("")
        out.add(f"### {md_text(t.table)}")
        if t.status in ("table added", "table removed"):
            out.add("")
            out.add(f"The table is {t.status.split()[1]}.")
        new_t, old_t = self.tables.get(t.table, (None, None))
        schema = self.schemas.get(t.table)
        if t.tombstoned:
            self._section(
                out,
                f"Withdrawn ({len(t.tombstoned)})",
                t.tombstoned,
                lambda ts: [
                    self._row(
                        ts.id,
                        new_t,
                        schema,
                        f": {md_text(ts.status)}"
                        + (f" by {md_code(ts.superseded_by)}" if ts.superseded_by else ""),
                    )
                ],
            )
        if t.deleted:
            self._section(
                out,
                f"Deleted without a tombstone ({len(t.deleted)}): not allowed, IDs are forever",
                t.deleted,
                lambda rid: [self._row(rid, old_t, schema)],
            )
        if t.changed:
            cells = sum(len(rc.changes) for rc in t.changed)
            types = {f.name: f.type for f in schema.fields} if schema else {}
            self._section(
                out,
                f"Modified ({len(t.changed)} row{'s' * (len(t.changed) != 1)}, {cells} "
                f"cell{'s' * (cells != 1)})",
                t.changed,
                lambda rc: (
                    [self._row(rc.id, new_t, schema)]
                    + [
                        f"  - {md_code(fc.field)} ({md_text(types.get(fc.field, '?'))}): "
                        f"{_value(fc.old)} → {_value(fc.new)}"
                        for fc in rc.changes
                    ]
                ),
            )
        if t.added:
            self._section(
                out,
                f"Added ({len(t.added)})",
                t.added,
                lambda rid: [self._row(rid, new_t, schema)],
            )
        if t.schema:
            self._section(out, f"Schema ({len(t.schema)})", t.schema, lambda sc: [_schema(sc)])

    def _section(self, out: _Bounded, title: str, items: list[Any], render: Any) -> None:
        out.add("")
        out.add(f"#### {title}")
        out.add("")
        for item in items[:ROWS_SHOWN]:
            for line in render(item):
                out.add(line)
        if len(items) > ROWS_SHOWN:
            out.add(
                f"- … and {len(items) - ROWS_SHOWN:,} more (`conflictdata diff --against "
                f"{self.against_version} --format json` lists every one)"
            )

    def _row(
        self, row_id: str, data: pa.Table | None, schema: TableSchema | None, note: str = ""
    ) -> str:
        """``- `ID` `title` note — excerpt `...```, the title and excerpt read from ``data``."""
        line = f"- {md_code(row_id)}"
        if data is None or schema is None or len(schema.primary_key) != 1:
            return line + note
        at = pc.index_in(
            pa.array([row_id], pa.string()), value_set=_text(data.column(schema.primary_key[0]))
        )
        i = at[0].as_py()
        if i is None:
            return line + note
        label = row_label(schema)
        if label and label in data.column_names:
            title = data.column(label)[i].as_py()
            if title:
                line += f" {md_code(_cut(str(title)))}"
        line += note
        excerpt = schema.excerpt_field
        if excerpt and excerpt in data.column_names:
            text = data.column(excerpt)[i].as_py()
            if text:
                line += f" — excerpt {md_code(_cut(str(text)))}"
        return line


class _Bounded:
    """Lines of markdown up to ``limit`` characters; what does not fit is counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.size = 0
        self.left = 0

    def add(self, line: str) -> None:
        if self.left or self.size + len(line) + 1 > self.limit - 300:
            self.left += 1
            return
        self.lines.append(line)
        self.size += len(line) + 1

    def text(self) -> str:
        lines = list(self.lines)
        if self.left:
            lines += [
                "",
                f"… {self.left:,} more lines not shown, to keep this comment under "
                f"{self.limit:,} characters (`conflictdata diff --against … --format json` "
                "lists every change).",
            ]
        return "\n".join(lines) + "\n"


def _parts(version: str) -> tuple[int, int, int]:
    """MAJOR, MINOR, PATCH of a release version (a missing PATCH is 0)."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if m is None:  # pragma: no cover - release versions are checked where they are read
        return 0, 0, 0
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def _breaks(sc: SchemaChange) -> bool:
    if sc.kind == "required changed":
        return sc.detail.replace(" ", "") == "True->False"  # nulls may now appear
    return sc.kind in _BREAKING


def _rows(t: TableDiff) -> str:
    old = "–" if t.old_rows is None else f"{t.old_rows:,}"
    new = "–" if t.new_rows is None else f"{t.new_rows:,}"
    return f"{old} → {new}"


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1] + "…"


def _value(v: Any) -> str:
    """A typed cell value: empty, or its value as a code span (dates ISO, text quoted)."""
    if v is None:
        return "*empty*"
    if isinstance(v, (date, datetime)):
        return md_code(v.isoformat())
    if isinstance(v, str):
        return md_code(json.dumps(_cut(v), ensure_ascii=False))
    return md_code(str(v))


def _schema(sc: SchemaChange) -> str:
    detail = f": {md_text(sc.detail)}" if sc.detail else ""
    breaks = " (breaks readers)" if _breaks(sc) else ""
    return f"- {md_text(sc.kind)} {md_code(sc.field)}{detail}{breaks}"


def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col if pa.types.is_string(col.type) else col.cast(pa.string())


def _as_compared(table: pa.Table) -> pa.Table:
    """A converted seed table as :func:`read_table` reads a release's: enums as text."""
    cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.table(cols, names=table.column_names)


def review_seeds(
    descriptor: str | Path | Package, release: Path, *, where: str = "folder"
) -> Review:
    """The seeds of ``descriptor`` compared with the release folder ``release``."""
    package = descriptor if isinstance(descriptor, Package) else read_package(descriptor)
    converted: dict[str, pa.Table] = {}

    def keep(schema: TableSchema, columns: dict[str, pa.ChunkedArray]) -> None:
        with contextlib.suppress(BuildError):  # a value of the wrong type: validation says so
            converted[schema.name] = _as_compared(convert_table(schema, columns))

    old = read_release(release)
    report = validate(package, on_table=keep, against=release)
    names = list(package.tables) + [n for n in old.tables if n not in package.tables]
    tables: dict[str, tuple[pa.Table | None, pa.Table | None]] = {}
    schemas: dict[str, TableSchema] = {}
    diffs = []
    unread: list[str] = []
    for name in names:
        old_s, new_s = old.tables.get(name), package.tables.get(name)
        if new_s is not None and name not in converted:
            unread.append(name)
            continue
        old_t = read_table(release, old_s) if old_s is not None else None
        new_t = converted.get(name) if new_s is not None else None
        diffs.append(table_diff(name, old_s, new_s, old_t, new_t))
        tables[name] = (new_t, old_t)
        schemas[name] = new_s if new_s is not None else old.tables[name]
    diff = ReleaseDiff(old.version, package.version, "", diffs)
    return Review(
        package,
        old.version,
        where,
        diff,
        report if report.errors else None,
        tables,
        schemas,
        unread,
    )
