"""The method-choice model: estimated seconds per engine, from shapes and a calibration.

Pure functions of a :class:`Problem` (shapes, dtype, threads) and a calibration ``cal``:
the constants ``sigconv tune`` measures on the machine (FFTW throughput per point, the
direct engine's throughput per multiply-add, fixed call costs, the speed-up of threads),
or the shipped defaults of ``_calibration.py``.  The decisions they drive are between
costs that differ by orders of magnitude except near a crossover, where either choice is
nearly as good, so a factor of ~1.5 error is harmless.
"""

import functools
import math
from typing import NamedTuple

import numpy as np

from .. import _validate
from .._padding import padded_shape
from . import fft as _fft, opencv as _opencv, overlap as _overlap, tiled as _tiled
from .direct import _THREAD_WORK as DIRECT_THREAD_WORK, dot_path_applies
from .fft import THREAD_MIN_ELEMENTS
from .separable import low_rank_terms

#: relative error tolerated per compute dtype itemsize (real) before FFT counts as inexact
FFT_RTOL = {4: 1e-4, 8: 1e-8}


def _speedup(cal, threads, work_elements, threshold):
    if threads <= 1 or work_elements < threshold:
        return 1.0
    full = cal["thread_speedup"] * min(threads, cal["cores"]) / cal["cores"]
    return max(1.0, full)


#: transforms of more points than this leave the caches: their time per
#: ``N log2 N`` grows by LARGE_PENALTY per doubling (measured on 2-D float64 full
#: correlations: 1040^2 points 1.3x, 4112^2 points 2.75x the calibrated rate)
LARGE_POINTS = 1 << 18
LARGE_PENALTY = 0.25


def transform_seconds(cal, points, count, real, itemsize, threads, ndim=2, rows=False):
    """``count`` transforms of ``points`` points each (real or complex) with ``ndim``
    axes; 1-D transforms run at ``cal['fft_1d'][itemsize]`` times the calibrated rate,
    batches of 1-D ``rows`` (overlap-save's) at ``cal['fft_rows']`` times while short
    (:data:`ROWS_POINTS`)."""
    if points <= 1 or count == 0:
        return cal["fft_call"]
    table = cal["fft_real"] if real else cal["fft_complex"]
    per = table.get(itemsize, table[8] * itemsize / 8)
    if ndim == 1:
        one = cal["fft_1d"].get(itemsize, cal["fft_1d"][8])
        per *= _rows_factor(cal["fft_rows"], one, points) if rows else one
    per *= 1 + LARGE_PENALTY * max(0.0, math.log2(points / LARGE_POINTS))
    work = count * points * math.log2(points) * per
    return cal["fft_call"] + work / _speedup(cal, threads, count * points, THREAD_MIN_ELEMENTS)


#: batches of rows of at most ROWS_POINTS[0] points run at ``cal['fft_rows']`` (measured
#: at 512), from ROWS_POINTS[1] on at the single 1-D rate (measured from 2**14), between
#: log-linearly: short rows stay in cache with their twiddles
ROWS_POINTS = (512, 1 << 14)


def _rows_factor(rows, single, points):
    lo, hi = (math.log2(p) for p in ROWS_POINTS)
    f = min(max((math.log2(points) - lo) / (hi - lo), 0.0), 1.0)
    return rows + f * (single - rows)


def elementwise_seconds(cal, elements, itemsize, span=None):
    """Element-wise passes (fill, product, copy) over ``elements`` numbers of ``itemsize``
    bytes, ``span`` of them at a time (default: all): at the in-cache rate
    ``cal['per_element']`` while a pass's three operands fit ``cal['cache_bytes']``, else
    at the rate from memory ``cal['per_element_memory']`` (about twice as slow)."""
    span = elements if span is None else span
    table = cal["per_element"] if 3 * span * itemsize <= cal["cache_bytes"] \
        else cal["per_element_memory"]
    return elements * table.get(itemsize, 4e-9)


def block_seconds(cal, sizes, folded, xbatch, outbatch, real, itemsize, threads):
    """One block of the spectral engines: fill, forward, product (+fold), inverse, copy."""
    N = math.prod(sizes)
    M = math.prod(folded)
    spec = N // sizes[-1] * (sizes[-1] // 2 + 1) if real else N
    t = transform_seconds(cal, N, xbatch, real, itemsize, threads, len(sizes))
    t += transform_seconds(cal, M, outbatch, real, itemsize, threads, len(folded))
    t += elementwise_seconds(cal, xbatch * N, itemsize)                # fill the buffer
    t += elementwise_seconds(cal, outbatch * spec, 2 * itemsize) * (1 if N == M else 3)
    t += elementwise_seconds(cal, outbatch * M, itemsize)               # copy out
    return t


def spectral_seconds(cal, sizes, folded, nblocks, xbatch, kbatch, outbatch, real, itemsize,
                     threads, adds=0):
    """FFT (one block) or overlap engines: kernel spectrum plus ``nblocks`` blocks."""
    t = transform_seconds(cal, math.prod(sizes), kbatch, real, itemsize, threads, len(sizes))
    t += nblocks * block_seconds(cal, sizes, folded, xbatch, outbatch, real, itemsize,
                                 threads)
    return t + elementwise_seconds(cal, adds, itemsize)


def direct_seconds(cal, out_elements, taps, char, threads, bands=1):
    """Estimated direct-engine time for ``out_elements`` x ``taps`` multiply-adds in the
    dtype of type character ``char``."""
    per = cal["direct_mac"].get(char, cal["direct_mac"]["d"])
    work = out_elements * max(taps, 1)
    speed = _speedup(cal, threads, work, DIRECT_THREAD_WORK)
    return cal["direct_call"] + (work * per + taps * bands * cal["direct_tap_call"]) / speed


def dot_seconds(cal, out_elements, taps, complex_, rows, threads=1):
    """Estimated time of the direct engine's 1-D dot path (one np.correlate per row,
    split over threads when large)."""
    work = out_elements * max(taps, 1)
    speed = _speedup(cal, threads, work, DIRECT_THREAD_WORK)
    per = cal["dot_mac"]["c" if complex_ else "f"]
    return cal["direct_call"] + rows * cal["dot_call"] + work * per / speed


def compiled_seconds(cal, p):
    """Estimated time of the direct engine on OpenCV's filters
    (:mod:`sigconv.engines.opencv`): a call per output plane and pass, and per sample of
    the stride-1 output planes a read and write per pass and a multiply-add per tap."""
    c = p.cv.lower()
    planes = p.outbatch * math.prod(p.out_spatial[:-2])
    samples = planes * math.prod((L - 1) * s + 1 for L, s in
                                 zip(p.out_spatial[-2:], p.strides[-2:]))
    channels = 2 if p.cv in "FD" else 1
    work = samples * channels * (p.cv_passes * cal["cv_pixel"][c] + p.cv_taps * cal["cv_mac"][c])
    speed = _speedup(cal, p.workers, samples * p.cv_taps, _opencv.THREAD_WORK)
    return cal["direct_call"] + planes * p.cv_passes * cal["cv_call"] + work / speed


def fft_exact_for_integers(max1, max2, size1, size2):
    """scipy's rule: rounding an FFT result is exact while this product stays below 2**52."""
    return max1 * max2 * min(size1, size2) < 2 ** np.finfo(np.float64).nmant


def fft_accurate(dynamic_range, itemsize):
    """Whether FFT rounding error (~eps * max|x|) stays within the dtype's tolerance
    relative to typical outputs (~median|x|) for an input of this dynamic range."""
    eps = float(np.finfo(np.float32 if itemsize == 4 else np.float64).eps)
    return eps * dynamic_range <= FFT_RTOL.get(itemsize, 1e-8)


class Problem(NamedTuple):
    """A convolution reduced to what the model needs: extents, batches, dtype, threads.

    ``xshape``/``keshape``/``out_spatial`` are spatial extents (kernel extents dilated),
    ``pads`` the implicit zero pads, ``taps`` the multiply-adds per output of the direct
    engine, ``itemsize`` the bytes of one real number of the compute dtype, ``char`` the
    compute dtype's type character, ``dot`` whether the direct engine takes numpy's
    compiled 1-D correlation, ``cv`` the type OpenCV's filters compute it in (or '' where
    the direct engine sums in numpy) with ``cv_passes`` filter calls per output plane and
    ``cv_taps`` taps per sample.  Hashable: estimates are remembered per problem.
    """
    xshape: tuple
    keshape: tuple
    out_spatial: tuple
    strides: tuple
    pads: tuple
    xbatch: int
    kbatch: int
    outbatch: int
    itemsize: int
    complex_: bool
    workers: int
    taps: int
    char: str = "d"
    dot: bool = False
    cv: str = ""
    cv_passes: int = 0
    cv_taps: int = 0

    @property
    def out_bytes(self):
        per = self.itemsize * (2 if self.complex_ else 1)
        return self.outbatch * math.prod(self.out_spatial) * per


class Estimate(NamedTuple):
    """Seconds and bytes of one method; ``blocks`` for the overlap engines."""
    seconds: float
    nbytes: int
    blocks: object = None


def single_sizes(p):
    """Per axis (N, M) of the single-transform engine for problem ``p``."""
    return _fft.transform_sizes(p.xshape, p.keshape, p.out_spatial, p.strides, p.pads,
                                not p.complex_)


def fft_estimate(cal, p):
    """The single-transform engine."""
    sizes = single_sizes(p)
    nbytes = _fft.memory_bytes(p.xbatch, p.kbatch, p.outbatch, sizes, p.itemsize, p.complex_)
    secs = spectral_seconds(cal, [n for n, _ in sizes], [m for _, m in sizes], 1, p.xbatch,
                            p.kbatch, p.outbatch, not p.complex_, p.itemsize, p.workers)
    return Estimate(secs, nbytes + p.out_bytes)


def overlap_estimate(cal, kind, p, max_bytes):
    """Overlap-save (``'os'``) or overlap-add (``'oa'``), blocks shrunk to fit ``max_bytes``."""
    if kind == "os" and _overlap.rows_apply(len(p.xshape), p.strides, p.kbatch):
        return rows_estimate(cal, p)
    char = p.char if p.char in "fdgFDG" else "d"      # integers are transformed in float64
    if kind == "os" and _overlap.tiles_apply(len(p.xshape), p.strides, p.xbatch, p.kbatch,
                                             char):
        return tiles_estimate(cal, p)
    single = single_sizes(p)
    max_points = None
    while True:
        blocks = _overlap.block_sizes(kind, p.xshape, p.keshape, p.out_spatial, p.strides,
                                      single, max_points)
        sizes = [(n, m) for n, m, _ in blocks]
        nbytes = _fft.memory_bytes(p.xbatch, p.kbatch, p.outbatch, sizes, p.itemsize,
                                   p.complex_) + p.out_bytes
        points = math.prod(n for n, _ in sizes)
        if nbytes <= max_bytes or points <= 1 or (max_points and points > max_points):
            break
        max_points = points // 2
    count = _overlap.block_count(kind, p.xshape, p.out_spatial, p.pads, p.strides, blocks)
    adds = p.outbatch * math.prod(p.out_spatial) if kind == "oa" and count > 1 else 0
    secs = spectral_seconds(cal, [n for n, _ in sizes], [m for _, m in sizes], count,
                            p.xbatch, p.kbatch, p.outbatch, not p.complex_, p.itemsize,
                            p.workers, adds=2 * adds)
    return Estimate(secs, nbytes, tuple(blocks))


def rows_estimate(cal, p):
    """Overlap-save of one axis as batched rows (:func:`sigconv.engines.overlap.row_block`)."""
    (ke,), (L,), (n,) = p.keshape, p.out_spatial, p.xshape
    N, _, B = _overlap.row_block(ke, L)
    groups, per = _overlap.row_groups(-(-L // B), N, p.itemsize)
    rows = p.xbatch * groups * per
    real, size = not p.complex_, p.itemsize
    per_number = size * (1 if real else 2)
    threads = p.workers if groups > 1 else 1
    secs = transform_seconds(cal, N, 1, real, size, 1, 1)               # kernel spectrum
    secs += 2 * transform_seconds(cal, N, rows, real, size, threads, 1, rows=True)
    secs += 2 * (groups - 1) * cal["fft_call"] / _speedup(cal, threads, rows * N,
                                                          THREAD_MIN_ELEMENTS)
    # fill, product, copy, a group at a time
    secs += elementwise_seconds(cal, 3 * rows * N, per_number, per * N)
    # interior groups read the input and write the result in place; the two end groups
    # go through zero-padded windows, the last one through a trimmed result too
    ends = p.xbatch * (per * (2 * N + B) if groups > 1 else n + L)
    secs += elementwise_seconds(cal, 2 * ends, per_number, per * N)
    nbytes = per_number * (ends + 4 * per * N * max(threads, 1))
    return Estimate(secs, nbytes + p.out_bytes, ((N, N, B),))


def tiles_estimate(cal, p):
    """Overlap-save in cache-sized tiles (:class:`sigconv.engines.tiled.TiledBank`): per
    tile one forward transform, and per kernel a product, an inverse and a copy; tiles
    run on the worker threads; the kernels' spectra at the tile shape once."""
    tile = _tiled.tile_shape(tuple(p.out_spatial), tuple(p.keshape))
    valid = [t - k + 1 for t, k in zip(tile, p.keshape)]
    K = p.kbatch
    tiles = p.xbatch * math.prod(-(-L // v) for L, v in zip(p.out_spatial, valid))
    real, size = not p.complex_, p.itemsize
    per_number = size * (1 if real else 2)
    P = math.prod(tile)
    spec = P // tile[-1] * (tile[-1] // 2 + 1) if real else P
    one = transform_seconds(cal, P, 1, real, size, 1, len(tile))
    per_tile = (1 + K) * one + elementwise_seconds(cal, P, per_number) \
        + elementwise_seconds(cal, K * spec, 2 * size) \
        + elementwise_seconds(cal, K * math.prod(valid), per_number)
    threads = min(int(p.workers or 1), tiles)
    speed = _speedup(cal, threads, tiles * P * K, _tiled.THREAD_MIN_WORK)
    secs = K * one + tiles * per_tile / speed
    nbytes = p.out_bytes + K * spec * 2 * size + max(threads, 1) * 3 * P * per_number
    return Estimate(secs, nbytes)


def direct_estimate(cal, p):
    """The direct engine's seconds: OpenCV's filters, numpy's dot correlation or the
    shifted sums, whichever runs problem ``p``."""
    out_elements = p.outbatch * math.prod(p.out_spatial)
    if p.cv:
        return compiled_seconds(cal, p)
    if p.dot:
        return dot_seconds(cal, out_elements, p.taps, p.complex_, p.outbatch, p.workers)
    return direct_seconds(cal, out_elements, p.taps, p.char, p.workers)


def transform_floor(cal, p):
    """A lower bound of the estimate of every transform method (fft, os, oa, tiles).

    Each makes a kernel transform call, forward and inverse transforms covering at least
    the output's points in lengths of at least the kernel's extent (``N log2 N`` work at
    the lowest calibrated rate), and one element-wise pass over the output at the
    in-cache rate; all but the first call spread over the most the threads can speed up.
    A direct sum estimated below it needs no other estimate.
    """
    speed = max(1.0, cal["thread_speedup"])
    out = p.outbatch * math.prod(p.out_spatial)
    size = p.itemsize
    rate = min(t.get(size, t[8] * size / 8) for t in (cal["fft_real"], cal["fft_complex"]))
    rate *= min(1.0, cal["fft_rows"], *cal["fft_1d"].values())
    work = 2 * out * math.log2(max(2, math.prod(p.keshape))) * rate
    return cal["fft_call"] * (1 + 2 / speed) + \
        (work + out * min(cal["per_element"].values())) / speed


def estimates(cal, p, max_bytes):
    """``{method: Estimate}`` for direct, fft, overlap-save and overlap-add."""
    direct = direct_estimate(cal, p)
    os_, oa = overlap_estimate(cal, "os", p, max_bytes), overlap_estimate(cal, "oa", p, max_bytes)
    if _overlap.rows_apply(len(p.xshape), p.strides, p.kbatch):
        # overlap-save batches its blocks as rows; overlap-add makes the same transforms
        # one block at a time and adds the pieces: never the faster (1.6-2.2x overlap-
        # save's time on every 1-D case of the benchmark grid)
        oa = oa._replace(seconds=max(oa.seconds, os_.seconds))
    return {"direct": Estimate(direct, p.out_bytes), "fft": fft_estimate(cal, p), "os": os_,
            "oa": oa}


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
    """A validated ``sigconv._plan.Plan`` as the model sees it (a :class:`Problem`).

    A pure function (remembered) of the plan's shapes, geometry and dtypes, the direct
    engine's taps (:func:`direct_taps`) and the type OpenCV's filters would sum in (none
    without OpenCV; for integers, the float type that holds their sums exactly).
    """
    dt = plan.compute_dtype
    cv = _opencv.work_char(dt, plan.int_bound if plan.integer else None) or ""
    if cv and not _opencv.applies(plan.nsp, dt, plan.kernel_spatial, plan.dilations):
        cv = ""
    materialized = plan.boundary != "constant" or plan.fillvalue != 0
    # (the compiled filters' cost comes from the kernel's shape: no taps to count)
    return _problem(plan.x.shape, plan.kernel.shape, plan.out_shape, plan.pads, plan.strides,
                    plan.dilations, materialized, dt, plan.integer, cv, plan.workers,
                    0 if cv else direct_taps(plan))


@functools.lru_cache(maxsize=512)
def _problem(xs, ks, out_shape, pads, strides, dilations, materialized, dt, integer, cv,
             workers, taps):
    nsp = len(strides)
    complex_ = dt.kind == "c"
    itemsize = 8 if integer else dt.itemsize // (2 if complex_ else 1)

    def batch(shape):
        return math.prod(shape[:len(shape) - nsp])

    kspatial = ks[len(ks) - nsp:]
    xshape = padded_shape(xs[len(xs) - nsp:], pads) if materialized else xs[len(xs) - nsp:]
    ke = tuple(d * (k - 1) + 1 for k, d in zip(kspatial, dilations))
    dot = dot_path_applies(nsp, strides, dilations, kspatial[-1], dt, batch(out_shape))
    passes, cv_taps = _opencv.passes(kspatial, dilations, cv) if cv else (0, 0)
    return Problem(tuple(xshape), ke, tuple(out_shape[-nsp:]), strides,
                   ((0, 0),) * nsp if materialized else pads, batch(xs), batch(ks),
                   batch(out_shape), itemsize, complex_, workers, taps, dt.char, dot, cv,
                   passes, cv_taps)


def direct_taps(plan):
    """Multiply-adds per output of the direct engine: non-zero taps, or fewer when the
    kernel splits into low-rank 1-D passes (remembered per small kernel)."""
    k = plan.kernel
    if k.size <= 4096:
        return _taps(k.tobytes(), k.shape, k.dtype.str, plan.compute_dtype.str, plan.nsp)
    return _count_taps(k, plan.compute_dtype, plan.nsp)


@functools.lru_cache(maxsize=512)
def _taps(data, shape, dtype, compute, nsp):
    return _count_taps(np.frombuffer(data, dtype).reshape(shape), np.dtype(compute), nsp)


def _count_taps(kernel, compute, nsp):
    lead = tuple(range(kernel.ndim - nsp))
    taps = int(np.count_nonzero(np.any(kernel != 0, axis=lead) if lead else kernel))
    if nsp >= 2 and taps > 9 and kernel.size <= 4096:
        terms = low_rank_terms(kernel.astype(compute, copy=False), nsp)
        if terms is not None:
            taps = min(taps, len(terms) * sum(kernel.shape[kernel.ndim - nsp:]))
    return taps
