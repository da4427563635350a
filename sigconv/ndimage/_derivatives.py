"""sobel, prewitt, laplace, gaussian_laplace and gaussian_gradient_magnitude.

Derivative filters are built from the 1-D factors of :mod:`sigconv.filters.edges`
(``DIFFERENCE``, ``SMOOTHING``, ``SECOND_DIFFERENCE``) and from Gaussian passes, one 1-D
pass per axis as in scipy.ndimage.  Sums over axes (the Laplacians, the gradient
magnitude) are taken in the computation's precision and cast once; an integer output
therefore saturates where scipy.ndimage's modular arithmetic wraps.
"""

import numpy as np

from ..filters.edges import DIFFERENCE, SMOOTHING
from ..filters.laplacians import SECOND_DIFFERENCE
from . import _args as A
from ._compute import Pass, apply, compute_dtype, exact, finish, method_for, run_passes
from ._docs import fill
from ._smooth import gaussian_passes

_GRADIENT_DOC = """{summary}

    Parameters
    ----------
    %(input)s
    %(axis)s
    %(output)s
    %(mode_multiple)s
    %(cval)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    ``{weights}`` along `axis` (correlation orientation), then ``{smooth}`` along every
    other axis, one 1-D pass each.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.array([[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9]])
    >>> ndimage.{name}(a, axis=1)
    array({example})
    >>> np.array_equal(_, scipy.ndimage.{name}(a, axis=1))
    True
"""


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0):
    return _gradient("sobel", input, axis, output, mode, cval)


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0):
    return _gradient("prewitt", input, axis, output, mode, cval)


sobel.__doc__ = _GRADIENT_DOC.format(
    summary="Sobel derivative along an axis, as ``scipy.ndimage.sobel``.", name="sobel",
    weights="[-1, 0, 1]", smooth="[1, 2, 1]",
    example="""[[ 0, 36, 36,  0],
           [ 0, 36, 36,  0],
           [ 0, 36, 36,  0]]""")
prewitt.__doc__ = _GRADIENT_DOC.format(
    summary="Prewitt derivative along an axis, as ``scipy.ndimage.prewitt``.",
    name="prewitt", weights="[-1, 0, 1]", smooth="[1, 1, 1]",
    example="""[[ 0, 27, 27,  0],
           [ 0, 27, 27,  0],
           [ 0, 27, 27,  0]]""")
fill(sobel)
fill(prewitt)


def _gradient(func, input, axis, output, mode, cval):
    x = A.array(input, "input", func)
    out = A.output(output, x, func)
    axis = A.axis(axis, x.ndim, func)
    modes = A.modes(mode, x.ndim, func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    steps = [Pass(axis, DIFFERENCE, 1, modes[axis])]
    steps += [Pass(ax, SMOOTHING[func], 1, modes[ax]) for ax in range(x.ndim) if ax != axis]
    return finish(run_passes(x, steps, cval, out), out)


@fill
def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None):
    """N-D Laplace filter from second differences, as ``scipy.ndimage.laplace``.

    Parameters
    ----------
    %(input)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    ``out = sum_k input (*) [1, -2, 1]_k`` over the filtered axes ``k``.  With one mode
    for every axis the sum is a single correlation with the (2n+1)-tap cross-shaped
    kernel; otherwise one pass per axis.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.array([[0, 0, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0]])
    >>> ndimage.laplace(a, mode='constant')
    array([[  0,   4,   0,   0],
           [  4, -16,   4,   0],
           [  0,   4,   0,   0]])
    >>> np.array_equal(_, scipy.ndimage.laplace(a, mode='constant'))
    True
    """
    func = "laplace"
    x = A.array(input, "input", func)
    out = A.output(output, x, func)
    axes = A.axes(axes, x.ndim, func)
    modes = A.modes(mode, len(axes), func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    if not axes:
        return finish(x.copy(), out)
    if len(set(modes)) == 1 and (out.dtype.kind not in "biu" or
                                 exact(x, SECOND_DIFFERENCE, modes[0], cval)):
        kernel = np.zeros([3 if ax in axes else 1 for ax in range(x.ndim)])
        for ax in axes:
            line = [1 if a in axes else 0 for a in range(x.ndim)]
            for tap, w in enumerate(SECOND_DIFFERENCE):
                line[ax] = tap
                kernel[tuple(line)] += w
        centre = [1 if ax in axes else 0 for ax in range(x.ndim)]
        dtype = compute_dtype(x.dtype, out.dtype)
        return finish(apply("correlate", x, kernel, centre, modes[0], cval, dtype,
                            method_for(out)), out)
    terms = [run_passes(x, [Pass(ax, SECOND_DIFFERENCE, 1, m)], cval, out)
             for ax, m in zip(axes, modes)]
    return finish(_sum(terms), out)


@fill
def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None,
                     **kwargs):
    """Laplacian of Gaussian, as ``scipy.ndimage.gaussian_laplace``.

    Parameters
    ----------
    %(input)s
    %(sigma_multiple)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s
    %(gaussian_kwargs)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    ``out = sum_k gaussian_filter(input, sigma, order=2 on axis k)``: each term is a
    Gaussian filter over every filtered axis, extended by the mode given for axis ``k``
    (scipy.ndimage's rule).

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.zeros((5, 5)); a[2, 2] = 1.0
    >>> ndimage.gaussian_laplace(a, sigma=1)[2, 1:4]
    array([-0.09578546, -0.31831178, -0.09578546])
    >>> np.allclose(ndimage.gaussian_laplace(a, 1), scipy.ndimage.gaussian_laplace(a, 1))
    True
    """
    return _gaussian_derivatives("gaussian_laplace", 2, input, sigma, output, mode, cval,
                                 axes, kwargs)


@fill
def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *,
                                axes=None, **kwargs):
    """Gradient magnitude from Gaussian derivatives, as
    ``scipy.ndimage.gaussian_gradient_magnitude``.

    Parameters
    ----------
    %(input)s
    %(sigma_multiple)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s
    %(gaussian_kwargs)s

    Returns
    -------
    %(returns)s

    Notes
    -----
    ``out = sqrt(sum_k gaussian_filter(input, sigma, order=1 on axis k)**2)``, each term
    extended by the mode given for axis ``k``.  Only the axes in `axes` are smoothed
    (scipy 1.17 also smooths the others with `sigma`, contrary to its documentation).

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from sigconv import ndimage
    >>> a = np.tile(np.arange(6.0) ** 2, (4, 1))
    >>> ndimage.gaussian_gradient_magnitude(a, sigma=1)[0].round(3)
    array([0.636, 2.15 , 4.009, 5.836, 6.343, 3.002])
    >>> np.allclose(ndimage.gaussian_gradient_magnitude(a, 1),
    ...             scipy.ndimage.gaussian_gradient_magnitude(a, 1))
    True
    """
    return _gaussian_derivatives("gaussian_gradient_magnitude", 1, input, sigma, output,
                                 mode, cval, axes, kwargs)


_GAUSSIAN_KEYWORDS = ("truncate", "radius")


def _gaussian_derivatives(func, order, input, sigma, output, mode, cval, axes, kwargs):
    """sum_k term_k (order 2) or sqrt(sum_k term_k**2) (order 1), term_k the Gaussian
    filter with derivative ``order`` on axis k."""
    unknown = sorted(set(kwargs) - set(_GAUSSIAN_KEYWORDS))
    if unknown:
        raise TypeError(f"{func}: unexpected keyword argument(s) {unknown}; the extra "
                        f"keywords passed to gaussian_filter are {_GAUSSIAN_KEYWORDS}")
    x = A.array(input, "input", func)
    out = A.output(output, x, func)
    axes = A.axes(axes, x.ndim, func)
    modes = A.sequence(mode, len(axes), "mode", func)
    cval = A.cval(cval, x.dtype.kind == "c", func)
    truncate = kwargs.get("truncate", 4.0)
    radius = kwargs.get("radius")
    terms = []
    for ax, m in zip(axes, modes):
        orders = [order if a == ax else 0 for a in axes]
        steps = gaussian_passes(x.ndim, sigma, orders, m, truncate, radius, axes, func)
        terms.append(steps)
    if not axes:
        return finish(x.copy(), out)
    values = [run_passes(x, steps, cval, out) for steps in terms]
    if order == 1:
        values = [np.square(v.astype(compute_dtype(v.dtype, out.dtype), copy=False))
                  for v in values]
        return finish(np.sqrt(_sum(values)), out)
    return finish(_sum(values), out)


def _sum(terms):
    """The sum of ``terms``, in a type that holds it (int64 for integer terms)."""
    total = terms[0].astype(np.int64) if terms[0].dtype.kind in "biu" else terms[0]
    for t in terms[1:]:
        total = total + t
    return total
