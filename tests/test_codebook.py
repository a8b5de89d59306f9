"""The codebook is generated from the schemas and kept current."""

from __future__ import annotations

from conflictdata.cli import main
from conflictdata.docs import render_codebook


def test_codebook_is_current(root, package):
    committed = (root / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert committed == render_codebook(package), "docs/codebook.md is stale: run `conflictdata codebook`"


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
