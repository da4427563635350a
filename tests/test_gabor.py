"""Gabor kernels and banks against scikit-image, OpenCV, scipy.ndimage and closed forms."""

import math

import cv2
import numpy as np
import pytest
import skimage.filters as skf
from scipy import ndimage as ndi
from scipy import signal

import sigconv
from sigconv.filters import (FilterBank, bandwidth_to_sigma, degrees_to_radians,
                             frequency_to_wavelength, gabor_bank, gabor_direction,
                             gabor_kernel, radians_to_degrees, sigma_to_bandwidth,
                             wavelength_to_frequency)

THETAS = [0.0, 0.3, math.pi / 4, 1.2, math.pi / 2, 2.5, -0.7]


# --- convention='skimage' ---------------------------------------------------------------

@pytest.mark.parametrize("theta", THETAS)
@pytest.mark.parametrize("case", [
    dict(frequency=0.1),
    dict(frequency=0.23, bandwidth=1.7, offset=0.4),
    dict(frequency=0.15, sigma_x=3.0, sigma_y=6.0),
    dict(frequency=0.3, bandwidth=0.5, n_stds=2),
], ids=["default", "bandwidth-offset", "sigmas", "n_stds"])
@pytest.mark.parametrize("output", ["complex", "real", "imag"])
def test_skimage_convention_is_bit_exact(theta, case, output):
    ref = skf.gabor_kernel(theta=theta, **case)
    ref = {"complex": ref, "real": ref.real, "imag": ref.imag}[output]
    args = dict(case)
    if "offset" in args:
        args["phase"] = args.pop("offset")
    if "sigma_x" in args:
        args["sigma"] = args.pop("sigma_x")
        args["aspect_ratio"] = args["sigma"] / args.pop("sigma_y")
    got = gabor_kernel(theta=theta, output=output, convention="skimage", **args)
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_skimage_convention_from_wavelength():
    np.testing.assert_array_equal(
        gabor_kernel(wavelength=8.0, theta=0.4, convention="skimage"),
        skf.gabor_kernel(0.125, theta=0.4))


# --- convention='opencv' ----------------------------------------------------------------

@pytest.mark.parametrize("ksize,sigma,theta,lambd,gamma,psi", [
    ((21, 21), 4.0, 0.3, 10.0, 0.5, math.pi / 2),       # cv2 default gamma and psi
    ((31, 15), 5.0, 1.0, 7.0, 1.0, 0.0),
    ((23, 21), 3.0, 0.7, 6.0, 0.6, 1.0),
    ((9, 17), 2.5, math.pi / 2, 5.0, 2.0, 0.3),
    ((0, 0), 3.0, 0.7, 6.0, 0.6, 1.0),                    # size from sigma (cvRound)
    ((0, 0), 2.5, 2.2, 5.0, 1.5, -0.4),
])
def test_opencv_convention_is_bit_exact(ksize, sigma, theta, lambd, gamma, psi):
    ref = cv2.getGaborKernel(ksize, sigma, theta, lambd, gamma, psi)
    size = None if ksize == (0, 0) else (ksize[1], ksize[0])
    got = gabor_kernel(wavelength=lambd, sigma=sigma, theta=theta, aspect_ratio=gamma,
                       phase=psi, size=size, output="real", convention="opencv")
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    complex_ = gabor_kernel(wavelength=lambd, sigma=sigma, theta=theta, aspect_ratio=gamma,
                            phase=psi, size=size, output="complex", convention="opencv")
    np.testing.assert_array_equal(complex_.real, ref)
    quarter = cv2.getGaborKernel(ksize, sigma, theta, lambd, gamma, psi - math.pi / 2)
    np.testing.assert_allclose(complex_.imag, quarter, atol=1e-12)


def test_opencv_refuses_even_size_that_it_would_silently_round_up():
    with pytest.raises(ValueError, match=r"gabor_kernel: size must be odd .*got \(20, 20\)"):
        gabor_kernel(wavelength=8, sigma=3, size=(20, 20), convention="opencv")
    assert cv2.getGaborKernel((20, 20), 3, 0, 8, 0.5).shape == (21, 21)


# --- convention='sigconv' (N-D) ----------------------------------------------------------

def _closed_form(shape, u, f, sigma, aspect, phase):
    """The defining formula written out independently, point by point."""
    n = len(shape)
    sp = sigma / aspect
    amp = 1.0 / ((2 * math.pi) ** (n / 2) * sigma * sp ** (n - 1))
    out = np.empty(shape, dtype=complex)
    for idx in np.ndindex(*shape):
        r = np.array(idx) - np.array(shape) // 2
        p = float(np.dot(u, r))
        q2 = float(np.dot(r, r)) - p * p
        out[idx] = amp * math.exp(-p * p / (2 * sigma ** 2) - q2 / (2 * sp ** 2)) \
            * complex(math.cos(2 * math.pi * f * p + phase), math.sin(2 * math.pi * f * p + phase))
    return out


@pytest.mark.parametrize("ndim,theta", [(1, 0.0), (2, 0.6), (3, (0.4, 0.9)),
                                        (3, (1.0, 2.0, 2.0)), (4, (0.3, 0.2, 1.1))])
def test_sigconv_kernel_matches_defining_formula(ndim, theta):
    k = gabor_kernel(0.2, theta=theta, sigma=1.5, aspect_ratio=0.7, phase=0.3, ndim=ndim,
                     n_stds=2)
    u = gabor_direction(theta, ndim)
    np.testing.assert_allclose(k, _closed_form(k.shape, u, 0.2, 1.5, 0.7, 0.3),
                               rtol=1e-12, atol=1e-15)


def test_sigconv_kernel_size_is_the_rotated_envelope_bounding_box():
    sigma, aspect = 4.0, 0.5
    for theta in (0.0, math.pi / 6, math.pi / 2):
        k = gabor_kernel(0.1, theta=theta, sigma=sigma, aspect_ratio=aspect,
                         convention="sigconv")
        u = gabor_direction(theta)
        sp = sigma / aspect
        half = [max(1, math.ceil(3 * math.hypot(sigma * ui, sp * math.sqrt(1 - ui * ui))))
                for ui in u]
        assert k.shape == tuple(2 * h + 1 for h in half)


def test_sigconv_2d_equals_skimage_on_its_grid():
    """Same formula as scikit-image in 2-D; only the size rule differs (theta != 0)."""
    ours = gabor_kernel(0.15, theta=0.5, size=(31, 31), convention="sigconv")
    ref = gabor_kernel(0.15, theta=0.5, size=(31, 31), convention="skimage")
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-16)


def test_sigconv_3d_kernel_is_a_plane_wave_along_its_direction():
    k = gabor_kernel(0.25, theta=(0.0, math.pi / 2), sigma=2.0, ndim=3, output="real")
    # elevation pi/2 points along axis 0: the carrier varies only along axis 0
    centre = np.array(k.shape) // 2
    line = k[:, centre[1], centre[2]]
    env = np.exp(-((np.arange(k.shape[0]) - centre[0]) ** 2) / 8.0)
    offsets = np.arange(k.shape[0]) - centre[0]
    np.testing.assert_allclose(line / line[centre[0]], env * np.cos(2 * np.pi * 0.25 * offsets),
                               atol=1e-12)


@pytest.mark.parametrize("theta,ndim,expected", [
    (0.0, 2, [0.0, 1.0]), (math.pi / 2, 2, [1.0, 0.0]),
    ((0.0, math.pi / 2), 3, [1.0, 0.0, 0.0]), ((math.pi / 2, 0.0), 3, [0.0, 1.0, 0.0]),
    ([0, 3, 4], 3, [0.0, 0.6, 0.8]), (math.pi, 1, [-1.0]),
])
def test_gabor_direction(theta, ndim, expected):
    np.testing.assert_allclose(gabor_direction(theta, ndim), expected, atol=1e-15)


@pytest.mark.parametrize("output,part", [("real", np.real), ("imag", np.imag)])
def test_output_parts(output, part):
    full = gabor_kernel(0.2, theta=0.4)
    np.testing.assert_allclose(gabor_kernel(0.2, theta=0.4, output=output), part(full),
                               rtol=1e-13, atol=1e-17)


# --- converters ---------------------------------------------------------------------------

def test_converters_round_trip():
    f = np.array([0.05, 0.1, 0.3])
    np.testing.assert_allclose(wavelength_to_frequency(frequency_to_wavelength(f)), f)
    assert frequency_to_wavelength(0.25) == 4.0
    b = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(sigma_to_bandwidth(bandwidth_to_sigma(b, 0.1), 0.1), b)
    assert radians_to_degrees(degrees_to_radians(37.0)) == pytest.approx(37.0)


def test_bandwidth_to_sigma_is_skimages_rule():
    k = skf.gabor_kernel(0.2, bandwidth=1.4)
    sigma = bandwidth_to_sigma(1.4, 0.2)
    np.testing.assert_array_equal(
        gabor_kernel(0.2, sigma=sigma, convention="skimage"), k)


def test_bandwidth_half_magnitude_definition():
    """At f * 2**(+-b/2) the envelope's spectrum is half its peak: the octave bandwidth."""
    f, b = 0.1, 1.0
    sigma = bandwidth_to_sigma(b, f)
    # the spectrum of the Gaussian envelope is exp(-2 pi^2 sigma^2 (nu - f)^2)
    lo, hi = f * 2 / (1 + 2 ** b), f * 2 * 2 ** b / (1 + 2 ** b)
    assert hi / lo == pytest.approx(2 ** b)
    for nu in (lo, hi):
        assert math.exp(-2 * math.pi ** 2 * sigma ** 2 * (nu - f) ** 2) == pytest.approx(0.5)


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,match", [
    (dict(frequency=0), r"gabor_kernel: frequency must be > 0; got 0"),
    (dict(frequency=-0.1), r"gabor_kernel: frequency must be > 0; got -0.1"),
    (dict(frequency=0.1, bandwidth=0), r"gabor_kernel: bandwidth must be > 0; got 0"),
    (dict(frequency=0.1, sigma=-1), r"gabor_kernel: sigma must be > 0; got -1"),
    (dict(frequency=0.1, n_stds=0), r"gabor_kernel: n_stds must be > 0; got 0"),
    (dict(wavelength=-2), r"gabor_kernel: wavelength must be > 0; got -2"),
    (dict(frequency=0.1, aspect_ratio=0), r"gabor_kernel: aspect_ratio must be > 0"),
    (dict(), r"give exactly one of frequency and wavelength"),
    (dict(frequency=0.1, wavelength=10), r"give exactly one of frequency and wavelength"),
    (dict(frequency=0.1, output="abs"), r"output must be one of 'complex', 'real', 'imag'"),
    (dict(frequency=0.1, convention="matlab"),
     r"convention must be one of 'skimage', 'sigconv', 'opencv'; got 'matlab'"),
    (dict(frequency=0.1, ndim=3, convention="skimage"), r"convention='skimage' is 2-D"),
    (dict(frequency=0.1, size=4), r"size must be odd"),
    (dict(frequency=0.1, size=(3, 3, 3)), r"size needs one value per axis \(2\)"),
    (dict(frequency=0.1, theta=(1.0, 2.0, 3.0, 4.0)), r"theta must be an angle, 1 angles"),
    (dict(frequency=0.1, theta=(0.0, 0.0)), r"direction vector must be finite and non-zero"),
])
def test_gabor_kernel_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gabor_kernel(**kwargs)


def test_converters_reject():
    with pytest.raises(ValueError, match=r"bandwidth_to_sigma: bandwidth must be > 0; got 0"):
        bandwidth_to_sigma(0, 0.1)
    with pytest.raises(ValueError, match=r"sigma_to_bandwidth: sigma \* frequency must be >"):
        sigma_to_bandwidth(1.0, 0.1)
    with pytest.raises(ValueError, match=r"frequency_to_wavelength: frequency must be > 0"):
        frequency_to_wavelength([0.1, 0.0])


# --- banks ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(7).random((97, 130))


def _reference(image, kernel, mode="reflect"):
    k = np.asarray(kernel)
    if np.iscomplexobj(k):
        return ndi.convolve(image, k.real, mode=mode) + 1j * ndi.convolve(image, k.imag, mode=mode)
    return ndi.convolve(image, k, mode=mode)


def test_bank_layout_and_table():
    bank = gabor_bank([0.1, 0.2, 0.3], 4)
    assert len(bank) == 12 and len(bank.kernels) == 12
    assert bank.params["frequency"] == [0.1] * 4 + [0.2] * 4 + [0.3] * 4
    np.testing.assert_allclose(bank.params["theta"][:4], np.arange(4) * np.pi / 4)
    np.testing.assert_allclose(bank.params["sigma"], [bandwidth_to_sigma(1.0, f)
                                                      for f in [0.1] * 4 + [0.2] * 4 + [0.3] * 4])
    for k, f, t in zip(bank.kernels, bank.params["frequency"], bank.params["theta"]):
        np.testing.assert_array_equal(k, gabor_kernel(f, theta=t, convention="sigconv"))
    table = bank.table().splitlines()
    assert table[0].split() == ["index", "frequency", "theta", "sigma", "shape"]
    assert len(table) == 13


@pytest.mark.parametrize("boundary", ["reflect", "nearest", "mirror", "wrap", "constant"])
def test_bank_apply_equals_ndimage_convolution(image, boundary):
    bank = gabor_bank([0.08, 0.25], 3)
    out = bank.apply(image, boundary=boundary)
    assert out.shape == (6,) + image.shape and out.dtype == np.complex128
    for k, kernel in enumerate(bank.kernels):
        np.testing.assert_allclose(out[k], _reference(image, kernel, boundary), atol=1e-12)


def test_bank_apply_equals_sigconv_convolve_same(image):
    bank = gabor_bank(0.2, 2, output="real")
    out = bank.apply(image)
    for k, kernel in enumerate(bank.kernels):
        ref = sigconv.convolve(image, kernel, "same", boundary="reflect", center="ndimage")
        np.testing.assert_allclose(out[k], ref, atol=1e-12)
    assert out.dtype == np.float64


def test_bank_apply_equals_skimage_gabor(image):
    bank = gabor_bank([0.1, 0.3], [0.2, 1.3], convention="skimage")
    out = bank.apply(image)
    for k, (f, t) in enumerate(zip(bank.params["frequency"], bank.params["theta"])):
        real, imag = skf.gabor(image, f, theta=t, mode="reflect")
        np.testing.assert_allclose(out[k].real, real, atol=1e-12)
        np.testing.assert_allclose(out[k].imag, imag, atol=1e-12)


def test_bank_apply_equals_opencv_filter2d(image):
    """cv2.filter2D correlates; with the point-reflected kernel it convolves."""
    bank = gabor_bank(wavelength_to_frequency(6.0), [0.0, 0.9], sigma=2.0, aspect_ratio=0.5,
                      size=15, output="real", convention="opencv")
    out = bank.apply(image)
    for k, t in enumerate(bank.params["theta"]):
        kern = cv2.getGaborKernel((15, 15), 2.0, t, 6.0, 0.5, 0.0)
        ref = cv2.filter2D(image, cv2.CV_64F, kern[::-1, ::-1], borderType=cv2.BORDER_REFLECT)
        np.testing.assert_allclose(out[k], ref, atol=1e-10)


def test_bank_blocks_cover_large_image_exactly():
    """Images larger than one transform block take the overlap-save path."""
    img = np.random.default_rng(1).random((700, 650)).astype(np.float32)
    bank = gabor_bank(0.3, 2, size=31)
    out = bank.apply(img, workers=2)
    assert out.dtype == np.complex64
    for k, kernel in enumerate(bank.kernels):
        ref = signal.fftconvolve(np.pad(img.astype(float), 15, mode="symmetric"), kernel,
                                 mode="valid")
        np.testing.assert_allclose(out[k], ref, atol=2e-5)


def test_bank_mixed_and_even_kernel_sizes(image):
    bank = FilterBank([np.ones((2, 4)), np.arange(9.0).reshape(3, 3), np.ones((1, 5))])
    out = bank.apply(image, boundary="wrap")
    for k, kernel in enumerate(bank.kernels):
        np.testing.assert_allclose(out[k], ndi.convolve(image, kernel, mode="wrap"), atol=1e-12)


def test_bank_3d():
    vol = np.random.default_rng(2).random((20, 18, 22))
    bank = gabor_bank(0.25, [(0.0, 0.0), (0.0, np.pi / 2), (1.0, 1.0, 1.0)], sigma=1.5,
                      ndim=3)
    out = bank.apply(vol)
    for k, kernel in enumerate(bank.kernels):
        np.testing.assert_allclose(out[k], _reference(vol, kernel), atol=1e-12)


def test_bank_magnitude_phase_and_reuse(image):
    bank = gabor_bank(0.2, 2)
    first = bank.apply(image)
    again = bank.apply(image)
    assert first is not again
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(bank.magnitude(image), np.abs(first))
    np.testing.assert_allclose(bank.phase(image), np.angle(first))


def test_bank_channel_axis():
    rgb = np.random.default_rng(3).random((30, 40, 3))
    bank = gabor_bank(0.2, 2)
    out = bank.apply(rgb, channel_axis=-1)
    assert out.shape == (2, 30, 40, 3)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], bank.apply(rgb[..., c]), atol=1e-13)
    first = bank.apply(np.moveaxis(rgb, -1, 0), channel_axis=0)
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), out, atol=1e-13)


def test_bank_rejects_colour_without_channel_axis():
    bank = gabor_bank(0.2, 2)
    with pytest.raises(ValueError, match=r"expected 2-D grayscale, got shape \(30, 40, 3\)"):
        bank.apply(np.zeros((30, 40, 3)))


@pytest.mark.parametrize("args,match", [
    (([0.1], 0), r"gabor_bank: orientations must be >= 1; got 0"),
    (([], 4), r"gabor_bank: frequencies must not be empty"),
    (([0.1, -0.2], 2), r"gabor_kernel: frequency must be > 0; got -0.2"),
])
def test_gabor_bank_rejects(args, match):
    with pytest.raises(ValueError, match=match):
        gabor_bank(*args)


def test_gabor_bank_count_orientations_need_2d():
    with pytest.raises(ValueError, match=r"an orientation count is for 2-D banks"):
        gabor_bank(0.1, 4, ndim=3)


def test_bank_keeps_nan_local():
    """A transform would spread one NaN over its whole block; the bank falls back to the
    direct sum so only pixels within a kernel's reach of the NaN are NaN."""
    img = np.random.default_rng(5).random((40, 50))
    img[20, 25] = np.nan
    bank = FilterBank([np.ones((3, 3)), np.array([[0, 1j, 0]])])
    out = bank.apply(img)
    assert np.isnan(out[0]).sum() == 9 and 1 <= np.isnan(out[1]).sum() <= 3
    np.testing.assert_allclose(out[0], ndi.convolve(img, np.ones((3, 3)), mode="reflect"))
    assert out.dtype == np.complex128


def test_bank_spectra_cache_is_bounded():
    from sigconv.filters import _spectral
    bank = gabor_bank(0.2, 1, sigma=1.0)
    for n in range(20, 20 + 2 * _spectral._CACHED_SHAPES + 3):
        img = np.random.default_rng(n).random((n, n + 1))
        np.testing.assert_allclose(bank.apply(img)[0], _reference(img, bank.kernels[0]),
                                   atol=1e-12)
    assert len(bank._applier._convolvers) == _spectral._CACHED_SHAPES


def test_bank_1d_equals_numpy_convolve():
    x = np.random.default_rng(9).random(300)
    bank = gabor_bank([0.1, 0.3], [0.0, np.pi], sigma=3.0, ndim=1)
    out = bank.apply(x, boundary="wrap")
    for k, kernel in enumerate(bank.kernels):
        h = kernel.size // 2
        ref = np.convolve(np.concatenate([x[-h:], x, x[:h]]), kernel, mode="valid")
        np.testing.assert_allclose(out[k], ref, atol=1e-12)
    np.testing.assert_allclose(bank.kernels[1], bank.kernels[0].conj(), atol=1e-15)


@pytest.mark.parametrize("kernels,match", [
    ([], r"FilterBank: kernels must not be empty"),
    ([np.ones(3), np.ones((3, 3))], r"FilterBank: kernels must be non-empty arrays of one "
                                    r"dimensionality; got shapes \[\(3,\), \(3, 3\)\]"),
    ([np.ones((0, 3))], r"kernels must be non-empty arrays"),
])
def test_filter_bank_rejects(kernels, match):
    with pytest.raises(ValueError, match=match):
        FilterBank(kernels)


def test_filter_bank_rejects_ragged_params_and_object_kernels():
    with pytest.raises(ValueError, match=r"FilterBank: params\['f'\] has 1 entries for 2"):
        FilterBank([np.ones(3), np.ones(3)], {"f": [1.0]})
    with pytest.raises(TypeError, match=r"FilterBank: unsupported dtype object for kernels\[0\]"):
        FilterBank([np.array([1, None])])


def test_bank_apply_into_out(image):
    bank = gabor_bank(0.2, 3)
    buf = np.empty((3,) + image.shape, dtype=np.complex128)
    res = bank.apply(image, out=buf)
    assert res is buf
    np.testing.assert_array_equal(buf, bank.apply(image))
    rgb = np.stack([image, image[::-1]], axis=-1)
    buf2 = np.empty((3,) + rgb.shape, dtype=np.complex128)
    assert bank.apply(rgb, channel_axis=-1, out=buf2) is buf2
    np.testing.assert_array_equal(buf2[..., 1], bank.apply(image[::-1]))


@pytest.mark.parametrize("out,match", [
    (np.empty((2, 97, 130), complex), r"out must be an ndarray of shape \(3, 97, 130\) and "
                                      r"dtype complex128; got shape \(2, 97, 130\)"),
    (np.empty((3, 97, 130), np.complex64), r"dtype complex128; got shape \(3, 97, 130\) "
                                           r"and dtype complex64"),
])
def test_bank_apply_rejects_bad_out(image, out, match):
    with pytest.raises(ValueError, match=match):
        gabor_bank(0.2, 3).apply(image, out=out)


def _raise(*args, **kwargs):
    raise AssertionError("this transform path must not run")


@pytest.mark.parametrize("output", ["complex", "real"])
def test_bank_fftw_path(monkeypatch, output):
    """With pyFFTW the tiles run on planned FFTW transforms (the scipy.fft slot is made to
    raise; complex kernels on a real image run as real ones) and give the same result."""
    from sigconv.fft import pocketfft
    pytest.importorskip("pyfftw")
    img = np.random.default_rng(6).random((120, 90)).astype(np.float32)
    bank = gabor_bank([0.1, 0.3], 2, output=output)
    monkeypatch.setattr(pocketfft.ScipySlot, "execute", _raise)
    out = bank.apply(img, workers=2)
    assert out.dtype == (np.complex64 if output == "complex" else np.float32)
    for k, kernel in enumerate(bank.kernels):
        np.testing.assert_allclose(out[k], _reference(img.astype(float), kernel), atol=2e-6)


def test_bank_scipy_path_without_pyfftw(monkeypatch):
    from sigconv.fft import plans
    import sigconv.fft
    img = np.random.default_rng(8).random((64, 80))
    bank = gabor_bank(0.2, 2)
    monkeypatch.setattr(plans.PlanCache, "slot", _raise)
    old = sigconv.fft.set_backend("scipy")
    try:
        out = bank.apply(img)
    finally:
        sigconv.fft.set_backend(old)
    for k, kernel in enumerate(bank.kernels):
        np.testing.assert_allclose(out[k], _reference(img, kernel), atol=1e-12)
