"""Single-feature probe packages: each a tiny data package exercising one Data Package /
Table Schema feature (a dialect, an encoding, a type, a format, a constraint, a key), with
valid and invalid cells. tests/validation/test_peer_fixtures.py compares our answer with frictionless'
on each; ``write_probe`` writes one to a folder."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

I = {"name": "id", "type": "integer"}  # noqa: E741
S = {"name": "s", "type": "string"}


def _res(path: Any, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    res = {"name": "t", "path": path, "schema": {"fields": fields}}
    res["schema"].update(extra.pop("schema_extra", {}))
    res.update(extra)
    return res


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


CSV = b"id,s\n1,a\n2,b\n"
BAD = b"id,s\n1,a\nx,b\n"

#: name -> (files, resources)
PROBES: dict[str, tuple[dict[str, bytes], list[dict[str, Any]]]] = {}


def probe(name: str, files: dict[str, bytes], *resources: dict[str, Any]) -> None:
    PROBES[name] = (files, list(resources))


def _one(
    name: str, data: bytes, fields: list[dict[str, Any]], path: str = "t.csv", **extra: Any
) -> None:
    probe(name, {path: data}, _res(path, fields, **extra))


# -- dialects --------------------------------------------------------------------------------
for delim, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
    d = delim.encode()
    _one(
        f"dialect-{label}",
        b"id" + d + b"s\n1" + d + b"a\nx" + d + b"b\n",
        [I, S],
        dialect={"delimiter": delim},
    )
_one("dialect-quotechar", b"id,s\n1,'a,b'\nx,'c'\n", [I, S], dialect={"quoteChar": "'"})
_one("dialect-no-header", b"1,a\nx,b\n", [I, S], dialect={"header": False})
_one("dialect-comment", b"id,s\n#note,x\n1,a\nx,b\n", [I, S], dialect={"commentChar": "#"})
_one("dialect-initial-space", b"id, s\n1, a\nx, b\n", [I, S], dialect={"skipInitialSpace": True})
_one(
    "dialect-escape",
    b'id,s\n1,"a\\"b"\nx,c\n',
    [I, S],
    dialect={"doubleQuote": False, "escapeChar": "\\"},
)
_one("dialect-header-rows", b"id,s\nnum,text\n1,a\nx,b\n", [I, S], dialect={"headerRows": [1, 2]})
# -- encodings and compression ---------------------------------------------------------------
_one("encoding-latin1", "id,s\n1,caf\u00e9\nx,b\n".encode("latin-1"), [I, S], encoding="latin-1")
_one("encoding-utf16", "id,s\n1,caf\u00e9\nx,b\n".encode("utf-16"), [I, S], encoding="utf-16")
_one(
    "encoding-utf8-sig",
    "id,s\n1,caf\u00e9\nx,b\n".encode("utf-8-sig"),
    [I, S],
    encoding="utf-8-sig",
)
_one("bom-undeclared", b"\xef\xbb\xbf" + BAD, [I, S])
_one("gzip-by-extension", gzip.compress(BAD, mtime=0), [I, S], path="t.csv.gz")
_one("gzip-declared", gzip.compress(BAD, mtime=0), [I, S], path="t.csv.gz", compression="gz")
_one("zip-by-extension", _zip("t.csv", BAD), [I, S], path="t.csv.zip")
_one("bytes-right", CSV, [I, S], bytes=len(CSV))
_one("bytes-wrong", CSV, [I, S], bytes=len(CSV) + 3)
_one("hash-md5-right", CSV, [I, S], hash=hashlib.md5(CSV).hexdigest())
_one("hash-md5-wrong", CSV, [I, S], hash="0" * 32)
_one("hash-sha256-right", CSV, [I, S], hash="sha256:" + hashlib.sha256(CSV).hexdigest())
_one("hash-sha256-wrong", CSV, [I, S], hash="sha256:" + "0" * 64)
probe(
    "multipart", {"a.csv": b"id,s\n1,a\n", "b.csv": b"x,b\n3,c\n"}, _res(["a.csv", "b.csv"], [I, S])
)
probe(
    "inline-data", {}, {"name": "t", "data": [["id", "s"], [1, "a"]], "schema": {"fields": [I, S]}}
)
probe("no-schema", {"t.csv": CSV}, {"name": "t", "path": "t.csv"})
# -- types -----------------------------------------------------------------------------------
for kind, good, bad in (
    ("time", "10:30:00", "25:00:00"),
    ("year", "2020", "20x0"),
    ("yearmonth", "2020-05", "2020-13"),
    ("duration", "P1Y2M", "1 year"),
    ("geopoint", '"10.0, 20.0"', "north"),
    ("object", '"{""a"": 1}"', "x"),
    ("array", '"[1, 2]"', "x"),
    ("geojson", '"{}"', "x"),
    ("any", "whatever", ""),
):
    _one(f"type-{kind}", f"v\n{good}\n{bad}\n".encode(), [{"name": "v", "type": kind}])
_one(
    "datetime-clock",
    b"v\n2020-01-01T10:00:00Z\n2020-01-01T25:61:99Z\n",
    [{"name": "v", "type": "datetime"}],
)
_one(
    "datetime-bounds-offsets",
    b"v\n2020-01-01T10:00:00+02:00\n2020-01-01T09:00:00Z\n",
    [{"name": "v", "type": "datetime", "constraints": {"minimum": "2020-01-01T08:30:00Z"}}],
)
for fmt, good, bad in (
    ("email", "a@example.org", "not-an-email"),
    ("uri", "https://example.org/x", "not a uri"),
    ("uuid", "8c6f5f7e-0c5a-4b1e-9d67-3a3f2f6c1d2e", "1234"),
):
    _one(
        f"format-{fmt}",
        f"v\n{good}\n{bad}\n".encode(),
        [{"name": "v", "type": "string", "format": fmt}],
    )
_one(
    "format-date-pattern",
    b"v\n31/12/2020\n2020-12-31\n",
    [{"name": "v", "type": "date", "format": "%d/%m/%Y"}],
)
_one(
    "format-datetime-pattern",
    b"v\n31/12/2020 10:00\n2020-12-31T10:00:00\n",
    [{"name": "v", "type": "datetime", "format": "%d/%m/%Y %H:%M"}],
)
_one(
    "number-spellings",
    b"v\nNaN\nINF\n-INF\n+1.5\n.5\n5.\n1e5\nabc\n",
    [{"name": "v", "type": "number"}],
)
_one(
    "integer-long",
    b"v\n123456789012345678901234567890\n+7\n-0\n1.0\n",
    [{"name": "v", "type": "integer"}],
)
_one(
    "number-decimal-char", b'v\n"1,5"\n1.5\n', [{"name": "v", "type": "number", "decimalChar": ","}]
)
_one(
    "number-group-char",
    b'v\n"1,000.5"\n1 000\n',
    [{"name": "v", "type": "number", "groupChar": ","}],
)
_one("number-bare", b"v\n$1.5\n1.5%\nabc\n", [{"name": "v", "type": "number", "bareNumber": False}])
# -- typed comparison ------------------------------------------------------------------------
_one("unique-integer-typed", b"id,s\n01,a\n1,b\n", [I, S], schema_extra={"primaryKey": ["id"]})
_one(
    "enum-number-typed",
    b"v\n1.50\n2\n",
    [{"name": "v", "type": "number", "constraints": {"enum": [1.5]}}],
)
_one(
    "enum-boolean-typed",
    b"v\ntrue\nfalse\n",
    [{"name": "v", "type": "boolean", "constraints": {"enum": [True]}}],
)
_one(
    "unique-number-typed",
    b"v\n1.5\n1.50\n",
    [{"name": "v", "type": "number", "constraints": {"unique": True}}],
)
probe(
    "foreign-key-typed",
    {"a.csv": b"id\n1\n2\n", "b.csv": b"ref\n01\n3\n"},
    {"name": "a", "path": "a.csv", "schema": {"fields": [I], "primaryKey": ["id"]}},
    {
        "name": "b",
        "path": "b.csv",
        "schema": {
            "fields": [{"name": "ref", "type": "integer"}],
            "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "a", "fields": ["id"]}}],
        },
    },
)
# -- ragged and blank rows, headers ----------------------------------------------------------
_one("ragged-extra-with-type-error", b"id,s\nx,a,9\n2,b\n", [I, S])
_one("ragged-missing", b"id,s\n1\n2,b\n", [I, {**S, "constraints": {"required": True}}])
_one("blank-delimiters", b"id,s\n1,a\n,\n2,b\n", [I, S])
probe(
    "ragged-referenced",
    {"a.csv": b"id,s\n1,a,extra\n2,b\n", "b.csv": b"ref\n1\n2\n"},
    {"name": "a", "path": "a.csv", "schema": {"fields": [I, S], "primaryKey": ["id"]}},
    {
        "name": "b",
        "path": "b.csv",
        "schema": {
            "fields": [{"name": "ref", "type": "integer"}],
            "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "a", "fields": ["id"]}}],
        },
    },
)
_one("header-leading-space", b" id,s\n1,a\nx,b\n", [I, S])


def write_probe(name: str, root: Path) -> Path:
    """Write probe ``name`` under ``root``; return its descriptor path."""
    files, resources = PROBES[name]
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    path = root / "datapackage.json"
    path.write_text(json.dumps({"name": "probe", "resources": resources}), "utf-8")
    return path
