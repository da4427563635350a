"""Missing data: the normalized-convolution stage of the pipeline.

A sample of ``in1`` is *missing* when ``mask`` marks it (True = missing, the sense of
``numpy.ma`` and ``astropy.convolution``) or, with ``nan_policy='interpolate'`` or
``'fill'``, when it is not finite.  With ``m`` the validity (1 = valid, 0 = missing) of
the input extended by the boundary rule, ``x0`` the input with every missing sample set
to 0 and ``K`` the kernel:

* ``'interpolate'`` (normalized convolution): ``y = sum(K) * (K * x0) / (K * m)``;
* ``'fill'``: ``y = K * x_f``, every missing sample replaced by ``fillvalue``.

The weight (certainty) is ``w = (K * m) / sum(K)``: the fraction of the kernel's mass
that falls on valid samples.  Both convolutions run as **one** plan of the pipeline: the
input becomes a batch of two (``x0`` and the missing indicator), so the numerator and the
weights share the engine, the geometry and the boundary handling, and a missing NaN or
inf is zeroed before any transform sees it.

The extension: ``reflect``, ``mirror``, ``nearest`` and ``wrap`` extend the validity with
the values (the reflection of a missing sample is missing); ``constant`` adds samples of
value ``fillvalue`` that are valid when ``fillvalue`` is finite and missing when it is
NaN or inf (``nan_policy='interpolate'`` only: astropy's ``fill_value=np.nan``).

This module holds the checks (:func:`arguments`), the plan hook (:func:`attach`) and the
stage itself (:func:`run`); it imports nothing of the pipeline, which hands it its
``compute`` and ``finish`` steps.
"""

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from ._errors import DTypeError, ShapeError

#: nan_policy values under which non-finite samples of in1 are missing
TREATING = ("interpolate", "fill")


@dataclass(frozen=True)
class Missing:
    """The missing-data options of one call, checked."""
    policy: str             # 'interpolate' or 'fill': what a missing sample becomes
    nonfinite: bool         # non-finite samples of in1 are missing too
    mask: object            # bool array, True = missing, in the plan's layout, or None
    preserve_nan: bool
    min_weight: float
    return_weights: bool
    raise_nonfinite: bool   # nan_policy='raise': unmasked non-finite samples raise


def arguments(in1, a, b, axes, mode, nan_policy, mask, preserve_nan, min_weight,
              return_weights, boundary, fillvalue, strides, out_dtype, func):
    """The checked :class:`Missing` options (mask in the caller's layout), or None when
    the call uses none.  ``in1`` is the caller's object (a masked array brings its
    mask), ``a`` and ``b`` the arrays made of it and of ``in2``, ``axes`` the
    convolution axes."""
    if not requested(in1, mask, nan_policy, preserve_nan, min_weight, return_weights):
        return None
    mask = _mask(mask, a.shape, func)
    if isinstance(in1, np.ma.MaskedArray):
        own = np.ma.getmaskarray(in1)
        mask = own if mask is None else (mask | own)
    if b.dtype.kind == "c":
        raise DTypeError(f"{func}: missing data needs a real kernel (in2); got dtype "
                         f"{b.dtype}")
    if b.size and not np.all(np.isfinite(b)):
        raise ValueError(f"{func}: in2 (the kernel) must be finite with missing data; got "
                         f"{int(np.sum(~np.isfinite(b)))} non-finite value(s)")
    fill_finite = np.isfinite(fillvalue)
    if nan_policy == "fill" and not fill_finite:
        raise ValueError(f"{func}: nan_policy='fill' needs a finite fillvalue; got "
                         f"{fillvalue!r}")
    if boundary == "constant" and not fill_finite and nan_policy != "interpolate":
        raise ValueError(f"{func}: a non-finite fillvalue marks the outside as missing, "
                         f"which needs nan_policy='interpolate'; got nan_policy={nan_policy!r}")
    if preserve_nan and (mode != "same" or any(s != 1 for s in strides)):
        raise ValueError(f"{func}: preserve_nan needs mode='same' and stride 1 (the output "
                         f"grid of the input); got mode={mode!r}, stride={strides}")
    if min_weight is not None:
        if isinstance(min_weight, (bool, np.bool_)) or not isinstance(
                min_weight, (int, float, np.integer, np.floating)) \
                or not math.isfinite(min_weight) or min_weight < 0:
            raise ValueError(f"{func}: min_weight must be a finite number >= 0; got "
                             f"{min_weight!r}")
    if out_dtype is not None and np.dtype(out_dtype).kind not in "fc":
        raise DTypeError(f"{func}: out_dtype must be a float or complex dtype with missing "
                         f"data (NaN marks outputs without data); got {np.dtype(out_dtype)}")
    policy = "fill" if nan_policy == "fill" else "interpolate"
    if (policy == "interpolate" or return_weights or min_weight) and b.size:
        _check_kernel_sum(b, axes, func)
    return Missing(policy=policy, nonfinite=nan_policy in TREATING, mask=mask,
                   preserve_nan=bool(preserve_nan), min_weight=float(min_weight or 0.0),
                   return_weights=bool(return_weights), raise_nonfinite=nan_policy == "raise")


def requested(in1, mask, nan_policy, preserve_nan, min_weight, return_weights):
    """Whether a call with these arguments has missing data to treat."""
    return (mask is not None or isinstance(in1, np.ma.MaskedArray) or nan_policy in TREATING
            or bool(preserve_nan) or bool(return_weights) or min_weight is not None)


def _mask(mask, shape, func):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype.kind not in "biu":
        raise DTypeError(f"{func}: mask must be boolean (True = missing, as numpy.ma and "
                         f"astropy; pass mask=~valid for a validity map); got dtype {m.dtype}")
    try:
        m = np.broadcast_to(m != 0 if m.dtype.kind != "b" else m, shape)
    except ValueError:
        raise ShapeError(f"{func}: mask must have the shape of in1 {shape} (or broadcast "
                         f"to it); got {m.shape}") from None
    return m


def _check_kernel_sum(b, axes, func):
    """Each kernel (a sum over the convolution axes) must not sum to zero."""
    total = np.sum(b, axis=tuple(axes), dtype=np.float64)
    scale = np.sum(np.abs(b), axis=tuple(axes), dtype=np.float64)
    if np.any(np.abs(total) <= zero_tolerance(np.float64) * scale):
        raise ValueError(f"{func}: normalized convolution (nan_policy='interpolate', a mask, "
                         "weights) needs a kernel whose sum is not zero; got sum "
                         f"{float(np.min(np.abs(total))):.3g} (use nan_policy='fill' for "
                         "zero-sum kernels such as derivatives)")


def zero_tolerance(dtype):
    """sqrt(eps) of ``dtype``'s real precision: a weight below this (times sum|K|/|sum K|)
    counts as zero, on every method (the transforms' rounding of the weights is far
    smaller)."""
    return float(np.sqrt(np.finfo(np.dtype(dtype)).eps))


def input_dtype(dtype):
    """The dtype the data is taken as: missing data gives floating-point results
    (float64 for integer and bool inputs)."""
    return np.dtype(np.float64) if dtype.kind in "biu" else dtype


def attach(plan, spec, axes, trailing):
    """``plan`` carrying ``spec`` (its mask moved to the plan's layout); raises for
    nan_policy='raise' when a non-finite sample is not masked."""
    mask = spec.mask
    if mask is not None and axes != trailing:
        mask = np.moveaxis(mask, axes, trailing)
    spec = dataclasses.replace(spec, mask=mask)
    if spec.raise_nonfinite:
        bad = ~np.isfinite(plan.x) if plan.x.dtype.kind in "fc" else None
        count = 0 if bad is None else int(np.sum(bad if mask is None else bad & ~mask))
        if count:
            raise ValueError(f"{plan.func}: in1 contains {count} non-finite value(s) outside "
                             "the mask and nan_policy='raise'")
    return dataclasses.replace(plan, missing=spec)


def with_mask(plan, mask, shape, func):
    """A planned caller's ``plan`` (input of the caller's ``shape`` reshaped to the plan's
    layout) with the call's ``mask``, checked as :func:`attach` does."""
    spec = plan.missing
    if mask is not None:
        m = _mask(mask, shape, func).reshape(plan.x.shape)
        spec = dataclasses.replace(spec, mask=m)
    elif spec.mask is not None:
        spec = dataclasses.replace(spec, mask=None)
    return attach(dataclasses.replace(plan, func=func), spec, (), ())


# --------------------------------------------------------------------------- the stage

def missing_map(plan):
    """Bool array of the input's layout, True where a sample is missing (or None)."""
    return missing_samples(plan.x, plan.missing.mask, plan.missing.nonfinite)


def missing_samples(x, mask, nonfinite):
    """True where a sample of ``x`` is missing: masked, or (``nonfinite``) not finite;
    None when none is."""
    bad = None
    if nonfinite and x.dtype.kind in "fc":
        bad = ~np.isfinite(x)
    if mask is not None:
        bad = mask if bad is None else (bad | mask)
    return bad if bad is not None and bad.any() else None


def _outside_missing(plan):
    return (plan.boundary == "constant" and not np.isfinite(plan.fillvalue)
            and any(b or a for b, a in plan.pads))


def run(plan, compute, finish):
    """The result of a plan with missing data: ``values`` or ``(values, weights)``.

    ``compute(plan)`` runs choose and the engine for a plan without missing data,
    ``finish(plan, out)`` the pipeline's finishing step.
    """
    spec, dt = plan.missing, plan.compute_dtype
    bad = missing_map(plan)
    ksum = _kernel_sum(plan)
    need_weights = spec.policy == "interpolate" or spec.return_weights or spec.min_weight > 0
    base = dataclasses.replace(plan, missing=None)
    if bad is None and not _outside_missing(plan):
        values, weights = compute(base), None          # nothing missing: weights are 1
    elif not need_weights:
        x = plan.x.astype(dt)
        x[bad] = plan.fillvalue
        values, weights = compute(_with_x(base, x)), None
    else:
        values, weights = _normalized(plan, base, bad, ksum, compute)
    values = _threshold(plan, values, weights, ksum)
    if spec.preserve_nan and bad is not None:
        values[np.broadcast_to(bad, values.shape)] = np.nan
    result = finish(base, values)
    if not spec.return_weights:
        return result
    rdt = np.empty(0, dt).real.dtype
    if weights is None:
        weights = np.ones(values.shape, rdt)
    return result, finish(dataclasses.replace(base, result_dtype=rdt, out_dtype=None),
                          weights.astype(rdt, copy=False))


def _kernel_sum(plan):
    k, nsp = plan.kernel, plan.nsp
    axes = tuple(range(k.ndim - nsp, k.ndim))
    real = np.empty(0, plan.compute_dtype).real.dtype
    return np.sum(k.astype(np.float64), axis=axes, keepdims=True).astype(real)


def _with_x(plan, x):
    return dataclasses.replace(plan, x=x, inputs=(x, plan.kernel))


def _normalized(plan, base, bad, ksum, compute):
    """(values, weights): the two convolutions as one plan on a batch of two."""
    stacked, form = _stacked(plan, base, bad)
    out = compute(stacked)
    num, weights = out[0], out[1].real if out.dtype.kind == "c" else out[1]
    if form == "missing":
        np.subtract(ksum, weights, out=weights)
    elif form == "scaled":
        np.divide(weights, stacked.fillvalue, out=weights)
    np.divide(weights, ksum, out=weights)
    if plan.missing.policy == "fill":
        return num.copy(), weights
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(num, weights), weights


def stacked_plan(plan):
    """The plan the engines run for ``plan`` with missing data (what 'auto' chooses for):
    ``x0`` and the weights' input as a batch of two."""
    base = dataclasses.replace(plan, missing=None)
    bad = missing_map(plan)
    if bad is None and not _outside_missing(plan):
        return base
    return _stacked(plan, base, bad)[0]


def _stacked(plan, base, bad):
    """(plan of the batch of two, form of its second member).

    The second member is the missing indicator ``q`` (zero-padded: ``K * m = sum K -
    K * q``, exactly ``sum K`` far from missing samples), or the validity itself when
    the outside is missing, or ``c * m`` for a constant boundary of value ``c != 0``
    (so both members share the extension of the plan)."""
    dt, spec = plan.compute_dtype, plan.missing
    none = bad is None
    padded = plan.boundary == "constant" and any(b or a for b, a in plan.pads)
    c = plan.fillvalue if padded else 0
    stack = np.empty((2,) + plan.x.shape, dt)
    np.copyto(stack[0], plan.x, casting="unsafe")
    if not none:
        stack[0][bad] = plan.fillvalue if spec.policy == "fill" else 0
    if _outside_missing(plan):
        fv, form = 0, "valid"
        stack[1] = True if none else ~bad
    elif c != 0:
        fv, form = c, "scaled"
        stack[1] = c
        if not none:
            stack[1][bad] = 0
    else:
        fv, form = 0, "missing"
        stack[1] = False if none else bad
    kernel = plan.kernel.reshape((1,) + plan.kernel.shape)
    axes = tuple(range(stack.ndim - plan.nsp, stack.ndim))
    return dataclasses.replace(base, x=stack, kernel=kernel, inputs=(stack, kernel),
                               out_shape=(2,) + tuple(plan.out_shape), axes=axes,
                               fillvalue=fv), form


@functools.lru_cache(maxsize=None)
def _tolerance(char):
    return zero_tolerance(np.dtype(char))


def _threshold(plan, values, weights, ksum):
    """NaN where |weight| is below min_weight, or (interpolation) counts as zero."""
    spec = plan.missing
    limit = spec.min_weight
    if spec.policy == "interpolate":
        k = plan.kernel
        axes = tuple(range(k.ndim - plan.nsp, k.ndim))
        scale = np.sum(np.abs(k.astype(np.float64)), axis=axes, keepdims=True) / np.abs(ksum)
        limit = np.maximum(limit, _tolerance(values.real.dtype.char) * scale)
    if np.all(limit == 0):
        return values
    low = np.abs(weights) < limit if weights is not None else \
        np.broadcast_to(np.asarray(1.0 < limit), values.shape)
    if not low.any():
        return values
    values = values.astype(np.result_type(values.dtype, np.float32), copy=False)
    values[np.broadcast_to(low, values.shape)] = np.nan
    return values
