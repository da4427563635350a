"""Edge operators, N-D wherever the operator is, from named 1-D factors.

A first-derivative operator along axis ``k`` is the outer product of a *derivative*
factor on axis ``k`` and a *smoothing* factor on every other axis (Sobel: ``[-1, 0, 1]``
and ``[1, 2, 1]``), applied one axis at a time through :func:`sigconv.correlate`.

``normalize`` chooses the scale, which differs between libraries:

* ``'none'`` -- the integer (or published) weights, as scipy.ndimage and OpenCV use them:
  Sobel gives 8 per unit ramp in 2-D (``2 * 4**(ndim-1)`` in N-D); the magnitude is
  ``sqrt(sum_k g_k**2)``.  ``sobel``, ``prewitt`` and ``laplace`` equal scipy.ndimage's.
* ``'skimage'`` -- scikit-image: smoothing factors divided by their sum, derivative
  ``[-1, 0, 1]`` (2 per unit ramp), magnitude ``sqrt(sum_k g_k**2 / ndim)``, and the
  Laplacian with the opposite sign (positive centre).
* ``'unit'`` -- the derivative per pixel: a unit ramp along ``k`` gives exactly 1, and the
  magnitude is the gradient norm.

Signs: every derivative is positive where the image increases along the axis, in all
three libraries and here.  Factors are applied one axis at a time (the derivative axis
first), as scipy.ndimage does; with ``boundary='constant'`` and ``cval != 0`` each pass
pads with ``cval`` (scipy.ndimage), where scikit-image pads the image once.  The Laplacian is ``sum_k d2/dx_k2`` (negative on a bright
spot) except with ``normalize='skimage'``.
"""

import numpy as np

from .._convolve import convolve
from .._validate import one_of
from ._common import (NORMALIZATIONS, apply_factors, axis_index, boundary_args, float_image,
                      per_axis_positive, per_channel, positive)
from .gaussian import _kernel1d

__all__ = ["sobel", "prewitt", "scharr", "farid", "roberts", "laplace", "gaussian_laplace",
           "difference_of_gaussians", "edge_factors"]

# Named 1-D factors (correlation orientation).
DIFFERENCE = np.array([-1.0, 0.0, 1.0])
SMOOTHING = {
    "sobel": np.array([1.0, 2.0, 1.0]),
    "prewitt": np.array([1.0, 1.0, 1.0]),
    "scharr": np.array([3.0, 10.0, 3.0]),
    # Farid & Simoncelli (2004), table 1, with the extra digits scikit-image uses.
    "farid": np.array([0.0376593171958126, 0.249153396177344, 0.426374573253687,
                       0.249153396177344, 0.0376593171958126]),
}
DERIVATIVE = {
    "sobel": DIFFERENCE, "prewitt": DIFFERENCE, "scharr": DIFFERENCE,
    "farid": np.array([-0.109603762960254, -0.276690988455557, 0.0,
                       0.276690988455557, 0.109603762960254]),
}
SECOND_DIFFERENCE = np.array([1.0, -2.0, 1.0])
ROBERTS = (np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([[0.0, 1.0], [-1.0, 0.0]]))


def edge_factors(operator, normalize="none"):
    """The (smoothing, derivative) 1-D factors of a first-derivative operator.

    Parameters
    ----------
    operator : {'sobel', 'prewitt', 'scharr', 'farid'}
    normalize : {'none', 'skimage', 'unit'}

    Returns
    -------
    smoothing, derivative : ndarray
        Correlation-orientation weights; the kernel along axis ``k`` is ``derivative`` on
        axis ``k`` times ``smoothing`` on every other axis.

    Notes
    -----
    ``'none'``: the weights as published; ``'skimage'``: smoothing divided by its sum;
    ``'unit'``: smoothing divided by its sum and derivative by ``sum_j j * d[j]`` (its
    response to a unit ramp), so a unit ramp gives 1.

    Examples
    --------
    >>> from sigconv.filters import edge_factors
    >>> edge_factors('sobel')
    (array([1., 2., 1.]), array([-1.,  0.,  1.]))
    >>> edge_factors('sobel', 'unit')
    (array([0.25, 0.5 , 0.25]), array([-0.5,  0. ,  0.5]))
    """
    func = "edge_factors"
    one_of(operator, tuple(SMOOTHING), "operator", func)
    one_of(normalize, NORMALIZATIONS, "normalize", func)
    smooth, deriv = SMOOTHING[operator], DERIVATIVE[operator]
    if normalize == "none":
        return smooth.copy(), deriv.copy()
    smooth = smooth / smooth.sum()
    if normalize == "unit":
        taps = np.arange(deriv.size) - deriv.size // 2
        deriv = deriv / np.dot(taps, deriv)
    return smooth, deriv.copy()


def _gradient_filter(operator, image, axis, normalize, boundary, cval, channel_axis,
                     workers):
    img = float_image(image, operator)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    axis = axis_index(axis, nd, operator)
    one_of(normalize, NORMALIZATIONS, "normalize", operator)
    smooth, deriv = edge_factors(operator, normalize)
    boundary, cval = boundary_args(boundary, cval, operator)

    def derivative(ch, k):
        factors = [deriv if a == k else smooth for a in range(ch.ndim)]
        return apply_factors(ch, factors, boundary, cval, first=k, workers=workers)

    def run(ch):
        if axis is not None:
            return derivative(ch, axis)
        total = sum(derivative(ch, k) ** 2 for k in range(ch.ndim))
        if normalize == "skimage":
            total = total / ch.ndim
        return np.sqrt(total)

    return per_channel(operator, img, channel_axis, run)


_GRADIENT_DOC = """{summary}

    Parameters
    ----------
    image : array_like
        Real N-D image (integers are filtered as float64, values not rescaled).
    axis : int, optional
        Derivative along this axis; ``None`` (default) gives the gradient magnitude.
    normalize : {{'none', 'skimage', 'unit'}}
        Scale convention (module docstring): {none}
    boundary : str
        Extension beyond the edges (scipy.ndimage names), default ``'reflect'``.
    cval : float
        Fill value for ``boundary='constant'``.
    channel_axis : int, optional
        Axis of colour channels, filtered independently.
    workers : int, optional
        Threads for the convolution engine.

    Returns
    -------
    ndarray
        Same shape as ``image``; float32 for float32 images, float64 otherwise.

    Notes
    -----
    ``g_k = I (*) (d on axis k) x (s on every other axis)`` with the factors of
    ``edge_factors({name!r}, normalize)`` in correlation orientation: ``{factors}``.
    The magnitude is ``sqrt(sum_k g_k**2)`` (divided by ``ndim`` under the root for
    ``'skimage'``).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import {name}
    >>> ramp = np.tile(np.arange(9.0), (9, 1))           # increases along axis 1
    >>> {name}(ramp, axis=1)[4, 3:6]
    {example}
    >>> {name}(ramp, axis=1, normalize='unit')[4, 3:6]
    array([1., 1., 1.])
"""


def sobel(image, *, axis=None, normalize="none", boundary="reflect", cval=0.0,
          channel_axis=None, workers=None):
    return _gradient_filter("sobel", image, axis, normalize, boundary, cval, channel_axis,
                            workers)


def prewitt(image, *, axis=None, normalize="none", boundary="reflect", cval=0.0,
            channel_axis=None, workers=None):
    return _gradient_filter("prewitt", image, axis, normalize, boundary, cval, channel_axis,
                            workers)


def scharr(image, *, axis=None, normalize="none", boundary="reflect", cval=0.0,
           channel_axis=None, workers=None):
    return _gradient_filter("scharr", image, axis, normalize, boundary, cval, channel_axis,
                            workers)


def farid(image, *, axis=None, normalize="none", boundary="reflect", cval=0.0,
          channel_axis=None, workers=None):
    return _gradient_filter("farid", image, axis, normalize, boundary, cval, channel_axis,
                            workers)


sobel.__doc__ = _GRADIENT_DOC.format(
    summary="Sobel derivative or gradient magnitude of an N-D image.", name="sobel",
    none="equals ``scipy.ndimage.sobel`` and OpenCV's ``cv2.Sobel(ksize=3)``.",
    factors="s = [1, 2, 1], d = [-1, 0, 1]", example="array([8., 8., 8.])")
prewitt.__doc__ = _GRADIENT_DOC.format(
    summary="Prewitt derivative or gradient magnitude of an N-D image.", name="prewitt",
    none="equals ``scipy.ndimage.prewitt``.",
    factors="s = [1, 1, 1], d = [-1, 0, 1]", example="array([6., 6., 6.])")
scharr.__doc__ = _GRADIENT_DOC.format(
    summary="Scharr derivative or gradient magnitude of an N-D image.", name="scharr",
    none="equals OpenCV's ``cv2.Scharr`` (scipy.ndimage has no Scharr).",
    factors="s = [3, 10, 3], d = [-1, 0, 1]", example="array([32., 32., 32.])")
farid.__doc__ = _GRADIENT_DOC.format(
    summary="Farid-Simoncelli derivative or gradient magnitude of an N-D image.",
    name="farid", none="the published 5-tap weights (as scikit-image uses them).",
    factors="s = [0.0377, 0.2492, 0.4264, 0.2492, 0.0377], "
            "d = [-0.1096, -0.2767, 0, 0.2767, 0.1096]",
    example="array([0.9918, 0.9918, 0.9918])")


def roberts(image, *, axis=None, normalize="none", boundary="reflect", cval=0.0,
            channel_axis=None, workers=None):
    """Roberts' cross: diagonal differences of a 2-D image, or their magnitude.

    Parameters
    ----------
    image : array_like
        Real 2-D image (a colour image needs ``channel_axis``).
    axis : {0, 1, None}
        0 = the positive diagonal ``[[1, 0], [0, -1]]``, 1 = the negative diagonal
        ``[[0, 1], [-1, 0]]`` (scikit-image's ``roberts_pos_diag``/``roberts_neg_diag``),
        None = the magnitude.
    normalize : {'none', 'skimage', 'unit'}
        'none': the raw differences, magnitude ``sqrt(p**2 + n**2)``; 'skimage': the
        magnitude divided by ``sqrt(2)`` (scikit-image's ``roberts``); 'unit': each
        difference divided by the diagonal step ``sqrt(2)`` (derivative per pixel).
    boundary, cval, channel_axis, workers
        As for :func:`sobel`.

    Returns
    -------
    ndarray

    Notes
    -----
    ``p = I (*) [[1, 0], [0, -1]]`` and ``n = I (*) [[0, 1], [-1, 0]]`` (convolution with
    scipy.ndimage's centring of even kernels, as scikit-image computes them).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import roberts
    >>> img = np.tile(np.arange(4.0), (4, 1))
    >>> roberts(img, axis=0)[1:, 1:]
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    func = "roberts"
    img = float_image(image, func, ndim=2 if channel_axis is None else 3)
    axis = axis_index(axis, 2, func)
    one_of(normalize, NORMALIZATIONS, "normalize", func)
    boundary, cval = boundary_args(boundary, cval, func)
    scale = 1 / np.sqrt(2) if normalize == "unit" else 1.0

    def diag(ch, k):
        return convolve(ch, ROBERTS[k].astype(ch.dtype), "same", boundary=boundary,
                        fillvalue=cval, center="ndimage", workers=workers) * ch.dtype.type(scale)

    def run(ch):
        if axis is not None:
            return diag(ch, axis)
        mag = np.sqrt(diag(ch, 0) ** 2 + diag(ch, 1) ** 2)
        return mag / ch.dtype.type(np.sqrt(2)) if normalize == "skimage" else mag

    return per_channel(func, img, channel_axis, run)


def laplace(image, *, normalize="none", boundary="reflect", cval=0.0, channel_axis=None,
            workers=None):
    """Discrete Laplacian of an N-D image: the sum of second differences.

    Parameters
    ----------
    image : array_like
        Real N-D image.
    normalize : {'none', 'skimage', 'unit'}
        'none' and 'unit': ``sum_k [1, -2, 1]`` along each axis (equals
        ``scipy.ndimage.laplace`` and ``cv2.Laplacian(ksize=1)``; per pixel squared);
        'skimage': the negative (``2*ndim`` at the centre), as ``skimage.filters.laplace``.
    boundary, cval, channel_axis, workers
        As for :func:`sobel`.

    Returns
    -------
    ndarray

    Notes
    -----
    ``L = sum_k I (*) [1, -2, 1]_k``, the second difference along each axis.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import laplace
    >>> laplace(np.array([0., 0., 1., 0., 0.]))
    array([ 0.,  1., -2.,  1.,  0.])
    """
    func = "laplace"
    img = float_image(image, func)
    one_of(normalize, NORMALIZATIONS, "normalize", func)
    boundary, cval = boundary_args(boundary, cval, func)
    sign = -1.0 if normalize == "skimage" else 1.0

    def run(ch):
        terms = (apply_factors(ch, [SECOND_DIFFERENCE if a == k else None
                                    for a in range(ch.ndim)], boundary, cval, workers=workers)
                 for k in range(ch.ndim))
        total = sum(terms)
        return -total if sign < 0 else total

    return per_channel(func, img, channel_axis, run)


def gaussian_laplace(image, sigma=1.0, *, truncate=4.0, boundary="reflect", cval=0.0,
                     channel_axis=None, workers=None):
    """Laplacian of Gaussian: the sum of second Gaussian derivatives of an N-D image.

    Parameters
    ----------
    image : array_like
        Real N-D image.
    sigma : float or sequence of float
        Gaussian standard deviation per axis, > 0.
    truncate : float
        Kernel half-width in standard deviations.
    boundary, cval, channel_axis, workers
        As for :func:`sobel`.

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
    >>> gaussian_laplace(x, 1.0, boundary='nearest')[3].round(2)
    np.float64(2.0)
    """
    func = "gaussian_laplace"
    img = float_image(image, func)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    sigmas = per_axis_positive(sigma, nd, "sigma", func)
    t = positive(truncate, "truncate", func)
    boundary, cval = boundary_args(boundary, cval, func)
    radii = [int(t * s + 0.5) for s in sigmas]

    def run(ch):
        total = 0
        for k in range(nd):
            factors = [_kernel1d(s, 2 if a == k else 0, r)
                       for a, (s, r) in enumerate(zip(sigmas, radii))]
            total = total + apply_factors(ch, factors, boundary, cval, workers=workers)
        return total

    return per_channel(func, img, channel_axis, run)


def difference_of_gaussians(image, low_sigma, high_sigma=None, *, truncate=4.0,
                            boundary="reflect", cval=0.0, channel_axis=None, workers=None):
    """Band-pass an N-D image: Gaussian(low_sigma) minus Gaussian(high_sigma).

    Parameters
    ----------
    image : array_like
        Real N-D image.
    low_sigma : float or sequence of float
        Standard deviation of the narrower Gaussian, > 0.
    high_sigma : float or sequence of float, optional
        Standard deviation of the wider Gaussian; default ``1.6 * low_sigma`` (as
        scikit-image). Must be >= ``low_sigma`` on every axis.
    truncate, boundary, cval, channel_axis, workers
        As for :func:`gaussian` (scikit-image's default boundary is ``'nearest'``).

    Returns
    -------
    ndarray

    Notes
    -----
    ``DoG = I (*) G_{low} - I (*) G_{high}``; equals
    ``skimage.filters.difference_of_gaussians`` with ``mode=boundary``.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import difference_of_gaussians
    >>> x = np.zeros(9); x[4] = 1.0
    >>> difference_of_gaussians(x, 1.0).round(3)
    array([-0.013, -0.039, -0.06 ,  0.037,  0.15 ,  0.037, -0.06 , -0.039,
           -0.013])
    """
    from .gaussian import gaussian
    func = "difference_of_gaussians"
    img = float_image(image, func)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    low = per_axis_positive(low_sigma, nd, "low_sigma", func)
    high = (tuple(1.6 * s for s in low) if high_sigma is None
            else per_axis_positive(high_sigma, nd, "high_sigma", func))
    if any(h < lo for h, lo in zip(high, low)):
        raise ValueError(f"{func}: high_sigma must be >= low_sigma on every axis; got "
                         f"low_sigma={low_sigma!r}, high_sigma={high_sigma!r}")
    opts = dict(truncate=truncate, boundary=boundary, cval=cval, channel_axis=channel_axis,
                workers=workers)
    return gaussian(img, low, **opts) - gaussian(img, high, **opts)

