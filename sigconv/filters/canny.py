"""Canny edge detection in any number of dimensions."""

import numpy as np
from scipy import ndimage as ndi

from .._errors import ShapeError
from .._validate import one_of
from ._common import axis_index, boundary_args, float_image, per_axis_positive
from .edges import sobel
from .gaussian import gaussian

__all__ = ["canny", "GRADIENTS"]

GRADIENTS = ("sobel", "gaussian")


def canny(image, sigma=1.0, low_threshold=None, high_threshold=None, mask=None,
          use_quantiles=False, *, mode=None, cval=0.0, gradient="sobel", boundary=None,
          channel_axis=None, workers=None):
    """Canny edges of an N-D image: thin ridges of the smoothed gradient magnitude.

    The signature is ``skimage.feature.canny``'s, and in 2-D the defaults give its edges;
    ``gradient='gaussian'`` is sigconv's derivative-of-Gaussian scheme (thresholds per
    pixel, ``'reflect'`` boundary).

    Parameters
    ----------
    image : array_like
        Real N-D image (1-D signals, 2-D images, 3-D volumes, ...). Values are used as
        given (integer images are not rescaled to [0, 1] as scikit-image does).
    sigma : float or sequence of float
        Gaussian standard deviation per axis, > 0.
    low_threshold, high_threshold : float, optional
        Hysteresis thresholds on the gradient magnitude, in the units of ``gradient``
        (quantiles in [0, 1] with ``use_quantiles``).  Defaults: scikit-image's 0.1 and
        0.2 of the dtype maximum (1 for floats) in Sobel units, i.e. divided by the Sobel
        gain ``2 * 4**(ndim - 1)`` (8 in 2-D) for ``gradient='gaussian'``.
    mask : array_like of bool, optional
        Where edges may be found; pixels outside do not enter the smoothing.
    use_quantiles : bool
        Read the thresholds as quantiles of the gradient magnitude.
    mode : str, optional
        scikit-image's name for ``boundary``; give one of the two.
    cval : float
        Fill value for ``boundary='constant'``.
    gradient : {'sobel', 'gaussian'}
        'sobel' (default): scikit-image's scheme step for step -- Gaussian smoothing
        (normalized by the smoothed mask, or by the smoothed ones with
        ``boundary='constant'``: its bleed-over correction), then scipy.ndimage's Sobel
        (8 per unit ramp in 2-D) extended by ``'reflect'`` whatever ``boundary`` is.
        'gaussian': derivatives of the Gaussian (per pixel), extended by ``boundary``.
    boundary : str, optional
        Extension beyond the edges of the smoothing (scipy.ndimage names).  Default
        ``'constant'`` for ``gradient='sobel'`` (scikit-image's) and ``'reflect'`` for
        ``gradient='gaussian'``.
    channel_axis : int, optional
        Axis of colour channels: edges of each channel, separately (otherwise every axis
        is spatial, so an ``(H, W, 3)`` array is a 3-D volume).
    workers : int, optional
        Threads for the convolution engine.

    Returns
    -------
    ndarray of bool
        The edge map; the outermost layer of the array is never an edge.

    Notes
    -----
    1. ``g_k = d/dx_k (G_sigma * I)`` (or the Sobel derivative of ``G_sigma * I``);
       ``m = |g|``.  With a mask ``M`` (and for ``gradient='sobel'`` with
       ``boundary='constant'``, ``M = 1``), ``G * I`` is replaced by the normalized
       convolution ``G*(I M) / G*M`` and its derivative by the quotient rule.
    2. Non-maximum suppression along the gradient direction, in any ndim: a pixel ``p``
       stays if ``m(p) >= low`` and ``m(p) >= m(p +- g/max_k|g_k|)``, ``m`` at those
       points by multilinear interpolation (the point lies on a face of the ``3^n``
       neighbourhood; in 2-D this is scikit-image's bilinear scheme).  The comparison
       allows ``64 eps max(m)`` of rounding (``eps`` of the image's float type): a tie
       up to rounding counts as a tie, so that the edges do not depend on which method
       computed each filter pass (a cube's faces had lost a voxel to a 1e-16 difference).
    3. Hysteresis: connected components (full ``3^n`` connectivity, ``ndimage.label``)
       of the surviving pixels that contain a pixel with ``m >= high``.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import canny
    >>> img = np.zeros((7, 9)); img[:, 4] = 0.5; img[:, 5:] = 1.0
    >>> canny(img, 1.0).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    func = "canny"
    dtype_max = _dtype_max(image)
    img = float_image(image, func)
    nd = img.ndim if channel_axis is None else img.ndim - 1
    sigmas = per_axis_positive(sigma, nd, "sigma", func)
    one_of(gradient, GRADIENTS, "gradient", func)
    boundary, cval = boundary_args(boundary, mode, cval, func,
                                   default="constant" if gradient == "sobel" else "reflect")
    region = _mask(mask, img.shape, func)
    gain = 1.0 if gradient == "sobel" else 2.0 * 4.0 ** (nd - 1)
    low, high = _thresholds(low_threshold, high_threshold, use_quantiles, dtype_max, gain,
                            func)
    if channel_axis is not None:
        ax = axis_index(channel_axis, img.ndim, func)
        masks = [None] * img.shape[ax] if region is None else np.moveaxis(region, ax, 0)
        edges = [_canny(ch, m, sigmas, low, high, use_quantiles, gradient, boundary, cval,
                        workers) for ch, m in zip(np.moveaxis(img, ax, 0), masks)]
        return np.moveaxis(np.stack(edges), 0, ax)
    return _canny(img, region, sigmas, low, high, use_quantiles, gradient, boundary, cval,
                  workers)


def _canny(img, region, sigmas, low, high, use_quantiles, gradient, boundary, cval,
           workers):
    """Gradient, non-maximum suppression and hysteresis of one validated image."""
    grads = _gradient(img, sigmas, region, gradient, boundary, cval, workers)
    magnitude = np.sqrt(sum(g * g for g in grads))
    if use_quantiles:
        low, high = np.percentile(magnitude, [100.0 * low, 100.0 * high])
    inside = _interior(region, img.shape)
    thin = _suppress(magnitude, grads, inside & (magnitude >= low) & (magnitude > 0))
    return _hysteresis(thin, thin & (magnitude >= high))


def _dtype_max(image):
    dt = np.asarray(image).dtype
    return float(np.iinfo(dt).max) if dt.kind in "iu" else 1.0


def _thresholds(low, high, use_quantiles, dtype_max, gain, func):
    if use_quantiles:
        low = 0.1 if low is None else float(low)
        high = 0.2 if high is None else float(high)
        for name, v in (("low_threshold", low), ("high_threshold", high)):
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{func}: {name} must be a quantile in [0, 1]; got {v:g}")
    else:
        low = 0.1 * dtype_max / gain if low is None else float(low)
        high = 0.2 * dtype_max / gain if high is None else float(high)
    if high < low:
        raise ValueError(f"{func}: low_threshold must be <= high_threshold; got "
                         f"{low:g} > {high:g}")
    return low, high


def _mask(mask, shape, func):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != shape:
        raise ShapeError(f"{func}: mask must have the image's shape {shape}; got {m.shape}")
    return m.astype(bool)


def _gradient(img, sigmas, region, gradient, boundary, cval, workers):
    """One array per axis: the derivative of the (mask-normalized) smoothed image."""
    nd = img.ndim
    opts = dict(boundary=boundary, cval=cval, preserve_range=True, workers=workers)
    if gradient == "sobel" and region is None and boundary == "constant":
        region = np.ones(img.shape, dtype=bool)           # scikit-image's bleed-over
    unit = lambda k: [int(a == k) for a in range(nd)]
    if region is None:
        if gradient == "sobel":
            smooth = gaussian(img, sigmas, **opts)
            return [sobel(smooth, axis=k, normalize="none", boundary="reflect",
                          workers=workers) for k in range(nd)]
        return [gaussian(img, sigmas, order=unit(k), **opts) for k in range(nd)]
    m = region.astype(img.dtype)
    a, b = gaussian(img * m, sigmas, **opts), gaussian(m, sigmas, **opts)
    # Where the exact G*M is 0, a transform method leaves rounding noise (~1e-17) that
    # the division would blow up; there the normalized value is 0, as in exact sums.
    support = b > 64 * np.finfo(img.dtype).eps
    b = b + np.finfo(img.dtype).eps
    if gradient == "sobel":
        smooth = np.divide(a, b, out=np.zeros_like(a), where=support)
        return [sobel(smooth, axis=k, normalize="none", boundary="reflect", workers=workers)
                for k in range(nd)]
    return [np.divide(gaussian(img * m, sigmas, order=unit(k), **opts) * b
                      - a * gaussian(m, sigmas, order=unit(k), **opts), b * b,
                      out=np.zeros_like(a), where=support)
            for k in range(nd)]


def _interior(region, shape):
    """Pixels whose whole 3^n neighbourhood lies in the image (and in the mask)."""
    inside = np.zeros(shape, dtype=bool)
    inside[tuple(slice(1, -1) for _ in shape)] = True
    if region is not None:
        structure = np.ones((3,) * len(shape), dtype=bool)
        inside &= ndi.binary_erosion(region, structure, border_value=0)
    return inside


def _suppress(magnitude, grads, candidates):
    """Keep the candidates whose magnitude is a maximum along the gradient direction.

    Points are grouped by their dominant gradient axis ``d``: there the step is exactly
    ``+-1``, so the interpolation runs over the ``2^(n-1)`` corners of the other axes.
    """
    values = magnitude.ravel()
    flat = np.flatnonzero(candidates)
    slack = 64 * np.finfo(values.dtype).eps * (values.max() if values.size else 0.0)
    g = [gk.ravel()[flat] for gk in grads]
    dominant = _dominant_axis(g)
    strides = [int(np.prod(magnitude.shape[i + 1:])) for i in range(magnitude.ndim)]
    keep = np.zeros(magnitude.size, dtype=bool)
    for d in range(magnitude.ndim):
        sel = np.flatnonzero(dominant == d)
        at, gd = flat[sel], g[d][sel]
        others = [k for k in range(magnitude.ndim) if k != d]
        step = np.array([g[k][sel] / np.abs(gd) for k in others]).reshape(len(others),
                                                                          sel.size)
        towards = np.where(gd > 0, strides[d], -strides[d])
        m = values[at] + slack
        ok = m >= _interpolate(values, at + towards, step, [strides[k] for k in others])
        ok &= m >= _interpolate(values, at - towards, -step, [strides[k] for k in others])
        keep[at[ok]] = True
    return keep.reshape(magnitude.shape)


def _dominant_axis(g):
    """Per point, the axis with the largest ``|g_k|`` (the first on ties)."""
    best = np.abs(g[0])
    dominant = np.zeros(best.shape, dtype=np.intp)
    for k in range(1, len(g)):
        a = np.abs(g[k])
        larger = a > best
        dominant[larger] = k
        np.maximum(best, a, out=best)
    return dominant


def _interpolate(values, flat, offsets, strides):
    """Multilinear interpolation of the flattened ``values`` at ``flat + offsets``.

    ``offsets`` is ``(naxes, P)`` with entries in [-1, 1] along axes of the given
    ``strides``; corners with zero weight may be clipped indices.
    """
    lo = np.floor(offsets)
    frac = offsets - lo
    base = flat + np.dot(np.asarray(strides, dtype=np.intp), lo.astype(np.intp))
    corners = [(None, base)]
    for f, stride in zip(frac, strides):
        corners = [pair for w, at in corners
                   for pair in (((1.0 - f) if w is None else w * (1.0 - f), at),
                                (f if w is None else w * f, at + stride))]
    if corners[0][0] is None:       # 1-D: no other axes
        return np.take(values, base, mode="clip")
    return sum(w * np.take(values, at, mode="clip") for w, at in corners)


def _hysteresis(weak, strong):
    """The connected components of ``weak`` (full connectivity) that touch ``strong``."""
    labels, count = ndi.label(weak, structure=np.ones((3,) * weak.ndim, dtype=bool))
    if count == 0:
        return weak
    good = np.zeros(count + 1, dtype=bool)
    good[np.unique(labels[strong])] = True
    good[0] = False
    return good[labels]
