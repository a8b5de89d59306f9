"""A DataFrame as the checks' column interface (:class:`FrameData`, a
:class:`~conflictdata._checks.table.TableData`): the same checks as the CSV validator run on
it, so a frame and the CSV holding the same cells get the same findings.

A column that holds typed values (integers, floats, booleans, dates, timestamps, times)
is read as them by its field's type (:meth:`ValueType.read_typed`); any other column is read
as the text a CSV cell would hold, by the same reader as a CSV cell. A cell's text (what a
finding shows) is the type's writer's, and a null is the table's first missing value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.table import Collector, TableData
from .._tableschema.model import Field, TableSchema
from .._types.kernels import np_mask
from .._types.spec import Read
from .._types.temporal import iso_text

__all__ = ["FrameData", "cell_text", "without_blank_rows"]


def cell_text(v: Any) -> str | None:
    """A Python value as the CSV cell that holds it (None for a missing value)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        if v != v:
            return None
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if hasattr(v, "isoformat"):
        return v.isoformat().replace("+00:00", "Z")
    return str(v)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _as_arrow(s: pd.Series) -> tuple[pa.Array, np.ndarray | None]:
    """One column as a single Arrow array: categoricals decoded, a column of mixed Python
    values as their CSV text; and the rows whose cell holds a lone surrogate (only a column
    of Python objects can: no UTF-8 text holds one), shown as U+FFFD, or None."""
    not_text = None
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        texts = [cell_text(v) for v in s.astype(object)]
        bad = [t is not None and _SURROGATE.search(t) is not None for t in texts]
        if any(bad):
            not_text = np.array(bad, dtype=bool)
            texts = [t if t is None else _SURROGATE.sub("\ufffd", t) for t in texts]
        arr = pa.array(texts, pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    return arr, not_text


def _generic_text(arr: pa.Array) -> pa.Array:
    """Values of a type their field does not read as typed, as CSV text (then read by the
    field's reader like any cell)."""
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_boolean(arr.type):
        return pc.if_else(arr, "true", "false")
    try:
        return iso_text(arr)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([cell_text(v) for v in arr.to_pylist()], pa.string())


class _Columns(Mapping[str, pd.Series]):
    """The frame's columns that are schema fields (the first of a repeated name), each taken
    out of the frame when first asked for: a check that reads one column pays for one."""

    def __init__(self, df: pd.DataFrame, names: Sequence[str]) -> None:
        self._df = df
        wanted = set(names)
        self._at: dict[str, int] = {}
        for i, c in enumerate(df.columns):
            c = str(c)
            if c in wanted and c not in self._at:
                self._at[c] = i
        self._made: dict[str, pd.Series] = {}

    def __getitem__(self, name: str) -> pd.Series:
        got = self._made.get(name)
        if got is None:
            got = self._made[name] = self._df.iloc[:, self._at[name]].reset_index(drop=True)
        return got

    def __contains__(self, name: object) -> bool:
        return name in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


class _Texts(Mapping[str, pa.ChunkedArray]):
    """The frame's columns as cell text, each made when first asked for."""

    def __init__(self, fd: FrameData) -> None:
        self._fd = fd
        self._made: dict[str, pa.ChunkedArray] = {}

    def __getitem__(self, name: str) -> pa.ChunkedArray:
        got = self._made.get(name)
        if got is None:
            got = self._made[name] = self._fd._text(name)
        return got

    def __contains__(self, name: object) -> bool:
        return name in self._fd.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._fd.columns)

    def __len__(self) -> int:
        return len(self._fd.columns)


class FrameData(TableData):
    """One table's DataFrame, read as the checks read a CSV table. Rows are named by their
    position in the frame (``row 3``; ``positions``: each row's, when some were left out);
    findings have no line."""

    def __init__(
        self, schema: TableSchema, df: pd.DataFrame, positions: np.ndarray | None = None
    ) -> None:
        n = len(df)
        self.df = df
        self.positions = positions
        super().__init__(
            schema=schema, path=schema.name, n=n, readable=True, lines=np.zeros(n, np.int64)
        )
        names = schema.field_names
        #: the schema's fields the frame has, as its columns
        self.columns = _Columns(df, names)
        self._arrow: dict[str, pa.Array] = {}
        #: rows of a column whose cell holds a lone surrogate: no text, so E202
        self._not_text: dict[str, np.ndarray] = {}
        self._typed_read: dict[str, Read | None] = {}
        self.raw = _Texts(self)  # type: ignore[assignment]  # read-only, made on demand: checks only read raw
        self.colno = {name: i + 1 for i, name in enumerate(names)}
        pk = schema.primary_key
        if pk and all(k in self.columns for k in pk):
            self.keys = (
                self.raw[pk[0]]
                if len(pk) == 1
                else pc.binary_join_element_wise(*(self.raw[k] for k in pk), "|")
            )

    def arrow(self, name: str) -> pa.Array:
        got = self._arrow.get(name)
        if got is None:
            got, not_text = _as_arrow(self.columns[name])
            self._arrow[name] = got
            if not_text is not None:
                self._not_text[name] = not_text
        return got

    def _typed_form(self, f: Field) -> Read | None:
        """The column read as typed values by its type, or None: it is read as text."""
        if f.name not in self._typed_read:
            arr = self.arrow(f.name)
            self._typed_read[f.name] = (
                None if pa.types.is_string(arr.type) else f.value_type.read_typed(arr)
            )
        return self._typed_read[f.name]

    def _text(self, name: str) -> pa.ChunkedArray:
        f = self.schema.field(name)
        arr = self.arrow(name)
        typed = self._typed_form(f)
        text = f.value_type.write(arr) if typed is not None else _generic_text(arr)
        missing = self.schema.missing_values[0] if self.schema.missing_values else ""
        return pa.chunked_array([pc.fill_null(text, missing)], pa.string())

    def read_column(self, f: Field, present: np.ndarray) -> Read:
        typed = self._typed_form(f)
        if typed is not None:
            return typed
        r = super().read_column(f, present)
        not_text = self._not_text.get(f.name)
        if not_text is None:
            return r
        what = f"{r.what} (a cell with a lone surrogate is no text: no UTF-8 text holds one)"
        return dataclasses.replace(r, ok=r.ok & ~not_text, what=what)

    def is_present(self, name: str) -> np.ndarray:
        """A typed cell holds a value unless it is null; a text cell as in a CSV (not one of
        the missing values; a null is written as the first of them)."""
        got = self.present.get(name)
        if got is None:
            f = self.schema.field(name)
            if self._typed_form(f) is not None:
                got = self.present[name] = np_mask(pc.is_valid(self.arrow(name)))
            else:
                got = super().is_present(name)
        return got

    def row_name(self, i: int) -> str:
        return f"row {self.source_rows(np.array([i]))[0]}"

    def source_rows(self, idx: np.ndarray) -> np.ndarray:
        return idx if self.positions is None else self.positions[idx]

    def locate(self, idx: np.ndarray) -> list[tuple[str, int | None, int | None]]:
        return [(self.name, None, None)] * len(idx)


def without_blank_rows(fd: FrameData, out: Collector) -> FrameData:
    """The frame without its blank rows, each reported as a CSV's is: a row whose every cell
    is missing is no data row (E109), and has no primary key (E212) — the reader takes
    such a row out of a CSV table, and the checks never see it."""
    names = [n for n in fd.schema.field_names if n in fd.columns]
    if fd.n == 0 or not names:
        return fd
    blank = np.ones(fd.n, dtype=bool)
    for n in names:  # most frames are done after their first column
        blank &= ~fd.is_present(n)
        if not blank.any():
            return fd
    idx = np.flatnonzero(blank)
    out.rows("E109", fd, idx, None, lambda v, x: "a row of only empty cells")
    pk = fd.schema.primary_key
    if pk:
        out.rows("E212", fd, idx, pk[0], lambda v, x: "a blank row has no primary key value")
    keep = np.flatnonzero(~blank)
    return FrameData(fd.schema, fd.df.iloc[keep], fd.source_rows(keep))
