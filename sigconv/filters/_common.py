"""Shared steps of the filters: image checks, per-axis arguments, separable application.

Every filter reads: validate the image and its arguments (here), build its kernel from
named 1-D factors, apply the factors one axis at a time through :func:`sigconv.correlate`
(``mode='same'``, ``center='ndimage'``, so odd kernels sit on their middle tap exactly as
in scipy.ndimage), finish.
"""

import numbers

import numpy as np

from .._convolve import correlate
from .._errors import DTypeError, ShapeError
from .._validate import as_numeric_array, boundary_name, per_axis_positive, positive

NORMALIZATIONS = ("none", "skimage", "unit")


def float_image(image, func, *, ndim=None, min_ndim=1):
    """``image`` as a real floating array (float32 stays float32, float16 -> float32,
    integers and bool -> float64, values unchanged); ``ndim`` fixes the dimensionality."""
    arr = as_numeric_array(image, "image", func)
    if arr.dtype.kind == "c":
        raise DTypeError(f"{func}: image must be real; got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        if ndim == 2 and arr.ndim == 3 and arr.shape[-1] in (3, 4):
            raise ShapeError(
                f"{func}: expected 2-D grayscale, got shape {arr.shape}; convert to gray "
                "(e.g. skimage.color.rgb2gray) or pass channel_axis=-1 to filter each "
                "channel")
        raise ShapeError(f"{func}: expected a {ndim}-D image, got shape {arr.shape}")
    if arr.ndim < min_ndim or arr.size == 0:
        raise ShapeError(f"{func}: expected a non-empty image with at least {min_ndim} "
                         f"dimension(s), got shape {arr.shape}")
    return arr.astype(float_dtype(arr.dtype), copy=False)


def float_dtype(dtype):
    """The floating dtype a filter computes in for images of ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.dtype(np.float32) if dtype.itemsize <= 4 else dtype
    if dtype.kind == "c":
        return np.dtype(np.complex64) if dtype.itemsize <= 8 else dtype
    return np.dtype(np.float64)


def axis_index(axis, ndim, func):
    """``axis`` (an int in ``[-ndim, ndim)``) as a non-negative int, or None."""
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{func}: axis must be None or an int; got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{func}: axis {axis} is out of range for a {ndim}-D image")
    return int(axis) % ndim


def boundary_args(boundary, cval, func):
    """The canonical boundary name and a float fill value."""
    return boundary_name(boundary, func), float(cval)


def apply_factors(image, factors, boundary, cval, *, first=0, workers=None):
    """Correlate ``image`` with the separable kernel ``outer(factors)``, one axis at a time.

    ``factors[a]`` is the 1-D factor for axis ``a`` (None skips the axis); axis ``first``
    is filtered first, then the others in increasing order.  Each pass extends the
    current array by ``boundary`` as scipy.ndimage's ``correlate1d`` does, so the result
    equals scipy.ndimage's sequence of 1-D filters (which matters only for
    ``boundary='constant'`` with ``cval != 0``).
    """
    out = image
    order = [first] + [a for a in range(len(factors)) if a != first]
    for axis in order:
        f = factors[axis]
        if f is None:
            continue
        shape = [1] * image.ndim
        shape[axis] = f.size
        k = np.asarray(f, dtype=image.dtype).reshape(shape)
        out = correlate(out, k, "same", boundary=boundary, fillvalue=cval,
                        center="ndimage", workers=workers)
    return out if out is not image else image.copy()


def per_channel(func_name, image, channel_axis, run):
    """Run ``run(channel_image)`` on each channel along ``channel_axis`` (or on the image)."""
    if channel_axis is None:
        return run(image)
    arr = np.asarray(image)
    ax = axis_index(channel_axis, arr.ndim, func_name)
    moved = np.moveaxis(arr, ax, 0)
    results = [run(ch) for ch in moved]
    return np.moveaxis(np.stack(results), 0, ax)
