"""Filter banks: many kernels applied to one image through one shared forward transform."""

import numbers
import warnings

import numpy as np

from .._errors import AliasingWarning, ShapeError
from .._validate import as_numeric_array, boundary_name
from ._common import axis_index, check_out, float_image
from ._spectral import SpectralApplier
from .gabor import _prefactor, build_kernel, gabor_direction

__all__ = ["FilterBank", "gabor_bank"]


class FilterBank:
    """A list of same-dimensional kernels with a parameter table and a fast ``apply``.

    Parameters
    ----------
    kernels : sequence of array_like
        Kernels of one dimensionality (sizes may differ); odd sizes are centred on their
        middle tap, even ones on tap ``k // 2`` (scipy.ndimage's anchor).
    params : dict of sequences, optional
        Columns of the parameter table, one entry per kernel.

    Notes
    -----
    ``apply(image)[k] = convolve(image, kernels[k], 'same', boundary='reflect')`` with the
    ``k // 2`` anchor.  The image is transformed once, by overlap-save in cache-sized
    tiles (:mod:`sigconv.engines.tiled`), and each tile's spectrum is multiplied by every
    kernel's, cached per image shape, so applying a bank of ``K`` kernels costs one
    forward and ``K`` inverse transforms per tile.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.filters import FilterBank
    >>> bank = FilterBank([np.array([1, 0, -1]), np.array([1, 2, 1])])
    >>> len(bank)
    2
    >>> bank.apply(np.array([0., 1, 2, 3, 4])).round(6)
    array([[ 1.,  2.,  2.,  2.,  1.],
           [ 1.,  4.,  8., 12., 15.]])
    """

    def __init__(self, kernels, params=None):
        func = "FilterBank"
        ks = [as_numeric_array(k, f"kernels[{i}]", func) for i, k in enumerate(kernels)]
        if not ks:
            raise ShapeError(f"{func}: kernels must not be empty; got {len(ks)} kernels")
        ndims = {k.ndim for k in ks}
        if len(ndims) != 1 or min(ndims) == 0 or any(k.size == 0 for k in ks):
            raise ShapeError(f"{func}: kernels must be non-empty arrays of one "
                             f"dimensionality; got shapes {[k.shape for k in ks]}")
        self.kernels = tuple(k.astype(np.result_type(k.dtype, np.float64)) for k in ks)
        self.params = {name: list(col) for name, col in (params or {}).items()}
        for name, col in self.params.items():
            if len(col) != len(ks):
                raise ValueError(f"{func}: params[{name!r}] has {len(col)} entries for "
                                 f"{len(ks)} kernels")
        self._applier = SpectralApplier(self.kernels)

    def __len__(self):
        return len(self.kernels)

    def __repr__(self):
        return f"FilterBank({len(self)} kernels, ndim={self.ndim})\n{self.table()}"

    @property
    def ndim(self):
        """Dimensionality of the kernels."""
        return self.kernels[0].ndim

    def table(self):
        """The parameter table as text, one row per kernel (index first)."""
        names = ["index"] + list(self.params) + ["shape"]
        rows = [[str(i)] + [_fmt(self.params[n][i]) for n in self.params]
                + [str(self.kernels[i].shape)] for i in range(len(self))]
        widths = [max(len(n), *(len(r[j]) for r in rows)) for j, n in enumerate(names)]
        line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))
        return "\n".join([line(names)] + [line(r) for r in rows])

    def apply(self, image, *, boundary="reflect", cval=0.0, channel_axis=None, out=None,
              workers=None):
        """Every kernel's response: ``(K, *image.shape)``.

        Parameters
        ----------
        image : array_like
            Real image with the kernels' dimensionality (plus a channel axis if
            ``channel_axis`` is given).
        boundary : str
            Extension beyond the edges (scipy.ndimage names), default ``'reflect'``.
        cval : float
            Fill value for ``boundary='constant'``.
        channel_axis : int, optional
            Axis of colour channels, each filtered independently.
        out : ndarray, optional
            An array of the result's shape and dtype to write into (reusing one buffer
            for many images saves allocating, and first touching, a large result).
        workers : int, optional
            Threads, each taking tiles in turn (default: the cores this process may use).

        Returns
        -------
        ndarray
            complex64 (float32 images) or complex128 for complex kernels; float32 or
            float64 for real ones.  ``out`` if it was given.

        Notes
        -----
        ``out[k, i] = sum_m kernels[k][m] image_ext[i + a_k - m]``, ``a_k = shape // 2``.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.filters import FilterBank
        >>> FilterBank([np.array([[0, 1], [2, 0]])]).apply(np.eye(3))[0]
        array([[0., 1., 0.],
               [2., 0., 1.],
               [0., 2., 3.]])
        """
        func = "FilterBank.apply"
        nd = self.ndim + (channel_axis is not None)
        img = float_image(image, func, ndim=nd)
        boundary = boundary_name(boundary, func)
        check_out(out, (len(self),) + img.shape, _out_dtype(img, self.kernels), func)
        if channel_axis is None:
            return self._applier.apply(img, boundary, float(cval), workers, out=out)
        ax = axis_index(channel_axis, img.ndim, func)
        result = np.stack([self._applier.apply(ch, boundary, float(cval), workers)
                           for ch in np.moveaxis(img, ax, 0)], axis=1)
        result = np.moveaxis(result, 1, 1 + ax)
        if out is None:
            return result
        out[...] = result
        return out

    def magnitude(self, image, **options):
        """The modulus of each kernel's response (local energy of a Gabor bank).

        Parameters
        ----------
        image : array_like
        **options
            Keyword arguments of :meth:`apply`.

        Returns
        -------
        ndarray
            ``(K, *image.shape)``, real.

        Notes
        -----
        ``|apply(image)[k]|``.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.filters import FilterBank
        >>> FilterBank([np.array([1j, 0, 0])]).magnitude(np.array([0., 3, 4]))
        array([[3., 4., 4.]])
        """
        return np.abs(self.apply(image, **options))

    def phase(self, image, **options):
        """The argument of each kernel's response, in radians in ``(-pi, pi]``.

        Parameters
        ----------
        image : array_like
        **options
            Keyword arguments of :meth:`apply`.

        Returns
        -------
        ndarray
            ``(K, *image.shape)``.

        Notes
        -----
        ``angle(apply(image)[k])``.

        Examples
        --------
        >>> import numpy as np
        >>> from sigconv.filters import FilterBank
        >>> FilterBank([np.array([1j])]).phase(np.array([2.0, -2.0])).round(4)
        array([[ 1.5708, -1.5708]])
        """
        return np.angle(self.apply(image, **options))

    def plot(self, **options):
        """The kernels as a grid of images.

        Parameters
        ----------
        **options
            Keyword arguments of :func:`sigconv.plotting.plot_bank`.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> from sigconv.filters import gabor_bank
        >>> len([ax for ax in gabor_bank(0.2, 3).plot().axes if ax.images])
        3
        """
        from ..plotting import plot_bank
        return plot_bank(self, **options)


def gabor_bank(frequencies, orientations, *, bandwidth=1.0, sigma=None, phase=0.0,
               aspect_ratio=1.0, n_stds=3, size=None, ndim=2, output="complex",
               convention="sigconv"):
    """A :class:`FilterBank` of Gabor kernels, one per (frequency, orientation).

    Parameters
    ----------
    frequencies : float or sequence of float
        Carrier frequencies in cycles per pixel, > 0.
    orientations : int or sequence
        An int ``n`` (2-D): the angles ``k * pi / n``, ``k = 0..n-1``. Otherwise each entry
        is any ``theta`` accepted by :func:`gabor_kernel` (an angle, ``ndim - 1`` angles
        or a direction vector).
    bandwidth, sigma, phase, aspect_ratio, n_stds, size, ndim, output
        As for :func:`gabor_kernel`, shared by every kernel.
    convention : {'sigconv', 'skimage', 'opencv'}
        As for :func:`gabor_kernel`; default 'sigconv' (sizes that do not change with
        the orientation when ``aspect_ratio == 1``).

    Returns
    -------
    FilterBank
        Kernels ordered frequency-major; ``params`` holds ``frequency``, ``theta`` and
        ``sigma`` per kernel.

    Notes
    -----
    Kernel ``(i, j)`` is ``gabor_kernel(frequencies[i], theta=orientations[j], ...,
    convention=convention)``.

    Examples
    --------
    >>> from sigconv.filters import gabor_bank
    >>> bank = gabor_bank([0.1, 0.2], 4)
    >>> len(bank), [round(t, 4) for t in bank.params['theta'][:4]]
    (8, [0.0, 0.7854, 1.5708, 2.3562])
    """
    func = "gabor_bank"
    freqs = [frequencies] if np.ndim(frequencies) == 0 else list(frequencies)
    if not freqs:
        raise ValueError(f"{func}: frequencies must not be empty")
    thetas = _orientations(orientations, ndim, func)
    kernels, table, aliased = [], {"frequency": [], "theta": [], "sigma": []}, []
    for f in freqs:
        for t in thetas:
            kernel, aliasing = build_kernel(
                f, theta=t, bandwidth=bandwidth, sigma=sigma, phase=phase,
                aspect_ratio=aspect_ratio, n_stds=n_stds, size=size, ndim=ndim,
                output=output, convention=convention)
            kernels.append(kernel)
            if aliasing:
                aliased.append(f"kernel {len(kernels) - 1}: {aliasing}")
            table["frequency"].append(float(f))
            table["theta"].append(t)
            table["sigma"].append(float(sigma) if sigma is not None
                                  else _prefactor(float(bandwidth)) / float(f))
    if aliased:
        warnings.warn(f"{func}: {len(aliased)} of {len(kernels)} kernels alias; "
                      + "; ".join(aliased), AliasingWarning, stacklevel=2)
    return FilterBank(kernels, table)


def _orientations(orientations, ndim, func):
    if isinstance(orientations, numbers.Integral) and not isinstance(orientations, bool):
        if ndim != 2:
            raise ValueError(f"{func}: an orientation count is for 2-D banks; give "
                             f"directions for ndim={ndim}")
        if orientations < 1:
            raise ValueError(f"{func}: orientations must be >= 1; got {orientations}")
        return [k * np.pi / orientations for k in range(orientations)]
    thetas = [t if np.ndim(t) == 0 else tuple(np.ravel(t)) for t in orientations]
    if not thetas:
        raise ValueError(f"{func}: orientations must not be empty")
    for t in thetas:
        gabor_direction(t, ndim, func=func)
    return [float(t) if np.ndim(t) == 0 else t for t in thetas]


def _out_dtype(image, kernels):
    real = np.result_type(image.dtype, np.float32)
    return np.result_type(real, np.complex64) if any(np.iscomplexobj(k) for k in kernels) \
        else real


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return str(value)
