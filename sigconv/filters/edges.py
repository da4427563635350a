"""First-derivative edge operators, N-D wherever the operator is, from named 1-D factors.

A first-derivative operator along axis ``k`` is the outer product of a *derivative*
factor on axis ``k`` and a *smoothing* factor on every other axis (Sobel: ``[-1, 0, 1]``
and ``[1, 2, 1]``), applied one axis at a time through :func:`sigconv.correlate`.

The functions share scikit-image's names and positional signatures
(``sobel(image, mask=None, *, axis=None, mode='reflect', cval=0.0)``), and their defaults
give scikit-image's numbers.  ``normalize`` chooses the scale, which differs between
libraries:

* ``'skimage'`` (default) -- scikit-image: smoothing factors divided by their sum,
  derivative ``[-1, 0, 1]`` (2 per unit ramp); over several axes (``axis=None`` on a
  2-D or larger image, or a sequence of axes) the magnitude
  ``sqrt(sum_k g_k**2) / sqrt(ndim)``; with one axis the signed derivative (so a 1-D
  image gives the signed derivative, as in scikit-image).
* ``'none'`` -- the integer (or published) weights, as scipy.ndimage and OpenCV use them:
  Sobel gives 8 per unit ramp in 2-D (``2 * 4**(ndim-1)`` in N-D); ``axis=None`` gives the
  norm ``sqrt(sum_k g_k**2)``.  With ``preserve_range=True`` for integer images,
  ``sobel`` and ``prewitt`` equal scipy.ndimage's.
* ``'unit'`` -- the derivative per pixel: a unit ramp along ``k`` gives exactly 1, and
  ``axis=None`` gives the gradient norm.

Integer images are rescaled to [0, 1] (unsigned) or [-1, 1] (signed) as scikit-image's
``img_as_float`` does, unless ``preserve_range=True``.  Signs: every derivative is
positive where the image increases along the axis, in all three libraries and here.
Factors are applied one axis at a time (the derivative axis first), as scipy.ndimage
does; with ``boundary='constant'`` and ``cval != 0`` each pass pads with ``cval``
(scipy.ndimage), where scikit-image pads the image once.
"""

import numbers

import numpy as np

from .._convolve import convolve
from .._validate import one_of
from ._common import (NORMALIZATIONS, apply_factors, axis_index, boundary_args, eroded_mask,
                      float_image, masked, per_channel, spatial_shape)

__all__ = ["sobel", "prewitt", "scharr", "farid", "roberts", "edge_factors"]

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


def _axes(axis, ndim, func):
    """``axis`` (None, an int or a sequence of ints) as a tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return (axis_index(axis, ndim, func),)
    try:
        items = tuple(axis)
    except TypeError:
        raise TypeError(f"{func}: axis must be None, an int or a sequence of ints; got "
                        f"{axis!r}") from None
    return tuple(axis_index(a, ndim, func) for a in items)


def _gradient_filter(operator, image, mask, axis, mode, cval, normalize, boundary,
                     preserve_range, channel_axis, workers):
    img = float_image(image, operator, preserve_range=preserve_range)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    one_of(normalize, NORMALIZATIONS, "normalize", operator)
    axes = _axes(axis, nd, operator)
    magnitude = len(axes) > 1 if normalize == "skimage" else not isinstance(
        axis, numbers.Integral)
    smooth, deriv = edge_factors(operator, normalize)
    boundary, cval = boundary_args(boundary, mode, cval, operator)
    keep = eroded_mask(mask, spatial_shape(img.shape, channel_axis, operator), operator)

    def derivative(ch, k):
        factors = [deriv if a == k else smooth for a in range(ch.ndim)]
        return apply_factors(ch, factors, boundary, cval, first=k, workers=workers)

    def run(ch):
        if not magnitude:
            return masked(derivative(ch, axes[0]), keep)
        norm = np.sqrt(sum(derivative(ch, k) ** 2 for k in axes))
        if normalize == "skimage":
            norm = norm / np.sqrt(ch.ndim, dtype=norm.dtype)
        return masked(norm, keep)

    return per_channel(operator, img, channel_axis, run)


_GRADIENT_DOC = """{summary}

    Parameters
    ----------
    image : array_like
        Real N-D image; integer images are rescaled as scikit-image's ``img_as_float``
        unless ``preserve_range=True``.
    mask : array_like of bool, optional
        Where the result is kept: 0 outside ``mask`` eroded by one pixel (scikit-image's
        rule); the image's spatial shape.
    axis : int or sequence of int, optional
        Derivative along this axis; ``None`` (default) or several axes give the gradient
        magnitude (module docstring).
    mode : str, optional
        scikit-image's and scipy.ndimage's name for ``boundary``; give one of the two.
    cval : float
        Fill value for ``boundary='constant'``.
    normalize : {{'skimage', 'none', 'unit'}}
        Scale convention (module docstring); 'none': {none}
    boundary : str, optional
        Extension beyond the edges (scipy.ndimage names and their aliases), default
        ``'reflect'`` (scikit-image's and scipy.ndimage's).
    preserve_range : bool
        Keep integer values as they are (scipy.ndimage's numbers) instead of rescaling.
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
    ``edge_factors({name!r}, normalize)`` in correlation orientation: ``{factors}``
    (``'none'``; ``'skimage'`` divides ``s`` by its sum).  The magnitude is
    ``sqrt(sum_k g_k**2)``, divided by ``sqrt(ndim)`` for ``'skimage'``.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import {name}
    >>> ramp = np.tile(np.arange(9.0), (9, 1))           # increases along axis 1
    >>> {name}(ramp, axis=1)[4, 3:6]
    {example_skimage}
    >>> {name}(ramp, axis=1, normalize='none')[4, 3:6]
    {example}
    >>> {name}(ramp, axis=1, normalize='unit')[4, 3:6]
    array([1., 1., 1.])
"""


def sobel(image, mask=None, *, axis=None, mode=None, cval=0.0, normalize="skimage",
          boundary=None, preserve_range=False, channel_axis=None, workers=None):
    return _gradient_filter("sobel", image, mask, axis, mode, cval, normalize, boundary,
                            preserve_range, channel_axis, workers)


def prewitt(image, mask=None, *, axis=None, mode=None, cval=0.0, normalize="skimage",
            boundary=None, preserve_range=False, channel_axis=None, workers=None):
    return _gradient_filter("prewitt", image, mask, axis, mode, cval, normalize, boundary,
                            preserve_range, channel_axis, workers)


def scharr(image, mask=None, *, axis=None, mode=None, cval=0.0, normalize="skimage",
           boundary=None, preserve_range=False, channel_axis=None, workers=None):
    return _gradient_filter("scharr", image, mask, axis, mode, cval, normalize, boundary,
                            preserve_range, channel_axis, workers)


def farid(image, mask=None, *, axis=None, mode=None, cval=0.0, normalize="skimage",
          boundary=None, preserve_range=False, channel_axis=None, workers=None):
    return _gradient_filter("farid", image, mask, axis, mode, cval, normalize, boundary,
                            preserve_range, channel_axis, workers)


sobel.__doc__ = _GRADIENT_DOC.format(
    summary="Sobel derivative or gradient magnitude of an N-D image.", name="sobel",
    none="equals ``scipy.ndimage.sobel`` and OpenCV's ``cv2.Sobel(ksize=3)``.",
    factors="s = [1, 2, 1], d = [-1, 0, 1]", example="array([8., 8., 8.])",
    example_skimage="array([2., 2., 2.])")
prewitt.__doc__ = _GRADIENT_DOC.format(
    summary="Prewitt derivative or gradient magnitude of an N-D image.", name="prewitt",
    none="equals ``scipy.ndimage.prewitt``.",
    factors="s = [1, 1, 1], d = [-1, 0, 1]", example="array([6., 6., 6.])",
    example_skimage="array([2., 2., 2.])")
scharr.__doc__ = _GRADIENT_DOC.format(
    summary="Scharr derivative or gradient magnitude of an N-D image.", name="scharr",
    none="equals OpenCV's ``cv2.Scharr`` (scipy.ndimage has no Scharr).",
    factors="s = [3, 10, 3], d = [-1, 0, 1]", example="array([32., 32., 32.])",
    example_skimage="array([2., 2., 2.])")
farid.__doc__ = _GRADIENT_DOC.format(
    summary="Farid-Simoncelli derivative or gradient magnitude of an N-D image.",
    name="farid", none="the published 5-tap weights (as scikit-image uses them).",
    factors="s = [0.0377, 0.2492, 0.4264, 0.2492, 0.0377], "
            "d = [-0.1096, -0.2767, 0, 0.2767, 0.1096]",
    example="array([0.9918, 0.9918, 0.9918])",
    example_skimage="array([0.9918, 0.9918, 0.9918])")


def roberts(image, mask=None, *, axis=None, mode=None, cval=0.0, normalize="skimage",
            boundary=None, preserve_range=False, channel_axis=None, workers=None):
    """Roberts' cross: diagonal differences of a 2-D image, or their magnitude.

    Parameters
    ----------
    image : array_like
        Real 2-D image (a colour image needs ``channel_axis``).
    mask : array_like of bool, optional
        As for :func:`sobel`.
    axis : {0, 1, None}
        0 = the positive diagonal ``[[1, 0], [0, -1]]``, 1 = the negative diagonal
        ``[[0, 1], [-1, 0]]`` (scikit-image's ``roberts_pos_diag``/``roberts_neg_diag``),
        None = the magnitude.
    mode, cval, boundary, preserve_range, channel_axis, workers
        As for :func:`sobel`.
    normalize : {'skimage', 'none', 'unit'}
        'skimage' (default): the magnitude ``sqrt(p**2 + n**2) / sqrt(2)`` (scikit-image's
        ``roberts``); 'none': the raw differences, magnitude ``sqrt(p**2 + n**2)``;
        'unit': each difference divided by the diagonal step ``sqrt(2)`` (derivative per
        pixel).

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
    img = float_image(image, func, ndim=2 if channel_axis is None else 3,
                      preserve_range=preserve_range)
    axis = axis_index(axis, 2, func)
    one_of(normalize, NORMALIZATIONS, "normalize", func)
    boundary, cval = boundary_args(boundary, mode, cval, func)
    keep = eroded_mask(mask, spatial_shape(img.shape, channel_axis, func), func)
    scale = 1 / np.sqrt(2) if normalize == "unit" else 1.0

    def diag(ch, k):
        return convolve(ch, ROBERTS[k].astype(ch.dtype), "same", boundary=boundary,
                        fillvalue=cval, center="ndimage", workers=workers) * ch.dtype.type(scale)

    def run(ch):
        if axis is not None:
            return masked(diag(ch, axis), keep)
        mag = np.sqrt(diag(ch, 0) ** 2 + diag(ch, 1) ** 2)
        return masked(mag / ch.dtype.type(np.sqrt(2)) if normalize == "skimage" else mag,
                      keep)

    return per_channel(func, img, channel_axis, run)
