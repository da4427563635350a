"""The direct engine: low-rank splitting, threading, dispatch and exactness."""

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv
from sigconv import _pipeline as _convolve
from sigconv.engines import direct


def gaussian(n, s):
    g = np.exp(-0.5 * (np.arange(n) - n // 2) ** 2 / s ** 2)
    return g / g.sum()


def test_separable_kernels_split_into_one_term():
    k = np.outer(gaussian(15, 3), gaussian(15, 3))
    terms = direct.low_rank_terms(k, 2)
    assert len(terms) == 1
    assert_allclose(np.outer(*terms[0]), k, atol=1e-15)
    sobel = np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0])
    assert direct.low_rank_terms(sobel, 2) is None  # 6 taps as 1-D passes >= 6 nonzero taps


def test_rank_two_kernels_split_when_cheaper():
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((2, 11)), rng.standard_normal((2, 11))
    k = np.outer(u[0], v[0]) + np.outer(u[1], v[1])
    terms = direct.low_rank_terms(k, 2)
    assert len(terms) == 2
    assert direct.low_rank_terms(rng.standard_normal((5, 5)), 2) is None


def test_integer_kernels_split_only_into_exact_factors():
    """A kernel of integers (times a power of two) is split into integer factors, whose
    passes keep integer-valued data exact; of rank above one it is not split."""
    for k, factors in ((np.ones((5, 7)), ([1.0] * 5, [1.0] * 7)),
                       (np.outer([1, 4, 6, 4, 1], [-1, 0, 2, 0, -1]) / 64.0,
                        ([1 / 64, 4 / 64, 6 / 64, 4 / 64, 1 / 64], [-1, 0, 2, 0, -1])),
                       (np.outer([2, 6, 4], [3, 0, 9, 12]).astype(np.float32),
                        ([6, 18, 12], [1, 0, 3, 4]))):
        (u, v), = direct.low_rank_terms(k, 2)
        assert u.dtype == v.dtype == k.dtype
        assert_array_equal(u, factors[0])
        assert_array_equal(v, factors[1])
    rank_two = np.arange(1.0, 101.0).reshape(10, 10)     # 10 i + j + 1
    assert np.linalg.matrix_rank(rank_two) == 2
    assert direct.low_rank_terms(rank_two, 2) is None
    cube = np.multiply.outer(np.outer([1, 2, 1], [1, 3, 3, 1]), [2, 0, -2]) / 8.0
    terms = direct.low_rank_terms(cube, 3)
    assert_array_equal(np.multiply.outer(np.outer(*terms[0][:2]), terms[0][2]), cube)
    x = np.arange(1.0, 3001.0).reshape(50, 60) % 97
    assert_array_equal(sigconv.convolve(x, np.ones((9, 9)), "same", "direct"),
                       ss.convolve2d(x, np.ones((9, 9)), "same"))


def test_subnormal_kernels_keep_their_values():
    """Entries far below 1 (subnormal float32 and float64) are split, or summed, in a
    dtype that holds their scaled integers: the textbook values, not an overflow."""
    for dtype, tiny in ((np.float32, 1e-44), (np.float64, 5e-324), (np.float64, 3e-310)):
        k = np.full((2, 3), tiny, dtype)
        x = np.arange(1.0, 13.0, dtype=dtype).reshape(3, 4)
        want = ss.convolve2d(x.astype(np.float64), k.astype(np.float64)).astype(dtype)
        assert_array_equal(sigconv.convolve(x, k, method="direct"), want)
        assert_array_equal(sigconv.convolve(np.ones((1, 1), dtype), k, method="direct"), k)


def test_three_d_rank_one_split():
    g = gaussian(7, 1.5)
    k = np.multiply.outer(np.outer(g, g), g)
    terms = direct.low_rank_terms(k, 3)
    assert len(terms) == 1 and [f.size for f in terms[0]] == [7, 7, 7]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_split_path_matches_scipy(dtype, mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 50)).astype(dtype)
    k = np.outer(gaussian(9, 2), gaussian(7, 1)).astype(dtype)
    got = sigconv.convolve(x, k, mode, "direct")
    want = ss.convolve(x.astype(np.complex128 if dtype == np.complex128 else np.float64),
                       k.astype(np.complex128 if dtype == np.complex128 else np.float64), mode)
    assert got.dtype == dtype
    assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)


def test_threads_give_identical_results():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((700, 600))
    k = rng.standard_normal((5, 5))
    one = sigconv.correlate(x, k, "same", "direct", workers=1)
    two = sigconv.correlate(x, k, "same", "direct", workers=2)
    assert_array_equal(one, two)
    xi = rng.integers(-100, 100, (700, 600))
    assert_array_equal(sigconv.convolve(xi, xi[:4, :4], "valid", "direct", workers=2),
                       ss.convolve(xi, xi[:4, :4], "valid", method="direct"))


def test_batched_kernels_broadcast_in_the_engine():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 1, 40))
    k = rng.standard_normal((1, 4, 5))
    got = sigconv.convolve(x, k, "valid", "direct", axes=2)
    want = np.array([[np.convolve(x[i, 0], k[0, j], "valid") for j in range(4)]
                     for i in range(3)])
    assert_allclose(got, want, atol=1e-12)


def _boom(*args, **kwargs):
    raise AssertionError("this engine must not run")


def test_dispatch_small_kernel_runs_direct(monkeypatch):
    monkeypatch.setitem(_convolve.ENGINES, "fft", _boom)
    x = np.arange(50.0)
    assert_allclose(sigconv.convolve(x, [1.0, 2.0, 1.0]), np.convolve(x, [1, 2, 1]))


def test_dispatch_large_kernel_runs_fft(monkeypatch):
    monkeypatch.setitem(_convolve.ENGINES, "direct", _boom)
    rng = np.random.default_rng(4)
    x, k = rng.standard_normal(20000), rng.standard_normal(3000)
    assert_allclose(sigconv.convolve(x, k), np.convolve(x, k), atol=1e-9)


def test_explicit_method_is_honoured(monkeypatch):
    monkeypatch.setitem(_convolve.ENGINES, "direct", _boom)
    assert_allclose(sigconv.convolve(np.ones(5), np.ones(2), method="fft"), [1, 2, 2, 2, 2, 1])
    with pytest.raises(AssertionError, match="must not run"):
        sigconv.convolve(np.ones(5), np.ones(2), method="direct")


def test_choose_method_reports_why():
    choice = sigconv.choose_method(np.ones(10), np.ones(3))
    assert choice.method == "direct" and str(choice) == "direct"
    assert set(choice.estimates) >= {"direct", "fft"}
    assert choice.reason == "the whole direct sum costs less than a transform call"
    assert choice.estimates["direct"] < min(choice.estimates["fft"], choice.estimates["os"])
    assert "estimated" in sigconv.choose_method(np.ones(10_000), np.ones(300)).reason
    nan = np.ones(100000)
    nan[5] = np.nan
    assert sigconv.choose_method(nan, np.ones(5000)).reason.startswith("non-finite")
    measured = sigconv.choose_method(np.ones(3000), np.ones(300), measure=True)
    assert measured.reason == "fastest when timed on these inputs"
    assert all(t > 0 for t in measured.estimates.values())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_long_1d_kernels_use_the_dot_path(dtype, mode, monkeypatch):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(500) + (1j * rng.standard_normal(500) if dtype in (np.complex64, np.complex128) else 0)).astype(dtype)
    k = (rng.standard_normal(70) + (1j * rng.standard_normal(70) if dtype in (np.complex64, np.complex128) else 0)).astype(dtype)
    monkeypatch.setattr(direct, "shift_add", _boom)
    for op in ("convolve", "correlate"):
        got = getattr(sigconv, op)(x, k, mode, "direct")
        want = getattr(np, op)(x.astype(np.complex128), k.astype(np.complex128), mode)
        assert got.dtype == dtype
        assert_allclose(got, want, rtol=1e-4 if dtype in (np.float32, np.complex64) else 1e-12, atol=1e-4)


def _textbook_row(x, w, mode, stride, dilation):
    """The defining correlation sum of 1-D ``x`` and ``w`` (float64), zero-padded as
    sigconv's 'full'/'same'/'valid' with scipy's anchor, every ``stride``-th output."""
    k = (w.size - 1) * dilation + 1
    before = {"full": k - 1, "same": (k - 1) // 2 + (k - 1) % 2, "valid": 0}[mode]
    length = {"full": x.size + k - 1, "same": x.size, "valid": x.size - k + 1}[mode]
    xp = np.concatenate([np.zeros(before), x.astype(np.float64), np.zeros(k)])
    out = np.zeros(length)
    for j in range(w.size):                   # s[t] = sum_j x[t + j d] w[j], all t at once
        out += xp[j * dilation:j * dilation + length] * float(w[j])
    return out[::stride]


@pytest.mark.skipif(sigconv._runtime.opencv() is None, reason="OpenCV rows need OpenCV")
@pytest.mark.parametrize("dtype", ["float32", "float64", "int16"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("k, stride, dilation", [(12, 1, 1), (17, 3, 1), (13, 1, 2),
                                                 (40, 2, 1)])
def test_rows_on_opencv_equal_the_defining_sum(dtype, mode, k, stride, dilation,
                                               monkeypatch):
    """1-D kernels of ROW_TAPS taps up to DFT_TAPS on rows of ROW_WORK multiply-adds or
    more run as one-row planes on OpenCV's filters, in every mode, stride and dilation,
    and batched: the values of the defining sum (integers exactly)."""
    from sigconv.engines import opencv
    rng = np.random.default_rng(k * stride + dilation)
    x = (rng.standard_normal(40_000) * 50).astype(dtype)
    w = (rng.standard_normal(k) * 5).astype(dtype)
    assert opencv.applies(1, np.dtype(dtype) if dtype != "int16" else np.dtype("f4"),
                          (k,), (dilation,), (x.size - k * dilation) // stride)
    calls = []
    cv = sigconv._runtime.opencv()
    real = cv.filter2D
    monkeypatch.setattr(cv, "filter2D", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    opencv._remembered_ops.cache_clear()
    try:
        got = sigconv.correlate(x, w, mode, method="direct", stride=stride, dilation=dilation)
        batch = sigconv.correlate(np.stack([x, x[::-1]]), w[None], mode, method="direct",
                                  stride=stride, dilation=dilation, axes=-1)
    finally:
        opencv._remembered_ops.cache_clear()
    assert calls
    want = _textbook_row(x, w, mode, stride, dilation)
    if dtype == "int16":
        assert_array_equal(got.astype(np.int64), want.astype(np.int64))
    else:
        tol = (1e-5 if dtype == "float32" else 1e-12) * np.abs(want).max()
        assert_allclose(got, want, rtol=0, atol=tol)
    assert_array_equal(batch[0], got)
    assert_allclose(batch[1], _textbook_row(x[::-1], w, mode, stride, dilation),
                    rtol=0, atol=1e-5 * np.abs(want).max() if dtype == "float32" else 1e-9)


def _textbook_valid(x, w, stride, dilation):
    """The defining valid correlation ``y[i] = sum_m x[i*s + m*d] conj(w[m])`` over every
    axis of N-D ``x`` and ``w`` (float64 or complex128), one output at a time."""
    nd = x.ndim
    ke = [(k - 1) * dilation + 1 for k in w.shape]
    out_shape = [(n - e) // stride + 1 for n, e in zip(x.shape, ke)]
    out = np.zeros(out_shape, np.result_type(x, w, np.float64))
    for i in np.ndindex(*out_shape):
        window = x[tuple(slice(a * stride, a * stride + e, dilation) for a, e in zip(i, ke))]
        out[i] = np.sum(window * np.conj(w))
    assert out.ndim == nd
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int32"])
@pytest.mark.parametrize("xs, ks, stride, dilation", [
    ((40, 41), (37, 36), 1, 1), ((20, 22), (6, 5), 3, 2), ((9, 10, 11), (3, 4, 2), 1, 2),
    ((13, 13, 13), (2, 2, 2), 2, 1), ((300,), (290,), 1, 1)])
def test_few_outputs_run_as_windows_and_equal_the_defining_sum(dtype, xs, ks, stride,
                                                               dilation, monkeypatch):
    """A few outputs of one kernel run as the product of their windows' matrix with the
    kernel (one BLAS call instead of a numpy call per tap): the values of the defining
    sum (integers exactly), with stride and dilation, in 2-D and 3-D (and the values in
    1-D, whatever runs them), and the same bits from inputs at other addresses."""
    from sigconv.engines import windows
    rng = np.random.default_rng(sum(xs) + sum(ks))
    x, w = (rng.standard_normal(s) * 20 for s in (xs, ks))
    if dtype == "complex128":
        x, w = x + 1j * rng.standard_normal(xs), w + 1j * rng.standard_normal(ks)
    x, w = x.astype(dtype), w.astype(dtype)
    calls = []
    real = windows.correlate_valid
    monkeypatch.setattr(windows, "correlate_valid",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    got = sigconv.correlate(x, w, "valid", method="direct", stride=stride, dilation=dilation)
    want = _textbook_valid(x.astype(np.result_type(x, np.float64)), w, stride, dilation)
    assert calls or len(xs) == 1     # (rows: numpy's correlation, integer rows in int64)
    assert got.shape == want.shape and got.dtype == np.dtype(dtype)
    if dtype == "int32":
        assert_array_equal(got, want.astype(np.int64))
    else:
        tol = (1e-4 if dtype == "float32" else 1e-11) * np.abs(want).max()
        assert_allclose(got, want, rtol=0, atol=tol)
    shifted = np.empty(x.size + 1, x.dtype)[1:].reshape(x.shape)     # another address
    shifted[...] = x
    again = sigconv.correlate(shifted, w, "valid", method="direct", stride=stride,
                              dilation=dilation)
    assert_array_equal(again, got)


def test_windows_are_priced_and_chosen_where_the_shifted_sums_were_slow():
    """63x63 by 63x63 complex 'valid' (one output) had been shifted and added tap by tap
    (3969 numpy calls, ~10 ms); the model now prices the windows' single product and
    'auto' takes the direct engine, which runs them."""
    from sigconv import _plan
    rng = np.random.default_rng(2)
    x = rng.standard_normal((63, 63)) + 1j * rng.standard_normal((63, 63))
    k = rng.standard_normal((63, 63)) + 1j * rng.standard_normal((63, 63))
    plan = _plan.make_plan("convolve", x, k, "valid", "auto", None, "constant", 0, "scipy",
                           1, 1, None, "propagate", None)
    assert plan.problem.windows and plan.problem.taps == 63 * 63
    choice = sigconv.choose_method(x, k, "valid")
    assert choice.method == "direct"
    assert_allclose(sigconv.convolve(x, k, "valid"), ss.convolve(x, k, "valid", "direct"),
                    rtol=1e-12, atol=1e-9)
    many = np.ones((300, 300))                 # 90,000 outputs: the shifted sums
    plan = _plan.make_plan("convolve", many, np.ones((3, 3)), "same", "auto", None,
                           "constant", 0, "scipy", 1, 1, None, "propagate", None)
    assert not plan.problem.windows


def test_windows_bits_do_not_follow_the_blas_thread_count():
    """One output of a 300x400 kernel is one row of 120,000 products; a BLAS product would
    split its sum over BLAS's threads and change its last bits with their number (the
    determinism of docs/conventions.rst), so the windows' product is not BLAS's."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((300, 400)), rng.standard_normal((300, 400))
    results = []
    for n in (1, 2):
        with threadpoolctl.threadpool_limits(n, user_api="blas"):
            results.append(sigconv.correlate(x, w, "valid", method="direct"))
    assert_array_equal(results[0], results[1])
    assert_allclose(results[0], [[np.sum(x * w)]], rtol=1e-12)


@pytest.mark.parametrize("n, k, threads", [(1_000_000, 3, 1), (3_000_000, 3, 2),
                                           (1_000_000, 9, 2), (100_000, 65, 2)])
def test_short_dot_correlations_stay_on_one_thread_below_millions_of_outputs(
        n, k, threads, monkeypatch):
    """A dot correlation of a few taps is bound by memory: it is split over threads only
    from DOT_THREAD_OUTPUTS outputs; longer kernels from _THREAD_WORK multiply-adds.  The
    model prices the threads the engine takes, and the result is numpy's, bit for bit."""
    from sigconv import _threads
    from sigconv._calibration import CALIBRATION
    from sigconv.engines import cost
    seen = []
    share = _threads.share
    monkeypatch.setattr(_threads, "share", lambda items, count, fn: seen.append(count) or
                        share(items, count, fn))
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    got = direct.dot_correlate(x, w, k - 1, n, threads=2)
    assert_array_equal(got, np.correlate(x, w, "valid"))
    assert direct.dot_threads(2, n - k + 1, k) == threads
    assert seen == ([] if threads == 1 else [2])
    one, two = (cost.dot_seconds(CALIBRATION, n - k + 1, k, False, 1, t) for t in (1, 2))
    assert (two == one) if threads == 1 else (two < one)
    assert (direct.dot_route(n, k, np.dtype(float), k - 1, n, 2) is None) == (threads > 1)
