"""The producer tools: the build (convert, diff, Croissant, report) and the generated docs."""
