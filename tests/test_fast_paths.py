"""The fast paths against the textbook sums: plain 1-D calls, numpy's dot correlation
split over threads, overlap-save run as batched 1-D rows and in tiles."""

import itertools

import numpy as np
import pytest
from scipy import signal

import sigconv
from sigconv import _pipeline, _runtime
from sigconv.definitions import discrete
from sigconv.engines import cost, direct, overlap, scratch

from helpers import as_reference, numpy_sums, random_array, res, tolerance

LANE_DTYPES = ["float32", "float64", "complex64", "complex128"]


def reference(op, x, w, mode):
    """The textbook sum, then scipy's 'same'/'valid' windows of the full result."""
    full = np.asarray((discrete.convolve if op == "convolve" else discrete.correlate)(
        as_reference(x), as_reference(w)))
    n, k = len(x), len(w)
    if mode == "full":
        return full
    if mode == "same":
        start = (k - 1) // 2
        return full[start:start + n]
    return full[min(n, k) - 1:max(n, k)]


@pytest.mark.parametrize("dtype", LANE_DTYPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("n, k", [(1, 1), (5, 2), (8, 3), (2, 7), (17, 4), (40, 40), (33, 9)])
def test_plain_calls_equal_the_textbook_sum(dtype, mode, op, n, k):
    rng = np.random.default_rng(n * 100 + k)
    x, w = random_array(rng, n, dtype), random_array(rng, k, dtype)
    got = getattr(sigconv, op)(x, w, mode)
    want = reference(op, x, w, mode)
    rtol, atol = tolerance(dtype)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, want, rtol=rtol * 10, atol=atol * 10 * k)


@pytest.mark.parametrize("bad, message", [
    (dict(mode="middle"), "mode"), (dict(mode="same", center=7), "center tap 7"),
    (dict(workers=0), "workers")])
def test_plain_calls_validate_their_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        sigconv.convolve(np.arange(6.0), np.ones(3), **bad)


def test_plain_calls_read_read_only_inputs_and_never_write_them():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(50), rng.standard_normal(5)
    x.flags.writeable = False
    before = x.copy()
    np.testing.assert_allclose(sigconv.correlate(x, w, "same"),
                               reference("correlate", x, w, "same"), atol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_plain_calls_keep_nan_local_like_the_sum():
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0])
    got = sigconv.convolve(x, np.array([1.0, 1.0]))
    assert np.isnan(got).tolist() == [False, False, True, True, False, False, False, False]


def numpy_reference(op, x, w, mode):
    """numpy's own 1-D convolution/correlation (scipy's 'same' anchor for 'same')."""
    if op == "convolve":
        full = np.convolve(x.astype(np.complex128), w.astype(np.complex128))
    else:
        full = np.correlate(x.astype(np.complex128), w.astype(np.complex128), "full")
    n, k = len(x), len(w)
    if mode == "same":
        start = (k - 1) // 2 if op == "convolve" else k // 2
        full = full[start:start + n] if op == "convolve" else \
            np.correlate(np.pad(x.astype(np.complex128), (k // 2, k - 1 - k // 2)),
                         w.astype(np.complex128), "valid")
    elif mode == "valid":
        full = full[min(n, k) - 1:max(n, k)]
    return full if np.dtype(x.dtype).kind == "c" else full.real


def spy_engines(monkeypatch):
    """The list the engines of the pipeline append their names to as they run."""
    ran = []
    for name, engine in list(_pipeline.ENGINES.items()):
        monkeypatch.setitem(_pipeline.ENGINES, name, lambda *a, _n=name, _e=engine, **kw:
                            ran.append(_n) or _e(*a, **kw))
    return ran


def spy_numpy_correlate(monkeypatch):
    """The list numpy's correlation (as the direct engine calls it) appends to on each
    call (it still computes)."""
    from sigconv.engines import direct
    real, calls = direct.numpy_correlate, []
    monkeypatch.setattr(direct, "numpy_correlate",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    return calls


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
@pytest.mark.parametrize("window", ["full", "valid", "inner", "left", "right"])
@pytest.mark.parametrize("conjugate", [False, True])
@pytest.mark.parametrize("k", [1, 3, 70])
def test_dot_correlation_in_pieces_and_threads_equals_one_call(dtype, window, conjugate, k,
                                                               monkeypatch):
    """Windows of the 'full' correlation cut into pieces (several per thread) equal
    numpy's one call."""
    monkeypatch.setattr(direct, "_THREAD_WORK", 1)
    monkeypatch.setattr(direct, "DOT_PIECE", 64)
    monkeypatch.setattr(direct, "SPLIT_PIECE", 48)
    rng = np.random.default_rng(k)
    n = 1001
    x, w = random_array(rng, n, dtype), random_array(rng, k, dtype)
    full = np.correlate(x.astype(np.complex128), np.asarray(w, np.complex128)
                        if conjugate else np.conj(w.astype(np.complex128)), "full")
    start, stop = {"full": (0, n + k - 1), "valid": (k - 1, n), "inner": (300, 700),
                   "left": (0, max(k - 2, 1)), "right": (n - 1, n + k - 1)}[window]
    for workers in (1, 2, 3, 7):
        got = direct.dot_correlate(x, w, start, stop, conjugate=conjugate, threads=workers)
        rtol, atol = tolerance(dtype)
        np.testing.assert_allclose(got, full[start:stop], rtol=rtol * 10, atol=atol * 10 * k)


@pytest.mark.parametrize("layout", ["contiguous", "reversed", "batch", "fortran batch"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_overlap_save_rows_in_many_groups_read_and_write_in_place(layout, mode, monkeypatch):
    """Small groups: interior groups read the input through strided views and write into
    the result, the end groups go through padded and trimmed buffers; all equal the sum."""
    monkeypatch.setattr(overlap, "GROUP_BYTES", 512 * 8)
    rng = np.random.default_rng(7)
    n, k = 5003, 41
    x = rng.standard_normal((2, n) if "batch" in layout else n)
    if layout == "reversed":
        x = x[::-1]
    elif layout == "fortran batch":
        x = np.asfortranarray(x)
    w = rng.standard_normal((1, k) if x.ndim == 2 else k)
    got = sigconv.convolve(x, w, mode, method="os", axes=-1, workers=2)
    rows = x if x.ndim == 2 else x[None]
    want = np.array([np.convolve(r, w.ravel(), mode) for r in rows]).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("n, k, dilation", [(1, 1, 1), (300, 7, 1), (1000, 65, 1),
                                            (1000, 33, 3), (64, 64, 1), (5000, 300, 2)])
def test_overlap_save_rows_equal_the_textbook_sum(dtype, mode, n, k, dilation):
    rng = np.random.default_rng(n + k)
    x, w = random_array(rng, n, dtype), random_array(rng, k, dtype)
    if mode == "valid" and dilation > 1 and n < dilation * (k - 1) + 1:
        with pytest.raises(ValueError, match="at least as large as the dilated kernel"):
            sigconv.correlate(x, w, mode, method="os", dilation=dilation)
        return
    got = sigconv.correlate(x, w, mode, method="os", dilation=dilation)
    want = sigconv.correlate(as_reference(x), as_reference(w), mode, method="direct",
                             dilation=dilation)
    if dilation == 1:
        np.testing.assert_allclose(want, reference("correlate", x, w, mode), atol=1e-9)
    rtol, atol = tolerance(dtype)
    scale = np.sqrt(k) * 10
    np.testing.assert_allclose(got, want, rtol=rtol * scale, atol=atol * scale)


def test_overlap_save_rows_batch_groups_and_threads(monkeypatch):
    """Many blocks in several groups, spread over threads, with a batch axis."""
    monkeypatch.setattr(overlap, "GROUP_BYTES", (1 << 10) * 8)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 20_000))
    w = rng.standard_normal((1, 40))
    for workers in (1, 2):
        got = sigconv.convolve(x, w, "same", method="os", axes=1, workers=workers)
        want = np.stack([np.convolve(r, w[0], "full")[19:19 + 20_000] for r in x])
        np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("n", [997, 5003, 20_011])
def test_overlap_save_rows_split_over_threads_keep_every_group(threads, n, monkeypatch):
    """Forced threading: the groups are shared by ``threads`` participants
    (:func:`sigconv._threads.share`); every group is computed once (group counts that do
    not divide evenly included)."""
    from sigconv import _threads
    from sigconv.engines import fft
    monkeypatch.setattr(overlap, "GROUP_BYTES", 512 * 8)
    monkeypatch.setattr(fft, "THREAD_MIN_ELEMENTS", 0)
    calls, shared = [], []
    real_fill, real_share = overlap._fill_rows, _threads.share

    def spy_fill(buf, x, start, B, width):
        calls.append(1)
        return real_fill(buf, x, start, B, width)

    def spy_share(tasks, n, participant):
        shared.append(n)
        return real_share(tasks, n, participant)

    monkeypatch.setattr(overlap, "_fill_rows", spy_fill)
    monkeypatch.setattr(_threads, "share", spy_share)
    rng = np.random.default_rng(n)
    x, w = rng.standard_normal(n), rng.standard_normal(33)
    for mode in ("full", "same", "valid"):
        calls.clear()
        shared.clear()
        got = sigconv.convolve(x, w, mode, method="os", workers=threads)
        np.testing.assert_allclose(got, np.convolve(x, w, mode), rtol=1e-10, atol=1e-10)
        N, _, B = overlap.row_block(33, got.size,
                                    cost.row_factors(_runtime.calibration(), 8))
        nblocks = -(-got.size // B)
        groups, per = overlap.row_groups(nblocks, N, 8, threads)
        assert len(calls) == groups and (groups - 1) * per < nblocks <= groups * per
        assert shared == [min(threads, groups)]


@pytest.mark.parametrize("start", [-700, -65, -1, 0, 3, 250, 990, 1200])
@pytest.mark.parametrize("layout", ["contiguous", "reversed", "strided", "batch"])
def test_rows_are_the_windows_of_the_zero_padded_signal(start, layout):
    """Overlap-save's rows are filled from the signal in place
    (:func:`sigconv.engines.overlap._fill_rows`): each row equals the window of the
    signal padded with zeros on both sides (built here with np.pad), rows inside, across
    and beyond either end, zeros past the window's width; whatever the buffer held."""
    rng = np.random.default_rng(start + 1000)
    base = rng.standard_normal((3, 2 * 1000))
    x = {"contiguous": base[0, :1000], "reversed": base[0, ::-1][:1000],
         "strided": base[0, ::2], "batch": base[:, :1000]}[layout]
    rows, B, width, N = 7, 150, 230, 256
    buf = np.full(x.shape[:-1] + (rows, N), np.nan)
    overlap._fill_rows(buf, x, start, B, width)
    pad = 2000
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    for r in range(rows):
        a = pad + start + r * B
        np.testing.assert_array_equal(buf[..., r, :width], padded[..., a:a + width])
        np.testing.assert_array_equal(buf[..., r, width:], 0)


def test_rows_block_lengths_are_fast_and_cover_the_kernel():
    for ke, L in itertools.product([1, 3, 65, 1025, 65537], [10, 10_000, 10**7]):
        N, M, B = overlap.row_block(ke, L)
        assert N == M and N >= ke and 1 <= B <= min(L, N - ke + 1)
        assert N == sigconv.fft.next_fast_len(N)


def test_spectrum_cache_confirms_hits_on_the_whole_kernel():
    from sigconv.engines import fft
    rng = np.random.default_rng(4)
    w = rng.standard_normal(5000)
    args = ((8192,), (1,), (1,), (0,))
    first = fft.kernel_spectrum(w, *args, real=True, res=res(cache_bytes=1 << 28))
    assert fft.kernel_spectrum(w.copy(), *args, real=True, res=res(cache_bytes=1 << 28)) is first
    v = w.copy()
    v[1] += 1.0            # not among the sampled values: the key matches, the kernel not
    other = fft.kernel_spectrum(v, *args, real=True, res=res(cache_bytes=1 << 28))
    assert other is not first
    np.testing.assert_allclose(other.spectrum * 8192, np.fft.rfft(v[::-1], 8192)
                               * np.exp(2j * np.pi * np.arange(4097) * 4999 / 8192),
                               atol=1e-8)
    assert fft.kernel_spectrum(w, *args, real=True, res=res(cache_bytes=0)) is not first
    assert fft.kernel_spectrum(w, *args, real=True,
                               res=res(threads=2, cache_bytes=1 << 28)) is not first


def test_plans_are_estimated_by_default_and_measured_only_when_asked():
    """The default effort plans by rule (no measuring in a call); 'measure' is an
    explicit option whose plans are kept apart from the estimated ones."""
    from sigconv.fft import plans
    cache = plans.PlanCache(max_bytes=1 << 28)
    for _ in range(4):
        with cache.slot("r2c", (96,), 1, np.float64, 1) as slot:
            slot.input[...] = 1
            np.testing.assert_allclose(slot.execute(), np.fft.rfft(np.ones(96)))
    assert cache.info()["planned"] == 1 and cache.info()["plans"] == 1
    with cache.slot("r2c", (96,), 1, np.float64, 1, effort="measure", timelimit=0.5):
        pass
    assert cache.info()["planned"] == 2 and cache.info()["plans"] == 2


def _nd_reference(op, x, w, mode, axes, dilation=1):
    """The direct engine in long double/complex256 (itself checked against the textbook
    sums in test_engines) on the reference copies."""
    return getattr(sigconv, op)(as_reference(x), as_reference(w), mode, method="direct",
                                axes=axes, dilation=dilation)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("xshape, wshape, axes, dilation", [
    ((40, 37), (5, 4), (0, 1), (1, 1)),
    ((70, 9), (9, 9), (0, 1), (1, 1)),            # kernel as large as an axis
    ((3, 33, 30), (1, 7, 5), (1, 2), (1, 1)),     # a batch of inputs, one kernel
    ((1, 45, 40), (4, 6, 3), (1, 2), (2, 1)),     # one input, a bank of kernels, dilated
    ((20, 18, 16), (3, 4, 5), (0, 1, 2), (1, 1, 1)),   # 3-D
])
def test_overlap_save_tiles_equal_the_direct_sum(dtype, mode, xshape, wshape, axes, dilation,
                                                 monkeypatch):
    """Two or more axes without stride run as tiles; small tiles force many of them."""
    from sigconv.engines import fft, tiled
    monkeypatch.setattr(fft, "_spectra", type(fft._spectra)())     # no banks remembered
    monkeypatch.setattr(tiled, "tile_shape", lambda L, ke: tuple(max(2 * k, 16) for k in ke))
    monkeypatch.setattr(tiled, "THREAD_MIN_WORK", 1)
    assert overlap.tiles_apply(len(axes), (1,) * len(axes), 1, 1, np.dtype(dtype).char)
    rng = np.random.default_rng(len(xshape) * 7 + wshape[-1])
    x, w = random_array(rng, xshape, dtype), random_array(rng, wshape, dtype)
    if mode == "valid" and any(x.shape[a] < d * (w.shape[a] - 1) + 1
                               for a, d in zip(axes, dilation)):
        return
    for op in ("convolve", "correlate"):
        got = getattr(sigconv, op)(x, w, mode, method="os", axes=axes, dilation=dilation,
                                   workers=2)
        want = _nd_reference(op, x, w, mode, axes, dilation)
        rtol, atol = tolerance(dtype)
        scale = np.sqrt(w.size) * 10
        assert got.shape == want.shape and got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, want, rtol=rtol * scale, atol=atol * scale)


def test_overlap_save_tiles_are_used_and_remembered(monkeypatch):
    """Tiles serve 2-D 'os'; a kernel seen again reuses its bank, a changed one does not;
    batches of inputs *and* kernels go block by block."""
    from sigconv.engines import fft, tiled
    monkeypatch.setattr(fft, "_spectra", type(fft._spectra)())
    made = []
    real = tiled.TiledBank

    class Counting(real):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tiled, "TiledBank", Counting)
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((60, 50)), rng.standard_normal((6, 5))
    want = _nd_reference("convolve", x, w, "same", (0, 1))
    for _ in range(3):
        np.testing.assert_allclose(sigconv.convolve(x, w, "same", method="os"), want,
                                   atol=1e-12)
    assert len(made) == 1
    v = w.copy()
    v[2, 3] += 1
    np.testing.assert_allclose(sigconv.convolve(x, v, "same", method="os"),
                               _nd_reference("convolve", x, v, "same", (0, 1)), atol=1e-12)
    assert len(made) == 2
    xb, wb = rng.standard_normal((2, 1, 20, 20)), rng.standard_normal((1, 3, 4, 4))
    assert not overlap.tiles_apply(2, (1, 1), 2, 3, "d")
    got = sigconv.convolve(xb, wb, "full", method="os", axes=(2, 3))
    np.testing.assert_allclose(got, _nd_reference("convolve", xb, wb, "full", (2, 3)),
                               atol=1e-12)
    assert len(made) == 2


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k, uses_numpy", [(11, True), (12, False), (20, False),
                                           (31, False), (32, True), (49, True), (50, True),
                                           (129, True), (130, True)])
def test_numpy_correlation_is_skipped_where_it_is_slow(dtype, k, uses_numpy, monkeypatch):
    """Real kernels of 12-31 taps, where np.correlate runs several times slower per
    multiply-add, are shift-added by the direct method; other lengths use np.correlate,
    except that with OpenCV, kernels from ROW_TAPS taps up to its DFT_TAPS run as rows
    on its filters.  Results equal numpy's either way."""
    from sigconv.engines import opencv
    rng = np.random.default_rng(k)
    x, w = random_array(rng, 30000, dtype), random_array(rng, k, dtype)
    want = np.convolve(x.astype(np.float64), w.astype(np.float64))
    rows = sigconv._runtime.opencv() is not None and \
        opencv.ROW_TAPS <= k < opencv.DFT_TAPS[np.dtype(dtype).char]
    calls = spy_numpy_correlate(monkeypatch)
    filters = []
    if rows:
        cv = sigconv._runtime.opencv()
        real = cv.filter2D
        monkeypatch.setattr(cv, "filter2D", lambda *a, **kw: filters.append(1) or real(*a, **kw))
    opencv._remembered_ops.cache_clear()          # (its filter calls hold cv.filter2D)
    try:
        got = sigconv.convolve(x, w, method="direct")
    finally:
        opencv._remembered_ops.cache_clear()
    assert bool(calls) == (uses_numpy and not rows)
    assert bool(filters) == rows
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.sqrt(k))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("k, uses_numpy", [(5, False), (40, False), (64, True)])
def test_complex_kernels_under_64_taps_are_shift_added(dtype, k, uses_numpy, monkeypatch):
    """The direct method shift-adds complex 1-D kernels shorter than 64 taps (faster here
    than four real correlations) and uses numpy's complex correlation from 64 on.
    Results equal numpy's."""
    rng = np.random.default_rng(k)
    x, w = random_array(rng, 20000, dtype), random_array(rng, k, dtype)
    want = np.convolve(x.astype(np.complex128), w.astype(np.complex128))
    calls = spy_numpy_correlate(monkeypatch)
    got = sigconv.convolve(x, w, method="direct")
    assert bool(calls) == uses_numpy
    tol = 1e-4 if dtype == "complex64" else 1e-10
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.sqrt(k))
    want = np.convolve(x.astype(np.complex128), w[:5].astype(np.complex128))
    calls.clear()
    ran = spy_engines(monkeypatch)
    got = sigconv.convolve(x, w[:5])
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.sqrt(5))
    assert not calls and ran == ["direct"]


@pytest.mark.parametrize("shape, kshape", [(100_000, 3), ((300, 200), (3, 3))])
def test_direct_scratch_is_reused_and_never_returned(shape, kshape, monkeypatch):
    """The direct engine's zero-padded input and band products come from per-thread
    buffers reused by the next call; no result shares memory with them, so a later call
    leaves earlier results as they were.  Over SCRATCH_BYTES fresh arrays are used.
    (The numpy sums: 2-D ones run on OpenCV's filters where it is installed.)"""
    numpy_sums(monkeypatch)
    rng = np.random.default_rng(5)
    x, w = random_array(rng, shape, "complex128"), random_array(rng, kshape, "complex128")
    y = random_array(rng, shape, "complex128")
    first = sigconv.convolve(x, w, method="direct")
    pad, tmp = scratch._buffers.pad, scratch._buffers.tmp
    second = sigconv.convolve(y, w, method="direct")
    assert scratch._buffers.pad is pad and scratch._buffers.tmp is tmp
    for got, u in ((first, x), (second, y)):
        np.testing.assert_allclose(got, signal.convolve(u, w, method="direct"), rtol=0,
                                   atol=1e-10)
        assert not np.shares_memory(got, pad) and not np.shares_memory(got, tmp)
    monkeypatch.setattr(scratch, "SCRATCH_BYTES", 1024)
    third = sigconv.convolve(x, w, method="direct")
    assert scratch._buffers.pad is pad
    np.testing.assert_array_equal(third, first)
