"""One pandera ``DataFrameModel`` per table, for annotating pipelines::

    import pandera.pandas as pandera
    from pandera.typing import DataFrame
    from conflictdata.models import Events

    @pandera.check_types
    def airstrikes(events: DataFrame[Events]) -> DataFrame[Events]:
        return events[events[Events.event_type] == "airstrike"]

Each model's schema is its table's ``conflictdata.tools.pandera_schema``: the dtypes
``conflictdata.load`` gives and every check, named with the validator's finding codes.
Subclass a model to describe a derived frame; its own fields and checks are added::

    class EventsWithYear(Events):
        year: Series[int]

Needs the pandera extra: ``pip install 'conflictdata[pandera]'``.

Generated from the Table Schemas by ``conflictdata models``; do not edit.
"""

# first: without pandera this raises MissingDependencyError, which says how to install it
from ._frames.table_model import TableModel as _TableModel  # isort: skip
from ._frames.table_model import pdx  # isort: skip

import pandas as pd
import pyarrow as pa
from pandera.typing import Series

from ._loader.releases import open_release
from ._tableschema.model import TableSchema


class TableModel(_TableModel):
    """The base of the models below: a table's schema is the one in the release that
    ``conflictdata.load`` reads."""

    @classmethod
    def table_schema_(cls, name: str) -> TableSchema:
        return open_release().table(name)

__all__ = [
    "Sources", "Actors", "TypeCrosswalk", "Events", "EventActors", "Figures", "Statements",
    "Deployments", "MODELS",
]


class Sources(TableModel):
    """The ``sources`` table (Sources)."""

    __table__ = 'sources'

    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source ID',
        description=(
            "Stable identifier of the source, never reused: lower-case letters, digits, '_' and "
            "'-'. It is also the stem of the file holding its text (<source_id>.txt)."
        ),
    )
    source_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'news_report', 'official_statement', 'social_media_post', 'report', 'other'
        ], "ordered": False},
        title='Source type',
        description='What kind of document the source is.',
    )
    title: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Title',
        description=(
            "The document's title or headline as printed; empty when the copy read has none (do "
            'not invent one).'
        ),
    )
    description: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Description',
        description="A curator's one-line description of the document, enough to recognise it.",
    )
    publisher: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Publisher',
        description=(
            'The outlet or body that published the copy read; empty when the copy does not say.'
        ),
    )
    author: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Author',
        description='The byline, as printed; empty when there is none.',
    )
    url: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='URL',
        description='Where the copy read can be found; empty when not known.',
    )
    date_start: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Earliest date',
        description=(
            'Earliest day on which the source may have been published (ISO 8601, inclusive). '
            'Empty when unbounded. Read together with date_precision; never sharper than the '
            'source.'
        ),
    )
    date_end: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Latest date',
        description=(
            'Latest day on which the source may have been published (inclusive). Empty when '
            'unbounded. Equal to date_start for a single known day.'
        ),
    )
    date_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'day', 'month', 'year', 'range', 'on_or_before', 'on_or_after', 'unknown'
        ], "ordered": False},
        title='Date precision',
        description=(
            'How precisely the source dates it, which fixes how date_start and date_end are read.'
        ),
    )
    date_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Date wording',
        description=(
            "The source's own words for the date, verbatim (e.g. 'June 13', 'As of last April', "
            "'earlier'); empty if the source says nothing about when."
        ),
    )
    language: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Language (ISO 639-1)',
        description='The language of the text read, as an ISO 639-1 two-letter code.',
    )
    text_sha256: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Text SHA-256',
        description=(
            'SHA-256 (hex) of the exact text file the curators read (<source_id>.txt), so an '
            'excerpt check can tell which version of the text it ran against.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this source row stands. IDs are never reused or deleted: a row found wrong '
            'is kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the source_id of the row that replaces it; empty otherwise.'
        ),
    )


class Actors(TableModel):
    """The ``actors`` table (Actors)."""

    __table__ = 'actors'

    actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Actor ID',
        description='Stable identifier of the actor, never reused.',
    )
    name: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Name',
        description=(
            "The actor's name as commonly written in English, following the source where it names"
            ' the actor.'
        ),
    )
    actor_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'state', 'government', 'government_body', 'military', 'person', 'group',
            'media_organization', 'international_organization', 'non_state_armed_group', 'other'
        ], "ordered": False},
        title='Actor type',
        description='What kind of actor this is.',
    )
    parent_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Parent actor',
        description=(
            'The actor this one belongs to (a military to its state, a council to its '
            'government); empty for top-level actors and for persons. Must not form a cycle.'
        ),
    )
    country_iso3: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Country (ISO 3166-1 alpha-3)',
        description=(
            'The country the actor belongs to, as an ISO 3166-1 alpha-3 code; empty for actors '
            'not tied to one country. Added by the curator (say so in notes).'
        ),
    )
    wikidata_qid: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Wikidata ID',
        description=(
            "The actor's Wikidata item (Q-number), to link with other datasets; empty when there "
            'is none or it is not certain. Added by the curator from outside the source.'
        ),
    )
    aliases: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Names in the source',
        description=(
            "Other names the source uses for this actor, verbatim, separated by ' | ' (e.g. "
            "'American officials | officials')."
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this actor row stands. IDs are never reused or deleted: a row found wrong is'
            ' kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the actor_id of the row that replaces it; empty otherwise.'
        ),
    )


class TypeCrosswalk(TableModel):
    """The ``type_crosswalk`` table (Type crosswalk)."""

    __table__ = 'type_crosswalk'

    type_code: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Type code',
        description='An events.event_type or statements.statement_type value.',
    )
    applies_to: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['event', 'statement'], "ordered": False},
        title='Applies to',
        description='Which of our tables uses the code.',
    )
    acled_event_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"categories": [
            'Battles', 'Explosions/Remote violence', 'Violence against civilians', 'Protests',
            'Riots', 'Strategic developments'
        ], "ordered": False},
        title='ACLED event type',
        description='The ACLED event type the code corresponds to; empty when ACLED has none.',
    )
    acled_sub_event_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"categories": [
            'Air/drone strike', 'Shelling/artillery/missile attack', 'Disrupted weapons use',
            'Agreement', 'Other'
        ], "ordered": False},
        title='ACLED sub-event type',
        description='The ACLED sub-event type; empty when ACLED has none.',
    )
    plover_event_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"categories": [
            'AGREE', 'CONSULT', 'SUPPORT', 'CONCEDE', 'COOPERATE', 'AID', 'RETREAT', 'REQUEST',
            'ACCUSE', 'REJECT', 'THREATEN', 'PROTEST', 'SANCTION', 'MOBILIZE', 'COERCE', 'ASSAULT'
        ], "ordered": False},
        title='PLOVER event type',
        description='The PLOVER event type the code corresponds to; empty when PLOVER has none.',
    )
    cameo_code: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='CAMEO code',
        description='The closest CAMEO event code (two to four digits); empty when CAMEO has none.',
    )
    cameo_label: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='CAMEO label',
        description="The CAMEO code's name, as in the CAMEO codebook.",
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Mapping notes',
        description='Why the mapping was chosen, and where it is approximate.',
    )


class Events(TableModel):
    """The ``events`` table (Events)."""

    __table__ = 'events'

    event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Event ID',
        description='Stable identifier of the event, never reused.',
    )
    parent_event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Parent event',
        description=(
            'The larger event this one is part of (a wave of an attack, a round of talks); empty '
            'for top-level events. Must not form a cycle. Participants listed on the parent apply'
            ' to its parts unless the part lists its own.'
        ),
    )
    sequence_number: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Sequence number',
        description=(
            "The ordinal of this event among its parent's parts, when the source gives or implies"
            " it ('a sixth round' = 6; the waves of 'three waves' = 1, 2, 3). Empty otherwise."
        ),
    )
    in_response_to_event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='In response to',
        description=(
            'The event this one answers (a retaliation answers a strike; an interception answers '
            'an attack), when the source presents it so. It cannot end before the event it '
            'answers begins. Must not form a cycle.'
        ),
    )
    event_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'airstrike', 'missile_attack', 'interception', 'negotiation', 'meeting', 'phone_call'
        ], "ordered": False},
        title='Event type',
        description=(
            'What kind of event it is. Each type maps to ACLED, PLOVER and CAMEO in the '
            'type_crosswalk table.'
        ),
    )
    event_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'occurred', 'ongoing', 'planned', 'derailed', 'cancelled', 'unconfirmed'
        ], "ordered": False},
        title='Event status',
        description=(
            'Whether the event happened, is happening, or was only planned, as the source reports'
            ' it.'
        ),
    )
    title: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Title',
        description="A short curator's label for the event, in the source's terms.",
    )
    date_start: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Earliest date',
        description=(
            'Earliest day on which the event may have happened (ISO 8601, inclusive). Empty when '
            'unbounded. Read together with date_precision; never sharper than the source.'
        ),
    )
    date_end: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Latest date',
        description=(
            'Latest day on which the event may have happened (inclusive). Empty when unbounded. '
            'Equal to date_start for a single known day.'
        ),
    )
    date_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'day', 'month', 'year', 'range', 'on_or_before', 'on_or_after', 'unknown'
        ], "ordered": False},
        title='Date precision',
        description=(
            'How precisely the source dates it, which fixes how date_start and date_end are read.'
        ),
    )
    date_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Date wording',
        description=(
            "The source's own words for the date, verbatim (e.g. 'June 13', 'As of last April', "
            "'earlier'); empty if the source says nothing about when."
        ),
    )
    location_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Location wording',
        description=(
            "The source's own words for where the event took place, verbatim (e.g. 'across the "
            "Middle East', 'in Oman')."
        ),
    )
    country_iso3: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Country (ISO 3166-1 alpha-3)',
        description=(
            'The country, as an ISO 3166-1 alpha-3 code, when the location is within one country.'
            ' The code is added by the curator (say so in notes).'
        ),
    )
    latitude: Series[pd.Float64Dtype] = pdx.Field(
        nullable=True,
        title='Latitude',
        description=(
            'WGS 84 latitude in decimal degrees, only for point or locality precision; never an '
            'invented centroid.'
        ),
    )
    longitude: Series[pd.Float64Dtype] = pdx.Field(
        nullable=True,
        title='Longitude',
        description='WGS 84 longitude in decimal degrees; set together with latitude.',
    )
    geo_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'point', 'locality', 'admin_region', 'country', 'region', 'unknown'
        ], "ordered": False},
        title='Geographic precision',
        description=(
            'How precisely the source locates it, which fixes which location fields may be set.'
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this event row stands. IDs are never reused or deleted: a row found wrong is'
            ' kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the event_id of the row that replaces it; empty otherwise.'
        ),
    )


class EventActors(TableModel):
    """The ``event_actors`` table (Event actors)."""

    __table__ = 'event_actors'

    event_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Event-actor ID',
        description='Stable identifier of this participation row, never reused.',
    )
    event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Event',
        description='The event (events.event_id).',
    )
    actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Actor',
        description='The actor (actors.actor_id).',
    )
    role: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'initiator', 'target', 'assisting', 'participant', 'victim', 'host', 'forewarned',
            'disclaimed_participation'
        ], "ordered": False},
        title='Role',
        description='The part the actor played in the event.',
    )
    claimed_by_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Claimed by',
        description=(
            'The actor the source attributes this role to (e.g. U.S. officials saying the U.S. '
            'had no role); empty when the source states it in its own voice.'
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this event actor row stands. IDs are never reused or deleted: a row found '
            'wrong is kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the event_actor_id of the row that replaces it; empty '
            'otherwise.'
        ),
    )


class Figures(TableModel):
    """The ``figures`` table (Figures)."""

    __table__ = 'figures'

    figure_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Figure ID',
        description='Stable identifier of the figure, never reused.',
    )
    event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Event',
        description='The event the figure is about (events.event_id).',
    )
    quantity: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'projectiles_launched', 'attack_waves', 'people_killed', 'meetings_held',
            'hours_elapsed'
        ], "ordered": False},
        title='Quantity',
        description="What the figure counts; count_text keeps the source's own noun.",
    )
    count_low: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: low',
        description=(
            'Lower bound of the quantity, as stated (see count_qualifier for whether it is '
            'inclusive). Empty when the source gives none.'
        ),
    )
    count_best: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: best',
        description=(
            'The quantity the source states as its figure (exact or approximate). Empty when it '
            'states none; 0 only when the source says zero.'
        ),
    )
    count_high: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: high',
        description=(
            'Upper bound of the quantity, as stated (see count_qualifier for whether it is '
            'inclusive). Empty when the source gives none.'
        ),
    )
    count_qualifier: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'exact', 'approximately', 'fewer_than', 'at_most', 'more_than', 'at_least', 'between',
            'a_few', 'several', 'series', 'many', 'dozens', 'hundreds', 'thousands',
            'tens_of_thousands', 'hundreds_of_thousands', 'not_reported'
        ], "ordered": False},
        title='Count qualifier',
        description=(
            'How the source words the number, which fixes how count_low/best/high are read. Vague'
            ' words stay vague: no number is invented for them.'
        ),
    )
    count_text: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Count wording',
        description=(
            "The source's own words for the quantity, verbatim (e.g. 'fewer than 100 rockets', "
            "'about 40,000 U.S. troops')."
        ),
    )
    claimed_by_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Claimed by',
        description=(
            "The actor the source attributes the figure to (e.g. 'Israel reported ...'); empty "
            'when the source states it in its own voice.'
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this figure row stands. IDs are never reused or deleted: a row found wrong '
            'is kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the figure_id of the row that replaces it; empty otherwise.'
        ),
    )


class Statements(TableModel):
    """The ``statements`` table (Statements)."""

    __table__ = 'statements'

    statement_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Statement ID',
        description='Stable identifier of the statement, never reused.',
    )
    speaker_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Speaker',
        description='Who said it (actors.actor_id); a group actor for unnamed officials.',
    )
    speaker_title: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title="Speaker's title",
        description=(
            "The speaker's office at the time of the statement, as the source gives it (e.g. "
            "'Acting National Security Adviser; Secretary of State'); empty for non-persons or "
            'when not given.'
        ),
    )
    addressee_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Addressed to',
        description=(
            'Whom the statement is directed at or told to (the warned party, the outlet officials'
            ' spoke to); empty when not stated.'
        ),
    )
    about_event_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='About event',
        description='The event the statement is about, when it is about one; empty otherwise.',
    )
    statement_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'confirmation', 'acknowledgement', 'denial', 'claim', 'appeal', 'warning', 'praise'
        ], "ordered": False},
        title='Statement type',
        description=(
            'What the statement does. Each type maps to PLOVER and CAMEO in the type_crosswalk '
            'table.'
        ),
    )
    quote_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['direct_quote', 'paraphrase'], "ordered": False},
        title='Quote type',
        description="Whether text is the speaker's words or the source's account of them.",
    )
    text: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Text',
        description=(
            "The quote (direct_quote) or the source's reported-speech wording (paraphrase), "
            "verbatim from the source in either case; never a curator's rewording."
        ),
    )
    venue_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Venue / medium',
        description=(
            "Where or how it was said, in the source's words ('on Truth Social', 'at a White "
            "House event'); empty when not stated."
        ),
    )
    date_start: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Earliest date',
        description=(
            'Earliest day on which the statement may have been made (ISO 8601, inclusive). Empty '
            'when unbounded. Read together with date_precision; never sharper than the source.'
        ),
    )
    date_end: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Latest date',
        description=(
            'Latest day on which the statement may have been made (inclusive). Empty when '
            'unbounded. Equal to date_start for a single known day.'
        ),
    )
    date_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'day', 'month', 'year', 'range', 'on_or_before', 'on_or_after', 'unknown'
        ], "ordered": False},
        title='Date precision',
        description=(
            'How precisely the source dates it, which fixes how date_start and date_end are read.'
        ),
    )
    date_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Date wording',
        description=(
            "The source's own words for the date, verbatim (e.g. 'June 13', 'As of last April', "
            "'earlier'); empty if the source says nothing about when."
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this statement row stands. IDs are never reused or deleted: a row found '
            'wrong is kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the statement_id of the row that replaces it; empty otherwise.'
        ),
    )


class Deployments(TableModel):
    """The ``deployments`` table (Deployments)."""

    __table__ = 'deployments'

    deployment_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Deployment ID',
        description='Stable identifier of the deployment snapshot, never reused.',
    )
    actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Actor',
        description='Whose forces or people (actors.actor_id).',
    )
    deployment_type: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'troops', 'military_assets', 'civilian_population'
        ], "ordered": False},
        title='Deployment type',
        description='What kind of presence the row records.',
    )
    date_start: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Earliest date',
        description=(
            'Earliest day of the period the snapshot describes (ISO 8601, inclusive). Empty when '
            'unbounded. Read together with date_precision; never sharper than the source.'
        ),
    )
    date_end: Series[pdx.DateTime] = pdx.Field(
        nullable=True,
        title='Latest date',
        description=(
            'Latest day of the period the snapshot describes (inclusive). Empty when unbounded. '
            'Equal to date_start for a single known day.'
        ),
    )
    date_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'day', 'month', 'year', 'range', 'on_or_before', 'on_or_after', 'unknown'
        ], "ordered": False},
        title='Date precision',
        description=(
            'How precisely the source dates it, which fixes how date_start and date_end are read.'
        ),
    )
    date_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Date wording',
        description=(
            "The source's own words for the date, verbatim (e.g. 'June 13', 'As of last April', "
            "'earlier'); empty if the source says nothing about when."
        ),
    )
    location_text: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Location wording',
        description=(
            "The source's own words for where the presence took place, verbatim (e.g. 'across the"
            " Middle East', 'in Oman')."
        ),
    )
    country_iso3: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Country (ISO 3166-1 alpha-3)',
        description=(
            'The country, as an ISO 3166-1 alpha-3 code, when the location is within one country.'
            ' The code is added by the curator (say so in notes).'
        ),
    )
    latitude: Series[pd.Float64Dtype] = pdx.Field(
        nullable=True,
        title='Latitude',
        description=(
            'WGS 84 latitude in decimal degrees, only for point or locality precision; never an '
            'invented centroid.'
        ),
    )
    longitude: Series[pd.Float64Dtype] = pdx.Field(
        nullable=True,
        title='Longitude',
        description='WGS 84 longitude in decimal degrees; set together with latitude.',
    )
    geo_precision: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'point', 'locality', 'admin_region', 'country', 'region', 'unknown'
        ], "ordered": False},
        title='Geographic precision',
        description=(
            'How precisely the source locates it, which fixes which location fields may be set.'
        ),
    )
    count_low: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: low',
        description=(
            'Lower bound of the number present, as stated (see count_qualifier for whether it is '
            'inclusive). Empty when the source gives none.'
        ),
    )
    count_best: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: best',
        description=(
            'The number present the source states as its figure (exact or approximate). Empty '
            'when it states none; 0 only when the source says zero.'
        ),
    )
    count_high: Series[pd.Int64Dtype] = pdx.Field(
        nullable=True,
        title='Count: high',
        description=(
            'Upper bound of the number present, as stated (see count_qualifier for whether it is '
            'inclusive). Empty when the source gives none.'
        ),
    )
    count_qualifier: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": [
            'exact', 'approximately', 'fewer_than', 'at_most', 'more_than', 'at_least', 'between',
            'a_few', 'several', 'series', 'many', 'dozens', 'hundreds', 'thousands',
            'tens_of_thousands', 'hundreds_of_thousands', 'not_reported'
        ], "ordered": False},
        title='Count qualifier',
        description=(
            'How the source words the number, which fixes how count_low/best/high are read. Vague'
            ' words stay vague: no number is invented for them.'
        ),
    )
    count_text: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Count wording',
        description=(
            "The source's own words for the quantity, verbatim (e.g. 'fewer than 100 rockets', "
            "'about 40,000 U.S. troops')."
        ),
    )
    claimed_by_actor_id: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Claimed by',
        description=(
            "The actor the source attributes the figure to (e.g. 'Israel reported ...'); empty "
            'when the source states it in its own voice.'
        ),
    )
    source_id: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source',
        description=(
            'The source that states this fact (sources.source_id). Every fact row cites exactly '
            'one source; a fact reported by several sources is one row per source.'
        ),
    )
    source_excerpt: Series[pd.StringDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"storage": "pyarrow"},
        title='Source excerpt',
        description=(
            'The shortest verbatim passage of the source that supports this row, copied character'
            ' for character (typographic quotes, apostrophes and ellipses as printed), so the row'
            ' can be checked against its source by eye.'
        ),
    )
    notes: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Curator notes',
        description=(
            "Curator's notes: how the row was derived from the excerpt, and anything added from "
            'outside the source (the year, an ISO code, a Wikidata ID), said explicitly.'
        ),
    )
    record_status: Series[pd.CategoricalDtype] = pdx.Field(
        nullable=False,
        dtype_kwargs={"categories": ['active', 'retracted', 'superseded'], "ordered": False},
        title='Record status',
        description=(
            'Whether this deployment row stands. IDs are never reused or deleted: a row found '
            'wrong is kept as a tombstone.'
        ),
    )
    superseded_by: Series[pd.StringDtype] = pdx.Field(
        nullable=True,
        dtype_kwargs={"storage": "pyarrow"},
        title='Superseded by',
        description=(
            'For a superseded row, the deployment_id of the row that replaces it; empty '
            'otherwise.'
        ),
    )


#: table name -> its model
MODELS: dict[str, type[TableModel]] = {
    'sources': Sources,
    'actors': Actors,
    'type_crosswalk': TypeCrosswalk,
    'events': Events,
    'event_actors': EventActors,
    'figures': Figures,
    'statements': Statements,
    'deployments': Deployments,
}
