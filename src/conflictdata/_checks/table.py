"""What the checks read and where they report: one table's columns (:class:`TableData`, with
the values derived from them cached for every layer) and the :class:`Collector` that gathers
findings, capped per rule and kept to the codes the run's policy applies.

:class:`TableData` is the column interface every check is written against. The CSV
validator fills it with the text columns it parsed; the frames front end
(:class:`conflictdata._frames.adapter.FrameData`) fills it from a DataFrame and overrides
the places a frame differs: how a column is read as its type (:meth:`TableData.read_column`),
which cells hold a value (:meth:`TableData.is_present`), how a row is named in a message and
numbered in its source (:meth:`TableData.row_name`, :meth:`TableData.source_rows`) and where
a finding is located (:meth:`TableData.locate`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._tableschema.model import Field, TableSchema
from .._types.ids import IdInts, parse_ids
from .._types.kernels import np_mask, take_rows
from .._types.spec import Read
from .._util.text import shortened
from ..errors import RefusedCellsError, UnsupportedFeatureError
from .findings import POLICY, Finding, make_finding

__all__ = ["Collector", "Extra", "Message", "TableData", "quote"]

_NULL_STR = pa.scalar(None, pa.string())

#: what a finding's message may read beside the cell: a column, a function that gives one
#: (made only when there is a finding), or values by row index
Extra: TypeAlias = (
    pa.ChunkedArray | pa.Array | Callable[[], pa.ChunkedArray | pa.Array] | dict[int, Any]
)
#: a finding's message for one row, from the row's cell and its values of the ``extra``s;
#: :meth:`Collector.rows` calls it before it returns
Message: TypeAlias = Callable[[str | None, dict[str, Any]], str]


@dataclass
class TableData:
    """One table as read for validation: raw string columns by field name, plus derived."""

    schema: TableSchema
    path: str
    n: int = 0
    readable: bool = False
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: row number of each data row as frictionless counts it (header = 1); empty: not known
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    raw: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    colno: dict[str, int] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    typed: dict[str, pa.Array] = field(default_factory=dict)
    ymd: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: field -> each value's length where the type counts it (an object's keys, an array's
    #: items; see :attr:`.._types.spec.Read.lengths`)
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    keys: pa.ChunkedArray | pa.Array | None = None
    #: foreign key -> index of each row's referenced row (null: empty or not found)
    fk_index: dict[Any, pa.Array | pa.ChunkedArray] = field(default_factory=dict)
    #: (field, prefix) -> the column read as prefix + digits (see :func:`id_ints`)
    ids: dict[tuple[str, bytes], IdInts] = field(default_factory=dict)
    #: field -> full-match mask of its pattern (every row), for foreign keys pointing here
    pattern_ok: dict[str, np.ndarray] = field(default_factory=dict)
    #: field -> rows (sorted indices) whose record ends before this field's cell: missing
    missing_cells: dict[str, np.ndarray] = field(default_factory=dict)
    #: the resource's bytes as read (:class:`.._read.source.Source`): locates rows in its parts
    source: Any = None
    #: fields whose pattern check waits for the foreign-key lookups (see :func:`.fields.defer_pattern`)
    deferred_patterns: list[str] = field(default_factory=list)

    def release(self, keep: set[str], *, text: bool = False) -> None:
        """Let go of the columns no later check reads (their text, typed values, masks): a
        package of many tables then holds one table's columns at a time, not all of them.
        ``text``: keep every column's text (a row's cause is told from its cells later)."""
        if not text:
            for k in [k for k in self.raw if k not in keep]:
                del self.raw[k]
        for d in (
            self.typed,
            self.present,
            self.ymd,
            self.lengths,
            self.pattern_ok,
            self.missing_cells,
        ):
            for k in [k for k in d if k not in keep]:
                del d[k]
        self.ids = {k: v for k, v in self.ids.items() if k[0] in keep}

    def id_ints(self, name: str, prefix: bytes) -> IdInts:
        """The column ``name`` parsed as ``prefix`` + ASCII digits (cached)."""
        got = self.ids.get((name, prefix))
        if got is None:
            got = parse_ids(self.raw[name], prefix)
            self.ids[(name, prefix)] = got
        return got

    def value(self, name: str) -> pa.Array | pa.ChunkedArray:
        """Typed values of a field, invalid and empty cells null (text fields built here)."""
        got = self.typed.get(name)
        if got is None:
            s = self.raw[name].combine_chunks()
            present = self.is_present(name)
            got = s if present.all() else pc.if_else(pa.array(present), s, _NULL_STR)
            self.typed[name] = got
        return got

    @property
    def name(self) -> str:
        return self.schema.name

    def read(self, f: Field, present: np.ndarray) -> Read:
        """The column of ``f`` read as its type (a value that cannot be compared exactly
        refuses the run, naming the resource and field)."""
        try:
            return self.read_column(f, present)
        except RefusedCellsError as exc:
            raise UnsupportedFeatureError(
                exc.feature, exc.value, resource=self.name, field=f.name, why=exc.why
            ) from None

    def read_column(self, f: Field, present: np.ndarray) -> Read:
        """The text cells of ``f`` through its type's reader."""
        return f.value_type.read(self.raw[f.name], present)

    def row_name(self, i: int) -> str:
        """Row ``i`` as a message names it: its physical line."""
        return f"line {int(self.lines[i])}"

    def source_rows(self, idx: np.ndarray) -> np.ndarray:
        """The rows ``idx`` as the source numbers them (a CSV table: the same)."""
        return idx

    def locate(self, idx: np.ndarray) -> list[tuple[str, int | None, int | None]]:
        """(file, line, frictionless row number) of each row in ``idx``."""
        lines = self.lines[idx]
        rownos = self.rows[idx] if len(self.rows) == self.n and self.n else None
        parts = self.source is not None and len(self.source.parts) > 1
        out = []
        for j in range(len(idx)):
            path, line = self.source.locate(int(lines[j])) if parts else (self.path, int(lines[j]))
            out.append((path, line, None if rownos is None else int(rownos[j])))
        return out

    def cells(self, name: str) -> Callable[[], pa.ChunkedArray]:
        """A column's cells for a finding's ``extra``, made only when a finding reads them."""
        return lambda: self.raw[name]

    def is_present(self, name: str) -> np.ndarray:
        """Cells of a field that hold a value (cached): not a missing value, and not missing
        from a short row (whatever missingValues says)."""
        got = self.present.get(name)
        if got is None:
            s = self.raw[name]
            missing = self.schema.missing_values
            if missing == ("",):
                got = np_mask(pc.not_equal(pc.binary_length(s), 0))
            else:
                got = ~np_mask(pc.is_in(s, value_set=pa.array(list(missing), pa.string())))
            gone = self.missing_cells.get(name)
            if gone is not None and len(gone):
                got = got.copy()
                got[gone] = False
            self.present[name] = got
        return got


def quote(value: Any, limit: int = 60) -> str:
    """A cell or bound in a finding's message: its repr, cut short."""
    return shortened(repr(value), limit, "…'")


#: Findings of one code kept in all, as a multiple of the per-field limit: a file with a
#: thousand broken fields would otherwise hold a million findings (580 MB for 4 MB of CSV),
#: where every output lists at most a thousand of a code.
PER_CODE_FACTOR = 10


class Collector:
    """Gathers findings, keeping at most ``limit`` per (table, code, field) and
    ``PER_CODE_FACTOR * limit`` per code (the rest counted in ``suppressed``), and only those
    of the codes the run's policy applies (:meth:`applies`)."""

    def __init__(self, limit: int = 1000, *, strict: bool = False) -> None:
        self.limit = limit
        self.code_limit = PER_CODE_FACTOR * limit
        self.kept: Counter[str] = Counter()
        #: the package follows this project's policy: policy rules are checked
        self.strict = strict
        self.findings: list[Finding] = []
        self.counts: Counter[tuple[Any, ...]] = Counter()
        self.suppressed: Counter[str] = Counter()
        self._lock = threading.Lock()

    def found(self, code: str, table: str | None) -> bool:
        """Whether ``code`` was found in ``table`` (listed or only counted)."""
        with self._lock:
            return any(k[0] == table and k[1] == code for k in self.counts)

    def applies(self, code: str) -> bool:
        """Whether ``code`` is checked in this run: every code of the spec, and the policy
        codes of the findings registry (:data:`.findings.POLICY`) only under the strict
        policy. The one place that decides it; a check may ask first to skip its work."""
        return self.strict or code not in POLICY

    def _room(self, code: str, table: str | None, fld: str | None, n: int) -> int:
        if not self.applies(code):
            return 0
        with self._lock:  # tables are checked in threads
            k = (table, code, fld)
            room = max(0, min(self.limit - self.counts[k], self.code_limit - self.kept[code]))
            self.counts[k] += n
            if n > room:
                self.suppressed[code] += n - room
            self.kept[code] += min(n, room)
            return min(n, room)

    def one(
        self,
        code: str,
        *,
        table: str | None,
        path: str | None,
        line: int | None,
        message: str,
        **kw: Any,
    ) -> None:
        if self._room(code, table, kw.get("field"), 1):
            self.findings.append(
                make_finding(code, table=table, path=path, line=line, message=message, **kw)
            )

    def rows(
        self,
        code: str,
        td: TableData,
        idx: np.ndarray,
        fld: str | None,
        message: Message,
        *,
        extra: dict[str, Extra] | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        """One finding per row index in ``idx`` (located by :meth:`TableData.locate`), the
        message built per row from the cell and ``extra`` (per name: a column, a function
        giving one, only called when there are rows, or a dict by row index)."""
        if len(idx) == 0:
            return
        room = self._room(code, td.name, fld, len(idx))
        if room == 0:
            return
        idx = np.asarray(idx[:room], dtype=np.int64)
        values = take_rows(td.raw[fld], idx).to_pylist() if fld in td.raw else [None] * len(idx)
        keys = take_rows(td.keys, idx).to_pylist() if td.keys is not None else [None] * len(idx)
        ex: dict[str, list[Any]] = {}
        for name, arr in (extra or {}).items():
            if callable(arr):
                arr = arr()
            ex[name] = (
                [arr.get(int(i)) for i in idx]
                if isinstance(arr, dict)
                else take_rows(arr, idx).to_pylist()
            )
        col = column if column is not None else td.colno.get(fld) if fld else None
        for j, (path, line, row) in enumerate(td.locate(idx)):
            xj = {k: v[j] for k, v in ex.items()}
            self.findings.append(
                make_finding(
                    code,
                    table=td.name,
                    path=path,
                    line=line,
                    column=col,
                    field=fld,
                    key=keys[j] or None,
                    value=values[j],
                    message=message(values[j], xj),
                    hint=hint,
                    row=row,
                )
            )
