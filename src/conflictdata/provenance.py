"""The optional provenance check (``--sources-dir``): every ``source_excerpt`` must occur in
its source's text, compared after normalising whitespace and typographic punctuation."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columnchecks import Collector, TableData, _q, np_mask
from .relations import source_links

__all__ = ["check_provenance", "excerpt_in_text", "normalise_text"]

_TYPO = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2026": "...",
})
_WS = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\s*){3}\s*|\s*\[\s*\.\.\.\s*\]\s*")


def normalise_text(text: str) -> str:
    """Whitespace collapsed, typographic quotes/apostrophes/ellipses made plain, NFC."""
    text = unicodedata.normalize("NFC", text).translate(_TYPO)
    return _WS.sub(" ", text).strip()


def excerpt_in_text(excerpt: str, text: str) -> bool:
    """True if the normalised excerpt occurs in the normalised text; an ellipsis in the excerpt
    may stand for an omission, so its parts must then occur in order."""
    ex = normalise_text(excerpt)
    if not ex or ex in text:
        return True
    parts = [p for p in _ELLIPSIS.split(ex) if p.strip()]
    if len(parts) < 2 and parts == [ex]:
        return False
    pos = 0
    for part in parts:
        k = text.find(part.strip(), pos)
        if k < 0:
            return False
        pos = k + len(part.strip())
    return True


def check_provenance(tds: dict[str, TableData], folder: Path, out: Collector) -> dict[str, Any]:
    """E404: each source_excerpt occurs in its source's text file (when that file exists)."""
    texts: dict[str, str] = {}
    checked = 0
    for td, fk in source_links(tds):
        if not td.readable or "source_excerpt" not in td.raw or "source_id" not in td.raw:
            continue
        sid = td.raw["source_id"]
        uniq = [u for u in pc.unique(sid).to_pylist() if u]
        for u in uniq:
            if u not in texts:
                p = folder / f"{u}.txt"
                if p.is_file():
                    texts[u] = normalise_text(p.read_text(encoding="utf-8", errors="replace"))
        have = [u for u in uniq if u in texts]
        if not have:
            continue
        rows = np.flatnonzero(np_mask(pc.is_in(sid, value_set=pa.array(have, pa.string()))))
        ids = sid.take(pa.array(rows)).to_pylist()
        excerpts = td.raw["source_excerpt"].take(pa.array(rows)).to_pylist()
        bad = [r for r, s, e in zip(rows.tolist(), ids, excerpts)
               if not excerpt_in_text(e, texts[s])]
        checked += len(rows)
        out.rows("E404", td, np.asarray(bad, dtype=np.int64), "source_excerpt",
                 lambda v, x: f"excerpt {_q(v)} does not occur in {x['s']}.txt",
                 extra={"s": sid})
    return {"sources_with_text": sorted(texts), "excerpts_checked": checked}
