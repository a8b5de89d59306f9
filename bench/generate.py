"""Generate a large, valid conflictdata data package for benchmarks.

    python bench/generate.py --events 1000000 --out bench/_data/events-1000000 [--seed 0]

Writes DIR/datapackage.json (the repository's descriptor), DIR/schemas/*.json (copies of the
repository's schemas) and DIR/seeds/<table>.csv for every table, with N events and the other
tables in proportion. Nothing about the tables is restated here: columns, enums, patterns,
lengths, ranges, keys and the row/relation checks are all read from the schemas, so the
generator keeps producing valid data when the schemas change. Values are drawn with numpy and
written with vectorised pyarrow string kernels; the same arguments give byte-identical files.

How the declared rules are met, in general terms:
  * primary keys are ``PREFIX`` + zero-padded numbers read off ``^PREFIX[0-9]{k,}$`` patterns
    (other patterns: the first of a few ID templates that matches);
  * a table referenced by a foreign key from a field with an enum (a lookup table, e.g. the
    type crosswalk) gets one row per enum value, reusing the curated seed row where one exists;
  * foreign keys draw from the referenced table's IDs, every ID of a referenced table appears at
    least once in each required reference column large enough (so no source is left uncited);
    self references point only to earlier rows, so they are acyclic;
  * each table has one sorted "base day" per row; dates are derived from it, so every row is
    dated no earlier than any row before it: self references then satisfy ``notBefore``.
    ``dateSpan`` aligns day / month / year precisions; other precisions get a short range;
  * ``ordered`` groups are generated sorted; ``together`` groups share one null mask; ``when``
    cases force their ``present`` fields non-null and ``absent`` fields null; other optional
    cells are empty ~30% of the time;
  * text comes from the curated seeds' values for the same field plus synthetic NFC Unicode
    sentences, joined in pairs for long-text fields so nearly every cell is distinct; ~1% of
    long-text cells hold a comma, double quotes and an embedded newline.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from conflictdata._tableschema.model import (
    DateSpanRule,
    Field,
    OrderedRule,
    Package,
    TableSchema,
    TogetherRule,
    WhenRule,
)
from conflictdata._tableschema.package import read_package

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["GenerateResult", "generate", "main", "table_sizes"]

#: Rows per event and minimum rows, by table name; tables not listed get DEFAULT_RATIO.
#: Lookup tables (referenced from enum fields) are sized by their enums instead.
RATIOS: dict[str, tuple[float, int]] = {
    "events": (1.0, 1),
    "actors": (0.1, 20),
    "event_actors": (2.0, 1),
    "statements": (0.5, 1),
    "figures": (0.25, 1),
    "deployments": (0.05, 1),
    "sources": (0.001, 5),
}
DEFAULT_RATIO = (0.1, 5)
#: Share of optional cells left empty when no rule decides.
NULL_RATE = 0.3
#: Share of long-text cells holding a comma, double quotes and an embedded newline.
TRICKY_RATE = 0.01
#: Realistic mixes for enum values where the default (first values most common) is not.
WEIGHT_OVERRIDES: dict[str, dict[str, float]] = {
    "record_status": {"active": 0.9, "retracted": 0.04, "superseded": 0.06},
}
#: Dates are drawn in this window (clipped to each field's declared minimum/maximum).
DATE_WINDOW: tuple[np.datetime64, np.datetime64] = (
    np.datetime64("1990-01-01", "D"),
    np.datetime64("2025-12-31", "D"),
)
#: One day, month and year: datetime arithmetic names its unit (a bare ``+ 1`` is deprecated).
_ONE = {u: np.timedelta64(1, u) for u in ("D", "M", "Y")}
#: candidate texts per free-text field (fewer for a table of fewer rows, at least the minimum)
POOL_SIZE = 2000
MIN_POOL_SIZE = 100
CHUNK_ROWS = 200_000

WORDS = [
    "officials",
    "confirmed",
    "the",
    "strike",
    "on",
    "Iranian",
    "nuclear",
    "facilities",
    "after",
    "talks",
    "in",
    "Geneva",
    "stalled",
    "missiles",
    "were",
    "intercepted",
    "over",
    "Tel",
    "Aviv",
    "and",
    "Haifa",
    "while",
    "sirens",
    "sounded",
    "in",
    "Jerusalem",
    "the",
    "ministry",
    "said",
    "forces",
    "remained",
    "on",
    "alert",
    "near",
    "the",
    "border",
    "according",
    "to",
    "a",
    "statement",
    "troops",
    "were",
    "deployed",
    "across",
    "the",
    "region",
    "as",
    "diplomats",
    "met",
    "in",
    "Muscat",
    "and",
    "Doha",
    "a",
    "spokesperson",
    "denied",
    "any",
    "role",
    "in",
    "the",
    "attack",
    "and",
    "called",
    "for",
    "restraint",
    "Tehrān",
    "Isfahān",
    "Natanz",
    "Fordow",
    "Beyrouth",
    "Zürich",
    "São",
    "Paulo",
    "Kyiv",
    "Kraków",
    "Ḥaifa",
    "İstanbul",
    "Rafaḥ",
    "Jiddah",
    "Māzandarān",
    "Qom",
    "Bushehr",
    "Ankara",
    "Genève",
    "Malmö",
    "Dubrovnik",
    "Reykjavík",
    "طهران",
    "ירושלים",
    "Київ",
    "Αθήνα",
    "東京",
    "naïve",
    "café",
    "résumé",
    "coöperation",
    "façade",
    "déjà-vu",
    "“reported”",
    "‘unconfirmed’",
    "—",
    "…",
    "40,000",
    "three",
    "waves",
    "fewer",
    "than",
    "100",
    "about",
    "24",
    "hours",
]


# --------------------------------------------------------------------------- regex sampler

_SAFE = "abcdefghijklmnopqrstuvwxyz0123456789-._~/"
_CLASS_ESCAPES = {
    "d": "0123456789",
    "w": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    "s": " ",
    "S": _SAFE,
}


def _parse_class(pattern: str, i: int) -> tuple[str, int]:
    """Characters of the ``[...]`` class starting at ``pattern[i] == '['``; index after it."""
    i += 1
    negate = pattern[i] == "^"
    if negate:
        i += 1
    chars: list[str] = []
    while pattern[i] != "]":
        c = pattern[i]
        if c == "\\":
            esc = pattern[i + 1]
            chars.extend(_CLASS_ESCAPES.get(esc, esc))
            i += 2
            continue
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            chars.extend(chr(x) for x in range(ord(c), ord(pattern[i + 2]) + 1))
            i += 3
            continue
        chars.append(c)
        i += 1
    if negate:
        chars = [c for c in _SAFE if c not in chars]
    return "".join(dict.fromkeys(chars)), i + 1


def _parse_pattern(pattern: str) -> list[tuple[str, int, int]]:
    """Atoms ``(alphabet, min_repeat, max_repeat)`` of a simple anchored regex.

    Supports literals, escapes, ``.``, character classes and the quantifiers ``? * + {m}
    {m,} {m,n}``: what ID-like patterns use. Groups and alternation raise ``ValueError``.
    """
    p = pattern.removeprefix("^").removesuffix("$")
    atoms: list[tuple[str, int, int]] = []
    i = 0
    while i < len(p):
        c = p[i]
        if c in "()|":
            raise ValueError(
                f"pattern {pattern!r}: groups/alternation not supported by the sampler"
            )
        if c == "[":
            alphabet, i = _parse_class(p, i)
        elif c == "\\":
            alphabet, i = _CLASS_ESCAPES.get(p[i + 1], p[i + 1]), i + 2
        elif c == ".":
            alphabet, i = _SAFE, i + 1
        else:
            alphabet, i = c, i + 1
        lo = hi = 1
        if i < len(p) and p[i] in "?*+{":
            q = p[i]
            if q == "{":
                end = p.index("}", i)
                spec = p[i + 1 : end]
                if "," in spec:
                    a, b = spec.split(",")
                    lo = int(a)
                    hi = int(b) if b else lo + 3
                else:
                    lo = hi = int(spec)
                i = end + 1
            else:
                lo, hi = {"?": (0, 1), "*": (0, 3), "+": (1, 4)}[q]
                i += 1
            hi = min(hi, lo + 12)
        atoms.append((alphabet, lo, hi))
    return atoms


def sample_pattern(pattern: str, rng: np.random.Generator, k: int) -> list[str]:
    """``k`` strings matching ``pattern`` (checked), drawn with ``rng``."""
    atoms = _parse_pattern(pattern)
    rx = re.compile(pattern)
    out = []
    for _ in range(k):
        s = "".join(
            "".join(alphabet[j] for j in rng.integers(0, len(alphabet), rng.integers(lo, hi + 1)))
            for alphabet, lo, hi in atoms
        )
        if not rx.fullmatch(s):
            raise ValueError(f"sampler produced {s!r}, which does not match {pattern!r}")
        out.append(s)
    return out


_PREFIX_ID = re.compile(r"^\^([A-Za-z_-]*)\[0-9\]\{(\d+),\d*\}\$$")


# --------------------------------------------------------------------------- text pools


def _nfc_clean(s: str) -> str:
    s = unicodedata.normalize("NFC", s).strip()
    return s.lstrip("=+-@ ")


_WORD_LEN = np.array([len(w) + 1 for w in WORDS])


def _sentence(rng: np.random.Generator, target: int, max_len: int) -> str:
    """Random words from WORDS, about ``target`` characters, at most ``max_len``; NFC, capitalised."""
    k = max(1, target // 4)
    idx = rng.integers(0, len(WORDS), k)
    upto = int(np.searchsorted(np.cumsum(_WORD_LEN[idx]), target)) + 1
    s = " ".join(WORDS[i] for i in idx[:upto])
    if len(s) > max_len:
        s = s[:max_len].rsplit(" ", 1)[0] if " " in s[:max_len] else s[:max_len]
    s = _nfc_clean(s)
    return s[:1].upper() + s[1:]


def _fits(f: Field, s: str) -> bool:
    if f.min_length is not None and len(s) < f.min_length:
        return False
    if f.max_length is not None and len(s) > f.max_length:
        return False
    if f.pattern is not None and not re.fullmatch(f.pattern, s):
        return False
    return s == _nfc_clean(s)


def text_pool(
    f: Field,
    seed_values: list[str],
    rng: np.random.Generator,
    *,
    halves: bool = False,
    size: int = POOL_SIZE,
) -> pa.Array:
    """Candidate values for a free-text field: curated seed values plus synthetic sentences,
    ``size`` in all.

    ``halves``: values at most half the field's length, to be joined in pairs (see
    :func:`_text_column`). A ``tricky`` share of the pool (for fields allowing 60+ characters)
    holds a comma, ASCII double quotes and an embedded newline, to exercise CSV quoting.
    """
    max_len = f.max_length if f.max_length is not None else 400
    if halves:
        max_len = (max_len - 1) // 2
    lo = max(f.min_length or 1, 3)
    hi = max(lo, min(max_len, 40 + max_len // 10, 160))
    if halves:
        hi = max(lo, hi // 2)
    pool = [v for v in dict.fromkeys(seed_values) if _fits(f, v) and len(v) <= max_len]
    rate = TRICKY_RATE / 2 if halves else TRICKY_RATE
    n_tricky = round(size * rate) if max_len >= 60 else 0
    while len(pool) < size - n_tricky:
        s = _sentence(rng, int(rng.integers(lo, hi + 1)), max_len)
        if _fits(f, s):
            pool.append(s)
    for _ in range(n_tricky):
        a = _sentence(rng, 15, 25)
        b = _sentence(rng, 15, 25)
        s = f'{a}, "{b.lower()}", she said\n{_sentence(rng, 10, 20)}'
        if len(s) <= max_len and _fits(f, s):
            pool.append(s)
    return pa.array(pool, pa.string())


def _text_column(f: Field, seed_values: list[str], rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` cells of free text.

    Long-text fields (200+ characters allowed) join two pool values, so nearly every cell is
    distinct, as curated excerpts and notes are: a validator gets no shortcut from repeated
    values. Short fields (codes, labels) draw whole values from one pool.
    """
    # a small table needs no more candidates than cells (pairs of n halves give n² texts)
    size = min(POOL_SIZE, max(MIN_POOL_SIZE, n))
    if (f.max_length if f.max_length is not None else 400) < 200:
        return _from_pool(text_pool(f, seed_values, rng, size=size), rng, n)
    pool = text_pool(f, seed_values, rng, halves=True, size=size)
    first = pool.take(pa.array(rng.integers(0, len(pool), n)))
    second = pool.take(pa.array(rng.integers(0, len(pool), n)))
    return pc.binary_join_element_wise(first, second, " ")


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, *names: str) -> np.random.Generator:
    """A generator keyed by the seed and names, independent of generation order."""
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


def _weights(f: Field) -> np.ndarray:
    values = list(f.enum or ())
    override = WEIGHT_OVERRIDES.get(f.name)
    if override and set(override) == set(values):
        w = np.array([override[v] for v in values], dtype=float)
    else:
        w = 1.0 / np.arange(1, len(values) + 1) ** 1.2
    return w / w.sum()


def _seed_arrow(repo_pkg: Package, t: TableSchema) -> pa.Table | None:
    """The curated seed CSV, every column as text (empty = null); None if it has no file."""
    path = repo_pkg.root / t.path
    if not path.exists():
        return None
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in t.field_names}, strings_can_be_null=True
        ),
    )


def _read_seed_table(repo_pkg: Package, t: TableSchema) -> dict[str, list[str]]:
    """The curated seed CSV as {column: values (nulls dropped)} — a source of realistic text."""
    tbl = _seed_arrow(repo_pkg, t)
    if tbl is None:
        return {}
    return {n: [v for v in tbl.column(n).to_pylist() if v is not None] for n in tbl.column_names}


def _id_strings(t: TableSchema, n: int, rng: np.random.Generator) -> pa.Array:
    """``n`` primary-key values matching the ID field's pattern, in increasing order."""
    f = t.field(t.id_field)
    numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    m = _PREFIX_ID.match(f.pattern or "")
    if m:
        prefix, width = m.group(1), int(m.group(2))
        return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")
    # Other patterns: the first template whose values all match.
    hexes = rng.integers(0, 2**63, n, dtype=np.int64)
    width = max(3, len(str(n)))
    stem = re.sub(r"[^a-z]", "", t.name.lower())[:3] or "row"
    templates = [
        lambda i, h: f"{i:0{width}d}_{h:016x}",
        lambda i, h: f"{stem}-{i:0{width}d}",
        lambda i, h: f"{stem}{i:0{width}d}",
    ]
    rx = re.compile(f.pattern) if f.pattern else None
    for tmpl in templates:
        values = [tmpl(i + 1, int(h)) for i, h in enumerate(hexes)]
        if rx is None or all(rx.fullmatch(v) for v in values):
            return pa.array(values, pa.string())
    raise ValueError(f"{t.name}.{f.name}: no ID template matches pattern {f.pattern!r}")


def _date_bounds(f: Field) -> tuple[np.datetime64, np.datetime64]:
    """First and last day to draw from: the window, within the field's declared bounds."""
    lo, hi = DATE_WINDOW
    if f.minimum is not None:
        lo = max(lo, _day_bound(f, f.minimum.written, up=True))
    if f.maximum is not None:
        hi = min(hi, _day_bound(f, f.maximum.written, up=False))
    return lo, hi


def _day_bound(f: Field, value: Any, *, up: bool) -> np.datetime64:
    """A date bound as a day; a datetime bound (UTC, "Z") as the first (``up``) or last day
    whose noon, the time a datetime field is given, lies within it."""
    text = str(value)
    if f.type != "datetime":
        return np.datetime64(text[:10], "D")
    at = np.datetime64(text.removesuffix("Z"), "s") - np.timedelta64(12 * 3600, "s")
    day = at.astype("datetime64[D]")
    if up and day.astype("datetime64[s]") < at:
        day = day + _ONE["D"]
    return day


def _int_values(f: Field, rng: np.random.Generator, n: int) -> np.ndarray:
    lo = int(f.minimum.value) if f.minimum is not None else 0
    v = np.floor(rng.lognormal(2.5, 1.6, n)).astype(np.int64) + lo
    if f.maximum is not None:
        v = np.minimum(v, int(f.maximum.value))
    return v


def _number_values(f: Field, rng: np.random.Generator, n: int) -> np.ndarray:
    lo = float(f.minimum.value) if f.minimum is not None else 0.0
    hi = float(f.maximum.value) if f.maximum is not None else lo + 1000.0
    v = np.round(rng.uniform(lo, hi, n), 4)
    # Keep clear of tiny magnitudes that some writers print in scientific notation.
    tiny = np.abs(v) < 0.01
    v[tiny] = np.round(lo + (hi - lo) * 0.75, 4)
    return v


# --------------------------------------------------------------------------- table generation


@dataclass
class _Table:
    """A generated table: columns as Arrow arrays (nulls included), in schema field order."""

    schema: TableSchema
    n: int
    ids: pa.Array
    columns: dict[str, pa.Array] = field(default_factory=dict)


def _lookup_values(pkg: Package) -> dict[str, list[tuple[str, str, str]]]:
    """Lookup tables: {table: [(value, referencing table, referencing field), ...]}.

    A table is a lookup when some foreign key into it comes from a field with an enum; it
    gets one row per value of those enums.
    """
    out: dict[str, list[tuple[str, str, str]]] = {}
    for t in pkg.tables.values():
        for fk in t.foreign_keys:
            if fk.resource == t.name or len(fk.fields) != 1:
                continue
            f = t.field(fk.fields[0])
            if f.enum:
                rows = out.setdefault(fk.resource, [])
                seen = {r[0] for r in rows}
                rows.extend((v, t.name, f.name) for v in f.enum if v not in seen)
    return out


def table_sizes(pkg: Package, events: int) -> dict[str, int]:
    """Rows per table for ``events`` events."""
    lookups = _lookup_values(pkg)
    sizes = {}
    for name in pkg.tables:
        if name in lookups:
            sizes[name] = len(lookups[name])
        else:
            ratio, minimum = RATIOS.get(name, DEFAULT_RATIO)
            sizes[name] = max(minimum, round(events * ratio))
    return sizes


def _dependency_order(pkg: Package) -> list[str]:
    order: list[str] = []
    pending = dict.fromkeys(pkg.tables)
    while pending:
        progressed = False
        for name in list(pending):
            deps = {fk.resource for fk in pkg.tables[name].foreign_keys if fk.resource != name}
            if deps <= set(order):
                order.append(name)
                del pending[name]
                progressed = True
        if not progressed:
            raise ValueError(f"foreign keys between tables form a cycle among {list(pending)}")
    return order


def _when_checks(t: TableSchema) -> list[WhenRule]:
    return [c for c in t.row_rules if isinstance(c, WhenRule)]


def _generate_table(
    pkg: Package,
    t: TableSchema,
    n: int,
    done: dict[str, _Table],
    seed: int,
    seeds: dict[str, list[str]],
    lookup: list[tuple[str, str, str]] | None,
) -> _Table:
    rng = _rng(seed, t.name)
    fields = {f.name: f for f in t.fields}
    self_fks = {
        fk.fields[0] for fk in t.foreign_keys if fk.resource == t.name and len(fk.fields) == 1
    }
    other_fks = {
        fk.fields[0]: fk for fk in t.foreign_keys if fk.resource != t.name and len(fk.fields) == 1
    }
    ids = pa.array([v for v, _, _ in lookup], pa.string()) if lookup else _id_strings(t, n, rng)
    out = _Table(t, n, ids)
    values: dict[str, Any] = {}  # numpy arrays or Arrow arrays, no nulls yet
    enum_idx: dict[str, np.ndarray] = {}

    # 1. Enums (they drive the `when` cases).
    for f in t.fields:
        if f.enum and f.name != t.id_field:
            enum_idx[f.name] = rng.choice(len(f.enum), size=n, p=_weights(f))
    # A lookup row's enum field that names the referencing table (event -> events) follows it.
    if lookup:
        for f in t.fields:
            if f.enum:
                for k, (_, ref_table, _) in enumerate(lookup):
                    for j, v in enumerate(f.enum):
                        if ref_table in (v, v + "s"):
                            enum_idx[f.name][k] = j

    # Row 0 cannot point to an earlier row: give it a `when` value that forces no self reference.
    for when in _when_checks(t):
        ctl = fields.get(when.field)
        cases = {c.value: c for c in when.cases}
        if ctl is None or not ctl.enum or n == 0 or ctl.name not in enum_idx:
            continue
        forcing = {
            j for j, v in enumerate(ctl.enum) if v in cases and set(cases[v].present) & self_fks
        }
        if enum_idx[ctl.name][0] in forcing:
            enum_idx[ctl.name][0] = next(j for j in range(len(ctl.enum)) if j not in forcing)
    for name, idx in enum_idx.items():
        values[name] = pa.DictionaryArray.from_arrays(
            pa.array(idx.astype(np.int32)), pa.array(list(fields[name].enum or ()))
        )

    # 2. Dates: one sorted base day per row; dateSpan pairs aligned to their precision.
    date_fields = [f for f in t.fields if f.type in ("date", "datetime")]
    if date_fields:
        lo, hi = _date_bounds(date_fields[0])
        span = int((hi - lo).astype(int))
        base = lo + np.sort(rng.integers(0, max(span - 400, 1), n)).astype("timedelta64[D]")
        offset = rng.integers(1, 90, n).astype("timedelta64[D]")
        for chk in t.row_rules:
            if not isinstance(chk, DateSpanRule):
                continue
            s_name, e_name, p_name = chk.start, chk.end, chk.precision
            if p_name not in enum_idx:  # a precision without an enum: no alignment to follow
                continue
            prec = np.array(list(fields[p_name].enum or ()), dtype=object)[enum_idx[p_name]]
            month0 = base.astype("datetime64[M]")
            year0 = base.astype("datetime64[Y]")
            start = np.where(prec == "month", month0.astype("datetime64[D]"), base)
            start = np.where(prec == "year", year0.astype("datetime64[D]"), start)
            end = base + offset
            end = np.where(prec == "day", base, end)
            last_of_month = (month0 + _ONE["M"]).astype("datetime64[D]") - _ONE["D"]
            last_of_year = (year0 + _ONE["Y"]).astype("datetime64[D]") - _ONE["D"]
            end = np.where(prec == "month", last_of_month, end)
            end = np.where(prec == "year", last_of_year, end)
            values[s_name], values[e_name] = start, end
        spanned = set(values) - set(enum_idx)
        for chk in t.row_rules:  # ordered dates outside any dateSpan: spread by the offset
            group = list(chk.fields) if isinstance(chk, OrderedRule) else []
            if (
                isinstance(chk, OrderedRule)
                and all(fields[x].type in ("date", "datetime") for x in group)
                and not spanned & set(group)
            ):
                for k, x in enumerate(group):
                    values[x] = base + offset * k
        for f in date_fields:
            if f.name not in values:
                values[f.name] = base

    # 3. Ordered numeric groups are drawn together and sorted.
    for chk in t.row_rules:
        if not isinstance(chk, OrderedRule):
            continue
        members = [fields[x] for x in chk.fields]
        if all(f.type == "integer" for f in members):
            best = _int_values(members[0], rng, n)
            factors = rng.uniform(0.5, 1.6, (n, len(members)))
            mat = np.sort(np.floor(best[:, None] * factors).astype(np.int64), axis=1)
            mins = [int(f.minimum.value) for f in members if f.minimum is not None]
            if mins:
                mat = np.maximum(mat, max(mins))
            for k, f in enumerate(members):
                values[f.name] = mat[:, k]
        elif all(f.type == "number" for f in members):
            mat = np.sort(np.column_stack([_number_values(f, rng, n) for f in members]), axis=1)
            for k, f in enumerate(members):
                values[f.name] = mat[:, k]

    # 4. Everything else, field by field.
    for f in t.fields:
        if f.name in values or f.name == t.id_field:
            continue
        if f.name in self_fks:
            rows = np.arange(n)
            values[f.name] = np.floor(rng.random(n) * rows).astype(np.int64)  # earlier row
        elif f.name in other_fks:
            ref = done[other_fks[f.name].resource]
            idx = rng.integers(0, ref.n, n)
            if f.required and n >= ref.n:  # every referenced row cited at least once
                idx[rng.permutation(n)[: ref.n]] = np.arange(ref.n)
            values[f.name] = ref.ids.take(pa.array(idx))
        elif f.type == "integer":
            low = int(f.minimum.value) if f.minimum is not None else None
            if low is not None and f.maximum is None and low >= 1:
                values[f.name] = rng.integers(low, low + 12, n)  # ordinal
            else:
                values[f.name] = _int_values(f, rng, n)
        elif f.type == "number":
            values[f.name] = _number_values(f, rng, n)
        elif f.type == "boolean":
            values[f.name] = rng.random(n) < 0.5
        elif f.type == "string" and f.pattern:
            pool = [v for v in seeds.get(f.name, []) if re.fullmatch(f.pattern, v)]
            pool = list(dict.fromkeys(pool)) + sample_pattern(f.pattern, rng, 200)
            values[f.name] = _from_pool(pa.array(pool, pa.string()), rng, n)
        else:
            values[f.name] = _text_column(f, seeds.get(f.name, []), rng, n)

    # 5. Null masks: random for optional cells, shared within `together` groups, then the
    #    `when` cases force presence/absence; required cells are never empty.
    null = {
        f.name: (rng.random(n) < NULL_RATE) if not f.required else np.zeros(n, bool)
        for f in t.fields
    }
    for chk in t.row_rules:
        if isinstance(chk, TogetherRule):
            shared = null[chk.fields[0]]
            for x in chk.fields:
                null[x] = shared.copy() if not fields[x].required else null[x]
    for when in _when_checks(t):
        ctl_name = when.field
        if ctl_name not in enum_idx:
            continue
        by_value = {c.value: c for c in when.cases}
        for j, v in enumerate(fields[ctl_name].enum or ()):
            case = by_value.get(v)
            if not case:
                continue
            rows = enum_idx[ctl_name] == j
            for x in case.present:
                null[x][rows] = False
            for x in case.absent:
                null[x][rows] = True
    for x in self_fks:
        if n:
            null[x][0] = True  # nothing earlier to point to

    # 6. Self references become IDs of earlier rows.
    for x in self_fks:
        values[x] = ids.take(pa.array(values[x]))

    for f in t.fields:
        if f.name == t.id_field:
            out.columns[f.name] = ids
            continue
        out.columns[f.name] = _to_arrow(f, values[f.name], null[f.name])
    return out


def _from_pool(pool: pa.Array, rng: np.random.Generator, n: int) -> pa.DictionaryArray:
    """``n`` values drawn uniformly from ``pool``, kept dictionary-encoded (cheap to quote)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(pool), n).astype(np.int32)), pool
    )


def _to_arrow(f: Field, v: Any, null: np.ndarray) -> pa.Array:
    """Values as an Arrow array of the field's type, with ``null`` rows empty."""
    if isinstance(v, pa.DictionaryArray):
        indices = pa.array(v.indices.to_numpy(zero_copy_only=False), pa.int32(), mask=null)
        return pa.DictionaryArray.from_arrays(indices, v.dictionary)
    mask = pa.array(null)
    if isinstance(v, np.ndarray):
        if f.type == "date":
            arr = pa.array(v.astype("datetime64[D]")).cast(pa.date32())
        elif f.type == "datetime":  # noon UTC of the day, in Table Schema's default format
            noon = v.astype("datetime64[D]").astype("datetime64[s]") + np.timedelta64(
                12 * 3600, "s"
            )
            arr = pc.strftime(pa.array(noon), format="%Y-%m-%dT%H:%M:%SZ")
        elif f.type == "integer":
            arr = pa.array(v.astype(np.int64))
        elif f.type == "number":
            arr = pa.array(v.astype(np.float64))
        elif f.type == "boolean":
            arr = pa.array(v.astype(bool))
        else:
            arr = pa.array(v)
    else:
        arr = v
    return pc.if_else(mask, pa.nulls(len(arr), arr.type), arr)


# --------------------------------------------------------------------------- CSV writing


def _cells(col: pa.Array) -> pa.Array:
    """Column as cell text (``string``), nulls kept; dictionaries decoded."""
    if isinstance(col, pa.DictionaryArray):
        col = col.dictionary.cast(pa.string()).take(col.indices)
    if col.type == pa.bool_():
        return pc.if_else(col, "true", "false")
    return col if col.type == pa.string() else col.cast(pa.string())


def _quoted(col: pa.Array) -> pa.Array:
    """RFC 4180 cell text: quoted where a comma, quote or line break needs it; null -> ''.

    An empty (non-null) string is written ``""``, as polars does, to tell it from null.
    """
    needs = pc.match_substring_regex(col, r'^$|[",\r\n]')
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
        col = pc.if_else(needs, quoted, col)
    return pc.fill_null(col, "")


def _write_csv_arrow(fh: Any, columns: list[pa.Array]) -> None:
    """Pure-pyarrow writer (the fallback when polars is not installed); same bytes, slower."""
    n = len(columns[0]) if columns else 0
    for start in range(0, n, CHUNK_ROWS):
        rows = pc.binary_join_element_wise(
            *[_quoted(c.slice(start, CHUNK_ROWS)) for c in columns], ","
        )
        rows = pc.binary_join_element_wise(rows, "", "\n")  # each row + "\n"
        # The rows are contiguous in the value buffer: write it in one go.
        offsets = np.frombuffer(rows.buffers()[1], np.int32, len(rows) + 1, rows.offset * 4)
        fh.write(memoryview(rows.buffers()[2])[offsets[0] : offsets[-1]])


def write_csv(
    path: Path, names: list[str], columns: list[pa.Array], *, engine: str = "auto"
) -> int:
    """Write an RFC 4180 CSV: UTF-8, LF line ends, unquoted header, minimal quoting, '' for null.

    ``engine`` "polars" (multi-threaded, several times faster) or "arrow"; "auto" picks polars
    when it is installed. Both write the same bytes. Returns the file's size.
    """
    cells = [_cells(c) for c in columns]
    if engine == "auto":
        try:
            import polars  # noqa: F401

            engine = "polars"
        except ImportError:
            engine = "arrow"
    with open(path, "wb") as fh:
        fh.write((",".join(names) + "\n").encode())
        if engine == "polars":
            import polars as pl

            frame = pl.from_arrow(pa.table(cells, names=[f"c{i}" for i in range(len(cells))]))
            assert isinstance(frame, pl.DataFrame)  # a Table converts to a DataFrame
            frame.write_csv(
                fh,
                include_header=False,
                null_value="",
                line_terminator="\n",
                quote_style="necessary",
            )
        else:
            _write_csv_arrow(fh, cells)
    return path.stat().st_size


# --------------------------------------------------------------------------- package


@dataclass(frozen=True)
class GenerateResult:
    """What was written: the descriptor path, rows and bytes per table, and the time taken."""

    descriptor: Path
    rows: dict[str, int]
    bytes: dict[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())


def _seed_rows(repo_pkg: Package, t: TableSchema) -> dict[str, dict[str, str | None]]:
    """The curated seed rows by primary key."""
    tbl = _seed_arrow(repo_pkg, t)
    if tbl is None:
        return {}
    return {r[t.id_field]: r for r in tbl.to_pylist() if r.get(t.id_field) is not None}


def generate(
    out: Path | str,
    events: int,
    seed: int = 0,
    repo: Path | str = REPO_ROOT,
    *,
    engine: str = "auto",
) -> GenerateResult:
    """Write a valid package with ``events`` events to ``out`` (created or overwritten).

    ``repo``: the folder whose datapackage.json, schemas and seeds are followed. ``engine``:
    the CSV writer (see :func:`write_csv`); every engine writes the same bytes.
    """
    t0 = time.perf_counter()
    out = Path(out)
    repo = Path(repo)
    pkg = read_package(repo / "datapackage.json")
    sizes = table_sizes(pkg, events)
    lookups = _lookup_values(pkg)

    (out / "schemas").mkdir(parents=True, exist_ok=True)
    descriptor = json.loads(json.dumps(pkg.descriptor))
    for res in descriptor["resources"]:
        t = pkg.tables[res["name"]]
        res["path"] = f"seeds/{t.name}.csv"
        schema_src = repo / (t.schema_path or "")
        if t.schema_path and schema_src.is_file():
            dest = f"schemas/{Path(t.schema_path).name}"
            shutil.copyfile(schema_src, out / dest)
            res["schema"] = dest
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    (out / "seeds").mkdir(exist_ok=True)

    done: dict[str, _Table] = {}
    rows: dict[str, int] = {}
    nbytes: dict[str, int] = {}
    for name in _dependency_order(pkg):
        t = pkg.tables[name]
        seed_values = _read_seed_table(pkg, t)
        gen = _generate_table(pkg, t, sizes[name], done, seed, seed_values, lookups.get(name))
        if name in lookups:
            _override_with_seed_rows(gen, _seed_rows(pkg, t))
        done[name] = gen
        cols = [gen.columns[f] for f in t.field_names]
        nbytes[name] = write_csv(out / "seeds" / f"{name}.csv", t.field_names, cols, engine=engine)
        rows[name] = gen.n
    ordered_rows = {n: rows[n] for n in pkg.tables}
    ordered_bytes = {n: nbytes[n] for n in pkg.tables}
    return GenerateResult(
        out / "datapackage.json", ordered_rows, ordered_bytes, time.perf_counter() - t0
    )


def _override_with_seed_rows(gen: _Table, seed_rows: dict[str, dict[str, str | None]]) -> None:
    """Lookup rows whose key has a curated seed row take that row verbatim (all as text)."""
    keys = gen.ids.to_pylist()
    hit = [k in seed_rows for k in keys]
    if not any(hit):
        return
    mask = pa.array(hit)
    for name, col in gen.columns.items():
        curated = pa.array(
            [seed_rows[k].get(name) if h else None for k, h in zip(keys, hit, strict=True)],
            pa.string(),
        )
        gen.columns[name] = pc.if_else(mask, curated, col.cast(pa.string()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--events", type=int, required=True, help="number of events (other tables scale with it)"
    )
    ap.add_argument("--out", required=True, type=Path, help="output folder (created)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    args = ap.parse_args(argv)
    if args.events < 1:
        ap.error("--events must be at least 1")
    res = generate(args.out, args.events, args.seed)
    mib = res.total_bytes / 2**20
    print(f"wrote {res.descriptor}: {res.total_rows:,} rows, {mib:,.1f} MiB in {res.seconds:.1f} s")
    for name, n in res.rows.items():
        print(f"  {name:<16} {n:>12,} rows {res.bytes[name] / 2**20:>10,.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
