"""Errors, dtype policy, empty and 0-d inputs, non-finite values and memory layout."""

import hashlib
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv
import sigconv.distributed
import sigconv.ndimage
from sigconv.definitions import discrete

from helpers import METHODS

OPS = ["convolve", "correlate"]


# ---- errors, raised before any work ------------------------------------------------

@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(mode="smae"), ValueError, r"mode must be one of 'full', 'same', 'valid'; got 'smae'"),
    (dict(mode=None), ValueError, r"mode must be one of .*; got None"),
    (dict(method="bacon"), ValueError, r"method must be one of 'auto', 'direct', 'fft'.*got 'bacon'"),
    (dict(boundary="spam"), ValueError, r"boundary must be one of 'constant', 'reflect', 'mirror', 'nearest', 'wrap' \(aliases: .*'symm', 'symmetric', 'grid-mirror' -> 'reflect'.*\); got 'spam'"),
    (dict(nan_policy="omit"), ValueError, r"nan_policy must be one of 'propagate', 'raise', 'interpolate', 'fill'; got 'omit'"),
    (dict(center="middle"), ValueError, r"center must be one of 'scipy', 'ndimage'; got 'middle'"),
    (dict(center=(1, 2)), ValueError, r"center needs one integer tap per convolution axis \(1\)"),
    (dict(mode="same", center=5), ValueError, r"center tap 5 is outside a kernel of 3 taps"),
    (dict(stride=0), ValueError, r"stride must be >= 1; got 0"),
    (dict(stride=1.5), TypeError, r"stride must be an integer; got 1.5"),
    (dict(dilation=(1, 2)), ValueError, r"dilation needs one value per convolution axis \(1\)"),
    (dict(axes=[]), ValueError, r"axes must not be empty"),
    (dict(axes=[0, 0]), ValueError, r"axes must be unique"),
    (dict(axes=[1.0]), ValueError, r"axes must be integers"),
    (dict(axes=[[1, 2]]), ValueError, r"axes must be integers"),
    (dict(axes=[5]), ValueError, r"axis 5 is out of range for 1-d inputs"),
    (dict(axes=[-3]), ValueError, r"axis -3 is out of range"),
    (dict(workers=0), ValueError, r"workers must be None, a positive int or -1; got 0"),
    (dict(out_dtype="U3"), TypeError, r"out_dtype must be a numeric dtype; got <U3"),
    (dict(fillvalue="x"), ValueError, r"fillvalue must be a numeric scalar; got 'x'"),
])
def test_bad_arguments_are_named(op, kwargs, exc, match):
    x = np.arange(6.0)
    with pytest.raises(exc, match=match):
        getattr(sigconv, op)(x, np.ones(3), **kwargs)
    assert_array_equal(x, np.arange(6.0))


@pytest.mark.parametrize("a,b", [((64, 64), (3,)), ((), (3,)), ((3,), ())])
def test_ndim_mismatch_shows_both_shapes(a, b):
    with pytest.raises(sigconv.ShapeError,
                       match=r"in1 and in2 should have the same dimensionality: "
                             + __import__("re").escape(f"{a} vs {b}")):
        sigconv.convolve(np.ones(a), np.ones(b))


def test_batch_axes_must_broadcast():
    with pytest.raises(sigconv.ShapeError, match="must match or be 1 on axis 0"):
        sigconv.convolve(np.ones((3, 10)), np.ones((2, 3)), axes=1)


@pytest.mark.parametrize("value,dtype", [
    (np.array([1, 2], dtype=object), "object"),
    (np.array(["a", "b"]), "<U1"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64"),
    (np.array([1], dtype="timedelta64[s]"), "timedelta64"),
])
@pytest.mark.parametrize("method", ["auto"] + METHODS)
def test_unsupported_dtypes_are_refused(value, dtype, method):
    with pytest.raises(sigconv.DTypeError, match=f"unsupported dtype {dtype}"):
        sigconv.convolve(value, np.ones(1), method=method)
    with pytest.raises(TypeError):
        sigconv.correlate(np.ones(3), value, method=method)


def test_ragged_lists_are_refused():
    with pytest.raises(sigconv.DTypeError, match="not a rectangular numeric array"):
        sigconv.convolve([[1, 2], [3]], [[1]])


def test_errors_are_sigconv_errors():
    for exc in (sigconv.ShapeError, sigconv.DTypeError, sigconv.ResourceLimitError,
                sigconv.ModelFormatError, sigconv.WisdomError, sigconv.IntegerOverflowError):
        assert issubclass(exc, sigconv.SigconvError)
    assert issubclass(sigconv.ShapeError, ValueError)
    assert issubclass(sigconv.DTypeError, TypeError)
    assert issubclass(sigconv.ResourceLimitError, MemoryError)


# ---- empty and 0-d: the same on every method ---------------------------------------

@pytest.mark.parametrize("method", ["auto"] + METHODS)
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("a,b,mode,shape", [
    ([], [1.0], "full", (0,)), ([], [1.0], "same", (0,)), ([], [1.0], "valid", (0,)),
    ([5.0, 6.0], [], "full", (0,)), ([5.0, 6.0], [], "same", (2,)),
    ([5.0, 6.0], [], "valid", (0,)),
    (np.zeros((0, 4)), np.ones((3, 3)), "full", (0, 6)),
    (np.zeros((0, 4)), np.ones((3, 3)), "same", (0, 4)),
])
def test_empty_inputs(op, method, a, b, mode, shape):
    got = getattr(sigconv, op)(a, b, mode, method)
    assert got.shape == shape
    assert got.dtype == np.float64
    assert not np.any(got)


@pytest.mark.parametrize("method", ["auto"] + METHODS)
def test_zero_dimensional_inputs(method):
    """0-d inputs give the product as a numpy scalar, as scipy.signal does."""
    for a, b in ((np.array(3.0), np.array(4.0)), (np.array(2j), np.array(1j)), (3, 4),
                 (np.array(7, np.int16), np.array(3, np.int8))):
        for op in ("convolve", "correlate"):
            want = getattr(ss, op)(a, b)
            got = getattr(sigconv, op)(a, b, method=method)
            assert type(got) is type(want) and got == want


# ---- dtype policy ------------------------------------------------------------------

INTEGERS = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]


@pytest.mark.parametrize("dt2", INTEGERS)
@pytest.mark.parametrize("dt1", INTEGERS)
def test_integer_results_have_scipys_dtype(dt1, dt2):
    """scipy.signal's result dtype, exact, on every method; bool with bool counts."""
    a, b = np.array([1, 0, 1, 1, 1], dt1), np.array([1, 1, 0, 1], dt2)
    want = ss.convolve(a.astype(np.int64), b.astype(np.int64))
    dtype = np.dtype(np.int64) if dt1 == dt2 == "bool" else ss.convolve(a, b).dtype
    for method in ["auto"] + METHODS:
        for op in ("convolve", "correlate"):
            got = getattr(sigconv, op)(a, b, method=method)
            assert got.dtype == dtype
            assert_array_equal(got, getattr(ss, op)(a.astype(np.int64), b.astype(np.int64)))
    assert_array_equal(sigconv.convolve(a, b), want)


def _entry_points():
    da = pytest.importorskip("dask.array")
    return {
        "convolve": lambda a, b, **kw: sigconv.convolve(a, b, "same", **kw),
        "correlate": lambda a, b, **kw: sigconv.correlate(a, b[::-1, ::-1], "same", **kw),
        "convolve2d": lambda a, b, **kw: sigconv.convolve2d(a, b, "same", **kw),
        "correlate2d": lambda a, b, **kw: sigconv.correlate2d(a, b[::-1, ::-1], "same", **kw),
        "fftconvolve": lambda a, b, **kw: sigconv.fftconvolve(a, b[:1, :1], "same", **kw),
        "Convolver": lambda a, b, **kw: sigconv.Convolver(b, a.shape, "same", dtype=a.dtype,
                                                          **kw)(a),
        "distributed.convolve": lambda a, b, **kw: sigconv.distributed.convolve(
            da.from_array(a, chunks=(3, 4)), b, "same", **kw).compute(),
    }


@pytest.mark.parametrize("entry", ["convolve", "correlate", "convolve2d", "correlate2d",
                                   "fftconvolve", "Convolver", "distributed.convolve"])
def test_one_integer_policy_for_every_entry_point(entry):
    """The input dtype when the exact result fits it; otherwise IntegerOverflowError
    naming the out_dtype that holds it, and that out_dtype gives the exact result."""
    call = _entry_points()[entry]
    image = np.random.default_rng(27).integers(0, 50, (7, 9)).astype(np.uint8)
    # fftconvolve keeps integers only for a single-sample kernel (it is then a product)
    kernel = np.full((1, 1), 9, np.uint8) if entry == "fftconvolve" else np.ones((3, 3), np.uint8)

    def exact(x):
        return ss.convolve(x.astype(np.int64), kernel.astype(np.int64), "same")

    assert exact(image).max() > 255
    func = entry.split(".")[-1]
    # a dask task reports the largest value of its own block
    reach = r"\d+" if entry.startswith("distributed") else exact(image).max()
    with pytest.raises(sigconv.IntegerOverflowError,
                       match=rf"{func}: the result reaches {reach}, outside the range of "
                             r"uint8 \(the result dtype of two uint8 inputs, as in "
                             r"scipy.signal\); pass out_dtype=np.uint16"):
        call(image, kernel)
    got = call(image, kernel, out_dtype=np.uint16)
    assert got.dtype == np.uint16
    assert_array_equal(got, exact(image))
    got = call(image // 10, kernel)
    assert got.dtype == np.uint8
    assert_array_equal(got, exact(image // 10))


def test_ndimage_uses_the_same_mechanism():
    image = np.random.default_rng(27).integers(0, 50, (7, 9)).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    exact = ndi.convolve(image.astype(np.int64), kernel.astype(np.int64))
    with pytest.raises(sigconv.IntegerOverflowError,
                       match=rf"convolve: the result reaches {exact.max()}, outside the range "
                             r"of uint8 \(the input's dtype, the default output\); pass "
                             r"output=np.uint16 or a float dtype, or output=np.uint8 to "
                             r"saturate at \[0, 255\]"):
        sigconv.ndimage.convolve(image, kernel)
    assert_array_equal(sigconv.ndimage.convolve(image, kernel, output=np.uint16), exact)
    assert_array_equal(sigconv.ndimage.convolve(image, kernel, output=np.uint8),
                       np.minimum(exact, 255))

@pytest.mark.parametrize("method", METHODS)
def test_bool_counts(method):
    got = sigconv.convolve([True, True], [True, True], method=method)
    assert got.dtype == np.int64
    assert_array_equal(got, [1, 2, 1])


@pytest.mark.parametrize("method", METHODS)
def test_small_integers_never_wrap(method):
    a = np.array([100, 100], dtype=np.int8)
    with pytest.raises(sigconv.IntegerOverflowError,
                       match=r"convolve: the result reaches 20000, outside the range of int8 "
                             r"\(the result dtype of two int8 inputs, as in scipy.signal\); "
                             r"pass out_dtype=np.int16 or a float dtype, or "
                             r"out_dtype=np.int8 to saturate at \[-128, 127\]"):
        sigconv.convolve(a, a, method=method)
    got = sigconv.convolve(a, a, method=method, out_dtype=np.int16)
    assert got.dtype == np.int16
    assert_array_equal(got, [10000, 20000, 10000])
    assert_array_equal(sigconv.convolve(a, a, method=method, out_dtype=np.int8), [127] * 3)
    assert_array_equal(sigconv.convolve(a, -a, method=method, out_dtype=np.int8), [-128] * 3)


def test_int64_overflow_is_an_error():
    with pytest.raises(sigconv.IntegerOverflowError, match="beyond the 64-bit integer range"):
        sigconv.convolve(np.array([2]), np.array([2 ** 62]))
    with pytest.raises(OverflowError):
        sigconv.convolve(np.array([2, 3]), np.array([2 ** 62, 1]))


def test_unsigned_results_widen_to_uint64():
    a = np.array([2 ** 62, 2 ** 62], dtype=np.uint64)
    got = sigconv.convolve(a, np.array([1, 1], dtype=np.uint8))
    assert got.dtype == np.uint64
    assert [int(v) for v in got] == [2 ** 62, 2 ** 63, 2 ** 62]


@pytest.mark.parametrize("method", METHODS)
def test_integer_results_exact_at_large_values(method):
    rng = np.random.default_rng(3)
    a = rng.integers(-2 ** 20, 2 ** 20, 300)
    b = rng.integers(-2 ** 20, 2 ** 20, 40)
    want = discrete.convolve(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sigconv.PrecisionWarning)
        got = sigconv.convolve(a, b, method="auto")
    assert_array_equal(got, want)
    assert sigconv.choose_method(a * 2 ** 10, b).method == "direct"


def test_explicit_fft_on_huge_integers_warns():
    a = np.full(4000, 2 ** 24)
    with pytest.warns(sigconv.PrecisionWarning, match="may round wrongly"):
        sigconv.convolve(a, a[:100], method="fft")


@pytest.mark.parametrize("method", METHODS)
def test_out_dtype_saturates(method):
    img = np.array([[200, 250, 10]], dtype=np.uint8)
    k = np.array([[1, 1]], dtype=np.uint8)
    got = sigconv.convolve(img, k, "same", method, out_dtype=np.uint8)
    assert got.dtype == np.uint8
    assert_array_equal(got, [[200, 255, 255]])
    neg = sigconv.convolve(np.array([-200.0]), np.array([1.0]), out_dtype=np.uint8)
    assert_array_equal(neg, [0])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dt,want", [("float16", "float32"), ("float32", "float32"),
                                     ("complex64", "complex64"), ("float64", "float64")])
def test_float_dtypes_kept(method, dt, want):
    a = np.arange(5).astype(dt)
    assert sigconv.convolve(a, a[:3], method=method).dtype == np.dtype(want)


@pytest.mark.parametrize("method", METHODS)
def test_longdouble_keeps_precision(method):
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("long double is float64 on this platform")
    eps = np.finfo(np.longdouble).eps
    a = np.array([1, eps * 16, 1], dtype=np.longdouble)
    got = sigconv.convolve(a, np.array([1, 1], dtype=np.longdouble), method=method)
    assert got.dtype == np.longdouble
    assert abs(got[1] - (1 + eps * 16)) < eps * 4


def test_fillvalue_that_cannot_be_integer():
    for fill in (0.5, 1j):
        with pytest.raises(ValueError, match=r"could not cast `fillvalue` directly to the "
                                             r"output dtype int64: .*; got " + repr(fill)):
            sigconv.convolve(np.arange(4), np.arange(2), fillvalue=fill)
    assert_array_equal(sigconv.convolve(np.arange(4), np.arange(1, 3), "same", fillvalue=2.0),
                       ss.convolve2d([np.arange(4)], [np.arange(1, 3)], "same", fillvalue=2)[0])


# ---- non-finite values -------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_stays_local(bad):
    x = np.ones(2000)
    x[1000] = bad
    k = np.ones(301)
    direct = sigconv.convolve(x, k, method="direct")
    with pytest.warns(sigconv.NonFiniteFFTWarning, match="1 non-finite"):
        fft = sigconv.convolve(x, k, method="fft")
    assert_array_equal(np.isfinite(direct), np.isfinite(fft))
    assert np.isfinite(direct).sum() == len(direct) - 301
    assert sigconv.choose_method(x, k).method == "direct"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_array_equal(np.isfinite(sigconv.convolve(x, k)), np.isfinite(direct))


def test_opposite_infinities_give_nan_quietly_like_the_sum():
    """+inf and -inf under one kernel: NaN there (as in the defining sum and np.convolve),
    finite elsewhere, and no RuntimeWarning from the engine's arithmetic."""
    x = np.zeros((40, 40))
    x[10, 10], x[10, 12] = np.inf, -np.inf
    k = np.ones((3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigconv.convolve(x, k, "same")
    want = np.zeros((40, 40), dtype=object)
    want[9:12, 9:12] = np.inf
    for i in range(9, 12):
        for j in range(11, 14):
            want[i, j] = np.nan if want[i, j] == np.inf else -np.inf
    assert_array_equal(out, want.astype(float))


def test_non_finite_check_is_made_only_when_it_decides(monkeypatch):
    """A long 1-D signal and a 3-tap kernel is a direct sum whatever its values: 'auto'
    does not read the inputs for non-finite values, yet NaN stays local as in the
    defining sum.  Where a transform is chosen or tried (autotune), or with
    nan_policy='raise', the inputs are read and NaN still stays local."""
    from sigconv import _validate
    calls = []
    real = _validate.finite_norm
    monkeypatch.setattr(_validate, "finite_norm", lambda a: calls.append(a.shape) or real(a))
    rng = np.random.default_rng(5)
    x, k = rng.standard_normal(100_000), rng.standard_normal(3)
    x[500] = np.nan
    assert sigconv.choose_method(x, k, workers=1).method == "direct"
    calls.clear()
    out = sigconv.convolve(x, k, workers=1)           # workers=1: the general path
    assert calls == []
    bad = np.zeros(out.shape, bool)
    bad[500:503] = True
    assert_array_equal(np.isnan(out), bad)
    want = np.convolve(np.nan_to_num(x), k)
    assert_allclose(out[~bad], want[~bad], rtol=1e-12, atol=1e-12)

    # 300x300 * 3x3: direct first, overlap-save close enough for autotune to try it
    img, k2 = rng.standard_normal((300, 300)), rng.standard_normal((3, 3))
    img[100, 100] = np.nan
    bad = np.zeros((300, 300), bool)
    bad[99:102, 99:102] = True
    want = ss.convolve(np.nan_to_num(img), k2, "same", method="direct")
    for _ in range(8):
        out = sigconv.convolve(img, k2, "same")
        assert_array_equal(np.isnan(out), bad)
        assert_allclose(out[~bad], want[~bad], rtol=1e-12, atol=1e-12)

    wide, big = rng.standard_normal((512, 512)), rng.standard_normal((64, 64))
    wide[100, 100] = np.nan
    assert sigconv.choose_method(np.ones((512, 512)), big).method != "direct"
    assert sigconv.choose_method(wide, big).method == "direct"
    calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigconv.convolve(wide, big)
    assert calls, "a transform was the cost model's choice, so the inputs are read"
    bad = np.zeros(out.shape, bool)
    bad[100:164, 100:164] = True                # the windows that cover the NaN
    assert_array_equal(np.isnan(out), bad)
    want = ss.convolve(np.nan_to_num(wide), big)
    assert_allclose(out[~bad], want[~bad], rtol=1e-10, atol=1e-10)

    calls.clear()
    with pytest.raises(ValueError, match="non-finite"):
        sigconv.convolve(x, k, nan_policy="raise")
    assert calls


def test_nan_policy_raise():
    with pytest.raises(ValueError, match=r"contain 1 non-finite value\(s\) and nan_policy='raise'"):
        sigconv.convolve([1.0, np.nan], [1.0], nan_policy="raise")


# ---- inputs are never written; results are new arrays ------------------------------

def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("boundary", ["constant", "reflect"])
def test_inputs_untouched_and_results_owned(method, boundary):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((30, 20)), rng.standard_normal((5, 5))
    a.flags.writeable = False
    before = digest(a), digest(b)
    r1 = sigconv.convolve(a, b, "same", method, boundary=boundary)
    keep = r1.copy()
    r2 = sigconv.convolve(a, b, "same", method, boundary=boundary)
    assert (digest(a), digest(b)) == before
    assert not np.shares_memory(r1, r2) and not np.shares_memory(r1, a)
    assert_array_equal(r1, keep)
    assert r1.flags.writeable


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("view", ["stride2", "reversed", "rot90", "fortran", "broadcast",
                                  "bigendian", "misaligned", "frombuffer"])
def test_memory_layouts_give_the_contiguous_result(view, method):
    rng = np.random.default_rng(1)
    base = rng.standard_normal((16, 12))
    k = rng.standard_normal((3, 4))
    if view == "stride2":
        a = base[::2]
    elif view == "reversed":
        a = base[:, ::-1]
    elif view == "rot90":
        a = np.rot90(base)
    elif view == "fortran":
        a = np.asfortranarray(base)
    elif view == "broadcast":
        a = np.broadcast_to(base[0], (16, 12))
    elif view == "bigendian":
        a = base.astype(">f8")
    elif view == "misaligned":
        buf = np.zeros(base.size * 8 + 1, dtype=np.uint8)
        a = np.frombuffer(buf[1:].data, dtype=np.float64).reshape(base.shape)
        a[...] = base
    else:
        a = np.frombuffer(base.tobytes(), dtype=np.float64).reshape(base.shape)
    want = ss.convolve(np.ascontiguousarray(a, dtype=np.float64), k, "same")
    got = sigconv.convolve(a, k, "same", method)
    assert got.dtype.isnative
    assert_allclose(got, want, atol=1e-12)


def test_big_endian_integers():
    a = np.arange(10, dtype=">i4")
    got = sigconv.convolve(a, np.array([1, -1], dtype=">i2"))
    assert got.dtype == np.int32 and got.dtype.isnative
    assert_array_equal(got, np.convolve(np.arange(10), [1, -1]))
