"""Argument checks and shape arithmetic shared by the functional ops and the layers."""

import numbers

import numpy as np

from .._errors import DTypeError, ShapeError
from .._shapes import effective_size, output_length
from .._validate import one_of, per_axis, positive_int
from .._padding import padded_shape

PADDINGS = ("valid", "same")
CONV_METHODS = ("auto", "im2col", "fft", "winograd")
TRANSPOSE_METHODS = ("auto", "im2col", "fft")


class ChainError(ShapeError):
    """An input that does not fit a layer: ``expected`` vs ``got`` of ``what``."""

    def __init__(self, layer, what, expected, got, source=None):
        self.layer, self.what, self.expected, self.got = layer, what, expected, got
        tail = f", {source} {got}" if source else f"; got {got}"
        super().__init__(f"{layer}: expects {expected} {what}{tail}")


def tuple_arg(value, nsp, name, func, minimum=1):
    """An int or one int per spatial axis, as a tuple of ``nsp`` ints."""
    return per_axis(value, nsp, name, func, minimum)


def padding_arg(padding, nsp, func):
    """'valid', 'same', an int, one int per axis or one (before, after) pair per axis."""
    if isinstance(padding, str):
        return one_of(padding, PADDINGS, "padding", func)
    if isinstance(padding, (numbers.Integral, np.integer)) and not isinstance(padding, bool):
        p = positive_int(padding, "padding", func, minimum=0)
        return ((p, p),) * nsp
    try:
        items = tuple(padding)
    except TypeError:
        raise TypeError(f"{func}: padding must be 'valid', 'same', an int or a tuple; "
                        f"got {padding!r}") from None
    if len(items) != nsp:
        raise ValueError(f"{func}: padding needs one value per spatial axis ({nsp}); "
                         f"got {padding!r}")
    out = []
    for item in items:
        pair = tuple(item) if isinstance(item, (tuple, list)) else (item, item)
        if len(pair) != 2:
            raise ValueError(f"{func}: padding pairs must be (before, after); got {padding!r}")
        out.append(tuple(positive_int(v, "padding", func, minimum=0) for v in pair))
    return tuple(out)


def resolve_pads(padding, in_spatial, kshape, strides, dilations):
    """(before, after) per axis; 'same' gives ``ceil(n/stride)`` outputs, the odd extra
    sample of padding going at the end (TensorFlow's rule)."""
    if padding == "valid":
        return ((0, 0),) * len(kshape)
    if padding != "same":
        return padding
    pads = []
    for n, k, s, d in zip(in_spatial, kshape, strides, dilations):
        if n is None:
            pads.append(None)
            continue
        total = max((-(-n // s) - 1) * s + effective_size(k, d) - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def conv_out_spatial(in_spatial, kshape, strides, dilations, pads):
    """Output extent per axis (None where the input extent is unknown)."""
    return tuple(None if n is None else
                 output_length(n, p[0], p[1], effective_size(k, d), s)
                 for n, k, s, d, p in zip(in_spatial, kshape, strides, dilations, pads))


def transpose_out_spatial(in_spatial, kshape, strides, dilations, padding, output_padding):
    """``(n - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1`` per axis."""
    return tuple(None if n is None else
                 (n - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for n, k, s, d, p, op in zip(in_spatial, kshape, strides, dilations,
                                              padding, output_padding))


def float_input(x, func, nsp=None, channels=None):
    """``x`` as a float ndarray of shape (N, C, *spatial) with ``nsp`` spatial axes."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"{func}: expected a real numeric input; got dtype {x.dtype}")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if nsp is not None and x.ndim != nsp + 2:
        dims = ", ".join(("N", "C") + tuple("DHW"[3 - nsp:]))
        raise ShapeError(f"{func}: expected input of shape ({dims}); got shape {x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ChainError(func, "input channels", channels, x.shape[1])
    return x


def pad_zeros(x, pads, value=0.0):
    """``x`` zero-padded on its spatial axes (no copy when all pads are 0)."""
    if all(b == 0 and a == 0 for b, a in pads):
        return x
    shape = padded_shape(x.shape, pads)
    out = np.zeros(shape, dtype=x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(b, b + n) for n, (b, _) in
                                           zip(x.shape[2:], pads))] = x
    return out


def crop(xp, pads):
    """The inverse of ``pad_zeros`` (a view)."""
    return xp[(slice(None), slice(None)) + tuple(slice(b, xp.shape[2 + i] - a)
                                                 for i, (b, a) in enumerate(pads))]
