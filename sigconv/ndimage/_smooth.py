"""uniform_filter(1d) and gaussian_filter(1d): separable smoothing, one 1-D pass per axis."""

import numbers
import operator

import numpy as np

from .._errors import ArgumentError
from ..filters import gaussian_kernel1d
from . import _args as A
from ._compute import Pass, finish, missing_options, missing_output, passes_missing, run_passes
from ._docs import fill

#: scipy.ndimage skips the axes whose sigma is at most this
SIGMA_EPS = 1e-15


@fill
def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """One-dimensional moving average along an axis, as ``scipy.ndimage.uniform_filter1d``.

    Parameters
    ----------
    %(input)s
    size : int
        Length of the window, >= 1.
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
    With ``c = size // 2 + origin``,
    ``out[i] = (sum_{j=0}^{size-1} input[i + j - c]) / size`` along `axis`: the sum is
    taken first (exactly, for integer input) and then divided, as in scipy.ndimage.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> ndimage.uniform_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)
    array([4, 3, 4, 1, 4, 6, 6, 3])
    >>> np.array_equal(_, scipy.ndimage.uniform_filter1d([2, 8, 0, 4, 1, 9, 9, 0], 3))
    True
    """
    func = "uniform_filter1d"
    x = A.array(input, "input", func)
    out = A.output(output, x, func, complex_output=x.dtype.kind == "c")
    axis = A.axis(axis, x.ndim, func)
    step = _box(axis, operator.index(size), origin, A.mode(mode, func), func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    return finish(run_passes(x, [step], cval, out), out)


@fill
def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *,
                   axes=None, mask=None, nan_policy="propagate", preserve_nan=False,
                   min_weight=None):
    """Multidimensional moving average, as ``scipy.ndimage.uniform_filter``.

    Parameters
    ----------
    %(input)s
    size : int or sequence of int
        Window length per filtered axis (axes of length 1 are not filtered).
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(missing)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    A sequence of :func:`uniform_filter1d` passes, one per filtered axis with
    ``size > 1``, in the order of `axes`; with missing data, one call of the whole box
    (the mean of the valid samples in each window).

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.arange(16.0).reshape(4, 4)
    >>> ndimage.uniform_filter(a, size=3, mode='nearest')
    array([[ 1.66666667,  2.33333333,  3.33333333,  4.        ],
           [ 4.33333333,  5.        ,  6.        ,  6.66666667],
           [ 8.33333333,  9.        , 10.        , 10.66666667],
           [11.        , 11.66666667, 12.66666667, 13.33333333]])
    >>> np.allclose(_, scipy.ndimage.uniform_filter(a, size=3, mode='nearest'))
    True
    """
    func = "uniform_filter"
    x = A.array(input, "input", func)
    missing = missing_options(mask, nan_policy, preserve_nan, min_weight)
    out = A.output(missing_output(output, x, missing), x, func,
                   complex_output=x.dtype.kind == "c")
    axes = A.axes(axes, x.ndim, func)
    n = len(axes)
    sizes = A.sequence(size, n, "size", func)
    origins = A.sequence(origin, n, "origin", func)
    modes = A.modes(mode, n, func)
    steps = [_box(ax, int(s), o, m, func)
             for ax, s, o, m in zip(axes, sizes, origins, modes) if s > 1]
    cval = A.cval(cval, x.dtype.kind == "c", func)
    if missing is not None:
        return finish(passes_missing(x, steps, cval, missing, func), out)
    return finish(run_passes(x, steps, cval, out), out)


def _box(axis, size, origin, boundary, func):
    if size < 1:
        raise ArgumentError(f"{func}: incorrect filter size: size must be >= 1; got {size}")
    o = A.origin(origin, size, "origin", func)
    return Pass(axis, np.ones(size), size // 2 + o, boundary, divisor=size)


@fill
def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect",
                      cval=0.0, truncate=4.0, *, radius=None):
    """One-dimensional Gaussian filter, as ``scipy.ndimage.gaussian_filter1d``.

    Parameters
    ----------
    %(input)s
    sigma : scalar
        Standard deviation of the Gaussian, in samples (not 0).
    %(axis)s
    order : int, optional
        0 smooths; a positive order gives that derivative of the smoothed input.
    %(output)s
    %(mode)s
    %(cval)s
    truncate : float, optional
        Half-width in standard deviations when `radius` is None: the kernel has
        ``2 * int(truncate * sigma + 0.5) + 1`` taps. Default 4.0.
    radius : int, optional
        Half-width of the kernel (overrides `truncate`).

    Returns
    -------
    %(returns)s

    Notes
    -----
    The weights are :func:`sigconv.filters.gaussian_kernel1d`: the samples of
    ``exp(-x**2 / (2 sigma**2))`` on ``x = -radius..radius``, normalized to sum 1, times
    the polynomial of the ``order``-th derivative (scipy.ndimage's kernel).

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> ndimage.gaussian_filter1d(x, 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    >>> np.allclose(_, scipy.ndimage.gaussian_filter1d(x, 1))
    True
    """
    func = "gaussian_filter1d"
    x = A.array(input, "input", func)
    out = A.output(output, x, func)
    axis = A.axis(axis, x.ndim, func)
    step = _gaussian(axis, sigma, order, A.mode(mode, func), truncate, radius, func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    return finish(run_passes(x, [step], cval, out), out)


@fill
def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0,
                    truncate=4.0, *, radius=None, axes=None, mask=None,
                    nan_policy="propagate", preserve_nan=False, min_weight=None):
    """Multidimensional Gaussian filter, as ``scipy.ndimage.gaussian_filter``.

    Parameters
    ----------
    %(input)s
    sigma : scalar or sequence of scalars
        Standard deviation per filtered axis; axes with sigma <= 1e-15 are not filtered.
    order : int or sequence of int, optional
        Derivative order per filtered axis (0 smooths).
    %(output)s
    %(mode_multiple)s
    %(cval)s
    truncate : float, optional
        Half-width in standard deviations when `radius` is None. Default 4.0.
    radius : int or sequence of int, optional
        Half-width per filtered axis (overrides `truncate`).
    %(axes)s
    %(missing)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    A sequence of :func:`gaussian_filter1d` passes, one per filtered axis, in the order
    of `axes` (each pass reads the previous one's result, as in scipy.ndimage).  With
    missing data, one call of the whole separable kernel (one mode for every axis):
    normalized convolution does not split into normalized passes.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.arange(50, step=2).reshape((5, 5))
    >>> ndimage.gaussian_filter(a, sigma=1)
    array([[ 4,  6,  8,  9, 11],
           [10, 12, 14, 15, 17],
           [20, 22, 24, 25, 27],
           [29, 31, 33, 34, 36],
           [35, 37, 39, 40, 42]])
    >>> np.array_equal(_, scipy.ndimage.gaussian_filter(a, sigma=1))
    True
    """
    func = "gaussian_filter"
    x = A.array(input, "input", func)
    missing = missing_options(mask, nan_policy, preserve_nan, min_weight)
    out = A.output(missing_output(output, x, missing), x, func)
    steps = gaussian_passes(x.ndim, sigma, order, mode, truncate, radius, axes, func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    if missing is not None:
        return finish(passes_missing(x, steps, cval, missing, func), out)
    return finish(run_passes(x, steps, cval, out), out)


def gaussian_passes(ndim, sigma, order, mode, truncate, radius, axes, func):
    """The 1-D passes of a Gaussian filter (scipy.ndimage's argument rules)."""
    axes = A.axes(axes, ndim, func)
    n = len(axes)
    per_axis = zip(axes, A.sequence(sigma, n, "sigma", func),
                   A.sequence(order, n, "order", func), A.modes(mode, n, func),
                   A.sequence(radius, n, "radius", func))
    return [_gaussian(ax, s, o, m, truncate, r, func)
            for ax, s, o, m, r in per_axis if s > SIGMA_EPS]


def _gaussian(axis, sigma, order, boundary, truncate, radius, func):
    sd = float(sigma)
    if sd == 0:
        raise ValueError(f"{func}: sigma must not be 0; got {sigma!r}")
    if radius is None:
        radius = int(truncate * sd + 0.5)
    if not isinstance(radius, numbers.Integral) or isinstance(radius, bool) or radius < 0:
        raise ValueError(f"{func}: Radius must be a nonnegative integer (or None to use "
                         f"truncate); got {radius!r}")
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 0:
        raise ValueError(f"{func}: order must be non-negative integer; got {order!r}")
    weights = gaussian_kernel1d(abs(sd), order=int(order), radius=int(radius))
    return Pass(axis, weights, int(radius), boundary)
