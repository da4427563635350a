"""N-D Canny against scikit-image, and on synthetic shapes with known edges."""

import itertools

import matplotlib.cbook as cbook
import matplotlib.image as mpimg
import numpy as np
import pytest
import skimage.feature as skfeature
from scipy import ndimage as ndi

import sigconv

from sigconv.filters import canny


@pytest.fixture(scope="module")
def photo():
    """A 256x256 grey crop of matplotlib's sample photograph, in [0, 1]."""
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    rgb = mpimg.imread(path)
    return (rgb[40:296, 128:384].astype(float) @ [0.2125, 0.7154, 0.0721]) / 255


def _dice(a, b):
    return 2 * np.count_nonzero(a & b) / (np.count_nonzero(a) + np.count_nonzero(b))


@pytest.mark.parametrize("sigma,low,high", [(1.0, 0.1, 0.2), (2.0, 0.05, 0.15),
                                            (3.0, 0.02, 0.08), (1.5, None, None)])
@pytest.mark.parametrize("boundary", ["reflect", "nearest"])
def test_sobel_gradient_reproduces_skimage(photo, sigma, low, high, boundary):
    ref = skfeature.canny(photo, sigma, low, high, mode=boundary)
    got = canny(photo, sigma, low, high, gradient="sobel", boundary=boundary)
    assert ref.sum() > 500
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("sigma,low,high", [(1.0, 0.1, 0.2), (1.5, None, None)])
@pytest.mark.parametrize("boundary", ["mirror", "wrap", "constant"])
def test_sobel_gradient_follows_skimage_at_every_boundary(photo, sigma, low, high, boundary):
    """scikit-image smooths with ``mode`` (normalizing by the smoothed ones for
    'constant') and always applies its Sobel with ndimage's default 'reflect'."""
    ref = skfeature.canny(photo, sigma, low, high, mode=boundary, cval=0.25)
    got = canny(photo, sigma, low, high, mode=boundary, cval=0.25)
    np.testing.assert_array_equal(got, ref)


def test_sobel_gradient_reproduces_skimage_with_mask_and_quantiles(photo):
    mask = np.zeros(photo.shape, dtype=bool)
    mask[20:200, 30:240] = True
    ref = skfeature.canny(photo, 2.0, mask=mask, mode="reflect")
    np.testing.assert_array_equal(canny(photo, 2.0, mask=mask, boundary="reflect"), ref)
    np.testing.assert_array_equal(canny(photo, 2.0, None, None, mask),
                                  skfeature.canny(photo, 2.0, None, None, mask))
    ref = skfeature.canny(photo, 1.5, 0.8, 0.9, use_quantiles=True, mode="reflect")
    got = canny(photo, 1.5, 0.8, 0.9, use_quantiles=True, mode="reflect")
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(canny(photo, 1.5, 0.8, 0.9, None, True),
                                  skfeature.canny(photo, 1.5, 0.8, 0.9, None, True))


def test_integer_image_thresholds_in_dtype_units(photo):
    """scikit-image rescales uint8 to [0, 1]; sigconv keeps values and scales thresholds."""
    u8 = np.round(photo * 255).astype(np.uint8)
    np.testing.assert_array_equal(canny(u8, 2.0), skfeature.canny(u8, 2.0))
    np.testing.assert_array_equal(canny(u8, 2.0, 10, 30, mode="reflect"),
                                  skfeature.canny(u8, 2.0, 10, 30, mode="reflect"))


@pytest.mark.parametrize("sigma,low,high,min_dice", [(2.0, 0.05, 0.15, 0.93),
                                                     (3.0, 0.02, 0.08, 0.95),
                                                     (1.0, 0.1, 0.2, 0.78)])
def test_gaussian_gradient_agrees_with_skimage(photo, sigma, low, high, min_dice):
    """Derivative-of-Gaussian vs Gaussian-then-Sobel: the Sobel adds smoothing
    (about [1, 2, 1]/4 across and a 3-tap difference along), so at sigma = 1 sigconv
    finds more fine edges; disagreeing pixels sit next to a scikit-image edge."""
    ref = skfeature.canny(photo, sigma, low, high, mode="reflect")
    got = canny(photo, sigma, low / 8, high / 8, gradient="gaussian")   # per pixel
    assert _dice(got, ref) >= min_dice
    near = ndi.binary_dilation(ref, np.ones((3, 3), bool))
    only_ours = got & ~ref
    assert np.count_nonzero(only_ours & near) >= 0.5 * np.count_nonzero(only_ours)


def _cube_volume(n=32, lo=9, hi=23):
    vol = np.zeros((n, n, n))
    vol[lo:hi, lo:hi, lo:hi] = 1.0
    return vol


@pytest.mark.parametrize("gradient", ["sobel", "gaussian"])
def test_3d_canny_finds_the_faces_of_a_cube(gradient):
    lo, hi = 9, 23
    edges = canny(_cube_volume(lo=lo, hi=hi), 1.0, gradient=gradient)
    # every edge voxel lies on (or next to) one of the six faces ...
    idx = np.argwhere(edges)
    dist_to_face = np.min(np.abs(np.concatenate([idx - (lo - 0.5), idx - (hi - 0.5)], axis=1)),
                          axis=1)
    assert np.all(dist_to_face <= 0.5)
    # ... and each face is covered away from the cube's edges and corners
    inner = slice(lo + 2, hi - 2)
    for axis in range(3):
        for face in ((lo - 1, lo), (hi - 1, hi)):
            sl = [inner] * 3
            layers = []
            for p in face:
                sl[axis] = p
                layers.append(edges[tuple(sl)])
            covered = np.logical_or(*layers)
            assert covered.all(), (axis, face)


@pytest.mark.parametrize("gradient", ["sobel", "gaussian"])
def test_3d_canny_on_a_sphere_finds_a_thin_shell(gradient):
    n, r = 40, 12.0
    z, y, x = np.mgrid[:n, :n, :n] - (n - 1) / 2
    rad = np.sqrt(x * x + y * y + z * z)
    edges = canny((rad < r).astype(float), 1.5, gradient=gradient)
    d = rad[edges]
    assert np.abs(d - r).max() <= 1.0
    # a thin shell: about one voxel per unit of surface
    assert 0.7 * 4 * np.pi * r * r <= edges.sum() <= 1.5 * 4 * np.pi * r * r


@pytest.mark.parametrize("gradient", ["sobel", "gaussian"])
def test_2d_disk_edge_on_the_circle(gradient):
    n, r = 64, 20.0
    y, x = np.mgrid[:n, :n] - (n - 1) / 2
    rad = np.hypot(x, y)
    edges = canny((rad < r).astype(float), 2.0, gradient=gradient)
    assert np.abs(rad[edges] - r).max() <= 1.0
    angles = np.arctan2(y[edges], x[edges])
    assert np.histogram(angles, bins=16, range=(-np.pi, np.pi))[0].min() > 0   # closed


@pytest.mark.parametrize("gradient", ["sobel", "gaussian"])
def test_1d_step(gradient):
    x = np.r_[np.zeros(10), 0.5, np.ones(10)]
    np.testing.assert_array_equal(np.flatnonzero(canny(x, 1.0, gradient=gradient)), [10])


def test_rotated_canny_matches_transposed_image(photo):
    a = canny(photo, 2.0)
    np.testing.assert_array_equal(canny(photo.T, 2.0), a.T)


def test_hysteresis_keeps_weak_segments_connected_to_strong_ones():
    img = np.zeros((20, 30))
    img[:, 15:] = np.linspace(0.2, 1.0, 20)[:, None]      # edge contrast grows down
    weak_only = canny(img, 1.0, 0.05, 2.0, gradient="gaussian")   # high above everything
    assert not weak_only.any()
    edges = canny(img, 1.0, 0.02, 0.1, gradient="gaussian")
    column = edges[1:-1, 14] | edges[1:-1, 15]
    assert column.all()                                    # the weak top is kept


def test_channel_axis_gives_edges_per_channel(photo):
    rgb = np.stack([photo, photo.T, photo[::-1]], axis=-1)
    out = canny(rgb, 2.0, channel_axis=-1)
    assert out.shape == rgb.shape
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], canny(rgb[..., c], 2.0))


def test_float32_and_dtype_of_result(photo):
    out = canny(photo.astype(np.float32), 2.0)
    assert out.dtype == bool
    assert _dice(out, canny(photo, 2.0)) > 0.99


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(sigma=0), ValueError, r"canny: sigma must be > 0; got 0"),
    (dict(sigma=-2.0), ValueError, r"canny: sigma must be > 0; got -2"),
    (dict(low_threshold=0.3, high_threshold=0.1), ValueError,
     r"canny: low_threshold must be <= high_threshold; got 0.3 > 0.1"),
    (dict(low_threshold=1.5, use_quantiles=True), ValueError,
     r"canny: low_threshold must be a quantile in \[0, 1\]; got 1.5"),
    (dict(gradient="prewitt"), ValueError, r"canny: gradient must be one of 'sobel', 'gaussian'; got 'prewitt'"),
    (dict(mask=np.ones((3, 3), bool)), ValueError, r"canny: mask must have the image's shape"),
])
def test_rejects(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        canny(np.zeros((16, 16)), **kwargs)


@pytest.mark.parametrize("methods", list(itertools.product(["direct", "fft", "oa"], repeat=3)))
def test_edges_do_not_depend_on_the_method_of_each_pass(methods, monkeypatch):
    """A cube's 3-D Canny edges are the same whichever method computes each filter pass
    (rounding differences of 1e-16 between methods once cost a face a voxel): ties up to
    rounding count as ties in the non-maximum suppression."""
    from sigconv.filters import _common
    vol = np.zeros((24, 24, 24))
    vol[6:18, 6:18, 6:18] = 1.0
    want = canny(vol, 1.0)
    real, calls = _common.correlate, itertools.count()
    monkeypatch.setattr(_common, "correlate", lambda *a, **kw: real(
        *a, **{**kw, "method": methods[next(calls) % len(methods)]}))
    got = canny(vol, 1.0)
    assert next(calls) > 3
    np.testing.assert_array_equal(got, want)
    inner = slice(8, 16)
    for axis in range(3):           # each face is found on one of its two voxel planes
        for a, b in ((5, 6), (17, 18)):
            sl_a, sl_b = [inner] * 3, [inner] * 3
            sl_a[axis], sl_b[axis] = a, b
            assert np.all(got[tuple(sl_a)] | got[tuple(sl_b)])
