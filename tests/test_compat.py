"""The scipy.signal-named functions return scipy's values, shapes and dtypes."""

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv

from helpers import random_array


@pytest.mark.parametrize("name", ["fftconvolve", "oaconvolve"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", ["int32", "bool", "float16", "float32", "float64", "complex128"])
@pytest.mark.parametrize("s1,s2,axes", [((50,), (7,), None), ((7,), (50,), None),
                                       ((12, 9), (4, 3), None), ((5, 30), (1, 8), 1),
                                       ((6, 30), (6, 8), [1])])
def test_transform_functions_match_scipy(name, mode, dtype, s1, s2, axes):
    rng = np.random.default_rng(0)
    a, b = random_array(rng, s1, dtype), random_array(rng, s2, dtype)
    want = getattr(ss, name)(a, b, mode, axes=axes)
    got = getattr(sigconv, name)(a, b, mode, axes=axes)
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-4 if want.dtype in (np.float32, np.complex64) else 1e-10
    assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["fftconvolve", "oaconvolve"])
def test_transform_functions_edge_cases(name):
    f, g = getattr(sigconv, name), getattr(ss, name)
    for a, b in (([], [1.0]), ([1.0, 2.0], [])):
        assert_array_equal(f(a, b), g(a, b))
        assert f(a, b).dtype == g(a, b).dtype
    assert f(np.array(3.0), np.array(4.0)) == g(np.array(3.0), np.array(4.0))
    with pytest.raises(ValueError, match="same dimensionality"):
        f(np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="mode must be one of"):
        f(np.ones(3), np.ones(3), mode="spam")


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "pad", "circular", "symmetric"])
@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32", "float64", "complex128"])
@pytest.mark.parametrize("s1,s2", [((6, 7), (2, 3)), ((2, 3), (6, 7)), ((5, 5), (4, 4)),
                                   ((4, 6), (4, 1))])
def test_2d_functions_match_scipy(name, mode, boundary, dtype, s1, s2):
    rng = np.random.default_rng(1)
    a, b = random_array(rng, s1, dtype), random_array(rng, s2, dtype)
    fill = 2 if dtype != "uint8" else 1
    want = getattr(ss, name)(a, b, mode, boundary, fill)
    if dtype == "uint8":
        exact = getattr(ss, name)(a.astype(np.int64), b.astype(np.int64), mode, boundary, fill)
        if exact.max() > 255:
            with pytest.raises(sigconv.IntegerOverflowError, match="scipy would wrap around"):
                getattr(sigconv, name)(a, b, mode, boundary, fill)
            a, b = a // 4, b // 4
            want = getattr(ss, name)(a, b, mode, boundary, fill)
    got = getattr(sigconv, name)(a, b, mode, boundary, fill)
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-4 if dtype in ("float32",) else 1e-10
    assert_allclose(got, want, rtol=tol, atol=tol)


def test_2d_errors():
    with pytest.raises(ValueError, match="inputs must both be 2-D arrays"):
        sigconv.convolve2d(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="boundary must be one of 'fill'"):
        sigconv.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="reflect")
    with pytest.raises(ValueError, match="fillvalue must be a scalar or an array with one element"):
        sigconv.convolve2d(np.ones((3, 3)), np.ones((2, 2)), fillvalue=[1, 2])
    with pytest.raises(ValueError, match="for 'valid' mode, one must be at least as large"):
        sigconv.convolve2d(np.ones((2, 3)), np.ones((3, 2)), "valid")


def test_2d_overflow_is_refused_where_scipy_wraps():
    a = np.array([[100, 100]], dtype=np.int8)
    assert ss.convolve2d(a, a)[0, 1] == 32  # scipy wraps 20000 around
    with pytest.raises(sigconv.IntegerOverflowError, match="outside int8"):
        sigconv.convolve2d(a, a)


@pytest.mark.parametrize("n", [1, 2, 5, 8])
@pytest.mark.parametrize("k", [1, 3, 4, 9])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_correlation_lags_by_definition(n, k, mode):
    """lags[i] is the shift p - q that puts a peak at output i for deltas at p and q."""
    lags = sigconv.correlation_lags(n, k, mode)
    assert len(lags) == len(ss.correlate(np.ones(n), np.ones(k), mode))
    for p in range(n):
        for q in range(k):
            a, b = np.zeros(n), np.zeros(k)
            a[p], b[q] = 1, 1
            c = ss.correlate(a, b, mode)
            if c.max() > 0:
                assert lags[np.argmax(c)] == p - q
    # scipy's own correlation_lags disagrees with scipy's correlate for 'same' mode with
    # odd n and even k; everywhere else the two agree
    if not (mode == "same" and n % 2 == 1 and k % 2 == 0):
        assert_array_equal(lags, ss.correlation_lags(n, k, mode))


def test_correlation_lags_locate_a_shift():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(200)
    y = np.roll(x, 17)[:150]
    lags = sigconv.correlation_lags(len(y), len(x))
    assert lags[np.argmax(sigconv.correlate(y, x))] == 17


def test_correlation_lags_errors():
    with pytest.raises(ValueError, match="in1_len must be >= 1; got 0"):
        sigconv.correlation_lags(0, 3)
    with pytest.raises(ValueError, match="mode must be one of"):
        sigconv.correlation_lags(3, 3, "bad")
