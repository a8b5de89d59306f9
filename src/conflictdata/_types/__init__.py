"""Table Schema value semantics, at the bottom of the package: each field type as one class
(:mod:`.spec`, :mod:`.cells`) that reads a column of text cells and a single value the same
way, the numpy/Arrow byte kernels that do it, and IDs. Nothing here imports the schema model."""
