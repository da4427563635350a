"""The halo geometry of sigconv.distributed (sigconv._halo), on numpy arrays: the region
each output block assembles from slices of the input blocks equals the slice of the whole
array extended by numpy's own np.pad, and only thin halos come from other blocks."""

import itertools

import numpy as np
import pytest

from sigconv import _halo

# sigconv boundary name -> np.pad mode (the independent reference)
NP_PAD = {"constant": "constant", "reflect": "symmetric", "mirror": "reflect",
          "nearest": "edge", "wrap": "wrap"}


def regions(x_chunks, n, before, after, ke, stride, boundary):
    """Per output block: (pieces, the reference region from np.pad)."""
    length = (n + before + after - ke) // stride + 1
    axis = _halo.axis_pieces(x_chunks, n, before, ke, stride, length, boundary)
    assert sum(axis.out_chunks) == length
    starts = np.concatenate([[0], np.cumsum(axis.out_chunks)])
    return axis, starts


def gather_1d(x, chunks, pieces, fill):
    bounds = np.concatenate([[0], np.cumsum(chunks)])
    blocks = [x[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    arrays = [None if p.block is None else blocks[p.block][p.index] for p in pieces]
    for a, p in zip(arrays, pieces):
        assert a is None or len(a) == p.length
    return _halo.assemble(arrays, [[p.length for p in pieces]], x.dtype, fill)


@pytest.mark.parametrize("boundary", list(NP_PAD))
@pytest.mark.parametrize("chunks", [(5, 5, 4), (1, 13), (3, 3, 3, 3, 2), (14,), (2,) * 7],
                         ids=str)
@pytest.mark.parametrize("before, after, stride", [
    (1, 1, 1), (2, 0, 1), (0, 3, 1), (6, 6, 1),      # a halo wider than the blocks
    (20, 20, 1),                                      # wider than the whole array
    (3, 2, 2), (4, 4, 3)], ids=str)
def test_regions_equal_np_pad(boundary, chunks, before, after, stride):
    x = np.arange(100, 114)
    n = x.size
    ke = before + after + 1
    axis, starts = regions(chunks, n, before, after, ke, stride, boundary)
    extended = np.pad(x, (before, after), mode=NP_PAD[boundary],
                      **({"constant_values": -7} if boundary == "constant" else {}))
    for o, size, pieces in zip(starts, axis.out_chunks, axis.pieces):
        expected = extended[o * stride:(o + size - 1) * stride + ke]
        np.testing.assert_array_equal(gather_1d(x, chunks, pieces, -7), expected)


@pytest.mark.parametrize("boundary", list(NP_PAD))
def test_interior_blocks_take_thin_halos_of_their_neighbours(boundary):
    chunks, (before, after) = (10, 10, 10, 10), (2, 1)
    axis, _ = regions(chunks, 40, before, after, 4, 1, boundary)
    for b in (1, 2):        # interior: the left neighbour's last 2, own block, right's first 1
        assert axis.pieces[b] == (_halo.Piece(b - 1, slice(8, 10), 2),
                                  _halo.Piece(b, slice(0, 10), 10),
                                  _halo.Piece(b + 1, slice(0, 1), 1))


@pytest.mark.parametrize("boundary, left, right", [
    ("constant", _halo.Piece(None, None, 2), _halo.Piece(None, None, 1)),
    ("wrap", _halo.Piece(3, slice(8, 10), 2), _halo.Piece(0, slice(0, 1), 1)),
])
def test_edge_halos_of_constant_and_wrap(boundary, left, right):
    axis, _ = regions((10, 10, 10, 10), 40, 2, 1, 4, 1, boundary)
    assert axis.pieces[0][0] == left          # wrap: the far end of the array
    assert axis.pieces[-1][-1] == right


@pytest.mark.parametrize("boundary", ["reflect", "mirror", "nearest"])
def test_edge_halos_of_reflections_come_from_the_edge_block(boundary):
    axis, _ = regions((10, 10, 10, 10), 40, 2, 1, 4, 1, boundary)
    assert {p.block for p in axis.pieces[0]} == {0, 1}
    assert {p.block for p in axis.pieces[-1]} == {2, 3}
    assert sum(p.length for p in axis.pieces[0] if p.block == 1) == 1
    assert sum(p.length for p in axis.pieces[-1] if p.block == 2) == 2


def test_nearest_repeats_the_edge_sample():
    axis, _ = regions((10, 10), 20, 3, 0, 4, 1, "nearest")
    first = axis.pieces[0][0]
    assert first.block == 0 and first.length == 1     # three runs of one sample each
    assert [p.index for p in axis.pieces[0][:3]] == [slice(0, 1)] * 3


@pytest.mark.parametrize("boundary", list(NP_PAD))
def test_two_dimensional_regions(boundary):
    rng = np.random.default_rng(5)
    x = rng.integers(-9, 10, (9, 11))
    chunks = ((4, 3, 2), (5, 6))
    pads = ((2, 1), (0, 3))
    axes = [_halo.axis_pieces(c, n, b, b + a + 1, 1, n, boundary)
            for c, n, (b, a) in zip(chunks, x.shape, pads)]
    extended = np.pad(x, pads, mode=NP_PAD[boundary])
    bounds = [np.concatenate([[0], np.cumsum(c)]) for c in chunks]
    starts = [np.concatenate([[0], np.cumsum(a.out_chunks)]) for a in axes]
    for i, j in itertools.product(range(3), range(2)):
        per_axis = (axes[0].pieces[i], axes[1].pieces[j])
        arrays = []
        for p, q in itertools.product(*per_axis):
            if p.block is None or q.block is None:
                arrays.append(None)
                continue
            block = x[bounds[0][p.block]:bounds[0][p.block + 1],
                      bounds[1][q.block]:bounds[1][q.block + 1]]
            arrays.append(block[p.index, :][:, q.index])
        got = _halo.assemble(arrays, [[p.length for p in ps] for ps in per_axis], x.dtype, 0)
        r0, r1 = starts[0][i], starts[1][j]
        expected = extended[r0:r0 + axes[0].out_chunks[i] + 3,
                            r1:r1 + axes[1].out_chunks[j] + 3]
        np.testing.assert_array_equal(got, expected)
