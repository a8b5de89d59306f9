"""The numeric Table Schema types, integer and number: which cells are values, and those
values as Arrow arrays, vectorised over the column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Field
from .cells import Read
from .kernels import np_mask

__all__ = ["READERS", "BOUNDS", "read_integer", "read_number"]

_INTEGER_RE = r"^-?[0-9]{1,18}$"
_NUMBER_RE = r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _cast_valid(s: pa.ChunkedArray, valid: np.ndarray, to: pa.DataType) -> np.ndarray:
    """The valid cells cast to ``to`` as a numpy array (0 elsewhere), casting only those."""
    if valid.all():
        return np.asarray(pc.cast(s, to).to_numpy(zero_copy_only=False))
    res = np.zeros(len(valid), dtype=to.to_pandas_dtype())
    if valid.any():
        res[valid] = pc.cast(s.filter(pa.array(valid)), to).to_numpy(zero_copy_only=False)
    return res


def read_integer(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    valid = present & np_mask(pc.match_substring_regex(s, _INTEGER_RE))
    typed = pa.array(_cast_valid(s, valid, pa.int64()), pa.int64(), mask=~valid)
    return Read(valid, typed, "an integer (digits with an optional leading '-')")


def read_number(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    valid = present & np_mask(pc.match_substring_regex(s, _NUMBER_RE))
    typed = pa.array(_cast_valid(s, valid, pa.float64()), pa.float64(), mask=~valid)
    return Read(valid, typed, "a number")


def _integer_bound(f: Field, value: Any) -> Any:
    return pa.scalar(int(value), pa.int64())


def _number_bound(f: Field, value: Any) -> Any:
    return pa.scalar(float(value), pa.float64())


READERS = {"integer": read_integer, "number": read_number}
BOUNDS = {"integer": _integer_bound, "number": _number_bound}
