"""Pooling ops of ``sigconv.nn.functional`` (max, average, Lp and channel maxout), N-D."""

import numpy as np

from .._errors import ShapeError
from .._validate import positive_int
from . import _pool
from ._args import conv_out_spatial, float_input, tuple_arg

__all__ = ["max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward",
           "lp_pool", "lp_pool_backward", "channel_pool", "channel_pool_backward"]


def _pool_geometry(x_shape, kernel_size, stride, padding, func):
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
    x : array_like, shape ``(N, C, *spatial)``
    kernel_size, stride, padding : int or tuple of int
        ``stride`` defaults to ``kernel_size``; padding (``-inf``) at most half a window.

    Returns
    -------
    ndarray, shape ``(N, C, *out)``

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
    k, s, p, out = _pool_geometry(x.shape, kernel_size, stride, padding, "max_pool")
    return _pool.max_forward(x, k, s, p, out)[0]


def max_pool_backward(dy, x, kernel_size, *, stride=None, padding=0):
    """Gradient of :func:`max_pool`: ``dy`` routed to the first maximum of each window.

    Parameters
    ----------
    dy : array_like, shape ``(N, C, *out)``
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
    k, s, p, out = _pool_geometry(x.shape, kernel_size, stride, padding, "max_pool_backward")
    _, arg = _pool.max_forward(x, k, s, p, out)
    return _pool.max_backward(np.asarray(dy, dtype=x.dtype), arg, x.shape, k, s, p)


def avg_pool(x, kernel_size, *, stride=None, padding=0):
    """Mean over each window; zero padding counts in the mean (PyTorch's default).

    Parameters
    ----------
    x : array_like, shape ``(N, C, *spatial)``
    kernel_size, stride, padding : int or tuple of int

    Returns
    -------
    ndarray, shape ``(N, C, *out)``

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
    k, s, p, out = _pool_geometry(x.shape, kernel_size, stride, padding, "avg_pool")
    return _pool.avg_forward(x, k, s, p, out)


def avg_pool_backward(dy, x, kernel_size, *, stride=None, padding=0):
    """Gradient of :func:`avg_pool`: ``dy / |K|`` spread over each window.

    Parameters
    ----------
    dy : array_like, shape ``(N, C, *out)``
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
    k, s, p, _ = _pool_geometry(x.shape, kernel_size, stride, padding, "avg_pool_backward")
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
    x : array_like, shape ``(N, C, *spatial)``
    p : float >= 1
    kernel_size, stride : int or tuple of int

    Returns
    -------
    ndarray, shape ``(N, C, *out)``

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
    k, s, _, out = _pool_geometry(x.shape, kernel_size, stride, 0, "lp_pool")
    return _pool.lp_forward(x, p, k, s, out)[0]


def lp_pool_backward(dy, x, p, kernel_size, *, stride=None):
    """Gradient of :func:`lp_pool` (0 for windows that are entirely 0).

    Parameters
    ----------
    dy : array_like, shape ``(N, C, *out)``
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
    k, s, _, out = _pool_geometry(x.shape, kernel_size, stride, 0, "lp_pool_backward")
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
