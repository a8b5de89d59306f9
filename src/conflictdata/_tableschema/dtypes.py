"""A table's Arrow and pandas forms, derived from its schema: the dtypes a loaded frame has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import (
    DescriptorError,
)
from .model import TableSchema

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa


# ---------------------------------------------------------------------------------------
# reading

_MISSING_PYARROW = "loading needs pandas and pyarrow: pip install conflictdata"


def arrow_types_mapper(schema: TableSchema) -> Any:
    """Arrow type -> pandas dtype for the non-enum fields, derived from the schema."""
    mapping = {f.arrow_type(): f.pandas_dtype() for f in schema.fields if not f.is_enum}
    return mapping.get


def to_pandas(table: pa.Table, schema: TableSchema) -> pd.DataFrame:
    df = table.to_pandas(types_mapper=arrow_types_mapper(schema))
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
