"""A table's Arrow and pandas forms, derived from its schema: the dtypes a loaded frame has.

Dates come in one of two forms (``dates=``): ``"datetime64"`` (the default), numpy
``datetime64[s]`` at midnight, which pandas compares with strings and Timestamps, resamples,
groups by ``pd.Grouper`` and matplotlib plots; or ``"date32"``, calendar dates
(``date32[pyarrow]``) with no time of day. Both hold the same calendar day; the unit is
seconds so that every year from 1 to 9999 fits (nanoseconds stop at 1677 and 2262).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConflictDataError, DescriptorError
from .model import Field, TableSchema

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa


#: The forms a date field can take in pandas: the default first.
DATE_FORMS = ("datetime64", "date32")

#: The numpy dtype of a date field in the ``"datetime64"`` form.
DATETIME64 = "datetime64[s]"


def check_dates(dates: object) -> str:
    """``dates`` itself when it names a date form, else a one-line error saying which do."""
    if not isinstance(dates, str) or dates not in DATE_FORMS:
        raise ConflictDataError(
            f"dates={dates!r}: expected one of {', '.join(map(repr, DATE_FORMS))}"
        )
    return dates


def pandas_dtype(field: Field, dates: str = DATE_FORMS[0]) -> Any:
    """The dtype ``field``'s column has in a loaded frame with date form ``dates``."""
    if field.type == "date" and check_dates(dates) == "datetime64":
        import numpy as np

        return np.dtype(DATETIME64)
    return field.pandas_dtype()


def pandas_dtypes(schema: TableSchema, dates: str = DATE_FORMS[0]) -> dict[str, Any]:
    """Every column's dtype in a loaded frame of ``schema`` (see :func:`pandas_dtype`)."""
    return {f.name: pandas_dtype(f, dates) for f in schema.fields}


# ---------------------------------------------------------------------------------------
# reading

_MISSING_PYARROW = "loading needs pandas and pyarrow: pip install conflictdata"


def arrow_types_mapper(schema: TableSchema) -> Any:
    """Arrow type -> pandas dtype for the non-enum fields, derived from the schema."""
    mapping = {f.arrow_type(): f.pandas_dtype() for f in schema.fields if not f.is_enum}
    return mapping.get


def with_date_form(table: pa.Table, schema: TableSchema, dates: str) -> pa.Table:
    """``table`` with its date columns in the Arrow type of form ``dates`` (``date32`` as
    stored, or naive ``timestamp[s]`` at midnight)."""
    if check_dates(dates) == "date32":
        return table
    import pyarrow as pa

    for f in schema.fields:
        if f.type == "date" and f.name in table.column_names:
            i = table.column_names.index(f.name)
            table = table.set_column(
                i,
                table.field(i).with_type(pa.timestamp("s")),
                table.column(i).cast(pa.timestamp("s")),
            )
    return table


def to_pandas(table: pa.Table, schema: TableSchema, *, dates: str = "date32") -> pd.DataFrame:
    """``table`` (as stored in a release) as a pandas frame with the schema's dtypes, dates in
    form ``dates``: as stored (calendar dates, what the checks compare) unless asked; the
    loader asks for its default, :data:`DATE_FORMS` ``[0]``."""
    df = with_date_form(table, schema, dates).to_pandas(types_mapper=arrow_types_mapper(schema))
    for f in schema.fields:
        if not f.is_enum:
            continue
        col = df[f.name]
        declared = list(f.enum or ())
        if col.dtype.name != "category":  # e.g. stored as plain strings
            df[f.name] = col.astype(f.pandas_dtype())
            continue
        stored = list(col.cat.categories)
        if stored != declared:
            undeclared = set(stored) - set(declared)
            if undeclared:
                raise DescriptorError(
                    f"table {schema.name!r}, field {f.name!r} holds {sorted(undeclared)}, "
                    f"not among the declared values {declared}"
                )
            df[f.name] = col.cat.set_categories(declared)
    return df
