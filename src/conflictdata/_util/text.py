"""Strings from data, made safe to show: on one line of a terminal or CI log (control
characters, line breaks, ESC, bidi controls and lone surrogates visible as escapes), never a
CI runner's workflow command, cut short in messages, and escaped where markdown is written.

Every string printed or written that comes from a descriptor, a schema, a file name or a
cell goes through :func:`visible` (or :func:`shown`, which also bounds it); a whole output
line through :func:`safe_line`.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: What a terminal, a CI runner or a reader's eye would not show as itself: C0 and C1
#: controls (newlines, ESC, NUL), bidi and zero-width controls, separators, BOM, surrogates.
#: Beyond C0 (which JSON escapes itself), the same set as a regular expression class body.
INVISIBLE_ABOVE_C0 = (
    "\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000e0000-\U000e007f"
)
_INVISIBLE = re.compile(f"[\x00-\x1f{INVISIBLE_ABOVE_C0}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with every character a terminal or CI log would act on or hide shown as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``), so it prints as exactly one line of itself."""
    return _INVISIBLE.sub(lambda m: _escape(m.group()), text)


#: Characters of one string from data shown in a message line; the rest are counted.
SHOWN_LIMIT = 1000


def cut(text: str, limit: int = SHOWN_LIMIT) -> str:
    """``text`` if it has at most ``limit`` characters, else its first ``limit`` and how many
    there were: a message never carries a whole megabyte of someone's value."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(text: str, limit: int = SHOWN_LIMIT) -> str:
    """``text`` as one bounded, visible line fragment: :func:`cut`, then :func:`visible`."""
    return visible(cut(text, limit))


#: A GitHub Actions runner executes a line whose first non-blank characters are ``::``
#: (``::error ...::``), and a ``##[command]`` anywhere in a line (the older syntax).
_COMMAND_START = re.compile(r"^(\s*):(?=:)")
_COMMAND_V1 = re.compile(r"##\[")


def safe_line(line: str) -> str:
    """One output line that no terminal or CI runner acts on: :func:`visible`, and a line
    that would start a workflow command (``::`` first, or ``##[`` anywhere) shows its first
    colon or bracket escaped (``\\x3a``, ``\\x5b``). Our own annotations are built around it."""
    out = _COMMAND_START.sub(r"\1\\x3a", visible(line), count=1)
    return _COMMAND_V1.sub(r"##\\x5b", out)


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
    it, so nothing in it can close the span (and no HTML in it is live); a ``##[`` in it
    shows its bracket escaped, as :func:`safe_line` does."""
    shown = _COMMAND_V1.sub(r"##\\x5b", visible(text))
    runs = [len(r) for r in re.findall(r"`+", shown)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def shortened(text: str, limit: int = 60, end: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters for a one-line message, ``end`` marking
    the cut (a repr's cut keeps its look with ``end="…'"``)."""
    return text if len(text) <= limit else text[: limit - 1] + end
