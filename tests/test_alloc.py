"""sigconv._alloc: large results start on a huge-page boundary; small ones are plain."""

import numpy as np
import pytest

import sigconv
from sigconv import _alloc


def _advised():
    return bool(_alloc._get_madvise_hugepage())


@pytest.mark.parametrize("shape, dtype", [((1 << 19,), np.float32), ((1000, 1001), np.float64),
                                          ((3, 300, 700), np.complex128),
                                          ((4_000_000,), np.int64)])
def test_large_results_start_on_a_huge_page_boundary(shape, dtype):
    out = _alloc.empty(shape, dtype)
    assert out.shape == shape and out.dtype == dtype
    assert out.flags.c_contiguous and out.flags.writeable
    if _advised():
        assert out.ctypes.data % _alloc.HUGE_PAGE == 0
        assert out.base.nbytes >= max(out.nbytes, 1 << 22)
    out[...] = 7
    np.testing.assert_array_equal(out, np.full(shape, 7, dtype))


@pytest.mark.parametrize("shape", [(10,), (100, 100), ((1 << 21) // 8 - 1,)])
def test_small_results_are_plain_arrays(shape):
    out = _alloc.empty(shape, np.float64)
    assert out.shape == shape and out.base is None


def test_without_numpy_advising_huge_pages_it_is_np_empty(monkeypatch):
    monkeypatch.setattr(_alloc, "_get_madvise_hugepage", lambda: False)
    out = _alloc.empty((1 << 20,), np.float64)
    assert out.base is None and out.shape == (1 << 20,)


def test_zeros_are_zero():
    np.testing.assert_array_equal(_alloc.zeros((1 << 19,), np.float64), np.zeros(1 << 19))
    np.testing.assert_array_equal(_alloc.zeros((7, 3), np.complex64), np.zeros((7, 3), np.complex64))


@pytest.mark.parametrize("method", ["direct", "fft", "oa", "os"])
def test_engines_return_large_results_on_huge_page_boundaries(method):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(1 << 20).astype(np.float32)
    k = rng.standard_normal(9).astype(np.float32)
    got = sigconv.convolve(x, k, method=method)
    np.testing.assert_allclose(got, np.convolve(x.astype(np.float64), k), rtol=1e-4, atol=1e-4)
    assert got.flags.c_contiguous and got.flags.writeable
    if _advised():
        assert got.ctypes.data % _alloc.HUGE_PAGE == 0
