"""The validated geometry of a convolution matrix, and the per-axis index maps it is made of.

A convolution matrix reuses the core's geometry (``sigconv._plan``/``sigconv._shapes``):
every mode, centre, stride and dilation becomes a valid cross-correlation of an extended
input,

    y[i] = sum_m  kc[m] * x_ext[i*stride + m*dilation - before],

and ``sigconv._padding.boundary_index`` says which input sample an out-of-range index reads.
Along one axis that is a small integer table (output i, tap m) -> input column; the N-D
matrix is the tensor product of those tables, weighted by the kernel.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .. import _shapes, _validate as V
from .._errors import ShapeError
from .._padding import boundary_index, padded_shape
from .._plan import center_arg, fillvalue_arg, geometry as _plan_geometry

OPS = ("convolve", "correlate")
#: the convolve parameters the matrix forms share (named in errors, see V.one_of)
MATRIX_PARAMS = ("mode", "boundary", "center")
FORMATS = ("sparse", "dense", "operator")


@dataclass(frozen=True)
class Geometry:
    """Everything but the kernel values that fixes a convolution matrix."""
    op: str
    mode: str
    input_shape: tuple
    kernel_shape: tuple
    output_shape: tuple
    pads: tuple          # ((before, after), ...) of the extended input, per axis
    strides: tuple
    dilations: tuple
    boundary: str        # the extension rule actually applied ('constant' means zeros)
    center: object       # 'scipy', 'ndimage' or a tuple of taps (as convolve takes it)

    @property
    def shape(self):
        """(rows, columns) of the matrix: output size by input size."""
        return math.prod(self.output_shape), math.prod(self.input_shape)

    @property
    def extended_shape(self):
        return padded_shape(self.input_shape, self.pads)


def shape_arg(value, name, func):
    """An int or a sequence of non-negative ints, as a tuple."""
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        items = (value,)
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise TypeError(f"{func}: {name} must be an int or a tuple of ints; "
                            f"got {value!r}") from None
    return tuple(V.positive_int(v, name, func, minimum=0) for v in items)


def kernel_arg(kernel, func, ndim=None):
    """The kernel as a numeric array with at least one dimension (``ndim`` if given)."""
    k = V.as_numeric_array(kernel, "kernel", func)
    if k.ndim == 0:
        raise ShapeError(f"{func}: kernel must have at least one dimension; got a 0-d kernel")
    if ndim is not None and k.ndim != ndim:
        raise ShapeError(f"{func}: kernel must be {ndim}-d; got shape {k.shape}")
    return k


def matrix_dtype(kdtype):
    """dtype of the matrix entries: exact int64 for integer and bool kernels (as convolve),
    float16 widened to float32, everything else kept (native byte order)."""
    if kdtype.kind in "biu":
        return np.promote_types(kdtype, np.int64)
    if kdtype == np.float16:
        return np.dtype(np.float32)
    return kdtype.newbyteorder("=")


def geometry(kernel_shape, input_shape, mode, op, boundary, fillvalue, center, stride,
             dilation, func):
    """Validate the matrix arguments and return the Geometry (no work is done)."""
    mode = V.one_of(mode, V.MODES, "mode", func, related=MATRIX_PARAMS)
    op = V.one_of(op, OPS, "op", func)
    boundary = V.boundary_name(boundary, func, related=MATRIX_PARAMS)
    nd = len(input_shape)
    if len(kernel_shape) != nd:
        raise ShapeError(f"{func}: kernel and input_shape must have the same number of "
                         f"dimensions; got kernel shape {kernel_shape} and input_shape "
                         f"{input_shape}")
    strides = V.per_axis(stride, nd, "stride", func)
    dilations = V.per_axis(dilation, nd, "dilation", func)
    center = center_arg(center, nd, func)
    fillvalue = fillvalue_arg(fillvalue, func)
    if _valid_swap(mode, input_shape, kernel_shape, dilations, func):
        # scipy's 'valid' swap: the rows t = i*stride + n - 1 of the full result.
        pads = tuple((k - n, k - n) for n, k in zip(input_shape, kernel_shape))
        out = tuple((k - n) // s + 1 for n, k, s in zip(input_shape, kernel_shape, strides))
        boundary = "constant"
    else:
        pads, out = _plan_geometry(op, mode, center, input_shape, kernel_shape, strides,
                                   dilations, func)
    if boundary == "constant" and fillvalue != 0 and any(b or a for b, a in pads):
        raise ValueError(
            f"{func}: boundary='constant' with fillvalue={fillvalue!r} makes the map affine "
            "(x -> M @ x + c), not linear, so it has no matrix; use fillvalue=0 and add the "
            "constant's contribution separately")
    return Geometry(op, mode, tuple(input_shape), tuple(kernel_shape), tuple(out),
                    tuple(pads), strides, dilations, boundary, center)


def _valid_swap(mode, input_shape, kernel_shape, dilations, func):
    if mode != "valid" or any(d != 1 for d in dilations):
        return False
    if not math.prod(input_shape) or not math.prod(kernel_shape):
        return False
    axes = tuple(range(len(input_shape)))
    return _shapes.valid_swap_needed(input_shape, kernel_shape, axes, func)


def correlation_kernel(kernel, op):
    """The kernel in correlation orientation: flipped for convolve, conjugated for correlate."""
    if op == "convolve":
        return np.flip(kernel)
    return np.conj(kernel) if kernel.dtype.kind == "c" else kernel


def axis_taps(n, out_len, k, stride, dilation, before, boundary):
    """Along one axis: ``(columns, inside)``, both of shape ``(out_len, k)``.

    ``columns[i, m]`` is the input index that tap ``m`` of output ``i`` reads after the
    boundary rule; ``inside`` is False where a zero-filled ('constant') sample is read.
    """
    q = (np.arange(out_len)[:, None] * stride + np.arange(k)[None, :] * dilation - before)
    if boundary == "constant" or q.size == 0:
        inside = (q >= 0) & (q < n)
        return np.where(inside, q, 0), inside
    return boundary_index(q, n, boundary), np.ones(q.shape, dtype=bool)


def axis_maps(geom):
    """``axis_taps`` for every axis of ``geom``."""
    return [axis_taps(n, o, k, s, d, b, geom.boundary)
            for n, o, k, s, d, (b, _) in zip(geom.input_shape, geom.output_shape,
                                              geom.kernel_shape, geom.strides,
                                              geom.dilations, geom.pads)]


def extension_maps(geom):
    """Per axis, ``(columns, inside)`` of the boundary extension ``x -> x_ext`` (k = 1)."""
    return [axis_taps(n, n + b + a, 1, 1, 1, b, geom.boundary)
            for n, (b, a) in zip(geom.input_shape, geom.pads)]
