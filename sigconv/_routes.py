"""Routes: the one engine call of a small 1-D or 2-D call, remembered per call signature.

A call between two 1-D arrays whose plan and choice cost several times its sum (1000 x 3:
the sum 2.5 us, the stages 18 us), or between two 2-D arrays that OpenCV filters in one
call (256^2 x 3x3 float32: the filter 41 us, the stages 29 us), keeps, per call
signature, the engine call the pipeline made; the next call with that signature makes it
directly, with the same bits (:func:`route`).  :func:`sigconv._convolve._call` builds the
signature and asks here.
"""

import math

from . import _pipeline as P, _runtime
from .engines import direct, opencv

__all__ = ["route", "remembered", "remember", "ROUTES_KEPT"]

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
    * one real plane whose result has its shape, where OpenCV's filters run the sum
      (256^2 x 3x3 float32: 50 us against 79 planned; ``cv2.filter2D`` 41 us): the
      engine's :func:`sigconv.engines.opencv.correlate_valid` on the new inputs, which
      makes one filter call where :func:`~sigconv.engines.opencv.one_call` can.

    It runs the engine call :func:`sigconv._pipeline.execute` runs, so results are
    bit-identical.
    """
    x, k = plan.x, plan.kernel
    dt = plan.compute_dtype
    nsp = x.ndim
    if (plan.missing is not None or nsp not in (1, 2) or dt.kind not in "fc" or plan.integer
            or not x.dtype == k.dtype == dt == plan.result_dtype or plan.out_dtype is not None
            or plan.nan_policy != "propagate" or not P._zero_padded(plan)
            or plan.strides != (1,) * nsp or plan.dilations != (1,) * nsp or x is not in1
            or not (x.size and k.size and math.prod(plan.out_shape))):
        return None
    if plan.method == "auto":
        # the direct sum whatever the values, and under any smaller memory budget
        choice = P._by_shapes(plan, _runtime.calibration(), _runtime.memory_budget())
        if choice.method != "direct" or not (choice in (P._SMALL, P._BELOW_FLOOR) or all(
                math.isfinite(t) for t in choice.estimates.values())):
            return None
    elif plan.method != "direct" or k.size >= 64:        # (_explicit_direct's warning)
        return None
    res = _runtime.resources(plan.workers)
    if nsp == 2:
        return _plane_route(op, plan, res)
    (before, after), = plan.pads
    if before > k.size - 1 or after > k.size - 1 or not plan.problem.dot:
        return None          # (the engine shift-adds: DOT_SLOW_TAPS, long complex rows)
    start = k.size - 1 - before
    return direct.dot_route(x.size, k.size, dt, start, start + plan.out_shape[0],
                            res.threads, op=op)


def _plane_route(op, plan, res):
    """The route of a real plane whose result has its shape, on OpenCV's filters."""
    if plan.problem.cv not in ("f", "d") or plan.out_shape != plan.x.shape:
        return None
    char, pads, flip = plan.problem.cv, plan.pads, op == "convolve"

    def run(x, w):
        w = w[::-1, ::-1] if flip else w
        return opencv.correlate_valid(x, w, x.shape, (1, 1), (1, 1), pads, res=res,
                                      char=char)
    return run


_routeless = {}      # signatures known to have no route (same bound)


def remembered(key):
    """The route remembered for call signature ``key``; False for a signature known to
    have none, None for one not seen yet."""
    return _routes.get(key) or (False if key in _routeless else None)


def remember(key, op, plan, in1):
    """Remember :func:`route` ``(op, plan, in1)`` for call signature ``key`` (built by the
    caller from everything the route's decisions depend on), or that it has none."""
    found = route(op, plan, in1)
    kept = _routes if found is not None else _routeless
    if len(kept) >= ROUTES_KEPT:
        kept.pop(next(iter(kept)), None)
    kept[key] = found


