"""The text-like Table Schema types, string (formats default, uri, uuid, email, binary), any
and boolean: which cells are values, and those values as Arrow arrays, vectorised over the
column, as frictionless 5 reads them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util.text import kind, short_repr
from .kernels import np_mask, take_rows
from .spec import At, Read, ValueType

__all__ = ["AnyType", "BooleanType", "StringType", "is_email"]

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


#: string formats read, and the ones frictionless 5 knows (wkt: refused here)
STRING_FORMATS = ("default", "uri", "uuid", "email", "binary")
_FRICTIONLESS_STRING_FORMATS = ("default", "email", "uri", "binary", "uuid", "wkt")

_STRING_FORMAT_WHAT = {
    "uri": "a URI (a scheme, then ':')",
    "uuid": "a UUID",
    "binary": "base64 text",
    "email": "an email address",
}


def _pandas_text() -> Any:
    import pandas as pd

    return pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class StringType(ValueType):
    """``string``: every cell is its own value, compared as text; a format (uri, uuid,
    email, binary) says which cells are values."""

    name: ClassVar[str] = "string"
    constraints: ClassVar[tuple[str, ...]] = (
        "required",
        "unique",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
    )
    text_compared: ClassVar[bool] = True
    checks_example: ClassVar[bool] = True

    @classmethod
    def read_format(cls, fmt: str, at: At) -> str:
        if fmt not in _FRICTIONLESS_STRING_FORMATS:
            raise at.bad(
                f"format {short_repr(fmt)} is not one of "
                f"{', '.join(_FRICTIONLESS_STRING_FORMATS)} (frictionless 5: field-error)"
            )
        if fmt not in STRING_FORMATS:
            raise at.refuse("string format", fmt, f"read: {', '.join(STRING_FORMATS)}")
        return fmt

    @property
    def what(self) -> str:
        return _STRING_FORMAT_WHAT.get(self.format, "a string")

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        """Every present cell is a string (of its format); compared as text (typed None:
        the checks compare the cells)."""
        if self.format == "uri":
            ok = present & np_mask(pc.match_substring_regex(s, _URI_RE))
        elif self.format == "uuid":
            ok = _uuid_ok(s, present)
        elif self.format == "binary":
            ok = _binary_ok(s, present)
        elif self.format == "email":
            ok = _email_ok(s, present)
        else:
            ok = present
        return Read(ok, None, self.what)

    def value(self, v: Any) -> Any:
        """A string (a URI starts with a scheme, as frictionless' reader checks)."""
        if not isinstance(v, str):
            return None
        if self.format == "uri" and re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", v) is None:
            return None
        return v

    def scalar_type(self) -> pa.DataType:
        return pa.string()

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        return _pandas_text()


@dataclass(frozen=True)
class AnyType(ValueType):
    """``any``: every cell is a value, compared as text (an enum item that is not a string
    matches nothing)."""

    name: ClassVar[str] = "any"
    constraints: ClassVar[tuple[str, ...]] = ("required", "unique", "enum")
    text_compared: ClassVar[bool] = True

    @property
    def what(self) -> str:
        return "any value"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        return Read(present, None, self.what)

    def value(self, v: Any) -> Any:
        return v if isinstance(v, str) else None

    def scalar_type(self) -> pa.DataType:
        return pa.string()

    def arrow_type(self) -> pa.DataType:
        return pa.string()

    def pandas_dtype(self) -> Any:
        return _pandas_text()


#: How a boolean cell is spelled when the field declares no ``trueValues`` / ``falseValues``.
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class BooleanType(ValueType):
    """``boolean``: a cell is true or false by its spelling (``trueValues``,
    ``falseValues``); a descriptor value is ``true``/``false`` or one of the spellings."""

    name: ClassVar[str] = "boolean"
    constraints: ClassVar[tuple[str, ...]] = ("required", "unique", "enum")
    options: ClassVar[tuple[str, ...]] = ("trueValues", "falseValues")
    checks_example: ClassVar[bool] = True

    true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES
    false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES

    @classmethod
    def from_descriptor(cls, fmt: str, options: Mapping[str, Any], at: At) -> BooleanType:
        spellings = [DEFAULT_TRUE_VALUES, DEFAULT_FALSE_VALUES]
        for i, key in enumerate(cls.options):  # trueValues, falseValues
            v = options.get(key)
            if v is not None and (
                not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v)
            ):
                raise at.bad(
                    f"{key} must be a non-empty list of strings, not {kind(v)} {short_repr(v)}"
                )
            if v:
                spellings[i] = tuple(v)
        return cls(format=fmt, true_values=spellings[0], false_values=spellings[1])

    @property
    def what(self) -> str:
        return f"a boolean ({'/'.join(self.true_values)} or {'/'.join(self.false_values)})"

    def read(self, s: pa.ChunkedArray, present: np.ndarray) -> Read:
        is_t = np_mask(pc.is_in(s, value_set=pa.array(list(self.true_values), pa.string())))
        is_f = np_mask(pc.is_in(s, value_set=pa.array(list(self.false_values), pa.string())))
        valid = present & (is_t | is_f)
        return Read(valid, pa.array(is_t, pa.bool_(), mask=~valid), self.what)

    def value(self, v: Any) -> Any:
        """frictionless' boolean value reader."""
        if v is True or v is False:
            return v
        if isinstance(v, str):
            if v in self.true_values:
                return True
            if v in self.false_values:
                return False
        return None

    def scalar_type(self) -> pa.DataType:
        return pa.bool_()

    def read_typed(self, arr: pa.Array) -> Read | None:
        if not pa.types.is_boolean(arr.type):
            return None
        ok = np_mask(pc.is_valid(arr))
        return Read(ok, arr, self.what)

    def write(self, arr: pa.Array) -> pa.Array:
        """As frictionless' value writer: the first true or false spelling."""
        return pc.if_else(arr, self.true_values[0], self.false_values[0])

    def arrow_type(self) -> pa.DataType:
        return pa.bool_()

    def pandas_dtype(self) -> Any:
        import pandas as pd

        return pd.BooleanDtype()
