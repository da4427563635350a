"""The fast paths against the textbook sums: the 1-D lane of plain calls, numpy's dot
correlation split over threads, and overlap-save run as batched 1-D rows."""

import itertools

import numpy as np
import pytest
from scipy import signal

import sigconv
from sigconv import _convolve
from sigconv.definitions import discrete
from sigconv.engines import direct, overlap

from helpers import as_reference, random_array, tolerance

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
def test_lane_equals_the_textbook_sum(dtype, mode, op, n, k):
    rng = np.random.default_rng(n * 100 + k)
    x, w = random_array(rng, n, dtype), random_array(rng, k, dtype)
    assert _convolve._lane_applies(x, w, mode, "auto", None, "constant", 0, "scipy", 1, 1,
                                   None, "propagate", None)
    got = getattr(sigconv, op)(x, w, mode)
    want = reference(op, x, w, mode)
    rtol, atol = tolerance(dtype)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, want, rtol=rtol * 10, atol=atol * 10 * k)


def test_lane_skips_validation_and_the_general_path_does_not(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the general path ran")

    monkeypatch.setattr(_convolve, "make_plan", boom)
    x, w = np.arange(6.0), np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(sigconv.convolve(x, w), reference("convolve", x, w, "full"))
    for call in (lambda: sigconv.convolve(x, w, boundary="reflect"),
                 lambda: sigconv.convolve(x, w, stride=2),
                 lambda: sigconv.convolve(x.astype(np.float32), w),      # mixed dtypes
                 lambda: sigconv.convolve(list(x), w),
                 lambda: sigconv.convolve(x, w, method="fft"),
                 lambda: sigconv.convolve(x.astype(np.int64), w.astype(np.int64))):
        with pytest.raises(AssertionError, match="general path"):
            call()


@pytest.mark.parametrize("bad, message", [
    (dict(mode="middle"), "mode"), (dict(mode="same", center=7), "center tap 7"),
    (dict(workers=0), "workers")])
def test_lane_leaves_bad_arguments_to_validation(bad, message):
    with pytest.raises(ValueError, match=message):
        sigconv.convolve(np.arange(6.0), np.ones(3), **bad)


def test_lane_reads_read_only_inputs_and_never_writes_them():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(50), rng.standard_normal(5)
    x.flags.writeable = False
    before = x.copy()
    np.testing.assert_allclose(sigconv.correlate(x, w, "same"),
                               reference("correlate", x, w, "same"), atol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_lane_keeps_nan_local_like_the_sum():
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
    """The list the engines of ``_convolve.ENGINES`` append their names to as they run."""
    ran = []
    for name, engine in list(_convolve.ENGINES.items()):
        monkeypatch.setitem(_convolve.ENGINES, name, lambda *a, _n=name, _e=engine, **kw:
                            ran.append(_n) or _e(*a, **kw))
    return ran


def spy_numpy_correlate(monkeypatch):
    """The list np.correlate appends to on each call (it still computes)."""
    real, calls = np.correlate, []
    monkeypatch.setattr(np, "correlate", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    return calls


def settle(op, x, w, mode):
    """Call until the shapes' decision is remembered; the settled entry's method."""
    for _ in range(40):
        getattr(sigconv, op)(x, w, mode)
        entry = [e for key, e in _convolve._SETTLED.items()
                 if key[:5] == (op, len(x), len(w), x.dtype.char, mode)]
        if entry:
            return entry[0][1]
    raise AssertionError("the decision never settled")


@pytest.mark.parametrize("dtype", LANE_DTYPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("n, k", [(6000, 900), (900, 6000), (4000, 3000)])
def test_settled_plain_calls_equal_numpy(dtype, mode, op, n, k, monkeypatch):
    """Once 'auto' has settled for the shapes of a plain 1-D call, later calls skip the
    general validation and the cost model (make_plan is made to raise) and still equal
    numpy's sums, in every mode, swapped 'valid' inputs included."""
    monkeypatch.setattr(_convolve, "_SETTLED", {})
    rng = np.random.default_rng(n + k)
    x, w = random_array(rng, n, dtype), random_array(rng, k, dtype)
    settle(op, x, w, mode)

    def boom(*args, **kwargs):
        raise AssertionError("the general path ran")

    monkeypatch.setattr(_convolve, "make_plan", boom)
    x2, w2 = random_array(rng, n, dtype), random_array(rng, k, dtype)
    got = getattr(sigconv, op)(x2, w2, mode)
    want = numpy_reference(op, x2, w2, mode)
    assert got.dtype == np.dtype(dtype) and got.shape == want.shape
    scale = np.sqrt(min(n, k)) * 3
    tol = 2e-5 if dtype in ("float32", "complex64") else 1e-11
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


def test_settled_calls_still_check_the_values(monkeypatch):
    """A remembered transform decision is not applied blindly: NaN stays local and a
    wide dynamic range goes direct, as on the general path."""
    import sigconv.fft
    monkeypatch.setattr(_convolve, "_SETTLED", {})
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(20000), rng.standard_normal(1500)
    with sigconv.fft.options(autotune=False):
        assert settle("convolve", x, w, "full") != "direct"
        ran = spy_engines(monkeypatch)
        y = x.copy()
        y[100] = np.nan
        got = sigconv.convolve(y, w)
        assert ran == ["direct"]
        assert np.isnan(got).sum() == len(w) and np.isnan(got[100:100 + len(w)]).all()
        z = x.copy()
        z[::2] *= 1e-12                               # half the values tiny: median 1e-12
        got = sigconv.convolve(z, w)
        assert ran == ["direct", "direct"]
        np.testing.assert_allclose(got, np.convolve(z, w), rtol=0, atol=1e-9)


def test_settled_entry_yields_to_new_facts(monkeypatch):
    """The remembered decision is dropped when the autotuned choice for the shapes
    changes, when the kernel has another count of non-zero taps, and when the methods no
    longer fit the memory budget."""
    from sigconv import fft as sfw
    monkeypatch.setattr(_convolve, "_SETTLED", {})
    monkeypatch.setattr(_convolve, "_MEASURED", {})
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal(12000), rng.standard_normal(900)
    with sfw.options(autotune=False):
        first = settle("convolve", x, w, "same")
        (_, _, sig, _, need), = _convolve._SETTLED.values()
        assert need > 1 << 18
        other = "os" if first != "os" else "fft"
        _convolve._MEASURED[sig] = other              # as choose_method(measure=True) does
        ran = spy_engines(monkeypatch)
        sigconv.convolve(x, w, "same")
        assert ran == [other]
        plans = []
        real = _convolve.make_plan
        monkeypatch.setattr(_convolve, "make_plan", lambda *a, **kw: plans.append(1) or
                            real(*a, **kw))
        sigconv.convolve(x, w, "same")                # settled again, on the new choice
        assert ran == [other, other] and plans == []
        sparse = w.copy()
        sparse[10:] = 0                               # 10 taps: another problem
        np.testing.assert_allclose(sigconv.convolve(x, sparse, "same"),
                                   np.convolve(x, sparse)[449:449 + len(x)], atol=1e-9)
        assert plans == [1]
        with sfw.options(max_memory=1 << 18):         # under the transforms' bytes
            np.testing.assert_allclose(sigconv.convolve(x, w, "same"),
                                       np.convolve(x, w)[449:449 + len(x)], atol=1e-8)
        assert plans == [1, 1]


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
        got = direct.dot_correlate(x, w, start, stop, conjugate=conjugate, workers=workers)
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
    import importlib

    from sigconv import _threads
    from sigconv.engines import cost
    backend = importlib.import_module("sigconv.fft.backend")   # the module, not the function
    monkeypatch.setattr(overlap, "GROUP_BYTES", 512 * 8)
    monkeypatch.setattr(cost, "THREAD_MIN_ELEMENTS", 0)
    monkeypatch.setattr(backend, "idle_cores", lambda: threads)
    calls, shared = [], []
    real_place, real_share = overlap.place, _threads.share

    def spy_place(buf, data, offsets):
        calls.append(1)
        return real_place(buf, data, offsets)

    def spy_share(tasks, n, participant):
        shared.append(n)
        return real_share(tasks, n, participant)

    monkeypatch.setattr(overlap, "place", spy_place)
    monkeypatch.setattr(_threads, "share", spy_share)
    rng = np.random.default_rng(n)
    x, w = rng.standard_normal(n), rng.standard_normal(33)
    for mode in ("full", "same", "valid"):
        calls.clear()
        shared.clear()
        got = sigconv.convolve(x, w, mode, method="os", workers=threads)
        np.testing.assert_allclose(got, np.convolve(x, w, mode), rtol=1e-10, atol=1e-10)
        N, _, B = overlap.row_block(33, got.size)
        nblocks = -(-got.size // B)
        groups, per = overlap.row_groups(nblocks, N, 8, threads)
        assert len(calls) == groups and (groups - 1) * per < nblocks <= groups * per
        assert shared == [min(threads, groups)]


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
    first = fft.kernel_spectrum(w, *args, real=True)
    assert fft.kernel_spectrum(w.copy(), *args, real=True) is first
    v = w.copy()
    v[1] += 1.0            # not among the sampled values: the key matches, the kernel not
    other = fft.kernel_spectrum(v, *args, real=True)
    assert other is not first
    np.testing.assert_allclose(other.spectrum * 8192, np.fft.rfft(v[::-1], 8192)
                               * np.exp(2j * np.pi * np.arange(4097) * 4999 / 8192),
                               atol=1e-8)
    with sigconv.fft.options(spectrum_cache_bytes=0):
        assert fft.kernel_spectrum(w, *args, real=True) is not first


def test_quick_planning_estimates_only_large_transforms():
    from sigconv.fft import plans
    cache = plans.PlanCache(max_bytes=1 << 28)
    big = (plans.QUICK_MEASURE_POINTS * 2,)
    with sigconv.fft.options(planner_effort="auto", measure_after=2):
        with plans.quick_planning():
            for _ in range(4):
                with cache.slot("r2c", big, 1, np.float64, 1) as slot:
                    assert slot.effort == "estimate"
            efforts = []
            for _ in range(3):                   # small ones are planned as usual
                with cache.slot("r2c", (96,), 1, np.float64, 1) as slot:
                    efforts.append(slot.effort)
            assert efforts == ["estimate", "measure", "measure"]
        with cache.slot("r2c", big, 1, np.float64, 1) as slot:
            assert slot.effort == "measure"       # the shape is re-planned once trials end


def test_measured_planning_measures_new_plans_at_once():
    from sigconv.fft import plans
    cache = plans.PlanCache(max_bytes=1 << 28)
    big = (plans.QUICK_MEASURE_POINTS * 2,)
    with sigconv.fft.options(planner_effort="auto", measure_after=3):
        with cache.slot("r2c", big, 1, np.float64, 1) as slot:
            assert slot.effort == "estimate"      # first use, as usual
        with plans.measured_planning():
            with cache.slot("r2c", big, 1, np.float64, 1) as slot:
                assert slot.effort == "measure"   # re-planned although used only twice
            with plans.quick_planning():          # the innermost block decides
                with cache.slot("r2c", (2 * big[0],), 1, np.float64, 1) as slot:
                    assert slot.effort == "estimate"
            with cache.slot("c2r", (96,), 1, np.float64, 1) as slot:
                assert slot.effort == "measure"
        with cache.slot("c2r", (2 * big[0] + 2,), 1, np.float64, 1) as slot:
            assert slot.effort == "estimate"      # outside the block: as usual again


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
                                           (31, False), (32, True)])
def test_numpy_correlation_is_skipped_where_it_is_slow(dtype, k, uses_numpy, monkeypatch):
    """Real kernels of 12-31 taps, where np.correlate runs several times slower per
    multiply-add, are shift-added by the direct method and leave the lane; other lengths
    still use np.correlate.  Results equal numpy's either way."""
    rng = np.random.default_rng(k)
    x, w = random_array(rng, 30000, dtype), random_array(rng, k, dtype)
    want = np.convolve(x.astype(np.float64), w.astype(np.float64))
    calls = spy_numpy_correlate(monkeypatch)
    got = sigconv.convolve(x, w, method="direct")
    assert bool(calls) == uses_numpy
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.sqrt(k))
    assert _convolve._lane_size(x, w) == uses_numpy          # 30000 x 32 is little work
    assert _convolve._lane_size(x[:1000], w)                 # up to 32,000 multiply-adds


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("k, uses_numpy", [(5, False), (40, False), (64, True)])
def test_complex_kernels_under_64_taps_are_shift_added(dtype, k, uses_numpy, monkeypatch):
    """The direct method shift-adds complex 1-D kernels shorter than 64 taps (faster here
    than four real correlations) and uses numpy's complex correlation from 64 on; a long
    complex plain call leaves the lane for it.  Results equal numpy's."""
    rng = np.random.default_rng(k)
    x, w = random_array(rng, 20000, dtype), random_array(rng, k, dtype)
    want = np.convolve(x.astype(np.complex128), w.astype(np.complex128))
    calls = spy_numpy_correlate(monkeypatch)
    got = sigconv.convolve(x, w, method="direct")
    assert bool(calls) == uses_numpy
    tol = 1e-4 if dtype == "complex64" else 1e-10
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.sqrt(k))
    assert not _convolve._lane_size(x, w[:5])                # 10**5 multiply-adds
    assert _convolve._lane_size(x[:10000], w[:5])
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
    leaves earlier results as they were.  Over SCRATCH_BYTES fresh arrays are used."""
    rng = np.random.default_rng(5)
    x, w = random_array(rng, shape, "complex128"), random_array(rng, kshape, "complex128")
    y = random_array(rng, shape, "complex128")
    first = sigconv.convolve(x, w, method="direct")
    pad, tmp = direct._scratch_buffers.pad, direct._scratch_buffers.tmp
    second = sigconv.convolve(y, w, method="direct")
    assert direct._scratch_buffers.pad is pad and direct._scratch_buffers.tmp is tmp
    for got, u in ((first, x), (second, y)):
        np.testing.assert_allclose(got, signal.convolve(u, w, method="direct"), rtol=0,
                                   atol=1e-10)
        assert not np.shares_memory(got, pad) and not np.shares_memory(got, tmp)
    monkeypatch.setattr(direct, "SCRATCH_BYTES", 1024)
    third = sigconv.convolve(x, w, method="direct")
    assert direct._scratch_buffers.pad is pad
    np.testing.assert_array_equal(third, first)
