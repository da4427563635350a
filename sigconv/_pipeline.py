"""The convolution pipeline: validate -> plan -> choose -> engine -> finish.

Every convolution in sigconv -- ``convolve``/``correlate``, the scipy-named functions,
:class:`~sigconv.Convolver` (and the filter banks built on it), ``sigconv.ndimage``,
``sigconv.distributed``, the matrix forms and the nn layers' transforms -- runs these
stages, and only here:

1. **validate and plan** -- :func:`sigconv._plan.make_plan` checks every argument before
   any work and returns a frozen :class:`~sigconv._plan.Plan` of plain values: the input
   and the kernel in correlation orientation, pads, strides, output shape, dtypes;
2. **choose** -- :func:`choose` picks the method for ``method='auto'``: a pure function of
   the plan, the calibration (:func:`sigconv._runtime.calibration`) and the memory
   budget; it times nothing;
3. **engine** -- :func:`execute` extends the boundary, casts to the compute dtype and runs
   one engine of :data:`sigconv.engines.ENGINES` with the call's
   :class:`~sigconv._runtime.Resources`;
4. **finish** -- :func:`finish` rounds exact integers, casts to the result dtype and puts
   the convolution axes back.

A caller that applies one plan many times (:class:`~sigconv.Convolver`) keeps what
:func:`prepare` made (kernel spectra, block sizes) and hands it to :func:`execute`.
"""

import dataclasses
import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _missing, _plan, _runtime
from ._errors import NonFiniteFFTWarning, PerformanceWarning, PrecisionWarning, ResourceLimitError
from ._integers import cast_saturating, fit_result
from ._padding import pad, padded_shape
from .engines import ENGINES, cost, problem, tiled
from .engines import fft as fft_engine, overlap

__all__ = ["run", "compute", "choose", "below_transforms", "below_floor", "estimates",
           "prepare", "execute", "finish", "result_bounds", "MethodChoice", "same_extension",
           "TRANSFORMS"]

TRANSFORMS = ("fft", "oa", "os")


def run(plan):
    """The result of a validated plan: choose (for 'auto'), execute, finish; a plan with
    missing data runs its two convolutions as one plan (:mod:`sigconv._missing`)."""
    if plan.missing is not None:
        return _missing.run(plan, compute, finish)
    return finish(plan, compute(plan))


def compute(plan):
    """The unfinished result of a plan without missing data: choose, execute."""
    if plan.x.ndim == 0:
        dt = plan.compute_dtype
        return np.asarray(plan.x.astype(dt) * plan.kernel.astype(dt), dtype=dt)
    if math.prod(plan.out_shape) == 0 or plan.x.size == 0 or plan.kernel.size == 0:
        return np.zeros(plan.out_shape, dtype=plan.compute_dtype)
    method = plan.method
    if method == "auto":
        method = choose(plan).method
    elif method in TRANSFORMS:
        method = _explicit_transform(plan, method)
    else:
        _explicit_direct(plan)
    return execute(plan, method)


@dataclass
class MethodChoice:
    """What :func:`sigconv.choose_method` decided and why.

    Attributes
    ----------
    method : str
        The method that ``method='auto'`` runs.
    reason : str
        One sentence on why.
    estimates : dict
        Estimated (or, with ``measure=True``, measured) seconds per candidate method.
    admissible : tuple of str
        The methods these inputs allow (within the memory budget, and exact enough).
    """
    method: str
    reason: str
    estimates: dict = field(default_factory=dict)
    admissible: tuple = ("direct",)

    def __str__(self):
        return self.method


#: the choices for problems too small for the model (shared: never modified)
_SMALL = MethodChoice("direct", "the whole direct sum costs less than a transform call")
_BELOW_FLOOR = MethodChoice("direct", "the direct sum costs less than any transform's "
                            "calls and one pass over the output")


def choose(plan, *, calibration=None, budget=None):
    """The method ``'auto'`` runs for ``plan``, with the reason and the estimates.

    The cost model (:mod:`sigconv.engines.cost`) estimates each method's seconds from the
    shapes and the calibration; a method over the memory ``budget`` is out.  The inputs'
    values are read only when a transform would win, and can only rule transforms out:
    integers whose exact result an FFT could round wrongly, long double (computed
    directly at full precision), non-finite values (they stay local only in the direct
    sum), and a dynamic range that would put FFT rounding above the dtype's tolerance.
    Problems whose whole direct sum costs less than three transform calls skip the model,
    and so do those whose direct sum costs less than any transform method's floor
    (:func:`sigconv.engines.cost.transform_floor`).
    """
    choice = _by_shapes(plan, calibration or _runtime.calibration(),
                        _runtime.memory_budget() if budget is None else budget)
    refused = transforms_refused(plan) if choice.method != "direct" else None
    if refused:
        return MethodChoice("direct", refused, choice.estimates)
    return choice


def _by_shapes(plan, cal, budget, problem=None):
    """The choice the shapes, the calibration and the memory budget make (the inputs'
    values can then only rule transforms out), for ``problem`` (default: the plan's)."""
    if below_transforms(math.prod(plan.out_shape) * plan.kernel.size, cal):
        return _SMALL
    return _modelled(cal, problem or plan.problem, budget)


def below_floor(cal, p, budget):
    """Whether problem ``p`` fits ``budget`` and its direct sum costs less than every
    transform method's floor (:func:`sigconv.engines.cost.transform_floor`): the choice
    :data:`_BELOW_FLOOR`, made without estimating the transforms."""
    return p.out_bytes <= budget and cost.direct_estimate(cal, p) < cost.transform_floor(cal, p)


def below_transforms(work, cal):
    """Whether a direct sum of ``work`` multiply-adds costs less than three transform
    calls under calibration ``cal`` (the problems :func:`choose` gives the direct sum
    without the model)."""
    return work * cal["direct_mac"]["d"] < 3 * cal["fft_call"]


@functools.lru_cache(maxsize=1024)
def _modelled(cal, p, budget):
    """The model's choice for problem ``p`` (shared between calls: never modified)."""
    if below_floor(cal, p, budget):
        return _BELOW_FLOOR
    est = _seconds(cal, p, budget, auto=True)
    fits = tuple(m for m, t in est.items() if math.isfinite(t)) or ("direct",)
    best = min(fits, key=est.get)
    return MethodChoice(best, f"lowest estimated time ({est[best]:.3g} s)", est, fits)


def transforms_refused(plan):
    """Why these inputs' values allow no transform, or None."""
    dt = plan.compute_dtype
    if (dt.kind == "f" and dt.itemsize > 8) or (dt.kind == "c" and dt.itemsize > 16):
        return "long double is computed directly at full precision"
    if plan.integer and not _fft_exact(plan):
        return "integer inputs this large would not be exact through an FFT"
    if plan.nonfinite:
        return "non-finite inputs stay local only with the direct sum"
    if not plan.integer and not problem.fft_accurate_for(plan):
        return ("the inputs' dynamic range would make FFT rounding error exceed the "
                "dtype's tolerance")
    return None


def estimates(plan, *, calibration=None, budget=None):
    """Estimated seconds per method; ``inf`` where a method would exceed the budget."""
    cal = calibration or _runtime.calibration()
    budget = _runtime.memory_budget() if budget is None else budget
    return _seconds(cal, plan.problem, budget)


def _seconds(cal, p, budget, auto=False):
    return {name: (e.seconds if e.nbytes <= budget else math.inf)
            for name, e in _estimates(cal, p, budget, auto).items()}


@functools.lru_cache(maxsize=1024)
def _estimates(cal, problem, budget, auto=False):
    return cost.estimates(cal, problem, budget, auto=auto)


def prepare(plan, method, res, *, kernel=False, tiles=False):
    """What ``method`` precomputes for ``plan``, to hand to :func:`execute`.

    ``{'blocks': ...}`` for the overlap engines (sized to the memory budget); with
    ``kernel=True`` also the kernel's transform (``'spectrum'``), for callers that apply
    one kernel to many inputs, or with ``tiles=True`` (method 'os', stride 1) a
    :class:`~sigconv.engines.tiled.TiledBank` of the kernels (``'bank'``).  Raises
    ResourceLimitError when the transform cannot fit the budget.
    """
    if method == "direct":
        return {}
    if tiles:
        nsp = plan.nsp
        shape = plan.x_spatial if _zero_padded(plan) else padded_shape(plan.x_spatial,
                                                                       plan.pads)
        pads = plan.pads if _zero_padded(plan) else ((0, 0),) * nsp
        k = plan.kernel.astype(work_dtype(plan, method), copy=False)
        k = k.reshape((-1,) + plan.kernel_spatial)
        return {"bank": tiled.TiledBank(
            k, shape, pads, plan.dilations, dtype=k.dtype, res=res,
            complex_input=input_dtype(plan, method).kind == "c")}
    cal = _runtime.calibration()
    # the estimates 'auto' weighed (cached by choose) hold the method's unless it is 'oa'
    # where overlap-save runs as rows, which 'auto' does not weigh
    est = _estimates(cal, plan.problem, res.memory, True).get(method) or \
        _estimates(cal, plan.problem, res.memory)[method]
    if est.nbytes > res.memory:
        raise ResourceLimitError(
            f"{plan.func}: {method} convolution needs ~{_gb(est.nbytes)}, limit "
            f"{_gb(res.memory)}; use method='os' or 'oa', or raise max_memory "
            "(sigconv.set_options)")
    prepared = {"blocks": est.blocks} if est.blocks else {}
    if kernel:
        k = plan.kernel.astype(work_dtype(plan, method), copy=False)
        real = k.dtype.kind != "c"
        if method == "fft":
            sizes = [N for N, _ in cost.single_sizes(plan.problem)]
            pads = plan.pads if _zero_padded(plan) else ((0, 0),) * plan.nsp
            prepared["spectrum"] = fft_engine.KernelSpectrum(
                k, sizes, plan.strides, plan.dilations, [b for b, _ in pads], real=real,
                res=res)
        else:
            prepared["spectrum"] = overlap.block_spectrum(
                k, prepared["blocks"], plan.strides, plan.dilations, real=real, res=res)
    return prepared


def work_dtype(plan, method):
    """The dtype ``method`` computes in: integers are exact in the direct sum and go
    through float64 transforms."""
    return plan.compute_dtype if method == "direct" or not plan.integer else \
        np.dtype(np.float64)


def input_dtype(plan, method):
    """The dtype the input is handed to ``method`` in: the work dtype, except that a real
    input (with a real fill value) stays real for the transform methods, whose buffers
    take it as it is (and whose tiles then transform complex kernels as two real ones)."""
    dt = work_dtype(plan, method)
    if method == "direct" or dt.kind != "c" or plan.x.dtype.kind == "c" \
            or np.iscomplexobj(plan.fillvalue):
        return dt
    return np.dtype(dt.char.lower())


def execute(plan, method, *, prepared=None, res=None):
    """Extend the boundary, cast to the compute dtype and run one engine."""
    res = res or _runtime.resources(plan.workers)
    if prepared is None:
        prepared = prepare(plan, method, res)
    dt, xdt = work_dtype(plan, method), input_dtype(plan, method)
    if _zero_padded(plan):
        x, pads = plan.x.astype(xdt, copy=False), plan.pads
    else:
        x = pad(plan.x, plan.pads, plan.boundary, plan.fillvalue, dtype=xdt)
        pads = ((0, 0),) * plan.nsp
    k = plan.kernel.astype(dt, copy=False)
    out = ENGINES[method](x, k, plan.out_shape, plan.strides, plan.dilations, pads, res=res,
                          **prepared)
    if plan.integer and out.dtype != plan.compute_dtype:
        out = np.rint(out).astype(plan.compute_dtype)
    return out


def _zero_padded(plan):
    return plan.boundary == "constant" and plan.fillvalue == 0


def same_extension(plan, other):
    """Whether what :func:`prepare` made for ``other`` serves ``plan`` (both zero-padded
    or both extended before the engine)."""
    return _zero_padded(plan) == _zero_padded(other)


def finish(plan, out):
    """Cast to the result dtype (or ``out_dtype``) and move the convolution axes back.

    An exact integer result that does not fit an integer result dtype raises
    IntegerOverflowError naming an ``out_dtype`` that holds it; ``out_dtype`` saturates.
    """
    if plan.out_dtype is not None:
        out = cast_saturating(out, plan.out_dtype)
    elif plan.integer:
        out = fit_result(out, plan.result_dtype, [a.dtype for a in plan.inputs], plan.func,
                         bounds=result_bounds(plan.result_dtype, plan.boundary,
                                              plan.fillvalue, plan.int_bound))
    else:
        out = out.astype(plan.result_dtype, copy=False)
    nsp = plan.nsp
    trailing = tuple(range(out.ndim - nsp, out.ndim))
    if nsp and out.ndim and plan.axes != trailing:
        out = np.moveaxis(out, trailing, plan.axes)
    return out


def result_bounds(result_dtype, boundary, fillvalue, bound):
    """``(low, high)`` bounds of an exact integer result whose magnitude is at most
    ``bound``: negative values only for a signed result dtype or a negative fill."""
    negative = result_dtype.kind == "i" or (boundary == "constant"
                                            and np.real(fillvalue) < 0)
    return -bound if negative else 0, bound


def _fft_exact(plan):
    x, k = plan.x, plan.kernel
    m1 = max(abs(int(np.max(x))), abs(int(np.min(x))), abs(int(plan.fillvalue)))
    m2 = max(abs(int(np.max(k))), abs(int(np.min(k))))
    return cost.fft_exact_for_integers(m1, m2, x.size, k.size)


def _explicit_transform(plan, name):
    """Honour an explicit transform method unless it would spread NaN; warn where it
    may round integers wrongly."""
    if plan.nonfinite:
        warnings.warn(
            f"{plan.func}: Use of {name} convolution (method={name!r}) on input with "
            f"{plan.nonfinite} non-finite value(s) would spread them over the whole output; "
            "computed with method='direct' so they stay local", NonFiniteFFTWarning,
            stacklevel=5)
        return "direct"
    if plan.integer and not _fft_exact(plan):
        warnings.warn(
            f"{plan.func}: method={name!r} on integers this large may round wrongly "
            "(max|in1| * max|in2| * min(size) >= 2**52); the result is rounded from float64",
            PrecisionWarning, stacklevel=5)
    return name


#: an explicit method='direct' estimated above this many seconds, and this many times
#: slower than the best transform method, gets a PerformanceWarning before it starts
DIRECT_WARN_SECONDS = 10.0
DIRECT_WARN_RATIO = 20.0


def _explicit_direct(plan):
    """Warn before a direct sum that the cost model expects to take very long."""
    if math.prod(plan.kernel_spatial) < 64:
        return
    est = estimates(plan)
    best = min((t for m, t in est.items() if m != "direct"), default=math.inf)
    if est["direct"] > DIRECT_WARN_SECONDS and est["direct"] > DIRECT_WARN_RATIO * best:
        warnings.warn(
            f"{plan.func}: method='direct' is estimated at ~{est['direct']:.0f} s for these "
            f"shapes, method='auto' at ~{best:.2g} s", PerformanceWarning, stacklevel=5)


def _gb(nbytes):
    return f"{nbytes / 2**30:.3g} GB" if nbytes >= 2**27 else f"{nbytes / 2**20:.3g} MB"


def with_input(plan, x, out_shape):
    """``plan`` for another input ``x`` (same layout and geometry, convolution axes
    last), producing ``out_shape``: how a planned caller applies its plan to each input."""
    axes = tuple(range(x.ndim - plan.nsp, x.ndim))
    k = plan.kernel.reshape((1,) * (x.ndim - plan.kernel.ndim) + plan.kernel.shape)
    exact = {}
    if plan.integer:        # the bound, and with it the compute dtype, depend on x
        integer, compute, bound = _plan.exact_compute(x, k, plan.fillvalue, plan.result_dtype,
                                                      plan.out_dtype, plan.func)
        exact = dict(integer=integer, compute_dtype=compute, int_bound=bound)
    return dataclasses.replace(plan, x=x, kernel=k, out_shape=out_shape, axes=axes,
                               inputs=(x, k), **exact)
