"""sigconv.matrices against scipy.linalg, sigconv.convolve, the textbook sums and the DFT."""

import itertools
import tracemalloc
import zlib

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings, strategies as st
from scipy import sparse

import sigconv
from sigconv import ResourceLimitError, ShapeError, DTypeError
from sigconv.definitions import discrete
from sigconv.matrices import (block_circulant, circulant, circulant_eigenvalues,
                              convolution_matrix, doubly_block_circulant,
                              doubly_block_toeplitz, efficiency_table, toeplitz)

MODES = ("full", "same", "valid")
BOUNDARIES = ("constant", "reflect", "mirror", "nearest", "wrap")
OPS = ("convolve", "correlate")
# (input shape, kernel shape): even and odd kernel extents, so the centres differ
CASES = {1: ((11,), (4,)), 2: ((7, 9), (3, 4)), 3: ((6, 7, 5), (2, 3, 2))}
STEPS = {"plain": (1, 1), "stride": (2, 1), "dilation": (1, 2), "both": ((2, 3, 1), (3, 1, 2))}


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _per_axis(value, nd):
    return value[:nd] if isinstance(value, tuple) else value


def _run(op, x, k, mode, **kw):
    return getattr(sigconv, op)(x, k, mode, method="direct", **kw)


# --- 1-D: scipy.linalg -----------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("k,n", [(3, 7), (4, 7), (1, 5), (6, 6), (2, 9)])
def test_equals_scipy_convolution_matrix(mode, k, n):
    a = _rng(mode, k, n).standard_normal(k)
    expected = scipy.linalg.convolution_matrix(a, n, mode)
    got = convolution_matrix(a, n, mode, format="dense")
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(toeplitz(a, n, mode).toarray(), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("k,n", [(7, 3), (5, 1), (9, 4)])
def test_valid_swap_equals_scipy(k, n):
    """A kernel longer than the input in 'valid' mode: scipy's swap, as convolve does."""
    a = np.arange(1, k + 1)
    expected = scipy.linalg.convolution_matrix(a, n, "valid")
    np.testing.assert_array_equal(convolution_matrix(a, n, "valid", format="dense"), expected)


@pytest.mark.parametrize("k,n", [(2, 5), (4, 4), (5, 8)])
def test_full_toeplitz_equals_scipy_toeplitz(k, n):
    a = _rng(k, n).integers(-9, 10, k)
    column = np.r_[a, np.zeros(n - 1, dtype=a.dtype)]
    row = np.r_[a[0], np.zeros(n - 1, dtype=a.dtype)]
    np.testing.assert_array_equal(toeplitz(a, n, format="dense"),
                                  scipy.linalg.toeplitz(column, row))


@pytest.mark.parametrize("k,n", [(5, 5), (3, 8), (1, 4)])
def test_circulant_equals_scipy_circulant(k, n):
    a = _rng(k, n).integers(-9, 10, k)
    padded = np.r_[a, np.zeros(n - k, dtype=a.dtype)]
    np.testing.assert_array_equal(circulant(a, n, format="dense"),
                                  scipy.linalg.circulant(padded))


@pytest.mark.parametrize("k,n", [(5, 5), (3, 8), (11, 4)])
def test_circulant_is_fft_convolution(k, n):
    """FAULTS B8: circulant(k) @ x == ifft(fft(k) fft(x)), taps beyond n wrapping."""
    rng = _rng("fft", k, n)
    a, x = rng.standard_normal(k), rng.standard_normal(n)
    wrapped = np.bincount(np.arange(k) % n, weights=a, minlength=n)
    expected = np.fft.ifft(np.fft.fft(wrapped) * np.fft.fft(x)).real
    np.testing.assert_allclose(circulant(a, n) @ x, expected, atol=1e-12)


# --- N-D: sigconv.convolve, every mode, boundary, op, centre, stride, dilation ----------

@pytest.mark.parametrize("steps", list(STEPS))
@pytest.mark.parametrize("center", ["scipy", "ndimage"])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_matches_convolve(nd, mode, boundary, op, center, steps):
    shape, kshape = CASES[nd]
    stride, dilation = (_per_axis(v, nd) for v in STEPS[steps])
    rng = _rng(nd, mode, boundary, op, center, steps)
    x, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    kw = dict(boundary=boundary, center=center, stride=stride, dilation=dilation)
    expected = _run(op, x, k, mode, **kw)
    M = convolution_matrix(k, shape, mode, op=op, format="sparse", **kw)
    assert M.shape == (expected.size, x.size)
    np.testing.assert_allclose(M @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)
    D = convolution_matrix(k, shape, mode, op=op, format="dense", **kw)
    np.testing.assert_allclose(D, M.toarray(), rtol=0, atol=0)
    L = convolution_matrix(k, shape, mode, op=op, format="operator", **kw)
    np.testing.assert_allclose(L @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


@st.composite
def _geometries(draw):
    nd = draw(st.integers(1, 3))
    axes = lambda lo, hi: tuple(draw(st.integers(lo, hi)) for _ in range(nd))  # noqa: E731
    return dict(shape=axes(1, 6), kshape=axes(1, 5), mode=draw(st.sampled_from(MODES)),
                boundary=draw(st.sampled_from(BOUNDARIES)), op=draw(st.sampled_from(OPS)),
                center=draw(st.sampled_from(["scipy", "ndimage"])), stride=axes(1, 3),
                dilation=axes(1, 3), seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(_geometries())
def test_random_geometries_match_convolve_and_adjoint(g):
    """Kernels larger than the input, strides past the end, pads longer than the input."""
    rng = np.random.default_rng(g["seed"])
    x = rng.standard_normal(g["shape"])
    k = rng.standard_normal(g["kshape"]) + 1j * rng.standard_normal(g["kshape"])
    kw = {key: g[key] for key in ("boundary", "center", "stride", "dilation")}
    try:
        expected = _run(g["op"], x, k, g["mode"], **kw)
    except ShapeError:      # the matrix refuses exactly what convolve refuses
        with pytest.raises(ShapeError):
            convolution_matrix(k, g["shape"], g["mode"], op=g["op"], **kw)
        return
    M = convolution_matrix(k, g["shape"], g["mode"], op=g["op"], **kw)
    np.testing.assert_allclose(M @ x.ravel(), expected.ravel(), atol=1e-10)
    A = convolution_matrix(k, g["shape"], g["mode"], op=g["op"], format="operator", **kw)
    y = rng.standard_normal(M.shape[0]) + 1j * rng.standard_normal(M.shape[0])
    np.testing.assert_allclose(A.rmatvec(y), M.conj().T @ y, atol=1e-10)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_full_matches_textbook_sum(nd, op):
    """An oracle independent of the core: the defining sums of sigconv.definitions."""
    shape, kshape = CASES[nd]
    rng = _rng("textbook", nd, op)
    x = rng.integers(-5, 6, shape)
    k = rng.integers(-5, 6, kshape) + 1j * rng.integers(-5, 6, kshape)
    expected = getattr(discrete, op)(x, k)
    M = convolution_matrix(k, shape, op=op)
    np.testing.assert_array_equal(M @ x.ravel(), expected.ravel())


@pytest.mark.parametrize("center", [0, 1, (1, 0)])
@pytest.mark.parametrize("op", OPS)
def test_integer_center_taps(center, op):
    rng = _rng("center", center, op)
    x, k = rng.standard_normal((5, 6)), rng.standard_normal((2, 3))
    for boundary in BOUNDARIES:
        expected = _run(op, x, k, "same", boundary=boundary, center=center)
        M = convolution_matrix(k, x.shape, "same", op=op, boundary=boundary, center=center)
        np.testing.assert_allclose(M @ x.ravel(), expected.ravel(), atol=1e-12)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("stride", [1, 2, (3, 1)])
@pytest.mark.parametrize("shapes", [((3, 4), (5, 6)), ((2, 2), (2, 5)), ((1, 3), (4, 3))])
def test_valid_swap_matches_convolve(shapes, stride, op):
    (xs, ks) = shapes
    rng = _rng("swap", shapes, stride, op)
    x, k = rng.standard_normal(xs), rng.standard_normal(ks) + 1j * rng.standard_normal(ks)
    expected = _run(op, x, k, "valid", stride=stride)
    for fmt in ("sparse", "operator"):
        M = convolution_matrix(k, xs, "valid", op=op, stride=stride, format=fmt)
        np.testing.assert_allclose(M @ x.ravel(), expected.ravel(), atol=1e-12)
    y = rng.standard_normal(expected.size)
    np.testing.assert_allclose(M.rmatvec(y),
                               convolution_matrix(k, xs, "valid", op=op, stride=stride)
                               .conj().T @ y, atol=1e-12)


def test_byte_order_and_layout_of_the_kernel_do_not_matter():
    k = np.arange(12.0).reshape(3, 4)
    x = np.random.default_rng(4).standard_normal((5, 6))
    expected = convolution_matrix(k, x.shape, "same", boundary="mirror").toarray()
    for variant in (k.astype(">f8"), np.asfortranarray(k), k[:, ::-1][:, ::-1]):
        M = convolution_matrix(variant, x.shape, "same", boundary="mirror")
        np.testing.assert_array_equal(M.toarray(), expected)
        A = convolution_matrix(variant, x.shape, "same", boundary="mirror", format="operator")
        np.testing.assert_allclose(A @ x.ravel(), expected @ x.ravel(), atol=1e-12)
        np.testing.assert_allclose(A.H @ x.ravel(), expected.T @ x.ravel(), atol=1e-12)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_kernel_longer_than_input_wraps_and_reflects(boundary):
    """Pads longer than the input keep extending by the rule (several taps, one sample)."""
    rng = _rng("long", boundary)
    x, k = rng.standard_normal(3), rng.standard_normal(8)
    for mode in ("full", "same"):
        expected = _run("convolve", x, k, mode, boundary=boundary)
        M = convolution_matrix(k, 3, mode, boundary=boundary)
        assert M.has_canonical_format
        np.testing.assert_allclose(M @ x, expected, atol=1e-12)


@pytest.mark.parametrize("kernel,dtype", [([1, -2, 3], np.int64), ([True, False, True], np.int64),
                                          (np.float16([1, 2]), np.float32),
                                          (np.float32([1, 2]), np.float32),
                                          (np.complex64([1j, 2]), np.complex64)])
def test_entry_dtypes(kernel, dtype):
    assert convolution_matrix(kernel, 4).dtype == dtype
    assert convolution_matrix(kernel, 4, format="dense").dtype == dtype


def test_integer_matrix_is_exact():
    x = np.array([2**40, -3, 2**41 + 1, 7])
    k = np.array([2**20 + 1, -5, 3])
    M = convolution_matrix(k, 4, "same", boundary="mirror")
    np.testing.assert_array_equal(M @ x, sigconv.convolve(x, k, "same", boundary="mirror"))


def test_zero_taps_are_not_stored():
    k = np.zeros((3, 3))
    k[1, 1] = 2.0
    M = convolution_matrix(k, (4, 5), "same")
    assert M.nnz == 20
    np.testing.assert_array_equal(M.toarray(), 2 * np.eye(20))


@pytest.mark.parametrize("shape,kshape,mode", [((0,), (3,), "full"), ((4,), (0,), "same"),
                                               ((0, 3), (2, 2), "same")])
def test_empty_shapes(shape, kshape, mode):
    k = np.ones(kshape)
    expected = sigconv.convolve(np.ones(shape), k, mode)
    for fmt in ("sparse", "dense"):
        M = convolution_matrix(k, shape, mode, format=fmt)
        assert M.shape == (expected.size, int(np.prod(shape)))
        np.testing.assert_array_equal(M @ np.ones(int(np.prod(shape))), expected.ravel())


# --- the operator's adjoint ---------------------------------------------------------------

@pytest.mark.parametrize("steps", list(STEPS))
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adjoint_dot_product(nd, mode, boundary, steps):
    """<A x, y> == <x, A^H y> for complex x, y and a complex kernel, both ops."""
    shape, kshape = CASES[nd]
    stride, dilation = (_per_axis(v, nd) for v in STEPS[steps])
    rng = _rng("adjoint", nd, mode, boundary, steps)
    k = rng.standard_normal(kshape) + 1j * rng.standard_normal(kshape)
    for op in OPS:
        A = convolution_matrix(k, shape, mode, op=op, boundary=boundary, stride=stride,
                               dilation=dilation, format="operator")
        x = rng.standard_normal(A.shape[1]) + 1j * rng.standard_normal(A.shape[1])
        y = rng.standard_normal(A.shape[0]) + 1j * rng.standard_normal(A.shape[0])
        lhs, rhs = np.vdot(y, A.matvec(x)), np.vdot(A.rmatvec(y), x)
        assert abs(lhs - rhs) <= 1e-12 * max(1.0, abs(lhs))
        M = convolution_matrix(k, shape, mode, op=op, boundary=boundary, stride=stride,
                               dilation=dilation)
        np.testing.assert_allclose(A.H @ y, M.conj().T @ y, atol=1e-12)


def test_operator_in_a_solver():
    """The adjoint is what least squares needs: recover x from a blurred, strided view."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 6))
    k = np.array([[1.0, 0.5], [0.25, 2.0]])
    A = convolution_matrix(k, x.shape, "full", boundary="reflect", format="operator")
    b = sigconv.convolve(x, k, "full", boundary="reflect").ravel()
    solution = sparse.linalg.lsqr(A, b, atol=1e-14, btol=1e-14, iter_lim=500)[0]
    np.testing.assert_allclose(solution, x.ravel(), atol=1e-8)


def test_operator_attributes_and_matmat():
    k = np.arange(1.0, 7.0).reshape(2, 3)
    A = convolution_matrix(k, (4, 5), "same", format="operator")
    assert isinstance(A, sparse.linalg.LinearOperator)
    assert (A.input_shape, A.output_shape, A.shape) == ((4, 5), (4, 5), (20, 20))
    X = np.random.default_rng(0).standard_normal((20, 3))
    np.testing.assert_allclose(A @ X, convolution_matrix(k, (4, 5), "same") @ X, atol=1e-12)


# --- circulant forms and the DFT ----------------------------------------------------------

def _dft(shape):
    """The N-D DFT matrix acting on C-order ravelled arrays."""
    F = np.ones((1, 1))
    for n in shape:
        F = np.kron(F, scipy.linalg.dft(n))
    return F


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("kshape,shape", [((3, 3), (4, 5)), ((2, 4), (3, 3)), ((1, 1), (2, 3))])
def test_doubly_block_circulant_diagonalized_by_dft(kshape, shape, op):
    rng = _rng("dft", kshape, shape, op)
    k = rng.standard_normal(kshape) + 1j * rng.standard_normal(kshape)
    C = doubly_block_circulant(k, shape, op=op, format="dense")
    F = _dft(shape)
    D = F @ C @ np.linalg.inv(F)
    lam = circulant_eigenvalues(k, shape, op=op)
    np.testing.assert_allclose(D, np.diag(lam.ravel()), atol=1e-10)
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(C @ x.ravel(), np.fft.ifftn(lam * np.fft.fftn(x)).ravel(),
                               atol=1e-10)


def test_block_circulant_three_levels():
    rng = np.random.default_rng(7)
    k, shape = rng.standard_normal((2, 3, 2)), (3, 4, 2)
    C = block_circulant(k, shape, format="dense")
    F = _dft(shape)
    lam = circulant_eigenvalues(k, shape)
    np.testing.assert_allclose(F @ C @ np.linalg.inv(F), np.diag(lam.ravel()), atol=1e-10)
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(C)),
                               np.sort_complex(lam.ravel()), atol=1e-9)


def test_doubly_block_circulant_equals_convolve_wrap_with_tap0_anchor():
    rng = np.random.default_rng(11)
    k, x = rng.standard_normal((3, 2)), rng.standard_normal((4, 6))
    expected = sigconv.convolve(x, k, "same", boundary="wrap", center=0)
    np.testing.assert_allclose(doubly_block_circulant(k, x.shape) @ x.ravel(),
                               expected.ravel(), atol=1e-12)


def test_doubly_block_toeplitz_is_block_toeplitz():
    """Full 2-D mode: block (I, J) is the 1-D Toeplitz matrix of kernel row I - J."""
    k = np.arange(1, 7).reshape(2, 3)
    n0, n1 = 3, 4
    D = doubly_block_toeplitz(k, (n0, n1), format="dense")
    rows1 = n1 + 2
    for I, J in itertools.product(range(n0 + 1), range(n0)):
        block = D[I * rows1:(I + 1) * rows1, J * n1:(J + 1) * n1]
        r = I - J
        expected = (scipy.linalg.convolution_matrix(k[r], n1) if 0 <= r < 2
                    else np.zeros((rows1, n1)))
        np.testing.assert_array_equal(block, expected)


def test_circulant_eigenvalues_wrap_a_long_kernel():
    k = np.arange(1.0, 8.0)
    np.testing.assert_allclose(circulant_eigenvalues(k, 3),
                               np.fft.fft([1 + 4 + 7, 2 + 5, 3 + 6]), atol=1e-12)


# --- efficiency table ---------------------------------------------------------------------

def test_efficiency_table_textbook_numbers():
    t = efficiency_table((320, 280), (2, 1))
    assert t.output_shape == (319, 280)
    assert t.convolution.stored_floats == 2
    assert t.convolution.operations == 319 * 280 * 3 == 267_960
    assert t.dense.stored_floats == 319 * 280 * 320 * 280 > 8e9
    assert t.dense.operations > 16e9
    assert t.dense.operations == 319 * 280 * (2 * 320 * 280 - 1)
    assert t.sparse.stored_floats == 2 * 319 * 280 == 178_640
    assert t.sparse.operations == 267_960
    text = str(t)
    for number in ("267,960", "178,640", "8,003,072,000"):
        assert number in text


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 3)])
def test_efficiency_table_counts_the_built_matrix(mode, boundary, stride, dilation):
    shape, kshape = (8, 11), (3, 4)
    k = np.random.default_rng(5).uniform(1, 2, kshape)     # no zero taps, no cancellation
    kw = dict(boundary=boundary, stride=stride, dilation=dilation)
    t = efficiency_table(shape, kshape, mode, **kw)
    M = convolution_matrix(k, shape, mode, **kw)
    busy = np.count_nonzero(np.diff(M.indptr))
    assert t.sparse == ("sparse matrix", M.nnz, 2 * M.nnz - busy)
    assert t.dense.stored_floats == M.shape[0] * M.shape[1]
    assert t.convolution.operations == M.shape[0] * (2 * k.size - 1)


# --- the dense guard and bad arguments --------------------------------------------------

def test_dense_guard_refuses_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(ResourceLimitError,
                           match=r"dense 262144 x 262144 float64 matrix would need 512\.0 GiB"
                                 r".*limit of 2\.0 GiB.*format='sparse' or format='operator'"):
            convolution_matrix(np.ones((7, 7)), (512, 512), "same", format="dense")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_sparse_build_guard_refuses_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(ResourceLimitError,
                           match=r"building the sparse 16777216 x 16777216 matrix "
                                 r"\(822,083,584 output-tap pairs\) would need about 19\.1 GiB"
                                 r".*use format='operator'"):
            convolution_matrix(np.ones((7, 7)), (4096, 4096), "same")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    A = convolution_matrix(np.ones((7, 7)), (4096, 4096), "same", format="operator")
    assert A.shape == (4096 ** 2, 4096 ** 2)


def test_memory_limit_setting_and_argument(monkeypatch):
    monkeypatch.setattr(sigconv.matrices, "MAX_BYTES", 1000)
    with pytest.raises(ResourceLimitError, match=r"16 x 16 float64 matrix would need "
                                                  r"2\.0 KiB, over the limit of 1,000 bytes"):
        convolution_matrix(np.ones((3, 3)), (4, 4), "same", format="dense")
    with pytest.raises(ResourceLimitError, match=r"circulant: a dense 20 x 20 float64"):
        circulant(np.ones(20), format="dense")
    with pytest.raises(ResourceLimitError, match=r"building the sparse 36 x 16 matrix"):
        convolution_matrix(np.ones((3, 3)), (4, 4))
    assert convolution_matrix(np.ones((3, 3)), (4, 4), "same", format="dense",
                              max_bytes=4096).shape == (16, 16)
    assert convolution_matrix(np.ones((3, 3)), (4, 4), max_bytes=10_000).nnz == 144


@pytest.mark.parametrize("call,error,message", [
    (lambda: convolution_matrix([1, 2], 5, "same", fillvalue=1.5), ValueError,
     r"convolution_matrix: boundary='constant' with fillvalue=1\.5 makes the map affine"),
    (lambda: convolution_matrix([1, 2], (5, 5)), ShapeError,
     r"kernel and input_shape must have the same number of dimensions; got kernel shape "
     r"\(2,\) and input_shape \(5, 5\)"),
    (lambda: convolution_matrix([1, 2], 5, format="csr"), ValueError,
     r"format must be one of 'sparse', 'dense', 'operator'; got 'csr'"),
    (lambda: convolution_matrix([1, 2], 5, op="conv"), ValueError,
     r"op must be one of 'convolve', 'correlate'; got 'conv'"),
    (lambda: convolution_matrix([1, 2], 5, "smae"), ValueError,
     r"mode must be one of 'full', 'same', 'valid'; got 'smae'"),
    (lambda: convolution_matrix([1, 2], 5, boundary="circle"), ValueError,
     r"boundary must be one of .*'wrap' \(aliases: .*\); got 'circle'"),
    (lambda: convolution_matrix([1, 2], -5), ValueError, r"input_shape must be >= 0; got -5"),
    (lambda: convolution_matrix([1, 2], 5.0), TypeError, r"input_shape must be an int"),
    (lambda: convolution_matrix(np.array(["a"]), 5), DTypeError, r"unsupported dtype"),
    (lambda: convolution_matrix(3.0, ()), ShapeError, r"at least one dimension"),
    (lambda: convolution_matrix(np.ones((2, 3)), (3, 2), "valid"), ShapeError,
     r"one must be at least as large as the other"),
    (lambda: convolution_matrix([1, 2], 5, stride=0), ValueError, r"stride must be >= 1"),
    (lambda: convolution_matrix([1, 2], 5, format="dense", max_bytes=-1), ValueError,
     r"max_bytes must be >= 0"),
    (lambda: toeplitz(np.ones((2, 2)), 3), ShapeError, r"toeplitz: kernel must be 1-d"),
    (lambda: doubly_block_toeplitz([1, 2], (3, 3)), ShapeError,
     r"doubly_block_toeplitz: kernel must be 2-d; got shape \(2,\)"),
    (lambda: doubly_block_circulant([[1, 2]], (3,)), ShapeError, r"same number of dim"),
    (lambda: circulant_eigenvalues([1, 2], (3, 3)), ShapeError,
     r"circulant_eigenvalues: kernel and shape must have the same number of dimensions"),
    (lambda: efficiency_table((3, 3), (2,)), ShapeError, r"efficiency_table: kernel"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nonzero_fill_allowed_where_never_read():
    """'valid' reads no fill, so any fillvalue leaves the map linear."""
    M = convolution_matrix([1, 2], 4, "valid", fillvalue=7)
    np.testing.assert_array_equal(M @ np.arange(4), np.convolve(np.arange(4), [1, 2], "valid"))
