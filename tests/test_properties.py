"""sigconv.properties: identities hold on every method and dtype, and the wrong ones fail."""

import math

import numpy as np
import pytest

import sigconv
from sigconv import _fpbound, properties as P
from sigconv._validate import METHODS
from sigconv.definitions import discrete

DTYPES = ["int64", "uint8", "float32", "float64", "complex64", "complex128"]


# Every explicit method.
EXPLICIT = [m for m in METHODS if m != "auto"]
METHOD_PARAMS = EXPLICIT


@pytest.mark.parametrize("method", EXPLICIT)
def test_method_runs(method):
    assert P.check_commutative(np.arange(5.0), np.ones(3), method=method).holds


def random(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "u":
        return rng.integers(0, 20, shape).astype(dtype)
    if dtype.kind in "ib":
        return rng.integers(-20, 21, shape).astype(dtype)
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


SHAPES = {1: ((13,), (4,)), 2: ((7, 6), (3, 4)), 3: ((4, 3, 5), (2, 2, 3))}


def operands(dtype, ndim, seed):
    rng = np.random.default_rng(seed)
    sa, sb = SHAPES[ndim]
    return (random(sa, dtype, rng), random(sb, dtype, rng), random(sb, dtype, rng),
            random(sa, dtype, rng), rng)


def run_check(name, dtype, ndim, method, seed=0):
    a, b, cb, ca, rng = operands(dtype, ndim, seed)
    if name == "commutative":
        return P.check_commutative(a, b, method=method)
    if name == "associative":
        return P.check_associative(a, b, cb, method=method)
    if name == "distributive":
        return P.check_distributive(a, b, cb, method=method)
    if name == "linearity":
        return P.check_linearity(a, b, ca, method=method)
    if name == "differentiation":
        return P.check_differentiation(a, b, method=method)
    if name == "integration":
        return P.check_integration(a, b, method=method)
    if name == "theorem-linear":
        return P.check_convolution_theorem(a, b, method=method)
    if name == "theorem-circular":
        return P.check_convolution_theorem(a, b, kind="circular", method=method)
    if name == "shift-linear":
        return P.check_shift_equivariance(a, b, (2, -1, 1)[:ndim], method=method)
    if name == "shift-circular":
        return P.check_shift_equivariance(a, b, -3, kind="circular", method=method)
    if name == "correlation":
        return P.check_correlation_relation(a, b, method=method)
    if name == "adjoint":
        y = random(tuple(n + m - 1 for n, m in zip(a.shape, b.shape)), dtype, rng)
        return P.check_adjoint(a, b, y, method=method)
    raise AssertionError(name)


CHECKS = ["commutative", "associative", "distributive", "linearity", "differentiation",
          "integration", "theorem-linear", "theorem-circular", "shift-linear",
          "shift-circular", "correlation", "adjoint"]
# Both sides are integer computations, held to a tolerance of exactly zero; the
# theorem compares with a floating-point FFT.
EXACT_FOR_INTEGERS = [c for c in CHECKS if not c.startswith("theorem")]


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHOD_PARAMS)
@pytest.mark.parametrize("check", CHECKS)
def test_identity_holds(check, method, dtype, ndim):
    for seed in range(2):
        result = run_check(check, dtype, ndim, method, seed)
        assert result.holds, result.detail
        assert result.max_error <= result.tolerance
        if np.dtype(dtype).kind in "iu" and check in EXACT_FOR_INTEGERS:
            assert result.tolerance == 0 and result.max_error == 0


@pytest.mark.parametrize("method", METHOD_PARAMS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_check_all_holds(method, dtype):
    a, b, *_ = operands(dtype, 1, 7)
    table = P.check_all(a, b, method=method)
    assert table.all_hold, str(table)
    assert len(table) == 11


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", [sigconv.convolve, sigconv.correlate])
def test_mode_is_passed_through(mode, op):
    rng = np.random.default_rng(3)
    a, b, c = rng.standard_normal(9), rng.standard_normal(4), rng.standard_normal(4)
    x, k = rng.standard_normal((5, 6)), rng.standard_normal((2, 3))
    y = rng.standard_normal(op(x, k, mode).shape)
    assert P.check_distributive(a, b, c, op=op, mode=mode).holds
    assert P.check_linearity(a, b, rng.standard_normal(9), op=op, mode=mode).holds
    assert P.check_adjoint(x, k, y, op=op, mode=mode).holds
    if op is sigconv.convolve:
        assert P.check_correlation_relation(a, b, mode=mode).holds
        assert P.check_commutative(a, b, mode=mode).holds == (mode != "same")
        assert P.check_commutative(a, a[::-1], mode=mode).holds


def test_adjoint_of_even_kernel_in_same_mode_uses_the_same_anchor():
    x, k = np.arange(6.0), np.array([1.0, 2.0, -1.0, 3.0])
    y = np.array([1.0, 0.0, 2.0, -1.0, 4.0, 1.0])
    for op in (sigconv.convolve, sigconv.correlate):
        assert P.check_adjoint(x, k, y, op=op, mode="same").holds
    # the naive adjoint (correlate 'same' with its own default anchor) is wrong here
    naive = lambda v: sigconv.correlate(v, k, "same")
    assert not P.check_adjoint(x, k, y, adjoint=naive, mode="same").holds


# -- identities that must fail ----------------------------------------------------------

def off_by_one(in1, in2, mode="full", method="auto", **options):
    return np.roll(sigconv.convolve(in1, in2, mode, method, **options), 1)


def slightly_scaled(in1, in2, mode="full", method="auto", **options):
    return sigconv.convolve(in1, in2, mode, method, **options) * (1 + 1e-9)


def rectified(in1, in2, mode="full", method="auto", **options):
    return sigconv.convolve(np.abs(in1), in2, mode, method, **options)


def time_varying(in1, in2, mode="full", method="auto", **options):
    out = sigconv.convolve(in1, in2, mode, method, **options)
    return out * (1 + np.arange(out.shape[-1]))


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "complex128"])
@pytest.mark.parametrize("method", METHOD_PARAMS)
def test_correlation_is_not_commutative(method, dtype):
    a, b, *_ = operands(dtype, 1, 1)
    result = P.check_commutative(a, b, op=sigconv.correlate, method=method)
    assert not result.holds
    assert result.max_error > result.tolerance
    # what does hold: correlate(a, b) is the reversed conjugate of correlate(b, a)
    np.testing.assert_allclose(sigconv.correlate(a, b, method=method),
                               np.flip(np.conj(sigconv.correlate(b, a, method=method))),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["linear", "circular"])
@pytest.mark.parametrize("op", [sigconv.correlate, off_by_one, slightly_scaled])
def test_wrong_operator_fails_the_convolution_theorem(op, kind):
    a, b, *_ = operands("float64", 1, 2)
    result = P.check_convolution_theorem(a, b, op=op, kind=kind)
    assert not result.holds, result.detail
    assert P.check_convolution_theorem(a, b, kind=kind).holds


def test_each_identity_fails_for_an_operator_that_breaks_it():
    a, b, c, d, rng = operands("complex128", 1, 4)
    y = random((16,), "complex128", rng)
    assert not P.check_associative(a, b, c, op=sigconv.correlate).holds
    assert not P.check_differentiation(a, b, op=sigconv.correlate).holds
    assert not P.check_integration(a, b, op=sigconv.correlate).holds  # sum(conj b)
    assert not P.check_distributive(a, b, c, op=lambda x, k, **kw: rectified(k, x, **kw)).holds
    assert not P.check_linearity(a, b, d, op=rectified).holds
    assert not P.check_shift_equivariance(a, b, 2, op=time_varying).holds
    assert not P.check_correlation_relation(a, b, corr=sigconv.convolve).holds
    assert not P.check_adjoint(a, b, y, adjoint=lambda v: sigconv.convolve(v, b, "valid")).holds
    table = P.check_all(a.real, b.real, op=off_by_one)
    assert not table.all_hold
    assert not table["convolution theorem"].holds and table["commutative"].holds


# -- tolerances: derived from the inputs, valid, and tight enough -----------------------

def test_tolerance_scales_with_inputs_and_precision():
    a, b, *_ = operands("float64", 1, 5)
    t1 = P.check_commutative(a, b).tolerance
    assert P.check_commutative(1000 * a, b).tolerance == pytest.approx(1000 * t1, rel=1e-12)
    t32 = P.check_commutative(a.astype(np.float32), b.astype(np.float32)).tolerance
    assert 2.0 ** 28 < t32 / t1 < 2.0 ** 30


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("method", METHOD_PARAMS)
@pytest.mark.parametrize("case", ["1d", "2d", "2d-rank-one-kernel"])
def test_convolution_error_bound_holds_against_exact_sums(case, method, dtype):
    """The bound behind every tolerance covers the real error of each method.

    The rank-one kernel makes the direct engine split it into 1-D passes.
    """
    rng = np.random.default_rng(11)
    shapes = {"1d": ((40,), (9,))}.get(case, ((9, 8), (5, 5)))
    for _ in range(3):
        a, b = (random(s, dtype, rng) * 10.0 ** rng.integers(-3, 4) for s in shapes)
        if case == "2d-rank-one-kernel":
            b = np.multiply.outer(b[0], b[:, 0])
        got = sigconv.convolve(a, b, method=method)
        exact = discrete.convolve(a, b)  # fsum-exact sums of the same float values
        err = float(np.max(np.abs(got.astype(exact.dtype) - exact)))
        bound = _fpbound.conv(_fpbound.Bound.of(a), _fpbound.Bound.of(b),
                              _fpbound.unit_roundoff(got.dtype)).err
        assert err <= bound
        assert bound < 1e5 * _fpbound.unit_roundoff(got.dtype) * np.abs(exact).max() * a.size


def test_integer_results_beyond_float_precision_stay_exact():
    a = np.array([2 ** 40 + 1, 3, -2 ** 41], dtype=np.int64)
    b = np.array([2 ** 12 + 1, -7], dtype=np.int64)
    for check in (P.check_commutative(a, b, method="direct"),
                  P.check_integration(a, b, method="direct")):
        assert check.holds and check.tolerance == 0
    off = lambda x, k, **kw: sigconv.convolve(x, k, **kw) + np.eye(1, 4, 2, dtype=np.int64)[0]
    result = P.check_integration(a, b, op=off)
    assert not result.holds and result.max_error == 1


def test_nonfinite_inputs_do_not_hold():
    a = np.array([1.0, np.nan, 2.0])
    result = P.check_commutative(a, [1.0, 2.0])
    assert not result.holds and math.isnan(result.max_error)


# -- results and tables -------------------------------------------------------------------

def test_check_result_fields_and_truth():
    r = P.check_commutative([1, 2], [3, 4])
    assert (r.holds, r.max_error, r.tolerance) == (True, 0.0, 0.0)
    assert bool(r) and "convolve(a, b) == convolve(b, a)" in r.detail
    assert not P.check_commutative([1, 2], [3, 4], op=sigconv.correlate)


def test_check_all_table_text_and_html():
    table = P.check_all([1.0, 2.0, 3.0, 5.0], [1.0, -1.0], op=sigconv.correlate)
    text = str(table)
    lines = text.splitlines()
    assert lines[0] == "identities of correlate (method='auto')"
    assert lines[1].split() == ["check", "holds", "max", "error", "tolerance"]
    row = {ln[:30].strip(): ln[30:].split() for ln in lines[3:]}
    assert row["commutative"][0] == "NO" and row["distributive"][0] == "yes"
    assert len({len(ln) for ln in lines[1:3]}) == 1  # header and rule aligned
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr") == len(table) + 1
    assert "<td>commutative</td><td>NO</td>" in html
    assert table[0][0] == "commutative" and table["adjoint"].holds
    with pytest.raises(KeyError, match="no check named 'nope'"):
        table["nope"]


def test_check_all_leaves_out_the_adjoint_of_a_custom_op_unless_given():
    a, b = np.arange(5.0), np.array([1.0, 2.0])
    table = P.check_all(a, b, op=off_by_one)
    assert "adjoint" not in [name for name, _ in table]
    given = P.check_all(a, b, op=off_by_one, adjoint=lambda y: sigconv.correlate(y, b, "valid"))
    assert not given["adjoint"].holds  # the true adjoint of the unshifted map


# -- bad arguments ------------------------------------------------------------------------

def test_errors_name_the_function_and_argument():
    with pytest.raises(sigconv.ShapeError, match=r"check_distributive: b and c must have the same shape; got \(2,\) and \(3,\)"):
        P.check_distributive([1, 2], [1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match=r"check_convolution_theorem: kind must be one of 'linear', 'circular'; got 'cyclic'"):
        P.check_convolution_theorem([1, 2], [1], kind="cyclic")
    with pytest.raises(sigconv.ShapeError, match="kind='circular' needs b no larger than a"):
        P.check_convolution_theorem([1, 2], [1, 2, 3], kind="circular")
    with pytest.raises(TypeError, match="check_adjoint: adjoint is needed for op=off_by_one"):
        P.check_adjoint([1, 2, 3], [1, 1], [1, 2, 3, 4], op=off_by_one)
    with pytest.raises(sigconv.ShapeError, match=r"check_adjoint: y must have the shape of op\(x, k, mode='full'\), \(4,\); got \(3,\)"):
        P.check_adjoint([1, 2, 3], [1, 1], [1, 2, 3])
    with pytest.raises(sigconv.ShapeError, match="mode='valid' needs x at least as large as k"):
        P.check_adjoint([1, 2], [1, 1, 1], [1], mode="valid")
    with pytest.raises(ValueError, match=r"check_shift_equivariance: shift must be an int or one int per axis \(1\); got 1.5"):
        P.check_shift_equivariance([1, 2], [1], 1.5)
    with pytest.raises(sigconv.DTypeError, match="check_commutative: unsupported dtype <U1 for a"):
        P.check_commutative(["a"], [1])
    with pytest.raises(ValueError, match="check_commutative: mode must be one of 'full', 'same', 'valid'; got 'ful'"):
        P.check_commutative([1], [1], mode="ful")
