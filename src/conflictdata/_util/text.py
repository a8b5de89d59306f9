"""Strings from data, made safe to show: on one line of a terminal or CI log (control
characters, line breaks, ESC, bidi controls and lone surrogates visible as escapes), cut
short in messages, and escaped where markdown is written."""

from __future__ import annotations

import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: What a terminal, a CI runner or a reader's eye would not show as itself: C0 and C1
#: controls (newlines, ESC, NUL), bidi and zero-width controls, separators, BOM, surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character a terminal or CI log would act on or hide shown as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``), so it prints as exactly one line of itself."""
    return _INVISIBLE.sub(lambda m: _escape(m.group()), text)


def short_repr(value: Any, limit: int = 60) -> str:
    """A value for a one-line message: repr'd (no raw newlines) and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^$=:\"'])")


def md_text(text: str) -> str:
    """``text`` as literal markdown (GitHub flavour): visible escapes for controls and line
    breaks, and a backslash before every character markdown or HTML could act on."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))


def md_code(text: str) -> str:
    """``text`` as one markdown code span whose fence is longer than any run of backticks in
    it, so nothing in it can close the span (and no HTML in it is live)."""
    shown = visible(text)
    runs = [len(r) for r in re.findall(r"`+", shown)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def shortened(text: str, limit: int = 60, end: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters for a one-line message, ``end`` marking
    the cut (a repr's cut keeps its look with ``end="…'"``)."""
    return text if len(text) <= limit else text[: limit - 1] + end
