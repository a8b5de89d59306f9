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


#: why an object or an array cannot be a key
_UNHASHABLE = "frictionless cannot compare such values as keys (it stops with a TypeError)"


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


def _check_field_keys(d: dict[str, Any], resource: str | None, name: str) -> None:
    """Field keys frictionless reads that this reader does not: refused. Every other key
    the specs do not define is ignored, as frictionless ignores it (the metadata check,
    :mod:`.metadata`, has already checked the keys the specs define)."""
    if "missingValues" in d:
        raise unsupported(
            "field.missingValues",
            d["missingValues"],
            resource,
            field=name,
            why="only the schema's missingValues are read",
        )


def read_field(
    d: Any, where: str, index: int = 0, resource: str | None = None, version: str = "v1"
) -> Field:
    """One field descriptor read into a :class:`Field`: its type (the type's class reads
    its format and options), and every constraint read by that type."""
    if not isinstance(d, dict):
        raise DescriptorError(f"{where}: fields[{index}] must be an object, not {kind(d)}")
    name = d.get("name")
    if not isinstance(name, str) or len(name) > 200 or CONTROL.search(name):
        raise DescriptorError(
            f"{where}: fields[{index}]: name must be a string "
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
    _check_field_keys(d, resource, name)
    options = {k: d[k] for k in cls.options if k in d}
    vt = cls.from_descriptor(cls.read_format(fmt, at), options, at)
    c = d.get("constraints", {})
    if c is None:
        c = {}
    if not isinstance(c, dict):
        raise DescriptorError(f"{fw}: constraints must be an object, not {kind(c)}")
    for k in c:
        if k not in cls.constraints and k in CONSTRAINTS:
            raise at.refuse(f"constraints.{k}", c[k], f"not read for type {cls.name!r}")
    if c.get("unique") and not cls.keyable:
        raise at.refuse("constraints.unique", True, _UNHASHABLE)
    for k in ("required", "unique"):
        if k in c and not isinstance(c[k], bool):
            raise DescriptorError(
                f"{fw}: constraints.{k} must be true or false, not {kind(c[k])} {short_repr(c[k])}"
            )
    enum = c.get("enum")
    if enum is not None and (not isinstance(enum, list) or len(enum) > MAX_ENUM):
        raise DescriptorError(
            f"{fw}: constraints.enum must be a list of values, not {kind(enum)} {short_repr(enum)}"
        )
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
    descs = d.get("enumDescriptions", {}) or {}
    if not isinstance(descs, dict) or not all(isinstance(v, str) for v in descs.values()):
        raise DescriptorError(f"{fw}: enumDescriptions must be an object of strings")
    return Field(
        name=name,
        value_type=vt,
        title=title,
        description=description,
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(dict.fromkeys(str(v) for v in enum)) if enum is not None else None,
        enum_values=_enum_values(vt, enum, at) if enum is not None else None,
        enum_descriptions=dict(descs),
        pattern=pattern,
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        **bounds,
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
