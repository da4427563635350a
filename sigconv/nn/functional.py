"""Stateless layer operations, channels-first: inputs ``(N, C, *spatial)``.

Like every deep-learning framework, the "convolution" layers compute **cross-correlation**
(the kernel is not flipped): ``y[n, o, i] = b[o] + sum_{c, m} x[n, c, i*s + m*d - p] w[o, c, m]``,
which equals ``sigconv.correlate(x[n, c], w[o, c], 'valid', stride=s, dilation=d)`` on the
zero-padded input, summed over the channels ``c`` of the group of ``o``.  Weights are
``(out_channels, in_channels/groups, *kernel)``; transposed convolutions take
``(in_channels, out_channels/groups, *kernel)``, as in PyTorch.

Small kernels run as im2col plus one BLAS matrix product per group; large kernels through
real FFTs; ``method='auto'`` picks by estimated cost.  Each ``*_backward`` returns the
gradients of ``sum(dy * op(...))`` with respect to the inputs of the op.
"""

import numpy as np

from .._validate import one_of, positive_int
from . import _conv, _pool
from ._args import (CONV_METHODS, ChainError, conv_out_spatial, crop, float_input,
                    pad_zeros, padding_arg, resolve_pads, transpose_out_spatial, tuple_arg)
from .._errors import ShapeError

__all__ = ["conv", "conv_backward", "conv_transpose", "conv_transpose_backward",
           "max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward", "lp_pool",
           "lp_pool_backward", "channel_pool", "channel_pool_backward", "dense", "relu",
           "leaky_relu", "sigmoid", "tanh", "softmax"]


# ----------------------------------------------------------------------------- convolution
def conv_geometry(x_shape, w_shape, stride, padding, dilation, groups, func, transpose=False,
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
    x : array_like, shape (N, C, *spatial)
    weight : array_like, shape (O, C/groups, *kernel)
    bias : array_like, shape (O,), optional
    stride, dilation : int or tuple of int
    padding : int, tuple, 'valid' or 'same'
        Zeros added on each side; a tuple gives one int or one (before, after) pair per
        axis; 'same' gives ``ceil(n/stride)`` outputs, the odd extra zero at the end.
    groups : int
        Channels split into ``groups`` independent blocks.
    method : {'auto', 'im2col', 'fft'}

    Returns
    -------
    ndarray, shape (N, O, *out)
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
    y, _ = conv_forward(x, weight, bias, stride, padding, dilation, groups, method, "conv")
    return y


def conv_forward(x, weight, bias, stride, padding, dilation, groups, method, func):
    """``(y, cache)`` for ``conv_backward_cached``; the layers call this."""
    x = float_input(x, func)
    w = np.asarray(weight)
    return conv_run(x, w, bias, conv_plan(x.shape, w.shape, stride, padding, dilation,
                                          groups, method, func))


def conv_plan(x_shape, w_shape, stride, padding, dilation, groups, method, func):
    """The validated geometry of a convolution, reusable for inputs of ``x_shape``."""
    one_of(method, CONV_METHODS, "method", func)
    groups = _groups(groups, w_shape[0] if len(w_shape) else 0, "out_channels", func)
    strides, dilations, pads, out = conv_geometry(x_shape, w_shape, stride, padding,
                                                  dilation, groups, func)
    return strides, dilations, pads, out, groups, method


def conv_run(x, w, bias, plan):
    """``(y, cache)`` of a convolution whose ``plan`` was validated for ``x.shape``."""
    strides, dilations, pads, out, groups, method = plan
    xp = pad_zeros(x, pads)
    y, cols = _conv.correlate(xp, w.astype(x.dtype, copy=False), strides, dilations, groups,
                              out, method)
    if bias is not None:
        y += np.asarray(bias, dtype=y.dtype).reshape((1, -1) + (1,) * len(out))
    cache = (x.shape, xp, w, strides, dilations, pads, groups, cols, method)
    return y, cache


def conv_backward_cached(dy, cache, input_grad=True):
    """``(dx, dweight, dbias)`` from the cache of ``conv_forward`` (``dx`` is None when
    ``input_grad`` is False: a first layer needs no input gradient)."""
    x_shape, xp, w, strides, dilations, pads, groups, cols, method = cache
    dy = np.asarray(dy, dtype=xp.dtype)
    dw = _conv.weight_grad(xp, dy, w.shape[2:], strides, dilations, groups, cols, method)
    db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim)))
    if not input_grad:
        return None, dw.astype(w.dtype, copy=False), db
    dxp = _conv.input_grad(dy, w.astype(xp.dtype, copy=False), xp.shape[2:], strides,
                           dilations, groups, method)
    return np.ascontiguousarray(crop(dxp, pads)), dw.astype(w.dtype, copy=False), db


def conv_backward(dy, x, weight, *, stride=1, padding=0, dilation=1, groups=1, method="auto"):
    """Gradients of :func:`conv`: ``(dx, dweight, dbias)`` for the output gradient ``dy``.

    Parameters
    ----------
    dy : array_like, shape (N, O, *out)
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
    y, cache = conv_forward(x, weight, None, stride, padding, dilation, groups, method,
                            "conv_backward")
    if np.shape(dy) != y.shape:
        raise ShapeError(f"conv_backward: dy must have the output shape {y.shape}; got "
                         f"{np.shape(dy)}")
    return conv_backward_cached(dy, cache)


def conv_transpose(x, weight, bias=None, *, stride=1, padding=0, output_padding=0,
                   dilation=1, groups=1, method="auto"):
    """Transposed convolution: the adjoint of :func:`conv` with respect to its input.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    weight : array_like, shape (C, O/groups, *kernel)
    bias : array_like, shape (O,), optional
    stride, padding, output_padding, dilation : int or tuple of int
        ``padding`` is removed from both ends of the result; ``output_padding`` adds
        samples at the end (it must be smaller than the stride or the dilation).
    groups : int
    method : {'auto', 'im2col', 'fft'}

    Returns
    -------
    ndarray, shape (N, O, *out)
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
    y, _ = conv_transpose_forward(x, weight, bias, stride, padding, output_padding,
                                  dilation, groups, method, "conv_transpose")
    return y


def conv_transpose_forward(x, weight, bias, stride, padding, output_padding, dilation,
                           groups, method, func):
    """``(y, cache)`` of a transposed convolution; the layers call this."""
    x = float_input(x, func)
    w = np.asarray(weight)
    one_of(method, CONV_METHODS, "method", func)
    groups = _groups(groups, w.shape[0] if w.ndim else 0, "in_channels", func)
    strides, dilations, pads, out = conv_geometry(
        x.shape, w.shape, stride, padding, dilation, groups, func, transpose=True,
        output_padding=output_padding)
    padded = tuple(n + 2 * p for n, (p, _) in zip(out, pads))
    yp = _conv.input_grad(x, w.astype(x.dtype, copy=False), padded, strides, dilations,
                          groups, method)
    y = np.ascontiguousarray(crop(yp, pads))
    if bias is not None:
        y += np.asarray(bias, dtype=y.dtype).reshape((1, -1) + (1,) * len(out))
    return y, (x, w, strides, dilations, pads, groups, method)


def conv_transpose_backward_cached(dy, cache):
    """``(dx, dweight, dbias)`` from the cache of ``conv_transpose_forward``."""
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
    dy : array_like, shape (N, O, *out)
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
    y, cache = conv_transpose_forward(x, weight, None, stride, padding, output_padding,
                                      dilation, groups, method, "conv_transpose_backward")
    if np.shape(dy) != y.shape:
        raise ShapeError(f"conv_transpose_backward: dy must have the output shape {y.shape}; "
                         f"got {np.shape(dy)}")
    return conv_transpose_backward_cached(dy, cache)


# ----------------------------------------------------------------------------- pooling
def pool_geometry(x_shape, kernel_size, stride, padding, func):
    """Validated (kshape, strides, pads, out_spatial); ``stride`` defaults to the kernel."""
    nsp = len(x_shape) - 2
    if nsp < 1:
        raise ShapeError(f"{func}: expected input of shape (N, C, *spatial); got {tuple(x_shape)}")
    kshape = tuple_arg(kernel_size, nsp, "kernel_size", func)
    strides = kshape if stride is None else tuple_arg(stride, nsp, "stride", func)
    pads = tuple((p, p) for p in tuple_arg(padding, nsp, "padding", func, minimum=0))
    for k, (p, _) in zip(kshape, pads):
        if 2 * p > k:
            raise ValueError(f"{func}: padding must be at most half the kernel size; got "
                             f"padding={padding!r} for kernel_size={kernel_size!r}")
    out = conv_out_spatial(x_shape[2:], kshape, strides, (1,) * nsp, pads)
    if any(n < 1 for n in out):
        raise ShapeError(f"{func}: kernel_size {kshape} is larger than the padded input "
                         f"{tuple(x_shape[2:])}")
    return kshape, strides, pads, out


def max_pool(x, kernel_size, *, stride=None, padding=0):
    """Maximum over each window (N-D; the number of spatial axes is ``x.ndim - 2``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    kernel_size, stride, padding : int or tuple of int
        ``stride`` defaults to ``kernel_size``; padding (``-inf``) at most half a window.

    Returns
    -------
    ndarray, shape (N, C, *out)

    Notes
    -----
    .. math:: y[n, c, i] = \\max_m x_p[n, c, i s + m]

    Examples
    --------
    >>> import numpy as np
    >>> max_pool(np.array([[[1., 5, 2, 3, 9, 0]]]), 2)
    array([[[5., 3., 9.]]])
    """
    x = float_input(x, "max_pool")
    k, s, p, out = pool_geometry(x.shape, kernel_size, stride, padding, "max_pool")
    return _pool.max_forward(x, k, s, p, out)[0]


def max_pool_backward(dy, x, kernel_size, *, stride=None, padding=0):
    """Gradient of :func:`max_pool`: ``dy`` routed to the first maximum of each window.

    Parameters
    ----------
    dy : array_like, shape (N, C, *out)
    x, kernel_size, stride, padding
        As given to :func:`max_pool`.

    Returns
    -------
    ndarray, shape of ``x``

    Notes
    -----
    .. math:: \\partial x[n, c, i s + m^*] \\mathrel{+}= dy[n, c, i], \\quad
              m^* = \\arg\\max_m x_p[n, c, i s + m]

    Examples
    --------
    >>> import numpy as np
    >>> max_pool_backward(np.array([[[1., 2, 3]]]), np.array([[[1., 5, 2, 3, 9, 0]]]), 2)
    array([[[0., 1., 0., 2., 3., 0.]]])
    """
    x = float_input(x, "max_pool_backward")
    k, s, p, out = pool_geometry(x.shape, kernel_size, stride, padding, "max_pool_backward")
    _, arg = _pool.max_forward(x, k, s, p, out)
    return _pool.max_backward(np.asarray(dy, dtype=x.dtype), arg, x.shape, k, s, p)


def avg_pool(x, kernel_size, *, stride=None, padding=0):
    """Mean over each window; zero padding counts in the mean (PyTorch's default).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    kernel_size, stride, padding : int or tuple of int

    Returns
    -------
    ndarray, shape (N, C, *out)

    Notes
    -----
    .. math:: y[n, c, i] = \\frac{1}{|K|} \\sum_m x_p[n, c, i s + m]

    Examples
    --------
    >>> import numpy as np
    >>> avg_pool(np.array([[[1., 5, 2, 4]]]), 2)
    array([[[3., 3.]]])
    """
    x = float_input(x, "avg_pool")
    k, s, p, out = pool_geometry(x.shape, kernel_size, stride, padding, "avg_pool")
    return _pool.avg_forward(x, k, s, p, out)


def avg_pool_backward(dy, x, kernel_size, *, stride=None, padding=0):
    """Gradient of :func:`avg_pool`: ``dy / |K|`` spread over each window.

    Parameters
    ----------
    dy : array_like, shape (N, C, *out)
    x, kernel_size, stride, padding
        As given to :func:`avg_pool`.

    Returns
    -------
    ndarray, shape of ``x``

    Notes
    -----
    .. math:: \\partial x[n, c, i s + m] \\mathrel{+}= dy[n, c, i] / |K|

    Examples
    --------
    >>> import numpy as np
    >>> avg_pool_backward(np.array([[[2., 4]]]), np.zeros((1, 1, 4)), 2)
    array([[[1., 1., 2., 2.]]])
    """
    x = float_input(x, "avg_pool_backward")
    k, s, p, _ = pool_geometry(x.shape, kernel_size, stride, padding, "avg_pool_backward")
    return _pool.avg_backward(np.asarray(dy, dtype=x.dtype), x.shape, k, s, p)


def _lp_order(p, func):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not p >= 1 \
            or not np.isfinite(p):
        raise ValueError(f"{func}: p must be a finite number >= 1; got {p!r}")
    return float(p)


def lp_pool(x, p, kernel_size, *, stride=None):
    """The ``p``-norm of each window: ``(sum |x|^p)^(1/p)`` (p=1: sum of magnitudes;
    p -> inf: max pooling).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    p : float >= 1
    kernel_size, stride : int or tuple of int

    Returns
    -------
    ndarray, shape (N, C, *out)

    Notes
    -----
    .. math:: y[n, c, i] = \\Big(\\sum_m |x[n, c, i s + m]|^p\\Big)^{1/p}

    Examples
    --------
    >>> import numpy as np
    >>> lp_pool(np.array([[[3., -4, 0, 1]]]), 2, 2)
    array([[[5., 1.]]])
    """
    x = float_input(x, "lp_pool")
    p = _lp_order(p, "lp_pool")
    k, s, _, out = pool_geometry(x.shape, kernel_size, stride, 0, "lp_pool")
    return _pool.lp_forward(x, p, k, s, out)[0]


def lp_pool_backward(dy, x, p, kernel_size, *, stride=None):
    """Gradient of :func:`lp_pool` (0 for windows that are entirely 0).

    Parameters
    ----------
    dy : array_like, shape (N, C, *out)
    x, p, kernel_size, stride
        As given to :func:`lp_pool`.

    Returns
    -------
    ndarray, shape of ``x``

    Notes
    -----
    .. math:: \\partial x = dy\\; y^{1-p}\\, |x|^{p-1} \\operatorname{sign}(x)

    Examples
    --------
    >>> import numpy as np
    >>> lp_pool_backward(np.array([[[5.]]]), np.array([[[3., -4]]]), 2, 2)
    array([[[ 3., -4.]]])
    """
    x = float_input(x, "lp_pool_backward")
    p = _lp_order(p, "lp_pool_backward")
    k, s, _, out = pool_geometry(x.shape, kernel_size, stride, 0, "lp_pool_backward")
    y, stack = _pool.lp_forward(x, p, k, s, out)
    return _pool.lp_backward(np.asarray(dy, dtype=x.dtype), y, stack, p, x.shape, k, s)


def channel_pool(x, pool_size):
    """Maxout: the maximum over groups of ``pool_size`` consecutive channels.

    Parameters
    ----------
    x : array_like, shape (N, C, ...)
        ``C`` divisible by ``pool_size``.
    pool_size : int

    Returns
    -------
    ndarray, shape (N, C // pool_size, ...)

    Notes
    -----
    .. math:: y[n, j, \\dots] = \\max_{0 \\le r < k} x[n, j k + r, \\dots]

    Examples
    --------
    >>> import numpy as np
    >>> channel_pool(np.array([[1., 4, 3, 2]]), 2)
    array([[4., 3.]])
    """
    x = float_input(x, "channel_pool")
    k = _channel_groups(x.shape, pool_size, "channel_pool")
    return x.reshape((x.shape[0], -1, k) + x.shape[2:]).max(axis=2)


def channel_pool_backward(dy, x, pool_size):
    """Gradient of :func:`channel_pool`: ``dy`` routed to the first maximal channel.

    Parameters
    ----------
    dy : array_like, shape (N, C // pool_size, ...)
    x, pool_size
        As given to :func:`channel_pool`.

    Returns
    -------
    ndarray, shape of ``x``

    Notes
    -----
    .. math:: \\partial x[n, j k + r^*] = dy[n, j], \\quad r^* = \\arg\\max_r x[n, j k + r]

    Examples
    --------
    >>> import numpy as np
    >>> channel_pool_backward(np.array([[1., 2]]), np.array([[1., 4, 3, 2]]), 2)
    array([[0., 1., 2., 0.]])
    """
    x = float_input(x, "channel_pool_backward")
    k = _channel_groups(x.shape, pool_size, "channel_pool_backward")
    grouped = x.reshape((x.shape[0], -1, k) + x.shape[2:])
    arg = grouped.argmax(axis=2)
    onehot = np.arange(k).reshape((1, 1, k) + (1,) * (x.ndim - 2)) == arg[:, :, None]
    return (onehot * np.asarray(dy, dtype=x.dtype)[:, :, None]).reshape(x.shape)


def _channel_groups(shape, pool_size, func):
    k = positive_int(pool_size, "pool_size", func)
    if len(shape) < 2 or shape[1] % k:
        raise ShapeError(f"{func}: the channel count must be divisible by pool_size {k}; "
                         f"got input shape {tuple(shape)}")
    return k


# ----------------------------------------------------------------------------- dense, activations
def dense(x, weight, bias=None):
    """Fully connected map ``x @ weight.T + bias``, weight ``(out, in)``.

    Parameters
    ----------
    x : array_like, shape (N, in)
    weight : array_like, shape (out, in)
    bias : array_like, shape (out,), optional

    Returns
    -------
    ndarray, shape (N, out)

    Notes
    -----
    .. math:: y[n, o] = b_o + \\sum_i x[n, i] W[o, i]

    Examples
    --------
    >>> import numpy as np
    >>> dense(np.array([[1., 2]]), np.array([[1., 1], [0, 1]]), np.array([0., 10]))
    array([[ 3., 12.]])
    """
    y = np.asarray(x) @ np.asarray(weight).T
    return y if bias is None else y + bias


def relu(x):
    """``max(x, 0)``.

    Parameters
    ----------
    x : array_like

    Returns
    -------
    ndarray

    Notes
    -----
    .. math:: \\mathrm{relu}(x) = \\max(x, 0)

    Examples
    --------
    >>> relu(np.array([-1., 2.]))
    array([0., 2.])
    """
    return np.maximum(x, 0)


def leaky_relu(x, alpha=0.01):
    """``x`` where positive, ``alpha * x`` elsewhere.

    Parameters
    ----------
    x : array_like
    alpha : float

    Returns
    -------
    ndarray

    Notes
    -----
    .. math:: f(x) = \\max(x, 0) + \\alpha \\min(x, 0)

    Examples
    --------
    >>> leaky_relu(np.array([-10., 2.]), 0.5)
    array([-5.,  2.])
    """
    x = np.asarray(x)
    return np.where(x > 0, x, x * np.asarray(alpha, dtype=x.dtype))


def sigmoid(x):
    """The logistic function, computed without overflow for large ``|x|``.

    Parameters
    ----------
    x : array_like

    Returns
    -------
    ndarray

    Notes
    -----
    .. math:: \\sigma(x) = 1 / (1 + e^{-x}) = (1 + \\tanh(x/2)) / 2

    Examples
    --------
    >>> sigmoid(np.array([0., 1000.]))
    array([0.5, 1. ])
    """
    x = np.asarray(x)
    return 0.5 * (1 + np.tanh(0.5 * x))


def tanh(x):
    """Hyperbolic tangent.

    Parameters
    ----------
    x : array_like

    Returns
    -------
    ndarray

    Notes
    -----
    .. math:: \\tanh x = (e^x - e^{-x}) / (e^x + e^{-x})

    Examples
    --------
    >>> tanh(np.array([0.]))
    array([0.])
    """
    return np.tanh(x)


def softmax(z, axis=-1):
    """Softmax along ``axis``, shifted by the maximum so it never overflows.

    Parameters
    ----------
    z : array_like
    axis : int

    Returns
    -------
    ndarray

    Notes
    -----
    .. math:: \\mathrm{softmax}(z)_j = e^{z_j - \\max z} / \\sum_k e^{z_k - \\max z}

    Examples
    --------
    >>> softmax(np.array([0., 0., 1000.]))
    array([0., 0., 1.])
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
