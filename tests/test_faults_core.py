"""FAULTS.md cases of sections A, B and G that no other test file covers."""

import numpy as np
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose, assert_array_equal

import sigconv

from helpers import METHODS


def available_bytes():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# A5: 'same' with a length-1 input and a longer kernel, on every method
@pytest.mark.parametrize("method", ["auto"] + METHODS)
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("n,k", [(1, 5), (1, 4), (3, 8), (2, 31)])
def test_same_mode_keeps_in1_shape(op, method, n, k):
    rng = np.random.default_rng(n * 100 + k)
    a, b = rng.standard_normal(n), rng.standard_normal(k)
    got = getattr(sigconv, op)(a, b, "same", method)
    assert got.shape == (n,)
    assert_allclose(got, getattr(ss, op)(a, b, "same"), atol=1e-12)


# A11: read-only memory maps are read, never written
@pytest.mark.parametrize("method", METHODS)
def test_readonly_memmap(tmp_path, method):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(64.0).reshape(8, 8))
    x = np.load(path, mmap_mode="r")
    got = sigconv.convolve(x, np.ones((3, 3)), "same", method, boundary="reflect")
    assert_allclose(got, sigconv.convolve(np.arange(64.0).reshape(8, 8), np.ones((3, 3)),
                                          "same", "direct", boundary="reflect"), atol=1e-12)
    assert_array_equal(np.load(path), np.arange(64.0).reshape(8, 8))


# B4: non-negative inputs never give negative integers; the direct sum never goes negative
@pytest.mark.parametrize("method", METHODS)
def test_nonnegative_integer_results_are_never_negative(method):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (64, 64), dtype=np.uint8)
    k = rng.integers(0, 3, (9, 9), dtype=np.uint8)
    got = sigconv.convolve(img, k, "same", method, out_dtype=np.int64)
    assert got.min() >= 0
    assert_array_equal(got, ss.convolve(img.astype(np.int64), k.astype(np.int64), "same"))


# G3: byte offsets beyond 2**31 (268,435 x 1,001 int64 = 2.1 GB)
@pytest.mark.skipif(available_bytes() < 12 * 2 ** 30, reason="needs 12 GiB of free memory")
def test_byte_offsets_beyond_two_gigabytes():
    x = np.ones((268_435, 1_001), dtype=np.int64)
    x[-1, -1] = 5
    got = sigconv.convolve(x, np.array([[1, 1]]), "valid", "direct", axes=1)
    assert got.shape == (268_435, 1_000)
    assert got[0, 0] == 2 and got[-1, -1] == 6 and got[-1, -2] == 2
    assert int(got.sum(dtype=np.int64)) == 2 * got.size + 4


# G2: an explicit direct sum with a huge kernel is announced before it starts
def test_explicit_direct_with_a_huge_kernel_warns(monkeypatch):
    from sigconv import _pipeline
    calls = []
    monkeypatch.setattr(_pipeline, "execute", lambda plan, name, **kw: calls.append(name)
                        or np.zeros(plan.out_shape))
    img, k = np.zeros((1024, 1024)), np.ones((501, 501))
    with pytest.warns(sigconv.PerformanceWarning, match=r"method='direct' is estimated at"):
        sigconv.convolve(img, k, "same", "direct")
    assert calls == ["direct"]
    assert sigconv.choose_method(img, k, "same").method != "direct"
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sigconv.convolve(img[:64, :64], k[:9, :9], "same", "direct")
