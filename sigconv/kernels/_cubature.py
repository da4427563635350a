"""Adaptive cubature of many pixel integrals at once, with per-pixel error estimates.

Every pixel integral without a closed form is an integral over the unit cube
``[0, 1]^k`` of a function that :func:`pixel_cubature` evaluates for a whole block of
pixels at each node (``scipy.integrate.cubature``, vector-valued: one error estimate per
pixel, and the subdivision continues until every pixel of the block meets its
tolerance).  Pixels go in blocks of at most ``CHUNK_POINTS`` function values per node set,
which bounds the memory and keeps the subdivisions one pixel needs from being paid by
all the others.
"""

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from .. import _validate as V
from ..definitions.continuous import FAILURE_POLICIES, QuadratureError, QuadratureWarning

__all__ = ["Tolerance", "tolerance", "pixel_cubature", "CHUNK_POINTS"]

#: function values held in memory at once (about 8 MB of float64 per array)
CHUNK_POINTS = 1 << 20
#: most subdivisions of one block's cube before the quadrature is declared failed
MAX_SUBDIVISIONS = 200


@dataclass(frozen=True)
class Tolerance:
    """Validated quadrature options: a pixel passes when its estimated error is at most
    ``max(epsabs, epsrel * |value|)``; ``epsabs=None`` means ``1e-13`` times the scale
    the caller gives (the kernel's largest centre sample)."""
    epsabs: float | None
    epsrel: float
    on_failure: str
    func: str

    def absolute(self, scale):
        return self.epsabs if self.epsabs is not None else 1e-13 * scale


def tolerance(epsabs, epsrel, on_failure, func):
    """Check the quadrature options of a kernel function (before any work)."""
    if epsabs is not None:
        epsabs = _tol(epsabs, "epsabs", func)
    epsrel = _tol(epsrel, "epsrel", func)
    if epsrel == 0 and epsabs == 0:
        raise ValueError(f"{func}: epsabs and epsrel cannot both be 0 (no quadrature can "
                         "meet a zero tolerance)")
    return Tolerance(epsabs, epsrel, V.one_of(on_failure, FAILURE_POLICIES, "on_failure", func),
                     func)


def _tol(value, name, func):
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0):
        raise ValueError(f"{func}: {name} must be a finite number >= 0; got {value!r}")
    return float(value)


def pixel_cubature(integrand, k, npixels, tol, scale):
    """Integrals over ``[0, 1]^k`` of ``integrand(u, sel)`` for every pixel.

    Parameters
    ----------
    integrand : callable
        ``integrand(u, sel)``, ``u`` of shape ``(npoints, k)``, ``sel`` a slice of the
        pixel indices; returns ``(npoints, number of pixels in sel)`` finite values.
    k : int
        Dimension of the cube (>= 1).
    npixels : int
        Number of pixels.
    tol : Tolerance
    scale : float
        Magnitude of the values, for the default absolute tolerance.

    Returns
    -------
    values, errors : ndarray
        Shape ``(npixels,)``: the integrals and their estimated absolute errors.
    """
    from scipy.integrate import cubature   # imported on use: it adds to `import sigconv`
    rule, nodes = ("gk15", 15 ** k) if k <= 3 else ("genz-malik", 2 ** k + 2 * k * k + 2 * k + 1)
    block = max(1, CHUNK_POINTS // nodes)
    values, errors = np.empty(npixels), np.empty(npixels)
    failed = []
    atol = tol.absolute(scale)
    for start in range(0, npixels, block):
        sel = slice(start, min(start + block, npixels))
        res = cubature(lambda u: integrand(u, sel), np.zeros(k), np.ones(k), rule=rule,
                       rtol=tol.epsrel, atol=atol, max_subdivisions=MAX_SUBDIVISIONS)
        values[sel], errors[sel] = res.estimate, res.error
        if res.status != "converged":
            failed.append(sel)
    if failed:
        _report(failed, errors, atol, tol)
    return values, errors


def _report(failed, errors, atol, tol):
    worst = max(float(errors[sel].max()) for sel in failed)
    count = sum(sel.stop - sel.start for sel in failed)
    text = (f"{tol.func}: the pixel integrals did not reach the tolerance (epsabs={atol:.3g}, "
            f"epsrel={tol.epsrel:.3g}) within {MAX_SUBDIVISIONS} subdivisions, in blocks of "
            f"{count} pixel(s) (largest estimated error {worst:.3g}); a model that jumps "
            "inside the pixels converges slowly: use mode='oversample', or loosen the "
            "tolerances")
    if tol.on_failure == "raise":
        raise QuadratureError(text + ", or pass on_failure='warn' to get the values with "
                              "their error estimates")
    warnings.warn(text, QuadratureWarning, stacklevel=4)
