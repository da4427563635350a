"""Weight initializers: He (Kaiming) normal, Glorot (Xavier) uniform and a Gabor bank.

A convolution layer's ``weight_init`` names one of ``INITS``.  The Gabor bank gives a first
convolution layer oriented band-pass kernels of several orientations, wavelengths and
phases, the filters that trained first layers converge to (and that V1 simple cells are
modelled by), so training starts from useful features.  Self-contained numpy; the
kernels are built here, not borrowed from ``sigconv.filters``.
"""

import math

import numpy as np

from .._validate import one_of, positive_int

__all__ = ["INITS", "he_normal", "glorot_uniform", "gabor_bank", "initialize"]

INITS = ("he", "glorot", "gabor")


def he_normal(shape, *, fan_in, rng):
    """Normal weights with standard deviation ``sqrt(2 / fan_in)`` (ReLU networks).

    Parameters
    ----------
    shape : tuple of int
    fan_in : int
        Inputs feeding each output (``in_channels/groups * prod(kernel)``).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray (float64)

    Notes
    -----
    .. math:: w \\sim \\mathcal N(0, 2 / \\text{fan\\_in})

    Examples
    --------
    >>> import numpy as np
    >>> w = he_normal((4000, 50), fan_in=50, rng=np.random.default_rng(0))
    >>> round(float(w.std() ** 2 * 50), 1)
    2.0
    """
    return rng.standard_normal(shape) * math.sqrt(2.0 / max(fan_in, 1))


def glorot_uniform(shape, *, fan_in, fan_out, rng):
    """Uniform weights in ``±sqrt(6 / (fan_in + fan_out))`` (tanh/sigmoid networks).

    Parameters
    ----------
    shape : tuple of int
    fan_in, fan_out : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray (float64)

    Notes
    -----
    .. math:: w \\sim \\mathcal U(-a, a), \\quad a = \\sqrt{6 / (\\text{fan\\_in} + \\text{fan\\_out})}

    Examples
    --------
    >>> import numpy as np
    >>> w = glorot_uniform((3, 3), fan_in=3, fan_out=3, rng=np.random.default_rng(0))
    >>> bool(np.all(np.abs(w) <= 1.0))
    True
    """
    limit = math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return rng.uniform(-limit, limit, size=shape)


def gabor_bank(out_channels, in_channels, kernel_size, *, n_orientations=8, seed=None):
    """A bank of 2-D Gabor kernels, shape ``(out_channels, in_channels, kh, kw)``.

    Kernel ``o`` has orientation ``theta = pi * (o mod n_orientations) / n_orientations``,
    a wavelength cycling over 2, 3 and 4 pixels times ``max(kh, kw)/5`` and phase
    alternating between cosine and sine; the Gaussian envelope has ``sigma = 0.56 *
    wavelength`` (one octave of bandwidth).  Each kernel is made zero-mean and scaled to
    the He variance ``2 / fan_in``; every input channel gets the same kernel, each
    kernel is then perturbed by 10 % He noise (from ``seed``) so channels can diverge.

    Parameters
    ----------
    out_channels, in_channels : int
    kernel_size : int or (int, int)
    n_orientations : int
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    ndarray (float64)

    Notes
    -----
    .. math:: g(x, y) = \\exp\\!\\left(-\\frac{x'^2 + y'^2}{2\\sigma^2}\\right)
              \\cos\\!\\left(\\frac{2\\pi x'}{\\lambda} + \\psi\\right), \\quad
              x' = x\\cos\\theta + y\\sin\\theta,\\ y' = -x\\sin\\theta + y\\cos\\theta

    Examples
    --------
    >>> w = gabor_bank(4, 1, 5, n_orientations=4, seed=0)
    >>> w.shape
    (4, 1, 5, 5)
    >>> bool(abs(w[0, 0].sum()) < 0.1)
    True
    """
    func = "gabor_bank"
    out_channels = positive_int(out_channels, "out_channels", func)
    in_channels = positive_int(in_channels, "in_channels", func)
    n_orientations = positive_int(n_orientations, "n_orientations", func)
    kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
    kh, kw = positive_int(kh, "kernel_size", func), positive_int(kw, "kernel_size", func)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    y, x = np.mgrid[:kh, :kw].astype(np.float64)
    y -= (kh - 1) / 2
    x -= (kw - 1) / 2
    fan_in = in_channels * kh * kw
    std = math.sqrt(2.0 / fan_in)
    bank = np.empty((out_channels, in_channels, kh, kw))
    for o in range(out_channels):
        theta = math.pi * (o % n_orientations) / n_orientations
        lam = (2.0 + (o // n_orientations) % 3) * max(kh, kw, 3) / 5.0
        psi = 0.0 if (o // (3 * n_orientations)) % 2 == 0 else math.pi / 2
        g = _gabor(x, y, theta, lam, 0.56 * lam, psi)
        g -= g.mean()
        norm = np.linalg.norm(g)
        g = g / norm * std * math.sqrt(kh * kw) if norm > 0 else g
        bank[o] = g
    return bank + 0.1 * he_normal(bank.shape, fan_in=fan_in, rng=rng)


def _gabor(x, y, theta, wavelength, sigma, phase):
    xr = x * math.cos(theta) + y * math.sin(theta)
    yr = -x * math.sin(theta) + y * math.cos(theta)
    return np.exp(-(xr ** 2 + yr ** 2) / (2 * sigma ** 2)) * np.cos(
        2 * math.pi * xr / wavelength + phase)


def initialize(name, shape, *, fan_in, fan_out, rng):
    """Weights of ``shape`` by the initializer ``name`` (one of ``INITS``).

    Parameters
    ----------
    name : {'he', 'glorot', 'gabor'}
        'gabor' needs a 2-D kernel: ``shape == (out, in, kh, kw)``.
    shape : tuple of int
    fan_in, fan_out : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray (float64)

    Notes
    -----
    See :func:`he_normal`, :func:`glorot_uniform`, :func:`gabor_bank`.

    Examples
    --------
    >>> import numpy as np
    >>> initialize('gabor', (2, 1, 3, 3), fan_in=9, fan_out=18,
    ...            rng=np.random.default_rng(0)).shape
    (2, 1, 3, 3)
    """
    one_of(name, INITS, "weight_init", "initialize")
    if name == "he":
        return he_normal(shape, fan_in=fan_in, rng=rng)
    if name == "glorot":
        return glorot_uniform(shape, fan_in=fan_in, fan_out=fan_out, rng=rng)
    if len(shape) != 4:
        raise ValueError(f"initialize: weight_init='gabor' needs a 2-D convolution weight "
                         f"(out, in, kh, kw); got shape {tuple(shape)}")
    return gabor_bank(shape[0], shape[1], shape[2:], seed=rng)
