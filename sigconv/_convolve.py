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

from . import _pipeline as P
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
    * dtypes: integer and bool inputs give exact ``int64`` results on every method (bool
      counts: ``[T, T] * [T, T] = [1, 2, 1]``), ``uint64`` when both are unsigned and the
      result needs it; a result that can exceed 64 bits raises ``IntegerOverflowError``.
      float16 computes in float32, float32 stays float32, complex stays complex, long
      double stays long double.  ``out_dtype`` casts the result, saturating integers.
    * Non-finite inputs: with ``nan_policy='propagate'`` a NaN or inf stays local, as in the
      defining sum: transform methods are replaced by the direct method (with a
      ``NonFiniteFFTWarning`` when a transform method was asked for explicitly).
      ``nan_policy='raise'`` raises ``ValueError``.
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
             workers: Optional[int] = None) -> np.ndarray:
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
        Cast of the result (integers saturate).
    nan_policy : {'propagate', 'raise'}
    workers : int, optional
        Threads to use (default: the cores available, where the work is large enough).

    Returns
    -------
    ndarray
        A new array.
    {notes}
    Examples
    --------
    >>> import sigconv
    >>> sigconv.convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> sigconv.convolve([True, True], [True, True])
    array([1, 2, 1])
    >>> sigconv.convolve([1, 2, 3, 4], [1, 1, 1], mode='same', boundary='reflect')
    array([ 4,  6,  9, 11])
    """
    return _call("convolve", in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                 dilation, out_dtype, nan_policy, workers)


def correlate(in1: ArrayLike, in2: ArrayLike, mode: str = "full", method: str = "auto", *,
              axes: Optional[Union[int, Sequence[int]]] = None, boundary: str = "constant",
              fillvalue: complex = 0, center: Union[str, int, Sequence[int]] = "scipy",
              stride: Union[int, Sequence[int]] = 1, dilation: Union[int, Sequence[int]] = 1,
              out_dtype: DTypeLike = None, nan_policy: str = "propagate",
              workers: Optional[int] = None) -> np.ndarray:
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
                 dilation, out_dtype, nan_policy, workers)


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
                dilation=1, out_dtype=None, nan_policy="propagate", workers=None)
    unknown = set(options) - set(args)
    if unknown:
        raise TypeError(f"choose_method: unexpected keyword argument(s) {sorted(unknown)}")
    args.update(options)
    plan = make_plan(op, in1, in2, mode, "auto", func="choose_method", **args)
    choice = P.choose(plan)
    if not choice.estimates:            # the model was skipped: report it anyway
        choice = dataclasses.replace(choice, estimates=P.estimates(plan))
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
          out_dtype, nan_policy, workers):
    plan = make_plan(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                     dilation, out_dtype, nan_policy, workers)
    return P.run(plan)
