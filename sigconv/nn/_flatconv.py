"""Stride-1 convolution layers on the flattened padded image ("flat" im2col).

With stride 1 on every axis, kernel tap ``m`` of a sample reads the padded image
``xp`` (``C`` channels of ``S = prod(padded)`` samples, flattened) at a constant flat
offset ``off[m] = sum_a m_a d_a pitch_a`` from the output position.  Computing the
outputs on the padded grid -- positions ``q = sum_a i_a pitch_a`` for ``q < L``, a few
garbage positions (``i_a >= out_a`` on a trailing axis) included -- turns

* im2col into one contiguous copy per tap: ``cols[t, c, q] = xpf[c*S + off[t] + q]``
  (the ``(C, S)`` block starting at ``off[t]``);
* col2im into one contiguous add per tap (``dxpf[off[t]:][:C*S] += dcols[t]``), provided
  the output gradient is zero at the garbage positions and columns ``q >= L`` of
  ``dcols`` stay zero (both hold: ``dy`` is copied into a zeroed padded-grid buffer and
  the products write only ``q < L``).

Rows of the column matrix are ordered (group, tap, channel-in-group), so the weight is
permuted to match.  The waste is ``L / prod(out)`` extra matrix-product work (7 % for a
3x3 kernel on 28x28), paid for by copies and adds that run at memory speed; the batch is
processed in chunks whose columns stay in cache.
"""

import functools
import math

import numpy as np

from . import _conv, _parallel

MAX_WASTE = 1.5    # use the flat layout while L <= MAX_WASTE * prod(out)


@functools.lru_cache(maxsize=256)
def geometry(padded, kshape, dilations, out_spatial):
    """``(offsets, L, E)``: the flat offset of every tap, the number of grid positions a
    product computes, and the per-sample length of the output grid buffer."""
    pitch = [math.prod(padded[a + 1:]) for a in range(len(padded))]
    offsets = tuple(sum(m * d * p for m, d, p in zip(tap, dilations, pitch))
                    for tap in np.ndindex(*kshape))
    length = sum((o - 1) * p for o, p in zip(out_spatial, pitch)) + 1
    return offsets, length, out_spatial[0] * pitch[0]


def applies(strides, padded, kshape, dilations, out_spatial):
    """True when the flat layout fits (stride 1) and wastes little work."""
    if any(s != 1 for s in strides):
        return False
    _, length, _ = geometry(tuple(padded), tuple(kshape), tuple(dilations), tuple(out_spatial))
    return length <= MAX_WASTE * math.prod(out_spatial)


def pad_flat(x, pads, slack):
    """The zero-padded input flattened per batch to ``(N*C*S + slack,)``."""
    n, c = x.shape[:2]
    padded = tuple(s + b + a for s, (b, a) in zip(x.shape[2:], pads))
    size = n * c * math.prod(padded)
    flat = np.empty(size + slack, dtype=x.dtype)
    flat[size:] = 0
    xp = flat[:size].reshape((n, c) + padded)
    inner = (Ellipsis,) + tuple(slice(b, b + s) for s, (b, _) in zip(x.shape[2:], pads))
    if any(b or a for b, a in pads):
        _zero_border(xp, pads)
    xp[inner] = x
    return flat, padded


def _zero_border(xp, pads):
    """Zero the padding margins of ``xp`` (the interior is overwritten anyway)."""
    for a, (b, e) in enumerate(pads):
        axis = 2 + a
        lead = (slice(None),) * axis
        if b:
            xp[lead + (slice(0, b),)] = 0
        if e:
            xp[lead + (slice(xp.shape[axis] - e, None),)] = 0


def _grid_view(buf, n, o, out_spatial, padded):
    """The valid outputs ``(N, O, *out)`` inside a padded-grid buffer ``(N, O, E)``."""
    grid = buf.reshape((n, o, out_spatial[0]) + tuple(padded[1:]))
    return grid[(Ellipsis,) + tuple(slice(0, s) for s in out_spatial[1:])]


def forward(x, w, pads, dilations, groups, out_spatial):
    """``(y, state)`` of the stride-1 correlation of zero-padded ``x`` with ``w``."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    kshape = w.shape[2:]
    taps = math.prod(kshape)
    padded = tuple(s + b + a for s, (b, a) in zip(x.shape[2:], pads))
    offsets, length, ext = geometry(padded, tuple(kshape), tuple(dilations),
                                    tuple(out_spatial))
    xpf, _ = pad_flat(x, pads, max(offsets))
    size = math.prod(padded)
    # weight rows ordered (group, tap, channel): (G, Og, T*Cg)
    wk = np.moveaxis(w.reshape(groups, o // groups, cg, taps), 2, 3).reshape(
        groups, o // groups, taps * cg).astype(x.dtype, copy=False)
    yx = np.empty((n, groups, o // groups, ext), dtype=x.dtype)
    parts = _conv.chunks(n, c * taps * size * x.itemsize)
    cols_shape = (parts[0][1], groups, taps, cg * size)

    def work(cols, lo, hi):
        block = _im2col(xpf, cols[:hi - lo], lo, hi, c * size, offsets)
        np.matmul(wk, block.reshape(hi - lo, groups, taps * cg, size)[..., :length],
                  out=yx[lo:hi, ..., :length])

    states = _parallel.run(parts, work, lambda: np.empty(cols_shape, dtype=x.dtype))
    y = np.ascontiguousarray(_grid_view(yx, n, o, out_spatial, padded))
    state = (xpf, x.shape, padded, pads, offsets, length, ext, wk.shape, parts,
             states[0] if len(parts) == 1 else None)
    return y, state


def _im2col(xpf, cols, lo, hi, sample, offsets):
    """Fill ``cols (m, G, T, Cg*S)`` for samples ``lo:hi``: one block copy per tap."""
    m, groups = cols.shape[:2]
    for t, off in enumerate(offsets):
        src = xpf[lo * sample + off:hi * sample + off].reshape(m, groups, -1)
        cols[:, :, t] = src
    return cols


def dtype(state):
    """The dtype the forward pass ran in."""
    return state[0].dtype


def backward(dy, w, state, need_dx):
    """``(dx or None, dw)`` for the output gradient ``dy``."""
    xpf, x_shape, padded, pads, offsets, length, ext, wk_shape, parts, kept = state
    n, c = x_shape[:2]
    o, cg = w.shape[:2]
    groups, og, kcols = wk_shape
    taps = len(offsets)
    size = math.prod(padded)
    dtype = xpf.dtype
    dyx = np.zeros((n, groups, og, ext), dtype=dtype)
    _grid_view(dyx, n, o, dy.shape[2:], padded)[...] = dy
    dyl = dyx[..., :length]
    rows = (parts[0][1], groups, taps, cg * size)
    wt = dxpf = None
    if need_dx:
        wt = np.ascontiguousarray(
            np.moveaxis(w.reshape(groups, og, cg, taps), 2, 3).reshape(wk_shape)
            .astype(dtype, copy=False).transpose(0, 2, 1))
        dxpf = np.zeros_like(xpf)

    def make_state():
        # the columns' buffer takes dcols once dw is done (less memory in cache), unless
        # it holds the forward pass's columns
        cols = kept if kept is not None else np.empty(rows, dtype=dtype)
        return {"cols": cols,
                "dcols": None if not need_dx or kept is None else np.zeros(rows, dtype),
                "part": np.empty((rows[0], groups, kcols, og), dtype=dtype),
                "dwt": np.zeros((groups, kcols, og), dtype=dtype)}   # dw transposed

    def work(st, lo, hi):
        m = hi - lo
        cols = st["cols"][:m]
        if kept is None:
            _im2col(xpf, cols, lo, hi, c * size, offsets)
        block = cols.reshape(m, groups, kcols, size)[..., :length]
        part = np.matmul(block, dyl[lo:hi].transpose(0, 1, 3, 2), out=st["part"][:m])
        st["dwt"] += part[0] if m == 1 else part.sum(0)
        if need_dx:
            dcols = cols if st["dcols"] is None else st["dcols"][:m]
            grid = dcols.reshape(m, groups, kcols, size)
            grid[..., length:] = 0          # no-ops in the block adds below
            np.matmul(wt, dyl[lo:hi], out=grid[..., :length])
            _col2im(dxpf, dcols, lo, hi, c * size, offsets, shared)

    shared = _parallel.threads_for(parts) > 1
    states = _parallel.run(parts, work, make_state)
    dwt = sum(st["dwt"] for st in states)
    dw = dwt.reshape(groups, taps, cg, og).transpose(0, 3, 2, 1).reshape(w.shape)
    if not need_dx:
        return None, dw
    dxp = dxpf[:n * c * size].reshape((n, c) + padded)
    crop = (Ellipsis,) + tuple(slice(b, p - a) for p, (b, a) in zip(padded, pads))
    return np.ascontiguousarray(dxp[crop]), dw


def _col2im(dxpf, dcols, lo, hi, sample, offsets, shared):
    """Add ``dcols (m, G, T, Cg*S)`` into samples ``lo:hi`` of ``dxpf``: one block add per
    tap.  A tap's block overhangs the chunk by its offset, into the next chunk; those
    overhanging values are zeros, so when another thread may be updating the next chunk
    (``shared``) the last row's add stops at the chunk's end."""
    m, groups = dcols.shape[:2]
    end = hi * sample
    for t, off in enumerate(offsets):
        src = dcols[:, :, t].reshape(m * groups, -1)
        dst = dxpf[lo * sample + off:end + off].reshape(m * groups, -1)
        if not shared:
            dst += src
            continue
        dst[:-1] += src[:-1]
        last = src.shape[1] - off
        dst[-1, :last] += src[-1, :last]
