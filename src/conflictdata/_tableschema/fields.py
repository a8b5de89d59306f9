"""One Table Schema field read from its descriptor: its keys, type, format, constraints
and typed bounds, or a one-line DescriptorError / UnsupportedFeatureError naming it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .._types.cells import TYPES
from .._types.spec import At, ValueType
from .._util.text import CONTROL, kind, short_repr
from ..errors import DescriptorError, RefusedCellsError, UnsupportedFeatureError
from .model import REFUSED_TYPES, SUPPORTED_TYPES, Bound, Field

MAX_FIELDS = 1000

MAX_PATTERN = 1000

MAX_ENUM = 10_000

#: Table Schema constraints this project checks; any other is refused, not ignored (which
#: ones a type takes is its class's ``constraints``).
CONSTRAINTS = (
    "required",
    "unique",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "exclusiveMinimum",
    "exclusiveMaximum",
)

#: the bound constraints, and the Field attribute each is read into
BOUND_KEYS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}

#: field keys every type accepts (metadata, or read by every type)
FIELD_KEYS = (
    "name",
    "type",
    "title",
    "description",
    "format",
    "constraints",
    "rdfType",
    "example",
    "enumDescriptions",
)


def as_names(value: Any, where: str, key: str) -> tuple[str, ...]:
    """A field name or a non-empty list of them (primaryKey, foreign key fields)."""
    if isinstance(value, str) and value:
        return (value,)
    if (
        isinstance(value, list)
        and value
        and len(value) <= MAX_FIELDS
        and all(isinstance(v, str) and v for v in value)
    ):
        return tuple(value)
    raise DescriptorError(
        f"{where}: {key} must be a field name or a list of field names, "
        f"not {kind(value)} {short_repr(value)}"
    )


def string_key(d: dict[str, Any], key: str, where: str, default: str) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise DescriptorError(
            f"{where}: {key} must be a string, not {kind(value)} {short_repr(value)}"
        )
    return value


def check_pattern(pattern: Any, where: str) -> str:
    """A pattern both RE2 (pyarrow.compute's regex engine, the one that runs it) and the
    anchored form the validator runs accept; anything else is a DescriptorError."""
    if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN:
        raise DescriptorError(
            f"{where}: pattern must be a string of 1 to {MAX_PATTERN} "
            f"characters, not {kind(pattern)} {short_repr(pattern)}"
        )
    import pyarrow as pa
    import pyarrow.compute as pc

    probe = pa.array([""], pa.string())
    for rx in (pattern, f"^(?:{pattern})$"):
        try:
            pc.match_substring_regex(probe, rx)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else "rejected"
            raise DescriptorError(
                f"{where}: pattern {short_repr(pattern)} is not a regular "
                f"expression RE2 accepts ({short_repr(why, 100)})"
            ) from None
    return pattern


def _is_nan(v: Any) -> bool:
    return v.is_nan() if isinstance(v, Decimal) else v != v


def _bound(vt: ValueType, key: str, value: Any, fw: str, at: At) -> Bound:
    """A bound read by the field's own type, as frictionless reads it (``"01"`` is 1,
    ``"1,5"`` with decimalChar ``,`` is 1.5, a date in the field's format): a typed
    :class:`Bound`, or a DescriptorError where frictionless could not compare it (it raises
    there), or a refusal of a value that cannot be compared exactly (beyond int64)."""
    try:
        v = vt.value(value)
    except RefusedCellsError as exc:
        raise at.refuse(f"constraints.{key}", value, exc.why) from None
    if v is None or _is_nan(v):
        shown = "" if vt.format == "default" else f" in the field's format {vt.format!r}"
        raise DescriptorError(
            f"{fw}: constraints: {key} {short_repr(value)} is not a valid {vt.name}{shown}"
        )
    return Bound(key, value, v, vt.scalar(v))


def _enum_values(vt: ValueType, items: list[Any], at: At) -> tuple[Any, ...]:
    """The enum items read by the type; one it does not read matches nothing (left out)."""
    out = []
    for item in items:
        try:
            v = vt.value(item)
        except RefusedCellsError as exc:
            raise at.refuse("constraints.enum", item, exc.why) from None
        if v is not None:
            out.append(v)
    return tuple(out)


def _check_field_keys(
    d: dict[str, Any], cls: type[ValueType], fw: str, resource: str | None, name: str
) -> None:
    """Every field key is read or refused; none is ignored (frictionless ignores keys it
    does not know; here they are refused, naming the key)."""
    if "required" in d:
        raise DescriptorError(
            f"{fw}: 'required' belongs in constraints (frictionless 5: field-error)"
        )
    if "missingValues" in d:
        raise unsupported(
            "field.missingValues",
            d["missingValues"],
            resource,
            field=name,
            why="only the schema's missingValues are read",
        )
    allowed = FIELD_KEYS + cls.options
    for k in d:
        if k not in allowed:
            raise unsupported(
                f"field key {k!r}",
                d[k],
                resource,
                field=name,
                why=f"a {cls.name} field reads {', '.join(allowed)}",
            )


def _check_constraint_keys(c: Any, cls: type[ValueType], fw: str, version: str) -> None:
    if not isinstance(c, dict):
        return
    for k in c:
        if k in CONSTRAINTS and k not in cls.constraints:
            raise DescriptorError(
                f"{fw}: constraint {k!r} is not supported by type "
                f"{cls.name!r} (frictionless 5: field-error)"
            )
        if k in ("exclusiveMinimum", "exclusiveMaximum") and version == "v1":
            raise DescriptorError(
                f"{fw}: constraint {k!r} requires a Data Package v2 "
                "$schema (frictionless 5: field-error under v1)"
            )


def read_field(
    d: Any, where: str, index: int = 0, resource: str | None = None, version: str = "v1"
) -> Field:
    """One field descriptor read into a :class:`Field`: its type (the type's class reads
    its format and options), and every constraint read by that type."""
    if not isinstance(d, dict):
        raise DescriptorError(f"{where}: fields[{index}] must be an object, not {kind(d)}")
    name = d.get("name")
    if not isinstance(name, str) or not name or len(name) > 200 or CONTROL.search(name):
        raise DescriptorError(
            f"{where}: fields[{index}]: name must be a non-empty string "
            f"without control characters, not {kind(name)} {short_repr(name)}"
        )
    fw = f"{where}: field {name!r}"
    ftype = d.get("type", "string")
    if ftype in REFUSED_TYPES:
        raise unsupported("field type", ftype, resource, field=name)
    if ftype not in SUPPORTED_TYPES:
        raise DescriptorError(
            f"{fw}: type {short_repr(ftype)} is not supported; supported: "
            f"{', '.join(SUPPORTED_TYPES)}"
        )
    cls = TYPES[ftype]
    at = At(fw, resource, name)
    title = string_key(d, "title", fw, name)
    description = string_key(d, "description", fw, "")
    fmt = string_key(d, "format", fw, "default")
    string_key(d, "rdfType", fw, "")
    _check_field_keys(d, cls, fw, resource, name)
    options = {k: d[k] for k in cls.options if k in d}
    vt = cls.from_descriptor(cls.read_format(fmt, at), options, at)
    _check_constraint_keys(d.get("constraints"), cls, fw, version)
    c = d.get("constraints", {})
    if c is None:
        c = {}
    if not isinstance(c, dict):
        raise DescriptorError(f"{fw}: constraints must be an object, not {kind(c)}")
    unknown = [k for k in c if k not in CONSTRAINTS]
    if unknown:
        raise DescriptorError(
            f"{fw}: constraint {short_repr(unknown[0])} is not supported; "
            f"supported: {', '.join(CONSTRAINTS)}"
        )
    for k in ("required", "unique"):
        if k in c and not isinstance(c[k], bool):
            raise DescriptorError(
                f"{fw}: constraints.{k} must be true or false, not {kind(c[k])} {short_repr(c[k])}"
            )
    enum = c.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or len(enum) > MAX_ENUM:
            raise DescriptorError(
                f"{fw}: constraints.enum must be a list of values, not "
                f"{kind(enum)} {short_repr(enum)}"
            )
        ok_item = (
            (lambda v: isinstance(v, str))
            if ftype == "string"
            else (lambda v: isinstance(v, (str, int, float, bool)))
        )
        bad = [v for v in enum if not ok_item(v)]
        if bad:
            raise DescriptorError(
                f"{fw}: constraints.enum holds {kind(bad[0])} "
                f"{short_repr(bad[0])}; its values must be "
                f"{'strings' if ftype == 'string' else 'strings or numbers'}"
            )
        if len({str(v) for v in enum}) != len(enum):
            raise DescriptorError(f"{fw}: constraints.enum lists a value twice")
    pattern = c.get("pattern")
    if pattern is not None:
        check_pattern(pattern, f"{fw}: constraints")
    # a minimum above the maximum is read as written (frictionless: every value fails one)
    bounds = {
        attr: _bound(vt, key, c[key], fw, at)
        for key, attr in BOUND_KEYS.items()
        if c.get(key) is not None
    }
    for k in ("minLength", "maxLength"):
        v = c.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 2**31):
            raise DescriptorError(
                f"{fw}: constraints.{k} must be a whole number from 0 to "
                f"2**31-1, not "
                f"{kind(v)} {short_repr(v)}"
            )
    if (
        c.get("minLength") is not None
        and c.get("maxLength") is not None
        and c["minLength"] > c["maxLength"]
    ):
        raise DescriptorError(f"{fw}: constraints.minLength is above constraints.maxLength")
    descs = d.get("enumDescriptions", {}) or {}
    if not isinstance(descs, dict) or not all(isinstance(v, str) for v in descs.values()):
        raise DescriptorError(f"{fw}: enumDescriptions must be an object of strings")
    _check_example(vt, d.get("example"), fw)
    return Field(
        name=name,
        value_type=vt,
        title=title,
        description=description,
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        enum_values=_enum_values(vt, enum, at) if enum is not None else None,
        enum_descriptions=dict(descs),
        pattern=pattern,
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        **bounds,
    )


def _check_example(vt: ValueType, example: Any, fw: str) -> None:
    """frictionless 5 rejects a field whose ``example`` is not a value of its type (a
    field-error): the same for the types it checks (a temporal example is not checked)."""
    if not example or not vt.checks_example:
        return
    try:
        ok = vt.value(example) is not None
    except RefusedCellsError:
        ok = True  # a value, only too large to compare
    if not ok:
        raise DescriptorError(
            f"{fw}: example {short_repr(example)} is not a valid {vt.name} "
            "(frictionless 5: field-error)"
        )


def unsupported(
    feature: str,
    value: Any,
    resource: str | None,
    why: str | None = None,
    *,
    field: str | None = None,
) -> UnsupportedFeatureError:
    """The one-line refusal of a feature of ``resource`` (and ``field``) not read here."""
    return UnsupportedFeatureError(feature, value, resource=resource, field=field, why=why)
