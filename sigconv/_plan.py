"""From user arguments to a validated, engine-ready plan (no work is done here).

``make_plan`` runs every check before anything is computed, so a bad call costs nothing
and changes nothing.  The plan holds plain ints and tuples; the engines never see strings.
"""

import functools
import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _missing, _runtime, _shapes, _validate as V
from .engines import problem as _problem
from ._errors import IntegerOverflowError, ShapeError

_INT64_MAX = 2 ** 63 - 1
_UINT64_MAX = 2 ** 64 - 1


@dataclass(eq=False)
class Plan:
    """Everything an engine and the finishing step need, validated.  Read-only by
    convention (made anew for each call, changed only by :func:`dataclasses.replace`);
    not frozen, because a frozen dataclass's constructor costs several microseconds a
    call, a tiny convolution's whole budget."""
    func: str
    x: np.ndarray            # input, convolution axes moved last (a view; never written)
    kernel: np.ndarray       # correlation-orientation kernel, same layout as x
    axes: tuple              # convolution axes of the caller's arrays
    pads: tuple              # ((before, after), ...) per convolution axis
    strides: tuple
    dilations: tuple
    out_shape: tuple         # batch + spatial, in the internal (axes-last) layout
    boundary: str
    fillvalue: object
    compute_dtype: np.dtype  # the dtype engines compute in
    result_dtype: np.dtype   # dtype of the returned array before out_dtype
    out_dtype: object        # requested output dtype or None
    integer: bool            # exact integer semantics
    int_bound: int           # bound on |result| for integer inputs (0 otherwise)
    method: str
    nan_policy: str
    workers: int
    inputs: tuple = ()       # the caller's arrays behind x and kernel, in that order
    missing: object = None   # the missing-data stage's options (sigconv._missing.Missing)

    # (computed on first use and kept in the instance: functools.cached_property takes a
    # lock on each first use, 2 us of a small call)
    @property
    def _norms(self):
        # one pass over each input, made only when a decision needs it (see nonfinite)
        found = self.__dict__.get("_norms_found")
        if found is None:
            found = self.__dict__["_norms_found"] = tuple(V.finite_norm(arr)
                                                          for arr in self.inputs)
        return found

    @property
    def nonfinite(self):
        """Count of non-finite input values.  Computed on first use: 'auto' needs it only
        to rule out the transforms, so a call that is clearly a direct sum never reads its
        inputs an extra time for it."""
        return sum(bad for bad, _ in self._norms)

    @property
    def tops(self):
        """Upper bounds of max |x| and max |kernel| (norms), or None."""
        return tuple(top for _, top in self._norms)

    @property
    def problem(self):
        """The plan as the cost model sees it (:func:`sigconv.engines.problem.problem`)."""
        found = self.__dict__.get("_problem_found")
        if found is None:
            found = self.__dict__["_problem_found"] = _problem.problem(self)
        return found

    @property
    def nsp(self):
        return len(self.strides)

    @property
    def kernel_spatial(self):
        return self.kernel.shape[-self.nsp:]

    @property
    def x_spatial(self):
        return self.x.shape[-self.nsp:]


def make_plan(op, in1, in2, mode, method, axes, boundary, fillvalue, center, stride,
              dilation, out_dtype, nan_policy, workers, func=None, *, mask=None,
              preserve_nan=False, min_weight=None, return_weights=False):
    """Validate every argument of convolve/correlate and build the Plan.

    The checks and the shape arithmetic (:func:`layout`) depend on the arguments and the
    inputs' shapes and dtypes alone; the inputs' values are read only for integer bounds,
    ``nan_policy='raise'`` and the missing-data options (:mod:`sigconv._missing`).
    """
    func = func or op
    a = V.as_numeric_array(in1, "in1", func)
    b = V.as_numeric_array(in2, "in2", func)
    lay = layout(op, func, a.shape, a.dtype, b.shape, b.dtype, mode, method, axes, boundary,
                 fillvalue, center, stride, dilation, out_dtype, nan_policy, workers)
    missing = None
    if _missing.requested(in1, mask, lay.nan_policy, preserve_nan, min_weight, return_weights):
        missing = _missing.arguments(in1, a, b, lay.axes, lay.mode, lay.nan_policy, mask,
                                     preserve_nan, min_weight, return_weights, lay.boundary,
                                     lay.fillvalue, lay.strides, lay.out_dtype, func)
    if missing:
        if lay.swap:
            raise ShapeError(f"{func}: with missing data in2 is the kernel, so in 'valid' mode "
                             f"it must not be larger than in1; got shapes {a.shape} and "
                             f"{b.shape}")
        lay = lay._replace(**dict(zip(("integer", "compute", "result"), dtype_policy(
            _missing.input_dtype(a.dtype), b.dtype, lay.fillvalue, lay.boundary, func))))
    x, k = orient(op, a, b, lay.swap, lay.axes)
    trailing = tuple(range(a.ndim - len(lay.axes), a.ndim))
    if lay.moved:
        x, k = np.moveaxis(x, lay.axes, trailing), np.moveaxis(k, lay.axes, trailing)
    integer, compute, bound = lay.integer, lay.compute, 0
    if integer:
        integer, compute, bound = exact_compute(a, b, lay.fillvalue, lay.result, lay.out_dtype,
                                                func)
    # positionally, in the order of Plan's fields (keywords cost 1.5 us a call)
    plan = Plan(func, x, k, lay.axes, lay.pads, lay.strides, lay.dilations, lay.out_shape,
                lay.boundary, lay.fillvalue, compute, lay.result, lay.out_dtype, integer, bound,
                lay.method, lay.nan_policy, lay.workers, (b, a) if lay.swap else (a, b))
    if missing:
        return _missing.attach(plan, missing, lay.axes, trailing)
    if lay.nan_policy == "raise" and plan.nonfinite:
        raise ValueError(f"{func}: inputs contain {plan.nonfinite} non-finite value(s) and "
                         "nan_policy='raise'")
    return plan


class Layout(NamedTuple):
    """The validated arguments of a call and what follows from them and the inputs'
    shapes and dtypes: everything of a :class:`Plan` but the arrays."""
    mode: str
    method: str
    boundary: str
    nan_policy: str
    out_dtype: object
    workers: int
    axes: tuple
    strides: tuple
    dilations: tuple
    fillvalue: object
    integer: bool
    compute: np.dtype
    result: np.dtype
    swap: bool          # scipy's 'valid' swap of the inputs
    moved: bool         # the convolution axes are not the trailing ones
    pads: tuple
    out_shape: tuple


def layout(op, func, shape1, dtype1, shape2, dtype2, mode, method, axes, boundary, fillvalue,
           center, stride, dilation, out_dtype, nan_policy, workers):
    """The :class:`Layout` of a call, or the error its arguments deserve.

    A pure function of its arguments (and the core count, for ``workers=None``), so the
    answer for hashable arguments is remembered: a call that repeats another's signature
    skips every check and every shape computation.
    """
    args = (op, func, shape1, dtype1, shape2, dtype2, mode, method, axes, boundary,
            fillvalue, center, stride, dilation, out_dtype, nan_policy, workers)
    types = (type(axes), type(center), type(stride), type(dilation))
    if tuple in types and not all(type(i) is int for v in (axes, center, stride, dilation)
                                  if type(v) is tuple for i in v):
        return _layout(*args)         # (1, True) equals (1, 1), and is refused
    # the types too: 1, 1.0, True and 1+0j are equal, and not the same argument
    key = (args, type(fillvalue), type(workers), type(out_dtype), types)
    try:
        return _remembered_layout(key)
    except TypeError:                 # unhashable (a list), or refused: check uncached
        return _layout(*args)


@functools.lru_cache(maxsize=256)
def _remembered_layout(key):
    return _layout(*key[0])


def _layout(op, func, shape1, dtype1, shape2, dtype2, mode, method, axes, boundary,
            fillvalue, center, stride, dilation, out_dtype, nan_policy, workers):
    mode = V.one_of(mode, V.MODES, "mode", func)
    method = V.one_of(method, V.METHODS, "method", func)
    boundary = V.boundary_name(boundary, func)
    nan_policy = V.one_of(nan_policy, V.NAN_POLICIES, "nan_policy", func)
    out_dtype = V.dtype_arg(out_dtype, "out_dtype", func)
    workers = workers_arg(workers, func)
    V.same_ndim(_Shape(shape1), _Shape(shape2), func)
    ndim = len(shape1)
    axes = V.axes_tuple(axes, ndim, func) if ndim else ()
    V.batch_broadcast(_Shape(shape1), _Shape(shape2), axes, func)
    naxes = len(axes)
    strides = V.per_axis(stride, naxes, "stride", func)
    dilations = V.per_axis(dilation, naxes, "dilation", func)
    center = center_arg(center, naxes, func)
    fillvalue = fillvalue_arg(fillvalue, func)
    integer, compute, result = dtype_policy(dtype1, dtype2, fillvalue, boundary, func)

    swap = bool(mode == "valid" and all(d == 1 for d in dilations) and math.prod(shape1)
                and math.prod(shape2)
                and _shapes.valid_swap_needed(shape1, shape2, axes, func))
    xs, ks = (shape2, shape1) if swap else (shape1, shape2)
    trailing = tuple(range(ndim - naxes, ndim))
    moved = axes != trailing
    if moved:
        xs, ks = _moved(xs, axes, trailing), _moved(ks, axes, trailing)
    pads, spatial = geometry(op, mode, center, xs[ndim - naxes:], ks[ndim - naxes:], strides,
                             dilations, func)
    batch = _shapes.broadcast(xs[:ndim - naxes], ks[:ndim - naxes])
    return Layout(mode, method, boundary, nan_policy, out_dtype, workers, axes, strides,
                  dilations, fillvalue, integer, compute, result, swap, moved, pads,
                  tuple(batch) + spatial)


class _Shape(NamedTuple):
    """A stand-in for an array where a check needs only its shape."""
    shape: tuple

    @property
    def ndim(self):
        return len(self.shape)


def _moved(shape, axes, trailing):
    """``shape`` after ``np.moveaxis(arr, axes, trailing)``."""
    order = [i for i in range(len(shape)) if i not in axes] + list(axes)
    return tuple(shape[i] for i in order)


def workers_arg(workers, func):
    """Threads for ``workers``: None is every core, a negative count is counted back
    from the cores (-1: all of them), as in scipy.fft."""
    if workers is None:
        return _runtime.cores()
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers == 0:
        raise ValueError(f"{func}: workers must be None, a positive int or -1; got {workers!r}")
    return int(workers) if workers > 0 else max(1, _runtime.cores() + 1 + int(workers))


def center_arg(center, naxes, func):
    """The ``center`` argument checked: 'scipy', 'ndimage' or one tap per axis."""
    if isinstance(center, str):
        return V.one_of(center, V.CENTERS, "center", func)
    if isinstance(center, numbers.Integral) and not isinstance(center, bool):
        return (int(center),) * naxes
    try:
        taps = tuple(center)
    except TypeError:
        raise ValueError(f"{func}: center must be 'scipy', 'ndimage', an int or a tuple of "
                         f"ints; got {center!r}") from None
    if len(taps) != naxes or not all(isinstance(t, numbers.Integral) for t in taps):
        raise ValueError(f"{func}: center needs one integer tap per convolution axis "
                         f"({naxes}); got {center!r}")
    return tuple(int(t) for t in taps)


def fillvalue_arg(fillvalue, func):
    """The ``fillvalue`` argument checked: a numeric scalar."""
    if type(fillvalue) in (int, float, complex) or \
            isinstance(fillvalue, (numbers.Number, np.number, np.bool_)):  # (ABCs: slower)
        return fillvalue
    arr = np.asarray(fillvalue)
    if arr.ndim == 0 and arr.dtype.kind in "biufc":
        return arr[()]
    raise ValueError(f"{func}: fillvalue must be a numeric scalar; got {fillvalue!r}")


def dtype_policy(dt1, dt2, fillvalue, boundary, func):
    """(integer?, compute dtype, result dtype) for the dtype policy of DESIGN.md.

    The result dtype is scipy.signal's, ``np.result_type(dt1, dt2)``, with two
    exceptions: bool with bool counts (int64, as ``np.sum`` of bools), and float16
    computes in float32.  Integer inputs are computed exactly, in int64 (see
    :func:`exact_compute` for the wider cases); a constant ``fillvalue`` must then be an
    integer.
    """
    if dt1.kind in "biu" and dt2.kind in "biu":
        result = np.result_type(dt1, dt2)
        if result.kind == "b":
            result = np.dtype(np.int64)
        if boundary == "constant" and fillvalue != 0 and (
                isinstance(fillvalue, (complex, np.complexfloating))
                or float(np.real(fillvalue)) != int(np.real(fillvalue))):
            raise ValueError(
                f"{func}: could not cast `fillvalue` directly to the output dtype "
                f"{result}: integer inputs give an exact integer result, so fillvalue "
                f"must be an integer; got {fillvalue!r} (pass float inputs to pad with it)")
        return True, np.dtype(np.int64), result.newbyteorder("=")
    dt = np.result_type(dt1, dt2)
    if dt == np.float16:
        dt = np.dtype(np.float32)
    if boundary == "constant" and isinstance(fillvalue, (complex, np.complexfloating)) \
            and fillvalue.imag != 0 and dt.kind != "c":
        dt = np.result_type(dt, np.complex64)
    dt = dt.newbyteorder("=")
    return False, dt, dt


def exact_compute(a, b, fillvalue, result, out_dtype, func):
    """(integer?, compute dtype, bound) for the integer inputs ``a`` and ``b``.

    ``bound`` bounds ``|result|`` (:func:`_integer_bound`).  The sums run exactly in
    int64 while the bound fits it, else in uint64 when both inputs are unsigned.  Beyond
    that, a result wanted in floating point (``out_dtype`` a float or complex dtype, or
    the result dtype float64: uint64 with a signed dtype) is computed in float64 like a
    float convolution; any other raises IntegerOverflowError before the work.
    """
    bound = _integer_bound(a, b, fillvalue)
    if bound <= _INT64_MAX:
        return True, np.dtype(np.int64), bound
    if a.dtype.kind in "bu" and b.dtype.kind in "bu" and bound <= _UINT64_MAX:
        return True, np.dtype(np.uint64), bound
    if result.kind == "f" or (out_dtype is not None and out_dtype.kind in "fc"):
        return False, np.dtype(np.float64), 0
    raise IntegerOverflowError(
        f"{func}: the exact integer result can reach {bound}, beyond the 64-bit integer "
        "range; pass out_dtype=np.float64 to compute in floating point (rounded)")


def orient(op, a, b, swap, axes):
    """(input, correlation-orientation kernel) for ``op``, after scipy's 'valid' swap.

    Convolution flips the kernel; correlation conjugates it.  With the swap, correlate
    becomes scipy's ``convolve(flip(conj(in2)), in1)``.
    """
    def flip(arr):         # np.flip's result, by one basic index (np.flip costs ~5 us)
        return arr[_flip_index(arr.ndim, axes)]

    if op == "correlate":
        b = np.conj(b) if b.dtype.kind == "c" else b
        if not swap:
            return a, b
        return flip(b), flip(a)
    if swap:
        a, b = b, a
    return a, flip(b)


@functools.lru_cache(maxsize=64)
def _flip_index(ndim, axes):
    return tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim))


def geometry(op, mode, center, xshape, kshape, strides, dilations, func):
    """``(pads, spatial)``: the zero/boundary pads and output extents of the convolution
    axes for inputs of spatial shape ``xshape`` and kernels of ``kshape`` (shapes only:
    shared by every caller that plans without the arrays, such as the dask and matrix
    forms)."""
    pads, spatial = [], []
    for i, (n, k, s, d) in enumerate(zip(xshape, kshape, strides, dilations)):
        ke = _shapes.effective_size(k, d)
        if n == 0 or k == 0:
            pads.append((0, 0))
            spatial.append(-(-n // s) if mode == "same" else 0)
            continue
        if mode == "valid" and n < ke:
            raise ShapeError(
                f"{func}: for 'valid' mode with dilation, in1 must be at least as large as "
                f"the dilated kernel on every axis; got {n} and {ke} on convolution axis {i}")
        anchor = _shapes.anchor(center, op, k, d, i, func) if mode == "same" else 0
        before, after = _shapes.mode_pads(mode, op, ke, anchor)
        pads.append((before, after))
        spatial.append(_shapes.output_length(n, before, after, ke, s))
    return tuple(pads), tuple(spatial)


def _integer_bound(a, b, fillvalue):
    """An upper bound on |result| for integer inputs: max|a| * max over batches of sum|b|."""
    if a.size == 0 or b.size == 0:
        return 0
    amax = max(int(a.max()), -int(a.min()), abs(int(fillvalue.real)))
    if b.size <= 256:           # exact in Python's integers (3 taps: 0.4 us, numpy's 2.6)
        return amax * sum(map(abs, b.ravel().tolist()))
    estimate = amax * float(np.abs(b.astype(np.float64)).sum())
    if estimate < 2.0 ** 62:
        return int(math.ceil(estimate))
    return amax * int(np.sum(np.abs(b.astype(object))))
