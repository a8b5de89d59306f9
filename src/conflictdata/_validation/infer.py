"""A CSV resource without a schema: its fields inferred exactly as frictionless 5's detector
infers them, so the table is validated against the schema frictionless would use.

frictionless reads the file's first 100 records (its sample, the header among them), keeps
the records after the header (not comments, not blank ones under skipBlankRows: its
fragment), and for each column tries the candidate types in a fixed order, each with its
default options: a non-missing cell it reads adds one to its score, one it does not read
takes one away; a candidate that falls below -10% of the fragment is dropped; the first
whose score reaches 90% of the column's non-missing cells so far (a row by row race) is the
field's type, ``any`` when none does. Names are the header labels (``fieldN`` for a blank
one, a repeated one numbered). The cells are read by this package's own types, which read
them as frictionless does; only a geojson candidate needs a JSON Schema check this package
does not make, so a column holding a JSON object in its sample is refused."""

from __future__ import annotations

import csv
import io
import json
from itertools import islice
from typing import Any

import numpy as np
import pyarrow as pa

from .._read.sniff import (
    effective_dialect,
    find_header_rows,
    is_comment,
    python_dialect,
    sample_lines,
)
from .._tableschema.model import Dialect
from .._types.cells import TYPES
from ..errors import UnsupportedFeatureError

__all__ = ["SAMPLE_SIZE", "infer_fields"]

#: frictionless' detector: records sampled, and the share of cells a type must read
SAMPLE_SIZE = 100
CONFIDENCE = 0.9
#: frictionless' DEFAULT_FIELD_CANDIDATES, in its order
CANDIDATES = (
    "yearmonth",
    "geopoint",
    "duration",
    "geojson",
    "object",
    "array",
    "datetime",
    "time",
    "date",
    "integer",
    "number",
    "boolean",
    "year",
    "string",
)


def _fragment(data: bytes, dialect: Dialect) -> list[list[str]]:
    """The records after the header among the first :data:`SAMPLE_SIZE`, as frictionless'
    csv.reader yields them (a blank line is an empty record)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    lines = sample_lines(data, start)
    eff = effective_dialect(lines, dialect)
    header_rows = find_header_rows(eff, lines, strict=False)
    stream = io.TextIOWrapper(
        io.BytesIO(data[start:]), encoding="utf-8", errors="replace", newline=""
    )
    try:
        sample = list(islice(csv.reader(stream, **python_dialect(eff)), SAMPLE_SIZE))
    except csv.Error:
        sample = []
    first = header_rows[-1] + 1 if header_rows else 1
    out = []
    for rowno, cells in enumerate(sample, start=1):
        if rowno < first or is_comment(eff, rowno, cells):
            continue
        if dialect.skip_blank_rows and all(c == "" for c in cells):
            continue
        out.append(cells)
    return out


def _names(labels: list[str]) -> list[str]:
    """frictionless' names: a blank label is ``field<n>``, a repeated one ``<name>2``, ..."""
    names = [label or f"field{i + 1}" for i, label in enumerate(labels)]
    used: set[str] = set()
    out = []
    for name in names:
        new, k = name, 2
        while new in used:
            new, k = f"{name}{k}", k + 1
        out.append(new)
        used.add(new)
    return out


def _reads(ftype: str, cells: list[str]) -> np.ndarray:
    """Which cells the type, with its default options, reads as a value."""
    if ftype == "geojson":  # a JSON object: a geojson value or not, by a JSON Schema
        for c in cells:
            try:
                v = json.loads(c)
            except Exception:
                continue
            if isinstance(v, dict):
                raise UnsupportedFeatureError(
                    "schema inference",
                    c,
                    why="a sample cell is a JSON object: frictionless checks it against the "
                    "GeoJSON schema, which is not done here; declare the schema",
                )
        return np.zeros(len(cells), dtype=bool)
    vt = TYPES[ftype]()
    if not cells:
        return np.zeros(0, dtype=bool)
    return vt.read(pa.chunked_array([pa.array(cells, pa.string())]), np.ones(len(cells), bool)).ok


def _column_type(cells: list[str | None], n: int) -> str:
    """The detector's race over one column's fragment cells (None: the record has no cell
    there, which frictionless reads as a value of every type)."""
    present = [c for c in cells if c is not None and c != ""]
    reads = {t: iter(_reads(t, present).tolist()) for t in CANDIDATES}
    score = dict.fromkeys(CANDIDATES, 0)
    max_score = n
    threshold = n * (CONFIDENCE - 1)
    for cell in cells:
        missing = cell == ""
        if missing:
            max_score -= 1
        got = {} if missing or cell is None else {t: next(reads[t]) for t in CANDIDATES}
        for t in CANDIDATES:
            if score[t] < threshold:
                continue
            if not missing:
                score[t] += 1 if cell is None or got[t] else -1
            if max_score > 0 and score[t] >= max_score * CONFIDENCE:
                return t
    return "any"


def infer_fields(data: bytes, dialect: Dialect, labels: list[str]) -> list[dict[str, Any]]:
    """The fields frictionless infers for the CSV ``data`` (UTF-8) read in ``dialect``, whose
    header labels are ``labels`` (none for a blank header row: then one ``fieldN`` per cell of
    the first record after it): each field's name and type, format default."""
    fragment = _fragment(data, dialect)
    if not labels:  # a blank header row: frictionless names the first record's columns
        labels = [""] * (len(fragment[0]) if fragment else 0)
    out = []
    for i, name in enumerate(_names(labels)):
        cells = [row[i] if len(row) > i else None for row in fragment]
        out.append({"name": name, "type": _column_type(cells, len(fragment))})
    return out
