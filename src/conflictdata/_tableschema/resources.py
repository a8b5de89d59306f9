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
from .model import Dialect, ResourceFile
from .paths import confined_path

#: Resource keys that are metadata only: accepted, never read.
RESOURCE_METADATA = (
    "title",
    "description",
    "homepage",
    "licenses",
    "sources",
    "keywords",
    "version",
    "created",
    "contributors",
    "$schema",
)

#: Resource keys this reader implements (see :func:`read_resource_file`, :func:`read_dialect`).
RESOURCE_KEYS = (
    "name",
    "path",
    "schema",
    "profile",
    "scheme",
    "format",
    "mediatype",
    "encoding",
    "compression",
    "innerpath",
    "bytes",
    "hash",
    "dialect",
    "type",
)

_COMPRESSIONS = ("gz", "zip", "bz2", "xz")

_FORMATS = {"csv": "text/csv", "tsv": "text/tab-separated-values"}

_PROFILES = ("tabular-data-resource", "data-resource")

MAX_PARTS = 1000

_HEX = {"md5": re.compile(r"[0-9a-fA-F]{32}"), "sha256": re.compile(r"[0-9a-fA-F]{64}")}


def read_resource_file(res: dict[str, Any], name: str, root: Path) -> ResourceFile:
    """The resource's file keys, each read as frictionless 5 reads it or refused. A release's
    Parquet resource (format parquet) is taken as it is: the loader reads it, the CSV
    validator refuses it."""
    parquet = res.get("format", str(res["path"]).lower().rsplit(".", 1)[-1]) == "parquet"
    if parquet and isinstance(res["path"], str):
        confined_path(root, res["path"], f"resource {name!r}")
        return ResourceFile(paths=(res["path"],), format="parquet")
    for k in res:
        if k not in RESOURCE_KEYS and k not in RESOURCE_METADATA:
            if k == "data":
                raise unsupported("inline data", None, name, "put the rows in a CSV file")
            raise unsupported(f"resource key {k!r}", None, name)
    profile = res.get("profile", "data-resource")
    if profile not in _PROFILES:
        raise unsupported("profile", profile, name, "only tabular-data-resource and data-resource")
    if res.get("scheme", "file") != "file":
        raise unsupported("scheme", res["scheme"], name, "only local files")
    if res.get("type", "table") != "table":  # frictionless 5's resource type
        raise unsupported("resource type", res["type"], name, "only table")
    raw_paths = res["path"]
    if isinstance(raw_paths, list):
        if not raw_paths or len(raw_paths) > MAX_PARTS:
            raise DescriptorError(f"resource {name!r}: a path list needs 1 to {MAX_PARTS} paths")
        paths = tuple(raw_paths)
    else:
        paths = (raw_paths,)
    for p in paths:
        confined_path(root, p, f"resource {name!r}")
    first = paths[0].rsplit("/", 1)[-1].lower()
    suffixes = first.split(".")[1:]
    compression = res.get("compression")
    if compression is None and suffixes and suffixes[-1] in _COMPRESSIONS:
        compression = suffixes[-1]
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
        if suffixes and suffixes[-1] == compression:
            suffixes = suffixes[:-1]
    innerpath = res.get("innerpath")
    if innerpath is not None and (
        compression != "zip" or not isinstance(innerpath, str) or not innerpath
    ):
        raise unsupported("innerpath", innerpath, name, "a member name, for zip only")
    if compression == "zip" and innerpath is not None:
        suffixes = innerpath.rsplit("/", 1)[-1].lower().split(".")[1:]
    fmt = res.get("format")
    if fmt is None:
        ext = suffixes[-1] if suffixes else ""
        if ext in _FORMATS:
            fmt = ext
        else:  # frictionless does not read such a file as a table at all
            raise unsupported(
                "format",
                ext or None,
                name,
                "declare format csv or tsv; only CSV and TSV files are read",
            )
    if fmt not in _FORMATS:
        raise unsupported("format", fmt, name, "only csv and tsv")
    mediatype = res.get("mediatype")
    if mediatype is not None and mediatype != _FORMATS[fmt]:
        raise unsupported("mediatype", mediatype, name, f"format {fmt} is {_FORMATS[fmt]}")
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
    size = res.get("bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise DescriptorError(
            f"resource {name!r}: bytes must be a whole number, not {kind(size)} {short_repr(size)}"
        )
    digest = None
    if res.get("hash"):  # frictionless compares no empty hash
        h = res["hash"]
        if not isinstance(h, str):
            raise DescriptorError(f"resource {name!r}: hash must be a string, not {kind(h)}")
        algo, _, value = h.partition(":") if ":" in h else ("md5", "", h)
        if algo not in _HEX:
            raise unsupported(
                "hash", h, name, "only md5 and sha256 (frictionless ignores other algorithms)"
            )
        digest = (algo, value)
    return ResourceFile(
        paths=paths,
        format=fmt,
        compression=compression,
        innerpath=innerpath,
        encoding=encoding,
        bytes=size,
        hash=digest,
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

#: Dialect keys frictionless 5 reads without effect on reading a CSV: accepted.
_DIALECT_INERT = (
    "lineTerminator",
    "caseSensitiveHeader",
    "csvddfVersion",
    "title",
    "description",
    "$schema",
)


def read_dialect(res: dict[str, Any], name: str) -> Dialect:
    """The resource's dialect as frictionless 5 reads it; a key it cannot read exactly is an
    UnsupportedFeatureError."""
    d = res.get("dialect")
    if d is None:
        return Dialect()
    if not isinstance(d, dict):
        raise DescriptorError(f"resource {name!r}: dialect must be an object, not {kind(d)}")
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
        elif k == "nullSequence":
            raise unsupported(feature, v, name, "frictionless 5 does not read it")
        else:
            raise unsupported(feature, v, name)
    dialect = Dialect(**kw, declared=frozenset(d))
    chars = [c for c in (dialect.delimiter, dialect.quote_char, dialect.escape_char) if c]
    if len(set(chars)) != len(chars):
        raise unsupported("dialect", d, name, "delimiter, quoteChar and escapeChar must differ")
    return dialect
