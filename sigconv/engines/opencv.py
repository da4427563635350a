"""The direct sum on OpenCV's compiled 2-D filters (``cv2.filter2D``, ``cv2.sepFilter2D``).

The direct engine (:mod:`sigconv.engines.direct`) computes here when OpenCV imports
and the problem has two or more convolution axes (or one, with a kernel of
:data:`ROW_TAPS` or more, as planes of one row).  Each output plane (the last two axes)
is a sum of 2-D correlations: one per tap of the kernel's outer axes, of the input plane
that tap reaches, so every number of dimensions, batch, stride and dilation reduces to
OpenCV's 2-D filters::

    out[..., p, :, :] = sum_q  corr2d(x[..., p*s + q*d - pad, :, :], w[..., q, :, :])

In the last two axes the zero padding is OpenCV's own constant border; the samples a
filter call cannot reach with it (the rim of a 'full' result, the far edge of a 'valid'
one, the rows next to a band's edge) are computed from small zero-padded slabs.  Strides
in those axes take every ``s``-th sample of the stride-1 result; dilation inserts zeros
in the kernel (which OpenCV's direct filter skips).

Exactness: ``filter2D`` switches to a DFT from :data:`DFT_TAPS` taps; kernels are cut
into row pieces below that, so every result is a direct sum.  float32 and float64 planes
are filtered as they are, complex ones as two-channel images (the real and the imaginary
part of the kernel each filter both channels), integers as float32 while every partial
sum stays below 2**24 and as float64 below 2**53 (:data:`EXACT_BOUND`), which is exact.
Low-rank float kernels run as ``sepFilter2D`` passes, as in the numpy sums.

Threads: output planes, or bands of rows of a plane, are spread over the call's threads
(OpenCV releases the GIL; it may also use its own threads inside a call, see
``cv2.setNumThreads``).  A sample's value does not depend on which band computed it.
"""

import functools
import itertools
import math
from typing import Callable, NamedTuple

import numpy as np

from .. import _runtime, _threads
from .._shapes import as_plane
from .scratch import scratch
from .separable import low_rank_terms

__all__ = ["applies", "work_char", "integer_bound", "passes", "correlate_valid", "split",
           "one_call", "DFT_TAPS", "ROW_TAPS", "ROW_WORK", "EXACT_BOUND"]

#: OpenCV's filter2D computes a kernel of at least this many taps (float32, float64
#: planes) through a DFT: kernels are cut into row pieces below it
DFT_TAPS = {"f": 130, "d": 50}
#: 1-D kernels of ROW_TAPS+ taps, rows of ROW_WORK+ multiply-adds (10000 x 17 f8: 19 us, np 59)
ROW_TAPS, ROW_WORK = 12, 1 << 17
#: integer results whose bound stays below these are exact in float32, float64
EXACT_BOUND = {"f": 2 ** 24, "d": 2 ** 53}
#: output samples x taps from which a call is spread over threads: a worker that starts
#: late (0.1-2 ms on a busy 2-core machine) held 1024^2 x 3x3 float64 (9.4e6 taps, 3.3 ms
#: of CPU) at 8.0 ms, where OpenCV's one-thread filter2D took 2.6
THREAD_WORK = 1 << 24
#: a band of a split plane has this many rows per kernel row or more (edge rows: twice)
BAND_ROWS_PER_TAP = 8


def work_char(dtype, int_bound=None):
    """The type character OpenCV computes ``dtype`` in ('f', 'd'; 'F', 'D' for complex as
    two channels), or None where it cannot do so exactly (long double; integers whose
    result bound ``int_bound`` reaches 2**53, or is not given).

    Examples
    --------
    >>> import numpy as np
    >>> work_char(np.dtype(np.float32)), work_char(np.dtype(np.int64), 255 * 9)
    ('f', 'f')
    >>> work_char(np.dtype(np.int64), 2 ** 30), work_char(np.dtype(np.longdouble), 0)
    ('d', None)
    """
    kind, size = dtype.kind, dtype.itemsize
    if (kind == "f" and size in (4, 8)) or (kind == "c" and size in (8, 16)):
        return dtype.char
    if kind in "biu" and int_bound is not None:
        return next((c for c in "fd" if int_bound < EXACT_BOUND[c]), None)
    return None


def applies(nsp, dtype, kshape, dilations, samples=0):
    """Whether the direct sums of a problem may run here: a dtype OpenCV can compute
    exactly (integers: see :func:`work_char`), a kernel row short of :data:`DFT_TAPS`,
    OpenCV installed, and two or more convolution axes, or one (real, as one-row planes:
    :func:`sigconv.engines.direct.correlate_valid`) of :data:`ROW_TAPS` taps or more and
    output rows of ``samples`` with :data:`ROW_WORK` multiply-adds or more."""
    char = work_char(dtype, 0)
    ke = (kshape[-1] - 1) * dilations[-1] + 1
    if char is None or ke >= DFT_TAPS[char.lower()] or nsp < 1 or (nsp == 1 and (
            ke < ROW_TAPS or char in "FD" or samples * ke < ROW_WORK)):
        return False
    return _runtime.opencv() is not None


def passes(kshape, dilations, char):
    """``(passes, taps)``: the filter calls summed into each output plane (one per tap of
    the kernel's outer axes and row piece) and the taps per output sample of a kernel of
    spatial shape ``kshape`` (one axis: a row) (for the cost model)."""
    ke0, ke1 = ((k - 1) * d + 1 for k, d in zip(as_plane(kshape)[-2:], as_plane(dilations)[-2:]))
    rows = max(1, (DFT_TAPS[char.lower()] - 1) // ke1)
    outer = math.prod(kshape[:-2])
    return outer * -(-ke0 // rows), outer * ke0 * ke1


def integer_bound(x, w, nsp):
    """``max|x| * max_batch sum|w|``: a bound on every partial sum of integer inputs."""
    if x.size == 0 or w.size == 0:
        return 0
    top = max(abs(int(x.max())), abs(int(x.min())))
    sums = np.abs(w.astype(np.float64)).reshape(w.shape[:w.ndim - nsp] + (-1,)).sum(-1)
    return top * int(np.max(sums))


class Op(NamedTuple):
    """One 2-D filter call: kernel rows ``[a0, a0 + ke0)`` of a (dilated) kernel plane,
    ``ke1`` columns; ``run(src, dst, anchor)`` writes the correlation of ``src`` (zero
    outside) with them into ``dst``, ``anchor`` = (column, row) of the tap on each
    sample."""
    a0: int
    ke0: int
    ke1: int
    run: Callable


def _dilate(k, d0, d1):
    if d0 == d1 == 1:
        return np.ascontiguousarray(k)
    out = np.zeros(((k.shape[0] - 1) * d0 + 1, (k.shape[1] - 1) * d1 + 1), k.dtype)
    out[::d0, ::d1] = k
    return out


#: kernel planes of at most this many taps have their filter calls remembered
OPS_CACHE_TAPS = 4096


def _kernel_ops(k, d0, d1, char):
    """The filter calls whose sum correlates with the 2-D kernel plane ``k`` (remembered
    for small planes: a pure function of the kernel's values)."""
    if k.size > OPS_CACHE_TAPS:
        return _make_ops(k, d0, d1, char)
    return _remembered_ops(k.tobytes(), k.shape, k.dtype.str, d0, d1, char)


@functools.lru_cache(maxsize=256)
def _remembered_ops(data, shape, dtype, d0, d1, char):
    return _make_ops(np.frombuffer(data, dtype).reshape(shape), d0, d1, char)


def _make_ops(k, d0, d1, char):
    cv = _runtime.opencv()
    real = np.dtype(char.lower())
    if not k.any():
        return ()
    terms = low_rank_terms(k, 2) if k.dtype.kind == "f" else None     # never integers
    if terms is not None:
        ops = []
        for ky, kx in terms:
            ky, kx = _dilate(ky[:, None], d0, 1).astype(real), _dilate(kx[None], 1, d1).astype(real)
            ops.append(Op(0, ky.shape[0], kx.shape[1], _filter_call(cv, kx, ky)))
        return tuple(ops)
    kd = _dilate(k, d0, d1)
    rows = max(1, (DFT_TAPS[char.lower()] - 1) // kd.shape[1])
    ops = []
    for a0 in range(0, kd.shape[0], rows):
        piece = kd[a0:a0 + rows]
        if not piece.any():
            continue
        if piece.dtype.kind == "c":
            re = np.ascontiguousarray(piece.real, real)
            im = np.ascontiguousarray(piece.imag, real) if piece.imag.any() else None
            run = _complex_call(cv, re, im)
        else:
            run = _filter_call(cv, np.ascontiguousarray(piece, real))
        ops.append(Op(a0, piece.shape[0], piece.shape[1], run))
    return tuple(ops)


def _channels(a):
    """``a`` as OpenCV sees it: real planes as they are, complex ones as two channels."""
    if a.dtype.kind != "c":
        return a
    return a.view(a.real.dtype).reshape(a.shape + (2,))


def _filter_call(cv, *kernels):
    """``run(src, dst, anchor)``: ``cv.filter2D`` with one kernel, ``cv.sepFilter2D``
    with two (the row and the column factor)."""
    filt = cv.filter2D if len(kernels) == 1 else cv.sepFilter2D

    def run(src, dst, anchor):
        d = _channels(dst)
        r = filt(_channels(src), -1, *kernels, dst=d, anchor=anchor,
                 borderType=cv.BORDER_CONSTANT)
        if r is not d:          # OpenCV made a new array: never silently lose the result
            d[...] = r
    return run


def _complex_call(cv, re, im):
    """``src * (re + i im)`` for complex planes: both kernel parts filter both channels."""
    real_part = _filter_call(cv, re)
    if im is None:
        return real_part
    imag_part = _filter_call(cv, im)

    def run(src, dst, anchor):
        real_part(src, dst, anchor)
        t = scratch("cv_imag", dst.shape, dst.dtype)
        imag_part(src, t, anchor)
        dst.real -= t.imag
        dst.imag += t.real
    return run


def correlate_valid(x, w, out_shape, strides, dilations, pads, *, res, char):
    """Valid correlation of zero-padded ``x`` with ``w`` on the trailing axes, as the
    numpy sums of :func:`sigconv.engines.direct.correlate_valid` compute it, in the type
    ``char`` of :func:`work_char` (integer inputs give their exact sum as floats).
    Returns a new array."""
    nsp = len(strides)
    lead = len(out_shape) - nsp
    if lead == 0 and nsp == 2 and out_shape == x.shape and strides == dilations == (1, 1):
        out = one_call(x, w, pads, char, res.threads)
        if out is not None:
            return out
    work = np.dtype(char)
    x = _readable(x, work)
    ops = {i: _kernel_ops(w[i], dilations[-2], dilations[-1], char)
           for i in _indices(w.shape[:lead] + w.shape[w.ndim - nsp:-2])}
    out = _runtime.empty(out_shape, work)
    L0 = out_shape[-2]
    ke0 = (w.shape[-2] - 1) * dilations[-2] + 1
    big = res.threads > 1 and out.size * ke0 * w.shape[-1] * dilations[-1] >= THREAD_WORK / 8
    taps = sum(op.ke0 * op.ke1 for v in ops.values() for op in v) if big else 0
    nthreads, bands = split(math.prod(out_shape[:-2]), L0, ke0, out.size * taps, res.threads)
    edges = [L0 * i // bands for i in range(bands + 1)]
    tasks = [(idx, r0, r1) for idx in _indices(out_shape[:-2])
             for r0, r1 in zip(edges, edges[1:]) if r1 > r0]

    def job(task):
        idx, r0, r1 = task
        calls = _plane_calls(x, ops, idx, lead, strides, dilations, pads, w.shape)
        _rows(calls, out[idx], r0, r1, strides[-2:])

    if len(tasks) == 1:
        job(tasks[0])
    else:
        _threads.share(tasks, nthreads, lambda take: [job(t) for t in iter(take, None)])
    return out


def split(planes, rows, ke0, work, threads):
    """``(threads, bands)``: the bands of rows :func:`correlate_valid` cuts each of
    ``planes`` output planes of ``rows`` rows into (for a kernel of ``ke0`` rows), and
    the threads that run those tasks (one below THREAD_WORK samples x taps ``work``)."""
    n = max(1, min(int(threads), 64)) if work >= THREAD_WORK else 1
    bands = 1 if planes >= n else min(-(-2 * n // planes),
                                      max(1, rows // (BAND_ROWS_PER_TAP * ke0)))
    return min(n, planes * bands), bands


def one_call(x, w, pads, char, threads):
    """The valid correlation of one zero-padded plane ``x`` with a 2-D kernel ``w`` whose
    result has ``x``'s shape (``pads``: the zeros before and after on each axis), as one
    filter call, or None where :func:`correlate_valid` would make more than that call: a
    kernel in several pieces (or none: all zeros; or one piece below zero rows), zeros
    before ``x`` beyond OpenCV's border, or a plane it splits over threads.  Where it
    returns a result, that call is the one :func:`correlate_valid` makes (and its result
    the same bits)."""
    ops = _kernel_ops(w, 1, 1, char)
    if len(ops) != 1 or ops[0].a0:
        return None
    op = ops[0]
    (b0, _), (b1, _) = pads
    if b0 > op.ke0 - 1 or b1 > op.ke1 - 1 or (threads > 1 and x.size * w.size >= THREAD_WORK):
        return None
    work = np.dtype(char)
    out = _runtime.empty(x.shape, work)
    op.run(_readable(x, work), out, (b1, b0))
    return out


def _readable(x, work):
    """``x`` in the work dtype with rows of adjacent samples (as OpenCV reads them)."""
    x = x.astype(work, copy=False)
    if x.strides[-1] != x.itemsize or x.strides[-2] < x.shape[-1] * x.itemsize:
        x = np.ascontiguousarray(x)
    return x


def _indices(shape):
    """Every index of an array of ``shape``, in C order (np.ndindex, faster)."""
    return itertools.product(*map(range, shape))


def _plane_calls(x, ops, idx, lead, strides, dilations, pads, wshape):
    """``[(input plane, op, row pad, column pad)]`` whose sum is output plane ``idx``."""
    batch, p = idx[:lead], idx[lead:]
    bx = tuple(i if n > 1 else 0 for i, n in zip(batch, x.shape[:lead]))
    bw = tuple(i if n > 1 else 0 for i, n in zip(batch, wshape[:lead]))
    xs = x.shape[lead:]
    calls = []
    for q in _indices(wshape[lead:-2]):
        xi = tuple(pi * s + qi * d - b for pi, qi, s, d, (b, _) in
                   zip(p, q, strides, dilations, pads))
        if any(i < 0 or i >= n for i, n in zip(xi, xs)):
            continue                                   # an outer tap in the zero padding
        plane = x[bx + xi]
        calls += [(plane, op, pads[-2][0] - op.a0, pads[-1][0]) for op in ops[bw + q]]
    return calls


def _rows(calls, out2, r0, r1, strides):
    """Rows ``[r0, r1)`` of output plane ``out2``: the sum of ``calls``."""
    s0, s1 = strides
    L1 = out2.shape[1]
    if s0 == s1 == 1:
        target, f0, f1, F1 = out2, r0, r1, L1
    else:
        f0, f1, F1 = r0 * s0, (r1 - 1) * s0 + 1, (L1 - 1) * s1 + 1
        target = scratch("cv_strided", (f1 - f0, F1), out2.dtype)
        f0, f1 = 0, f1 - f0
        base = r0 * s0
    first = True
    for plane, op, b0, b1 in calls:
        if s0 != 1 or s1 != 1:
            b0 -= base
        dst = target[f0:f1] if first else scratch("cv_acc", (f1 - f0, F1), out2.dtype)
        _plane(plane, op, b0, b1, F1, f0, f1, dst)
        if not first:
            np.add(target[f0:f1], dst, out=target[f0:f1])
        first = False
    if first:
        target[f0:f1] = 0
    if target is not out2:
        out2[r0:r1] = target[::s0, ::s1]


def _plane(src, op, b0, b1, L1, R0, R1, dst):
    """Rows ``[R0, R1)`` (all ``L1`` columns) of the valid correlation of the plane
    ``src`` extended by zeros (``b0`` rows and ``b1`` columns before it, any number
    after) with ``op``'s kernel, into ``dst``.

    One filter call computes the rows whose window OpenCV's zero border extends right;
    the rows next to an edge of the rows it saw are computed again from slabs of the
    rows they read.  Every call on a plane sees the same columns and the same anchor,
    so a sample gets the same value whichever rows were computed together.
    """
    if b0 < 0:                        # a kernel piece starting below the padding
        src, b0 = src[-b0:], 0
    n0, n1 = src.shape[:2]
    A0, A1 = min(b0, op.ke0 - 1), min(b1, op.ke1 - 1)
    top, left = b0 - A0, b1 - A1           # zeros OpenCV's border cannot provide
    right = max(0, L1 - n1 - left)
    cols = (left, right, L1)
    m0, m1 = max(R0, top), min(R1, top + n0)
    if m1 > m0:
        _call(op, _slab(src, m0, m1, top, cols, "cv_main"), (A1, A0), 0,
              dst[m0 - R0:m1 - R0], cols)
        lo = min(m1, m0 + A0) if m0 > top else m0
        hi = max(lo, m1 - (op.ke0 - 1 - A0)) if m1 < top + n0 else m1
        redo = [(m0, lo), (hi, m1)]
    else:
        m0 = m1 = R0
        redo = []
    for r0, r1 in redo + [(R0, m0), (m1, R1)]:
        if r1 > r0:
            slab = _slab(src, r0 - A0, r1 + op.ke0 - 1 - A0, top, cols, "cv_slab")
            _call(op, slab, (A1, A0), A0, dst[r0 - R0:r1 - R0], cols)


def _call(op, slab, anchor, skip, dst, cols):
    """Run ``op`` on ``slab`` and put rows ``skip`` on, columns ``[0, L1)`` into ``dst``
    (written directly when the shapes allow)."""
    left, right, L1 = cols
    if skip == 0 and slab.shape[:2] == dst.shape[:2]:
        op.run(slab, dst, anchor)
        return
    t = scratch("cv_rows", slab.shape, slab.dtype)
    op.run(slab, t, anchor)
    dst[...] = t[skip:skip + dst.shape[0], :L1]


def _slab(src, i0, i1, top, cols, slot):
    """Rows ``[i0, i1)`` of ``src`` with ``top`` zero rows above (any number below) and
    ``left``, ``right`` zero columns: a view of ``src`` without zeros, else a copy."""
    left, right, _ = cols
    n0, n1 = src.shape[:2]
    a0, a1 = min(max(i0 - top, 0), n0), min(max(i1 - top, 0), n0)
    if not left and not right and a0 == i0 - top and a1 == i1 - top:
        return src[a0:a1]
    buf = scratch(slot, (i1 - i0, n1 + left + right) + src.shape[2:], src.dtype)
    u0, u1 = a0 + top - i0, max(a1 + top - i0, a0 + top - i0)
    buf[:u0] = 0
    buf[u1:] = 0
    buf[u0:u1, :left] = 0
    buf[u0:u1, left + n1:] = 0
    buf[u0:u1, left:left + n1] = src[a0:a1]
    return buf
