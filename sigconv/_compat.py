"""scipy.signal-named functions with scipy's semantics, on sigconv's engines.

``fftconvolve``, ``oaconvolve``, ``convolve2d``, ``correlate2d`` and ``correlation_lags``
take scipy.signal's arguments and return scipy.signal's values, shapes and dtypes, so
``from sigconv import fftconvolve`` is a drop-in change.  Where scipy is silently wrong,
sigconv raises instead, and says so below: an integer ``convolve2d`` whose exact result
does not fit the input dtype raises ``IntegerOverflowError`` (scipy wraps around), and
bool and float16 inputs, which scipy's ``convolve2d`` rejects, are accepted (counts in
int64; float32).
"""

from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _missing, _validate as V
from ._convolve import convolve, correlate
from ._errors import IntegerOverflowError

BOUNDARIES_2D = {"fill": "constant", "pad": "constant", "wrap": "wrap", "circular": "wrap",
                 "symm": "reflect", "symmetric": "reflect"}


def fftconvolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
                axes: Optional[Union[int, Sequence[int]]] = None, *,
                mask: Optional[ArrayLike] = None, nan_policy: str = "propagate",
                preserve_nan: bool = False, min_weight: Optional[float] = None,
                return_weights: bool = False):
    """Convolve two N-D arrays using FFT, as ``scipy.signal.fftconvolve``.

    Integer and bool inputs give float64 (as in scipy); float32 stays float32.

    Parameters
    ----------
    in1, in2 : array_like
    mode : {'full', 'valid', 'same'}
    axes : int or sequence of int, optional
    mask, nan_policy, preserve_nan, min_weight, return_weights : optional
        Missing data (keyword only; scipy has none), as in :func:`sigconv.convolve`:
        masked and, with ``nan_policy='interpolate'``, non-finite samples of ``in1`` are
        interpolated by normalized convolution, on the FFT.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from sigconv import fftconvolve
    >>> fftconvolve([1, 2, 3], [1, 1]).round(12)
    array([1., 3., 5., 3.])
    """
    missing = dict(mask=mask, nan_policy=nan_policy, preserve_nan=preserve_nan,
                   min_weight=min_weight, return_weights=return_weights)
    return _transform_convolve(in1, in2, mode, axes, "fftconvolve", missing=missing)


def oaconvolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
               axes: Optional[Union[int, Sequence[int]]] = None, *,
               mask: Optional[ArrayLike] = None, nan_policy: str = "propagate",
               preserve_nan: bool = False, min_weight: Optional[float] = None,
               return_weights: bool = False):
    """Convolve two N-D arrays using overlap-add, as ``scipy.signal.oaconvolve``.

    Same values, shapes and dtypes as :func:`fftconvolve`, and the same missing-data
    keywords.

    Examples
    --------
    >>> from sigconv import oaconvolve
    >>> oaconvolve([1, 2, 3], [1, 1], mode='same').round(12)
    array([1., 3., 5.])
    """
    missing = dict(mask=mask, nan_policy=nan_policy, preserve_nan=preserve_nan,
                   min_weight=min_weight, return_weights=return_weights)
    return _transform_convolve(in1, in2, mode, axes, "oaconvolve", method="oa",
                               missing=missing)


def _transform_convolve(in1, in2, mode, axes, func, method="fft", missing=None):
    if missing["nan_policy"] != "propagate" or _missing.requested(in1, **missing):
        return convolve(in1, in2, mode, method, axes=axes, **missing)   # sigconv's checks
    a = V.as_numeric_array(in1, "in1", func)
    b = V.as_numeric_array(in2, "in2", func)
    if a.ndim == b.ndim == 0:
        return a * b
    V.same_ndim(a, b, func)
    if a.size == 0 or b.size == 0:
        return np.array([])
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if b.dtype.kind in "biu":
        b = b.astype(np.float64)
    return convolve(a, b, mode, method, axes=axes)


def convolve2d(in1: ArrayLike, in2: ArrayLike, mode: str = "full", boundary: str = "fill",
               fillvalue: complex = 0) -> np.ndarray:
    """Convolve two 2-D arrays, as ``scipy.signal.convolve2d``.

    Parameters
    ----------
    in1, in2 : array_like, 2-D
    mode : {'full', 'valid', 'same'}
    boundary : {'fill', 'wrap', 'symm'}
        Also ``'pad'``, ``'circular'``, ``'symmetric'``, as in scipy.
    fillvalue : scalar

    Returns
    -------
    ndarray
        The result in ``np.result_type(in1, in2)``, computed exactly for integers.

    Examples
    --------
    >>> from sigconv import convolve2d
    >>> convolve2d([[1, 2], [3, 4]], [[1, 1]])
    array([[1, 3, 2],
           [3, 7, 4]])
    """
    return _two_d(convolve, in1, in2, mode, boundary, fillvalue, "convolve2d")


def correlate2d(in1: ArrayLike, in2: ArrayLike, mode: str = "full", boundary: str = "fill",
                fillvalue: complex = 0) -> np.ndarray:
    """Cross-correlate two 2-D arrays, as ``scipy.signal.correlate2d``.

    Takes the same arguments as :func:`convolve2d`.  In 'valid' mode with ``in2`` the
    larger input, scipy swaps the inputs and reverses the result; so does this.  In 'same'
    mode scipy's ``correlate2d`` anchors an even kernel at tap ``(k-1)//2``, one tap left
    of ``scipy.signal.correlate`` (``k//2``); this reproduces ``correlate2d``
    (``sigconv.correlate(..., center=(k-1)//2)``).

    Examples
    --------
    >>> from sigconv import correlate2d
    >>> correlate2d([[1, 2], [3, 4]], [[1, 10]])
    array([[10, 21,  2],
           [30, 43,  4]])
    """
    return _two_d(correlate, in1, in2, mode, boundary, fillvalue, "correlate2d")


def _two_d(op, in1, in2, mode, boundary, fillvalue, func):
    a = V.as_numeric_array(in1, "in1", func)
    b = V.as_numeric_array(in2, "in2", func)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"{func}: inputs must both be 2-D arrays; got shapes {a.shape} "
                         f"and {b.shape}")
    bnd = V.one_of(boundary, tuple(BOUNDARIES_2D), "boundary", func)
    fill = np.asarray(fillvalue)
    if fill.size != 1:
        raise ValueError(f"{func}: fillvalue must be a scalar or an array with one element; "
                         f"got shape {fill.shape}")
    fill = fill.reshape(())[()]
    swap = (op is correlate and mode == "valid"
            and not all(n >= k for n, k in zip(a.shape, b.shape)))
    if swap:
        out = correlate(b, a, mode)[::-1, ::-1].copy()
    else:
        # scipy's correlate2d anchors 'same' at tap (k-1)//2, unlike scipy.signal.correlate
        center = tuple((k - 1) // 2 for k in b.shape) if op is correlate and b.size else "scipy"
        out = op(a, b, mode, boundary=BOUNDARIES_2D[bnd], fillvalue=fill, center=center)
    return _scipy_dtype(out, a.dtype, b.dtype, func)


def _scipy_dtype(out, dt1, dt2, func):
    """Cast an exact result to scipy's dtype for integers; refuse silent wrap-around."""
    if out.dtype.kind not in "iu" or dt1.kind == "b" or dt2.kind == "b":
        return out
    target = np.result_type(dt1, dt2)
    info = np.iinfo(target)
    if out.size and (out.min() < info.min or out.max() > info.max):
        raise IntegerOverflowError(
            f"{func}: the exact result spans [{out.min()}, {out.max()}], outside {target} "
            f"[{info.min}, {info.max}] (scipy would wrap around); convert the inputs to a "
            "wider dtype")
    return out.astype(target)


def correlation_lags(in1_len: int, in2_len: int, mode: str = "full") -> np.ndarray:
    """Lag indices of a 1-D cross-correlation, as ``scipy.signal.correlation_lags``.

    Sample ``i`` of ``correlate(in1, in2, mode)`` holds the lag ``lags[i]``: the shift of
    ``in2`` relative to ``in1``.  For 'same' mode with an odd ``in1_len`` and an even
    ``in2_len``, scipy's ``correlation_lags`` is off by one from what scipy's own
    ``correlate`` computes; this function returns the lags ``correlate`` really has.

    Parameters
    ----------
    in1_len, in2_len : int
    mode : {'full', 'same', 'valid'}

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> from sigconv import correlation_lags
    >>> correlation_lags(5, 3)
    array([-2, -1,  0,  1,  2,  3,  4])
    >>> correlation_lags(5, 3, 'same')
    array([-1,  0,  1,  2,  3])
    """
    n = V.positive_int(in1_len, "in1_len", "correlation_lags")
    k = V.positive_int(in2_len, "in2_len", "correlation_lags")
    mode = V.one_of(mode, V.MODES, "mode", "correlation_lags")
    if mode == "full":
        return np.arange(-(k - 1), n)
    if mode == "same":
        return np.arange(n) + (k - 1) // 2 - (k - 1)
    return np.arange(n - k + 1) if n >= k else np.arange(n - k, 1)
