"""sigconv.testing: hypothesis strategies users can import, and the identities they drive."""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sigconv
from sigconv import properties as P
from sigconv.definitions import discrete
from sigconv.testing import DTYPE_FAMILIES, arrays, convolution_pairs, dtypes, kernels

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = settings(max_examples=25, deadline=None)


@FAST
@given(st.data())
def test_arrays_follow_their_arguments(data):
    family = data.draw(st.sampled_from(sorted(DTYPE_FAMILIES)))
    ndim = data.draw(st.integers(1, 3))
    a = data.draw(arrays(ndim=ndim, dtype=family, min_side=2, max_side=4, bound=3))
    assert a.ndim == ndim and a.dtype == np.dtype(DTYPE_FAMILIES[family])
    assert all(2 <= s <= 4 for s in a.shape)
    assert np.all(np.isfinite(a)) and np.all(np.abs(a.real) <= 3) and np.all(np.abs(a.imag) <= 3)


@FAST
@given(kernels(ndim=2, dtype=np.uint8), arrays(dtype=np.float16))
def test_numpy_dtypes_are_accepted(k, x):
    assert k.dtype == np.uint8 and k.ndim == 2 and max(k.shape) <= 5 and k.max(initial=0) <= 8
    assert x.dtype == np.float16 and np.all(np.isfinite(x))


@FAST
@given(convolution_pairs(ndim=2, dtype=("int", "complex")))
def test_mixed_dtype_pairs(pair):
    a, b = pair
    assert a.dtype == np.int64 and b.dtype == np.complex128 and a.ndim == b.ndim == 2


@FAST
@given(dtypes())
def test_dtypes_cover_the_families(dt):
    assert dt in {np.dtype(v) for v in DTYPE_FAMILIES.values()}


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("family", sorted(DTYPE_FAMILIES))
def test_pairs_drive_the_oracle(family, ndim):
    """convolve matches the textbook sums on generated pairs (exactly for integers)."""
    @settings(max_examples=8, deadline=None)
    @given(convolution_pairs(ndim=ndim, dtype=family, max_side=5, max_kernel_side=3))
    def run(pair):
        a, b = pair
        got, want = sigconv.convolve(*pair), discrete.convolve(a, b)
        if family == "int":
            np.testing.assert_array_equal(got, want)
        else:
            assert P.check_commutative(a, b).holds
            bound = P.check_commutative(a, b).tolerance / 2
            assert np.max(np.abs(got - want)) <= bound
    run()


@pytest.mark.parametrize("family", sorted(DTYPE_FAMILIES))
def test_identities_hold_on_generated_pairs(family):
    @settings(max_examples=10, deadline=None)
    @given(convolution_pairs(ndim=1, dtype=family, max_side=10))
    def run(pair):
        table = P.check_all(*pair)
        assert table.all_hold, str(table)
    run()


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"sigconv.testing: dtype must be one of \['complex', 'float32', 'float64', 'int'\] or a numeric numpy dtype; got 'double precision'"):
        arrays(dtype="double precision")
    with pytest.raises(ValueError, match="sigconv.testing: dtype must be numeric; got <U1"):
        arrays(dtype="U1")
    with pytest.raises(ValueError, match="sigconv.testing.arrays: need 1 <= min_side <= max_side; got 3 and 2"):
        arrays(min_side=3, max_side=2)
    with pytest.raises(ValueError, match="sigconv.testing.arrays: ndim must be an int >= 1; got 0"):
        arrays(ndim=0)


def _run(code):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_missing_hypothesis_gives_an_install_hint():
    hide = "import sys; sys.modules['hypothesis'] = None; "
    proc = _run(hide + "import sigconv.testing")
    assert proc.returncode != 0
    assert ("ImportError: sigconv.testing needs the optional dependency hypothesis; install "
            "it with `pip install sigconv[test]` or `pip install hypothesis`") in proc.stderr
    proc = _run(hide + "import sigconv, sigconv.properties, sigconv.continuous; print('ok')")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
