"""What every type reader takes and gives: the field it reads (:class:`FieldSpec`), the
column read (:class:`Read`), and the refusal of a value it cannot compare exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

__all__ = ["FieldSpec", "Read", "RefusedCells"]


class FieldSpec(Protocol):
    """What a reader needs of a field (the schema model's ``Field`` is one): its name, Table
    Schema type and format, its boolean spellings and its descriptor (number options)."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def true_values(self) -> tuple[str, ...]: ...
    @property
    def false_values(self) -> tuple[str, ...]: ...
    @property
    def raw(self) -> dict[str, Any]: ...


class RefusedCells(Exception):
    """A reader met a value it cannot compare exactly (an integer beyond int64, a
    signalling NaN): the caller refuses the run with an UnsupportedFeatureError naming the
    resource and field."""

    def __init__(self, feature: str, value: str, why: str) -> None:
        super().__init__(feature)
        self.feature, self.value, self.why = feature, value, why


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
