"""rowChecks and relationChecks read into typed rules, checked against the fields they name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError, UnsupportedFeatureError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.text import kind, short_repr
from .model import (
    RELATION_RULE_KINDS,
    ROW_RULE_KINDS,
    DateSpanRule,
    Field,
    ForeignKey,
    NotBeforeRule,
    OrderedRule,
    RowRule,
    TableSchema,
    TogetherRule,
    WhenCase,
    WhenRule,
)


def list_of_objects(schema: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = schema.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DescriptorError(
            f"{where}: {key} must be a list of objects, not {kind(value)} {short_repr(value)}"
        )
    return value


def _names_list(value: Any, least: int) -> bool:
    return (
        isinstance(value, list) and len(value) >= least and all(isinstance(v, str) for v in value)
    )


def _check_row_check(rc: dict[str, Any], where: str) -> None:
    """The shape of one rowChecks entry (its keys and their types), else DescriptorError."""
    kind = rc.get("check")
    if kind not in ROW_RULE_KINDS or not all(k in rc for k in ROW_RULE_KINDS[kind]):
        raise DescriptorError(
            f"{where}: rowChecks entry {short_repr(rc)} is not one of "
            f"{', '.join(ROW_RULE_KINDS)} with their keys"
        )
    bad = None
    if kind in ("ordered", "together"):
        bad = None if _names_list(rc["fields"], 2) else "fields"
    elif kind == "when":
        cases = rc["cases"]
        if not isinstance(rc["field"], str):
            bad = "field"
        elif not isinstance(cases, dict) or not cases:
            bad = "cases"
        else:
            for value, case in cases.items():
                if (
                    not isinstance(case, dict)
                    or any(k not in ("present", "absent") for k in case)
                    or not all(_names_list(case.get(k, []), 0) for k in ("present", "absent"))
                ):
                    bad = f"cases.{value}"
    elif kind == "dateSpan":
        bad = next((k for k in ("start", "end", "precision") if not isinstance(rc[k], str)), None)
    if bad is not None:
        raise DescriptorError(
            f"{where}: rowChecks {kind}: {bad} is malformed "
            f"({short_repr(rc.get(bad.split('.')[0]))})"
        )


def _row_rule(rc: dict[str, Any]) -> RowRule:
    """A rowChecks entry whose shape :func:`_check_row_check` accepted, as a typed rule."""
    kind = rc["check"]
    desc = str(rc.get("description", ""))
    if kind == "ordered":
        return OrderedRule(tuple(rc["fields"]), desc)
    if kind == "together":
        return TogetherRule(tuple(rc["fields"]), desc)
    if kind == "when":
        cases = tuple(
            WhenCase(str(v), tuple(c.get("present", ())), tuple(c.get("absent", ())))
            for v, c in rc["cases"].items()
        )
        return WhenRule(rc["field"], cases, desc)
    return DateSpanRule(rc["start"], rc["end"], rc["precision"], desc)


#: Field types a rowChecks ``ordered`` may compare with each other.
_COMPARABLE = {
    "integer": "number",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "string": "string",
}


def read_row_rules(
    raw: list[dict[str, Any]], fields: dict[str, Field], where: str
) -> tuple[RowRule, ...]:
    """rowChecks as typed rules: known kinds, real fields, comparable types; else
    DescriptorError. Fields a rule compares must be comparable (numbers with numbers, dates
    with dates; dateSpan needs dates): anything else is not supported, so refused."""
    out: list[RowRule] = []
    for rc in raw:
        _check_row_check(rc, where)
        rule = _row_rule(rc)
        unknown = [n for n in _rule_field_list(rule) if n not in fields]
        if unknown:
            raise DescriptorError(
                f"{where}: rowChecks {rule.kind} names unknown field(s) {short_repr(unknown)}"
            )
        if isinstance(rule, OrderedRule):
            kinds = {_COMPARABLE.get(fields[n].type) for n in rule.fields}
            if len(kinds) != 1 or None in kinds:
                raise DescriptorError(
                    f"{where}: rowChecks ordered {short_repr(rc['fields'])}: the fields must "
                    "all be numbers, all dates, all datetimes or all strings"
                )
        elif isinstance(rule, DateSpanRule):
            for k, name in (("start", rule.start), ("end", rule.end)):
                if fields[name].type != "date":
                    raise DescriptorError(
                        f"{where}: rowChecks dateSpan {k} {name!r} must be "
                        f"a date field, not {fields[name].type}"
                    )
        out.append(rule)
    return tuple(out)


def _rule_field_list(rule: RowRule) -> list[str]:
    """Every field a row rule names, repeats kept (for the unknown-field message)."""
    if isinstance(rule, WhenRule):
        return [rule.field, *(n for c in rule.cases for n in (*c.present, *c.absent))]
    return list(rule.fields)


def read_relation_rules(
    raw: list[dict[str, Any]], fields: dict[str, Field], fks: list[ForeignKey], where: str
) -> tuple[NotBeforeRule, ...]:
    """relationChecks as typed rules, checked as far as this table alone tells: a known kind,
    a single-field foreign key, start (and end, if given) fields of this table."""
    out = []
    for rc in raw:
        if rc.get("check") not in RELATION_RULE_KINDS:
            raise DescriptorError(f"{where}: unknown relationChecks entry {short_repr(rc)}")
        fld = rc.get("foreignKey")
        if not isinstance(fld, str) or not any(fk.fields == (fld,) for fk in fks):
            raise DescriptorError(
                f"{where}: relationChecks notBefore foreignKey {short_repr(fld)} is not a "
                "single-field foreign key"
            )
        for k in ("start", "end"):
            v = rc.get(k)
            if (k == "start" or v is not None) and (not isinstance(v, str) or v not in fields):
                raise DescriptorError(
                    f"{where}: relationChecks notBefore {k} {short_repr(v)} is not a field"
                )
        out.append(NotBeforeRule(fld, rc["start"], rc.get("end"), str(rc.get("description", ""))))
    return tuple(out)


def check_across_tables(t: TableSchema, tables: dict[str, TableSchema]) -> None:
    """What one table's rules and keys say about the tables they point to: notBefore compares
    date (or all datetime) fields of the same name on both sides; foreign keys name real
    fields of the referenced table."""
    where = t.schema_path or f"schema of {t.name}"
    for rule in t.relation_rules:
        ref = tables[next(fk for fk in t.foreign_keys if fk.fields == (rule.foreign_key,)).resource]
        kinds = {t.field(rule.start).type}
        if rule.end is not None:
            kinds.add(t.field(rule.end).type)
        if rule.start not in ref.field_names:
            raise DescriptorError(
                f"{where}: relationChecks notBefore start "
                f"{rule.start!r} is not a field of {ref.name!r}"
            )
        kinds.add(ref.field(rule.start).type)
        if len(kinds) != 1 or not kinds <= {"date", "datetime"}:
            raise DescriptorError(
                f"{where}: relationChecks notBefore compares {rule.start!r} here and in "
                f"{ref.name!r}: they must be date (or all datetime) fields, not "
                f"{', '.join(sorted(kinds))}"
            )
    for fk in t.foreign_keys:
        ref = tables[fk.resource]
        for n in fk.reference_fields:
            if n in ref.field_names and not ref.field(n).value_type.keyable:
                raise UnsupportedFeatureError(
                    "foreign key reference",
                    n,
                    resource=t.name,
                    why=f"{ref.name}.{n} is a {ref.field(n).type} field: frictionless cannot "
                    "compare such values as keys",
                )
        missing = [n for n in fk.fields if n not in t.field_names] + [
            n for n in fk.reference_fields if n not in ref.field_names
        ]
        if missing or len(fk.fields) != len(fk.reference_fields):
            raise DescriptorError(
                f"{where}: foreign key {list(fk.fields)} names unknown "
                f"field(s) {short_repr(missing)}"
            )
