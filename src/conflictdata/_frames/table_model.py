"""The base of the generated per-table pandera models (:mod:`conflictdata.models`).

A model's fields are generated from the Table Schemas (for editors, type checkers and
``Events.event_id``); its schema is the table's :func:`~conflictdata.tools.pandera_schema` — same
dtypes and every check — plus what a user's subclass adds or redeclares.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, ClassVar

from .pandera_schemas import import_pandera, schema_for
from .validate import RELEASE_POLICY

if TYPE_CHECKING:  # pragma: no cover
    from .._tableschema.model import TableSchema

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pdx
else:
    pdx = import_pandera()

__all__ = ["GENERATED_MODULE", "TableModel"]

#: the module the generated models live in; fields declared there come from the schemas
GENERATED_MODULE = "conflictdata.models"


def _declared_by_user(cls: type, name: str) -> bool:
    """True when the field ``name`` is declared by a class outside the generated module."""
    for klass in cls.__mro__:
        if name in inspect.get_annotations(klass):  # its own, not inherited
            return klass.__module__ != GENERATED_MODULE
    return True


class TableModel(pdx.DataFrameModel):
    """A DataFrameModel whose schema is a conflictdata table's (``__table__``), extended by
    the fields and checks a subclass declares; a redeclared field replaces the table's."""

    __table__: ClassVar[str | None] = None

    @classmethod
    def table_schema_(cls, name: str) -> TableSchema:
        """The Table Schema of table ``name``: the generated models read the release's."""
        raise NotImplementedError(f"{cls.__name__} does not say where table {name!r} is defined")

    class Config:
        strict = False
        coerce = False

    @classmethod
    def build_schema_(cls, **kwargs: Any) -> Any:
        own = super().build_schema_(**kwargs)
        if cls.__table__ is None:
            return own
        base = schema_for(cls.table_schema_(cls.__table__), RELEASE_POLICY)
        columns = dict(base.columns)
        for name, col in own.columns.items():
            if name not in columns or _declared_by_user(cls, name):
                columns[name] = col
        derived = cls.__module__ != GENERATED_MODULE  # a user's model of a derived frame
        return type(base)(
            columns,
            checks=[*base.checks, *own.checks],
            index=own.index,
            name=own.name or base.name,
            title=own.title or base.title,
            description=own.description if derived else base.description,
            strict=own.strict,
            ordered=own.ordered,
            coerce=own.coerce,
            metadata=base.metadata,
        )
