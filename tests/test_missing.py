"""Missing data (mask, nan_policy='interpolate'/'fill'): the definition, every method,
the properties, and the errors.

The oracle is written here from the definition with numpy alone: the input and its
validity are extended by numpy's own ``np.pad`` modes (constant, symmetric = reflect,
reflect = mirror, edge = nearest, wrap), and each output is the sum over its window
(``sliding_window_view``) of ``K * x0`` and ``K * m``.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import sigconv
from helpers import METHODS

NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}
BOUNDARIES = ["constant", "reflect", "mirror", "nearest", "wrap"]


def _pad(arr, pads, boundary, cval):
    if boundary == "constant":
        return np.pad(arr, pads, mode="constant", constant_values=cval)
    # numpy's symmetric/reflect/wrap repeat for pads beyond the array, as scipy.ndimage
    return np.pad(arr, pads, mode=NUMPY_PAD[boundary])


def windows(x, missing, kshape, pads, boundary, fillvalue, fill_missing=0.0):
    """(windows of x0, windows of m) of the extended input, for correlation geometry."""
    nonfinite_outside = boundary == "constant" and not np.isfinite(fillvalue)
    x0 = np.where(missing, fill_missing, x)
    xpad = _pad(x0, pads, boundary, 0.0 if nonfinite_outside else fillvalue)
    mpad = _pad((~missing).astype(float), pads, boundary, 0.0 if nonfinite_outside else 1.0)
    return sliding_window_view(xpad, kshape), sliding_window_view(mpad, kshape)


def oracle(x, k, missing, pads, boundary="constant", fillvalue=0.0, policy="interpolate"):
    """The definition for a correlation: sum(K) (K*x0)/(K*m), or K*x_f; and the weights."""
    fill_missing = fillvalue if policy == "fill" else 0.0
    wx, wm = windows(x, missing, k.shape, pads, boundary, fillvalue, fill_missing)
    axes = tuple(range(-k.ndim, 0))
    num = np.sum(wx * k, axis=axes)
    weights = np.sum(wm * k, axis=axes) / k.sum()
    if policy == "fill":
        return num, weights
    with np.errstate(invalid="ignore", divide="ignore"):
        values = num / weights
    return np.where(np.abs(weights) < 1.5e-8 * np.abs(k).sum() / abs(k.sum()), np.nan,
                    values), weights


def _data(rng, shape, frac=0.2):
    x = rng.standard_normal(shape)
    holes = rng.random(shape) < frac
    x[holes] = rng.choice([np.nan, np.inf, -np.inf], holes.sum())
    return x


SHAPES = {1: ((23,), (4,)), 2: ((13, 11), (3, 4)), 3: ((7, 6, 8), (3, 2, 3))}


EXTENSIONS = [("constant", 0.0), ("constant", 1.5), ("reflect", 0), ("mirror", 0),
              ("nearest", 0), ("wrap", 0)]


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("boundary,fillvalue,policy",
                         [e + (p,) for e in EXTENSIONS for p in ("interpolate", "fill")]
                         + [("constant", np.nan, "interpolate")])   # 'fill' needs finite
def test_same_mode_equals_the_definition(ndim, boundary, fillvalue, policy, rng):
    xshape, kshape = SHAPES[ndim]
    x = _data(rng, xshape)
    k = rng.random(kshape) + 0.1
    anchors = tuple(rng.integers(0, n) for n in kshape)
    pads = [(a, n - 1 - a) for a, n in zip(anchors, kshape)]
    want, wweights = oracle(x, k, ~np.isfinite(x), pads, boundary, fillvalue, policy)
    got, weights = sigconv.correlate(x, k, "same", method="direct", boundary=boundary,
                                     fillvalue=fillvalue, center=anchors, nan_policy=policy,
                                     return_weights=True)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, wweights, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["full", "valid"])
@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("fillvalue", [0.0, 3.0, np.nan])
def test_full_and_valid_modes_equal_the_definition(mode, ndim, fillvalue, rng):
    xshape, kshape = SHAPES[ndim]
    x = rng.standard_normal(xshape)
    mask = rng.random(xshape) < 0.3
    k = rng.random(kshape) + 0.1
    pads = [(n - 1, n - 1) if mode == "full" else (0, 0) for n in kshape]
    want, _ = oracle(np.where(mask, 1e300, x), k, mask, pads, fillvalue=fillvalue)
    got = sigconv.correlate(x, k, mode, method="direct", mask=mask, fillvalue=fillvalue,
                            nan_policy="interpolate")
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def _agree(got, ref, weights, eps):
    """Equal NaN positions; elsewhere within the rounding of the weights' quotient."""
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = ~np.isnan(ref)
    scale = np.nanmax(np.abs(ref)) if ok.any() else 1.0
    bound = 500 * eps * scale / np.maximum(np.abs(weights), 1e-300)
    assert np.all(np.abs(got - ref)[ok] <= bound[ok])


@pytest.mark.parametrize("method", [m for m in METHODS if m != "direct"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("center", ["scipy", "ndimage", "tuple"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_every_method_agrees_with_direct(method, boundary, center, op, dtype, rng):
    for ndim in (1, 2, 3):
        xshape, kshape = SHAPES[ndim]
        x = _data(rng, xshape).astype(dtype)
        k = (rng.random(kshape) + 0.05).astype(dtype)
        mask = rng.random(xshape) < 0.1
        c = tuple(int(rng.integers(0, n)) for n in kshape) if center == "tuple" else center
        kw = dict(boundary=boundary, fillvalue=0.5, center=c, mask=mask,
                  nan_policy="interpolate", return_weights=True)
        fn = getattr(sigconv, op)
        ref, w = fn(x, k, "same", method="direct", **kw)
        got, gw = fn(x, k, "same", method=method, **kw)
        assert got.dtype == ref.dtype == np.dtype(dtype)
        _agree(got, ref, w, np.finfo(dtype).eps)
        np.testing.assert_allclose(gw, w, atol=200 * np.finfo(dtype).eps)


@pytest.mark.parametrize("method", METHODS)
def test_batched_axes_and_strides_agree(method, rng):
    x = _data(rng, (3, 20, 9))
    k = rng.random((1, 5, 3))
    kw = dict(axes=(1, 2), nan_policy="interpolate", stride=(2, 1), dilation=(1, 2),
              boundary="reflect")
    ref = sigconv.convolve(x, k, "same", method="direct", **kw)
    for i in range(3):          # each batch member is its own convolution
        one = sigconv.convolve(x[i], k[0], "same", method="direct", **dict(kw, axes=None))
        np.testing.assert_allclose(ref[i], one, rtol=1e-13, atol=1e-13)
    got = sigconv.convolve(x, k, "same", method=method, **kw)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- properties

def _cases(draw, max_side=12):
    ndim = draw(st.integers(1, 3))
    xshape = tuple(draw(st.integers(3, max_side if ndim < 3 else 6)) for _ in range(ndim))
    kshape = tuple(draw(st.integers(1, min(4, n))) for n in xshape)
    seed = draw(st.integers(0, 2**32 - 1))
    return xshape, kshape, np.random.default_rng(seed)


@st.composite
def problems(draw):
    xshape, kshape, rng = _cases(draw)
    x = rng.standard_normal(xshape)
    mask = rng.random(xshape) < draw(st.floats(0.0, 0.6))
    k = rng.random(kshape) + 0.05
    boundary = draw(st.sampled_from(BOUNDARIES))
    method = draw(st.sampled_from(METHODS))
    op = draw(st.sampled_from(["convolve", "correlate"]))
    mode = draw(st.sampled_from(["same", "full", "valid"]))
    return x, mask, k, dict(boundary=boundary, method=method, mode=mode), op


@given(problems())
def test_no_missing_sample_gives_plain_convolution(case):
    x, _, k, kw, op = case
    fn = getattr(sigconv, op)
    kn = k / k.sum()
    plain = fn(x, kn, kw["mode"], kw["method"], boundary=kw["boundary"])
    for policy in ("interpolate", "fill"):
        got = fn(x, kn, kw["mode"], kw["method"], boundary=kw["boundary"], nan_policy=policy,
                 mask=np.zeros(x.shape, bool))
        np.testing.assert_array_equal(got, plain)


@given(problems(), st.sampled_from([np.nan, np.inf, 1e300, -7.0]))
def test_values_under_the_mask_change_no_output(case, junk):
    x, mask, k, kw, op = case
    fn = getattr(sigconv, op)
    a = fn(x, k, kw["mode"], kw["method"], boundary=kw["boundary"], mask=mask)
    b = fn(np.where(mask, junk, x), k, kw["mode"], kw["method"], boundary=kw["boundary"],
           mask=mask)
    np.testing.assert_array_equal(a, b)


@given(problems())
def test_interpolated_values_lie_within_the_valid_samples_they_weigh(case):
    x, mask, k, kw, _ = case
    if kw["mode"] != "same" or kw["boundary"] == "constant":
        kw = dict(kw, mode="same", boundary="reflect")
    anchors = tuple(n // 2 for n in k.shape)
    pads = [(a, n - 1 - a) for a, n in zip(anchors, k.shape)]
    y = sigconv.correlate(x, k / k.sum(), "same", kw["method"], boundary=kw["boundary"], mask=mask,
                          center=anchors)
    wx, wm = windows(x, mask, k.shape, pads, kw["boundary"], 0.0)
    axes = tuple(range(-k.ndim, 0))
    seen = wm > 0
    low = np.min(np.where(seen, wx, np.inf), axis=axes)
    high = np.max(np.where(seen, wx, -np.inf), axis=axes)
    has = np.isfinite(low)
    np.testing.assert_array_equal(np.isnan(y), ~has)
    tol = 1e-9 * max(1.0, np.abs(x).max())
    assert np.all(y[has] >= low[has] - tol) and np.all(y[has] <= high[has] + tol)


@given(problems())
def test_every_method_agrees(case):
    x, mask, k, kw, op = case
    fn = getattr(sigconv, op)
    ref, w = fn(x, k, kw["mode"], "direct", boundary=kw["boundary"], mask=mask,
                return_weights=True)
    got = fn(x, k, kw["mode"], kw["method"], boundary=kw["boundary"], mask=mask)
    _agree(got, ref, w, np.finfo(np.float64).eps)


# --------------------------------------------------------------------------- options

def test_preserve_nan_puts_the_holes_back(rng):
    x = _data(rng, (12, 10))
    mask = rng.random(x.shape) < 0.1
    k = np.ones((3, 3))
    y = sigconv.convolve(x, k, "same", mask=mask, nan_policy="interpolate",
                         preserve_nan=True)
    holes = mask | ~np.isfinite(x)
    np.testing.assert_array_equal(np.isnan(y), holes)
    free = sigconv.convolve(x, k, "same", mask=mask, nan_policy="interpolate")
    np.testing.assert_array_equal(y[~holes], free[~holes])


def test_min_weight_gives_nan_below_it():
    x = np.array([1.0, np.nan, np.nan, np.nan, 5.0, 6.0])
    k = np.array([0.25, 0.5, 0.25])
    y, w = sigconv.convolve(x, k, "same", nan_policy="interpolate", return_weights=True)
    np.testing.assert_allclose(w, [0.75, 0.25, 0, 0.25, 0.75, 1.0])   # the zeros outside
    np.testing.assert_allclose(y, [0.5 / 0.75, 1.0, np.nan, 5.0, 4.0 / 0.75, 4.25])  # count
    y2 = sigconv.convolve(x, k, "same", nan_policy="interpolate", min_weight=0.5)
    np.testing.assert_array_equal(np.isnan(y2), w < 0.5)


def test_fill_replaces_missing_samples_by_fillvalue():
    x = np.array([1.0, np.nan, 3.0, 4.0])
    got = sigconv.convolve(x, [1.0, 1.0], nan_policy="fill", fillvalue=10.0)
    np.testing.assert_allclose(got, np.convolve(np.where(np.isnan(x), 10.0, x), [1, 1])
                               + np.array([10, 0, 0, 0, 10]))   # the constant outside


def test_outside_missing_with_nan_fillvalue():
    x = np.arange(1.0, 6.0)
    y = sigconv.convolve(x, np.ones(3) / 3, "same", fillvalue=np.nan, nan_policy="interpolate")
    np.testing.assert_allclose(y, [1.5, 2.0, 3.0, 4.0, 4.5])    # edge means of 2 samples


def test_integer_input_gives_float64_and_masked_array_brings_its_mask():
    x = np.ma.masked_array(np.array([1, 2, 100, 4]), mask=[0, 0, 1, 0])
    y = sigconv.convolve(x, [1, 1, 1], "same")
    assert y.dtype == np.float64
    # the kernel's gain (3) times the mean of the valid samples, the zeros outside valid
    np.testing.assert_allclose(y, [3 * 1.0, 3 * 1.5, 3 * 3.0, 3 * 2.0])


def test_interpolation_keeps_the_kernels_gain():
    x = np.array([2.0, np.nan, 4.0])
    y = sigconv.convolve(x, [1.0, 2.0, 1.0], "valid", nan_policy="interpolate")
    np.testing.assert_allclose(y, [4 * (2.0 + 4.0) / 2])


def test_nan_policy_raise_with_a_mask_accepts_masked_nan():
    x = np.array([1.0, np.nan, 3.0])
    y = sigconv.convolve(x, [1.0], mask=[False, True, False], nan_policy="raise")
    np.testing.assert_array_equal(y, [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"in1 contains 1 non-finite value\(s\) outside the "
                                         r"mask and nan_policy='raise'"):
        sigconv.convolve(x, [1.0], mask=[False, False, False], nan_policy="raise")


def test_propagate_with_a_mask_spreads_only_unmasked_nan():
    x = np.array([1.0, np.nan, 3.0, 4.0, np.nan, 6.0, 7.0])
    mask = np.array([0, 1, 0, 0, 0, 0, 0], bool)
    y = sigconv.convolve(x, np.ones(3) / 3, "same", "direct", mask=mask)
    np.testing.assert_array_equal(np.isnan(y), [0, 0, 0, 1, 1, 1, 0])
    for method in ("fft", "oa", "os"):    # the unmasked NaN rules transforms out, as always
        with pytest.warns(sigconv.NonFiniteFFTWarning, match="computed with method='direct'"):
            z = sigconv.convolve(x, np.ones(3) / 3, "same", method, mask=mask)
        np.testing.assert_array_equal(z, y)


def test_inputs_are_not_modified(rng):
    x = _data(rng, (9, 9))
    mask = rng.random(x.shape) < 0.2
    xc, mc = x.copy(), mask.copy()
    sigconv.convolve(x, np.ones((3, 3)), "same", method="fft", mask=mask,
                     nan_policy="interpolate")
    np.testing.assert_array_equal(x, xc)
    np.testing.assert_array_equal(mask, mc)


def test_complex_data(rng):
    x = rng.standard_normal(16) + 1j * rng.standard_normal(16)
    mask = rng.random(16) < 0.3
    k = rng.random(3) + 0.1
    got = sigconv.convolve(x, k, "same", "fft", mask=mask)
    want = (sigconv.convolve(x.real, k, "same", "direct", mask=mask)
            + 1j * sigconv.convolve(x.imag, k, "same", "direct", mask=mask))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(mask=np.ones(3)), sigconv.DTypeError,
     r"convolve: mask must be boolean \(True = missing.*got dtype float64"),
    (dict(mask=np.ones(4, bool)), sigconv.ShapeError,
     r"convolve: mask must have the shape of in1 \(5,\).*got \(4,\)"),
    (dict(nan_policy="fill", fillvalue=np.nan), ValueError,
     r"convolve: nan_policy='fill' needs a finite fillvalue; got nan"),
    (dict(mask=np.zeros(5, bool), fillvalue=np.nan), ValueError,
     r"non-finite fillvalue marks the outside as missing, which needs "
     r"nan_policy='interpolate'; got nan_policy='propagate'"),
    (dict(preserve_nan=True), ValueError,
     r"convolve: preserve_nan needs mode='same' and stride 1.*got mode='full'"),
    (dict(nan_policy="interpolate", min_weight=-1), ValueError,
     r"convolve: min_weight must be a finite number >= 0; got -1"),
    (dict(nan_policy="interpolate", out_dtype=np.int32), sigconv.DTypeError,
     r"out_dtype must be a float or complex dtype with missing data.*got int32"),
    (dict(nan_policy="omit"), ValueError,
     r"nan_policy must be one of 'propagate', 'raise', 'interpolate', 'fill'; got 'omit'"),
])
def test_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sigconv.convolve(np.arange(5.0), np.ones(3), **kwargs)


def test_kernel_errors():
    with pytest.raises(ValueError, match=r"needs a kernel whose sum is not zero; got sum 0"):
        sigconv.convolve(np.arange(5.0), [1.0, 0.0, -1.0], nan_policy="interpolate")
    with pytest.raises(sigconv.DTypeError, match=r"missing data needs a real kernel \(in2\); "
                                                 r"got dtype complex128"):
        sigconv.convolve(np.arange(5.0), [1j, 1.0], mask=np.zeros(5, bool))
    with pytest.raises(ValueError, match=r"in2 \(the kernel\) must be finite with missing "
                                         r"data; got 1 non-finite"):
        sigconv.convolve(np.arange(5.0), [np.nan, 1.0], nan_policy="interpolate")
    with pytest.raises(sigconv.ShapeError, match=r"with missing data in2 is the kernel, so "
                                                 r"in 'valid' mode"):
        sigconv.convolve(np.arange(3.0), np.ones(5), "valid", nan_policy="interpolate")
    # a zero-sum kernel still fills
    got = sigconv.convolve([1.0, np.nan, 3.0], [1.0, -1.0], nan_policy="fill")
    np.testing.assert_allclose(got, [1.0, -1.0, 3.0, -3.0])


def test_choose_method_sees_the_zeroed_input(rng):
    """A NaN rules transforms out of a plain call; interpolated, it is zeroed before any
    engine, so 'auto' may pick a transform (and choose_method reports that plan)."""
    x = rng.standard_normal((256, 256))
    x[3, 3] = np.nan
    k = np.ones((41, 41))
    assert sigconv.choose_method(x, k, "same").reason == \
        "non-finite inputs stay local only with the direct sum"
    choice = sigconv.choose_method(x, k, "same", nan_policy="interpolate")
    assert choice.method in ("fft", "oa", "os")
    y = sigconv.convolve(x, k / k.sum(), "same", choice.method, nan_policy="interpolate")
    assert np.isfinite(y).all()


def test_each_kernel_of_a_batch_must_not_sum_to_zero():
    x = np.ones((2, 8))
    k = np.array([[[1.0, 1.0, 1.0]], [[1.0, 0.0, -1.0]]])[:, 0]     # the second sums to 0
    with pytest.raises(ValueError, match="needs a kernel whose sum is not zero; got sum 0"):
        sigconv.convolve(x, k, axes=1, nan_policy="interpolate")
    y = sigconv.convolve(x, k[:1], axes=1, nan_policy="interpolate")
    np.testing.assert_allclose(y, np.convolve(np.ones(8), np.ones(3))[None].repeat(2, 0))


def test_results_are_bit_identical_across_calls_and_threads(rng):
    from concurrent.futures import ThreadPoolExecutor
    x = _data(rng, (96, 80))
    mask = rng.random(x.shape) < 0.05
    k = rng.random((9, 9)) + 0.1

    def call(_):
        return sigconv.convolve(x, k, "same", mask=mask, nan_policy="interpolate",
                                return_weights=True)

    first = call(0)
    with ThreadPoolExecutor(4) as pool:
        for values, weights in pool.map(call, range(8)):
            np.testing.assert_array_equal(values, first[0])
            np.testing.assert_array_equal(weights, first[1])
