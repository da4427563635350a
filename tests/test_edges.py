"""Edge operators and Gaussians against scipy.ndimage, scikit-image and OpenCV."""

import cv2
import numpy as np
import pytest
import skimage.filters as skf
from scipy import ndimage as ndi

from sigconv.filters import (difference_of_gaussians, edge_factors, farid, gaussian,
                             gaussian_kernel1d, gaussian_laplace, laplace, prewitt, roberts,
                             scharr, sobel)

BOUNDARIES = ["reflect", "nearest", "mirror", "wrap", "constant"]
GRADIENT_OPS = {"sobel": sobel, "prewitt": prewitt, "scharr": scharr, "farid": farid}


@pytest.fixture(scope="module", params=[(23, 31), (9, 11, 13)], ids=["2d", "3d"])
def image(request):
    return np.random.default_rng(len(request.param)).random(request.param)


# --- normalize='none' equals scipy.ndimage ---------------------------------------------------

@pytest.mark.parametrize("name,ref", [("sobel", ndi.sobel), ("prewitt", ndi.prewitt)])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_gradient_axis_equals_ndimage(image, name, ref, boundary):
    op = GRADIENT_OPS[name]
    for axis in range(image.ndim):
        np.testing.assert_allclose(op(image, axis=axis, normalize="none", boundary=boundary,
                                      cval=0.5),
                                   ref(image, axis=axis, mode=boundary, cval=0.5),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,ref", [("sobel", ndi.sobel), ("prewitt", ndi.prewitt)])
def test_gradient_magnitude_is_the_norm_of_ndimage_derivatives(image, name, ref):
    expected = np.sqrt(sum(ref(image, axis=a) ** 2 for a in range(image.ndim)))
    np.testing.assert_allclose(GRADIENT_OPS[name](image, normalize="none"), expected,
                               rtol=1e-12)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_laplace_equals_ndimage(image, boundary):
    np.testing.assert_allclose(laplace(image, normalize="none", boundary=boundary, cval=0.3),
                               ndi.laplace(image, mode=boundary, cval=0.3), atol=1e-12)


@pytest.mark.parametrize("sigma", [0.7, 1.5, (1.0, 2.0, 0.5)])
@pytest.mark.parametrize("boundary", ["reflect", "nearest", "constant"])
def test_gaussian_laplace_equals_ndimage(image, sigma, boundary):
    if np.ndim(sigma) and len(sigma) != image.ndim:
        sigma = sigma[:image.ndim]
    np.testing.assert_allclose(gaussian_laplace(image, sigma, boundary=boundary),
                               ndi.gaussian_laplace(image, sigma, mode=boundary),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sigma,order,truncate", [(1.0, 0, 4.0), (2.5, 0, 3.0), (1.2, 1, 4.0),
                                                  (0.8, 2, 4.0), (1.5, 3, 2.0)])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_gaussian_equals_ndimage(image, sigma, order, truncate, boundary):
    np.testing.assert_allclose(
        gaussian(image, sigma, order=order, truncate=truncate, boundary=boundary),
        ndi.gaussian_filter(image, sigma, order=order, truncate=truncate, mode=boundary),
        rtol=1e-10, atol=1e-12)


def test_gaussian_per_axis_order_and_radius(image):
    orders = [1] + [0] * (image.ndim - 1)
    radius = [2] * image.ndim
    np.testing.assert_allclose(gaussian(image, 1.3, order=orders, radius=radius, mode="reflect"),
                               ndi.gaussian_filter(image, 1.3, order=orders, radius=radius),
                               rtol=1e-10, atol=1e-12)


def test_gaussian_kernel1d_is_ndimage_weights():
    from scipy.ndimage import _filters
    for sigma, order, radius in [(1.0, 0, 4), (2.0, 1, 8), (0.6, 2, 3)]:
        np.testing.assert_allclose(gaussian_kernel1d(sigma, order=order, radius=radius),
                                   _filters._gaussian_kernel1d(sigma, order, radius)[::-1],
                                   rtol=1e-14, atol=1e-16)


# --- normalize='skimage' equals scikit-image -------------------------------------------------

@pytest.mark.parametrize("name", ["sobel", "prewitt", "scharr", "farid"])
@pytest.mark.parametrize("boundary", ["reflect", "nearest", "constant"])
def test_gradient_equals_skimage(image, name, boundary):
    op, ref = GRADIENT_OPS[name], getattr(skf, name)
    np.testing.assert_allclose(op(image, normalize="skimage", boundary=boundary),
                               ref(image, mode=boundary), rtol=1e-12, atol=1e-14)
    for axis in range(image.ndim):
        np.testing.assert_allclose(op(image, axis=axis, normalize="skimage", boundary=boundary),
                                   ref(image, axis=axis, mode=boundary), rtol=1e-12, atol=1e-14)


def test_roberts_equals_skimage():
    img = np.random.default_rng(5).random((17, 21))
    np.testing.assert_allclose(roberts(img, normalize="skimage"), skf.roberts(img), atol=1e-14)
    np.testing.assert_allclose(roberts(img, axis=0), skf.roberts_pos_diag(img), atol=1e-14)
    np.testing.assert_allclose(roberts(img, axis=1), skf.roberts_neg_diag(img), atol=1e-14)
    np.testing.assert_allclose(roberts(img, normalize="none"), np.hypot(skf.roberts_pos_diag(img),
                                                      skf.roberts_neg_diag(img)), atol=1e-14)


def test_laplace_skimage_sign(image):
    np.testing.assert_allclose(laplace(image, normalize="skimage"), skf.laplace(image),
                               atol=1e-12)
    np.testing.assert_allclose(laplace(image, normalize="skimage"), -ndi.laplace(image),
                               atol=1e-12)


@pytest.mark.parametrize("low,high", [(1.0, None), (0.8, 2.5), ((1.0, 2.0, 0.7), (2.0, 3.0, 1.5))])
def test_difference_of_gaussians_equals_skimage(image, low, high):
    if np.ndim(low):
        low, high = low[:image.ndim], high[:image.ndim]
    np.testing.assert_allclose(difference_of_gaussians(image, low, high, boundary="nearest"),
                               skf.difference_of_gaussians(image, low, high, mode="nearest"),
                               rtol=1e-10, atol=1e-12)


def test_gaussian_equals_skimage(image):
    np.testing.assert_allclose(gaussian(image, 1.7, boundary="nearest"),
                               skf.gaussian(image, sigma=1.7, mode="nearest"), rtol=1e-10)


# --- normalize='none' equals OpenCV ----------------------------------------------------------

@pytest.fixture(scope="module")
def image2d():
    return np.random.default_rng(11).random((40, 53))


@pytest.mark.parametrize("boundary,border", [("reflect", cv2.BORDER_REFLECT),
                                             ("mirror", cv2.BORDER_REFLECT_101),
                                             ("nearest", cv2.BORDER_REPLICATE)])
def test_sobel_scharr_laplace_equal_opencv(image2d, boundary, border):
    # OpenCV's dx is the derivative along x = axis 1, dy along axis 0.
    for axis, (dx, dy) in ((1, (1, 0)), (0, (0, 1))):
        np.testing.assert_allclose(
            sobel(image2d, axis=axis, normalize="none", boundary=boundary),
            cv2.Sobel(image2d, cv2.CV_64F, dx, dy, ksize=3, borderType=border), atol=1e-12)
        np.testing.assert_allclose(
            scharr(image2d, axis=axis, normalize="none", boundary=boundary),
            cv2.Scharr(image2d, cv2.CV_64F, dx, dy, borderType=border), atol=1e-12)
    np.testing.assert_allclose(laplace(image2d, normalize="none", boundary=boundary),
                               cv2.Laplacian(image2d, cv2.CV_64F, ksize=1, borderType=border),
                               atol=1e-12)


def test_gaussian_equals_opencv(image2d):
    sigma, radius = 1.5, 6
    ref = cv2.GaussianBlur(image2d, (2 * radius + 1, 2 * radius + 1), sigma,
                           borderType=cv2.BORDER_REFLECT)
    np.testing.assert_allclose(gaussian(image2d, sigma, radius=radius, boundary="reflect"), ref,
                               atol=1e-12)


# --- normalize='unit': the derivative per pixel ----------------------------------------------

@pytest.mark.parametrize("name", ["sobel", "prewitt", "scharr", "farid"])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_unit_normalization_gives_the_derivative(name, ndim):
    shape = (11,) * ndim
    grids = np.meshgrid(*[np.arange(n, dtype=float) for n in shape], indexing="ij")
    coeffs = [0.5, -2.0, 3.0][:ndim]
    plane = sum(c * g for c, g in zip(coeffs, grids))
    inner = (slice(3, -3),) * ndim
    op = GRADIENT_OPS[name]
    for axis, c in enumerate(coeffs):
        np.testing.assert_allclose(op(plane, axis=axis, normalize="unit")[inner], c,
                                   rtol=1e-12)
    np.testing.assert_allclose(op(plane, normalize="unit")[inner], np.linalg.norm(coeffs),
                               rtol=1e-12)


def test_unit_laplace_and_log_are_per_pixel_squared():
    x = np.arange(21.0)
    quad = np.add.outer(x ** 2, 3 * x ** 2)          # Laplacian 2 + 6 = 8
    inner = (slice(9, -9), slice(9, -9))
    np.testing.assert_allclose(laplace(quad, normalize="unit")[inner], 8.0)
    np.testing.assert_allclose(gaussian_laplace(quad, 1.0, truncate=8.0)[inner], 8.0, rtol=1e-3)


@pytest.mark.parametrize("name,scale", [("sobel", 8.0), ("prewitt", 6.0), ("scharr", 32.0)])
def test_library_scales_on_a_unit_ramp(name, scale):
    ramp = np.tile(np.arange(9.0), (9, 1))
    op = GRADIENT_OPS[name]
    np.testing.assert_allclose(op(ramp, axis=1, normalize="none")[4, 3:6], scale)
    np.testing.assert_allclose(op(ramp, axis=1, normalize="skimage")[4, 3:6], 2.0)
    np.testing.assert_allclose(op(ramp, axis=1, normalize="unit")[4, 3:6], 1.0)


def test_edge_factors_outer_product_is_the_kernel():
    s, d = edge_factors("sobel")
    np.testing.assert_array_equal(np.outer(d, s), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])


# --- dtypes, channels, validation ------------------------------------------------------------

def test_float32_stays_float32_and_integers_give_float64(image2d):
    assert sobel(image2d.astype(np.float32)).dtype == np.float32
    u8 = (image2d * 255).astype(np.uint8)
    out = sobel(u8, axis=0, normalize="none", preserve_range=True)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, ndi.sobel(u8.astype(float), axis=0))
    np.testing.assert_allclose(sobel(u8), skf.sobel(u8), rtol=1e-12, atol=1e-15)


def test_input_is_not_written(image2d):
    before = image2d.copy()
    sobel(image2d); gaussian(image2d, 2.0); laplace(image2d)
    np.testing.assert_array_equal(image2d, before)


@pytest.mark.parametrize("op", [sobel, prewitt, scharr, farid, laplace, roberts, gaussian,
                                gaussian_laplace,
                                lambda x, **kw: difference_of_gaussians(x, 1.0, **kw)])
def test_channel_axis_filters_each_channel(op):
    rgb = np.random.default_rng(4).random((12, 14, 3))
    out = op(rgb, channel_axis=-1)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], op(rgb[..., c]))


def test_roberts_rejects_colour_image():
    with pytest.raises(ValueError, match=r"roberts: expected 2-D grayscale, got shape "
                                         r"\(12, 14, 3\).*channel_axis=-1"):
        roberts(np.zeros((12, 14, 3)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda x: gaussian(x, -1.5), ValueError, r"gaussian: sigma must be >= 0; got -1.5"),
    (lambda x: gaussian(x, 0, order=1), ValueError,
     r"gaussian: a derivative \(order > 0\) needs sigma > 0 on its axis"),
    (lambda x: gaussian(x, (1, 2, 3)), ValueError,
     r"gaussian: sigma needs one value per axis \(2\)"),
    (lambda x: gaussian_laplace(x, 0), ValueError, r"gaussian_laplace: sigma must be > 0; got 0"),
    (lambda x: difference_of_gaussians(x, 2, 1), ValueError, r"high_sigma must be >= low_sigma"),
    (lambda x: difference_of_gaussians(x, 0), ValueError, r"low_sigma must be > 0; got 0"),
    (lambda x: sobel(x, normalize="opencv"), ValueError,
     r"sobel: normalize must be one of 'none', 'skimage', 'unit'; got 'opencv'"),
    (lambda x: sobel(x, axis=2), ValueError, r"sobel: axis 2 is out of range for a 2-D image"),
    (lambda x: sobel(x, boundary="edgy"), ValueError, r"sobel: boundary must be one of"),
    (lambda x: sobel(x.astype(complex)), TypeError,
     r"sobel: image must be real; got dtype complex128"),
    (lambda x: sobel(x.astype(object)), TypeError, r"sobel: unsupported dtype object"),
    (lambda x: sobel(np.zeros((0, 3))), ValueError, r"sobel: expected a non-empty image"),
])
def test_rejects(image2d, call, exc, match):
    with pytest.raises(exc, match=match):
        call(image2d)
