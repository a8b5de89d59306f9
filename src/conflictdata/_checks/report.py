"""The :class:`Report` of a validation run and its text, JSON and GitHub-annotation forms."""

from __future__ import annotations

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
        return "\n".join([*(f.format_text() for f in self.findings), self.summary()]) + "\n"

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
