"""The method-choice model: estimated seconds per engine, from shapes and a few constants.

Pure functions of shapes, dtypes and the constants in ``_calibration.py``, which
``benchmarks/calibrate.py`` measures on the machine (FFTW throughput per point, the direct
engine's throughput per multiply-add, fixed call costs, the speed-up of threads).  The
decisions they drive are between costs that differ by orders of magnitude except near a
crossover, where either choice is nearly as good, so a factor of ~1.5 error is harmless.
"""

import math

import numpy as np

from ._calibration import CALIBRATION as C

#: transforms with at least this many points (times batch) use every worker; the
#: measured break-even of two threads is ~1 ms of work, and they pay off from ~10 ms.
THREAD_MIN_ELEMENTS = 1 << 17
#: direct engine: multiply-adds below which it runs on one thread (its own rule)
DIRECT_THREAD_WORK = 1 << 21
#: relative error tolerated per compute dtype itemsize (real) before FFT counts as inexact
FFT_RTOL = {4: 1e-4, 8: 1e-8}


def fft_threads(workers, elements):
    """Threads worth using for transforms of ``elements`` points in total."""
    workers = int(workers or 1)
    return workers if elements >= THREAD_MIN_ELEMENTS else 1


def _speedup(threads, work_elements, threshold):
    if threads <= 1 or work_elements < threshold:
        return 1.0
    full = C["thread_speedup"] * min(threads, C["cores"]) / C["cores"]
    return max(1.0, full)


def transform_seconds(points, count, real, itemsize, threads):
    """``count`` transforms of ``points`` points each (real or complex)."""
    if points <= 1 or count == 0:
        return C["fft_call"]
    table = C["fft_real"] if real else C["fft_complex"]
    per = table.get(itemsize, table[8] * itemsize / 8)
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


def direct_seconds(out_elements, taps, itemsize, threads, bands=1):
    """Estimated direct-engine time for ``out_elements`` x ``taps`` multiply-adds."""
    per = C["direct_mac"].get(itemsize, 1e-9)
    work = out_elements * max(taps, 1)
    speed = _speedup(threads, work, DIRECT_THREAD_WORK)
    return C["direct_call"] + (work * per + taps * bands * C["direct_tap_call"]) / speed


def fft_exact_for_integers(max1, max2, size1, size2):
    """scipy's rule: rounding an FFT result is exact while this product stays below 2**52."""
    return max1 * max2 * min(size1, size2) < 2 ** np.finfo(np.float64).nmant


def fft_accurate(dynamic_range, itemsize):
    """Whether FFT rounding error (~eps * max|x|) stays within the dtype's tolerance
    relative to typical outputs (~median|x|) for an input of this dynamic range."""
    eps = float(np.finfo(np.float32 if itemsize == 4 else np.float64).eps)
    return eps * dynamic_range <= FFT_RTOL.get(itemsize, 1e-8)


def fast_length(n):
    from ..fft.backend import next_fast_len
    return next_fast_len(max(int(n), 1))
