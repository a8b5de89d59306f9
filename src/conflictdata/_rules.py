"""Typed row and relation rules read from a table schema's ``rowChecks`` / ``relationChecks``.

Private stand-in for the typed rule objects of :mod:`conflictdata.schema`: the frame checks
are written against these classes, and this is the only module that reads the raw dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import DescriptorError
from .schema import TableSchema

__all__ = [
    "OrderedRule",
    "TogetherRule",
    "WhenCase",
    "WhenRule",
    "DateSpanRule",
    "NotBeforeRule",
    "RowRule",
    "row_rules",
    "relation_rules",
]


@dataclass(frozen=True)
class OrderedRule:
    """Known values never decrease in this field order (date_start <= date_end)."""

    kind: ClassVar[str] = "ordered"
    code: ClassVar[str] = "E301"
    fields: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class TogetherRule:
    """These fields are all filled or all empty (latitude and longitude)."""

    kind: ClassVar[str] = "together"
    code: ClassVar[str] = "E302"
    fields: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class WhenCase:
    """For one value of the controlling field: fields that must be filled, and empty."""

    value: str
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhenRule:
    """For ``field == case.value``: ``case.present`` filled (E303), ``case.absent`` empty (E304)."""

    kind: ClassVar[str] = "when"
    code: ClassVar[str] = "E303"
    field: str
    cases: tuple[WhenCase, ...]
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        names = [self.field]
        for c in self.cases:
            names += [*c.present, *c.absent]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class DateSpanRule:
    """The dates span exactly what the precision says: a day, a month, a year."""

    kind: ClassVar[str] = "dateSpan"
    code: ClassVar[str] = "E305"
    start: str
    end: str
    precision: str
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.start, self.end, self.precision)


@dataclass(frozen=True)
class NotBeforeRule:
    """A row does not end (or, without an end, start) before the row it points to starts."""

    kind: ClassVar[str] = "notBefore"
    code: ClassVar[str] = "E403"
    foreign_key: str
    start: str
    end: str
    description: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(n for n in (self.foreign_key, self.start, self.end) if n)


RowRule = OrderedRule | TogetherRule | WhenRule | DateSpanRule


def _names(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _row_rule(rc: dict[str, Any], where: str) -> RowRule:
    kind = rc.get("check") if isinstance(rc, dict) else None
    desc = str(rc.get("description", "")) if isinstance(rc, dict) else ""
    try:
        if kind == "ordered":
            return OrderedRule(_names(rc["fields"]), desc)
        if kind == "together":
            return TogetherRule(_names(rc["fields"]), desc)
        if kind == "when":
            cases = tuple(
                WhenCase(str(v), _names(c.get("present", ())), _names(c.get("absent", ())))
                for v, c in rc["cases"].items()
            )
            return WhenRule(str(rc["field"]), cases, desc)
        if kind == "dateSpan":
            return DateSpanRule(str(rc["start"]), str(rc["end"]), str(rc["precision"]), desc)
    except (KeyError, TypeError, AttributeError):
        pass
    raise DescriptorError(f"{where}: rowChecks entry {rc!r} is not a rule this package knows")


def row_rules(table: TableSchema) -> tuple[RowRule, ...]:
    """The table's rowChecks as typed rules, in schema order."""
    where = table.schema_path or f"schema of {table.name}"
    return tuple(_row_rule(rc, where) for rc in table.row_checks)


def relation_rules(table: TableSchema) -> tuple[NotBeforeRule, ...]:
    """The table's relationChecks (notBefore) as typed rules, in schema order."""
    where = table.schema_path or f"schema of {table.name}"
    out = []
    for rc in table.relation_checks:
        if not isinstance(rc, dict) or rc.get("check") != "notBefore" or "foreignKey" not in rc:
            raise DescriptorError(f"{where}: unknown relationChecks entry {rc!r}")
        out.append(NotBeforeRule(str(rc["foreignKey"]), str(rc["start"]),
                                 str(rc.get("end") or ""), str(rc.get("description", ""))))
    return tuple(out)
