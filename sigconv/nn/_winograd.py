"""Winograd's minimal filtering F(m x m, 3 x 3): 3x3 stride-1 convolution layers.

For an output tile of ``m x m`` samples and the ``n x n`` input tile under it
(``n = m + 2``), Lavin and Gray's form of Winograd's algorithm computes the 2-D
correlation with a 3x3 kernel ``g`` as

    y_tile = A^T [ (G g G^T) * (B^T d B) ] A          (* elementwise, n x n)

so a layer, summed over channels, becomes one matrix product per transform point
``xi`` of the ``n x n`` grid:

    Y[xi] (P x O) = V[xi] (P x C) @ U[xi] (C x O),   V = B^T d B,  U = G w G^T

over the ``P`` tiles of a batch chunk: ``n^2 / m^2`` multiplications per output and
channel pair instead of 9 (2.25 for F(4x4, 3x3), 4 for F(2x2, 3x3)), paid for with the
transforms, which are matrix products too.  The backward pass runs the adjoints of the
same linear maps: ``dY = A dy A^T``, ``dU[xi] = V[xi]^T dY[xi]`` (so ``dw = G^T dU G``),
``dV[xi] = dY[xi] U[xi]^T`` and ``dd = B dV B^T`` added over the overlapping input tiles.

A chunk of ``k`` samples is held channels-inner, ``(rows, columns, k, C)``, so that
every transform is a stack of small matrix products over long contiguous rows; the
layer's ``(N, C, H, W)`` arrays are transposed in and out once per chunk.  Chunks run on
threads (:mod:`._parallel`); each chunk's share of the weight gradient is kept apart and
the shares are summed in chunk order, so the gradient does not depend on the threads.
The transform matrices are exact small rationals; the float32 results keep a relative
error of about 1e-6 (F(4x4)) of the output scale.
"""

import collections
import math

import numpy as np

from .. import _runtime
from . import _parallel

Tile = collections.namedtuple("Tile", "m at g bt")
Tile.__doc__ = """One Winograd algorithm F(m x m, 3 x 3): output tile ``m``, ``A^T``
(m x n), ``G`` (n x 3), ``B^T`` (n x n), float64."""

TILES = {
    2: Tile(2, np.array([[1, 1, 1, 0], [0, 1, -1, -1]], float),
            np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]]),
            np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], float)),
    4: Tile(4, np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0],
                         [0, 1, -1, 8, -8, 1]], float),
            np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
                      [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]]),
            np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                      [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
                     float)),
}

#: bytes of one chunk's largest transform-domain buffer (kept near the caches)
CHUNK_BYTES = 3 << 19

Geometry = collections.namedtuple("Geometry", "m n tiles padded lead out")
Geometry.__doc__ = """A layer's tiling: ``tiles`` (Th, Tw) of ``m x m`` outputs, the
``padded`` input extents ``m*T + 2`` with the data at ``lead`` (the before-pads), the
``out`` extents."""


def applies(strides, dilations, groups, kshape):
    """True for the layers Winograd F(m x m, 3 x 3) computes: 2-D, 3x3, stride 1,
    dilation 1, one group."""
    return (len(kshape) == 2 and tuple(kshape) == (3, 3) and groups == 1
            and all(s == 1 for s in strides) and all(d == 1 for d in dilations))


def geometry(m, spatial, pads, out):
    """The :class:`Geometry` of F(m x m, 3 x 3) on inputs of ``spatial`` extents."""
    tiles = tuple(-(-o // m) for o in out)
    padded = tuple(m * t + 2 for t in tiles)
    lead = tuple(b for b, _ in pads)
    return Geometry(m, m + 2, tiles, padded, lead, tuple(out))


def samples_per_chunk(geo, channels, itemsize):
    """Samples per chunk: the transform-domain buffer of ``channels`` near CHUNK_BYTES."""
    per = geo.n * geo.n * math.prod(geo.tiles) * channels * itemsize
    return max(1, CHUNK_BYTES // per)


def _windows(a, axis, count, width, step, *, start=0, writeable=False):
    """View of the C-contiguous ``a`` with ``axis`` replaced by ``(count, width)``:
    ``[..., t, j, ...] = a[..., start + step*t + j, ...]`` (written only where the
    windows do not overlap).  numpy checks that the windows stay inside ``a``."""
    shape, strides = list(a.shape), list(a.strides)
    offset = start * strides[axis]
    shape[axis:axis + 1] = [count, width]
    strides[axis:axis + 1] = [step * strides[axis], strides[axis]]
    view = np.ndarray(tuple(shape), a.dtype, buffer=a, offset=offset, strides=tuple(strides))
    if not writeable:
        view.flags.writeable = False
    return view


def _to_tiles(src, dst, lead):
    """``dst (rows, cols, k, C)[lead:]`` = ``src (k, C, rows, cols)`` (a transposition)."""
    r, c = src.shape[2:]
    dst[lead[0]:lead[0] + r, lead[1]:lead[1] + c] = src.transpose(2, 3, 0, 1)


def _from_tiles(src, dst, lead=(0, 0)):
    """``dst (k, C, rows, cols)`` = ``src (rows, cols, k, C)[lead:]``, in blocks of
    positions whose source rows fill about _BLOCK_BYTES (a transposition: a block's
    strided reads stay in the first-level cache)."""
    k, c, r, w = dst.shape
    block = src[lead[0]:lead[0] + r, lead[1]:lead[1] + w]
    step = max(16, _BLOCK_BYTES // (k * c * dst.itemsize))
    if block.shape[1] == src.shape[1] and block.flags.c_contiguous:
        flat, out = block.reshape(r * w, k * c), dst.reshape(k * c, r * w)
        for lo in range(0, r * w, step):
            out[:, lo:lo + step] = flat[lo:lo + step].T
        return
    step = max(1, step // w)
    for lo in range(0, r, step):
        dst[:, :, lo:lo + step] = block[lo:lo + step].transpose(2, 3, 0, 1)


_BLOCK_BYTES = 1 << 15


def _input_transform(bt, xt, geo, out, scratch):
    """``out (n, n, Th, Tw, L)`` = ``B^T d B`` of every tile of ``xt (Hp, Wp, L)``, through
    ``cols (Hp, n, Tw, L)``: the columns' transform, then the rows'."""
    n, m = geo.n, geo.m
    th, tw = geo.tiles
    L = xt.shape[-1]
    cols = scratch("cols", (xt.shape[0], n, tw, L))
    np.matmul(bt, _windows(xt, 1, tw, n, m), out=cols.transpose(0, 2, 1, 3))
    rows = _windows(cols.reshape(xt.shape[0], n, tw * L), 0, th, n, m)   # (Th, n_j, n_b, .)
    np.matmul(bt, rows.transpose(2, 0, 1, 3),
              out=out.reshape(n, n, th, tw * L).transpose(1, 2, 0, 3))
    return out


def _output_transform(at, Y, geo, out, scratch):
    """``out (m*Th, m*Tw, L)`` = ``A^T Y A`` of every tile of ``Y (n, n, Th, Tw, L)``."""
    n, m = geo.n, geo.m
    th, tw = geo.tiles
    L = Y.shape[-1]
    z = scratch("z", (m, n, th, tw, L))
    np.matmul(at, Y.reshape(n, -1), out=z.reshape(m, -1))
    np.matmul(at, z.transpose(0, 2, 3, 1, 4),
              out=out.reshape(th, m, tw, m, L).transpose(1, 0, 2, 3, 4))
    return out


def _output_adjoint(a, dyt, geo, out, scratch):
    """``out (n, n, Th, Tw, L)`` = ``A dy A^T`` of every tile of ``dyt (m*Th, m*Tw, L)``
    (the adjoint of :func:`_output_transform`)."""
    n, m = geo.n, geo.m
    th, tw = geo.tiles
    L = dyt.shape[-1]
    cols = scratch("cols", (m * th, n, tw, L))
    np.matmul(a, dyt.reshape(m * th, tw, m, L), out=cols.transpose(0, 2, 1, 3))
    rows = cols.reshape(th, m, n, tw * L).transpose(2, 0, 1, 3)            # (n_b, Th, m, .)
    np.matmul(a, rows, out=out.reshape(n, n, th, tw * L).transpose(1, 2, 0, 3))
    return out


def _input_adjoint(b, dV, geo, out, scratch):
    """``out (Hp, Wp, L)`` = ``B dV B^T`` of every tile of ``dV (n, n, Th, Tw, L)``, added
    where tiles overlap (the adjoint of :func:`_input_transform`)."""
    n, m = geo.n, geo.m
    th, tw = geo.tiles
    hp = geo.padded[0]
    L = dV.shape[-1]
    cols = scratch("cols", (hp, n, tw * L))                # (rows, n_b, Tw * L)
    src = dV.reshape(n, n, th, tw * L).transpose(1, 2, 0, 3)              # (n_b, Th, n_a, .)
    np.matmul(b[:m], src, out=cols[:m * th].reshape(th, m, n, tw * L).transpose(2, 0, 1, 3))
    cols[m * th:] = 0
    lap = scratch("lap", (n, th, n - m, tw * L))
    _add_overlap(cols, np.matmul(b[m:], src, out=lap).transpose(1, 2, 0, 3), 0, m)
    rows = cols.reshape(hp, n, tw, L).transpose(0, 2, 1, 3)              # (Hp, Tw, n_b, L)
    np.matmul(b[:m], rows, out=out[:, :m * tw].reshape(hp, tw, m, L))
    out[:, m * tw:] = 0
    lap = scratch("lap", (hp, tw, n - m, L))
    _add_overlap(out, np.matmul(b[m:], rows, out=lap), 1, m)
    return out


def _add_overlap(dst, part, axis, m):
    """``dst[..., m*(t+1) + j, ...] += part[..., t, j, ...]`` along ``axis`` (the last
    ``n - m`` rows of each tile, which belong to the next tile's span)."""
    t, lap = part.shape[axis], part.shape[axis + 1]
    view = _windows(dst, axis, t, lap, m, start=m, writeable=True)
    view += part


class _Scratch:
    """One thread's work buffers, by name: ``scratch(name, shape)`` is a C-contiguous
    array over the start of the buffer of that name (grown when too small);
    ``scratch.zeros(name, shape)`` one that was zero when first made for this shape
    (its users write only where they read, so its margins stay zero)."""

    def __init__(self, dtype):
        self.dtype, self.buffers, self.zeroed = np.dtype(dtype), {}, {}

    def __call__(self, name, shape):
        size = math.prod(shape)
        buf = self.buffers.get(name)
        if buf is None or buf.size < size:
            buf = self.buffers[name] = np.empty(size, self.dtype)
        return buf[:size].reshape(shape)

    def zeros(self, name, shape):
        buf = self.zeroed.get(name)
        if buf is None or buf.shape != shape:
            buf = self.zeroed[name] = np.zeros(shape, self.dtype)
        return buf


class Workspace:
    """The threads' scratch a layer hands back to :func:`forward` and :func:`backward`
    on every call, sparing the page faults of fresh memory (on the measured VM they cost
    as much as a small batch's arithmetic).  Nothing in it outlives a call, so a layer's
    earlier states stay valid; calls sharing one workspace must not overlap."""

    def __init__(self):
        self.idle = []

    def scratch(self, dtype):
        """Scratch for one thread (an idle one of ``dtype`` if any)."""
        for i, sc in enumerate(self.idle):
            if sc.dtype == dtype:
                return self.idle.pop(i)
        return _Scratch(dtype)

    def done(self, scratches):
        """Take back the scratch of finished threads."""
        self.idle.extend(scratches)


def kernel_transform(w, tile, dtype):
    """``U (n*n, C, O)`` = ``G w G^T`` per channel pair (computed in float64)."""
    return _sandwich(tile.g, np.asarray(w, np.float64).transpose(2, 3, 1, 0), dtype)


def _sandwich(left, core, dtype):
    """``left @ core[:, :, p] @ left.T`` for every trailing index ``p`` of ``core (r, r,
    *rest)``, as ``(rows * rows, *rest)`` in ``dtype`` (two matrix products)."""
    r, rest = core.shape[0], core.shape[2:]
    half = (left @ core.reshape(r, -1)).reshape(-1, r, math.prod(rest))      # (a, j, .)
    full = left @ half                                                        # (a, b, .)
    return np.ascontiguousarray(full.reshape((-1,) + rest), dtype=dtype)


State = collections.namedtuple("State", "geo tile u v parts x_shape dtype workspace")


def _chunks(n, geo, channels, itemsize):
    step = samples_per_chunk(geo, channels, itemsize)
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


def forward(x, w, pads, out_spatial, m, bias=None, workspace=None):
    """``(y, state)`` of the 3x3 stride-1 correlation of zero-padded ``x (N, C, H, W)``
    with ``w (O, C, 3, 3)`` by F(m x m, 3 x 3), plus ``bias`` per output channel
    (buffers from ``workspace``, a :class:`Workspace`, when given)."""
    ws = workspace if workspace is not None else Workspace()
    n_, c, h, wd = x.shape
    o = w.shape[0]
    tile = TILES[m]
    geo = geometry(m, (h, wd), pads, out_spatial)
    dt = x.dtype
    u = kernel_transform(w, tile, dt)
    bt, at = tile.bt.astype(dt), tile.at.astype(dt)
    th, tw = geo.tiles
    n, nn = geo.n, geo.n * geo.n
    per = nn * th * tw * c                                 # V of one sample
    v = _runtime.empty((n_ * per,), dt)                    # kept for the weight gradient
    y = _runtime.empty((n_, o) + tuple(out_spatial), dt)
    parts = _chunks(n_, geo, max(c, o), x.itemsize)
    full = (m * th, m * tw)
    b = None if bias is None else np.asarray(bias, dt)

    def work(scratch, lo, hi):
        k = hi - lo
        xk = scratch.zeros("xt", geo.padded + (k * c,))        # zero borders stay zero
        _to_tiles(x[lo:hi], xk.reshape(geo.padded + (k, c)), geo.lead)
        vk = v[lo * per:hi * per].reshape(n, n, th, tw, k * c)
        _input_transform(bt, xk, geo, vk, scratch)
        yk = scratch("y", (nn, th * tw * k, o))
        np.matmul(vk.reshape(nn, -1, c), u, out=yk)
        t = _output_transform(at, yk.reshape(n, n, th, tw, k * o), geo,
                              scratch("t", full + (k * o,)), scratch).reshape(full + (k, o))
        if bias is not None:
            t += b
        _from_tiles(t, y[lo:hi])

    ws.done(_parallel.run(parts, work, lambda: ws.scratch(dt)))
    return y, State(geo, tile, u, v, parts, x.shape, dt, ws)


def backward(dy, state, need_dx):
    """``(dx or None, dw, db)`` for the output gradient ``dy`` of :func:`forward` (``db``:
    the sum of ``dy`` per output channel, read off the transformed ``dy``)."""
    geo, tile, u, v, parts, x_shape, dt, ws = state
    n_, c, h, wd = x_shape
    o = dy.shape[1]
    m, n = geo.m, geo.n
    th, tw = geo.tiles
    nn = n * n
    per = nn * th * tw * c
    a, b = tile.at.T.astype(dt), tile.bt.T.astype(dt)
    ut = np.ascontiguousarray(u.transpose(0, 2, 1))
    dus = np.empty((len(parts), nn, c, o), dt)
    dbs = np.empty((len(parts), o), dt)
    ones = _ones_point(tile)
    dx = _runtime.empty(x_shape, dt) if need_dx else None
    index = {p: i for i, p in enumerate(parts)}
    full = (m * th, m * tw)

    def work(scratch, lo, hi):
        k = hi - lo
        dyk = scratch.zeros("dyt", full + (k * o,))             # zero margins stay zero
        _to_tiles(dy[lo:hi], dyk.reshape(full + (k, o)), (0, 0))
        dY = _output_adjoint(a, dyk, geo, scratch("dY", (n, n, th, tw, k * o)), scratch)
        dY = dY.reshape(nn, -1, o)
        vk = v[lo * per:hi * per].reshape(nn, -1, c)
        np.matmul(vk.transpose(0, 2, 1), dY, out=dus[index[(lo, hi)]])
        np.sum(dY[ones], axis=0, out=dbs[index[(lo, hi)]])
        if need_dx:
            dV = np.matmul(dY, ut, out=scratch("dV", (nn, th * tw * k, c)))
            dxt = _input_adjoint(b, dV.reshape(n, n, th, tw, k * c), geo,
                                 scratch("dxt", geo.padded + (k * c,)), scratch)
            _from_tiles(dxt.reshape(geo.padded + (k, c)), dx[lo:hi], geo.lead)

    ws.done(_parallel.run(parts, work, lambda: ws.scratch(dt)))
    du = dus[0].copy()
    for part in dus[1:]:
        du += part
    dw = _sandwich(tile.g.T, du.astype(np.float64).reshape(n, n, c, o), dt)  # (3, 3, C, O)
    db = dbs[0].copy()
    for part in dbs[1:]:
        db += part
    return dx, np.ascontiguousarray(dw.reshape(3, 3, c, o).transpose(3, 2, 0, 1)), db


def _ones_point(tile):
    """The transform point ``(r, r)`` (flat index) where ``A dy A^T`` is the sum of the
    output tile ``dy``: ``r`` is the column of ``A^T`` of ones."""
    r = next(i for i in range(tile.at.shape[1]) if np.all(tile.at[:, i] == 1))
    return r * tile.at.shape[1] + r
