"""The codebook is generated from the schemas and kept current."""

from __future__ import annotations

import csv
import re
import shutil

from conflictdata._tableschema.fields import CONSTRAINTS
from conflictdata._tableschema.model import RELATION_RULE_KINDS, ROW_RULE_KINDS
from conflictdata._tools.docs import render_codebook
from conflictdata.cli import main
from conflictdata.tools import validate


def test_codebook_is_current(root, package):
    committed = (root / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert committed == render_codebook(package), (
        "docs/codebook.md is stale: run `conflictdata codebook`"
    )


def test_codebook_documents_every_field_and_value(package):
    text = render_codebook(package)
    for t in package.tables.values():
        for f in t.fields:
            assert f"| `{f.name}` |" in text
            for v in f.enum or ():
                assert f.enum_descriptions[v].replace("|", "\\|") in text


def test_codebook_check_detects_staleness(root, tmp_path, capsys):
    out = tmp_path / "codebook.md"
    out.write_text("stale\n", encoding="utf-8")
    assert main(["codebook", str(root / "datapackage.json"), "--out", str(out), "--check"]) == 1
    assert out.read_text(encoding="utf-8") == "stale\n"  # --check never writes
    assert main(["codebook", str(root / "datapackage.json"), "--out", str(out)]) == 0
    assert main(["codebook", str(root / "datapackage.json"), "--out", str(out), "--check"]) == 0


def _sections(text: str) -> dict[str, str]:
    """The codebook text of each table, by table name."""
    parts = re.split(r"^## `([^`]+)` — ", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_codebook_renders_every_rule_kind_the_validator_checks(package):
    """Every row and relation rule kind the schemas may declare is rendered, and every rule a
    table declares appears in that table's section with its kind."""
    text = render_codebook(package)
    assert set(re.findall(r"^- \*\*(\w+)\*\* \(", text, flags=re.M)) == (
        set(ROW_RULE_KINDS) | set(RELATION_RULE_KINDS)
    )
    sections = _sections(text)
    for t in package.tables.values():
        rendered = re.findall(r"^- \*\*(\w+)\*\* \(", sections[t.name], flags=re.M)
        assert rendered == [r.kind for r in (*t.row_rules, *t.relation_rules)], t.name


def test_codebook_renders_every_field_constraint_the_validator_checks(package):
    """Each constraint a field declares shows in its row of the field table."""
    sections = _sections(render_codebook(package))
    shown = {
        "unique": lambda f: "unique",
        "pattern": lambda f: f"pattern `{f.pattern}`",
        "minimum": lambda f: f"≥ {f.minimum.written}",
        "maximum": lambda f: f"≤ {f.maximum.written}",
        "minLength": lambda f: f"length ≥ {f.min_length}",
        "maxLength": lambda f: f"length ≤ {f.max_length}",
        "exclusiveMinimum": lambda f: f"> {f.exclusive_minimum.written}",
        "exclusiveMaximum": lambda f: f"< {f.exclusive_maximum.written}",
        "enum": lambda f: "one of the values below",
    }
    assert set(shown) | {"required"} == set(CONSTRAINTS)
    for t in package.tables.values():
        for f in t.fields:
            row = next(
                line for line in sections[t.name].splitlines() if line.startswith(f"| `{f.name}` |")
            )
            cells = row.split(" | ")
            assert cells[2] == ("yes" if f.required else "no"), (t.name, f.name)
            declared = {
                "unique": f.unique,
                "pattern": f.pattern,
                "minimum": f.minimum,
                "maximum": f.maximum,
                "minLength": f.min_length,
                "maxLength": f.max_length,
                "enum": f.enum,
            }
            for key, value in declared.items():
                if value is not None and value is not False:
                    assert shown[key](f).replace("|", "\\|") in cells[3], (t.name, f.name, key)


def test_codebook_says_cycle_exactly_where_the_validator_finds_one(root, package, tmp_path):
    """Point the first row of each table at itself through every self-referencing foreign
    key: the keys the validator reports E402 (a cycle) on are exactly those the codebook
    marks "must not form a cycle"; every foreign key is listed."""
    shutil.copytree(root / "schemas", tmp_path / "schemas")
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    shutil.copy(root / "datapackage.json", tmp_path / "datapackage.json")
    for t in package.tables.values():
        selfrefs = [fk for fk in t.foreign_keys if fk.is_self_reference(t.name)]
        if not selfrefs:
            continue
        path = tmp_path / t.path
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        for fk in selfrefs:
            for own, ref in zip(fk.fields, fk.reference_fields, strict=True):
                rows[1][header.index(own)] = rows[1][header.index(ref)]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    report = validate(tmp_path / "datapackage.json")
    found = {(f.table, f.field) for f in report.findings if f.code == "E402"}
    sections = _sections(render_codebook(package))
    marked = set()
    for t in package.tables.values():
        listed = re.findall(
            r"^- `([^`]+)` → (?:this table|`[^`]+`)\.`[^`]+`( \(must not form a "
            r"cycle\))?$",
            sections[t.name],
            flags=re.M,
        )
        assert [name for name, _ in listed] == [", ".join(fk.fields) for fk in t.foreign_keys]
        marked |= {(t.name, name) for name, cycle in listed if cycle}
    assert found and found == marked
