"""The nn layers' method-choice model: estimated seconds of a multichannel layer's
correlation as im2col, Winograd or FFT, from its shapes and a calibration ``cal``.

The same kind of model as :mod:`sigconv.engines.cost` (which it uses for the FFT), with
the constants ``sigconv tune`` measures for the layers (:mod:`sigconv.nn._constants`).
"""

import math

from .cost import elementwise_seconds, transform_seconds
from .fft import transform_sizes

__all__ = ["im2col_seconds", "winograd_seconds", "winograd_tile", "layer_method",
           "WINOGRAD_TILES"]


def im2col_seconds(cal, x_shape, w_shape, out_spatial):
    """A layer's correlation as im2col: one gathered column per kernel tap and input
    channel, then BLAS products, one per sample (with one input channel per group, the
    columns of a batch chunk are one index take: ``im2col_sample_single``)."""
    n, c = x_shape[:2]
    o, cg = w_shape[:2]
    taps, outs = math.prod(w_shape[2:]), math.prod(out_spatial)
    sample = cal["im2col_sample_single" if cg == 1 else "im2col_sample"]
    return n * (c * taps * outs * cal["gather"] + o * cg * taps * outs * cal["gemm_mac"]
                + sample)


#: output tiles m of the Winograd algorithms F(m x m, 3 x 3) the nn layers run
WINOGRAD_TILES = (2, 4)


def winograd_seconds(cal, n, c, o, out_spatial, m):
    """A layer's 3x3 correlation by Winograd F(m x m, 3 x 3) (:mod:`sigconv.nn._winograd`):
    per transform point of every tile, ``C*O`` multiply-adds and ``C + O`` values
    transformed (with the layout changes), plus a fixed cost per call."""
    tiles = n * math.prod(-(-s // m) for s in out_spatial)
    points = (m + 2) ** 2 * tiles
    return cal["winograd_call"] + points * (c * o * cal["winograd_mac"]
                                            + (c + o) * cal["winograd_point"])


def winograd_tile(cal, n, c, o, out_spatial):
    """The output tile of :data:`WINOGRAD_TILES` with the smallest estimated time."""
    return min(WINOGRAD_TILES, key=lambda m: winograd_seconds(cal, n, c, o, out_spatial, m))


def layer_method(cal, x_shape, w_shape, out_spatial, groups, *, winograd=False):
    """'im2col', 'fft' or 'winograd': the cheapest way to run a layer's multichannel
    correlation of an input ``(N, C, *S)`` with a weight ``(O, C/groups, *K)`` (nn;
    im2col gathers one column per kernel tap and multiplies by BLAS,
    :mod:`sigconv.engines.channels` transforms, Winograd -- considered when ``winograd``
    says it applies -- multiplies in its transform domain).  Kernels under 25 taps never
    take the FFT."""
    n, c = x_shape[:2]
    o, cg = w_shape[:2]
    costs = {"im2col": im2col_seconds(cal, x_shape, w_shape, out_spatial)}
    if winograd:
        costs["winograd"] = min(winograd_seconds(cal, n, c, o, out_spatial, m)
                                for m in WINOGRAD_TILES)
    if math.prod(w_shape[2:]) >= 25:
        nsp = len(x_shape) - 2
        sizes = [N for N, _ in transform_sizes(x_shape[2:], w_shape[2:], out_spatial,
                                               (1,) * nsp, ((0, 0),) * nsp)]
        f = math.prod(sizes)
        itemsize = 4
        costs["fft"] = (transform_seconds(cal, f, n * c + o * cg + n * o, True, itemsize, 1)
                        + elementwise_seconds(cal, n * o * cg * (f // 2 + 1), 2 * itemsize))
    return min(costs, key=costs.get)
