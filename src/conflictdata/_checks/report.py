"""The :class:`Report` of a validation run and its text, JSON and GitHub-annotation forms.

Every string in a rendering that came from the data (paths, messages, values, hints) is
shown with :func:`.._util.text.shown`: bounded, control characters, line breaks, ESC, bidi
controls and lone surrogates as visible escapes; no line can start a CI workflow command.
A rendering lists at most :data:`LIST_PER_CODE` findings of one code and
:data:`OUTPUT_LIMIT` bytes in all; the rest are counted in its summary line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._util.jsonio import dump_json
from .._util.text import cut, safe_line, shown
from .findings import RULES, Finding

#: Findings of one code listed by a rendering (the validator keeps up to 1,000 per table,
#: code and field; a file with a thousand broken fields would otherwise print a million).
LIST_PER_CODE = 1000

#: Bytes of one rendering (text, GitHub annotations or JSON) before it stops listing and
#: counts the rest: far above what a person or a CI log reads, far below what fills a disk.
OUTPUT_LIMIT = 4 << 20


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def _hint(f: Finding) -> str:
    return f" (hint: {shown(f.hint)})" if f.hint else ""


def text_line(f: Finding) -> str:
    """One finding as ``path:line:column: CODE [field, column M] message (hint: ...)``,
    safe to print (:meth:`Finding.format_text`)."""
    return f.format_text()


def fold_line(followers: Counter[str]) -> str:
    """The line under a finding that stands for those that follow from it."""
    n = sum(followers.values())
    codes = ", ".join(c if k == 1 else f"{c} x{k}" for c, k in sorted(followers.items()))
    return (
        f"    and {n} more on this row that it probably causes ({codes}; --format json "
        "lists every one)"
    )


def github_line(f: Finding) -> str:
    """One finding as a GitHub Actions annotation whose every property and message is data
    (escaped), never a second command."""
    props = []
    if f.path:
        props.append(f"file={_gh_prop(shown(f.path, 300))}")
    if f.line is not None:
        props.append(f"line={f.line}")
        if f.column is not None:
            props.append(f"col={f.column}")
    props.append(f"title={_gh_prop(f.code)}")
    msg = safe_line(f"{RULES[f.code].title}: {shown(f.message)}{_hint(f)}")
    return f"::{f.severity} {','.join(props)}::{_gh_data(msg)}"


def json_finding(f: Finding) -> dict[str, Any]:
    """One finding as a JSON object: its strings exact but for a bounded length."""
    return {k: cut(v) if isinstance(v, str) else v for k, v in f.to_dict().items()}


@dataclass
class Report:
    """The result of one validation run: every finding, sorted, with counts and stats."""

    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=Finding.sort_key)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
            "stats": self.stats,
        }

    def summary(self, not_listed: Counter[str] | None = None) -> str:
        """The verdict line; ``not_listed`` adds the findings a rendering left out."""
        rows = self.stats.get("rows")
        tables = len(self.stats.get("tables", {}))
        secs = self.stats.get("seconds")
        where = f" in {tables} tables, {rows:,} rows" if rows is not None else ""
        took = f" ({secs:.2f} s)" if secs is not None else ""
        e, w = self.errors, self.warnings
        verdict = "valid" if self.valid else "INVALID"
        line = f"{verdict}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}{where}{took}"
        more = self._not_listed(not_listed)
        if more:
            shown_ = ", ".join(f"{c} x{n:,}" for c, n in sorted(more.items()))
            line += f"; not listed (over the per-rule limit): {shown_}"
        return safe_line(line)

    def _not_listed(self, extra: Counter[str] | None) -> Counter[str]:
        more: Counter[str] = Counter()
        for code, n in (self.stats.get("suppressed") or {}).items():
            more[str(code)] += int(n)
        if extra:
            more.update(extra)
        return +more

    def _select(
        self, render: Callable[[Finding], str], findings: list[Finding] | None = None
    ) -> tuple[list[tuple[Finding, str]], Counter[str]]:
        """Each finding (of ``findings``, by default all) rendered, while its code has fewer
        than :data:`LIST_PER_CODE` listed and the output is under :data:`OUTPUT_LIMIT` bytes;
        and the count of the rest."""
        per_code: Counter[str] = Counter()
        left: Counter[str] = Counter()
        out: list[tuple[Finding, str]] = []
        size = 0
        for f in self.findings if findings is None else findings:
            if per_code[f.code] >= LIST_PER_CODE or size >= OUTPUT_LIMIT:
                left[f.code] += 1
                continue
            line = render(f)
            size += len(line.encode("utf-8", "surrogatepass")) + 1
            if size > OUTPUT_LIMIT:
                left[f.code] += 1
                continue
            per_code[f.code] += 1
            out.append((f, line))
        return out, left

    def _lines(self, render: Callable[[Finding], str]) -> str:
        out, left = self._select(render)
        return "\n".join([*(line for _, line in out), self.summary(left)]) + "\n"

    def format_text(self) -> str:
        """The findings one per line, ``path:line:column: CODE [field, column M] message
        (hint: ...)``, a row's structural cause first, then the summary; bounded and escaped
        (see the module docstring). Under the strict policy the findings that follow from a
        listed one are folded into one line under it."""
        folded = self._folded()

        def render(f: Finding) -> str:
            under = folded.get(f.ref())
            return text_line(f) + (f"\n{fold_line(under)}" if under else "")

        shown_ = [f for f in self.findings if f.cause is None or f.cause not in folded]
        out, left = self._select(render, shown_)
        return "\n".join([*(line for _, line in out), self.summary(left)]) + "\n"

    def _folded(self) -> dict[Any, Counter[str]]:
        """Under the strict policy: each listed finding's followers, counted by code."""
        if self.stats.get("policy") != "strict":
            return {}
        listed = {f.ref() for f in self.findings}
        out: dict[Any, Counter[str]] = {}
        for f in self.findings:
            if f.cause is not None and f.cause in listed:
                out.setdefault(f.cause, Counter())[f.code] += 1
        return out

    def format_github(self) -> str:
        """The findings as GitHub Actions annotations, then the summary; bounded and escaped."""
        return self._lines(github_line)

    def format_json(self) -> str:
        """The report as JSON for tools: the findings listed (bounded as the text form is,
        long strings cut) and the stats, whose ``suppressed`` counts per code every finding
        not listed. Strings keep their exact value; invisible characters are JSON escapes."""

        def measure(f: Finding) -> str:  # as it is written: indented two levels deeper
            return dump_json(json_finding(f), indent=2).replace("\n", "\n    ")

        listed, left = self._select(measure)
        stats = dict(self.stats)
        if left or "suppressed" in stats:
            stats["suppressed"] = dict(sorted(self._not_listed(left).items()))
        doc = {
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [json_finding(f) for f, _ in listed],
            "stats": stats,
        }
        return dump_json(doc) + "\n"


__all__ = [
    "LIST_PER_CODE",
    "OUTPUT_LIMIT",
    "Report",
    "fold_line",
    "github_line",
    "json_finding",
    "text_line",
]
