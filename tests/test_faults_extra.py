"""FAULTS.md cases not yet tried on every method they apply to (see docs/faults.rst).

Each test names its FAULTS row.  The other rows are covered where the feature is tested
(tests/test_convolve_policy.py, test_faults_core.py, test_fft_backend.py, ...).
"""

import io
import os
import re
import threading
import time
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv
import sigconv.fft as sfw
from sigconv.definitions import discrete

from helpers import METHODS

ALL = ["auto"] + METHODS
TRANSFORMS = [m for m in METHODS if m != "direct"]
OPS = ["convolve", "correlate"]


# ---- A. shapes, modes, dtypes, memory layout ------------------------------------------

# A2: no silent broadcasting between different numbers of dimensions, on every method
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("a,b", [((64, 64), (3,)), ((), (3,)), ((2, 3, 4), (2, 2))], ids=str)
def test_a2_ndim_mismatch_on_every_method(method, a, b):
    with pytest.raises(sigconv.ShapeError, match=r"convolve: in1 and in2 should have the same "
                       r"dimensionality: " + re.escape(f"{a} vs {b}")):
        sigconv.convolve(np.ones(a), np.ones(b), method=method)


# A3: 'valid' with neither input larger in every dimension, on every method and both orders
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("s1,s2", [((2, 3), (3, 2)), ((3, 2), (2, 3))], ids=str)
def test_a3_valid_neither_larger_on_every_method(method, op, s1, s2):
    with pytest.raises(sigconv.ShapeError,
                       match=rf"{op}: for 'valid' mode, one must be at least as large as the "
                             rf"other in every dimension; got shapes " + re.escape(f"{s1} and {s2}")):
        getattr(sigconv, op)(np.ones(s1), np.ones(s2), "valid", method)


# A4: bad vocabulary and every kind of bad axes, on every method (2-D inputs)
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("kwargs,match", [
    (dict(mode="spam"), r"mode must be one of 'full', 'same', 'valid'; got 'spam'"),
    (dict(mode=None), r"mode must be one of 'full', 'same', 'valid'; got None"),
    (dict(axes=[]), r"axes must not be empty"),
    (dict(axes=[0, 0]), r"axes must be unique; got \[0, 0\]"),
    (dict(axes=[1.0]), r"axes must be integers"),
    (dict(axes=[[1, 2]]), r"axes must be integers"),
    (dict(axes=[5]), r"axis 5 is out of range for 2-d inputs"),
    (dict(axes=[-3]), r"axis -3 is out of range for 2-d inputs"),
], ids=["mode-spam", "mode-None", "axes-empty", "axes-dup", "axes-float", "axes-nested",
        "axes-5", "axes--3"])
def test_a4_bad_arguments_on_every_method(method, kwargs, match):
    with pytest.raises(ValueError, match="convolve: " + match):
        sigconv.convolve(np.ones((4, 5)), np.ones((2, 2)), method=method, **kwargs)


def test_a4_unknown_method_lists_the_methods():
    with pytest.raises(ValueError, match=r"convolve: method must be one of 'auto', 'direct', "
                                         r"'fft', 'oa', 'os'; got 'bacon'"):
        sigconv.convolve(np.ones(4), np.ones(2), method="bacon")


# A6: batch broadcasting on non-conv axes with 'auto' as well ((1,100) x (7,10), axes=1)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_a6_batch_broadcast_with_auto(mode):
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((1, 100)), rng.standard_normal((7, 10))
    got = sigconv.convolve(a, b, mode, "auto", axes=1)
    want = np.stack([np.convolve(a[0], b[i], mode) for i in range(7)])
    assert got.shape == want.shape
    assert_allclose(got, want, atol=1e-12)


# A7: ragged lists and object arrays of Fractions/Decimals are refused on every method
@pytest.mark.parametrize("method", ALL)
def test_a7_ragged_and_object_numbers_refused_on_every_method(method):
    from decimal import Decimal
    from fractions import Fraction
    with pytest.raises(sigconv.DTypeError, match="convolve: in1 is not a rectangular numeric array"):
        sigconv.convolve([[1, 2], [3]], [[1]], method=method)
    for value in ([Fraction(1, 3), Fraction(1, 2)], [Decimal("0.1"), Decimal("2")]):
        with pytest.raises(sigconv.DTypeError, match="convolve: unsupported dtype object"):
            sigconv.convolve(np.array(value, dtype=object), [1.0, 2.0], method=method)


def test_a7_object_arrays_refused_by_distributed():
    da = pytest.importorskip("dask.array")
    from sigconv import distributed
    with pytest.raises(sigconv.DTypeError, match="unsupported dtype object"):
        distributed.convolve(da.from_array(np.array([1, 2, 3], dtype=object), chunks=2),
                             np.ones(2))


# A8: bool counts, float16 -> float32 and long double also under 'auto'
def test_a8_dtype_policy_under_auto():
    got = sigconv.convolve([True, True, False], [True, True], method="auto")
    assert got.dtype == np.int64
    assert_array_equal(got, np.convolve([1, 1, 0], [1, 1]))
    h = np.arange(5, dtype=np.float16)
    got = sigconv.convolve(h, h[:3], method="auto")
    assert got.dtype == np.float32
    assert_array_equal(got, np.convolve(h.astype(np.float32), h[:3].astype(np.float32)))
    ld = np.arange(4, dtype=np.longdouble) / 3
    got = sigconv.convolve(ld, ld[:2], method="auto")
    assert got.dtype == np.longdouble
    assert_allclose(got, discrete.convolve(ld, ld[:2]), rtol=0,
                    atol=8 * float(np.finfo(np.longdouble).eps))


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps,
                    reason="long double is float64 on this platform")
def test_a8_oracle_keeps_long_double_precision():
    """The textbook sums once rounded long double terms to double (.item(), math.fsum)."""
    third = np.longdouble(1) / 3
    got = discrete.convolve(np.array([third, third]), np.array([third], dtype=np.longdouble))
    assert got.dtype == np.longdouble
    assert got[0] == third * third and got[0] != np.longdouble(float(third) * float(third))


# A9: big-endian integers and floats on every method: right values, native output
@pytest.mark.parametrize("method", ALL)
def test_a9_big_endian_on_every_method(method):
    got = sigconv.convolve(np.arange(10, dtype=">i4"), np.array([1, -1], dtype=">i2"),
                           method=method)
    assert got.dtype == np.int32 and got.dtype.isnative
    assert_array_equal(got, np.convolve(np.arange(10), [1, -1]))
    x = np.linspace(-1, 1, 37).astype(">f8")
    k = np.array([0.5, -2.0, 1.0], dtype=">f4")
    got = sigconv.correlate(x, k, "same", method)
    assert got.dtype == np.float64 and got.dtype.isnative
    assert_allclose(got, np.correlate(x.astype("<f8"), k.astype("<f8"), "same"), atol=1e-13)


# A10: a misaligned input between two aligned calls of the same shape clobbers nothing
@pytest.mark.parametrize("method", ALL)
def test_a10_misaligned_input_does_not_clobber_cached_results(method):
    rng = np.random.default_rng(10)
    base, k = rng.standard_normal((24, 20)), rng.standard_normal((5, 3))
    buf = np.zeros(base.size * 8 + 1, dtype=np.uint8)
    mis = np.frombuffer(buf[1:].data, dtype=np.float64).reshape(base.shape)
    mis[...] = base[::-1]
    first = sigconv.convolve(base, k, "same", method)
    keep = first.copy()
    second = sigconv.convolve(mis, k, "same", method)
    third = sigconv.convolve(base, k, "same", method)
    assert_array_equal(first, keep)
    assert_allclose(second, ss.convolve(base[::-1], k, "same"), atol=1e-12)
    assert_allclose(third, ss.convolve(base, k, "same"), atol=1e-12)
    assert_array_equal(mis, base[::-1])


# A11: read-only inputs under 'auto'; sigconv has no overwrite_input option at all
def test_a11_readonly_inputs_under_auto(tmp_path):
    path = tmp_path / "x.npy"
    data = np.arange(48.0).reshape(6, 8)
    np.save(path, data)
    x = np.load(path, mmap_mode="r")
    raw = np.frombuffer(np.arange(5.0).tobytes())
    assert not x.flags.writeable and not raw.flags.writeable
    assert_allclose(sigconv.convolve(x, np.ones((2, 2)), method="auto"),
                    ss.convolve(data, np.ones((2, 2))), atol=1e-12)
    assert_allclose(sigconv.convolve(raw, raw, method="auto"), np.convolve(raw, raw), atol=1e-12)
    assert_array_equal(np.load(path), data)
    with pytest.raises(TypeError, match="overwrite_input"):
        sigconv.convolve(x, np.ones((2, 2)), overwrite_input=True)


# A12: two consecutive calls of one shape return distinct, owned arrays (complex too)
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_a12_consecutive_results_are_distinct(method, dtype):
    rng = np.random.default_rng(12)
    a = (rng.standard_normal((2, 300)) + 1j * rng.standard_normal((2, 300))).astype(dtype) \
        if np.dtype(dtype).kind == "c" else rng.standard_normal((2, 300)).astype(dtype)
    k = a[:, :40].copy()
    r1 = sigconv.convolve(a[0], k[0], method=method)
    keep = r1.copy()
    r2 = sigconv.convolve(a[1], k[1], method=method)
    assert r1 is not r2 and not np.shares_memory(r1, r2)
    assert r1.flags.writeable and not np.shares_memory(r1, a)
    assert_array_equal(r1, keep)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    ref = np.convolve(a[1].astype(np.complex128), k[1].astype(np.complex128))
    assert_allclose(r2, ref if np.dtype(dtype).kind == "c" else ref.real, rtol=tol, atol=tol * 50)


# ---- B. numerics ------------------------------------------------------------------------

# B1: non-finite inputs stay local on the overlap methods too, with the warning
@pytest.mark.parametrize("method", TRANSFORMS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_b1_nonfinite_stays_local_on_transform_methods(method, bad):
    x = np.ones(3000)
    x[1500] = bad
    k = np.ones(201)
    direct = sigconv.convolve(x, k, method="direct")
    with pytest.warns(sigconv.NonFiniteFFTWarning,
                      match=rf"Use of {method} convolution \(method='{method}'\) on input "
                            r"with 1 non-finite value\(s\).*"
                            r"method='direct'"):
        got = sigconv.convolve(x, k, method=method)
    assert_array_equal(np.isfinite(got), np.isfinite(direct))
    assert (~np.isfinite(got)).sum() == 201
    assert_array_equal(got, direct)


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("op", OPS)
def test_b1_nan_policy_raise_on_every_method(method, op):
    x = np.arange(10.0)
    x[[2, 7]] = [np.nan, np.inf]
    with pytest.raises(ValueError, match=rf"{op}: inputs contain 2 non-finite value\(s\) and "
                                         r"nan_policy='raise'"):
        getattr(sigconv, op)(x, np.ones(3), method=method, nan_policy="raise")


# B2: explicit transform methods warn on integers beyond 2**52; 'auto' stays exact, silent
@pytest.mark.parametrize("method", TRANSFORMS)
def test_b2_large_integers_warn_on_explicit_transforms(method):
    a = np.full(4000, 2 ** 24)
    with pytest.warns(sigconv.PrecisionWarning,
                      match=rf"method='{method}' on integers this large may round wrongly"):
        got = sigconv.convolve(a, a[:100], method=method)
    assert got.dtype == np.int64


def test_b2_auto_is_exact_and_silent_on_large_integers():
    rng = np.random.default_rng(2)
    a = rng.integers(2 ** 23, 2 ** 24, 4000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sigconv.convolve(a, a[:100], method="auto")
    assert_array_equal(got, np.convolve(a, a[:100]))   # int64 sums < 2**55: exact


# B3: overflow of the result dtype is an error on every method, never a wrap-around
@pytest.mark.parametrize("method", ALL)
def test_b3_overflow_is_refused_on_every_method(method):
    with pytest.raises(sigconv.IntegerOverflowError, match="beyond the 64-bit integer range"):
        sigconv.convolve(np.array([2]), np.array([2 ** 62]), method=method)
    a = np.array([100, 100], dtype=np.int8)
    assert ss.convolve(a, a)[1] == 32                   # scipy wraps 20000 around
    with pytest.raises(sigconv.IntegerOverflowError, match="out_dtype=np.int16"):
        sigconv.convolve(a, a, method=method)
    got = sigconv.convolve(a, a, method=method, out_dtype=np.int16)
    assert got.dtype == np.int16
    assert_array_equal(got, [10000, 20000, 10000])


# B4: non-negative float inputs through transforms: negatives only at rounding level
@pytest.mark.parametrize("method", TRANSFORMS)
def test_b4_nonnegative_float_inputs_stay_within_rounding(method):
    rng = np.random.default_rng(4)
    a = rng.random(3000)
    a[1000:2000] = 0.0
    k = rng.random(101)
    got = sigconv.convolve(a, k, method=method)
    scale = a.max() * k.sum()
    eps = np.finfo(np.float64).eps
    assert got.min() >= -64 * eps * scale
    assert_allclose(got, np.convolve(a, k), rtol=0, atol=64 * eps * scale)


# B5: float32 stays float32 with scipy's tolerance on every method
@pytest.mark.parametrize("method", ALL)
def test_b5_float32_within_documented_tolerance(method):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(5000).astype(np.float32)
    k = rng.standard_normal(301).astype(np.float32)
    got = sigconv.convolve(x, k, method=method)
    ref = np.convolve(x.astype(np.float64), k.astype(np.float64))
    assert got.dtype == np.float32
    assert_allclose(got, ref, rtol=1e-4, atol=1e-6 * np.abs(ref).max())


# B8: matrix forms agree with convolve; wrong-length products are refused
def test_b8_matrix_forms_and_bad_lengths():
    from sigconv.matrices import circulant, toeplitz
    rng = np.random.default_rng(8)
    k, x = rng.standard_normal(4), rng.standard_normal(9)
    assert_allclose(toeplitz(k, 9) @ x, np.convolve(k, x), atol=1e-12)
    c = circulant(rng.standard_normal(9))
    y = np.real(np.fft.ifft(np.fft.fft(c[:, 0].toarray().ravel()) * np.fft.fft(x)))
    assert_allclose(c @ x, y, atol=1e-12)
    for fmt in ("sparse", "dense", "operator"):
        with pytest.raises(ValueError, match="dimension mismatch|mismatch in its core dimension"):
            toeplitz(k, 9, format=fmt) @ np.ones(8)
    with pytest.raises(ValueError, match=r"toeplitz: input_shape must be >= 0; got -2"):
        toeplitz(k, -2)


# ---- C. FFT backend ---------------------------------------------------------------------

# C2/C3: a cache bound so small that every release evicts, under 8 threads: no KeyError,
# results equal the serial ones, and the cache never holds more than its bound
def test_c2_c3_evictions_under_threads_give_serial_results():
    rng = np.random.default_rng(22)
    jobs = [(rng.standard_normal(100 + 7 * (i % 9)), rng.standard_normal(3 + i % 5),
             TRANSFORMS[i % 3]) for i in range(72)]
    serial = [discrete.convolve(x, k) for x, k, _ in jobs]
    with sfw.options(plan_cache_bytes=4096, planner_effort="estimate"):
        def run(i):
            x, k, m = jobs[i]
            return i, sigconv.convolve(x, k, method=m, workers=1)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(run, range(len(jobs))))
        info = sfw.cache_info()
    assert info["bytes"] <= 4096
    for i, out in results:
        assert_allclose(out, serial[i], rtol=1e-12, atol=1e-12, err_msg=f"job {i}")


def test_c3_changed_options_take_effect_on_the_next_call():
    """The planner effort is part of a plan's key: a changed option makes its own plans,
    and changing it back finds the earlier ones."""
    from sigconv import _runtime
    cache = sfw.PlanCache(1 << 20)
    f8 = np.dtype(np.float64)
    for effort in ("estimate", "measure", "estimate"):
        with sfw.options(planner_effort=effort):
            res = _runtime.resources()
            assert res.effort == effort
            with cache.slot("r2c", (96,), 1, f8, 1, effort=res.effort):
                pass
    assert cache.info()["planned"] == 2 and cache.info()["plans"] == 2


# C5: concurrent wisdom saves leave one whole, loadable file and no temporary files
def test_c5_concurrent_wisdom_saves(tmp_path):
    path = tmp_path / "wisdom.txt"
    start = threading.Barrier(6)

    def save(_):
        start.wait()
        return sfw.save_wisdom(path)

    with ThreadPoolExecutor(6) as pool:
        sizes = list(pool.map(save, range(6)))
    assert os.path.getsize(path) in sizes
    assert sfw.load_wisdom(path) is True
    assert sorted(os.listdir(tmp_path)) == ["wisdom.txt"]


# C6: planning is time-limited, plans on scratch buffers, and the documented defaults hold
def test_c6_defaults_are_the_documented_ones():
    opts = sfw.get_options()
    assert opts["planner_effort"] == "estimate" and opts["planning_timelimit"] == "auto"
    assert sfw.set_options.__doc__.count("(default ``'estimate'``)") == 1


@pytest.mark.parametrize("method", TRANSFORMS)
def test_c6_measure_planning_leaves_the_input_untouched(method):
    rng = np.random.default_rng(6)
    x, k = rng.standard_normal(1009), rng.standard_normal(31)   # prime length
    before = x.copy()
    sfw.clear_cache()
    with sfw.options(planner_effort="measure"):
        got = sigconv.convolve(x, k, method=method)
    assert_array_equal(x, before)
    assert_allclose(got, np.convolve(before, k), atol=1e-12)


def test_c6_patient_planning_honours_the_time_limit(monkeypatch):
    pyfftw = pytest.importorskip("pyfftw")
    seen = []
    real = pyfftw.FFTW

    def recording(*args, **kwargs):
        seen.append((kwargs.get("flags"), kwargs.get("planning_timelimit")))
        return real(*args, **kwargs)

    monkeypatch.setattr(pyfftw, "FFTW", recording)
    cache = sfw.PlanCache(1 << 22)
    t0 = time.perf_counter()
    with cache.slot("c2c", (10_007,), 1, np.dtype(np.float64), 1, effort="patient",
                    timelimit=0.05):
        pass
    elapsed = time.perf_counter() - t0
    assert len(seen) == 1 and "FFTW_PATIENT" in seen[0][0] and seen[0][1] == 0.05
    assert elapsed < 10.0



def test_c6_auto_time_limit_grows_with_the_transform(monkeypatch):
    pyfftw = pytest.importorskip("pyfftw")
    seen = []
    real = pyfftw.FFTW

    def recording(*args, **kwargs):
        seen.append(kwargs.get("planning_timelimit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pyfftw, "FFTW", recording)
    cache = sfw.PlanCache(1 << 30)
    for shape in [(1000,), (4, 1024, 1024), (20, 1000, 1050)]:
        with cache.slot("r2c", shape, 2, np.dtype(np.float32), 1, effort="estimate"):
            pass
    assert seen == [None] * 3            # estimated plans take microseconds: no limit
    seen.clear()
    monkeypatch.setattr(pyfftw, "FFTW", lambda *a, **kw: seen.append(
        kw.get("planning_timelimit")) or real(*a, **dict(kw, flags=("FFTW_ESTIMATE",))))
    for shape in [(1000,), (4, 1024, 1024), (20, 1000, 1050)]:
        with cache.slot("r2c", shape, 2, np.dtype(np.float32), 1, effort="measure"):
            pass
    points = [1000, 4 * 1024 * 1024, 20 * 1000 * 1050]
    assert seen == [min(10.0, max(0.1, p / 2e6)) for p in points]
    assert seen[0] == 0.1 and seen[1] == 4 * 1024 * 1024 / 2e6 and seen[2] == 10.0

# ---- D. model files ---------------------------------------------------------------------

# D5: declared negative or non-integer dimensions are refused before reading
@pytest.mark.parametrize("shape,match", [
    ((-1, 3), r"array 'layers.0.weight' declares an invalid shape \(-1, 3\)"),
    ((2.5, 3), r"array 'layers.0.weight' in 'bad.npz' has a corrupt header"),
], ids=["negative", "non-integer"])
def test_d5_bad_declared_dimensions(tmp_path, shape, match):
    from sigconv import nn
    good = tmp_path / "good.npz"
    nn.Sequential([nn.Conv2D(3, 8, 3, seed=0), nn.ReLU(), nn.Flatten()],
                  input_shape=(3, 5, 5)).save(good)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": shape})
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = header.getvalue() if info.filename == "layers.0.weight.npy" else src.read(info)
            dst.writestr(info.filename, data)
    with pytest.raises(sigconv.ModelFormatError, match=match):
        nn.load(bad)


# ---- E. command line --------------------------------------------------------------------

# E1: permission denied is one line on stderr, exit 1, no traceback (root can read any
# file, so the refusal of the operating system is simulated)
def test_e1_permission_denied(tmp_path, monkeypatch, capsys):
    from sigconv import _files, _io, cli
    np.save(tmp_path / "x.npy", np.arange(5.0))
    np.save(tmp_path / "k.npy", np.ones(2))
    secret = str(tmp_path / "x.npy")
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file) == secret:
            raise PermissionError(13, "Permission denied", secret)
        return real_open(file, *args, **kwargs)

    for module in (_files, _io):         # every module that opens input files
        monkeypatch.setattr(module, "open", guarded, raising=False)
    code = cli.main(["convolve", secret, str(tmp_path / "k.npy"), "-o",
                     str(tmp_path / "y.npy")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("sigconv: error: ") and f"input file '{secret}': permission denied" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "y.npy").exists()


# ---- F. dask ----------------------------------------------------------------------------

# F4: NaN in one chunk with per-chunk FFT stays where the defining sum puts it
def test_f4_nan_with_per_chunk_fft():
    da = pytest.importorskip("dask.array")
    from sigconv import distributed
    x = np.random.default_rng(44).standard_normal((24, 24))
    x[3, 4] = np.nan
    k = np.random.default_rng(45).standard_normal((3, 3))
    want = sigconv.convolve(x, k, "same", "direct")
    with pytest.warns(sigconv.NonFiniteFFTWarning, match="method='fft'"):
        got = distributed.convolve(da.from_array(x, chunks=8), k, method="fft").compute()
    assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got).sum() == 9
    assert_allclose(got, want, rtol=1e-12, atol=1e-12)
