"""method='auto': the cost model, dispatch, exactness, accuracy and memory awareness."""

import math
import time

import numpy as np
import scipy.signal
import pytest

import sigconv
import sigconv.fft as sfw
from sigconv import _pipeline as P
from sigconv import _calibration_store, _runtime
from sigconv import ResourceLimitError
from sigconv._calibration import CALIBRATION
from sigconv.engines import cost, overlap as overlap_engine
from sigconv.fft import plan_record
from sigconv.engines.fft import threads_for
from sigconv.fft import next_fast_len

ALL = ("direct", "fft", "os", "oa")


def only(monkeypatch, allowed):
    """Make every engine except ``allowed`` raise, so the one that ran is known."""
    for name in ALL:
        if name != allowed:
            def boom(*args, _name=name, **kwargs):
                raise AssertionError(f"engine {_name!r} must not run")
            monkeypatch.setitem(P.ENGINES, name, boom)


def spy_engines(monkeypatch, before=None):
    """Wrap every engine so that it appends its name to the returned list (after calling
    ``before(name, ran)``, which sees the names of the runs before)."""
    ran = []
    for name, engine in list(P.ENGINES.items()):
        def spy(*args, _name=name, _engine=engine, **kwargs):
            if before is not None:
                before(_name, ran)
            ran.append(_name)
            return _engine(*args, **kwargs)
        monkeypatch.setitem(P.ENGINES, name, spy)
    return ran


CASES = {
    "tiny": (np.arange(10.0), np.array([1.0, 2.0, 3.0])),
    "long-signal-short-kernel": (np.random.default_rng(0).standard_normal(200_000),
                                 np.random.default_rng(1).standard_normal(301)),
    "equal-sizes": (np.random.default_rng(2).standard_normal(4000),
                    np.random.default_rng(3).standard_normal(4000)),
    "image-small-kernel": (np.random.default_rng(4).standard_normal((300, 300)),
                           np.random.default_rng(5).standard_normal((3, 3))),
    "image-large-kernel": (np.random.default_rng(6).standard_normal((256, 256)),
                           np.random.default_rng(7).standard_normal((65, 65))),
}
EXPECTED = {"tiny": {"direct"}, "long-signal-short-kernel": {"os", "oa"},
            "equal-sizes": {"fft"}, "image-small-kernel": {"direct"},
            "image-large-kernel": {"fft", "os", "oa"}}


@pytest.mark.parametrize("case", CASES)
def test_auto_runs_the_chosen_engine_only(case, monkeypatch):
    x, k = CASES[case]
    choice = sigconv.choose_method(x, k)
    assert choice.method in EXPECTED[case], choice
    assert set(choice.estimates) == set(ALL)
    ref = sigconv.convolve(x, k, method=choice.method)
    only(monkeypatch, choice.method)
    np.testing.assert_allclose(sigconv.convolve(x, k), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ["long-signal-short-kernel", "image-large-kernel"])
def test_auto_follows_the_cost_model_on_every_call_and_times_nothing(case, monkeypatch):
    """No experiments on the user's calls: every call runs the model's choice, and no
    clock is read on the way."""
    x, k = CASES[case]
    favourite = sigconv.choose_method(x, k).method
    ran = spy_engines(monkeypatch)
    monkeypatch.setattr(time, "perf_counter", lambda: pytest.fail("auto timed a call"))
    for _ in range(4):
        sigconv.convolve(x, k)
    assert ran == [favourite] * 4


def test_the_choice_is_a_pure_function_of_plan_calibration_and_budget():
    x, k = CASES["image-large-kernel"]
    plan = sigconv._plan.make_plan("convolve", x, k, "full", "auto", None, "constant", 0,
                                   "scipy", 1, 1, None, "propagate", None)
    cal = dict(CALIBRATION)
    slow_fft = _runtime.Calibration(cal, fft_real={s: 1e-6 for s in cal["fft_real"]},
                                    fft_complex={s: 1e-6 for s in cal["fft_complex"]})
    assert P.choose(plan).method != "direct"
    assert P.choose(plan, calibration=slow_fft).method == "direct"
    assert P.choose(plan, budget=1000).method == "direct"
    assert P.choose(plan) == P.choose(plan)


@pytest.mark.parametrize("method", ["fft", "os", "oa"])
def test_explicit_methods_run_their_engine(method, monkeypatch):
    x, k = CASES["tiny"]
    only(monkeypatch, method)
    np.testing.assert_allclose(sigconv.convolve(x, k, method=method), np.convolve(x, k),
                               atol=1e-12)


def test_large_integers_never_go_through_a_transform(monkeypatch):
    """B2: max|a| * max|b| * min(size) >= 2**52 -> direct, exact."""
    x = np.arange(20_000, dtype=np.int64) * 1000
    k = np.arange(3000, dtype=np.int64) * 1000
    assert sigconv.choose_method(x, k).reason.startswith("integer inputs this large")
    only(monkeypatch, "direct")
    out = sigconv.convolve(x, k)
    assert out.dtype == np.int64
    assert out[5000] == sum(int(x[i]) * int(k[5000 - i]) for i in range(2001, 5001) if i < x.size)


def test_small_integers_use_transforms_and_stay_exact():
    rng = np.random.default_rng(8)
    x = rng.integers(0, 256, 50_000).astype(np.uint8)
    k = rng.integers(-100, 100, 2000)
    choice = sigconv.choose_method(x, k)
    assert choice.method in ("fft", "os", "oa")
    out = sigconv.convolve(x, k)
    np.testing.assert_array_equal(out[:3000], np.convolve(x.astype(np.int64), k)[:3000])
    np.testing.assert_array_equal(out[-100:], np.convolve(x.astype(np.int64), k)[-100:])


def test_huge_dynamic_range_goes_direct(monkeypatch):
    """B5: 1 ... 1e81 would leave FFT error far above the small outputs."""
    x = np.logspace(0, 81, 20_000)
    k = np.random.default_rng(9).random(2001)
    choice = sigconv.choose_method(x, k)
    assert choice.method == "direct" and "dynamic range" in choice.reason
    assert min(choice.estimates, key=choice.estimates.get) != "direct"
    only(monkeypatch, "direct")
    out = sigconv.convolve(x, k)
    assert np.isclose(out[5], np.dot(x[:6], k[5::-1]), rtol=1e-12)


@pytest.mark.parametrize("part", ["real", "imag"])
@pytest.mark.parametrize("contiguous", [True, False])
def test_complex_dynamic_range_counts_either_part(part, contiguous):
    """One huge imaginary (or real) entry among unit values sends a complex input direct;
    without it a transform is chosen (so the spike is what decides)."""
    rng = np.random.default_rng(11)
    base = rng.standard_normal(40_000) + 1j * rng.standard_normal(40_000)
    k = rng.standard_normal(2001) + 1j * rng.standard_normal(2001)
    x = base if contiguous else np.repeat(base, 2)[::2]
    assert sigconv.choose_method(x, k).method != "direct"
    spiked = x.copy() if contiguous else np.repeat(x, 2)[::2]
    spiked[12_345] += 1e40 if part == "real" else 1e40j
    choice = sigconv.choose_method(spiked, k)
    assert choice.method == "direct" and "dynamic range" in choice.reason


def test_float32_with_moderate_range_still_uses_transforms():
    rng = np.random.default_rng(10)
    x = rng.standard_normal(100_000).astype(np.float32)
    assert sigconv.choose_method(x, np.ones(2000, np.float32)).method != "direct"


def test_nonfinite_inputs_go_direct(monkeypatch):
    x = np.random.default_rng(11).standard_normal(100_000)
    x[500] = np.nan
    assert sigconv.choose_method(x, np.ones(3000)).method == "direct"
    only(monkeypatch, "direct")
    out = sigconv.convolve(x, np.ones(3000))
    assert np.isnan(out[500]) and np.isfinite(out[4000])


def test_fft_memory_estimate_follows_the_transform_shape():
    """G1 arithmetic: fshape = next_fast_len(s1 + s2 - 1) per axis; spectra 16 bytes."""
    n = 4096
    p = cost.Problem((n, n), (n, n), (2 * n - 1,) * 2, (1, 1), ((n - 1, n - 1),) * 2,
                     1, 1, 1, 8, False, 2, n * n)
    sizes = cost.single_sizes(p)
    assert sizes == [(next_fast_len(2 * n - 1),) * 2] * 2
    f = next_fast_len(2 * n - 1)
    spectrum = f * (f // 2 + 1) * 16
    est = cost.fft_estimate(CALIBRATION, p).nbytes
    assert 2 * spectrum + 8 * f * f < est < 8 * spectrum + 4 * 8 * f * f


def test_explicit_fft_over_the_limit_raises_before_any_work(monkeypatch):
    """G1 without allocating: the guard runs before the engine (made to raise)."""
    x = np.broadcast_to(np.float64(1.0), (4096, 4096))
    k = np.broadcast_to(np.float64(1.0), (512, 512))
    monkeypatch.setitem(P.ENGINES, "fft", lambda *a, **kw: pytest.fail("engine ran"))
    with sfw.options(max_memory=1 << 30):
        with pytest.raises(ResourceLimitError,
                           match=r"convolve: fft convolution needs ~[\d.]+ GB, limit 1 GB; "
                                 r"use method='os' or 'oa', or raise max_memory"):
            sigconv.convolve(x, k, method="fft")
        choice = sigconv.choose_method(x, k)
    assert choice.estimates["fft"] == math.inf
    assert choice.method in ("os", "oa")


def test_auto_switches_to_blocks_over_budget_and_stays_correct(monkeypatch):
    rng = np.random.default_rng(12)
    x, k = rng.standard_normal((200, 220)), rng.standard_normal((30, 30))
    ref = sigconv.convolve(x, k, method="direct")
    with sfw.options(max_memory=1_500_000):
        choice = sigconv.choose_method(x, k)
        assert choice.method in ("os", "oa") and choice.estimates["fft"] == math.inf
        only(monkeypatch, choice.method)
        np.testing.assert_allclose(sigconv.convolve(x, k), ref, rtol=1e-10, atol=1e-10)


def test_measure_times_candidates_and_remembers_nothing():
    x = np.random.default_rng(13).standard_normal(30_000)
    k = np.random.default_rng(14).standard_normal(400)
    timed = sigconv.choose_method(x, k, measure=True)
    assert timed.reason == "fastest when timed on these inputs"
    assert set(timed.estimates) == set(ALL) == set(timed.admissible)
    assert timed.method == min(timed.estimates, key=timed.estimates.get)
    again = sigconv.choose_method(x, k)
    assert again.reason.startswith("lowest estimated time")


def test_measure_times_only_what_the_values_allow():
    x = np.arange(20_000, dtype=np.int64) * 1000
    k = np.arange(3000, dtype=np.int64) * 1000
    timed = sigconv.choose_method(x, k, measure=True)
    assert timed.method == "direct" and timed.admissible == ("direct",)
    assert timed.reason == "integer inputs this large would not be exact through an FFT"


def test_estimates_grow_with_the_work():
    def est(n, k):
        return sigconv.choose_method(np.ones(n), np.ones(k)).estimates
    assert est(10_000, 50)["direct"] < est(10_000, 500)["direct"]
    assert est(10_000, 500)["fft"] < est(1_000_000, 500)["fft"]
    assert est(1_000_000, 33)["os"] < est(1_000_000, 33)["fft"]


def test_worker_threads_only_for_large_transforms():
    """A pure function of the call's resources and the size: no load average."""
    two = _runtime.Resources(threads=2)
    assert threads_for(two, 1000) == 1
    assert threads_for(two, 1 << 22) == 2
    assert threads_for(_runtime.Resources(threads=1), 1 << 22) == 1


def test_calibration_constants_record_their_source():
    assert CALIBRATION["source"]
    for key in ("fft_real", "fft_complex", "direct_mac", "per_element"):
        assert all(v > 0 for v in CALIBRATION[key].values())


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("size", [0, 1, 7, 3 * (1 << 15) + 5])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf])
def test_finite_extremes_against_numpy(dtype, size, bad):
    """Counts and largest part magnitude, with the bad value in any chunk."""
    from sigconv import _validate
    rng = np.random.default_rng(size)
    a = rng.standard_normal(size) * 5
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(size) * 7
    a = a.astype(dtype)
    for where in ([] if bad is None or size == 0 else [0, size - 1, size // 2]):
        a[where] = bad
    for arr in (a, a[::-1], a.reshape(1, -1)[:, ::2]):
        count, top = _validate.finite_extremes(arr)
        assert count == arr.size - np.count_nonzero(np.isfinite(arr))
        if count:
            assert top is None
        else:
            parts = np.concatenate([arr.real.ravel(), arr.imag.ravel()]) \
                if arr.dtype.kind == "c" else arr.ravel()
            assert top == (float(np.max(np.abs(parts))) if parts.size else 0.0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128",
                                   "float16", ">f8"])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf, "overflow"])
@pytest.mark.parametrize("size", [3 * (1 << 15) + 5, 4001,     # einsum's sum, and dot's
                                  (1 << 18) + 3])                # single precision: max/min
def test_finite_norm_counts_and_bounds_like_numpy(dtype, bad, size):
    """The count of non-finite entries is exact; the bound is the norm when finite and
    otherwise at least the largest magnitude (squares overflowing fall back to max/min);
    large single-precision arrays get the exact maximum (sqrt(2) times the largest part
    for complex), which their norm would be far above."""
    from sigconv import _validate
    rng = np.random.default_rng(5)
    a = rng.standard_normal(size) * 5
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(size) * 7
    a = a.astype(dtype)
    if bad == "overflow":
        a[size // 3] = np.finfo(a.real.dtype).max / 4
    elif bad is not None:
        a[[0, size // 2, size - 1]] = bad
    for arr in (a, a[::-1], a.reshape(1, -1)[:, ::2]):
        count, bound = _validate.finite_norm(arr)
        assert count == arr.size - np.count_nonzero(np.isfinite(arr))
        if count:
            assert bound is None
            continue
        big = np.abs(arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64))
        top = float(np.max(big))
        assert bound >= top * (1 - 1e-3)
        with np.errstate(over="ignore"):
            norm = float(np.sqrt(np.sum(big.astype(np.float64) ** 2)))
        single = arr.dtype.char in "fF" and arr.size > (1 << 18)
        if single:
            parts = np.abs(np.concatenate([arr.real.ravel(), arr.imag.ravel()]))
            factor = np.sqrt(2) if arr.dtype.kind == "c" else 1.0
            assert bound == pytest.approx(float(np.max(parts)) * factor, rel=1e-12)
            if bad is None:
                assert bound < norm / 50
        elif np.isfinite(norm) and bad != "overflow" and arr.dtype.char in "fdFD" \
                and arr.dtype.isnative:
            np.testing.assert_allclose(bound, norm, rtol=1e-3)


def test_loose_norm_bound_still_finds_a_spike():
    """A bound too loose for the dynamic-range check is replaced by the exact maximum."""
    x = np.random.default_rng(14).standard_normal(400_000)
    k = np.random.default_rng(15).standard_normal(4001)
    assert sigconv.choose_method(x, k).method in ("fft", "os", "oa")
    y = x.copy()
    y[5] = 1e9                  # max/median ~ 1.5e9: beyond float64's tolerance
    assert sigconv.choose_method(y, k).method == "direct"
    # a thousand values at 1e7 x the median: the norm (~3e8 x the median) exceeds the
    # float64 tolerance (range 4.5e7), the exact maximum does not, and it decides
    z = x.copy()
    median = float(np.median(np.abs(x)))
    z[::400] = 1e7 * median
    assert np.linalg.norm(z) / median > 4.5e7 > np.max(np.abs(z)) / median
    assert sigconv.choose_method(z, k).method in ("fft", "os", "oa")


def test_integer_input_with_float_kernel_keeps_transforms():
    """The dynamic-range check reads integer inputs too (a mixed call computes in float)."""
    x = np.random.default_rng(12).integers(-100, 100, 200_000)
    k = np.random.default_rng(13).standard_normal(4001)
    choice = sigconv.choose_method(x, k)
    assert choice.method in ("fft", "os", "oa")
    x[7] = 10**15                         # max/median ~ 1e13: beyond float64's tolerance
    assert sigconv.choose_method(x, k).method == "direct"


def test_dynamic_range_check_samples_strided_inputs_and_skips_zeros():
    """The median magnitude comes from the non-zero values (a sparse input is not
    'wide-ranged'), and a strided (transposed) input is sampled, not copied, with the
    same verdict as its contiguous copy."""
    rng = np.random.default_rng(21)
    x = rng.standard_normal((600, 700))
    k = rng.standard_normal((41, 41))
    sparse = x * (rng.random(x.shape) < 0.3)        # 70 % zeros
    assert sigconv.choose_method(sparse, k).method != "direct"
    spiked = x.copy()
    spiked[3, 5] = 1e12 * np.median(np.abs(x))
    for arr in (spiked, np.ascontiguousarray(spiked.T).T):
        assert not arr.flags.c_contiguous or arr is spiked
        assert sigconv.choose_method(arr, k).method == "direct"
        assert sigconv.choose_method(arr, k).reason.startswith("the inputs' dynamic range")
    assert sigconv.choose_method(np.ascontiguousarray(x.T).T, k).method != "direct"


def test_element_wise_passes_run_at_the_cache_rate_while_they_fit():
    cal = {"per_element": {8: 1e-9}, "per_element_memory": {8: 3e-9}, "cache_bytes": 3 * 8 * 1000}
    assert cost.elementwise_seconds(cal, 1000, 8) == pytest.approx(1000 * 1e-9)
    assert cost.elementwise_seconds(cal, 1001, 8) == pytest.approx(1001 * 3e-9)
    assert cost.elementwise_seconds(cal, 10**6, 8, span=1000) == pytest.approx(1e6 * 1e-9)
    assert CALIBRATION["per_element_memory"][8] > CALIBRATION["per_element"][8]


def test_the_largest_cache_is_read_from_the_system():
    import glob
    found = _runtime.last_cache_bytes()
    sizes = []
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        text = open(path).read().strip()
        sizes.append(int(text[:-1]) * {"K": 1024, "M": 1 << 20}[text[-1]]
                     if text[-1] in "KM" else int(text))
    assert found == (max(sizes) if sizes else None)


@pytest.mark.parametrize("slow_from, sysfs, want", [
    (1 << 18, None, 3 * 8 << 17),                 # the largest pass at the in-cache rate
    (1 << 18, 3 * 8 << 15, 3 * 8 << 15),          # at most what the system reports
    (1 << 30, None, 3 * 8 << 24),                 # never slow: the largest probe
])
def test_cache_bytes_is_where_passes_leave_the_cache_rate(monkeypatch, slow_from, sysfs, want):
    """tune's cache size is measured on product passes: a VM may report its socket's
    whole cache (480 MiB on one) where its passes slow from a few MiB."""
    from sigconv import _transform_constants as T
    monkeypatch.setattr(T, "per_element", lambda itemsize, repeats, size:
                        3e-9 if size >= slow_from else 1e-9)
    monkeypatch.setattr(_runtime, "last_cache_bytes", lambda: sysfs)
    got = T.cache_bytes({"per_element": {8: 1e-9}, "per_element_memory": {8: 3e-9}}, 1)
    assert got == want


@pytest.mark.parametrize("n, k", [(100_000, 65), (100_000, 1025), (10_000, 129)])
def test_overlap_add_is_never_preferred_where_overlap_save_runs_as_rows(n, k):
    est = sigconv.choose_method(np.ones(n, np.float32), np.ones(k, np.float32), "same").estimates
    assert est["oa"] >= est["os"]


def test_one_channel_layers_pay_their_own_per_sample_cost():
    from sigconv.engines import layer_cost
    cal = {"gather": 0.0, "gemm_mac": 0.0, "im2col_sample": 8e-6, "im2col_sample_single": 2e-6}
    assert layer_cost.im2col_seconds(cal, (32, 1, 10, 10), (16, 1, 3, 3), (8, 8)) == \
        pytest.approx(32 * 2e-6)
    assert layer_cost.im2col_seconds(cal, (32, 16, 10, 10), (32, 16, 3, 3), (8, 8)) == \
        pytest.approx(32 * 8e-6)


def test_batched_rows_and_single_transforms_have_their_own_rates():
    cal = {"fft_real": {4: 1e-9, 8: 2e-9}, "fft_complex": {4: 2e-9, 8: 4e-9}, "fft_call": 0.0,
           "fft_1d": {4: 0.5, 8: 0.75}, "fft_rows": 0.25, "thread_speedup": 1.0, "cores": 1,
           "f32_row_threads": 1 << 22}
    work = 1024 * 10
    assert cost.transform_seconds(cal, 1024, 1, True, 8, 1, 2) == pytest.approx(work * 2e-9)
    assert cost.transform_seconds(cal, 1024, 1, True, 8, 1, 1) == pytest.approx(work * 1.5e-9)
    assert cost.transform_seconds(cal, 1024, 1, True, 4, 1, 1) == pytest.approx(work * 0.5e-9)
    assert cost.transform_seconds(cal, 512, 3, True, 8, 1, 1, rows=True) == \
        pytest.approx(3 * 512 * 9 * 0.5e-9)
    assert cost.transform_seconds(cal, 1 << 14, 3, True, 8, 1, 1, rows=True) == \
        pytest.approx(3 * (1 << 14) * 14 * 1.5e-9)
    mid = cost.transform_seconds(cal, 1 << 11, 1, True, 8, 1, 1, rows=True) / (2048 * 11)
    assert 0.5e-9 < mid < 1.5e-9


def test_complex_transforms_over_axes_are_priced_at_scipy_ffts_rate_and_threads():
    cal = {"fft_real": {8: 2e-9}, "fft_complex": {8: 4e-9}, "fft_call": 0.0,
           "fft_1d": {8: 0.75}, "fft_rows": 0.25, "thread_speedup": 1.25, "cores": 2,
           "scipy_fft": {"factor": 1.5, "penalty": 0.0625, "speedup": 2.0}}
    big = cost.LARGE_POINTS * 16                          # four doublings past it
    work = big * math.log2(big)
    # complex over two axes: scipy.fft's factor, penalty and speed-up of two threads
    assert cost.transform_seconds(cal, big, 1, False, 8, 2, 2) == \
        pytest.approx(work * 4e-9 * 1.5 * (1 + 4 * 0.0625) / 2.0)
    # real ones, and complex ones over one axis, keep FFTW's penalty and speed-up
    assert cost.transform_seconds(cal, big, 1, True, 8, 2, 2) == \
        pytest.approx(work * 2e-9 * (1 + 4 * cost.LARGE_PENALTY) / 1.25)
    assert cost.transform_seconds(cal, big, 1, False, 8, 2, 1) == \
        pytest.approx(work * 4e-9 * 0.75 * (1 + 4 * cost.LARGE_PENALTY) / 1.25)


def test_real_float32_rows_are_priced_on_the_calibrations_threads():
    cal = {"fft_real": {4: 1e-9, 8: 1e-9}, "fft_complex": {4: 2e-9, 8: 2e-9}, "fft_call": 0.0,
           "fft_1d": {4: 1.0, 8: 1.0}, "fft_rows": 1.0, "single_factor_f": {},
           "single_factor_d": {}, "thread_speedup": 2.0, "cores": 2}
    n = 1 << 20                                         # two doublings past LARGE_POINTS
    work = n * 20 * 1e-9 * (1 + 2 * cost.LARGE_PENALTY)
    for least, speedup in ((1 << 22, 1.0), (1 << 20, 2.0), (1 << 16, 2.0)):
        cal["f32_row_threads"] = least
        assert cost.transform_seconds(cal, n, 1, True, 4, 2, 1) == \
            pytest.approx(work / speedup)
    # float64 rows, and float32 over two axes, take threads from THREAD_MIN_ELEMENTS
    cal["f32_row_threads"] = 1 << 22
    assert cost.transform_seconds(cal, n, 1, True, 8, 2, 1) == pytest.approx(work / 2.0)
    assert cost.transform_seconds(cal, n, 1, True, 4, 2, 2) == pytest.approx(work / 2.0)


def _random_problems(seed, count):
    """(x, kernel, mode, kwargs) of random 1-3-D shapes, dtypes, strides and boundaries."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        nd = int(rng.integers(1, 4))
        top = {1: 200_000, 2: 700, 3: 70}[nd]
        xs = tuple(int(v) for v in rng.integers(1, top, nd))
        ks = tuple(int(min(v, 2 * s)) for v, s in zip(rng.integers(1, max(2, top // 8), nd), xs))
        dt = rng.choice(["float32", "float64", "complex128"])
        kw = {"stride": int(rng.choice([1, 1, 2])),
              "boundary": str(rng.choice(["constant", "reflect"]))}
        yield (np.ones(xs, dt), np.ones(ks, dt), str(rng.choice(["full", "same", "valid"])), kw)


def _shipped_calibrations():
    """The generic shipped constants and every processor model's shipped calibration."""
    found = [("generic", _runtime.Calibration(CALIBRATION))]
    for path in sorted(_calibration_store.DATA.glob("calibration-*.json")):
        words = tuple(path.stem.split("-")[1:])
        found.append((path.stem, _calibration_store.shipped(words)))
    return found


SHIPPED_CALIBRATIONS = _shipped_calibrations()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("cal", [c for _, c in SHIPPED_CALIBRATIONS],
                         ids=[name for name, _ in SHIPPED_CALIBRATIONS])
def test_the_transform_floor_is_below_every_transform_estimate(seed, cal):
    """The floor lets 'auto' skip the model only where the model would pick the direct
    sum too: it must never exceed a transform method's estimate."""
    from sigconv import _plan
    below = 0
    small = [(np.ones(n, dt), np.ones(k, dt), "same", {"stride": 1, "boundary": "constant"})
             for n, k, dt in [(10**4, 3, "float64"), (3 * 10**4, 3, "float32"),
                              (10**5, 3, "float64"), (10**6, 3, "float32"),
                              (3 * 10**5, 5, "float64"), (10**6, 3, "float64"),
                              (3 * 10**6, 3, "float32")]]
    for x, k, mode, kw in list(_random_problems(seed, 60)) + small:
        try:
            plan = _plan.make_plan("convolve", x, k, mode, "auto", None, kw["boundary"], 0,
                                   "scipy", kw["stride"], 1, None, "propagate", None)
        except ValueError:            # a 'valid' kernel larger than the input on one axis
            continue
        if not plan.out_shape or 0 in plan.out_shape:
            continue
        est = cost.estimates(cal, plan.problem, 1 << 40)
        floor = cost.transform_floor(cal, plan.problem)
        assert floor <= min(est[m].seconds for m in ("fft", "os", "oa")), (x.shape, k.shape)
        full = min(est, key=lambda m: est[m].seconds)
        if cost.direct_estimate(cal, plan.problem) < floor:
            assert full == "direct"
            below += 1
    assert below >= 2                 # the shortcut is exercised


def test_every_transform_estimate_includes_the_engine_call():
    """A transform engine's call costs ``spectral_call`` beyond its transforms: with it
    raised by one second, every transform estimate (fft, os rows, oa blocks, tiles)
    rises by one second and the direct sum's does not."""
    from sigconv import _plan
    cal = _runtime.calibration()
    dear = _runtime.Calibration(cal)
    dear["spectral_call"] = cal["spectral_call"] + 1.0
    for x, k in [(np.ones(10_000), np.ones(65)), (np.ones((300, 300)), np.ones((9, 9))),
                 (np.ones((2, 200, 200), np.float32), np.ones((1, 31, 31), np.float32))]:
        plan = _plan.make_plan("convolve", x, k, "same", "auto", None, "constant", 0,
                               "scipy", 1, 1, None, "propagate", None)
        a = cost.estimates(cal, plan.problem, 1 << 40)
        b = cost.estimates(dear, plan.problem, 1 << 40)
        assert b["direct"].seconds == a["direct"].seconds
        for m in ("fft", "os", "oa"):
            assert b[m].seconds - a[m].seconds == pytest.approx(1.0), m


def _row_block_everywhere(ke, L, factors):
    """row_block's rule applied to every candidate length: no early stop."""
    best = None
    for N in overlap_engine._candidates(2 * ke, max(2 * ke, L + ke - 1)):
        B = min(N - ke + 1, L)
        work = 2 * N * np.log2(N) * factors.get(N, 1.0)
        per = (work + overlap_engine.ROW_ELEMENT_COST * N) / B
        if best is None or per < best[0] * 0.98:
            best = (per, N, B)
    return best[1], best[1], best[2]


def test_row_block_with_per_length_rates_finds_what_a_full_search_finds():
    rng = np.random.default_rng(21)
    lengths = plan_record.lengths(1 << 17)
    for trial in range(60):
        factors = {n: float(f) for n, f in zip(lengths, rng.uniform(0.4, 2.5, len(lengths)))}
        ke = int(rng.choice([1, 3, 9, 17, 65, 257, 1025, 4097]))
        L = int(rng.choice([10, 1000, 100_000, 10**6]))
        assert overlap_engine.row_block(ke, L, factors) == _row_block_everywhere(ke, L, factors)
    shipped = cost.row_factors(sigconv._runtime.SHIPPED, 4)
    assert shipped and cost.row_factors(sigconv._runtime.SHIPPED, 8, complex_=True) == {}
    assert overlap_engine.row_block(65, 10**5, shipped) == _row_block_everywhere(65, 10**5,
                                                                                shipped)


def test_rows_estimate_follows_the_rate_of_its_length():
    x, k = np.ones(100_000), np.ones(65)
    plan = sigconv._plan.make_plan("convolve", x, k, "full", "os", None, "constant", 0,
                                   "scipy", 1, 1, None, "propagate", 1)
    cal = dict(sigconv._runtime.SHIPPED)
    N = cost.rows_estimate(cal, plan.problem).blocks[0][0]
    slow = dict(cal, row_factor_d={**cal["row_factor_d"], N: cal["row_factor_d"][N] * 3})
    slower = cost.rows_estimate(slow, plan.problem)
    assert slower.blocks[0][0] != N or slower.seconds > cost.rows_estimate(cal, plan.problem).seconds


def test_fft_estimate_follows_the_rate_of_its_length():
    x, k = np.ones(100_000), np.ones(4097)
    plan = sigconv._plan.make_plan("convolve", x, k, "same", "fft", None, "constant", 0,
                                   "scipy", 1, 1, None, "propagate", 1)
    cal = sigconv._runtime.SHIPPED
    (N, _), = cost.single_sizes(plan.problem)
    assert N in cal["single_factor_d"] and cost.single_factors(cal, 8, complex_=True) == {}
    base = cost.fft_estimate(cal, plan.problem).seconds
    one = cost.transform_seconds(cal, N, 1, True, 8, 1, 1)
    slow = _runtime.Calibration(cal, single_factor_d={**cal["single_factor_d"],
                                                      N: cal["single_factor_d"][N] * 3})
    # forward and inverse transforms of N points, each at 3x its work (the kernel's
    # spectrum is remembered between calls), and the kernel's too where it is not
    work = one - cal["fft_call"]
    assert plan.problem.kernel_kept
    assert cost.fft_estimate(slow, plan.problem).seconds - base == pytest.approx(2 * 2 * work)
    new_kernel = plan.problem._replace(kernel_kept=False)
    assert cost.fft_estimate(slow, new_kernel).seconds - \
        cost.fft_estimate(cal, new_kernel).seconds == pytest.approx(3 * 2 * work)
    for p in (plan.problem, new_kernel):
        assert cost.transform_floor(slow, p) <= cost.fft_estimate(slow, p).seconds


def test_the_model_prices_a_kernel_spectrum_only_where_the_engines_do_not_keep_it():
    """Kernels of up to SPECTRUM_CACHE_KERNEL elements have their spectra remembered
    between calls: the second call with one makes no kernel transform, and the model
    prices that call; a larger kernel's spectrum is made on every call."""
    from sigconv.engines import fft as fft_engine
    calls = []
    for size, kept in ((4097, True), (fft_engine.SPECTRUM_CACHE_KERNEL + 1, False)):
        x, k = np.ones(2 * size), np.linspace(1.0, 2.0, size)
        plan = sigconv._plan.make_plan("convolve", x, k, "full", "fft", None, "constant",
                                       0, "scipy", 1, 1, None, "propagate", 1)
        assert plan.problem.kernel_kept is kept
        fft_engine._spectra.clear()
        sigconv.convolve(x, k, method="fft")
        before = len(calls)
        real = fft_engine.KernelSpectrum.__init__

        def spy(self, *a, **kw):
            calls.append(size)
            real(self, *a, **kw)
        fft_engine.KernelSpectrum.__init__ = spy
        try:
            sigconv.convolve(x, k, method="fft")
        finally:
            fft_engine.KernelSpectrum.__init__ = real
        assert (len(calls) == before) is kept


def test_the_opencv_estimate_counts_threads_only_where_the_engine_splits(monkeypatch):
    """256^2 x 17x17 float32 is one band (too few rows per kernel row to cut): the
    engine runs it on one thread whatever ``workers`` says, and the model must not price
    it as sped up; 1024^2 is cut into bands and runs on both threads."""
    from sigconv import _plan, _threads
    from sigconv.engines import opencv

    cal = _runtime.Calibration(_runtime.calibration(), thread_speedup=1.8)
    shared = []
    real_share = _threads.share
    monkeypatch.setattr(opencv._threads, "share",
                        lambda tasks, n, fn: shared.append(len(tasks)) or
                        real_share(tasks, n, fn))
    k = np.arange(17 * 17, dtype=np.float32).reshape(17, 17) / 289

    def estimate(x, workers):
        plan = _plan.make_plan("convolve", x, k, "same", "direct", None, "constant", 0,
                               "scipy", 1, 1, None, "propagate", workers)
        assert plan.problem.cv == "f"
        return cost.direct_estimate(cal, plan.problem)

    for n, splits in [(256, False), (1024, True)]:
        x = np.random.default_rng(n).standard_normal((n, n)).astype(np.float32)
        shared.clear()
        got = sigconv.convolve(x, k, "same", method="direct", workers=2)
        np.testing.assert_allclose(got, scipy.signal.convolve2d(x, k, "same"),
                                   rtol=1e-4, atol=1e-3)
        assert bool(shared) == splits, (n, shared)
        assert (estimate(x, 2) < estimate(x, 1)) == splits, n
