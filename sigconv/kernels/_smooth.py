"""Smooth kernel models: Gaussian, Ricker (Mexican hat), Airy disk, Moffat, any callable."""

import math

import numpy as np

from .. import _validate as V
from ..definitions.pairs import gaussian_box
from ._cubature import tolerance
from ._sampling import Model, discretize, sampling_doc

__all__ = ["gaussian", "ricker", "airy", "moffat", "from_function", "dimensions",
           "per_axis_scale", "separable"]

_EPS = np.finfo(np.float64).eps
#: first zero of the Bessel function J1 (scipy.special.jn_zeros(1, 1)[0])
J1_ZERO = 3.8317059702075125


def dimensions(ndim, func, default=2):
    """``ndim`` (an int >= 1), or ``default`` when None."""
    return default if ndim is None else V.positive_int(ndim, "ndim", func)


def per_axis_scale(value, ndim, name, func):
    """A positive length or one per axis; its length fixes ``ndim`` when ``ndim`` is None."""
    if np.ndim(value) == 1 and ndim is None:
        ndim = len(value)
    return V.per_axis_positive(value, dimensions(ndim, func), name, func)


def separable(factors):
    """Products of per-axis factors, with a rounding bound.

    ``factors`` holds per axis ``(values, allowance)``, arrays over the pixels; the product
    is ``prod_d v_d`` and its bound ``sum_d a_d prod_{d' != d} |v_d'| + n eps |prod|``.
    """
    values = math.prod(v for v, _ in factors)
    bound = len(factors) * _EPS * np.abs(values)
    for d, (_, a) in enumerate(factors):
        bound = bound + a * math.prod(np.abs(v) for e, (v, _) in enumerate(factors) if e != d)
    return values, bound


def _normal(x, sigma):
    return np.exp(-0.5 * (x / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _gaussian_factors(lo, sigmas):
    """Per axis, the mass of N(0, sigma^2) in each pixel (erf/erfc, a closed form)."""
    return [(gaussian_box(s, 1.0).s(lo[:, d] + 0.5), 4 * _EPS) for d, s in enumerate(sigmas)]


@sampling_doc
def gaussian(sigma=None, *, covariance=None, ndim=None, size=None, truncate=4.0,
             mode="integrate", factor=10, normalize="sum", estimate_error=True, epsabs=None,
             epsrel=1e-10, on_failure="raise"):
    """The Gaussian density ``N(0, covariance)`` sampled on pixels.

    Parameters
    ----------
    sigma : float or sequence of float
        Standard deviation, one for every axis or one per axis (a diagonal covariance).
    covariance : array_like, shape (ndim, ndim), optional
        Any symmetric positive definite covariance, in array-axis order; instead of
        ``sigma``.
    ndim : int, optional
        Number of axes; default the length of ``sigma`` or ``covariance``, else 2.
    truncate : float
        Half-width of the default size per axis, in marginal standard deviations
        ``sqrt(covariance[d, d])``.
    {sampling}

    Notes
    -----
    .. math:: g(x) = (2\\pi)^{-n/2} |\\Sigma|^{-1/2} e^{-x^T \\Sigma^{-1} x / 2}

    With a diagonal covariance the pixel integrals have a closed form, a product of
    ``(erf((c + 1/2)/(sigma sqrt 2)) - erf((c - 1/2)/(sigma sqrt 2))) / 2`` over the axes
    (:func:`sigconv.continuous.pairs.gaussian_box`, in erfc form in the tails); any
    other covariance is integrated by adaptive cubature.  astropy's
    ``Gaussian2DKernel(x_stddev, y_stddev, theta)`` is ``covariance = R diag(x_stddev^2,
    y_stddev^2) R^T`` in (x, y), ``R`` the rotation by ``theta``, reordered to (row, column)
    = (y, x); its default size is ``8 max(stddev)`` rounded up to odd on both axes.

    Examples
    --------
    >>> from sigconv import kernels
    >>> k = kernels.gaussian(0.5, ndim=1, size=3)
    >>> k.array.round(4)
    array([0.1577, 0.6845, 0.1577])
    >>> k.error_basis, k.max_abs_error < 1e-14
    ('closed form', True)
    >>> round(kernels.gaussian(0.5, ndim=1, size=3, mode='center').max_abs_error, 3)
    0.102
    """
    func = "kernels.gaussian"
    cov = _covariance(sigma, covariance, ndim, func)
    truncate = V.positive(truncate, "truncate", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    n = cov.shape[0]
    std = np.sqrt(np.diag(cov))
    if np.count_nonzero(cov - np.diag(np.diag(cov))) == 0:
        point = lambda *x: math.prod(_normal(xd, s) for xd, s in zip(x, std))
        integrals = lambda lo, tol: (*separable(_gaussian_factors(lo, std)), "closed form")
    else:
        point, integrals = _correlated(cov), None
    model = Model(func, n, point, tuple(truncate * std), integrals, total=1.0)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


def _covariance(sigma, covariance, ndim, func):
    if (sigma is None) == (covariance is None):
        raise ValueError(f"{func}: give either sigma or covariance; got "
                         f"{'both' if sigma is not None else 'neither'}")
    if sigma is not None:
        return np.diag(np.square(per_axis_scale(sigma, ndim, "sigma", func)))
    cov = V.as_numeric_array(covariance, "covariance", func)
    n = None if ndim is None else dimensions(ndim, func)
    square = cov.ndim == 2 and cov.shape[0] == cov.shape[1] > 0
    if not square or cov.shape[0] != (n or cov.shape[0]) or cov.dtype.kind == "c":
        want = "square matrix" if n is None else f"({n}, {n}) matrix"
        raise ValueError(f"{func}: covariance must be a real {want}; got shape {cov.shape} "
                         f"and dtype {cov.dtype}")
    cov = cov.astype(np.float64)
    if not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T, rtol=1e-12, atol=0):
        raise ValueError(f"{func}: covariance must be finite and symmetric; got {cov.tolist()}")
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"{func}: covariance must be positive definite; got eigenvalues "
                         f"{np.linalg.eigvalsh(cov).tolist()}") from None
    return 0.5 * (cov + cov.T)


def _correlated(cov):
    chol = np.linalg.cholesky(cov)
    whiten = np.linalg.inv(chol).T
    norm = (2 * math.pi) ** (-cov.shape[0] / 2) / float(np.prod(np.diag(chol)))

    def point(*x):
        z = np.stack(np.broadcast_arrays(*x), axis=-1) @ whiten
        return norm * np.exp(-0.5 * (z * z).sum(-1))
    return point


@sampling_doc
def ricker(sigma, *, ndim=None, size=None, truncate=4.0, mode="integrate", factor=10,
           normalize="none", estimate_error=True, epsabs=None, epsrel=1e-10,
           on_failure="raise"):
    """The Ricker wavelet (Mexican hat): minus the Laplacian of the Gaussian density.

    Parameters
    ----------
    sigma : float or sequence of float
        Standard deviation of the Gaussian, one for every axis or one per axis.
    ndim : int, optional
        Number of axes; default the length of ``sigma``, else 2.
    truncate : float
        Half-width of the default size per axis, in standard deviations.
    {sampling}

    Notes
    -----
    .. math:: r(x) = -\\nabla^2 g(x) = \\sum_d \\Big(\\frac{1}{\\sigma_d^2} -
              \\frac{x_d^2}{\\sigma_d^4}\\Big) g(x), \\qquad
              g = \\prod_d \\frac{e^{-x_d^2 / 2\\sigma_d^2}}{\\sigma_d\\sqrt{2\\pi}}

    Its pixel integrals have a closed form (the divergence theorem on each axis):
    ``-sum_d (g_d'(c_d + 1/2) - g_d'(c_d - 1/2)) prod_{e != d} P_e`` with ``P_e`` the
    Gaussian's pixel masses.  It integrates to 0, so ``normalize='sum'`` is refused; the
    default ``'none'`` keeps astropy's amplitude: ``RickerWavelet1DKernel(width)`` and
    ``RickerWavelet2DKernel(width)`` are this with ``sigma = width`` (peak
    ``1/(sqrt(2 pi) width^3)`` and ``1/(pi width^4)``), default size ``8 width`` rounded
    up to odd.

    Examples
    --------
    >>> from sigconv import kernels
    >>> k = kernels.ricker(1.0, ndim=1, size=9)
    >>> k.array.round(4)
    array([-0.003 , -0.0408, -0.1505,  0.0182,  0.3521,  0.0182, -0.1505, -0.0408, -0.003 ])
    >>> k.error_basis
    'closed form'
    """
    func = "kernels.ricker"
    sigmas = per_axis_scale(sigma, ndim, "sigma", func)
    truncate = V.positive(truncate, "truncate", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)

    def point(*x):
        g = math.prod(_normal(xd, s) for xd, s in zip(x, sigmas))
        return sum(1 / s ** 2 - (xd / s ** 2) ** 2 for xd, s in zip(x, sigmas)) * g

    model = Model(func, len(sigmas), point, tuple(truncate * s for s in sigmas),
                  lambda lo, tol: _ricker_integrals(lo, sigmas), zero_sum=True)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


def _ricker_integrals(lo, sigmas):
    masses = _gaussian_factors(lo, sigmas)
    values, bound = 0.0, 0.0
    for d, s in enumerate(sigmas):
        slope = lambda x: -x / s ** 2 * _normal(x, s)
        flux = (slope(lo[:, d] + 1.0) - slope(lo[:, d]), 4 * _EPS / (s * s * math.sqrt(2 * math.pi)))
        v, b = separable([flux if e == d else m for e, m in enumerate(masses)])
        values, bound = values - v, bound + b
    return values, bound, "closed form"


@sampling_doc
def airy(radius, *, size=None, truncate=4.0, mode="integrate", factor=10, normalize="sum",
         estimate_error=True, epsabs=None, epsrel=1e-10, on_failure="raise"):
    """The Airy disk (2-D): the diffraction pattern of a circular aperture, unit integral.

    Parameters
    ----------
    radius : float
        Radius of the first dark ring (the first zero), in pixels.
    truncate : float
        Half-width of the default size, in units of ``radius``.
    {sampling}

    Notes
    -----
    .. math:: a(x) = \\frac{j_1^2}{4\\pi R^2}\\Big(\\frac{2 J_1(u)}{u}\\Big)^2,
              \\qquad u = j_1 \\frac{|x|}{R}

    with ``j_1 = 3.8317...`` the first zero of ``J_1``.  No closed form for pixel
    integrals: adaptive cubature.  The tail decays like ``|x|^-3``: about 4 % of the
    integral lies beyond ``4 R`` (``truncation``).  astropy's ``AiryDisk2DKernel(radius)``
    uses the same ``radius`` and the default size ``8 radius`` rounded up to odd.

    Examples
    --------
    >>> from sigconv import kernels
    >>> k = kernels.airy(2.0)
    >>> k.shape, k.error_basis, round(k.truncation, 3)
    ((17, 17), 'quadrature', 0.035)
    """
    func = "kernels.airy"
    radius = V.positive(radius, "radius", func)
    truncate = V.positive(truncate, "truncate", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    peak = J1_ZERO ** 2 / (4 * math.pi * radius ** 2)

    def point(x, y):
        from scipy.special import j1
        u = J1_ZERO / radius * np.hypot(x, y)
        safe = np.where(u > 1e-4, u, 1.0)
        return peak * np.where(u > 1e-4, 2 * j1(safe) / safe, 1 - u * u / 8) ** 2

    model = Model(func, 2, point, (truncate * radius,) * 2, total=1.0, radial=True)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


@sampling_doc
def moffat(gamma, alpha, *, size=None, truncate=2.0, mode="integrate", factor=10,
           normalize="sum", estimate_error=True, epsabs=None, epsrel=1e-10,
           on_failure="raise"):
    """The Moffat profile (2-D), a seeing-limited point spread function, unit integral.

    Parameters
    ----------
    gamma : float
        Core width, in pixels.
    alpha : float
        Power index (> 1, for a finite integral).
    truncate : float
        Half-width of the default size, in units of the full width at half maximum
        ``2 gamma sqrt(2^(1/alpha) - 1)``.
    {sampling}

    Notes
    -----
    .. math:: m(x) = \\frac{\\alpha - 1}{\\pi\\gamma^2}\\Big(1 + \\frac{|x|^2}{\\gamma^2}\\Big)^{-\\alpha}

    No closed form for pixel integrals: adaptive cubature.  astropy's
    ``Moffat2DKernel(gamma, alpha)`` is the same function; its default size, ``4 FWHM``
    rounded up to odd, is ``truncate=2``.

    Examples
    --------
    >>> from sigconv import kernels
    >>> k = kernels.moffat(2.0, 2.5)
    >>> k.shape, k.error_basis, k.max_abs_error < 1e-11
    ((11, 11), 'quadrature', True)
    >>> round(kernels.moffat(2.0, 2.5, mode='center').max_abs_error, 4)
    0.0116
    """
    func = "kernels.moffat"
    gamma = V.positive(gamma, "gamma", func)
    alpha = V.positive(alpha, "alpha", func)
    if not alpha > 1:
        raise ValueError(f"{func}: alpha must be > 1 (the integral diverges otherwise); "
                         f"got {alpha:g}")
    truncate = V.positive(truncate, "truncate", func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    fwhm = 2 * gamma * math.sqrt(2 ** (1 / alpha) - 1)
    amp = (alpha - 1) / (math.pi * gamma ** 2)
    point = lambda x, y: amp * (1 + (x * x + y * y) / gamma ** 2) ** -alpha
    model = Model(func, 2, point, (truncate * fwhm,) * 2, total=1.0, radial=True)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)


@sampling_doc
def from_function(f, size, *, ndim=None, mode="integrate", factor=10, normalize="none",
                  estimate_error=True, epsabs=None, epsrel=1e-10, on_failure="raise"):
    """A kernel from any real function ``f(*coords)`` of ``ndim`` coordinates.

    Parameters
    ----------
    f : callable
        ``f(x0, x1, ...)``: called with float arrays of equal shape, one per axis in
        array-axis order (row first, unlike astropy's ``model(x, y)``), with the model's
        origin at the array's centre; returns real finite values of that shape.
    size : int or sequence of int
        Pixels per axis (required: the extent of ``f`` is unknown).
    ndim : int, optional
        Number of axes; default the length of ``size``, else 2.
    {sampling}

    Notes
    -----
    Pixel integrals by adaptive cubature of ``f``; an ``f`` that jumps inside pixels
    converges slowly (use ``mode='oversample'``, whose error bound still needs the
    integrals, or ``estimate_error=False``).  astropy's ``Model2DKernel(model)`` is
    ``from_function(lambda r, c: model(c, r), size)`` with ``normalize='none'``.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv import kernels
    >>> k = kernels.from_function(lambda x: x ** 2, (3,))     # integral of x^2 per pixel
    >>> k.array * 12
    array([13.,  1., 13.])
    """
    func = "kernels.from_function"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable; got {type(f).__name__}")
    if size is None:
        raise ValueError(f"{func}: size is required (int or one per axis); got None")
    if np.ndim(size) == 1 and ndim is None:
        ndim = len(size)
    n = dimensions(ndim, func)
    tol = tolerance(epsabs, epsrel, on_failure, func)
    model = Model(func, n, f, (0.0,) * n)
    return discretize(model, size=size, mode=mode, factor=factor, normalize=normalize,
                      estimate_error=estimate_error, tol=tol)
