"""Stride-1 convolution layers on the flattened padded image ("flat" im2col).

With stride 1 on every axis, kernel tap ``m`` reads the padded image of a channel
(``S`` samples, flattened with pitches ``pitch_a``) at a constant flat offset
``off[m] = sum_a (m_a d_a - shift_a) pitch_a`` from the output position.  Computing the
outputs on the padded grid -- positions ``q = sum_a i_a pitch_a`` for ``q < L``, a few
garbage positions (``i_a >= out_a`` on an inner axis) included -- turns

* im2col into one contiguous copy per tap: ``cols[t, c, q] = xpf[c*S + off[t] + q]``
  (the ``(C, S)`` block starting at ``off[t]``);
* col2im into one contiguous add per tap (``dxpf[off[t]:][:C*S] += dcols[t]``), provided
  the output gradient is zero at the garbage positions and columns ``q >= L`` of
  ``dcols`` are zero (``dy`` is copied into a zeroed padded-grid buffer; the products
  write only ``q < L``).

On an inner axis the zeros after one row also serve as the zeros before the next, so a
row holds ``n + max(before, after)`` samples, the data first (``shift_a = before``): one
more column of garbage work per row for a 3x3 'same' convolution, not two.  Rows of the
column matrix are ordered (group, tap, channel-in-group), the weight permuted to match.
The waste, ``L / prod(out)`` extra matrix-product work (3.5 % for a 3x3 'same'
convolution of 28x28), buys copies and adds at memory speed; the batch is processed in
chunks whose columns stay in cache.
"""

import collections
import functools
import math

import numpy as np

from . import _conv, _parallel

MAX_WASTE = 1.5    # use the flat layout while L <= MAX_WASTE * prod(out)

Layout = collections.namedtuple(
    "Layout", "extent lead front offsets length grid")
Layout.__doc__ = """Flat layout of one channel: ``extent`` per axis (``S = prod(extent)``),
the data's ``lead`` offset per axis, ``front`` zeros before the first channel, the tap
``offsets``, the ``length`` L of the grid the products compute and the ``grid`` buffer
length ``E = out[0] * pitch[0]``."""


@functools.lru_cache(maxsize=256)
def layout(spatial, pads, kshape, dilations, out_spatial):
    """The :class:`Layout` of a stride-1 convolution (all arguments tuples)."""
    extent, lead, shift = [], [], []
    for a, (n, (b, e), k, d) in enumerate(zip(spatial, pads, kshape, dilations)):
        if a > 0 and min(b, e) <= d * (k - 1):     # shared zeros: the grid still fits
            extent.append(n + max(b, e))
            lead.append(0)
            shift.append(b)
        else:
            extent.append(n + b + e)
            lead.append(b)
            shift.append(0)
    pitch = [math.prod(extent[a + 1:]) for a in range(len(extent))]
    offsets = tuple(sum((m * d - sh) * p for m, d, sh, p in zip(tap, dilations, shift, pitch))
                    for tap in np.ndindex(*kshape))
    length = sum((o - 1) * p for o, p in zip(out_spatial, pitch)) + 1
    front = sum(sh * p for sh, p in zip(shift, pitch))
    return Layout(tuple(extent), tuple(lead), front, offsets, length,
                  out_spatial[0] * pitch[0])


def applies(strides, spatial, pads, kshape, dilations, out_spatial):
    """True when the flat layout fits (stride 1) and wastes little work."""
    if any(s != 1 for s in strides):
        return False
    lay = layout(tuple(spatial), tuple(pads), tuple(kshape), tuple(dilations),
                 tuple(out_spatial))
    return lay.length <= MAX_WASTE * math.prod(out_spatial)


def pad_flat(x, lay):
    """``x`` laid out flat: ``front`` zeros, then ``N*C`` channels of ``S`` samples (data
    at ``lead``, zeros around), then zeros for the last tap's overhang.  The samples are
    filled on threads when there are many."""
    n, c = x.shape[:2]
    size = n * c * math.prod(lay.extent)
    tail = max(max(lay.offsets), 0)
    flat = np.empty(lay.front + size + tail, dtype=x.dtype)
    flat[:lay.front] = 0
    flat[lay.front + size:] = 0
    xp = _channels(flat, lay, n, c)
    inner = _interior(lay, x.shape[2:])

    def fill(lo, hi):
        part = xp[lo:hi]
        for a, (lead, m) in enumerate(zip(lay.lead, x.shape[2:])):
            before = (slice(None),) * (2 + a)
            if lead:
                part[before + (slice(0, lead),)] = 0
            if lead + m < part.shape[2 + a]:
                part[before + (slice(lead + m, None),)] = 0
        part[inner] = x[lo:hi]

    _parallel.each(n, size, fill)
    return flat


def _channels(flat, lay, n, c):
    """The ``(N, C, *extent)`` view of a flat buffer."""
    size = n * c * math.prod(lay.extent)
    return flat[lay.front:lay.front + size].reshape((n, c) + lay.extent)


def _interior(lay, spatial):
    """Index of the data inside ``(N, C, *extent)``."""
    return (Ellipsis,) + tuple(slice(b, b + m) for b, m in zip(lay.lead, spatial))


def _grid_view(buf, n, o, out_spatial, lay):
    """The valid outputs ``(N, O, *out)`` inside a padded-grid buffer ``(N, O, E)``."""
    grid = buf.reshape((n, o, out_spatial[0]) + lay.extent[1:])
    return grid[(Ellipsis,) + tuple(slice(0, s) for s in out_spatial[1:])]


def forward(x, w, pads, dilations, groups, out_spatial, bias=None):
    """``(y, state)`` of the stride-1 correlation of zero-padded ``x`` with ``w`` (plus
    ``bias`` per output channel)."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    og = o // groups
    kshape = w.shape[2:]
    taps = math.prod(kshape)
    lay = layout(x.shape[2:], tuple(pads), tuple(kshape), tuple(dilations),
                 tuple(out_spatial))
    length = lay.length
    if n == 0:
        return np.zeros((0, o) + tuple(out_spatial), dtype=x.dtype), (None, x.shape, w.dtype)
    xpf = pad_flat(x, lay)
    size = math.prod(lay.extent)
    # weight rows ordered (group, tap, channel), then the bias: (G, Og, T*Cg [+ 1])
    wk = np.moveaxis(w.reshape(groups, og, cg, taps), 2, 3).reshape(groups, og, taps * cg)
    if bias is not None:
        wk = np.concatenate([wk, np.reshape(bias, (groups, og, 1))], axis=2)
    wk = wk.astype(x.dtype, copy=False)
    y = np.empty((n, o) + tuple(out_spatial), dtype=x.dtype)
    parts = _conv.chunks(n, c * taps * size * x.itemsize)
    step = parts[0][1]
    rows = wk.shape[2]

    def work(st, lo, hi):
        m = hi - lo
        _im2col(xpf, _taps(st.cols[:m], taps, cg, size), lo, hi, c * size, lay)
        grid = st.grid[:m]
        np.matmul(wk, st.cols[:m].reshape(m, groups, rows, size)[..., :length],
                  out=grid[..., :length])
        y[lo:hi] = _grid_view(grid, m, o, out_spatial, lay)

    states = _parallel.run(parts, work, lambda: _parallel.Buffers(
        cols=_columns(step, groups, rows, size, x.dtype),
        grid=np.empty((step, groups, og, lay.grid), dtype=x.dtype)))
    state = (xpf, x.shape, lay, wk.shape, parts,
             states[0].cols if len(parts) == 1 else None)
    return y, state


def _columns(step, groups, rows, size, dtype):
    """A column buffer ``(step, G, rows*S)``; with a bias, its last row is ones, so the
    matrix product adds the bias (and the weight gradient's product sums ``dy``)."""
    cols = np.empty((step, groups, rows * size), dtype=dtype)
    cols[:, :, (rows - 1) * size:] = 1
    return cols


def _taps(cols, taps, cg, size):
    """The ``(m, G, T, Cg*S)`` tap blocks of a column buffer (the ones row left out)."""
    m, groups = cols.shape[:2]
    return cols[:, :, :taps * cg * size].reshape(m, groups, taps, cg * size)


def _im2col(xpf, cols, lo, hi, sample, lay):
    """Fill ``cols (m, G, T, Cg*S)`` for samples ``lo:hi``: one block copy per tap."""
    m, groups = cols.shape[:2]
    start, end = lay.front + lo * sample, lay.front + hi * sample
    for t, off in enumerate(lay.offsets):
        src = xpf[start + off:end + off].reshape(m, groups, -1)
        cols[:, :, t] = src
    return cols


def dtype(state):
    """The dtype the forward pass ran in."""
    return state[0].dtype if state[0] is not None else state[2]


def backward(dy, w, state, need_dx):
    """``(dx or None, dw, db or None)`` for the output gradient ``dy`` (``db`` when the
    forward pass had a bias)."""
    if state[0] is None:         # an empty batch
        return (np.zeros(state[1], dtype=state[2]) if need_dx else None,
                np.zeros(w.shape, dtype=state[2]), None)
    xpf, x_shape, lay, wk_shape, parts, kept = state
    n, c = x_shape[:2]
    o, cg = w.shape[:2]
    groups, og, rows = wk_shape            # rows: T*Cg, plus one with a bias
    length = lay.length
    taps = len(lay.offsets)
    kcols = taps * cg
    size = math.prod(lay.extent)
    dtype = xpf.dtype
    step = parts[0][1]
    wt = dxpf = dx = None
    if need_dx:
        wt = np.ascontiguousarray(
            np.moveaxis(w.reshape(groups, og, cg, taps), 2, 3).reshape(groups, og, kcols)
            .astype(dtype, copy=False).transpose(0, 2, 1))
        dxpf = np.zeros(xpf.shape, dtype=dtype)
        dxp = _channels(dxpf, lay, n, c)
        inner = _interior(lay, x_shape[2:])
        dx = np.empty(x_shape, dtype=dtype)

    def make_state():
        # the columns' buffer takes dcols once dw is done (less memory in cache), unless
        # it holds the forward pass's columns
        cols = kept if kept is not None else _columns(step, groups, rows, size, dtype)
        return _parallel.Buffers(
            cols=cols,
            dcols=None if not need_dx or kept is None else np.zeros(
                (step, groups, kcols * size), dtype),
            dy=np.zeros((step, groups, og, lay.grid), dtype=dtype),   # 0 off the grid
            part=np.empty((step, groups, rows, og), dtype=dtype),
            dwt=np.zeros((groups, rows, og), dtype=dtype))          # dw (and db) transposed

    def work(st, lo, hi):
        m = hi - lo
        dyg = st.dy[:m]
        _grid_view(dyg, m, o, dy.shape[2:], lay)[...] = dy[lo:hi]
        dyl = dyg[..., :length]
        cols = st.cols[:m]
        if kept is None:
            _im2col(xpf, _taps(cols, taps, cg, size), lo, hi, c * size, lay)
        block = cols.reshape(m, groups, rows, size)[..., :length]
        part = np.matmul(block, dyl.transpose(0, 1, 3, 2), out=st.part[:m])
        st.dwt += part[0] if m == 1 else part.sum(0)
        if need_dx:
            dcols = cols[:, :, :kcols * size] if st.dcols is None else st.dcols[:m]
            grid = dcols.reshape(m, groups, kcols, size)
            grid[..., length:] = 0          # no-ops in the block adds below
            np.matmul(wt, dyl, out=grid[..., :length])
            _col2im(dxpf, _taps(dcols, taps, cg, size), lo, hi, c * size, lay, shared)
            dx[lo:hi] = dxp[lo:hi][inner]   # complete: later chunks add only elsewhere

    shared = _parallel.threads_for(parts) > 1
    states = _parallel.run(parts, work, make_state)
    dwt = sum(st.dwt for st in states)
    dw = dwt[:, :kcols].reshape(groups, taps, cg, og).transpose(0, 3, 2, 1).reshape(w.shape)
    db = dwt[:, kcols].reshape(o) if rows > kcols else None
    return dx, dw, db


def _col2im(dxpf, dcols, lo, hi, sample, lay, shared):
    """Add ``dcols (m, G, T, Cg*S)`` into samples ``lo:hi`` of ``dxpf``: one block add per
    tap.  A tap's block overhangs the chunk by its offset: past the end, into the next
    chunk, with zeros, so when another thread may be updating the next chunk (``shared``)
    the last row's add stops at the chunk's end; before the start (a negative offset),
    only into the zeros after the previous channel's last row, which nobody reads."""
    m, groups = dcols.shape[:2]
    start, end = lay.front + lo * sample, lay.front + hi * sample
    for t, off in enumerate(lay.offsets):
        src = dcols[:, :, t].reshape(m * groups, -1)
        dst = dxpf[start + off:end + off].reshape(m * groups, -1)
        if not shared:
            dst += src
            continue
        dst[:-1] += src[:-1]
        last = src.shape[1] - off
        dst[-1, :last] += src[-1, :last]
