"""docs/migration.rst, row by row: both sides run (MATLAB rows against the outputs printed
in MathWorks' documentation), and the page's example runs."""

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import scipy.signal as ss
import skimage.filters as skf
from scipy import ndimage as ndi

import sigconv
from sigconv import filters

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(27)
X = RNG.random((10, 12))


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- scipy.signal ------------------------------------------------------------------------

def test_scipy_signal_rows():
    x, k = RNG.random(30), RNG.random(6)
    for mode in ("full", "same", "valid"):
        close(sigconv.convolve(x, k, mode), ss.convolve(x, k, mode))
        close(sigconv.correlate(x, k + 1j, mode), ss.correlate(x, k + 1j, mode))
    a = np.array([100, 100], np.int8)
    np.testing.assert_array_equal(ss.convolve(a, a), np.array([16, 32, 16], np.int8))
    assert list(sigconv.convolve(a, a)) == [10000, 20000, 10000]       # never wraps
    k2 = RNG.random((3, 4))
    close(ss.convolve2d(X, k2, "same", boundary="symm"),
          sigconv.convolve(X, k2, "same", boundary="reflect"))
    close(ss.convolve2d(X, k2, "same", boundary="wrap"),
          sigconv.convolve(X, k2, "same", boundary="wrap"))
    close(ss.convolve2d(X, k2, "same", boundary="fill", fillvalue=2.0),
          sigconv.convolve(X, k2, "same", boundary="constant", fillvalue=2.0))
    report = sigconv.choose_method(np.ones((6, 7)), np.ones((3, 4)))
    assert report.method in ("direct", "fft", "oa", "os")
    assert ss.choose_conv_method(np.ones((6, 7)), np.ones((3, 4))) == "direct"


# --- scipy.ndimage -----------------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("origin", [-1, 0, 1])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant",
                                  "grid-mirror", "grid-wrap", "grid-constant"])
def test_ndimage_origin_is_center_k_half_plus_origin(n, origin, mode):
    k = RNG.random(n)
    x = RNG.random(11)
    close(sigconv.correlate(x, k, "same", boundary=mode, fillvalue=0.5, center=n // 2 + origin),
          ndi.correlate1d(x, k, mode=mode, cval=0.5, origin=origin))
    close(sigconv.convolve(x, k, "same", boundary=mode, fillvalue=0.5, center=n // 2 + origin),
          ndi.convolve1d(x, k, mode=mode, cval=0.5, origin=origin))


def test_ndimage_filter_rows():
    for s in (3, 4):
        close(sigconv.correlate(X, np.ones((s, s)) / s ** 2, "same", boundary="reflect",
                                center="ndimage"), ndi.uniform_filter(X, s))
    assert np.abs(sigconv.convolve(X, np.ones((4, 4)) / 16, "same", boundary="reflect",
                                   center="ndimage") - ndi.uniform_filter(X, 4)).max() > 0.01
    close(filters.gaussian(X, 1.5, order=(0, 1), mode="reflect", truncate=3.0,
                           preserve_range=True),
          ndi.gaussian_filter(X, 1.5, order=(0, 1), mode="reflect", truncate=3.0))
    for a in (0, 1):
        close(filters.sobel(X, axis=a, normalize="none", preserve_range=True), ndi.sobel(X, a))
        close(filters.prewitt(X, axis=a, normalize="none", preserve_range=True),
              ndi.prewitt(X, a))
    close(filters.laplace(X, normalize="none"), ndi.laplace(X))
    close(filters.gaussian_laplace(X, 1.2), ndi.gaussian_laplace(X, 1.2))
    step = np.array([[0, 0, 255, 255]] * 3, np.uint8)
    assert ndi.sobel(step, 1)[0, 1] == 252                                 # wrapped
    assert filters.sobel(step, axis=1, normalize="none", preserve_range=True)[0, 1] == 1020


# --- scikit-image ------------------------------------------------------------------------

def test_skimage_gabor_row():
    re_, im_ = skf.gabor(X, 0.2, theta=0.4)
    g = sigconv.convolve(X, filters.gabor_kernel(0.2, 0.4), "same", boundary="reflect",
                         center="ndimage")
    close(g.real, re_)
    close(g.imag, im_)


def test_skimage_constant_cval_is_the_one_documented_difference():
    ours = filters.sobel(X, mode="constant", cval=0.7)
    ref = skf.sobel(X, mode="constant", cval=0.7)
    close(ours[2:-2, 2:-2], ref[2:-2, 2:-2])
    assert np.abs(ours - ref).max() > 1e-3           # the border pixels differ
    close(filters.sobel(X, mode="constant"), skf.sobel(X, mode="constant"))   # cval 0


# --- OpenCV ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (4, 4), (2, 3), (5, 2)])
@pytest.mark.parametrize("border,boundary", [(cv2.BORDER_DEFAULT, "mirror"),
                                             (cv2.BORDER_CONSTANT, "constant"),
                                             (cv2.BORDER_REFLECT, "reflect"),
                                             (cv2.BORDER_REPLICATE, "nearest")])
def test_opencv_filter2d_row(shape, border, boundary):
    k = RNG.random(shape)
    close(sigconv.correlate(X, k, "same", boundary=boundary, center="ndimage"),
          cv2.filter2D(X, -1, k, borderType=border))


def test_opencv_other_rows():
    with pytest.raises(cv2.error):
        cv2.filter2D(X, -1, np.ones((3, 3)), borderType=cv2.BORDER_WRAP)
    u8 = (RNG.random((6, 7)) * 255).astype(np.uint8)
    d = np.array([[-1.0, 0.0, 1.0]])
    saturated = cv2.filter2D(u8, -1, d)
    exact = sigconv.correlate(u8.astype(np.int64), d.astype(np.int64), "same",
                              boundary="mirror", center="ndimage")
    assert saturated.dtype == np.uint8 and exact.min() < 0
    np.testing.assert_array_equal(saturated, np.clip(exact, 0, 255))
    for dx, dy, axis in ((1, 0, 1), (0, 1, 0)):
        close(filters.sobel(X, axis=axis, normalize="none", boundary="mirror",
                            preserve_range=True), cv2.Sobel(X, cv2.CV_64F, dx, dy, ksize=3))
        close(filters.scharr(X, axis=axis, normalize="none", boundary="mirror"),
              cv2.Scharr(X, cv2.CV_64F, dx, dy))
    close(filters.laplace(X, normalize="none", boundary="mirror"),
          cv2.Laplacian(X, cv2.CV_64F))
    for s in (1.0, 1.3, 2.0):
        close(filters.gaussian(X, s, radius=round(4 * s), boundary="mirror",
                               preserve_range=True), cv2.GaussianBlur(X, (0, 0), s))
    close(filters.gabor_kernel(wavelength=6.0, sigma=3.0, theta=0.5, aspect_ratio=0.6,
                               size=(15, 21), convention="opencv"),
          cv2.getGaborKernel((21, 15), 3.0, 0.5, 6.0, 0.6))


# --- MATLAB (outputs printed in MathWorks' documentation) -------------------------------

def test_matlab_rows():
    u, v = np.array([-1, 2, 3, -2, 0, 1, 2]), np.array([2, 4, -1, 1])
    np.testing.assert_array_equal(sigconv.convolve(u, v, "same", center="ndimage"),
                                  [15, 5, -9, 7, 6, 7, -1])
    np.testing.assert_array_equal(sigconv.convolve(u, v, "same"), [0, 15, 5, -9, 7, 6, 7])
    np.testing.assert_array_equal(sigconv.convolve([1, 2, 1, 3], [2, 0, 1]),
                                  [2, 4, 3, 8, 1, 3])
    np.testing.assert_array_equal(
        sigconv.convolve([1, 2, 1, 3, 1], [2, 0, 1, 0], "same", center="ndimage"),
        [3, 8, 3, 3, 1])
    magic = np.array([[17, 24, 1, 8, 15], [23, 5, 7, 14, 16], [4, 6, 13, 20, 22],
                      [10, 12, 19, 21, 3], [11, 18, 25, 2, 9]])
    h = np.array([[-1, 0, 1]])
    np.testing.assert_array_equal(sigconv.correlate(magic, h, "same"),
                                  [[24, -16, -16, 14, -8], [5, -16, 9, 9, -14],
                                   [6, 9, 14, 9, -20], [12, 9, 9, -16, -21],
                                   [18, 14, -16, -16, -2]])
    np.testing.assert_array_equal(sigconv.convolve(magic, h, "same"),
                                  -sigconv.correlate(magic, h, "same"))
    hh = RNG.random((3, 4))        # filter2(h, X) = conv2(X, rot90(h, 2), 'same')
    close(sigconv.convolve(X, np.flip(hh), "same", center="ndimage"),
          sigconv.correlate(X, hh, "same", center=(1, 1)))
    for alias, name in (("replicate", "nearest"), ("symmetric", "reflect"),
                        ("circular", "wrap")):
        close(sigconv.correlate(X, hh, "same", boundary=alias),
              sigconv.correlate(X, hh, "same", boundary=name))


# --- the page's example ------------------------------------------------------------------

def test_migration_page_example_runs():
    text = (ROOT / "docs" / "migration.rst").read_text(encoding="utf-8")
    block = text.split(".. code-block:: python", 1)[1]
    code = "\n".join(line[3:] for line in block.splitlines()[1:]
                     if line.startswith("   ") or not line.strip())
    namespace = {}
    exec(compile(code, "migration.rst", "exec"), namespace)   # noqa: S102 (our own docs)
    assert namespace["accuracy"] >= 0.85
    assert len(namespace["history"]["val_loss"]) == 4


def test_migration_page_is_in_the_toctree():
    guide = (ROOT / "docs" / "guide.rst").read_text(encoding="utf-8")   # the user guide's
    assert re.search(r"^\s+migration$", guide, re.M)
