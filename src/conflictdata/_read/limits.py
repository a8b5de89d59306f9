"""Bounds on what one file may hold, shared by the reader and the findings that report them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass


#: Cells longer than this many characters are reported (E114).
CELL_LIMIT = 100_000

#: A header with more columns than this is not read (E117): no table has nearly as many.
COLUMN_LIMIT = 1000

#: A record (one row, quoted line breaks included) of more bytes than this is not read (E118).
ROW_LIMIT = 16 << 20
