"""Matplotlib helpers for filters: a bank's kernels, their frequency responses, edges on an
image.  matplotlib is imported inside each function, so ``import sigconv`` never needs it.

Every function draws into a new figure (or the given axes) and returns the Figure.
"""

import math

import numpy as np

from ._validate import one_of

__all__ = ["plot_bank", "plot_frequency_responses", "plot_edges", "PARTS"]

PARTS = ("real", "imag", "abs")


def _figure(n, ncols, cell=1.6):
    import matplotlib.pyplot as plt
    ncols = ncols or min(n, 8)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, cell * nrows),
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def _central_slice(kernel):
    """A 2-D view of an N-D kernel: the central plane through its last two axes."""
    k = np.asarray(kernel)
    if k.ndim == 1:
        return k[None, :]
    return k[tuple(n // 2 for n in k.shape[:-2])]


def _kernels_and_titles(bank):
    kernels = getattr(bank, "kernels", bank)
    params = getattr(bank, "params", {}) or {}
    titles = []
    for i in range(len(kernels)):
        parts = [f"{short}={params[name][i]:.3g}"
                 for name, short in (("frequency", "f"), ("theta", "θ"))
                 if name in params and np.ndim(params[name][i]) == 0]
        titles.append(", ".join(parts) or f"#{i}")
    return kernels, titles


def plot_bank(bank, *, part="real", ncols=None, cmap="RdBu_r"):
    """The kernels of a bank as a grid of images.

    Parameters
    ----------
    bank : FilterBank or sequence of arrays
        N-D kernels show their central 2-D plane.
    part : {'real', 'imag', 'abs'}
        Which part of complex kernels to show.
    ncols : int, optional
        Grid columns (default up to 8).
    cmap : str
        Colormap; each panel is scaled symmetrically about 0 (except 'abs').

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Panel ``i`` shows ``part(kernels[i])``, titled from the bank's parameter table.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from sigconv.filters import gabor_bank
    >>> from sigconv.plotting import plot_bank
    >>> fig = plot_bank(gabor_bank([0.1, 0.2], 4))
    >>> len([ax for ax in fig.axes if ax.get_visible()])
    8
    """
    one_of(part, PARTS, "part", "plot_bank")
    take = {"real": np.real, "imag": np.imag, "abs": np.abs}[part]
    kernels, titles = _kernels_and_titles(bank)
    fig, axes = _figure(len(kernels), ncols)
    for ax, k, title in zip(axes, kernels, titles):
        img = take(_central_slice(k))
        lim = float(np.max(np.abs(img))) or 1.0
        vmin = 0.0 if part == "abs" else -lim
        ax.imshow(img, cmap=cmap, vmin=vmin, vmax=lim, interpolation="nearest")
        ax.set_title(title, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def frequency_responses(kernels, shape):
    """``|DFT|`` of each kernel on a ``shape`` grid, zero frequency centred.

    Parameters
    ----------
    kernels : sequence of 2-D arrays
    shape : tuple of int
        DFT size per axis (at least each kernel's size).

    Returns
    -------
    ndarray
        ``(K, *shape)`` magnitudes; the kernel's centre tap sits at the origin, so the
        phase of a centred kernel does not wrap.

    Notes
    -----
    ``H_k(nu) = |sum_m k[m] exp(-2 pi i nu . (m - c))|`` with ``c = shape(k) // 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.plotting import frequency_responses
    >>> frequency_responses([np.array([[1.0, 1.0]])], (1, 4)).round(3)
    array([[[0.   , 1.414, 2.   , 1.414]]])
    """
    out = np.empty((len(kernels),) + tuple(shape))
    for i, k in enumerate(kernels):
        k = np.asarray(k)
        rolled = np.zeros(shape, dtype=np.result_type(k, float))
        rolled[tuple(slice(0, n) for n in k.shape)] = k
        rolled = np.roll(rolled, [-(n // 2) for n in k.shape], axis=range(k.ndim))
        out[i] = np.fft.fftshift(np.abs(np.fft.fftn(rolled)))
    return out


def plot_frequency_responses(bank, *, shape=(128, 128), combined=True, ncols=None,
                             cmap="magma"):
    """The kernels' frequency responses (2-D banks).

    Parameters
    ----------
    bank : FilterBank or sequence of 2-D arrays
    shape : tuple of int
        DFT grid.
    combined : bool
        One panel with the sum of the normalized magnitudes and each kernel's
        half-magnitude contour (how the bank tiles the frequency plane); otherwise one
        panel per kernel.
    ncols : int, optional
        Grid columns when ``combined`` is False.
    cmap : str

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Axes are in cycles per pixel, ``[-0.5, 0.5)`` on each axis (x = last axis).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from sigconv.filters import gabor_bank
    >>> from sigconv.plotting import plot_frequency_responses
    >>> fig = plot_frequency_responses(gabor_bank([0.1, 0.25], 4), shape=(64, 64))
    >>> len(fig.axes)
    1
    """
    import matplotlib.pyplot as plt
    kernels, titles = _kernels_and_titles(bank)
    if any(np.ndim(k) != 2 for k in kernels):
        raise ValueError("plot_frequency_responses: kernels must be 2-D; got shapes "
                         f"{[np.shape(k) for k in kernels]}")
    shape = tuple(max(s, *(np.shape(k)[a] for k in kernels)) for a, s in enumerate(shape))
    resp = frequency_responses(kernels, shape)
    peaks = resp.reshape(len(kernels), -1).max(axis=1)
    norm = resp / np.where(peaks > 0, peaks, 1.0)[:, None, None]
    extent = [-0.5, 0.5 - 1 / shape[1], 0.5 - 1 / shape[0], -0.5]
    if combined:
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.imshow(norm.sum(axis=0), cmap=cmap, extent=extent)
        fy = np.fft.fftshift(np.fft.fftfreq(shape[0]))
        fx = np.fft.fftshift(np.fft.fftfreq(shape[1]))
        for n in norm:
            ax.contour(fx, fy, n, levels=[0.5], colors="white", linewidths=0.6)
        ax.set_xlabel("cycles/pixel (axis 1)")
        ax.set_ylabel("cycles/pixel (axis 0)")
        ax.set_title("bank frequency response (half-magnitude contours)", fontsize=8)
        fig.tight_layout()
        return fig
    fig, axes = _figure(len(kernels), ncols)
    for ax, n, title in zip(axes, norm, titles):
        ax.imshow(n, cmap=cmap, extent=extent)
        ax.set_title(title, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_edges(image, edges, *, color=(1.0, 0.1, 0.1), ax=None, title=None):
    """An edge map drawn over a grey image.

    Parameters
    ----------
    image : 2-D array_like
        The image (shown in grey, scaled to its range).
    edges : 2-D array_like of bool
        Same shape; True pixels are painted ``color``.
    color : colour
        Any matplotlib colour.
    ax : matplotlib Axes, optional
        Draw here (default: a new figure).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The overlay is an RGBA layer with alpha 1 on edge pixels and 0 elsewhere.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sigconv.plotting import plot_edges
    >>> fig = plot_edges(np.eye(4), np.eye(4, dtype=bool))
    >>> len(fig.axes[0].images)
    2
    """
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    img = np.asarray(image)
    mask = np.asarray(edges, dtype=bool)
    if img.ndim != 2 or mask.shape != img.shape:
        raise ValueError("plot_edges: expected a 2-D image and an edge map of its shape; "
                         f"got {img.shape} and {mask.shape}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5 * img.shape[0] / img.shape[1]))
    else:
        fig = ax.figure
    ax.imshow(img, cmap="gray", interpolation="nearest")
    layer = np.zeros(img.shape + (4,))
    layer[mask] = mcolors.to_rgba(color)
    ax.imshow(layer, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return fig
