"""Dense map and elementwise activations of ``sigconv.nn.functional``."""

import numpy as np

from . import _parallel

__all__ = ["dense", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"]


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
    y = _parallel.matmul(np.asarray(x), np.asarray(weight).T)
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
    >>> import numpy as np
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
