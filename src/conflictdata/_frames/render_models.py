"""Generate ``src/conflictdata/models.py`` (a pandera model per table) from the Table Schemas.

The file is derived, never edited: ``conflictdata models`` writes it and a test fails when it
differs from what the schemas generate, like the codebook.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from .._tableschema.model import Field, Package
from .._tableschema.package import read_package
from .._util.fs import write_generated

__all__ = ["DEFAULT_OUT", "model_name", "render_models", "write_models"]

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models.py"

_HEADER = '''"""One pandera ``DataFrameModel`` per table, for annotating pipelines::

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
{names}
]
'''


def model_name(table: str) -> str:
    """``event_actors`` -> ``EventActors``."""
    return "".join(part.capitalize() for part in table.split("_"))


def _dtype(f: Field) -> tuple[str, str]:
    """The annotation's dtype class and the Field's ``dtype_kwargs`` source (or "")."""
    if f.type == "string":
        if f.is_enum:
            cats = ", ".join(repr(v) for v in f.enum or ())
            return "pd.CategoricalDtype", f'{{"categories": [{cats}], "ordered": False}}'
        return "pd.StringDtype", '{"storage": "pyarrow"}'
    return {
        "integer": ("pd.Int64Dtype", ""),
        "number": ("pd.Float64Dtype", ""),
        "boolean": ("pd.BooleanDtype", ""),
        "date": ("pdx.DateTime", ""),  # the loaded default, datetime64[s]
        "datetime": ("pd.DatetimeTZDtype", '{"unit": "s", "tz": "UTC"}'),
        "time": ("pd.ArrowDtype", '{"pyarrow_dtype": pa.time64("us")}'),
        "year": ("pd.Int64Dtype", ""),
        "yearmonth": ("pd.StringDtype", '{"storage": "pyarrow"}'),
    }[f.type]


def _wrap_str(text: str, width: int = 84) -> list[str]:
    """Pieces of ``text`` that join back to exactly it, each at most about ``width`` long."""
    parts = textwrap.wrap(
        text,
        width,
        drop_whitespace=False,
        replace_whitespace=False,
        expand_tabs=False,
        break_on_hyphens=False,
    )
    return parts if "".join(parts) == text else [text]


def _field(f: Field) -> str:
    dtype, kwargs = _dtype(f)
    args: list[tuple[str, str | None, str]] = [("nullable", None, str(not f.required))]
    if kwargs:
        args.append(("dtype_kwargs", None, kwargs))
    args += [("title", f.title, repr(f.title)), ("description", f.description, repr(f.description))]
    head = f"    {f.name}: Series[{dtype}] = pdx.Field("
    one = head + ", ".join(f"{k}={src}" for k, _, src in args) + ")"
    if len(one) <= 100:
        return one
    lines = [head]
    for key, text, src in args:
        if key == "dtype_kwargs" and len(src) > 80 and f.enum is not None:
            inner = ", ".join(repr(v) for v in f.enum)
            wrapped = textwrap.wrap(inner, 88, break_on_hyphens=False, break_long_words=False)
            lines.append('        dtype_kwargs={"categories": [')
            lines += [f"            {w}" for w in wrapped]
            lines.append('        ], "ordered": False},')
        elif text is not None and len(f"        {key}={src},") > 100:
            lines.append(f"        {key}=(")
            lines += [f"            {p!r}" for p in _wrap_str(text)]
            lines.append("        ),")
        else:
            lines.append(f"        {key}={src},")
    lines.append("    )")
    return "\n".join(lines)


def render_models(package: Package) -> str:
    """The source of ``conflictdata/models.py`` for ``package``'s tables."""
    names = [model_name(t) for t in package.tables]
    listed = textwrap.wrap(
        ", ".join(f'"{n}"' for n in [*names, "MODELS"]) + ",",
        92,
        break_on_hyphens=False,
        break_long_words=False,
    )
    out = [_HEADER.replace("{names}", "\n".join(f"    {line}" for line in listed))]
    for t in package.tables.values():
        title = (t.title or t.name).replace('"', "'")
        doc = f"The ``{t.name}`` table ({title})."
        out.append("")
        out.append(f"class {model_name(t.name)}(TableModel):")
        out.append(f'    """{doc}"""')
        out.append("")
        out.append(f"    __table__ = {t.name!r}")
        out.append("")
        out += [_field(f) for f in t.fields]
        out.append("")
    out.append("")
    out.append("#: table name -> its model")
    out.append("MODELS: dict[str, type[TableModel]] = {")
    out += [f"    {t!r}: {model_name(t)}," for t in package.tables]
    out.append("}")
    return "\n".join(out) + "\n"


def write_models(
    descriptor: str | Path = "datapackage.json",
    out: str | Path = DEFAULT_OUT,
    *,
    check: bool = False,
) -> bool:
    """Write (or with ``check``, only compare) the models module; True if it differs/changed."""
    return write_generated(out, render_models(read_package(descriptor)), check=check)
