"""Findings a person can act on: each linked to the finding it probably follows from, the
structural cause of a row's findings told where the row goes wrong, and ID hints that name
the next free ID.

* A row with a cell too many (E108) or too few (E124): its cells are checked as they fall,
  so from the first shifted cell on most findings of the row are symptoms. The first column
  with a finding after the row's start is where the count goes off; the cell before it
  probably holds an unquoted comma (too many) or lost one (too few). The cause's message says
  so, and every finding of the row from that column on is linked to it.
* One problem is one finding: a reused ID's duplicate-value finding (E210) follows from its
  duplicate-ID finding (E211); a value outside its enum that is therefore also no key of the
  table it refers to (E401) follows from the enum finding (E204).

Only findings are looked at (each rule's are capped), never every row; the cells shown are
read from the columns by row index.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import numpy as np

from .._checks.findings import Finding, column_letter
from .._checks.table import TableData, quote

__all__ = ["link_causes"]

_ROW_CAUSES = ("E108", "E124")
#: ID findings whose hint names the next free ID.
_ID_CODES = {"E205": "write IDs as the pattern says", "E211": "", "E212": ""}


def _cell(td: TableData | None, field: str | None, line: int | None) -> str | None:
    """The raw cell of ``field`` on the row that starts at ``line`` (single-file tables)."""
    if td is None or field not in td.raw or line is None or not len(td.lines):
        return None
    if td.source is not None and len(getattr(td.source, "parts", ())) > 1:
        return None
    i = int(np.searchsorted(td.lines, line))
    if i >= len(td.lines) or int(td.lines[i]) != line:
        return None
    value = td.raw[field][i].as_py()
    return value if isinstance(value, str) else None


def _field_at(td: TableData | None, column: int) -> str | None:
    names = td.schema.field_names if td is not None else []
    return names[column - 1] if 0 < column <= len(names) else None


def _named(td: TableData | None, column: int) -> str:
    field = _field_at(td, column)
    letter = column_letter(column)
    return f"{field} (column {letter})" if field else f"column {letter}"


def _too_many(cause: Finding, td: TableData | None, first: Finding | None) -> Finding:
    if first is None or first.column is None:
        extra = "; every checked cell fits its field: probably a comma too many after the last cell"
        return dataclasses.replace(cause, message=cause.message + extra)
    c = first.column
    shifted = f" ({quote(first.value)} is in {column_letter(c)})" if first.value else ""
    if c < 2:
        extra = f"; the cells look shifted from the first one on{shifted}"
        return dataclasses.replace(cause, message=cause.message + extra)
    suspect = _field_at(td, c - 1)
    extra = (
        f"; from {_named(td, c)} on the cells look shifted one to the right{shifted}: an "
        f"unquoted comma in {_named(td, c - 1)}?"
    )
    hint = cause.hint
    left = _cell(td, suspect, cause.line)
    if suspect and left is not None and first.value is not None:
        joined = (left + "," + first.value).replace('"', '""')
        hint = (
            f'put {suspect}\'s text in double quotes if it holds the comma ("{joined}"), '
            "or delete the comma; every row has exactly one cell per header label"
        )
    return dataclasses.replace(cause, message=cause.message + extra, hint=hint)


def _too_few(cause: Finding, td: TableData | None, first: Finding | None) -> Finding:
    have = (cause.column or 1) - 1
    width = len(td.schema.field_names) if td is not None else have + 1
    extra = f"; the row has {have} cells, the header {width}"
    if first is not None and first.column is not None:
        extra += (
            f": from {_named(td, first.column)} on the cells look shifted one to the left: "
            f"a cell (or its comma) missing before {column_letter(first.column)}?"
        )
    else:
        extra += ": the last ones are missing"
    return dataclasses.replace(cause, message=cause.message + extra)


def _rows(findings: list[Finding], tds: dict[str, TableData]) -> dict[int, Finding]:
    """The findings changed by a row's structural cause: cause enriched, symptoms linked."""
    by_row: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        if f.line is not None and f.path is not None:
            by_row[(f.table, f.path, f.line)].append(i)
    changed: dict[int, Finding] = {}
    for (table, _, _), idx in by_row.items():
        codes = {findings[i].code for i in idx}
        if not codes & set(_ROW_CAUSES):
            continue
        td = tds.get(table) if table else None
        cause_i = min(
            (i for i in idx if findings[i].code in _ROW_CAUSES),
            key=lambda i: (findings[i].code != "E108", findings[i].column or 0),
        )
        cause = findings[cause_i]
        others = [
            i
            for i in idx
            if i != cause_i
            and findings[i].column is not None
            and findings[i].code not in _ROW_CAUSES
            and (cause.code != "E124" or (findings[i].column or 0) < (cause.column or 0))
        ]
        first_i = min(others, key=lambda i: findings[i].column or 0, default=None)
        first = findings[first_i] if first_i is not None else None
        enriched = (_too_many if cause.code == "E108" else _too_few)(cause, td, first)
        changed[cause_i] = enriched
        start = first.column if first is not None else None
        if cause.code == "E124" and start is None:
            start = cause.column  # the missing cells' own findings (E201) follow from it
        for i in idx:
            f = findings[i]
            if i == cause_i:
                continue
            follows = (f.code in _ROW_CAUSES) or (
                start is not None and f.column is not None and f.column >= start
            )
            if follows:
                changed[i] = dataclasses.replace(f, cause=enriched.ref())
    return changed


def _pairs(findings: list[Finding], changed: dict[int, Finding]) -> None:
    """E210 after E211 on one ID, E401 after E204 on one cell: one problem, one finding."""
    at: dict[tuple[Any, ...], int] = {}
    for i, f in enumerate(findings):
        if f.code in ("E211", "E204"):
            at[(f.code, f.path, f.line, f.field)] = i
    for i, f in enumerate(findings):
        lead = {"E210": "E211", "E401": "E204"}.get(f.code)
        j = at.get((lead, f.path, f.line, f.field)) if lead else None
        if j is not None and i not in changed:
            changed[i] = dataclasses.replace(f, cause=changed.get(j, findings[j]).ref())


def _id_hints(
    findings: list[Finding],
    tds: dict[str, TableData],
    next_ids: dict[str, str],
    changed: dict[int, Finding],
) -> None:
    for i, f in enumerate(findings):
        if f.code not in _ID_CODES or f.table not in next_ids:
            continue
        td = tds.get(f.table)
        if td is None or td.schema.primary_key != (f.field,):
            continue
        lead = _ID_CODES[f.code]
        base = changed.get(i, f)
        how = f"{lead}; " if lead else ""
        hint = f"{how}give the row the next free ID, {next_ids[f.table]}"
        if f.code == "E211":
            hint += " (IDs are never reused, even those of retracted rows)"
        changed[i] = dataclasses.replace(base, hint=hint)


def link_causes(
    findings: list[Finding], tds: dict[str, TableData], next_ids: dict[str, str]
) -> list[Finding]:
    """``findings`` with causes linked and told, in the same order (see the module)."""
    changed = _rows(findings, tds)
    _pairs(findings, changed)
    _id_hints(findings, tds, next_ids, changed)
    return [changed.get(i, f) for i, f in enumerate(findings)]
