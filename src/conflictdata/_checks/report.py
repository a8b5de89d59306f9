"""The :class:`Report` of a validation run and its text, JSON and GitHub-annotation forms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .findings import RULES, Finding


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


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

    def summary(self) -> str:
        rows = self.stats.get("rows")
        tables = len(self.stats.get("tables", {}))
        secs = self.stats.get("seconds")
        where = f" in {tables} tables, {rows:,} rows" if rows is not None else ""
        took = f" ({secs:.2f} s)" if secs is not None else ""
        e, w = self.errors, self.warnings
        verdict = "valid" if self.valid else "INVALID"
        line = f"{verdict}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}{where}{took}"
        suppressed = self.stats.get("suppressed") or {}
        if suppressed:
            more = ", ".join(f"{c} x{n:,}" for c, n in sorted(suppressed.items()))
            line += f"; not listed (over the per-rule limit): {more}"
        return line

    def format_text(self) -> str:
        """One line per finding, a row's structural cause first; under the strict policy the
        findings that follow from a listed one are folded into one line under it."""
        lines = []
        folded = self._folded()
        for f in self.findings:
            if f.cause in folded:
                continue
            lines.append(f.format_text())
            under = folded.get(f.ref())
            if under:
                n = sum(under.values())
                codes = ", ".join(c if k == 1 else f"{c} x{k}" for c, k in sorted(under.items()))
                lines.append(
                    f"    and {n} more on this row that it probably causes ({codes}; "
                    "--format json lists every one)"
                )
        return "\n".join([*lines, self.summary()]) + "\n"

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
        out = []
        for f in self.findings:
            props = []
            if f.path:
                props.append(f"file={_gh_prop(f.path)}")
            if f.line is not None:
                props.append(f"line={f.line}")
                if f.column is not None:
                    props.append(f"col={f.column}")
            props.append(f"title={_gh_prop(f.code)}")
            msg = f"{RULES[f.code].title}: {f.message}"
            msg = f"{msg} (hint: {f.hint})" if f.hint else msg
            out.append(f"::{f.severity} {','.join(props)}::{_gh_data(msg)}")
        out.append(self.summary())
        return "\n".join(out) + "\n"
