"""convolve/correlate against the textbook sums, scipy.signal, scipy.ndimage and numpy."""

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage

import sigconv
from sigconv.definitions import discrete

from helpers import DTYPES, METHODS, as_reference, checked_call, random_array, tolerance

SHAPES = {1: [((7,), (3,)), ((5,), (4,)), ((3,), (6,))],
          2: [((5, 4), (2, 3)), ((4, 4), (3, 3))],
          3: [((3, 4, 3), (2, 2, 2))]}
CASES = [(nd, s1, s2) for nd, pairs in SHAPES.items() for s1, s2 in pairs]


def close(got, want, dtype):
    rtol, atol = tolerance(dtype)
    if rtol == 0:
        assert_array_equal(got, want)
    else:
        assert_allclose(got, want, rtol=rtol, atol=atol * max(1.0, np.abs(want).max(initial=0)))


# ---- the worked examples of the issue -----------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_worked_example_correlate(method):
    x, k = np.array([1, -3, 4, 4, 2]), np.array([-1, 1, 2])
    assert_array_equal(sigconv.correlate(x, k, "valid", method), [4, 15, 4])
    assert_array_equal(sigconv.correlate(x, k, "same", method), [-5, 4, 15, 4, -2])
    assert_array_equal(sigconv.correlate(x, k, "same", method), discrete.centered_correlate(x, k))


@pytest.mark.parametrize("method", METHODS)
def test_worked_example_stride(method, rng):
    x, k = rng.standard_normal((7, 7)), rng.standard_normal((3, 3))
    full = ss.correlate(x, k, "valid")
    assert sigconv.correlate(x, k, "valid", method).shape == (5, 5)
    s2 = sigconv.correlate(x, k, "valid", method, stride=2)
    assert s2.shape == (3, 3)
    assert_allclose(s2, full[::2, ::2], atol=1e-12)


# ---- against the textbook sums: method x dtype x ndim --------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nd,s1,s2", CASES)
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_full_matches_definition(op, nd, s1, s2, dtype, method, rng):
    a, b = random_array(rng, s1, dtype), random_array(rng, s2, dtype)
    want = getattr(discrete, op)(as_reference(a), as_reference(b))
    got = checked_call(getattr(sigconv, op), a, b, "full", method, want=want)
    assert got.shape == want.shape
    close(got, want.astype(got.dtype if got.dtype.kind != "f" else np.float64), dtype)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", ["int16", "float32", "float64", "complex128"])
@pytest.mark.parametrize("nd,s1,s2", CASES + [(2, (2, 3), (4, 5))])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_modes_match_scipy_signal(op, nd, s1, s2, dtype, mode, method, rng):
    a, b = random_array(rng, s1, dtype), random_array(rng, s2, dtype)
    if mode == "valid" and not (all(x >= y for x, y in zip(s1, s2))
                                or all(y >= x for x, y in zip(s1, s2))):
        pytest.skip("shapes not comparable in valid mode (tested as an error below)")
    want = getattr(ss, op)(as_reference(a), as_reference(b), mode, method="direct")
    got = getattr(sigconv, op)(a, b, mode, method)
    assert got.shape == want.shape
    close(got, want, dtype)


@pytest.mark.parametrize("method", METHODS)
def test_valid_swap_both_orders(method):
    a, b = np.ones(3), np.arange(1.0, 6.0)
    for x, y in ((a, b), (b, a)):
        for op in ("convolve", "correlate"):
            assert_allclose(getattr(sigconv, op)(x, y, "valid", method),
                            getattr(ss, op)(x, y, "valid"), atol=1e-12)


def test_valid_neither_larger_is_an_error():
    with pytest.raises(sigconv.ShapeError, match="at least as large as the other"):
        sigconv.convolve(np.ones((2, 3)), np.ones((3, 2)), "valid")


def test_numpy_1d_agrees(rng):
    a, b = rng.standard_normal(11), rng.standard_normal(4)
    for mode in ("full", "same", "valid"):
        assert_allclose(sigconv.convolve(a, b, mode), np.convolve(a, b, mode), atol=1e-12)
        assert_allclose(sigconv.correlate(a, b, mode), np.correlate(a, b, mode), atol=1e-12)


# ---- boundaries and centres against scipy.ndimage ------------------------------------

BOUNDARIES = ["constant", "reflect", "mirror", "nearest", "wrap"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape,kshape", [((9,), (3,)), ((9,), (4,)), ((3,), (8,)),
                                          ((6, 7), (3, 2)), ((5, 4, 6), (3, 2, 3))])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_same_ndimage_center_matches_ndimage(op, shape, kshape, boundary, method, rng):
    x, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    want = getattr(ndimage, op)(x, k, mode=boundary, cval=0.75)
    got = getattr(sigconv, op)(x, k, "same", method, boundary=boundary, fillvalue=0.75,
                               center="ndimage")
    assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("alias,name", [("fill", "constant"), ("zeros", "constant"),
                                        ("symm", "reflect"), ("symmetric", "reflect"),
                                        ("edge", "nearest"), ("replicate", "nearest"),
                                        ("circular", "wrap"), ("periodic", "wrap")])
def test_boundary_aliases(alias, name, rng):
    x, k = rng.standard_normal(8), rng.standard_normal(3)
    assert_array_equal(sigconv.convolve(x, k, "same", boundary=alias),
                       sigconv.convolve(x, k, "same", boundary=name))


@pytest.mark.parametrize("boundary,npmode", [("reflect", "symmetric"), ("mirror", "reflect"),
                                             ("nearest", "edge"), ("wrap", "wrap")])
@pytest.mark.parametrize("method", METHODS)
def test_full_mode_with_boundary_matches_numpy_pad(boundary, npmode, method, rng):
    x, k = rng.standard_normal(6), rng.standard_normal(3)
    want = np.convolve(np.pad(x, 2, mode=npmode), k, "valid")
    assert_allclose(sigconv.convolve(x, k, "full", method, boundary=boundary), want, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("tap", [0, 1, 2, 3])
def test_explicit_center_is_the_anchor_tap(tap, method, rng):
    x, k = rng.standard_normal(10), rng.standard_normal(4)
    got = sigconv.correlate(x, k, "same", method, center=tap)
    xp = np.pad(x, (tap, 3 - tap))
    want = [sum(xp[i + m] * k[m] for m in range(4)) for i in range(10)]
    assert_allclose(got, want, atol=1e-12)


def test_centers_differ_only_for_even_kernels(rng):
    x = rng.standard_normal(12)
    odd, even = rng.standard_normal(5), rng.standard_normal(4)
    assert_allclose(sigconv.convolve(x, odd, "same"),
                    sigconv.convolve(x, odd, "same", center="ndimage"))
    assert not np.allclose(sigconv.convolve(x, even, "same"),
                           sigconv.convolve(x, even, "same", center="ndimage"))


# ---- stride and dilation -------------------------------------------------------------

def dilated(k, d):
    out = np.zeros(tuple(dd * (s - 1) + 1 for s, dd in zip(k.shape, d)))
    out[tuple(slice(None, None, dd) for dd in d)] = k
    return out


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("stride,dilation", [((1, 1), (2, 1)), ((2, 3), (1, 1)),
                                             ((2, 2), (2, 3)), ((3, 1), (1, 2))])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_stride_and_dilation(op, stride, dilation, mode, method, rng):
    x, k = rng.standard_normal((13, 11)), rng.standard_normal((3, 2))
    kd = dilated(k, dilation)
    want_full = getattr(sigconv, op)(x, kd, mode, "direct")
    got = getattr(sigconv, op)(x, k, mode, method, stride=stride, dilation=dilation)
    assert_allclose(got, want_full[::stride[0], ::stride[1]], atol=1e-12)
    for n, ke, s, L in zip(x.shape, kd.shape, stride, got.shape):
        pad = {"full": 2 * (ke - 1), "same": ke - 1, "valid": 0}[mode]
        assert L == (n + pad - ke) // s + 1


def test_dilation_matches_textbook_sum(rng):
    x, k = rng.integers(-5, 5, 12), rng.integers(-5, 5, 3)
    got = sigconv.correlate(x, k, "valid", dilation=3)
    want = [sum(x[i + 3 * m] * k[m] for m in range(3)) for i in range(12 - 6)]
    assert_array_equal(got, want)


# ---- axes and batch broadcasting -----------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_batch_broadcast_on_non_conv_axes(mode, method, rng):
    a, b = rng.standard_normal((1, 100)), rng.standard_normal((7, 10))
    got = sigconv.convolve(a, b, mode, method, axes=1)
    want = np.stack([np.convolve(a[0], b[i], mode) for i in range(7)])
    assert got.shape == want.shape
    assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_axes_subset_equals_loop(method, rng):
    a, b = rng.standard_normal((4, 9, 5)), rng.standard_normal((4, 3, 1))
    got = sigconv.correlate(a, b, "same", method, axes=[1, 2], boundary="reflect",
                            center="ndimage")
    want = np.stack([ndimage.correlate(a[i], b[i], mode="reflect") for i in range(4)])
    assert_allclose(got, want, atol=1e-12)


def test_valid_checks_only_conv_axes(rng):
    a, b = rng.standard_normal((1, 20)), rng.standard_normal((5, 4))
    assert sigconv.convolve(a, b, "valid", axes=1).shape == (5, 17)
