"""One pandera ``DataFrameModel`` per table, for annotating pipelines::

    from pandera.typing import DataFrame
    from conflictdata.models import Events

    @pandera.check_types
    def airstrikes(events: DataFrame[Events]) -> DataFrame[Events]:
        return events[events["event_type"] == "airstrike"]

A model's columns and checks are not written here: its schema is the table's
:func:`conflictdata.pandera_schema` (read from the release's Table Schemas), so it cannot
drift from them. Subclass a model to describe a derived frame; the subclass's own fields and
checks are added to the table's (a field of the same name replaces the table's column)::

    class EventsWithYear(Events):
        year: Series[int]

Needs the pandera extra: ``pip install 'conflictdata[pandera]'``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .frames.pandera_schemas import import_pandera, schema_for

pdx = import_pandera()

__all__ = ["TableModel", "Sources", "Actors", "TypeCrosswalk", "Events", "EventActors",
           "Figures", "Statements", "Deployments", "MODELS"]


class TableModel(pdx.DataFrameModel):
    """A model whose schema is a conflictdata table's, plus what a subclass declares."""

    __table__: ClassVar[str | None] = None

    class Config:
        strict = False
        coerce = False

    @classmethod
    def build_schema_(cls, **kwargs: Any) -> Any:
        own = super().build_schema_(**kwargs)
        if cls.__table__ is None:
            return own
        from .loader import open_release

        base = schema_for(open_release().table(cls.__table__))
        columns = {**base.columns, **own.columns}
        derived = cls.__module__ != __name__  # a user's model of a derived frame
        return type(base)(
            columns, checks=[*base.checks, *own.checks], index=own.index,
            name=own.name or base.name, title=own.title or base.title,
            description=own.description if derived else base.description,
            strict=own.strict, ordered=own.ordered, coerce=own.coerce,
            metadata=base.metadata)


class Sources(TableModel):
    """The ``sources`` table: the documents facts are taken from."""

    __table__ = "sources"


class Actors(TableModel):
    """The ``actors`` table: everyone who acts, speaks, is targeted or is counted."""

    __table__ = "actors"


class TypeCrosswalk(TableModel):
    """The ``type_crosswalk`` table: event and statement types mapped to ACLED, PLOVER, CAMEO."""

    __table__ = "type_crosswalk"


class Events(TableModel):
    """The ``events`` table: things that happened, are happening, or were planned."""

    __table__ = "events"


class EventActors(TableModel):
    """The ``event_actors`` table: who took part in an event, and in what role."""

    __table__ = "event_actors"


class Figures(TableModel):
    """The ``figures`` table: every number a source gives about an event."""

    __table__ = "figures"


class Statements(TableModel):
    """The ``statements`` table: what officials and others said."""

    __table__ = "statements"


class Deployments(TableModel):
    """The ``deployments`` table: where an actor's forces stood at a time."""

    __table__ = "deployments"


#: table name -> its model
MODELS: dict[str, type[TableModel]] = {
    m.__table__: m for m in (Sources, Actors, TypeCrosswalk, Events, EventActors, Figures,
                             Statements, Deployments) if m.__table__
}
