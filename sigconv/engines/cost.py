"""The method-choice model: estimated seconds per engine, from shapes and a calibration.

Pure functions of a :class:`Problem` (shapes, dtype, threads) and a calibration ``cal``:
the constants ``sigconv tune`` measures on the machine (FFTW throughput per point, the
direct engine's throughput per multiply-add, fixed call costs, the speed-up of threads),
or the shipped defaults of ``_calibration.py``.  The decisions they drive are between
costs that differ by orders of magnitude except near a crossover, where either choice
is nearly as good, so a factor of ~1.5 error is harmless."""

import functools
import math
from typing import NamedTuple

import numpy as np

from .._shapes import as_plane
from . import fft as _fft, opencv as _opencv, overlap as _overlap, tiled as _tiled
from .direct import _THREAD_WORK as DIRECT_THREAD_WORK, dot_threads
from .fft import THREAD_MIN_ELEMENTS

#: relative error tolerated per compute dtype itemsize (real) before FFT counts as inexact
FFT_RTOL = {4: 1e-4, 8: 1e-8}


def _speedup(cal, threads, work_elements, threshold, full_speedup=None):
    if threads <= 1 or work_elements < threshold:
        return 1.0
    full = (full_speedup or cal["thread_speedup"]) * min(threads, cal["cores"]) / cal["cores"]
    return max(1.0, full)


#: transforms of more points than this leave the caches: their time per
#: ``N log2 N`` grows by LARGE_PENALTY per doubling (measured on 2-D float64 full
#: correlations: 1040^2 points 1.3x, 4112^2 points 2.75x the calibrated rate)
LARGE_POINTS = 1 << 18
LARGE_PENALTY = 0.25


def transform_seconds(cal, points, count, real, itemsize, threads, ndim=2, rows=False):
    """``count`` transforms of ``points`` points each (real or complex) with ``ndim``
    axes; 1-D transforms run at ``cal['fft_1d'][itemsize]`` times the calibrated rate
    (real ones times their length's :func:`single_factors`), batches of 1-D ``rows``
    (overlap-save's) at ``cal['fft_rows']`` times while short (:data:`ROWS_POINTS`).

    Complex transforms over two or more axes run on scipy.fft (:mod:`sigconv.fft.plans`):
    at ``cal['scipy_fft']['factor']`` times the calibrated rate, growing by its
    ``'penalty'`` per doubling past LARGE_POINTS (FFTW's by LARGE_PENALTY), and sped up
    ``'speedup'`` times by all cores (FFTW ``cal['thread_speedup']`` times; from the
    points of the engines' :func:`~sigconv.engines.fft.threads_for`)."""
    if points <= 1 or count == 0:
        return cal["fft_call"]
    table = cal["fft_real"] if real else cal["fft_complex"]
    per = table.get(itemsize, table[8] * itemsize / 8)
    penalty, speedup = LARGE_PENALTY, None
    if ndim >= 2 and not real:
        scipy_fft = cal["scipy_fft"]
        per *= scipy_fft["factor"]
        penalty, speedup = scipy_fft["penalty"], scipy_fft["speedup"]
    elif ndim == 1:
        one = cal["fft_1d"].get(itemsize, cal["fft_1d"][8])
        if rows:
            per *= _rows_factor(cal["fft_rows"], one, points)
        else:
            per *= one * single_factors(cal, itemsize, not real).get(points, 1.0)
    per *= 1 + penalty * max(0.0, math.log2(points / LARGE_POINTS))
    work = count * points * math.log2(points) * per
    f32_row = ndim == 1 and real and itemsize == 4 and not rows     # cal['f32_row_threads']
    least = max(cal["f32_row_threads"], THREAD_MIN_ELEMENTS) if f32_row else THREAD_MIN_ELEMENTS
    return cal["fft_call"] + work / _speedup(cal, threads, count * points, least, speedup)


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
    N, M = math.prod(sizes), math.prod(folded)
    spec = N // sizes[-1] * (sizes[-1] // 2 + 1) if real else N
    t = transform_seconds(cal, N, xbatch, real, itemsize, threads, len(sizes))
    t += transform_seconds(cal, M, outbatch, real, itemsize, threads, len(folded))
    t += elementwise_seconds(cal, xbatch * N, itemsize)                # fill the buffer
    t += elementwise_seconds(cal, outbatch * spec, 2 * itemsize) * (1 if N == M else 3)
    t += elementwise_seconds(cal, outbatch * M, itemsize)               # copy out
    return t


def spectral_seconds(cal, sizes, folded, nblocks, xbatch, kbatch, outbatch, real, itemsize,
                     threads, adds=0):
    """FFT (one block) or overlap engines: the call's fixed cost ``cal['spectral_call']``,
    ``kbatch`` kernel spectra (0: remembered from an earlier call), ``nblocks`` blocks."""
    t = cal["spectral_call"]
    if kbatch:
        t += transform_seconds(cal, math.prod(sizes), kbatch, real, itemsize, threads,
                               len(sizes))
    t += nblocks * block_seconds(cal, sizes, folded, xbatch, outbatch, real, itemsize,
                                 threads)
    return t + elementwise_seconds(cal, adds, itemsize)


def direct_seconds(cal, out_elements, taps, char, threads, bands=1):
    """Direct-engine time for ``out_elements`` x ``taps`` multiply-adds in ``char``."""
    per = cal["direct_mac"].get(char, cal["direct_mac"]["d"])
    work = out_elements * max(taps, 1)
    speed = _speedup(cal, threads, work, DIRECT_THREAD_WORK)
    return cal["direct_call"] + (work * per + taps * bands * cal["direct_tap_call"]) / speed


def dot_seconds(cal, out_elements, taps, complex_, rows, threads=1):
    """Estimated time of the direct engine's 1-D dot path (one np.correlate per row of
    ``rows``, split over threads when large; 0 rows: the windows' one product).  Past the
    calibrated 65 taps np.correlate's time per multiply-add falls as
    ``(65 / taps) ** cal['dot_taps']``."""
    work = out_elements * max(taps, 1)
    speed = _speedup(cal, dot_threads(threads, out_elements // rows, taps), work, 0) if rows \
        else _speedup(cal, threads, work, DIRECT_THREAD_WORK)
    key = "c" if complex_ else "f"
    per = cal["dot_mac"][key] * min(1, 65 / max(taps, 1)) ** (cal["dot_taps"][key] * bool(rows))
    return cal["direct_call"] + rows * cal["dot_call"] + work * per / speed


def compiled_seconds(cal, p):
    """Estimated time of the direct engine on OpenCV's filters
    (:mod:`sigconv.engines.opencv`; 1-D rows as planes of one row): a call per output
    plane and pass, and per sample of the stride-1 output planes a read and write per pass
    and a multiply-add per tap; sped up by threads only where the engine splits the work
    (several planes or bands: 256^2 x 17x17 float32, one band, took 590 us on one thread
    and on two)."""
    c = p.cv.lower()
    out_spatial, strides, keshape = map(as_plane, (p.out_spatial, p.strides, p.keshape))
    planes = p.outbatch * math.prod(out_spatial[:-2])
    samples = planes * math.prod((L - 1) * s + 1 for L, s in zip(out_spatial[-2:], strides[-2:]))
    channels = 2 if p.cv in "FD" else 1
    work = samples * channels * (p.cv_passes * cal["cv_pixel"][c] + p.cv_taps * cal["cv_mac"][c])
    outs = planes * math.prod(out_spatial[-2:])
    threads, _ = _opencv.split(planes, out_spatial[-2], keshape[-2], outs * p.cv_taps,
                               p.workers)
    speed = _speedup(cal, threads, outs * p.cv_taps, _opencv.THREAD_WORK)
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
    ``cv_taps`` taps per sample, ``kernel_kept`` whether the transform engines remember
    the kernel's spectrum (:func:`sigconv.engines.fft.remembered`: no kernel transform
    after a kernel's first call), ``windows`` whether the direct engine multiplies the
    outputs' windows (:mod:`sigconv.engines.windows`).  Hashable: estimates are
    remembered per problem.
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
    kernel_kept: bool = False
    windows: bool = False

    @property
    def out_bytes(self):
        per = self.itemsize * (2 if self.complex_ else 1)
        return self.outbatch * math.prod(self.out_spatial) * per


class Estimate(NamedTuple):
    """Seconds and bytes of one method; ``blocks`` for the overlap engines."""
    seconds: float
    nbytes: int
    blocks: object = None


def _new_spectra(p):
    """Kernel spectra a call of ``p`` transforms: none where the engines remember them
    (``p.kernel_kept``: the model prices a kernel's calls after its first), else one each."""
    return 0 if p.kernel_kept else p.kbatch


def single_sizes(p):
    """Per axis (N, M) of the single-transform engine for problem ``p``."""
    return _fft.transform_sizes(p.xshape, p.keshape, p.out_spatial, p.strides, p.pads,
                                not p.complex_)


def fft_estimate(cal, p):
    """The single-transform engine."""
    sizes = single_sizes(p)
    nbytes = _fft.memory_bytes(p.xbatch, p.kbatch, p.outbatch, sizes, p.itemsize, p.complex_)
    secs = spectral_seconds(cal, [n for n, _ in sizes], [m for _, m in sizes], 1, p.xbatch,
                            _new_spectra(p), p.outbatch, not p.complex_, p.itemsize,
                            p.workers)
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
                            p.xbatch, _new_spectra(p), p.outbatch, not p.complex_, p.itemsize,
                            p.workers, adds=2 * adds)
    return Estimate(secs, nbytes, tuple(blocks))


def rows_estimate(cal, p):
    """Overlap-save of one axis as batched rows (:func:`sigconv.engines.overlap.row_block`):
    the transform engines' fixed cost and the rows' own (``cal['rows_call']``), the kernel
    row's spectrum, the batched transforms and the element-wise passes of the rows (the
    engine fills them from the input and writes the result from them, no other copy)."""
    (ke,), (L,) = p.keshape, p.out_spatial
    factors = row_factors(cal, p.itemsize, p.complex_)
    N, _, B = _overlap.row_block(ke, L, factors)
    groups, per = _overlap.row_groups(-(-L // B), N, p.itemsize)
    rows = p.xbatch * groups * per
    real, size = not p.complex_, p.itemsize
    per_number = size * (1 if real else 2)
    threads = p.workers if groups > 1 else 1
    secs = cal["spectral_call"] + cal["rows_call"] + (
        transform_seconds(cal, N, 1, real, size, 1, 1) if _new_spectra(p) else 0.0)
    secs += 2 * transform_seconds(cal, N, rows, real, size, threads, 1, rows=True) \
        * factors.get(N, 1.0)
    secs += 2 * (groups - 1) * cal["fft_call"] / _speedup(cal, threads, rows * N,
                                                          THREAD_MIN_ELEMENTS)
    # fill, product, copy, a group at a time
    secs += elementwise_seconds(cal, 3 * rows * N, per_number, per * N)
    nbytes = per_number * 4 * per * N * max(threads, 1)
    return Estimate(secs, nbytes + p.out_bytes, ((N, N, B),))


def row_factors(cal, itemsize, complex_=False):
    """``{N: relative rate}`` of real rows of ``itemsize`` bytes (``cal['row_factor_f']``,
    ``['row_factor_d']``, measured by :func:`sigconv._transform_constants.row_factors`);
    empty for complex rows and other dtypes."""
    return _length_factors(cal, "row_factor", itemsize, complex_)


def single_factors(cal, itemsize, complex_=False):
    """``{N: relative rate}`` of single real 1-D transforms of ``itemsize`` bytes
    (``cal['single_factor_f']``, ``['single_factor_d']``, measured by
    :func:`sigconv._transform_constants.single_factors`); empty for complex transforms
    and other dtypes."""
    return _length_factors(cal, "single_factor", itemsize, complex_)


def _length_factors(cal, name, itemsize, complex_):
    if complex_ or itemsize not in (4, 8):
        return {}
    return cal.get(f"{name}_{'f' if itemsize == 4 else 'd'}", None) or {}


def tiles_estimate(cal, p):
    """Overlap-save in cache-sized tiles (:class:`sigconv.engines.tiled.TiledBank`): per
    tile one forward transform, and per kernel a product, an inverse and a copy; tiles
    run on the worker threads (``cal['tiles_speedup']``; complex ones on scipy.fft's), the
    kernels' spectra at the tile shape once (unless remembered, :func:`_new_spectra`)."""
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
    speed = _speedup(cal, threads, tiles * P * K, _tiled.THREAD_MIN_WORK,
                     cal["tiles_speedup"] if real else cal["scipy_fft"]["speedup"])
    secs = cal["spectral_call"] + _new_spectra(p) * one + tiles * per_tile / speed
    nbytes = p.out_bytes + K * spec * 2 * size + max(threads, 1) * 3 * P * per_number
    return Estimate(secs, nbytes)


def direct_estimate(cal, p):
    """The direct engine's seconds: OpenCV's filters, numpy's dot correlation, the windows
    (a gather, priced as a shifted multiply-add, and a product) or the shifted sums."""
    out_elements = p.outbatch * math.prod(p.out_spatial)
    if p.cv:
        return compiled_seconds(cal, p)
    if p.dot or p.windows:
        gather = cal["gather"] + cal["direct_mac"].get(p.char, cal["direct_mac"]["d"])
        return dot_seconds(cal, out_elements, p.taps, p.complex_, p.outbatch * p.dot,
                           p.workers) + out_elements * p.taps * gather * p.windows
    return direct_seconds(cal, out_elements, p.taps, p.char, p.workers)


def transform_floor(cal, p):
    """A lower bound of the estimate of every transform method (fft, os, oa, tiles).

    Each costs the engine call's fixed cost, a kernel transform call (unless the kernel's
    spectrum is remembered, :func:`_new_spectra`), forward and inverse transforms covering
    at least the output's points in lengths of at least the kernel's extent (``N log2 N``
    work at the lowest calibrated rate), and one element-wise pass over the output at the
    in-cache rate; all but the first two spread over the most the threads can speed up.
    A direct sum estimated below it needs no other estimate."""
    speed = max(1.0, cal["thread_speedup"])
    out = p.outbatch * math.prod(p.out_spatial)
    work = 2 * out * math.log2(max(2, math.prod(p.keshape))) * _lowest_rate(cal, p.itemsize)
    return cal["spectral_call"] + cal["fft_call"] * (min(1, _new_spectra(p)) + 2 / speed) + \
        (work + out * min(cal["per_element"].values())) / speed


@functools.lru_cache(maxsize=16)
def _lowest_rate(cal, size):
    """Seconds per ``N log2 N`` of the calibration's fastest transform of ``size``-byte
    numbers: its lowest rate, times the lowest relative rate of rows or single lengths."""
    rate = min(t.get(size, t[8] * size / 8) for t in (cal["fft_real"], cal["fft_complex"]))
    rows = cal["fft_rows"] * min(1.0, *(min(row_factors(cal, s).values(), default=1.0)
                                         for s in (4, 8)))
    single = min(cal["fft_1d"].values()) * min(
        1.0, *(min(single_factors(cal, s).values(), default=1.0) for s in (4, 8)))
    return rate * min(1.0, rows, single)


def estimates(cal, p, max_bytes, *, auto=False):
    """``{method: Estimate}`` for direct, fft, overlap-save and overlap-add; with ``auto``,
    only the methods 'auto' chooses among.  Where overlap-save batches its blocks as rows,
    overlap-add makes the same transforms one block at a time and adds the pieces: never
    the faster (1.6-2.2x overlap-save's time on every 1-D case of the benchmark grid), so
    it is estimated at least at overlap-save's time, and for 'auto' not at all."""
    os_ = overlap_estimate(cal, "os", p, max_bytes)
    out = {"direct": Estimate(direct_estimate(cal, p), p.out_bytes), "fft": fft_estimate(cal, p),
           "os": os_}
    rows = _overlap.rows_apply(len(p.xshape), p.strides, p.kbatch)
    if rows and auto:
        return out
    oa = overlap_estimate(cal, "oa", p, max_bytes)
    out["oa"] = oa._replace(seconds=max(oa.seconds, os_.seconds)) if rows else oa
    return out
