"""Property-based fuzzing of every method against the textbook sums.

Hypothesis draws shapes (1s and primes included), ndim 1-3, dtype pairs, modes,
boundaries, centres, strides and dilations.  The reference is built independently:
numpy's ``np.pad`` extends the input by the boundary rule, and
``sigconv.definitions.discrete.correlate`` sums the defining products exactly.

Long campaign:  SIGCONV_FUZZ=long python -m pytest tests/test_fuzz.py -p no:xdist
"""

import warnings

import numpy as np
from hypothesis import assume, given, strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import sigconv
from sigconv.definitions import discrete

from helpers import METHODS, checked_call

NUMPY_PAD = {"constant": "constant", "reflect": "symmetric", "mirror": "reflect",
             "nearest": "edge", "wrap": "wrap"}
DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]
SIZES = st.sampled_from([1, 2, 3, 4, 5, 7, 11])


def values(draw, shape, dtype):
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype.kind == "b":
        flat = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    elif dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else -20
        flat = draw(st.lists(st.integers(lo, 20), min_size=n, max_size=n))
    else:
        flat = draw(st.lists(st.floats(-4, 4, width=16), min_size=n, max_size=n))
        if dtype.kind == "c":
            imag = draw(st.lists(st.floats(-4, 4, width=16), min_size=n, max_size=n))
            flat = [complex(r, i) for r, i in zip(flat, imag)]
    return np.array(flat, dtype=dtype).reshape(shape)


@st.composite
def cases(draw):
    ndim = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["convolve", "correlate"]))
    mode = draw(st.sampled_from(["full", "same", "valid"]))
    boundary = draw(st.sampled_from(list(NUMPY_PAD)))
    kshape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    ke = tuple(d * (k - 1) + 1 for k, d in zip(kshape, dilation))
    shape = tuple(draw(SIZES) for _ in range(ndim))
    if mode == "valid":
        shape = tuple(max(n, e) for n, e in zip(shape, ke))
    center = draw(st.sampled_from(["scipy", "ndimage", "tap"]))
    if center == "tap":
        center = tuple(draw(st.integers(0, k - 1)) for k in kshape)
    dt1, dt2 = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(DTYPES))
    a, b = values(draw, shape, dt1), values(draw, kshape, dt2)
    fill = draw(st.sampled_from([0, 3]))
    return dict(op=op, mode=mode, boundary=boundary, center=center, stride=stride,
                dilation=dilation, a=a, b=b, fill=fill)


def anchor(center, op, k, ke, d, axis):
    if center == "scipy":
        return (ke - 1) // 2 if op == "convolve" else ke // 2
    if center == "ndimage":
        return ke // 2
    return center[axis] * d


def reference(c):
    """Pad by numpy's rule, correlate by the textbook sum, keep the strided valid part."""
    a, b, op = c["a"], c["b"], c["op"]
    wide = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else (
        np.int64 if {a.dtype.kind, b.dtype.kind} <= set("biu") else np.float64)
    a, b = a.astype(wide), b.astype(wide)
    kernel = np.conj(b) if op == "correlate" else np.flip(b)
    kd = np.zeros(tuple(d * (k - 1) + 1 for k, d in zip(b.shape, c["dilation"])), wide)
    kd[tuple(slice(None, None, d) for d in c["dilation"])] = kernel
    pads = []
    for axis, (k, ke, d) in enumerate(zip(b.shape, kd.shape, c["dilation"])):
        if c["mode"] == "full":
            pads.append((ke - 1, ke - 1))
        elif c["mode"] == "valid":
            pads.append((0, 0))
        else:
            an = anchor(c["center"], op, k, ke, d, axis)
            pads.append((ke - 1 - an, an) if op == "convolve" else (an, ke - 1 - an))
    mode = NUMPY_PAD[c["boundary"]]
    kw = dict(constant_values=c["fill"]) if mode == "constant" else {}
    xp = np.pad(a, pads, mode=mode, **kw)
    # the textbook sum runs in Python (~4 us a product): cases of millions of products
    # (three dilated axes) would take minutes, and are left to the other suites
    assume(xp.size * kd.size <= 400_000)
    full = discrete.correlate(xp, np.conj(kd))  # correlate conjugates: undo it
    valid = full[tuple(slice(ke - 1, n) for ke, n in zip(kd.shape, xp.shape))]
    return valid[tuple(slice(None, None, s) for s in c["stride"])]


def check(c, method):
    fill = c["fill"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sigconv.PrecisionWarning)
        want = reference(c)
        got = checked_call(
            getattr(sigconv, c["op"]), c["a"], c["b"], c["mode"], method, want=want,
            boundary=c["boundary"], fillvalue=fill, center=c["center"], stride=c["stride"],
            dilation=c["dilation"])
    assert got.shape == want.shape
    if got.dtype.kind in "iu":
        assert_array_equal(got, want)
        return
    scale = (float(np.abs(c["a"]).max(initial=0)) + abs(fill)) \
        * float(np.abs(c["b"]).astype(np.float64).sum()) + 1e-30
    single = got.dtype in (np.float32, np.complex64)
    assert_allclose(got, want, rtol=0, atol=scale * (2e-6 if single else 1e-13))


@given(cases())
def test_direct_matches_definition(c):
    check(c, "direct")


@given(cases())
def test_every_transform_method_matches_definition(c):
    for method in METHODS:
        if method != "direct":
            check(c, method)


@given(cases())
def test_auto_matches_definition(c):
    check(c, "auto")


@given(cases())
def test_matrix_form_matches_definition(c):
    from sigconv.matrices import convolution_matrix
    if c["boundary"] == "constant":
        c = dict(c, fill=0)  # a nonzero fill makes the map affine: no matrix exists
    a = c["a"]
    m = convolution_matrix(c["b"], a.shape, c["mode"], op=c["op"], boundary=c["boundary"],
                           center=c["center"], stride=c["stride"], dilation=c["dilation"],
                           format="sparse")
    want = reference(c)
    vec = a.astype(np.result_type(a.dtype, np.int64) if a.dtype.kind in "biu" else a.dtype)
    got = (m @ vec.ravel()).reshape(want.shape)
    scale = float(np.abs(a).max(initial=0)) * float(np.abs(c["b"]).astype(np.float64).sum()) + 1e-30
    single = m.dtype in (np.float32, np.complex64)  # entries follow the kernel's dtype
    assert_allclose(got, want, rtol=0, atol=scale * (2e-6 if single else 1e-13))
