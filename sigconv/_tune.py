"""``sigconv tune``: measure this machine once, for every later process.

Two things are measured and saved in the per-user cache
(:func:`sigconv._runtime.cache_dir`), which every later process loads:

* **FFTW wisdom** (``wisdom.txt``): measured plans (FFTW_MEASURE) of the transforms the
  engines run for common problems -- the overlap-save tiles of 2-D and 3-D images and
  their kernel groups, the single transforms of those images (threaded where the engine
  threads them), the batched rows of 1-D overlap-save, and single 1-D transforms of
  round lengths -- as :func:`sigconv.fft.save_wisdom` writes them.  A later process plans
  those transforms from wisdom in microseconds, and the same way every time.
* **the cost-model constants** (``calibration.json``): FFTW's seconds per ``N log2 N``
  (with the plans above), scipy.fft's for the complex transforms over two or more axes
  it runs (with their growth past the caches and their threads' speed-up), a transform
  call's fixed cost, elementwise throughput, the
  direct engine's seconds per multiply-add per dtype and per kernel tap, OpenCV's
  filters (per call, per sample and pass, per tap; when OpenCV is installed), numpy's dot
  correlation, BLAS matrix products and im2col gathers (the nn layers), the Winograd
  layers' products, transforms and call cost, and the speed-up
  of all cores (:mod:`sigconv.engines.cost`).

Nothing is measured inside a user's call: 'auto' reads the saved constants.
"""

import math
import time

import numpy as np

from . import _calibration_store, _runtime, _transform_constants as T
from ._tune_family import transform_family
from .engines import cost, direct, opencv
from .engines.fft import slot
from .fft.backend import backend
from .fft.wisdom import WISDOM_FILE, save_wisdom
from .nn import _constants as layers

__all__ = ["tune", "transform_family", "measure_constants"]

#: passes over the constants whose median a full tune keeps (five passes on one shared
#: VM measured cache_bytes from 0.75 to 24 MiB and f32_row_threads from 2^16 to 2^23)
PASSES = 3


def tune(*, quick=False, progress=None, save=True, seconds_per_plan=2.0):
    """Measure this machine: FFTW plans for common transforms and the cost model's
    constants, saved for every later process (and used by this one from now on).  The
    constants are the median of :data:`PASSES` measurements (of one with ``quick``).

    Parameters
    ----------
    quick : bool
        A smaller family of transforms, fewer repeats and one pass over the constants
        (about half a minute).
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each step.
    save : bool
        Write ``calibration.json`` and ``wisdom.txt`` to
        :func:`sigconv._runtime.cache_dir` (atomically).
    seconds_per_plan : float
        FFTW's planning time limit per transform.

    Returns
    -------
    dict
        ``constants`` (the calibration), ``plans`` (transforms measured), ``seconds``
        (time taken) and ``path`` (the cache folder, or None when not saved).

    Examples
    --------
    >>> import sigconv
    >>> report = sigconv.tune(quick=True, save=False)       # doctest: +SKIP
    >>> sorted(report)                                        # doctest: +SKIP
    ['constants', 'path', 'plans', 'seconds']
    """
    t0 = time.perf_counter()
    family = transform_family(quick=quick) if backend() == "pyfftw" else []
    passes = 1 if quick else PASSES
    steps = len(family) + passes * len(CONSTANT_STEPS)
    done = 0

    def step(label):
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps, label)

    res = _runtime.Resources(threads=1, effort="measure", timelimit=seconds_per_plan)
    for kind, shape, nsp, dt, threads in family:
        with slot(kind, shape, nsp, np.dtype(dt), threads, res):
            pass
        step(f"plan {kind} {'x'.join(map(str, shape))} {np.dtype(dt).name}")
    constants = _calibration_store.median([measure_constants(step, repeats=3 if quick else 7)
                                           for _ in range(passes)])
    path = _save(constants) if save else None
    _runtime.set_calibration(constants)
    return {"constants": constants, "plans": len(family),
            "seconds": time.perf_counter() - t0, "path": path}


def _save(constants):
    """Write the calibration and the wisdom to the cache folder, each atomically."""
    folder = _runtime.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _calibration_store.write(folder / "calibration.json", constants, _runtime.machine())
    if _runtime.pyfftw() is not None:
        save_wisdom(folder / WISDOM_FILE)
    return folder


# ---------------------------------------------------------------- the constants

def _direct_macs(repeats):
    out = {}
    for dt in (np.float32, np.float64, np.int64, np.complex64, np.complex128, np.longdouble):
        x, w = np.ones((1, 200_000), dtype=dt), np.ones((1, 31), dtype=dt)
        shape = (1, 200_000 - 30)
        t = _runtime.median_time(lambda: direct.shift_add(x, w, shape, (1,), (1,)), repeats)
        out[np.dtype(dt).char] = t / (shape[1] * 31)
    return out


def _tap_call(repeats):
    x, w = np.ones((1, 300)), np.ones((1, 101))
    return _runtime.median_time(lambda: direct.shift_add(x, w, (1, 200), (1,), (1,)), repeats) / 101


def _dot_macs(repeats, taps=65):
    """Seconds per multiply-add of numpy's 1-D correlation at 65 taps, one thread: kernels
    of a few dozen taps are where it competes with the transforms."""
    out = {}
    for key, dt in (("f", np.float64), ("c", np.complex128)):
        x, w = np.ones(200_000, dtype=dt), np.ones(taps, dtype=dt)
        t = _runtime.median_time(lambda: direct.dot_correlate(x, w, taps - 1, 200_000),
                                 repeats)
        out[key] = t / ((200_000 - taps + 1) * taps)
    return out


def _dot_taps(at65, repeats):
    """How numpy's correlation speeds up per multiply-add past 65 taps: the exponent
    ``e`` of ``(65 / taps) ** e`` from its rate at 513 taps (float64 0.16, complex128
    0.29 here: 0.133 -> 0.094 ns, 0.301 -> 0.165), between 0 and 1."""
    at513 = _dot_macs(repeats, 513)
    return {key: min(1.0, max(0.0, math.log(at65[key] / at513[key]) / math.log(513 / 65)))
            for key in at513}


def _dot_call(repeats):
    x, w = np.ones(64), np.ones(3)
    return _runtime.median_time(lambda: direct.dot_correlate(x, w, 0, 66), 20 * repeats)


def _direct_call(constants, repeats):
    """Seconds the direct engine's call costs beyond its modelled work:
    :func:`sigconv._transform_constants.fixed_cost` of a 100 x 3 call (numpy's dot
    correlation)."""
    return T.fixed_cost(constants, "direct_call", "direct", cost.direct_estimate, ((100, 3),),
                        20 * repeats)


#: the plane OpenCV's filter rates are measured on, and the kernel sides whose times
#: separate the cost per sample and pass from the cost per tap
CV_PLANE = (512, 512)
CV_KERNELS = (3, 7)


def _cv_rates(repeats):
    """``(per sample and pass, per tap)`` seconds of the direct engine on OpenCV's filters
    by work type ('f', 'd'), one thread, full-rank kernels; None without OpenCV."""
    if _runtime.opencv() is None:
        return None
    res = _runtime.Resources(threads=1)
    rng = np.random.default_rng(0)
    n = math.prod(CV_PLANE)
    sample, tap = {}, {}
    for char in "fd":
        x = rng.standard_normal(CV_PLANE).astype(char)
        t = {}
        for k in CV_KERNELS:
            w = rng.standard_normal((k, k)).astype(char)
            pads = ((k // 2, k // 2),) * 2
            t[k] = _runtime.median_time(lambda w=w, pads=pads: opencv.correlate_valid(
                x, w, CV_PLANE, (1, 1), (1, 1), pads, res=res, char=char), repeats) / n
        small, big = (k * k for k in CV_KERNELS)
        tap[char] = max((t[CV_KERNELS[1]] - t[CV_KERNELS[0]]) / (big - small), 1e-13)
        sample[char] = max(t[CV_KERNELS[0]] - small * tap[char], 1e-12)
    return sample, tap


def _cv_call(repeats):
    """Seconds per 2-D filter call of the direct engine on OpenCV's filters (the calls of
    64 more 8x8 output planes of a 3x3x3 kernel, over their count)."""
    if _runtime.opencv() is None:
        return None
    res = _runtime.Resources(threads=1)
    w = np.arange(27.0).reshape(3, 3, 3)
    t = {}
    for planes in (1, 65):
        x = np.ones((planes + 2, 10, 10))
        t[planes] = _runtime.median_time(lambda x=x, planes=planes: opencv.correlate_valid(
            x, w, (planes, 8, 8), (1, 1, 1), (1, 1, 1), ((0, 0),) * 3, res=res, char="d"),
            repeats)
    return max((t[65] - t[1]) / (64 * 3), 1e-7)


def _tiles_speedup(cores, repeats):
    """The speed-up of overlap-save's tiles (:mod:`sigconv.engines.tiled`: independent
    tiles, each in cache) on all ``cores`` over one thread: 1024^2 x 65^2 float32 'full'
    (1.8 here, where one transform split over both cores gains 1.4)."""
    if cores < 2:
        return 1.0
    from . import _pipeline, _plan
    rng = np.random.default_rng(0)
    x, w = rng.random((1024, 1024), np.float32), rng.random((65, 65), np.float32)
    plan = _plan.make_plan("convolve", x, w, "full", "os", None, "constant", 0, "scipy", 1,
                           1, None, "propagate", None)
    times = [_runtime.median_time(lambda: _pipeline.execute(plan, "os", res=_runtime.Resources(
        threads=n, cache_bytes=_runtime.cache_bytes("spectrum"))), max(3, repeats // 2))
        for n in (1, cores)]
    return max(1.0, times[0] / times[1])


#: the lengths at which :func:`_f32_row_threads` compares one thread with all
F32_ROW_LENGTHS = tuple(1 << p for p in range(16, 24))


def _f32_row_threads(cores, repeats):
    """The fewest points from which real float32 transforms over one axis (forward and
    back, the plans a call gets) run at least 10 % faster on all ``cores`` than on one,
    at that and every longer length of F32_ROW_LENGTHS; past them all where none does.
    Processors differ: at 552960 points two threads took 2.5x one's time on AMD family 26
    model 2; at 1114112, 0.55x on Intel family 6 model 167 (estimated plans, forward)."""
    if cores < 2:
        return _runtime.SHIPPED["f32_row_threads"]
    least = 2 * F32_ROW_LENGTHS[-1]
    for n in reversed(F32_ROW_LENGTHS):
        t = {}
        for threads in (1, cores):
            res = _runtime.Resources(threads=threads)
            with slot("r2c", (n,), 1, np.dtype(np.float32), threads, res) as fwd, \
                    slot("c2r", (n,), 1, np.dtype(np.float32), threads, res) as inv:
                fwd.input[...] = 1
                t[threads] = _runtime.median_time(lambda: (fwd.execute(), inv.execute()),
                                                  repeats)
        if t[cores] > 0.9 * t[1]:
            break
        least = n
    return least


def _thread_speedup(cores, repeats):
    if cores < 2:
        return 1.0
    one = T.transform_rate(True, np.dtype(np.float64), 1, repeats)
    many = T.transform_rate(True, np.dtype(np.float64), cores, repeats)
    return max(1.0, one / many)


CONSTANT_STEPS = ("fft_real", "fft_complex", "fft_1d", "fft_rows", "row_factor_f",
                  "row_factor_d", "single_factor_f", "single_factor_d", "scipy_fft", "fft_call",
                  "per_element", "per_element_memory", "cache_bytes", "spectral_call",
                  "rows_call", "direct_mac", "direct_tap_call", "cv_call", "cv_rates",
                  "dot_mac", "dot_taps", "dot_call", "direct_call", "gemm_mac",
                  "gather", "im2col_sample", "im2col_sample_single", "winograd_mac",
                  "winograd_call", "winograd_point", "thread_speedup", "tiles_speedup",
                  "f32_row_threads")


def measure_constants(step=None, *, repeats=7, only=None):
    """The cost model's constants measured now (``step(label)`` after each); with
    ``only`` (names of :data:`CONSTANT_STEPS`), just those, the others as shipped."""
    step = step or (lambda label: None)
    cores = _runtime.cores()
    dtypes = {4: np.dtype(np.float32), 8: np.dtype(np.float64)}
    if np.dtype(np.longdouble) != np.dtype(np.float64):
        dtypes[16] = np.dtype(np.longdouble)
    out = {"source": f"sigconv tune on {_runtime.machine()['processor']} ({cores} cores)"}
    measure = {
        "fft_real": lambda: {k: T.transform_rate(True, d, 1, repeats) for k, d in dtypes.items()},
        "fft_complex": lambda: {k: T.transform_rate(False, d, 1, repeats)
                                for k, d in dtypes.items()},
        "fft_1d": lambda: T.fft_1d(repeats, {k: dtypes[k] for k in (4, 8)}),
        "fft_rows": lambda: T.fft_rows(repeats),
        "row_factor_f": lambda: T.row_factors(np.float32, repeats),
        "row_factor_d": lambda: T.row_factors(np.float64, repeats),
        "single_factor_f": lambda: T.single_factors(np.float32, repeats),
        "single_factor_d": lambda: T.single_factors(np.float64, repeats),
        "scipy_fft": lambda: T.scipy_fft(out, cores, repeats),
        "fft_call": lambda: T.call_cost(repeats),
        "per_element": lambda: {
            k: T.per_element(k, repeats, T.ELEMENTWISE_SIZES["per_element"])
            for k in (4, 8, 16, 32)},
        "per_element_memory": lambda: {
            k: T.per_element(k, repeats, T.ELEMENTWISE_SIZES["per_element_memory"])
            for k in (4, 8, 16, 32)},
        "cache_bytes": lambda: T.cache_bytes(out, repeats),
        "spectral_call": lambda: T.spectral_call(out, repeats),
        "rows_call": lambda: T.rows_call(out, repeats),
        "direct_call": lambda: _direct_call(out, repeats),
        "direct_mac": lambda: _direct_macs(max(3, repeats // 2)),
        "direct_tap_call": lambda: _tap_call(repeats),
        "cv_call": lambda: _cv_call(repeats),
        "cv_rates": lambda: _cv_rates(repeats),
        "dot_mac": lambda: _dot_macs(repeats),
        "dot_taps": lambda: _dot_taps(out["dot_mac"], repeats),
        "dot_call": lambda: _dot_call(repeats),
        "gemm_mac": lambda: layers.gemm_mac(repeats),
        "gather": lambda: layers.gather(repeats),
        "im2col_sample": lambda: layers.im2col_sample(out["gemm_mac"], out["gather"], repeats),
        "im2col_sample_single": lambda: layers.im2col_sample_single(out["gemm_mac"],
                                                                    out["gather"], repeats),
        "winograd_mac": lambda: layers.winograd_mac(repeats),
        "winograd_call": lambda: layers.winograd_call(repeats),
        "winograd_point": lambda: layers.winograd_point(out["winograd_mac"],
                                                        out["winograd_call"], repeats),
        "thread_speedup": lambda: _thread_speedup(cores, repeats),
        "tiles_speedup": lambda: _tiles_speedup(cores, repeats),
        "f32_row_threads": lambda: _f32_row_threads(cores, max(3, repeats // 2)),
    }
    shipped = _runtime.SHIPPED
    unknown = set(only or ()) - set(CONSTANT_STEPS)
    if unknown:
        raise ValueError(f"measure_constants: only takes names of {CONSTANT_STEPS}; got "
                         f"{sorted(unknown)}")
    out.update({k: v for k, v in shipped.items() if k != "source"})
    out["cv_rates"] = None
    for name in CONSTANT_STEPS if only is None else only:
        out[name] = measure[name]()
        step(f"measure {name}")
    rates = out.pop("cv_rates")                 # without OpenCV: the shipped figures
    if rates is not None:
        out["cv_pixel"], out["cv_mac"] = rates
    if out["cv_call"] is None:
        out["cv_call"] = shipped["cv_call"]
    for table in ("fft_real", "fft_complex"):     # a build without long double FFTs
        out[table] = {**{k: v for k, v in shipped[table].items() if k not in out[table]},
                      **out[table]}
    out["cores"] = cores
    return out
