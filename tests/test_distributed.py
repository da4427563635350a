"""sigconv.distributed against the in-memory sigconv.convolve / correlate of the whole array."""

import numpy as np
import pytest

import sigconv
from sigconv import ResourceLimitError, ShapeError

da = pytest.importorskip("dask.array")  # the `dask` extra; installed by the `test` extra
from sigconv import distributed  # noqa: E402

BOUNDARIES = ["constant", "reflect", "mirror", "nearest", "wrap"]
MODES = ["same", "full", "valid"]
CHUNKINGS = [(5, 7), (3, 3), (1, 14), (4, 5), (10, 14)]   # (4, 5): uneven last chunks
KERNELS = [(3, 3), (2, 4), (4, 1)]                  # odd, even, asymmetric
RNG = np.random.default_rng(1234)
IMAGE = RNG.integers(-9, 10, (10, 14))


def kernel(shape):
    return np.random.default_rng(sum(shape)).integers(-4, 5, shape)


def check_metadata(y, computed):
    """Declared shape/dtype/chunks equal the computed array and each computed block."""
    assert y.shape == computed.shape
    assert y.dtype == computed.dtype
    assert tuple(sum(c) for c in y.chunks) == computed.shape
    assert all(isinstance(c, int) for cs in y.chunks for c in cs)
    for idx in np.ndindex(*y.numblocks):
        block = y.blocks[idx].compute()
        assert block.shape == tuple(cs[i] for cs, i in zip(y.chunks, idx))
        assert block.dtype == y.dtype


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("kshape", KERNELS, ids=str)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("chunks", CHUNKINGS, ids=str)
def test_equals_in_memory(chunks, boundary, mode, kshape, op):
    k = kernel(kshape)
    fill = 3 if boundary == "constant" else 0
    expected = getattr(sigconv, op)(IMAGE, k, mode, boundary=boundary, fillvalue=fill)
    y = getattr(distributed, op)(da.from_array(IMAGE, chunks=chunks), k, mode,
                                 boundary=boundary, fillvalue=fill)
    got = y.compute()
    np.testing.assert_array_equal(got, expected)
    assert y.shape == got.shape and y.dtype == got.dtype


@pytest.mark.parametrize("center", ["scipy", "ndimage", (0, 0), (3, 1), (1, 3)], ids=str)
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("chunks", [(3, 3), (4, 5)], ids=str)
def test_centers_give_asymmetric_halos(chunks, boundary, center):
    k = kernel((4, 4))
    expected = sigconv.convolve(IMAGE, k, "same", boundary=boundary, center=center)
    got = distributed.convolve(da.from_array(IMAGE, chunks=chunks), k, "same",
                               boundary=boundary, center=center).compute()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("stride, dilation", [((2, 3), 1), (1, (2, 1)), (3, 2)], ids=str)
@pytest.mark.parametrize("mode", MODES)
def test_stride_and_dilation(mode, stride, dilation, boundary):
    k = kernel((3, 2))
    expected = sigconv.convolve(IMAGE, k, mode, boundary=boundary, stride=stride,
                                dilation=dilation)
    y = distributed.convolve(da.from_array(IMAGE, chunks=(4, 5)), k, mode, boundary=boundary,
                             stride=stride, dilation=dilation)
    got = y.compute()
    np.testing.assert_array_equal(got, expected)
    check_metadata(y, got)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_kernel_wider_than_chunks_rechunks(boundary):
    x = RNG.integers(-9, 10, (21, 16))
    k = kernel((21, 21))
    y = distributed.convolve(da.from_array(x, chunks=5), k, "same", boundary=boundary)
    # chunks (5, 5, 5, 5, 1) merged until each holds the 10-sample halo
    assert all(c >= 10 for cs in y.chunks for c in cs)
    got = y.compute()
    np.testing.assert_array_equal(got, sigconv.convolve(x, k, "same", boundary=boundary))
    check_metadata(y, got)


@pytest.mark.parametrize("mode, expected_chunks", [
    ("same", ((4, 4, 2), (5, 5, 4))),
    ("full", ((4, 4, 4), (5, 5, 7))),   # the last block grows by k - 1
    ("valid", ((4, 4), (5, 5, 1))),     # the last blocks shrink; empty ones are dropped
])
def test_full_and_valid_chunks(mode, expected_chunks):
    k = kernel((3, 4))
    y = distributed.convolve(da.from_array(IMAGE, chunks=(4, 5)), k, mode)
    assert y.chunks == expected_chunks
    got = y.compute()
    np.testing.assert_array_equal(got, sigconv.convolve(IMAGE, k, mode))
    check_metadata(y, got)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int16, bool])
def test_dtypes_follow_the_in_memory_policy(dtype):
    x = RNG.integers(0, 3, (9, 11)).astype(dtype)
    k = kernel((3, 3)).astype(dtype)
    expected = sigconv.convolve(x, k, "same", boundary="reflect")
    y = distributed.convolve(da.from_array(x, chunks=(4, 4)), k, boundary="reflect")
    got = y.compute()
    assert y.dtype == expected.dtype == got.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_fft_blocks_match_direct(boundary):
    x = RNG.standard_normal((40, 36))
    k = RNG.standard_normal((9, 8))
    expected = sigconv.convolve(x, k, "same", "direct", boundary=boundary)
    got = distributed.convolve(da.from_array(x, chunks=(15, 13)), k, boundary=boundary,
                               method="fft").compute()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_nan_stays_where_the_defining_sum_puts_it():
    x = RNG.standard_normal((12, 12))
    x[2, 3] = np.nan
    k = RNG.standard_normal((3, 3))
    expected = sigconv.convolve(x, k, "same", "direct")
    got = distributed.convolve(da.from_array(x, chunks=6), k).compute()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(got).sum() == 9
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_batch_axes_and_numpy_input():
    x = RNG.integers(-5, 6, (3, 10, 12))
    k = kernel((1, 3, 4))
    expected = sigconv.convolve(x, k, "same", axes=(1, 2), boundary="wrap")
    got = distributed.convolve(x, k, axes=(1, 2), boundary="wrap")   # numpy: wrapped by dask
    np.testing.assert_array_equal(got.compute(), expected)


def test_valid_swap_follows_scipy():
    x = RNG.integers(-5, 6, (3, 4))
    k = kernel((6, 7))
    expected = sigconv.convolve(x, k, "valid")
    y = distributed.convolve(da.from_array(x, chunks=2), k, "valid")
    got = y.compute()
    assert got.shape == (4, 4)
    np.testing.assert_array_equal(got, expected)
    check_metadata(y, got)


def test_empty_and_zero_dimensional():
    empty = distributed.convolve(da.zeros((0, 5), chunks=2), np.ones((3, 3)), "full")
    assert empty.shape == (0, 7) and empty.compute().shape == (0, 7)
    scalar = distributed.convolve(da.from_array(np.array(3)), np.array(4))
    assert scalar.compute() == 12 and scalar.shape == ()


def test_memory_budget_refuses_oversized_tasks():
    x = da.zeros((4000, 4000), chunks=2000)
    with pytest.raises(ResourceLimitError, match=r"distributed.convolve: one task would need "
                       r"~\d+\.\d MiB .* over max_task_bytes=1.0 MiB; rechunk"):
        distributed.convolve(x, np.ones((5, 5)), max_task_bytes=2 ** 20)


def test_memory_estimate_formula():
    # blocks 8*10 + region (12 + out 10) * 8, plus 5 * 8 * next_fast_len(12) = 5*8*12
    assert distributed.estimate_task_bytes((10,), (12,), (10,), 8, 8) == 80 + 176 + 480
    assert distributed.estimate_task_bytes((10, 10), (12, 12), (10, 10), 4, 8,
                                           transform=False) == 400 + (144 + 100) * 8


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(mode="smae"), ValueError,
     "distributed.convolve: mode must be one of 'full', 'same', 'valid'; got 'smae'"),
    (dict(boundary="spam"), ValueError, "boundary must be one of"),
    (dict(max_task_bytes=0), ValueError, "max_task_bytes must be >= 1; got 0"),
], ids=["mode", "boundary", "budget"])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        distributed.convolve(da.zeros((4, 4), chunks=2), np.ones((2, 2)), **kwargs)


def test_shape_errors():
    x = da.zeros((4, 4), chunks=2)
    with pytest.raises(ShapeError, match=r"same dimensionality: \(4, 4\) vs \(3,\)"):
        distributed.convolve(x, np.ones(3))
    with pytest.raises(ShapeError, match="kernel must have size 1 on axis 0"):
        distributed.convolve(x, np.ones((2, 2)), axes=1)
    with pytest.raises(sigconv.DTypeError, match="unsupported dtype"):
        distributed.convolve(x, np.array([["a"]]))


def test_local_cluster_with_worker_processes():
    distributed_pkg = pytest.importorskip("distributed")
    x = RNG.standard_normal((30, 28))
    k = RNG.standard_normal((4, 5))
    with distributed_pkg.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
            distributed_pkg.Client(cluster) as client:
        ys = [distributed.convolve(da.from_array(x, chunks=(7, 9)), k, boundary=b)
              for b in ("wrap", "reflect", "constant")]
        results = client.compute(ys, sync=True)
        workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2
    for b, got in zip(("wrap", "reflect", "constant"), results):
        np.testing.assert_allclose(got, sigconv.convolve(x, k, "same", boundary=b),
                                   rtol=1e-12, atol=1e-12)


def test_unknown_chunk_sizes_are_refused():
    x = da.from_array(np.arange(10), chunks=3)
    with pytest.raises(ValueError, match=r"x has unknown chunk sizes .*compute_chunk_sizes"):
        distributed.convolve(x[x > 2], np.ones(3))


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_tasks_receive_their_block_and_thin_halos(boundary):
    """Each output task depends on one whole input block (its own) and slicing tasks;
    those that slice another block cut at most the halo out of it (2 rows before, 2
    after, 1 column each side for a 5x3 kernel) -- never a neighbour's whole block."""
    import dask
    from dask.core import get_dependencies

    x = da.from_array(RNG.standard_normal((40, 48)), chunks=(10, 12))
    y = distributed.convolve(x, np.ones((5, 3)), boundary=boundary)
    graph = dict(y.__dask_graph__())
    halos = [key for key in graph if key[0].startswith("sigconv-halo")]
    shapes = {key: value.shape for key, value in zip(halos, dask.get(graph, halos))}
    moved = 0
    for out_key in (key for key in graph if key[0] == y.name):
        own = (x.name,) + out_key[1:]
        deps = get_dependencies(graph, out_key)
        kernels = [d for d in deps if isinstance(d, str)]
        assert len(kernels) == 1 and kernels[0].startswith("sigconv-kernel")
        assert [d for d in deps if d[0] == x.name] == [own]
        for d in deps:
            if isinstance(d, tuple) and d[0].startswith("sigconv-halo") and graph[d][1] != own:
                assert shapes[d][0] <= 2 or shapes[d][1] <= 1, (d, shapes[d])
                moved += np.prod(shapes[d])
    assert moved <= 16 * (2 * 2 * 12 + 2 * 10 + 4 * 2)      # at most the halos of 16 tasks
    np.testing.assert_allclose(
        y.compute(), sigconv.convolve(x.compute(), np.ones((5, 3)), "same", boundary=boundary),
        rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("chunks", [((3, 5, 2), (7, 1, 6)), ((1,) * 10, (14,))], ids=str)
@pytest.mark.parametrize("mode", MODES)
def test_uneven_chunks_with_stride_dilation_and_centre(mode, chunks, boundary):
    k = kernel((3, 4))
    kwargs = dict(boundary=boundary, stride=(2, 1), dilation=(1, 2),
                  fillvalue=-2 if boundary == "constant" else 0)
    expected = sigconv.correlate(IMAGE, k, mode, **kwargs)
    y = distributed.correlate(da.from_array(IMAGE, chunks=chunks), k, mode, **kwargs)
    got = y.compute()
    np.testing.assert_array_equal(got, expected)
    check_metadata(y, got)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_halo_longer_than_the_array(boundary):
    """A kernel longer than the whole array: the halo wraps or reflects more than once."""
    x = RNG.integers(-9, 10, (6, 5))
    k = kernel((15, 13))
    for mode in MODES[:2]:
        expected = sigconv.convolve(x, k, mode, boundary=boundary)
        got = distributed.convolve(da.from_array(x, chunks=(2, 3)), k, mode,
                                   boundary=boundary).compute()
        np.testing.assert_array_equal(got, expected)


def test_three_dimensional_wrap_and_reflect():
    x = RNG.integers(-9, 10, (7, 8, 9))
    k = kernel((3, 2, 5))
    for b in ("wrap", "reflect", "constant"):
        expected = sigconv.convolve(x, k, "same", boundary=b, center="ndimage")
        got = distributed.convolve(da.from_array(x, chunks=(3, 4, 4)), k, boundary=b,
                                   center="ndimage").compute()
        np.testing.assert_array_equal(got, expected)
