"""sigconv.ndimage against scipy.ndimage (values, dtypes, errors) and its own contract
(the integer policy, the pipeline doing the work, inputs never written)."""

import inspect

import numpy as np
import pytest
import scipy.ndimage as snd

import sigconv
from sigconv import ArgumentError, DTypeError, IntegerOverflowError, ndimage
from sigconv.ndimage import _compute
from helpers import numpy_sums

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-mirror", "grid-constant",
         "grid-wrap"]


def _data(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return rng.integers(0, 50, shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _close(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind in "iub":
        np.testing.assert_array_equal(got, want)
    else:
        single = want.dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(got, want, rtol=2e-5 if single else 1e-10,
                                   atol=(2e-5 if single else 1e-10) * np.abs(want).max())


#: the keyword-only missing-data options sigconv.ndimage adds (after scipy's parameters)
MISSING = ("mask", "nan_policy", "preserve_nan", "min_weight")
WITH_MISSING = ("convolve", "correlate", "gaussian_filter", "uniform_filter")


def test_signatures_are_scipys():
    for name in ndimage.__all__:
        ours = list(inspect.signature(getattr(ndimage, name)).parameters.values())
        theirs = list(inspect.signature(getattr(snd, name)).parameters.values())
        extra = MISSING if name in WITH_MISSING else ()
        assert ours[:len(theirs)] == theirs, name
        assert tuple(p.name for p in ours[len(theirs):]) == extra, name
        assert all(p.kind is p.KEYWORD_ONLY for p in ours[len(theirs):]), name


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int16", "complex128"])
@pytest.mark.parametrize("name", ["correlate", "convolve"])
def test_nd_matches_scipy(rng, name, dtype, mode):
    x = _data(rng, (13, 10), dtype)
    w = rng.integers(-3, 4, (4, 3)).astype(float)
    for origin in (0, (-2, 1), (1, 0)):
        got = getattr(ndimage, name)(x, w, mode=mode, cval=2.0, origin=origin)
        _close(got, getattr(snd, name)(x, w, mode=mode, cval=2.0, origin=origin))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["correlate1d", "convolve1d"])
def test_1d_matches_scipy(rng, name, mode):
    x = _data(rng, (6, 9, 7), "float64")
    for w, axis, origin in (([1.0, -2.0, 0.5, 3.0], 1, -2), ([0.25, 0.5, 0.25], 0, 1),
                            (np.arange(12.0) - 3, -1, 0), ([1 - 2j, 0.5j], 2, 0)):
        got = getattr(ndimage, name)(x, w, axis, mode=mode, cval=-1.5, origin=origin)
        _close(got, getattr(snd, name)(x, w, axis, mode=mode, cval=-1.5, origin=origin))


def test_axes_match_scipy(rng):
    x = _data(rng, (5, 7, 6), "float64")
    w = rng.standard_normal((3, 4))
    for axes, origin in (((2, 0), (1, -1)), ((0, 1), 0), ((-1, 1), (0, 1))):
        for name in ("correlate", "convolve"):
            _close(getattr(ndimage, name)(x, w, axes=axes, origin=origin),
                   getattr(snd, name)(x, w, axes=axes, origin=origin))
    _close(ndimage.gaussian_filter(x, (1.0, 2.0), order=(1, 0), axes=(2, 0),
                                   mode=("wrap", "nearest")),
           snd.gaussian_filter(x, (1.0, 2.0), order=(1, 0), axes=(2, 0),
                               mode=("wrap", "nearest")))
    _close(ndimage.uniform_filter(x, (3, 4), axes=(1, 2), origin=(1, -2)),
           snd.uniform_filter(x, (3, 4), axes=(1, 2), origin=(1, -2)))


@pytest.mark.parametrize("dtype", ["float64", "float32", "uint8", "int32", "complex64"])
def test_smoothing_matches_scipy(rng, dtype):
    x = _data(rng, (17, 12), dtype)
    cases = [("gaussian_filter", (1.5,), dict(mode=["reflect", "wrap"])),
             ("gaussian_filter", (0.7,), dict(truncate=2.0, mode="constant", cval=3)),
             ("gaussian_filter", ((1.0, 2.0),), dict(radius=(2, 5), mode="mirror")),
             ("gaussian_filter1d", (2.0, 0), dict(mode="nearest")),
             ("uniform_filter", ((3, 4),), dict(origin=(1, -1), mode="constant", cval=2)),
             ("uniform_filter1d", (5, -1), dict(mode="wrap", origin=2))]
    for name, args, kwargs in cases:
        if name.startswith("gaussian") and dtype == "complex64":
            continue
        _close(getattr(ndimage, name)(x, *args, **kwargs),
               getattr(snd, name)(x, *args, **kwargs))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_derivatives_match_scipy(rng, dtype):
    x = _data(rng, (11, 9, 8), dtype)
    cases = [("sobel", (0,), {}), ("sobel", (-1,), dict(mode=["wrap", "reflect", "nearest"])),
             ("prewitt", (1,), dict(mode="constant", cval=1.0)),
             ("laplace", (), {}), ("laplace", (), dict(mode=["wrap", "mirror", "nearest"])),
             ("laplace", (), dict(axes=(0, 2), mode="constant", cval=4)),
             ("gaussian_laplace", (1.0,), dict(mode=["reflect", "wrap", "nearest"])),
             ("gaussian_laplace", ((1.0, 0.5, 2.0),), dict(truncate=3.0)),
             ("gaussian_gradient_magnitude", (1.5,), dict(radius=3))]
    for name, args, kwargs in cases:
        if np.dtype(dtype).kind == "i" and name.startswith("gaussian"):
            continue
        _close(getattr(ndimage, name)(x, *args, **kwargs),
               getattr(snd, name)(x, *args, **kwargs))


def test_gradient_magnitude_axes_filter_only_those_axes(rng):
    # the documented semantics (scipy 1.17 also smooths the other axes): per-slice results
    x = rng.standard_normal((4, 12, 10)) ** 2
    got = ndimage.gaussian_gradient_magnitude(x, 1.0, axes=(1, 2))
    want = np.stack([snd.gaussian_gradient_magnitude(s, 1.0) for s in x])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_large_kernel_goes_through_a_transform_and_matches_scipy(rng, monkeypatch):
    x = rng.standard_normal((300, 280)).astype(np.float32)
    w = rng.standard_normal((41, 37)).astype(np.float32)
    calls = []
    real = _compute.correlate

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(_compute, "correlate", spy)
    got = ndimage.correlate(x, w, mode="wrap")
    (a, b, mode, method), kwargs = calls[0]
    assert method == "auto" and kwargs["boundary"] == "wrap"
    assert sigconv.choose_method(a, b, mode, op="correlate", **kwargs).method != "direct"
    _close(got, snd.correlate(x, w, mode="wrap"))


def test_separable_filters_run_one_pass_per_axis(rng, monkeypatch):
    x = rng.standard_normal((20, 30, 10))
    shapes = []
    real = _compute.correlate
    monkeypatch.setattr(_compute, "correlate",
                        lambda a, b, *r, **kw: shapes.append(b.shape) or real(a, b, *r, **kw))
    ndimage.gaussian_filter(x, 2.0)
    assert shapes == [(17, 1, 1), (1, 17, 1), (1, 1, 17)]


@pytest.mark.parametrize("name, args, kwargs, whole", [
    ("gaussian_filter", (4.0,), {}, True),
    ("uniform_filter", (31,), dict(mode="wrap"), True),
    ("uniform_filter", (3,), dict(mode="wrap"), False),                   # direct passes
    ("gaussian_filter", (4.0,), dict(mode=["reflect", "wrap"]), False),   # two boundaries
    ("uniform_filter", (31,), dict(mode="constant", cval=1.0), False),    # scipy pads each pass
    ("gaussian_filter", (4.0,), dict(output=np.int32), False),            # truncated per pass
])
def test_whole_kernel_when_its_passes_are_transforms(rng, monkeypatch, request, name, args,
                                                      kwargs, whole):
    # the rule is about passes that transforms would run: numpy's sums at six times the
    # shipped cost per multiply-add make them so from 33 taps on any machine's figures
    numpy_sums(monkeypatch)
    dear = sigconv._runtime.Calibration(sigconv._runtime.SHIPPED)
    dear["direct_mac"] = {c: 6 * v for c, v in dear["direct_mac"].items()}
    monkeypatch.setattr(sigconv._runtime, "calibration", lambda: dear)
    _compute._transform_wins.cache_clear()
    request.addfinalizer(_compute._transform_wins.cache_clear)
    x = (rng.random((300, 290)) * 100).astype(np.float32)
    shapes = []
    real = _compute.correlate
    monkeypatch.setattr(_compute, "correlate",
                        lambda a, b, *r, **kw: shapes.append(b.shape) or real(a, b, *r, **kw))
    got = getattr(ndimage, name)(x, *args, **kwargs)
    k = shapes[0][0]
    assert shapes == ([(k, k)] if whole else [(k, 1), (1, k)])
    want = getattr(snd, name)(x, *args, **kwargs)
    if want.dtype.kind == "i":      # the exact value truncated: scipy's double sums may differ
        assert np.abs(got - want).max() <= 1 and np.mean(got != want) < 1e-3
    else:
        _close(got, want)


def test_float32_gaussian_keeps_the_sum(rng):
    # scipy sums in double; float32 weights rounded one by one summed to 1 + 3e-8
    x = np.arange(100 * 100, dtype=np.float32).reshape(100, 100)
    out = ndimage.gaussian_filter(x, 1.0)
    assert out.dtype == np.float32
    assert abs(out.sum(dtype=np.float64) - x.sum(dtype=np.float64)) < 1.5


def test_integer_output_truncates_like_scipy():
    x = np.array([10, 20, 30, 40], np.int8)
    np.testing.assert_array_equal(ndimage.correlate1d(x, [-0.26]), [-2, -5, -7, -10])
    np.testing.assert_array_equal(ndimage.correlate1d(x, [-0.26]), snd.correlate1d(x, [-0.26]))
    a = np.arange(50, step=2).reshape((5, 5))       # scipy's docstring example
    np.testing.assert_array_equal(ndimage.gaussian_filter(a, 1), snd.gaussian_filter(a, 1))
    ramp = np.repeat([0, 1, 0], [9, 9, 9])
    for size in range(3, 10):
        assert ndimage.uniform_filter1d(ramp, size).sum() == 10 - size


def test_integer_result_beyond_default_dtype_raises():
    img = np.array([[0, 0, 255, 255]] * 3, np.uint8)
    with pytest.raises(IntegerOverflowError,
                       match=r"sobel: the result reaches 1020, outside the range of uint8 "
                             r"\(the input's dtype, the default output\); pass "
                             r"output=np\.uint16 or a float dtype, or output=np\.uint8"):
        ndimage.sobel(img)
    assert isinstance(IntegerOverflowError("x"), OverflowError)


def test_integer_result_beyond_chosen_dtype_saturates():
    img = np.array([[0, 0, 255, 255]] * 3, np.uint8)
    np.testing.assert_array_equal(ndimage.sobel(img, output=np.uint8),
                                  [[0, 255, 255, 0]] * 3)
    out = np.zeros((3, 4), np.int8)
    got = ndimage.sobel(img, output=out)
    assert got is out
    np.testing.assert_array_equal(out, [[0, 127, 127, 0]] * 3)
    np.testing.assert_array_equal(ndimage.sobel(img, output=np.int16),
                                  snd.sobel(img.astype(np.int16)))


def test_extra_dtypes_scipy_refuses(rng):
    x = rng.standard_normal((9, 8))
    half = ndimage.gaussian_filter(x.astype(np.float16), 1.0)
    assert half.dtype == np.float16
    np.testing.assert_allclose(half, snd.gaussian_filter(x.astype(np.float16).astype(np.float32),
                                                         1.0), rtol=2e-3, atol=2e-3)
    long = ndimage.correlate(x.astype(np.longdouble), np.ones((3, 2)))
    assert long.dtype == np.longdouble
    np.testing.assert_allclose(long.astype(float), snd.correlate(x, np.ones((3, 2))),
                               rtol=1e-13)


def test_big_endian_input_gives_native_output(rng):
    x = rng.standard_normal((8, 9)).astype(">f8")
    got = ndimage.gaussian_filter(x, 1.0)
    want = snd.gaussian_filter(x, 1.0)
    assert got.dtype == want.dtype == np.dtype("<f8")
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_inputs_never_written_and_output_may_alias(rng):
    x = rng.standard_normal((12, 10))
    w = rng.standard_normal((3, 3))
    x0, w0 = x.copy(), w.copy()
    want = snd.convolve(x, w)
    ndimage.convolve(x, w)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    got = ndimage.convolve(x, w, output=x)
    assert got is x
    np.testing.assert_allclose(x, want, rtol=1e-12, atol=1e-12)
    ro = x0.copy()
    ro.flags.writeable = False
    _close(ndimage.gaussian_filter(ro, 1.0), snd.gaussian_filter(ro, 1.0))


def test_output_dtype_and_complex_promotion(rng):
    x = rng.standard_normal((6, 5))
    assert ndimage.uniform_filter(x, 3, output=np.float32).dtype == np.float32
    assert ndimage.correlate(x, np.ones((2, 2)), output="i4").dtype == np.int32
    with pytest.warns(UserWarning, match="promoting specified output dtype to complex"):
        got = ndimage.correlate(x, [[1j, 1]], output=np.float64)
    assert got.dtype == np.complex128
    _close(got, snd.correlate(x, np.array([[1j, 1]]), output=np.complex128))


@pytest.mark.parametrize("call, error, match", [
    (lambda x: ndimage.correlate1d(x, [1, 1], mode="bogus"), ArgumentError,
     r"correlate1d: boundary mode not supported: mode must be one of 'reflect', "
     r"'grid-mirror', 'constant', 'grid-constant', 'nearest', 'mirror', 'wrap', "
     r"'grid-wrap'; got 'bogus'"),
    (lambda x: ndimage.correlate(x, [[1, 1]], mode=["reflect", "wrap"]), ArgumentError,
     r"correlate: mode must be one of .* \(a single mode for this function\); got "
     r"\['reflect', 'wrap'\]"),
    (lambda x: ndimage.gaussian_filter(x, [1, 2, 3]), ArgumentError,
     r"gaussian_filter: sigma: sequence argument must have length equal to input rank "
     r"\(one value per filtered axis, 2\); got \[1, 2, 3\]"),
    (lambda x: ndimage.sobel(x, mode=["wrap"]), ArgumentError,
     r"sobel: mode: sequence argument must have length equal to input rank"),
    (lambda x: ndimage.correlate(x, np.ones((3, 3, 3))), ArgumentError,
     r"correlate: weights.ndim \(3\) must match len\(axes\) \(2\).*got weights of shape "
     r"\(3, 3, 3\)"),
    (lambda x: ndimage.correlate1d(x, []), ArgumentError,
     r"correlate1d: no filter weights given: weights must be a non-empty 1-D sequence; got "
     r"shape \(0,\)"),
    (lambda x: ndimage.convolve(x, [[1, 1]], output=np.zeros((2, 2))), ArgumentError,
     r"convolve: output shape not correct: the output array must have the input's shape "
     r"\(4, 5\); got \(2, 2\)"),
    (lambda x: ndimage.correlate(x, [[1, 1, 1]], origin=[0, 2]), ValueError,
     r"correlate: Invalid origin; origin must satisfy -\(3 // 2\) <= origin <= "
     r"\(3 - 1\) // 2 for a filter of size 3; got 2"),
    (lambda x: ndimage.uniform_filter1d(x, 3, origin=-2), ValueError, r"Invalid origin"),
    (lambda x: ndimage.uniform_filter1d(x, 0), ArgumentError,
     r"uniform_filter1d: incorrect filter size: size must be >= 1; got 0"),
    (lambda x: ndimage.gaussian_filter(x, 1.0, axes=(0, 0)), ValueError,
     r"gaussian_filter: axes must be unique; got axes=\(0, 0\)"),
    (lambda x: ndimage.uniform_filter(x, 3, axes=(2,)), ValueError,
     r"uniform_filter: axis 2 is out of range for a 2-d input; got axes=\(2,\)"),
    (lambda x: ndimage.convolve(x, [[1]], axes=(1.5,)), TypeError,
     r"convolve: axis 1.5 cannot be interpreted as an integer"),
    (lambda x: ndimage.correlate1d(x, [1, 1], axis=2), np.exceptions.AxisError,
     r"correlate1d: axis 2 is out of bounds for array of dimension 2"),
    (lambda x: ndimage.correlate1d(x, [1, 1j], cval=1j), ValueError,
     r"correlate1d: Cannot provide a complex-valued cval when the input is real; got "
     r"cval=1j"),
    (lambda x: ndimage.gaussian_filter1d(x, 0), ValueError,
     r"gaussian_filter1d: sigma must not be 0; got 0"),
    (lambda x: ndimage.gaussian_filter1d(x, 1, radius=-1), ValueError,
     r"gaussian_filter1d: Radius must be a nonnegative integer \(or None to use "
     r"truncate\); got -1"),
    (lambda x: ndimage.gaussian_filter(x, 1, order=-1), ValueError,
     r"gaussian_filter: order must be non-negative integer; got -1"),
    (lambda x: ndimage.gaussian_laplace(x, 1, sigmaa=2), TypeError,
     r"gaussian_laplace: unexpected keyword argument\(s\) \['sigmaa'\]; the extra keywords "
     r"passed to gaussian_filter are \('truncate', 'radius'\)"),
    (lambda x: ndimage.correlate(x.astype(str), [[1]]), DTypeError,
     r"correlate: input must have a numeric dtype \(bool, integer, float or complex\); got "
     r"<U32"),
    (lambda x: ndimage.correlate(x, [[1]], output="U3"), ArgumentError,
     r"correlate: output must have numeric dtype; got <U3"),
])
def test_errors(call, error, match):
    x = np.arange(20.0).reshape(4, 5)
    with pytest.raises(error, match=match):
        call(x)
    np.testing.assert_array_equal(x, np.arange(20.0).reshape(4, 5))


def test_argument_error_is_both_scipy_and_sigconv_type():
    with pytest.raises(RuntimeError):
        ndimage.uniform_filter(np.ones(4), 3, mode="smae")
    with pytest.raises(ValueError):
        ndimage.uniform_filter(np.ones(4), 3, mode="smae")
    assert issubclass(ArgumentError, sigconv.SigconvError)
