"""Pooling forward and backward passes over N spatial axes, by stacking the window taps."""

import math

import numpy as np

from ._args import crop, pad_zeros
from . import _conv
from ._conv import tap_slices


def taps(xp, kshape, out_spatial, strides):
    """``(T, N, C, *out)``: one strided view per window tap, stacked."""
    return np.stack([xp[(Ellipsis,) + tap_slices(t, out_spatial, strides, (1,) * len(kshape))]
                     for t in np.ndindex(*kshape)])


def scatter(parts, padded_shape, kshape, out_spatial, strides, pads):
    """The adjoint of ``taps``: add each tap's ``(N, C, *out)`` part back, then crop."""
    dxp = np.zeros(padded_shape, dtype=parts.dtype)
    for i, t in enumerate(np.ndindex(*kshape)):
        dxp[(Ellipsis,) + tap_slices(t, out_spatial, strides, (1,) * len(kshape))] += parts[i]
    return np.ascontiguousarray(crop(dxp, pads))


def max_forward(x, kshape, strides, pads, out_spatial):
    """``(y, argmax)``; padding is -inf, so it is never the maximum of a window that
    holds an input sample."""
    xp = pad_zeros(x, pads, value=-np.inf)
    views = [xp[(Ellipsis,) + tap_slices(t, out_spatial, strides, (1,) * len(kshape))]
             for t in np.ndindex(*kshape)]
    y = views[0].copy()
    for v in views[1:]:
        np.maximum(y, v, out=y)
    arg = np.zeros(y.shape, dtype=np.intp)
    for t in range(len(views) - 1, 0, -1):     # descending, so the first maximum wins
        np.copyto(arg, t, where=views[t] == y)
    return y, arg


def max_backward(dy, arg, x_shape, kshape, strides, pads):
    """Route each ``dy`` to its window's (first) maximum through flat indices."""
    n, c = x_shape[:2]
    nsp = len(kshape)
    out = dy.shape[2:]
    padded = tuple(s + b + a for s, (b, a) in zip(x_shape[2:], pads))
    size = c * math.prod(padded)
    origin = _conv._flat_index(c, padded, (1,) * nsp, tuple(out), tuple(strides), (1,) * nsp)
    pitch = [math.prod(padded[a + 1:]) for a in range(nsp)]
    offsets = np.array([sum(t * p for t, p in zip(tap, pitch)) for tap in np.ndindex(*kshape)],
                       dtype=np.intp)
    idx = origin.reshape((1, c) + tuple(out)) + offsets[arg]
    idx += (np.arange(n, dtype=np.intp) * size).reshape((n,) + (1,) * (nsp + 1))
    flat = np.zeros(n * size, dtype=dy.dtype)
    if tuple(strides) == tuple(kshape):        # windows do not overlap
        flat[idx.reshape(-1)] = dy.reshape(-1)
    else:
        np.add.at(flat, idx.reshape(-1), dy.reshape(-1))
    return np.ascontiguousarray(crop(flat.reshape((n, c) + padded), pads))


def avg_forward(x, kshape, strides, pads, out_spatial):
    """Mean over the window, zero padding included in the count (PyTorch's default)."""
    xp = pad_zeros(x, pads)
    return taps(xp, kshape, out_spatial, strides).mean(axis=0)


def avg_backward(dy, x_shape, kshape, strides, pads):
    padded = x_shape[:2] + tuple(n + b + a for n, (b, a) in zip(x_shape[2:], pads))
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
