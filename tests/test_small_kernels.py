"""The direct engine on OpenCV's compiled filters (sigconv.engines.opencv) and on numpy's
sums: the same results, against scipy.ndimage and the textbook sums, in every boundary,
mode, stride, dilation, dtype and number of dimensions; exact integers; the same bits
whatever the thread count."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from numpy.testing import assert_allclose, assert_array_equal

import sigconv
from sigconv import _pipeline as P
from sigconv import _runtime
from sigconv.definitions import discrete
from sigconv.engines import cost, direct, opencv, scratch, windows

from helpers import as_reference, numpy_sums, random_array, tolerance
from test_cost import only

pytestmark = pytest.mark.skipif(_runtime.opencv() is None, reason="needs OpenCV (cv2)")

BOUNDARIES = ["constant", "reflect", "mirror", "nearest", "wrap"]
DTYPES = ["float32", "float64", "complex64", "complex128", "int16", "uint8", "bool"]
#: (input shape, kernel shape): odd and even kernels, 2-D and 3-D
SHAPES = {2: ((37, 41), (5, 4)), 3: ((9, 11, 10), (3, 3, 2))}


@pytest.fixture(params=["opencv", "numpy"])
def path(request, monkeypatch):
    """``(name, ran)``: the direct engine sums on OpenCV's filters ('opencv'; ``ran``
    lists the work type of each call) or in numpy, as without OpenCV ('numpy'); never
    as windows (the few outputs of these tests' shapes would take them,
    :mod:`sigconv.engines.windows`)."""
    monkeypatch.setattr(windows, "WINDOW_OUTPUTS", 0)
    ran = []
    if request.param == "numpy":
        numpy_sums(monkeypatch)
        monkeypatch.setattr(opencv, "correlate_valid", lambda *a, **kw: 1 / 0)
        return request.param, ran
    engine = opencv.correlate_valid

    def spy(*args, **kwargs):
        ran.append(kwargs["char"])
        return engine(*args, **kwargs)
    monkeypatch.setattr(opencv, "correlate_valid", spy)
    return request.param, ran


def _dilated(k, d):
    out = np.zeros(tuple((n - 1) * d + 1 for n in k.shape), k.dtype)
    out[(slice(None, None, d),) * k.ndim] = k
    return out


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [2, 3])
def test_same_matches_ndimage(ndim, dtype, boundary, path, monkeypatch):
    only(monkeypatch, "direct")
    rng = np.random.default_rng(ndim)
    shape, kshape = SHAPES[ndim]
    x, k = random_array(rng, shape, dtype), random_array(rng, kshape, dtype)
    wide = np.int64 if x.dtype.kind in "biu" else None    # exact sums beyond uint8's range
    got = sigconv.convolve(x, k, "same", "direct", boundary=boundary, center="ndimage",
                           fillvalue=3 if boundary == "constant" else 0, out_dtype=wide)
    xr, kr = as_reference(x), as_reference(k)
    want = ndi.convolve(xr.real.astype(float), kr.real.astype(float), mode=boundary, cval=3)
    if np.iscomplexobj(xr):
        want = (want - ndi.convolve(xr.imag, kr.imag, mode=boundary, cval=0)
                + 1j * (ndi.convolve(xr.real, kr.imag, mode=boundary, cval=3)
                        + ndi.convolve(xr.imag, kr.real, mode=boundary, cval=0)))
    rtol, atol = tolerance(dtype)
    if x.dtype.kind in "biu":
        assert got.dtype == np.int64
        assert_array_equal(got, np.rint(want).astype(np.int64))
    else:
        assert got.dtype == x.dtype
        assert_allclose(got, want, rtol=rtol, atol=atol * np.abs(want).max() * 4)
    assert path[0] == "numpy" or path[1]


@pytest.mark.parametrize("stride, dilation", [(1, 1), (2, 1), (1, 2), (3, 2)])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("ndim", [2, 3])
def test_integer_sums_equal_the_textbook(ndim, mode, stride, dilation, path):
    """Integers are exact: the textbook correlation of the input with the dilated kernel,
    cropped to the mode and taken every ``stride`` samples."""
    rng = np.random.default_rng(10 * ndim + stride)
    shape, kshape = {2: ((13, 11), (3, 4)), 3: ((7, 8, 9), (2, 3, 3))}[ndim]
    x = rng.integers(-99, 100, shape).astype(np.int32)
    k = rng.integers(-9, 10, kshape).astype(np.int16)
    got = sigconv.correlate(x, k, mode, "direct", stride=stride, dilation=dilation,
                            center="ndimage")
    kd = _dilated(k.astype(np.int64), dilation)
    full = discrete.correlate(x.astype(np.int64), kd)
    ke = np.array(kd.shape)
    if mode == "full":
        window = full
    elif mode == "valid":
        window = full[tuple(slice(e - 1, n) for e, n in zip(ke, shape))]
    else:
        window = full[tuple(slice(e - 1 - e // 2, e - 1 - e // 2 + n) for e, n in zip(ke, shape))]
    want = window[(slice(None, None, stride),) * ndim]
    assert got.dtype == np.result_type(x, k)           # scipy's: int32
    assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("side", [8, 9, 11, 12, 13])
def test_large_kernels_are_direct_sums(dtype, side, path):
    """filter2D computes kernels of 50 taps (float64) or 130 (float32) and more through a
    DFT; the engine cuts them into row pieces, so integer-valued floats stay exact."""
    rng = np.random.default_rng(side)
    x = rng.integers(-50, 50, (40, 45)).astype(dtype)
    k = rng.integers(-5, 6, (side, side)).astype(dtype)
    got = sigconv.correlate(x, k, "same", "direct")
    want = sigconv.correlate(x.astype(np.int64), k.astype(np.int64), "same", "direct")
    assert_array_equal(got, want.astype(dtype))


@pytest.mark.parametrize("top, char", [(2 ** 24 // 9 - 1, "f"), (2 ** 24 // 9 + 1, "d"),
                                       (2 ** 53 // 9 + 1, None)])
def test_integers_take_the_narrowest_exact_type(top, char, path):
    """Integer sums run in float32 while every partial sum stays below 2**24, in float64
    below 2**53, and in numpy's int64 beyond: exact every time."""
    x = np.full((20, 21), top, np.int64)
    x[::3, ::2] = -top
    k = np.ones((3, 3), np.int64)
    got = sigconv.correlate(x, k, "same", "direct")
    want = discrete.correlate(x[:8, :8].astype(object), k.astype(object))[1:7, 1:7]
    assert_array_equal(got[:6, :6].astype(object), want)
    if path[0] == "opencv":
        assert path[1] == ([char] if char else [])


def test_long_double_is_summed_in_numpy(monkeypatch):
    ran = []
    monkeypatch.setattr(opencv, "correlate_valid", lambda *a, **k: ran.append(1))
    x = np.arange(30, dtype=np.longdouble).reshape(5, 6) / 3
    k = np.array([[1, 2], [3, 4]], np.longdouble) / 7
    got = sigconv.convolve(x, k, "full", "direct")
    assert got.dtype == np.longdouble and not ran
    want = discrete.convolve(x, k)
    assert_allclose(got.astype(float), want.astype(float), rtol=1e-15)


def test_float16_computes_in_float32(path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((30, 20)).astype(np.float16)
    k = rng.standard_normal((3, 3)).astype(np.float16)
    got = sigconv.convolve(x, k, "same", "direct")
    want = ndi.convolve(x.astype(float), k.astype(float), mode="constant")
    assert got.dtype == np.float32
    assert_allclose(got, want, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("case", [((300, 313), (5, 7), "float32", "same", {}),
                                  ((220, 230), (11, 11), "float32", "full", {}),
                                  ((300, 250), (3, 3), "complex64", "full", {"stride": 2}),
                                  ((200, 180), (5, 5), "float64", "valid", {}),
                                  ((11, 90, 80), (3, 3, 3), "float32", "same",
                                   {"boundary": "mirror"}),
                                  ((3, 200, 150), (1, 9, 9), "int32", "same", {})])
def test_the_same_bits_for_every_thread_count(case, path, monkeypatch):
    """Planes and bands of rows are spread over the threads; a sample's value does not
    depend on which band computed it."""
    monkeypatch.setattr(opencv, "THREAD_WORK", 1 << 12)        # bands on small inputs too
    shape, kshape, dtype, mode, kw = case
    rng = np.random.default_rng(7)
    x, k = random_array(rng, shape, dtype), random_array(rng, kshape, dtype)
    first = sigconv.convolve(x, k, mode, "direct", workers=1, **kw)
    for workers in (2, 3, 5, 1):
        assert_array_equal(sigconv.convolve(x, k, mode, "direct", workers=workers, **kw), first)


def test_the_paths_agree_on_batches_and_axes(monkeypatch):
    """Batches broadcast against kernels, axes in any place: the OpenCV path gives
    numpy's result."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 20, 1, 21))
    k = rng.standard_normal((1, 4, 2, 3))
    got = sigconv.convolve(x, k, "full", "direct", axes=(1, 3))
    numpy_sums(monkeypatch)
    assert_allclose(got, sigconv.convolve(x, k, "full", "direct", axes=(1, 3)), rtol=1e-12,
                    atol=1e-12)


@pytest.mark.parametrize("view", ["strided", "transposed", "fortran", "big-endian",
                                  "flipped"])
def test_any_memory_layout(view):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((60, 70)).astype(np.float32)
    x = {"strided": base[::2, ::3], "transposed": base.T, "fortran": np.asfortranarray(base),
         "big-endian": base.astype(">f4"), "flipped": base[::-1, ::-1]}[view]
    k = rng.standard_normal((3, 5)).astype(np.float32)
    assert_array_equal(sigconv.convolve(x, k, "same", "direct"),
                       sigconv.convolve(np.ascontiguousarray(x, np.float32), k, "same",
                                        "direct"))


def test_results_never_share_the_scratch_buffers():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((200, 210)).astype(np.complex64)
    k = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    first = sigconv.convolve(x, k.astype(np.complex64), "full", "direct", stride=2)
    keep = first.copy()
    second = sigconv.convolve(x * 2, k.astype(np.complex64), "full", "direct", stride=2)
    assert_array_equal(first, keep)
    for buf in vars(scratch._buffers).values():
        assert not np.shares_memory(first, buf) and not np.shares_memory(second, buf)


def test_auto_runs_opencv_for_small_image_kernels(monkeypatch):
    """The cost model counts the direct engine at OpenCV's rates, so 'auto' picks it for
    a small kernel on an image, and OpenCV's filters run it."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 512)).astype(np.float32)
    k = rng.standard_normal((3, 3)).astype(np.float32)
    plan = sigconv._plan.make_plan("convolve", x, k, "same", "auto", None, "constant", 0,
                                   "scipy", 1, 1, None, "propagate", None)
    assert plan.problem.cv == "f"
    only(monkeypatch, "direct")
    monkeypatch.setattr(direct, "shift_add", lambda *a, **kw: 1 / 0)
    got = sigconv.convolve(x, k, "same")
    assert_allclose(got, ndi.convolve(x.astype(float), k.astype(float), mode="constant"),
                    rtol=1e-5, atol=1e-4)


def test_estimates_follow_the_installed_engine(monkeypatch):
    """Without OpenCV the direct estimate is numpy's sums (slower here)."""
    x, k = np.ones((1024, 1024), np.float32), np.ones((3, 3), np.float32)
    with_cv = P.estimates(_plan(x, k))["direct"]
    numpy_sums(monkeypatch)
    without = P.estimates(_plan(x, k))["direct"]
    assert with_cv < without
    cal = _runtime.calibration()
    p = _plan(x, k).problem
    assert p.cv == "" and cost.direct_seconds(cal, 1024 * 1024, p.taps, "f", p.workers) == \
        pytest.approx(without)


def _plan(x, k):
    return sigconv._plan.make_plan("convolve", x, k, "same", "auto", None, "constant", 0,
                                   "scipy", 1, 1, None, "propagate", None)
