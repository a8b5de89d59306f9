"""The rules, each written once over a table's columns: field, key, row and relation checks,
the findings registry they report in, and the :class:`Report` both front ends return."""

from __future__ import annotations
