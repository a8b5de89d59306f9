"""Validation of a data package's CSV files against its Table Schemas, one module per layer
that is not a shared check: :mod:`.files` (1, the file), :mod:`.lints` (5, warnings),
:mod:`.provenance` (excerpts in their sources), and :mod:`.run`, which runs them with the
field, row and relation checks of :mod:`conflictdata._checks` (:func:`~.run.validate`)."""
