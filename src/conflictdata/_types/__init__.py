"""Table Schema value semantics, at the bottom of the package: how a column of text cells
(or one scalar) reads as each field type, the numpy/Arrow byte kernels that do it, and IDs.
Nothing here imports the schema model; readers take any object with a field's attributes."""
