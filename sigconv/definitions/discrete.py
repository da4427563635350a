"""The discrete definitions, slow and readable: the oracle every engine is tested against.

Nothing here is fast or clever.  Each function loops over output samples and sums the
defining products in Python, accumulating in Python numbers (exact for integers, and
``math.fsum``-exact for floats), so the results are an independent reference.
"""

import itertools
import math

import numpy as np

__all__ = ["convolve", "correlate", "convolve1d", "correlate1d", "centered_correlate",
           "textbook_offset"]


def convolve1d(u, w):
    """Full 1-D convolution ``s_t = sum_a u_a w_{t-a}``.

    Notes
    -----
    .. math:: s_t = \\sum_{a} u_a \\, w_{t-a}, \\qquad t = 0, \\dots, n + k - 2

    Examples
    --------
    >>> convolve1d([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    return convolve(np.asarray(u).reshape(-1), np.asarray(w).reshape(-1))


def correlate1d(u, w):
    """Full 1-D cross-correlation ``c_t = sum_a u_{a+t-(k-1)} conj(w_a)``.

    Examples
    --------
    >>> correlate1d([1, -3, 4, 4, 2], [-1, 1, 2])
    array([ 2, -5,  4, 15,  4, -2, -2])
    """
    return correlate(np.asarray(u).reshape(-1), np.asarray(w).reshape(-1))


def convolve(u, w):
    """Full N-D convolution ``s[t] = sum_a u[a] w[t - a]`` over every index ``t``.

    Notes
    -----
    .. math:: s[\\mathbf t] = \\sum_{\\mathbf a} u[\\mathbf a]\\, w[\\mathbf t - \\mathbf a]

    with ``w`` taken as zero outside its support; the output has shape ``n + k - 1``.

    Examples
    --------
    >>> convolve([[1, 2], [3, 4]], [[1, 1]])
    array([[1, 3, 2],
           [3, 7, 4]])
    """
    u, w = np.asarray(u), np.asarray(w)
    if u.ndim != w.ndim:
        raise ValueError(f"u and w need the same dimensionality: {u.shape} vs {w.shape}")
    shape = tuple(n + k - 1 for n, k in zip(u.shape, w.shape))
    out = _empty(shape, u, w)
    for t in itertools.product(*(range(s) for s in shape)):
        terms = []
        for a in itertools.product(*(range(n) for n in u.shape)):
            j = tuple(ti - ai for ti, ai in zip(t, a))
            if all(0 <= jj < k for jj, k in zip(j, w.shape)):
                terms.append(_py(u[a]) * _py(w[j]))
        out[t] = _sum(terms)
    return out


def correlate(u, w):
    """Full N-D cross-correlation ``c[t] = sum_a u[a + t - (k - 1)] conj(w[a])``.

    Output index ``t`` runs over ``n + k - 1`` lags per axis, from ``-(k-1)`` (at 0) to
    ``n-1``, as in scipy.signal.correlate.

    Examples
    --------
    >>> correlate([1, 2, 3], [1, 1j])
    array([0.-1.j, 1.-2.j, 2.-3.j, 3.+0.j])
    """
    u, w = np.asarray(u), np.asarray(w)
    if u.ndim != w.ndim:
        raise ValueError(f"u and w need the same dimensionality: {u.shape} vs {w.shape}")
    shape = tuple(n + k - 1 for n, k in zip(u.shape, w.shape))
    out = _empty(shape, u, w)
    for t in itertools.product(*(range(s) for s in shape)):
        terms = []
        for a in itertools.product(*(range(k) for k in w.shape)):
            i = tuple(ti + ai - (k - 1) for ti, ai, k in zip(t, a, w.shape))
            if all(0 <= ii < n for ii, n in zip(i, u.shape)):
                terms.append(_py(u[i]) * _py(np.conj(w[a])))
        out[t] = _sum(terms)
    return out


def textbook_offset(n_prime, K):
    """The textbook centring ``delta(n', K) = n' - floor((K + 1) / 2)`` (1-based ``n'``).

    Examples
    --------
    >>> [textbook_offset(n, 3) for n in (1, 2, 3)]
    [-1, 0, 1]
    """
    return n_prime - (K + 1) // 2


def centered_correlate(u, w):
    """The textbook centred correlation ``S_i = sum_n' u[i + delta(n', K)] w[n']``, same size.

    Written with 1-based kernel indices ``n' = 1..K`` per axis and zero outside ``u``; it
    equals ``sigconv.correlate(u, w, 'same')`` for odd kernels, and anchors even kernels at
    tap ``(K-1)//2`` (0-based).

    Examples
    --------
    >>> centered_correlate([1, -3, 4, 4, 2], [-1, 1, 2])
    array([-5,  4, 15,  4, -2])
    """
    u, w = np.asarray(u), np.asarray(w)
    out = _empty(u.shape, u, w)
    for i in itertools.product(*(range(n) for n in u.shape)):
        terms = []
        for np1 in itertools.product(*(range(1, k + 1) for k in w.shape)):
            j = tuple(ii + textbook_offset(p, k) for ii, p, k in zip(i, np1, w.shape))
            if all(0 <= jj < n for jj, n in zip(j, u.shape)):
                terms.append(_py(u[j]) * _py(np.conj(w[tuple(p - 1 for p in np1)])))
        out[i] = _sum(terms)
    return out


def _empty(shape, u, w):
    kinds = {u.dtype.kind, w.dtype.kind}
    if kinds <= set("biu"):
        return np.zeros(shape, dtype=object if _needs_object(u, w) else np.int64)
    dt = np.result_type(u.dtype, w.dtype, np.float64)
    return np.zeros(shape, dtype=dt)


def _needs_object(u, w):
    if u.size == 0 or w.size == 0:
        return False
    bound = max(abs(int(u.max())), abs(int(u.min()))) * int(np.abs(w.astype(object)).sum())
    return bound >= 2 ** 63


_LONG = (np.longdouble, np.clongdouble)     # .item() and math.fsum would round to double


def _py(v):
    if isinstance(v, _LONG):
        return v
    v = v.item() if hasattr(v, "item") else v
    return int(v) if isinstance(v, bool) else v


def _sum(terms):
    if not terms:
        return 0
    if all(isinstance(t, int) for t in terms):
        return sum(terms)
    if any(isinstance(t, _LONG) for t in terms):
        return np.array(terms).sum()
    if any(isinstance(t, complex) for t in terms):
        return complex(math.fsum(t.real for t in terms), math.fsum(t.imag for t in terms))
    return math.fsum(terms)
