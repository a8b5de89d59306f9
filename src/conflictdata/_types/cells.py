"""How a column of text cells is read as its field's Table Schema type: one reader per type,
gathered from :mod:`.numbers`, :mod:`.temporal` and :mod:`.text`, each vectorised over the
whole column; and the typed value of a constraint bound, for comparing with them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from . import numbers, temporal, text
from .spec import FieldSpec, Read

__all__ = [
    "Reader",
    "bound",
    "bounds",
    "read_cells",
    "readers",
]


Reader = Callable[[FieldSpec, pa.ChunkedArray, np.ndarray], Read]
Bound = Callable[[FieldSpec, Any], Any]


@functools.cache
def readers() -> dict[str, Reader]:
    """Field type -> reader, from the modules that implement them."""
    return {**numbers.READERS, **temporal.READERS, **text.READERS}


@functools.cache
def bounds() -> dict[str, Bound]:
    """Field type -> the function that makes a minimum/maximum a comparable Arrow scalar."""
    return {**numbers.BOUNDS, **temporal.BOUNDS, **text.BOUNDS}


def read_cells(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    """The column ``s`` of field ``f`` read as its type (``present``: its non-missing cells)."""
    return readers()[f.type](f, s, present)


def bound(f: FieldSpec, value: Any) -> Any:
    """A constraint bound as an Arrow scalar comparable with ``read_cells(f, ...).typed``."""
    return bounds()[f.type](f, value)
