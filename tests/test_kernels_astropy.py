"""sigconv.kernels against astropy.convolution's kernels, mode by mode.

Parameter mappings (documented in each kernel function's Notes):
  Gaussian1DKernel(s)                 -> gaussian(s, ndim=1)
  Gaussian2DKernel(sx, sy, theta)     -> gaussian(covariance=R diag(sx^2, sy^2) R^T, reordered (y, x))
  Box1DKernel(w) / Box2DKernel(w)     -> box(w, mode='linear_interp')  (astropy forces that mode)
  Tophat2DKernel(r)                   -> tophat(r)
  Ring2DKernel(r_in, width)           -> ring(r_in, r_in + width)
  Trapezoid1DKernel(w, slope)         -> trapezoid(w / 2, 1 / slope, ndim=1)
  TrapezoidDisk2DKernel(r, slope)     -> trapezoid(r, 1 / slope)
  RickerWavelet1DKernel(w) / 2D       -> ricker(w, normalize='none')
  AiryDisk2DKernel(r)                 -> airy(r)
  Moffat2DKernel(gamma, alpha)        -> moffat(gamma, alpha)
  Model1DKernel / Model2DKernel(m)    -> from_function(m / lambda r, c: m(c, r), normalize='none')
Arrays are [row, column] = [y, x] in both libraries.
"""

import math
import warnings

import numpy as np
import pytest
from astropy import convolution as ac
from astropy.modeling import models

from sigconv import kernels

SAMPLED = ("center", "linear_interp", "oversample")


def rotated(sx, sy, theta):
    """astropy's (x_stddev, y_stddev, theta) as a covariance in (row, column) = (y, x)."""
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    c = rot @ np.diag([sx ** 2, sy ** 2]) @ rot.T
    return [[c[1, 1], c[1, 0]], [c[0, 1], c[0, 0]]]


CASES = {   # name: (astropy kernel for (mode, size), sigconv kernel for (mode, size), default size)
    "gaussian-1d": (lambda m, n: ac.Gaussian1DKernel(1.3, x_size=n, mode=m),
                    lambda m, n: kernels.gaussian(1.3, ndim=1, size=n, mode=m)),
    "gaussian-2d": (lambda m, n: ac.Gaussian2DKernel(1.1, 0.7, x_size=n, y_size=n, mode=m),
                    lambda m, n: kernels.gaussian((0.7, 1.1), size=n, mode=m)),
    "gaussian-rotated": (lambda m, n: ac.Gaussian2DKernel(1.4, 0.8, 0.6, x_size=n, y_size=n, mode=m),
                         lambda m, n: kernels.gaussian(covariance=rotated(1.4, 0.8, 0.6), size=n, mode=m)),
    "tophat": (lambda m, n: ac.Tophat2DKernel(2.3, x_size=n, mode=m),
               lambda m, n: kernels.tophat(2.3, size=n, mode=m)),
    "ring": (lambda m, n: ac.Ring2DKernel(1.2, 1.7, x_size=n, mode=m),
             lambda m, n: kernels.ring(1.2, 1.2 + 1.7, size=n, mode=m)),
    "trapezoid-1d": (lambda m, n: ac.Trapezoid1DKernel(2.2, slope=0.7, x_size=n, mode=m),
                     lambda m, n: kernels.trapezoid(1.1, 1 / 0.7, ndim=1, size=n, mode=m)),
    "trapezoid-disk": (lambda m, n: ac.TrapezoidDisk2DKernel(1.6, slope=0.8, x_size=n, mode=m),
                       lambda m, n: kernels.trapezoid(1.6, 1 / 0.8, size=n, mode=m)),
    "ricker-1d": (lambda m, n: ac.RickerWavelet1DKernel(1.2, x_size=n, mode=m),
                  lambda m, n: kernels.ricker(1.2, ndim=1, size=n, mode=m)),
    "ricker-2d": (lambda m, n: ac.RickerWavelet2DKernel(0.9, x_size=n, mode=m),
                  lambda m, n: kernels.ricker(0.9, size=n, mode=m)),
    "airy": (lambda m, n: ac.AiryDisk2DKernel(1.3, x_size=n, mode=m),
             lambda m, n: kernels.airy(1.3, size=n, mode=m)),
    "moffat": (lambda m, n: ac.Moffat2DKernel(1.5, 2.2, x_size=n, mode=m),
               lambda m, n: kernels.moffat(1.5, 2.2, size=n, mode=m)),
}


def astropy_array(make, mode, size):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # astropy's quad warnings in 'integrate'
        return make(mode, size).array


@pytest.mark.parametrize("mode", SAMPLED)
@pytest.mark.parametrize("case", CASES)
def test_sampled_modes_equal_astropy(case, mode):
    theirs, ours = CASES[case]
    expected = astropy_array(theirs, mode, None)
    # the same default size, except for 2-D Gaussians: astropy sizes both axes by the
    # larger stddev, sigconv each axis by its own (test_gaussian_default_sizes_differ)
    got = ours(mode, expected.shape[0] if case.startswith("gaussian-r") or case == "gaussian-2d"
               else None)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.array, expected, rtol=0, atol=1e-15 * np.abs(expected).max())


@pytest.mark.parametrize("case, size", [("gaussian-1d", None), ("gaussian-2d", 5),
                                        ("gaussian-rotated", 3), ("trapezoid-1d", None),
                                        ("ricker-1d", None), ("ricker-2d", 3), ("airy", 3),
                                        ("moffat", 3)])
def test_integrate_equals_astropy_within_its_quadrature_tolerance(case, size):
    """astropy integrates pixel by pixel with scipy's quad/dblquad at their default
    tolerance (1.5e-8); sigconv's integrals are closed forms or tighter cubature."""
    theirs, ours = CASES[case]
    expected = astropy_array(theirs, "integrate", size)
    got = ours("integrate", size)
    np.testing.assert_allclose(got.array, expected, rtol=0, atol=1e-9 * np.abs(expected).max())
    assert got.max_abs_error < 1e-11


@pytest.mark.parametrize("case", ["tophat", "ring", "trapezoid-disk"])
def test_astropy_oversampling_converges_to_our_integrals_for_discontinuous_models(case):
    """astropy's 'integrate' (dblquad of a function that jumps or kinks inside pixels)
    does not finish in minutes even on 3x3 pixels, so its own 'oversample' stands for it:
    as the factor grows it approaches sigconv's exact pixel integrals."""
    exact = CASES[case][1]("integrate", None).array
    gaps = [np.abs(_with_factor(case, f).array - exact).max() for f in (10, 40, 160)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 2e-3 * exact.max()


def _with_factor(case, factor):
    return {"tophat": lambda: ac.Tophat2DKernel(2.3, mode="oversample", factor=factor),
            "ring": lambda: ac.Ring2DKernel(1.2, 1.7, mode="oversample", factor=factor),
            "trapezoid-disk": lambda: ac.TrapezoidDisk2DKernel(1.6, slope=0.8, mode="oversample",
                                                               factor=factor)}[case]()


@pytest.mark.parametrize("factor", [2, 7])
def test_oversample_factor_maps_to_astropy(factor):
    expected = ac.AiryDisk2DKernel(2.1, mode="oversample", factor=factor).array
    got = kernels.airy(2.1, mode="oversample", factor=factor).array
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15 * expected.max())


@pytest.mark.parametrize("mode", SAMPLED + ("integrate",))
@pytest.mark.parametrize("width", [3.0, 2.5, 4.2])
def test_astropy_boxes_are_always_linear_interp(width, mode):
    """astropy's Box kernels ignore ``mode`` and sample 'linear_interp'; for odd integer
    widths that equals the exact pixel integrals, otherwise it does not."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b1 = ac.Box1DKernel(width, mode=mode).array
        b2 = ac.Box2DKernel(width, mode=mode).array
    np.testing.assert_allclose(kernels.box(width, ndim=1, mode="linear_interp").array, b1,
                               rtol=0, atol=1e-16)
    np.testing.assert_allclose(kernels.box(width, mode="linear_interp").array, b2,
                               rtol=0, atol=1e-16)
    exact = kernels.box(width, ndim=1).array
    assert np.allclose(exact, b1, rtol=0, atol=1e-15) == (width == 3.0)


def test_gaussian_default_sizes_differ_as_documented():
    """astropy: 8 max(stddev) rounded up to odd on both axes; sigconv: per axis, 4 marginal
    standard deviations each side."""
    assert ac.Gaussian2DKernel(1.1, 0.7).shape == (9, 9)
    assert kernels.gaussian((0.7, 1.1)).shape == (7, 9)
    cov = rotated(1.4, 0.8, 0.6)
    assert ac.Gaussian2DKernel(1.4, 0.8, 0.6).shape == (13, 13)
    assert kernels.gaussian(covariance=cov).shape == tuple(
        2 * math.ceil(4 * math.sqrt(cov[d][d]) - 0.5) + 1 for d in range(2))


@pytest.mark.filterwarnings("ignore:The kernel cannot be normalized")
@pytest.mark.parametrize("params", [0.3, 0.5, 1.0, 1.05, 1.125, 2.2, 3.7])
def test_default_sizes_match_astropy(params):
    pairs = [(ac.Gaussian1DKernel(params), kernels.gaussian(params, ndim=1, estimate_error=False)),
             (ac.Tophat2DKernel(params), kernels.tophat(params, estimate_error=False)),
             (ac.Ring2DKernel(params, 0.7), kernels.ring(params, params + 0.7, estimate_error=False)),
             (ac.Box1DKernel(params), kernels.box(params, ndim=1, estimate_error=False)),
             (ac.Trapezoid1DKernel(params, slope=1.3), kernels.trapezoid(params / 2, 1 / 1.3, ndim=1,
                                                                         estimate_error=False)),
             (ac.AiryDisk2DKernel(params), kernels.airy(params, estimate_error=False)),
             (ac.RickerWavelet2DKernel(params), kernels.ricker(params, estimate_error=False)),
             (ac.Moffat2DKernel(params, 2.5), kernels.moffat(params, 2.5, estimate_error=False))]
    for theirs, ours in pairs:
        assert ours.shape == theirs.shape, type(theirs).__name__


@pytest.mark.parametrize("mode", SAMPLED + ("integrate",))
def test_model_kernels_equal_from_function(mode):
    m2 = models.Gaussian2D(amplitude=2.0, x_mean=0.3, y_mean=-0.2, x_stddev=1.1, y_stddev=0.6,
                           theta=0.4)
    size = 3 if mode == "integrate" else 7
    theirs = astropy_array(lambda md, n: ac.Model2DKernel(m2, x_size=size, mode=md), mode, None)
    ours = kernels.from_function(lambda r, c: m2(c, r), size, mode=mode).array
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9 * theirs.max())
    m1 = models.Lorentz1D(amplitude=1.0, x_0=0.1, fwhm=1.5)
    theirs1 = astropy_array(lambda md, n: ac.Model1DKernel(m1, x_size=9, mode=md), mode, None)
    ours1 = kernels.from_function(m1, (9,), mode=mode).array
    np.testing.assert_allclose(ours1, theirs1, rtol=0, atol=1e-9 * theirs1.max())


def test_truncation_is_the_mass_astropy_loses():
    """astropy's ``truncation`` is |1 - sum| before normalization; sigconv's, computed from
    the exact pixel integrals, is the same number for an unnormalized Gaussian."""
    theirs = ac.Gaussian1DKernel(2.0, x_size=9, mode="integrate")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = ac.discretize_model(models.Gaussian1D(1 / (2.0 * math.sqrt(2 * math.pi)), 0, 2.0),
                                  (-4, 5), mode="integrate")
    ours = kernels.gaussian(2.0, ndim=1, size=9)
    assert ours.truncation == pytest.approx(1 - raw.sum(), abs=1e-9)
    np.testing.assert_allclose(ours.array, theirs.array, rtol=0, atol=1e-10)
