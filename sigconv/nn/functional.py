"""Stateless layer operations, channels-first: inputs ``(N, C, *spatial)``.

Like every deep-learning framework, the "convolution" layers compute **cross-correlation**
(the kernel is not flipped): ``y[n, o, i] = b[o] + sum_{c, m} x[n, c, i*s + m*d - p] w[o, c, m]``,
which equals ``sigconv.correlate(x[n, c], w[o, c], 'valid', stride=s, dilation=d)`` on the
zero-padded input, summed over the channels ``c`` of the group of ``o``.  Weights are
``(out_channels, in_channels/groups, *kernel)``; transposed convolutions take
``(in_channels, out_channels/groups, *kernel)``, as in PyTorch.

Small kernels run as im2col plus one BLAS matrix product per group, 3x3 stride-1 kernels
also by Winograd's F(4x4, 3x3) or F(2x2, 3x3) (:mod:`sigconv.nn._winograd`), large kernels
through real FFTs; ``method='auto'`` picks by estimated cost (the calibration's constants,
never a timing inside the call).  The im2col route works through the
batch in cache-sized chunks, spread over as many threads as numpy's BLAS is set to use
(``threadpoolctl.threadpool_limits`` sets both); float32 stays float32 throughout.  Each
``*_backward`` returns the gradients of ``sum(dy * op(...))`` with respect to the inputs
of the op.
"""

import math

import numpy as np

from .._validate import one_of, positive_int
from . import _conv, _flatconv, _winograd
from ._args import (CONV_METHODS, TRANSPOSE_METHODS, ChainError, conv_out_spatial, crop,
                    float_input, pad_zeros, padding_arg, resolve_pads, transpose_out_spatial,
                    tuple_arg)
from .._errors import ShapeError
from .._padding import padded_shape

__all__ = ["conv", "conv_backward", "conv_transpose", "conv_transpose_backward",
           "max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward", "lp_pool",
           "lp_pool_backward", "channel_pool", "channel_pool_backward", "dense", "relu",
           "leaky_relu", "sigmoid", "tanh", "softmax"]


# ----------------------------------------------------------------------------- convolution
def _conv_geometry(x_shape, w_shape, stride, padding, dilation, groups, func, transpose=False,
                  output_padding=0):
    """Validated (strides, dilations, pads, out_spatial) for a (transposed) convolution."""
    nsp = len(w_shape) - 2
    if nsp < 1:
        raise ShapeError(f"{func}: weight must be (out, in/groups, *kernel); got shape {w_shape}")
    strides = tuple_arg(stride, nsp, "stride", func)
    dilations = tuple_arg(dilation, nsp, "dilation", func)
    if len(x_shape) != nsp + 2:
        dims = ", ".join(("N", "C") + tuple("DHW"[3 - nsp:]) if nsp <= 3 else ("N", "C", "..."))
        raise ShapeError(f"{func}: expected input of shape ({dims}) for a {nsp}-d weight; "
                         f"got shape {tuple(x_shape)}")
    in_ch = w_shape[0] if transpose else w_shape[1] * groups
    if x_shape[1] != in_ch:
        raise ChainError(func, "input channels", in_ch, x_shape[1])
    kshape = tuple(w_shape[2:])
    if transpose:
        pads = tuple_arg(padding, nsp, "padding", func, minimum=0)
        ops = tuple_arg(output_padding, nsp, "output_padding", func, minimum=0)
        for op, s, d in zip(ops, strides, dilations):
            if op >= max(s, d):
                raise ValueError(f"{func}: output_padding must be smaller than stride or "
                                 f"dilation; got {output_padding!r}")
        out = transpose_out_spatial(x_shape[2:], kshape, strides, dilations, pads, ops)
        pads = tuple((p, p) for p in pads)
    else:
        pads = resolve_pads(padding_arg(padding, nsp, func), x_shape[2:], kshape, strides,
                            dilations)
        out = conv_out_spatial(x_shape[2:], kshape, strides, dilations, pads)
    if any(n < 1 for n in out):
        raise ShapeError(f"{func}: the (dilated) kernel {kshape} is larger than the padded "
                         f"input {tuple(x_shape[2:])}; the output would be empty")
    return strides, dilations, pads, out


def _groups(groups, channels, name, func):
    """``groups`` checked to be a positive int that divides ``channels``."""
    groups = positive_int(groups, "groups", func)
    if channels % groups:
        raise ValueError(f"{func}: {name} ({channels}) must be divisible by groups "
                         f"({groups})")
    return groups


def conv(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1, method="auto"):
    """N-D multichannel cross-correlation (a convolution layer's forward pass).

    Parameters
    ----------
    x : array_like, shape ``(N, C, *spatial)``
    weight : array_like, shape ``(O, C/groups, *kernel)``
    bias : array_like, shape (O,), optional
    stride, dilation : int or tuple of int
    padding : int, tuple, 'valid' or 'same'
        Zeros added on each side; a tuple gives one int or one (before, after) pair per
        axis; 'same' gives ``ceil(n/stride)`` outputs, the odd extra zero at the end.
    groups : int
        Channels split into ``groups`` independent blocks.
    method : {'auto', 'im2col', 'fft', 'winograd'}
        'winograd' takes 2-D 3x3 kernels with stride 1, dilation 1 and one group only.

    Returns
    -------
    ndarray, shape ``(N, O, *out)``
        ``out = floor((n + pad - dilation*(k-1) - 1)/stride) + 1`` per axis.

    Notes
    -----
    .. math:: y[n, o, i] = b_o + \\sum_{c \\in g(o)} \\sum_m x_p[n, c, i s + m d]\\, w[o, c, m]

    where ``x_p`` is the zero-padded input: cross-correlation, the kernel is not flipped.

    Examples
    --------
    >>> import numpy as np
    >>> conv(np.array([[[1., 2, 3, 4]]]), np.array([[[1., 0, -1]]]))
    array([[[-2., -2.]]])
    >>> conv(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding='same', stride=2)
    array([[[[9., 6.],
             [6., 4.]]]])
    """
    y, _ = _conv_forward(x, weight, bias, stride, padding, dilation, groups, method, "conv")
    return y


def _conv_forward(x, weight, bias, stride, padding, dilation, groups, method, func):
    """``(y, cache)`` for ``_conv_backward_cached``; the layers call this."""
    x = float_input(x, func)
    w = np.asarray(weight)
    return _conv_run(x, w, bias, _conv_plan(x.shape, w.shape, stride, padding, dilation,
                                          groups, method, func))


def _conv_plan(x_shape, w_shape, stride, padding, dilation, groups, method, func):
    """The validated geometry of a convolution, reusable for inputs of ``x_shape``."""
    one_of(method, CONV_METHODS, "method", func)
    groups = _groups(groups, w_shape[0] if len(w_shape) else 0, "out_channels", func)
    strides, dilations, pads, out = _conv_geometry(x_shape, w_shape, stride, padding,
                                                  dilation, groups, func)
    if method == "winograd":
        winograd_arg(w_shape[2:], strides, dilations, groups, func)
    return strides, dilations, pads, out, groups, method


def winograd_arg(kshape, strides, dilations, groups, func):
    """Check that method='winograd' can run this layer (else ValueError)."""
    if not _winograd.applies(strides, dilations, groups, kshape):
        raise ValueError(f"{func}: method='winograd' needs a 2-D 3x3 kernel, stride 1, "
                         f"dilation 1 and groups=1; got kernel {tuple(kshape)}, stride "
                         f"{tuple(strides)}, dilation {tuple(dilations)}, groups={groups}")


def _conv_run(x, w, bias, plan, workspace=None):
    """``(y, cache)`` of a convolution whose ``plan`` was validated for ``x.shape``
    (``workspace``: the caller's :class:`sigconv.nn._winograd.Workspace`, kept from call
    to call)."""
    strides, dilations, pads, out, groups, method = plan
    wx = w.astype(x.dtype, copy=False)
    padded = padded_shape(x.shape[2:], pads)
    if method == "auto":
        method = _conv.choose(x.shape[:2] + padded, w.shape, out, groups,
                              winograd=_winograd.applies(strides, dilations, groups,
                                                         w.shape[2:]))
    if method == "winograd":
        if x.shape[0]:
            tile = _conv.winograd_tile(x.shape[0], x.shape[1], w.shape[0], out)
            y, state = _winograd.forward(x, wx, pads, out, tile, bias, workspace)
            return y, (x.shape, None, w, strides, dilations, pads, groups, state, "winograd")
        method = "im2col"                  # an empty batch
    # one input channel per group: the classic gather (one index take per batch chunk)
    # beats the flat layout's per-tap copies (2x on 32 x 1 x 8x8 and 64 x 1 x 28x28, 3x3)
    if method == "im2col" and w.shape[1] > 1 and _flatconv.applies(
            strides, x.shape[2:], pads, w.shape[2:], dilations, out):
        y, state = _flatconv.forward(x, wx, pads, dilations, groups, out, bias)
        return y, (x.shape, None, w, strides, dilations, pads, groups, state, "flat")
    xp = pad_zeros(x, pads)
    y, cols = _conv.correlate(xp, wx, strides, dilations, groups, out, method)
    if bias is not None:
        _add_bias(y, bias)
    cache = (x.shape, xp, w, strides, dilations, pads, groups, cols, method)
    return y, cache


def _add_bias(y, bias):
    """``y[:, o] += bias[o]`` in place (``y`` contiguous), a whole channel per inner loop."""
    y3 = y.reshape(y.shape[:2] + (math.prod(y.shape[2:]),))
    y3 += np.asarray(bias, dtype=y.dtype)[:, None]


def _bias_grad(dy):
    """``sum over n and positions of dy[n, o]`` (a matrix product with ones: fast)."""
    dy3 = dy.reshape(dy.shape[:2] + (math.prod(dy.shape[2:]),))
    return np.matmul(dy3, np.ones(dy3.shape[2], dtype=dy.dtype)).sum(axis=0)


def _conv_backward_cached(dy, cache, input_grad=True):
    """``(dx, dweight, dbias)`` from the cache of ``_conv_forward`` (``dx`` is None when
    ``input_grad`` is False: a first layer needs no input gradient)."""
    x_shape, xp, w, strides, dilations, pads, groups, cols, method = cache
    dy = np.asarray(dy, dtype=_flatconv.dtype(cols) if method == "flat" else
                    cols.dtype if method == "winograd" else xp.dtype)
    if method == "winograd":
        dx, dw, db = _winograd.backward(dy, cols, input_grad)
        return dx, dw.astype(w.dtype, copy=False), db
    if method == "flat":
        dx, dw, db = _flatconv.backward(dy, w, cols, input_grad)
        return dx, dw.astype(w.dtype, copy=False), _bias_grad(dy) if db is None else db
    db = _bias_grad(dy)
    dw = _conv.weight_grad(xp, dy, w.shape[2:], strides, dilations, groups, cols, method)
    if not input_grad:
        return None, dw.astype(w.dtype, copy=False), db
    dxp = _conv.input_grad(dy, w.astype(xp.dtype, copy=False), xp.shape[2:], strides,
                           dilations, groups, method)
    return np.ascontiguousarray(crop(dxp, pads)), dw.astype(w.dtype, copy=False), db


def conv_backward(dy, x, weight, *, stride=1, padding=0, dilation=1, groups=1, method="auto"):
    """Gradients of :func:`conv`: ``(dx, dweight, dbias)`` for the output gradient ``dy``.

    Parameters
    ----------
    dy : array_like, shape ``(N, O, *out)``
    x, weight, stride, padding, dilation, groups, method
        As given to :func:`conv`.

    Returns
    -------
    dx : ndarray, shape of ``x``
        The transposed convolution of ``dy`` ("deconvolution").
    dweight : ndarray, shape of ``weight``
    dbias : ndarray, shape (O,)

    Notes
    -----
    .. math:: \\partial w[o, c, m] = \\sum_{n, i} dy[n, o, i]\\, x_p[n, c, i s + m d],\\quad
              \\partial x_p[n, c, i s + m d] \\mathrel{+}= dy[n, o, i]\\, w[o, c, m]

    Examples
    --------
    >>> import numpy as np
    >>> dx, dw, db = conv_backward(np.ones((1, 1, 2)), np.array([[[1., 2, 3, 4]]]),
    ...                            np.array([[[1., 0, -1]]]))
    >>> dx, dw, db
    (array([[[ 1.,  1., -1., -1.]]]), array([[[3., 5., 7.]]]), array([2.]))
    """
    y, cache = _conv_forward(x, weight, None, stride, padding, dilation, groups, method,
                            "conv_backward")
    if np.shape(dy) != y.shape:
        raise ShapeError(f"conv_backward: dy must have the output shape {y.shape}; got "
                         f"{np.shape(dy)}")
    return _conv_backward_cached(dy, cache)


def conv_transpose(x, weight, bias=None, *, stride=1, padding=0, output_padding=0,
                   dilation=1, groups=1, method="auto"):
    """Transposed convolution: the adjoint of :func:`conv` with respect to its input.

    Parameters
    ----------
    x : array_like, shape ``(N, C, *spatial)``
    weight : array_like, shape ``(C, O/groups, *kernel)``
    bias : array_like, shape (O,), optional
    stride, padding, output_padding, dilation : int or tuple of int
        ``padding`` is removed from both ends of the result; ``output_padding`` adds
        samples at the end (it must be smaller than the stride or the dilation).
    groups : int
    method : {'auto', 'im2col', 'fft'}

    Returns
    -------
    ndarray, shape ``(N, O, *out)``
        ``out = (n - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``.

    Notes
    -----
    .. math:: y_p[n, o, i s + m d] \\mathrel{+}= x[n, c, i]\\, w[c, o, m], \\qquad
              y = b + y_p[\\text{padding} : -\\text{padding}]

    so that ``sum(conv(u, w) * v) == sum(u * conv_transpose(v, w))`` (same stride,
    padding and dilation).

    Examples
    --------
    >>> import numpy as np
    >>> conv_transpose(np.array([[[1., 2]]]), np.array([[[1., 1, 1]]]), stride=2)
    array([[[1., 1., 3., 2., 2.]]])
    """
    y, _ = _conv_transpose_forward(x, weight, bias, stride, padding, output_padding,
                                  dilation, groups, method, "conv_transpose")
    return y


def _conv_transpose_forward(x, weight, bias, stride, padding, output_padding, dilation,
                           groups, method, func):
    """``(y, cache)`` of a transposed convolution; the layers call this."""
    x = float_input(x, func)
    w = np.asarray(weight)
    one_of(method, TRANSPOSE_METHODS, "method", func)
    groups = _groups(groups, w.shape[0] if w.ndim else 0, "in_channels", func)
    strides, dilations, pads, out = _conv_geometry(
        x.shape, w.shape, stride, padding, dilation, groups, func, transpose=True,
        output_padding=output_padding)
    padded = tuple(n + 2 * p for n, (p, _) in zip(out, pads))
    yp = _conv.input_grad(x, w.astype(x.dtype, copy=False), padded, strides, dilations,
                          groups, method)
    y = np.ascontiguousarray(crop(yp, pads))
    if bias is not None:
        _add_bias(y, bias)
    return y, (x, w, strides, dilations, pads, groups, method)


def _conv_transpose_backward_cached(dy, cache):
    """``(dx, dweight, dbias)`` from the cache of ``_conv_transpose_forward``."""
    x, w, strides, dilations, pads, groups, method = cache
    dyp = pad_zeros(np.asarray(dy, dtype=x.dtype), pads)
    dx, _ = _conv.correlate(dyp, w.astype(x.dtype, copy=False), strides, dilations, groups,
                            x.shape[2:], method)
    dw = _conv.weight_grad(dyp, x, w.shape[2:], strides, dilations, groups, None, method)
    db = np.asarray(dy).sum(axis=(0,) + tuple(range(2, np.ndim(dy))))
    return dx, dw.astype(w.dtype, copy=False), db


def conv_transpose_backward(dy, x, weight, *, stride=1, padding=0, output_padding=0,
                            dilation=1, groups=1, method="auto"):
    """Gradients of :func:`conv_transpose`: ``(dx, dweight, dbias)``.

    Parameters
    ----------
    dy : array_like, shape ``(N, O, *out)``
    x, weight, stride, padding, output_padding, dilation, groups, method
        As given to :func:`conv_transpose`.

    Returns
    -------
    dx, dweight, dbias : ndarray
        ``dx`` is the ordinary convolution :func:`conv` of the padded ``dy`` with ``weight``.

    Notes
    -----
    .. math:: \\partial x[n, c, i] = \\sum_{o, m} dy_p[n, o, i s + m d]\\, w[c, o, m]

    Examples
    --------
    >>> import numpy as np
    >>> dx, dw, db = conv_transpose_backward(np.ones((1, 1, 5)), np.array([[[1., 2]]]),
    ...                                      np.array([[[1., 1, 1]]]), stride=2)
    >>> dx, dw, db
    (array([[[3., 3.]]]), array([[[3., 3., 3.]]]), array([5.]))
    """
    y, cache = _conv_transpose_forward(x, weight, None, stride, padding, output_padding,
                                      dilation, groups, method, "conv_transpose_backward")
    if np.shape(dy) != y.shape:
        raise ShapeError(f"conv_transpose_backward: dy must have the output shape {y.shape}; "
                         f"got {np.shape(dy)}")
    return _conv_transpose_backward_cached(dy, cache)


from ._activation_ops import *  # noqa: E402,F401,F403
from ._pool_ops import *  # noqa: E402,F401,F403
from ._pool_ops import _lp_order, _pool_geometry  # noqa: E402,F401
