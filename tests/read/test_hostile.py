"""Hostile resources for the reader (issue 18): decompression bombs, encodings that do not
decode to text, header labels of any length, amplifying header joins, a NUL delimiter and a
multipart part without its header. Each is a located finding or a one-line refusal, run as
the real command where the output matters; time and memory are measured by bench/bombs.py,
not asserted here."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from support.cli import Ran, run_cli

from conflictdata._read.limits import MAX_RATIO, RATIO_FLOOR, ROW_LIMIT
from conflictdata.errors import UnsupportedFeatureError
from conflictdata.tools import validate

FIELDS = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]


def package(root: Path, files: dict[str, bytes], **res: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (root / name).write_bytes(content)
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": FIELDS}, **res}
    desc = root / "datapackage.json"
    desc.write_text(json.dumps({"name": "p", "resources": [resource]}), encoding="utf-8")
    return desc


def codes(desc: Path, **kw: Any) -> list[tuple[str, str | None, int | None]]:
    return [(f.code, f.path, f.line) for f in validate(desc, **kw).findings]


def cli(desc: Path) -> Ran:
    proc = run_cli("validate", desc)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    return proc


# -- decompression bombs ---------------------------------------------------------------------

#: 4 MiB of rows; a bomb repeats its compressed form (gzip, bz2 and xz read members or
#: streams one after another), so it is cheap to make and expands past the ratio floor.
BLOCK = b"1,a\n" * (1 << 20)
TIMES = (RATIO_FLOOR // len(BLOCK)) * 4
#: The same size in long rows, for a bzip2 zip member: bzip2 sorts "1,a" rows slowly (40 s
#: to make the bomb) but collapses long runs at once
LONG_ROWS = (b"1," + b"a" * 1021 + b"\n") * (len(BLOCK) // 1024)


def _zip_bomb(method: int, block: bytes = BLOCK) -> bytes:
    import io

    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", method, compresslevel=9) as z,
        z.open("t.csv", "w", force_zip64=True) as m,
    ):
        m.write(b"id,name\n")
        for _ in range(TIMES):
            m.write(block)
    return buf.getvalue()


#: case -> (file name, the bomb's bytes)
BOMBS = {
    "gzip": ("t.csv.gz", lambda: gzip.compress(b"id,name\n") + gzip.compress(BLOCK, 9) * TIMES),
    "bz2": ("t.csv.bz2", lambda: bz2.compress(b"id,name\n") + bz2.compress(BLOCK, 9) * TIMES),
    "xz": ("t.csv.xz", lambda: lzma.compress(b"id,name\n") + lzma.compress(BLOCK) * TIMES),
    "zip deflate": ("t.csv.zip", lambda: _zip_bomb(zipfile.ZIP_DEFLATED)),
    # zipfile decompresses each 4 KiB of a bzip2 member whole: gigabytes in one call
    "zip bzip2": ("t.csv.zip", lambda: _zip_bomb(zipfile.ZIP_BZIP2, LONG_ROWS)),
    "zip lzma": ("t.csv.zip", lambda: _zip_bomb(zipfile.ZIP_LZMA)),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BOMBS))
def test_a_decompression_bomb_is_one_finding(tmp_path: Path, case: str) -> None:
    """Expanding over MAX_RATIO:1 past the floor stops as the bytes arrive: one E127 that says
    how few compressed bytes were read, long before the whole expansion."""
    name, make = BOMBS[case]
    data = make()
    assert len(BLOCK) * TIMES > 100 * len(data)  # it is a bomb
    desc = package(tmp_path, {name: data}, path=name)
    (f,) = validate(desc).findings
    assert (f.code, f.path) == ("E127", name), f.message
    taken = int(f.message.split(" compressed bytes")[0].replace(",", ""))
    expanded = int(f.message.split("more than ")[1].split(":")[0].replace(",", ""))
    assert expanded <= RATIO_FLOOR + MAX_RATIO * taken + (1 << 16)  # one piece past the bound
    assert expanded < len(BLOCK) * TIMES // 2  # stopped early, not at the end


@pytest.mark.slow
def test_a_well_compressed_real_table_is_read(tmp_path: Path) -> None:
    """Under the ratio, or under the floor at any ratio: read as before."""
    rows = b"id,name\n" + b"".join(b"%d,name %d\n" % (i, i * 7919 % 1000) for i in range(200_000))
    assert len(rows) / len(gzip.compress(rows)) < MAX_RATIO
    desc = package(tmp_path, {"t.csv.gz": gzip.compress(rows)}, path="t.csv.gz")
    assert codes(desc) == []
    small = b"id,name\n" + b"1,a\n" * (1 << 20)  # 4 MiB at ~1000:1
    desc = package(tmp_path / "small", {"t.csv.bz2": bz2.compress(small)}, path="t.csv.bz2")
    assert codes(desc) == []


def test_bytes_and_hash_of_a_streamed_archive_are_of_the_stored_file(tmp_path: Path) -> None:
    import hashlib

    gz = gzip.compress(b"id,name\n1,a\n")
    desc = package(
        tmp_path,
        {"t.csv.gz": gz},
        path="t.csv.gz",
        bytes=len(gz),
        hash="sha256:" + hashlib.sha256(gz).hexdigest(),
    )
    assert codes(desc) == []
    desc = package(tmp_path / "b", {"t.csv.gz": gz}, path="t.csv.gz", bytes=len(gz) + 1)
    assert [c for c, *_ in codes(desc)] == ["E122"]


def test_a_bzip2_zip_member_is_read_and_its_crc_checked(tmp_path: Path) -> None:
    import io

    rows = b"id,name\n" + b"".join(b"%d,a%d\n" % (i, i) for i in range(50_000))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("t.csv", rows)
    good = buf.getvalue()
    desc = package(tmp_path, {"t.csv.zip": good}, path="t.csv.zip")
    assert codes(desc) == []
    bad = bytearray(good)
    bad[14] ^= 0xFF  # the CRC-32 in the local header ...
    bad[bad.index(b"PK\x01\x02") + 16] ^= 0xFF  # ... and in the central directory
    desc = package(tmp_path / "crc", {"t.csv.zip": bytes(bad)}, path="t.csv.zip")
    (f,) = validate(desc).findings
    assert f.code == "E121" and "CRC-32" in f.message


def test_a_broken_stream_after_good_members_is_a_finding(tmp_path: Path) -> None:
    data = gzip.compress(b"id,name\n1,a\n") + b"\x1f\x8b\x08\x00garbage"
    desc = package(tmp_path, {"t.csv.gz": data}, path="t.csv.gz")
    assert [c for c, *_ in codes(desc)] == ["E121"]
    raw = zlib.compress(b"id,name\n1,a\n")  # zlib, not gzip
    desc = package(tmp_path / "z", {"t.csv.gz": raw}, path="t.csv.gz")
    assert [c for c, *_ in codes(desc)] == ["E121"]


# -- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding,data",
    [
        ("utf-7", b"id,name\n1,a\n2,+2D8-\n"),  # decodes to a lone U+D83F
        ("unicode_escape", b"id,name\n1,a\n2,\\ud800\n"),
        ("raw_unicode_escape", b"id,name\n1,a\n2,\\ud800\n"),
        ("utf-16", "id,name\n1,a\n".encode("utf-16") + b"\x00\xd8\x32\x00"),
    ],
)
def test_bytes_that_decode_to_no_text_are_one_located_finding(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    desc = package(tmp_path, {"t.csv": data}, encoding=encoding)
    found = codes(desc)
    assert [c for c, *_ in found] == ["E119"]
    assert found[0][2] in (3, None)
    proc = cli(desc)
    assert proc.returncode == 1 and "E119" in proc.stdout


@pytest.mark.parametrize(
    "encoding,why",
    [
        ("utf-8\x00", "not a text encoding"),
        ("punycode", "domain names"),
        ("idna", "domain names"),
    ],
)
def test_encodings_that_cannot_read_files_are_refused(
    tmp_path: Path, encoding: str, why: str
) -> None:
    """punycode decodes quadratically (an 800 KB file took 50 s): refused before reading."""
    desc = package(tmp_path, {"t.csv": b"id,name\n1,a\n" * 100_000}, encoding=encoding)
    with pytest.raises(UnsupportedFeatureError, match=why):
        validate(desc)
    proc = cli(desc)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().split("\n")) == 1 and why in proc.stderr


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [131_073, 1 << 20])
def test_a_header_label_of_any_length_is_read(tmp_path: Path, length: int) -> None:
    """Longer than Python's csv field limit (131,072): read, and reported short."""
    data = b"x" * length + b",name\n1,a\n"
    desc = package(tmp_path, {"t.csv": data})
    assert [c for c, *_ in codes(desc)] == ["E113"]
    proc = cli(desc)
    assert proc.returncode == 1 and len(proc.stdout) < 3000, len(proc.stdout)
    assert "… (" in proc.stdout and " characters)" in proc.stdout  # cut, and says so


def test_a_long_label_in_a_careful_dialect_is_read(tmp_path: Path) -> None:
    data = b"x" * 200_000 + b";name\n1;a\n"
    desc = package(tmp_path, {"t.csv": data}, dialect={"delimiter": ";", "skipInitialSpace": True})
    assert [c for c, *_ in codes(desc)] == ["E113"]


def test_a_header_join_that_would_amplify_is_one_finding(tmp_path: Path) -> None:
    """100 header rows joined by 1 MB: 3 KB of CSV became 35 s and 4.8 GB."""
    rows = "\n".join(f"h{r},g{r}" for r in range(100)) + "\n1,a\n"
    dialect = {"headerRows": list(range(1, 101)), "headerJoin": "j" * (1 << 20)}
    desc = package(tmp_path, {"t.csv": rows.encode()}, dialect=dialect)
    found = validate(desc).findings
    assert [(f.code, f.line) for f in found] == [("E117", 1)]
    assert f"limit {ROW_LIMIT:,}" in found[0].message


def test_a_short_header_join_is_read_as_before(tmp_path: Path) -> None:
    desc = package(
        tmp_path,
        {"t.csv": b"i,na\nd,me\n1,a\n"},
        dialect={"headerRows": [1, 2], "headerJoin": ""},
    )
    assert codes(desc) == []


def test_a_nul_delimiter_is_refused_in_one_line(tmp_path: Path) -> None:
    desc = package(tmp_path, {"t.csv": b"id\x00name\n1\x00a\n"}, dialect={"delimiter": "\x00"})
    proc = cli(desc)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.strip().split("\n")
    assert "delimiter" in line and "\\x00" in line


# -- multipart -------------------------------------------------------------------------------


def test_a_part_without_its_header_is_a_finding_under_the_policy(tmp_path: Path) -> None:
    """Its first line is dropped as the repeated header (the spec, and frictionless): under
    the strict policy that lost row is E128 at the part's first line."""
    a, b = b"id,name\n1,a\n", b"2,b\n3,c\n"
    desc = package(tmp_path, {"a.csv": a, "b.csv": b}, path=["a.csv", "b.csv"])
    assert codes(desc) == []  # the spec reading: frictionless drops "2,b" the same way
    found = validate(desc, policy="strict").findings
    assert [(f.code, f.path, f.line) for f in found] == [("E128", "b.csv", 1)]
    assert "'2,b'" in found[0].message


def test_parts_that_repeat_the_header_are_clean_under_the_policy(tmp_path: Path) -> None:
    a, b = b"\xef\xbb\xbfid,name\r\n1,a\r\n", b"id,name\n2,b\n"
    desc = package(tmp_path, {"a.csv": a, "b.csv": b}, path=["a.csv", "b.csv"], encoding="utf-8")
    found = [c for c, *_ in codes(desc, policy="strict")]
    assert "E103" in found and "E128" not in found  # the BOM (and CRLF) are named, no lost row
