"""The FFT engine: the valid correlation of a zero-padded input by one transform product.

Circular correlation with the kernel placed at ``(shift - m*dilation) mod N`` puts output
sample 0 at index 0 of the circular result, so

    out[i] = y[i * stride],   y = IDFT_N( DFT_N(x) * DFT_N(kernel placed) )

for ``N >= max(n + before, (L-1)*stride - before + ke)`` per axis, where wrap-around cannot
reach a kept sample.  Zero padding stays implicit: 'valid' needs transforms only as long
as the input and 'same' no longer than 'full'.  A stride ``s`` is not computed and then
thrown away: the spectrum is *folded* (``Z[k] = sum_j Y[k + j*N/s]``), which is the
spectrum of ``y[::s]``, so the inverse transform is ``s`` times smaller on that axis.

:class:`KernelSpectrum` (a kernel's scaled transform for one transform size) and
:func:`correlate_block` (one forward, product, fold, one inverse) are shared with the
overlap-add/save engine and with :class:`sigconv.Convolver`.
"""

import collections
import itertools
import math
import threading

import numpy as np

from .. import _runtime
from .._shapes import broadcast
from ..fft.backend import transform
from ..fft.lengths import cheapest_len, even_fast_len, next_fast_len

#: transforms of at least this many points (times batch) use every thread of the call's
#: resources: two threads break even at ~1 ms of work here and pay off from ~10 ms
THREAD_MIN_ELEMENTS = 1 << 18


def threads_for(res, elements, f32_row=False):
    """Threads for transforms of ``elements`` points in all: ``res.threads`` from
    THREAD_MIN_ELEMENTS on (real float32 ones over one axis, ``f32_row``: from
    ``res.f32_row_threads``, a calibration constant), else one (a pure function of the
    call and the calibration: same threads, same FFTW plan, same bits)."""
    least = max(res.f32_row_threads if f32_row else 0, THREAD_MIN_ELEMENTS)
    return res.threads if elements >= least else 1


def slot(kind, shape, nsp, dtype, threads, res):
    """:func:`sigconv.fft.backend.transform` with the planner effort of ``res``."""
    return transform(kind, shape, nsp, dtype, threads, effort=res.effort,
                     timelimit=res.timelimit)


def dilate(w, dilations):
    """``w`` with ``dilation - 1`` zeros between taps on each trailing axis."""
    nsp = len(dilations)
    if all(d == 1 for d in dilations):
        return w
    lead = w.ndim - nsp
    shape = w.shape[:lead] + tuple(d * (k - 1) + 1 for k, d in zip(w.shape[lead:], dilations))
    out = np.zeros(shape, dtype=w.dtype)
    out[(Ellipsis,) + tuple(slice(None, None, d) for d in dilations)] = w
    return out


def axis_sizes(n, ke, L, s, before, cheapest=False, even=False):
    """(N, M): transform length of one axis and its folded length ``M = N / s``
    (``cheapest``: the :func:`~sigconv.fft.cheapest_len` rather than the smallest fast
    length, for an unstrided axis; ``even``: an even ``N``, the last axis of a real
    transform over several axes, :func:`~sigconv.fft.lengths.even_fast_len`)."""
    need = max(n + before, (L - 1) * s - before + ke, 1)
    if s == 1:
        N = cheapest_len(need) if cheapest else even_fast_len(need) if even else \
            next_fast_len(need)
        return N, N
    least = max(L, -(-need // s))
    M = even_fast_len(least) if even and s % 2 else next_fast_len(least, real=False)
    return s * M, M


def transform_sizes(nshape, keshape, out_spatial, strides, pads, real=True):
    """Per axis (N, M) of the single-transform engine (``real``: real transforms).

    A real 1-D transform takes the :func:`~sigconv.fft.cheapest_len`.  Complex ones and
    those of two or more axes take the smallest fast lengths: the factor costs were
    measured on real 1-D transforms (a complex 1105920 ran 1.3x slower than 1069200), and
    in N-D padding multiplies over the axes (66 -> 72 on three axes is 1.3x the points,
    and 64^3 * 3^3 ran 8 ms against 5 ms).  The last axis of a real transform over
    several axes is even."""
    cheapest = real and len(nshape) == 1
    last = len(nshape) - 1
    return [axis_sizes(n, ke, L, s, b, cheapest, real and not cheapest and i == last)
            for i, (n, ke, L, s, (b, _)) in enumerate(zip(nshape, keshape, out_spatial,
                                                          strides, pads))]


#: bytes of spectrum product handed to one inverse transform; larger batches go in chunks
#: (a kernel bank of 16 on a 2048x2048 image needs no 16-fold inverse buffer)
CHUNK_BYTES = 32 << 20


class KernelSpectrum:
    """The transform of a kernel placed for circular correlation, scaled by ``1/prod(N)``.

    ``w`` holds kernels with leading batch axes and ``len(sizes)`` trailing axes; tap
    ``m`` lands at ``(shift - m*dilation) mod N``.  ``spectrum`` shares memory with
    nothing else: on huge pages when large, or the transform's own result where the
    slot hands it over (``owned``, scipy.fft's; scaled in place).
    """

    def __init__(self, w, sizes, strides, dilations, shifts, *, real, res):
        nsp = len(sizes)
        self.sizes = tuple(sizes)
        self.strides = tuple(strides)
        self.folded = tuple(N // s for N, s in zip(sizes, strides))
        self.real = real
        self.nsp = nsp
        self.dtype = np.dtype(w.dtype)
        self.batch = w.shape[:w.ndim - nsp]
        cdt = np.result_type(self.dtype, np.complex64)
        half = self.sizes[:-1] + (self.sizes[-1] // 2 + 1,) if real else self.sizes
        rows = math.prod(self.batch)
        spectrum = None
        flat = w.reshape((rows,) + w.shape[w.ndim - nsp:])
        chunk = max(1, min(rows, CHUNK_BYTES // (math.prod(half) * cdt.itemsize)))
        threads = threads_for(res, chunk * math.prod(sizes),
                              real and nsp == 1 and self.dtype == np.float32)
        # 1/N in the kernel's own precision: a Python float would round long double
        scale = self.dtype.type(1) / self.dtype.type(math.prod(self.sizes))
        lead = (chunk,) if chunk > 1 else ()      # one kernel: the input's own plan
        for r0 in range(0, rows, chunk):
            r1 = min(rows, r0 + chunk)
            with slot("r2c" if real else "fwd", lead + self.sizes, nsp, w.dtype, threads,
                      res) as fwd:
                buf = fwd.input.reshape((chunk,) + self.sizes)
                buf[...] = 0
                place_kernel(buf[:r1 - r0], flat[r0:r1], self.sizes, dilations, shifts)
                spec = fwd.execute().reshape((chunk,) + tuple(half))
                if fwd.owned and chunk == rows:          # the slot's result is ours
                    spectrum = np.multiply(spec, scale, out=spec)
                    continue
                if spectrum is None:
                    spectrum = _runtime.empty((rows,) + tuple(half), cdt, keep=False)
                np.multiply(spec[:r1 - r0], scale, out=spectrum[r0:r1])
        self.spectrum = spectrum.reshape(self.batch + tuple(half))
        self.spectrum.flags.writeable = False
        self._fold_index = _fold_index(sizes[-1], strides[-1]) if real else None


def place_kernel(buf, w, sizes, dilations, shifts):
    """Write kernels ``w`` into zeroed ``buf`` for circular correlation: tap ``m`` at
    ``(shift - m*dilation) mod N`` on each trailing axis.  Without dilation the taps of
    an axis are the flipped kernel in one run that wraps past 0 at most once, so the
    kernel goes in as at most ``2**nsp`` block copies (65537 taps: 35 us, against 144 us
    scattered by index arrays); dilated taps are scattered."""
    nsp = len(sizes)
    extents = w.shape[w.ndim - nsp:]
    if any(d != 1 for d in dilations) or any(k > N for k, N in zip(extents, sizes)):
        idx = np.ix_(*[(b - np.arange(k) * d) % N for k, d, b, N in
                       zip(extents, dilations, shifts, sizes)])
        buf[(Ellipsis,) + idx] = w
        return
    flipped = w[(Ellipsis,) + (slice(None, None, -1),) * nsp]
    runs = []
    for k, b, N in zip(extents, shifts, sizes):
        start = (b - k + 1) % N                   # where the flipped kernel's first tap lands
        head = min(k, N - start)
        runs.append([(slice(start, start + head), slice(0, head))] +
                    ([(slice(0, k - head), slice(head, k))] if head < k else []))
    for combo in itertools.product(*runs):
        buf[(Ellipsis,) + tuple(d for d, _ in combo)] = \
            flipped[(Ellipsis,) + tuple(r for _, r in combo)]


#: one-off calls reuse the spectrum of a kernel of at most this many elements (up to
#: ``res.cache_bytes`` of spectra, least recently used dropped first)
SPECTRUM_CACHE_KERNEL = 1 << 17
_spectra = collections.OrderedDict()
_spectra_lock = threading.Lock()


def kernel_spectrum(w, sizes, strides, dilations, shifts, *, real, res):
    """A :class:`KernelSpectrum`, remembered for kernels seen again (read-only, shared)."""
    key = ("spectrum", tuple(sizes), tuple(strides), tuple(dilations), tuple(shifts), real)
    return remembered(w, key, res, lambda: KernelSpectrum(w, sizes, strides, dilations,
                                                          shifts, real=real, res=res))


def remembered(w, key, res, build):
    """``build()`` (an object with a ``spectrum`` array computed from kernels ``w``),
    remembered for kernels seen again under ``key`` (the geometry) and the threads and
    planner effort of ``res`` (so a hit gives the very bits a rebuild would), up to
    ``res.cache_bytes`` of spectra, least recently used dropped first.

    The cache key adds a sample of the kernel's values; a hit is confirmed by comparing
    the whole kernel's bytes with the stored ones (equal bytes, equal values).  Kernels
    of more than SPECTRUM_CACHE_KERNEL elements are not remembered.
    """
    limit = res.cache_bytes
    if w.size > SPECTRUM_CACHE_KERNEL or not limit:
        return build()
    flat = w.reshape(-1)
    key = (flat[::max(1, flat.size // 64)].tobytes(), w.shape, w.dtype.str, res.threads,
           res.effort) + key
    values = w.tobytes()
    with _spectra_lock:
        hit = _spectra.get(key)
        if hit is not None and hit[1] == values:
            _spectra.move_to_end(key)
            return hit[0]
    made = build()
    if made.spectrum.nbytes > limit:
        return made
    with _spectra_lock:
        _spectra[key] = (made, values)
        total = sum(v[0].spectrum.nbytes for v in _spectra.values())
        while total > limit and len(_spectra) > 1:
            total -= _spectra.popitem(last=False)[1][0].spectrum.nbytes
    return made


def _fold_index(N, s):
    """Gather indices and conjugation mask folding a real axis' half spectrum by ``s``."""
    if s == 1:
        return None
    M = N // s
    q = np.arange(M // 2 + 1)[None, :] + M * np.arange(s)[:, None]
    mask = q > N // 2
    return np.where(mask, N - q, q), mask


def fold(spec, ks):
    """The spectrum of ``y[::s]`` (per axis) from the spectrum of ``y``, unscaled.

    A real transform keeps half of the last axis; the missing half is
    ``Y[k] = conj(Y[-k])`` with *every* spectral index negated, so the last axis is
    folded first, while the other axes still have their full length.
    """
    nsp = ks.nsp
    if ks.real and ks.strides[-1] > 1:
        src, mask = ks._fold_index
        other = tuple(range(spec.ndim - nsp, spec.ndim - 1))
        neg = np.roll(np.flip(spec, other), 1, other) if other else spec
        g = spec[..., src]
        np.copyto(g, np.conjugate(neg[..., src]), where=mask)
        spec = g.sum(axis=-2)
    for i, (N, s) in enumerate(zip(ks.sizes, ks.strides)):
        axis = spec.ndim - nsp + i
        if s == 1 or (ks.real and i == nsp - 1):
            continue
        shape = spec.shape[:axis] + (s, N // s) + spec.shape[axis + 1:]
        spec = spec.reshape(shape).sum(axis=axis)
    return spec


def place(buf, data, offsets):
    """Write ``data`` into ``buf`` at ``offsets`` on the trailing axes; zero the rest."""
    nsp = len(offsets)
    lead = buf.ndim - nsp
    inner = tuple(slice(o, o + n) for o, n in zip(offsets, data.shape[lead:]))
    for i, (o, n) in enumerate(zip(offsets, data.shape[lead:])):
        for region in (slice(0, o), slice(o + n, None)):
            sl = [slice(None)] * buf.ndim
            sl[:lead + i] = [slice(None)] * lead + list(inner[:i])
            sl[lead + i] = region
            buf[tuple(sl)] = 0
    buf[(Ellipsis,) + inner] = data


def correlate_block(x, offsets, ks, take, *, res, out=None):
    """One block: place ``x``, transform, multiply by ``ks``, fold, invert, take.

    ``take`` has one entry per axis: a slice (kept range of the folded circular result)
    or an index array (for wrapped ranges).  The batch (broadcast of the input's and the
    kernels' leading axes) is inverted in chunks of about ``CHUNK_BYTES``.  Returns a new
    array, or writes into ``out`` (of the result's shape) when given.
    """
    nsp = ks.nsp
    bx = x.shape[:x.ndim - nsp]
    batch = broadcast(bx, ks.batch)
    index = tuple(t if isinstance(t, slice) else np.asarray(t) for t in take)
    if not all(isinstance(t, slice) for t in index):
        index = np.ix_(*[np.arange(M)[t] if isinstance(t, slice) else t
                         for t, M in zip(index, ks.folded)])
    kept = tuple(len(range(M)[t]) if isinstance(t, slice) else len(t)
                 for t, M in zip(take, ks.folded))
    real = ks.real
    threads = threads_for(res, math.prod(batch + ks.sizes),
                          real and nsp == 1 and ks.dtype == np.float32)
    with slot("r2c" if real else "fwd", bx + ks.sizes, nsp, ks.dtype, threads, res) as fwd:
        place(fwd.input, x, offsets)
        spec = fwd.execute()
        rows = math.prod(batch)
        row_bytes = math.prod(spec.shape[-nsp:]) * spec.itemsize
        chunk = max(1, min(rows, CHUNK_BYTES // max(row_bytes, 1)))
        if chunk == rows:
            return _invert(spec, ks, batch, (Ellipsis,) + tuple(index), threads, res, out,
                           owned=fwd.owned)
        result = _runtime.empty((rows,) + kept, np.result_type(ks.dtype, x.dtype))
        spec_b = np.broadcast_to(spec, batch + spec.shape[-nsp:])
        kern_b = np.broadcast_to(ks.spectrum, batch + spec.shape[-nsp:])
        for r0 in range(0, rows, chunk):
            r1 = min(rows, r0 + chunk)
            pairs = [(spec_b[i], kern_b[i]) for i in np.ndindex(batch)][r0:r1] \
                if len(batch) != 1 else [(spec_b[i], kern_b[i]) for i in range(r0, r1)]
            _invert_rows(pairs, ks, chunk, (slice(0, r1 - r0),) + tuple(index), threads, res,
                         result[r0:r1])
        result = result.reshape(batch + kept)
        if out is None:
            return result
        out[...] = result
        return out


def _invert(spec, ks, batch, index, threads, res, out=None, owned=False):
    """Multiply (and fold) the whole batch at once, invert, take ``index`` (into ``out``):
    in ``spec``'s buffer where it and the inverse slot are the caller's (``owned``)."""
    nsp = ks.nsp
    with slot("c2r" if ks.real else "inv", batch + ks.folded, nsp, ks.dtype, threads,
              res) as inv:
        if all(s == 1 for s in ks.strides):
            if owned and inv.owned:
                inv.adopt(spec)
            np.multiply(spec, ks.spectrum, out=inv.input)
        else:
            inv.input[...] = fold(spec * ks.spectrum, ks)
        return _take(inv.execute(), index, inv, out)


def _invert_rows(pairs, ks, chunk, index, threads, res, out):
    """Multiply (and fold) ``pairs`` of spectra row by row into one chunk, invert, take
    ``index`` into ``out``."""
    with slot("c2r" if ks.real else "inv", (chunk,) + ks.folded, ks.nsp, ks.dtype,
              threads, res) as inv:
        for row, (a, b) in enumerate(pairs):
            if all(s == 1 for s in ks.strides):
                np.multiply(a, b, out=inv.input[row])
            else:
                inv.input[row] = fold(a * b, ks)
        return _take(inv.execute(), index, inv, out)


#: a result that is one contiguous block of at least this share of the inverse
#: transform's buffer is that buffer itself, not a copy (the rest of it is wasted)
TAKE_SHARE = 7 / 8


def _take(y, index, inv, out=None):
    """``y[index]`` (what slot ``inv`` computed) into ``out`` or a new array; without
    ``out``, where it is one contiguous block of at least TAKE_SHARE of ``y`` (a 1-D
    result, N-D 'full' at fast lengths), a view of ``y``, which ``inv`` hands over: no
    copy, nor fresh result pages on a first call (1e6 x 65537 complex128 'full': the
    17 MB copy took 65-82 ms of 125-141)."""
    kept = y[index]
    if out is None and kept.flags.c_contiguous and np.may_share_memory(kept, y) \
            and kept.nbytes >= TAKE_SHARE * y.nbytes and inv.hand_over():
        return kept
    return _copy(kept, out)


def _copy(a, out=None):
    """``a`` copied into ``out``, or into a new array (:func:`sigconv._runtime.empty`)."""
    if out is None:
        out = _runtime.empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def correlate_valid(x, w, out_shape, strides, dilations, pads, *, res, spectrum=None):
    """Valid correlation of zero-padded ``x`` with ``w`` on the trailing axes, by FFT.

    ``spectrum`` may hold a :class:`KernelSpectrum` of ``w`` built for these sizes (the
    Convolver's cache); otherwise one is computed.
    """
    nsp = len(strides)
    ke = [d * (k - 1) + 1 for k, d in zip(w.shape[-nsp:], dilations)]
    real = x.dtype.kind != "c" and w.dtype.kind != "c"
    sizes = transform_sizes(x.shape[-nsp:], ke, out_shape[-nsp:], strides, pads, real)
    ks = spectrum or kernel_spectrum(w, [N for N, _ in sizes], strides, dilations,
                                     [b for b, _ in pads], real=real, res=res)
    take = [slice(0, L) for L in out_shape[-nsp:]]
    out = correlate_block(x, (0,) * nsp, ks, take, res=res)
    return out.astype(np.result_type(x.dtype, w.dtype), copy=False)


def memory_bytes(xbatch, kbatch, outbatch, sizes, itemsize, complex_):
    """Bytes the single-transform engine allocates for transform sizes ``(N, M)`` (at
    most: scipy.fft's slots, which hand their buffers on, take less)."""
    N = math.prod(n for n, _ in sizes)
    M = math.prod(m for _, m in sizes)
    c = 2 * itemsize
    if complex_:
        spec_n, spec_m, r = N, M, c
    else:
        spec_n = N // sizes[-1][0] * (sizes[-1][0] // 2 + 1)
        spec_m = M // sizes[-1][1] * (sizes[-1][1] // 2 + 1)
        r = itemsize
    fwd = xbatch * (N * r + spec_n * c)
    kern = kbatch * (N * r + 2 * spec_n * c)
    fold = outbatch * spec_n * c if N != M else 0
    inv = outbatch * (spec_m * c + M * r)
    return fwd + kern + fold + inv + outbatch * M * r
