"""The temporal Table Schema types, date and datetime: which cells are values (the calendar
checked), and those values as Arrow arrays, read from the UTF-8 bytes with numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Field
from .cells import Read
from .kernels import date_shape, days_from_civil, days_in_month, leading_ymd, np_mask

__all__ = ["READERS", "BOUNDS", "read_date", "read_datetime"]

_DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_NULL_STR = pa.scalar(None, pa.string())


def _calendar(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    return (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month(y, m))


def read_date(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    shaped, (y, m, d) = date_shape(s)  # the shape YYYY-MM-DD and its numbers in one pass
    shaped &= present
    real = _calendar(y, m, d)
    valid = shaped & real
    days = days_from_civil(y, m, d)
    typed = pa.array(days.astype(np.int32), pa.date32(), mask=~valid)
    return Read(valid, typed, "a date in the form YYYY-MM-DD",
                impossible=np.flatnonzero(shaped & ~real), ymd=(y, m, d))


def read_datetime(f: Field, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    shaped = present & np_mask(pc.match_substring_regex(s, _DATETIME_RE))
    y, m, d = leading_ymd(s, shaped)
    real = _calendar(y, m, d)
    valid = shaped & real
    typed = pc.if_else(pa.array(valid), s.combine_chunks(), _NULL_STR)
    return Read(valid, typed, "a datetime in the form YYYY-MM-DDThh:mm:ss[Z|+hh:mm]",
                impossible=np.flatnonzero(shaped & ~real), ymd=(y, m, d))


def _date_bound(f: Field, value: Any) -> Any:
    y, m, d = (int(p) for p in str(value).split("-"))
    days = int(days_from_civil(np.array([y]), np.array([m]), np.array([d]))[0])
    return pa.scalar(days, pa.date32())


def _datetime_bound(f: Field, value: Any) -> Any:
    return pa.scalar(str(value), pa.string())


READERS = {"date": read_date, "datetime": read_datetime}
BOUNDS = {"date": _date_bound, "datetime": _datetime_bound}
