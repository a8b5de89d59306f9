"""One Table Schema field read from its descriptor: its keys, type, format, constraints
and typed bounds, or a one-line DescriptorError / UnsupportedFeatureError naming it."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError, UnsupportedFeatureError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.text import CONTROL, kind, short_repr
from .model import DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES, REFUSED_TYPES, SUPPORTED_TYPES, Field

MAX_FIELDS = 1000

MAX_PATTERN = 1000

MAX_ENUM = 10_000

#: Table Schema constraints this project checks; any other is refused, not ignored.
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

_BOUNDED = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
)

#: the constraints each type takes, as frictionless 5's field classes list them (with
#: unique); another one is a field-error there, a DescriptorError here
TYPE_CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "string": ("required", "unique", "minLength", "maxLength", "pattern", "enum"),
    "integer": _BOUNDED,
    "number": _BOUNDED,
    "boolean": ("required", "unique", "enum"),
    "any": ("required", "unique", "enum"),
    "date": _BOUNDED,
    "datetime": _BOUNDED,
    "time": _BOUNDED,
    "year": _BOUNDED,
    "yearmonth": _BOUNDED,
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

#: the keys only some types read (frictionless ignores them elsewhere: refused here)
TYPE_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "boolean": ("trueValues", "falseValues"),
    "integer": ("bareNumber",),
    "number": ("bareNumber", "floatNumber", "decimalChar", "groupChar"),
}

#: string formats read (frictionless 5 also knows wkt: refused here)
STRING_FORMATS = ("default", "uri", "uuid", "email", "binary")

_FRICTIONLESS_STRING_FORMATS = ("default", "email", "uri", "binary", "uuid", "wkt")


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


def _temporal_bound(ftype: str, value: Any, where: str, key: str, fmt: str) -> Any:
    """A temporal bound read as frictionless reads it, by the field's own reader (so in the
    field's format): its typed code, or a DescriptorError (frictionless itself stops with a
    TypeError on such a bound)."""
    from .._types.temporal import read_value

    probe = Field(name="bound", type=ftype, title="", description="", format=fmt)
    shown = "" if fmt == "default" else f" in the field's format {fmt!r}"
    v = read_value(probe, value)
    if v is None:
        raise DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}{shown}")
    return v


def _bound_value(ftype: str, value: Any, where: str, key: str, fmt: str = "default") -> Any:
    """A minimum/maximum as a value of the field's type, or a DescriptorError."""
    bad = DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}")
    if ftype == "integer":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value):
            value = int(value)
        if isinstance(value, int) and -(2**63) < value < 2**63:
            return value
        raise bad
    if ftype == "number":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, (int, float)) and math.isfinite(value):
            return value
        if isinstance(value, str):
            try:
                v = float(value)
            except ValueError:
                raise bad from None
            if math.isfinite(v):
                return v
        raise bad
    if ftype in ("date", "datetime", "time", "year", "yearmonth"):
        return _temporal_bound(ftype, value, where, key, fmt)
    raise DescriptorError(f"{where}: {key} is not supported for type {ftype!r}")


def _numeric_bound(d: dict[str, Any], ftype: str, value: Any, where: str, key: str) -> Any:
    """An integer/number bound read as frictionless reads it (the field's own reader:
    ``"01"`` is 1, ``"1,5"`` with decimalChar ``,`` is 1.5), or a DescriptorError where
    frictionless could not compare it (it raises)."""
    from .._types.numbers import INT64_MAX, value_reader

    probe = Field(name="_", type=ftype, title="", description="", raw=d)
    v = value_reader(probe)(value) if not isinstance(value, (dict, list)) else None
    if v is None or v != v:
        raise DescriptorError(f"{where}: {key} {short_repr(value)} is not a valid {ftype}")
    if ftype == "integer" and not -INT64_MAX - 1 <= v <= INT64_MAX:
        raise UnsupportedFeatureError(f"constraints.{key}", value, why="beyond int64")
    return v


def _check_field_keys(
    d: dict[str, Any], ftype: str, fw: str, resource: str | None, name: str, version: str
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
    allowed = FIELD_KEYS + TYPE_FIELD_KEYS.get(ftype, ())
    for k in d:
        if k not in allowed:
            raise unsupported(
                f"field key {k!r}",
                d[k],
                resource,
                field=name,
                why=f"a {ftype} field reads {', '.join(allowed)}",
            )
    for k in ("bareNumber", "floatNumber"):
        if k in d and not isinstance(d[k], bool):
            raise DescriptorError(
                f"{fw}: {k} must be true or false, not {kind(d[k])} {short_repr(d[k])}"
            )
    for k in ("decimalChar", "groupChar"):
        v = d.get(k)
        if k in d and not isinstance(v, str):
            raise DescriptorError(f"{fw}: {k} must be a string, not {kind(v)} {short_repr(v)}")
        # frictionless strips the cell before replacing these: the same unless the
        # character holds whitespace (a lone whitespace groupChar is still the same)
        if k in d and (
            (not v and k == "decimalChar")
            or len(v) > 8
            or (any(ch.isspace() for ch in v) and (k == "decimalChar" or len(v) > 1))
        ):
            raise unsupported(
                f"field.{k}",
                v,
                resource,
                field=name,
                why="read: 1 to 8 characters without whitespace (groupChar: "
                "or one whitespace character)",
            )
    fmt = d.get("format", "default")
    if ftype == "string":
        if fmt not in _FRICTIONLESS_STRING_FORMATS:
            raise DescriptorError(
                f"{fw}: format {short_repr(fmt)} is not one of "
                f"{', '.join(_FRICTIONLESS_STRING_FORMATS)} (frictionless 5: "
                "field-error)"
            )
        if fmt not in STRING_FORMATS:
            raise unsupported(
                "string format", fmt, resource, field=name, why=f"read: {', '.join(STRING_FORMATS)}"
            )
    elif ftype in ("integer", "number", "boolean", "any") and fmt != "default":
        raise unsupported(f"{ftype} format", fmt, resource, "only 'default' is read", field=name)
    c = d.get("constraints") or {}
    if isinstance(c, dict):
        for k in c:
            if k in CONSTRAINTS and k not in TYPE_CONSTRAINTS.get(ftype, CONSTRAINTS):
                raise DescriptorError(
                    f"{fw}: constraint {k!r} is not supported by type "
                    f"{ftype!r} (frictionless 5: field-error)"
                )
            if k in ("exclusiveMinimum", "exclusiveMaximum") and version == "v1":
                raise DescriptorError(
                    f"{fw}: constraint {k!r} requires a Data Package v2 "
                    "$schema (frictionless 5: field-error under v1)"
                )


def read_field(
    d: Any, where: str, index: int = 0, resource: str | None = None, version: str = "v1"
) -> Field:
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
    title = string_key(d, "title", fw, name)
    description = string_key(d, "description", fw, "")
    fmt = string_key(d, "format", fw, "default")
    string_key(d, "rdfType", fw, "")
    _check_field_keys(d, ftype, fw, resource, name, version)
    if fmt.startswith("fmt:"):  # Table Schema v1's deprecated prefix, dropped as frictionless does
        fmt = fmt.replace("fmt:", "")
    if ftype in ("date", "datetime", "time", "year", "yearmonth"):
        from .._types.temporal import check_format

        check_format(ftype, fmt, name)
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
    bounds = {}
    for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if c.get(k) is not None:
            if ftype in ("integer", "number"):
                try:
                    bounds[k] = _numeric_bound(d, ftype, c[k], f"{fw}: constraints", k)
                except UnsupportedFeatureError as exc:
                    raise unsupported(
                        exc.feature, c[k], resource, "beyond int64", field=name
                    ) from None
            else:
                bounds[k] = _bound_value(ftype, c[k], f"{fw}: constraints", k, fmt)
    # a minimum above the maximum is read as written (frictionless: every value fails one)
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
    for k in ("trueValues", "falseValues"):
        v = d.get(k)
        if v is not None and (
            not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v)
        ):
            raise DescriptorError(
                f"{fw}: {k} must be a non-empty list of strings, not {kind(v)} {short_repr(v)}"
            )
    field = Field(
        name=name,
        type=ftype,
        title=title,
        description=description,
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        enum_descriptions=dict(descs),
        pattern=pattern,
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        format=fmt,
        true_values=tuple(d.get("trueValues") or DEFAULT_TRUE_VALUES),
        false_values=tuple(d.get("falseValues") or DEFAULT_FALSE_VALUES),
        raw=d,
    )
    _check_example(field, fw)
    return field


def _check_example(f: Field, fw: str) -> None:
    """frictionless 5 rejects a field whose ``example`` is not a value of its type (a
    field-error): the same for the types read here (a temporal example is not checked)."""
    example = f.raw.get("example")
    if not example or f.type not in ("integer", "number", "boolean", "string"):
        return
    if f.type == "string":
        ok = isinstance(example, str) and (
            f.format != "uri" or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", example) is not None
        )
    elif f.type == "boolean":
        ok = (
            example is True
            or example is False
            or (isinstance(example, str) and example in f.true_values + f.false_values)
        )
    else:
        from .._types.numbers import value_reader

        ok = (not isinstance(example, (dict, list))) and value_reader(f)(example) is not None
    if not ok:
        raise DescriptorError(
            f"{fw}: example {short_repr(example)} is not a valid {f.type} "
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
