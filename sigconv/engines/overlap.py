"""Overlap-save and overlap-add: the FFT engine applied block by block.

Both cut the problem into blocks whose transforms are short (a few times the kernel
extent), so a long signal or a large image never needs one huge transform and the
kernel spectrum is computed once for all blocks:

* **overlap-save** (``'os'``) cuts the *output*: each block of ``B`` outputs reads the
  ``(B-1)*stride + ke`` inputs it needs (overlapping its neighbours' by ``ke - stride``)
  and keeps the part of the circular result that wrap-around cannot reach;
* **overlap-add** (``'oa'``) cuts the *input* into disjoint blocks of ``P`` samples
  (a multiple of the stride), correlates each in full and adds the pieces, which overlap
  by ``ke - 1`` samples, into the output.

Block lengths come from :func:`block_sizes`, a small pure function of the extents.
"""

import itertools
import math

import numpy as np

from .. import _runtime, _threads
from ..fft.lengths import cheapest_len
from .fft import KernelSpectrum, correlate_block, kernel_spectrum, place, slot, threads_for
from .tiled import tiled_bank


#: fixed cost of one block (two transform calls, product, Python bookkeeping) expressed in
#: units of the ``N log2 N`` transform work; it keeps blocks from getting too short
BLOCK_OVERHEAD = 60_000


def _candidates(lo, hi):
    """Fast transform lengths from ``lo`` to ``hi`` in increasing order, spaced by about
    8 % (each the :func:`~sigconv.fft.cheapest_len` of its neighbourhood: block lengths
    are free), made as they are asked for."""
    last, pending, n = cheapest_len(hi), True, max(lo, 1)
    while n < hi:
        m = cheapest_len(n)
        if pending and last <= m:
            pending = False
            if last < m:
                yield last
        yield m
        n = max(m + 1, int(m * 1.08))
    if pending:
        yield last


def whole_axis_M(kind, n, ke, L, s, single_M):
    """The largest folded length worth trying: one block covering the axis."""
    whole = (L - 1) * s + ke if kind == "os" else -(-n // s) * s + ke - 1
    return max(single_M, -(-whole // s), 1)


def axis_block(kind, n, ke, L, s, max_M):
    """(N, M, B): transform length, folded length and block length on one axis.

    ``B`` counts outputs per block for 'os' and inputs per block for 'oa'.  The length
    minimizes work per output, ``(N log N + M log M + 4 N + BLOCK_OVERHEAD) / outputs``
    (forward, folded inverse, product and copies, fixed cost), axis by axis; a block as
    long as the axis is the single-transform case.
    """
    best = previous = None
    for M in _candidates(max(-(-ke // s), 1), max_M):
        N = s * M
        if kind == "os":
            B = min(L, M, (N - ke) // s + 1)
            outs = B
        else:
            B = min(((N - ke + 1) // s) * s, -(-n // s) * s)
            outs = B // s
        if B < 1 or outs < 1:
            continue
        per = (N * math.log2(max(N, 2)) + M * math.log2(max(M, 2)) + 4 * N
               + BLOCK_OVERHEAD) / outs
        if best is None or per < best[0]:
            best = (per, N, M, B)
        elif per > previous:             # past the minimum: from here the work only grows
            break
        previous = per
    return best[1:]


def block_sizes(kind, nshape, keshape, out_spatial, strides, single, max_points=None):
    """Per axis (N, M, B) for ``kind`` in {'os', 'oa'}; the block's transform has at most
    ``max_points`` points (memory), shrinking the longest axis first."""
    plan = [list(axis_block(kind, n, ke, L, s, whole_axis_M(kind, n, ke, L, s, M)))
            for n, ke, L, s, (_, M) in zip(nshape, keshape, out_spatial, strides, single)]
    while max_points and math.prod(p[0] for p in plan) > max_points:
        i = max(range(len(plan)), key=lambda j: plan[j][0] / max(keshape[j], 1))
        n, ke, L, s = nshape[i], keshape[i], out_spatial[i], strides[i]
        M = plan[i][1]
        smaller = [c for c in _candidates(max(-(-ke // s), 1), M) if c < M]
        if not smaller:
            break
        plan[i] = list(axis_block(kind, n, ke, L, s, smaller[-1]))
    return [tuple(p) for p in plan]


def block_count(kind, nshape, out_spatial, pads, strides, blocks):
    """Number of blocks the engine runs."""
    if kind == "os":
        return math.prod(-(-L // B) for L, (_, _, B) in zip(out_spatial, blocks))
    return math.prod(len(_oa_starts(n, b, B)) for n, (b, _), (_, _, B) in
                     zip(nshape, pads, blocks))


def _oa_starts(n, before, P):
    """Padded-coordinate starts of the input blocks that hold data."""
    return range((before // P) * P, before + n, P)


#: bytes of real samples per group of batched 1-D overlap-save blocks (2**16 float64
#: points, 2**17 float32 ones): a group's buffers stay in cache, one batched transform
#: call serves all its blocks, and fewer, larger float32 groups spend less time in Python
#: (1e6 x 65 float32, two threads: 3.9 ms in groups of 2**17 points, 5.5 ms of 2**16)
GROUP_BYTES = 1 << 19
#: per-block cost of the batched 1-D path (copies, product), in units of N log2 N work
ROW_ELEMENT_COST = 12


def rows_apply(nsp, strides, kbatch):
    """Whether overlap-save runs as batched 1-D blocks: one spatial axis, no stride and
    one kernel (the blocks then become rows of a few batched transforms)."""
    return nsp == 1 and tuple(strides) == (1,) and kbatch == 1


def row_block(ke, L, factors=None):
    """(N, N, B) for batched 1-D overlap-save: the fast transform length minimizing the
    work per output, ``(2 N log2 N f(N) + ROW_ELEMENT_COST * N) / B`` with
    ``B = min(N - ke + 1, L)``, where ``f`` is the calibrated relative rate of rows of
    ``N`` points (``factors``, :func:`sigconv.engines.cost.row_factors`; 1 where absent).
    Every candidate length is weighed, in arrays; a longer one wins only by 2 %."""
    factors = factors or {}
    lengths = list(_candidates(2 * ke, max(2 * ke, L + ke - 1)))
    N = np.array(lengths, dtype=np.float64)
    B = np.minimum(N - ke + 1, L)
    rate = np.array([factors.get(n, 1.0) for n in lengths])
    per = ((2 * N * np.log2(N) * rate + ROW_ELEMENT_COST * N) / B).tolist()
    best = 0
    for i, work in enumerate(per):
        if work < per[best] * 0.98:
            best = i
    return lengths[best], lengths[best], int(B[best])


def row_groups(nblocks, N, itemsize, threads=1):
    """(groups, blocks per group) covering ``nblocks`` blocks of ``N`` samples of
    ``itemsize`` bytes (a complex sample counts its real part's) with near-equal groups,
    their number a multiple of ``threads`` (each thread runs the same number)."""
    per = max(1, min(nblocks, GROUP_BYTES // (N * itemsize)))
    groups = -(-nblocks // per)
    groups = -(-groups // threads) * threads
    per = -(-nblocks // groups)
    return -(-nblocks // per), per


def _os_rows(x, w, out_shape, dilation, pads, res, block, spectrum):
    """Overlap-save along one axis with every block a row of a batched transform.

    Each group's rows are filled straight from ``x`` (:func:`_fill_rows`: the rows inside
    it through one strided view, the few that reach past its ends row by row, zeros
    there) and its outputs written straight into the result, whole rows through one
    view and the last one cut at the result's end: no copy of the signal or of the
    result is made (1e5 x 4097 float32 'full': 0.99 ms, 1.03 with those copies).

    With threads, the calling thread and the workers take groups in turn
    (:func:`sigconv._threads.share`), each on a pair of plans it keeps for all of its
    groups (1e6 x 65 float32 on two threads: 1.5 ms, against 2.6 ms taking plans from
    the cache group by group).
    """
    N, _, B = block
    ke = dilation * (w.shape[-1] - 1) + 1
    L = out_shape[-1]
    (before, _), = pads
    lead = x.shape[:-1]
    nblocks = -(-L // B)
    itemsize = np.dtype(x.dtype.char.lower()).itemsize
    threads = threads_for(res, nblocks * N * math.prod(lead))
    groups, per = row_groups(nblocks, N, itemsize)
    if threads > 1 and groups > 1:
        groups, per = row_groups(nblocks, N, itemsize, threads)
        threads = min(threads, groups)
    else:
        threads = 1
    width = B + ke - 1
    ks = spectrum or _spectrum(x, w, [block], (1,), (dilation,), res)
    kernel = ks.spectrum.reshape(ks.spectrum.shape[-1])
    dtype = np.result_type(x.dtype, w.dtype)
    out = _runtime.empty(lead + (L,), dtype)

    def participant(take):
        """Groups from ``take`` on one pair of plans, kept for all of them."""
        g = take()
        if g is None:
            return
        shape = lead + (per, N)
        with slot("r2c" if ks.real else "fwd", shape, 1, ks.dtype, 1, res) as fwd, \
                slot("c2r" if ks.real else "inv", shape, 1, ks.dtype, 1, res) as inv:
            while g is not None:
                _fill_rows(fwd.input, x, g * per * B - before, B, width)
                np.multiply(fwd.execute(), kernel, out=inv.input)
                piece = inv.execute()[..., :B]
                a = g * per * B
                whole = min(per, (L - a) // B)         # rows kept whole; then a cut one
                np.copyto(np.reshape(out[..., a:a + whole * B], lead + (whole, B),
                                     copy=False), piece[..., :whole, :])
                if whole < per and a + whole * B < L:
                    out[..., a + whole * B:L] = piece[..., whole, :L - a - whole * B]
                g = take()

    _threads.share(range(groups), threads, participant)
    return out


def _fill_rows(buf, x, start, B, width):
    """Row ``r`` of ``buf`` (``(..., rows, N)``) becomes ``x[..., start + r*B:][:width]``,
    with zeros where that window leaves ``x`` and past ``width``: the rows inside ``x``
    through one strided view, the others one by one (:func:`~sigconv.engines.fft.place`)."""
    rows, n = buf.shape[-2], x.shape[-1]
    first = min(rows, max(0, -(start // B)))         # the rows starting at >= 0
    last = max(first, min(rows, (n - width - start) // B + 1))    # ... ending by n
    if width < buf.shape[-1]:
        buf[..., width:] = 0
    if first < last:
        a, step = start + first * B, x.strides[-1]
        buf[..., first:last, :width] = np.lib.stride_tricks.as_strided(
            x[..., a:], x.shape[:-1] + (last - first, width), x.strides[:-1] + (B * step, step),
            writeable=False)
    for r in itertools.chain(range(first), range(last, rows)):
        a = start + r * B
        lo = min(max(a, 0), a + width)         # the part of x inside the window (maybe none)
        hi = max(min(a + width, n), lo)
        place(buf[..., r, :width], x[..., lo:hi], (lo - a,))


def tiles_apply(nsp, strides, xbatch, kbatch, char):
    """Whether overlap-save runs as cache-sized tiles (:mod:`sigconv.engines.tiled`): two
    or more axes, no stride, float32/float64 (real or complex), and one input or one kernel
    (the tiles' transforms then serve every kernel, or every input, in one pass)."""
    return nsp >= 2 and all(s == 1 for s in strides) and (xbatch == 1 or kbatch == 1) \
        and char in "fdFD"


def _os_tiles(x, w, dilations, pads, res):
    """Overlap-save by a (remembered) :class:`~sigconv.engines.tiled.TiledBank`."""
    nsp = len(dilations)
    xs, ks = x.shape[x.ndim - nsp:], w.shape[w.ndim - nsp:]
    if math.prod(w.shape[:w.ndim - nsp]) == 1:
        w = w.reshape((1,) + ks)
    else:
        x = x.reshape(xs)
        w = w.reshape((-1,) + ks)
    real = np.dtype(x.dtype.char.lower())
    bank = tiled_bank(w, xs, pads, dilations, dtype=np.result_type(real, w.dtype),
                      complex_input=x.dtype.kind == "c", res=res)
    return bank, x


def correlate_valid_os(x, w, out_shape, strides, dilations, pads, *, res, blocks=None,
                       spectrum=None, bank=None):
    """Overlap-save valid correlation of zero-padded ``x`` with ``w`` (trailing axes).

    ``blocks`` holds per axis ``(N, M, B)`` from :func:`block_sizes` (default: chosen
    here without a memory bound); ``spectrum`` a cached :class:`KernelSpectrum` for them.
    One axis without stride and one kernel run as batched rows (:func:`row_block`); two
    or more axes without stride as tiles (:func:`tiles_apply`), unless ``spectrum`` is
    given.  ``bank`` is a :class:`~sigconv.engines.tiled.TiledBank` of ``w``'s kernels
    (``w`` of shape ``(K, *k)``, ``x`` of shape ``(*batch, 1, *n)``) to run the tiles of.
    """
    nsp = len(strides)
    if bank is not None:
        xt = x.reshape(x.shape[:x.ndim - nsp - 1] + x.shape[x.ndim - nsp:])
        return bank.apply(xt, res=res)
    xs = x.shape[-nsp:]
    ke = [d * (k - 1) + 1 for k, d in zip(w.shape[-nsp:], dilations)]
    L = out_shape[-nsp:]
    kbatch = math.prod(w.shape[:-nsp])
    if rows_apply(nsp, strides, kbatch):
        block = blocks[0] if blocks else row_block(ke[0], L[0])
        return _os_rows(x, w, out_shape, dilations[0], pads, res, block, spectrum)
    char = np.result_type(x.dtype, w.dtype).char
    if spectrum is None and tiles_apply(nsp, strides, math.prod(x.shape[:-nsp]), kbatch, char):
        bank, xt = _os_tiles(x, w, dilations, pads, res)
        return bank.apply(xt, res=res).reshape(out_shape)
    blocks = blocks or block_sizes("os", xs, ke, L, strides, _single(xs, ke, L, strides, pads))
    ks = spectrum or _spectrum(x, w, blocks, strides, dilations, res)
    out = _runtime.empty(out_shape, np.result_type(x.dtype, w.dtype))
    grids = [range(0, Lj, B) for Lj, (_, _, B) in zip(L, blocks)]
    for origin in itertools.product(*grids):
        cnt = [min(B, Lj - o) for o, Lj, (_, _, B) in zip(origin, L, blocks)]
        src, offs = [], []
        for o, c, s, k, (b, _), n in zip(origin, cnt, strides, ke, pads, xs):
            start = o * s - b
            lo, hi = max(0, start), min(n, start + (c - 1) * s + k)
            src.append(slice(lo, max(lo, hi)))
            offs.append(lo - start)
        piece = correlate_block(x[(Ellipsis,) + tuple(src)], offs, ks,
                                [slice(0, c) for c in cnt], res=res)
        out[(Ellipsis,) + tuple(slice(o, o + c) for o, c in zip(origin, cnt))] = piece
    return out


def correlate_valid_oa(x, w, out_shape, strides, dilations, pads, *, res, blocks=None,
                       spectrum=None):
    """Overlap-add valid correlation of zero-padded ``x`` with ``w`` (trailing axes).

    ``blocks`` and ``spectrum`` as in :func:`correlate_valid_os`.
    """
    nsp = len(strides)
    xs = x.shape[-nsp:]
    ke = [d * (k - 1) + 1 for k, d in zip(w.shape[-nsp:], dilations)]
    L = out_shape[-nsp:]
    blocks = blocks or block_sizes("oa", xs, ke, L, strides, _single(xs, ke, L, strides, pads))
    ks = spectrum or _spectrum(x, w, blocks, strides, dilations, res)
    out = _runtime.zeros(out_shape, np.result_type(x.dtype, w.dtype))
    grids = [_oa_starts(n, b, B) for n, (b, _), (_, _, B) in zip(xs, pads, blocks)]
    for q0s in itertools.product(*grids):
        src, offs, dst, take = [], [], [], []
        for q0, n, (b, _), (_, M, P), s, k, Lj in zip(q0s, xs, pads, blocks, strides, ke, L):
            lo, hi = max(0, q0 - b), min(n, q0 - b + P)
            src.append(slice(lo, hi))
            offs.append(lo - (q0 - b))
            i0 = max(0, q0 // s - (k - 1) // s)
            i1 = min(Lj, (q0 + P) // s)
            dst.append(slice(i0, max(i0, i1)))
            take.append((np.arange(i0, max(i0, i1)) - q0 // s) % M)
        if any(d.stop <= d.start for d in dst):
            continue
        piece = correlate_block(x[(Ellipsis,) + tuple(src)], offs, ks, take, res=res)
        out[(Ellipsis,) + tuple(dst)] += piece
    return out


def _single(xs, ke, L, strides, pads):
    from .fft import transform_sizes
    return transform_sizes(xs, ke, L, strides, pads)


def block_spectrum(w, blocks, strides, dilations, *, real, res):
    """The kernel spectrum the overlap engines use for ``blocks``."""
    return KernelSpectrum(w, [N for N, _, _ in blocks], strides, dilations,
                          [0] * len(strides), real=real, res=res)


def _spectrum(x, w, blocks, strides, dilations, res):
    real = x.dtype.kind != "c" and w.dtype.kind != "c"
    return kernel_spectrum(w, [N for N, _, _ in blocks], strides, dilations,
                           [0] * len(strides), real=real, res=res)
