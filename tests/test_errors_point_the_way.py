"""Errors point the way: a value given to the wrong parameter is named as such, near
misses get their closest value, lists of values include the aliases, and the keyword
names scipy.ndimage and scikit-image use are accepted by the filters."""

import numpy as np
import pytest
import skimage.feature as skfeature
import skimage.filters as skf
from scipy import ndimage as ndi

import sigconv
from sigconv import _validate as V
from sigconv import filters

X = np.arange(12.0).reshape(3, 4)
K = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("func", [sigconv.convolve, sigconv.correlate])
@pytest.mark.parametrize("kwargs,message", [
    (dict(mode="reflect"), "mode must be one of 'full', 'same', 'valid'; got 'reflect' "
                           "('reflect' is a boundary: did you mean boundary='reflect'?)"),
    (dict(mode="fft"), "mode must be one of 'full', 'same', 'valid'; got 'fft' "
                       "('fft' is a method: did you mean method='fft'?)"),
    (dict(mode="symm"), "got 'symm' ('symm' is a boundary: did you mean boundary='symm'?)"),
    (dict(method="same"), "method must be one of 'auto', 'direct', 'fft', 'oa', 'os'; got "
                          "'same' ('same' is a mode: did you mean mode='same'?)"),
    (dict(method="wrap"), "got 'wrap' ('wrap' is a boundary: did you mean boundary='wrap'?)"),
    (dict(boundary="valid"), "got 'valid' ('valid' is a mode: did you mean mode='valid'?)"),
    (dict(center="reflect"), "center must be one of 'scipy', 'ndimage'; got 'reflect' "
                             "('reflect' is a boundary: did you mean boundary='reflect'?)"),
    (dict(nan_policy="direct"), "got 'direct' ('direct' is a method: did you mean "
                                "method='direct'?)"),
    (dict(mode="smae"), "got 'smae' (did you mean 'same'?)"),
    (dict(mode="Valid"), "got 'Valid' (did you mean 'valid'?)"),
    (dict(boundary="reflct"), "got 'reflct' (did you mean 'reflect'?)"),
])
def test_a_value_of_another_parameter_is_named(func, kwargs, message):
    with pytest.raises(ValueError) as info:
        func(X, K, **kwargs)
    assert str(info.value).startswith(f"{func.__name__}: ")
    assert message in str(info.value)


def test_positional_confusions_of_convolve_are_named():
    with pytest.raises(ValueError, match=r"convolve: mode must be one of .*; got 'reflect' "
                                         r"\('reflect' is a boundary: did you mean "
                                         r"boundary='reflect'\?\)"):
        sigconv.convolve(X, K, "reflect")
    with pytest.raises(ValueError, match=r"convolve: method must be one of .*; got 'nearest' "
                                         r"\('nearest' is a boundary"):
        sigconv.convolve(X, K, "same", "nearest")


def test_boundary_list_names_every_accepted_alias_and_each_is_accepted():
    with pytest.raises(ValueError) as info:
        sigconv.convolve(X, K, "same", boundary="bogus")
    text = str(info.value)
    assert text.startswith("convolve: boundary must be one of 'constant', 'reflect', "
                           "'mirror', 'nearest', 'wrap' (aliases: ")
    assert text.endswith("; got 'bogus'")
    for alias, target in V.BOUNDARY_ALIASES.items():
        assert f"{alias!r}" in text
        np.testing.assert_array_equal(
            sigconv.convolve(X, K, "same", boundary=alias, center="ndimage"),
            sigconv.convolve(X, K, "same", boundary=target, center="ndimage"))


@pytest.mark.parametrize("alias,mode", [("grid-mirror", "grid-mirror"),
                                        ("grid-wrap", "grid-wrap"),
                                        ("grid-constant", "grid-constant")])
def test_ndimage_grid_names_give_ndimage_results(alias, mode):
    img = np.random.default_rng(0).random((7, 9))
    k = np.random.default_rng(1).random((3, 4))
    np.testing.assert_allclose(
        sigconv.correlate(img, k, "same", boundary=alias, center="ndimage"),
        ndi.correlate(img, k, mode=mode), rtol=1e-12)


@pytest.mark.parametrize("call,match", [
    (lambda: sigconv.convolve2d(X, K, mode="symm"),
     r"mode must be one of .*; got 'symm' \('symm' is a boundary: did you mean "
     r"boundary='symm'\?\)"),
    (lambda: sigconv.fftconvolve(X, K, mode="wrap"),
     r"mode must be one of .*got 'wrap' \('wrap' is a boundary"),
    (lambda: sigconv.properties.check_commutative(X, K, mode="fft"),
     r"check_commutative: mode must be one of .*got 'fft' \('fft' is a method: did you "
     r"mean method='fft'\?\)"),
    (lambda: sigconv.matrices.convolution_matrix([1, 2], 5, mode="reflect"),
     r"convolution_matrix: mode must be one of .*got 'reflect' \('reflect' is a boundary: "
     r"did you mean boundary='reflect'\?\)"),
])
def test_every_entry_point_points_the_way(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_no_hint_names_a_parameter_the_function_does_not_have():
    with pytest.raises(ValueError) as info:
        sigconv.matrices.convolution_matrix([1, 2], 5, mode="fft")   # no method= there
    assert str(info.value) == ("convolution_matrix: mode must be one of 'full', 'same', "
                               "'valid'; got 'fft'")
    with pytest.raises(ValueError) as info:
        sigconv.properties.check_commutative(X, K, mode="reflect")   # no boundary= there
    assert "did you mean" not in str(info.value)


# --- the filters accept scipy.ndimage's and scikit-image's keyword names ------------------

IMG = np.random.default_rng(2).random((24, 31))


def test_gaussian_takes_mode_as_scikit_image():
    """The issue's call: an unexpected-keyword TypeError before."""
    got = filters.gaussian(IMG, 2, mode="nearest")
    np.testing.assert_allclose(got, skf.gaussian(IMG, 2, mode="nearest"), rtol=1e-12)
    np.testing.assert_array_equal(got, filters.gaussian(IMG, 2, boundary="nearest"))
    np.testing.assert_allclose(filters.gaussian(IMG, 2, mode="constant", cval=0.5,
                                                preserve_range=True),
                               ndi.gaussian_filter(IMG, 2, mode="constant", cval=0.5),
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["sobel", "prewitt", "scharr", "farid", "roberts", "laplace"])
def test_edge_filters_take_mode_and_cval(name):
    got = getattr(filters, name)(IMG, mode="constant", cval=0.5)
    assert np.array_equal(got, getattr(filters, name)(IMG, boundary="constant", cval=0.5))
    if name in ("sobel", "prewitt", "scharr", "farid"):
        np.testing.assert_allclose(getattr(filters, name)(IMG, mode="wrap"),
                                   getattr(skf, name)(IMG, mode="wrap"), rtol=1e-12)


def test_canny_takes_mode_and_cval_as_scikit_image():
    img = IMG.repeat(4, 0).repeat(4, 1)
    np.testing.assert_array_equal(filters.canny(img, 2.0, mode="nearest"),
                                  skfeature.canny(img, 2.0, mode="nearest"))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: filters.gaussian(IMG, 2, mode="nearest", boundary="reflect"), TypeError,
     r"gaussian: mode='nearest' and boundary='reflect' name the same argument; give one"),
    (lambda: filters.sobel(IMG, mode="bogus"), ValueError,
     r"sobel: mode must be one of 'constant', 'reflect', 'mirror', 'nearest', 'wrap' "
     r"\(aliases: .*\); got 'bogus'"),
    (lambda: filters.sobel(IMG, mode="nearst"), ValueError,
     r"sobel: mode must be one of .*; got 'nearst' \(did you mean 'nearest'\?\)"),
    (lambda: filters.canny(IMG, boundary="edgy"), ValueError,
     r"canny: boundary must be one of .*; got 'edgy' \(did you mean 'edge'\?\)"),
    (lambda: filters.gabor_kernel(0.1, sigma_x=2.0, sigma=3.0), TypeError,
     r"gabor_kernel: give sigma_x/sigma_y \(scikit-image's names\) or sigma/aspect_ratio, "
     r"not both"),
    (lambda: filters.gabor_kernel(0.1, offset=0.5, phase=0.2), TypeError,
     r"gabor_kernel: offset=0.5 and phase=0.2 name the same argument; give one"),
    (lambda: filters.gabor_kernel(0.1, dtype=np.float64), ValueError,
     r"gabor_kernel: dtype must be a complex dtype for output='complex'; got float64"),
    (lambda: filters.gabor_kernel(0.1, convention="cv2"), ValueError,
     r"gabor_kernel: convention must be one of 'skimage', 'sigconv', 'opencv'; got 'cv2'"),
    (lambda: filters.gaussian(IMG, 2, out=np.empty((3, 3))), ValueError,
     r"gaussian: out must be an ndarray of shape \(24, 31\) and dtype float64; got shape "
     r"\(3, 3\)"),
    (lambda: filters.sobel(IMG, np.ones((3, 3), bool)), ValueError,
     r"sobel: mask must have the image's shape \(24, 31\); got \(3, 3\)"),
    (lambda: filters.laplace(IMG, 0), ValueError,
     r"laplace: ksize must be a positive integer; got 0"),
])
def test_filter_keyword_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_same_value_under_both_names_is_accepted():
    np.testing.assert_array_equal(filters.sobel(IMG, mode="wrap", boundary="wrap"),
                                  filters.sobel(IMG, boundary="wrap"))
