"""The optional provenance check (``--sources-dir``): every ``source_excerpt`` must occur in
its source's text, compared after normalising whitespace and typographic punctuation."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.table import Collector, TableData, quote
from .._tableschema.model import ForeignKey
from .._types.kernels import np_mask
from .lints import source_links

__all__ = ["check_provenance", "excerpt_in_text", "normalise_text"]

_TYPO = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2026": "...",
    }
)
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


#: A source ID used as a file name: no path separators, no leading dot.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
#: Source texts larger than this are not read (E405 says so).
MAX_TEXT_BYTES = 64 << 20


def _read_text(folder: Path, base: Path, source_id: str) -> str | None:
    """The text of ``<folder>/<source_id>.txt`` if it is a regular file inside the folder
    (symbolic links resolved) of bounded size; None otherwise."""
    if not _SAFE_ID.fullmatch(source_id) or ".." in source_id:
        return None
    p = folder / f"{source_id}.txt"
    try:
        real = p.resolve()
        if base not in real.parents:
            return None
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_TEXT_BYTES:
            return None
        with open(real, "rb") as fh:
            return fh.read(MAX_TEXT_BYTES + 1).decode("utf-8", errors="replace")
    except (OSError, RuntimeError, ValueError):
        return None


def check_provenance(tds: dict[str, TableData], folder: Path, out: Collector) -> dict[str, Any]:
    """E404: each source_excerpt occurs in its source's text file; E405: a cited source has
    no text file in ``folder``; E406: not one excerpt could be checked."""
    texts: dict[str, str] = {}
    missing: dict[str, tuple[TableData, ForeignKey, int]] = {}
    checked = 0
    try:
        base = folder.resolve()
    except (OSError, RuntimeError):
        base = folder
    for td, fk in source_links(tds):
        cites, excerpt = fk.fields[0], td.schema.excerpt_field
        if not td.readable or excerpt is None or excerpt not in td.raw or cites not in td.raw:
            continue
        sid = td.raw[cites]
        uniq = [u for u in pc.unique(sid).to_pylist() if u]
        for u in uniq:
            if u not in texts and u not in missing:
                text = _read_text(folder, base, u)
                if text is None:
                    first = int(np.flatnonzero(np_mask(pc.equal(sid, u)))[0])
                    missing[u] = (td, fk, first)
                else:
                    texts[u] = normalise_text(text)
        have = [u for u in uniq if u in texts]
        if not have:
            continue
        rows = np.flatnonzero(np_mask(pc.is_in(sid, value_set=pa.array(have, pa.string()))))
        ids = sid.take(pa.array(rows)).to_pylist()
        excerpts = td.raw[excerpt].take(pa.array(rows)).to_pylist()
        bad = [
            r for r, s, e in zip(rows.tolist(), ids, excerpts) if not excerpt_in_text(e, texts[s])
        ]
        checked += len(rows)
        out.rows(
            "E404",
            td,
            np.asarray(bad, dtype=np.int64),
            excerpt,
            lambda v, x: f"excerpt {quote(v)} does not occur in {x['s']}.txt",
            extra={"s": sid},
        )
    _report_missing(tds, missing, folder, out)
    if checked == 0:
        out.one(
            "E406",
            table=None,
            path=str(folder),
            line=None,
            message="--sources-dir was given but not one source_excerpt was checked: "
            "no cited source has a <source_id>.txt text here",
        )
    return {
        "sources_with_text": sorted(texts),
        "sources_without_text": sorted(missing),
        "excerpts_checked": checked,
    }


def _report_missing(
    tds: dict[str, TableData],
    missing: dict[str, tuple[TableData, ForeignKey, int]],
    folder: Path,
    out: Collector,
) -> None:
    """E405 at the source's own row (or, for a source not in its table, the first row
    citing it)."""
    for u, (citing, fk, first) in missing.items():
        src = tds.get(fk.resource)
        msg = f"source {u!r} is cited but {folder}/ has no readable text file for it"
        ref = (
            src.schema.primary_key[0]
            if src is not None and len(src.schema.primary_key) == 1
            else None
        )
        if src is not None and src.readable and ref in src.raw:
            at = np.flatnonzero(np_mask(pc.equal(src.raw[ref], u)))[:1]
            if len(at):
                out.rows("E405", src, at, ref, lambda v, x: msg)
                continue
        out.rows(
            "E405", citing, np.asarray([first], dtype=np.int64), fk.fields[0], lambda v, x: msg
        )
