"""Run one data package through the three validators — `conflictdata validate` on its CSV
files, ``validate_frames`` on the same cells as DataFrames of text, and each table's pandera
schema on the typed frame — and reduce what each reports to (table, key, field, code) sets,
for tests/validation/test_engine_agreement.py."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from conflictdata._checks.findings import RULES
from conflictdata._frames.pandera_schemas import report_from_schema_errors, schema_for
from conflictdata._frames.validate import conform, validate_frames
from conflictdata.tools import read_package, validate

#: Codes only a file can give: the file layer (bytes, quoting, header) and the lints. A
#: frame holds cells, not a file, so neither frames validator reports them.
FILE_LEVEL = frozenset(code for code, rule in RULES.items() if rule.layer in (1, 5))

#: Codes of cells a typed frame cannot hold (not a value of the type, an undeclared
#: category): pandera's dtype check refuses those frames before any check runs.
UNTYPED = frozenset({"E202", "E203"})

Key = tuple[Any, ...]

V2 = "https://datapackage.org/profiles/2.0/datapackage.json"


@dataclass
class Table:
    """One resource: its Table Schema and its rows of cell text (header first)."""

    schema: dict[str, Any]
    rows: list[list[str]]


@dataclass
class Verdicts:
    """The (table, key, field, code) findings of each validator."""

    csv: set[Key] = field(default_factory=set)
    frames: set[Key] = field(default_factory=set)
    pandera: set[Key] = field(default_factory=set)
    #: what pandera is expected to see of the CSV validator's findings (see :func:`verdicts`)
    pandera_expected: set[Key] = field(default_factory=set)


def write_tables_package(root: Path, tables: dict[str, Table], policy: str | None) -> Path:
    """A Data Package v2 in ``root``: one CSV per table, schemas inline."""
    root.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, t in tables.items():
        with open(root / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(t.rows)
        resources.append({"name": name, "path": f"{name}.csv", "schema": t.schema})
    desc: dict[str, Any] = {"$schema": V2, "name": "probe", "resources": resources}
    if policy is not None:
        desc["conflictdata"] = {"policy": policy}
    path = root / "datapackage.json"
    path.write_text(json.dumps(desc, indent=1), encoding="utf-8")
    return path


def _keys(report: Any) -> set[Key]:
    return {(f.table, f.key, f.field, f.code) for f in report.findings if f.code not in FILE_LEVEL}


def _text_frames(tables: dict[str, Table]) -> dict[str, pd.DataFrame]:
    """Each table's cells as a DataFrame of text, exactly as written to the CSV."""
    return {
        name: pd.DataFrame(t.rows[1:], columns=t.rows[0], dtype=object)
        for name, t in tables.items()
    }


def verdicts(root: Path, tables: dict[str, Table], policy: str | None) -> Verdicts:
    """Validate the package three ways. pandera checks one typed frame per table, so what it
    is expected to report is the CSV validator's findings on the tables whose cells all read
    as their types (none of :data:`UNTYPED`, no undeclared enum item in a categorical
    column), without foreign keys into other tables (a table's schema cannot see them)."""
    desc = write_tables_package(root, tables, policy)
    pkg = read_package(desc)
    out = Verdicts(csv=_keys(validate(desc)))
    frames = _text_frames(tables)
    out.frames = _keys(validate_frames(frames, pkg))
    for name, df in frames.items():
        table = pkg.tables[name]
        typed, found, _ = conform(table, df)
        if any(f.code in UNTYPED for f in found):
            continue
        mine = {k for k in out.csv if k[0] == name}
        if any(k[3] == "E204" and table.field(k[2]).type == "string" for k in mine):
            continue  # a categorical column cannot hold the undeclared value
        for f in table.fields:
            if f.type == "string" and f.is_enum:
                col = typed[f.name]
                typed[f.name] = col.mask(col.eq("").fillna(False)).astype(f.pandas_dtype())
        cross = {fk.fields[0] for fk in table.foreign_keys if not fk.is_self_reference(table.name)}
        out.pandera_expected |= {k for k in mine if not (k[3] == "E401" and k[2] in cross)}
        import pandera.pandas as pdx

        try:
            schema_for(table, pkg.policy).validate(typed, lazy=True)
        except pdx.errors.SchemaErrors as err:
            out.pandera |= _keys(report_from_schema_errors(table, typed, err, policy=pkg.policy))
    return out
