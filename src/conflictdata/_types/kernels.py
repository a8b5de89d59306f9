"""Byte kernels: numpy/Arrow operations over whole string columns that the checks share.

They read the UTF-8 bytes behind Arrow string arrays directly (no per-cell Python): calendar
arithmetic, the shape of dates, character lengths, cells at the edges of whitespace or a
formula, invisible characters and text that NFC normalisation could change.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "INVISIBLE",
    "LEADING_JUNK",
    "SPACE_OR_FORMULA",
    "char_lengths",
    "civil_from_days",
    "cycle_text",
    "cycles",
    "date_shape",
    "days_from_civil",
    "days_in_month",
    "edge_candidates",
    "find_all",
    "fixed_width_bytes",
    "invisible_rows",
    "leading_ymd",
    "non_nfc_candidates",
    "np_mask",
    "regex_mask",
    "string_buffers",
    "take_rows",
]

_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
#: by byte value: can a cell starting (ending) with it start (end) with whitespace, or be
#: formula-like? First / last UTF-8 bytes of every whitespace character, and = + - @.
_EDGE_FIRST = np.zeros(256, dtype=bool)
_EDGE_FIRST[[c.encode()[0] for c in _SPACES + list("=+-@")]] = True
_EDGE_LAST = np.zeros(256, dtype=bool)
_EDGE_LAST[[c.encode()[-1] for c in _SPACES]] = True
#: by code point (below U+3001): whitespace; whitespace or = + - @
_IS_SPACE = np.zeros(0x3001, dtype=bool)
_IS_SPACE[[ord(c) for c in _SPACES]] = True
SPACE_OR_FORMULA = _IS_SPACE.copy()
SPACE_OR_FORMULA[[ord(c) for c in "=+-@"]] = True
#: Characters that display as nothing or reorder text: bidirectional controls, zero-width
#: characters, the word joiner and U+FEFF (a BOM inside text).
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff"
LEADING_JUNK = "".join(_SPACES) + INVISIBLE


def np_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean result as a numpy bool array, null counted as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def find_all(arr: np.ndarray, value: int, *, at_least: bool = False) -> np.ndarray:
    """Offsets of every byte equal to (or with ``at_least``, not below) ``value``, scanned in
    16 MiB slices so the temporary masks stay small and in cache."""
    step = 1 << 24
    parts = []
    for i in range(0, len(arr), step):
        chunk = arr[i : i + step]
        hit = np.flatnonzero(chunk >= value if at_least else chunk == value)
        parts.append(hit + i if i else hit)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def take_rows(s: pa.ChunkedArray | pa.Array, idx: np.ndarray) -> pa.Array:
    """``s.take(idx)`` for a few sorted row indices without concatenating every chunk first
    (Arrow's chunked take does): each chunk takes only its own rows."""
    if not isinstance(s, pa.ChunkedArray):
        return s.take(pa.array(np.asarray(idx, dtype=np.int64)))
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) == 0 or s.num_chunks == 0:
        return pa.array([], s.type) if len(idx) == 0 else s.take(pa.array(idx))
    if len(idx) > 1 and not (idx[1:] >= idx[:-1]).all():
        return s.take(pa.array(idx))
    lens = np.fromiter((len(c) for c in s.chunks), dtype=np.int64, count=s.num_chunks)
    starts = np.concatenate(([0], np.cumsum(lens)))
    which = np.searchsorted(starts, idx, side="right") - 1
    cut = np.flatnonzero(np.diff(which)) + 1
    parts = [
        s.chunk(int(which[a])).take(pa.array(idx[a:b] - starts[which[a]]))
        for a, b in zip(
            np.concatenate(([0], cut)).tolist(),
            np.concatenate((cut, [len(idx)])).tolist(),
            strict=True,
        )
    ]
    return pa.concat_arrays(parts) if len(parts) > 1 else parts[0]


def string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The ``len(chunk) + 1`` offsets of a string array's cells (of this slice of it) and
    the UTF-8 bytes they index, as numpy views of its Arrow buffers, without a copy. The
    bytes are empty when every cell is (or there are none)."""
    n = len(chunk)
    _, offsets, values = chunk.buffers()
    odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    if n == 0 or offsets is None:
        return np.zeros(1, dtype=odt), np.zeros(0, dtype=np.uint8)
    off = np.frombuffer(offsets, dtype=odt)[chunk.offset : chunk.offset + n + 1]
    data = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, np.uint8)
    return off, data


def regex_mask(s: pa.ChunkedArray | pa.Array, pattern: str) -> np.ndarray:
    """Full-match mask of a Table Schema pattern, by RE2 (linear time; the schema model refuses
    patterns RE2 cannot compile)."""
    return np_mask(pc.match_substring_regex(s, f"^(?:{pattern})$"))


def days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return dim[np.clip(m, 0, 12)] + ((m == 2) & leap)


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01 (H. Hinnant's algorithm, the inverse of
    :func:`days_from_civil`)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def date_shape(s: pa.ChunkedArray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Which cells are exactly ``[0-9]{4}-[0-9]{2}-[0-9]{2}``, and their year, month, day
    (0 elsewhere): read from the Arrow string bytes with numpy."""
    oks: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    dash = np.array([4, 7])
    digit = np.array([0, 1, 2, 3, 5, 6, 8, 9])
    for chunk in s.chunks:
        n = len(chunk)
        ok = np.zeros(n, dtype=bool)
        ymd = np.zeros((3, n), dtype=np.int64)
        off, data = string_buffers(chunk)
        if len(data):
            rows = np.flatnonzero((off[1:] - off[:-1]) == 10)
            b = data[off[rows].astype(np.int64)[:, None] + np.arange(10)]
            dg = b[:, digit] - np.uint8(48)
            good = (dg <= 9).all(axis=1) & (b[:, dash] == 45).all(axis=1)
            rows, dg = rows[good], dg[good].astype(np.int64)
            ok[rows] = True
            ymd[0, rows] = dg[:, 0] * 1000 + dg[:, 1] * 100 + dg[:, 2] * 10 + dg[:, 3]
            ymd[1, rows] = dg[:, 4] * 10 + dg[:, 5]
            ymd[2, rows] = dg[:, 6] * 10 + dg[:, 7]
        oks.append(ok)
        parts.append(ymd)
    if not parts:
        return np.zeros(0, dtype=bool), tuple(np.zeros((3, 0), dtype=np.int64))
    r = np.concatenate(parts, axis=1)
    return np.concatenate(oks), (r[0], r[1], r[2])


def fixed_width_bytes(
    s: pa.ChunkedArray, widths: tuple[int, ...]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each byte width: the row indices of the cells exactly that many bytes long, and
    their bytes as a (rows, width) uint8 matrix, gathered from the Arrow buffers with numpy."""
    found: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {w: ([], []) for w in widths}
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        off, data = string_buffers(chunk)
        if len(data):
            length = off[1:] - off[:-1]
            for w in widths:
                rows = np.flatnonzero(length == w)
                if len(rows):
                    found[w][0].append(rows + base)
                    found[w][1].append(data[off[rows].astype(np.int64)[:, None] + np.arange(w)])
        base += n
    return {
        w: (
            np.concatenate(r) if r else np.zeros(0, dtype=np.int64),
            np.concatenate(b) if b else np.zeros((0, w), dtype=np.uint8),
        )
        for w, (r, b) in found.items()
    }


def leading_ymd(s: pa.ChunkedArray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of cells that start with YYYY-MM-DD (``ok``), read straight from the
    Arrow string bytes with numpy gathers (other rows give 0)."""
    pos = 0
    parts: list[np.ndarray] = []
    for chunk in s.chunks:
        n = len(chunk)
        okc = ok[pos : pos + n]
        pos += n
        res = np.zeros((10, n), dtype=np.int64)
        if okc.any():
            off, data = string_buffers(chunk)
            start = np.where(okc, off[:-1], 0).astype(np.int64)
            for k in (0, 1, 2, 3, 5, 6, 8, 9):
                res[k] = data[start + k].astype(np.int64) - 48
            res[:, ~okc] = 0
        parts.append(res)
    r = np.concatenate(parts, axis=1) if parts else np.zeros((10, 0), dtype=np.int64)
    return (r[0] * 1000 + r[1] * 100 + r[2] * 10 + r[3], r[5] * 10 + r[6], r[8] * 10 + r[9])


def char_lengths(
    s: pa.ChunkedArray, present: np.ndarray, lo: int | None, hi: int | None
) -> np.ndarray:
    """Characters per cell where a length bound could fail, else the byte count (as good:
    a cell of b UTF-8 bytes has between ceil(b/4) and b characters, so only cells with
    b <= 4*(lo-1) or b > hi are counted)."""
    nbytes = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False), dtype=np.int64)
    need = np.zeros(len(nbytes), dtype=bool)
    if lo is not None:
        need |= nbytes <= 4 * (lo - 1)
    if hi is not None:
        need |= nbytes > hi
    need &= present
    idx = np.flatnonzero(need)
    if len(idx) > len(nbytes) // 8:
        return np.asarray(pc.utf8_length(s).to_numpy(zero_copy_only=False), dtype=np.int64)
    if len(idx):
        nbytes[idx] = pc.utf8_length(take_rows(s, idx)).to_numpy(zero_copy_only=False)
    return nbytes


def edge_candidates(s: pa.ChunkedArray) -> np.ndarray:
    """Rows whose first or last character is whitespace, or whose first is one of = + - @:
    the characters decoded from the column's UTF-8 bytes with numpy (only the first and last
    of each cell, and only where a lead byte could start whitespace); only these get decoded."""
    found: list[np.ndarray] = []
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        off, data = string_buffers(chunk)
        if len(data):
            rows = np.flatnonzero(off[1:] > off[:-1])
            first = off[rows].astype(np.int64)
            last = off[rows + 1].astype(np.int64) - 1
            hit = _EDGE_FIRST[data[first]] | _EDGE_LAST[data[last]]
            rows, first, last = rows[hit], first[hit], last[hit]
            if len(rows):
                found.append(rows[_edge_space_or_formula(data, first, last)] + base)
        base += n
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _edge_space_or_formula(data: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """For cells from byte ``first`` to ``last`` (valid UTF-8): does the first character
    belong to _SPACES or = + - @, or the last to _SPACES? (No 4-byte character does.)"""
    top = len(data) - 1

    def byte(pos: np.ndarray) -> np.ndarray:
        return data[np.clip(pos, 0, top)].astype(np.int64)

    b0, b1, b2 = byte(first), byte(first + 1), byte(first + 2)
    cp = np.where(
        b0 < 0x80,
        b0,
        np.where(
            b0 < 0xE0,
            ((b0 & 0x1F) << 6) | (b1 & 0x3F),
            np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F), -1),
        ),
    )
    ok = (
        SPACE_OR_FORMULA[np.clip(cp, 0, len(SPACE_OR_FORMULA) - 1)]
        & (cp >= 0)
        & (cp < len(SPACE_OR_FORMULA))
    )
    e1, e2, e3 = byte(last), byte(last - 1), byte(last - 2)
    cont1, cont2 = (e1 & 0xC0) == 0x80, (e2 & 0xC0) == 0x80
    two = cont1 & (e2 >= 0xC0) & (e2 < 0xE0) & (last - 1 >= first)
    three = cont1 & cont2 & (e3 >= 0xE0) & (e3 < 0xF0) & (last - 2 >= first)
    cp = np.where(
        e1 < 0x80,
        e1,
        np.where(
            two,
            ((e2 & 0x1F) << 6) | (e1 & 0x3F),
            np.where(three, ((e3 & 0x0F) << 12) | ((e2 & 0x3F) << 6) | (e1 & 0x3F), -1),
        ),
    )
    ok |= _IS_SPACE[np.clip(cp, 0, len(_IS_SPACE) - 1)] & (cp >= 0) & (cp < len(_IS_SPACE))
    return ok


def _invisible_at(data: np.ndarray) -> np.ndarray:
    """Byte offsets in UTF-8 ``data`` where an INVISIBLE character starts: E2 80 8B-8D,
    E2 80 AA-AE, E2 81 A0, E2 81 A6-A9 or EF BB BF, matched with numpy."""
    n = len(data)
    if n < 3:
        return np.zeros(0, dtype=np.int64)
    e2 = find_all(data[: n - 2], 0xE2)
    b1, b2 = data[e2 + 1], data[e2 + 2]
    hit = ((b1 == 0x80) & (((b2 >= 0x8B) & (b2 <= 0x8D)) | ((b2 >= 0xAA) & (b2 <= 0xAE)))) | (
        (b1 == 0x81) & ((b2 == 0xA0) | ((b2 >= 0xA6) & (b2 <= 0xA9)))
    )
    ef = find_all(data[: n - 2], 0xEF)
    bom = (data[ef + 1] == 0xBB) & (data[ef + 2] == 0xBF)
    return np.union1d(e2[hit], ef[bom])


def invisible_rows(s: pa.ChunkedArray) -> np.ndarray:
    """Row indices of the cells holding a character of :data:`INVISIBLE`."""
    rows: list[np.ndarray] = []
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        off, data = string_buffers(chunk)
        if len(data):
            pos = _invisible_at(data[off[0] : off[-1]])
            if len(pos):
                r = np.searchsorted(off - off[0], pos, side="right") - 1
                rows.append(np.unique(r) + base)
        base += n
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


@functools.lru_cache(maxsize=1)
def _nfc_suspect_codepoints() -> np.ndarray:
    """Every character NFC can change or compose with its predecessor (combining marks,
    NFC_QC=No/Maybe, second halves of canonical pairs, Hangul jamo); text without any of them
    is already NFC. Nothing above U+2FFFF decomposes."""
    cps: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(0x80, 0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if unicodedata.combining(c) or not unicodedata.is_normalized("NFC", c):
            cps.add(cp)
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                cps.add(int(parts[1], 16))
    return np.asarray(sorted(cps), dtype=np.int64)


@functools.lru_cache(maxsize=1)
def _nfc_tables() -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables for :func:`_suspect_offsets`: by a character's first two UTF-8 bytes,
    0 = never a suspect, 1 = always (or: do not bother), 2 = depends on the third byte; and
    a flag per BMP code point for that third-byte check."""
    pair = np.zeros(1 << 16, dtype=np.uint8)
    bmp = np.zeros(1 << 16, dtype=bool)
    for cp in _nfc_suspect_codepoints().tolist():
        enc = chr(cp).encode("utf-8")
        k = (enc[0] << 8) | enc[1]
        if len(enc) == 3:
            pair[k] = max(pair[k], 2)
            bmp[cp] = True
        else:
            pair[k] = 1
    return pair, bmp


def _suspect_offsets(arr: np.ndarray, first: bool = False) -> np.ndarray:
    """Byte offsets in UTF-8 ``arr`` where a character NFC could change starts (with
    ``first``, at most one). Lead bytes >= 0xCC are looked up in a two-byte table; only
    pairs that start a mixed block are decoded to the code point. Numpy, in 16 MiB slices."""
    pair, bmp = _nfc_tables()
    step = 1 << 24
    found: list[np.ndarray] = []
    for i in range(0, len(arr), step):
        chunk = arr[i : i + step + 3]
        lead = np.flatnonzero(chunk[:step] >= 0xCC)  # U+0300 and up start with 0xCC or more
        if len(lead) == 0:
            continue
        if len(chunk) < step + 3:  # the last slice: pad so every lead byte has 2 after it
            chunk = np.concatenate((chunk, np.zeros(3, dtype=np.uint8)))
        state = pair[(chunk[lead].astype(np.uint16) << 8) | chunk[lead + 1]]
        pos = lead[state == 2]
        cp = (
            ((chunk[pos].astype(np.int64) & 0x0F) << 12)
            | ((chunk[pos + 1].astype(np.int64) & 0x3F) << 6)
            | (chunk[pos + 2] & 0x3F)
        )
        hits = np.union1d(lead[state == 1], pos[bmp[cp]])
        if len(hits):
            found.append(hits + i)
            if first:
                break
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def non_nfc_candidates(s: pa.ChunkedArray) -> np.ndarray:
    """Row indices of the cells of a text column holding a character NFC could change,
    found in the column's UTF-8 bytes (no per-cell regex)."""
    rows: list[np.ndarray] = []
    base = 0
    for chunk in s.chunks:
        n = len(chunk)
        off, data = string_buffers(chunk)
        if len(data):
            pos = _suspect_offsets(data[off[0] : off[-1]])
            if len(pos):
                r = np.searchsorted(off - off[0], pos, side="right") - 1
                rows.append(np.unique(r) + base)
        base += n
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


def cycles(parent: np.ndarray) -> dict[int, list[int]]:
    """Rows on a cycle of a self reference, each mapped to its cycle (rows in link order).

    ``parent[i]`` is the row that row ``i`` points to, or ``len(parent)`` for none (a root).
    Pointer doubling finds the (rare) rows that never reach a root; only those are walked in
    Python to pick out the cycles themselves."""
    n = len(parent)
    nxt = np.append(parent.astype(np.int64), n)
    orig = nxt.copy()
    steps = 1
    while steps <= n + 1:
        after = nxt[nxt]
        steps *= 2
        if np.array_equal(after, nxt):  # a fixed point: more doubling changes nothing
            break
        nxt = after
    on_cycle: dict[int, list[int]] = {}
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for c in np.flatnonzero(nxt[:n] != n).tolist():
        path: list[int] = []
        x = c
        while x != n and state.get(x) is None:
            state[x] = 1
            path.append(x)
            x = int(orig[x])
        if x != n and state.get(x) == 1:
            cyc = path[path.index(x) :]
            for y in cyc:
                on_cycle[y] = cyc
        for y in path:
            state[y] = 2
    return on_cycle


def cycle_text(cycle: list[int], start: int, id_of: dict[int, Any]) -> str:
    """A cycle as the IDs it passes, from ``start`` back to it (long ones shortened)."""
    k = cycle.index(start)
    names = [str(id_of[y]) for y in cycle[k:] + cycle[:k] + [start]]
    if len(names) > 8:
        names = [*names[:4], "…", *names[-2:]]
    return " → ".join(names)
