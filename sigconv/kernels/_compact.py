"""Kernel models with compact support: box, tophat (ball), ring (annulus), trapezoid."""

import dataclasses
import math

import numpy as np

from .. import _validate as V
from ..definitions.pairs import boxes
from ._balls import ball_volume, radial_integrals
from ._cubature import tolerance
from ._sampling import Model, discretize, sampling_doc
from ._smooth import dimensions, per_axis_scale, separable

__all__ = ["box", "tophat", "ring", "trapezoid"]

_EPS = np.finfo(np.float64).eps


@sampling_doc
def box(width, *, ndim=None, size=None, mode="integrate", factor=10, normalize="sum",
        estimate_error=True, epsabs=None, epsrel=1e-10, on_failure="raise"):
    """The box ``|x_d| <= width_d / 2`` (any real widths), unit integral.

    Parameters
    ----------
    width : float or sequence of float
        Full width, one for every axis or one per axis, in pixels.
    ndim : int, optional
        Number of axes; default the length of ``width``, else 2.
    {sampling}

    Notes
    -----
    .. math:: b(x) = \\prod_d \\frac{1[|x_d| \\le w_d/2]}{w_d}

    Pixel integrals in closed form, a product of overlap lengths
    ``clip((w + 1)/2 - |c|, 0, min(w, 1)) / w`` (:func:`sigconv.continuous.pairs.boxes`).
    The default size covers the box.  astropy's ``Box1DKernel(width)`` and
    ``Box2DKernel(width)`` always use ``mode='linear_interp'``; for an odd integer width
    its array equals ``'integrate'``'s.

    Examples
    --------
    >>> from sigconv import kernels
    >>> kernels.box(2.0, ndim=1).array
    array([0.25, 0.5 , 0.25])
    >>> round(kernels.box(2.0, ndim=1, mode='center').max_abs_error, 4)
    0.1667
    """
    func = "kernels.box"
    widths = per_axis_scale(width, ndim, "width", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    density = 1.0 / math.prod(widths)

    def point(*x):
        inside = np.ones(np.broadcast_shapes(*(np.shape(xd) for xd in x)), dtype=bool)
        for xd, w in zip(x, widths):
            inside &= np.abs(xd) <= w / 2
        return inside * density

    def integrals(lo, tol):
        return (*separable([(boxes(w, 1.0).s(lo[:, d] + 0.5) / w, 4 * _EPS * (1 + 1 / w))
                            for d, w in enumerate(widths)]), "closed form")

    model = Model(func, len(widths), point, tuple(w / 2 for w in widths), integrals, 1.0)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


def _radial(func, n, radius, profile, layers, mass):
    """A radial model ``profile(r) / mass`` whose pixel integrals are ``sum sign *
    radial_integrals(r0, r1)`` over ``layers`` of ``(sign, r0, r1)``."""
    def point(*x):
        return profile(np.sqrt(sum(xd * xd for xd in x))) / mass

    def integrals(lo, tol):         # in pixel volumes: epsabs (in model units) times mass
        if tol.epsabs is not None:
            tol = dataclasses.replace(tol, epsabs=tol.epsabs * mass)
        values, errors, bases = 0.0, 0.0, set()
        for sign, r0, r1 in layers:
            v, e, basis = radial_integrals(lo, r0, r1, tol)
            values, errors = values + sign * v, errors + e
            bases.add(basis)
        return values / mass, errors / mass, "quadrature" if "quadrature" in bases else "closed form"

    return Model(func, n, point, (radius,) * n, integrals, 1.0, radial=True)


@sampling_doc
def tophat(radius, *, ndim=None, size=None, mode="integrate", factor=10, normalize="sum",
           estimate_error=True, epsabs=None, epsrel=1e-10, on_failure="raise"):
    """The ball ``|x| <= radius`` (a disk in 2-D), unit integral.

    Parameters
    ----------
    radius : float
        Radius in pixels.
    ndim : int, optional
        Number of axes, default 2.
    {sampling}

    Notes
    -----
    .. math:: t(x) = \\frac{1[|x| \\le R]}{V_n R^n}, \\qquad V_n = \\frac{\\pi^{n/2}}{\\Gamma(n/2 + 1)}

    Pixel integrals: the area of the disk inside the pixel in closed form in 1-D and 2-D
    (chord lengths integrated with the antiderivative ``(x h + R^2 asin(x/R))/2``); in
    more dimensions the cross-sections' areas are integrated by adaptive cubature over
    the other ``n - 2`` coordinates.  astropy's ``Tophat2DKernel(radius)`` is this in 2-D,
    default size ``2 radius`` rounded up to odd (the same as here).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv import kernels
    >>> k = kernels.tophat(1.0, size=2, normalize='none')   # the disk centred on a corner
    >>> bool(np.allclose(k.array, 0.25))                    # a quarter of it per pixel
    True
    """
    func = "kernels.tophat"
    n = dimensions(ndim, func)
    radius = V.positive(radius, "radius", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    model = _radial(func, n, radius, lambda r: (r <= radius).astype(float),
                    [(1, radius, radius)], ball_volume(n, radius))
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


@sampling_doc
def ring(inner, outer, *, ndim=None, size=None, mode="integrate", factor=10,
         normalize="sum", estimate_error=True, epsabs=None, epsrel=1e-10, on_failure="raise"):
    """The annulus ``inner <= |x| <= outer`` (a spherical shell in 3-D), unit integral.

    Parameters
    ----------
    inner, outer : float
        Inner radius (>= 0) and outer radius (> inner), in pixels.
    ndim : int, optional
        Number of axes, default 2.
    {sampling}

    Notes
    -----
    .. math:: q(x) = \\frac{1[r_i \\le |x| \\le r_o]}{V_n (r_o^n - r_i^n)}

    Pixel integrals: the ball of radius ``outer`` minus the ball of radius ``inner``
    (:func:`tophat`).  astropy's ``Ring2DKernel(radius_in, width)`` is
    ``ring(radius_in, radius_in + width)``, default size ``2 (radius_in + width)`` rounded
    up to odd (the same as here).

    Examples
    --------
    >>> from sigconv import kernels
    >>> k = kernels.ring(1.0, 2.0, normalize='none')
    >>> k.shape, round(float(k.array.sum()), 12)
    ((5, 5), 1.0)
    """
    func = "kernels.ring"
    n = dimensions(ndim, func)
    inner = V.positive(inner, "inner", func, allow_zero=True)
    outer = V.positive(outer, "outer", func)
    if not inner < outer:
        raise ValueError(f"{func}: inner must be < outer; got inner={inner:g}, outer={outer:g}")
    tol = tolerance(epsabs, epsrel, on_failure, func)
    layers = [(1, outer, outer)] + ([(-1, inner, inner)] if inner > 0 else [])
    model = _radial(func, n, outer, lambda r: ((r >= inner) & (r <= outer)).astype(float),
                    layers, ball_volume(n, outer) - ball_volume(n, inner))
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


@sampling_doc
def trapezoid(radius, ramp, *, ndim=None, size=None, mode="integrate", factor=10,
              normalize="sum", estimate_error=True, epsabs=None, epsrel=1e-10,
              on_failure="raise"):
    """A flat top of ``radius`` falling linearly to 0 over ``ramp`` (a trapezoid in 1-D,
    a truncated cone in 2-D), unit integral.

    Parameters
    ----------
    radius : float
        Radius of the flat top (>= 0; 0 gives a cone), in pixels.
    ramp : float
        Length of the linear edge (> 0): the profile is 0 from ``radius + ramp`` on.
    ndim : int, optional
        Number of axes, default 2.
    {sampling}

    Notes
    -----
    .. math:: p(r) = \\mathrm{clip}\\Big(\\frac{r_0 + \\rho - r}{\\rho}, 0, 1\\Big), \\qquad
              \\int p(|x|)\\,dx = V_n \\frac{(r_0 + \\rho)^{n+1} - r_0^{n+1}}{(n + 1)\\rho}

    Pixel integrals: ``p(r)`` is the mean over ``s`` in ``[r0, r0 + rho]`` of the ball
    ``1[r <= s]``, so a pixel's integral is the mean of the ball volumes inside it: closed
    form in 1-D, adaptive cubature over ``s`` (and ``n - 2`` coordinates) of the closed-form
    disk areas otherwise.  astropy's ``Trapezoid1DKernel(width, slope)`` is
    ``trapezoid(width / 2, 1 / slope, ndim=1)`` and ``TrapezoidDisk2DKernel(radius,
    slope)`` is ``trapezoid(radius, 1 / slope)``, default size ``2 (radius + ramp)``
    rounded up to odd (the same as here).

    Examples
    --------
    >>> from sigconv import kernels
    >>> kernels.trapezoid(0.5, 1.0, ndim=1, normalize='peak').array
    array([0.5, 1. , 0.5])
    """
    func = "kernels.trapezoid"
    n = dimensions(ndim, func)
    r0 = V.positive(radius, "radius", func, allow_zero=True)
    rho = V.positive(ramp, "ramp", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    r1 = r0 + rho
    mass = ball_volume(n, 1.0) * (r1 ** (n + 1) - r0 ** (n + 1)) / ((n + 1) * rho)
    model = _radial(func, n, r1, lambda r: np.clip((r1 - r) / rho, 0.0, 1.0), [(1, r0, r1)],
                    mass)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)
