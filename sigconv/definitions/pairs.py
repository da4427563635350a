"""Closed-form convolution pairs ``f * g = s``, for checking quadratures and samplers.

Each function returns a :class:`Pair` holding ``f``, ``g``, the exact ``s``, the supports
of ``f`` and ``g`` (``(-inf, inf)`` where unbounded) and the formula.  Functions are
numpy-vectorized; support intervals are closed (a box is 1 at its ends, a one-sided
exponential is 1 at 0).

Examples
--------
>>> import numpy as np
>>> p = boxes(1.0, 1.0)
>>> p.s(np.array([-1.0, -0.5, 0.0, 0.5]))
array([0. , 0.5, 1. , 0.5])
"""

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import erf, erfc

__all__ = ["Pair", "gaussians", "boxes", "exponentials", "exponential_box",
           "gaussian_box", "lorentzians", "modulated_gaussian", "catalog"]


@dataclass(frozen=True)
class Pair:
    """A closed-form convolution pair: ``(f * g)(t) = s(t)``.

    Attributes
    ----------
    name : str
    f, g, s : callable
    f_support, g_support : tuple of float
        Closed intervals outside which ``f`` and ``g`` vanish.
    formula : str
    """
    name: str
    f: Callable
    g: Callable
    s: Callable
    f_support: tuple
    g_support: tuple
    formula: str

    @property
    def support(self):
        """``(f_support, g_support)``, the ``support=`` argument of continuous.convolve."""
        return (self.f_support, self.g_support)


_LINE = (-math.inf, math.inf)


def _normal(mu, sigma):
    return lambda x: np.exp(-0.5 * ((np.asarray(x) - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _positive(func, **values):
    for name, v in values.items():
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"pairs.{func}: {name} must be a finite number > 0; got {v!r}")


def gaussians(mu1=0.0, sigma1=1.0, mu2=0.0, sigma2=1.0):
    """Normal densities: ``N(mu1, sigma1^2) * N(mu2, sigma2^2) = N(mu1 + mu2, sigma1^2 + sigma2^2)``.

    Parameters
    ----------
    mu1, sigma1, mu2, sigma2 : float
        Means and standard deviations (> 0) of the two normal densities.

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\frac{1}{\\sqrt{2\\pi(\\sigma_1^2 + \\sigma_2^2)}} e^{-(t - \\mu_1 - \\mu_2)^2 / (2(\\sigma_1^2 + \\sigma_2^2))}

    Examples
    --------
    >>> round(float(gaussians(0, 3, 0, 4).s(0.0)) * 5 * (2 * math.pi) ** 0.5, 12)
    1.0
    """
    _positive("gaussians", sigma1=sigma1, sigma2=sigma2)
    return Pair("gaussian * gaussian", _normal(mu1, sigma1), _normal(mu2, sigma2),
                _normal(mu1 + mu2, math.hypot(sigma1, sigma2)), _LINE, _LINE,
                "N(mu1, s1^2) * N(mu2, s2^2) = N(mu1 + mu2, s1^2 + s2^2)")


def _box(width):
    return lambda x: np.where(np.abs(np.asarray(x, dtype=float)) <= width / 2, 1.0, 0.0)


def boxes(width1=1.0, width2=1.0):
    """Centred boxes: a trapezoid, a triangle when the widths are equal.

    ``s(t) = clip((w1 + w2)/2 - |t|, 0, min(w1, w2))``.

    Parameters
    ----------
    width1, width2 : float
        Widths (> 0) of the boxes ``1`` on ``[-w/2, w/2]``.

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\min\\big(\\max((w_1 + w_2)/2 - |t|, 0),\\ \\min(w_1, w_2)\\big)

    Examples
    --------
    >>> boxes(2.0, 2.0).s(np.array([0.0, 1.0, 2.0]))
    array([2., 1., 0.])
    """
    _positive("boxes", width1=width1, width2=width2)
    top, half = min(width1, width2), (width1 + width2) / 2
    return Pair("box * box", _box(width1), _box(width2),
                lambda t: np.clip(half - np.abs(np.asarray(t, dtype=float)), 0.0, top),
                (-width1 / 2, width1 / 2), (-width2 / 2, width2 / 2),
                "box_w1 * box_w2 = clip((w1 + w2)/2 - |t|, 0, min(w1, w2)) (triangle if w1 = w2)")


def _one_sided(alpha):
    def f(x):
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, np.exp(-alpha * np.maximum(x, 0.0)), 0.0)
    return f


def exponentials(alpha=1.0, beta=2.0):
    """One-sided exponentials ``e^{-alpha t} u(t) * e^{-beta t} u(t)``.

    ``s(t) = (e^{-beta t} - e^{-alpha t}) / (alpha - beta)``, or ``t e^{-alpha t}`` when
    ``alpha == beta``, for ``t >= 0``; 0 before.

    Parameters
    ----------
    alpha, beta : float
        Decay rates (> 0).

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\frac{e^{-\\beta t} - e^{-\\alpha t}}{\\alpha - \\beta} u(t)

    Examples
    --------
    >>> float(exponentials(1.0, 1.0).s(1.0)) == math.exp(-1)
    True
    """
    _positive("exponentials", alpha=alpha, beta=beta)

    def s(t):
        t = np.asarray(t, dtype=float)
        tp = np.maximum(t, 0.0)
        if alpha == beta:
            v = tp * np.exp(-alpha * tp)
        else:
            v = (np.exp(-beta * tp) - np.exp(-alpha * tp)) / (alpha - beta)
        return np.where(t >= 0, v, 0.0)
    return Pair("one-sided exponentials", _one_sided(alpha), _one_sided(beta), s,
                (0.0, math.inf), (0.0, math.inf),
                "e^{-a t}u(t) * e^{-b t}u(t) = (e^{-b t} - e^{-a t})/(a - b) u(t)")


def exponential_box(alpha=1.0, width=1.0):
    """``e^{-alpha t} u(t)`` convolved with the box ``1`` on ``[0, width]``.

    ``s(t) = (1 - e^{-alpha t}) / alpha`` on ``[0, width]``,
    ``(e^{-alpha (t - width)} - e^{-alpha t}) / alpha`` after, 0 before.

    Parameters
    ----------
    alpha : float
        Decay rate (> 0).
    width : float
        Box width (> 0).

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\frac{1}{\\alpha}\\big(e^{-\\alpha \\max(t - w, 0)} - e^{-\\alpha t}\\big),\\ t \\ge 0

    Examples
    --------
    >>> float(exponential_box(1.0, 1.0).s(1.0)) == 1 - math.exp(-1)
    True
    """
    _positive("exponential_box", alpha=alpha, width=width)

    def s(t):
        t = np.asarray(t, dtype=float)
        tp = np.maximum(t, 0.0)
        rising = -np.expm1(-alpha * tp) / alpha
        falling = np.exp(-alpha * np.maximum(tp - width, 0.0)) * -np.expm1(-alpha * width) / alpha
        return np.where(t < 0, 0.0, np.where(t <= width, rising, falling))
    box = lambda x: np.where((np.asarray(x, dtype=float) >= 0) & (np.asarray(x) <= width), 1.0, 0.0)
    return Pair("exponential * box", _one_sided(alpha), box, s, (0.0, math.inf), (0.0, width),
                "e^{-a t}u(t) * 1[0, w] = (1 - e^{-a t})/a on [0, w], "
                "(e^{-a (t-w)} - e^{-a t})/a after")


def gaussian_box(sigma=1.0, width=1.0):
    """A normal density ``N(0, sigma^2)`` convolved with the centred box of ``width``.

    ``s(t) = (erf((t + w/2) / (sigma sqrt 2)) - erf((t - w/2) / (sigma sqrt 2))) / 2``.

    Parameters
    ----------
    sigma : float
        Standard deviation (> 0).
    width : float
        Box width (> 0).

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\tfrac12\\Big(\\mathrm{erf}\\frac{t + w/2}{\\sigma\\sqrt2} - \\mathrm{erf}\\frac{t - w/2}{\\sigma\\sqrt2}\\Big)

    Evaluated as :math:`\\tfrac12(\\mathrm{erfc}\\frac{|t| - w/2}{\\sigma\\sqrt2} -
    \\mathrm{erfc}\\frac{|t| + w/2}{\\sigma\\sqrt2})` outside the box, so that values
    in the tails keep their relative accuracy (the difference of two erf values near 1 would
    lose it).

    Examples
    --------
    >>> round(float(gaussian_box(1.0, 1e6).s(0.0)), 12)
    1.0
    """
    _positive("gaussian_box", sigma=sigma, width=width)
    r, half = sigma * math.sqrt(2), width / 2

    def s(t):                       # even in t; erfc keeps the tails' relative accuracy
        a = np.abs(np.asarray(t, dtype=float))
        tail = 0.5 * (erfc((a - half) / r) - erfc((a + half) / r))
        core = 0.5 * (erf((half - a) / r) + erf((half + a) / r))
        return np.where(a >= half, tail, core)
    return Pair("gaussian * box", _normal(0.0, sigma), _box(width), s, _LINE,
                (-width / 2, width / 2),
                "N(0, s^2) * box_w = (erf((t + w/2)/(s sqrt2)) - erf((t - w/2)/(s sqrt2)))/2")


def lorentzians(gamma1=1.0, gamma2=1.0):
    """Cauchy densities: ``Cauchy(gamma1) * Cauchy(gamma2) = Cauchy(gamma1 + gamma2)``.

    Heavy tails: the integrand decays only like ``1/a^2``.

    Parameters
    ----------
    gamma1, gamma2 : float
        Half widths (> 0) of the Cauchy densities ``gamma / (pi (t^2 + gamma^2))``.

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\frac{\\gamma_1 + \\gamma_2}{\\pi\\,(t^2 + (\\gamma_1 + \\gamma_2)^2)}

    Examples
    --------
    >>> float(lorentzians(1.0, 1.0).s(0.0)) == 1 / (2 * math.pi)
    True
    """
    _positive("lorentzians", gamma1=gamma1, gamma2=gamma2)
    cauchy = lambda g: (lambda x: g / (math.pi * (np.asarray(x, dtype=float) ** 2 + g * g)))
    return Pair("lorentzian * lorentzian", cauchy(gamma1), cauchy(gamma2),
                cauchy(gamma1 + gamma2), _LINE, _LINE,
                "Cauchy(g1) * Cauchy(g2) = Cauchy(g1 + g2)")


def modulated_gaussian(omega=3.0, sigma1=1.0, sigma2=1.0):
    """A complex pair: ``e^{i omega t} N(0, s1^2) * N(0, s2^2)``.

    ``s(t) = N(0, s^2)(t) exp(i omega t s1^2 / s^2 - omega^2 s1^2 s2^2 / (2 s^2))`` with
    ``s^2 = s1^2 + s2^2``.

    Parameters
    ----------
    omega : float
        Angular frequency of the modulation.
    sigma1, sigma2 : float
        Standard deviations (> 0).

    Returns
    -------
    Pair

    Notes
    -----
    .. math:: (f * g)(t) = \\varphi_{\\sigma^2}(t)\\, e^{i\\omega t \\sigma_1^2/\\sigma^2 - \\omega^2\\sigma_1^2\\sigma_2^2/(2\\sigma^2)}

    Examples
    --------
    >>> abs(complex(modulated_gaussian(0.0, 3.0, 4.0).s(0.0)) * 5 * (2 * math.pi) ** 0.5 - 1) < 1e-15
    True
    """
    _positive("modulated_gaussian", sigma1=sigma1, sigma2=sigma2)
    var = sigma1 ** 2 + sigma2 ** 2
    p1, p2, p = _normal(0.0, sigma1), _normal(0.0, sigma2), _normal(0.0, math.sqrt(var))
    f = lambda x: np.exp(1j * omega * np.asarray(x, dtype=float)) * p1(x)
    s = lambda t: p(t) * np.exp(1j * omega * np.asarray(t, dtype=float) * sigma1 ** 2 / var
                                - omega ** 2 * sigma1 ** 2 * sigma2 ** 2 / (2 * var))
    return Pair("modulated gaussian * gaussian", f, p2, s, _LINE, _LINE,
                "e^{i w t} N(0, s1^2) * N(0, s2^2) = N(0, s^2) e^{i w t s1^2/s^2 - w^2 s1^2 s2^2/(2 s^2)}")


def catalog():
    """One instance of every pair, with unequal parameters where they exist.

    Returns
    -------
    list of Pair

    Examples
    --------
    >>> [p.name for p in catalog()][:3]
    ['gaussian * gaussian', 'box * box', 'box * box']
    """
    return [gaussians(0.5, 1.0, -1.0, 2.0), boxes(1.0, 1.0), boxes(2.0, 0.5),
            exponentials(1.0, 2.5), exponentials(1.5, 1.5), exponential_box(2.0, 1.5),
            gaussian_box(0.7, 2.0), lorentzians(0.5, 1.5), modulated_gaussian(3.0, 1.0, 0.5)]
