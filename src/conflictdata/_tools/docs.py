"""The generated documents, kept in step with their one source: the codebook
(docs/codebook.md, from the Table Schemas) and the findings table (docs/findings.md, from the
findings registry). Each is derived, never written by hand; :func:`write_generated` writes
it or, with ``check``, only says it is stale (tests and CI fail then). The frames models
(:mod:`conflictdata._frames.render_models`) use the same helper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._checks.findings import LAYERS, RULES
from .._checks.report import LIST_PER_CODE, OUTPUT_LIMIT
from .._checks.table import PER_CODE_FACTOR
from .._read import limits
from .._tableschema.model import (
    DateSpanRule,
    Field,
    NotBeforeRule,
    OrderedRule,
    Package,
    RowRule,
    TableSchema,
    TogetherRule,
    WhenRule,
)
from .._tableschema.package import read_package
from .._util.fs import write_generated
from .._util.text import SHOWN_LIMIT

__all__ = [
    "render_codebook",
    "render_findings_doc",
    "write_codebook",
    "write_findings_doc",
]


# -- the codebook -------------------------------------------------------------------------


def _cell(text: Any) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(f: Field) -> str:
    parts = []
    if f.unique:
        parts.append("unique")
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    signs = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    parts += [f"{signs[b.key]} {b.written}" for b in f.bounds]
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
            + (" (must not form a cycle)" if fk in t.acyclic_keys else "")
        )
    return lines


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
    out += [*_keys(t), ""]
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
                out += [*_when_table(rule), ""]
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
        "Tables: "
        + ", ".join(f"`{n}` ({t.title.lower()})" for n, t in package.tables.items())
        + ".",
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


# -- the findings table ------------------------------------------------------------------


def _bounds() -> str:
    """The bounds on input and output, from the constants that enforce them."""
    import inspect

    from .._validation.run import validate

    per_field = inspect.signature(validate).parameters["max_per_rule"].default
    mib = 1 << 20
    return (
        "**Bounds.** Everything read is hostile until checked, so every size is bounded. A "
        f"resource is read into memory up to {limits.MAX_BYTES // (1 << 30)} GiB (E120). A "
        f"compressed one (gz, zip, bz2, xz) is streamed: it may expand to "
        f"{limits.RATIO_FLOOR // mib} MiB at any ratio, and beyond that to at most "
        f"{limits.MAX_RATIO} times the compressed bytes read so far (E127), checked as the "
        "bytes arrive, so a bomb is one finding within a second in bounded memory (see "
        f"bench/bombs.py). Cells over {limits.CELL_LIMIT:,} characters are E114, rows over "
        f"{limits.ROW_LIMIT // mib} MiB E118, headers of more than {limits.COLUMN_LIMIT:,} "
        f"columns or {limits.ROW_LIMIT // mib} MiB, or whose labels joined from several "
        f"header rows could pass that, E117. Output: every string from the data (a value, a "
        "label, a file name, a descriptor key) is shown with control characters, line "
        "breaks, ESC, bidi controls and lone surrogates as visible escapes (`\\n`, "
        "`\\x1b`, `\\u202e`), no output line can start a CI workflow command, and a "
        f"message, hint or path is cut after {SHOWN_LIMIT:,} characters, saying how long it "
        f"was. The validator keeps {per_field:,} findings per table, code and field, and "
        f"{PER_CODE_FACTOR * per_field:,} of one code in all; the "
        f"text, GitHub and JSON outputs list at most {LIST_PER_CODE:,} of one code and stop "
        f"listing at {OUTPUT_LIMIT // mib} MiB. What is not listed is counted per code in the "
        "summary line (`not listed (over the per-rule limit)`) and in the JSON's "
        "`stats.suppressed`; `Report.findings` in Python holds every finding kept."
    )


def render_findings_doc() -> str:
    """docs/findings.md: every finding code, generated from the registry (:data:`RULES`)."""
    lines = [
        "# Validation findings",
        "",
        "<!-- generated by `conflictdata findings --out docs/findings.md`; do not edit -->",
        "",
        "`conflictdata validate` reports every problem at once as "
        "`path:line:column: CODE message (hint: ...)`. Errors (E) make it exit 1; "
        "warnings (W) are reported but do not fail validation. Lines are physical lines "
        "of the file (the header is line 1), so a quoted cell holding newlines shifts them "
        "as an editor would. The JSON output also gives each finding's `row`: the row "
        "number as Table Schema readers such as frictionless count it (the header is row "
        "1, each record one more, however many lines it spans).",
        "",
        "Layers: " + ", ".join(f"{k}xx {v}" for k, v in LAYERS.items()) + ".",
        "",
        _bounds(),
        "",
        "**Policy.** Codes marked *policy* are this project's rules, stricter than the Table "
        "Schema spec. They are checked only for a package whose descriptor declares "
        '`"conflictdata": {"policy": "strict"}` (this repository\'s does), or with '
        "`conflictdata validate --policy strict`; any other package is read exactly as the "
        "spec says. The *frictionless* column names the frictionless 5 error types a code "
        "corresponds to; a code without one is a policy, a lint, or a rule frictionless "
        "does not know (rowChecks, relationChecks, provenance). docs/frictionless.md "
        "explains the mapping, rows and fields included, and the differential test that "
        "checks it.",
        "",
        "| code | severity | layer | title | meaning | how to fix | frictionless |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in RULES.values():
        severity = f"{r.severity} (policy)" if r.policy else r.severity
        cells = [
            r.code,
            severity,
            LAYERS[r.layer],
            r.title,
            r.description,
            r.hint,
            ", ".join(r.frictionless) or "—",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_findings_doc(out: Path | str = "docs/findings.md", *, check: bool = False) -> bool:
    """Write (or with ``check`` only compare) the findings table; True if it was out of date."""
    return write_generated(out, render_findings_doc(), check=check)
