"""The three products of a convolution layer, channels-first, as im2col + BLAS or as FFTs.

Every layer reduces to three primitives on a zero-padded input ``xp`` of shape
``(N, C, *S)`` and a weight ``w`` of shape ``(O, C/groups, *K)``:

* ``correlate``    ``y[n, o, i] = sum_{c, m} xp[n, c, i*s + m*d] * w[o, c, m]``
* ``input_grad``   its adjoint with respect to ``xp`` (the "deconvolution")
* ``weight_grad``  its adjoint with respect to ``w``

(``c`` runs over the channels of the group of ``o``.)  A convolution layer is
``correlate`` then ``input_grad``/``weight_grad`` in backward; a transposed convolution is
``input_grad`` forward and ``correlate``/``weight_grad`` backward.

Small kernels run as im2col (one strided slice copy per kernel tap) followed by one
BLAS matrix product per sample and group, over batch chunks whose column matrix stays in
cache (``chunks``), spread over threads (``_parallel``).  Stride-1 layers take the faster
flat layout of ``_flatconv`` instead (chosen in ``functional``).  Large kernels run
through the FFT engine's multichannel form (:mod:`sigconv.engines.channels`).
``choose`` asks the cost model (:func:`sigconv.engines.layer_cost.layer_method`).
"""

import functools
import math

import numpy as np

from .. import _runtime
from ..engines import layer_cost
from ..engines.channels import correlate_channels
from ..engines.fft import dilate
from . import _parallel


def choose(x_shape, w_shape, out_spatial, groups, *, winograd=False):
    """'im2col', 'fft' or (when ``winograd`` says it applies) 'winograd': the cheapest
    way to correlate these shapes (estimated seconds)."""
    return layer_cost.layer_method(_runtime.calibration(), x_shape, w_shape, out_spatial,
                                   groups, winograd=winograd)


def winograd_tile(n, c, o, out_spatial):
    """The Winograd output tile the cost model prefers for this layer."""
    return layer_cost.winograd_tile(_runtime.calibration(), n, c, o, tuple(out_spatial))


def tap_slices(tap, out_spatial, strides, dilations):
    """The strided slices of the padded input that kernel tap ``tap`` multiplies."""
    return tuple(slice(m * d, m * d + s * (n - 1) + 1, s)
                 for m, n, s, d in zip(tap, out_spatial, strides, dilations))


_SMALL_ROW = 16   # output rows narrower than this gather through one flat index instead
_CHUNK_BYTES = 1 << 20   # column matrix per batch chunk: small enough to stay in cache


def chunks(n, per_sample_bytes):
    """``(lo, hi)`` batch ranges whose im2col columns take about ``_CHUNK_BYTES`` each."""
    step = max(1, min(n, _CHUNK_BYTES // max(per_sample_bytes, 1)))
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


def im2col(xp, kshape, out_spatial, strides, dilations, out=None):
    """Columns ``(N, C, *K, *out)``: ``cols[n, c, m, i] = xp[n, c, i*s + m*d]`` (written
    into ``out`` when given)."""
    n, c = xp.shape[:2]
    shape = (n, c) + tuple(kshape) + tuple(out_spatial)
    if out_spatial[-1] < _SMALL_ROW:
        idx = _flat_index(c, xp.shape[2:], tuple(kshape), tuple(out_spatial), strides, dilations)
        flat = np.ascontiguousarray(xp).reshape(n, -1)
        if out is None:
            return np.take(flat, idx, axis=1).reshape(shape)
        np.take(flat, idx, axis=1, out=out.reshape(n, -1))
        return out
    cols = np.empty(shape, dtype=xp.dtype) if out is None else out
    for tap in np.ndindex(*kshape):
        cols[(slice(None), slice(None)) + tap] = xp[(Ellipsis,) + tap_slices(
            tap, out_spatial, strides, dilations)]
    return cols


def col2im(cols, padded_spatial, strides, dilations, out=None):
    """The adjoint of ``im2col``: scatter-add columns ``(N, C, *K, *out)`` into ``xp``
    (added into ``out`` when given, else into zeros)."""
    nsp = len(padded_spatial)
    n, c = cols.shape[:2]
    kshape, out_spatial = cols.shape[2:2 + nsp], cols.shape[2 + nsp:]
    xp = np.zeros((n, c) + tuple(padded_spatial), dtype=cols.dtype) if out is None else out
    for tap in np.ndindex(*kshape):
        xp[(Ellipsis,) + tap_slices(tap, out_spatial, strides, dilations)] += \
            cols[(slice(None), slice(None)) + tap]
    return xp


@functools.lru_cache(maxsize=64)
def _flat_index(c, padded, kshape, out_spatial, strides, dilations):
    """Flat offsets into one sample ``(C, *padded)`` in im2col order ``(C, *K, *out)``."""
    nsp = len(padded)
    pitch = [math.prod(padded[a + 1:]) for a in range(nsp)]
    grids = np.ix_(range(c), *[range(k) for k in kshape], *[range(o) for o in out_spatial])
    idx = grids[0] * math.prod(padded)
    for a in range(nsp):
        idx = idx + (grids[1 + a] * dilations[a] + grids[1 + nsp + a] * strides[a]) * pitch[a]
    return np.ascontiguousarray(idx, dtype=np.intp).reshape(-1)


def correlate(xp, w, strides, dilations, groups, out_spatial, method="auto"):
    """``(y, cols)``: the grouped multichannel valid correlation.  ``cols`` (for
    ``weight_grad``) is the column matrix when one chunk held the whole batch, else None
    (and always None on the FFT path).  Chunks run on threads (see ``_parallel``)."""
    n, c = xp.shape[:2]
    o, p = w.shape[0], math.prod(out_spatial)
    dtype = np.result_type(xp, w)
    if n == 0:
        return np.zeros((0, o) + tuple(out_spatial), dtype=dtype), None
    if method == "auto":
        method = choose(xp.shape, w.shape, out_spatial, groups)
    if method == "fft":
        return _correlate_fft(xp, w, strides, dilations, groups, out_spatial), None
    wm = w.reshape(groups, o // groups, -1)
    y = np.empty((n, groups, o // groups, p), dtype=dtype)
    parts = chunks(n, c * math.prod(w.shape[2:]) * p * xp.itemsize)
    shape = (parts[0][1], c) + tuple(w.shape[2:]) + tuple(out_spatial)

    def work(buf, lo, hi):
        cols = im2col(xp[lo:hi], w.shape[2:], out_spatial, strides, dilations,
                      out=buf[:hi - lo])
        np.matmul(wm, cols.reshape(hi - lo, groups, -1, p), out=y[lo:hi])

    bufs = _parallel.run(parts, work, lambda: np.empty(shape, xp.dtype))
    return y.reshape((n, o) + tuple(out_spatial)), (bufs[0] if len(parts) == 1 else None)


def input_grad(dy, w, padded_spatial, strides, dilations, groups, method="auto"):
    """``dxp``: the adjoint of ``correlate`` with respect to its padded input."""
    n, o = dy.shape[:2]
    kshape, out_spatial = w.shape[2:], dy.shape[2:]
    c = w.shape[1] * groups
    dxp = np.zeros((n, c) + tuple(padded_spatial), dtype=np.result_type(dy, w))
    if n == 0:
        return dxp
    if method == "auto":
        method = choose((n, c) + tuple(padded_spatial), w.shape, out_spatial, groups)
    if method == "fft":
        return _input_grad_fft(dy, w, padded_spatial, strides, dilations, groups)
    p = math.prod(out_spatial)
    wt = np.ascontiguousarray(w.reshape(groups, o // groups, -1).transpose(0, 2, 1))
    dym = dy.reshape(n, groups, o // groups, p)
    parts = chunks(n, c * math.prod(kshape) * p * dxp.itemsize)
    shape = (parts[0][1], groups, wt.shape[1], p)

    def work(buf, lo, hi):       # chunks own disjoint samples of dxp
        dcols = np.matmul(wt, dym[lo:hi], out=buf[:hi - lo])
        col2im(dcols.reshape((hi - lo, c) + tuple(kshape) + tuple(out_spatial)),
               padded_spatial, strides, dilations, out=dxp[lo:hi])

    _parallel.run(parts, work, lambda: np.empty(shape, dtype=dxp.dtype))
    return dxp


def weight_grad(xp, dy, kshape, strides, dilations, groups, cols=None, method="auto"):
    """``dw``: the adjoint of ``correlate`` with respect to its weight (``cols``: the
    column matrix ``correlate`` returned, if any)."""
    n, c = xp.shape[:2]
    o = dy.shape[1]
    dtype = np.result_type(xp, dy)
    if n == 0:
        return np.zeros((o, c // groups) + tuple(kshape), dtype=dtype)
    if cols is None and method == "auto":
        method = choose(xp.shape, (o, c // groups) + tuple(kshape), dy.shape[2:], groups)
    if cols is None and method == "fft":
        return _weight_grad_fft(xp, dy, kshape, strides, dilations, groups)
    out_spatial = dy.shape[2:]
    p = math.prod(out_spatial)
    dym = dy.reshape(n, groups, o // groups, p)
    parts = [(0, n)] if cols is not None else chunks(
        n, c * math.prod(kshape) * p * xp.itemsize)
    kcols = c // groups * math.prod(kshape)
    step = parts[0][1]

    def make_state():
        return _parallel.Buffers(
            cols=cols if cols is not None else np.empty(
                (step, c) + tuple(kshape) + tuple(out_spatial), xp.dtype),
            part=np.empty((step, groups, kcols, o // groups), dtype=dtype),
            dwt=np.zeros((groups, kcols, o // groups), dtype=dtype))

    def work(st, lo, hi):        # dw transposed: cols @ dy^T is the faster product
        m = hi - lo
        if cols is None:
            im2col(xp[lo:hi], kshape, out_spatial, strides, dilations, out=st.cols[:m])
        colsm = st.cols[:m].reshape(m, groups, kcols, p)
        part = np.matmul(colsm, dym[lo:hi].transpose(0, 1, 3, 2), out=st.part[:m])
        st.dwt += part[0] if m == 1 else part.sum(0)

    dwt = sum(st.dwt for st in _parallel.run(parts, work, make_state))
    return dwt.transpose(0, 2, 1).reshape((o, c // groups) + tuple(kshape))


def _correlate_fft(xp, w, strides, dilations, groups, out_spatial):
    """``correlate`` by the FFT engine (:func:`sigconv.engines.channels.correlate_channels`)."""
    return correlate_channels(xp, w, tuple(strides), tuple(dilations), groups,
                              tuple(out_spatial), res=_runtime.resources())


def _input_grad_fft(dy, w, padded_spatial, strides, dilations, groups):
    """``input_grad`` as a correlation of the zero-stuffed, zero-padded ``dy`` with the
    flipped, channel-transposed kernel."""
    nsp = len(strides)
    n, o = dy.shape[:2]
    cg = w.shape[1]
    og = o // groups
    axes = tuple(range(-nsp, 0))
    kshape = w.shape[2:]
    stuffed = dilate(dy, strides)
    reach = [d * (k - 1) for k, d in zip(kshape, dilations)]
    padded = np.pad(stuffed, ((0, 0), (0, 0)) + tuple((r, r) for r in reach))
    wt = w.reshape((groups, og, cg) + kshape).transpose((0, 2, 1) + tuple(range(3, 3 + nsp)))
    wt = np.flip(wt.reshape((groups * cg, og) + kshape), axes)
    span = tuple(st + r for st, r in zip(stuffed.shape[2:], reach))
    part = _correlate_fft(padded, wt, (1,) * nsp, dilations, groups, span)
    dxp = np.zeros((n, groups * cg) + tuple(padded_spatial), dtype=part.dtype)
    dxp[(Ellipsis,) + tuple(slice(0, s) for s in span)] = part
    return dxp


def _weight_grad_fft(xp, dy, kshape, strides, dilations, groups):
    """``weight_grad`` per group as a correlation of the input with the output gradient,
    the batch axis playing the part of the channels."""
    c, o = xp.shape[1], dy.shape[1]
    cg, og = c // groups, o // groups
    parts = []
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg].swapaxes(0, 1)
        ks = dy[:, g * og:(g + 1) * og].swapaxes(0, 1)
        parts.append(_correlate_fft(np.ascontiguousarray(xs), np.ascontiguousarray(ks),
                                    dilations, strides, 1, kshape).swapaxes(0, 1))
    return np.ascontiguousarray(np.concatenate(parts, axis=0))
