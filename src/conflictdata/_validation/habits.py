"""Hints that name the spreadsheet habit behind a wrong-type value: a date shown (and saved)
in the computer's regional format or as Excel's day number, a number with a thousands
separator, a decimal comma, a percent sign or scientific notation. ``conflictdata fix`` never
rewrites these (it cannot know what the contributor meant), so the hint says what to type.

Only findings are looked at (at most the per-rule cap of them), never every row.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

from .._checks.findings import Finding
from .._tableschema.model import Package

__all__ = ["habit_hint", "with_habit_hints"]

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_KEEP_TEXT = (
    "to stop the spreadsheet doing it again, format the column as Text before typing "
    "(or import the CSV with that column as Text)"
)
_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD_SLASH = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]0{1,2}:00(?::00)?(?:\.0+)?")
_NAMED = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3})[a-z]*\.?[ ,-]*(\d{2}|\d{4})")
_NAMED_US = re.compile(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})")
_SERIAL = re.compile(r"[1-9]\d{4}(?:\.0+)?")
_GROUPED = re.compile(r"-?\d{1,3}(?:([,.' \u00a0\u202f])\d{3})+")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_PERCENT = re.compile(r"-?\d+(?:[.,]\d+)?\s?%")
_SCIENTIFIC = re.compile(r"-?\d(?:\.\d+)?[eE][+-]?\d+")
_ACCOUNTING = re.compile(r"\(\d+(?:\.\d+)?\)")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _year(text: str) -> int:
    y = int(text)
    return y if len(text) == 4 else 2000 + y if y < 70 else 1900 + y


def _date_hint(value: str) -> str | None:
    v = value.strip()
    if m := _ISO_TIME.fullmatch(v):
        return (
            f"a spreadsheet added a time of day to the date: write {m.group(1)} (YYYY-MM-DD) "
            f"without it; {_KEEP_TEXT}"
        )
    if m := _YMD_SLASH.fullmatch(v):
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            return f"write the date as {iso} (YYYY-MM-DD, with '-'); {_KEEP_TEXT}"
    if m := _DMY.fullmatch(v):
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        dmy, mdy = _iso(y, b, a), _iso(y, a, b)
        short = " (and a two-digit year)" if len(m.group(4)) == 2 else ""
        if dmy and mdy and dmy != mdy:
            reading = f"{dmy} (day first) or {mdy} (month first): check the source"
        else:
            reading = dmy or mdy or "a real calendar date"
        if short and (dmy or mdy):
            reading += ", if the century is right"
        return (
            f"a spreadsheet saved this date in its regional format{short}: write it as "
            f"YYYY-MM-DD, here {reading}; {_KEEP_TEXT}"
        )
    for pattern, order in ((_NAMED, "dmy"), (_NAMED_US, "mdy")):
        if m := pattern.fullmatch(v):
            parts = m.groups()
            day, mon, yr = (
                (parts[0], parts[1], parts[2]) if order == "dmy" else (*parts[1::-1], parts[2])
            )
            month = _MONTHS.get(mon[:3].lower())
            iso = _iso(_year(yr), month, int(day)) if month else None
            if iso:
                century = ", if the century is right" if len(yr) == 2 else ""
                return (
                    f"a spreadsheet saved this date with the month's name: write it as {iso} "
                    f"(YYYY-MM-DD){century}; {_KEEP_TEXT}"
                )
    if _SERIAL.fullmatch(v):
        days = int(float(v))
        if 20000 <= days <= 80000:
            day = (date(1899, 12, 30) + timedelta(days=days)).isoformat()
            return (
                f"{v} looks like a spreadsheet's day number for {day}: write the date as "
                f"YYYY-MM-DD; {_KEEP_TEXT}"
            )
    return None


def _number_hint(value: str, integer: bool) -> str | None:
    v = value.strip()
    if v.startswith("'"):
        return (
            "the apostrophe a spreadsheet uses to keep a value as text was saved with it: delete it"
        )
    if _PERCENT.fullmatch(v):
        return (
            "a spreadsheet's percent format was saved with the value: write the number "
            "itself, without '%'"
        )
    if _ACCOUNTING.fullmatch(v):
        return (
            "a spreadsheet's accounting format wrote a negative number in brackets: write "
            f"-{v[1:-1]}"
        )
    if m := _GROUPED.fullmatch(v):
        if not integer and m.group(1) == "," and v.count(",") == 1:
            return (
                f"a spreadsheet wrote a thousands separator (then write {v.replace(',', '')}) "
                f"or a decimal comma (then write {v.replace(',', '.')}): check the source; "
                f"{_KEEP_TEXT}"
            )
        plain = re.sub(r"[,.' \u00a0\u202f]", "", v)
        return (
            f"a spreadsheet's number format added a thousands separator ({m.group(1)!r}): "
            f"write {plain}; {_KEEP_TEXT}"
        )
    if not integer and _DECIMAL_COMMA.fullmatch(v):
        return (
            "a spreadsheet in a regional format saved a decimal comma: write "
            f"{v.replace(',', '.')}; {_KEEP_TEXT}"
        )
    if _SCIENTIFIC.fullmatch(v):
        return (
            "a spreadsheet shortened a long number to scientific notation (and may have "
            f"rounded it): type the full number from the source; {_KEEP_TEXT}"
        )
    return None


def habit_hint(value: str | None, field_type: str) -> str | None:
    """The hint for a cell of ``field_type`` that a spreadsheet probably reformatted, or
    None when ``value`` does not look like one."""
    if not value:
        return None
    if field_type in ("date", "datetime"):
        return _date_hint(value)
    if field_type in ("integer", "number"):
        return _number_hint(value, field_type == "integer")
    return None


def with_habit_hints(findings: list[Finding], pkg: Package) -> list[Finding]:
    """``findings`` with each wrong-type value a spreadsheet probably made (E202, E203)
    hinted at by its habit."""
    out = []
    for f in findings:
        if f.code in ("E202", "E203") and f.table in pkg.tables and f.field:
            try:
                ftype = pkg.tables[f.table].field(f.field).type
            except KeyError:
                ftype = ""
            hint = habit_hint(f.value, ftype)
            if hint is not None:
                f = dataclasses.replace(f, hint=hint)
        out.append(f)
    return out
