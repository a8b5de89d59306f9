"""Load release tables as typed DataFrames from the bundled release, the cache or a server.

Sources, for ``source=None``: the release bundled in the installed package if it holds the
version, else a local build (``$CONFLICTDATA_BUILD_DIR``, or in a source checkout such as an
editable install its own ``build/releases``), else the per-user cache, else the release server (``url=`` or
``$CONFLICTDATA_RELEASES_URL``), downloading into the cache. ``version=None`` means the
newest release bundled, built locally or cached; only when there is none is the server asked (and
``source="remote"`` asks the server for its newest). A local build folder can be passed as
``source`` (a release folder, or a build output folder holding ``<version>/`` folders).

dtypes come from the release descriptor's schemas (:meth:`Field.pandas_dtype`): text
``string[pyarrow]``, enums categoricals with the declared categories in declared order,
integers ``Int64``, numbers ``Float64``, booleans ``boolean``, dates ``date32[pyarrow]``
(calendar dates: no invented time of day). Every file is checked against the descriptor's
SHA-256 the first time a process reads it.
"""

from __future__ import annotations
