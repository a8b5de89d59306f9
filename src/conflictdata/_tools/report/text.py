"""Text of the report: every string from a release shown safely, measured and wrapped.

One rule for what the page shows of data (cells, enum values, field names, changelog text):
control characters, line and paragraph separators, bidirectional and zero-width controls and
lone surrogates are made visible as ``\\n``, ``\\x1b``, ``\\u202e``…, then the text is
HTML-escaped (:func:`e`) or handed to Vega, which draws it as SVG text (never markup).

Chart labels are wrapped here, in Python, so the same release gives the same chart in the page
and in a notebook: widths are estimated from the advance widths of DejaVu Sans (the widest
common sans-serif, what Debian's Chromium draws ``system-ui`` with), so a line never comes out
wider than its column in a narrower font.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

__all__ = [
    "FONT",
    "MONO",
    "e",
    "ew",
    "html_table",
    "mono_width",
    "render_markdown",
    "text_width",
    "visible",
    "wrap",
]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"

#: What is never shown raw: C0 and C1 controls, DEL, soft hyphen, Arabic letter mark, zero-width
#: and bidirectional controls, line and paragraph separators, BOM, and lone surrogates.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
#: The same, keeping line feeds and tabs (markdown needs them for its structure).
_HIDDEN_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e"
    "\u2028\u2029\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(m: re.Match[str]) -> str:
    c = m.group(0)
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(value: Any, *, keep_lines: bool = False) -> str:
    """``value`` as text with every hidden character written out (``\\n``, ``\\u202e``…).

    ``keep_lines`` keeps line feeds and tabs as they are (for markdown, whose structure they
    are); carriage returns are then folded into line feeds first.
    """
    text = "" if value is None else str(value)
    if keep_lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _HIDDEN_KEEP_LINES.sub(_show, text)
    return _HIDDEN.sub(_show, text)


def e(value: Any) -> str:
    """A value as HTML text: made visible, then escaped (quotes too); empty for a missing one."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(visible(value), quote=True)


def ew(value: Any) -> str:
    """:func:`e`, with a line-break opportunity after each underscore: for enum values and field
    names (``hundreds_of_thousands``), which otherwise widen a table column to their length."""
    return e(value).replace("_", "_<wbr>")


def html_table(
    head: list[str],
    rows: list[list[str]],
    numeric: set[int] | frozenset[int] = frozenset(),
    cls: str = "",
) -> str:
    """A table of already-escaped cells under escaped headings; ``numeric`` columns right-aligned."""
    parts = [f'<table class="{e(cls)}"><thead><tr>' if cls else "<table><thead><tr>"]
    parts.extend(
        f'<th class="n">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>"
        for i, h in enumerate(head)
    )
    parts.append("</tr></thead><tbody>")
    for r in rows:
        parts.append("<tr>")
        parts.extend(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r)
        )
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


# --------------------------------------------------------------------------- measuring

#: Advance widths (em) of printable ASCII in DejaVu Sans, measured in Chromium.
_ASCII_EM = (
    0.32, 0.40, 0.46, 0.84, 0.64, 0.95, 0.78, 0.27, 0.39, 0.39, 0.50, 0.84, 0.32, 0.36, 0.32, 0.34,
    0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34, 0.84, 0.84, 0.84, 0.53,
    1.00, 0.68, 0.69, 0.70, 0.77, 0.63, 0.58, 0.77, 0.75, 0.29, 0.29, 0.66, 0.56, 0.86, 0.75, 0.79,
    0.60, 0.79, 0.69, 0.63, 0.61, 0.73, 0.68, 0.99, 0.69, 0.61, 0.69, 0.39, 0.34, 0.39, 0.84, 0.50,
    0.50, 0.61, 0.63, 0.55, 0.63, 0.62, 0.35, 0.63, 0.63, 0.28, 0.28, 0.58, 0.28, 0.97, 0.63, 0.61,
    0.63, 0.63, 0.41, 0.52, 0.39, 0.63, 0.59, 0.82, 0.59, 0.59, 0.52, 0.64, 0.34, 0.64, 0.84,
)  # fmt: skip
#: Some common non-ASCII characters of the data (typographic quotes, dashes, arrows).
_OTHER_EM = {
    "\u2013": 0.50, "\u2014": 1.00, "\u2018": 0.32, "\u2019": 0.32, "\u201c": 0.52, "\u201d": 0.52,
    "\u2026": 1.00, "\u00b7": 0.32, "\u21b3": 0.84, "\u2003": 1.00, "\u00a0": 0.32,
}  # fmt: skip


def _char_em(c: str) -> float:
    n = ord(c)
    if 32 <= n < 127:
        return _ASCII_EM[n - 32]
    if c in _OTHER_EM:
        return _OTHER_EM[c]
    if unicodedata.combining(c):
        return 0.0
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 1.05
    return 0.80  # other letters: as wide as most capitals


def text_width(text: str, size: float) -> float:
    """Estimated width in px of ``text`` at ``size`` px in the page's sans-serif font."""
    return sum(_char_em(c) for c in text) * size


def mono_width(text: str, size: float) -> float:
    """Width in px of ``text`` in a monospace font (0.6 em a character)."""
    return 0.6 * size * len(text)


def wrap(text: str, width: float, size: float, *, max_lines: int = 6) -> list[str]:
    """``text`` broken into lines of at most ``width`` px at ``size`` px: at spaces, and inside a
    word only when the word alone is wider. Beyond ``max_lines`` the last line ends in "…"
    (the whole text stays in the tooltip and the row details)."""
    lines: list[str] = []
    line, line_w = "", 0.0
    space = text_width(" ", size)
    for word in text.split():
        w = text_width(word, size)
        if line and line_w + space + w <= width:
            line, line_w = f"{line} {word}", line_w + space + w
            continue
        if line:
            lines.append(line)
        line, line_w = "", 0.0
        while w > width:  # a word wider than the column: cut it where it fills a line
            cut, cut_w = 0, 0.0
            for c in word:
                cw = _char_em(c) * size
                if cut and cut_w + cw > width:
                    break
                cut, cut_w = cut + 1, cut_w + cw
            lines.append(word[:cut])
            word = word[cut:]
            w = text_width(word, size)
        line, line_w = word, w
    if line or not lines:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        ell = text_width("\u2026", size)
        while last and text_width(last, size) + ell > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "\u2026"]
    return lines


# --------------------------------------------------------------------------- markdown


def render_markdown(text: str, *, heading_shift: int = 2) -> str:
    """Markdown (the release's CHANGELOG.md) as HTML with markdown-it-py, CommonMark plus tables.

    Raw HTML is off, so markup in the text is escaped; links, images and autolinks are off, so
    the page links and loads nothing; hidden characters are made visible first. Headings move
    down ``heading_shift`` levels to sit under the section's own heading.
    """
    from .options import require

    markdown_it = require("markdown_it")
    md = markdown_it.MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    )
    md.enable("table")
    md.disable(["image", "link", "autolink", "html_inline", "html_block", "reference"])
    tokens = md.parse(visible(text, keep_lines=True))
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close"):
            level = min(int(tok.tag[1:]) + heading_shift, 6)
            tok.tag = f"h{level}"
    return md.renderer.render(tokens, md.options, {})
