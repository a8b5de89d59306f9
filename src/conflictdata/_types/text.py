"""The text-like Table Schema types, string (formats default, uri, uuid), any and boolean:
which cells are values, and those values as Arrow arrays, vectorised over the column, as
frictionless 5 reads them."""

from __future__ import annotations

import re
import uuid
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .kernels import np_mask, take_rows
from .spec import FieldSpec, Read

__all__ = ["BOUNDS", "READERS", "read_any", "read_boolean", "read_string"]

#: rfc3986's URI_MATCHER takes a scheme iff the cell starts with one and ':'; frictionless
#: requires the scheme and nothing else
_URI_RE = r"^[a-zA-Z][a-zA-Z0-9+.-]*:"


def _is_uuid(text: str) -> bool:
    """validators.uuid as frictionless 5 calls it: Python's uuid.UUID accepts the text."""
    try:
        return bool(uuid.UUID(text))
    except ValueError:
        return False


def _uuid_ok(s: pa.ChunkedArray, present: np.ndarray) -> np.ndarray:
    """uuid.UUID(cell) succeeds: 'urn:' and 'uuid:' dropped, '{' '}' stripped from the ends,
    '-' dropped, then 32 hex digits (a cell of 32 characters that is not plain hex, say
    with a sign or '_', goes through uuid.UUID itself)."""
    t = pc.replace_substring(pc.replace_substring(s, "urn:", ""), "uuid:", "")
    t = pc.replace_substring(pc.replace_substring_regex(t, r"^[{}]+|[{}]+$", ""), "-", "")
    ok = present & np_mask(pc.match_substring_regex(t, r"^[0-9a-fA-F]{32}$"))
    rest = np.flatnonzero(present & ~ok & np_mask(pc.equal(pc.utf8_length(t), 32)))
    if len(rest):
        ok[rest] = [_is_uuid(v) for v in take_rows(s, rest).to_pylist()]
    return ok


_LATIN = "\u0100-\u017f\u0180-\u024f\u00a0-\u00ff"
#: validators.email's user part (Python re, IGNORECASE, re.match: '$' also before a final
#: newline) and validators.domain's name, as frictionless 5 (validators 0.2x) checks them
_EMAIL_USER = re.compile(
    rf"(^[{_LATIN}]|[{_LATIN}0-9a-z!#$%&'*+/=?^_`{{}}|~\-]+"
    rf"(\.[{_LATIN}0-9a-z!#$%&'*+/=?^_`{{}}|~\-]+)*$"
    rf'|^"([{_LATIN}\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\011.])*")$',
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z]$", re.IGNORECASE
)
#: the same for cells of printable ASCII (no newline, so '$' is the end), in RE2
_EMAIL_ASCII = (
    "^(?:[0-9a-zA-Z!#$%&'*+/=?^_`{}|~-]+(?:\\.[0-9a-zA-Z!#$%&'*+/=?^_`{}|~-]+)*"
    '|"(?:[!#-\\[\\]-~]|\\\\\\.)*")'
    "@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+"
    "[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z]$"
)


def is_email(value: str) -> bool:
    """validators.email(value) with its defaults, as frictionless 5 calls it."""
    if not value or value.count("@") != 1:
        return False
    user, domain = value.rsplit("@", 1)
    if len(user) > 64 or len(domain) > 253 or not domain:
        return False
    if not _EMAIL_USER.match(user):
        return False
    try:
        encoded = domain.encode("idna").decode("utf-8")
    except (UnicodeError, ValueError):
        return False
    if len(encoded.rstrip(".")) > 253:
        return False
    return not re.search(r"\s|__+", domain) and _DOMAIN.match(encoded) is not None


def _email_ok(s: pa.ChunkedArray, present: np.ndarray) -> np.ndarray:
    """is_email over the column: printable ASCII cells by one RE2 test (with the user
    part's 64 and the domain's 253 characters), the others through is_email."""
    plain = np_mask(pc.match_substring_regex(s, r"^[\x20-\x7e]*$"))
    ok = present & plain & np_mask(pc.match_substring_regex(s, _EMAIL_ASCII))
    if ok.any():
        user = pc.utf8_length(pc.replace_substring_regex(s, "@[^@]*$", ""))
        domain = pc.utf8_length(pc.replace_substring_regex(s, "^[^@]*@", ""))
        ok &= np_mask(pc.and_(pc.less_equal(user, 64), pc.less_equal(domain, 253)))
    rest = np.flatnonzero(present & ~plain)
    if len(rest):
        ok[rest] = [is_email(v) for v in take_rows(s, rest).to_pylist()]
    return ok


_B64 = "[A-Za-z0-9+/]"
#: base64.b64decode(cell) without validate: other ASCII characters are skipped; a quad is
#: four data characters, '=' between them ignored before the third and single before the
#: fourth; decoding stops well at '==' after two of a quad or '=' after three, and
#: otherwise succeeds only on a whole number of quads
_B64_QUAD = f"=*{_B64}=*{_B64}=?{_B64}{_B64}"
_BINARY = f"^(?:{_B64_QUAD})*(?:=*$|=*{_B64}=*{_B64}==|=*{_B64}=*{_B64}=?{_B64}=)"


def _binary_ok(s: pa.ChunkedArray, present: np.ndarray) -> np.ndarray:
    """base64.b64decode(cell) succeeds (a non-ASCII cell fails: the text is encoded as
    ASCII first)."""
    ascii_ = np_mask(pc.string_is_ascii(s))
    kept = pc.replace_substring_regex(s, "[^A-Za-z0-9+/=]", "")
    return present & ascii_ & np_mask(pc.match_substring_regex(kept, _BINARY))


def read_string(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    """Every present cell is a string (of its format: uri, uuid); compared as text (typed
    None: built on demand by TableData.value())."""
    if f.format == "uri":
        return Read(
            present & np_mask(pc.match_substring_regex(s, _URI_RE)),
            None,
            "a URI (a scheme, then ':')",
        )
    if f.format == "uuid":
        return Read(_uuid_ok(s, present), None, "a UUID")
    if f.format == "binary":
        return Read(_binary_ok(s, present), None, "base64 text")
    if f.format == "email":
        return Read(_email_ok(s, present), None, "an email address")
    return Read(present, None, "a string")


def read_any(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    """Every cell is a value of type any, compared as text."""
    return Read(present, None, "any value")


def read_boolean(f: FieldSpec, s: pa.ChunkedArray, present: np.ndarray) -> Read:
    tv, fv = list(f.true_values), list(f.false_values)
    is_t = np_mask(pc.is_in(s, value_set=pa.array(tv, pa.string())))
    is_f = np_mask(pc.is_in(s, value_set=pa.array(fv, pa.string())))
    valid = present & (is_t | is_f)
    return Read(
        valid,
        pa.array(is_t, pa.bool_(), mask=~valid),
        f"a boolean ({'/'.join(tv)} or {'/'.join(fv)})",
    )


def _string_bound(f: FieldSpec, value: Any) -> Any:
    return pa.scalar(str(value), pa.string())


def _boolean_value(f: FieldSpec, value: Any) -> Any:
    """An enum item read as frictionless' boolean reader reads it (ValueError: no boolean)."""
    if value is True or value is False:
        return pa.scalar(value, pa.bool_())
    if isinstance(value, str):
        if value in f.true_values:
            return pa.scalar(True, pa.bool_())
        if value in f.false_values:
            return pa.scalar(False, pa.bool_())
    raise ValueError(f"{value!r} is not a boolean")


READERS = {"string": read_string, "any": read_any, "boolean": read_boolean}
BOUNDS = {"string": _string_bound, "boolean": _boolean_value}
