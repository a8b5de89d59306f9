"""JSON read as hostile input (bounded size and nesting, no repeated keys, only finite
numbers) and written so that it prints as itself (:func:`dump_json`)."""

from __future__ import annotations

import json
import math
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConflictDataError, DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .text import INVISIBLE_ABOVE_C0, short_repr

#: Bounds on what a descriptor or schema may hold: far above any real package, low enough
#: that a hostile one is refused at once.
MAX_JSON_BYTES = 8 << 20

MAX_JSON_DEPTH = 64


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the key {short_repr(k)} appears twice in one object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent, refused if it overflows to infinity
    (``1e400``): every later writer of it (a release descriptor, Parquet metadata) would
    write ``Infinity``, which is not JSON."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {short_repr(text)} is not finite (too large for a float)")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(value: Any) -> str | None:
    """Why ``value`` cannot be used (nested more than MAX_JSON_DEPTH deep, or a string or
    key holding a lone surrogate, which no UTF-8 writer can write), or None. Walked without
    recursion."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, str):
            if _SURROGATE.search(v):
                return f"the string {short_repr(v)} holds a lone surrogate: not Unicode text"
        elif isinstance(v, (dict, list)):
            if d > MAX_JSON_DEPTH:
                return f"JSON nested more than {MAX_JSON_DEPTH} deep"
            if isinstance(v, dict):
                stack.extend((k, d) for k in v)
                stack.extend((x, d + 1) for x in v.values())
            else:
                stack.extend((x, d + 1) for x in v)
    return None


def parse_json(
    text: str | bytes,
    what: str,
    *,
    limit: int = MAX_JSON_BYTES,
    error: type[ConflictDataError] = DescriptorError,
) -> Any:
    """JSON text as a value, bounded (``limit`` bytes, nesting), no repeated keys, only finite
    numbers and Unicode text (no lone surrogate); anything else is a one-line ``error``
    (DescriptorError; a download's: DownloadError) naming ``what``."""
    try:
        return _parse_json(text, what, limit)
    except DescriptorError as exc:
        if error is DescriptorError:
            raise
        raise error(str(exc)) from None


def _parse_json(text: str | bytes, what: str, limit: int) -> Any:
    if len(text) > limit:
        raise DescriptorError(f"{what} is larger than {limit:,} bytes")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as exc:
        raise DescriptorError(
            f"{what} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise DescriptorError(f"{what}: JSON nested too deeply") from None
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{what} is not valid JSON: {short_repr(str(exc), 120)}") from None
    why = _check_tree(value)
    if why is not None:
        raise DescriptorError(f"{what}: {why}")
    return value


def read_json(path: Path, what: str) -> Any:
    """A JSON file that is a regular file of bounded size; its content is never shown."""
    label = f"{what} {short_repr(str(path), 200)}"
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DescriptorError(f"{what} not found: {short_repr(str(path), 200)}") from None
    except (OSError, ValueError) as exc:
        raise DescriptorError(
            f"{label} could not be read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise DescriptorError(f"{label} is not a regular file")
    if st.st_size > MAX_JSON_BYTES:
        raise DescriptorError(f"{label} is larger than {MAX_JSON_BYTES:,} bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise DescriptorError(f"{label} could not be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DescriptorError(f"{label} is not UTF-8 text") from None
    return parse_json(text, label)


#: Characters JSON may hold raw in a string that a terminal or reader acts on or does not
#: see (C1 and bidi controls, zero-width characters, lone surrogates); JSON escapes C0 itself.
_JSON_INVISIBLE = re.compile(f"[{INVISIBLE_ABOVE_C0}]")


def _json_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: a JSON surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def dump_json(value: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    """``value`` as JSON text that prints as itself: readable non-ASCII text, but every
    invisible or controlling character a ``\\u`` escape, so a JSON reader gets the exact
    value back and a terminal or CI log shows nothing it would act on (``##[`` is written
    ``##\\u005b``). Non-finite numbers
    are refused (ValueError): they are not JSON."""
    text = json.dumps(
        value, ensure_ascii=False, indent=indent, sort_keys=sort_keys, allow_nan=False
    )
    # "##[" occurs only inside strings; a CI runner would read it as a command anywhere
    return _JSON_INVISIBLE.sub(_json_escape, text).replace("##[", "##\\u005b")
