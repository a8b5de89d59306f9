"""How hard hypothesis tries, chosen once per run by ``CONFLICTDATA_HYPOTHESIS_PROFILE``.

Each property test states its example count as it runs in the ``ci`` profile (the default,
what CI and the README's test command run): ``@settings(max_examples=examples(300))``.
The ``dev`` profile, for the edit-test loop, runs a tenth of each (at least a few), so a
quick run still exercises every property. No profile sets a deadline: a shared 2-core
machine makes wall-clock deadlines flaky without telling anything about the code.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "CONFLICTDATA_HYPOTHESIS_PROFILE"
#: profile -> the fraction of each test's ci count it runs
SCALE = {"ci": 1.0, "dev": 0.1}
#: fewest examples a scaled test runs
FLOOR = 3

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])


def profile() -> str:
    """The profile named in the environment (``ci`` when unset); an unknown name is an error
    that lists the known ones."""
    name = os.environ.get(ENV, "ci")
    if name not in SCALE:
        raise SystemExit(f"{ENV}={name!r} is not a profile; known: {', '.join(SCALE)}")
    return name


def load() -> str:
    """Load the chosen profile; called once, from conftest."""
    name = profile()
    settings.load_profile(name)
    return name


def examples(ci: int) -> int:
    """The example count of a test that runs ``ci`` examples in the ci profile."""
    return max(FLOOR, round(ci * SCALE[profile()])) if ci > FLOOR else ci
