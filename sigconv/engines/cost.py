"""The method-choice model: estimated seconds per engine, from shapes and a few constants.

Pure functions of shapes, dtypes and the constants in ``_calibration.py``, which
``benchmarks/calibrate.py`` measures on the machine (FFTW throughput per point, the direct
engine's throughput per multiply-add, fixed call costs, the speed-up of threads).  The
decisions they drive are between costs that differ by orders of magnitude except near a
crossover, where either choice is nearly as good, so a factor of ~1.5 error is harmless.
"""

import math

import numpy as np

from .. import _validate
from ._calibration import CALIBRATION as C
from .._padding import padded_shape

#: transforms with at least this many points (times batch) use every worker; the
#: measured break-even of two threads is ~1 ms of work, and they pay off from ~10 ms.
THREAD_MIN_ELEMENTS = 1 << 18
#: direct engine: multiply-adds below which it runs on one thread (its own rule)
DIRECT_THREAD_WORK = 1 << 21
#: relative error tolerated per compute dtype itemsize (real) before FFT counts as inexact
FFT_RTOL = {4: 1e-4, 8: 1e-8}


def fft_threads(workers, elements):
    """Threads worth using for transforms of ``elements`` points in total: ``workers``
    (capped by the cores that are idle) when the work is large enough, else one."""
    from ..fft.backend import idle_cores
    workers = int(workers or 1)
    if workers <= 1 or elements < THREAD_MIN_ELEMENTS:
        return 1
    return max(1, min(workers, idle_cores()))


def _speedup(threads, work_elements, threshold):
    if threads <= 1 or work_elements < threshold:
        return 1.0
    full = C["thread_speedup"] * min(threads, C["cores"]) / C["cores"]
    return max(1.0, full)


#: transforms of more points than this leave the caches: their time per
#: ``N log2 N`` grows by LARGE_PENALTY per doubling (measured on 2-D float64 full
#: correlations: 1040^2 points 1.3x, 4112^2 points 2.75x the calibrated rate)
LARGE_POINTS = 1 << 18
LARGE_PENALTY = 0.25


def transform_seconds(points, count, real, itemsize, threads):
    """``count`` transforms of ``points`` points each (real or complex)."""
    if points <= 1 or count == 0:
        return C["fft_call"]
    table = C["fft_real"] if real else C["fft_complex"]
    per = table.get(itemsize, table[8] * itemsize / 8)
    per *= 1 + LARGE_PENALTY * max(0.0, math.log2(points / LARGE_POINTS))
    work = count * points * math.log2(points) * per
    return C["fft_call"] + work / _speedup(threads, count * points, THREAD_MIN_ELEMENTS)


def elementwise_seconds(elements, itemsize, threads=1):
    per = C["per_element"].get(itemsize, 4e-9)
    return elements * per


def block_seconds(sizes, folded, xbatch, outbatch, real, itemsize, threads):
    """One block of the spectral engines: fill, forward, product (+fold), inverse, copy."""
    N = math.prod(sizes)
    M = math.prod(folded)
    spec = N // sizes[-1] * (sizes[-1] // 2 + 1) if real else N
    t = transform_seconds(N, xbatch, real, itemsize, threads)
    t += transform_seconds(M, outbatch, real, itemsize, threads)
    t += elementwise_seconds(xbatch * N, itemsize)                # fill the buffer
    t += elementwise_seconds(outbatch * spec, 2 * itemsize) * (1 if N == M else 3)
    t += elementwise_seconds(outbatch * M, itemsize)               # copy out
    return t


def spectral_seconds(sizes, folded, nblocks, xbatch, kbatch, outbatch, real, itemsize,
                     threads, adds=0):
    """FFT (one block) or overlap engines: kernel spectrum plus ``nblocks`` blocks."""
    t = transform_seconds(math.prod(sizes), kbatch, real, itemsize, threads)
    t += nblocks * block_seconds(sizes, folded, xbatch, outbatch, real, itemsize, threads)
    return t + elementwise_seconds(adds, itemsize)


def direct_seconds(out_elements, taps, char, threads, bands=1):
    """Estimated direct-engine time for ``out_elements`` x ``taps`` multiply-adds in the
    dtype of type character ``char``."""
    per = C["direct_mac"].get(char, C["direct_mac"]["d"])
    work = out_elements * max(taps, 1)
    speed = _speedup(threads, work, DIRECT_THREAD_WORK)
    return C["direct_call"] + (work * per + taps * bands * C["direct_tap_call"]) / speed


#: seconds per multiply-add of numpy's 1-D dot correlation (``np.correlate``), real and
#: complex, measured on the build machine for kernels of 32 to 1001 taps (1e-10 .. 2.5e-10,
#: float32 no faster than float64; the upper half counts: long signals leave the cache)
DOT_SECONDS_PER_MAC = {False: 2.2e-10, True: 5e-10}
DOT_CALL_SECONDS = 2e-6


def dot_seconds(out_elements, taps, complex_, rows, threads=1):
    """Estimated time of the direct engine's 1-D dot path (one np.correlate per row,
    split over threads when large)."""
    work = out_elements * max(taps, 1)
    speed = _speedup(threads, work, DIRECT_THREAD_WORK)
    return (C["direct_call"] + rows * DOT_CALL_SECONDS
            + work * DOT_SECONDS_PER_MAC[bool(complex_)] / speed)


def fft_exact_for_integers(max1, max2, size1, size2):
    """scipy's rule: rounding an FFT result is exact while this product stays below 2**52."""
    return max1 * max2 * min(size1, size2) < 2 ** np.finfo(np.float64).nmant


def fft_accurate(dynamic_range, itemsize):
    """Whether FFT rounding error (~eps * max|x|) stays within the dtype's tolerance
    relative to typical outputs (~median|x|) for an input of this dynamic range."""
    eps = float(np.finfo(np.float32 if itemsize == 4 else np.float64).eps)
    return eps * dynamic_range <= FFT_RTOL.get(itemsize, 1e-8)


class Problem:
    """A convolution reduced to what the model needs: extents, batches, dtype, threads.

    ``xshape``/``keshape``/``out_spatial`` are spatial extents (kernel extents dilated),
    ``pads`` the implicit zero pads, ``taps`` the multiply-adds per output of the direct
    engine, ``itemsize`` the bytes of one real number of the compute dtype, ``char`` the compute
    dtype's type character (the direct engine's throughput depends on it).
    """

    def __init__(self, xshape, keshape, out_spatial, strides, pads, xbatch, kbatch,
                 outbatch, itemsize, complex_, workers, taps, char="d", dot=False):
        self.xshape, self.keshape, self.out_spatial = xshape, keshape, out_spatial
        self.strides, self.pads = strides, pads
        self.xbatch, self.kbatch, self.outbatch = xbatch, kbatch, outbatch
        self.itemsize, self.complex_, self.workers, self.taps = itemsize, complex_, workers, taps
        self.char = char
        self.dot = dot   # the direct engine takes numpy's compiled 1-D dot correlation

    @property
    def out_bytes(self):
        per = self.itemsize * (2 if self.complex_ else 1)
        return self.outbatch * math.prod(self.out_spatial) * per


class Estimate:
    """Seconds and bytes of one method; ``blocks`` for the overlap engines."""

    def __init__(self, seconds, nbytes, blocks=None):
        self.seconds, self.nbytes, self.blocks = seconds, nbytes, blocks

    def __repr__(self):
        return f"Estimate(seconds={self.seconds:.3g}, nbytes={self.nbytes})"


def single_sizes(p):
    from .fft import transform_sizes
    return transform_sizes(p.xshape, p.keshape, p.out_spatial, p.strides, p.pads,
                           not p.complex_)


def fft_estimate(p):
    """The single-transform engine."""
    from .fft import memory_bytes
    sizes = single_sizes(p)
    nbytes = memory_bytes(p.xbatch, p.kbatch, p.outbatch, sizes, p.itemsize, p.complex_)
    secs = spectral_seconds([n for n, _ in sizes], [m for _, m in sizes], 1, p.xbatch,
                            p.kbatch, p.outbatch, not p.complex_, p.itemsize, p.workers)
    return Estimate(secs, nbytes + p.out_bytes)


def overlap_estimate(kind, p, max_bytes):
    """Overlap-save (``'os'``) or overlap-add (``'oa'``), blocks shrunk to fit ``max_bytes``."""
    from .fft import memory_bytes
    from .overlap import block_count, block_sizes, rows_apply, tiles_apply
    if kind == "os" and rows_apply(len(p.xshape), p.strides, p.kbatch):
        return rows_estimate(p)
    char = p.char if p.char in "fdgFDG" else "d"      # integers are transformed in float64
    if kind == "os" and tiles_apply(len(p.xshape), p.strides, p.xbatch, p.kbatch, char):
        return tiles_estimate(p)
    single = single_sizes(p)
    max_points = None
    while True:
        blocks = block_sizes(kind, p.xshape, p.keshape, p.out_spatial, p.strides, single,
                             max_points)
        sizes = [(n, m) for n, m, _ in blocks]
        nbytes = memory_bytes(p.xbatch, p.kbatch, p.outbatch, sizes, p.itemsize,
                              p.complex_) + p.out_bytes
        points = math.prod(n for n, _ in sizes)
        if nbytes <= max_bytes or points <= 1 or (max_points and points > max_points):
            break
        max_points = points // 2
    count = block_count(kind, p.xshape, p.out_spatial, p.pads, p.strides, blocks)
    adds = p.outbatch * math.prod(p.out_spatial) if kind == "oa" and count > 1 else 0
    secs = spectral_seconds([n for n, _ in sizes], [m for _, m in sizes], count, p.xbatch,
                            p.kbatch, p.outbatch, not p.complex_, p.itemsize, p.workers,
                            adds=2 * adds)
    return Estimate(secs, nbytes, blocks)


def rows_estimate(p):
    """Overlap-save of one axis as batched rows (:func:`sigconv.engines.overlap.row_block`)."""
    from .overlap import row_block, row_groups
    (ke,), (L,), (n,) = p.keshape, p.out_spatial, p.xshape
    N, _, B = row_block(ke, L)
    groups, per = row_groups(-(-L // B), N, p.itemsize)
    rows = p.xbatch * groups * per
    real, size = not p.complex_, p.itemsize
    per_number = size * (1 if real else 2)
    threads = p.workers if groups > 1 else 1
    secs = transform_seconds(N, 1, real, size, 1)                       # kernel spectrum
    secs += 2 * transform_seconds(N, rows, real, size, threads)          # forward, inverse
    secs += 2 * (groups - 1) * C["fft_call"] / _speedup(threads, rows * N, THREAD_MIN_ELEMENTS)
    secs += elementwise_seconds(3 * rows * N, per_number)               # fill, product, copy
    # interior groups read the input and write the result in place; the two end groups
    # go through zero-padded windows, the last one through a trimmed result too
    ends = p.xbatch * (per * (2 * N + B) if groups > 1 else n + L)
    secs += elementwise_seconds(2 * ends, per_number)
    nbytes = per_number * (ends + 4 * per * N * max(threads, 1))
    return Estimate(secs, nbytes + p.out_bytes, [(N, N, B)])


def tiles_estimate(p):
    """Overlap-save in cache-sized tiles (:class:`sigconv.engines.tiled.TiledBank`): per
    tile one forward transform, and per kernel a product, an inverse and a copy; tiles
    run on the worker threads; the kernels' spectra at the tile shape once."""
    from .tiled import THREAD_MIN_WORK, tile_shape
    tile = tile_shape(tuple(p.out_spatial), tuple(p.keshape))
    valid = [t - k + 1 for t, k in zip(tile, p.keshape)]
    K = p.kbatch
    tiles = p.xbatch * math.prod(-(-L // v) for L, v in zip(p.out_spatial, valid))
    real, size = not p.complex_, p.itemsize
    per_number = size * (1 if real else 2)
    P = math.prod(tile)
    spec = P // tile[-1] * (tile[-1] // 2 + 1) if real else P
    one = transform_seconds(P, 1, real, size, 1)
    per_tile = (1 + K) * one + elementwise_seconds(P, per_number) \
        + elementwise_seconds(K * spec, 2 * size) + elementwise_seconds(K * math.prod(valid),
                                                                        per_number)
    threads = min(int(p.workers or 1), tiles)
    speed = _speedup(threads, tiles * P * K, THREAD_MIN_WORK)
    secs = K * one + tiles * per_tile / speed
    nbytes = p.out_bytes + K * spec * 2 * size + max(threads, 1) * 3 * P * per_number
    return Estimate(secs, nbytes)


def estimates(p, max_bytes):
    """``{method: Estimate}`` for direct, fft, overlap-save and overlap-add."""
    out_elements = p.outbatch * math.prod(p.out_spatial)
    if p.dot:
        direct = dot_seconds(out_elements, p.taps, p.complex_, p.outbatch, p.workers)
    else:
        direct = direct_seconds(out_elements, p.taps, p.char, p.workers)
    return {"direct": Estimate(direct, p.out_bytes),
            "fft": fft_estimate(p),
            "os": overlap_estimate("os", p, max_bytes),
            "oa": overlap_estimate("oa", p, max_bytes)}


# ---------------------------------------------------------------- from a validated plan

#: values sampled for the median magnitude in :func:`fft_accurate_for` (the threshold is
#: orders of magnitude; the partition of 1024 values took 11 us of a 200-us call)
ACCURACY_SAMPLE = 256


def fft_accurate_for(plan):
    """Whether max|x| / median|x| of the larger input is small enough for an FFT
    (FFT rounding error scales with the largest values, the outputs with the typical).
    The median comes from an evenly spaced sample of about ACCURACY_SAMPLE values, the
    maximum from the plan's norm bound, or exactly when that bound is too loose."""
    big = plan.x if plan.x.size >= plan.kernel.size else plan.kernel
    step = max(1, big.size // ACCURACY_SAMPLE)
    # (a strided view's reshape would copy all of it: 13 ms for 2000**2, flat 3 us)
    sample = np.abs(big.reshape(-1)[::step] if big.flags.c_contiguous else big.flat[::step])
    sample.sort()                       # (faster than a partition on ~256 values)
    zeros = int(sample.searchsorted(0.0, "right"))
    if zeros == sample.size:
        return True
    typical = float(sample[(zeros + sample.size) // 2])    # the non-zero values' median
    itemsize = plan.compute_dtype.itemsize // (2 if plan.compute_dtype.kind == "c" else 1)
    bound = plan.tops[0 if big is plan.x else 1]       # a norm: max|x| <= bound
    if bound is not None and fft_accurate(bound / typical, itemsize):
        return True
    if big.dtype.kind in "fc":
        top = _validate.finite_extremes(big)[1]         # the exact maximum
        if top is None:
            return False                # non-finite entries
        if big.dtype.kind == "c":
            top *= math.sqrt(2)        # |z| <= sqrt(2) max(|re|, |im|)
    else:
        top = float(max(abs(int(np.max(big))), abs(int(np.min(big)))))
    return fft_accurate(top / typical, itemsize)


def problem(plan):
    """A validated ``sigconv._plan.Plan`` as the model sees it (a :class:`Problem`)."""
    nsp = plan.nsp
    dt = plan.compute_dtype
    complex_ = dt.kind == "c"
    itemsize = 8 if plan.integer else dt.itemsize // (2 if complex_ else 1)
    batch = lambda shape: math.prod(shape[:len(shape) - nsp])
    materialized = plan.boundary != "constant" or plan.fillvalue != 0
    pads = ((0, 0),) * nsp if materialized else plan.pads
    xshape = padded_shape(plan.x_spatial, plan.pads) \
        if materialized else plan.x_spatial
    ke = tuple(d * (k - 1) + 1 for k, d in zip(plan.kernel_spatial, plan.dilations))
    from .direct import dot_path_applies
    dot = dot_path_applies(nsp, plan.strides, plan.dilations, plan.kernel_spatial[-1], dt,
                           batch(plan.out_shape))
    return Problem(xshape, ke, plan.out_shape[-nsp:], plan.strides, pads,
                   batch(plan.x.shape), batch(plan.kernel.shape), batch(plan.out_shape),
                   itemsize, complex_, plan.workers, direct_taps(plan), dt.char, dot)


def direct_taps(plan):
    """Multiply-adds per output of the direct engine: non-zero taps, or fewer when the
    kernel splits into low-rank 1-D passes (remembered per small kernel)."""
    k = plan.kernel
    if k.size <= 4096:
        key = (k.shape, k.dtype.str, plan.compute_dtype.str, k.tobytes())
        taps = _TAPS.get(key)
        if taps is None:
            if len(_TAPS) > 512:
                _TAPS.clear()
            taps = _TAPS[key] = _count_taps(plan)
        return taps
    return _count_taps(plan)


def _count_taps(plan):
    nsp = plan.nsp
    lead = tuple(range(plan.kernel.ndim - nsp))
    taps = int(np.count_nonzero(np.any(plan.kernel != 0, axis=lead) if lead
                                else plan.kernel))
    if nsp >= 2 and taps > 9 and plan.kernel.size <= 4096:
        from .direct import low_rank_terms
        terms = low_rank_terms(plan.kernel.astype(plan.compute_dtype, copy=False), nsp)
        if terms is not None:
            taps = min(taps, len(terms) * sum(plan.kernel_spatial))
    return taps


_TAPS = {}
