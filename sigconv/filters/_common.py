"""Shared steps of the filters: image checks, per-axis arguments, separable application.

Every filter reads: validate the image and its arguments (here), build its kernel from
named 1-D factors, apply the factors one axis at a time through :func:`sigconv.correlate`
(``mode='same'``, ``center='ndimage'``, so odd kernels sit on their middle tap exactly as
in scipy.ndimage), finish.
"""

import numbers

import numpy as np
from scipy import ndimage as ndi

from .._convolve import correlate
from .._errors import DTypeError, ShapeError
from .._validate import as_numeric_array, boundary_name, per_axis_positive, positive, renamed

NORMALIZATIONS = ("none", "skimage", "unit")


def float_image(image, func, *, ndim=None, min_ndim=1, preserve_range=True):
    """``image`` as a real floating array (float32 stays float32, float16 -> float32,
    integers and bool -> float64); ``ndim`` fixes the dimensionality.

    With ``preserve_range=False`` integer images are rescaled as scikit-image's
    ``img_as_float`` does: unsigned ``x * (1 / max)`` in [0, 1], signed
    ``max(x * (1 / max), -1)`` in [-1, 1] (``max`` of the dtype); floats and bool keep
    their values.
    """
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
    if not preserve_range and arr.dtype.kind in "iu":
        scaled = np.multiply(arr, 1.0 / np.iinfo(arr.dtype).max, dtype=np.float64)
        return np.maximum(scaled, -1.0, out=scaled) if arr.dtype.kind == "i" else scaled
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


def boundary_args(boundary, mode, cval, func, default="reflect"):
    """The canonical boundary name (given as ``boundary`` or, as in scikit-image and
    scipy.ndimage, as ``mode``; ``default`` when neither) and a float fill value."""
    value = renamed(boundary, mode, "boundary", "mode", func, default)
    return boundary_name(value, func, "boundary" if mode is None else "mode"), float(cval)


def spatial_shape(shape, channel_axis, func):
    """``shape`` without its channel axis."""
    if channel_axis is None:
        return tuple(shape)
    ax = axis_index(channel_axis, len(shape), func)
    return tuple(n for i, n in enumerate(shape) if i != ax)


def eroded_mask(mask, shape, func):
    """scikit-image's output mask: ``mask`` (of the image's spatial ``shape``) eroded by
    the full ``3^n`` neighbourhood with the outside counted as masked, or None."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        raise ShapeError(f"{func}: mask must have the image's shape {tuple(shape)}; got "
                         f"{m.shape}")
    structure = ndi.generate_binary_structure(m.ndim, m.ndim)
    return ndi.binary_erosion(m, structure, border_value=0)


def masked(result, keep):
    """``result`` set to 0 where ``keep`` (from :func:`eroded_mask`) is False."""
    return result if keep is None else result * keep


def outer(factors):
    """The separable kernel ``factors[0] x factors[1] x ...`` (None: an axis of size 1)."""
    kernel = np.ones(())
    for f in factors:
        kernel = np.multiply.outer(kernel, np.ones(1) if f is None else f)
    return kernel


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


def check_out(out, shape, dtype, func):
    """Refuse an ``out`` array that is not a writeable ndarray of ``shape`` and ``dtype``."""
    if out is None:
        return
    if not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != dtype:
        got = (getattr(out, "shape", None), getattr(out, "dtype", type(out).__name__))
        raise ValueError(f"{func}: out must be an ndarray of shape {shape} and dtype "
                         f"{np.dtype(dtype)}; got shape {got[0]} and dtype {got[1]}")
    if not out.flags.writeable:
        raise ValueError(f"{func}: out is read-only")
