"""The checks a table declares, one per (finding code, field) its rules can report, each
named and runnable on its own: what the pandera schemas wrap (pandera's ``api`` side; the
run is the same check functions every front end calls, over a :class:`.table.TableData`).

A check's ``part`` says which rule runs it: ``("field", name)`` every rule of one field,
``("key",)`` the primary key, ``("rule", i)`` the table's i-th rowChecks entry,
``("relations",)`` its self-referencing keys (references, cycles, notBefore).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._tableschema.model import (
    DateSpanRule,
    OrderedRule,
    TableSchema,
    TogetherRule,
    WhenRule,
)
from .._types.ids import id_pattern
from .fields import check_field, check_primary_key, read_types
from .findings import POLICY
from .relations import check_cycles, check_foreign_keys, check_not_before
from .rows import check_rule
from .table import Collector, TableData

__all__ = ["Check", "RowCollector", "declared_checks", "run_part"]

#: the types whose reader takes every present cell (no E202 possible)
_EVERY_CELL = ("any",)


@dataclass(frozen=True)
class Check:
    """One named check: the finding ``code`` it reports on ``field``, the columns it reads,
    and the ``part`` of the table's rules that computes it."""

    code: str
    name: str
    field: str | None
    columns: tuple[str, ...]
    part: tuple[Any, ...]
    description: str = ""


def _field_checks(table: TableSchema, policy: str) -> list[Check]:
    out: list[Check] = []
    for f in table.fields:
        name = f.name
        part = ("field", name)

        def add(code: str, description: str, *, name: str = name, part: tuple = part) -> None:
            if code in POLICY and policy != "strict":
                return
            out.append(Check(code, f"{code}:{name}", name, (name,), part, description))

        if f.type not in _EVERY_CELL and not (f.type == "string" and f.format == "default"):
            add("E202", f"a value of type {f.type} ({f.value_type.what})")
        if f.type in ("date", "datetime", "time"):
            add("E203", "a real calendar date")
        if f.required:
            add("E201", "filled in (an empty text is missing)")
        if f.enum is not None:
            shown = ", ".join(f.enum[:12]) + (", …" if len(f.enum) > 12 else "")
            add("E204", f"one of: {shown}")
        if f.pattern is not None:
            add("E205", f"matches {f.pattern} in full")
            if id_pattern(f.pattern) is not None:
                add("E213", "one spelling per ID number")
        lows = [b for b in f.bounds if b.key in ("minimum", "exclusiveMinimum")]
        highs = [b for b in f.bounds if b.key in ("maximum", "exclusiveMaximum")]
        if lows:
            add("E206", ", ".join(f"{b.key} {b.written}" for b in lows))
        if highs:
            add("E207", ", ".join(f"{b.key} {b.written}" for b in highs))
        if f.type == "number":
            add("E230", "a number is finite (no NaN or infinity)")
        if f.min_length is not None:
            add("E208", f"at least {f.min_length} characters")
        if f.max_length is not None:
            add("E209", f"at most {f.max_length} characters")
        if f.unique:
            add("E210", "no value twice")
    pk = table.primary_key
    if pk:
        label = "+".join(pk)
        out.append(Check("E212", f"E212:{pk[0]}", pk[0], pk, ("key",), "the key is filled in"))
        out.append(Check("E211", f"E211:{label}", pk[0], pk, ("key",), "the key is unique"))
    return out


def _rule_checks(table: TableSchema) -> list[Check]:
    out: list[Check] = []
    for i, rule in enumerate(table.row_rules):
        found: list[tuple[str, str, str]] = []  # code, name, field
        if isinstance(rule, OrderedRule):
            chain = " <= ".join(rule.fields)
            found = [("E301", f"E301:{chain}:{b}", b) for b in rule.fields[1:]]
        elif isinstance(rule, TogetherRule):
            group = " and ".join(rule.fields)
            found = [("E302", f"E302:{group}:{n}", n) for n in rule.fields]
        elif isinstance(rule, WhenRule):
            for code, attr in (("E303", "present"), ("E304", "absent")):
                targets = dict.fromkeys(n for c in rule.cases for n in getattr(c, attr))
                found += [(code, f"{code}:{rule.field}:{n}", n) for n in targets]
        elif isinstance(rule, DateSpanRule):
            found = [("E305", f"E305:{rule.precision}:{n}", n) for n in (rule.start, rule.end)]
        out += [
            Check(code, name, n, rule.fields, ("rule", i), rule.description)
            for code, name, n in found
        ]
    return out


def _relation_checks(table: TableSchema, policy: str) -> list[Check]:
    out: list[Check] = []
    part = ("relations",)
    for fk in table.foreign_keys:
        if fk.is_self_reference(table.name):
            target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
            label = "+".join(fk.fields)
            out.append(
                Check(
                    "E401",
                    f"E401:{label}->{target}",
                    fk.fields[0],
                    fk.fields + fk.reference_fields,
                    part,
                    f"every {label} is a {target}",
                )
            )
    if policy == "strict":
        for fk in table.acyclic_keys:
            name = fk.fields[0]
            out.append(
                Check(
                    "E402",
                    f"E402:{name}",
                    name,
                    (name, *fk.reference_fields),
                    part,
                    f"{name} does not loop back to the row",
                )
            )
    for rule in table.relation_rules:
        key = next((k for k in table.foreign_keys if k.fields == (rule.foreign_key,)), None)
        if key is None or not key.is_self_reference(table.name):
            continue
        cols = (rule.foreign_key, rule.start, *((rule.end,) if rule.end else ()))
        for col in (rule.end, rule.start):
            if col:
                name = f"E403:{rule.foreign_key}:{col}"
                out.append(Check("E403", name, col, cols, part, rule.description))
    return out


def declared_checks(table: TableSchema, policy: str = "spec") -> tuple[Check, ...]:
    """Every check of one table that needs only its own rows, under ``policy`` (a policy
    code is declared only under "strict"): field constraints, the primary key, rowChecks,
    self-referencing foreign keys, their cycles and notBefore."""
    return tuple(
        _field_checks(table, policy) + _rule_checks(table) + _relation_checks(table, policy)
    )


def run_part(td: TableData, part: tuple[Any, ...], out: Collector) -> None:
    """Run one part of a table's rules (see :class:`Check`) on ``td`` alone."""
    kind, schema = part[0], td.schema
    if kind == "field":
        check_field(td, schema.field(part[1]), out, defer=False)
    elif kind == "key":
        read_types(td, schema.primary_key)
        check_primary_key(td, out)
    elif kind == "rule":
        rule = schema.row_rules[part[1]]
        read_types(td, rule.fields)
        check_rule(td, rule, out)
    else:
        names = [n for fk in schema.foreign_keys for n in (*fk.fields, *fk.reference_fields)]
        names += [n for r in schema.relation_rules for n in r.fields]
        read_types(td, names)
        tds = {td.name: td}
        check_foreign_keys(tds, out)
        check_cycles(tds, out)
        check_not_before(tds, out)


class RowCollector(Collector):
    """A collector that keeps, per (code, field), the rows found instead of findings: what
    a pandera check needs (a mask), without building a message per row. ``codes``: the only
    codes wanted (the checks skip the work of the others)."""

    def __init__(self, *, strict: bool, codes: Collection[str] | None = None) -> None:
        super().__init__(limit=1 << 62, strict=strict)
        self.codes = None if codes is None else frozenset(codes)
        #: per (code, field), the source rows of each finding
        self.hits: dict[tuple[str, str | None], list[np.ndarray]] = {}

    def applies(self, code: str) -> bool:
        return super().applies(code) and (self.codes is None or code in self.codes)

    def one(self, code: str, **kw: Any) -> None:
        pass  # file-level findings: a frame has none

    def rows(
        self, code: str, td: TableData, idx: np.ndarray, fld: str | None, *a: Any, **kw: Any
    ) -> None:
        if len(idx) and self.applies(code):
            rows = td.source_rows(np.asarray(idx, dtype=np.int64))
            self.hits.setdefault((code, fld), []).append(rows)

    def mask(self, code: str, fld: str | None, n: int) -> np.ndarray:
        """Rows with a finding ``code`` on ``fld``."""
        m = np.zeros(n, dtype=bool)
        for idx in self.hits.get((code, fld), []):
            m[idx] = True
        return m
