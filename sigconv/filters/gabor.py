"""N-D Gabor kernels, exact with scikit-image's and OpenCV's conventions on request.

A Gabor kernel is a Gaussian envelope times a complex carrier travelling along a unit
direction ``u``.  Three parameterizations are in use; ``convention`` picks one:

=============  ==========================================  ================================
convention     scale, size                                 reproduces
=============  ==========================================  ================================
``sigconv``    ``1/((2 pi)^(n/2) sigma sigma_p^(n-1))``,   N-D; size covers ``n_stds`` of
               bounding box of the ``n_stds`` ellipsoid    the rotated envelope on each axis
``skimage``    ``1/(2 pi sigma_x sigma_y)``, size          ``skimage.filters.gabor_kernel``
               ``ceil(max(...))`` (varies with theta)
``opencv``     1 (unnormalized), ``cvRound`` sizes,        ``cv2.getGaborKernel`` (real;
               kernel point-reflected                      ``output='complex'`` adds the
                                                           quadrature part)
=============  ==========================================  ================================

The default is ``skimage`` for a 2-D kernel with one angle, ``sigconv`` otherwise.

``sigma`` is the envelope's standard deviation along ``u``; across it the standard
deviation is ``sigma / aspect_ratio`` (OpenCV's ``gamma``).  When ``sigma`` is not given
it follows from the octave ``bandwidth``: ``sigma = bandwidth_to_sigma(bandwidth,
frequency)`` (scikit-image's rule, also used for the other conventions).
scikit-image's ``sigma_x``/``sigma_y`` (along/across; an omitted one from the bandwidth)
and ``offset`` are accepted under those names too.
"""

import math
import numbers
import warnings

import numpy as np

from .._errors import AliasingWarning
from .._validate import one_of, renamed
from ._common import positive

__all__ = ["gabor_kernel", "gabor_direction", "frequency_to_wavelength",
           "wavelength_to_frequency", "bandwidth_to_sigma", "sigma_to_bandwidth",
           "degrees_to_radians", "radians_to_degrees", "CONVENTIONS", "OUTPUTS"]

CONVENTIONS = ("skimage", "sigconv", "opencv")
OUTPUTS = ("complex", "real", "imag")
_SIGMA_CONST = math.sqrt(math.log(2) / 2.0) / math.pi


def frequency_to_wavelength(frequency):
    """Wavelength in pixels of a spatial frequency in cycles per pixel: ``1 / frequency``.

    Parameters
    ----------
    frequency : float or array_like
        Cycles per pixel, > 0.

    Returns
    -------
    float or ndarray
        Pixels per cycle.

    Notes
    -----
    ``lambda = 1 / f``.

    Examples
    --------
    >>> from sigconv.filters import frequency_to_wavelength
    >>> frequency_to_wavelength(0.25)
    4.0
    """
    return 1.0 / _positive_array(frequency, "frequency", "frequency_to_wavelength")


def wavelength_to_frequency(wavelength):
    """Spatial frequency (cycles per pixel) of a wavelength in pixels: ``1 / wavelength``.

    Parameters
    ----------
    wavelength : float or array_like
        Pixels per cycle, > 0.

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``f = 1 / lambda``.

    Examples
    --------
    >>> from sigconv.filters import wavelength_to_frequency
    >>> wavelength_to_frequency(8)
    0.125
    """
    return 1.0 / _positive_array(wavelength, "wavelength", "wavelength_to_frequency")


def bandwidth_to_sigma(bandwidth, frequency):
    """Envelope standard deviation for a half-magnitude bandwidth in octaves.

    Parameters
    ----------
    bandwidth : float or array_like
        Octaves, > 0.
    frequency : float or array_like
        Cycles per pixel, > 0.

    Returns
    -------
    float or ndarray
        ``sigma`` in pixels.

    Notes
    -----
    ``sigma = sqrt(ln 2 / 2) / (pi f) * (2**b + 1) / (2**b - 1)`` (scikit-image's rule).

    Examples
    --------
    >>> from sigconv.filters import bandwidth_to_sigma, sigma_to_bandwidth
    >>> s = bandwidth_to_sigma(1.0, 0.1)
    >>> round(float(s), 4), round(float(sigma_to_bandwidth(s, 0.1)), 12)
    (5.6217, 1.0)
    """
    func = "bandwidth_to_sigma"
    b = _positive_array(bandwidth, "bandwidth", func)
    f = _positive_array(frequency, "frequency", func)
    return _prefactor(b) / f


def _prefactor(b):
    """sigma * frequency for an octave bandwidth, in scikit-image's order of operations."""
    return 1.0 / np.pi * math.sqrt(math.log(2) / 2.0) * (2.0 ** b + 1) / (2.0 ** b - 1)


def sigma_to_bandwidth(sigma, frequency):
    """Half-magnitude bandwidth in octaves of an envelope of standard deviation ``sigma``.

    Parameters
    ----------
    sigma : float or array_like
        Pixels, > 0, with ``sigma * frequency > sqrt(ln 2 / 2) / pi`` (about 0.187):
        narrower envelopes pass frequency 0 at half magnitude, so no octave bandwidth.
    frequency : float or array_like
        Cycles per pixel, > 0.

    Returns
    -------
    float or ndarray

    Notes
    -----
    With ``K = pi sigma f / sqrt(ln 2 / 2)``: ``b = log2((K + 1) / (K - 1))``.

    Examples
    --------
    >>> from sigconv.filters import sigma_to_bandwidth
    >>> round(float(sigma_to_bandwidth(3.0, 0.1)), 3)
    2.114
    """
    func = "sigma_to_bandwidth"
    s = _positive_array(sigma, "sigma", func)
    f = _positive_array(frequency, "frequency", func)
    k = s * f / _SIGMA_CONST
    if np.any(k <= 1):
        raise ValueError(f"{func}: sigma * frequency must be > {_SIGMA_CONST:.4f}; got "
                         f"{np.min(s * f):.4g}")
    return np.log2((k + 1) / (k - 1))


def degrees_to_radians(degrees):
    """Angles in radians: ``degrees * pi / 180``.

    Parameters
    ----------
    degrees : float or array_like

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``theta_rad = theta_deg * pi / 180`` (MATLAB's ``gabor`` takes degrees).

    Examples
    --------
    >>> from sigconv.filters import degrees_to_radians
    >>> float(degrees_to_radians(180))
    3.141592653589793
    """
    return np.deg2rad(degrees)


def radians_to_degrees(radians):
    """Angles in degrees: ``radians * 180 / pi``.

    Parameters
    ----------
    radians : float or array_like

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``theta_deg = theta_rad * 180 / pi``.

    Examples
    --------
    >>> from sigconv.filters import radians_to_degrees
    >>> float(radians_to_degrees(np.pi / 2))
    90.0
    """
    return np.rad2deg(radians)


def gabor_direction(theta, ndim=2, *, func="gabor_direction"):
    """The unit direction ``u`` (array-axis order) of a Gabor carrier.

    Parameters
    ----------
    theta : float, or sequence of ``ndim - 1`` angles, or sequence of ``ndim`` numbers
        A float: the angle from the last axis (x, columns) towards the one before (y,
        rows), as scikit-image and OpenCV in 2-D (in N-D the other angles are 0; in 1-D
        the sign of ``cos theta``). ``ndim - 1`` angles: hyperspherical, in x-first order
        ``c = (cos t1, sin t1, 0, ...)``, then each further angle ``t_k`` tilts ``c``
        towards the next axis: ``c[:k] *= cos t_k; c[k] = sin t_k`` (in 3-D: azimuth in
        the x-y plane, then elevation towards z = axis 0). ``ndim`` numbers: the
        direction itself, in array-axis order (normalized).
    ndim : int
    func : str
        Name used in error messages.

    Returns
    -------
    ndarray
        ``ndim`` floats of unit norm, ``u[0]`` along array axis 0.

    Notes
    -----
    In 2-D ``u = (sin theta, cos theta)``, so the projection ``u . r`` of an offset
    ``r = (y, x)`` is ``x cos theta + y sin theta``.

    Examples
    --------
    >>> from sigconv.filters import gabor_direction
    >>> gabor_direction(0.0)
    array([0., 1.])
    >>> gabor_direction([3, 0, 4], ndim=3)
    array([0.6, 0. , 0.8])
    """
    if np.ndim(theta) == 0:
        if ndim == 1:
            return np.array([1.0 if math.cos(theta) >= 0 else -1.0])
        angles = (float(theta),) + (0.0,) * (ndim - 2)
    else:
        values = np.asarray(theta, dtype=float).ravel()
        if values.size == ndim:
            norm = np.linalg.norm(values)
            if not np.isfinite(norm) or norm == 0:
                raise ValueError(f"{func}: a direction vector must be finite and non-zero; "
                                 f"got {theta!r}")
            return values / norm
        angles = tuple(values)
    if len(angles) != ndim - 1:
        raise ValueError(f"{func}: theta must be an angle, {ndim - 1} angles or a "
                         f"{ndim}-vector for ndim={ndim}; got {theta!r}")
    c = np.zeros(ndim)
    c[0], c[1] = math.cos(angles[0]), math.sin(angles[0])
    for k, t in enumerate(angles[1:], start=2):
        c[:k] *= math.cos(t)
        c[k] = math.sin(t)
    return c[::-1].copy()


def gabor_kernel(frequency=None, theta=0, bandwidth=1.0, sigma_x=None, sigma_y=None,
                 n_stds=3, offset=None, dtype=None, *, sigma=None, phase=None,
                 aspect_ratio=None, wavelength=None, size=None, ndim=2, output=None,
                 convention=None):
    """A Gabor kernel in any number of dimensions.

    The positional signature is ``skimage.filters.gabor_kernel``'s, and in 2-D the
    defaults give its kernel; ``convention='sigconv'`` (the default in other dimensions)
    sizes the kernel by the envelope's bounding box, and ``convention='opencv'`` gives
    ``cv2.getGaborKernel``'s real kernel.

    Parameters
    ----------
    frequency : float, optional
        Carrier frequency in cycles per pixel, > 0 (give this or ``wavelength``).
    theta : float or sequence
        Orientation: an angle in radians (2-D), ``ndim - 1`` angles, or a direction
        vector; see :func:`gabor_direction`.
    bandwidth : float
        Octave bandwidth, > 0, which sets the envelope's standard deviations that are
        not given.
    sigma_x, sigma_y : float, optional
        scikit-image's standard deviations along and across the carrier, in pixels; an
        omitted one follows from ``bandwidth`` (as in scikit-image).  sigconv's spelling
        is ``sigma`` and ``aspect_ratio``; give one of the two pairs.
    n_stds : float
        Half-size in envelope standard deviations when ``size`` is None.
    offset : float, optional
        scikit-image's name for ``phase``.
    dtype : dtype, optional
        Result dtype: complex (complex128 by default) for ``output='complex'``, floating
        (float64 by default) otherwise.
    sigma : float, optional
        Envelope standard deviation along the carrier direction, in pixels (default from
        ``bandwidth``).
    phase : float, optional
        Carrier phase offset in radians (OpenCV ``psi``); default 0, and ``pi/2`` (OpenCV's
        default ``psi``) for ``convention='opencv'``.
    aspect_ratio : float, optional
        ``sigma`` divided by the standard deviation across the carrier (OpenCV
        ``gamma``); default 1.
    wavelength : float, optional
        Pixels per cycle, ``1 / frequency`` (OpenCV ``lambd``).
    size : int or tuple of int, optional
        Kernel shape (array-axis order: rows, columns); odd. OpenCV's ``ksize`` is
        ``(width, height)``, the reverse.
    ndim : int
        Number of dimensions (``skimage`` and ``opencv`` conventions are 2-D).
    output : {'complex', 'real', 'imag'}, optional
        The complex kernel or its cosine (real) or sine (imaginary) part; default
        'complex', and 'real' for ``convention='opencv'`` (OpenCV's kernel is real).
    convention : {'skimage', 'sigconv', 'opencv'}, optional
        Scale and size rules (module docstring); default 'skimage' for a 2-D kernel
        with one angle, 'sigconv' otherwise.

    Returns
    -------
    ndarray
        complex128 or float64 kernel (or ``dtype``) of odd size on every axis.

    Notes
    -----
    With ``r`` the offset from the centre, ``p = u . r`` and ``q**2 = |r|**2 - p**2``:
    ``g(r) = A exp(-p**2/(2 sigma**2) - q**2 aspect_ratio**2/(2 sigma**2))
    exp(i (2 pi f p + phase))``, ``A = 1/((2 pi)^(n/2) sigma (sigma/aspect_ratio)^(n-1))``
    for ``'sigconv'`` and ``'skimage'`` (which differ only in the size rule when
    ``theta`` is not a multiple of ``pi/2``).  ``convention='skimage'`` equals
    ``skimage.filters.gabor_kernel(frequency, theta, bandwidth, sigma_x, sigma_y, n_stds,
    offset)``; ``convention='opencv'`` equals ``cv2.getGaborKernel((w, h), sigma, theta,
    wavelength, aspect_ratio, phase)`` with ``size=(h, w)`` (OpenCV would round an even
    ``w`` up to ``w + 1``; here an even size is refused).

    The carrier's frequency along array axis ``i`` is ``f |u_i|``; above 0.5 cycles per
    sample (Nyquist) the samples cannot tell it from ``|f u_i - round(f u_i)|``, so such
    a kernel is built as asked with an :class:`~sigconv.AliasingWarning` naming the axis
    and the alias (``gabor_kernel(0.9)`` samples a 0.1 cycles/pixel carrier).

    Examples
    --------
    >>> from sigconv.filters import gabor_kernel
    >>> k = gabor_kernel(0.25, sigma=1.0, size=3, output='real')
    >>> k.shape
    (3, 3)
    >>> (k.round(4) * 10**4).astype(int)
    array([[   0,  965,    0],
           [   0, 1592,    0],
           [   0,  965,    0]])
    >>> gabor_kernel(0.25, sigma=1.0, ndim=3).shape
    (7, 7, 7)
    >>> gabor_kernel(wavelength=4, sigma=1.0, size=3, convention='opencv').round(3)
    array([[-0.368,  0.   ,  0.368],
           [-0.607,  0.   ,  0.607],
           [-0.368,  0.   ,  0.368]])
    """
    kernel, aliasing = build_kernel(frequency, theta, bandwidth, sigma_x, sigma_y, n_stds,
                                    offset, dtype, sigma=sigma, phase=phase,
                                    aspect_ratio=aspect_ratio, wavelength=wavelength,
                                    size=size, ndim=ndim, output=output,
                                    convention=convention)
    if aliasing:
        warnings.warn(f"gabor_kernel: {aliasing}", AliasingWarning, stacklevel=2)
    return kernel


def build_kernel(frequency=None, theta=0, bandwidth=1.0, sigma_x=None, sigma_y=None,
                 n_stds=3, offset=None, dtype=None, *, sigma=None, phase=None,
                 aspect_ratio=None, wavelength=None, size=None, ndim=2, output=None,
                 convention=None):
    """``(kernel, aliasing)``: :func:`gabor_kernel`'s result (same arguments) and, when
    its carrier exceeds 0.5 cycles/sample along an array axis, the sentence that says so
    (else ``''``)."""
    args = _validate(frequency, theta, bandwidth, sigma_x, sigma_y, n_stds, offset, dtype,
                     sigma, phase, aspect_ratio, wavelength, size, ndim, output, convention)
    builder = {"sigconv": _sigconv_kernel, "skimage": _skimage_kernel,
               "opencv": _opencv_kernel}[args["convention"]]
    return builder(**args).astype(args["dtype"], copy=False), _aliasing(args)


def _aliasing(args):
    direction = args["direction"]
    if direction is None:           # skimage / opencv: x cos(theta) + y sin(theta)
        direction = (math.sin(args["theta"]), math.cos(args["theta"]))
    per_axis = [args["frequency"] * abs(float(u)) for u in direction]
    axis = int(np.argmax(per_axis))
    f_axis = per_axis[axis]
    if f_axis <= 0.5 + 1e-12:
        return ""
    return (f"frequency {args['frequency']:.4g} cycles/pixel puts {f_axis:.4g} cycles/pixel "
            f"along array axis {axis}, above the Nyquist limit of 0.5: the sampled carrier "
            f"aliases to {abs(f_axis - round(f_axis)):.4g} cycles/pixel")


def _positive_array(value, name, func):
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr) & (arr > 0)):
        shown = value if np.ndim(value) == 0 else np.min(arr)
        raise ValueError(f"{func}: {name} must be > 0; got {shown!r}")
    return arr if arr.ndim else float(arr)


def _validate(frequency, theta, bandwidth, sigma_x, sigma_y, n_stds, offset, dtype, sigma,
              phase, aspect_ratio, wavelength, size, ndim, output, convention):
    func = "gabor_kernel"
    if isinstance(ndim, bool) or not isinstance(ndim, numbers.Integral) or ndim < 1:
        raise ValueError(f"{func}: ndim must be an integer >= 1; got {ndim!r}")
    if convention is None:
        convention = "skimage" if ndim == 2 and np.ndim(theta) == 0 else "sigconv"
    one_of(convention, CONVENTIONS, "convention", func)
    if output is None:
        output = "real" if convention == "opencv" else "complex"
    one_of(output, OUTPUTS, "output", func)
    if convention != "sigconv" and ndim != 2:
        raise ValueError(f"{func}: convention={convention!r} is 2-D; got ndim={ndim}")
    if (frequency is None) == (wavelength is None):
        raise ValueError(f"{func}: give exactly one of frequency and wavelength; got "
                         f"frequency={frequency!r}, wavelength={wavelength!r}")
    if frequency is not None:
        frequency = positive(frequency, "frequency", func)
        wavelength = 1.0 / frequency
    else:
        wavelength = positive(wavelength, "wavelength", func)
        frequency = 1.0 / wavelength
    bandwidth = positive(bandwidth, "bandwidth", func)
    sigma, across = _envelope(sigma_x, sigma_y, sigma, aspect_ratio,
                              _prefactor(bandwidth) / frequency, func)
    phase = renamed(phase, offset, "phase", "offset", func,
                    math.pi / 2 if convention == "opencv" else 0.0)
    own = convention == "sigconv"
    return dict(frequency=frequency, wavelength=wavelength, sigma=sigma, sigma_y=across,
                direction=gabor_direction(theta, ndim, func=func) if own else None,
                theta=0.0 if own else _scalar_theta(theta, func), phase=float(phase),
                n_stds=positive(n_stds, "n_stds", func), size=_size(size, ndim, func),
                ndim=int(ndim), output=output, convention=convention,
                dtype=_result_dtype(dtype, output, func))


def _envelope(sigma_x, sigma_y, sigma, aspect_ratio, from_bandwidth, func):
    """(standard deviation along the carrier, across it) from either spelling."""
    if sigma_x is None and sigma_y is None:
        along = from_bandwidth if sigma is None else positive(sigma, "sigma", func)
        ratio = 1.0 if aspect_ratio is None else positive(aspect_ratio, "aspect_ratio",
                                                           func)
        return along, along / ratio
    if sigma is not None or aspect_ratio is not None:
        raise TypeError(f"{func}: give sigma_x/sigma_y (scikit-image's names) or "
                        f"sigma/aspect_ratio, not both; got sigma_x={sigma_x!r}, "
                        f"sigma_y={sigma_y!r}, sigma={sigma!r}, aspect_ratio={aspect_ratio!r}")
    along = from_bandwidth if sigma_x is None else positive(sigma_x, "sigma_x", func)
    return along, from_bandwidth if sigma_y is None else positive(sigma_y, "sigma_y", func)


def _result_dtype(dtype, output, func):
    kind = "c" if output == "complex" else "f"
    if dtype is None:
        return np.dtype(np.complex128 if kind == "c" else np.float64)
    dt = np.dtype(dtype)
    if dt.kind != kind:
        raise ValueError(f"{func}: dtype must be a {'complex' if kind == 'c' else 'floating'}"
                         f" dtype for output={output!r}; got {dt}")
    return dt


def _scalar_theta(theta, func):
    if np.ndim(theta) != 0:
        raise ValueError(f"{func}: theta must be one angle in radians for this convention; "
                         f"got {theta!r}")
    return float(theta)


def _size(size, ndim, func):
    if size is None:
        return None
    items = (size,) * ndim if np.ndim(size) == 0 else tuple(size)
    if len(items) != ndim:
        raise ValueError(f"{func}: size needs one value per axis ({ndim}); got {size!r}")
    for s in items:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 or s % 2 == 0:
            raise ValueError(f"{func}: size must be odd positive integers (the kernel has a "
                             f"centre tap; OpenCV silently uses size + 1); got {size!r}")
    return tuple(int(s) for s in items)


def _carrier(envelope, arg, output):
    if output == "real":
        return envelope * np.cos(arg)
    if output == "imag":
        return envelope * np.sin(arg)
    return envelope * np.exp(1j * arg)


def _sigconv_kernel(frequency, sigma, sigma_y, direction, phase, n_stds, size, ndim,
                    output, **_):
    sigma_p = sigma_y
    if size is None:
        half = [max(1, math.ceil(n_stds * math.sqrt(sigma ** 2 * u * u
                                                    + sigma_p ** 2 * (1 - u * u))))
                for u in direction]
        size = tuple(2 * h + 1 for h in half)
    grids = np.meshgrid(*[np.arange(n) - n // 2 for n in size], indexing="ij", sparse=True)
    p = sum(u * g for u, g in zip(direction, grids))
    q2 = sum(g * g for g in grids) - p * p
    scale = 1.0 / ((2 * np.pi) ** (ndim / 2) * sigma * sigma_p ** (ndim - 1))
    envelope = scale * np.exp(-0.5 * (p * p / sigma ** 2 + q2 / sigma_p ** 2))
    return _carrier(envelope, 2 * np.pi * frequency * p + phase, output)


def _skimage_kernel(frequency, sigma, sigma_y, theta, phase, n_stds, size, output, dtype,
                    **_):
    """skimage.filters.gabor_kernel, step for step (so it agrees to the last bit)."""
    sigma_x = sigma
    ct, st = math.cos(theta), math.sin(theta)
    if size is None:
        x0 = math.ceil(max(abs(n_stds * sigma_x * ct), abs(n_stds * sigma_y * st), 1))
        y0 = math.ceil(max(abs(n_stds * sigma_y * ct), abs(n_stds * sigma_x * st), 1))
    else:
        y0, x0 = size[0] // 2, size[1] // 2
    y, x = np.meshgrid(np.arange(-y0, y0 + 1), np.arange(-x0, x0 + 1), indexing="ij",
                       sparse=True)
    rotx = x * ct + y * st
    roty = -x * st + y * ct
    g = np.exp(-0.5 * (rotx ** 2 / sigma_x ** 2 + roty ** 2 / sigma_y ** 2)
               + 1j * (2 * np.pi * frequency * rotx + phase))
    g = g.astype(dtype if dtype.kind == "c" else np.result_type(dtype, np.complex64))
    g *= 1 / (2 * np.pi * sigma_x * sigma_y)
    return {"complex": g, "real": g.real.copy(), "imag": g.imag.copy()}[output]


def _opencv_kernel(wavelength, sigma, sigma_y, theta, phase, n_stds, size, output, **_):
    """cv2.getGaborKernel, step for step: unnormalized, cvRound sizes, point-reflected."""
    sigma_x = sigma
    c, s = math.cos(theta), math.sin(theta)
    if size is None:
        xmax = int(np.rint(max(abs(n_stds * sigma_x * c), abs(n_stds * sigma_y * s))))
        ymax = int(np.rint(max(abs(n_stds * sigma_x * s), abs(n_stds * sigma_y * c))))
    else:
        ymax, xmax = size[0] // 2, size[1] // 2
    # OpenCV stores the value at (x, y) in row ymax - y, column xmax - x.
    y = np.arange(ymax, -ymax - 1, -1, dtype=float)[:, None]
    x = np.arange(xmax, -xmax - 1, -1, dtype=float)[None, :]
    xr = x * c + y * s
    yr = -x * s + y * c
    ex, ey = -0.5 / (sigma_x * sigma_x), -0.5 / (sigma_y * sigma_y)
    envelope = _libm(math.exp, ex * xr * xr + ey * yr * yr)
    arg = (np.pi * 2 / wavelength) * xr + phase
    if output == "imag":
        return envelope * _libm(math.sin, arg)
    real = envelope * _libm(math.cos, arg)
    return real if output == "real" else real + 1j * (envelope * _libm(math.sin, arg))


def _libm(f, values):
    """``f`` applied through the C math library, as OpenCV evaluates it (numpy's SIMD
    exp/cos can differ in the last bit)."""
    return np.array([f(v) for v in values.ravel().tolist()]).reshape(values.shape)
