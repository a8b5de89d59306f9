"""Layer 0, the descriptor: its metadata errors as located findings (E001-E008), the
resources that are not tables (their files checked, W001), what was not validated (W002)
and, under the strict policy, the keys the specs do not define (W003)."""

from __future__ import annotations

from typing import Any

from .._checks.table import Collector
from .._read.table import check_other_file
from .._tableschema.model import Package

__all__ = ["METADATA_CODES", "check_descriptor_findings"]

#: The descriptor's metadata errors, by kind (:data:`.._tableschema.metadata.KINDS`, and the
#: two frictionless finds when it reads a table): frictionless reports the first six before
#: it reads any table, and then reads none.
METADATA_CODES = {
    "package": "E001",
    "resource": "E002",
    "dialect": "E003",
    "control": "E004",
    "schema": "E005",
    "field": "E006",
    "reference": "E007",
    "format": "E008",
}


def _resource_names(pkg: Package) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, r in enumerate(pkg.descriptor.get("resources") or ()):
        if isinstance(r, dict) and isinstance(r.get("name"), str):
            out[i] = r["name"]
    return out


def check_descriptor_findings(pkg: Package, out: Collector) -> None:
    """Every finding about the descriptor and the resources that are not read as tables."""
    desc = pkg.descriptor_name
    for p in pkg.problems:
        where = p.where or ("the package" if p.name is None else "")
        if p.name is not None:
            where = f"resource {p.name!r}" + (f" ({where})" if where else "")
        if p.field is not None:
            where += f", field {p.field!r}"
        where = f"{where}: " if where else ""
        out.one(
            METADATA_CODES[p.kind],
            table=p.name,
            path=p.file or desc,
            line=None,
            field=p.field,
            message=f"{where}{p.message}",
        )
    for other in pkg.others:

        def emit(
            code: str,
            *,
            path: str | None,
            line: int | None,
            message: str,
            table: str = other.name,
            **kw: Any,
        ) -> None:
            out.one(code, table=table, path=path, line=line, message=message, **kw)

        check_other_file(pkg.root, other.source, emit)
        out.one(
            "W001",
            table=other.name,
            path=other.source.paths[0],
            line=None,
            message=f"resource {other.name!r} ({other.what}) is not a table: its file is "
            "checked, not its content",
        )
    for u in pkg.unread:
        out.one("W002", table=u.name, path=desc, line=None, message=f"not validated: {u.why}")
    if out.applies("W003"):
        names = _resource_names(pkg)
        for level, i, fld, key in pkg.undefined:
            where = "the package" if i is None else f"resources[{i}]"
            if level in ("dialect", "schema"):
                where += f".{level}"
            elif level == "field":
                where += f".schema, field {fld!r}"
            out.one(
                "W003",
                table=names.get(i) if i is not None else None,
                path=desc,
                line=None,
                field=fld,
                value=key,
                message=f"{where}: key {key!r} is not defined by the specs: ignored",
            )
