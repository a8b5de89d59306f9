"""The schemas' rules for pandas DataFrames in memory: a frame as the checks' column
interface (:mod:`.adapter`), on which :func:`~.validate.validate_frames` runs the CSV
validator's own checks, and pandera schemas whose checks run them too
(:mod:`.pandera_schemas`, needs pandera)."""
