"""Halo geometry of a chunked convolution: which slices of which input blocks each output
block reads (no dask here: plain indices, so it is tested on numpy arrays).

Output sample ``i`` of an axis reads the boundary-extended input at ``i*stride +
m*dilation``, the global input index ``g = i*stride + m*dilation - before`` (``before``:
the extension before the array).  An output block of ``size`` samples starting at ``o``
reads the contiguous range ``g in [o*stride - before, (o+size-1)*stride + ke - before)``
(``ke``: the dilated kernel extent).  That range is mapped into ``[0, n)`` by the boundary
rule of the *whole* array (:func:`sigconv._padding.boundary_index`) and cut into
:class:`Piece` s: runs that step by +1 or -1 through one input block (a slice of it), or
runs outside the array under ``boundary='constant'`` (the fill value).  Inside the array
the pieces are the block's own slice and thin slices of its neighbours; at the edges,
``wrap`` takes slices from the far end of the array and ``reflect``/``mirror``/
``nearest`` reversed (or repeated) slices of the edge block itself.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from ._padding import boundary_index
from ._shapes import effective_size, output_length

__all__ = ["Piece", "Axis", "geometry", "min_chunks", "axis_pieces", "runs", "assemble"]


@dataclass(frozen=True)
class Piece:
    """``length`` consecutive samples of one axis of a region: input block ``block``
    indexed by ``index`` (a slice of the block along this axis), or, when ``block`` is
    None, the fill value."""
    block: object       # int or None
    index: object       # slice or None
    length: int


@dataclass(frozen=True)
class Axis:
    """One axis of a chunked convolution: the output chunks and, per output block, the
    pieces its region is made of (in order)."""
    out_chunks: tuple
    pieces: tuple       # per output block: tuple of Piece


def axis_pieces(chunks, n, before, ke, stride, length, boundary):
    """The :class:`Axis` of an input axis of ``n`` samples in ``chunks``.

    Output chunks follow the input chunks (output ``i`` belongs to the block of input
    ``i*stride``); the output has ``length`` samples.
    """
    bounds = np.concatenate([[0], np.cumsum(chunks)]).astype(np.int64)
    cuts = sorted({min(-(-int(b) // stride), length) for b in bounds[:-1]} | {length})
    out_chunks = tuple(int(b - a) for a, b in zip(cuts[:-1], cuts[1:]) if b > a)
    starts = np.concatenate([[0], np.cumsum(out_chunks)])[:-1]
    pieces = tuple(runs(np.arange(o * stride - before, (o + size - 1) * stride + ke - before),
                        n, bounds, boundary)
                   for o, size in zip(starts, out_chunks))
    return Axis(out_chunks, pieces)


def runs(g, n, bounds, boundary):
    """The global indices ``g`` of one axis as a tuple of :class:`Piece` (fewest runs
    that step by +1 or -1 through one block, or lie outside a constant boundary)."""
    if boundary == "constant":
        inside = (g >= 0) & (g < n)
        src = np.clip(g, 0, n - 1)
    else:
        inside = np.ones(g.shape, dtype=bool)
        src = boundary_index(g, n, boundary)
    block = np.searchsorted(bounds, src, side="right") - 1
    step = np.diff(src)
    # a run stays in one block and on one side of the array's edges (so the samples
    # inside the array come in forward runs: whole blocks where they are covered)
    side = (g >= 0).astype(np.int8) + (g >= n)
    together = (block[1:] == block[:-1]) & (side[1:] == side[:-1]) & inside[1:] & inside[:-1]
    # next_break[ok][i]: the first j >= i where pair (j, j+1) does not continue the run
    nxt = {"fill": _next_false(~inside[1:] & ~inside[:-1]),
           1: _next_false(together & (step == 1)), -1: _next_false(together & (step == -1))}
    out, i, last = [], 0, len(g) - 1
    while i <= last:
        if not inside[i]:
            j = nxt["fill"][i] if i < last else i
            out.append(Piece(None, None, int(j - i + 1)))
        else:
            direction = int(step[i]) if i < last and together[i] and abs(step[i]) == 1 else 1
            j = nxt[direction][i] if i < last else i
            b = int(block[i])
            lo, hi = int(src[i] - bounds[b]), int(src[j] - bounds[b])
            index = slice(lo, hi + 1) if direction == 1 else \
                slice(lo, hi - 1 if hi > 0 else None, -1)
            out.append(Piece(b, index, int(j - i + 1)))
        i = j + 1
    return tuple(out)


def _next_false(ok):
    """For each position i, the first j >= i with ``ok[j]`` False (``len(ok)`` if none)."""
    where = np.where(ok, len(ok), np.arange(len(ok)))
    return np.minimum.accumulate(where[::-1])[::-1]


def assemble(arrays, lengths, dtype, fillvalue):
    """The region whose axis ``a`` is made of pieces of ``lengths[a]``: ``arrays`` holds
    the N-D pieces in ``itertools.product`` order, each an array or None (fill value)."""
    if len(arrays) == 1 and arrays[0] is not None:
        return arrays[0]
    region = np.empty(tuple(sum(ls) for ls in lengths), dtype=dtype)
    offsets = [np.concatenate([[0], np.cumsum(ls)]) for ls in lengths]
    for arr, idx in zip(arrays, itertools.product(*(range(len(ls)) for ls in lengths))):
        dest = tuple(slice(int(off[i]), int(off[i + 1])) for off, i in zip(offsets, idx))
        region[dest] = fillvalue if arr is None else arr
    return region


def geometry(shape, chunks, kshape, axes, pads, strides, dilations, boundary):
    """Per axis of an array of ``shape`` and dask ``chunks``, convolved along ``axes`` with
    a kernel of ``kshape``: (input chunks merged to hold the halo, n, before, ke, stride,
    output length, boundary), the arguments of :func:`axis_pieces` after the chunks."""
    out = []
    for ax, n in enumerate(shape):
        if ax in axes:
            i = axes.index(ax)
            (before, after), s, d = pads[i], strides[i], dilations[i]
            ke = effective_size(kshape[ax], d)
            length = output_length(n, before, after, ke, s)
            halo = max(before, after, ke - 1 - before, 0)
        else:
            before, s, ke, length, halo = 0, 1, 1, n, 0
        out.append((min_chunks(chunks[ax], halo), n, before, ke, s, length, boundary))
    return out


def min_chunks(chunks, halo):
    """Merge neighbouring chunks until each is at least ``halo`` long (documented rechunk)."""
    if halo == 0 or min(chunks) >= halo:
        return tuple(chunks)
    merged = []
    for c in chunks:
        if merged and merged[-1] < halo:
            merged[-1] += c
        else:
            merged.append(c)
    if len(merged) > 1 and merged[-1] < halo:
        last = merged.pop()
        merged[-1] += last
    return tuple(merged)
