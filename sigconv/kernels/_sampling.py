"""The pixel grid of a kernel, the four sampling modes, normalization and the error bound.

Every kernel function builds a :class:`Model` (what the continuous function is) and calls
:func:`discretize` (how it becomes an array): validate -> reference pixel integrals ->
sample -> normalize -> compare.
"""

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import _validate as V
from .._errors import ResourceLimitError
from .._runtime import memory_budget
from ._cubature import CHUNK_POINTS, pixel_cubature

__all__ = ["MODES", "NORMALIZATIONS", "Model", "SampledKernel", "discretize", "centres",
           "grid_shape", "sampling_doc"]

MODES = ("center", "linear_interp", "oversample", "integrate")
NORMALIZATIONS = ("sum", "peak", "none")
#: float64 arrays of the kernel's shape alive at once (coordinates, samples, reference,
#: errors), for the memory check made before any work
_ARRAYS = 8


#: the parameters and result every kernel function shares, put in its docstring by
#: :func:`sampling_doc` in place of ``{sampling}``
SAMPLING_DOC = """size : int or sequence of int, optional
        Pixels per axis, odd or even.  Default: per axis the fewest pixels (an odd number)
        that cover the model's extent ``[-e, e]``: ``2 ceil(e - 1/2) + 1``.
    mode : {'integrate', 'center', 'linear_interp', 'oversample'}
        ``'integrate'`` (default): the exact integral of the model over each pixel;
        ``'center'``: the value at the pixel centre; ``'linear_interp'``: the mean of the
        values at the pixel's ``2**ndim`` corners; ``'oversample'``: the mean of the values
        at the centres of a ``factor``-fold finer grid.  See :mod:`sigconv.kernels`.
    factor : int
        Oversampling factor per axis for ``mode='oversample'`` (>= 1).
    normalize : {'sum', 'peak', 'none'}
        Divide by the array's sum (it sums to 1), by its maximum (peak 1), or keep the
        model's own scale.
    estimate_error : bool
        Bound the error against the exact pixel integrals (computing them: for modes other
        than ``'integrate'`` this costs one ``'integrate'`` more).
    epsabs, epsrel : float
        Tolerances of adaptive quadrature where a pixel integral has no closed form: a
        pixel passes when its estimated error is at most ``max(epsabs, epsrel |value|)``;
        ``epsabs=None`` is 1e-13 times the largest centre sample.
    on_failure : {'raise', 'warn'}
        A quadrature that misses its tolerance raises
        :class:`~sigconv.continuous.QuadratureError`, or warns
        :class:`~sigconv.continuous.QuadratureWarning` and returns its estimates.

    Returns
    -------
    SampledKernel
        ``array`` and the bound of its error against the exact pixel integrals
        (``max_abs_error``, ``rel_l1_error``, ``pixel_error``), ``truncation``."""


def sampling_doc(fn):
    """Put :data:`SAMPLING_DOC` into ``fn``'s docstring in place of ``{sampling}``."""
    fn.__doc__ = fn.__doc__.replace("{sampling}", SAMPLING_DOC)
    return fn


@dataclass(frozen=True)
class Model:
    """A continuous kernel model (private: built by the public kernel functions).

    ``point(*coords)`` evaluates it at broadcastable coordinate arrays (array-axis order);
    ``extent`` holds the half-width per axis that the default size covers;
    ``integrals(lo, tol)`` gives exact pixel integrals over ``[lo, lo + 1]`` (``lo`` of
    shape ``(npixels, ndim)``) as ``(values, error bound, basis)``, or is None when the
    pixel integrals come from cubature of ``point``; ``total`` is the integral over the
    whole space when it is known (None otherwise), ``zero_sum`` marks a model whose
    integral is 0 (normalize='sum' is refused), and ``radial`` a function of ``|x|`` only.
    """
    func: str
    ndim: int
    point: Callable
    extent: tuple
    integrals: Callable | None = None
    total: float | None = None
    zero_sum: bool = False
    radial: bool = False


@dataclass(frozen=True, eq=False)
class SampledKernel:
    """A kernel sampled from a continuous model, with a bound of its discretization error.

    Attributes
    ----------
    array : ndarray
        The kernel (float64), origin of the model at index ``(n - 1) / 2`` per axis.
    mode, normalize : str
        How it was sampled and normalized.
    pixel_error : ndarray or None
        Per pixel, a bound of ``|array - exact|``, where ``exact`` is the exact pixel
        integrals normalized the same way (None with ``estimate_error=False``).
    max_abs_error : float or None
        ``max(pixel_error)``.
    rel_l1_error : float or None
        ``sum(pixel_error) / sum(|exact|)``.
    error_basis : str or None
        ``'closed form'`` (the exact pixel integrals are known; the bound is the actual
        error plus a rounding allowance) or ``'quadrature'`` (they come from adaptive
        quadrature; the bound adds its error estimate).
    truncation : float or None
        The share of the model's integral that falls outside the array, where the model's
        integral is known and not 0.

    ``np.asarray(kernel)`` is ``kernel.array``, so a SampledKernel can be passed to
    :func:`sigconv.convolve` directly.
    """
    array: np.ndarray
    mode: str
    normalize: str
    pixel_error: np.ndarray | None
    max_abs_error: float | None
    rel_l1_error: float | None
    error_basis: str | None
    truncation: float | None

    @property
    def shape(self):
        return self.array.shape

    def __array__(self, dtype=None, copy=None):
        return np.array(self.array, dtype=dtype, copy=copy)


def centres(n):
    """Pixel centres along an axis of ``n`` pixels: ``i - (n - 1) / 2``.

    Examples
    --------
    >>> centres(3), centres(4)
    (array([-1.,  0.,  1.]), array([-1.5, -0.5,  0.5,  1.5]))
    """
    return np.arange(n) - (n - 1) / 2


def grid_shape(model, size, func):
    """The kernel shape: ``size`` (an int or one per axis) or, by default, per axis
    ``2 ceil(e - 1/2) + 1`` pixels, the fewest centred pixels that cover ``[-e, e]``."""
    if size is None:
        shape = tuple(2 * max(0, math.ceil(e - 0.5)) + 1 for e in model.extent)
    else:
        shape = V.per_axis(size, model.ndim, "size", func)
    need = _ARRAYS * 8 * math.prod(shape)
    if need > memory_budget():
        raise ResourceLimitError(
            f"{func}: a kernel of shape {shape} needs about {need / 2**30:.3g} GB to sample, "
            f"over the limit of {memory_budget() / 2**30:.3g} GB (sigconv.set_options "
            "max_memory); pass a smaller size or truncate")
    return shape


def discretize(model, *, size, mode, factor, normalize, estimate_error, tol):
    """Sample ``model`` on its pixel grid (the recipe of every public kernel function)."""
    func = model.func
    mode = V.one_of(mode, MODES, "mode", func)
    if mode == "oversample":
        factor = V.positive_int(factor, "factor", func)
    normalize = V.one_of(normalize, NORMALIZATIONS, "normalize", func)
    if not isinstance(estimate_error, (bool, np.bool_)):
        raise TypeError(f"{func}: estimate_error must be True or False; got {estimate_error!r}")
    if normalize == "sum" and model.zero_sum:
        raise ValueError(f"{func}: normalize='sum' divides by the kernel's sum, and this "
                         "model integrates to 0; use normalize='peak' or 'none'")
    shape = grid_shape(model, size, func)
    ref = err = basis = None
    if estimate_error or mode == "integrate":
        ref, err, basis = _pixel_integrals(model, shape, tol)
    if mode == "integrate":
        arr = ref
    else:
        arr = _SAMPLERS[mode](model, shape, factor)
    arr, _ = _normalized(arr, normalize, func)
    if ref is None:
        return SampledKernel(arr, mode, normalize, None, None, None, None, None)
    exact, exact_err = _normalized(ref, normalize, func, err)
    bound = exact_err if mode == "integrate" else np.abs(arr - exact) + exact_err
    denom = float(np.abs(exact).sum())
    truncation = None
    if model.total:
        truncation = max(0.0, 1.0 - float(ref.sum()) / model.total)
    return SampledKernel(arr, mode, normalize, bound, float(bound.max()),
                         float(bound.sum()) / denom if denom else math.inf, basis, truncation)


def _checked(values, shape, model, where):
    """The model's values as a new float64 array of ``shape`` (a constant broadcasts), or
    a clear error: they must be real and finite."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{model.func}: the model must give real numbers; got dtype "
                         f"{values.dtype} {where}")
    try:
        values = np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(f"{model.func}: the model must give one value per point, shape "
                         f"{shape}; got shape {values.shape} {where}") from None
    bad = ~np.isfinite(values)
    if np.any(bad):
        raise ValueError(f"{model.func}: the model must give finite values; got "
                         f"{values[bad].flat[0]} {where}")
    return np.array(values, dtype=np.float64)


def _center(model, shape, factor=None):
    """``f(c)``: the value at the pixel centre."""
    pts = np.meshgrid(*[centres(n) for n in shape], indexing="ij")
    return _checked(model.point(*pts), shape, model, "at the pixel centres")


def _linear(model, shape, factor=None):
    """The mean of ``f`` over the pixel's ``2^n`` corners (astropy's bilinear in 2-D)."""
    corners = np.meshgrid(*[np.arange(n + 1) - n / 2 for n in shape], indexing="ij")
    v = _checked(model.point(*corners), corners[0].shape, model, "at the pixel corners")
    for axis in range(v.ndim):
        lo = [slice(None)] * v.ndim
        hi = list(lo)
        lo[axis], hi[axis] = slice(None, -1), slice(1, None)
        v = 0.5 * (v[tuple(lo)] + v[tuple(hi)])
    return v


def _oversample(model, shape, factor):
    """The mean of ``f`` at the ``factor^n`` centres of a ``factor``-fold finer grid."""
    m = factor
    sub = [(np.arange(n * m) + 0.5) / m - n / 2 for n in shape]
    per_row = m ** len(shape) * math.prod(shape[1:])
    rows = max(1, CHUNK_POINTS // per_row)
    out = np.empty(shape)
    for start in range(0, shape[0], rows):
        stop = min(start + rows, shape[0])
        pts = np.meshgrid(sub[0][start * m:stop * m], *sub[1:], indexing="ij")
        v = _checked(model.point(*pts), pts[0].shape, model, "on the oversampled grid")
        split = [s for n in (stop - start,) + shape[1:] for s in (n, m)]
        out[start:stop] = v.reshape(split).mean(axis=tuple(range(1, 2 * len(shape), 2)))
    return out


_SAMPLERS = {"center": _center, "linear_interp": _linear, "oversample": _oversample}


def _pixel_integrals(model, shape, tol):
    """Exact pixel integrals and their error bounds: the model's own, or cubature.

    A radial model's integral over a pixel depends only on the sorted absolute values of
    its centre's coordinates (the model is invariant under reflections and permutations of
    the axes), so only one pixel of each such class is integrated."""
    lo = np.stack([g.ravel() for g in np.meshgrid(*[centres(n) for n in shape],
                                                 indexing="ij")], axis=-1)
    inverse = None
    if model.radial:
        lo, inverse = np.unique(np.sort(np.abs(lo), axis=1), axis=0, return_inverse=True)
    lo = lo - 0.5
    if model.integrals is not None:
        values, errors, basis = model.integrals(lo, tol)
    else:
        scale = float(np.abs(_center(model, shape)).max())

        def integrand(u, sel):
            coords = [lo[sel, d][None, :] + u[:, d, None] for d in range(model.ndim)]
            return _checked(model.point(*coords), coords[0].shape, model, "inside the pixels")

        values, errors = pixel_cubature(integrand, model.ndim, lo.shape[0], tol, scale)
        basis = "quadrature"
    errors = np.broadcast_to(errors, values.shape)
    if inverse is not None:
        values, errors = values[inverse.ravel()], errors[inverse.ravel()]
    return values.reshape(shape), errors.reshape(shape), basis


def _normalized(arr, normalize, func, err=None):
    """``arr / s`` with ``s`` its sum or maximum; with ``err``, also a first-order bound of
    the error of ``arr / s`` given errors ``err`` of ``arr``."""
    if normalize == "none":
        return (arr, err)
    if normalize == "sum":
        s = float(arr.sum())
        if not abs(s) > 1e3 * np.finfo(float).eps * float(np.abs(arr).sum()):
            raise ValueError(f"{func}: normalize='sum' divides by the kernel's sum, which is "
                             f"{s:.3g} (0 up to rounding); use normalize='peak' or 'none'")
        ds = None if err is None else float(err.sum())
    else:
        peak = int(np.argmax(arr))
        s = float(arr.flat[peak])
        if not s > 0:
            raise ValueError(f"{func}: normalize='peak' divides by the kernel's maximum, "
                             f"which is {s:.3g} (not > 0); use normalize='sum' or 'none'")
        ds = None if err is None else float(err.flat[peak])
    out = arr / s
    if err is None:
        return out, None
    return out, (err + np.abs(out) * ds) / abs(s)
