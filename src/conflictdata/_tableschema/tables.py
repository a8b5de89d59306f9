"""A Table Schema dict read into a :class:`TableSchema`: fields, keys and rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError, UnsupportedFeatureError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.text import kind, short_repr
from .fields import MAX_FIELDS, as_names, read_field, string_key
from .model import ForeignKey, TableSchema
from .rules import list_of_objects, read_relation_rules, read_row_rules

#: Table Schema keys frictionless reads that change what is valid and that this reader does
#: not implement (any other key the specs do not define is ignored, as frictionless does)
_REFUSED_KEYS = {"fieldsMatch": "only the default, exact, is read"}


def table_schema_from_dict(
    name: str,
    path: str,
    schema: dict[str, Any],
    schema_path: str | None = None,
    *,
    version: str = "v1",
) -> TableSchema:
    """Build a :class:`TableSchema` from a Table Schema dict; every malformed value is a
    one-line DescriptorError naming the schema (``schema_path``), field and key; a key or
    feature not read is an UnsupportedFeatureError. ``version``: the package's Data Package
    version (:func:`datapackage_version`)."""
    where = schema_path or f"schema of {name}"
    if not isinstance(schema, dict):
        raise DescriptorError(f"{where}: a Table Schema must be an object, not {kind(schema)}")
    for k, why in _REFUSED_KEYS.items():
        if schema.get(k, "exact") != "exact":
            raise UnsupportedFeatureError(f"schema key {k!r}", schema[k], resource=name, why=why)
    raw_fields = schema.get("fields")
    if not isinstance(raw_fields, list):
        raise DescriptorError(f"{where}: a Table Schema needs a 'fields' list")
    if len(raw_fields) > MAX_FIELDS:
        raise DescriptorError(f"{where}: {len(raw_fields):,} fields (limit {MAX_FIELDS:,})")
    fields = tuple(read_field(f, where, i, name, version) for i, f in enumerate(raw_fields))
    names = [f.name for f in fields]
    twice = [n for i, n in enumerate(names) if n in names[:i]]
    if twice:
        raise DescriptorError(f"{where}: field {twice[0]!r} is declared twice")
    pk: tuple[str, ...] = ()
    if schema.get("primaryKey") not in (None, []):
        pk = as_names(schema["primaryKey"], where, "primaryKey")
    for k in pk:
        if k not in names:
            raise DescriptorError(f"{where}: primaryKey field {short_repr(k)} is not a field")
    if len(set(pk)) != len(pk):
        raise DescriptorError(f"{where}: primaryKey names a field twice")
    fks = []
    for i, fk in enumerate(list_of_objects(schema, "foreignKeys", where)):
        w = f"{where}: foreignKeys[{i}]"
        ref = fk.get("reference")
        if not isinstance(ref, dict):
            raise DescriptorError(f"{w}: reference must be an object, not {kind(ref)}")
        resource = ref.get("resource", "")
        if not isinstance(resource, str):
            raise DescriptorError(
                f"{w}: reference.resource must be a table name, not "
                f"{kind(resource)} {short_repr(resource)}"
            )
        own = as_names(fk.get("fields"), w, "fields")
        other = as_names(ref.get("fields"), w, "reference.fields")
        if len(own) != len(other):
            raise DescriptorError(f"{w}: fields and reference.fields differ in length")
        missing = [n for n in own if n not in names]
        if missing:
            raise DescriptorError(f"{w}: field {short_repr(missing[0])} is not a field")
        fks.append(ForeignKey(fields=own, resource=resource or name, reference_fields=other))
    by_name = {f.name: f for f in fields}
    for key, names_ in (("primaryKey", pk), *(("foreignKeys", fk.fields) for fk in fks)):
        for n in names_:
            if not by_name[n].value_type.keyable:
                raise UnsupportedFeatureError(
                    key,
                    n,
                    resource=name,
                    field=n,
                    why=f"a {by_name[n].type} field: frictionless cannot compare such values "
                    "as keys (it stops with a TypeError)",
                )
    row_rules = read_row_rules(list_of_objects(schema, "rowChecks", where), by_name, where)
    relation_rules = read_relation_rules(
        list_of_objects(schema, "relationChecks", where), by_name, fks, where
    )
    missing_values = schema.get("missingValues", [""])
    if not isinstance(missing_values, list) or not all(isinstance(v, str) for v in missing_values):
        raise DescriptorError(
            f"{where}: missingValues must be a list of strings, not "
            f"{kind(missing_values)} {short_repr(missing_values)}"
        )
    return TableSchema(
        name=name,
        path=path,
        title=string_key(schema, "title", where, name),
        description=string_key(schema, "description", where, ""),
        fields=fields,
        primary_key=pk,
        foreign_keys=tuple(fks),
        row_rules=row_rules,
        relation_rules=relation_rules,
        missing_values=tuple(missing_values),
        schema_path=schema_path,
        raw=schema,
    )
