"""Routes: the one engine call of a small 1-D or 2-D call, remembered per call signature.

A call between two 1-D arrays whose plan and choice cost several times its sum (1000 x 3:
the sum 2.5 us, the stages 18 us), or between two 2-D arrays that OpenCV filters
(256^2 x 3x3 float32: the filter 41 us, the stages 29 us), keeps, per call signature,
the engine call the pipeline made; the next call with that signature makes it
directly, with the same bits (:func:`route`).  A real or integer 1-D route also serves
the inputs of other lengths that the pipeline would send down it (:func:`lane`: a new
length's call 11-14 us instead of 70-110).  :func:`sigconv._convolve._call` builds
the signature and asks here.
"""

import math

import numpy as np

from . import _pipeline as P, _plan, _runtime, _shapes
from ._integers import fit_result
from .engines import direct, opencv

__all__ = ["route", "remembered", "lane", "remember", "clear", "Lane", "ROUTES_KEPT"]

#: remembered routes (:func:`remember`), oldest dropped first beyond this many
ROUTES_KEPT = 256
_routes = {}


def route(op, plan, in1):
    """A function ``(in1, in2) -> result`` that computes ``plan`` (made from ``in1`` and
    some ``in2``) for new inputs of the same call signature with every decision of
    :func:`sigconv._pipeline.run` already taken, or None.

    For real or complex floats, no missing data, zero padding, no stride or dilation,
    and the direct sum chosen from the shapes alone, whatever the values and under any
    smaller memory budget, on

    * one row, where the direct engine takes numpy's dot correlation (1000 x 3 float64:
      4 us against 20 us planned; ``np.convolve`` 2.9 us): the engine call
      :func:`sigconv.engines.direct.dot_route`;
    * one real plane or one real row where OpenCV's filters run the sum (256^2 x 3x3
      float32 'same': 51 us against 79 planned, ``cv2.filter2D`` 39 us; 'full' 117 us
      against 146): the OpenCV engine's call on the new inputs for a plane (it makes one
      filter call where :func:`~sigconv.engines.opencv.one_call` can), the direct
      engine's for a row; the direct engine's call for a real plane whose few outputs it
      sums as windows (:mod:`sigconv.engines.windows`).

    It runs the engine call :func:`sigconv._pipeline.execute` runs, so results are
    bit-identical.  For integers (exact sums), on one row: :func:`_integer_route`.
    """
    x, k = plan.x, plan.kernel
    dt = plan.compute_dtype
    nsp = x.ndim
    if (plan.missing is not None or nsp not in (1, 2) or plan.out_dtype is not None
            or plan.nan_policy != "propagate" or not P._zero_padded(plan)
            or plan.strides != (1,) * nsp or plan.dilations != (1,) * nsp or x is not in1
            or not (x.size and k.size and math.prod(plan.out_shape))
            or not _direct_whatever_the_values(plan)):
        return None
    if plan.integer:
        return _integer_route(op, plan) if nsp == 1 else None
    if dt.kind not in "fc" or not x.dtype == k.dtype == dt == plan.result_dtype:
        return None
    res = _runtime.resources(plan.workers)
    if nsp == 2 or plan.problem.cv:
        return _plane_route(op, plan, res)
    (before, after), = plan.pads
    if before > k.size - 1 or after > k.size - 1 or not direct.dot_path_applies(
            1, plan.strides, plan.dilations, k.size, dt, 1, plan.out_shape[0]):
        return None          # (the engine shift-adds: DOT_SLOW_TAPS, long complex rows)
    start = k.size - 1 - before
    return direct.dot_route(x.size, k.size, dt, start, start + plan.out_shape[0],
                            res.threads, op=op)


def _direct_whatever_the_values(plan):
    """Whether the pipeline sums ``plan`` directly whatever its inputs' values, and under
    any smaller memory budget.  The model is asked about the densest kernel of the plan's
    shape (:func:`_densest`): a kernel with zeros only makes the direct sum cheaper."""
    if plan.method == "auto":
        choice = P._by_shapes(plan, _runtime.calibration(), _runtime.memory_budget(),
                              _densest(plan))
        return choice.method == "direct" and (choice in (P._SMALL, P._BELOW_FLOOR) or all(
            math.isfinite(t) for t in choice.estimates.values()))
    return plan.method == "direct" and plan.kernel.size < 64   # (_explicit_direct's warning)


def _densest(plan):
    """``plan``'s problem (:func:`sigconv.engines.problem.problem`) with every tap of the
    kernel non-zero.  The model's direct estimates grow with the taps and no transform's
    depends on them, so a choice of the direct sum for it holds for every kernel of that
    shape (the routes' engine calls run on one thread, where no thread count changes
    with the taps)."""
    p = plan.problem
    return p._replace(taps=math.prod(plan.kernel_spatial)) if p.taps > 0 else p


def _below_floor(plan, cal):
    """For real or integer 1-D ``plan`` (zero padding, stride 1), a test ``(n, L) ->
    bool``: whether 'auto' takes the direct sum without estimating the transforms
    (:data:`sigconv._pipeline._BELOW_FLOOR`) for an input of ``n`` samples and ``L``
    outputs, whatever the kernel's values; None where that test is not monotone in ``n``.
    The direct estimate and the transforms' floor are both affine in ``L`` on one
    thread, so when the direct sum's fixed cost is below the floor's, the lengths that
    pass are all those below one length."""
    p, budget = _densest(plan), _runtime.memory_budget()

    def below(n, L):
        return P.below_floor(cal, p._replace(xshape=(n,), out_spatial=(L,)), budget)
    return below if below(0, 0) else None


def _integer_route(op, plan):
    """The route of a row of integers summed exactly in int64: numpy's int64 correlation
    in the plan's whole mode, then the pipeline's finish (:func:`~sigconv._integers.
    fit_result`: IntegerOverflowError where the result dtype cannot hold it).  Exact
    sums have one value, so the bits are the pipeline's.  Inputs whose bound on the
    result (:func:`sigconv._plan._integer_bound`) passes int64 get None: the caller
    plans them (uint64, float64 or IntegerOverflowError)."""
    x, k = plan.x, plan.kernel
    (before, _), = plan.pads
    start = k.size - 1 - before
    mode = direct.whole_mode(x.size, k.size, start, start + plan.out_shape[0])
    if mode is None or plan.compute_dtype != np.int64 or x.dtype.kind not in "iu" \
            or k.dtype.kind not in "iu":
        return None
    result, func, flip = plan.result_dtype, plan.func, op == "convolve"

    def run(x, w):
        bound = _plan._integer_bound(x, w, 0)
        if bound > _plan._INT64_MAX:
            return None
        out = direct.numpy_correlate(x.astype(np.int64, copy=False),
                                     (w[::-1] if flip else w).astype(np.int64, copy=False), mode)
        return fit_result(out, result, (x.dtype, w.dtype), func,
                          bounds=P.result_bounds(result, "constant", 0, bound))
    return run


def _plane_route(op, plan, res):
    """The route of a real plane or row on OpenCV's filters, or of a real plane the
    direct engine sums as windows: the direct engine's call
    (:func:`sigconv.engines.direct.correlate_valid`), or for a plane on the filters the
    call it makes (:func:`sigconv.engines.opencv.correlate_valid`, its decisions taken
    here: 256^2 x 3x3 float32 'same' 51 us against 58, ``cv2.filter2D`` 39 us)."""
    p = plan.problem
    if not (p.windows and plan.compute_dtype.kind == "f") and p.cv not in ("f", "d"):
        return None
    pads, flip, out_shape, ones = plan.pads, op == "convolve", plan.out_shape, (1,) * plan.nsp
    flipped = (slice(None, None, -1),) * plan.kernel.ndim
    if plan.nsp == 2 and p.cv:
        char = p.cv

        def filters(x, w):
            return opencv.correlate_valid(x, w[flipped] if flip else w, out_shape, ones,
                                          ones, pads, res=res, char=char)
        return filters

    def run(x, w):
        return direct.correlate_valid(x, w[flipped] if flip else w, out_shape, ones, ones,
                                      pads, res=res)
    return run


_routeless = {}      # signatures known to have no route (same bound)
_lanes = {}          # 1-D signatures without in1's shape -> their Lane (same bound)


def remembered(key):
    """The route remembered for call signature ``key``; False for a signature known to
    have none, None for one not seen yet."""
    return _routes.get(key) or (False if key in _routeless else None)


def lane(key):
    """The route of 1-D call signature ``key`` (whose third item is in1's shape) that a
    call of another length remembered for the lengths it serves (:class:`Lane`), or
    None."""
    found = _lanes.get(key[:2] + key[3:])
    return None if found is None else found.route(key[2][0])


def remember(key, op, plan, in1):
    """Remember :func:`route` ``(op, plan, in1)`` for call signature ``key`` (built by the
    caller from everything the route's decisions depend on; its third item in1's shape),
    or that it has none; a real 1-D route also as the :class:`Lane` of the signature
    without in1's shape."""
    found = route(op, plan, in1)
    _keep(_routes if found is not None else _routeless, key, found)
    if found is not None and plan.nsp == 1 and not plan.problem.cv and (
            plan.compute_dtype.kind == "f" or plan.integer):
        # (a complex route's piece bounds hold its length, an OpenCV row its shape: no lane)
        found_lane = Lane.of(plan, found)
        if found_lane is not None:
            _keep(_lanes, key[:2] + key[3:], found_lane)


def clear():
    """Forget every remembered route, routeless signature and lane."""
    for kept in (_routes, _routeless, _lanes):
        kept.clear()


def _keep(kept, key, value):
    if len(kept) >= ROUTES_KEPT:
        kept.pop(next(iter(kept)), None)
    kept[key] = value


class Lane:
    """The lengths ``n`` of in1 that a real or integer 1-D route serves: those whose
    calls, with every other argument of the plan it was made from, the pipeline runs as
    that same engine call.  They are the lengths whose direct sum 'auto' takes without
    estimating the transforms (:func:`sigconv._pipeline.below_transforms`, or below their
    floor with any kernel: :func:`_below_floor`; any length when 'direct' is asked for),
    short of OpenCV's rows (:data:`~sigconv.engines.opencv.ROW_WORK`), on one thread, as
    numpy's correlation in the plan's whole mode ('full' from one
    sample, 'same' and 'valid' from the kernel's length).  Those checks are monotone in
    ``n`` from ``lo`` on, so a lane keeps the longest length checked to be served and the
    shortest checked not to be, and checks only a length between the two (about 2 us).
    """

    __slots__ = ("lo", "hi", "top", "serves", "run")

    def __init__(self, lo, hi, serves, run):
        self.lo, self.hi, self.top, self.serves, self.run = lo, hi, 1 << 62, serves, run

    @classmethod
    def of(cls, plan, run):
        """The lane of ``run``, the route of real or integer 1-D ``plan``, or None."""
        cal, k, n0 = _runtime.calibration(), plan.kernel.size, plan.x.size
        (before, after), = plan.pads
        start = k - 1 - before
        threads = _runtime.resources(plan.workers).threads
        model = plan.method != "direct"
        floor = _below_floor(plan, cal) if model else None

        def mode_of(n):
            L = _shapes.output_length(n, before, after, k, 1)
            return direct.whole_mode(n, k, start, start + L) if L > 0 else None

        mode = mode_of(n0)

        def serves(n):
            L = _shapes.output_length(n, before, after, k, 1)
            return mode_of(n) == mode and direct.dot_threads(threads, L, k) == 1 and (
                not model or P.below_transforms(L * k, cal) or (floor and floor(n, L))) and (
                plan.integer or
                direct.dot_path_applies(1, (1,), (1,), k, plan.compute_dtype, 1, L))

        if mode is None or not serves(n0):      # (then every length from lo serves)
            return None
        return cls(1 if mode == "full" else k, n0, serves, run)

    def route(self, n):
        """The route for in1 of ``n`` samples, or None (threads may race on ``hi`` and
        ``top``: each only ever holds a length checked, so the answer stays exact)."""
        if self.lo <= n <= self.hi:
            return self.run
        if n < self.lo or n >= self.top:
            return None
        if self.serves(n):
            self.hi = n
            return self.run
        self.top = n
        return None
