"""``convolve``, ``correlate`` and ``choose_method``: validate -> choose -> engine -> finish."""

import math
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._errors import NonFiniteFFTWarning, PerformanceWarning, PrecisionWarning, ResourceLimitError
from ._padding import pad
from ._plan import Plan, make_plan, orient
from .engines import cost, direct, fft, overlap
from .fft.backend import memory_limit, option

ENGINES = {"direct": direct.correlate_valid, "fft": fft.correlate_valid,
           "os": overlap.correlate_valid_os, "oa": overlap.correlate_valid_oa}
TRANSFORM_METHODS = ("fft", "oa", "os")
_MEASURED = {}          # problem signature -> method that won when timed (measure=True)

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
        into 1-D passes); ``'fft'`` multiplies spectra (FFTW through pyFFTW);
        ``'oa'``/``'os'`` are overlap-add/overlap-save in blocks.  ``'auto'`` picks the
        fastest method that is exact enough and fits the memory limit
        (``sigconv.fft.set_options(max_memory=...)``), see :func:`choose_method`.
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


@dataclass
class MethodChoice:
    """What ``choose_method`` decided and why.

    Attributes
    ----------
    method : str
        The method that ``method='auto'`` runs.
    reason : str
        One sentence on why.
    estimates : dict
        Estimated (or, with ``measure=True``, measured) seconds per candidate method.
    """
    method: str
    reason: str
    estimates: dict = field(default_factory=dict)

    def __str__(self):
        return self.method


def choose_method(in1: ArrayLike, in2: ArrayLike, mode: str = "full", *,
                  measure: bool = False, op: str = "convolve", **options) -> "MethodChoice":
    """Pick the method ``convolve(in1, in2, mode, method='auto')`` would use, and say why.

    Parameters
    ----------
    in1, in2 : array_like
    mode : {'full', 'same', 'valid'}
    measure : bool
        Time every admissible method once on these inputs and choose the fastest (a
        transform method runs once untimed first, to make the measured FFTW plans it
        would run for good; the winner is remembered for inputs of this shape).
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
    >>> sigconv.choose_method(np.ones(100_000), np.ones(5_000)).method
    'fft'
    >>> sigconv.choose_method(np.arange(10**6), np.arange(10**6)).reason
    'integer inputs this large would not be exact through an FFT'
    """
    if op not in ("convolve", "correlate"):
        raise ValueError(f"choose_method: op must be one of 'convolve', 'correlate'; got {op!r}")
    plan = _plan(op, in1, in2, mode, "auto", options, "choose_method")
    choice = _choose(plan)
    candidates = [m for m, t in choice.estimates.items() if math.isfinite(t)]
    if measure and choice.method == "direct" and _transforms_refused(plan):
        candidates = ["direct"]
    if measure and choice.reason.startswith(_COST_REASON) and len(candidates) > 1 \
            and math.prod(plan.out_shape) and plan.x.size and plan.kernel.size:
        from .fft.plans import measured_planning
        timings = {}
        for name in candidates:
            with measured_planning():
                if name != "direct":
                    _engine_run(plan, name)         # plans made here are not timed
                t0 = time.perf_counter()
                _engine_run(plan, name)
                timings[name] = time.perf_counter() - t0
        best = min(timings, key=timings.get)
        _MEASURED[_signature(plan)] = best
        return MethodChoice(best, "fastest when timed on these inputs", timings)
    return choice


def _call(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride, dilation,
          out_dtype, nan_policy, workers):
    """``op`` of the public functions: a plain 1-D call takes the lane or its settled
    decision when it can, everything else the general path."""
    plain = _plain(in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                   dilation, out_dtype, nan_policy, workers)
    if plain:
        if _lane_size(in1, in2):
            return _lane(op, in1, in2, mode)
        out = _settled(op, in1, in2, mode)
        if out is not None:
            return out
    return _run(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                dilation, out_dtype, nan_policy, workers, remember=plain)


def _plan(op, in1, in2, mode, method, options, func):
    args = dict(axes=None, boundary="constant", fillvalue=0, center="scipy", stride=1,
                dilation=1, out_dtype=None, nan_policy="propagate", workers=None)
    unknown = set(options) - set(args)
    if unknown:
        raise TypeError(f"{func}: unexpected keyword argument(s) {sorted(unknown)}")
    args.update(options)
    return make_plan(op, in1, in2, mode, method, func=func, **args)


def _run(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride, dilation,
         out_dtype, nan_policy, workers, remember=False):
    plan = make_plan(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                     dilation, out_dtype, nan_policy, workers)
    if plan.x.ndim == 0:
        return _finish(plan, _scalar_product(plan))
    if math.prod(plan.out_shape) == 0 or plan.x.size == 0 or plan.kernel.size == 0:
        return _finish(plan, np.zeros(plan.out_shape, dtype=plan.compute_dtype))
    name = plan.method
    if name == "auto":
        choice = None if _small(plan) else _choose(plan)
        name = "direct" if choice is None else choice.method
        trial = None if choice is None else _trial(plan, choice)
        if trial is not None and trial[0] != "direct" and _transforms_refused(plan):
            trial = None
        if trial is not None:
            from .fft.plans import measured_planning, quick_planning
            trial, first = trial
            planned = _plans_made()
            with quick_planning() if first else measured_planning():
                t0 = time.perf_counter()
                out = _engine_run(plan, trial)
                seconds = time.perf_counter() - t0
            _record(plan, trial, seconds, _plans_made() == planned)
            return _finish(plan, out)
        if remember and choice is not None:
            _remember(op, in1, in2, mode, plan, choice)
    elif name in TRANSFORM_METHODS:
        name = _explicit_transform(plan, name)
    else:
        _explicit_direct(plan)
    return _finish(plan, _engine_run(plan, name))


#: multiply-adds up to which a plain 1-D call goes straight to numpy's compiled
#: correlation (real, complex): below this the whole computation costs less than
#: validating a general call.  Longer complex calls take the general path, whose direct
#: method shift-adds kernels under 64 taps in reused scratch buffers (complex128 3e4 x 3:
#: 0.10 ms against 0.14; 1e5 x 3: 0.24 ms against 0.43, four real correlations in pieces)
LANE_WORK = {"f": 1 << 20, "c": 1 << 16}
#: real kernels up to this many taps take that path at any signal length: below it no
#: transform method beats the (threaded) direct sum in 1-D
LANE_TAPS = 11
#: real kernels of ``direct.DOT_SLOW_TAPS`` (where numpy's correlation is slow) take the
#: lane only up to this many multiply-adds
LANE_SLOW_WORK = 1 << 15


def _lane_applies(in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                  dilation, out_dtype, nan_policy, workers):
    """True for the common small call: two 1-D arrays of one float or complex dtype,
    every option at its default (:func:`_plain`), and little work or a short kernel
    (:func:`_lane_size`).  Such a call is the direct sum whatever the cost model would
    say, so it skips the general validation (its results are the same)."""
    return _plain(in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
                  dilation, out_dtype, nan_policy, workers) and _lane_size(in1, in2)


def _plain(in1, in2, mode, method, axes, boundary, fillvalue, center, stride, dilation,
           out_dtype, nan_policy, workers):
    """Two non-empty 1-D arrays of one native float or complex dtype, method 'auto' and
    every option at its default: nothing to validate beyond the shapes."""
    if not (type(in1) is np.ndarray and type(in2) is np.ndarray
            and in1.ndim == 1 and in2.ndim == 1 and in1.dtype == in2.dtype
            and in1.dtype.char in "dfDF" and in1.dtype.isnative):
        return False
    if not (axes is None and out_dtype is None and workers is None
            and type(fillvalue) is int and fillvalue == 0
            and type(stride) is int and stride == 1 and type(dilation) is int and dilation == 1
            and _is(method, "auto") and _is(boundary, "constant") and _is(center, "scipy")
            and _is(nan_policy, "propagate") and mode in _LANE_MODES):
        return False
    return in1.shape[0] > 0 and in2.shape[0] > 0


def _lane_size(in1, in2):
    n, k = in1.shape[0], in2.shape[0]
    kind = in1.dtype.kind
    if kind == "c":
        return n * k <= LANE_WORK[kind]
    if k in direct.DOT_SLOW_TAPS:
        return n * k <= LANE_SLOW_WORK
    return n * k <= LANE_WORK[kind] or k <= LANE_TAPS


_LANE_MODES = ("full", "same", "valid")


def _is(value, name):
    return type(value) is str and value == name


def _lane(op, x, w, mode):
    """``op`` of two 1-D arrays through numpy's compiled correlation (direct sums)."""
    n, k = x.shape[0], w.shape[0]
    start, stop = (0, n + k - 1) if mode == "full" else \
        ((k - 1) // 2, (k - 1) // 2 + n) if mode == "same" else (min(n, k) - 1, max(n, k))
    if op == "convolve":
        return direct.dot_correlate(x, w[::-1], start, stop, workers=None)
    return direct.dot_correlate(x, w, start, stop, conjugate=True, workers=None)


#: Plain 1-D calls beyond the lane (:func:`_plain`) remember what 'auto' decided for
#: their shapes once the decision is settled (no autotuning under way): later calls of
#: those shapes build their plan from the remembered one and skip the cost model, which
#: made 'auto' about 25 us slower than naming its method (a fifth of a 10000-point call).
#: The checks of the values (non-finite entries, dynamic range) still run on every call.
#: An entry holds while the autotuned choice for the shapes (``_MEASURED``) is unchanged,
#: while the kernel has as many non-zero taps, and while every method's memory fits the
#: ``max_memory`` budget; otherwise the call takes the general path.
_SETTLED = {}


def _settled_key(op, x, w, mode):
    """(key of ``_SETTLED``, whether make_plan swaps the inputs) of a plain call."""
    swap = mode == "valid" and w.shape[0] > x.shape[0]     # scipy's rule, as make_plan
    taps = int(np.count_nonzero(x if swap else w))      # the direct sum's (cost.direct_taps)
    return (op, x.shape[0], w.shape[0], x.dtype.char, mode, taps, option("autotune")), swap


def _settled(op, x, w, mode):
    """The result of a plain call through its remembered decision, or None."""
    key, swap = _settled_key(op, x, w, mode)
    entry = _SETTLED.get(key)
    if entry is None:
        return None
    fields, name, sig, measured, need = entry
    if _MEASURED.get(sig) != measured or memory_limit() < need:
        return None
    xo, ko = orient(op, x, w, swap, (0,))
    plan = object.__new__(Plan)
    plan.__dict__.update(fields)
    plan.__dict__.update(x=xo, kernel=ko, inputs=(w, x) if swap else (x, w))
    if name != "direct" and _transforms_refused(plan):
        name = "direct"
    return _finish(plan, _engine_run(plan, name))


def _remember(op, x, w, mode, plan, choice):
    """Remember the settled decision of a plain call of ``x`` and ``w`` (``_SETTLED``)."""
    if not choice.reason.startswith((_COST_REASON, _TIMED_REASON)):
        return          # decided by the values (non-finite, dynamic range): not the shapes
    p, _ = _problem(plan)
    need = max(e.nbytes for e in cost.estimates(p, math.inf).values())
    if need > memory_limit():
        return
    key, _ = _settled_key(op, x, w, mode)
    sig = _signature(plan)
    fields = {f: v for f, v in plan.__dict__.items()
              if f not in ("x", "kernel", "inputs", "_norms")}
    if len(_SETTLED) > 1024:
        _SETTLED.clear()
    _SETTLED[key] = (fields, choice.method, sig, _MEASURED.get(sig), need)


#: 'auto' tunes itself where the cost model is unsure: when the estimates of several
#: methods lie within AUTOTUNE_RATIO of the best one and the best exceeds AUTOTUNE_SECONDS,
#: the first calls of that problem shape run each of them in turn (every call gives a
#: correct result) and, after AUTOTUNE_RUNS timings each, the fastest is kept for good
#: (turn off with ``sigconv.fft.set_options(autotune=False)``)
#: A candidate's first trial runs under ``sigconv.fft.plans.quick_planning`` (large
#: transforms get FFTW_ESTIMATE plans: a shape called only once or twice should not pay
#: for measuring the losers' plans); its later trials, once the shape has proved to be
#: called again, under ``measured_planning``, so the timings that decide compare the
#: measured plans each candidate would run for good (FFTW_ESTIMATE plans ran 1.0-2.7x
#: slower here, by factors that differ between shapes, and picked overlap-save where
#: the measured FFT was faster).  Timings of a run that made plans do not count.
#: Candidates run in pairs, and only the second run of a pair is timed: a method's time
#: depends on what ran just before it (caches, the allocator's free memory), and the
#: method kept will run after itself.  Taking turns call by call had timed every run
#: right after another method: a 1024^2 x 17^2 'same' FFT ran at 5.7-5.9 ms after
#: overlap-save against 3.5-3.7 ms after itself.  The
#: machine's noise (one method's time varies by 2x from call to call here) is why each
#: candidate runs AUTOTUNE_RUNS times and keeps its fastest run.  Ties go to the cost
#: model: another method replaces its choice only when its fastest run beats the choice's
#: by AUTOTUNE_MARGIN (with three runs each, a burst of load on the shared machine had
#: made a 1.5x slower method look fastest and kept it for good).
AUTOTUNE_RATIO = 2.5
AUTOTUNE_SECONDS = 2e-4
AUTOTUNE_RUNS = 3
AUTOTUNE_MARGIN = 0.1
#: problem signature -> _Tuning, while its candidates are being timed
_TUNING = {}
_TUNING_LOCK = threading.Lock()


@dataclass
class _Tuning:
    """The trials of one problem signature: the cost model's method, the timed runs per
    candidate (``[(cold, seconds)]``) and the candidate whose pair is half done."""
    model: str
    times: dict
    primed: Optional[str] = None


def _trial(plan, choice):
    """``(method, first)``: the method this 'auto' call should run and whether it is
    that method's first trial; or None (settled or nothing to tune)."""
    if not choice.reason.startswith(_COST_REASON) or not option("autotune"):
        return None
    est = choice.estimates
    best = est[choice.method]
    if best < AUTOTUNE_SECONDS:     # (estimates are fixed per signature: never tuned)
        return None
    sig = _signature(plan)
    with _TUNING_LOCK:
        tuning = _TUNING.get(sig)
        if tuning is None:
            close = [m for m, t in est.items() if t <= AUTOTUNE_RATIO * best]
            if len(close) < 2:
                return None
            if len(_TUNING) > 1024:
                _TUNING.clear()
            tuning = _TUNING[sig] = _Tuning(choice.method, {m: [] for m in close})
        if tuning.primed is not None:
            return tuning.primed, False
        times = tuning.times
        method = min(times, key=lambda m: len(times[m]))
        return method, not times[method]


def _record(plan, method, seconds, warm):
    """Account for one trial run (``warm``: no FFTW plan was made during it): the first
    run of a pair primes ``method``, the second is timed.  Once every candidate has
    AUTOTUNE_RUNS warm timings (or twice as many timings), keep the fastest
    (:func:`_tuned`)."""
    sig = _signature(plan)
    with _TUNING_LOCK:
        tuning = _TUNING.get(sig)
        if tuning is None:
            return
        if tuning.primed != method:
            tuning.primed = method
            return
        tuning.primed = None
        times = tuning.times
        times[method].append((not warm, seconds))
        if all(sum(not cold for cold, _ in t) >= AUTOTUNE_RUNS or len(t) >= 2 * AUTOTUNE_RUNS
               for t in times.values()):
            _MEASURED[sig] = _tuned(tuning.model, times)
            del _TUNING[sig]


def _tuned(model, times):
    """The method to keep from ``times`` (``{method: [(cold, seconds), ...]}``): the one
    with the fastest warm run (a method whose runs all made FFTW plans comes last),
    unless it beats the cost ``model``'s choice by less than AUTOTUNE_MARGIN."""
    best = {m: min(t) for m, t in times.items() if t}      # (cold, seconds): warm first
    fastest = min(best, key=best.get)
    if model in best and best[model][0] == best[fastest][0] \
            and best[fastest][1] > (1 - AUTOTUNE_MARGIN) * best[model][1]:
        return model
    return fastest


def _plans_made():
    from .fft import plans
    return plans.default_cache().planned


#: multiply-adds below which 'auto' runs the direct sum without consulting the cost model:
#: there a transform's fixed cost alone exceeds the whole direct computation
SMALL_WORK = 1 << 15


def _small(plan):
    return math.prod(plan.out_shape) * plan.kernel.size <= SMALL_WORK


#: an explicit method='direct' estimated above this many seconds, and this many times
#: slower than the best transform method, gets a PerformanceWarning before it starts
DIRECT_WARN_SECONDS = 10.0
DIRECT_WARN_RATIO = 20.0


def _explicit_direct(plan):
    """Warn before a direct sum that the cost model expects to take very long."""
    if math.prod(plan.kernel_spatial) < 64:
        return
    est = _estimates(plan)
    best = min((t for m, t in est.items() if m != "direct"), default=math.inf)
    if est["direct"] > DIRECT_WARN_SECONDS and est["direct"] > DIRECT_WARN_RATIO * best:
        warnings.warn(
            f"{plan.func}: method='direct' is estimated at ~{est['direct']:.0f} s for these "
            f"shapes, method='auto' at ~{best:.2g} s", PerformanceWarning, stacklevel=4)


def _scalar_product(plan):
    dt = plan.compute_dtype
    return np.asarray(plan.x.astype(dt) * plan.kernel.astype(dt), dtype=dt)


def _explicit_transform(plan, name):
    """Honour an explicit transform method unless it would spread NaN or round integers."""
    if plan.nonfinite:
        warnings.warn(
            f"{plan.func}: method={name!r} with {plan.nonfinite} non-finite input value(s) "
            "would spread them over the whole output; computed with method='direct' so "
            "they stay local", NonFiniteFFTWarning, stacklevel=4)
        return "direct"
    if plan.integer and not _fft_exact(plan):
        warnings.warn(
            f"{plan.func}: method={name!r} on integers this large may round wrongly "
            "(max|in1| * max|in2| * min(size) >= 2**52); the result is rounded from float64",
            PrecisionWarning, stacklevel=4)
    return name


def _fft_exact(plan):
    x, k = plan.x, plan.kernel
    m1 = max(abs(int(np.max(x))), abs(int(np.min(x))), abs(int(plan.fillvalue)))
    m2 = max(abs(int(np.max(k))), abs(int(np.min(k))))
    return cost.fft_exact_for_integers(m1, m2, x.size, k.size)


_COST_REASON = "lowest estimated time"
_TIMED_REASON = "fastest when timed on inputs of this shape"


def _choose(plan):
    """The cost model's decision for ``method='auto'``.  The inputs' values (non-finite
    entries, dynamic range) are read only when a transform would otherwise be chosen:
    they can only rule the transforms out."""
    estimates = _estimates(plan)
    if plan.integer and not _fft_exact(plan):
        return MethodChoice("direct", "integer inputs this large would not be exact "
                            "through an FFT", estimates)
    if plan.compute_dtype.itemsize > 16 and plan.compute_dtype.kind == "f" \
            or plan.compute_dtype.itemsize > 32:
        return MethodChoice("direct", "long double is computed directly at full precision",
                            estimates)
    best = min(estimates, key=estimates.get)
    measured = _MEASURED.get(_signature(plan))
    if measured is not None and math.isfinite(estimates.get(measured, math.inf)):
        best, reason = measured, _TIMED_REASON
    elif not math.isfinite(estimates[best]):
        best, reason = "direct", f"{_COST_REASON} ({estimates['direct']:.3g} s)"
    else:
        reason = f"{_COST_REASON} ({estimates[best]:.3g} s)"
    refused = _transforms_refused(plan) if best != "direct" else None
    if refused:
        return MethodChoice("direct", refused, estimates)
    return MethodChoice(best, reason, estimates)


def _transforms_refused(plan):
    """Why no transform may run on these inputs' values, or None."""
    if plan.nonfinite:
        return "non-finite inputs stay local only with the direct sum"
    if not plan.integer and not cost.fft_accurate_for(plan):
        return ("the inputs' dynamic range would make FFT rounding error exceed the "
                "dtype's tolerance")
    return None


def _signature(plan):
    """What decides the fastest method: shapes, dtype, geometry, threads."""
    return (plan.x.shape, plan.kernel.shape, plan.compute_dtype.str, plan.out_shape,
            plan.strides, plan.dilations, plan.pads, plan.boundary, plan.workers)


_ESTIMATES = {}
_PROBLEMS = {}


def _estimates(plan):
    """Estimated seconds per method; ``inf`` where a method would exceed ``max_memory``."""
    limit = memory_limit()
    p, key = _problem(plan)
    key = (key, limit >> 20)
    est = _ESTIMATES.get(key)
    if est is None:
        if len(_ESTIMATES) > 1024:
            _ESTIMATES.clear()
        est = _ESTIMATES[key] = {name: (e.seconds if e.nbytes <= limit else math.inf)
                                 for name, e in cost.estimates(p, limit).items()}
    return dict(est)


def _problem(plan):
    """``(cost.problem(plan), key)``: computed once per plan (the plan is frozen) and
    remembered under a key of what the problem depends on (shapes, dtype, geometry,
    threads, and the kernel's multiply-adds per output), which is cheaper to build than
    the problem and stands for it in the estimate caches."""
    found = plan.__dict__.get("_problem")
    if found is None:
        key = (_signature(plan), plan.integer,
               plan.boundary != "constant" or plan.fillvalue != 0, cost.direct_taps(plan))
        p = _PROBLEMS.get(key)
        if p is None:
            if len(_PROBLEMS) > 1024:
                _PROBLEMS.clear()
            p = _PROBLEMS[key] = cost.problem(plan)
        found = (p, key)
        object.__setattr__(plan, "_problem", found)
    return found


def _memory_check(plan, name):
    """Blocks for the overlap engines; ResourceLimitError for a transform that cannot fit."""
    if name == "direct":
        return {}
    limit = memory_limit()
    p, key = _problem(plan)
    key = (name, key, limit >> 20)
    est = _ESTIMATES.get(key)
    if est is None:
        est = _ESTIMATES[key] = cost.fft_estimate(p) if name == "fft" else \
            cost.overlap_estimate(name, p, limit)
    if est.nbytes > limit:
        raise ResourceLimitError(
            f"{plan.func}: {name} convolution needs ~{_gb(est.nbytes)}, limit "
            f"{_gb(limit)}; use method='os' or 'oa', or raise max_memory "
            "(sigconv.fft.set_options)")
    return {"blocks": est.blocks} if est.blocks else {}


def _gb(nbytes):
    return f"{nbytes / 2**30:.3g} GB" if nbytes >= 2**27 else f"{nbytes / 2**20:.3g} MB"


def _engine_run(plan, name):
    """Materialize the boundary, cast to the compute dtype and run one engine."""
    extra = _memory_check(plan, name)
    dt = plan.compute_dtype if name == "direct" or not plan.integer else np.dtype(np.float64)
    if plan.boundary == "constant" and plan.fillvalue == 0:
        x, pads = plan.x.astype(dt, copy=False), plan.pads
    else:
        x = pad(plan.x, plan.pads, plan.boundary, plan.fillvalue, dtype=dt)
        pads = ((0, 0),) * plan.nsp
    k = plan.kernel.astype(dt, copy=False)
    out = ENGINES[name](x, k, plan.out_shape, plan.strides, plan.dilations, pads,
                        workers=plan.workers, **extra)
    if plan.integer and out.dtype != plan.compute_dtype:
        out = np.rint(out).astype(plan.compute_dtype)
    return out


def _finish(plan, out):
    """Cast to the requested dtype and move the convolution axes back."""
    out = out.astype(plan.result_dtype, copy=False)
    if plan.out_dtype is not None:
        out = cast_saturating(out, plan.out_dtype)
    nsp = plan.nsp
    trailing = tuple(range(out.ndim - nsp, out.ndim))
    if nsp and out.ndim and plan.axes != trailing:
        out = np.moveaxis(out, trailing, plan.axes)
    return out


def cast_saturating(arr, dtype):
    """``arr`` as ``dtype``; integer targets round and clip to their range, never wrap."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if arr.dtype.kind == "c":
            arr = arr.real
        if arr.dtype.kind == "f":
            arr = np.rint(arr)
        return np.clip(arr, info.min, info.max).astype(dtype)
    if dtype.kind == "b":
        return arr != 0
    if dtype.kind == "f" and arr.dtype.kind == "c":
        arr = arr.real
    return arr.astype(dtype)
