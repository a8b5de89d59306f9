"""A release folder and the releases index on disk: their layout and file names, writing them
(descriptor, SHA256SUMS, zip, index, atomic writes), reading them (:func:`read_release`, the one
reader used by build, diff and loader) and verifying each file's SHA-256 once per process.

Stdlib only (no pandas, no pyarrow at import) so the loader can use it on its light path.

Layout of a build output folder ``OUT`` (a static file server of ``OUT`` is a release server)::

    OUT/index.json                        every release: version, created, archive, sha256, descriptor, its sha256
    OUT/.build.lock                       held by a build while it publishes (rename + index)
    OUT/.tmp-*                            a build's work folder and index temp files, until renamed
    OUT/<version>/datapackage.json        release descriptor (inline schemas, rows, sha256 per file)
    OUT/<version>/<table>.parquet         one per table, rows in primary key order
    OUT/<version>/CHANGELOG.md            this version against the previous release in OUT
    OUT/<version>/changes.parquet         the same comparison as data: one row per changed cell or row
    OUT/<version>/report.html             the offline report of the release
    OUT/<version>/croissant.json          Croissant 1.1 metadata of the release
    OUT/<version>/csv/datapackage.json    the CSV copy's own descriptor (dialect, sizes, SHA-256)
    OUT/<version>/csv/<table>.csv         every table as CSV, in one dialect
    OUT/<version>/SHA256SUMS              "<hex>  <path>" for every file above (not the zip)
    OUT/<version>/conflictdata-<version>.zip   all of the above in conflictdata-<version>/, reproducible

The release descriptor keeps the source descriptor's name, title, description, version,
homepage, keywords, licenses, sources and contributors, adds ``created`` (ISO 8601 UTC),
``previous`` (the version and descriptor SHA-256 of the newest older release in OUT when it
was built: the hash chain, see :func:`verify_history`) and ``build.parquetWriter``, and lists
per table: name, path ``<table>.parquet``, format ``parquet``, mediatype, ``hash``
("sha256:<hex>", the Frictionless v5 form), ``rows``, ``fileBytes`` and the full Table Schema
inline, and names the release's other files (``releaseFiles``). The size is not in the standard ``bytes``
because frictionless 5 reads Parquet through pandas without counting bytes, so any declared
``bytes`` fails `frictionless validate` with a byte-count error; for the same reason the
inline schemas list "nan" among their ``missingValues`` (frictionless sees a null number of a
Parquet file as NaN). SHA256SUMS leaves out itself and the zip (the zip holds SHA256SUMS;
its own hash is in ``index.json``).

``index.json`` is never trusted on its own: it is always derived from the release folders
present (``index_entries``), rewritten under the output folder's lock by every build, and an
entry whose version is not a release version is ignored, so a build killed between its
rename and its index update leaves a stale index that the next build repairs.
"""

from __future__ import annotations
