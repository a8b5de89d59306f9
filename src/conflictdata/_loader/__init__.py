"""Load release tables as typed DataFrames from the bundled release, the cache or a server.

``version=None`` is the release this installation carries (:func:`releases.default_release`):
the one bundled in the installed package, or in a source checkout the version its
``datapackage.json`` declares; ``"latest"`` the newest available. Sources, for
``source=None``: the release bundled in the installed package if it holds the version, else a
local build (``$CONFLICTDATA_BUILD_DIR``, or in a source checkout such as an editable install
its own ``build/releases``), else the per-user cache, else the release server (``url=`` or
``$CONFLICTDATA_RELEASES_URL``), downloading into the cache. A local build folder can be
passed as ``source`` (a release folder, or a build output folder holding ``<version>/``).
Nothing on disk waits on the network: the server is asked only for what is not here.

dtypes come from the release descriptor's schemas (:mod:`conflictdata._tableschema.dtypes`):
text ``string[pyarrow]``, enums categoricals with the declared categories in declared order,
integers ``Int64``, numbers ``Float64``, booleans ``boolean``, dates ``datetime64[s]`` (or
calendar dates, ``date32[pyarrow]``). Tombstones are left out unless asked for. Every file is
checked against the descriptor's SHA-256 the first time a process reads it.
"""

from __future__ import annotations
