"""Kernels sampled from continuous models, with a bound of their discretization error.

A kernel for a convolution is often defined by a continuous function -- a point spread
function, a Gaussian, a disk, a box of non-integer width -- and the array that stands for
it is a choice.  Each function here samples one model, returns a :class:`SampledKernel`
holding the array and a bound of its error against the **exact pixel integrals**, and
accepts the sampling modes of astropy.convolution.

Models: :func:`gaussian` (any covariance, N-D), :func:`box` (any real widths, N-D),
:func:`tophat` (N-D ball), :func:`ring` (annulus), :func:`trapezoid`, :func:`ricker`
(Mexican hat, N-D), :func:`airy` (2-D), :func:`moffat` (2-D) and :func:`from_function`
(any callable, N-D).

Notes
-----
**Grid.**  Pixel ``i`` of an axis of ``n`` pixels is the interval ``[c_i - 1/2, c_i + 1/2]``
with centre ``c_i = i - (n - 1)/2``: the model's origin is at array index ``(n - 1)/2``,
the middle pixel's centre for odd ``n`` and the corner between the two middle pixels for
even ``n`` (astropy's convention).  Coordinates are in array-axis order (row first) and
in pixels.  The default size covers the model's extent ``[-e, e]`` per axis with the
fewest centred pixels, ``2 ceil(e - 1/2) + 1`` (an odd number, equal to astropy's
``round-up-to-odd(2 e)``); ``e`` is the support radius of a compact model and
``truncate`` times the model's scale otherwise.

**Modes**, for the pixel ``P`` centred at ``c`` (volume 1), ``f`` the model:

* ``'integrate'``: :math:`\\int_P f(x)\\,dx`, the exact pixel integral (the value a
  detector integrating over its pixels records; the convolution of ``f`` with the unit
  box, sampled at ``c``).  Closed forms where they exist (Gaussians with a diagonal
  covariance and Ricker wavelets by erf, boxes by overlap lengths, disks and rings in
  1-D and 2-D by chord integrals, the 1-D trapezoid); otherwise adaptive cubature
  (``scipy.integrate.cubature``) with its error estimate.
* ``'center'``: :math:`f(c)` (the midpoint rule; error :math:`\\approx \\nabla^2 f(c)/24`
  for a smooth ``f``, of order 1 where ``f`` jumps).
* ``'linear_interp'``: the mean of ``f`` at the ``2^n`` corners of ``P`` (the trapezoid
  rule; error :math:`\\approx -\\nabla^2 f(c)/12`; astropy's linear and bilinear modes).
* ``'oversample'``: the mean of ``f`` at the ``m^n`` centres of ``P`` split ``m`` times per
  axis (error :math:`\\approx \\nabla^2 f(c)/(24 m^2)` for a smooth ``f``).

**Error.**  With ``estimate_error=True`` (default) the exact pixel integrals ``E`` are
computed, normalized like the array (``normalize='sum'``: both sum to 1, so the error is
the shape's and not the truncation's), and ``pixel_error`` bounds ``|array - E|`` per
pixel: ``|array - E~| + e`` with ``E~`` the computed integrals and ``e`` their error
bound (rounding for closed forms, the quadrature's estimate otherwise, propagated through
the normalization).  ``max_abs_error`` is its maximum, ``rel_l1_error`` its sum over
``sum |E|``.  ``truncation`` is the share of the model's integral outside the array.

**Limits.**  Quadrature error estimates are estimates (Gauss-Kronrod differences), not
proofs.  A callable that jumps inside pixels makes the cubature of ``'integrate'`` (and of
every error bound) slow and may miss its tolerance (:class:`~sigconv.continuous.QuadratureError`).
N-D balls, rings and trapezoids beyond 2-D integrate ``n - 2`` dimensions (and the ramp)
numerically.  Pixels are unit cubes: scale the model's lengths for other spacings.

Examples
--------
>>> import numpy as np
>>> from sigconv import kernels
>>> k = kernels.gaussian(0.6, ndim=1, size=5, mode='center')
>>> k.array.round(4)
array([0.0026, 0.1655, 0.6638, 0.1655, 0.0026])
>>> round(k.max_abs_error, 4), k.error_basis       # against the exact pixel integrals:
(0.0685, 'closed form')
>>> kernels.gaussian(0.6, ndim=1, size=5).array.round(4)
array([0.0062, 0.1961, 0.5954, 0.1961, 0.0062])
"""

from ._sampling import MODES, NORMALIZATIONS, SampledKernel
from ._smooth import airy, from_function, gaussian, moffat, ricker
from ._compact import box, ring, tophat, trapezoid

__all__ = ["gaussian", "box", "tophat", "ring", "trapezoid", "ricker", "airy", "moffat",
           "from_function", "SampledKernel", "MODES", "NORMALIZATIONS"]
