"""The cost model's transform and element-wise constants, measured for :func:`sigconv.tune`.

Seconds per ``N log2 N`` of transforms (their median over :data:`RATE_SHAPES`, and the
1-D and batched-row rates against it), a transform call's and a transform engine call's
fixed costs, and seconds per element of element-wise passes in cache and from memory
(:mod:`sigconv.engines.cost` weighs them).
"""

import math
import statistics

import numpy as np

from . import _runtime
from .engines import cost
from .engines.fft import slot

__all__ = ["RATE_SHAPES", "ROWS_SHAPE", "ELEMENTWISE_SIZES", "rates", "transform_rate",
           "fft_1d", "fft_rows", "row_factors", "single_factors", "scipy_fft", "call_cost",
           "fixed_cost", "stages", "spectral_call", "rows_call", "cache_bytes", "per_element"]

#: the transforms whose seconds per ``N log2 N`` the FFT constants take the median of
RATE_SHAPES = ((1 << 14,), (1 << 18,), (720, 720), (96, 96, 96))


def rates(real, dtype, threads, repeats):
    """Seconds per ``N log2 N`` of one transform of each of RATE_SHAPES through sigconv's
    plan cache (with whatever plans wisdom holds)."""
    res = _runtime.Resources(threads=threads)
    out = []
    for shape in RATE_SHAPES:
        n = math.prod(shape)
        with slot("r2c" if real else "fwd", shape, len(shape), dtype, threads, res) as s:
            s.input[...] = 1
            out.append(_runtime.median_time(s.execute, repeats) / (n * math.log2(n)))
    return out


def transform_rate(real, dtype, threads, repeats):
    """The median of :func:`rates`."""
    return float(np.median(rates(real, dtype, threads, repeats)))


def fft_1d(repeats, dtypes):
    """How fast 1-D transforms run against that median, per real dtype itemsize: their
    seconds per ``N log2 N`` over the median of all RATE_SHAPES (float64 0.8, float32
    0.7 here)."""
    out = {}
    for size, dt in dtypes.items():
        each = np.median(np.array([rates(True, dt, 1, repeats) for _ in range(3)]), axis=0)
        ones = [r for r, shape in zip(each, RATE_SHAPES) if len(shape) == 1]
        out[size] = float(np.median(ones) / np.median(each))
    return out


#: overlap-save's batched rows: 256 real float64 transforms of 512 points
ROWS_SHAPE = (256, 512)


def fft_rows(repeats):
    """How fast a batch of short 1-D transforms (overlap-save's rows) runs against the
    median of RATE_SHAPES, per ``N log2 N`` of each row (0.5 here: in cache, where a
    single 1-D transform of 2**14 to 2**18 points runs at 0.8)."""
    res = _runtime.Resources(threads=1)
    rows, n = ROWS_SHAPE
    with slot("r2c", ROWS_SHAPE, 1, np.dtype(np.float64), 1, res) as s:
        s.input[...] = 1
        t = _runtime.median_time(s.execute, repeats)
    median = transform_rate(True, np.dtype(np.float64), 1, repeats)
    return t / (rows * n * math.log2(n)) / median


#: the longest rows whose rate :func:`row_factors` measures (kernels up to ~2**15 taps)
ROW_FACTOR_LIMIT = 1 << 16


def row_factors(dtype, repeats):
    """Per row length ``N`` (each :func:`sigconv.fft.plan_record.lengths` up to
    ROW_FACTOR_LIMIT), the seconds per ``N log2 N`` of a group of overlap-save's rows
    (forward and inverse, as the engine plans them) over the median of all lengths.
    FFTW's estimated plans of batched rows differ by up to 2.5x between neighbouring
    lengths here (float32: 400 points 0.13 ns, 480 points 0.30 ns)."""
    from .engines.overlap import GROUP_BYTES
    from .fft.plan_record import lengths
    dtype = np.dtype(dtype)
    out = {n: _round_trip_rate((max(1, GROUP_BYTES // (n * dtype.itemsize)), n), dtype,
                               repeats)
           for n in lengths(ROW_FACTOR_LIMIT + 1) if n >= 16}
    middle = float(np.median(list(out.values())))
    return {n: round(t / middle, 3) for n, t in out.items()}


#: the shortest single 1-D transforms whose rate :func:`single_factors` measures (below
#: it a transform's fixed call cost outweighs its length's rate)
SINGLE_FACTOR_MIN = 1 << 12


def single_factors(dtype, repeats):
    """Per length ``N`` (each :func:`sigconv.fft.plan_record.lengths` from
    SINGLE_FACTOR_MIN on: the lengths whose transforms run on one thread), the seconds
    per ``N log2 N`` of one real forward and inverse transform of ``N`` points over those
    of the 1-D lengths :func:`fft_1d` measures (2**14 and 2**18).  FFTW's estimated plans
    of neighbouring lengths differ by up to 1.3x here (float64: 102400 points 0.46 ns,
    104976 points 0.60 ns per ``N log2 N``)."""
    from .fft.plan_record import LIMIT, lengths
    dtype = np.dtype(dtype)
    reference = statistics.fmean(_round_trip_rate(shape, dtype, repeats)
                                 for shape in RATE_SHAPES if len(shape) == 1)
    return {n: round(_round_trip_rate((n,), dtype, repeats) / reference, 3)
            for n in lengths(LIMIT) if n >= SINGLE_FACTOR_MIN}


def _round_trip_rate(shape, dtype, repeats):
    """Seconds per ``N log2 N`` of each real 1-D transform of a batch ``shape`` (rows of
    ``N = shape[-1]`` points), forward and inverse, on one-thread plans (as the engines
    run them below THREAD_MIN_ELEMENTS)."""
    res = _runtime.Resources(threads=1)
    t = 0.0
    for kind in ("r2c", "c2r"):
        with slot(kind, shape, 1, dtype, 1, res) as s:
            s.input[...] = 1
            t += _runtime.median_time(s.execute, repeats)
    n = shape[-1]
    return t / (math.prod(shape) * math.log2(n))


#: complex128 squares :func:`scipy_fft` times: one at LARGE_POINTS, one 16 times larger
SCIPY_FFT_SIDES = (512, 2048)


def scipy_fft(constants, cores, repeats):
    """``{'factor', 'penalty', 'speedup'}`` of the complex transforms over two or more
    axes, which run on scipy.fft: their seconds per ``N log2 N`` on one thread over
    ``constants['fft_complex'][8]`` (1.0-1.1 here), the growth of that rate per doubling
    past :data:`sigconv.engines.cost.LARGE_POINTS` (0.04-0.08 here, where FFTW's real
    transforms' grows by 0.25), and the speed-up of all ``cores`` on the larger square
    (1.8-1.9 here)."""
    res = _runtime.Resources(threads=1)

    def rate(side, threads):
        n = side * side
        with slot("fwd", (side, side), 2, np.dtype(np.float64), threads, res) as s:
            s.input[...] = 1
            return _runtime.median_time(s.execute, repeats) / (n * math.log2(n))
    small, large = (rate(side, 1) for side in SCIPY_FFT_SIDES)
    doublings = math.log2(SCIPY_FFT_SIDES[1] ** 2 / cost.LARGE_POINTS)
    penalty = max(0.0, (large / small - 1) / doublings)
    speedup = large / rate(SCIPY_FFT_SIDES[1], cores) if cores > 1 else 1.0
    return {"factor": small / constants["fft_complex"][8], "penalty": penalty,
            "speedup": max(1.0, speedup)}


def call_cost(repeats):
    res = _runtime.Resources(threads=1)

    def once():
        with slot("r2c", (8,), 1, np.dtype(np.float64), 1, res) as s:
            s.input[...] = 1
            s.execute()
    return _runtime.median_time(once, 20 * repeats)


def fixed_cost(constants, name, method, estimate, shapes, repeats):
    """Seconds a call of ``method`` costs at the engine beyond its model: the median over
    ``shapes`` (``(n, k)``: float64 'full' 1-D problems, one thread, kernel spectra
    remembered as the model prices calls) of the call through the pipeline less
    ``estimate(constants, problem)`` with constant ``name`` at zero."""
    from . import _pipeline, _plan
    res = _runtime.Resources(threads=1, cache_bytes=_runtime.cache_bytes("spectrum"))
    extra = []
    for n, k in shapes:
        plan = _plan.make_plan("convolve", np.ones(n), np.ones(k), "full", method, None,
                               "constant", 0, "scipy", 1, 1, None, "propagate", 1)
        t = _runtime.median_time(lambda: _pipeline.execute(plan, method, res=res), repeats)
        extra.append(t - estimate({**constants, name: 0.0}, plan.problem))
    return max(statistics.median(extra), 0.0)


def stages(repeats):
    """Seconds a small call of a transform method spends in the pipeline around its
    engine (:mod:`sigconv._pipeline`): validation, planning, the checks of the inputs'
    values that only a transform needs (:func:`sigconv._pipeline.transforms_refused`),
    the finish (~25 us here).  A direct sum of a few outputs skips them: its signature's
    route calls the engine at once (:mod:`sigconv._routes`).  Timed on 256 x 9 float64
    'full', as ``convolve(method='fft')`` less its engine call, plus the dynamic-range
    check an explicit method skips; their time per element (~0.25 ns) is left out."""
    from . import _convolve, _pipeline, _plan
    from .engines.problem import fft_accurate_for
    x, k = np.ones(256), np.ones(9)
    plan = _plan.make_plan("convolve", x, k, "full", "fft", None, "constant", 0, "scipy", 1, 1,
                           None, "propagate", 1)
    res = _runtime.Resources(threads=1, cache_bytes=_runtime.cache_bytes("spectrum"))
    call = _runtime.median_time(lambda: _convolve.convolve(x, k, method="fft", workers=1),
                                5 * repeats)
    engine = _runtime.median_time(lambda: _pipeline.execute(plan, "fft", res=res), 5 * repeats)
    check = _runtime.median_time(lambda: fft_accurate_for(plan), 5 * repeats)
    return max(call - engine + check, 0.0)


def spectral_call(constants, repeats):
    """Seconds a transform method's call costs beyond its modelled transforms and passes:
    :func:`fixed_cost` of a 256 x 9 'fft' call (the engine's buffers, leases and Python)
    and the pipeline's :func:`stages` around it."""
    return stages(repeats) + fixed_cost(
        constants, "spectral_call", "fft", lambda c, p: cost.fft_estimate(c, p).seconds,
        ((256, 9),), 5 * repeats)


#: the 1-D overlap-save calls :func:`rows_call` times (one group of rows each)
ROWS_CALLS = ((1000, 9), (4096, 65))


def rows_call(constants, repeats):
    """Seconds overlap-save's batched rows (:func:`sigconv.engines.overlap.row_block`)
    cost beyond the transform methods' fixed cost and their modelled work (the rows at
    the signal's ends filled one by one, the thread share; about 10 us here): :func:`fixed_cost`
    of the calls of :data:`ROWS_CALLS`, with the :func:`stages` that ``spectral_call``
    holds."""
    around = stages(repeats)
    return fixed_cost(constants, "rows_call", "os",
                      lambda c, p: cost.rows_estimate(c, p).seconds - around, ROWS_CALLS,
                      5 * repeats)


#: elements of the products :func:`per_element` times: in cache (the spectral engines'
#: blocks and tiles) and from memory (whole-array passes); one rate for both priced
#: 1e5 x 65 overlap-save at 1.3 ms here, where it runs in 0.8
ELEMENTWISE_SIZES = {"per_element": 1 << 16, "per_element_memory": 1 << 22}


#: elements (complex64) of the product passes :func:`cache_bytes` times
CACHE_PROBE = tuple(1 << p for p in range(12, 25))


def cache_bytes(constants, repeats):
    """The bytes a pass's three operands fit in to run at the in-cache rate: the largest
    of CACHE_PROBE's passes that runs faster per element than the geometric mean of
    ``constants``' in-cache and from-memory rates (8-byte elements), at most the largest
    cache sysfs reports.  A VM may report its socket's whole cache, not its share: Intel
    family 6 model 167 reports 480 MiB, and its passes slow past 1.5 MiB (L2) and again
    past 48 MiB."""
    fast, slow = constants["per_element"][8], constants["per_element_memory"][8]
    bound = _runtime.last_cache_bytes() or CACHE_PROBE[-1] * 24
    found = 3 * CACHE_PROBE[0] * 8
    for size in CACHE_PROBE:
        if 3 * size * 8 > bound or per_element(8, repeats, size) > math.sqrt(fast * slow):
            break
        found = 3 * size * 8
    return found


def per_element(itemsize, repeats, size):
    dt = {4: np.complex64, 8: np.complex64, 16: np.complex128, 32: np.clongdouble}[itemsize]
    a, b = np.ones(size, dtype=dt), np.ones(size, dtype=dt)
    c = np.empty_like(a)
    return _runtime.median_time(lambda: np.multiply(a, b, out=c), repeats) / a.size
