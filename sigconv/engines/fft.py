"""The FFT engine: the valid correlation of a zero-padded input by one transform product.

Zero padding stays implicit: the transform length on each axis is the smallest fast
length whose circular wrap-around cannot reach the samples that are kept, so 'valid'
needs transforms only as long as the input and 'same' no longer than 'full'.
"""

import numpy as np
import scipy.fft as sfft


def dilate(w, dilations):
    """``w`` with ``dilation - 1`` zeros between taps on each trailing axis."""
    nsp = len(dilations)
    if all(d == 1 for d in dilations):
        return w
    lead = w.ndim - nsp
    shape = w.shape[:lead] + tuple(d * (k - 1) + 1 for k, d in zip(w.shape[lead:], dilations))
    out = np.zeros(shape, dtype=w.dtype)
    out[(Ellipsis,) + tuple(slice(None, None, d) for d in dilations)] = w
    return out


def transform_plan(nshape, kshape, out_spatial, strides, pads):
    """Per axis: (transform length, first kept index, stop) of the circular product."""
    plan = []
    for n, ke, L, s, (b, _) in zip(nshape, kshape, out_spatial, strides, pads):
        t0 = ke - 1 - b
        t1 = t0 + (L - 1) * s
        full = n + ke - 1
        size = sfft.next_fast_len(max(t1 + 1, full - t0, 1), real=True)
        plan.append((size, t0, t1 + 1))
    return plan


def correlate_valid(x, w, out_shape, strides, dilations, pads, *, workers=None):
    """Valid correlation of zero-padded ``x`` with ``w`` on the trailing axes, by FFT."""
    nsp = len(strides)
    wd = dilate(w, dilations)
    kernel = np.flip(wd, axis=tuple(range(-nsp, 0)))
    plan = transform_plan(x.shape[-nsp:], wd.shape[-nsp:], out_shape[-nsp:], strides, pads)
    sizes = [p[0] for p in plan]
    axes = tuple(range(-nsp, 0))
    complex_ = x.dtype.kind == "c" or w.dtype.kind == "c"
    fwd, inv = (sfft.fftn, sfft.ifftn) if complex_ else (sfft.rfftn, sfft.irfftn)
    spec = fwd(x, s=sizes, axes=axes, workers=workers)
    spec = spec * fwd(kernel, s=sizes, axes=axes, workers=workers)
    full = inv(spec, s=sizes, axes=axes, workers=workers)
    crop = (Ellipsis,) + tuple(slice(t0, t1, s) for (_, t0, t1), s in zip(plan, strides))
    return full[crop].astype(x.dtype, copy=True)
