"""Which text can NFC normalisation change? Answered from UTF-8 bytes with numpy, so the
W502 lint normalises only the rare candidate cells instead of every cell of every column."""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pyarrow as pa

__all__ = ["non_nfc_candidates"]


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
        chunk = arr[i:i + step + 3]
        lead = np.flatnonzero(chunk[:step] >= 0xCC)  # U+0300 and up start with 0xCC or more
        if len(lead) == 0:
            continue
        if len(chunk) < step + 3:  # the last slice: pad so every lead byte has 2 after it
            chunk = np.concatenate((chunk, np.zeros(3, dtype=np.uint8)))
        state = pair[(chunk[lead].astype(np.uint16) << 8) | chunk[lead + 1]]
        pos = lead[state == 2]
        cp = ((chunk[pos].astype(np.int64) & 0x0F) << 12) | (
            (chunk[pos + 1].astype(np.int64) & 0x3F) << 6) | (chunk[pos + 2] & 0x3F)
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
        if n:
            _, offsets, values = chunk.buffers()
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            off = np.frombuffer(offsets, dtype=odt)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(values, dtype=np.uint8)[off[0]:off[-1]] if values else \
                np.zeros(0, dtype=np.uint8)
            pos = _suspect_offsets(data)
            if len(pos):
                r = np.searchsorted(off - off[0], pos, side="right") - 1
                rows.append(np.unique(r) + base)
        base += n
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
