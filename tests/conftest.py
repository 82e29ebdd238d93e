"""Shared test settings: hypothesis profiles sized for a two-core machine.

JIT-backed tests compile kernels the first time they run, so no test has a hypothesis deadline.
Set HYPOTHESIS_PROFILE=thorough for many more examples.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
