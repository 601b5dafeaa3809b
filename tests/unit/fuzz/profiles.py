"""Hypothesis settings for the fuzz campaign: bounded and derandomized in CI, longer on demand.

``make test`` runs the ``fuzz-ci`` profile: the same examples every run, so CI is repeatable.
``make fuzz`` sets ``AZLOGS_FUZZ=long``: many more examples, new ones each run, to look for what the
fixed set misses (a failure prints the example to add as a regression test).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "fuzz-ci", derandomize=True, max_examples=150, deadline=None, suppress_health_check=_SUPPRESS
)
settings.register_profile(
    "fuzz-long", derandomize=False, max_examples=5000, deadline=None, suppress_health_check=_SUPPRESS
)

FUZZ = settings.get_profile("fuzz-long" if os.environ.get("AZLOGS_FUZZ") == "long" else "fuzz-ci")


def fuzz_settings(ci_examples: int) -> settings:
    """``ci_examples`` fixed examples in CI; the long profile's count and fresh examples under ``make fuzz``."""
    if FUZZ.derandomize:
        return settings(FUZZ, max_examples=ci_examples, database=None)
    return settings(FUZZ, database=None)
