"""The text-like Table Schema types, string and boolean: which cells are values, and those
values as Arrow arrays, vectorised over the column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Field
from .cells import Read
from .kernels import np_mask

__all__ = ["READERS", "BOUNDS", "read_string", "read_boolean"]


def read_string(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    """Every present cell is a string; compared as text (typed None: built on demand by
    TableData.value())."""
    return Read(present, None, "a string")


def read_boolean(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    tv, fv = list(f.true_values), list(f.false_values)
    is_t = np_mask(pc.is_in(s, value_set=pa.array(tv, pa.string())))
    is_f = np_mask(pc.is_in(s, value_set=pa.array(fv, pa.string())))
    valid = present & (is_t | is_f)
    return Read(valid, pa.array(is_t, pa.bool_(), mask=~valid),
                f"a boolean ({'/'.join(tv)} or {'/'.join(fv)})")


def _string_bound(f: Field, value: Any) -> Any:
    return pa.scalar(str(value), pa.string())


READERS = {"string": read_string, "boolean": read_boolean}
BOUNDS = {"string": _string_bound}
