"""How sigconv.ndimage computes: every filter is one or more passes through the pipeline.

A pass is one call of :func:`sigconv.correlate` (or :func:`sigconv.convolve`) in
``'same'`` mode, with scipy.ndimage's boundary (``boundary=``, ``fillvalue=``) and the
kernel tap that scipy.ndimage centres (``center=``, an anchor per axis).  Separable
filters are sequences of 1-D passes, as in scipy.ndimage; the pipeline picks the method
of each pass ('auto': direct sums for short kernels, FFT-based methods for long ones).
A 2-D separable filter whose passes would both be FFT-based runs as one call with its
whole kernel (:func:`_whole_kernel`).

dtypes follow scipy.ndimage: the result has the output's dtype (the input's by default).
The computation runs in the precision of the input or the output, whichever is wider
(float32 data stays in float32; integers are filtered in float64, or exactly in integers
when the weights are integers).  Integer outputs are truncated toward zero, as scipy's C
cast does, after every pass whose result is not an exact integer (scipy stores the
intermediate results of separable filters in the output's dtype).  Where scipy wraps
around, a value outside the output's range raises IntegerOverflowError when the output
dtype is the default, and saturates when the caller chose it.
"""

import functools
from dataclasses import dataclass

import numpy as np

from .. import _missing
from .._convolve import choose_method, convolve, correlate
from ..filters._common import outer
from .._errors import IntegerOverflowError
from .._integers import to_integer


@dataclass(frozen=True)
class Pass:
    """One 1-D pass of a separable filter: ``weights`` (correlation orientation) along
    ``axis`` with tap ``anchor`` on each sample, the input extended by ``boundary``; the
    sums are divided by ``divisor`` (the uniform filter's size)."""
    axis: int
    weights: np.ndarray
    anchor: int
    boundary: str
    divisor: int = 1


def compute_dtype(in_dtype, out_dtype, complex_weights=False):
    """The dtype a filter computes in: the wider of the input's and the output's
    precision (integer inputs and integer outputs: float64; float16: float32), complex
    when the input or the weights are."""
    in_dtype, out_dtype = np.dtype(in_dtype), np.dtype(out_dtype)
    if out_dtype.kind in "biu" or in_dtype.kind in "biu":
        real = np.dtype(np.float64)
    else:
        real = np.promote_types(_real(in_dtype), np.float32)
    if out_dtype.kind in "fc":
        real = np.promote_types(real, _real(out_dtype))
    if in_dtype.kind == "c" or complex_weights:
        return np.promote_types(real, np.complex64)
    return real


def _real(dtype):
    return np.empty(0, dtype).real.dtype


def integral(weights):
    """True when every weight is a real integer (the filter is exact on integers)."""
    w = np.asarray(weights)
    return w.dtype.kind in "biu" or (w.dtype.kind == "f" and bool(np.all(np.isfinite(w)))
                                     and bool(np.all(w == np.round(w))))


def exact(x, weights, boundary, cval):
    """True when correlating ``x`` with ``weights`` can run in exact integer arithmetic:
    integer (or bool) data, integer weights and an integer fill value."""
    return (x.dtype.kind in "biu" and integral(weights)
            and (boundary != "constant" or float(np.real(cval)) == int(np.real(cval))))


def apply(op, x, weights, anchors, boundary, cval, dtype, method="auto"):
    """``op`` ('correlate' or 'convolve') of ``x`` with ``weights`` in scipy.ndimage's
    geometry, computed in ``dtype`` or, when :func:`exact`, in exact integers."""
    fill = cval if boundary == "constant" else 0
    run = correlate if op == "correlate" else convolve
    if exact(x, weights, boundary, cval):
        try:
            return run(x, np.asarray(weights).astype(np.int64), "same", boundary=boundary,
                       fillvalue=int(np.real(fill)), center=tuple(anchors))
        except IntegerOverflowError:
            pass                    # beyond 64 bits: float64, as scipy computes
    w = rounded(np.asarray(weights), dtype)
    return run(x, w, "same", method, boundary=boundary, fillvalue=fill,
               center=tuple(anchors))


def missing_options(mask, nan_policy, preserve_nan, min_weight):
    """The missing-data keywords of a filter call (as :func:`sigconv.convolve` takes
    them), or None when the call uses none."""
    if nan_policy == "propagate" and not _missing.requested(None, mask, nan_policy,
                                                             preserve_nan, min_weight, False):
        return None
    return dict(mask=mask, nan_policy=nan_policy, preserve_nan=preserve_nan,
                min_weight=min_weight)


def missing_output(output, x, missing):
    """The ``output`` argument of a filter with missing data: by default the input's
    float dtype (float64 for integers), since outputs without data are NaN."""
    if missing is None or output is not None or x.dtype.kind in "fc":
        return output
    return np.float64


def apply_missing(op, x, weights, anchors, boundary, cval, missing):
    """``op`` of ``x`` with ``weights`` with missing data: one pipeline call (the
    normalized convolution of a separable kernel is not a sequence of normalized
    passes)."""
    run = correlate if op == "correlate" else convolve
    return run(x, weights, "same", boundary=boundary, fillvalue=cval, center=tuple(anchors),
               **missing)


def passes_missing(x, passes, cval, missing, func):
    """The filter of separable ``passes`` with missing data, by its whole kernel."""
    if not passes:
        return apply_missing("correlate", x, np.ones((1,) * x.ndim), [0] * x.ndim,
                             "constant", cval, missing)
    if len({p.boundary for p in passes}) != 1:
        raise ValueError(f"{func}: missing data needs one mode for every filtered axis; got "
                         f"{sorted({p.boundary for p in passes})}")
    factors, anchors = [np.ones(1)] * x.ndim, [0] * x.ndim
    divisor = 1
    for p in passes:
        factors[p.axis] = np.convolve(factors[p.axis], p.weights)  # an axis twice: both
        anchors[p.axis] += p.anchor
        divisor *= p.divisor
    return apply_missing("correlate", x, outer(factors) / divisor, anchors,
                         passes[0].boundary, cval, missing)


def rounded(weights, dtype):
    """``weights`` in ``dtype``.  In single precision the rounding is corrected so that
    the weights keep their sum (to about 1e-12): each weight, largest first, absorbs
    what the sum has lost so far.  Rounded independently, a Gaussian's nine float32
    weights summed to 1 + 3e-8, and every output of a float32 filter was that much too
    large (4e-8 of the total over an image, against scipy's double-precision sums)."""
    w = weights.astype(dtype, copy=False)
    if w.dtype.kind not in "fc" or w.dtype.itemsize > (8 if w.dtype.kind == "f" else 16) \
            or weights.dtype.kind != "f" or weights.dtype.itemsize <= w.real.dtype.itemsize:
        return w
    w = w.copy()
    flat, want = w.reshape(-1), weights.reshape(-1).astype(np.float64)
    lost = want.sum() - flat.real.astype(np.float64).sum()
    for i in np.argsort(-np.abs(want)):
        if lost == 0:
            break
        before = float(flat[i].real)
        flat[i] = before + lost
        lost -= float(flat[i].real) - before
    return w


def method_for(out):
    """The pipeline's method for a result bound for ``out``: 'auto', except 'direct'
    for integer outputs, which are truncated (an FFT's rounding error, relative to the
    largest value, could move a small result across an integer)."""
    return "direct" if out.dtype.kind in "biu" else "auto"


def one_pass(x, p, cval, dtype, method="auto"):
    """The result of pass ``p`` over ``x`` (weights along ``p.axis``)."""
    shape = [1] * x.ndim
    shape[p.axis] = p.weights.size
    anchors = [0] * x.ndim
    anchors[p.axis] = p.anchor
    y = apply("correlate", x, p.weights.reshape(shape), anchors, p.boundary, cval, dtype,
              method)
    return _divided(y, p.divisor)


def _divided(y, divisor):
    """``y / divisor`` (in place for a float ``y``; integer sums become float64)."""
    if divisor == 1:
        return y
    return np.divide(y, divisor, out=y) if y.dtype.kind in "fc" else y / divisor


def run_passes(x, passes, cval, out):
    """``x`` after ``passes`` in order.  For an integer output a pass whose result is not
    exact is truncated into the output's dtype (scipy stores intermediate results in
    the output's dtype); otherwise the result keeps the computation's dtype."""
    dtype = compute_dtype(x.dtype, out.dtype, any(p.weights.dtype.kind == "c" for p in passes))
    whole = _whole_kernel(x, passes, cval, out, dtype)
    if whole is not None:
        kernel, anchors, boundary, divisor = whole
        return _divided(apply("correlate", x, kernel, anchors, boundary, cval, dtype), divisor)
    y = x
    for p in passes:
        was_exact = exact(y, p.weights, p.boundary, cval) and p.divisor == 1
        y = one_pass(y, p, cval, dtype, method_for(out))
        if out.dtype.kind in "biu" and not was_exact:
            y = cast(y, out)
    return y if passes else x.copy()


#: inputs of fewer samples always run pass by pass: their filters take well under a
#: millisecond, and pass by pass their results are scipy's sums
WHOLE_MIN_SIZE = 1 << 16


def _whole_kernel(x, passes, cval, out, dtype):
    """``(kernel, anchors, boundary, divisor)``: the separable kernel of two ``passes``
    for one pipeline call, when that gives scipy's result and is faster; else None.

    One call of the whole kernel is the same filter when every pass extends the input by
    the same rule, except a constant other than 0 (scipy pads every pass with ``cval``),
    and the output is not an integer (those are truncated pass by pass).  It is faster
    when even the shortest 1-D pass would run through a transform method (as
    :func:`sigconv.choose_method` says): then one 2-D transform replaces one per axis
    (2048**2 float32, Gaussian sigma 4: 51 CPU-ms against 89; uniform size 15: 45-60
    against 65-94).  Passes that are direct sums stay passes: the whole kernel's direct
    sum would be split into the same passes.  Three or more passes stay passes too:
    once settled, a 256**3 sigma-4 Gaussian took 400-500 CPU-ms as one 3-D overlap-save
    against 550-840 for three passes, but 'auto' first tries the other methods on the
    whole kernel, and one such trial (a 3-D FFT of the padded volume) took 14 s.
    """
    if len(passes) != 2 or x.size < WHOLE_MIN_SIZE or out.dtype.kind in "biu":
        return None
    boundaries = {p.boundary for p in passes}
    if len(boundaries) != 1 or len({p.axis for p in passes}) != len(passes):
        return None
    boundary = boundaries.pop()
    if boundary == "constant" and cval != 0:
        return None
    shortest = min(passes, key=lambda p: p.weights.size)
    w = rounded(shortest.weights, dtype)
    if not _transform_wins(x.shape, x.dtype.str, shortest.axis, w.tobytes(), w.dtype.str,
                           shortest.anchor, boundary):
        return None
    factors, anchors = [np.ones(1)] * x.ndim, [0] * x.ndim
    for p in passes:
        factors[p.axis], anchors[p.axis] = p.weights, p.anchor
    kernel = factors[0]
    for f in factors[1:]:
        kernel = np.multiply.outer(kernel, f)
    return kernel, anchors, boundary, int(np.prod([p.divisor for p in passes]))


@functools.lru_cache(maxsize=64)
def _transform_wins(shape, dtype, axis, weights, weights_dtype, anchor, boundary):
    """Whether :func:`sigconv.choose_method` runs the 1-D pass ``weights`` (bytes) along
    ``axis`` through a transform method, for inputs of this shape and dtype (asked once
    per problem: it reads an input's values, here zeros, since non-finite values or a
    wide dynamic range rule transforms out)."""
    kshape, anchors = [1] * len(shape), [0] * len(shape)
    kernel = np.frombuffer(weights, dtype=weights_dtype)
    kshape[axis], anchors[axis] = kernel.size, anchor
    choice = choose_method(np.zeros(shape, dtype), kernel.reshape(kshape), "same",
                           op="correlate", boundary=boundary, center=tuple(anchors))
    return choice.method != "direct"


def cast(values, out):
    """``values`` as the output's dtype (:class:`~._args.Output`).  Integer and bool
    outputs truncate toward zero (scipy's C cast), NaN becomes 0; a value beyond an
    integer dtype's range saturates when the caller chose the dtype, and raises
    IntegerOverflowError when it is the default (the input's dtype), where scipy wraps
    around (:func:`~sigconv._integers.to_integer`)."""
    dtype = out.dtype
    if dtype.kind not in "biu":
        return values.astype(dtype, copy=False)
    if values.dtype.kind in "fc":
        values = _truncate(np.real(values))
    if dtype.kind == "b":
        return values != 0
    return to_integer(values, dtype, saturate=out.chosen, func=out.func, argument="output",
                      origin="the input's dtype, the default output")


#: computed values this close to an integer (relative) count as that integer when they
#: are truncated: the exact value is truncated, not the rounding error of its sum
SNAP = 2.0 ** -40


def _truncate(values):
    """``values`` truncated toward zero, NaN as 0; a value within SNAP (relative) of an
    integer is taken as that integer (a Gaussian of a ramp computed 19.999999999999996
    where the exact value, and scipy's result, is 20)."""
    nearest = np.round(values)
    close = np.abs(values - nearest) <= SNAP * np.maximum(np.abs(values), 1)
    out = np.where(close, nearest, np.trunc(values))
    return np.where(np.isnan(out), 0, out)


def finish(values, out):
    """``values`` cast to the output (:class:`~._args.Output`): into the caller's array
    when one was given (and returned), else a new array."""
    result = cast(values, out)
    if out.array is None:
        return result
    out.array[...] = result
    return out.array
