"""Row order and chunking of a release table: rows by primary key (IDs by number), and bytes
that do not depend on how the CSV reader chunked the columns."""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st
from support.profiles import examples

from conflictdata._tableschema.tables import table_schema_from_dict
from conflictdata._tools.convert import align_chunks, convert_columns, convert_table, write_parquet

_IDS = table_schema_from_dict(
    "t",
    "t.csv",
    {
        "fields": [
            {
                "name": "id",
                "type": "string",
                "constraints": {"required": True, "pattern": "^evt-[0-9]{4,}$"},
            },
            {"name": "kind", "type": "string", "constraints": {"enum": ["b", "a"]}},
            {"name": "n", "type": "integer"},
        ],
        "primaryKey": ["id"],
    },
)
_CODES = table_schema_from_dict(
    "c",
    "c.csv",
    {
        "fields": [{"name": "code", "type": "string"}, {"name": "n", "type": "integer"}],
        "primaryKey": ["code"],
    },
)


def _columns(schema, rows: Sequence[tuple[str, ...]], chunk: int = 0) -> dict[str, pa.ChunkedArray]:
    """String columns as the validator hands them over, cut into chunks of ``chunk`` rows."""
    cols = {}
    for i, f in enumerate(schema.fields):
        arr = pa.array([r[i] for r in rows], pa.string())
        step = chunk or max(len(arr), 1)
        cols[f.name] = pa.chunked_array(
            [arr.slice(k, step) for k in range(0, len(arr), step)] or [arr], pa.string()
        )
    return cols


def _sorting(table: pa.Table, schema, tmp_path, byte_order: bool):
    path = tmp_path / "t.parquet"
    write_parquet(table, schema, path, byte_order=byte_order)
    return pq.ParquetFile(path).metadata.row_group(0).sorting_columns


def test_ids_go_by_number_not_by_text(tmp_path) -> None:
    rows = [("evt-10000", "a", "1"), ("evt-0002", "b", ""), ("evt-9999", "", "3")]
    table, byte_order = convert_columns(_IDS, _columns(_IDS, rows))
    assert table.column("id").to_pylist() == ["evt-0002", "evt-9999", "evt-10000"]
    assert table.column("n").to_pylist() == [None, 3, 1]  # whole rows move together
    assert table.column("kind").to_pylist() == ["b", None, "a"]
    # 10000 after 9999 is not byte order: the file must not claim it is
    assert not byte_order and _sorting(table, _IDS, tmp_path, byte_order) == ()


def test_ids_of_one_width_are_in_byte_order_too(tmp_path) -> None:
    rows = [("evt-0003", "a", "1"), ("evt-0001", "b", "2")]
    table, byte_order = convert_columns(_IDS, _columns(_IDS, rows))
    assert table.column("id").to_pylist() == ["evt-0001", "evt-0003"]
    assert byte_order
    assert _sorting(table, _IDS, tmp_path, byte_order) == (pq.SortingColumn(0),)


def test_keys_that_are_not_ids_go_by_text() -> None:
    rows = [("strike", "1"), ("Strike", "2"), ("air_strike", "3"), ("b10", "4"), ("b9", "5")]
    table, byte_order = convert_columns(_CODES, _columns(_CODES, rows))
    assert table.column("code").to_pylist() == ["Strike", "air_strike", "b10", "b9", "strike"]
    assert byte_order


def _parquet_bytes(table: pa.Table, schema) -> bytes:
    buf = io.BytesIO()
    # in memory: a hypothesis test has no tmp_path
    write_parquet(table, schema, buf)  # type: ignore[arg-type]  # typed for a release path; pyarrow writes any binary file
    return buf.getvalue()


@settings(max_examples=examples(25))
@given(
    n=st.integers(0, 5000),
    cuts=st.lists(st.integers(1, 5000), max_size=12),
)
def test_chunking_never_changes_the_bytes(n: int, cuts: list[int]) -> None:
    """However the reader cut the columns, the table converts to the same Parquet bytes as
    from one contiguous chunk; and each chunk boundary is on the writer's batch grid."""
    rows = [(f"evt-{i:04d}", "ab"[i % 2], str(i * 7) if i % 3 else "") for i in range(n)]
    bounds = sorted({c for c in cuts if c < n})
    whole = convert_table(_IDS, _columns(_IDS, rows))
    cols = {}
    for name, col in _columns(_IDS, rows).items():
        arr = col.combine_chunks()
        edges = [0, *bounds, n]
        cols[name] = pa.chunked_array(
            [arr.slice(a, b - a) for a, b in itertools.pairwise(edges)] or [arr], pa.string()
        )
    chunked = convert_table(_IDS, cols)
    assert chunked.equals(whole)
    for col in chunked.columns:
        assert all(len(c) % 1024 == 0 for c in col.chunks[:-1])
    a, b = _parquet_bytes(whole, _IDS), _parquet_bytes(chunked, _IDS)
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def test_aligned_copies_only_the_seams() -> None:
    big = pa.array([str(i) for i in range(10_000)])
    col = pa.chunked_array([big.slice(0, 3000), big.slice(3000, 5000), big.slice(8000)])
    out = align_chunks(col)
    assert [len(c) for c in out.chunks] == [2048, 1024, 4096, 1024, 1024, 784]
    assert out.combine_chunks().equals(big)
    # the long parts are views of the reader's buffers, not copies
    assert out.chunks[0].buffers()[2].address == col.chunks[0].buffers()[2].address


def test_statistics_and_dictionaries_for_keys_codes_and_numbers_not_for_prose(tmp_path) -> None:
    schema = table_schema_from_dict(
        "p",
        "p.csv",
        {
            "fields": [
                {"name": "id", "type": "string", "constraints": {"pattern": "^p-[0-9]{4,}$"}},
                {"name": "country", "type": "string", "constraints": {"pattern": "^[A-Z]{3}$"}},
                {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
                {"name": "quote", "type": "string"},
                {"name": "n", "type": "integer"},
            ],
            "primaryKey": ["id"],
        },
    )
    rows = [("p-0001", "IRN", "a", "“We will respond.”", "3"), ("p-0002", "ISR", "b", "", "")]
    table, byte_order = convert_columns(schema, _columns(schema, rows))
    path = tmp_path / "p.parquet"
    write_parquet(table, schema, path, byte_order=byte_order)
    rg = pq.ParquetFile(path).metadata.row_group(0)
    stats = {rg.column(i).path_in_schema: rg.column(i).statistics for i in range(rg.num_columns)}
    assert stats["quote"] is None and "RLE_DICTIONARY" not in rg.column(3).encodings
    assert "RLE_DICTIONARY" in rg.column(2).encodings  # the enum
    assert (stats["id"].min, stats["id"].max) == ("p-0001", "p-0002")
    assert (stats["country"].min, stats["n"].max, stats["n"].null_count) == ("IRN", 3, 1)
