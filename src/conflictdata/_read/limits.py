"""Bounds on what one file may hold, shared by the reader and the findings that report them."""

from __future__ import annotations

#: Cells longer than this many characters are reported (E114).
CELL_LIMIT = 100_000

#: A header with more columns than this is not read (E117): no table has nearly as many.
COLUMN_LIMIT = 1000

#: A record (one row, quoted line breaks included) of more bytes than this is not read (E118);
#: nor a header whose line, or whose labels joined from several header rows, is larger (E117).
ROW_LIMIT = 16 << 20

#: No resource (its parts joined, decompressed) may hold more bytes than this (E120): the
#: reader keeps a table's bytes in memory to parse them.
MAX_BYTES = 4 << 30

#: A compressed resource may expand freely to this many bytes ...
RATIO_FLOOR = 32 << 20

#: ... and beyond that to at most this many times the compressed bytes read so far (E127).
#: Real CSV compresses 3 to 15 times with gzip and rarely past 50 with xz or bz2; a
#: decompression bomb expands a thousand times (gzip) to a million times (bz2). Checked as
#: the bytes arrive, so a bomb stops after the floor, within a second, in bounded memory.
MAX_RATIO = 100
