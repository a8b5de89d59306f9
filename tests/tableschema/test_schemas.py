"""The Table Schemas are complete, self-consistent and accepted by frictionless."""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import version

import pytest

FACT_TABLES = ["actors", "events", "event_actors", "figures", "statements", "deployments"]


@pytest.mark.differential
def test_frictionless_accepts_descriptor_and_seeds(root):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(root / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:20]


@pytest.mark.differential
def test_frictionless_enforces_our_foreign_keys(root, tmp_path):
    """A dangling self-reference must be caught, so the check above is not vacuous."""
    frictionless = pytest.importorskip("frictionless")
    import shutil

    for name in ("datapackage.json",):
        shutil.copy(root / name, tmp_path / name)
    shutil.copytree(root / "schemas", tmp_path / "schemas")
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    events = tmp_path / "seeds" / "events.csv"
    text = events.read_text(encoding="utf-8")
    assert ",evt-0007," in text
    events.write_text(text.replace(",evt-0007,", ",evt-0999,", 1), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}


def test_every_field_documented(package):
    for t in package.tables.values():
        assert t.title and t.description, t.name
        for f in t.fields:
            assert f.title and len(f.description) >= 20, (
                f"{t.name}.{f.name} needs a title and description"
            )


def test_every_enum_value_defined(package):
    for t in package.tables.values():
        for f in t.fields:
            if f.enum is None:
                assert not f.enum_descriptions, f"{t.name}.{f.name}: descriptions without an enum"
                continue
            assert list(f.enum_descriptions) == list(f.enum), (
                f"{t.name}.{f.name}: enum and definitions differ"
            )
            assert all(len(d) >= 10 for d in f.enum_descriptions.values()), f"{t.name}.{f.name}"


def test_single_stable_id_per_table(package):
    for t in package.tables.values():
        idf = t.field(t.id_field)
        assert idf.required and idf.unique and idf.pattern, t.name


def test_fact_tables_cite_and_quote(package):
    for name in FACT_TABLES:
        t = package.table(name)
        assert t.field("source_id").required and t.field("source_excerpt").required
        assert any(
            fk.fields == ("source_id",) and fk.resource == "sources" for fk in t.foreign_keys
        )
        assert t.field("record_status").enum == ("active", "retracted", "superseded")


def test_required_self_references(package):
    def self_fks(table):
        t = package.table(table)
        return {fk.fields[0] for fk in t.foreign_keys if fk.is_self_reference(table)}

    assert "parent_actor_id" in self_fks("actors")
    assert {"parent_event_id", "in_response_to_event_id"} <= self_fks("events")


def test_shared_fields_do_not_drift(package):
    """A field name used in several tables has one meaning: same type and constraints."""
    seen: dict[str, tuple] = {}
    for t in package.tables.values():
        for f in t.fields:
            if f.name in {"notes", "superseded_by", "description", "title"}:
                continue  # per-table meaning (ID patterns, prose) by design
            sig = (
                f.type,
                f.required,
                f.enum,
                f.pattern,
                f.minimum,
                f.maximum,
                f.min_length,
                f.max_length,
            )
            if f.name in seen:
                assert seen[f.name][1] == sig, f"{t.name}.{f.name} differs from {seen[f.name][0]}"
            else:
                seen[f.name] = (t.name, sig)


def test_rules_name_real_fields(package):
    from conflictdata._tableschema.model import WhenRule

    for t in package.tables.values():
        names = set(t.field_names)
        for rule in (*t.row_rules, *t.relation_rules):
            used = set(rule.fields)
            assert used <= names, f"{t.name}: {rule.kind} names unknown fields {used - names}"
            if isinstance(rule, WhenRule):
                assert {c.value for c in rule.cases} <= set(t.field(rule.field).enum or ()), t.name


def test_patterns_for_codes(package):
    assert package.table("events").field("country_iso3").pattern == "^[A-Z]{3}$"
    assert package.table("actors").field("wikidata_qid").pattern == "^Q[1-9][0-9]*$"


def test_one_version_for_data_and_package(root):
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"]
    assert version("conflictdata") == descriptor["version"]


def test_data_licence_is_cc_by(root):
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["contributors"] and descriptor["sources"]


def test_inline_only_descriptor_refuses_schema_paths(tmp_path):
    """A descriptor from elsewhere (schema_files=False) resolves nothing on the local disk."""
    from conflictdata._tableschema.package import package_from_descriptor
    from conflictdata.errors import DescriptorError

    desc = {"resources": [{"name": "t", "path": "t.parquet", "schema": "/etc/passwd"}]}
    with pytest.raises(DescriptorError, match="must be inline"):
        package_from_descriptor(desc, tmp_path, schema_files=False)
    with pytest.raises(DescriptorError, match="absolute"):
        package_from_descriptor(desc, tmp_path)
    inline = {
        "resources": [{"name": "t", "path": "t.parquet", "schema": {"fields": [{"name": "a"}]}}]
    }
    assert package_from_descriptor(inline, tmp_path, schema_files=False).table_names == ["t"]


@pytest.mark.parametrize("name", ["../x", "a/b", "", "x" * 65, 5, "a.b"])
def test_resource_names_are_plain(tmp_path, name):
    from conflictdata._tableschema.package import package_from_descriptor
    from conflictdata.errors import DescriptorError

    desc = {"resources": [{"name": name, "path": "t.csv", "schema": {"fields": [{"name": "a"}]}}]}
    with pytest.raises(DescriptorError, match="name"):
        package_from_descriptor(desc, tmp_path)
