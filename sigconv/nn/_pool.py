"""Pooling forward and backward passes over N spatial axes, by stacking the window taps."""

import math

import numpy as np

from .._padding import padded_shape
from ._args import crop, pad_zeros
from . import _parallel
from ._conv import tap_slices


def taps(xp, kshape, out_spatial, strides):
    """``(T, N, C, *out)``: one strided view per window tap, stacked."""
    return np.stack([xp[(Ellipsis,) + tap_slices(t, out_spatial, strides, (1,) * len(kshape))]
                     for t in np.ndindex(*kshape)])


def scatter(parts, xp_shape, kshape, out_spatial, strides, pads):
    """The adjoint of ``taps``: add each tap's ``(N, C, *out)`` part back, then crop."""
    dxp = np.zeros(xp_shape, dtype=parts.dtype)
    for i, t in enumerate(np.ndindex(*kshape)):
        dxp[(Ellipsis,) + tap_slices(t, out_spatial, strides, (1,) * len(kshape))] += parts[i]
    return np.ascontiguousarray(crop(dxp, pads))


def _views(xp, kshape, out_spatial, strides):
    """One strided view of ``xp`` per window tap, in tap order."""
    ones = (1,) * len(kshape)
    return [xp[(Ellipsis,) + tap_slices(t, out_spatial, strides, ones)]
            for t in np.ndindex(*kshape)]


def max_forward(x, kshape, strides, pads, out_spatial):
    """``(y, argmax)``: the window maxima and the tap of each window's first maximum
    (uint8 when the window has at most 256 taps).  Padding is -inf, so it is never the
    maximum of a window that holds an input sample.  Large batches run on threads."""
    xp = pad_zeros(x, pads, value=-np.inf)
    shape = x.shape[:2] + tuple(out_spatial)
    y = np.empty(shape, dtype=x.dtype)
    arg = np.empty(shape, dtype=np.uint8 if math.prod(kshape) <= 256 else np.intp)
    _parallel.each(len(x), x.size, lambda lo, hi: _max_into(
        xp[lo:hi], y[lo:hi], arg[lo:hi], kshape, strides, out_spatial))
    return y, arg


def _max_into(xp, y, arg, kshape, strides, out_spatial):
    views = _views(xp, kshape, out_spatial, strides)
    if len(views) > 1:
        np.maximum(views[0], views[1], out=y)
    else:
        y[...] = views[0]
    for v in views[2:]:
        np.maximum(y, v, out=y)
    hit = np.empty(y.shape, dtype=bool)
    step = np.empty(y.shape, dtype=arg.dtype)
    arg[...] = 0
    for t in range(len(views) - 1, -1, -1):    # descending, so the first maximum wins
        np.equal(views[t], y, out=hit)
        np.subtract(t, arg, out=step)          # arg += hit * (t - arg): arg = t where hit
        np.multiply(step, hit, out=step)
        arg += step


def max_backward(dy, arg, x_shape, kshape, strides, pads):
    """Route each ``dy`` to its window's (first) maximum: one masked product per tap,
    written into the padded gradient (added where windows overlap)."""
    padded = tuple(x_shape[:2]) + tuple(s + b + a for s, (b, a) in zip(x_shape[2:], pads))
    dxp = np.zeros(padded, dtype=dy.dtype)
    _parallel.each(len(dy), math.prod(x_shape), lambda lo, hi: _route_into(
        dxp[lo:hi], dy[lo:hi], arg[lo:hi], kshape, strides))
    return np.ascontiguousarray(crop(dxp, pads))


def _route_into(dxp, dy, arg, kshape, strides):
    views = _views(dxp, kshape, dy.shape[2:], strides)
    overlap = any(s < k for s, k in zip(strides, kshape))
    hit = np.empty(arg.shape, dtype=bool)
    part = np.empty(dy.shape, dtype=dy.dtype) if overlap else None
    for t, view in enumerate(views):
        np.equal(arg, t, out=hit)
        if overlap:
            view += np.multiply(dy, hit, out=part)
        else:
            np.multiply(dy, hit, out=view)


def avg_forward(x, kshape, strides, pads, out_spatial):
    """Mean over the window, zero padding included in the count (PyTorch's default)."""
    xp = pad_zeros(x, pads)
    return taps(xp, kshape, out_spatial, strides).mean(axis=0)


def avg_backward(dy, x_shape, kshape, strides, pads):
    padded = padded_shape(x_shape, pads)
    t = math.prod(kshape)
    parts = np.broadcast_to(dy / t, (t,) + dy.shape)
    return scatter(parts, padded, kshape, dy.shape[2:], strides, pads)


def lp_forward(x, p, kshape, strides, out_spatial):
    """``(sum |x|^p)^(1/p)`` over the window; returns ``(y, stack)``."""
    stack = taps(x, kshape, out_spatial, strides)
    return np.sum(np.abs(stack) ** p, axis=0) ** (1.0 / p), stack


def lp_backward(dy, y, stack, p, x_shape, kshape, strides):
    """``dy * y^(1-p) * |x|^(p-1) * sign(x)``; 0 where the whole window is 0."""
    safe = np.where(y > 0, y, 1)
    scale = np.where(y > 0, dy * safe ** (1 - p), 0)
    parts = scale[None] * np.abs(stack) ** (p - 1) * np.sign(stack)
    zero = ((0, 0),) * len(kshape)
    return scatter(parts, x_shape, kshape, dy.shape[2:], strides, zero)
