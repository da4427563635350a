"""Boundary extension of arrays, with scipy.ndimage's names and semantics.

``constant`` (cval), ``reflect`` (dcba|abcd), ``mirror`` (dcb|abcd), ``nearest``
(aaa|abcd) and ``wrap`` (abcd|abcd).  Pads longer than the array keep extending by the
same rule (periodic reflection), as scipy.ndimage does.
"""

import numpy as np


def boundary_index(index, n, boundary):
    """Map (possibly out-of-range) integer indices into ``[0, n)`` by the boundary rule."""
    if boundary == "nearest":
        return np.clip(index, 0, n - 1)
    if boundary == "wrap":
        return np.mod(index, n)
    if boundary == "reflect":
        j = np.mod(index, 2 * n)
        return np.where(j >= n, 2 * n - 1 - j, j)
    if boundary == "mirror":
        if n == 1:
            return np.zeros_like(index)
        j = np.mod(index, 2 * n - 2)
        return np.where(j >= n, 2 * n - 2 - j, j)
    raise ValueError(f"no index map for boundary {boundary!r}")


def padded_shape(shape, pads):
    """``shape`` with ``pads[i] = (before, after)`` added to its last ``len(pads)`` axes."""
    lead = len(shape) - len(pads)
    return tuple(shape[:lead]) + tuple(n + b + a for n, (b, a) in zip(shape[lead:], pads))


def pad(x, pads, boundary, cval=0, dtype=None, out=None):
    """A new array: ``x`` extended by ``pads[i] = (before, after)`` on its trailing axes.

    ``pads`` covers the last ``len(pads)`` axes.  The result has ``dtype`` (default
    ``x.dtype``) and is a fresh, C-contiguous array, or ``out`` (of the result's shape and
    dtype, not overlapping ``x``) written over.
    """
    dtype = x.dtype if dtype is None else np.dtype(dtype)
    lead = x.ndim - len(pads)
    if out is None:
        out = np.empty(padded_shape(x.shape, pads), dtype=dtype)
    inner = (Ellipsis,) + tuple(slice(b, b + n) for n, (b, _) in zip(x.shape[lead:], pads))
    out[inner] = x
    if not any(b or a for b, a in pads):
        return out
    if boundary == "constant":
        _fill_constant(out, x.shape[lead:], pads, cval)
        return out
    for i, (n, (b, a)) in enumerate(zip(x.shape[lead:], pads)):
        axis = lead + i
        if not (b or a):
            continue
        if n == 0:
            raise ValueError("cannot extend an empty axis by a boundary rule")
        for lo, hi in ((0, b), (b + n, b + n + a)):
            if hi > lo:
                src = boundary_index(np.arange(lo - b, hi - b), n, boundary) + b
                dst = [slice(None)] * out.ndim
                dst[axis] = slice(lo, hi)
                out[tuple(dst)] = np.take(out, src, axis=axis)
    return out


def _fill_constant(out, inner_shape, pads, cval):
    lead = out.ndim - len(pads)
    for i, (n, (b, a)) in enumerate(zip(inner_shape, pads)):
        idx = [slice(None)] * out.ndim
        if b:
            idx[lead + i] = slice(0, b)
            out[tuple(idx)] = cval
        if a:
            idx[lead + i] = slice(b + n, None)
            out[tuple(idx)] = cval
