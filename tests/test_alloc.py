"""sigconv._alloc: large results start on a huge-page boundary; small ones are plain."""

import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import sigconv
from sigconv import _alloc, _runtime


def _advised():
    return bool(_alloc._get_madvise_hugepage())


@pytest.mark.parametrize("shape, dtype", [((1 << 19,), np.float32), ((1000, 1001), np.float64),
                                          ((3, 300, 700), np.complex128),
                                          ((4_000_000,), np.int64)])
def test_large_results_start_on_a_huge_page_boundary(shape, dtype):
    out = _runtime.empty(shape, dtype)
    assert out.shape == shape and out.dtype == dtype
    assert out.flags.c_contiguous and out.flags.writeable
    if _advised():
        assert out.ctypes.data % _alloc.HUGE_PAGE == 0
        assert out.base.nbytes >= max(out.nbytes, 1 << 22)
    out[...] = 7
    np.testing.assert_array_equal(out, np.full(shape, 7, dtype))


@pytest.mark.parametrize("shape", [(10,), (100, 100), ((1 << 21) // 8 - 1,)])
def test_small_results_are_plain_arrays(shape):
    out = _runtime.empty(shape, np.float64)
    assert out.shape == shape and out.base is None


def test_without_numpy_advising_huge_pages_it_is_np_empty(monkeypatch):
    monkeypatch.setattr(_alloc, "_get_madvise_hugepage", lambda: False)
    out = _runtime.empty((1 << 20,), np.float64)
    assert out.base is None and out.shape == (1 << 20,)


def test_zeros_are_zero():
    np.testing.assert_array_equal(_runtime.zeros((1 << 19,), np.float64), np.zeros(1 << 19))
    np.testing.assert_array_equal(_runtime.zeros((7, 3), np.complex64),
                                  np.zeros((7, 3), np.complex64))


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


@pytest.fixture
def pool():
    """An empty result pool with room for 64 MiB, restored afterwards."""
    import sigconv.fft
    _alloc.release()
    old = sigconv.fft.set_options(result_pool_bytes=64 << 20)
    yield
    sigconv.fft.set_options(**old)
    _alloc.release()


@pytest.mark.skipif(not _advised(), reason="numpy does not advise huge pages here")
def test_a_dropped_result_buffer_is_handed_out_again(pool):
    a = _runtime.empty((1 << 20,), np.float64)
    where = a.ctypes.data                             # (a reference to a.base would hold it)
    a[...] = 3
    b = _runtime.empty((1 << 20,), np.float64)          # a is alive: another buffer
    assert not np.shares_memory(a, b)
    del a
    c = _runtime.empty((1000, 1000), np.float64)        # same pages: a's buffer again
    assert c.ctypes.data == where
    c[...] = 1
    np.testing.assert_array_equal(c, np.ones((1000, 1000)))


@pytest.mark.skipif(not _advised(), reason="numpy does not advise huge pages here")
def test_a_buffer_stays_out_of_reach_while_any_view_of_it_lives(pool):
    a = _runtime.empty((1 << 20,), np.float64)
    where = a.ctypes.data
    view = a[10:20].reshape(2, 5)
    del a
    fresh = [_runtime.empty((1 << 20,), np.float64) for _ in range(3)]
    assert all(f.ctypes.data != where for f in fresh)
    view[...] = 5                                      # still its own memory
    assert all(not np.shares_memory(view, f) for f in fresh)
    del view                                           # the only unused buffer now
    assert _runtime.empty((1 << 20,), np.float64).ctypes.data == where


@pytest.mark.skipif(not _advised(), reason="numpy does not advise huge pages here")
def test_the_pool_is_bounded_and_can_be_turned_off(pool):
    import sigconv.fft
    kept = [_runtime.empty((1 << 20,), np.float64) for _ in range(20)]   # 20 x ~10 MiB
    assert _alloc.kept_bytes() <= 64 << 20
    del kept
    sigconv.fft.set_options(result_pool_bytes=0)
    _alloc.release()
    a = _runtime.empty((1 << 20,), np.float64)
    del a
    assert _alloc.kept_bytes() == 0


def test_result_pool_bytes_is_validated():
    import sigconv.fft
    with pytest.raises(ValueError, match=r"result_pool_bytes must be None or a non-negative int \(bytes\)"):
        sigconv.fft.set_options(result_pool_bytes=-1)
    assert sigconv.fft.get_options()["result_pool_bytes"] is None


def test_engine_results_from_reused_buffers_are_right(pool):
    """Repeated calls write every element of a reused buffer: no stale values."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal(1 << 19)
    for k in (rng.standard_normal(9), rng.standard_normal(65)):
        for method in ("direct", "fft", "os", "oa"):
            got = sigconv.convolve(x, k, method=method)
            np.testing.assert_allclose(got, np.convolve(x, k), rtol=1e-9, atol=1e-9)
            del got


@pytest.mark.skipif(not _advised(), reason="numpy does not advise huge pages here")
def test_no_buffer_is_kept_where_reference_counts_are_not_exact(pool, monkeypatch):
    """(A free-threaded build: there the count cannot tell an unused buffer.)"""
    monkeypatch.setattr(_alloc, "_COUNTS_EXACT", False)
    a = _runtime.empty((1 << 20,), np.float64)
    assert a.ctypes.data % _alloc.HUGE_PAGE == 0
    del a
    assert _alloc.kept_bytes() == 0


# ---------------------------------------------------------------- the heap reserve

_FAULTS_OF_A_FIRST_WRITE = """
import resource, numpy as np, sigconv
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
buf = np.empty(3 << 20, np.uint8)            # below numpy's huge-page advice (4 MiB)
buf[::4096] = 1
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults_of_a_first_write(**env):
    environ = {k: v for k, v in os.environ.items()
               if k not in _alloc.MALLOC_ENVIRONMENT + ("SIGCONV_HEAP_RESERVE",)}
    out = subprocess.run([sys.executable, "-c", _FAULTS_OF_A_FIRST_WRITE],
                         env={**environ, **env}, capture_output=True, text=True, check=True)
    return int(out.stdout)


glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                           reason="the heap reserve is glibc's (Linux)")


@glibc
def test_after_import_a_3_mib_buffer_is_written_without_page_faults():
    # 768 pages of 4 KiB: a fault each without the reserve (the buffer is mmapped fresh)
    off = _faults_of_a_first_write(SIGCONV_HEAP_RESERVE="0")
    assert off >= 700
    assert _faults_of_a_first_write() < off / 10
    assert _faults_of_a_first_write(SIGCONV_HEAP_RESERVE=str(8 << 20)) < off / 10


@glibc
@pytest.mark.parametrize("policy", [{"MALLOC_ARENA_MAX": "4"},
                                    {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=65536"}])
def test_the_users_malloc_policy_is_left_alone(policy):
    assert _faults_of_a_first_write(**policy) >= 700
    assert _alloc.reserve_heap(1 << 20, policy) is False


def test_no_reserve_without_bytes():
    assert _alloc.reserve_heap(0, {}) is False


def test_a_bad_reserve_size_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SIGCONV_HEAP_RESERVE", "lots")
    with pytest.raises(ValueError, match="SIGCONV_HEAP_RESERVE must be a number of bytes"):
        _runtime.reserve_heap()
