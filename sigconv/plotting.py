"""Matplotlib helpers for filters: a bank's kernels, their frequency responses, edges on an
image.  matplotlib is imported inside each function, so ``import sigconv`` never needs it.

Every function draws into a new figure (or the given axes) with constrained layout, so no
title or label is clipped, and returns the Figure.  A bank whose parameter table holds a
``frequency`` and an angle ``theta`` per kernel, frequency-major as :func:`gabor_bank`
makes it, is laid out as a grid with one row per frequency and one column per orientation,
each row and column labelled with its value; any other bank is drawn row-major with each
panel titled by its index and parameters.
"""

import math

import numpy as np

from ._validate import one_of

__all__ = ["plot_bank", "plot_frequency_responses", "plot_edges", "frequency_responses",
           "PARTS"]

PARTS = ("real", "imag", "abs")


# ----------------------------------------------------------------------------- layout

def _kernels_and_params(bank):
    kernels = [np.asarray(k) for k in getattr(bank, "kernels", bank)]
    params = getattr(bank, "params", {}) or {}
    return kernels, params


def _grid(n, params, ncols):
    """``(nrows, ncols, cells, row_labels, col_labels, titles)`` of a bank's panels.

    ``cells[i]`` is the (row, column) of kernel ``i``.  For a full frequency x orientation
    table the labels name each row's frequency (and sigma) and each column's angle, and
    ``titles`` is None; otherwise ``titles[i]`` names kernel ``i``.
    """
    freqs, thetas = params.get("frequency"), params.get("theta")
    if ncols is None and freqs is not None and thetas is not None \
            and all(np.ndim(t) == 0 for t in thetas):
        rows = list(dict.fromkeys(float(f) for f in freqs))
        cols = list(dict.fromkeys(float(t) for t in thetas))
        cells = [(rows.index(float(f)), cols.index(float(t))) for f, t in zip(freqs, thetas)]
        if len(set(cells)) == n == len(rows) * len(cols):
            sigmas = params.get("sigma")
            row_labels = []
            for r, f in enumerate(rows):
                label = f"f = {f:.3g} cycles/px"
                if sigmas is not None:
                    label += f"\nσ = {sigmas[cells.index((r, 0))]:.3g} px"
                row_labels.append(label)
            col_labels = [f"θ = {math.degrees(t):.3g}°" for t in cols]
            return len(rows), len(cols), cells, row_labels, col_labels, None
    ncols = ncols or min(n, 8)
    cells = [divmod(i, ncols) for i in range(n)]
    titles = []
    for i in range(n):
        parts = [f"{short}={params[name][i]:.3g}"
                 for name, short in (("frequency", "f"), ("theta", "θ"))
                 if name in params and np.ndim(params[name][i]) == 0]
        titles.append(", ".join([f"#{i}"] + parts))
    return math.ceil(n / ncols), ncols, cells, None, None, titles


def _new_figure(figure, size):
    """``figure`` (a top-level Figure is resized to ``size`` inches; a SubFigure keeps its
    place), or a new pyplot figure of ``size`` inches with constrained layout."""
    if figure is not None:
        if figure.figure is figure:
            figure.set_size_inches(size)
        return figure
    import matplotlib.pyplot as plt
    return plt.figure(figsize=size, layout="constrained")


def _panels(figure, kernels, params, ncols, cell, **subplots):
    """One Axes per kernel placed by :func:`_grid`, in ``figure`` or a new figure; unused
    cells hidden."""
    nrows, ncols, cells, row_labels, col_labels, titles = _grid(len(kernels), params, ncols)
    fig = _new_figure(figure, (cell * ncols + 1.4, cell * nrows + 0.6))
    grid = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    axes = [grid[r, c] for r, c in cells]
    used = set(cells)
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) not in used:
                grid[r, c].set_visible(False)
    if titles is not None:
        for ax, title in zip(axes, titles):
            ax.set_title(title, fontsize=7)
    else:
        for c, label in enumerate(col_labels):
            grid[0, c].set_title(label, fontsize=8)
        for r, label in enumerate(row_labels):
            grid[r, 0].set_ylabel(label, fontsize=8)
    return fig, axes, grid


def _central_slice(kernel):
    """A 2-D view of an N-D kernel: the central plane through its last two axes."""
    k = np.asarray(kernel)
    if k.ndim == 1:
        return k[None, :]
    return k[tuple(n // 2 for n in k.shape[:-2])]


# ----------------------------------------------------------------------------- kernels

def plot_bank(bank, *, part="real", ncols=None, cmap="RdBu_r", figure=None):
    """The kernels of a bank as a grid of images on one colour scale.

    Parameters
    ----------
    bank : FilterBank or sequence of arrays
        N-D kernels show their central 2-D plane.
    part : {'real', 'imag', 'abs'}
        Which part of complex kernels to show.
    ncols : int, optional
        Grid columns, row-major; by default a frequency x orientation bank gets one row
        per frequency and one column per orientation, any other bank up to 8 columns.
    cmap : str
        Colormap.
    figure : matplotlib Figure or SubFigure, optional
        Draw into it (a Figure is resized to the grid; default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure or SubFigure
        ``figure`` when given.

    Notes
    -----
    Panel ``i`` shows ``part(kernels[i]) / max |part(kernels[i])|``, so every panel spans
    the one colour bar (``[-1, 1]``, or ``[0, 1]`` for ``'abs'``) whatever the kernel's
    normalization.  Panels are scaled to one size; the label under each gives the
    kernel's size in pixels (``σ``, and so the size, grows as the frequency falls).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from sigconv.filters import gabor_bank
    >>> from sigconv.plotting import plot_bank
    >>> fig = plot_bank(gabor_bank([0.1, 0.2], 4))
    >>> len([ax for ax in fig.axes if ax.images])        # 2 rows of 4 kernels
    8
    >>> fig.axes[0].get_title(), fig.axes[0].get_ylabel().splitlines()[0]
    ('θ = 0°', 'f = 0.1 cycles/px')
    """
    one_of(part, PARTS, "part", "plot_bank")
    take = {"real": np.real, "imag": np.imag, "abs": np.abs}[part]
    kernels, params = _kernels_and_params(bank)
    fig, axes, grid = _panels(figure, kernels, params, ncols, cell=1.5)
    vmin = 0.0 if part == "abs" else -1.0
    image = None
    for ax, k in zip(axes, kernels):
        img = take(_central_slice(k))
        peak = float(np.max(np.abs(img))) or 1.0
        image = ax.imshow(img / peak, cmap=cmap, vmin=vmin, vmax=1.0, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{img.shape[1]}×{img.shape[0]} px", fontsize=7)
    fig.colorbar(image, ax=grid.ravel().tolist(), shrink=0.8,
                 label=f"{part} part / its peak |value|")
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
        panel per kernel, laid out as :func:`plot_bank` does.
    ncols : int, optional
        Grid columns when ``combined`` is False.
    cmap : str

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Axes are in cycles per pixel, ``[-0.5, 0.5)`` on each axis (x = last axis); each
    magnitude is divided by its peak, so the colour bar reads ``|H| / max |H|`` (summed
    over kernels when ``combined``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from sigconv.filters import gabor_bank
    >>> from sigconv.plotting import plot_frequency_responses
    >>> fig = plot_frequency_responses(gabor_bank([0.1, 0.25], 4), shape=(64, 64))
    >>> [ax.get_label() for ax in fig.axes]
    ['', '<colorbar>']
    """
    kernels, params = _kernels_and_params(bank)
    if any(np.ndim(k) != 2 for k in kernels):
        raise ValueError("plot_frequency_responses: kernels must be 2-D; got shapes "
                         f"{[np.shape(k) for k in kernels]}")
    shape = tuple(max(s, *(np.shape(k)[a] for k in kernels)) for a, s in enumerate(shape))
    resp = frequency_responses(kernels, shape)
    peaks = resp.reshape(len(kernels), -1).max(axis=1)
    norm = resp / np.where(peaks > 0, peaks, 1.0)[:, None, None]
    extent = [-0.5, 0.5 - 1 / shape[1], 0.5 - 1 / shape[0], -0.5]
    if combined:
        fig = _new_figure(None, (5.2, 4.5))
        ax = fig.add_subplot()
        image = ax.imshow(norm.sum(axis=0), cmap=cmap, extent=extent)
        fy = np.fft.fftshift(np.fft.fftfreq(shape[0]))
        fx = np.fft.fftshift(np.fft.fftfreq(shape[1]))
        for n in norm:
            ax.contour(fx, fy, n, levels=[0.5], colors="white", linewidths=0.6)
        ax.set_xlabel("frequency, axis 1 (cycles/pixel)")
        ax.set_ylabel("frequency, axis 0 (cycles/pixel)")
        ax.set_title("bank frequency response\n(white: each kernel's half-magnitude contour)",
                     fontsize=9)
        fig.colorbar(image, ax=ax, label="sum over kernels of |H| / max |H|")
        return fig
    fig, axes, grid = _panels(None, kernels, params, ncols, cell=1.7, sharex=True,
                              sharey=True)
    for ax, n in zip(axes, norm):
        image = ax.imshow(n, cmap=cmap, extent=extent, vmin=0.0, vmax=1.0)
        ax.set_xticks([-0.5, 0, 0.5])
        ax.set_yticks([-0.5, 0, 0.5])
        ax.tick_params(labelsize=7, labelbottom=False, labelleft=False)
    for r, c in [(r, c) for r in range(grid.shape[0]) for c in range(grid.shape[1])]:
        ax = grid[r, c]
        if ax.get_visible() and (r == grid.shape[0] - 1 or not grid[r + 1, c].get_visible()):
            ax.tick_params(labelbottom=True)
            ax.set_xlabel("cycles/pixel (axis 1)", fontsize=7)
    for r in range(grid.shape[0]):
        grid[r, 0].tick_params(labelleft=True)
        grid[r, 0].set_ylabel(grid[r, 0].get_ylabel() + "\naxis 0 (cycles/pixel)", fontsize=7)
    fig.colorbar(image, ax=grid.ravel().tolist(), shrink=0.8, label="|H| / max |H|")
    return fig


# ----------------------------------------------------------------------------- edges

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
    The overlay is an RGBA layer with alpha 1 on edge pixels and 0 elsewhere.  The axes
    are hidden: both are pixel positions of the image shown.

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
    img = np.asarray(image)
    mask = np.asarray(edges, dtype=bool)
    if img.ndim != 2 or mask.shape != img.shape:
        raise ValueError("plot_edges: expected a 2-D image and an edge map of its shape; "
                         f"got {img.shape} and {mask.shape}")
    if ax is None:
        fig = _new_figure(None, (5, 5 * img.shape[0] / img.shape[1]))
        ax = fig.add_subplot()
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
