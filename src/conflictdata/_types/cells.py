"""The Table Schema types this package reads, by name: one :class:`~.spec.ValueType` class
each, from :mod:`.text`, :mod:`.numbers`, :mod:`.temporal` and :mod:`.structured`. Adding a type is adding its
class here."""

from __future__ import annotations

from .numbers import IntegerType, NumberType
from .spec import ValueType
from .structured import ArrayType, GeopointType, ObjectType
from .temporal import DatetimeType, DateType, DurationType, TimeType, YearmonthType, YearType
from .text import AnyType, BooleanType, StringType

__all__ = ["TYPES"]

#: type name -> its class, in the order the docs list them
TYPES: dict[str, type[ValueType]] = {
    t.name: t
    for t in (
        StringType,
        IntegerType,
        NumberType,
        BooleanType,
        DateType,
        DatetimeType,
        TimeType,
        YearType,
        YearmonthType,
        AnyType,
        ObjectType,
        ArrayType,
        GeopointType,
        DurationType,
    )
}
