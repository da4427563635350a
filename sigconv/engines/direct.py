"""The direct engine: the defining sum, on OpenCV's compiled filters or in numpy.

With two or more convolution axes (or one, and a real kernel of
:data:`~sigconv.engines.opencv.ROW_TAPS` or more taps: rows as one-row planes) and a
dtype OpenCV computes exactly, the sums run on its compiled 2-D filters
(:mod:`sigconv.engines.opencv`).  One-axis kernels may take numpy's compiled
correlation, and a few outputs of one kernel a product over their windows
(:mod:`sigconv.engines.windows`).  Otherwise, for each kernel tap
the engine adds ``w[m] * x[shifted, strided slice]`` into the output.  It runs band by
band so each band's output stays in cache, spreads the bands over threads (numpy's
arithmetic releases the GIL), skips zero taps, computes strided and dilated outputs
without computing the samples a stride drops, and works in any numpy dtype -- so integer
results are exact and long double keeps its precision.  Its temporaries (the zero-padded
input, a band's products) live in scratch buffers kept per thread and reused by the next
call (:mod:`sigconv.engines.scratch`); results never share memory with them.

Kernels whose matrix unfoldings have low rank (separable Gaussians, Sobel, box filters)
are split into 1-D passes when that needs fewer multiply-adds."""

import math

import numpy as np

from .. import _runtime, _threads
from .._padding import pad, padded_shape
from .._shapes import as_plane
from . import opencv, windows
from .scratch import scratch
from .separable import low_rank_terms

_BLOCK_ELEMENTS = 1 << 17      # output elements per band: a band stays in L2 cache
_THREAD_WORK = 1 << 21         # multiply-adds below which threads cost more than they save
#: 1-D kernels at least this long use numpy's compiled dot correlation (by dtype
#: character); shorter complex kernels are shift-added (complex128 1e6 x 6: 4.9 ms
#: against 15.7) on rows longer than DOT_COMPLEX_SAMPLES
_DOT_TAPS = {"d": 1, "D": 64, "f": 1, "F": 64, "l": 1, "q": 1, "L": 1, "Q": 1}
#: real kernel lengths at which np.correlate runs 3-5x slower per multiply-add than at
#: shorter or longer ones: shift-added instead (float32 1e6 x 16: 3.9 ms against 12.2)
#: on rows of DOT_SLOW_SAMPLES outputs or more; on shorter rows the shifted sums' call
#: per tap costs more (float64 1000 x 17: 59 us against 8; 3000 x 17: 65 against 19)
DOT_SLOW_TAPS, DOT_SLOW_SAMPLES = range(12, 32), 10_000
#: complex rows of at most this many outputs take the dot products at any kernel length:
#: the shifted sums cost ~50 us per call there (complex128 1000 x 3: 23 us against 58;
#: 3000 x 17: 89 against 190; 10000 x 3: 232 against 80)
DOT_COMPLEX_SAMPLES = 4096
#: ``np.correlate`` without its ``__array_function__`` dispatch and Python wrapper (numpy's
#: compiled ``correlate2``, which ``np.correlate`` calls), for the ndarrays this engine
#: holds (0.46 us of numpy's 1.7-us call on 100 x 3)
numpy_correlate = getattr(getattr(getattr(np, "_core", np), "multiarray", None), "correlate2",
                          None) or getattr(np.correlate, "_implementation", np.correlate)


def correlate_valid(x, w, out_shape, strides, dilations, pads, *, res):
    """Valid correlation of zero-padded ``x`` with ``w`` on the trailing axes.

    ``x`` and ``w`` must already have the compute dtype; ``pads`` holds one
    ``(before, after)`` zero pad per spatial axis; ``out_shape`` is the full output shape
    (batch + spatial).  Returns a new array (for integer inputs on the compiled filters,
    of floats holding the exact sum).
    """
    nsp = len(strides)
    char = None
    if opencv.applies(nsp, x.dtype, w.shape[-nsp:], dilations, out_shape[-1]):
        bound = opencv.integer_bound(x, w, nsp) if x.dtype.kind in "biu" else None
        char = opencv.work_char(x.dtype, bound)
    dot = _dot_path(x, w, out_shape, strides, dilations)      # (padding keeps its answer)
    win = not dot and windows.applies(
        math.prod(out_shape), math.prod(w.shape[w.ndim - nsp:]),
        math.prod(w.shape[:w.ndim - nsp]), x.dtype.kind, nsp, char is not None)
    if char is not None and not win:
        if nsp == 1:       # rows: planes of one row
            out = opencv.correlate_valid(x[..., None, :], w[..., None, :],
                                         (*out_shape[:-1], 1, out_shape[-1]),
                                         as_plane(strides), as_plane(dilations),
                                         ((0, 0), *pads), res=res, char=char)
            return out.reshape(out_shape)
        return opencv.correlate_valid(x, w, out_shape, strides, dilations, pads,
                                      res=res, char=char)
    if dot:
        (before, after), = pads
        k = w.shape[-1]
        if before <= k - 1 and after <= k - 1:
            # the zero-padded valid part is a window of the 'full' correlation
            return _correlate_rows(x, w, out_shape, k - 1 - before, res.threads)
    if any(b or a for b, a in pads):
        buf = scratch("pad", padded_shape(x.shape, pads), x.dtype)
        x = pad(x, pads, "constant", out=buf)
    if dot:
        return _correlate_rows(x, w, out_shape, w.shape[-1] - 1, res.threads)
    if win:
        return windows.correlate_valid(x, w, out_shape, strides, dilations)
    terms = low_rank_terms(w, nsp)
    if terms is None:
        return shift_add(x, w, out_shape, strides, dilations, threads=res.threads)
    out = None
    for factors in terms:
        y = x
        for axis, f in enumerate(factors):
            shape = list(w.shape[:-nsp]) + [1] * nsp
            shape[w.ndim - nsp + axis] = f.size
            k1 = f.reshape(shape)
            s = [1] * nsp
            d = [1] * nsp
            s[axis], d[axis] = strides[axis], dilations[axis]
            yshape = list(y.shape)
            yshape[-nsp + axis] = out_shape[-nsp + axis]
            y = shift_add(y, k1, tuple(yshape), tuple(s), tuple(d), threads=res.threads)
        out = y if out is None else np.add(out, y, out=out)
    return out


def dot_path_applies(nsp, strides, dilations, k, dtype, rows, samples):
    """1-D kernels where numpy's compiled dot-product correlation is faster than the
    shifted sums (``rows`` rows of ``samples`` outputs): real ones of any length but
    DOT_SLOW_TAPS on rows of DOT_SLOW_SAMPLES or more, complex ones from 64 taps or on
    rows of up to DOT_COMPLEX_SAMPLES; never the rows OpenCV's filters take
    (:func:`sigconv.engines.opencv.applies`)."""
    complex_ = dtype.kind == "c"
    short = complex_ and samples <= DOT_COMPLEX_SAMPLES
    return (nsp == 1 and strides[0] == 1 and dilations[0] == 1 and rows <= 64
            and (k >= _DOT_TAPS.get(dtype.char, 1 << 62) or (short and dtype.char in "FD"))
            and (k not in DOT_SLOW_TAPS or complex_ or samples < DOT_SLOW_SAMPLES)
            and not opencv.applies(1, dtype, (k,), dilations, samples))


def _dot_path(x, w, out_shape, strides, dilations):
    return len(strides) == 1 and (w.dtype is x.dtype or w.dtype == x.dtype) and \
        dot_path_applies(1, strides, dilations, w.shape[-1], x.dtype,
                         math.prod(out_shape[:-1]), out_shape[-1])


def _correlate_rows(x, w, out_shape, start, threads=1):
    """Row by row the window ``[start, start + L)`` of the plain 'full' correlation."""
    lead = out_shape[:-1]
    if math.prod(lead) == 1:        # one row: its result is the output (no copy)
        row = dot_correlate(x.reshape(-1), w.reshape(-1), start, start + out_shape[-1],
                            threads=threads)
        return row.reshape(out_shape)
    out = _runtime.empty(out_shape, x.dtype)
    for idx in np.ndindex(lead):
        xi = x[_row(idx, x.shape)]
        wi = w[_row(idx, w.shape)]
        out[idx] = dot_correlate(xi, wi, start, start + out_shape[-1], threads=threads)
    return out


def _row(idx, shape):
    """Index of the row of an array of ``shape`` that broadcasts onto row ``idx``."""
    lead = shape[:-1]
    off = len(idx) - len(lead)
    return tuple(i if s > 1 else 0 for i, s in zip(idx[off:], lead))


#: complex128 kernels shorter than this, on signals of SPLIT_SAMPLES or more, are
#: correlated as four real correlations: numpy's complex128 dot products carry a large
#: cost per output sample, its real ones run at BLAS speed (5000 x 6: 29 us against 74;
#: 1000 x 3: 10 against 14).  Longer kernels (1000 x 32: 35 against 18), shorter signals
#: (100 x 3: 6 against 2) and complex64 (1000 x 3: 10 against 6; 5000 x 3: 25 against
#: 27) use numpy's complex correlation
SPLIT_TAPS = 12
SPLIT_SAMPLES = 512


#: a dot correlation of fewer taps than DOT_THREAD_TAPS is bound by memory: one thread
#: moves an output's bytes at about the machine's bandwidth (1e6 x 3 float64: 0.60 ms on
#: one thread, 0.59-0.78 in pieces on two), so it is split over threads only from
#: DOT_THREAD_OUTPUTS outputs, where the pieces' kept result also saves a fresh one's page
#: faults (3e6 x 3: 1.6 ms against 2.5 on one thread; 1e7 x 3: 12 against 23)
DOT_THREAD_TAPS, DOT_THREAD_OUTPUTS = 5, 1 << 21


def dot_threads(threads, outputs, taps):
    """Threads of one dot correlation of ``outputs`` x ``taps``: :func:`_thread_count` of
    its multiply-adds, but one below DOT_THREAD_TAPS taps and DOT_THREAD_OUTPUTS outputs."""
    if taps < DOT_THREAD_TAPS and outputs < DOT_THREAD_OUTPUTS:
        return 1
    return _thread_count(threads, outputs * taps)


#: outputs per piece when a long 1-D dot correlation is spread over threads (each thread
#: loops over its pieces: results stay in cache on their way into the output)
DOT_PIECE = 1 << 16
#: outputs per piece of a complex sum split into four real correlations: its six float64
#: temporaries (124 KB each) stay under glibc's 128 KiB mmap threshold, so they are reused
#: rather than freshly faulted in (1e5 x 3 complex128: 0.90 ms, against 5.8 ms in pieces
#: of 2**16 and 2.4 ms for numpy's complex correlation; 1e6: 7.1 ms against 20 ms)
SPLIT_PIECE = 15872


def dot_correlate(x, w, start, stop, *, conjugate=False, threads=1):
    """Samples ``[start, stop)`` of the 1-D 'full' correlation ``sum_m x[i + m] * w[m]``
    (``conj(w[m])`` if ``conjugate``; index ``k - 1`` is the first full overlap), through
    numpy's compiled correlation.

    A read-only ``x`` is copied first (numpy's correlation of a read-only array runs
    several times slower).  Large problems are cut into pieces spread over ``threads``
    (numpy releases the GIL inside; 1e7 x 3 float64: 6.8 ms on two threads against
    8.7-10.2 on one), and so are long complex ones computed as four real correlations.
    """
    if not x.flags.writeable:
        x = x.copy()
    n, k = x.shape[0], w.shape[0]
    threads = dot_threads(threads, stop - start, k)
    split = _splits(x, w)
    if n >= k and (threads > 1 or split and stop - start > SPLIT_PIECE):
        # a long complex split goes piece by piece too: its real and imaginary parts and
        # four partial results then stay in cache instead of being whole-signal arrays
        return _pieces(x, w, conjugate, threads, start, stop,
                       SPLIT_PIECE if split else DOT_PIECE)
    mode = whole_mode(n, k, start, stop)
    if mode is not None:
        return _correlate(x, w, mode, conjugate)
    return _correlate(x, w, "full", conjugate)[start:stop].copy()


def whole_mode(n, k, start, stop):
    """The mode of ``np.correlate`` whose result is exactly samples ``[start, stop)`` of
    the 'full' correlation of ``n`` and ``k`` samples, or None."""
    if start == 0 and stop == n + k - 1:
        return "full"
    if n >= k and (start, stop) == (k - 1, n):
        return "valid"
    if n >= k and (start, stop) == ((k - 1) // 2, (k - 1) // 2 + n):
        return "same"
    return None


def dot_route(n, k, dtype, start, stop, threads, *, op="correlate"):
    """``lambda x, w: dot_correlate(x, oriented w, start, stop, threads=threads)`` for
    ``x`` of ``n`` samples and ``w`` of ``k``, both of the real or complex ``dtype``, with
    its decisions taken now (``op`` 'convolve' flips ``w``; 'correlate' conjugates a
    complex one); None unless that is one whole-mode correlation on one thread."""
    mode = whole_mode(n, k, start, stop)
    if dtype.kind not in "fc" or mode is None or dot_threads(threads, stop - start, k) > 1:
        return None
    flip = op == "convolve"
    if dtype.kind == "c":
        def run_complex(x, w):
            w = w[::-1] if flip else np.conj(w)
            return dot_correlate(x, w, start, stop, threads=threads)
        return run_complex

    def run(x, w):                   # dot_correlate's own steps for a real whole mode
        if not x.flags.writeable:
            x = x.copy()
        return numpy_correlate(x, w[::-1] if flip else w, mode)
    return run


def _splits(x, w):
    """Whether a correlation runs as four real ones (SPLIT_TAPS)."""
    return (x.dtype.char == "D" and w.dtype.char == "D" and w.shape[0] < SPLIT_TAPS
            and x.shape[0] >= SPLIT_SAMPLES)


def _correlate(x, w, mode, conjugate):
    if x.dtype.kind != "c" or w.dtype.kind != "c":
        return numpy_correlate(x, w if conjugate or w.dtype.kind != "c" else np.conj(w), mode)
    if not _splits(x, w):
        return numpy_correlate(x, w if conjugate else np.conj(w), mode)
    xr, xi, wr, wi = (np.ascontiguousarray(p) for p in (x.real, x.imag, w.real, w.imag))
    rr, ii = numpy_correlate(xr, wr, mode), numpy_correlate(xi, wi, mode)
    ri, ir = numpy_correlate(xr, wi, mode), numpy_correlate(xi, wr, mode)
    out = _runtime.empty(rr.shape, np.result_type(x.dtype, w.dtype))
    if conjugate:
        out.real, out.imag = rr + ii, ir - ri
    else:
        out.real, out.imag = rr - ii, ri + ir
    return out


def _pieces(x, w, conjugate, threads, start, stop, piece=DOT_PIECE):
    """:func:`dot_correlate` for ``len(x) >= len(w)``: the edges of the 'full' result
    (partial overlaps) from short correlations, the full-overlap part piece by piece."""
    n, k = x.shape[0], w.shape[0]
    out = _runtime.empty((stop - start,), np.result_type(x.dtype, w.dtype))
    a, b = max(start, 0), min(stop, k - 1)
    if a < b:
        out[a - start:b - start] = _correlate(x[:k - 1], w, "full", conjugate)[a:b]
    a, b = max(start, n), min(stop, n + k - 1)
    if a < b:
        tail = n - (k - 1)
        out[a - start:b - start] = _correlate(x[tail:], w, "full", conjugate)[a - tail:b - tail]
    lo, hi = max(start, k - 1), min(stop, n)

    def part(bounds):
        for j0 in range(bounds[0], bounds[1], piece):
            j1 = min(j0 + piece, bounds[1])
            out[j0 - start:j1 - start] = _correlate(x[j0 - k + 1:j1], w, "valid", conjugate)

    step = -(-(hi - lo) // threads) if hi > lo else 1
    parts = [(a, min(a + step, hi)) for a in range(lo, hi, step)]
    if len(parts) > 1:
        _threads.share(parts, len(parts), lambda take: [part(p) for p in iter(take, None)])
    elif parts:
        part(parts[0])
    return out


def shift_add(x, w, out_shape, strides, dilations, *, threads=1):
    """Direct valid correlation by accumulating one shifted slice per kernel tap."""
    out = _runtime.empty(out_shape, x.dtype)
    if out.size == 0:
        return out
    nsp = len(strides)
    taps = _nonzero_taps(w, nsp)
    work = out.size * max(len(taps), 1)
    nthreads = _thread_count(threads, work)
    blocks = _blocks(out_shape, x.shape, w.shape, nsp, strides, dilations, w.shape[-nsp:],
                     parts=nthreads)
    job = lambda blk: _accumulate(x, w, out, blk, taps, nsp, strides, dilations)
    if nthreads == 1 or len(blocks) == 1:
        for blk in blocks:
            job(blk)
    else:
        _threads.share(blocks, nthreads, lambda take: [job(b) for b in iter(take, None)])
    return out


def _accumulate(x, w, out, blk, taps, nsp, strides, dilations):
    # inf - inf is NaN in the defining sum too: no RuntimeWarning (np.convolve gives none)
    with np.errstate(invalid="ignore"):
        _accumulate_taps(x, w, out, blk, taps, nsp, strides, dilations)


def _accumulate_taps(x, w, out, blk, taps, nsp, strides, dilations):
    oslc, xslc, wslc = blk
    o = out[oslc]
    xb = x[xslc]
    wb = w[wslc]
    if not taps:
        o[...] = 0
        return
    lead = wb.ndim - nsp
    batch_w = wb.shape[:lead] + (1,) * nsp
    tmp = None
    for n, m in enumerate(taps):
        src = xb[(Ellipsis,) + tuple(
            slice(mj * dj, mj * dj + (L - 1) * sj + 1, sj)
            for mj, dj, sj, L in zip(m, dilations, strides, o.shape[-nsp:]))]
        wm = wb[(Ellipsis,) + m]
        if lead and wm.size > 1:
            wm = wm.reshape(batch_w)
        elif lead:
            wm = wm.reshape(())[()]
        if n == 0:
            np.multiply(src, wm, out=o)
        else:
            if tmp is None:
                tmp = scratch("tmp", o.shape, o.dtype)
            np.multiply(src, wm, out=tmp)
            np.add(o, tmp, out=o)


def _nonzero_taps(w, nsp):
    lead = w.ndim - nsp
    nz = np.any(w != 0, axis=tuple(range(lead))) if lead else (w != 0)
    return [tuple(int(i) for i in m) for m in zip(*np.nonzero(nz))]


def _thread_count(threads, work):
    """``threads`` for ``work`` multiply-adds from _THREAD_WORK on, else one."""
    return max(1, min(int(threads), 64)) if work >= _THREAD_WORK else 1


def _blocks(out_shape, x_shape, w_shape, nsp, strides, dilations, kshape, parts):
    """Slices (out, x, w) of the bands along the first axis of the output worth splitting."""
    total = math.prod(out_shape)
    nblocks = max(parts, -(-total // _BLOCK_ELEMENTS)) if total >= 2 * _BLOCK_ELEMENTS else parts
    ndim = len(out_shape)
    axis = next((a for a in range(ndim) if out_shape[a] >= min(nblocks, 2)), None)
    if axis is None or nblocks <= 1:
        full = (slice(None),) * ndim
        return [(full, full, full)]
    n = out_shape[axis]
    step = -(-n // min(nblocks, n))
    lead = ndim - nsp
    blocks = []
    for r0 in range(0, n, step):
        r1 = min(r0 + step, n)
        oslc = [slice(None)] * ndim
        xslc = [slice(None)] * ndim
        wslc = [slice(None)] * ndim
        oslc[axis] = slice(r0, r1)
        if axis < lead:
            if x_shape[axis] > 1:
                xslc[axis] = slice(r0, r1)
            if w_shape[axis] > 1:
                wslc[axis] = slice(r0, r1)
        else:
            p = axis - lead
            xslc[axis] = slice(r0 * strides[p],
                               (r1 - 1) * strides[p] + (kshape[p] - 1) * dilations[p] + 1)
        blocks.append((tuple(oslc), tuple(xslc), tuple(wslc)))
    return blocks
