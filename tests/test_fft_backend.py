"""sigconv.fft: fast lengths, the plan cache, wisdom files, the scipy.fft fallback."""

import importlib
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.fft as sfft
from scipy import signal

import sigconv
import sigconv.fft as sfw
from sigconv import WisdomError, _runtime
from sigconv.fft.plans import PlanCache

B = importlib.import_module("sigconv.fft.backend")


def _smooth(n):
    for p in (2, 3, 5, 7):
        while n % p == 0:
            n //= p
    return n in (1, 11, 13)


@pytest.mark.parametrize("n", [1, 2, 97, 1000, 1025, 10007, 65537, 10**6 + 3])
def test_next_fast_len_is_the_smallest_fftw_friendly_size(n):
    m = sfw.next_fast_len(n, real=False)
    assert m >= n and _smooth(m)
    assert not any(_smooth(j) for j in range(n, m))


@pytest.mark.parametrize("n", [97, 10007, 65537])
def test_next_fast_len_real_is_fast_and_never_much_longer(n):
    m = sfw.next_fast_len(n)
    assert _smooth(m) and n <= m <= sfw.next_fast_len(n, real=False) * 1.02


def _factors(n):
    out = {}
    for p in (2, 3, 5, 7, 11, 13):
        while n % p == 0:
            out[p] = out.get(p, 0) + 1
            n //= p
    return out, n


@pytest.mark.parametrize("n", [1, 2, 17, 65, 97, 1000, 1025, 4224, 11024, 10**5 + 1024,
                               10**6 + 65536, 2 * 10**6, 10**7 + 65536])
def test_cheapest_len_is_a_friendly_length_at_most_a_quarter_longer(n):
    m = sfw.cheapest_len(n)
    assert _smooth(m) and m >= n
    assert m <= max(sfw.next_fast_len(n), 1.25 * n)


def test_cheapest_len_weighs_the_factors_as_documented():
    # the cost per N log2 N, recomputed from the factors: odd lengths x2, one 2 +1/4,
    # 11/13 +1/4, each 7 +1/10, each 3 or 5 +3/100, past 2**18 each 2 beyond 2**14 +1/10
    def model(m):
        f, rest = _factors(m)
        assert rest == 1
        twos = f.get(2, 0)
        c = 1 + (1 if twos == 0 and m > 2 else 0.25 if twos == 1 else 0)
        c += 0.03 * (f.get(3, 0) + f.get(5, 0)) + 0.1 * f.get(7, 0)
        c += 0.25 * (f.get(11, 0) + f.get(13, 0))
        c += 0.1 * max(0, twos - 14) if m > 2**18 else 0
        return m * np.log2(m) * c

    for n in (65, 1025, 11024, 70000, 10**6 + 65536):
        first = sfw.next_fast_len(n)
        window = [m for m in range(n, int(max(first, 1.25 * n)) + 1) if _smooth(m)]
        assert sfw.cheapest_len(n) == min(window, key=model)
    # measured here: 11088 = 2^4 3^2 7 11 ran 51 us, 11520 = 2^8 3^2 5 39 us
    assert (sfw.next_fast_len(11024), sfw.cheapest_len(11024)) == (11088, 11520)
    assert sfw.cheapest_len(4096) == 4096 and sfw.cheapest_len(2**20) != 2**20


def test_cheapest_len_table_is_the_rule_looked_up():
    from sigconv.fft import lengths
    # the shipped table is what the rule gives, and the rule never decreases (a step
    # function, so a lookup of the first value >= n is the rule's answer)
    assert lengths._CHEAPEST == lengths._cheapest_table()
    rng = np.random.default_rng(5)
    ns = list(range(1, 1 << 14)) + rng.integers(1 << 14, 1 << 20, 4000).tolist()
    ns += [m + d for m in lengths._CHEAPEST for d in (-1, 0, 1)]
    for n in ns:
        assert sfw.cheapest_len(n) == lengths._cheapest_rule(n), n
    rule = [lengths._cheapest_rule(n) for n in sorted(ns) if n > 0]
    assert rule == sorted(rule)
    # past the table, and for non-int sizes, the rule itself answers
    assert sfw.cheapest_len(2**20 + 1) == lengths._cheapest_rule(2**20 + 1)
    assert sfw.cheapest_len(np.int64(1000)) == sfw.cheapest_len(1000) == 1024


def test_fft_engine_pads_real_1d_problems_to_the_cheapest_length():
    from sigconv.engines.fft import transform_sizes
    real = transform_sizes((10000,), (1025,), (11024,), (1,), ((1024, 1024),), True)
    cplx = transform_sizes((10000,), (1025,), (11024,), (1,), ((1024, 1024),), False)
    assert real == [(11520, 11520)] and cplx == [(sfw.next_fast_len(11024),) * 2]
    # on two or more axes the padding multiplies: the smallest fast lengths
    assert transform_sizes((64,) * 3, (3,) * 3, (66,) * 3, (1,) * 3, ((2, 2),) * 3,
                           True) == [(66, 66)] * 3
    x, w = np.random.default_rng(0).standard_normal((2, 10000))[0], np.ones(1025)
    np.testing.assert_allclose(sigconv.convolve(x, w, method="fft"), np.convolve(x, w),
                               atol=1e-9)


def test_real_transforms_over_several_axes_have_an_even_last_axis():
    """FFTW's estimated plans run an odd last axis of a real transform slowly (and on
    threads hundreds of times slower), so the engines pad it to an even fast length; the
    results stay the convolution (against scipy's direct sum)."""
    from sigconv.engines import tiled
    from sigconv.engines.fft import transform_sizes
    from sigconv.fft.lengths import even_fast_len
    for n in range(1, 3000):
        m = even_fast_len(n)
        assert m >= n and m % 2 == 0 and m == sfw.next_fast_len(m, real=False)
        assert not any(k % 2 == 0 and sfw.next_fast_len(k, real=False) == k
                       for k in range(n, m))
    sizes = transform_sizes((64,) * 3, (12,) * 3, (75,) * 3, (1,) * 3, ((11, 11),) * 3, True)
    assert sizes == [(75, 75), (75, 75), (78, 78)]
    strided = transform_sizes((40, 40), (5, 5), (15, 15), (3, 3), ((2, 2),) * 2, True)
    assert strided[0] == (45, 15) and strided[1][0] % 2 == 0
    assert transform_sizes((64,) * 3, (12,) * 3, (75,) * 3, (1,) * 3, ((11, 11),) * 3,
                           False) == [(75, 75)] * 3          # complex: any fast length
    assert all(t % 2 == 0 for t in tiled.tile_lengths(64, 12, last=True))
    assert tiled.tile_shape((5, 700), (5, 3))[0] == 9        # only the last axis is even
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((20, 18, 21)), rng.standard_normal((6, 5, 6))
    for mode in ("full", "same"):
        np.testing.assert_allclose(sigconv.convolve(x, w, mode, method="fft"),
                                   signal.convolve(x, w, mode, method="direct"), atol=1e-10)
    np.testing.assert_allclose(sigconv.convolve(x, w, stride=3, method="fft"),
                               signal.convolve(x, w, method="direct")[::3, ::3, ::3],
                               atol=1e-10)


@pytest.mark.parametrize("dtype, least, threads", [("float32", 1 << 22, 1),
                                                    ("float32", 1 << 16, 2),
                                                    ("float64", 1 << 22, 2)])
def test_real_float32_rows_take_threads_from_the_calibrations_length(dtype, least, threads,
                                                                     monkeypatch):
    """Real float32 transforms over one axis take the call's threads from the calibration's
    ``f32_row_threads`` points (FFTW's estimated plans of 552960 points ran 2.5x slower on
    two threads than on one on one processor, 1.8x faster on another), float64 ones from
    THREAD_MIN_ELEMENTS.  The result is the convolution either way."""
    from sigconv import _runtime
    from sigconv.engines import fft as fft_engine
    seen = []
    real = fft_engine.slot
    monkeypatch.setattr(fft_engine, "slot",
                        lambda kind, shape, nsp, dt, th, res: seen.append(th) or
                        real(kind, shape, nsp, dt, th, res))
    rng = np.random.default_rng(3)
    x, k = (rng.standard_normal(n).astype(dtype) for n in (400_000, 1000))
    _runtime.set_calibration({**_runtime.calibration(), "f32_row_threads": least})
    try:
        got = sigconv.convolve(x, k, method="fft", workers=2)
    finally:
        _runtime.set_calibration(None)
    assert fft_engine.THREAD_MIN_ELEMENTS <= x.size + k.size < 1 << 22
    assert seen and set(seen) == {threads}
    want = signal.fftconvolve(x.astype(float), k.astype(float))
    np.testing.assert_allclose(got, want, atol=(1e-3 if dtype == "float32" else 1e-9)
                               * np.abs(want).max())


def test_next_fast_len_refuses_sizes_beyond_its_table():
    with pytest.raises(ValueError, match=r"next_fast_len: n must be <= \d+; got"):
        sfw.next_fast_len(2**41)


def test_backend_reports_pyfftw():
    assert sfw.backend() == "pyfftw"


def test_fallback_to_scipy_warns_once_and_agrees(monkeypatch):
    """C7: pyFFTW missing -> scipy.fft, one warning, same results."""
    x = np.random.default_rng(0).standard_normal(500)
    k = np.random.default_rng(1).standard_normal(31)
    ref = sigconv.convolve(x, k, method="fft")
    monkeypatch.setitem(_runtime._pyfftw_state, "module", None)
    monkeypatch.setitem(_runtime._pyfftw_state, "error", ImportError("no module named pyfftw"))
    monkeypatch.setitem(B._state, "backend", "scipy")
    monkeypatch.setitem(B._state, "warned", False)
    with pytest.warns(RuntimeWarning, match="pyFFTW is not available .*using scipy.fft"):
        assert sfw.backend() == "scipy"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("fft", "os", "oa"):
            out = sigconv.convolve(x, k, method=method)
            np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    with pytest.raises(ImportError, match="set_backend: pyFFTW cannot be imported"):
        sfw.set_backend("pyfftw")


def test_set_backend_validates_its_argument():
    with pytest.raises(ValueError, match="set_backend: name must be one of 'pyfftw', 'scipy'; got 'mkl'"):
        sfw.set_backend("mkl")


@pytest.mark.parametrize("change,match", [
    (dict(planner_effort="exhaustive"),
     "planner_effort must be one of 'estimate', 'measure', 'patient'; got 'exhaustive'"),
    (dict(planning_timelimit=0),
     "planning_timelimit must be a positive number of seconds or 'auto'; got 0"),
    (dict(max_memory=-5), r"max_memory must be None or a non-negative int \(bytes\); got -5"),
    (dict(colour="red"), "unknown option 'colour'"),
])
def test_set_options_validates(change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        sfw.set_options(**change)


@pytest.mark.parametrize("kind,shape", [("r2c", (6, 10)), ("fwd", (6, 10)),
                                        ("c2r", (6, 10)), ("inv", (6, 10))])
def test_slots_compute_unnormalized_transforms(kind, shape):
    rng = np.random.default_rng(2)
    cache = PlanCache(1 << 20)
    with cache.slot(kind, shape, 2, np.dtype(np.float64), 1) as slot:
        data = rng.standard_normal(slot.input.shape)
        if slot.input.dtype.kind == "c":
            data = data + 1j * rng.standard_normal(slot.input.shape)
        if kind == "c2r":
            data = sfft.rfftn(rng.standard_normal(shape))
        slot.input[...] = data
        out = slot.execute().copy()
    ref = {"r2c": lambda: sfft.rfftn(data), "fwd": lambda: sfft.fftn(data),
           "c2r": lambda: sfft.irfftn(data, s=shape, norm="forward"),
           "inv": lambda: sfft.ifftn(data, norm="forward")}[kind]()
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-10)


def test_cache_is_bounded_by_bytes_with_lru_eviction():
    cache = PlanCache(1500)
    f8 = np.dtype(np.float64)
    for n in (16, 24, 32, 40, 48):            # each r2c plan of n points: 8n + 16(n//2+1) bytes
        with cache.slot("r2c", (n,), 1, f8, 1):
            pass
    info = cache.info()
    assert info["bytes"] <= 1500 and info["plans"] == 2
    with cache.slot("r2c", (48,), 1, f8, 1):      # most recent: still cached
        pass
    assert cache.info()["planned"] == 5
    with cache.slot("r2c", (16,), 1, f8, 1):      # least recent: evicted, re-planned
        pass
    assert cache.info()["planned"] == 6
    cache.clear()
    assert cache.info() == {"plans": 0, "bytes": 0, "max_bytes": 1500, "planned": 6}


def test_cache_keys_distinguish_dtype_threads_and_rank():
    cache = PlanCache(1 << 20)
    for dtype, threads, nsp in [(np.float64, 1, 1), (np.float32, 1, 1), (np.float64, 2, 1),
                                (np.float64, 1, 2)]:
        with cache.slot("r2c", (4, 8), nsp, np.dtype(dtype), threads) as slot:
            assert slot.input.dtype == dtype
    assert cache.info()["planned"] == 4


def test_a_plan_is_lent_to_one_user_at_a_time():
    cache = PlanCache(1 << 20)
    f8 = np.dtype(np.float64)
    with cache.slot("r2c", (8,), 1, f8, 1) as a:
        with cache.slot("r2c", (8,), 1, f8, 1) as b:
            assert a is not b and not np.shares_memory(a.input, b.input)
    assert cache.info()["plans"] == 2


@pytest.mark.parametrize("kind", ["fwd", "inv"])
def test_complex_squares_without_wisdom_run_in_place_on_buffers_nobody_keeps(kind):
    """A complex transform over two axes that FFTW has no wisdom for runs on scipy.fft in
    place: the same bits as scipy.fft out of place, the result is the slot's own input,
    and the next slot of that shape gets a new buffer (the result may be kept)."""
    from sigconv.fft.pocketfft import ScipySlot
    rng = np.random.default_rng(7)
    shape = (3, 46, 58)                        # no wisdom or record holds complex squares
    data = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    cache = PlanCache(1 << 30)
    kept = []
    for _ in range(2):
        with cache.slot(kind, shape, 2, np.dtype(np.float64), 1) as slot:
            assert isinstance(slot, ScipySlot) and slot.owned
            slot.input[...] = data
            kept.append(slot.execute())
            assert np.shares_memory(kept[-1], slot.input)
    want = sfft.fftn(data, axes=(1, 2)) if kind == "fwd" else \
        sfft.ifftn(data, axes=(1, 2), norm="forward")
    assert not np.shares_memory(kept[0], kept[1])
    np.testing.assert_array_equal(kept[0], want)
    np.testing.assert_array_equal(kept[1], want)
    assert cache.info() == {"plans": 0, "bytes": 0, "max_bytes": 1 << 30, "planned": 0}


def test_a_shape_found_without_wisdom_is_asked_again_after_load_wisdom(tmp_path):
    """A complex square without wisdom is remembered as scipy.fft's, until wisdom is
    loaded: then FFTW plans it from that wisdom."""
    f8, shape = np.dtype(np.float64), (2, 26, 22)
    cache = PlanCache(1 << 30)
    with cache.slot("fwd", shape, 2, f8, 1) as slot:
        assert slot.owned
    with cache.slot("fwd", shape, 2, f8, 1, effort="measure", timelimit=1.0) as slot:
        assert not slot.owned                     # measured: FFTW's wisdom holds it now
    with cache.slot("fwd", shape, 2, f8, 1) as slot:
        assert slot.owned                         # (still remembered without)
    path = tmp_path / "wisdom.txt"
    sfw.save_wisdom(path)
    sfw.load_wisdom(path)
    with cache.slot("fwd", shape, 2, f8, 1) as slot:
        assert not slot.owned


@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("xs,ks,kind", [((40, 36), (9, 5), "c"), ((12, 10, 14), (3, 4, 3), "c"),
                                        ((3000,), (101,), "c"), ((3000,), (101,), "f")])
def test_fft_results_handed_over_uncopied_are_not_touched_by_later_calls(rng, xs, ks, kind,
                                                                        mode):
    """A result by FFT that is one contiguous block of the inverse transform's buffer is
    that buffer, handed over (scipy.fft's slots own theirs; a cached FFTW plan gets a new
    one): later calls of the same shape must not write into results handed out before."""
    def draw(shape):
        a = rng.standard_normal(shape)
        return a + 1j * rng.standard_normal(shape) if kind == "c" else a
    pairs = [(draw(xs), draw(ks)) for _ in range(3)]
    got = [sigconv.convolve(x, k, mode, method="fft") for x, k in pairs]
    for (x, k), g in zip(pairs, got):
        assert g.flags.writeable and g.flags.c_contiguous
        np.testing.assert_allclose(g, signal.convolve(x, k, mode, method="direct"),
                                   rtol=1e-12, atol=1e-12)
    assert not any(np.shares_memory(a, b) for i, a in enumerate(got) for b in got[:i])


def test_a_plan_handing_its_output_over_writes_a_new_buffer_from_then_on():
    cache = PlanCache(1 << 20)
    f8 = np.dtype(np.float64)
    with cache.slot("r2c", (64,), 1, f8, 1) as slot:
        slot.input[...] = 1.0
        first = slot.execute()
        assert slot.hand_over()
        slot.input[...] = 2.0
        second = slot.execute()
    assert not np.shares_memory(first, second)
    assert first[0] == 64.0 and second[0] == 128.0
    with cache.slot("r2c", (64,), 1, f8, 1) as slot:      # the same plan, its new buffer
        assert cache.info()["planned"] == 1
        slot.input[...] = 3.0
        third = slot.execute()
    assert np.shares_memory(second, third) and first[0] == 64.0 and third[0] == 192.0


def test_a_complex_2d_fft_call_touches_two_buffers_of_its_transform_size():
    """Fresh memory is slow to touch on a first call, so the complex N-D FFT path without
    wisdom keeps two arrays of the transform's size (the kernel's spectrum, and the
    input's, which becomes the product, its inverse and the result), where buffers kept
    by cached plans take six.  Peak traced by tracemalloc (numpy reports its buffers),
    on the second call of the shape with a new kernel: the first also asks FFTW for
    wisdom of the transforms, on buffers it never touches."""
    import tracemalloc
    rng = np.random.default_rng(3)
    x = rng.standard_normal((400, 300)) + 1j * rng.standard_normal((400, 300))
    k = rng.standard_normal((33, 25)) + 1j * rng.standard_normal((33, 25))
    sigconv.convolve(x, -k, "full", method="fft")
    out_bytes = (400 + 33 - 1) * (300 + 25 - 1) * 16
    tracemalloc.start()
    try:
        got = sigconv.convolve(x, k, "full", method="fft")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = sfft.next_fast_len(432) * sfft.next_fast_len(324) * 16
    assert size == out_bytes                     # 432 and 324 are fast: 'full' is all of it
    assert peak < 2.5 * size, (peak, size)
    np.testing.assert_allclose(got, signal.fftconvolve(x, k), rtol=1e-10, atol=1e-9)


def test_wisdom_round_trip(tmp_path):
    path = tmp_path / "wisdom.txt"
    cache = PlanCache(1 << 20)
    with cache.slot("r2c", (90,), 1, np.dtype(np.float64), 1, effort="measure"):
        pass
    size = sfw.save_wisdom(path)
    text = path.read_text()
    assert size == len(text) and text.startswith("# sigconv FFTW wisdom 1\n# fftw fftw-3")
    assert "[double]" in text and "[single]" in text
    assert sfw.load_wisdom(path) is True
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".wisdom-")]


def _valid_text(tmp_path):
    path = tmp_path / "good.txt"
    sfw.save_wisdom(path)
    return path.read_text()


@pytest.mark.parametrize("content,match", [
    (b"", "is not a sigconv wisdom file"),
    (bytes(np.random.default_rng(7).integers(0, 256, 64, dtype=np.uint8)) + b"\xff",
     "binary data|is not a sigconv wisdom file"),
    (b"(fftw-3.3.5 fftw_wisdom)\n", "is not a sigconv wisdom file"),
    ("truncate", "truncated or corrupt"),
    ("foreign", "holds wisdom of fftw-0.0.1; this FFTW is fftw-3"),
    ("garbage", "was rejected by FFTW|truncated or corrupt"),
])
def test_corrupt_or_foreign_wisdom_is_refused(tmp_path, content, match):
    path = tmp_path / "bad.txt"
    good = _valid_text(tmp_path)
    if content == "truncate":
        content = good[: len(good) * 2 // 3].encode()
    elif content == "foreign":
        content = good.replace(good.split("\n")[1], "# fftw fftw-0.0.1").encode()
    elif content == "garbage":
        content = good.replace("[double]\n(fftw-", "[double]\n(fftw-3.3.5 fftw_wisdom #x1 #x2 #x3 #x4\n  (nonsense 1 2 3)\n)\n(fftw-", 1).encode()
    path.write_bytes(content)
    with pytest.raises(WisdomError, match=match):
        sfw.load_wisdom(path)


def test_missing_wisdom_file_is_a_wisdom_error(tmp_path):
    with pytest.raises(WisdomError, match="load_wisdom: cannot read wisdom file"):
        sfw.load_wisdom(tmp_path / "nope.txt")


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.txt"
    path.write_text("old contents")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="No space left"):
        sfw.save_wisdom(path)
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["w.txt"]


def test_import_never_reads_wisdom_or_fails_because_of_it(tmp_path):
    """C4: a corrupt wisdom file in the working directory cannot break ``import sigconv``."""
    (tmp_path / "wisdom.txt").write_bytes(b"\x00garbage")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    code = "import sigconv, sigconv.fft; print(sigconv.fft.backend())"
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "pyfftw", res.stderr


def test_spectrum_cache_defaults_to_the_plan_cache_bound():
    """None (the default) bounds kept kernel spectra like the plan cache; ints override."""
    assert sfw.get_options()["spectrum_cache_bytes"] is None
    assert _runtime.cache_bytes("spectrum") == _runtime.cache_bytes("plan")
    assert 256 << 20 <= _runtime.cache_bytes("spectrum") <= 1 << 30
    with sfw.options(spectrum_cache_bytes=1000):
        assert _runtime.cache_bytes("spectrum") == 1000
        assert _runtime.resources().cache_bytes == 1000
    with pytest.raises(ValueError, match="spectrum_cache_bytes must be None or a non-negative"):
        sfw.set_options(spectrum_cache_bytes=-1)


def _import_sigconv_showing_openmp(**env):
    """Import sigconv in a fresh process with libgomp printing its settings when loaded:
    ``(the wait policy libgomp reports or None, its spin count or None, the policy
    variables in os.environ after)``."""
    environ = {k: v for k, v in os.environ.items() if k not in _runtime._OMP_POLICY}
    environ.update(OMP_DISPLAY_ENV="VERBOSE", **env)
    code = ("import os, sigconv.fft; sigconv.fft.backend(); "
            "print([os.environ.get(k) for k in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')])")
    proc = subprocess.run([sys.executable, "-c", code],
                          capture_output=True, text=True, env=environ, timeout=120)
    assert proc.returncode == 0, proc.stderr

    def reported(name):
        values = [line.split("=")[1].strip(" '") for line in proc.stderr.splitlines()
                  if line.strip().startswith(name)]
        return values[0] if values else None
    return reported("OMP_WAIT_POLICY"), reported("GOMP_SPINCOUNT"), proc.stdout.strip()


@pytest.mark.skipif(_runtime.pyfftw() is None, reason="the OpenMP policy concerns pyFFTW's libgomp")
def test_pyfftw_openmp_threads_spin_briefly_and_the_environment_is_restored():
    policy, spin, after = _import_sigconv_showing_openmp()
    if policy is None:
        pytest.skip("this pyFFTW build does not load libgomp")
    assert spin == _runtime._OMP_SPIN == "30000"
    assert after == "[None, None]"


@pytest.mark.skipif(_runtime.pyfftw() is None, reason="the OpenMP policy concerns pyFFTW's libgomp")
def test_a_users_openmp_wait_policy_is_kept():
    policy, spin, after = _import_sigconv_showing_openmp(OMP_WAIT_POLICY="active")
    if policy is None:
        pytest.skip("this pyFFTW build does not load libgomp")
    assert policy == "ACTIVE" and after == "['active', None]"
    assert spin != _runtime._OMP_SPIN
    policy, spin, after = _import_sigconv_showing_openmp(GOMP_SPINCOUNT="17")
    assert spin == "17" and after == "[None, '17']"


def test_pyfftw_is_imported_without_its_dask_interface():
    """``import sigconv`` loads pyFFTW (its cost belongs to the import, not to a first
    call) but skips pyFFTW's dask interface (which would import all of dask.array), and
    dask stays importable afterwards."""
    code = ("import sys, sigconv; "
            "sigconv.convolve([1., 2.], [1., 1.], method='fft'); "
            "assert 'pyfftw' in sys.modules and 'dask.array' not in sys.modules; "
            "assert 'dask.array.fft' not in sys.modules; "
            "import dask.array.fft, pyfftw.interfaces.dask_fft; print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
