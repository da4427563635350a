"""sigconv.kernels: sampled continuous models against closed forms and independent quadrature.

The references here are computed independently of sigconv: scipy.stats' normal CDF,
hand-written overlap lengths, circular-segment and spherical-cap formulas, and
scipy.integrate.quad / dblquad pixel by pixel.
"""

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

import sigconv
from sigconv import kernels
from sigconv.continuous import QuadratureError, QuadratureWarning
from sigconv.filters import gaussian_kernel1d

MODES = ("center", "linear_interp", "oversample", "integrate")
J11 = special.jn_zeros(1, 1)[0]


def centres(n):
    """The documented grid: pixel i of n is centred at i - (n - 1)/2."""
    return np.arange(n) - (n - 1) / 2


def normal_mass(c, sigma):
    """Mass of N(0, sigma^2) in [c - 1/2, c + 1/2] (survival functions: tail-accurate)."""
    a = np.abs(c)
    return stats.norm.sf(a - 0.5, scale=sigma) - stats.norm.sf(a + 0.5, scale=sigma)


def pixel_quad_1d(f, n, points=None):
    out = []
    for c in centres(n):
        inside = [p for p in (points or []) if c - 0.5 < p < c + 0.5] or None
        out.append(integrate.quad(f, c - 0.5, c + 0.5, points=inside, epsabs=1e-15,
                                  epsrel=1e-13, limit=200)[0])
    return np.array(out)


def pixel_quad_2d(f, shape):
    """dblquad of f(row, col) over every pixel."""
    out = np.empty(shape)
    for i, r in enumerate(centres(shape[0])):
        for j, c in enumerate(centres(shape[1])):
            out[i, j] = integrate.dblquad(lambda x1, x0: f(x0, x1), r - 0.5, r + 0.5,
                                          c - 0.5, c + 0.5, epsabs=1e-14, epsrel=1e-12)[0]
    return out


def disk_pixel_areas(radius, n):
    """Area of the disk in each pixel: quad over rows of the chord length in the pixel."""
    def area(r, c):
        def chord(x):
            h = math.sqrt(max(radius * radius - x * x, 0.0))
            return max(0.0, min(c + 0.5, h) - max(c - 0.5, -h))
        kinks = [s * math.sqrt(radius ** 2 - y ** 2) for y in (c - 0.5, c + 0.5)
                 for s in (-1, 1) if abs(y) < radius] + [-radius, radius]
        inside = [k for k in kinks if r - 0.5 < k < r + 0.5] or None
        return integrate.quad(chord, r - 0.5, r + 0.5, points=inside, epsabs=1e-15,
                              epsrel=1e-13, limit=200)[0]
    return np.array([[area(r, c) for c in centres(n)] for r in centres(n)])


def segment(radius, a):
    """Area of the disk where x >= a (circular segment)."""
    a = np.clip(a, -radius, radius)
    return radius ** 2 * np.arccos(a / radius) - a * np.sqrt(radius ** 2 - a ** 2)


def cap(radius, a):
    """Volume of the ball where x >= a (spherical cap)."""
    a = np.clip(a, -radius, radius)
    return np.pi * (radius - a) ** 2 * (2 * radius + a) / 3


def sum_normalized(a):
    return a / a.sum()


# ---- the grid and the default size -------------------------------------------------------

def test_pixel_centres_follow_the_documented_grid():
    rows = kernels.from_function(lambda r, c: r + 0 * c, (3, 4), mode="center").array
    cols = kernels.from_function(lambda r, c: c + 0 * r, (3, 4), mode="center").array
    np.testing.assert_array_equal(rows, np.broadcast_to(centres(3)[:, None], (3, 4)))
    np.testing.assert_array_equal(cols, np.broadcast_to(centres(4), (3, 4)))
    # the pixel integral of a linear function is its value at the centre
    lin = kernels.from_function(lambda r, c: 2 * r - c + 1, (3, 4))
    np.testing.assert_allclose(lin.array, 2 * centres(3)[:, None] - centres(4) + 1, atol=1e-13)


@pytest.mark.parametrize("make, shape", [
    (lambda: kernels.box(3.0), (3, 3)),           # [-1.5, 1.5] is covered by 3 pixels
    (lambda: kernels.box(3.2), (5, 5)),           # 3.2/2 = 1.6 needs a pixel reaching 2.5
    (lambda: kernels.box((1.0, 2.2), ndim=2), (1, 3)),
    (lambda: kernels.tophat(2.3), (5, 5)),
    (lambda: kernels.tophat(2.5), (5, 5)),
    (lambda: kernels.gaussian(1.0, ndim=1), (9,)),                # 4 sigma = 4: 2*4 + 1
    (lambda: kernels.gaussian((1.0, 0.5)), (9, 5)),
    (lambda: kernels.trapezoid(1.0, 0.4, ndim=3), (3, 3, 3)),
    (lambda: kernels.moffat(1.0, 2.0, truncate=1.0), (3, 3)),      # FWHM = 1.287
])
def test_default_size_is_the_fewest_odd_pixels_covering_the_extent(make, shape):
    assert make().shape == shape


def test_even_sizes_put_the_origin_on_a_pixel_corner():
    k = kernels.gaussian(0.9, size=(4, 6)).array
    np.testing.assert_allclose(k, k[::-1, ::-1], atol=1e-17)
    expected = np.outer(normal_mass(centres(4), 0.9), normal_mass(centres(6), 0.9))
    np.testing.assert_allclose(k, expected / expected.sum(), rtol=1e-13)


# ---- 'integrate' against closed forms ----------------------------------------------------

@pytest.mark.parametrize("sigma, size", [(0.6, (7,)), ((0.7, 1.3), (5, 9)),
                                         ((0.5, 1.0, 2.0), (3, 5, 9)), (0.3, (31,))])
def test_gaussian_pixel_integrals_are_the_normal_masses(sigma, size):
    k = kernels.gaussian(sigma, ndim=len(size), size=size, normalize="none")
    sig = (sigma,) * len(size) if np.ndim(sigma) == 0 else sigma
    expected = math.prod(np.ix_(*[normal_mass(centres(n), s) for n, s in zip(size, sig)]))
    np.testing.assert_allclose(k.array, expected, rtol=1e-12, atol=1e-300)   # tails to 1e-269
    assert k.error_basis == "closed form" and k.max_abs_error < 1e-14
    inside = math.prod(special.erf(n / 2 / (s * math.sqrt(2))) for n, s in zip(size, sig))
    assert k.truncation == pytest.approx(1 - inside, abs=1e-14)


@pytest.mark.parametrize("width, expected", [
    (2.6, np.array([0.8, 1.0, 0.8]) / 2.6),
    (2.0, np.array([0.5, 1.0, 0.5]) / 2.0),
    (0.4, np.array([0.4]) / 0.4),
    (3.2, np.array([0.1, 1.0, 1.0, 1.0, 0.1]) / 3.2),
])
def test_box_pixel_integrals_are_overlap_lengths(width, expected):
    k1 = kernels.box(width, ndim=1, normalize="none")
    np.testing.assert_allclose(k1.array, expected, rtol=1e-15, atol=1e-16)
    k3 = kernels.box((width, 2.0, width), normalize="none")
    np.testing.assert_allclose(k3.array, np.einsum("i,j,k->ijk", expected, [0.25, 0.5, 0.25],
                                                   expected), rtol=1e-14)
    assert k1.error_basis == k3.error_basis == "closed form"


def test_disk_pixel_areas_known_values():
    quarter = kernels.tophat(1.0, size=2, normalize="none").array * np.pi
    np.testing.assert_allclose(quarter, np.full((2, 2), np.pi / 4), rtol=1e-14)
    inscribed = kernels.tophat(0.5, size=1, normalize="none").array * (np.pi / 4)
    np.testing.assert_allclose(inscribed, [[np.pi / 4]], rtol=1e-14)
    circumscribed = kernels.tophat(math.sqrt(0.5), size=3, normalize="none").array * (np.pi / 2)
    side = (np.pi / 2 - 1) / 4                    # a segment beyond each side of the square
    np.testing.assert_allclose(circumscribed, [[0, side, 0], [side, 1, side], [0, side, 0]],
                               atol=1e-14)


@pytest.mark.parametrize("radius, n", [(2.3, 5), (2.3, 6), (1.0, 3), (4.7, 11), (0.8, 4)])
def test_disk_pixel_areas_match_chord_quadrature_and_segment_formulas(radius, n):
    k = kernels.tophat(radius, size=n, normalize="none")
    areas = k.array * np.pi * radius ** 2
    np.testing.assert_allclose(areas, disk_pixel_areas(radius, n), rtol=0, atol=1e-12)
    edges = centres(n) - 0.5
    columns = segment(radius, edges) - segment(radius, edges + 1)
    np.testing.assert_allclose(areas.sum(axis=0), columns, rtol=0, atol=1e-12)
    assert k.error_basis == "closed form"


def test_ring_is_the_difference_of_two_disks():
    ri, ro, n = 1.2, 2.9, 7
    k = kernels.ring(ri, ro, size=n, normalize="none")
    areas = k.array * np.pi * (ro ** 2 - ri ** 2)
    np.testing.assert_allclose(areas, disk_pixel_areas(ro, n) - disk_pixel_areas(ri, n), atol=1e-12)
    assert k.array.sum() == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("radius, n", [(1.0, 2), (0.5, 1), (2.2, 5), (1.7, 4)])
def test_ball_voxel_volumes_match_octants_and_spherical_caps(radius, n):
    k = kernels.tophat(radius, ndim=3, size=n, normalize="none")
    vol = k.array * (4 / 3 * np.pi * radius ** 3)
    edges = centres(n) - 0.5
    slabs = cap(radius, edges) - cap(radius, edges + 1)
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        np.testing.assert_allclose(vol.sum(axis=other), slabs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(vol, vol.transpose(1, 2, 0), atol=1e-12)
    if n == 2:
        np.testing.assert_allclose(vol, np.full((2, 2, 2), np.pi / 6 * radius ** 3), rtol=1e-10)
    assert k.error_basis == "quadrature" and k.max_abs_error < 1e-9


def test_loose_quadrature_tolerances_still_bound_the_error():
    """epsabs is in the model's units (here the ball's density): with a loose tolerance the
    cubature stops early, and its reported error still covers the slab sums' error."""
    radius, n = 2.2, 5
    volume = 4 / 3 * np.pi * radius ** 3
    k = kernels.tophat(radius, ndim=3, normalize="none", epsabs=1e-5, epsrel=0)
    assert 1e-9 < k.max_abs_error < 2e-5
    edges = centres(n) - 0.5
    slabs = (cap(radius, edges) - cap(radius, edges + 1)) / volume
    gap = np.abs(k.array.sum(axis=(1, 2)) - slabs)
    assert np.all(gap <= k.pixel_error.sum(axis=(1, 2)))
    tight = kernels.tophat(radius, ndim=3, normalize="none")
    assert tight.max_abs_error < 1e-3 * k.max_abs_error


def test_spherical_shell_slabs_are_differences_of_caps():
    ri, ro, n = 1.1, 2.4, 5
    k = kernels.ring(ri, ro, ndim=3, normalize="none")
    vol = k.array.sum(axis=(1, 2)) * (4 / 3 * np.pi * (ro ** 3 - ri ** 3))
    edges = centres(n) - 0.5
    slabs = (cap(ro, edges) - cap(ro, edges + 1)) - (cap(ri, edges) - cap(ri, edges + 1))
    np.testing.assert_allclose(vol, slabs, atol=1e-10)


def test_trapezoid_pixel_integrals_1d_and_2d():
    r0, ramp = 1.1, 1.0 / 0.7
    profile = lambda r: np.clip((r0 + ramp - np.abs(r)) / ramp, 0, 1)
    k1 = kernels.trapezoid(r0, ramp, ndim=1, normalize="none")
    kinks = [-r0 - ramp, -r0, r0, r0 + ramp]
    mass = 2 * r0 + ramp
    np.testing.assert_allclose(k1.array * mass, pixel_quad_1d(profile, 7, kinks), atol=1e-13)
    assert k1.error_basis == "closed form"
    k2 = kernels.trapezoid(0.8, 1.2, normalize="none", size=5)
    mass2 = np.pi * ((0.8 + 1.2) ** 3 - 0.8 ** 3) / (3 * 1.2)
    # the midpoint rule on a 500-fold finer grid (the profile has kinks, no jumps: ~1e-7)
    m = 500
    sub = (np.arange(5 * m) + 0.5) / m - 2.5
    fine = np.clip((2.0 - np.hypot(sub[:, None], sub[None, :])) / 1.2, 0, 1)
    ref = fine.reshape(5, m, 5, m).mean(axis=(1, 3))
    np.testing.assert_allclose(k2.array * mass2, ref, atol=1e-6)
    assert k2.error_basis == "quadrature" and k2.max_abs_error < 1e-12


def test_ricker_pixel_integrals_and_amplitude():
    s = 0.8
    ricker = lambda x: (1 - x * x / s ** 2) * np.exp(-x * x / (2 * s * s)) / (math.sqrt(2 * math.pi) * s ** 3)
    k = kernels.ricker(s, ndim=1, size=9)
    np.testing.assert_allclose(k.array, pixel_quad_1d(ricker, 9), rtol=0, atol=1e-14)
    # the whole array holds minus the jump of g' at its ends: 2 * 4.5 * phi(4.5) / s^2
    assert k.array.sum() == pytest.approx(2 * 4.5 * stats.norm.pdf(4.5, scale=s) / s ** 2, rel=1e-9)
    peak = kernels.ricker(1.5, mode="center", size=3).array[1, 1]
    assert peak == pytest.approx(1 / (math.pi * 1.5 ** 4), rel=1e-15)


def test_callable_polynomial_integrals_are_exact():
    k = kernels.from_function(lambda x, y: x * x * y + 1, (3, 4))
    rows, cols = centres(3), centres(4)
    expected = np.outer(rows ** 2 + 1 / 12, cols) + 1
    np.testing.assert_allclose(k.array, expected, atol=1e-13)
    assert k.error_basis == "quadrature"


# ---- the error bound bounds the actual error ---------------------------------------------

def _gauss2(shape, s):
    return np.outer(normal_mass(centres(shape[0]), s[0]), normal_mass(centres(shape[1]), s[1]))


def _overlaps(n, w):
    c = centres(n)
    return np.clip(np.minimum(c + 0.5, w / 2) - np.maximum(c - 0.5, -w / 2), 0, None)


CLOSED = {   # name: (kernel for a mode, exact pixel integrals, normalized as the kernel is)
    "gaussian-1d": (lambda m: kernels.gaussian(0.6, ndim=1, size=5, mode=m, factor=3),
                    lambda: sum_normalized(normal_mass(centres(5), 0.6))),
    "gaussian-2d": (lambda m: kernels.gaussian((0.7, 1.3), size=(5, 9), mode=m, factor=2),
                    lambda: sum_normalized(_gauss2((5, 9), (0.7, 1.3)))),
    "box": (lambda m: kernels.box((2.6, 1.7), mode=m, factor=3),
            lambda: sum_normalized(np.outer(_overlaps(3, 2.6), _overlaps(3, 1.7)))),
    "disk": (lambda m: kernels.tophat(1.7, mode=m, normalize="peak", factor=4),
             lambda: disk_pixel_areas(1.7, 5) / disk_pixel_areas(1.7, 5).max()),
    "ring": (lambda m: kernels.ring(0.8, 2.1, mode=m, factor=3),
             lambda: sum_normalized(disk_pixel_areas(2.1, 5) - disk_pixel_areas(0.8, 5))),
    "polynomial": (lambda m: kernels.from_function(lambda x: x ** 4, (5,), mode=m, factor=2),
                   lambda: ((centres(5) + 0.5) ** 5 - (centres(5) - 0.5) ** 5) / 5),
}


def _check_bound(k, exact, slack):
    actual = np.abs(k.array - exact)
    assert np.all(actual <= k.pixel_error + slack)
    assert actual.max() <= k.max_abs_error + slack
    assert k.max_abs_error <= actual.max() + 2 * slack      # and it is tight
    l1 = actual.sum() / np.abs(exact).sum()
    assert l1 <= k.rel_l1_error + slack
    assert k.rel_l1_error <= l1 + 2 * slack * exact.size / np.abs(exact).sum()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CLOSED)
def test_error_bound_holds_and_is_tight_against_closed_forms(case, mode):
    make, exact = CLOSED[case]
    k = make(mode)
    _check_bound(k, exact(), 1e-13)
    if mode == "integrate":
        assert k.max_abs_error < 1e-12
    elif case != "box" or mode == "center":
        assert k.max_abs_error > 1e-4          # sampling errors are real, and reported


QUADRATURE = {   # name: (kernel for a mode on 5x5, the model f(row, col), normalization)
    "airy": (lambda m: kernels.airy(1.3, size=5, mode=m, factor=3),
             lambda x, y: (2 * special.j1(J11 * np.hypot(x, y) / 1.3) /
                           (J11 * np.hypot(x, y) / 1.3)) ** 2 if x or y else 1.0),
    "moffat": (lambda m: kernels.moffat(1.5, 2.2, size=5, mode=m, factor=3),
               lambda x, y: (1 + (x * x + y * y) / 1.5 ** 2) ** -2.2),
    "gaussian-covariance": (
        lambda m: kernels.gaussian(covariance=[[1.0, 0.6], [0.6, 0.8]], size=5, mode=m, factor=2),
        lambda x, y: stats.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 0.8]]).pdf([x, y])),
}


@pytest.fixture(scope="module")
def quadrature_refs():
    return {name: sum_normalized(pixel_quad_2d(f, (5, 5))) for name, (_, f) in QUADRATURE.items()}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", QUADRATURE)
def test_error_bound_holds_against_independent_quadrature(case, mode, quadrature_refs):
    k = QUADRATURE[case][0](mode)
    assert k.error_basis == "quadrature"
    _check_bound(k, quadrature_refs[case], 1e-11)
    if mode == "integrate":
        assert k.max_abs_error < 1e-10


def test_airy_and_moffat_truncation_lie_between_the_encircled_energies():
    for k, outside in ((kernels.airy(1.5, size=13),
                        lambda rho: special.j0(J11 * rho / 1.5) ** 2 + special.j1(J11 * rho / 1.5) ** 2),
                       (kernels.moffat(1.2, 2.5, size=13),
                        lambda rho: (1 + rho ** 2 / 1.2 ** 2) ** (1 - 2.5))):
        half = 13 / 2
        assert outside(half * math.sqrt(2)) < k.truncation < outside(half)


# ---- convergence, normalization ----------------------------------------------------------

def test_oversampling_converges_to_the_pixel_integrals():
    exact = sum_normalized(_gauss2((7, 7), (0.7, 0.7)))
    errors = []
    for m in (1, 2, 4, 8, 16):
        k = kernels.gaussian(0.7, size=7, mode="oversample", factor=m)
        errors.append(np.abs(k.array - exact).max())
        assert k.max_abs_error == pytest.approx(errors[-1], abs=1e-14)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert ratios[0] > 3.5 and np.all(np.abs(ratios[1:] - 4) < 0.2)   # error ~ 1/m^2
    np.testing.assert_array_equal(kernels.gaussian(0.7, size=7, mode="oversample", factor=1).array,
                                  kernels.gaussian(0.7, size=7, mode="center").array)
    disk = [kernels.tophat(2.3, mode="oversample", factor=m).max_abs_error for m in (4, 16, 64)]
    assert disk[0] > disk[1] > disk[2] and disk[2] < 1e-3


def test_normalizations():
    s = kernels.moffat(1.0, 3.0, mode="center", normalize="sum").array
    p = kernels.moffat(1.0, 3.0, mode="center", normalize="peak").array
    n = kernels.moffat(1.0, 3.0, mode="center", normalize="none").array
    assert s.sum() == pytest.approx(1.0, abs=1e-15) and p.max() == 1.0
    centre = tuple(d // 2 for d in n.shape)
    assert n[centre] == pytest.approx(2.0 / math.pi, rel=1e-15)       # (alpha - 1)/(pi gamma^2)
    np.testing.assert_allclose(s, n / n.sum(), rtol=1e-15)
    np.testing.assert_allclose(p, n / n.max(), rtol=1e-15)


def test_zero_sum_and_non_positive_peak_are_refused():
    with pytest.raises(ValueError, match="kernels.ricker: normalize='sum' divides by the "
                                         "kernel's sum, and this model integrates to 0"):
        kernels.ricker(1.0, normalize="sum")
    with pytest.raises(ValueError, match=r"kernels.from_function: normalize='sum' divides by "
                                         r"the kernel's sum, which is .* \(0 up to rounding\)"):
        kernels.from_function(lambda x: x, (5,), normalize="sum")
    with pytest.raises(ValueError, match="normalize='peak' divides by the kernel's maximum, "
                                         "which is -1 \\(not > 0\\)"):
        kernels.from_function(lambda x: -1 - x * x, (3,), normalize="peak", mode="center")


# ---- agreement with the rest of sigconv --------------------------------------------------

@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.3])
def test_center_mode_gaussian_is_the_filters_kernel(sigma):
    radius = int(4 * sigma + 0.5)
    got = kernels.gaussian(sigma, ndim=1, size=2 * radius + 1, mode="center").array
    np.testing.assert_allclose(got, gaussian_kernel1d(sigma, radius=radius), rtol=1e-14)


def test_a_sampled_kernel_convolves_as_its_array():
    k = kernels.airy(1.2, size=7)
    x = np.random.default_rng(0).random((20, 24))
    np.testing.assert_array_equal(sigconv.convolve(x, k, "same"), sigconv.convolve(x, k.array, "same"))
    assert np.asarray(k) is k.array and np.asarray(k, dtype=np.float32).dtype == np.float32
    assert k.shape == (7, 7)


def test_a_constant_callable_gives_an_owned_array():
    k = kernels.from_function(lambda x, y: 2.0, (3, 4), mode="center", normalize="none")
    assert k.array.flags.writeable and k.array.flags.c_contiguous
    np.testing.assert_array_equal(k.array, np.full((3, 4), 2.0))
    assert k.max_abs_error < 1e-13           # the integral of a constant is exact


def test_estimate_error_false_skips_the_reference():
    k = kernels.airy(1.2, mode="center", estimate_error=False)
    assert k.pixel_error is None and k.max_abs_error is None and k.truncation is None


# ---- bad input: clear errors before any work ---------------------------------------------

def _counting():
    calls = []

    def f(x, y):
        calls.append(1)
        return np.exp(-x * x - y * y)
    return f, calls


@pytest.mark.parametrize("call, exc, match", [
    (lambda: kernels.box(-1.0), ValueError, r"kernels.box: width must be > 0; got -1"),
    (lambda: kernels.box((1.0, 0.0)), ValueError, r"kernels.box: width must be > 0; got 0"),
    (lambda: kernels.gaussian(float("nan")), ValueError, r"kernels.gaussian: sigma must be finite; got nan"),
    (lambda: kernels.gaussian(float("inf")), ValueError, r"kernels.gaussian: sigma must be finite; got inf"),
    (lambda: kernels.gaussian("1"), TypeError, r"kernels.gaussian: sigma must be a real number; got '1'"),
    (lambda: kernels.gaussian((1.0, 2.0), ndim=3), ValueError, r"sigma needs one value per axis \(3\)"),
    (lambda: kernels.gaussian(), ValueError, r"kernels.gaussian: give either sigma or covariance; got neither"),
    (lambda: kernels.gaussian(1.0, covariance=np.eye(2)), ValueError, r"got both"),
    (lambda: kernels.gaussian(covariance=[[1, 2], [2, 1]]), ValueError,
     r"kernels.gaussian: covariance must be positive definite; got eigenvalues \[-1.0, 3.0\]"),
    (lambda: kernels.gaussian(covariance=[[1, 0.5], [0, 1]]), ValueError, r"covariance must be finite and symmetric"),
    (lambda: kernels.gaussian(covariance=[1, 2]), ValueError, r"covariance must be a real square matrix; got shape \(2,\)"),
    (lambda: kernels.gaussian(covariance=np.eye(2), ndim=3), ValueError,
     r"covariance must be a real \(3, 3\) matrix; got shape \(2, 2\) and dtype float64"),
    (lambda: kernels.airy(1.0, estimate_error="no"), TypeError, r"kernels.airy: estimate_error must be True or False; got 'no'"),
    (lambda: kernels.gaussian(1.0, truncate=0), ValueError, r"kernels.gaussian: truncate must be > 0; got 0"),
    (lambda: kernels.gaussian(1.0, ndim=0), ValueError, r"kernels.gaussian: ndim must be >= 1; got 0"),
    (lambda: kernels.tophat(0.0), ValueError, r"kernels.tophat: radius must be > 0; got 0"),
    (lambda: kernels.ring(2.0, 2.0), ValueError, r"kernels.ring: inner must be < outer; got inner=2, outer=2"),
    (lambda: kernels.ring(-1.0, 2.0), ValueError, r"kernels.ring: inner must be >= 0; got -1"),
    (lambda: kernels.trapezoid(1.0, 0.0), ValueError, r"kernels.trapezoid: ramp must be > 0; got 0"),
    (lambda: kernels.moffat(1.0, 1.0), ValueError, r"kernels.moffat: alpha must be > 1 \(the integral diverges"),
    (lambda: kernels.airy(-2.0), ValueError, r"kernels.airy: radius must be > 0; got -2"),
    (lambda: kernels.ricker(1.0, truncate=float("inf")), ValueError, r"truncate must be finite; got inf"),
    (lambda: kernels.gaussian(1.0, mode="oversample", factor=0), ValueError,
     r"kernels.gaussian: factor must be >= 1; got 0"),
    (lambda: kernels.gaussian(1.0, mode="oversample", factor=2.5), TypeError,
     r"kernels.gaussian: factor must be an integer; got 2.5"),
    (lambda: kernels.gaussian(1.0, mode="oversample", factor=True), TypeError, r"factor must be an integer; got True"),
    (lambda: kernels.gaussian(1.0, mode="centre"), ValueError,
     r"kernels.gaussian: mode must be one of 'center', 'linear_interp', 'oversample', 'integrate'; got 'centre'"),
    (lambda: kernels.box(1.0, normalize="integral"), ValueError,
     r"kernels.box: normalize must be one of 'sum', 'peak', 'none'; got 'integral'"),
    (lambda: kernels.gaussian(1.0, size=0), ValueError, r"kernels.gaussian: size must be >= 1; got 0"),
    (lambda: kernels.gaussian(1.0, size=(3, 3, 3)), ValueError, r"size needs one value per convolution axis \(2\)"),
    (lambda: kernels.gaussian(1.0, epsrel=-1), ValueError, r"kernels.gaussian: epsrel must be a finite number >= 0; got -1"),
    (lambda: kernels.gaussian(1.0, epsabs=0, epsrel=0), ValueError, r"epsabs and epsrel cannot both be 0"),
    (lambda: kernels.airy(1.0, on_failure="ignore"), ValueError, r"on_failure must be one of 'raise', 'warn'; got 'ignore'"),
    (lambda: kernels.from_function(3.0, 3), TypeError, r"kernels.from_function: f must be callable; got float"),
    (lambda: kernels.from_function(lambda x: x, None), ValueError, r"kernels.from_function: size is required"),
])
def test_bad_parameters_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("options, match", [
    (dict(mode="bilinear"), "mode must be one of"),
    (dict(mode="oversample", factor=0), "factor must be >= 1"),
    (dict(normalize="max"), "normalize must be one of"),
    (dict(epsabs=float("nan")), "epsabs must be a finite number"),
])
def test_errors_come_before_any_evaluation_of_the_model(options, match):
    f, calls = _counting()
    with pytest.raises((ValueError, TypeError), match=match):
        kernels.from_function(f, (3, 3), **options)
    with pytest.raises(ValueError, match="size must be >= 1"):
        kernels.from_function(f, (3, -3))
    assert calls == []


def test_a_kernel_too_large_to_allocate_is_refused_before_any_work():
    f, calls = _counting()
    with sigconv.fft.options(max_memory=1 << 20):
        with pytest.raises(sigconv.ResourceLimitError,
                           match=r"kernels.from_function: a kernel of shape \(1000, 1000\) needs "
                                 r"about 0.0596 GB to sample, over the limit of 0.000977 GB"):
            kernels.from_function(f, (1000, 1000))
        with pytest.raises(MemoryError, match=r"kernels.gaussian: a kernel of shape \(8001, 8001\)"):
            kernels.gaussian(1000.0)
    assert calls == []


@pytest.mark.parametrize("f, match", [
    (lambda x, y: np.where(x * x + y * y > 0, 1.0, np.inf), "the model must give finite values; got inf at the pixel centres"),
    (lambda x, y: np.ones(2), r"the model must give one value per point, shape \(3, 3\); got shape \(2,\)"),
    (lambda x, y: x + 1j * y, "the model must give real numbers; got dtype complex128"),
])
def test_bad_callables_are_named(f, match):
    with pytest.raises(ValueError, match="kernels.from_function: " + match):
        kernels.from_function(f, (3, 3), mode="center")


def test_a_quadrature_that_misses_its_tolerance_raises_or_warns():
    step = lambda x, y: np.where(x + 0.3 * y > 0.17, 1.0, 0.0)
    with pytest.raises(QuadratureError, match=r"kernels.from_function: the pixel integrals did "
                                              r"not reach the tolerance .* within 200 subdivisions"):
        kernels.from_function(step, (3, 3))
    with pytest.warns(QuadratureWarning, match="did not reach the tolerance"):
        k = kernels.from_function(step, (3, 3), on_failure="warn")
    assert np.all(np.isfinite(k.array)) and k.max_abs_error > 0


def test_inputs_are_not_modified():
    cov = np.array([[1.0, 0.3], [0.3, 0.5]])
    before = cov.copy()
    kernels.gaussian(covariance=cov, size=3)
    np.testing.assert_array_equal(cov, before)
