"""sigconv tune: the calibration and wisdom it saves, and how later processes load them."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import sigconv
from sigconv import _calibration_store, _runtime, _tune
from sigconv._calibration import CALIBRATION


@pytest.fixture
def small_family(monkeypatch):
    """Two transforms instead of the full family, and two constants' steps only, so a
    tune takes a second; the other constants keep their shipped values."""
    monkeypatch.setattr(_tune, "transform_family",
                        lambda quick=False: [("r2c", (96,), 1, "d", 1),
                                             ("c2r", (4, 96), 1, "f", 1)])
    real = _tune.measure_constants

    def measured(step=None, *, repeats=7):
        out = real(step, repeats=1)
        return out
    monkeypatch.setattr(_tune, "measure_constants", measured)
    yield
    _runtime.set_calibration(None)


def test_tune_saves_a_calibration_and_wisdom_that_a_new_process_loads(tmp_path, monkeypatch,
                                                                       small_family):
    monkeypatch.setenv("SIGCONV_CACHE_DIR", str(tmp_path))
    steps = []
    report = sigconv.tune(progress=lambda done, total, label: steps.append((done, total)))
    assert report["path"] == tmp_path and report["plans"] == 2
    assert steps[-1][0] == steps[-1][1] == len(steps)
    record = json.loads((tmp_path / "calibration.json").read_text())
    assert record["version"] == _calibration_store.VERSION
    assert record["machine"] == _runtime.machine()
    assert set(record["constants"]) == set(CALIBRATION)
    assert all(v > 0 for v in record["constants"]["fft_real"].values())
    assert (tmp_path / "wisdom.txt").read_text().startswith("# sigconv FFTW wisdom 1")
    assert _runtime.calibration()["fft_call"] == report["constants"]["fft_call"]
    code = ("import sigconv, sigconv._runtime as r; c = r.calibration(); "
            "print(c['fft_call'], c is r.SHIPPED)")
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    value, shipped = out.stdout.split()
    assert float(value) == pytest.approx(report["constants"]["fft_call"]) and shipped == "False"


def test_dry_run_saves_nothing(tmp_path, monkeypatch, small_family):
    monkeypatch.setenv("SIGCONV_CACHE_DIR", str(tmp_path))
    report = sigconv.tune(save=False)
    assert report["path"] is None and not list(tmp_path.iterdir())


def test_tune_keeps_each_constants_median_over_its_passes(monkeypatch):
    """A full tune measures the constants _tune.PASSES times and keeps, entry by entry,
    the median (an int's lower middle value: a measured threshold), so one noisy pass
    moves nothing; quick measures once."""
    import statistics
    monkeypatch.setattr(_tune, "transform_family", lambda quick=False: [])
    rng = np.random.default_rng(5)
    passes = []

    def measured(step=None, *, repeats=7):
        out = dict(CALIBRATION, cores=2)
        out["fft_call"] = float(rng.uniform(1e-6, 1e-5))
        out["f32_row_threads"] = int(2 ** rng.integers(16, 24))
        out["fft_real"] = {k: float(rng.uniform(1e-10, 1e-9)) for k in CALIBRATION["fft_real"]}
        for name in _tune.CONSTANT_STEPS:
            step(name)
        passes.append(out)
        return out
    monkeypatch.setattr(_tune, "measure_constants", measured)
    steps = []
    try:
        report = sigconv.tune(save=False, progress=lambda d, t, label: steps.append((d, t)))
        assert len(passes) == _tune.PASSES >= 3
        assert steps[-1] == (len(steps), _tune.PASSES * len(_tune.CONSTANT_STEPS))
        got = report["constants"]
        assert got["fft_call"] == statistics.median(p["fft_call"] for p in passes)
        assert got["f32_row_threads"] == sorted(p["f32_row_threads"]
                                                for p in passes)[(_tune.PASSES - 1) // 2]
        for k in CALIBRATION["fft_real"]:
            assert got["fft_real"][k] == statistics.median(p["fft_real"][k] for p in passes)
        assert got["source"] == passes[0]["source"]
        assert _runtime.calibration()["fft_call"] == got["fft_call"]
        passes.clear()
        report = sigconv.tune(quick=True, save=False)
        assert len(passes) == 1 and report["constants"]["fft_call"] == passes[0]["fft_call"]
    finally:
        _runtime.set_calibration(None)


@pytest.mark.parametrize("content, match", [
    ("{not json", "ignoring the calibration"),
    (json.dumps({"version": 1, "machine": {"processor": "elsewhere"}, "constants": {}}),
     "measured for another machine"),
    (json.dumps({"version": 99, "machine": {}, "constants": {}}), "another machine or"),
])
def test_a_foreign_or_corrupt_calibration_falls_back_to_the_shipped_one(tmp_path, monkeypatch,
                                                                        content, match):
    (tmp_path / "calibration.json").write_text(content)
    monkeypatch.setenv("SIGCONV_CACHE_DIR", str(tmp_path))
    _runtime.set_calibration(None)
    try:
        with pytest.warns(RuntimeWarning, match=match):
            assert _runtime.calibration() is _runtime.SHIPPED
    finally:
        _runtime.set_calibration(None)


def test_a_process_without_a_cache_uses_the_shipped_constants(tmp_path):
    code = "import sigconv._runtime as r; print(r.calibration() is r.SHIPPED)"
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path / "empty"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr


def test_unusable_wisdom_in_the_cache_warns_and_computing_goes_on(tmp_path):
    (tmp_path / "wisdom.txt").write_bytes(b"\x00not wisdom")
    code = ("import warnings, numpy as np, sigconv; warnings.simplefilter('always'); "
            "print(sigconv.convolve(np.ones(64), np.ones(8), method='fft').sum())")
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == pytest.approx(64 * 8)
    assert "FFTW wisdom not loaded" in out.stderr


def test_the_family_follows_the_engines_size_rules():
    family = _tune.transform_family(quick=True)
    assert family == sorted(set(family), key=lambda t: (np.prod(t[1]), t))
    from sigconv.engines import tiled
    tile = tiled.tile_shape((512, 512), (9, 9))
    assert ("r2c", tile, 2, "d", 1) in family
    kinds = {kind for kind, *_ in family}
    assert kinds <= {"r2c", "c2r", "fwd", "inv"}


@pytest.mark.parametrize("xs, ks", [((64,) * 3, (9,) * 3), ((1024, 1024), (17, 17)),
                                     ((128,) * 3, (7,) * 3), ((256, 256), (5, 5))])
@pytest.mark.parametrize("mode", ["full", "same"])
def test_the_family_holds_the_single_transforms_convolve_runs(monkeypatch, xs, ks, mode):
    """Each transform the FFT engine checks out for an image and kernel of tune's grid
    (sizes and threads) is one tune measures."""
    from sigconv.fft import plans
    seen, real_slot = [], plans.PlanCache.slot

    def slot(self, kind, shape, nsp, real_dtype, threads, **kw):
        seen.append((kind, shape, nsp, np.dtype(real_dtype).char, threads))
        return real_slot(self, kind, shape, nsp, real_dtype, threads, **kw)
    monkeypatch.setattr(plans.PlanCache, "slot", slot)
    family = set(_tune.transform_family())
    for dt in (np.float32, np.float64):
        seen.clear()
        got = sigconv.convolve(np.ones(xs, dt), np.ones(ks, dt), mode, method="fft")
        middle = tuple(n // 2 for n in got.shape)        # where every tap meets the image
        assert got[middle] == pytest.approx(np.prod(ks), rel=1e-5)
        assert {kind for kind, *_ in seen} == {"r2c", "c2r"}
        assert set(seen) <= family, set(seen) - family


def test_constants_have_the_shipped_layout():
    constants = _tune.measure_constants(repeats=1)
    assert set(constants) == set(CALIBRATION)
    for key, value in CALIBRATION.items():
        if isinstance(value, dict):
            assert set(constants[key]) == set(value), key
    assert _calibration_store.as_constants(constants, _runtime.SHIPPED)["cores"] == \
        _runtime.cores()


def test_every_shipped_processor_calibration_has_the_generic_layout():
    files = sorted(_calibration_store.DATA.glob("calibration-*.json"))
    assert files                     # at least the processor the defaults were measured on
    for path in files:
        words = tuple(path.stem.split("-")[1:])
        assert _calibration_store.shipped_path(words, path.parent) == str(path)
        shipped = _calibration_store.shipped(words)
        if words == _runtime.processor_id():         # this processor uses its own file
            assert dict(shipped) == dict(_runtime.SHIPPED)
        assert shipped["fft_real"] != CALIBRATION["fft_real"]       # not the generic
        record = json.loads(path.read_text())
        assert record["version"] == _calibration_store.VERSION
        assert " ".join(words) in record["machine"]["processor"]
        for key, value in CALIBRATION.items():
            if isinstance(value, dict):
                assert set(shipped[key]) == set(value), (path.name, key)
                assert all(v > 0 for v in shipped[key].values()), (path.name, key)
            else:
                assert type(shipped[key]) is type(value), (path.name, key)


def test_a_processor_model_gets_its_shipped_calibration_and_others_the_generic(tmp_path):
    constants = dict(CALIBRATION, fft_call=1.25e-3, source="a test processor")
    path = _calibration_store.shipped_path(("Vendor", "7", "9"), tmp_path)
    _calibration_store.write(path, constants, {"processor": "test"})
    mine = _calibration_store.shipped(("Vendor", "7", "9"), tmp_path)
    assert mine["fft_call"] == 1.25e-3 and mine["source"] == "a test processor"
    assert mine["fft_real"] == CALIBRATION["fft_real"]
    for other in [("Vendor", "7", "10"), ()]:
        generic = _calibration_store.shipped(other, tmp_path)
        assert generic["fft_call"] == CALIBRATION["fft_call"]
        assert generic["source"] == CALIBRATION["source"]
    assert [p.name for p in tmp_path.iterdir()] == ["calibration-Vendor-7-9.json"]


def test_the_machine_names_the_processor_model():
    words = _runtime.processor_id()
    cpuinfo = {}
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
            key, _, value = line.partition(":")
            cpuinfo.setdefault(key.strip(), value.strip())
    expected = tuple(cpuinfo.get(k, "") for k in ("vendor_id", "cpu family", "model"))
    assert words == (expected if all(expected) else ())
    if words:
        assert _runtime.machine()["processor"].endswith(f"({' '.join(words)})")


def test_scipy_fft_constants_agree_with_timing_scipy_fft_directly():
    import time

    import scipy.fft

    from sigconv import _transform_constants as T
    found = T.scipy_fft({"fft_complex": {8: 1e-9}}, 2, 5)
    a = np.ones((T.SCIPY_FFT_SIDES[0],) * 2, dtype=complex)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        scipy.fft.fftn(a, workers=1)
        times.append(time.perf_counter() - t0)
    rate = np.median(times) / (a.size * np.log2(a.size))
    # 'factor' is that rate over the 1e-9 given: the two timings agree within noise
    assert 0.33 < found["factor"] * 1e-9 / rate < 3
    assert 0 <= found["penalty"] < 1 and 1 <= found["speedup"] <= 2.2


def test_dot_taps_agrees_with_timing_numpy_correlate_directly():
    """The exponent of np.correlate's speed-up per multiply-add past 65 taps, against the
    same rates timed here with numpy alone (within the noise of a shared machine: the two
    are measured again, up to three times, until they agree; a wrong exponent never does)."""
    from sigconv._runtime import median_time
    x = np.ones(200_000)
    for _ in range(3):
        found = _tune._dot_taps(_tune._dot_macs(5), 5)
        rate = {k: median_time(lambda: np.correlate(x, np.ones(k), "valid"), 5)
                / ((x.size - k + 1) * k) for k in (65, 513)}
        exponent = np.log(rate[65] / rate[513]) / np.log(513 / 65)
        if abs(found["f"] - exponent) < 0.2:
            break
    assert set(found) == {"f", "c"} and all(0 <= e <= 1 for e in found.values())
    assert abs(found["f"] - exponent) < 0.2


def test_single_factors_rate_each_length_against_the_1d_reference(monkeypatch):
    from sigconv import _transform_constants as T
    from sigconv.fft import plan_record
    monkeypatch.setattr(plan_record, "lengths", lambda limit: [2048, 4096, 4608, 16384])
    factors = T.single_factors(np.float64, 3)
    assert sorted(factors) == [4096, 4608, 16384]          # from SINGLE_FACTOR_MIN on
    assert all(0 < f < 5 for f in factors.values())
    # 2**14 is one of the two reference lengths: its factor is r / mean(r, r(2**18))
    assert factors[16384] < 2


@pytest.mark.parametrize("faster_from, want", [(1 << 20, 1 << 20), (1 << 16, 1 << 16),
                                               (None, 2 * _tune.F32_ROW_LENGTHS[-1])])
def test_f32_row_threads_is_the_shortest_length_from_which_threads_always_pay(
        monkeypatch, faster_from, want):
    """The measured length is the shortest from which every longer one ran >= 10 % faster
    on all cores; a length where threads won below a loss does not count."""
    seen = []

    def timed(fn, repeats):
        fn()                                    # the transforms really run
        n, threads = seen[-1]
        pays = faster_from is not None and n >= faster_from
        blip = n == faster_from // 4 if faster_from else False      # wins, below a loss
        return 1.0 if threads == 1 else 0.5 if pays or blip else 1.2
    real_slot = _tune.slot

    def slot(kind, shape, nsp, dt, threads, res):
        seen.append((shape[0], threads))
        return real_slot(kind, shape, nsp, dt, threads, res)
    monkeypatch.setattr(_runtime, "median_time", timed)
    monkeypatch.setattr(_tune, "slot", slot)
    assert _tune._f32_row_threads(2, 1) == want
    # from the longest length down, stopping at the first that did not pay
    assert seen[0][0] == _tune.F32_ROW_LENGTHS[-1]
