"""The schema model: ``datapackage.json`` and its Table Schemas parsed once into typed,
frozen objects (fields, keys, row and relation rules, resources, dialects, the package).
Everything else derives from these objects; nothing above reads the raw JSON again."""
