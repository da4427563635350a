"""The FFT, overlap-save and overlap-add engines against the textbook sums.

Every case is checked against ``sigconv.definitions.discrete`` (Python-number sums),
cropped by the mode rule of scipy.signal; geometry options (stride, dilation, boundary,
center, axes) are checked against the oracle applied to an explicitly padded input with
an explicitly dilated kernel, and against the direct engine.
"""

import itertools
import zlib

import numpy as np
import pytest

import sigconv
from helpers import checked_call, res
from sigconv.definitions import discrete
from sigconv.engines import direct, fft, overlap

TRANSFORMS = ["fft", "os", "oa"]
MODES = ["full", "same", "valid"]
DTYPES = [np.float64, np.float32, np.complex128, np.int16, np.uint8]
NP_BOUNDARY = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge",
               "wrap": "wrap"}


def seeded(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def random_array(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else -20
        return rng.integers(lo, 20, shape).astype(dtype)
    a = rng.standard_normal(shape)
    if dtype.kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def crop(full, n_shape, k_shape, mode):
    """scipy.signal's crop of the full result for 'same' and 'valid'."""
    if mode == "full":
        return full
    if mode == "same":
        starts = [(f - n) // 2 for f, n in zip(full.shape, n_shape)]
        return full[tuple(slice(s, s + n) for s, n in zip(starts, n_shape))]
    return full[tuple(slice(k - 1, n) for n, k in zip(n_shape, k_shape))]


def assert_matches(out, ref, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        assert out.dtype.kind in "iu"
        np.testing.assert_array_equal(out, ref.astype(np.int64))
        return
    tol = 2e-4 if dtype in (np.float32, np.complex64) else 1e-10
    scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
    np.testing.assert_allclose(out, ref.astype(out.dtype), rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", TRANSFORMS)
def test_convolve_matches_definition(method, mode, dtype, ndim):
    rng = seeded(method, mode, np.dtype(dtype).name, ndim)
    top = {1: 40, 2: 9, 3: 5}[ndim]
    for _ in range(2):
        nshape = tuple(int(v) for v in rng.integers(1, top + 1, ndim))
        kshape = tuple(int(rng.integers(1, n + 1)) for n in nshape)
        x, k = random_array(rng, nshape, dtype), random_array(rng, kshape, dtype)
        want = crop(discrete.convolve(x, k), nshape, kshape, mode)
        out = checked_call(sigconv.convolve, x, k, mode, method=method, want=want)
        assert_matches(out, want, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int32], ids=str)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", TRANSFORMS)
def test_correlate_matches_definition(method, mode, dtype):
    rng = seeded("corr", method, mode, str(dtype))
    x, k = random_array(rng, (7, 11), dtype), random_array(rng, (3, 4), dtype)
    out = sigconv.correlate(x, k, mode, method=method)
    assert_matches(out, crop(discrete.correlate(x, k), x.shape, k.shape, mode), dtype)


def dilate(k, d):
    out = np.zeros(tuple(dd * (n - 1) + 1 for n, dd in zip(k.shape, d)), dtype=k.dtype)
    out[tuple(slice(None, None, dd) for dd in d)] = k
    return out


@pytest.mark.parametrize("stride,dilation", [((1, 1), (1, 1)), ((2, 3), (1, 1)),
                                             ((1, 1), (2, 3)), ((3, 2), (2, 2)),
                                             ((4, 1), (1, 3))])
@pytest.mark.parametrize("method", TRANSFORMS)
def test_stride_and_dilation_match_definition(method, stride, dilation):
    """Full mode: out = (x * dilate(k))[::stride] by the defining sum."""
    rng = seeded("sd", method, stride, dilation)
    x, k = rng.standard_normal((13, 11)), rng.standard_normal((3, 4))
    out = sigconv.convolve(x, k, "full", method=method, stride=stride, dilation=dilation)
    ref = discrete.convolve(x, dilate(k, dilation))[::stride[0], ::stride[1]]
    assert_matches(out, ref, np.float64)


@pytest.mark.parametrize("boundary", ["reflect", "mirror", "nearest", "wrap"])
@pytest.mark.parametrize("method", TRANSFORMS)
def test_boundary_matches_padded_definition(method, boundary):
    """'same' with a boundary rule: the defining sum on the explicitly extended input."""
    rng = seeded("bd", method, boundary)
    x, k = rng.standard_normal((9, 10)), rng.standard_normal((3, 5))
    pads = [((kk - 1) - (kk - 1) // 2, (kk - 1) // 2) for kk in k.shape]  # anchor (k-1)//2
    xp = np.pad(x, pads, mode=NP_BOUNDARY[boundary])
    ref = crop(discrete.convolve(xp, k), xp.shape, k.shape, "valid")
    out = sigconv.convolve(x, k, "same", method=method, boundary=boundary)
    assert_matches(out, ref, np.float64)


@pytest.mark.parametrize("center", ["scipy", "ndimage", (0, 3)])
@pytest.mark.parametrize("method", TRANSFORMS)
def test_center_and_fill_agree_with_direct(method, center):
    rng = seeded("ctr", method, str(center))
    x, k = rng.standard_normal((12, 9)), rng.standard_normal((4, 6))
    kw = dict(center=center, boundary="constant", fillvalue=1.5, stride=(2, 1))
    out = sigconv.correlate(x, k, "same", method=method, **kw)
    ref = sigconv.correlate(x, k, "same", method="direct", **kw)
    assert_matches(out, ref, np.float64)


@pytest.mark.parametrize("method", TRANSFORMS)
def test_axes_and_batch_broadcast(method):
    """Convolution over axes (0, 2) of (5, 3, 8) with a (2, 1, 3) kernel, batch on axis 1."""
    rng = seeded("axes", method)
    x, k = rng.standard_normal((5, 3, 8)), rng.standard_normal((2, 1, 3))
    out = sigconv.convolve(x, k, "same", method=method, axes=(0, 2))
    for b in range(3):
        ref = crop(discrete.convolve(x[:, b, :], k[:, 0, :]), (5, 8), (2, 3), "same")
        assert_matches(out[:, b, :], ref, np.float64)


@pytest.mark.parametrize("kind", ["os", "oa"])
@pytest.mark.parametrize("case", range(12))
def test_overlap_engines_with_small_blocks(kind, case):
    """Many blocks on every axis, random geometry, against the direct engine."""
    rng = seeded("blocks", kind, case)
    nsp = 1 + case % 2
    n = tuple(int(v) for v in rng.integers(20, 60 if nsp == 1 else 30, nsp))
    k = tuple(int(v) for v in rng.integers(1, 8, nsp))
    s = tuple(int(v) for v in rng.integers(1, 4, nsp))
    d = tuple(int(v) for v in rng.integers(1, 3, nsp))
    pads = tuple((int(a), int(b)) for a, b in rng.integers(0, 5, (nsp, 2)))
    ke = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    L = tuple((nn + a + b - e) // ss + 1 for nn, (a, b), e, ss in zip(n, pads, ke, s))
    x = rng.standard_normal((2,) + n)
    w = rng.standard_normal((1,) + k)
    single = fft.transform_sizes(n, ke, L, s, pads)
    blocks = overlap.block_sizes(kind, n, ke, L, s, single, max_points=20 if nsp == 1 else 400)
    assert overlap.block_count(kind, n, L, pads, s, blocks) >= 2
    engine = overlap.correlate_valid_os if kind == "os" else overlap.correlate_valid_oa
    out = engine(x, w, (2,) + L, s, d, pads, res=res(), blocks=blocks)
    ref = direct.correlate_valid(x, w, (2,) + L, s, d, pads, res=res())
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


def test_stride_shrinks_the_inverse_transform(monkeypatch):
    """A stride s folds the spectrum: the inverse transform is s times shorter."""
    seen = []
    real = fft.transform

    def spy(kind, shape, nsp, dtype, threads, **kw):
        seen.append((kind, shape))
        return real(kind, shape, nsp, dtype, threads, **kw)

    monkeypatch.setattr(fft, "transform", spy)
    x = np.random.default_rng(0).standard_normal(1000)
    out = sigconv.convolve(x, np.ones(9), "same", method="fft", stride=4)
    ref = sigconv.convolve(x, np.ones(9), "same", method="direct")[::4]
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    (fwd,) = {s for k, s in seen if k == "r2c"}      # the input's and the kernel's
    (inv,) = {s for k, s in seen if k == "c2r"}
    assert fwd[-1] == 4 * inv[-1]
    assert inv[-1] >= out.size


@pytest.mark.parametrize("method", TRANSFORMS)
def test_results_are_new_arrays(method):
    """Two calls of one shape: distinct owned results; the first is unchanged (A12)."""
    rng = np.random.default_rng(3)
    a, b, k = rng.standard_normal(300), rng.standard_normal(300), rng.standard_normal(7)
    a0, k0 = a.copy(), k.copy()
    r1 = sigconv.convolve(a, k, method=method)
    keep = r1.copy()
    r2 = sigconv.convolve(b, k, method=method)
    assert r1.flags.owndata or r1.base is None or not np.shares_memory(r1, r2)
    assert not np.shares_memory(r1, r2)
    np.testing.assert_array_equal(r1, keep)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(k, k0)


@pytest.mark.parametrize("method", TRANSFORMS)
def test_big_endian_and_noncontiguous_inputs(method):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((20, 30))
    k = rng.standard_normal((3, 5))
    ref = sigconv.convolve(x[::2, ::-1], k, method="direct")
    out = sigconv.convolve(x[::2, ::-1].astype(">f8"), np.asfortranarray(k), method=method)
    assert out.dtype == np.float64 and out.dtype.isnative
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("method", TRANSFORMS)
def test_readonly_input_is_accepted(method):
    x = np.frombuffer(np.arange(50, dtype=np.float64).tobytes(), dtype=np.float64)
    out = sigconv.convolve(x, [1.0, -1.0], method=method)
    np.testing.assert_allclose(out, np.convolve(x, [1.0, -1.0]), atol=1e-9)


def test_same_mode_with_kernel_longer_than_input():
    """A5: 'same' keeps in1's shape on every method, values equal."""
    x, k = np.array([2.0]), np.arange(1.0, 6.0)
    outs = {m: sigconv.convolve(x, k, "same", method=m) for m in ["direct"] + TRANSFORMS}
    for m, out in outs.items():
        assert out.shape == (1,), m
        np.testing.assert_allclose(out, crop(discrete.convolve(x, k), (1,), (5,), "same"),
                                   err_msg=m)


@pytest.mark.parametrize("method", TRANSFORMS)
def test_remembered_kernel_spectra_follow_kernel_changes(method):
    """One-off calls reuse a small kernel's spectrum only while its values are the same."""
    rng = np.random.default_rng(21)
    x, k = rng.standard_normal(400), rng.standard_normal(9)
    first = sigconv.convolve(x, k, method=method)
    k[4] += 1.0                                   # same array, new values
    second = sigconv.convolve(x, k, method=method)
    np.testing.assert_allclose(second, np.convolve(x, k), atol=1e-10)
    np.testing.assert_allclose(second - first, x_shift(x, 4, second.size), atol=1e-10)


def x_shift(x, lag, size):
    out = np.zeros(size)
    out[lag:lag + x.size] = x
    return out


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("batch", [(5,), (2, 3)])
def test_fft_batches_inverted_in_chunks_equal_the_sums(batch, stride, monkeypatch):
    """A batch whose spectra exceed ``fft.CHUNK_BYTES`` is inverted a few rows at a time
    (with folding for a stride); every row equals numpy's correlation of that row."""
    monkeypatch.setattr(fft, "CHUNK_BYTES", 4096)
    rng = np.random.default_rng(sum(batch) + stride)
    x = rng.standard_normal(batch + (700,))
    w = rng.standard_normal((1,) * len(batch) + (31,))
    got = sigconv.correlate(x, w, "full", method="fft", axes=-1, stride=stride)
    rows = x.reshape(-1, 700)
    want = np.stack([np.correlate(r, w.ravel(), "full")[::stride] for r in rows])
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-10, atol=1e-10)


def test_kernel_placement_puts_each_tap_where_circular_correlation_wants_it():
    """fft.place_kernel: tap m of each axis at (shift - m*dilation) mod N, as an index
    scatter computes it from that formula; block copies without dilation (runs that wrap
    past 0), the scatter with it."""
    rng = np.random.default_rng(41)
    checked = 0
    for _ in range(1500):
        nsp = int(rng.integers(1, 4))
        sizes = tuple(int(v) for v in rng.integers(1, 12, nsp))
        dil = tuple(int(v) for v in rng.choice([1, 1, 1, 2], nsp))
        ks = tuple(int(rng.integers(1, (N - 1) // d + 2)) for N, d in zip(sizes, dil))
        shifts = tuple(int(v) for v in rng.integers(-15, 15, nsp))
        batch = tuple(int(v) for v in rng.integers(1, 3, int(rng.integers(0, 2))))
        w = rng.standard_normal(batch + ks)
        got = np.zeros(batch + sizes)
        fft.place_kernel(got, w, sizes, dil, shifts)
        want = np.zeros(batch + sizes)
        for m in itertools.product(*map(range, ks)):
            at = tuple((s - i * d) % N for i, d, s, N in zip(m, dil, shifts, sizes))
            want[(Ellipsis,) + at] = w[(Ellipsis,) + m]
        assert np.array_equal(got, want), (sizes, ks, dil, shifts)
        checked += 1
    assert checked == 1500
