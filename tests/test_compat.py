"""The scipy.signal-named functions return scipy's values, shapes and dtypes."""

import itertools

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv

from helpers import expected_dtype, random_array


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
            with pytest.raises(sigconv.IntegerOverflowError,
                               match=f"{name}: the result reaches {exact.max()}, outside the "
                                     "range of uint8 .* pass out_dtype=np.uint16"):
                getattr(sigconv, name)(a, b, mode, boundary, fill)
            got = getattr(sigconv, name)(a, b, mode, boundary, fill, out_dtype=np.uint16)
            assert got.dtype == np.uint16
            assert_array_equal(got, exact)
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
    with pytest.raises(ValueError, match="convolve2d: `fillvalue` must be scalar or an array "
                                         r"with one element; got shape \(2,\)"):
        sigconv.convolve2d(np.ones((3, 3)), np.ones((2, 2)), fillvalue=[1, 2])
    for fill in (1j, 0.5):         # scipy: ValueError for 1j, and truncates 0.5 to 0
        with pytest.raises(ValueError, match="convolve2d: could not cast `fillvalue` directly "
                                             "to the output dtype int64"):
            sigconv.convolve2d([[1]], [[1, 2]], fillvalue=fill)
    with pytest.raises(ValueError, match="for 'valid' mode, one must be at least as large"):
        sigconv.convolve2d(np.ones((2, 3)), np.ones((3, 2)), "valid")


def test_2d_overflow_is_refused_where_scipy_wraps():
    a = np.array([[100, 100]], dtype=np.int8)
    assert ss.convolve2d(a, a)[0, 1] == 32  # scipy wraps 20000 around
    with pytest.raises(sigconv.IntegerOverflowError,
                       match="convolve2d: the result reaches 20000, outside the range of int8"):
        sigconv.convolve2d(a, a)
    assert_array_equal(sigconv.convolve2d(a, a, out_dtype=np.int16), [[10000, 20000, 10000]])


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("mode,s1,s2", [("same", (10, 3), (10, 10)), ("full", (3, 3), (6, 6)),
                                        ("full", (10, 12), (3, 4)), ("same", (40, 50), (7, 7)),
                                        ("valid", (30, 30), (5, 9))])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
@pytest.mark.parametrize("kernel", ["arange", "box", "binomial"])
def test_2d_integer_valued_floats_are_exact(name, mode, s1, s2, boundary, kernel):
    """scipy's direct sums of integer-valued floats are exact, and so are sigconv's: a
    separable integer (or integer / 2**e) kernel is split only into exact factors."""
    a = np.arange(1.0, np.prod(s1) + 1).reshape(s1)
    b = {"arange": np.arange(1.0, np.prod(s2) + 1).reshape(s2),
         "box": np.ones(s2),
         "binomial": np.multiply.outer(np.arange(1.0, s2[0] + 1),
                                       np.arange(1.0, s2[1] + 1)) / 2 ** 6}[kernel]
    want = getattr(ss, name)(a, b, mode, boundary)
    assert_array_equal(getattr(sigconv, name)(a, b, mode, boundary), want)


@pytest.mark.parametrize("name", ["fftconvolve", "oaconvolve"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("axes", [(0,), (1,), (0, 1)])
@pytest.mark.parametrize("extra_a,extra_b", [(1, 3), (3, 1), (3, 3), (1, 1)])
def test_transform_functions_broadcast_batch_axes_as_scipy(name, mode, axes, extra_a, extra_b):
    """On axes that are not convolved (and on convolved axes where an input has one
    sample, which scipy broadcasts) 'same' gives in1's shape, as scipy does."""
    rng = np.random.default_rng(4)
    sa, sb = [extra_a] * 3, [extra_b] * 3
    for ax, (n, k) in zip(axes, [(9, 4), (6, 3)]):
        sa[ax], sb[ax] = n, k
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    want = getattr(ss, name)(a, b, mode, axes=axes)
    got = getattr(sigconv, name)(a, b, mode, axes=axes)
    assert got.shape == want.shape
    assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["fftconvolve", "oaconvolve"])
@pytest.mark.parametrize("s1,s2", [((5,), (1,)), ((1,), (5,)), ((1,), (1,)), ((4, 1), (1, 3)),
                                   ((4, 3), (1, 1)), ((), ())])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_transform_functions_of_single_samples_keep_integers(name, s1, s2, mode):
    """Where no axis needs a transform scipy returns the product in1 * in2, whose
    integer dtype it keeps; so does sigconv, exactly, and never wrapped."""
    a = np.arange(3, 3 + np.prod(s1, dtype=int)).reshape(s1)
    b = np.arange(7, 7 + np.prod(s2, dtype=int)).reshape(s2)
    want = getattr(ss, name)(a, b, mode)
    got = getattr(sigconv, name)(a, b, mode)
    assert type(got) is type(want) and got.dtype == want.dtype == np.int64
    assert_array_equal(got, want)
    small = np.full((1,) * len(s1), 100, np.int8)
    with pytest.raises(sigconv.IntegerOverflowError, match=f"{name}: the result reaches 10000"):
        getattr(sigconv, name)(small, small, mode)


def test_convolve_methods_agree():
    """scipy's test_convolve_method with sigconv alone: every pair of dtypes and mode
    gives one dtype on both methods (scipy's, except bool with bool) and values within
    scipy's tolerances, plus the FFT's rounding scale ``eps * max|x1| * sum|x2|`` (scipy's
    atol of 1e-6 is below it for complex64: see tests/test_signal_scipy_suite.py)."""
    types = ["uint16", "uint64", "int64", "int32", "complex128", "float64", "float16",
             "complex64", "float32", "int16", "uint8", "uint32", "int8", "bool"]
    rng = np.random.RandomState(42)
    arrays = {"i": rng.choice([0, 1], size=100), "f": rng.randn(100)}
    arrays["b"] = arrays["u"] = arrays["i"]
    arrays["c"] = arrays["f"] + 0.5j * arrays["f"]
    for t1, t2, mode in itertools.product(types, types, ["valid", "full", "same"]):
        x1 = arrays[np.dtype(t1).kind].astype(t1)
        x2 = arrays[np.dtype(t2).kind].astype(t2)
        fft = sigconv.convolve(x1, x2, mode, "fft")
        direct = sigconv.convolve(x1, x2, mode, "direct")
        assert fft.dtype == direct.dtype == expected_dtype(t1, t2)
        if fft.dtype.kind in "iu":
            assert_array_equal(fft, direct)
            continue
        if "float16" in (t1, t2):
            tol = dict(rtol=1e-3, atol=1e-3)
        elif {t1, t2} & {"complex64", "float32"}:
            tol = dict(rtol=1e-4, atol=1e-6)
        else:
            tol = dict(rtol=1e-5, atol=1e-8)
        tol["atol"] += np.finfo(fft.dtype).eps * np.abs(x1).max() * np.abs(x2).astype(float).sum()
        assert_allclose(fft, direct, **tol, err_msg=f"{t1} * {t2}, {mode}")
    assert ss.choose_conv_method(arrays["b"].astype(bool), arrays["b"].astype(bool)) == "direct"


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
