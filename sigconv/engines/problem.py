"""A validated plan as the cost model sees it: its :class:`~sigconv.engines.cost.Problem`
(shapes, geometry, dtypes, the direct engine's taps) and whether its values allow an FFT
to within the dtype's tolerance.  The model itself (:mod:`sigconv.engines.cost`) sees no
arrays."""

import functools
import math

import numpy as np

from .. import _validate
from .._padding import padded_shape
from . import opencv as _opencv, windows
from .cost import Problem, fft_accurate
from .direct import dot_path_applies
from .fft import SPECTRUM_CACHE_KERNEL
from .separable import low_rank_terms

__all__ = ["problem", "fft_accurate_for", "direct_taps"]

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
    without OpenCV; for integers, the float type that holds their sums exactly), and
    whether the transform engines remember the kernel's spectrum (kernels of at most
    :data:`~sigconv.engines.fft.SPECTRUM_CACHE_KERNEL` elements, within the
    ``spectrum_cache_bytes`` option).
    """
    dt = plan.compute_dtype
    cv = _opencv.work_char(dt, plan.int_bound if plan.integer else None) or ""
    if cv and not _opencv.applies(plan.nsp, dt, plan.kernel_spatial, plan.dilations,
                                  plan.out_shape[-1]):
        cv = ""
    win = _windows(plan, dt, bool(cv))
    materialized = plan.boundary != "constant" or plan.fillvalue != 0
    # (the compiled filters' cost comes from the kernel's shape: no taps to count; the
    # windows multiply every tap, zero or not)
    return _problem(plan.x.shape, plan.kernel.shape, plan.out_shape, plan.pads, plan.strides,
                    plan.dilations, materialized, dt, plan.integer, "" if win else cv,
                    plan.workers, -1 if win else 0 if cv else direct_taps(plan))


def _windows(plan, dt, filters):
    """Whether the direct engine sums ``plan`` as windows (:mod:`.windows`), as
    :func:`sigconv.engines.direct.correlate_valid` decides."""
    nsp, out = plan.nsp, plan.out_shape
    return not (nsp == 1 and dot_path_applies(1, plan.strides, plan.dilations,
                                              plan.kernel_spatial[-1], dt,
                                              math.prod(out[:-1]), out[-1])) \
        and windows.applies(math.prod(out), math.prod(plan.kernel_spatial),
                            plan.kernel.size // math.prod(plan.kernel_spatial), dt.kind,
                            nsp, filters)


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
    dot = dot_path_applies(nsp, strides, dilations, kspatial[-1], dt, batch(out_shape),
                           out_shape[-1])
    passes, cv_taps = _opencv.passes(kspatial, dilations, cv) if cv else (0, 0)
    return Problem(tuple(xshape), ke, tuple(out_shape[-nsp:]), strides,
                   ((0, 0),) * nsp if materialized else pads, batch(xs), batch(ks),
                   batch(out_shape), itemsize, complex_, workers,
                   math.prod(kspatial) if taps < 0 else taps, dt.char, dot, cv, passes,
                   cv_taps, math.prod(ks) <= SPECTRUM_CACHE_KERNEL, taps < 0)


def direct_taps(plan):
    """Multiply-adds per output of the direct engine: non-zero taps, or fewer when the
    kernel splits into low-rank 1-D passes (remembered per small kernel of two or more
    axes; a 1-D kernel's count is cheaper than the hash of its bytes: 2506 taps 1.7 us
    against 7.7)."""
    k = plan.kernel
    if k.size <= 4096 and plan.nsp >= 2:
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
