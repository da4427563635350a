"""correlate, convolve, correlate1d and convolve1d with scipy.ndimage's signatures."""

import numpy as np

from .._errors import ArgumentError
from . import _args as A
from ._compute import (Pass, apply, apply_missing, compute_dtype, finish, method_for,
                       missing_options, missing_output, run_passes)
from ._docs import fill


@fill
def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *,
              axes=None, mask=None, nan_policy="propagate", preserve_nan=False,
              min_weight=None):
    """Multidimensional correlation, as ``scipy.ndimage.correlate``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        Array of weights, with one axis per filtered axis. Complex weights are
        conjugated (as ``numpy.correlate`` and scipy.ndimage do).
    %(output)s
    %(mode)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(missing)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    With ``c = shape(weights) // 2 + origin`` (per axis),
    ``out[i] = sum_j input[i + j - c] * conj(weights[j])``, where ``input`` beyond its
    edges follows `mode`.  Computed by :func:`sigconv.correlate` in ``'same'`` mode with
    ``center=c`` (the method chosen by 'auto').

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.arange(25).reshape(5, 5)
    >>> k = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 2]])
    >>> ndimage.correlate(a, k, mode='constant')
    array([[ 18,  23,  29,  35,  16],
           [ 43,  54,  61,  68,  35],
           [ 73,  89,  96, 103,  55],
           [103, 124, 131, 138,  75],
           [ 56,  79,  83,  87,  66]])
    >>> np.array_equal(_, scipy.ndimage.correlate(a, k, mode='constant'))
    True
    """
    missing = missing_options(mask, nan_policy, preserve_nan, min_weight)
    return _nd("correlate", input, weights, output, mode, cval, origin, axes, missing)


@fill
def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *,
             axes=None, mask=None, nan_policy="propagate", preserve_nan=False,
             min_weight=None):
    """Multidimensional convolution, as ``scipy.ndimage.convolve``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        Array of weights, with one axis per filtered axis.
    %(output)s
    %(mode)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(missing)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    With ``c = shape(weights) // 2 + origin`` (per axis),
    ``out[i] = sum_j input[i - j + c] * weights[j]``: the correlation with the weights
    flipped on every axis.  Computed by :func:`sigconv.convolve` in ``'same'`` mode with
    ``center=c``.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.array([[1, 2, 0, 0], [5, 3, 0, 4], [0, 0, 0, 7], [9, 3, 0, 0]])
    >>> k = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    >>> ndimage.convolve(a, k, mode='constant', cval=0.0)
    array([[11, 10,  7,  4],
           [10,  3, 11, 11],
           [15, 12, 14,  7],
           [12,  3,  7,  0]])
    >>> np.array_equal(_, scipy.ndimage.convolve(a, k, mode='constant', cval=0.0))
    True
    """
    missing = missing_options(mask, nan_policy, preserve_nan, min_weight)
    return _nd("convolve", input, weights, output, mode, cval, origin, axes, missing)


@fill
def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """One-dimensional correlation along an axis, as ``scipy.ndimage.correlate1d``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        1-D sequence of weights (complex weights are conjugated).
    %(axis)s
    %(output)s
    %(mode)s
    %(cval)s
    %(origin)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    With ``c = len(weights) // 2 + origin``,
    ``out[..., i, ...] = sum_j input[..., i + j - c, ...] * conj(weights[j])`` along
    `axis`.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> ndimage.correlate1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    >>> np.array_equal(_, scipy.ndimage.correlate1d([2, 8, 0, 4, 1, 9, 9, 0], [1, 3]))
    True
    """
    return _one_d("correlate1d", input, weights, axis, output, mode, cval, origin)


@fill
def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """One-dimensional convolution along an axis, as ``scipy.ndimage.convolve1d``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        1-D sequence of weights.
    %(axis)s
    %(output)s
    %(mode)s
    %(cval)s
    %(origin)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    With ``c = len(weights) // 2 + origin``,
    ``out[..., i, ...] = sum_j input[..., i - j + c, ...] * weights[j]`` along `axis`.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> ndimage.convolve1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    >>> np.array_equal(_, scipy.ndimage.convolve1d([2, 8, 0, 4, 1, 9, 9, 0], [1, 3]))
    True
    """
    return _one_d("convolve1d", input, weights, axis, output, mode, cval, origin)


def _nd(op, input, weights, output, mode, cval, origin, axes, missing):
    x = A.array(input, "input", op)
    w = A.array(weights, "weights", op)
    complex_w = w.dtype.kind == "c"
    out = A.output(missing_output(output, x, missing), x, op,
                   complex_output=x.dtype.kind == "c" or complex_w, stacklevel=4)
    axes = A.axes(axes, x.ndim, op)
    if len(axes) < x.ndim:
        if w.ndim != len(axes):
            raise ArgumentError(
                f"{op}: weights.ndim ({w.ndim}) must match len(axes) ({len(axes)}): one "
                f"weights axis per filtered axis; got weights of shape {w.shape}")
        w = np.expand_dims(w, tuple(ax for ax in range(x.ndim) if ax not in axes))
    if w.ndim != x.ndim or 0 in w.shape:
        raise ArgumentError(
            f"{op}: weights.ndim ({w.ndim}) must match len(axes) ({len(axes)}): one "
            f"non-empty weights axis per filtered axis; got weights of shape {w.shape}")
    origins = [0] * x.ndim
    for o, ax in zip(A.sequence(origin, len(axes), "origin", op), axes):
        origins[ax] = A.origin(o, w.shape[ax], "origin", op)
    boundary = A.mode(mode, op)
    cval = A.cval(cval, x.dtype.kind == "c", op)
    anchors = [k // 2 + o for k, o in zip(w.shape, origins)]
    if missing is not None:
        return finish(apply_missing(op, x, w, anchors, boundary, cval, missing), out)
    dtype = compute_dtype(x.dtype, out.dtype, complex_w)
    return finish(apply(op, x, w, anchors, boundary, cval, dtype, method_for(out)), out)


def _one_d(func, input, weights, axis, output, mode, cval, origin):
    x = A.array(input, "input", func)
    w = A.array(weights, "weights", func)
    if w.ndim != 1 or w.size < 1:
        raise ArgumentError(f"{func}: no filter weights given: weights must be a non-empty "
                            f"1-D sequence; got shape {w.shape}")
    out = A.output(output, x, func, complex_output=x.dtype.kind == "c" or w.dtype.kind == "c",
                   stacklevel=4)
    axis = A.axis(axis, x.ndim, func)
    origin = A.origin(origin, w.size, "origin", func)
    boundary = A.mode(mode, func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    if func == "convolve1d":     # the correlation with the flipped weights (unconjugated)
        w = np.conj(w[::-1]) if w.dtype.kind == "c" else w[::-1]
        origin = -origin - (1 - w.size % 2)
    step = Pass(axis, w, w.size // 2 + origin, boundary)
    return finish(run_passes(x, [step], cval, out), out)
