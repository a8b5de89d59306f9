"""The schemas' rules for pandas DataFrames in memory: vectorised checks per table
(:mod:`.checks`), pandera schemas built from them (:mod:`.pandera_schemas`, needs pandera)
and :func:`~.validate.validate_frames`, which reports like the CSV validator."""
