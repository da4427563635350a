"""sigconv.filters called as scikit-image (and OpenCV) are: same names, same positional
arguments, same defaults, same results -- on scikit-image's own sample images."""

import math

import cv2
import numpy as np
import pytest
import skimage.data
import skimage.feature as skfeature
import skimage.filters as skf

from sigconv import filters

GRAY = ["camera", "coins", "moon", "text", "brick", "horse"]


@pytest.fixture(scope="module", params=GRAY)
def sample(request):
    """A scikit-image sample image as shipped (uint8, or bool for 'horse')."""
    return getattr(skimage.data, request.param)()


def edge_f1(ours, ref):
    """F1 score of the edge pixels of ``ours`` against ``ref``: 2 TP / (|ours| + |ref|),
    the harmonic mean of precision TP/|ours| and recall TP/|ref| (1 when both are empty)."""
    tp = np.count_nonzero(ours & ref)
    total = np.count_nonzero(ours) + np.count_nonzero(ref)
    return 1.0 if total == 0 else 2 * tp / total


def test_edge_f1_is_the_harmonic_mean_of_precision_and_recall():
    ref = np.zeros(10, bool); ref[:4] = True            # 4 true edges
    ours = np.zeros(10, bool); ours[2:8] = True         # 6 found, 2 of them right
    precision, recall = 2 / 6, 2 / 4
    assert edge_f1(ours, ref) == pytest.approx(2 * precision * recall / (precision + recall))


# --- canny -------------------------------------------------------------------------------

def test_canny_issue_example_on_camera():
    """The call from the issue: scikit-image's signature gives scikit-image's edges."""
    cam = skimage.data.camera() / 255
    ref = skfeature.canny(cam, 2.0, 0.05, 0.15)
    got = filters.canny(cam, 2.0, 0.05, 0.15)
    assert ref.sum() > 5000
    assert edge_f1(got, ref) >= 0.99
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("args,kwargs", [
    ((), {}),
    ((2.0,), {}),
    ((1.5, 0.05, 0.2), {}),
    ((3.0, 0.02, 0.08), {"mode": "reflect"}),
    ((2.0, None, None), {"mode": "nearest"}),
    ((1.0, 0.1, 0.3), {"mode": "constant", "cval": 0.5}),
    ((2.0, 0.7, 0.9, None, True), {}),                      # quantiles, positionally
], ids=["defaults", "sigma", "thresholds", "reflect", "nearest", "cval", "quantiles"])
def test_canny_matches_skimage_on_its_samples(sample, args, kwargs):
    """Photographs give scikit-image's edges exactly.  The binary 'horse' has exact ties
    across its outline, which each library breaks by its own last-bit rounding (sigconv
    keeps both pixels of a tie up to 64 eps, see canny's Notes): F1 0.98 there."""
    if sample.dtype == bool:
        image = sample.astype(float)
        ref = skfeature.canny(image, *args, **kwargs)
        assert edge_f1(filters.canny(image, *args, **kwargs), ref) >= 0.975
        return
    image = sample / 255
    ref = skfeature.canny(image, *args, **kwargs)
    got = filters.canny(image, *args, **kwargs)
    assert edge_f1(got, ref) >= 0.99
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("name", [n for n in GRAY if n != "horse"])
def test_canny_with_a_mask_and_on_uint8(name):
    sample = getattr(skimage.data, name)()
    mask = np.zeros(sample.shape, bool)
    mask[10:-30, 20:-10] = True
    for args in [(2.0,), (1.5, 20, 50)]:
        ref = skfeature.canny(sample, *args, mask=mask)
        got = filters.canny(sample, *args, mask=mask)
        assert edge_f1(got, ref) >= 0.99
        np.testing.assert_array_equal(got, ref)


def test_canny_sigconv_scheme_is_one_keyword_away():
    """gradient='gaussian' is the derivative-of-Gaussian Canny, thresholds per pixel: on
    a smooth image its edges lie where scikit-image's do (thresholds divided by 8)."""
    cam = skimage.data.camera() / 255
    ref = skfeature.canny(cam, 3.0, 0.02, 0.08, mode="reflect")
    got = filters.canny(cam, 3.0, 0.02 / 8, 0.08 / 8, gradient="gaussian")
    assert 0.9 <= edge_f1(got, ref) < 1.0


# --- first-derivative operators ------------------------------------------------------------

GRADIENTS = ["sobel", "prewitt", "scharr", "farid"]


def _close(got, ref):
    """Equal up to rounding: 1e-12 relative in float64, 16 eps in float32."""
    assert got.dtype == ref.dtype and got.shape == ref.shape
    tol = 1e-12 if ref.dtype == np.float64 else 16 * np.finfo(ref.dtype).eps
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * max(1.0, np.abs(ref).max()))


def test_sobel_issue_example_on_camera():
    cam = skimage.data.camera()
    ref = skf.sobel(cam)
    got = filters.sobel(cam)
    assert got.max() == pytest.approx(ref.max(), rel=1e-12) and ref.max() < 1
    _close(got, ref)


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradient_defaults_match_skimage(sample, name):
    _close(getattr(filters, name)(sample), getattr(skf, name)(sample))
    image = sample / 255.0
    _close(getattr(filters, name)(image), getattr(skf, name)(image))
    small = (sample[:64, :80] / 255.0).astype(np.float32)
    _close(getattr(filters, name)(small), getattr(skf, name)(small))


@pytest.mark.parametrize("name", GRADIENTS)
@pytest.mark.parametrize("kwargs", [dict(axis=0), dict(axis=1), dict(axis=(0, 1)),
                                    dict(mode="nearest"), dict(mode="wrap", axis=1),
                                    dict(mode="mirror")],
                         ids=["axis0", "axis1", "axes", "nearest", "wrap", "mirror"])
def test_gradient_explicit_arguments_match_skimage(name, kwargs):
    coins = skimage.data.coins()
    _close(getattr(filters, name)(coins, **kwargs), getattr(skf, name)(coins, **kwargs))


@pytest.mark.parametrize("name", GRADIENTS + ["roberts"])
def test_mask_is_scikit_images_second_positional_argument(name):
    coins = skimage.data.coins()
    mask = np.zeros(coins.shape, bool)
    mask[30:250, 40:300] = True
    ref = getattr(skf, name)(coins, mask)
    _close(getattr(filters, name)(coins, mask), ref)
    assert np.all(ref[:31] == 0) and np.any(ref[40:200, 50:250] != 0)


def test_gradient_in_3d_and_1d_follow_skimage():
    vol = np.random.default_rng(0).random((9, 10, 11))
    for name in GRADIENTS:
        _close(getattr(filters, name)(vol), getattr(skf, name)(vol))
        _close(getattr(filters, name)(vol, axis=(0, 2)), getattr(skf, name)(vol, axis=(0, 2)))
    line = np.arange(12.0) ** 2
    _close(filters.sobel(line), skf.sobel(line))             # signed, as scikit-image


def test_roberts_and_laplace_defaults_match_skimage(sample):
    _close(filters.roberts(sample), skf.roberts(sample))
    _close(filters.laplace(sample), skf.laplace(sample))
    _close(filters.laplace(sample, 5), skf.laplace(sample, 5))   # ksize: same operator


def test_signed_integers_are_rescaled_as_img_as_float():
    img = np.random.default_rng(1).integers(-128, 128, (40, 50)).astype(np.int8)
    _close(filters.sobel(img), skf.sobel(img))
    _close(filters.gaussian(img, 1.5), skf.gaussian(img, sigma=1.5))


def test_ndimage_numbers_are_one_keyword_away():
    from scipy import ndimage as ndi
    cam = skimage.data.camera().astype(float)
    np.testing.assert_allclose(filters.sobel(cam, axis=0, normalize="none"),
                               ndi.sobel(cam, axis=0), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(filters.laplace(cam, normalize="none"), ndi.laplace(cam),
                               atol=1e-9)
    u8 = skimage.data.camera()
    np.testing.assert_allclose(filters.sobel(u8, axis=1, normalize="none",
                                             preserve_range=True),
                               ndi.sobel(u8.astype(float), axis=1), atol=1e-9)


# --- gaussian and difference of Gaussians --------------------------------------------------

@pytest.mark.parametrize("args,kwargs", [
    ((), {}),
    ((2.5,), {}),
    ((1.5,), {"mode": "reflect", "truncate": 3.0}),
    (((1.0, 3.0),), {"mode": "constant", "cval": 0.4}),
    ((2.0,), {"preserve_range": True}),
    ((0.0,), {}),
], ids=["defaults", "sigma", "mode-truncate", "per-axis-cval", "preserve_range", "sigma0"])
def test_gaussian_matches_skimage(sample, args, kwargs):
    _close(filters.gaussian(sample, *args, **kwargs), skf.gaussian(sample, *args, **kwargs))


def test_gaussian_colour_out_and_float32():
    astro = skimage.data.astronaut()
    _close(filters.gaussian(astro, 2.0, channel_axis=-1),
           skf.gaussian(astro, sigma=2.0, channel_axis=-1))
    f32 = (skimage.data.camera() / 255).astype(np.float32)
    _close(filters.gaussian(f32, 1.2), skf.gaussian(f32, sigma=1.2))
    out = np.empty(f32.shape, np.float32)
    assert filters.gaussian(f32, 1.2, out=out) is out
    _close(out, skf.gaussian(f32, sigma=1.2))


@pytest.mark.parametrize("args,kwargs", [((1.0,), {}), ((1.0, 3.0), {}),
                                         ((2.0, 4.0), {"mode": "reflect"})])
def test_difference_of_gaussians_matches_skimage(sample, args, kwargs):
    _close(filters.difference_of_gaussians(sample, *args, **kwargs),
           skf.difference_of_gaussians(sample, *args, **kwargs))


# --- Gabor: scikit-image's positional signature, OpenCV's real kernel ----------------------

@pytest.mark.parametrize("args", [(0.1,), (0.2, 0.6), (0.15, 1.1, 1.5), (0.1, 0.3, 1, 3.0),
                                  (0.1, 0.3, 1, None, 6.0), (0.12, 2.0, 1, 2.0, 4.0, 2),
                                  (0.3, 0.9, 0.7, None, None, 3, 0.5)])
def test_gabor_kernel_positional_signature_is_scikit_images(args):
    ref = skf.gabor_kernel(*args)
    got = filters.gabor_kernel(*args)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)


def test_gabor_kernel_dtype_and_keywords_as_scikit_image():
    ref = skf.gabor_kernel(0.2, theta=0.4, sigma_x=2.0, offset=0.3, dtype=np.complex64)
    got = filters.gabor_kernel(0.2, theta=0.4, sigma_x=2.0, offset=0.3, dtype=np.complex64)
    assert got.dtype == np.complex64
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("ksize,sigma,theta,lambd,gamma", [
    ((21, 21), 4.0, 0.3, 10.0, 0.5), ((31, 15), 5.0, 1.0, 7.0, 1.0),
    ((9, 17), 2.5, math.pi / 2, 5.0, 2.0), ((0, 0), 3.0, 0.7, 6.0, 0.6),
])
def test_opencv_convention_defaults_give_getgaborkernel(ksize, sigma, theta, lambd, gamma):
    """cv2.getGaborKernel's own defaults (psi = pi/2) and its real kernel."""
    ref = cv2.getGaborKernel(ksize, sigma, theta, lambd, gamma)
    size = None if ksize == (0, 0) else (ksize[1], ksize[0])
    got = filters.gabor_kernel(wavelength=lambd, sigma=sigma, theta=theta, aspect_ratio=gamma,
                               size=size, convention="opencv")
    assert got.shape == ref.shape and got.dtype == ref.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


def test_gabor_sigconv_convention_is_one_keyword_away():
    k = filters.gabor_kernel(0.1, theta=math.pi / 4, convention="sigconv")
    ref = skf.gabor_kernel(0.1, theta=math.pi / 4)
    assert k.shape[0] > ref.shape[0]                  # the whole envelope's bounding box
    cut = tuple(slice((a - b) // 2, (a + b) // 2) for a, b in zip(k.shape, ref.shape))
    np.testing.assert_allclose(k[cut], ref, rtol=1e-12, atol=1e-17)
