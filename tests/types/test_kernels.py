"""The validator's fast paths give exactly the generic paths' answers: ID columns read as
integers (pattern, uniqueness and foreign-key lookups) against regex / string hashing."""

from __future__ import annotations

import copy
import itertools
import re
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st
from support.profiles import examples
from support.validate import EVENT, ROWS, write_rules_package

from conflictdata._types.ids import id_pattern, parse_ids
from conflictdata._types.kernels import (
    char_lengths,
    date_shape,
    edge_candidates,
    regex_mask,
    take_rows,
)
from conflictdata.tools import validate

#: ID-like strings: the prefix or a near miss, then digits with any padding, sometimes junk.
_ids = st.builds(
    lambda pre, digits, tail: pre + digits + tail,
    st.sampled_from(["evt-", "evt-", "evt-", "ev-", "evt_", "EVT-", "", "xevt-"]),
    st.text(alphabet="0123456789", max_size=22),
    st.sampled_from(["", "", "", "", "\n", " ", "a", "é", "٣"]),
)


def _chunked(values: list[str], split: int) -> pa.ChunkedArray:
    split = min(split, len(values))
    return pa.chunked_array(
        [pa.array(values[:split], pa.string()), pa.array(values[split:], pa.string())]
    )


def test_id_pattern_recognises_only_prefix_digit_patterns():
    assert id_pattern("^evt-[0-9]{4,}$") == (b"evt-", 4)
    assert id_pattern("^ea-[0-9]+$") == (b"ea-", 1)
    assert id_pattern("^[0-9]{2,}$") == (b"", 2)
    for other in (
        "^SRC-[0-9]{3}$",
        "^evt-[0-9]{4,8}$",
        "^e.t-[0-9]{4,}$",
        "^[A-Z]{3}$",
        "^evt-[0-9]{4,}$|x",
        None,
    ):
        assert id_pattern(other) is None


@settings(max_examples=examples(300))
@given(values=st.lists(_ids, max_size=40), split=st.integers(0, 40), k=st.integers(1, 6))
def test_parsed_ids_match_the_regex(values, split, k):
    s = _chunked(values, split)
    pattern = f"^evt-[0-9]{{{k},}}$"
    ids = parse_ids(s, b"evt-")
    ok = ids.ok & (ids.nd >= k)
    if len(ids.long):
        ok[ids.long] = regex_mask(s.take(pa.array(ids.long)), pattern)
    assert ok.tolist() == [
        re.fullmatch(pattern, v) is not None and not v.endswith("\n") for v in values
    ]
    for v, good, val, nd in zip(values, ids.ok, ids.val, ids.nd, strict=True):
        if good:
            assert (int(val), int(nd)) == (int(v[4:]), len(v) - 4)


@settings(max_examples=examples(300))
@given(
    keys=st.lists(_ids, max_size=30),
    children=st.lists(_ids, max_size=40),
    reuse=st.lists(st.integers(0, 29), max_size=20),
)
def test_integer_lookup_equals_index_in(keys, children, reuse):
    children = children + [keys[i] for i in reuse if i < len(keys)]
    ref = parse_ids(_chunked(keys, len(keys) // 2), b"evt-")
    table = ref.key_table()
    if table is None:  # not applicable: some key is not an ID, or two are equal
        assert (
            not keys
            or not ref.ok.all()
            or len(set(ref.val.tolist())) < len(keys)
            or int(ref.val.max()) - int(ref.val.min()) > 4 * len(keys) + (1 << 20)
        )
        return
    found = parse_ids(_chunked(children, 3), b"evt-").lookup(table)
    expected = pc.index_in(pa.array(children, pa.string()), value_set=pa.array(keys, pa.string()))
    assert found.tolist() == [-1 if x is None else x for x in expected.to_pylist()]


def _findings(rows, generic: bool) -> list[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        desc = write_rules_package(Path(tmp), rows)
        if generic:
            with (
                mock.patch("conflictdata._checks.fields.id_pattern", lambda p: None),
                mock.patch("conflictdata._validation.lints.id_pattern", lambda p: None),
                mock.patch("conflictdata._checks.relations.id_pattern", lambda p: None),
            ):
                report = validate(desc)
        else:
            report = validate(desc)
    return sorted((tuple(sorted(f.to_dict().items())) for f in report.findings), key=repr)


_event_ids = st.builds(
    lambda pad, n: "evt-" + str(n).zfill(pad), st.integers(0, 6), st.integers(0, 120)
)


@settings(max_examples=examples(40))
@given(
    ids=st.lists(st.one_of(_event_ids, _ids), min_size=1, max_size=8),
    refs=st.lists(st.one_of(_event_ids, st.just("")), min_size=1, max_size=8),
    roles=st.lists(_event_ids, max_size=4),
)
def test_fast_paths_give_the_generic_findings(ids, refs, roles):
    rows = copy.deepcopy(ROWS)
    rows["events"] = [
        {**EVENT, "event_id": i, "in_response_to_event_id": refs[j % len(refs)]}
        for j, i in enumerate(ids)
    ]
    rows["event_roles"] = [{"event_id": e, "role": "target", "actor_id": ""} for e in roles]
    rows["role_notes"] = []
    fast = _findings(rows, generic=False)
    spelling = [f for f in fast if ("code", "E213") in f]  # read from the parsed IDs only
    assert [f for f in fast if f not in spelling] == _findings(rows, generic=True)
    expected = sorted(i for i in ids if re.fullmatch(r"evt-0[0-9]{4,}", i))
    assert sorted(dict(f)["value"] for f in spelling) == expected


def test_padding_variants_are_different_ids_and_not_canonical(tmp_path):
    rows = copy.deepcopy(ROWS)
    rows["events"][1]["event_id"] = "evt-00001"  # not evt-0001: distinct, matches the pattern
    rows["events"][2]["in_response_to_event_id"] = "evt-001"  # no such event
    rows["events"][3]["in_response_to_event_id"] = "evt-00001"
    report = validate(write_rules_package(tmp_path, rows))
    got = sorted(
        (f.code, f.line, f.value)
        for f in report.findings
        if f.code[0] == "E" and f.table == "events"
    )
    assert got == [("E213", 3, "evt-00001"), ("E401", 4, "evt-001")]
    rows["events"][2]["event_id"] = "evt-00001"
    report = validate(write_rules_package(tmp_path, rows))
    assert [(f.code, f.line) for f in report.findings if f.code == "E211"] == [("E211", 4)]


_edge_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list(
                " \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029"
                "\u202f\u205f\u3000\u3001\ufeff=+-@a1é\u0300東\U0001f600"
            )
        ),
        st.characters(max_codepoint=0x10FFFF, exclude_categories=["Cs"]),
    ),
    max_size=6,
)


@settings(max_examples=examples(300))
@given(cells=st.lists(_edge_text, max_size=30), split=st.integers(0, 30))
def test_edge_candidates_are_exactly_the_space_or_formula_cells(cells, split):
    got = edge_candidates(_chunked(cells, split)).tolist()
    assert got == [
        i
        for i, c in enumerate(cells)
        if c and (c[0].isspace() or c[0] in "=+-@" or c[-1].isspace())
    ]


_date_like = st.builds(
    lambda a, b, c, sep, tail: f"{a}{sep[0]}{b}{sep[1]}{c}{tail}",
    st.text(alphabet="0123456789x", min_size=3, max_size=5),
    st.text(alphabet="0123456789", min_size=1, max_size=3),
    st.text(alphabet="0123456789٣", min_size=1, max_size=3),
    st.sampled_from(["--", "--", "/-", "-/", "-."]),
    st.sampled_from(["", "", "", "\n", " ", "T00"]),
)


@settings(max_examples=examples(300))
@given(
    cells=st.lists(st.one_of(_date_like, st.text(max_size=11)), max_size=30),
    split=st.integers(0, 30),
)
def test_date_shape_matches_the_date_regex(cells, split):
    shaped, (y, m, d) = date_shape(_chunked(cells, split))
    for i, c in enumerate(cells):
        match = re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", c) is not None and len(c) == 10
        assert bool(shaped[i]) == match
        if match:
            assert (y[i], m[i], d[i]) == (int(c[:4]), int(c[5:7]), int(c[8:]))


@settings(max_examples=examples(300))
@given(
    cells=st.lists(
        st.text(alphabet=st.sampled_from(list("ab é東\U0001f600")), max_size=9), max_size=40
    ),
    lo=st.one_of(st.none(), st.integers(0, 6)),
    hi=st.one_of(st.none(), st.integers(0, 9)),
    split=st.integers(0, 40),
)
def test_char_lengths_decide_the_bounds_like_counting_characters(cells, lo, hi, split):
    present = np.array([c != "" for c in cells], dtype=bool)
    length = char_lengths(_chunked(cells, split), present, lo, hi)
    if lo is not None:
        assert (present & (length < lo)).tolist() == [c != "" and len(c) < lo for c in cells]
    if hi is not None:
        assert (present & (length > hi)).tolist() == [c != "" and len(c) > hi for c in cells]


@settings(max_examples=examples(200))
@given(
    sizes=st.lists(st.integers(0, 6), max_size=6),
    picks=st.lists(st.integers(0, 35), max_size=12),
    ordered=st.booleans(),
)
def test_take_rows_equals_arrow_take(sizes, picks, ordered):
    values = [f"v{i}" for i in range(sum(sizes))]
    pos = np.cumsum([0, *sizes])
    s = pa.chunked_array(
        [pa.array(values[a:b], pa.string()) for a, b in itertools.pairwise(pos)], pa.string()
    )
    idx = np.array([p for p in picks if p < len(values)], dtype=np.int64)
    if ordered:
        idx = np.sort(idx)
    assert take_rows(s, idx).to_pylist() == [values[i] for i in idx.tolist()]


@settings(max_examples=examples(40))
@given(parents=st.lists(st.one_of(st.none(), st.integers(0, 11)), min_size=1, max_size=12))
def test_cycle_rows_are_exactly_the_rows_on_a_cycle(parents):
    n = len(parents)
    parents = [p if p is None or p < n else None for p in parents]
    rows = copy.deepcopy(ROWS)
    rows["events"] = [
        {
            **EVENT,
            "event_id": f"evt-{i + 1:04d}",
            "in_response_to_event_id": "" if p is None else f"evt-{p + 1:04d}",
        }
        for i, p in enumerate(parents)
    ]
    rows["event_roles"], rows["role_notes"] = [], []

    def on_cycle(i: int) -> bool:
        x = parents[i]
        for _ in range(n):
            if x is None:
                return False
            if x == i:
                return True
            x = parents[x]
        return False

    with tempfile.TemporaryDirectory() as tmp:
        report = validate(write_rules_package(Path(tmp), rows))
    got = sorted(f.line for f in report.findings if f.code == "E402")
    assert got == [i + 2 for i in range(n) if on_cycle(i)]


def test_id_columns_still_get_edge_lints_when_a_cell_is_not_a_plain_id(tmp_path):
    rows = copy.deepcopy(ROWS)
    rows["events"][1]["in_response_to_event_id"] = "evt-0001 "
    rows["events"][2]["in_response_to_event_id"] = "=evt-0001"
    report = validate(write_rules_package(tmp_path, rows))
    got = sorted(
        (f.code, f.line)
        for f in report.findings
        if f.code in ("W501", "W503") and f.field == "in_response_to_event_id"
    )
    assert got == [("W501", 3), ("W503", 4)]


_source_ids = st.sampled_from(
    ["SRC-001", "SRC-002", "SRC-003", "SRC-1", "src-001", "SRC-001 ", "SRC-0001", "X", ""]
)


@settings(max_examples=examples(40))
@given(
    keys=st.lists(_source_ids, min_size=1, max_size=4, unique=True),
    cited=st.lists(_source_ids, min_size=1, max_size=6),
    same=st.booleans(),
)
def test_deferred_foreign_key_patterns_give_the_regex_findings(keys, cited, same):
    from support.validate import SCHEMAS

    schemas = copy.deepcopy(SCHEMAS)
    child = next(f for f in schemas["events"]["fields"] if f["name"] == "source_id")
    child["constraints"]["pattern"] = "^SRC-[0-9]{3}$" if same else "^SRC-[0-9]{3,4}$"
    rows = copy.deepcopy(ROWS)
    rows["sources"] = [
        {"source_id": k, "title": "Article", "trusted": "true", "url": f"u{i}"}
        for i, k in enumerate(keys)
    ]
    rows["events"] = [
        {**EVENT, "event_id": f"evt-{i + 1:04d}", "source_id": c} for i, c in enumerate(cited)
    ]
    rows["actors"] = [{**a, "source_id": keys[0]} for a in rows["actors"]]
    rows["event_roles"], rows["role_notes"] = [], []

    def findings(defer: bool) -> list[tuple]:
        with tempfile.TemporaryDirectory() as tmp:
            desc = write_rules_package(Path(tmp), rows, schemas=schemas)
            if defer:
                report = validate(desc)
            else:
                with mock.patch("conflictdata._checks.fields.defer_pattern", lambda td, f: False):
                    report = validate(desc)
        return sorted((tuple(sorted(f.to_dict().items())) for f in report.findings), key=repr)

    fast = findings(True)
    assert fast == findings(False)
    bad = {c for c in cited if c and re.fullmatch(child["constraints"]["pattern"], c) is None}
    e205 = {
        dict(x)["value"] for x in fast if dict(x)["code"] == "E205" and dict(x)["table"] == "events"
    }
    assert e205 == bad


@settings(max_examples=examples(300))
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=["Cs"])))
def test_nfc_candidates_never_miss_non_nfc_text(text):
    """The byte-level shortcut may flag NFC text too, but never misses text that is not NFC."""
    import unicodedata

    import pyarrow as pa

    from conflictdata._types.kernels import non_nfc_candidates

    flagged = len(non_nfc_candidates(pa.chunked_array([pa.array([text])]))) > 0
    if not unicodedata.is_normalized("NFC", text):
        assert flagged
    if all(ord(c) < 0x300 for c in text):
        assert not flagged


@settings(max_examples=examples(150))
@given(
    cells=st.lists(
        st.text(
            alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=["Cs"]), max_size=6
        ),
        max_size=12,
    ),
    split=st.integers(0, 12),
)
def test_suspect_rows_cover_every_non_nfc_cell(cells, split):
    import unicodedata

    import pyarrow as pa

    from conflictdata._types.kernels import non_nfc_candidates

    arr = pa.chunked_array(
        [pa.array(cells[:split], pa.string()), pa.array(cells[split:], pa.string())]
    )
    flagged = set(non_nfc_candidates(arr).tolist())
    assert {i for i, c in enumerate(cells) if not unicodedata.is_normalized("NFC", c)} <= flagged
