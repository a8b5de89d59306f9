"""Stable IDs: parsing ``PREFIX + digits`` keys (``evt-0001``) with numpy, and the row order
of a release, which goes by the ID's number so that ``evt-9999`` comes before ``evt-10000``.

Validation (key uniqueness, foreign keys, the one spelling of a number), the build (release
row order) and the diff use these, so an ID means the same number everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .kernels import string_buffers

__all__ = ["MAX_DIGITS", "IdInts", "id_pattern", "parse_ids", "release_order"]

#: A Table Schema pattern of the form ``^PREFIX[0-9]{K,}$`` (IDs such as ``evt-0001``).
_ID_PATTERN = re.compile(r"\^?([A-Za-z0-9_-]*)\[0-9\](?:\{([0-9]+),\}|(\+))\$?")
#: Digits parsed per cell at most (10**18 fits in int64); longer cells go to the regex.
MAX_DIGITS = 18


def id_pattern(pattern: str | None) -> tuple[bytes, int] | None:
    """(prefix, minimum digits) of an ID pattern ``^PREFIX[0-9]{K,}$``, else None."""
    m = _ID_PATTERN.fullmatch(pattern or "")
    if m is None:
        return None
    return m.group(1).encode(), 1 if m.group(3) else int(m.group(2))


@dataclass
class IdInts:
    """A string column read as PREFIX + 1..18 ASCII digits, with numpy on the Arrow bytes.

    A cell is ``ok`` when it is exactly that; it then is the pair (``val``, ``nd``): the
    digits' value and count, which give back the string, so equal pairs mean equal strings.
    ``long`` lists the rows with the prefix and more than 18 characters after it (not parsed).
    """

    ok: np.ndarray  # bool
    val: np.ndarray  # int64, 0 where not ok
    nd: np.ndarray  # int8 digit count, 0 where not ok
    long: np.ndarray  # int64 row indices

    def key_table(self) -> tuple[int, np.ndarray, np.ndarray] | None:
        """For a column of keys: (lowest value, row of each value - lowest, digit count of
        each) when every cell is ok, values are distinct and dense enough for a table.
        Computed once."""
        if "_table" not in self.__dict__:
            self.__dict__["_table"] = self._key_table()
        return self.__dict__["_table"]

    def _key_table(self) -> tuple[int, np.ndarray, np.ndarray] | None:
        n = len(self.ok)
        if n == 0 or not self.ok.all():
            return None
        lo, hi = int(self.val.min()), int(self.val.max())
        size = hi - lo + 1
        if size > 4 * n + (1 << 20):
            return None
        rel = self.val - lo
        if int(np.max(np.bincount(rel, minlength=size))) > 1:
            return None
        rows = np.full(size, -1, dtype=np.int32)
        rows[rel] = np.arange(n, dtype=np.int32)
        nds = np.zeros(size, dtype=np.int8)
        nds[rel] = self.nd
        return lo, rows, nds

    def lookup(self, table: tuple[int, np.ndarray, np.ndarray]) -> np.ndarray:
        """Each cell's row in the key column ``table`` was built from, -1 if none."""
        lo, rows, nds = table
        rel = self.val - lo
        inr = self.ok & (rel >= 0) & (rel < len(rows))
        pos = np.where(inr, rel, 0)
        found = np.where(inr, rows[pos], -1)
        found[nds[pos] != self.nd] = -1
        return found


def parse_ids(s: pa.ChunkedArray, prefix: bytes) -> IdInts:
    """Read every cell of ``s`` as ``prefix`` + digits (see :class:`IdInts`)."""
    n = len(s)
    ok = np.zeros(n, dtype=bool)
    val = np.zeros(n, dtype=np.int64)
    nd = np.zeros(n, dtype=np.int8)
    long = np.zeros(0, dtype=np.int64)
    chunk = s.combine_chunks() if isinstance(s, pa.ChunkedArray) else s
    off, data = string_buffers(chunk)
    if len(data) == 0:
        return IdInts(ok, val, nd, long)
    lp = len(prefix)
    lens = np.diff(off)
    rows = np.flatnonzero(lens > lp)
    st = off[rows].astype(np.int64)
    if lp:
        good = data[st] == prefix[0]
        for j in range(1, lp):
            good &= data[st + j] == prefix[j]
        rows, st = rows[good], st[good]
    st += lp
    dig = lens[rows] - lp
    big = dig > MAX_DIGITS
    if big.any():
        long = rows[big].astype(np.int64)
        rows, st, dig = rows[~big], st[~big], dig[~big]
    if len(rows) == 0:
        return IdInts(ok, val, nd, long)
    v = np.zeros(len(rows), dtype=np.int64)
    good = np.ones(len(rows), dtype=bool)
    shortest = int(dig.min())
    for j in range(int(dig.max())):
        if j < shortest:
            d = data[st + j] - np.uint8(48)
            good &= d <= 9
            v *= 10
            v += d
        else:
            act = dig > j
            d = data[np.where(act, st + j, st)] - np.uint8(48)
            good &= ~act | (d <= 9)
            v = np.where(act, v * 10 + d, v)
    rows = rows[good]
    ok[rows] = True
    val[rows] = v[good]
    nd[rows] = dig[good]
    return IdInts(ok, val, nd, long)


def release_order(
    keys: Sequence[str], pattern: str | None, cols: dict[str, pa.ChunkedArray]
) -> tuple[Any, bool]:
    """The row order of a release: by primary key. IDs of the form PREFIX + digits (the
    schemas' ``^evt-[0-9]{4,}$``) go by their number, so evt-9999 comes before evt-10000;
    any other key goes by its text. Returns (indices to take, or None when the rows are in
    order already; whether that order is also the keys' byte order, which Parquet's
    ``sorting_columns`` declares). ``keys``: the primary key's fields; ``pattern``: the
    pattern of its field when it has one field (an ID pattern orders by number)."""
    keys = list(keys)
    if not keys:
        return None, False
    if len(keys) == 1:
        idp = id_pattern(pattern)
        ids = parse_ids(cols[keys[0]], idp[0]) if idp else None
        if ids is not None and len(ids.ok) and ids.ok.all():
            val, nd = ids.val, ids.nd
            step_up = (val[1:] > val[:-1]) | ((val[1:] == val[:-1]) & (nd[1:] > nd[:-1]))
            in_order = bool(np.all(step_up))
            order = None if in_order else pa.array(np.lexsort((nd, val)))
            return order, bool(nd.min() == nd.max())
        col = cols[keys[0]]
        if len(col) < 2 or pc.all(pc.less(col.slice(0, len(col) - 1), col.slice(1))).as_py():
            return None, True
    key_table = pa.table({k: cols[k] for k in keys})
    return pc.sort_indices(key_table, [(k, "ascending") for k in keys]), True
