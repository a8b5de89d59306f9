"""The bytes of a resource (_read/source.py): encodings, compression, bytes and hash,
multipart paths, and the resource keys that are refused; each compared with what
frictionless 5 says about the same small package."""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import json
import lzma
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.profiles import examples

from conflictdata.errors import UnsupportedFeatureError
from conflictdata.tools import validate

frictionless = pytest.importorskip("frictionless")

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "name", "type": "string", "constraints": {"enum": ["café", "b", "€"]}},
]
GOOD = "id,name\n1,café\n2,b\n"


def package(root: Path, files: dict[str, bytes], **res: Any) -> Path:
    """One resource ``t`` (path t.csv unless given) with the two fields above."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (root / name).write_bytes(content)
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": FIELDS}, **res}
    resource = {k: v for k, v in resource.items() if v is not None}
    desc = root / "datapackage.json"
    desc.write_text(json.dumps({"name": "p", "resources": [resource]}))
    return desc


def theirs(desc: Path) -> set[tuple[Any, ...]]:
    """frictionless' errors as (type, row number)."""
    report = frictionless.validate(str(desc))
    return {(e.type, getattr(e, "row_number", None)) for t in report.tasks for e in t.errors} | {
        (e.type, None) for e in report.errors
    }


def ours(desc: Path) -> set[tuple[Any, ...]]:
    return {(f.code, f.row) for f in validate(desc).findings}


def found(desc: Path) -> list[tuple[Any, ...]]:
    return [(f.code, f.path, f.line, f.row) for f in validate(desc).findings]


# -- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding,codec",
    [
        ("latin-1", "latin-1"),
        ("ISO-8859-1", "latin-1"),
        ("cp1252", "cp1252"),
        ("windows-1252", "cp1252"),
        ("utf-16", "utf-16"),
        ("utf-16le", "utf-16"),
        ("utf-8-sig", "utf-8-sig"),
        ("UTF-8", "utf-8"),
        ("utf-32", "utf-32"),
    ],
)
def test_declared_encoding_is_transcoded(tmp_path, encoding, codec):
    text = GOOD + "3,€\n4,cafe\n" if codec != "latin-1" else GOOD + "4,cafe\n"
    desc = package(tmp_path, {"t.csv": text.encode(codec)}, encoding=encoding)
    row = text.count("\n")
    assert ours(desc) == {("E204", row)}
    assert theirs(desc) == {("constraint-error", row)}


def test_utf16_bom_without_a_declared_encoding(tmp_path):
    desc = package(tmp_path, {"t.csv": (GOOD + "x,b\n").encode("utf-16")})
    assert ours(desc) == {("E202", 4)} and theirs(desc) == {("type-error", 4)}


def test_bytes_not_in_the_declared_encoding_are_one_located_finding(tmp_path):
    data = "id,name\n1,b\n2,€\n".encode("cp1252") + b"3,\x81\n"
    desc = package(tmp_path, {"t.csv": data}, encoding="cp1252")
    assert found(desc) == [("E119", "t.csv", 4, None)]
    assert theirs(desc) == {("encoding-error", None)}


def test_declared_utf8_with_bad_bytes_is_one_finding(tmp_path):
    data = b"id,name\n1,b\n2,\xff\nx,b\n"
    desc = package(tmp_path, {"t.csv": data}, encoding="utf-8")
    assert found(desc) == [("E119", "t.csv", 3, None)]
    assert theirs(desc) == {("encoding-error", None)}
    # undeclared, frictionless guesses an encoding: refused, not guessed
    desc = package(tmp_path / "u", {"t.csv": data})
    with pytest.raises(UnsupportedFeatureError, match="declares no encoding"):
        validate(desc)
    # under the policy: each bad line (E104), the rest checked
    assert [f.code for f in validate(desc, policy="strict").findings] == ["E104", "E204", "E202"]


def test_undecodable_utf16_is_a_finding_not_a_crash(tmp_path):
    desc = package(
        tmp_path,
        {"t.csv": codecs.BOM_UTF16_LE + "id,name\n".encode("utf-16-le") + b"\x00\xd8\x41"},
        encoding="utf-16",
    )
    assert [c for c, *_ in found(desc)] == ["E119"]
    assert theirs(desc) == {("encoding-error", None)}


def test_utf8_bom_read_as_frictionless_reads_it(tmp_path):
    desc = package(tmp_path, {"t.csv": codecs.BOM_UTF8 + GOOD.encode()}, encoding="utf-8")
    assert ours(desc) == set() == theirs(desc)
    # latin-1 reads the BOM as three letters of the first label
    desc = package(tmp_path / "l", {"t.csv": codecs.BOM_UTF8 + GOOD.encode()}, encoding="latin-1")
    assert ("E113", 1) in ours(desc) and ("incorrect-label", None) in theirs(desc)


def test_unknown_encoding_is_refused(tmp_path):
    desc = package(tmp_path, {"t.csv": GOOD.encode()}, encoding="no-such-codec")
    with pytest.raises(UnsupportedFeatureError, match="encoding 'no-such-codec'"):
        validate(desc)


# -- compression ---------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


BAD = (GOOD + "x,b\n").encode()


@pytest.mark.parametrize(
    "path,content,extra",
    [
        ("t.csv.gz", gzip.compress(BAD, mtime=0), {}),
        ("t.csv", gzip.compress(BAD, mtime=0), {"compression": "gz"}),
        ("t.csv.bz2", bz2.compress(BAD), {}),
        ("t.csv.xz", lzma.compress(BAD), {}),
        ("t.zip", _zip({"t.csv": BAD, "u.csv": b"id,name\n"}), {"format": "csv"}),
        ("t.csv.zip", _zip({"t.csv": BAD}), {}),
        ("t.zip", _zip({"u.csv": b"id,name\n1,b\n", "t.csv": BAD}), {"innerpath": "t.csv"}),
    ],
)
def test_compressed_resource_is_read(tmp_path, path, content, extra):
    """(A fixed gzip mtime: parallel workers must draw the same parameters.)"""
    desc = package(tmp_path, {path: content}, path=path, **extra)
    assert ours(desc) == {("E202", 4)}
    assert theirs(desc) == {("type-error", 4)}


def test_broken_archive_is_a_finding(tmp_path):
    desc = package(tmp_path, {"t.csv.gz": b"this is not gzip"}, path="t.csv.gz")
    assert [c for c, *_ in found(desc)] == ["E121"]
    assert theirs(desc) == {("compression-error", None)}
    # a damaged stream (frictionless itself raises zlib.error here) is a finding too
    desc = package(
        tmp_path / "cut", {"t.csv.gz": gzip.compress(BAD)[:-9] + b"garbage!!"}, path="t.csv.gz"
    )
    assert [c for c, *_ in found(desc)] == ["E121"]


def test_zip_without_the_member_is_a_finding(tmp_path):
    desc = package(tmp_path, {"t.zip": _zip({"a.csv": BAD})}, path="t.zip", innerpath="b.csv")
    assert [c for c, *_ in found(desc)] == ["E121"]


def test_decompression_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    import conflictdata._read.source as source

    monkeypatch.setattr(source, "MAX_BYTES", 1 << 20)
    bomb = gzip.compress(b"id,name\n" + b"0" * (8 << 20))
    desc = package(tmp_path, {"t.csv.gz": bomb}, path="t.csv.gz")
    assert [c for c, *_ in found(desc)] == ["E120"]


@pytest.mark.parametrize("compression", ["gzip", "rar"])
def test_unknown_compression_is_refused(tmp_path, compression):
    desc = package(tmp_path, {"t.csv": gzip.compress(BAD)}, compression=compression)
    with pytest.raises(UnsupportedFeatureError, match="compression"):
        validate(desc)


# -- bytes and hash ------------------------------------------------------------------------


DATA = GOOD.encode()


@pytest.mark.parametrize(
    "extra,code,theirs_type",
    [
        ({"bytes": len(DATA)}, None, None),
        ({"bytes": len(DATA) + 1}, "E122", "byte-count"),
        ({"bytes": 0}, None, None),  # frictionless does not compare a zero
        ({"hash": hashlib.md5(DATA).hexdigest()}, None, None),
        ({"hash": "md5:" + hashlib.md5(DATA).hexdigest()}, None, None),
        ({"hash": "sha256:" + hashlib.sha256(DATA).hexdigest()}, None, None),
        ({"hash": "md5:" + "0" * 32}, "E123", "hash-count"),
        ({"hash": "md5:"}, None, None),  # measured: frictionless compares no empty digest
        ({"hash": ""}, None, None),
        ({"hash": "sha256:" + hashlib.sha256(DATA).hexdigest().upper()}, "E123", "hash-count"),
    ],
)
def test_bytes_and_hash_as_frictionless_compares_them(tmp_path, extra, code, theirs_type):
    desc = package(tmp_path, {"t.csv": DATA}, **extra)
    assert ours(desc) == ({(code, None)} if code else set())
    assert theirs(desc) == ({(theirs_type, None)} if theirs_type else set())


def test_bytes_and_hash_of_a_compressed_file_are_of_the_stored_bytes(tmp_path):
    gz = gzip.compress(DATA)
    desc = package(
        tmp_path, {"t.csv.gz": gz}, path="t.csv.gz", bytes=len(gz), hash=hashlib.md5(gz).hexdigest()
    )
    assert ours(desc) == set() == theirs(desc)
    desc = package(tmp_path / "raw", {"t.csv.gz": gz}, path="t.csv.gz", bytes=len(DATA))
    assert ours(desc) == {("E122", None)} and theirs(desc) == {("byte-count", None)}


@pytest.mark.parametrize("digest", ["sha1:" + hashlib.sha1(DATA).hexdigest(), "sha1:" + "0" * 40])
def test_other_hash_algorithms_are_ignored_as_frictionless_ignores_them(tmp_path, digest):
    desc = package(tmp_path, {"t.csv": DATA}, hash=digest)
    assert ours(desc) == set() == theirs(desc)


# -- multipart -----------------------------------------------------------------------------


def test_multipart_parts_are_joined_headers_dropped(tmp_path):
    a, b = b"id,name\n1,b\n2,b\n", b"id,name\n3,b\nx,b\n4\n"
    desc = package(tmp_path, {"a.csv": a, "b.csv": b}, path=["a.csv", "b.csv"])
    # findings name the part file and its own line; rows count across the parts
    assert sorted(found(desc)) == [("E124", "b.csv", 4, 6), ("E202", "b.csv", 3, 5)]
    assert theirs(desc) == {("type-error", 5), ("missing-cell", 6)}


def test_multipart_without_final_newline_joins_lines_as_frictionless(tmp_path):
    a, b = b"id,name\n1,b\n2,b", b"id,name\n3,b\n"
    desc = package(tmp_path, {"a.csv": a, "b.csv": b}, path=["a.csv", "b.csv"])
    # "2,b" + "3,b": three cells, the first two checked ("b3" is not in the enum)
    assert ours(desc) == {("E108", 3), ("E204", 3)}
    assert theirs(desc) == {("extra-cell", 3), ("constraint-error", 3)}


def test_multipart_bytes_are_the_joined_bytes(tmp_path):
    a, b = b"id,name\n1,b\n", b"id,name\n3,b\n"
    joined = a + b[len(b"id,name\n") :]
    desc = package(
        tmp_path,
        {"a.csv": a, "b.csv": b},
        path=["a.csv", "b.csv"],
        bytes=len(joined),
        hash=hashlib.md5(joined).hexdigest(),
    )
    assert ours(desc) == set() == theirs(desc)
    desc = package(
        tmp_path / "x", {"a.csv": a, "b.csv": b}, path=["a.csv", "b.csv"], bytes=len(a + b)
    )
    assert ours(desc) == {("E122", None)} and theirs(desc) == {("byte-count", None)}


def test_multipart_without_header_keeps_every_line(tmp_path):
    desc = package(
        tmp_path,
        {"a.csv": b"1,b\n", "b.csv": b"x,b\n"},
        path=["a.csv", "b.csv"],
        dialect={"header": False},
    )
    assert found(desc) == [("E202", "b.csv", 1, 2)]
    assert theirs(desc) == {("type-error", 2)}


def test_multipart_part_missing(tmp_path):
    desc = package(tmp_path, {"a.csv": b"id,name\n"}, path=["a.csv", "b.csv"])
    assert [(c, p) for c, p, *_ in found(desc)] == [("E100", "b.csv")]


# -- format, profile, scheme and the keys that are refused ---------------------------------


def test_tsv_by_extension_or_format(tmp_path):
    data = b"id\tname\n1\tb\nx\tb\n"
    for i, extra in enumerate([{"path": "t.tsv"}, {"format": "tsv"}]):
        files = {extra.get("path", "t.csv"): data}
        desc = package(tmp_path / str(i), files, **extra)
        assert ours(desc) == {("E202", 3)} and theirs(desc) == {("type-error", 3)}


@pytest.mark.parametrize(
    "extra",
    [
        {"profile": "tabular-data-resource"},
        {"profile": "data-resource"},
        {"scheme": "file"},
        {"mediatype": "text/csv"},
        {"format": "csv"},
        {"title": "T", "description": "d", "licenses": []},
    ],
)
def test_accepted_resource_keys(tmp_path, extra):
    desc = package(tmp_path, {"t.csv": DATA}, **extra)
    assert ours(desc) == set() == theirs(desc)


@pytest.mark.parametrize(
    "extra,word",
    [
        ({"scheme": "https"}, "scheme"),
        ({"profile": "https://example.org/p.json"}, "profile"),
        ({"path": None, "data": [["id", "name"], [1, "b"]]}, "inline data"),
        ({"path": ["a.csv.gz", "b.csv.gz"]}, "multipart"),
        ({"format": "xlsx"}, "format 'xlsx'"),
        ({"stats": {"bytes": 3}}, "resource key 'stats'"),
    ],
)
def test_refused_resource_keys_are_one_line(tmp_path, extra, word):
    desc = package(
        tmp_path, {"t.csv": DATA, "t.txt": DATA, "t.zip": _zip({"t.csv": DATA})}, **extra
    )
    with pytest.raises(UnsupportedFeatureError) as exc:
        validate(desc)
    assert word in str(exc.value) and "'t'" in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "extra",
    [
        {"rows": 2},
        {"custom": 1},
        {"pathType": "local", "mimetype": "text/csv", "size": 3, "dpp:streaming": True},
        {"mediatype": "application/json"},
        {"periodicity": "monthly", "primaryKeys": ["id"], "foreignKeys": []},
    ],
)
def test_keys_the_specs_do_not_define_are_ignored(tmp_path, extra):
    """As frictionless ignores them: the data is validated (and is valid here)."""
    desc = package(tmp_path, {"t.csv": DATA}, **extra)
    assert ours(desc) == set() == theirs(desc)


@pytest.mark.parametrize(
    "extra,what",
    [
        ({"format": "json"}, "format 'json'"),
        ({"path": "t.txt"}, "format 'txt'"),
        ({"path": "t.zip"}, "a zip file"),  # frictionless does not read it as a table
        ({"type": "file"}, "type 'file'"),
    ],
)
def test_resources_that_are_not_tables_are_named_and_not_read(tmp_path, extra, what):
    """frictionless checks only such a resource's file; so does ours, with a warning (W001)
    that names it."""
    desc = package(
        tmp_path, {"t.csv": DATA, "t.txt": DATA, "t.zip": _zip({"t.csv": DATA})}, **extra
    )
    report = validate(desc)
    assert report.valid and theirs(desc) == set()
    assert [(f.code, f.table) for f in report.findings] == [("W001", "t")]
    assert what in report.findings[0].message


def test_a_file_that_is_not_a_table_is_still_checked(tmp_path):
    desc = package(tmp_path, {"t.txt": DATA}, path="t.txt", bytes=3)
    assert ours(desc) == {("E122", None), ("W001", None)}
    assert theirs(desc) == {("byte-count", None)}
    desc = package(tmp_path / "missing", {}, path="nope.png")
    assert ours(desc) == {("E100", None), ("W001", None)}
    assert theirs(desc) == {("scheme-error", None)}


def test_malformed_bytes_is_a_resource_error(tmp_path):
    """bytes that is not a whole number: frictionless' resource-error, our E002."""
    desc = package(tmp_path, {"t.csv": DATA}, bytes="12")
    assert ours(desc) == {("E002", None)}
    assert theirs(desc) == {("resource-error", None)}


def test_build_reads_the_same_bytes(tmp_path):
    """convert.read_csv_columns goes through the same source: a gz resource in latin-1."""
    from conflictdata._tools.convert import read_csv_columns
    from conflictdata.tools import read_package

    desc = package(
        tmp_path,
        {"t.csv.gz": gzip.compress(GOOD.encode("latin-1"))},
        path="t.csv.gz",
        encoding="latin-1",
    )
    ts = read_package(desc).table("t")
    cols = read_csv_columns(ts, tmp_path / "t.csv.gz")
    assert cols["name"].to_pylist() == ["café", "b"]


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blob=st.binary(max_size=300),
    path=st.sampled_from(["t.csv.gz", "t.csv.zip", "t.csv.bz2", "t.csv.xz", "t.csv"]),
    encoding=st.sampled_from([None, "utf-8", "utf-16", "latin-1", "cp1252", "utf-32"]),
)
def test_any_bytes_in_any_container_never_crash(tmp_path, blob, path, encoding):
    desc = package(tmp_path, {path: blob}, path=path, encoding=encoding)
    try:
        report = validate(desc)
    except UnsupportedFeatureError as exc:  # not UTF-8 and no encoding declared
        assert "declares no encoding" in str(exc) and encoding is None
        return
    assert all("\n" not in f.message for f in report.findings)
