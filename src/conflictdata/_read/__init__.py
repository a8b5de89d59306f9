"""The CSV reader: a resource's bytes (decompressed, transcoded) parsed into string columns
with the physical line of every row. The validator and the build both read through it."""

from __future__ import annotations
