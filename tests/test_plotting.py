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


@pytest.mark.parametrize("part,func", [("real", np.real), ("imag", np.imag), ("abs", np.abs)])
def test_plot_bank_shows_each_kernel(part, func):
    bank = gabor_bank([0.1, 0.25], 3)
    fig = plot_bank(bank, part=part, ncols=3)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 6
    for ax, k in zip(axes, bank.kernels):
        np.testing.assert_allclose(ax.images[0].get_array(), func(k))
    assert axes[1].get_title() == "f=0.1, θ=1.05"


def test_plot_bank_nd_shows_central_plane():
    bank = gabor_bank(0.2, [(0.0, 0.0)], sigma=1.0, ndim=3)
    fig = plot_bank(bank)
    k = bank.kernels[0]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), k[k.shape[0] // 2].real)


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
    assert len([ax for ax in fig.axes if ax.get_visible()]) == n_axes
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
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 4
