"""scipy.signal-named functions with scipy's semantics, on sigconv's engines.

``fftconvolve``, ``oaconvolve``, ``convolve2d``, ``correlate2d`` and ``correlation_lags``
take scipy.signal's arguments and return scipy.signal's values, shapes and dtypes, so
``from sigconv import fftconvolve`` is a drop-in change.  Where scipy is silently wrong,
sigconv raises instead: an integer result that does not fit scipy's result dtype (the
inputs' ``np.result_type``) raises ``IntegerOverflowError`` where scipy wraps around,
naming a wider dtype to pass as ``out_dtype``, a keyword scipy does not have.  bool and
float16 inputs, which scipy's ``convolve2d`` rejects, are accepted (counts in int64;
float32).  docs/conventions.rst lists every difference.
"""

from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _missing, _validate as V
from ._convolve import _call

BOUNDARIES_2D = {"fill": "constant", "pad": "constant", "wrap": "wrap", "circular": "wrap",
                 "symm": "reflect", "symmetric": "reflect"}

_OUT_DTYPE = """out_dtype : dtype, optional
        sigconv's addition: the dtype of the result, which integers saturate at (by
        default an integer result that does not fit raises ``IntegerOverflowError``)."""


def fftconvolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
                axes: Optional[Union[int, Sequence[int]]] = None, *,
                out_dtype: DTypeLike = None, mask: Optional[ArrayLike] = None,
                nan_policy: str = "propagate", preserve_nan: bool = False,
                min_weight: Optional[float] = None, return_weights: bool = False):
    """Convolve two N-D arrays using FFT, as ``scipy.signal.fftconvolve``.

    Integer and bool inputs give float64 (as in scipy), except where every convolved
    axis of one input has a single sample: then, as in scipy, the result is the product
    ``in1 * in2`` in its integer dtype (computed exactly).  float32 stays float32.

    Parameters
    ----------
    in1, in2 : array_like
    mode : {'full', 'valid', 'same'}
        'same' gives ``in1``'s shape on every axis, as in scipy (on an axis that is not
        convolved and where ``in1`` has one sample, the middle one of ``in2``'s).
    axes : int or sequence of int, optional
    {out_dtype}
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
    >>> fftconvolve([1, 2, 3], [2])
    array([2, 4, 6])
    """
    missing = dict(mask=mask, nan_policy=nan_policy, preserve_nan=preserve_nan,
                   min_weight=min_weight, return_weights=return_weights)
    return _transform_convolve(in1, in2, mode, axes, out_dtype, "fftconvolve", missing)


def oaconvolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
               axes: Optional[Union[int, Sequence[int]]] = None, *,
               out_dtype: DTypeLike = None, mask: Optional[ArrayLike] = None,
               nan_policy: str = "propagate", preserve_nan: bool = False,
               min_weight: Optional[float] = None, return_weights: bool = False):
    """Convolve two N-D arrays using overlap-add, as ``scipy.signal.oaconvolve``.

    Takes the arguments of :func:`fftconvolve` (missing-data keywords included) and gives
    its values, shapes and dtypes.

    Examples
    --------
    >>> from sigconv import oaconvolve
    >>> oaconvolve([1, 2, 3], [1, 1], mode='same').round(12)
    array([1., 3., 5.])
    """
    missing = dict(mask=mask, nan_policy=nan_policy, preserve_nan=preserve_nan,
                   min_weight=min_weight, return_weights=return_weights)
    return _transform_convolve(in1, in2, mode, axes, out_dtype, "oaconvolve", missing, "oa")


def _transform_convolve(in1, in2, mode, axes, out_dtype, func, missing, method="fft"):
    """scipy's fftconvolve: axes where either input has one sample are not transformed
    but broadcast (with all such axes the result is the product ``in1 * in2``, which
    keeps integer dtypes), integers are transformed as float64, and 'same' gives
    ``in1``'s shape on every axis (on a broadcast axis, the middle of the broadcast).
    Missing data goes through :func:`sigconv.convolve`'s stage on ``method``."""
    if missing["nan_policy"] != "propagate" or _missing.requested(in1, **missing):
        return _call("convolve", in1, in2, mode, method, axes, "constant", 0, "scipy", 1, 1,
                     out_dtype, workers=None, func=func, **missing)
    a = V.as_numeric_array(in1, "in1", func)
    b = V.as_numeric_array(in2, "in2", func)
    mode = V.one_of(mode, V.MODES, "mode", func)
    if a.ndim == b.ndim == 0:
        return _run("convolve", a, b, "full", func, out_dtype=out_dtype)
    V.same_ndim(a, b, func)
    if a.size == 0 or b.size == 0:
        return np.array([])
    axes = V.axes_tuple(axes, a.ndim, func)
    transformed = tuple(ax for ax in axes if a.shape[ax] != 1 and b.shape[ax] != 1)
    if mode == "same":
        b = b[tuple(slice((m - 1) // 2, (m + 1) // 2) if n == 1 and ax not in transformed
                    else slice(None) for ax, (n, m) in enumerate(zip(a.shape, b.shape)))]
    if not transformed:
        return _run("convolve", a, b, "same" if mode == "same" else "full", func, "direct",
                    axes=axes, out_dtype=out_dtype)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if b.dtype.kind in "biu":
        b = b.astype(np.float64)
    return _run("convolve", a, b, mode, func, method, axes=transformed, out_dtype=out_dtype)


def convolve2d(in1: ArrayLike, in2: ArrayLike, mode: str = "full", boundary: str = "fill",
               fillvalue: complex = 0, *, out_dtype: DTypeLike = None) -> np.ndarray:
    """Convolve two 2-D arrays, as ``scipy.signal.convolve2d``.

    Parameters
    ----------
    in1, in2 : array_like, 2-D
    mode : {'full', 'valid', 'same'}
    boundary : {'fill', 'wrap', 'symm'}
        Also ``'pad'``, ``'circular'``, ``'symmetric'``, as in scipy.
    fillvalue : scalar
        An integer for integer inputs (scipy truncates ``1.5`` to ``1``; sigconv raises
        ``ValueError``).
    {out_dtype}

    Returns
    -------
    ndarray
        The result in ``np.result_type(in1, in2)``, computed exactly for integers.

    Notes
    -----
    As scipy's, the result is a direct sum (threaded; separable kernels run as 1-D
    passes, split only into exact factors when their entries are integers), so
    integer-valued floats give exact integers.  For large kernels
    ``sigconv.convolve(in1, in2, mode, boundary=..., fillvalue=...)``, whose
    ``method='auto'`` may choose an FFT, can be much faster (a ``PerformanceWarning``
    says when the direct sum is expected to take over 10 s).

    Examples
    --------
    >>> from sigconv import convolve2d
    >>> convolve2d([[1, 2], [3, 4]], [[1, 1]])
    array([[1, 3, 2],
           [3, 7, 4]])
    """
    return _two_d("convolve", in1, in2, mode, boundary, fillvalue, out_dtype, "convolve2d")


def correlate2d(in1: ArrayLike, in2: ArrayLike, mode: str = "full", boundary: str = "fill",
                fillvalue: complex = 0, *, out_dtype: DTypeLike = None) -> np.ndarray:
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
    return _two_d("correlate", in1, in2, mode, boundary, fillvalue, out_dtype, "correlate2d")


def _two_d(op, in1, in2, mode, boundary, fillvalue, out_dtype, func):
    a = V.as_numeric_array(in1, "in1", func)
    b = V.as_numeric_array(in2, "in2", func)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"{func}: inputs must both be 2-D arrays; got shapes {a.shape} "
                         f"and {b.shape}")
    bnd = V.one_of(boundary, tuple(BOUNDARIES_2D), "boundary", func)
    fill = np.asarray(fillvalue)
    if fill.size != 1:
        raise ValueError(f"{func}: `fillvalue` must be scalar or an array with one element; "
                         f"got shape {fill.shape}")
    fill = fill.reshape(())[()]
    if op == "correlate" and mode == "valid" and not all(
            n >= k for n, k in zip(a.shape, b.shape)):
        return _run(op, b, a, mode, func, "direct", out_dtype=out_dtype)[::-1, ::-1].copy()
    # scipy's correlate2d anchors 'same' at tap (k-1)//2, unlike scipy.signal.correlate
    center = tuple((k - 1) // 2 for k in b.shape) if op == "correlate" and b.size else "scipy"
    return _run(op, a, b, mode, func, "direct", boundary=BOUNDARIES_2D[bnd], fillvalue=fill,
                center=center, out_dtype=out_dtype)


def _run(op, a, b, mode, func, method="auto", *, axes=None, boundary="constant",
         fillvalue=0, center="scipy", out_dtype=None):
    """``op`` ('convolve' or 'correlate') through the pipeline, messages naming ``func``."""
    return _call(op, a, b, mode, method, axes, boundary, fillvalue, center, 1, 1, out_dtype,
                 "propagate", None, func=func)


for _f in (fftconvolve, oaconvolve, convolve2d):
    _f.__doc__ = _f.__doc__.replace("{out_dtype}", _OUT_DTYPE)


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
    if mode not in V.MODES:         # scipy's words, then the values allowed
        raise ValueError(f"correlation_lags: Mode {mode} is invalid; mode must be one of "
                         f"{', '.join(map(repr, V.MODES))}")
    if mode == "full":
        return np.arange(-(k - 1), n)
    if mode == "same":
        return np.arange(n) + (k - 1) // 2 - (k - 1)
    return np.arange(n - k + 1) if n >= k else np.arange(n - k, 1)
