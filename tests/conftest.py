import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# The default profile keeps the suite fast and deterministic (derandomized: the same
# examples on every run, so CI cannot flake); the long one is the random fuzzing campaign:
#   SIGCONV_FUZZ=long python -m pytest tests/test_fuzz.py
settings.register_profile("default", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SIGCONV_FUZZ", "default"))

# The suite sees sigconv's shipped defaults, not the calibration and FFTW wisdom that a
# `sigconv tune` of this machine may have saved in the user's cache folder.
os.environ["SIGCONV_CACHE_DIR"] = tempfile.mkdtemp(prefix="sigconv-tests-")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _no_remembered_routes():
    """Each test plans its calls afresh: a tiny call's route remembered by an earlier test
    (sigconv._routes.route) would skip the engines a test watches."""
    from sigconv import _routes
    _routes.clear()
    yield
