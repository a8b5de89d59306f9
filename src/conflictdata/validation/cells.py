"""How a column of text cells is read as its field's Table Schema type: one reader per type,
gathered from :mod:`.numbers`, :mod:`.temporal` and :mod:`.text`, each vectorised over the
whole column; and the typed value of a constraint bound, for comparing with them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..schema import Field

__all__ = ["Read", "Reader", "RefusedCells", "bound", "bounds", "read_cells", "readers"]


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


Reader = Callable[[Field, pa.ChunkedArray, np.ndarray], Read]
Bound = Callable[[Field, Any], Any]


@functools.cache
def readers() -> dict[str, Reader]:
    """Field type -> reader, from the modules that implement them."""
    from . import numbers, temporal, text

    return {**numbers.READERS, **temporal.READERS, **text.READERS}


@functools.cache
def bounds() -> dict[str, Bound]:
    """Field type -> the function that makes a minimum/maximum a comparable Arrow scalar."""
    from . import numbers, temporal, text

    return {**numbers.BOUNDS, **temporal.BOUNDS, **text.BOUNDS}


def read_cells(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    """The column ``s`` of field ``f`` read as its type (``present``: its non-missing cells)."""
    return readers()[f.type](f, s, present)


def bound(f: Field, value: Any) -> Any:
    """A constraint bound as an Arrow scalar comparable with ``read_cells(f, ...).typed``."""
    return bounds()[f.type](f, value)
