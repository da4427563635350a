"""sigconv.continuous: quadrature against closed forms, sampled convergence, failures."""

import math
import warnings

import numpy as np
import pytest

import sigconv
from sigconv import continuous as C
from sigconv.continuous import pairs

T = np.linspace(-4.0, 6.0, 37)
PAIRS = pairs.catalog()


def values(x):
    return np.asarray(x, dtype=float)


def one(x):
    return np.ones_like(values(x))


@pytest.mark.parametrize("method", C.QUADRATURE_METHODS)
@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.name}-{i}" for i, p in enumerate(PAIRS)])
def test_closed_form_pairs_match_quadrature(pair, method):
    got, err = C.convolve(pair.f, pair.g, T, support=pair.support, method=method,
                          return_error=True)
    exact = pair.s(T)
    assert got.dtype == exact.dtype
    assert np.max(np.abs(got - exact)) < 1e-8
    assert np.max(err) < 1e-8


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.name}-{i}" for i, p in enumerate(PAIRS)])
def test_pairs_vanish_outside_their_declared_supports(pair):
    """So the overlap quadrature above integrates the whole convolution integral."""
    for fn, (lo, hi) in ((pair.f, pair.f_support), (pair.g, pair.g_support)):
        outside = np.concatenate([lo - np.geomspace(1e-9, 1e3, 20), hi + np.geomspace(1e-9, 1e3, 20)])
        outside = outside[np.isfinite(outside)]
        assert np.all(fn(outside) == 0)
        inside = np.array([v for v in (lo, hi) if np.isfinite(v)])
        assert np.all(fn(inside) != 0)  # closed intervals


def test_result_has_the_shape_of_t():
    p = pairs.gaussians()
    assert C.convolve(p.f, p.g, 0.5).shape == ()
    grid = np.arange(6.0).reshape(2, 3) / 3
    got, err = C.convolve(p.f, p.g, grid, return_error=True)
    assert got.shape == err.shape == (2, 3)
    np.testing.assert_allclose(got, p.s(grid), rtol=0, atol=1e-12)


def test_empty_overlap_is_exactly_zero():
    p = pairs.boxes(1.0, 1.0)
    got, err = C.convolve(p.f, p.g, [-5.0, -1.0, 1.0, 7.0], support=p.support, return_error=True)
    assert got.tolist() == [0.0, 0.0, 0.0, 0.0] and err.tolist() == [0.0] * 4


def test_support_limits_the_integral_to_the_overlap():
    """A function nonzero outside its declared support: only the support counts."""
    f = lambda x: 1.0 + 0 * values(x)  # 1 everywhere, declared on [0, 2]
    got = C.convolve(f, f, [0.0, 1.0, 2.0, 3.0, 4.0], support=((0, 2), (0, 2)))
    np.testing.assert_allclose(got, [0.0, 1.0, 2.0, 1.0, 0.0], atol=1e-14)


def test_complex_functions_give_complex_results():
    p = pairs.modulated_gaussian(2.0, 0.7, 1.1)
    for method in C.QUADRATURE_METHODS:
        got = C.convolve(p.f, p.g, T, method=method)
        assert got.dtype == np.complex128
        assert np.max(np.abs(got - p.s(T))) < 1e-8
        assert np.max(np.abs(got.imag)) > 1e-2


# -- never a silent number ----------------------------------------------------------------

@pytest.mark.parametrize("method", C.QUADRATURE_METHODS)
def test_nan_integrand_raises(method):
    f = lambda x: np.where(values(x) > 0.25, np.nan, 1.0)
    with pytest.raises(ValueError, match=r"continuous.convolve: the integrand f\(a\) \* g\(t - a\) is nan at a = "):
        C.convolve(f, one, [0.5, 1.0], support=((-1, 2), (0, 1)), method=method)


@pytest.mark.parametrize("method", C.QUADRATURE_METHODS)
def test_overflowing_integrand_raises(method):
    f = lambda x: np.exp(values(x) ** 2)
    with np.errstate(over="ignore"):
        with pytest.raises(ValueError, match="is (inf|nan) at a = .* for t = 0.5; a quadrature cannot integrate"):
            C.convolve(f, pairs.gaussians().g, [0.5], method=method)


def test_singularity_hit_by_a_node_raises():
    f = lambda x: 1.0 / values(x)
    with np.errstate(divide="ignore"), pytest.raises(ValueError, match="is inf at a = 0 for t = 0.5"):
        C.convolve(f, one, [0.5], support=((-1, 2), (0, 1)))


@pytest.mark.parametrize("method", C.QUADRATURE_METHODS)
def test_divergent_integral_raises_quadrature_error(method):
    f = lambda x: np.sin(1e5 * values(x))  # finite, too oscillatory for 50 subintervals
    with pytest.raises(C.QuadratureError, match=r"continuous.convolve: the quadrature did not "
                       r"reach its tolerance at 1 point\(s\), first at t = 0.6 \(estimated error"):
        C.convolve(f, one, [0.6, 5.0], support=((-1, 2), (0, 1)), method=method, limit=50)


def test_divergent_integral_warns_with_error_estimates_on_request():
    f = lambda x: np.sin(1e5 * values(x))
    with pytest.warns(C.QuadratureWarning, match="did not reach its tolerance"):
        got, err = C.convolve(f, one, [0.6, 5.0], support=((-1, 2), (0, 1)),
                              return_error=True, on_failure="warn", limit=50)
    assert err[0] > 1e-6 and got[1] == 0.0 and err[1] == 0.0
    assert issubclass(C.QuadratureError, sigconv.SigconvError)
    assert issubclass(C.QuadratureError, RuntimeError)


def test_converging_quadrature_does_not_warn():
    p = pairs.exponential_box()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        C.convolve(p.f, p.g, T, support=p.support)


def test_bad_arguments_are_named():
    p = pairs.gaussians()
    with pytest.raises(ValueError, match="continuous.convolve: method must be one of 'quad', 'quad_vec'; got 'simpson'"):
        C.convolve(p.f, p.g, 0.0, method="simpson")
    with pytest.raises(TypeError, match="continuous.convolve: g must be callable; got ndarray"):
        C.convolve(p.f, np.ones(3), 0.0)
    with pytest.raises(ValueError, match=r"the support of f must have lo < hi; got \(1, 0\)"):
        C.convolve(p.f, p.g, 0.0, support=((1, 0), None))
    with pytest.raises(ValueError, match=r"support must be \(\(f_lo, f_hi\), \(g_lo, g_hi\)\); got 3"):
        C.convolve(p.f, p.g, 0.0, support=3)
    with pytest.raises(ValueError, match="continuous.convolve: t must be finite; got nan"):
        C.convolve(p.f, p.g, [0.0, np.nan])
    with pytest.raises(ValueError, match="continuous.convolve: t must be real"):
        C.convolve(p.f, p.g, [1j])
    with pytest.raises(ValueError, match="continuous.convolve: epsabs must be a finite number >= 0; got -1"):
        C.convolve(p.f, p.g, 0.0, epsabs=-1)
    with pytest.raises(ValueError, match="on_failure must be one of 'raise', 'warn'; got 'ignore'"):
        C.convolve(p.f, p.g, 0.0, on_failure="ignore")


# -- sampled: the discrete approximation and its convergence --------------------------------

STEPS = [2.0 ** -k for k in range(3, 8)]


def max_errors(pair, support, rule, exclude=()):
    out = []
    for dx in STEPS:
        t, v = C.sampled(pair.f, pair.g, dx, support=support, rule=rule)
        keep = ~np.isin(np.round(t, 9), exclude)
        out.append(np.max(np.abs(v - pair.s(t))[keep]))
    return np.array(out)


def orders(errors):
    return np.log2(errors[:-1] / errors[1:])


CASES = [  # pair, finite support, t where a jump of f meets a jump of g
    (pairs.gaussian_box(0.5, 2.0), ((-5.0, 5.0), (-1.0, 1.0)), ()),
    (pairs.exponentials(1.0, 2.5), ((0.0, 40.0), (0.0, 40.0)), (0.0,)),
    (pairs.exponential_box(2.0, 1.5), ((0.0, 20.0), (0.0, 1.5)), (0.0, 1.5)),
    (pairs.boxes(1.0, 2.0), ((-0.5, 0.5), (-1.0, 1.0)), (-1.5, -0.5, 0.5, 1.5)),
]


@pytest.mark.parametrize("pair, support, meets", CASES, ids=[c[0].name for c in CASES])
def test_rectangle_rule_is_first_order(pair, support, meets):
    assert np.all(np.abs(orders(max_errors(pair, support, "rectangle")) - 1) < 0.1)


@pytest.mark.parametrize("pair, support, meets", CASES, ids=[c[0].name for c in CASES])
def test_trapezoid_rule_is_second_order_away_from_meeting_jumps(pair, support, meets):
    errors = max_errors(pair, support, "trapezoid", exclude=meets)
    if pair.name == "box * box":  # piecewise linear in t: exact away from the jumps
        assert np.max(errors) < 1e-13
    else:
        assert np.all(np.abs(orders(errors) - 2) < 0.1)
    if meets:  # where jumps meet, the trapezoid rule is first order (documented)
        assert np.all(np.abs(orders(max_errors(pair, support, "trapezoid")) - 1) < 0.1)


def test_smooth_functions_vanishing_at_the_ends_converge_fast():
    p = pairs.gaussians(0.0, 1.0, 0.5, 0.5)
    for rule in C.RULES:
        t, v = C.sampled(p.f, p.g, 0.125, support=((-12, 12), (-6, 7)), rule=rule)
        assert np.max(np.abs(v - p.s(t))) < 1e-14


def test_sampled_time_axis_and_values():
    f = lambda x: values(x) + 1.0
    g = lambda x: 2.0 - values(x)
    t, v = C.sampled(f, g, 0.5, support=((1.0, 2.0), (-1.0, 0.0)))
    np.testing.assert_array_equal(t, [0.0, 0.5, 1.0, 1.5, 2.0])
    fs, gs = f(np.array([1.0, 1.5, 2.0])), g(np.array([-1.0, -0.5, 0.0]))
    np.testing.assert_allclose(v, 0.5 * np.convolve(fs, gs), rtol=1e-15)
    t2, v2 = C.sampled(f, g, 0.5, support=((1.0, 2.0), (-1.0, 0.0)), rule="trapezoid")
    w = np.array([0.5, 1.0, 0.5])
    np.testing.assert_allclose(v2, 0.5 * np.convolve(fs * w, gs * w), rtol=1e-15)


def test_sampled_approaches_the_quadrature():
    p = pairs.exponential_box(1.0, 1.0)
    t, v = C.sampled(p.f, p.g, 1 / 512, support=((0, 30), p.g_support), rule="trapezoid")
    pick = slice(100, 2000, 97)
    quad = C.convolve(p.f, p.g, t[pick], support=p.support)
    assert np.max(np.abs(v[pick] - quad)) < 1e-5


@pytest.mark.parametrize("method", [m for m in ("direct", "fft")])
def test_sampled_passes_the_method_on(method, monkeypatch):
    p = pairs.gaussian_box(0.5, 2.0)
    ref = C.sampled(p.f, p.g, 0.25, support=((-5, 5), p.g_support), method="direct")[1]
    got = C.sampled(p.f, p.g, 0.25, support=((-5, 5), p.g_support), method=method)[1]
    np.testing.assert_allclose(got, ref, atol=1e-14)
    from sigconv import _pipeline as _convolve
    other = {"direct": "fft", "fft": "direct"}[method]
    monkeypatch.setitem(_convolve.ENGINES, other, None)  # calling it would fail
    C.sampled(p.f, p.g, 0.25, support=((-5, 5), p.g_support), method=method)


def test_sampled_complex_pair():
    p = pairs.modulated_gaussian(2.0, 1.0, 0.5)
    t, v = C.sampled(p.f, p.g, 1 / 16, support=((-10, 10), (-5, 5)), rule="trapezoid")
    assert v.dtype == np.complex128
    assert np.max(np.abs(v - p.s(t))) < 1e-12


def test_sampled_bad_arguments():
    p = pairs.gaussians()
    with pytest.raises(ValueError, match=r"continuous.sampled: support must be finite intervals .*; got None"):
        C.sampled(p.f, p.g, 0.1, support=None)
    with pytest.raises(ValueError, match="continuous.sampled: support must be finite to be sampled"):
        C.sampled(p.f, p.g, 0.1, support=p.support)
    with pytest.raises(ValueError, match="continuous.sampled: dx must be a finite number > 0; got 0"):
        C.sampled(p.f, p.g, 0, support=((0, 1), (0, 1)))
    with pytest.raises(ValueError, match="rule must be one of 'rectangle', 'trapezoid'; got 'simpson'"):
        C.sampled(p.f, p.g, 0.1, support=((0, 1), (0, 1)), rule="simpson")
    with pytest.raises(sigconv.ResourceLimitError, match="continuous.sampled: dx=1e-09 needs 1000000001 samples of f"):
        C.sampled(p.f, p.g, 1e-9, support=((0, 1), (0, 1)))
    with pytest.raises(ValueError, match="continuous.sampled: f is not finite at 0.5; got inf"):
        C.sampled(lambda x: np.where(values(x) == 0.5, np.inf, 1.0), p.g, 0.25, support=((0, 1), (0, 1)))
    with pytest.raises(ValueError, match=r"g must return one value per sample point; got shape \(\) for \(5,\) points"):
        C.sampled(p.f, lambda x: 1.0, 0.25, support=((0, 1), (0, 1)))


def test_pair_parameters_are_checked():
    with pytest.raises(ValueError, match="pairs.gaussians: sigma2 must be a finite number > 0; got 0"):
        pairs.gaussians(0, 1, 0, 0)
    with pytest.raises(ValueError, match="pairs.boxes: width1 must be a finite number > 0; got -1"):
        pairs.boxes(-1, 1)


def test_public_names():
    assert sigconv.continuous.convolve is sigconv.definitions.continuous.convolve
    assert sigconv.continuous.pairs is sigconv.definitions.pairs
    assert {p.name for p in PAIRS} >= {"gaussian * gaussian", "box * box",
                                       "one-sided exponentials", "exponential * box"}


def test_scalar_only_functions_work_with_quad():
    f = lambda x: math.exp(-x * x)  # math.exp refuses arrays
    got = C.convolve(f, f, [0.0, 1.0])
    np.testing.assert_allclose(got, math.sqrt(math.pi / 2) * np.exp(-np.array([0.0, 1.0]) / 2),
                               rtol=1e-12)
