"""sigconv.plotting draws what it is given (Agg backend, no display)."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sigconv.filters import FilterBank, gabor_bank  # noqa: E402
from sigconv.plotting import (frequency_responses, plot_bank, plot_edges,  # noqa: E402
                              plot_frequency_responses)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_import_sigconv_does_not_import_matplotlib_pyplot():
    import subprocess
    code = ("import sys, sigconv, sigconv.filters, sigconv.plotting; "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def image_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.images]


@pytest.mark.parametrize("part,func", [("real", np.real), ("imag", np.imag), ("abs", np.abs)])
def test_plot_bank_shows_each_kernel_on_one_scale(part, func):
    bank = gabor_bank([0.1, 0.25], 3)
    fig = plot_bank(bank, part=part, ncols=3)
    axes = image_axes(fig)
    assert len(axes) == 6
    for ax, k in zip(axes, bank.kernels):
        np.testing.assert_allclose(ax.images[0].get_array(), func(k) / np.abs(func(k)).max())
        assert ax.images[0].get_clim() == ((0.0 if part == "abs" else -1.0), 1.0)
    assert axes[1].get_title() == "#1, f=0.1, θ=1.05"
    assert axes[0].get_xlabel() == "35×35 px"
    colorbar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(colorbar) == 1 and colorbar[0].get_ylabel() == f"{part} part / its peak |value|"


def test_plot_bank_lays_a_bank_out_frequency_by_orientation():
    """A 3x6 bank is 3 rows of 6, each row labelled with its frequency and sigma, each
    column with its angle."""
    bank = gabor_bank([0.05, 0.1, 0.2], 6)
    fig = plot_bank(bank)
    axes = image_axes(fig)
    assert len(axes) == 18
    rows = [ax.get_subplotspec().rowspan.start for ax in axes]
    cols = [ax.get_subplotspec().colspan.start for ax in axes]
    assert rows == [r for r in range(3) for _ in range(6)]
    assert cols == list(range(6)) * 3
    assert [axes[c].get_title() for c in range(6)] == \
        ["θ = 0°", "θ = 30°", "θ = 60°", "θ = 90°", "θ = 120°", "θ = 150°"]
    sigma = bank.params["sigma"]
    assert [axes[6 * r].get_ylabel() for r in range(3)] == \
        [f"f = {f:g} cycles/px\nσ = {s:.3g} px" for f, s in
         zip((0.05, 0.1, 0.2), sigma[::6])]


def test_plot_bank_nd_shows_central_plane():
    bank = gabor_bank(0.2, [(0.0, 0.0)], sigma=1.0, ndim=3)
    fig = plot_bank(bank)
    k = bank.kernels[0]
    plane = k[k.shape[0] // 2].real
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), plane / np.abs(plane).max())


def test_plot_bank_rejects_unknown_part():
    with pytest.raises(ValueError, match=r"plot_bank: part must be one of 'real', 'imag', 'abs'"):
        plot_bank(gabor_bank(0.1, 2), part="phase")


def test_frequency_responses_equal_the_dft():
    k = np.random.default_rng(0).random((5, 7))
    resp = frequency_responses([k], (16, 16))[0]
    padded = np.zeros((16, 16))
    padded[:5, :7] = k
    np.testing.assert_allclose(resp, np.fft.fftshift(np.abs(np.fft.fft2(padded))), atol=1e-12)


def test_gabor_response_peaks_at_its_frequency():
    """A Gabor kernel at (f, theta) has its spectral peak at f (cos theta, sin theta)."""
    f, theta, n = 0.25, np.pi / 6, 64
    bank = gabor_bank(f, [theta], bandwidth=0.5)
    resp = frequency_responses(bank.kernels, (n, n))[0]
    iy, ix = np.unravel_index(resp.argmax(), resp.shape)
    freqs = np.fft.fftshift(np.fft.fftfreq(n))
    # complex kernel exp(+i 2 pi f p): DFT with exp(-i...) peaks at +f along u
    assert abs(freqs[ix] - f * np.cos(theta)) <= 1 / n
    assert abs(freqs[iy] - f * np.sin(theta)) <= 1 / n


@pytest.mark.parametrize("combined,n_axes", [(True, 1), (False, 4)])
def test_plot_frequency_responses(combined, n_axes):
    bank = gabor_bank([0.1, 0.3], 2)
    fig = plot_frequency_responses(bank, shape=(32, 32), combined=combined)
    assert len(image_axes(fig)) == n_axes
    assert fig.axes[-1].get_label() == "<colorbar>"
    img = fig.axes[0].images[0].get_array()
    norm = frequency_responses(bank.kernels, (35, 35))
    norm = norm / norm.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(img, norm.sum(axis=0) if combined else norm[0])


def test_plot_frequency_responses_rejects_3d():
    with pytest.raises(ValueError, match=r"plot_frequency_responses: kernels must be 2-D"):
        plot_frequency_responses(FilterBank([np.ones((3, 3, 3))]))


def test_plot_edges_paints_edge_pixels():
    img = np.random.default_rng(1).random((10, 12))
    edges = np.zeros((10, 12), bool)
    edges[3, 2:9] = True
    fig = plot_edges(img, edges, color="blue")
    base, layer = fig.axes[0].images
    np.testing.assert_array_equal(base.get_array(), img)
    rgba = np.asarray(layer.get_array())
    np.testing.assert_array_equal(rgba[..., 3] > 0, edges)
    np.testing.assert_allclose(rgba[3, 2], [0, 0, 1, 1])


def test_plot_edges_into_given_axes_and_rejects_mismatch():
    fig, ax = plt.subplots()
    assert plot_edges(np.zeros((4, 4)), np.zeros((4, 4), bool), ax=ax) is fig
    with pytest.raises(ValueError, match=r"plot_edges: expected a 2-D image and an edge map "
                                         r"of its shape; got \(4, 4\) and \(4, 5\)"):
        plot_edges(np.zeros((4, 4)), np.zeros((4, 5), bool))


def test_bank_plot_method():
    fig = gabor_bank(0.2, 4).plot(part="imag")
    assert len(image_axes(fig)) == 4


def test_plot_bank_draws_into_a_given_figure_and_sizes_it():
    from matplotlib.figure import Figure
    fig = Figure(layout="constrained")
    assert plot_bank(gabor_bank([0.1, 0.2, 0.3], 4), figure=fig) is fig
    width, height = fig.get_size_inches()
    assert len(image_axes(fig)) == 12 and width > height
