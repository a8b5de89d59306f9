"""Layer 5, lints (warnings): surrounding whitespace, text not in NFC, formula-like cells,
formulas hidden behind whitespace or invisible characters, invisible characters, and
sources no row cites."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._checks.table import Collector, TableData, quote
from .._tableschema.model import Field, ForeignKey
from .._types.ids import id_pattern
from .._types.kernels import (
    INVISIBLE,
    LEADING_JUNK,
    SPACE_OR_FORMULA,
    edge_candidates,
    invisible_rows,
    non_nfc_candidates,
    np_mask,
    take_rows,
)

__all__ = ["check_lints", "check_unused_sources", "source_links"]

_END = 2**31 - 1
_FORMULA_STARTS = pa.array(["=", "+", "-", "@"])
_PLAIN_NUMBER_RE = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _invisible_names(text: str) -> str:
    """The invisible characters in ``text``, named, for a W506 message."""
    import unicodedata

    found = sorted({c for c in text if c in INVISIBLE})
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in found) + (
        ", invisible characters that hide or reorder text"
    )


def _hidden_formulas(td: TableData, name: str, rows: np.ndarray, out: Collector) -> None:
    """W505 among ``rows`` (cells starting with whitespace or holding invisible characters):
    after the leading whitespace and invisible characters comes = + - @ (not a number)."""
    if len(rows) == 0:
        return
    sub = take_rows(td.raw[name], rows)
    rest = pc.utf8_ltrim(sub, characters=LEADING_JUNK)
    hidden = (
        np_mask(pc.less(pc.utf8_length(rest), pc.utf8_length(sub)))
        & np_mask(pc.is_in(pc.utf8_slice_codeunits(rest, 0, 1), value_set=_FORMULA_STARTS))
        & ~np_mask(pc.match_substring_regex(rest, _PLAIN_NUMBER_RE))
    )
    out.rows(
        "W505",
        td,
        rows[hidden],
        name,
        lambda v, x: (
            f"{quote(v)} starts with {_first_visible(v or '')!r} after whitespace "
            "or invisible characters: a spreadsheet may still run it as a "
            "formula"
        ),
    )


def _first_visible(text: str) -> str:
    return text.lstrip(LEADING_JUNK)[:1]


def _all_plain_ids(td: TableData, f: Field) -> bool:
    """True when every non-empty cell already parsed as an ID (prefix + digits) whose prefix
    starts with neither whitespace nor = + - @: no such cell can start or end with them."""
    idp = id_pattern(f.pattern)
    if idp is None:
        return False
    ids = td.ids.get((f.name, idp[0]))
    if ids is None or (idp[0] and SPACE_OR_FORMULA[min(idp[0][0], 0x3000)]):
        return False
    if td.schema.missing_values != ("",):
        return False  # "present" is not "non-empty" then; check every cell
    return bool((ids.ok | ~td.is_present(f.name)).all())


def check_lints(td: TableData, out: Collector) -> None:
    """Layer 5 (warnings): surrounding whitespace, non-NFC text, formula-like cells."""
    for f in td.schema.fields:
        if f.type != "string" or f.enum is not None or f.name not in td.raw:
            continue
        s = td.raw[f.name]
        name = f.name
        cand = np.zeros(0, dtype=np.int64) if _all_plain_ids(td, f) else edge_candidates(s)
        lead = np.zeros(0, dtype=np.int64)
        if len(cand):
            sub = take_rows(s, cand)
            first = pc.utf8_slice_codeunits(sub, 0, 1)
            lead = cand[np_mask(pc.utf8_is_space(first))]
            ws = np_mask(pc.utf8_is_space(first)) | np_mask(
                pc.utf8_is_space(pc.utf8_slice_codeunits(sub, -1, _END))
            )
            out.rows(
                "W501",
                td,
                cand[ws],
                name,
                lambda v, x: f"{quote(v)} starts or ends with whitespace",
            )
            formula = np_mask(pc.is_in(first, value_set=_FORMULA_STARTS)) & ~np_mask(
                pc.match_substring_regex(sub, _PLAIN_NUMBER_RE)
            )
            out.rows(
                "W503",
                td,
                cand[formula],
                name,
                lambda v, x: (
                    f"{quote(v)} starts with {(v or ' ')[0]!r}: a spreadsheet "
                    f"would run it as a formula"
                ),
            )
        ascii_only = pc.all(pc.string_is_ascii(s)).as_py()
        invisible = invisible_rows(s) if not ascii_only else np.zeros(0, dtype=np.int64)
        out.rows(
            "W506",
            td,
            invisible,
            name,
            lambda v, x: f"{quote(v)} holds {_invisible_names(v or '')}",
        )
        _hidden_formulas(td, name, np.union1d(lead, invisible), out)
        if not ascii_only:
            # Only a cell holding a character that NFC may change can be non-NFC.
            idx = non_nfc_candidates(s)
            if len(idx):
                sub = take_rows(s, idx)
                nfc = np_mask(pc.not_equal(pc.utf8_normalize(sub, "NFC"), sub))
                out.rows(
                    "W502",
                    td,
                    idx[nfc],
                    name,
                    lambda v, x: f"{quote(v)} is not in Unicode NFC form",
                )


def source_links(tds: dict[str, TableData]) -> list[tuple[TableData, ForeignKey]]:
    """Every (table, foreign key) citing a source: single-field keys on the table's
    source field (``source_id``)."""
    return [
        (td, fk)
        for td in tds.values()
        for fk in td.schema.foreign_keys
        if fk.fields == (td.schema.source_field,) and len(fk.reference_fields) == 1
    ]


def check_unused_sources(tds: dict[str, TableData], out: Collector) -> None:
    """W504: a source row that no source_id foreign key cites."""
    links = source_links(tds)
    for src_name in dict.fromkeys(fk.resource for _, fk in links):
        src = tds.get(src_name)
        fks = [(td, fk) for td, fk in links if fk.resource == src_name]
        if src is None or not src.readable:
            continue
        if not all(td.readable and fk.fields[0] in td.raw for td, fk in fks):
            continue  # a citing table could not be read: do not guess
        ref_field = fks[0][1].reference_fields[0]
        if ref_field not in src.raw:
            continue
        cited = pa.chunked_array(
            [c for td, fk in fks for c in td.raw[fk.fields[0]].chunks], pa.string()
        )
        used = np_mask(pc.is_in(src.raw[ref_field], value_set=pc.unique(cited)))
        idx = np.flatnonzero(~used & src.is_present(ref_field))
        out.rows("W504", src, idx, ref_field, lambda v, x: f"source {quote(v)} is cited by no row")
