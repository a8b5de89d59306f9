"""A resource's file keys (path, format, compression, encoding, bytes, hash) and its CSV
dialect, read as frictionless 5 reads them or refused in one line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.text import kind, short_repr
from .fields import unsupported
from .model import Dialect, OtherResource, ResourceFile
from .paths import confined_path

#: Resource keys frictionless 5 reads that change what is valid and that this reader does not
#: implement: refused, naming the key (every other key the specs do not define is ignored).
_REFUSED_KEYS = {
    "stats": "frictionless reads the bytes and hash in it",
    "hashing": "frictionless hashes with this algorithm",
    "layout": "frictionless reads it as the dialect",
}

_COMPRESSIONS = ("gz", "zip", "bz2", "xz")

_FORMATS = {"csv": "text/csv", "tsv": "text/tab-separated-values"}

#: Formats frictionless 5 reads as a table by default (besides csv and tsv), each with a
#: parser of its own: a resource of one is refused, not guessed at.
_TABLE_FORMATS = ("xlsx", "xls", "ods", "jsonl", "ndjson", "parquet", "parq", "sav", "zsav")
#: Formats frictionless can read as a table when a resource says it is one (type "table"
#: or the tabular-data-resource profile); any other format is its format-error there.
_PARSER_FORMATS = (*_TABLE_FORMATS, "json", "html", "inline", "gsheets", "sql", "yaml", "pandas")

_RESOURCE_TYPES = ("file", "json", "text")

MAX_PARTS = 1000

_HEX = {"md5": re.compile(r"[0-9a-fA-F]{32}"), "sha256": re.compile(r"[0-9a-fA-F]{64}")}


def _format_of(res: dict[str, Any]) -> tuple[str | None, str | None]:
    """The resource's format as frictionless detects it (declared, else the extension of its
    first path once a compression suffix is dropped), and that compression."""
    path = res.get("path")
    first = path[0] if isinstance(path, list) and path else path
    suffixes = first.rsplit("/", 1)[-1].lower().split(".")[1:] if isinstance(first, str) else []
    compression = res.get("compression")
    if compression is None and suffixes and suffixes[-1] in _COMPRESSIONS:
        compression = suffixes[-1]
    if compression is not None and suffixes and suffixes[-1] == compression:
        suffixes = suffixes[:-1]
    innerpath = res.get("innerpath")
    if compression == "zip" and isinstance(innerpath, str) and innerpath:
        suffixes = innerpath.rsplit("/", 1)[-1].lower().split(".")[1:]
    fmt = res.get("format")
    if fmt is None:
        fmt = suffixes[-1] if suffixes else None
    return (fmt if isinstance(fmt, str) else None), compression


def resource_kind(res: dict[str, Any], name: str) -> str:
    """``table`` for a resource frictionless 5 validates as a CSV table, ``unreadable
    table`` for a table in a format it has no reader for (its format-error); else what it
    is (``format 'png'``, ``type 'text'``) for a resource it only checks as a file. A table
    in another format it reads (a spreadsheet, JSON lines, Parquet) is refused, inline data
    too."""
    if "data" in res and "path" not in res:
        raise unsupported("inline data", None, name, "put the rows in a CSV file")
    rtype = res.get("type")
    if res.get("profile") == "tabular-data-resource":
        rtype = "table"
    fmt, compression = _format_of(res)
    if rtype in _RESOURCE_TYPES:
        return f"type {rtype!r}"
    if rtype == "table" or fmt in _FORMATS or fmt in _TABLE_FORMATS:
        if fmt in _FORMATS or fmt == "parquet":  # parquet: a release's (the loader reads it)
            return "table"
        if fmt in _PARSER_FORMATS:
            raise unsupported("format", fmt, name, "only csv and tsv tables are read")
        return "unreadable table"  # frictionless has no reader for it: its format-error
    if fmt:
        return f"format {fmt!r}"
    return f"a {compression} file" if compression else "a file of no known format"


def _paths(res: dict[str, Any], name: str, root: Path) -> tuple[str, ...]:
    raw_paths = res["path"]
    paths = tuple(raw_paths) if isinstance(raw_paths, list) else (raw_paths,)
    extra = res.get("extrapaths")
    if isinstance(extra, list):
        paths += tuple(extra)
    if not paths or len(paths) > MAX_PARTS:
        raise DescriptorError(f"resource {name!r}: a path list needs 1 to {MAX_PARTS} paths")
    for p in paths:
        confined_path(root, p, f"resource {name!r}")
    return paths


def _digest(res: dict[str, Any], name: str) -> tuple[str, str] | None:
    """The declared hash frictionless compares (md5 or sha256; others it ignores)."""
    h = res.get("hash")
    if not h:  # frictionless compares no empty hash
        return None
    if not isinstance(h, str):
        raise DescriptorError(f"resource {name!r}: hash must be a string, not {kind(h)}")
    algo, _, value = h.partition(":") if ":" in h else ("md5", "", h)
    return (algo, value) if algo in _HEX else None


def _size(res: dict[str, Any], name: str) -> int | None:
    size = res.get("bytes")
    if isinstance(size, float) and size.is_integer():  # a JSON integer written 12.0
        size = int(size)
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise DescriptorError(
            f"resource {name!r}: bytes must be a whole number, not {kind(size)} {short_repr(size)}"
        )
    return size


def _refuse_keys(res: dict[str, Any], name: str) -> None:
    for k, why in _REFUSED_KEYS.items():
        if k in res:
            raise unsupported(f"resource key {k!r}", None, name, why)
    if not res.get("path") and res.get("url"):
        raise unsupported("resource key 'url'", res["url"], name, "only files inside the package")
    if res.get("scheme", "file") != "file":
        raise unsupported("scheme", res["scheme"], name, "only local files")


def read_other_file(res: dict[str, Any], name: str, root: Path, what: str) -> OtherResource:
    """A resource that is not a table: its files, ``bytes`` and ``hash`` (what frictionless
    checks of it)."""
    _refuse_keys(res, name)
    paths = _paths(res, name, root)
    _, compression = _format_of(res)
    return OtherResource(
        name,
        ResourceFile(
            paths=paths,
            format="",
            compression=compression if compression in _COMPRESSIONS else None,
            bytes=_size(res, name),
            hash=_digest(res, name),
        ),
        what,
    )


def read_resource_file(res: dict[str, Any], name: str, root: Path) -> ResourceFile:
    """The resource's file keys, each read as frictionless 5 reads it or refused. A release's
    Parquet resource (format parquet) is taken as it is: the loader reads it, the CSV
    validator refuses it."""
    parquet = res.get("format", str(res["path"]).lower().rsplit(".", 1)[-1]) == "parquet"
    if parquet and isinstance(res["path"], str):
        confined_path(root, res["path"], f"resource {name!r}")
        return ResourceFile(paths=(res["path"],), format="parquet")
    _refuse_keys(res, name)
    paths = _paths(res, name, root)
    fmt, compression = _format_of(res)
    if compression == "no":
        compression = None
    if compression is not None:
        if compression not in _COMPRESSIONS:
            raise unsupported(
                "compression", compression, name, f"supported: {', '.join(_COMPRESSIONS)}"
            )
        if len(paths) > 1:
            raise unsupported(
                "compression",
                compression,
                name,
                "frictionless does not decompress multipart resources",
            )
    innerpath = res.get("innerpath")
    if innerpath is not None and (
        compression != "zip" or not isinstance(innerpath, str) or not innerpath
    ):
        raise unsupported("innerpath", innerpath, name, "a member name, for zip only")
    if fmt not in _FORMATS:
        raise unsupported(
            "format", fmt, name, "declare format csv or tsv; only CSV and TSV files are read"
        )
    encoding = res.get("encoding")
    if encoding is not None:
        import codecs

        try:
            encoding = codecs.lookup(encoding).name if isinstance(encoding, str) else None
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            encoding = None
        if encoding is None or not _is_text_codec(encoding):
            raise unsupported("encoding", res["encoding"], name, "not a text encoding Python knows")
        if encoding in _NAME_CODECS:
            raise unsupported(
                "encoding", res["encoding"], name, "a codec of domain names, not of files"
            )
    return ResourceFile(
        paths=paths,
        format=fmt,
        compression=compression,
        innerpath=innerpath,
        encoding=encoding,
        bytes=_size(res, name),
        hash=_digest(res, name),
    )


#: Codecs Python has for internationalised domain names: their decoders are quadratic on
#: long input (an 800 KB file takes most of a minute), and no table is stored in them.
_NAME_CODECS = frozenset({"punycode", "idna"})


def _is_text_codec(name: str) -> bool:
    try:
        "a,b\n".encode(name).decode(name)
    except (LookupError, TypeError, ValueError, UnicodeError, AttributeError):
        return False
    return True


_CSV_KEYS = {
    "delimiter": "delimiter",
    "quoteChar": "quote_char",
    "doubleQuote": "double_quote",
    "escapeChar": "escape_char",
    "skipInitialSpace": "skip_initial_space",
}

_DIALECT_BOOLS = {
    "doubleQuote": "double_quote",
    "skipInitialSpace": "skip_initial_space",
    "header": "header",
    "headerCase": "header_case",
    "skipBlankRows": "skip_blank_rows",
}

#: Dialect keys frictionless 5 reads without effect on reading a CSV (any other key it does
#: not read either, nullSequence among them): accepted, checked for their type.
_DIALECT_INERT = ("lineTerminator", "caseSensitiveHeader")


def read_dialect(res: dict[str, Any], name: str) -> Dialect:
    """The resource's dialect as frictionless 5 reads it; a key it cannot read exactly is an
    UnsupportedFeatureError."""
    d = res.get("dialect")
    if d is None:
        return Dialect()
    if isinstance(d, str):
        raise unsupported("dialect file", d, name, "write the dialect in the descriptor")
    if not isinstance(d, dict):
        raise DescriptorError(f"resource {name!r}: dialect must be an object, not {kind(d)}")
    csv = d.get("csv")  # frictionless 5's own form: the CSV options in a "csv" object
    if isinstance(csv, dict):
        d = {**{k: v for k, v in csv.items() if k in _CSV_KEYS}, **d}
    kw: dict[str, Any] = {}
    for k, v in d.items():
        feature = f"dialect.{k}"
        if k in _DIALECT_INERT:
            if k in ("lineTerminator",) and not isinstance(v, str):
                raise DescriptorError(f"resource {name!r}: {feature} must be a string")
            if k == "caseSensitiveHeader" and not isinstance(v, bool):
                raise DescriptorError(f"resource {name!r}: {feature} must be true or false")
            continue
        if k in _DIALECT_BOOLS:
            if not isinstance(v, bool):
                raise DescriptorError(
                    f"resource {name!r}: {feature} must be true or false, "
                    f"not {kind(v)} {short_repr(v)}"
                )
            kw[_DIALECT_BOOLS[k]] = v
        elif k in ("delimiter", "quoteChar", "escapeChar"):
            if not isinstance(v, str) or len(v) != 1 or v in "\r\n":
                raise unsupported(feature, v, name, "one character, not a line break")
            kw[_CSV_KEYS[k]] = v
        elif k == "commentChar":
            if not isinstance(v, str) or not v:
                raise unsupported(feature, v, name, "a non-empty string")
            kw["comment_char"] = v
        elif k == "headerJoin":
            if not isinstance(v, str):
                raise DescriptorError(f"resource {name!r}: {feature} must be a string")
            kw["header_join"] = v
        elif k in ("headerRows", "commentRows"):
            if (
                not isinstance(v, list)
                or len(v) > 1000
                or not all(
                    isinstance(x, int) and not isinstance(x, bool) and 0 < x < 2**31 for x in v
                )
            ):
                raise unsupported(feature, v, name, "a list of row numbers from 1")
            if k == "headerRows":
                if not v or v != sorted(set(v)):
                    raise unsupported(feature, v, name, "rising row numbers")
                kw["header_rows"] = tuple(v)
            else:
                kw["comment_rows"] = tuple(v)
    dialect = Dialect(**kw, declared=frozenset(d))
    chars = [c for c in (dialect.delimiter, dialect.quote_char, dialect.escape_char) if c]
    if len(set(chars)) != len(chars):
        raise unsupported("dialect", d, name, "delimiter, quoteChar and escapeChar must differ")
    return dialect
