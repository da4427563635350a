"""The public functions ``convolve``, ``correlate`` and ``choose_method``.

Signatures and documentation only: each call is planned (:func:`sigconv._plan.make_plan`)
and run through the pipeline (:mod:`sigconv._pipeline`).
"""

import dataclasses
import math
import time
from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _missing, _pipeline as P, _routes as R, _runtime
from ._pipeline import MethodChoice
from ._plan import make_plan

__all__ = ["convolve", "correlate", "choose_method", "MethodChoice"]

_NOTES = """
    Notes
    -----
    Conventions (shared by every function of sigconv):

    * ``convolve`` flips the kernel, ``correlate`` does not and conjugates ``in2``
      (scipy.signal).  ``mode='full'`` gives ``n + k - 1`` samples, ``'same'`` the size of
      ``in1``, ``'valid'`` ``n - k + 1``; in 'valid' mode, as in scipy, the inputs are
      swapped when ``in2`` is at least as large as ``in1`` on every axis (not with
      ``dilation > 1``, where the kernel role is fixed).
    * ``center`` picks the *anchor*, the kernel tap that sits on each output sample of
      ``'same'`` mode: ``'scipy'`` is ``(k-1)//2`` for convolve and ``k//2`` for correlate
      (scipy.signal, numpy); ``'ndimage'`` is ``k//2`` for both (scipy.ndimage with
      origin 0, MATLAB ``conv(...,'same')``); an int or tuple names the tap.  They differ
      only for even kernels.
    * ``boundary`` uses scipy.ndimage's names on every method: ``constant`` (``fillvalue``),
      ``reflect`` (dcba|abcd), ``mirror`` (dcb|abcd), ``nearest`` (aaa|abcd), ``wrap``;
      aliases ``fill``/``zeros``, ``symm``/``symmetric``, ``edge``/``replicate``,
      ``circular``/``periodic``.  The input is extended, then the valid part is computed.
    * ``stride`` and ``dilation`` give ``floor((n + pad - dilation*(k-1) - 1)/stride) + 1``
      samples; a stride that does not divide the extent drops the remainder (the floor).
    * dtypes: the result has scipy.signal's dtype, ``np.result_type(in1, in2)``, except
      that bool with bool counts in int64 (``[T, T] * [T, T] = [1, 2, 1]``) and float16
      gives float32.  Integers are computed exactly on every method, and a result that
      does not fit the result dtype raises ``IntegerOverflowError`` naming an
      ``out_dtype`` that holds it (scipy wraps around); one that can exceed 64 bits
      raises before any work.  ``out_dtype`` casts the result, saturating integers.
      0-d inputs give a numpy scalar, as in scipy.
    * Non-finite inputs: with ``nan_policy='propagate'`` a NaN or inf stays local, as in the
      defining sum: transform methods are replaced by the direct method (with a
      ``NonFiniteFFTWarning`` when a transform method was asked for explicitly).
      ``nan_policy='raise'`` raises ``ValueError``.
    * Missing data (``mask``, ``nan_policy='interpolate'`` or ``'fill'``): a sample is
      missing when ``mask`` marks it or, under those two policies, when it is not
      finite; masked samples are interpolated unless ``nan_policy='fill'``.  With ``m``
      the validity of the extended input (1 valid, 0 missing) and ``x0`` the input with
      missing samples set to 0, ``'interpolate'`` is normalized convolution,
      ``y = sum(K) * (K * x0) / (K * m)`` (with nothing missing, plain convolution: give
      a normalized kernel for weighted means), and ``'fill'`` is ``K * x_f`` with missing
      samples replaced by ``fillvalue``.  Missing values never reach an output, on any
      method.  Where the weight ``(K * m) / sum(K)`` is below ``min_weight`` in
      magnitude, or (interpolation) below ``sqrt(eps) * sum|K| / |sum K|`` (no data),
      the output is NaN.  ``constant`` extends the input with valid samples of value
      ``fillvalue``, or missing ones when it is NaN; the other boundaries extend the
      mask with the values.  Results are floating point (float64 for integer inputs).
      See docs/conventions.rst, "Missing data".
    * The result is always a new array; inputs are never written.
    * Results are deterministic: the same inputs and options give bit-identical results
      on every call, from any thread, and in every process with the same calibration and
      FFTW wisdom (``sigconv tune``); ``sigconv.set_options(planner_effort='measure')``
      trades that for FFTW plans measured at a shape's first call.
"""


def convolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full", method: str = "auto", *,
             axes: Optional[Union[int, Sequence[int]]] = None, boundary: str = "constant",
             fillvalue: complex = 0, center: Union[str, int, Sequence[int]] = "scipy",
             stride: Union[int, Sequence[int]] = 1, dilation: Union[int, Sequence[int]] = 1,
             out_dtype: DTypeLike = None, nan_policy: str = "propagate",
             workers: Optional[int] = None, mask: Optional[ArrayLike] = None,
             preserve_nan: bool = False, min_weight: Optional[float] = None,
             return_weights: bool = False):
    """Convolve two N-D arrays: ``s[t] = sum_a in1[a] * in2[t - a]``.

    Parameters
    ----------
    in1, in2 : array_like
        Input and kernel, with the same number of dimensions.
    mode : {'full', 'same', 'valid'}
        Output extent (see Notes).
    method : {'auto', 'direct', 'fft', 'oa', 'os'}
        ``'direct'`` sums the products (threaded, cache-blocked, separable kernels split
        into 1-D passes; with two or more axes on OpenCV's compiled filters when it is
        installed, see :mod:`sigconv.engines.opencv`); ``'fft'`` multiplies spectra (FFTW through pyFFTW);
        ``'oa'``/``'os'`` are overlap-add/overlap-save in blocks.  ``'auto'`` picks the
        method the cost model expects to be fastest among those exact enough and within
        the memory limit (``sigconv.set_options(max_memory=...)``), see
        :func:`choose_method`.
    axes : int or sequence of int, optional
        Axes to convolve over (default all); the other axes must match or be 1 and are
        broadcast as a batch.
    boundary : str
        How ``in1`` is extended beyond its edges for 'full' and 'same' modes.
    fillvalue : scalar
        Value outside ``in1`` for ``boundary='constant'``.
    center : {'scipy', 'ndimage'} or int or tuple of int
        Anchor of 'same' mode.
    stride, dilation : int or tuple of int
        Output step and kernel tap spacing, per convolution axis.
    out_dtype : dtype, optional
        dtype of the result: the exact result cast (integers round and saturate).
    nan_policy : {'propagate', 'raise', 'interpolate', 'fill'}
        What a NaN or inf of ``in1`` does: ``'propagate'`` it spreads as in the defining
        sum, ``'raise'`` raises ValueError; ``'interpolate'`` and ``'fill'`` make it a
        missing sample (see Notes).
    workers : int, optional
        Threads to use (default: the cores available, where the work is large enough).
    mask : array_like of bool, optional
        True marks a missing sample of ``in1`` (the sense of ``numpy.ma`` and
        ``astropy.convolution``: astropy's ``mask=`` carries over as is; a validity map
        ``valid`` is ``mask=~valid``).  Shaped like ``in1`` or broadcasting to it.  A
        masked array ``in1`` adds its own mask.
    preserve_nan : bool
        Put NaN back at the missing samples (``mode='same'``, stride 1).
    min_weight : float, optional
        Outputs whose weight (below) is smaller in magnitude are NaN.
    return_weights : bool
        Also return the weights ``w = (K * m) / sum(K)``, the fraction of the kernel's
        mass on valid samples.

    Returns
    -------
    ndarray, or (ndarray, ndarray) with ``return_weights=True``
        A new array (and the weights, of the same shape, real).
    {notes}
    Examples
    --------
    >>> import numpy as np, sigconv
    >>> sigconv.convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> sigconv.convolve([True, True], [True, True])
    array([1, 2, 1])
    >>> a = np.array([100, 100], np.int8)
    >>> sigconv.convolve(a, a)
    Traceback (most recent call last):
    sigconv._errors.IntegerOverflowError: convolve: the result reaches 20000, outside the range of int8 (the result dtype of two int8 inputs, as in scipy.signal); pass out_dtype=np.int16 or a float dtype, or out_dtype=np.int8 to saturate at [-128, 127]
    >>> sigconv.convolve(a, a, out_dtype=np.int16)
    array([10000, 20000, 10000], dtype=int16)
    >>> sigconv.convolve([1, 2, 3, 4], [1, 1, 1], mode='same', boundary='reflect')
    array([ 4,  6,  9, 11])
    >>> x = [1.0, 2.0, float('nan'), 4.0, 5.0]
    >>> sigconv.convolve(x, [0.25, 0.5, 0.25], 'same', nan_policy='interpolate').round(4)
    array([1.    , 1.6667, 3.    , 4.3333, 3.5   ])
    >>> sigconv.convolve(x, [0.25, 0.5, 0.25], 'same', nan_policy='fill',
    ...                  return_weights=True)
    (array([1.  , 1.25, 1.5 , 3.25, 3.5 ]), array([1.  , 0.75, 0.5 , 0.75, 1.  ]))
    """
    return _call("convolve", in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                 dilation, out_dtype, nan_policy, workers, mask, preserve_nan, min_weight,
                 return_weights)


def correlate(in1: ArrayLike, in2: ArrayLike, mode: str = "full", method: str = "auto", *,
              axes: Optional[Union[int, Sequence[int]]] = None, boundary: str = "constant",
              fillvalue: complex = 0, center: Union[str, int, Sequence[int]] = "scipy",
              stride: Union[int, Sequence[int]] = 1, dilation: Union[int, Sequence[int]] = 1,
              out_dtype: DTypeLike = None, nan_policy: str = "propagate",
              workers: Optional[int] = None, mask: Optional[ArrayLike] = None,
              preserve_nan: bool = False, min_weight: Optional[float] = None,
              return_weights: bool = False):
    """Cross-correlate two N-D arrays: ``c[t] = sum_a in1[a + t] * conj(in2[a])``.

    Takes the same arguments as :func:`convolve`; ``correlate(a, b)`` equals
    ``convolve(a, flip(conj(b)))`` in every mode.

    Returns
    -------
    ndarray
        A new array.
    {notes}
    Examples
    --------
    >>> import sigconv
    >>> x, k = [1, -3, 4, 4, 2], [-1, 1, 2]
    >>> sigconv.correlate(x, k, 'valid')
    array([ 4, 15,  4])
    >>> sigconv.correlate(x, k, 'same')
    array([-5,  4, 15,  4, -2])
    """
    return _call("correlate", in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                 dilation, out_dtype, nan_policy, workers, mask, preserve_nan, min_weight,
                 return_weights)


convolve.__doc__ = convolve.__doc__.replace("{notes}", _NOTES)
correlate.__doc__ = correlate.__doc__.replace("{notes}", _NOTES)


def choose_method(in1: ArrayLike, in2: ArrayLike, mode: str = "full", *,
                  measure: bool = False, op: str = "convolve", **options) -> MethodChoice:
    """Pick the method ``convolve(in1, in2, mode, method='auto')`` would use, and say why.

    'auto' decides from a cost model (estimated seconds per method from the shapes and
    the machine's calibration, see ``sigconv tune``), never by timing the user's calls.
    ``measure=True`` is the explicit opt-in to timing: every admissible method runs on
    these inputs and the fastest is reported (nothing is remembered; pass its name as
    ``method=`` to use it).

    Parameters
    ----------
    in1, in2 : array_like
    mode : {'full', 'same', 'valid'}
    measure : bool
        Time every admissible method once on these inputs (after one untimed run that
        makes its FFTW plans) and choose the fastest.
    op : {'convolve', 'correlate'}
    **options
        Any keyword argument of :func:`convolve` (axes, boundary, stride, ...).

    Returns
    -------
    MethodChoice
        ``.method``, ``.reason`` and ``.estimates`` (seconds per method).

    Examples
    --------
    >>> import numpy as np, sigconv
    >>> sigconv.choose_method(np.ones(10), np.ones(3)).method
    'direct'
    >>> sigconv.choose_method(np.ones(100_000), np.ones(5_000)).method in ('fft', 'os')
    True
    >>> sigconv.choose_method(np.arange(10**6), np.arange(10**6)).reason
    'integer inputs this large would not be exact through an FFT'
    """
    if op not in ("convolve", "correlate"):
        raise ValueError(f"choose_method: op must be one of 'convolve', 'correlate'; got {op!r}")
    args = dict(axes=None, boundary="constant", fillvalue=0, center="scipy", stride=1,
                dilation=1, out_dtype=None, nan_policy="propagate", workers=None, mask=None,
                preserve_nan=False, min_weight=None, return_weights=False)
    unknown = set(options) - set(args)
    if unknown:
        raise TypeError(f"choose_method: unexpected keyword argument(s) {sorted(unknown)}")
    args.update(options)
    plan = make_plan(op, in1, in2, mode, "auto", func="choose_method", **args)
    if plan.missing is not None:      # the engines run the numerator and weights together
        plan = _missing.stacked_plan(plan)
    choice = P.choose(plan)             # (shared with later calls: copied before returning)
    est = P.estimates(plan)             # every method ('auto' may have skipped one)
    fits = choice.admissible if len(choice.admissible) < 2 else \
        tuple(m for m, t in est.items() if math.isfinite(t))
    choice = dataclasses.replace(choice, estimates=est, admissible=fits)
    if not measure or len(choice.admissible) < 2:
        return choice
    timings = {}
    for name in choice.admissible:
        P.execute(plan, name)                 # plans and spectra are made here, untimed
        t0 = time.perf_counter()
        P.execute(plan, name)
        timings[name] = time.perf_counter() - t0
    best = min(timings, key=timings.get)
    return MethodChoice(best, "fastest when timed on these inputs", timings,
                        choice.admissible)


def _call(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride, dilation,
          out_dtype, nan_policy, workers, mask=None, preserve_nan=False, min_weight=None,
          return_weights=False, func=None):
    """``op`` planned and run; messages name ``func`` (default ``op``).

    A call between two 1-D or two 2-D ndarrays first looks for a route remembered for its
    signature (:func:`sigconv._routes.route`): every argument but the arrays, the arrays'
    shapes and dtypes, and the calibration (for 1-D, then one remembered at another
    length of in1 that serves this one: :func:`sigconv._routes.lane`).  Arguments whose equal values of another type are
    not the same argument (``1``, ``1.0`` and ``True``) must be of the types a route is
    kept for; an unhashable one (a list) means no route.
    """
    key = None
    if (type(in1) is np.ndarray and type(in2) is np.ndarray and in1.ndim == in2.ndim
            and in1.ndim in (1, 2) and mask is None and out_dtype is None and axes is None
            and type(stride) is int and type(dilation) is int and type(fillvalue) is int
            and type(center) is str and (workers is None or type(workers) is int)):
        key = (op, func, in1.shape, in1.dtype, in2.shape, in2.dtype, mode, method, boundary,
               fillvalue, center, stride, dilation, nan_policy, workers, preserve_nan,
               min_weight, return_weights, _runtime.calibration())
        try:
            run = R.remembered(key)
            if run is None and in1.ndim == 1:
                run = R.lane(key)             # a route remembered at another length
        except TypeError:
            key = run = None
        if run:
            out = run(in1, in2)
            if out is not None:           # (None: not for these values; planned below)
                return out
    plan = make_plan(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                     dilation, out_dtype, nan_policy, workers, mask=mask,
                     preserve_nan=preserve_nan, min_weight=min_weight,
                     return_weights=return_weights, func=func)
    out = P.run(plan)
    if key is not None and run is None:         # a signature not seen before
        R.remember(key, op, plan, in1)
    if isinstance(out, tuple):
        return out
    return out[()] if out.ndim == 0 else out      # 0-d inputs: a numpy scalar, as scipy
