"""Gaussian smoothing and Gaussian derivatives, built from 1-D factors.

The sampled kernel is scipy.ndimage's: ``radius = int(truncate * sigma + 0.5)``, the
samples of ``exp(-x**2 / (2 sigma**2))`` normalized to sum 1, and for derivatives the
analytic derivative of the continuous Gaussian times those samples.
"""

import numbers

import numpy as np

from .. import _missing
from .._convolve import correlate
from ._common import (apply_factors, axis_index, boundary_args, check_out, float_image, outer,
                      per_axis_positive, per_channel, positive)

__all__ = ["gaussian", "gaussian_kernel1d"]


def gaussian_kernel1d(sigma, *, order=0, radius=None, truncate=4.0):
    """The sampled 1-D Gaussian (``order=0``) or its ``order``-th derivative.

    Parameters
    ----------
    sigma : float
        Standard deviation in samples, > 0.
    order : int
        Derivative order (0 smooths, 1 differentiates, 2 gives the second derivative).
    radius : int, optional
        Half-width; default ``int(truncate * sigma + 0.5)``.
    truncate : float
        Half-width in standard deviations when ``radius`` is not given.

    Returns
    -------
    ndarray
        ``2 * radius + 1`` weights in correlation orientation: correlating a signal with
        them gives the smoothed signal or its derivative (scipy.ndimage's kernel).

    Notes
    -----
    With ``phi[x] = exp(-x**2 / (2 sigma**2)) / sum_x exp(-x**2 / (2 sigma**2))`` on
    ``x = -radius..radius``, the weights are ``w[x] = (d/dt)^order phi`` evaluated on the
    samples, i.e. ``q(x) phi[x]`` with ``q`` the polynomial of the Gaussian's derivative,
    and ``sum_x w[x] f[i + x]`` is the ``order``-th derivative of the smoothed ``f``.

    Examples
    --------
    >>> from sigconv.filters import gaussian_kernel1d
    >>> w = gaussian_kernel1d(1.0, order=1, radius=3)
    >>> int(round(float((w * [-3, -2, -1, 0, 1, 2, 3]).sum())))   # d/dx of a unit ramp
    1
    >>> gaussian_kernel1d(1.0, radius=1).round(3)
    array([0.274, 0.452, 0.274])
    """
    func = "gaussian_kernel1d"
    sigma = positive(sigma, "sigma", func)
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 0:
        raise ValueError(f"{func}: order must be an integer >= 0; got {order!r}")
    if radius is None:
        radius = int(positive(truncate, "truncate", func) * sigma + 0.5)
    elif isinstance(radius, bool) or not isinstance(radius, numbers.Integral) or radius < 0:
        raise ValueError(f"{func}: radius must be an integer >= 0; got {radius!r}")
    return _kernel1d(sigma, int(order), int(radius))


def _kernel1d(sigma, order, radius):
    """scipy.ndimage's ``_gaussian_kernel1d`` flipped to correlation orientation."""
    x = np.arange(-radius, radius + 1)
    sigma2 = sigma * sigma
    phi = np.exp(-0.5 / sigma2 * x ** 2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    powers = np.arange(order + 1)
    q = np.zeros(order + 1)
    q[0] = 1
    step = np.diag(powers[1:], 1) + np.diag(np.ones(order) / -sigma2, -1)
    for _ in range(order):
        q = step.dot(q)
    return ((x[:, None] ** powers).dot(q) * phi)[::-1]


def gaussian(image, sigma=1.0, *, mode=None, cval=0.0, preserve_range=False, truncate=4.0,
             channel_axis=None, out=None, order=0, radius=None, boundary=None,
             workers=None, mask=None, nan_policy="propagate", preserve_nan=False,
             min_weight=None):
    """Smooth an N-D image with a Gaussian (or take Gaussian derivatives).

    The signature is scikit-image's ``filters.gaussian`` (``mode``, ``cval``,
    ``preserve_range``, ``truncate``, ``channel_axis``, ``out``) with scipy.ndimage's
    ``order`` and ``radius``; the defaults give scikit-image's result.

    Parameters
    ----------
    image : array_like
        Real N-D image.
    sigma : float or sequence of float
        Standard deviation per axis, in pixels, >= 0 (0 leaves the axis alone).
    mode : str, optional
        scikit-image's and scipy.ndimage's name for ``boundary``; give one of the two.
    cval : float
        Fill value for ``boundary='constant'``.
    preserve_range : bool
        False (scikit-image's default): integer images are rescaled as its
        ``img_as_float`` (uint8 to [0, 1]); True: values kept (scipy.ndimage's numbers).
    truncate : float
        Kernel half-width in standard deviations: ``radius = int(truncate*sigma + 0.5)``.
    channel_axis : int, optional
        Axis of colour channels, filtered independently.
    out : ndarray, optional
        Array of the result's shape and dtype to write the result into (returned).
    order : int or sequence of int
        Derivative order per axis (0 = smoothing only), as ``scipy.ndimage``.
    radius : int or sequence of int, optional
        Explicit half-width per axis (overrides ``truncate``).
    boundary : str, optional
        Extension beyond the edges (scipy.ndimage names and their aliases); default
        ``'nearest'`` as in scikit-image (scipy.ndimage's ``gaussian_filter`` defaults to
        ``'reflect'``).
    workers : int, optional
        Threads for the convolution engine.
    mask, nan_policy, preserve_nan, min_weight : optional
        Missing data, as in :func:`sigconv.convolve` (``mask`` True = missing): masked
        and, with ``nan_policy='interpolate'``, non-finite pixels are interpolated by
        normalized convolution with the whole Gaussian (one call, not one pass per
        axis); ``'fill'`` replaces them by ``cval``.

    Returns
    -------
    ndarray
        Same shape; float32 for float32/float16 images, float64 otherwise.

    Notes
    -----
    ``out = I (*) g_{sigma_0} (*) ... (*) g_{sigma_{n-1}}``, one 1-D pass per axis with the
    factors of :func:`gaussian_kernel1d`; equals ``skimage.filters.gaussian`` with the
    same arguments, and ``scipy.ndimage.gaussian_filter`` with the same ``sigma``,
    ``order``, ``mode`` and ``truncate`` (and ``preserve_range=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import gaussian
    >>> gaussian(np.array([0., 0., 4., 0., 0.]), 1.0, radius=1).round(2)
    array([0.  , 1.1 , 1.81, 1.1 , 0.  ])
    >>> gaussian(np.array([0, 0, 255, 0, 0], np.uint8), 1.0, radius=1).round(3)
    array([0.   , 0.274, 0.452, 0.274, 0.   ])
    """
    func = "gaussian"
    img = float_image(image, func, preserve_range=preserve_range)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    sigmas = per_axis_positive(sigma, nd, "sigma", func, allow_zero=True)
    orders = _per_axis_int(order, nd, "order", func)
    if any(s == 0 and o for s, o in zip(sigmas, orders)):
        raise ValueError(f"{func}: a derivative (order > 0) needs sigma > 0 on its axis; "
                         f"got sigma={sigma!r}, order={order!r}")
    radii = _radii(radius, truncate, sigmas, nd, func)
    boundary, cval = boundary_args(boundary, mode, cval, func, default="nearest")
    check_out(out, img.shape, img.dtype, func)
    factors = [_kernel1d(s, o, r) if s > 0 else None
               for s, o, r in zip(sigmas, orders, radii)]
    if isinstance(image, np.ma.MaskedArray):        # its mask joins (True = missing)
        own = np.ma.getmaskarray(image)
        mask = own if mask is None else (np.asarray(mask) != 0) | own
    if nan_policy != "propagate" or _missing.requested(None, mask, nan_policy, preserve_nan,
                                                        min_weight, False):
        if channel_axis is not None:          # a kernel of size 1 along the channels
            factors.insert(axis_index(channel_axis, img.ndim, func), None)
        result = correlate(img, outer(factors), "same", boundary=boundary, fillvalue=cval,
                           center="ndimage", workers=workers, mask=mask,
                           nan_policy=nan_policy, preserve_nan=preserve_nan,
                           min_weight=min_weight)
    else:
        result = per_channel(func, img, channel_axis, lambda ch: apply_factors(
            ch, factors, boundary, cval, workers=workers))
    if out is None:
        return result
    out[...] = result
    return out


def _per_axis_int(value, ndim, name, func):
    items = (value,) * ndim if np.ndim(value) == 0 else tuple(value)
    if len(items) != ndim:
        raise ValueError(f"{func}: {name} needs one value per axis ({ndim}); got {value!r}")
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise ValueError(f"{func}: {name} must be integers >= 0; got {value!r}")
    return tuple(int(v) for v in items)


def _radii(radius, truncate, sigmas, ndim, func):
    if radius is None:
        t = positive(truncate, "truncate", func)
        return tuple(int(t * s + 0.5) for s in sigmas)
    return _per_axis_int(radius, ndim, "radius", func)
