"""The optional provenance check (``--sources-dir``): every ``source_excerpt`` must occur in
its source's text, compared after normalising whitespace and typographic punctuation."""

from __future__ import annotations

import hashlib
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


def _read_text(folder: Path, base: Path, source_id: str) -> bytes | None:
    """The bytes of ``<folder>/<source_id>.txt`` if it is a regular file inside the folder
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
            return fh.read(MAX_TEXT_BYTES + 1)
    except (OSError, RuntimeError, ValueError):
        return None


def check_provenance(tds: dict[str, TableData], folder: Path, out: Collector) -> dict[str, Any]:
    """E404: each source_excerpt occurs in its source's text file; E405: a cited source has
    no text file in ``folder``; E406: not one excerpt could be checked."""
    texts: dict[str, str] = {}
    missing: dict[str, tuple[TableData, ForeignKey, int]] = {}
    pinned = _pinned_hashes(tds)
    wrong: set[str] = set()
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
            if u not in texts and u not in missing and u not in wrong:
                data = _read_text(folder, base, u)
                if data is None:
                    first = int(np.flatnonzero(np_mask(pc.equal(sid, u)))[0])
                    missing[u] = (td, fk, first)
                elif _differs(u, data, pinned, folder, out):
                    wrong.add(u)
                else:
                    texts[u] = normalise_text(data.decode("utf-8", errors="replace"))
        have = [u for u in uniq if u in texts]
        if not have:
            continue
        rows = np.flatnonzero(np_mask(pc.is_in(sid, value_set=pa.array(have, pa.string()))))
        ids = sid.take(pa.array(rows)).to_pylist()
        excerpts = td.raw[excerpt].take(pa.array(rows)).to_pylist()
        bad = [
            r
            for r, s, e in zip(rows.tolist(), ids, excerpts, strict=True)
            if not excerpt_in_text(e, texts[s])
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
    if checked == 0 and not wrong:  # texts that are not the pinned ones say so (E409)
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
        "sources_with_another_text": sorted(wrong),
        "excerpts_checked": checked,
    }


def _pinned_hashes(tds: dict[str, TableData]) -> dict[str, tuple[TableData, int, str]]:
    """Source ID -> (its table, its row, the text's SHA-256 it declares), for every source row
    whose ``text_sha256`` is filled."""
    pinned: dict[str, tuple[TableData, int, str]] = {}
    for src_name in dict.fromkeys(fk.resource for _, fk in source_links(tds)):
        src = tds.get(src_name)
        if src is None or not src.readable or len(src.schema.primary_key) != 1:
            continue
        key, field = src.schema.primary_key[0], src.schema.text_hash_field
        if field is None or key not in src.raw or field not in src.raw:
            continue
        rows = np.flatnonzero(src.is_present(field) & src.is_present(key))
        ids = src.raw[key].take(pa.array(rows)).to_pylist()
        digests = src.raw[field].take(pa.array(rows)).to_pylist()
        for r, i, d in zip(rows.tolist(), ids, digests, strict=True):
            pinned.setdefault(i, (src, r, d.strip().lower()))
    return pinned


def _differs(
    source_id: str,
    data: bytes,
    pinned: dict[str, tuple[TableData, int, str]],
    folder: Path,
    out: Collector,
) -> bool:
    """E409 and True when the text's SHA-256 is not the one its source row declares."""
    if source_id not in pinned:
        return False
    src, row, declared = pinned[source_id]
    actual = hashlib.sha256(data).hexdigest()
    if actual == declared:
        return False
    field = src.schema.text_hash_field
    out.rows(
        "E409",
        src,
        np.asarray([row], dtype=np.int64),
        field,
        lambda v, x: (
            f"{folder}/{source_id}.txt has SHA-256 {actual[:16]}…, not the {declared[:16]}… "
            f"this row declares: it is not the text the curators read, so the excerpts "
            "citing it were not checked against it"
        ),
    )
    return True


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

        def message(v: str | None, x: dict[str, Any], u: str = u) -> str:
            return f"source {u!r} is cited but {folder}/ has no readable text file for it"

        ref = (
            src.schema.primary_key[0]
            if src is not None and len(src.schema.primary_key) == 1
            else None
        )
        if src is not None and src.readable and ref in src.raw:
            at = np.flatnonzero(np_mask(pc.equal(src.raw[ref], u)))[:1]
            if len(at):
                out.rows("E405", src, at, ref, message)
                continue
        out.rows("E405", citing, np.asarray([first], dtype=np.int64), fk.fields[0], message)
