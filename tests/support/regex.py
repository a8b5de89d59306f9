"""Regular expressions a test expects to find something."""

from __future__ import annotations

import re


def match_in(pattern: str | re.Pattern[str], text: str, *, flags: int = 0) -> re.Match[str]:
    """The first match of ``pattern`` in ``text`` (``re.search``); the test fails, naming the
    pattern, when there is none."""
    m = re.search(pattern, text, flags)
    assert m is not None, f"no match for {getattr(pattern, 'pattern', pattern)!r}"
    return m
