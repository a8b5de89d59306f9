"""What every Table Schema type is: :class:`ValueType`, one frozen object per field type
carrying its options, that reads a text column (:meth:`ValueType.read`) and a single value
(:meth:`ValueType.value`: a bound, an enum item, an example) the same way; and what a column
read gives (:class:`Read`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DescriptorError, UnsupportedFeatureError

__all__ = ["At", "Read", "ValueType"]


@dataclass(frozen=True)
class Read:
    """One column read as its type.

    ``ok``: the present cells that are values of the type. ``typed``: the values as Arrow,
    null wherever not ``ok`` (equal values compare equal; None: the field compares as
    text). ``impossible``: cells of the right shape naming no real value (E203, a subset of
    the cells not ``ok``). ``what``: the type in words, for messages. ``ymd``: year, month,
    day arrays for date-like types (the dateSpan rule reads them)."""

    ok: np.ndarray
    typed: pa.Array | None
    what: str
    impossible: np.ndarray | None = None
    ymd: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    #: each value's length where minLength and maxLength count something else than the
    #: cell's characters (an object's keys, an array's items); None: the characters
    lengths: np.ndarray | None = None


@dataclass(frozen=True)
class At:
    """Where a field is declared, for the one-line errors about its options: ``where`` is
    the message prefix (schema and field), ``resource`` and ``field`` name it in refusals."""

    where: str
    resource: str | None
    field: str

    def bad(self, message: str) -> DescriptorError:
        return DescriptorError(f"{self.where}: {message}")

    def refuse(self, feature: str, value: Any, why: str | None = None) -> UnsupportedFeatureError:
        return UnsupportedFeatureError(
            feature, value, resource=self.resource, field=self.field, why=why
        )


@dataclass(frozen=True)
class ValueType:
    """A Table Schema field type with its options (format, number options, boolean
    spellings), parsed once from the descriptor by :meth:`from_descriptor`.

    Reading: :meth:`read` takes a column of text cells (vectorised), :meth:`value` one
    descriptor value; both give the same typed values, so a bound or an enum item compares
    with the cells exactly as frictionless' ``value_reader`` makes it. Storing:
    :meth:`arrow_type` and :meth:`store` give a release column, :meth:`pandas_dtype` the
    loaded one. A new type is one subclass, registered in :data:`.cells.TYPES`."""

    #: the Table Schema type name
    name: ClassVar[str]
    #: the constraints the type takes (frictionless 5's ``supported_constraints``, with unique)
    constraints: ClassVar[tuple[str, ...]]
    #: the field keys the type reads besides the ones every field has (others are refused)
    options: ClassVar[tuple[str, ...]] = ()
    #: compared as text: keys and enum items compare the cells themselves
    text_compared: ClassVar[bool] = False
    #: a field's ``example`` must be a value (frictionless 5 checks it for these types)
    checks_example: ClassVar[bool] = False
    #: its values can be keys (unique, primary and foreign keys): frictionless hashes them
    #: (an object or an array it cannot hash: it stops with a TypeError, so they are refused)
    keyable: ClassVar[bool] = True
    #: a release keeps the cell's text (a JSON object, a duration, a point): the typed values
    #: are only what the checks compare
    stores_text: ClassVar[bool] = False

    format: str = "default"

    # -- the descriptor ---------------------------------------------------------------------

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        """The field's ``format`` as this type reads it (a refusal for one it does not). By
        default any: frictionless reads no format for the type, so none changes a value."""
        return fmt

    @classmethod
    def from_descriptor(cls, fmt: str, options: Mapping[str, Any], at: At) -> ValueType:
        """The type with its format (already :meth:`read_format`) and its options, the
        field keys of :attr:`options` the descriptor sets, each checked."""
        return cls(format=fmt)

    # -- reading ----------------------------------------------------------------------------

    @property
    def what(self) -> str:
        """The type in words, for messages (``an integer``)."""
        raise NotImplementedError

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        """The column ``s`` read as this type (``present``: its non-missing cells)."""
        raise NotImplementedError

    def value(self, v: Any) -> Any:
        """A descriptor value (bound, enum item) as this type's typed value, None when it is
        not one; :class:`~conflictdata.errors.RefusedCellsError` when it cannot be compared."""
        raise NotImplementedError

    def scalar_type(self) -> pa.DataType:
        """The Arrow type of :attr:`Read.typed` (what :meth:`scalar` and :meth:`array` give)."""
        raise NotImplementedError

    def array(self, values: list[Any]) -> pa.Array:
        """Typed values (of :meth:`value`) as an Arrow array comparable with a column read."""
        return pa.array(values, self.scalar_type())

    def scalar(self, value: Any) -> pa.Scalar:
        """One typed value (of :meth:`value`) as an Arrow scalar comparable with a column."""
        return self.array([value])[0]

    def enum_form(self, typed: pa.Array) -> pa.Array:
        """Typed values (of :meth:`read` or :meth:`array`) as an enum compares them, with
        Python's ``==``: the same as keys compare them (by hash) but for a type where the
        two differ (a duration's years and months)."""
        return typed

    def read_typed(self, arr: pa.Array) -> Read | None:
        """A column that already holds typed values (a DataFrame's), read as this type, or
        None when its Arrow type is not one of this type's forms (then it is read as text)."""
        return None

    def write(self, arr: pa.Array) -> pa.Array:
        """A column of :meth:`read_typed`'s form as the text a CSV cell would hold."""
        return pc.cast(arr, pa.string())

    # -- storing ----------------------------------------------------------------------------

    def arrow_type(self) -> pa.DataType:
        """The Arrow type of this type's column in a release."""
        raise NotImplementedError

    def store(self, r: Read, present: np.ndarray) -> pa.Array:
        """A column read (every present cell ``ok``) as its release column
        (:class:`~conflictdata.errors.BuildError` for a value the release cannot hold)."""
        assert r.typed is not None
        return r.typed

    def pandas_dtype(self) -> Any:
        """The pandas dtype a loaded column of this type has (never ``object``)."""
        raise NotImplementedError
