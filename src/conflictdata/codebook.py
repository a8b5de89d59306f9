"""Generate the codebook (docs/codebook.md) from the Table Schemas.

The codebook is derived, never written by hand: a test fails when the committed file differs
from what the schemas generate, so a field is documented in exactly one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .generated import write_generated
from .schema import (
    DateSpanRule,
    Field,
    ForeignKey,
    NotBeforeRule,
    OrderedRule,
    Package,
    RowRule,
    TableSchema,
    TogetherRule,
    WhenRule,
    read_package,
)

__all__ = ["render_codebook", "write_codebook"]


def _cell(text: Any) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(f: Field) -> str:
    parts = []
    if f.unique:
        parts.append("unique")
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    if f.minimum is not None:
        parts.append(f"≥ {f.minimum}")
    if f.maximum is not None:
        parts.append(f"≤ {f.maximum}")
    if f.min_length is not None:
        parts.append(f"length ≥ {f.min_length}")
    if f.max_length is not None:
        parts.append(f"length ≤ {f.max_length}")
    if f.enum is not None:
        parts.append("one of the values below")
    return ", ".join(parts)


def _keys(t: TableSchema) -> list[str]:
    lines = [f"- Primary key: `{', '.join(t.primary_key)}` (stable, never reused)"]
    for fk in t.foreign_keys:
        target = "this table" if fk.is_self_reference(t.name) else f"`{fk.resource}`"
        lines.append(
            f"- `{', '.join(fk.fields)}` → {target}.`{', '.join(fk.reference_fields)}`"
            + (" (must not form a cycle)" if is_cycle_checked(t, fk) else "")
        )
    return lines


def is_cycle_checked(t: TableSchema, fk: ForeignKey) -> bool:
    """The validator checks a foreign key for cycles (E402) when it is a single-field
    self-reference."""
    return fk.is_self_reference(t.name) and len(fk.fields) == 1


def _rule(rule: RowRule | NotBeforeRule) -> str:
    if isinstance(rule, OrderedRule):
        what = " ≤ ".join(f"`{f}`" for f in rule.fields)
    elif isinstance(rule, TogetherRule):
        what = "both or neither of " + ", ".join(f"`{f}`" for f in rule.fields)
    elif isinstance(rule, WhenRule):
        what = f"depends on `{rule.field}`"
    elif isinstance(rule, DateSpanRule):
        what = f"`{rule.start}`..`{rule.end}` aligned to `{rule.precision}`"
    else:
        what = f"via `{rule.foreign_key}`"
    return f"- **{rule.kind}** ({what}): {rule.description}"


def _when_table(rule: WhenRule) -> list[str]:
    lines = [f"| `{rule.field}` | must be given | must be empty |", "|---|---|---|"]
    for case in rule.cases:
        present = ", ".join(f"`{f}`" for f in case.present)
        absent = ", ".join(f"`{f}`" for f in case.absent)
        lines.append(f"| `{case.value}` | {present} | {absent} |")
    return lines


def _table_section(t: TableSchema) -> list[str]:
    out = [f"## `{t.name}` — {t.title}", "", t.description, "", f"File: `{t.path}`", ""]
    out += _keys(t) + [""]
    out += ["| field | type | required | constraints | description |", "|---|---|---|---|---|"]
    for f in t.fields:
        out.append(
            f"| `{f.name}` | {f.type}{' (enum)' if f.enum is not None else ''} | "
            f"{'yes' if f.required else 'no'} | {_cell(_constraints(f))} | "
            f"**{_cell(f.title)}.** {_cell(f.description)} |"
        )
    out.append("")
    for f in t.fields:
        if f.enum is None:
            continue
        out += [f"### `{t.name}.{f.name}` values", "", "| value | meaning |", "|---|---|"]
        for v in f.enum:
            out.append(f"| `{v}` | {_cell(f.enum_descriptions.get(v, ''))} |")
        out.append("")
    if t.row_rules or t.relation_rules:
        out += ["### Rules", ""]
        for rule in (*t.row_rules, *t.relation_rules):
            out.append(_rule(rule))
        out.append("")
        for rule in t.row_rules:
            if isinstance(rule, WhenRule):
                out += _when_table(rule) + [""]
    return out


def render_codebook(package: Package) -> str:
    """The codebook of every table in ``package`` as Markdown."""
    lines = [
        f"# Codebook — {package.title or package.name} {package.version}",
        "",
        "<!-- Generated from schemas/ by `conflictdata codebook`. Do not edit by hand. -->",
        "",
        "Every fact row cites a source (`source_id`) and quotes it (`source_excerpt`). "
        "Dates are intervals with a precision; places have a geographic precision; counts are "
        "low / best / high with a qualifier and the source's wording. Empty cells are nulls.",
        "",
        "Tables: " + ", ".join(f"`{n}` ({t.title.lower()})" for n, t in package.tables.items()) + ".",
        "",
    ]
    for t in package.tables.values():
        lines += _table_section(t)
    return "\n".join(lines).rstrip() + "\n"


def write_codebook(
    descriptor: str | Path = "datapackage.json",
    out: str | Path = "docs/codebook.md",
    *,
    check: bool = False,
) -> bool:
    """Write (or with ``check``, only compare) the codebook; return True if it differs/changed."""
    return write_generated(out, render_codebook(read_package(descriptor)), check=check)
