"""Fetch releases from a release server into a per-user cache, verified by SHA-256.

A release server is any static http(s) file server of a build output folder: ``index.json``
lists the releases, ``<version>/datapackage.json`` is a release descriptor and the table
files sit beside it. Files land in ``<cache>/<version>/`` exactly as on the server.

Everything a server sends is treated as hostile, and every failure is a
:class:`DownloadError` (a checksum or size mismatch a :class:`ChecksumError`):

- Bounds: ``index.json`` and descriptors are read up to :data:`MAX_DOCUMENT_BYTES` and
  :data:`MAX_JSON_DEPTH` levels of nesting; a data file is read up to the size its descriptor
  declares and no further; every file has an overall deadline (:func:`file_deadline`), so a
  server that drips bytes is given up on; a stalled read times out after :data:`TIMEOUT`.
- A downloaded descriptor must be self-contained (schemas inline, resource paths plain file
  names in the release folder, a SHA-256 and a size per file) and is checked completely
  before it is cached; nothing in it is ever resolved against the local disk.
- Versions follow :data:`conflictdata._release.layout.VERSION_PATTERN`; an index entry that does not
  is ignored with a warning, never used as a folder name or URL.
- A data file is written to a temporary file beside its target, hashed while it streams,
  and renamed into place only when size and SHA-256 match, so concurrent processes never see
  half a file and at worst download the same bytes twice. Temporary files are removed on
  every failure path.

A cached release is used offline and never re-fetched: a pinned version cannot change under
its user. A cached file whose hash is wrong is deleted and reported (:class:`ChecksumError`),
never silently replaced; the next load fetches it again.
"""

from __future__ import annotations
