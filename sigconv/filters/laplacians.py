"""Second-derivative filters: the Laplacian, the Laplacian of Gaussian and the
difference of Gaussians (its band-pass cousin), N-D, from named 1-D factors.

``laplace`` and ``difference_of_gaussians`` share scikit-image's names and positional
signatures, and their defaults give scikit-image's numbers (integer images rescaled as
its ``img_as_float``, unless ``preserve_range=True``); ``gaussian_laplace`` is
scipy.ndimage's.
"""

import numbers

import numpy as np

from .._validate import one_of
from ._common import (NORMALIZATIONS, apply_factors, boundary_args, eroded_mask,
                      float_image, masked, per_axis_positive, per_channel, positive,
                      spatial_shape)
from .gaussian import _kernel1d, gaussian

__all__ = ["laplace", "gaussian_laplace", "difference_of_gaussians"]

SECOND_DIFFERENCE = np.array([1.0, -2.0, 1.0])


def laplace(image, ksize=3, mask=None, *, mode=None, cval=0.0, normalize="skimage",
            boundary=None, preserve_range=False, channel_axis=None, workers=None):
    """Discrete Laplacian of an N-D image: the sum of second differences.

    Parameters
    ----------
    image : array_like
        Real N-D image; integer images are rescaled as scikit-image's ``img_as_float``
        unless ``preserve_range=True``.
    ksize : int
        Accepted for scikit-image's signature, which builds the 3-point operator on every
        axis whatever ``ksize`` is (so does this function).
    mask : array_like of bool, optional
        Where the result is kept (scikit-image's rule, see :func:`sobel`).
    mode, cval, boundary, preserve_range, channel_axis, workers
        As for :func:`sobel` (default boundary ``'reflect'``).
    normalize : {'skimage', 'none', 'unit'}
        'skimage' (default): ``-sum_k [1, -2, 1]`` (``2*ndim`` at the centre), as
        ``skimage.filters.laplace``; 'none' and 'unit': ``sum_k [1, -2, 1]`` along each
        axis (equals ``scipy.ndimage.laplace`` and ``cv2.Laplacian(ksize=1)``; per pixel
        squared).

    Returns
    -------
    ndarray

    Notes
    -----
    ``L = sum_k I (*) [1, -2, 1]_k``, the second difference along each axis (negated for
    ``'skimage'``).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import laplace
    >>> laplace(np.array([0., 0., 1., 0., 0.]))
    array([ 0., -1.,  2., -1.,  0.])
    >>> laplace(np.array([0., 0., 1., 0., 0.]), normalize='none')
    array([ 0.,  1., -2.,  1.,  0.])
    """
    func = "laplace"
    if isinstance(ksize, bool) or not isinstance(ksize, numbers.Integral) or ksize < 1:
        raise ValueError(f"{func}: ksize must be a positive integer; got {ksize!r}")
    img = float_image(image, func, preserve_range=preserve_range)
    one_of(normalize, NORMALIZATIONS, "normalize", func)
    boundary, cval = boundary_args(boundary, mode, cval, func)
    keep = eroded_mask(mask, spatial_shape(img.shape, channel_axis, func), func)

    def run(ch):
        total = sum(apply_factors(ch, [SECOND_DIFFERENCE if a == k else None
                                       for a in range(ch.ndim)], boundary, cval,
                                  workers=workers)
                    for k in range(ch.ndim))
        return masked(0.0 - total if normalize == "skimage" else total, keep)

    return per_channel(func, img, channel_axis, run)


def gaussian_laplace(image, sigma=1.0, *, truncate=4.0, mode=None, boundary=None, cval=0.0,
                     channel_axis=None, workers=None):
    """Laplacian of Gaussian: the sum of second Gaussian derivatives of an N-D image.

    Parameters
    ----------
    image : array_like
        Real N-D image (values used as given, as scipy.ndimage does).
    sigma : float or sequence of float
        Gaussian standard deviation per axis, > 0.
    truncate : float
        Kernel half-width in standard deviations.
    mode, boundary, cval, channel_axis, workers
        As for :func:`sobel` (default boundary ``'reflect'``, scipy.ndimage's).

    Returns
    -------
    ndarray
        Equals ``scipy.ndimage.gaussian_laplace`` (per pixel squared).

    Notes
    -----
    ``LoG = sum_k I (*) g''_k x prod_{j != k} g_j``, with the factors of
    :func:`gaussian_kernel1d` (order 2 on axis ``k``, order 0 elsewhere).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import gaussian_laplace
    >>> x = np.arange(7.0) ** 2                 # second derivative 2 everywhere
    >>> gaussian_laplace(x, 1.0, mode='nearest')[3].round(2)
    np.float64(2.0)
    """
    func = "gaussian_laplace"
    img = float_image(image, func)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    sigmas = per_axis_positive(sigma, nd, "sigma", func)
    t = positive(truncate, "truncate", func)
    boundary, cval = boundary_args(boundary, mode, cval, func)
    radii = [int(t * s + 0.5) for s in sigmas]

    def run(ch):
        total = 0
        for k in range(nd):
            factors = [_kernel1d(s, 2 if a == k else 0, r)
                       for a, (s, r) in enumerate(zip(sigmas, radii))]
            total = total + apply_factors(ch, factors, boundary, cval, workers=workers)
        return total

    return per_channel(func, img, channel_axis, run)


def difference_of_gaussians(image, low_sigma, high_sigma=None, *, mode=None, cval=0.0,
                            channel_axis=None, truncate=4.0, boundary=None,
                            preserve_range=False, workers=None):
    """Band-pass an N-D image: Gaussian(low_sigma) minus Gaussian(high_sigma).

    Parameters
    ----------
    image : array_like
        Real N-D image; integer images are rescaled as scikit-image's ``img_as_float``
        unless ``preserve_range=True``.
    low_sigma : float or sequence of float
        Standard deviation of the narrower Gaussian, > 0.
    high_sigma : float or sequence of float, optional
        Standard deviation of the wider Gaussian; default ``1.6 * low_sigma`` (as
        scikit-image). Must be >= ``low_sigma`` on every axis.
    mode, cval, channel_axis, truncate, boundary, preserve_range, workers
        As for :func:`gaussian`: default boundary ``'nearest'``, scikit-image's.

    Returns
    -------
    ndarray

    Notes
    -----
    ``DoG = I (*) G_{low} - I (*) G_{high}``; equals
    ``skimage.filters.difference_of_gaussians`` with the same arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import difference_of_gaussians
    >>> x = np.zeros(9); x[4] = 1.0
    >>> difference_of_gaussians(x, 1.0).round(3)
    array([-0.011, -0.039, -0.06 ,  0.037,  0.15 ,  0.037, -0.06 , -0.039,
           -0.011])
    """
    func = "difference_of_gaussians"
    img = float_image(image, func, preserve_range=preserve_range)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    low = per_axis_positive(low_sigma, nd, "low_sigma", func)
    high = (tuple(1.6 * s for s in low) if high_sigma is None
            else per_axis_positive(high_sigma, nd, "high_sigma", func))
    if any(h < lo for h, lo in zip(high, low)):
        raise ValueError(f"{func}: high_sigma must be >= low_sigma on every axis; got "
                         f"low_sigma={low_sigma!r}, high_sigma={high_sigma!r}")
    boundary, cval = boundary_args(boundary, mode, cval, func, default="nearest")
    opts = dict(truncate=truncate, boundary=boundary, cval=cval, channel_axis=channel_axis,
                workers=workers)
    return gaussian(img, low, **opts) - gaussian(img, high, **opts)
