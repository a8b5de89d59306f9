"""JSON read as hostile input: bounded size and nesting, no repeated keys, no NaN."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConflictDataError, DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .text import short_repr

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


def _depth_ok(value: Any) -> bool:
    """True if containers nest at most MAX_JSON_DEPTH deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            if d > MAX_JSON_DEPTH:
                return False
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return True


def parse_json(
    text: str | bytes,
    what: str,
    *,
    limit: int = MAX_JSON_BYTES,
    error: type[ConflictDataError] = DescriptorError,
) -> Any:
    """JSON text as a value, bounded (``limit`` bytes, nesting, no repeated keys, no NaN);
    anything else is a one-line ``error`` (DescriptorError; a download's: DownloadError)
    naming ``what``."""
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
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DescriptorError(
            f"{what} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise DescriptorError(f"{what}: JSON nested too deeply") from None
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{what} is not valid JSON: {short_repr(str(exc), 120)}") from None
    if not _depth_ok(value):
        raise DescriptorError(f"{what}: JSON nested more than {MAX_JSON_DEPTH} deep")
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
